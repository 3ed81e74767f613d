//! The sync protocol between a phone and the server, free of any transport.
//!
//! A device owns its counter cells (one PN-counter per area, indicator and month) and
//! writes level and flag registers stamped by its hybrid logical clock. To sync, it sends
//! a [`SyncRequest`] holding the **current state** of every cell that changed since the
//! last acknowledged sync — states, never increments. The server merges each cell
//! (per-component max for counters, greatest stamp for registers) and moves the
//! ancestors' totals by the difference (for registers, their rollups: [`crate::rollup`]),
//! all in one atomic write ([`plan_sync`] computes
//! that write; a store only persists it). So a request that is lost, repeated, reordered,
//! or retried after a timeout changes every total exactly once: a repeat merges to the
//! same state and moves nothing. When the device hears the [`SyncResponse`], it marks
//! what it sent as acknowledged; if the answer is lost it simply sends again.
//!
//! A device's counters only grow. Its identity and its cells are stored together, so
//! cleared storage means a new device id and nothing old is ever sent under it.
//!
//! # Two devices, one area
//!
//! ```
//! use domain::{Catalogue, Date, IndicatorId, Ledger, MemoryTally, DeviceId, UnitId, UnitTree};
//!
//! let (tree, catalogue) = (UnitTree::demo(), Catalogue::standard());
//! let area = UnitId::new("dx-to-8a").unwrap();
//! let land = IndicatorId::new("dat_hien").unwrap();
//! let day: Date = "2025-11-18".parse().unwrap();
//! let mut server = MemoryTally::default();
//!
//! let mut a = Ledger::new(DeviceId::new("phone-a").unwrap());
//! let mut b = Ledger::new(DeviceId::new("phone-b").unwrap());
//! a.add_amount(&catalogue, &tree, &area, &land, day, 120, "", 1).unwrap();
//! b.add_amount(&catalogue, &tree, &area, &land, day, 80, "hộ ông Tài", 2).unwrap();
//! a.add_amount(&catalogue, &tree, &area, &land, day, -20, "nhập nhầm", 3).unwrap();
//!
//! let from_a = a.outbox();
//! server.apply(&from_a, &tree, &catalogue).unwrap();
//! server.apply(&from_a, &tree, &catalogue).unwrap(); // a retry: changes nothing
//! a.acknowledge(&from_a);
//! let from_b = b.outbox();
//! server.apply(&from_b, &tree, &catalogue).unwrap();
//! b.acknowledge(&from_b);
//!
//! let ward = UnitId::new("p-duc-xuan").unwrap();
//! assert_eq!(server.total(&ward, &land, day.month()), 180);
//! assert_eq!(a.pending(), 0);
//! assert!(!serde_json::to_string(&from_b).unwrap().contains("ông Tài")); // notes stay on the phone
//! ```

use crate::cell::{DeviceCounterKey, counter_change, register_change};
use crate::rollup::{RegisterHistory, RollupChange, register_moves};
use crate::{
    Bucket, Catalogue, CounterChange, CounterKey, CounterState, DeviceId, DomainError, IndicatorId, IndicatorKind,
    Month, RegisterKey, RegisterState, RegisterValue, Stamp, TotalKey, UnitId, UnitTree,
};
use serde::{Deserialize, Serialize};
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

/// Version of the wire format; bumped only with a migration path for old phones.
pub const PROTOCOL: u32 = 1;

/// Most cells one request may carry (about 100 bytes each on the wire).
pub const MAX_CELLS: usize = 5_000;

/// Largest amount one cell may hold (10.000 tỷ đồng): far above any area's month, and
/// small enough that no rolled-up total can overflow.
pub const MAX_AMOUNT: u64 = 10_000_000_000_000;

/// One device's counter cell on the wire: where it sits and its whole state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CounterCell {
    pub area: UnitId,
    pub indicator: IndicatorId,
    /// `yyyy-mm`
    pub month: Month,
    pub inc: u64,
    pub dec: u64,
}

impl CounterCell {
    pub fn key(&self) -> CounterKey {
        CounterKey { area: self.area.clone(), indicator: self.indicator.clone(), month: self.month }
    }
    pub fn state(&self) -> CounterState {
        CounterState { inc: self.inc, dec: self.dec }
    }
    pub fn new(key: &CounterKey, state: CounterState) -> Self {
        Self {
            area: key.area.clone(),
            indicator: key.indicator.clone(),
            month: key.month,
            inc: state.inc,
            dec: state.dec,
        }
    }
}

/// A level or flag register on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterCell {
    pub area: UnitId,
    pub indicator: IndicatorId,
    /// `yyyy-mm` for a level, `yyyy` for a flag.
    pub bucket: Bucket,
    pub value: RegisterValue,
    pub stamp: Stamp,
}

