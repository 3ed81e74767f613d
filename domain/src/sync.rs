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
///
/// Version 2 answers per cell ([`SyncResponse::refused`], [`SyncResponse::ahead`]) and
/// carries the server's clock. A version 1 request has the same shape and is still taken,
/// under version 1's rule: a request with any refused cell is refused whole, since a
/// version 1 phone treats an answer as "every cell stored".
pub const PROTOCOL: u32 = 2;

/// The oldest protocol a phone may still speak.
pub const OLDEST_PROTOCOL: u32 = 1;

/// Most cells one request may carry (about 100 bytes each on the wire): as many as the
/// slower store writes well within the function's time limit (10 s on Lambda), since
/// DynamoDB takes a request as one transaction of at most 100 items after another.
pub const MAX_CELLS: usize = 1_000;

/// Most bytes of JSON a phone puts in one request: far under the server's body limit
/// (1 MiB) whatever the length of the ids; a longer outbox goes out in several requests.
pub const MAX_REQUEST_BYTES: usize = 256 * 1024;

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
    /// How many entries the device's ledger holds (the number of its last): the server
    /// answers the most it has seen ([`SyncResponse::entries`]), so an older copy of the
    /// ledger learns it is one, even with nothing to send. Protocol 2; 0 from protocol 1.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub entries: u64,
    #[serde(default)]
    pub counters: Vec<CounterCell>,
    #[serde(default)]
    pub registers: Vec<RegisterCell>,
}

/// The server's answer. Every cell sent is either stored (`changed`: it moved; or
/// `unchanged`: already known) or `refused`. A cell whose write landed but whose
/// confirmation the store never heard (it reads again before retrying) counts as known:
/// either way it is stored once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncResponse {
    pub changed: usize,
    pub unchanged: usize,
    /// The cells not stored, each with why; the others are stored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<RefusedCell>,
    /// Cells whose stored state holds work of this device that the request did not: a
    /// device that cannot account for it has gone backwards (see [`crate::Ledger::answer`]).
    #[serde(default, skip_serializing_if = "Ahead::is_empty")]
    pub ahead: Ahead,
    /// The server's clock (ms since 1970) when it answered: the phone's hybrid logical
    /// clock observes it, so a phone whose clock runs behind still writes after others.
    #[serde(default)]
    pub server_ms: u64,
    /// The most entries a ledger of this device has said it held.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub entries: u64,
    /// The version of the catalogue that counts for the device's area (its province's):
    /// a phone holding another fetches it (`GET /api/v1/catalogue`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub catalogue: String,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A cell the server did not store, by its position in the request (counters first,
/// then registers), with a stable code and a Vietnamese reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefusedCell {
    pub cell: usize,
    pub code: String,
    pub message: String,
}

/// Stored states the request did not cover: counter cells of this device with more than
/// was sent, and registers whose winning write is a later one of this device.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ahead {
    #[serde(default)]
    pub counters: Vec<CounterCell>,
    #[serde(default)]
    pub registers: Vec<RegisterCell>,
}

impl Ahead {
    pub fn is_empty(&self) -> bool {
        self.counters.is_empty() && self.registers.is_empty()
    }
}

impl SyncResponse {
    /// Adds the answer of another part of the same request.
    pub fn absorb(&mut self, part: SyncResponse) {
        self.changed += part.changed;
        self.unchanged += part.unchanged;
        self.refused.extend(part.refused);
        self.ahead.counters.extend(part.ahead.counters);
        self.ahead.registers.extend(part.ahead.registers);
    }
}

