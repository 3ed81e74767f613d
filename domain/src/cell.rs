//! Tally cells and their merge rules.
//!
//! * A **counter cell** belongs to one device, one area, one indicator and one month.
//!   It is a PN-counter: `inc` and `dec` only grow. Merge is the per-component max, so
//!   merge is commutative (`a ⊔ b = b ⊔ a`), associative (`(a ⊔ b) ⊔ c = a ⊔ (b ⊔ c)`)
//!   and idempotent (`a ⊔ a = a`): receiving the same state twice, or an older state
//!   after a newer one, changes nothing. The cell's value is `inc − dec`.
//! * A **register cell** belongs to one area, one indicator and one bucket (a month for
//!   levels, a year for flags). It is a last-writer-wins register: merge keeps the value
//!   with the greater [`Stamp`]; the same three laws hold.
//!
//! The laws are checked as properties in `tests/it/merge_laws.rs`.

use crate::{Bucket, DeviceId, IndicatorId, Month, Stamp, UnitId};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where a device's counter cell sits: area, indicator, month. Written `area/indicator/2025-11`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CounterKey {
    pub area: UnitId,
    pub indicator: IndicatorId,
    pub month: Month,
}

/// Where a register cell sits: area, indicator, bucket. Written `area/indicator/2025` or `…/2025-11`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegisterKey {
    pub area: UnitId,
    pub indicator: IndicatorId,
    pub bucket: Bucket,
}

/// Where a rolled-up figure sits: any unit (area or ancestor), indicator, month. Keys
/// counter totals and register rollups (`crate::rollup`) alike.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TotalKey {
    pub unit: UnitId,
    pub indicator: IndicatorId,
    pub month: Month,
}

macro_rules! slash_key {
    ($name:ident, $first:ident, $second:ident, $third:ident) => {
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}/{}/{}", self.$first, self.$second, self.$third)
            }
        }
        impl FromStr for $name {
            type Err = crate::DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let mut parts = s.splitn(3, '/');
                let (Some(a), Some(b), Some(c)) = (parts.next(), parts.next(), parts.next()) else {
                    return Err(crate::DomainError::InvalidId(s.into()));
                };
                Ok(Self { $first: a.to_string().try_into()?, $second: b.to_string().try_into()?, $third: c.parse()? })
            }
        }
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
slash_key!(CounterKey, area, indicator, month);
slash_key!(RegisterKey, area, indicator, bucket);
slash_key!(TotalKey, unit, indicator, month);

/// One device's PN-counter: everything it ever added (`inc`) and took back (`dec`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CounterState {
    pub inc: u64,
    pub dec: u64,
}

impl CounterState {
    /// Per-component max: the join of two states of the same device's cell.
    pub fn merge(self, other: CounterState) -> CounterState {
        CounterState { inc: self.inc.max(other.inc), dec: self.dec.max(other.dec) }
    }

    /// The cell's value, `inc − dec`.
    pub fn net(self) -> i64 {
        i64::try_from(i128::from(self.inc) - i128::from(self.dec)).unwrap_or(i64::MAX)
    }

    /// True when `self` holds everything `other` holds.
    pub fn covers(self, other: CounterState) -> bool {
        self.inc >= other.inc && self.dec >= other.dec
    }

    /// Adds a signed amount: positive to `inc`, negative to `dec`.
    pub fn record(self, amount: i64) -> CounterState {
        if amount >= 0 {
            CounterState { inc: self.inc.saturating_add(amount.unsigned_abs()), dec: self.dec }
        } else {
            CounterState { inc: self.inc, dec: self.dec.saturating_add(amount.unsigned_abs()) }
        }
    }
}

/// The value a register holds: a level (a count) or a flag (yes/no).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RegisterValue {
    Level(u64),
    Flag(bool),
}

/// A last-writer-wins register.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterState {
    pub value: RegisterValue,
    pub stamp: Stamp,
}

impl RegisterState {
    /// Keeps the write with the greater stamp.
    pub fn merge(self, other: RegisterState) -> RegisterState {
        if other.stamp > self.stamp { other } else { self }
    }
}

/// What storing an incoming counter state changes: the merged state and how much the
/// cell's value (and so every ancestor's total) moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CounterChange {
    pub next: CounterState,
    pub delta: i64,
}

/// Merges an incoming state into the stored one; `None` when nothing changes
/// (a repeat, or an older state arriving late).
pub fn counter_change(stored: Option<CounterState>, incoming: CounterState) -> Option<CounterChange> {
    let base = stored.unwrap_or_default();
    let next = base.merge(incoming);
    (next != base).then(|| CounterChange { next, delta: next.net() - base.net() })
}

/// Merges an incoming register into the stored one; `None` when the stored write wins.
pub fn register_change(stored: Option<&RegisterState>, incoming: &RegisterState) -> Option<RegisterState> {
    match stored {
        Some(s) if s.stamp >= incoming.stamp => None,
        _ => Some(incoming.clone()),
    }
}

/// A device's counter cell, keyed for storage.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DeviceCounterKey {
    pub device: DeviceId,
    pub cell: CounterKey,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_or_older_state_changes_nothing() {
        let newer = CounterState { inc: 10, dec: 2 };
        let older = CounterState { inc: 7, dec: 0 };
        let first = counter_change(None, newer).unwrap();
        assert_eq!(first.delta, 8);
        assert_eq!(counter_change(Some(newer), newer), None);
        assert_eq!(counter_change(Some(newer), older), None);
        assert_eq!(counter_change(Some(older), newer).unwrap().delta, 1);
    }

    #[test]
    fn keys_round_trip_through_text() {
        let key: CounterKey = "dx-to-8a/dat_hien/2025-11".parse().unwrap();
        assert_eq!(key.to_string(), "dx-to-8a/dat_hien/2025-11");
        assert!("dx-to-8a/dat_hien".parse::<CounterKey>().is_err());
        let reg: RegisterKey = "dx-to-8a/ngay_hoi_ddk/2025".parse().unwrap();
        assert_eq!(reg.bucket, Bucket::Year(2025));
    }
}