impl RegisterCell {
    pub fn key(&self) -> RegisterKey {
        RegisterKey { area: self.area.clone(), indicator: self.indicator.clone(), bucket: self.bucket }
    }
    pub fn state(&self) -> RegisterState {
        RegisterState { value: self.value, stamp: self.stamp.clone() }
    }
    pub fn new(key: &RegisterKey, state: &RegisterState) -> Self {
        Self {
            area: key.area.clone(),
            indicator: key.indicator.clone(),
            bucket: key.bucket,
            value: state.value,
            stamp: state.stamp.clone(),
        }
    }
}

/// `POST /api/v1/sync` — the cells of one device that changed since its last acknowledged sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    /// Wire format version, [`PROTOCOL`].
    pub protocol: u32,
    pub device: DeviceId,
    #[serde(default)]
    pub counters: Vec<CounterCell>,
    #[serde(default)]
    pub registers: Vec<RegisterCell>,
}

/// The server's answer: how many cells moved and how many were already known (together,
/// every cell sent). A cell whose write landed but whose confirmation the store never
/// heard (it reads again before retrying) counts as known: either way it is stored once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncResponse {
    pub changed: usize,
    pub unchanged: usize,
}

/// Checks that a counter cell may be written: a residential area, a counter indicator,
/// and a device total that is not negative.
pub fn check_counter(
    tree: &UnitTree,
    catalogue: &Catalogue,
    key: &CounterKey,
    state: CounterState,
) -> Result<(), DomainError> {
    tree.area(&key.area)?;
    let indicator = catalogue.get(&key.indicator)?;
    if indicator.kind != IndicatorKind::Counter {
        return Err(DomainError::WrongKind {
            indicator: key.indicator.to_string(),
            expected: indicator.kind.value_name(),
        });
    }
    if state.inc > MAX_AMOUNT || state.dec > MAX_AMOUNT {
        return Err(DomainError::InvalidAmount(format!("{}", state.inc.max(state.dec))));
    }
    if state.dec > state.inc {
        return Err(DomainError::NegativeTotal { indicator: key.indicator.to_string() });
    }
    Ok(())
}

/// Checks that a register may be written: a residential area, and a value and bucket
/// that fit the indicator (levels by month, flags by year).
pub fn check_register(
    tree: &UnitTree,
    catalogue: &Catalogue,
    key: &RegisterKey,
    value: RegisterValue,
) -> Result<(), DomainError> {
    tree.area(&key.area)?;
    let indicator = catalogue.get(&key.indicator)?;
    let fits = matches!(
        (&indicator.kind, value, key.bucket),
        (IndicatorKind::Level, RegisterValue::Level(_), Bucket::Month(_))
            | (IndicatorKind::Flag, RegisterValue::Flag(_), Bucket::Year(_))
    );
    if let RegisterValue::Level(v) = value
        && v > MAX_AMOUNT
    {
        return Err(DomainError::InvalidAmount(v.to_string()));
    }
    if fits {
        Ok(())
    } else {
        Err(DomainError::WrongKind { indicator: key.indicator.to_string(), expected: indicator.kind.value_name() })
    }
}

impl SyncRequest {
    pub fn len(&self) -> usize {
        self.counters.len() + self.registers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Checks the whole request; the first problem found is returned and nothing may be applied.
    pub fn validate(&self, tree: &UnitTree, catalogue: &Catalogue) -> Result<(), DomainError> {
        if self.protocol != PROTOCOL {
            return Err(DomainError::UnsupportedProtocol(self.protocol));
        }
        if self.len() > MAX_CELLS {
            return Err(DomainError::TooManyCells { max: MAX_CELLS });
        }
        let mut seen_counters = BTreeSet::new();
        for cell in &self.counters {
            let key = cell.key();
            check_counter(tree, catalogue, &key, cell.state())?;
            if let Some(key) = seen_counters.replace(key) {
                return Err(DomainError::DuplicateCell(key.to_string()));
            }
        }
        let mut seen_registers = BTreeSet::new();
        for cell in &self.registers {
            let key = cell.key();
            check_register(tree, catalogue, &key, cell.value)?;
            if cell.stamp.device != self.device {
                return Err(DomainError::InvalidId(cell.stamp.device.to_string()));
            }
            if let Some(key) = seen_registers.replace(key) {
                return Err(DomainError::DuplicateCell(key.to_string()));
            }
        }
        Ok(())
    }
}

/// How far ahead of the server's clock a register stamp may be: a phone's clock a few
/// hours off is common; a stamp far in the future would win every later write.
pub const MAX_CLOCK_AHEAD_MS: u64 = crate::enrol::DAY_MS;

impl SyncRequest {
    /// Refuses a request whose register stamps run more than [`MAX_CLOCK_AHEAD_MS`]
    /// ahead of `now_ms`, the server's clock.
    pub fn check_clock(&self, now_ms: u64) -> Result<(), DomainError> {
        let limit = now_ms.saturating_add(MAX_CLOCK_AHEAD_MS);
        if self.registers.iter().any(|r| r.stamp.hlc.wall > limit) { Err(DomainError::StampInFuture) } else { Ok(()) }
    }
}

/// The one atomic write a sync request turns into.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncPlan {
    /// Device counter cells that grow: their merged state and how much their value moves.
    pub counters: Vec<(DeviceCounterKey, CounterChange)>,
    /// Registers that take a newer write, and their new state.
    pub registers: Vec<(RegisterKey, RegisterState)>,
    /// How much each rolled-up counter total moves: the area itself and every ancestor.
    pub totals: BTreeMap<TotalKey, i64>,
    /// How much each unit's register rollup moves (see [`crate::rollup`]).
    pub rollups: BTreeMap<TotalKey, RollupChange>,
    /// Cells that were already known (repeats, late arrivals).
    pub unchanged: usize,
}