/// Checks that a counter cell may be written: a residential area, a counter indicator,
/// and a device total that is not negative.
pub fn check_counter(
    tree: &UnitTree,
    catalogue: &Catalogue,
    key: &CounterKey,
    state: CounterState,
) -> Result<(), DomainError> {
    let day = crate::Date::first_of(key.month);
    tree.area_open_on(&key.area, day)?;
    let indicator = catalogue.get_on(&key.indicator, day)?;
    if indicator.kind != IndicatorKind::Counter {
        return Err(DomainError::WrongKind {
            indicator: key.indicator.to_string(),
            label: indicator.label.clone(),
            expected: indicator.kind.value_name(),
        });
    }
    if state.inc > MAX_AMOUNT || state.dec > MAX_AMOUNT {
        return Err(DomainError::TotalOverLimit {
            indicator: key.indicator.to_string(),
            label: indicator.label.clone(),
            month: key.month,
        });
    }
    if state.dec > state.inc {
        return Err(DomainError::NegativeTotal {
            indicator: key.indicator.to_string(),
            label: indicator.label.clone(),
            unit: indicator.unit.clone(),
            month: key.month,
            entered: state.inc,
            taken: state.dec,
        });
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
    let day = crate::Date::first_of(key.bucket.first_month());
    tree.area_open_on(&key.area, day)?;
    let indicator = catalogue.get_on(&key.indicator, day)?;
    let fits = matches!(
        (&indicator.kind, value, key.bucket),
        (IndicatorKind::Level, RegisterValue::Level(_), Bucket::Month(_))
            | (IndicatorKind::Flag, RegisterValue::Flag(_), Bucket::Year(_))
    );
    if let RegisterValue::Level(v) = value
        && v > MAX_AMOUNT
    {
        return Err(DomainError::LevelOverLimit {
            indicator: key.indicator.to_string(),
            label: indicator.label.clone(),
        });
    }
    if fits {
        Ok(())
    } else {
        Err(DomainError::WrongKind {
            indicator: key.indicator.to_string(),
            label: indicator.label.clone(),
            expected: indicator.kind.value_name(),
        })
    }
}

impl SyncRequest {
    pub fn len(&self) -> usize {
        self.counters.len() + self.registers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Checks what concerns the request as a whole: its protocol and its size.
    pub fn check_envelope(&self) -> Result<(), DomainError> {
        if !(OLDEST_PROTOCOL..=PROTOCOL).contains(&self.protocol) {
            return Err(DomainError::UnsupportedProtocol(self.protocol));
        }
        if self.len() > MAX_CELLS {
            return Err(DomainError::TooManyCells { max: MAX_CELLS });
        }
        Ok(())
    }

    /// Checks the whole request; the first problem found is returned and nothing may be
    /// applied (the rule of protocol 1, and of tests that build requests by hand).
    pub fn validate(&self, tree: &UnitTree, catalogue: &Catalogue) -> Result<(), DomainError> {
        self.check_envelope()?;
        self.problems(tree, catalogue).next().map_or(Ok(()), |(_, e)| Err(e))
    }

    /// Each cell that may not be written, by position (counters first), with why: a cell
    /// against the domain's rules, a register stamped by another device, a repeat of a
    /// cell earlier in the request.
    fn problems<'a>(
        &'a self,
        tree: &'a UnitTree,
        catalogue: &'a Catalogue,
    ) -> impl Iterator<Item = (usize, DomainError)> + 'a {
        let mut seen_counters = BTreeSet::new();
        let counters = self.counters.iter().map(move |cell| {
            let key = cell.key();
            check_counter(tree, catalogue, &key, cell.state())?;
            match seen_counters.replace(key) {
                Some(key) => Err(DomainError::DuplicateCell(key.to_string())),
                None => Ok(()),
            }
        });
        let mut seen_registers = BTreeSet::new();
        let registers = self.registers.iter().map(move |cell| {
            let key = cell.key();
            check_register(tree, catalogue, &key, cell.value)?;
            if cell.stamp.device != self.device {
                return Err(DomainError::InvalidId(cell.stamp.device.to_string()));
            }
            match seen_registers.replace(key) {
                Some(key) => Err(DomainError::DuplicateCell(key.to_string())),
                None => Ok(()),
            }
        });
        counters.chain(registers).enumerate().filter_map(|(i, checked)| checked.err().map(|e| (i, e)))
    }

    /// Splits a request whose envelope is sound into the cells that may be stored and the
    /// refused ones: against the domain's rules, with a register stamp more than
    /// [`MAX_CLOCK_AHEAD_MS`] ahead of `now_ms` (the server's clock), or in an area
    /// `may_write` refuses (code, Vietnamese reason). One bad cell never blocks the rest.
    pub fn sort(
        &self,
        tree: &UnitTree,
        catalogue: &Catalogue,
        now_ms: u64,
        may_write: impl Fn(&UnitId) -> Result<(), (&'static str, String)>,
    ) -> (SyncRequest, Vec<RefusedCell>) {
        let mut refused: BTreeMap<usize, RefusedCell> = self
            .problems(tree, catalogue)
            .map(|(cell, e)| (cell, RefusedCell { cell, code: e.code().into(), message: e.message_vi() }))
            .collect();
        let limit = now_ms.saturating_add(MAX_CLOCK_AHEAD_MS);
        let areas = self.counters.iter().map(|c| &c.area).chain(self.registers.iter().map(|r| &r.area));
        for (cell, area) in areas.enumerate() {
            if refused.contains_key(&cell) {
                continue;
            }
            let future = cell
                .checked_sub(self.counters.len())
                .is_some_and(|r| self.registers[r].stamp.hlc.wall > limit)
                .then(|| (DomainError::StampInFuture.code(), DomainError::StampInFuture.message_vi()));
            if let Some((code, message)) = may_write(area).err().or(future) {
                refused.insert(cell, RefusedCell { cell, code: code.into(), message });
            }
        }
        let keep = |i: &usize| !refused.contains_key(i);
        let counters = self.counters.iter().enumerate().filter(|(i, _)| keep(i)).map(|(_, c)| c.clone()).collect();
        let registers = (self.registers.iter().enumerate())
            .filter(|(i, _)| keep(&(i + self.counters.len())))
            .map(|(_, r)| r.clone())
            .collect();
        let accepted = SyncRequest {
            protocol: self.protocol,
            device: self.device.clone(),
            entries: self.entries,
            counters,
            registers,
        };
        (accepted, refused.into_values().collect())
    }
}

/// How far ahead of the server's clock a register stamp may be: a phone's clock a few
/// hours off is common; a stamp far in the future would win every later write.
pub const MAX_CLOCK_AHEAD_MS: u64 = crate::enrol::DAY_MS;

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
    /// Stored states the request did not cover (see [`SyncResponse::ahead`]).
    pub ahead: Ahead,
}

impl SyncPlan {
    pub fn response(&self) -> SyncResponse {
        SyncResponse {
            changed: self.counters.len() + self.registers.len(),
            unchanged: self.unchanged,
            ahead: self.ahead.clone(),
            ..SyncResponse::default()
        }
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
        let stored = stored_counter(&key)?;
        if let Some(stored) = stored.filter(|s| !cell.state().covers(*s)) {
            plan.ahead.counters.push(CounterCell::new(&cell.key(), stored));
        }
        match counter_change(stored, cell.state()) {
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
        if let Some(stored) =
            history.get(&cell.bucket).filter(|s| s.stamp.device == request.device && s.stamp > cell.stamp)
        {
            plan.ahead.registers.push(RegisterCell::new(&cell.key(), stored));
        }
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
        let (accepted, refused) = phone.outbox().sort(&tree, &catalogue, now, |_| Ok(()));
        assert_eq!((accepted.len(), refused.len()), (1, 0));
        phone.set_level(&catalogue, &tree, &area, &homes, day, 121, "", now + MAX_CLOCK_AHEAD_MS + 1).unwrap();
        let (accepted, refused) = phone.outbox().sort(&tree, &catalogue, now, |_| Ok(()));
        assert_eq!(accepted.len(), 0);
        assert_eq!((refused[0].cell, refused[0].code.as_str()), (0, "stamp_in_future"));
    }

    #[test]
    fn one_bad_cell_is_refused_and_the_others_kept() {
        let (tree, catalogue) = (UnitTree::demo(), Catalogue::standard());
        let (area, land) = (UnitId::new("dx-to-8a").unwrap(), IndicatorId::new("dat_hien").unwrap());
        let other = UnitId::new("ntmk-to-11").unwrap();
        let day = Date::new(2025, 11, 18).unwrap();
        let mut phone = Ledger::new(DeviceId::new("phone-a").unwrap());
        phone.add_amount(&catalogue, &tree, &area, &land, day, 5, "", 1).unwrap();
        phone.add_amount(&catalogue, &tree, &other, &land, day, 7, "", 2).unwrap();
        let mut request = phone.outbox();
        request
            .counters
            .push(CounterCell { indicator: IndicatorId::new("da_bo").unwrap(), ..request.counters[0].clone() });
        request.counters.push(request.counters[0].clone());
        let only_own =
            |a: &UnitId| if a == &area { Ok(()) } else { Err(("forbidden", "Ngoài phạm vi.".to_string())) };
        let (accepted, refused) = request.sort(&tree, &catalogue, 0, only_own);
        assert_eq!(accepted.counters, vec![request.counters[0].clone()]);
        let codes: Vec<_> = refused.iter().map(|r| (r.cell, r.code.as_str())).collect();
        assert_eq!(codes, [(1, "forbidden"), (2, "unknown_indicator"), (3, "duplicate_cell")]);
        assert!(request.validate(&tree, &catalogue).is_err(), "protocol 1's rule: the whole request is refused");
    }
}