impl SyncPlan {
    pub fn response(&self) -> SyncResponse {
        SyncResponse { changed: self.counters.len() + self.registers.len(), unchanged: self.unchanged }
    }
}

/// Computes the write for a validated request, given read access to the stored counter
/// cells and to the stored history of each (area, indicator) register.
pub fn plan_sync<E>(
    request: &SyncRequest,
    tree: &UnitTree,
    mut stored_counter: impl FnMut(&DeviceCounterKey) -> Result<Option<CounterState>, E>,
    mut stored_history: impl FnMut(&UnitId, &IndicatorId) -> Result<RegisterHistory, E>,
) -> Result<SyncPlan, E> {
    let mut plan = SyncPlan::default();
    for cell in &request.counters {
        let key = DeviceCounterKey { device: request.device.clone(), cell: cell.key() };
        match counter_change(stored_counter(&key)?, cell.state()) {
            None => plan.unchanged += 1,
            Some(change) => {
                if change.delta != 0 {
                    for unit in tree.self_and_ancestors(&cell.area) {
                        let total = TotalKey { unit, indicator: cell.indicator.clone(), month: cell.month };
                        *plan.totals.entry(total).or_default() += change.delta;
                    }
                }
                plan.counters.push((key, change));
            }
        }
    }
    // Several cells of one register plan in order, each on the history the last one left.
    let mut histories: BTreeMap<(UnitId, IndicatorId), RegisterHistory> = BTreeMap::new();
    for cell in &request.registers {
        let history = match histories.entry((cell.area.clone(), cell.indicator.clone())) {
            Entry::Occupied(found) => found.into_mut(),
            Entry::Vacant(slot) => slot.insert(stored_history(&cell.area, &cell.indicator)?),
        };
        let Some(next) = register_change(history.get(&cell.bucket), &cell.state()) else {
            plan.unchanged += 1;
            continue;
        };
        for (month, change) in register_moves(history, cell.bucket, &next) {
            for unit in tree.self_and_ancestors(&cell.area) {
                let key = TotalKey { unit, indicator: cell.indicator.clone(), month };
                *plan.rollups.entry(key).or_default() += change;
            }
        }
        history.insert(cell.bucket, next.clone());
        plan.registers.push((cell.key(), next));
    }
    plan.totals.retain(|_, delta| *delta != 0);
    plan.rollups.retain(|_, change| !change.is_zero());
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Catalogue, Date, Ledger};

    #[test]
    fn a_stamp_more_than_a_day_ahead_of_the_server_is_refused() {
        let (tree, catalogue) = (UnitTree::demo(), Catalogue::standard());
        let (area, homes) = (UnitId::new("dx-to-8a").unwrap(), IndicatorId::new("so_ho").unwrap());
        let day = Date::new(2025, 11, 18).unwrap();
        let now = 1_763_424_000_000;
        let mut phone = Ledger::new(DeviceId::new("phone-a").unwrap());
        phone.set_level(&catalogue, &tree, &area, &homes, day, 120, "", now + MAX_CLOCK_AHEAD_MS).unwrap();
        assert_eq!(phone.outbox().check_clock(now), Ok(()));
        phone.set_level(&catalogue, &tree, &area, &homes, day, 121, "", now + MAX_CLOCK_AHEAD_MS + 1).unwrap();
        assert_eq!(phone.outbox().check_clock(now), Err(DomainError::StampInFuture));
    }
}
