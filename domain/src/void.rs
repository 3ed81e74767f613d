//! Hủy số liệu của thiết bị — voiding a device (a test phone, a poisoned or mistaken
//! one): every total it moved goes back by exactly its contribution, at every level.
//!
//! A void is planned like a sync ([`plan_void`] computes the write; a store only
//! persists it atomically with the device marked voided): the device's counter cells are
//! removed and the ancestors' totals move by minus each cell's value; the register buckets
//! whose winning write is the device's are removed and the rollups move back. A void
//! repeated or retried finds nothing left and plans nothing; a voided device's later
//! syncs plan nothing (see `MemoryTally::apply`).
//!
//! Registers keep their winning write only, so a statement of another device that the
//! voided device had overwritten is not restored: the bucket falls back to no statement
//! (the value in effect is the area's previous month's), and the area states it again.

use crate::cell::DeviceCounterKey;
use crate::rollup::{RegisterHistory, RollupChange, removal_moves};
use crate::{Bucket, CounterKey, CounterState, DeviceId, IndicatorId, RegisterKey, TotalKey, UnitId, UnitTree};
use std::collections::BTreeMap;

/// The one atomic write a void turns into.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VoidPlan {
    /// The device's counter cells, removed.
    pub counters: Vec<DeviceCounterKey>,
    /// Register buckets whose winning write is the device's, removed.
    pub registers: Vec<RegisterKey>,
    /// How much each counter total moves (minus the device's contribution).
    pub totals: BTreeMap<TotalKey, i64>,
    /// How much each register rollup moves.
    pub rollups: BTreeMap<TotalKey, RollupChange>,
}

impl VoidPlan {
    pub fn is_empty(&self) -> bool {
        self.counters.is_empty() && self.registers.is_empty()
    }
}

/// Plans voiding `device`, given its stored counter cells and the stored registers of
/// the areas it may have written (only buckets it wins are touched).
pub fn plan_void(
    device: &DeviceId,
    tree: &UnitTree,
    cells: impl IntoIterator<Item = (CounterKey, CounterState)>,
    registers: impl IntoIterator<Item = ((UnitId, IndicatorId), RegisterHistory)>,
) -> VoidPlan {
    let mut plan = VoidPlan::default();
    for (cell, state) in cells {
        if state.net() != 0 {
            for unit in tree.self_and_ancestors(&cell.area) {
                let key = TotalKey { unit, indicator: cell.indicator.clone(), month: cell.month };
                *plan.totals.entry(key).or_default() -= state.net();
            }
        }
        plan.counters.push(DeviceCounterKey { device: device.clone(), cell });
    }
    for ((area, indicator), mut history) in registers {
        let won: Vec<Bucket> = history.iter().filter(|(_, s)| &s.stamp.device == device).map(|(b, _)| *b).collect();
        for bucket in won {
            for (month, change) in removal_moves(&history, bucket) {
                for unit in tree.self_and_ancestors(&area) {
                    let key = TotalKey { unit, indicator: indicator.clone(), month };
                    *plan.rollups.entry(key).or_default() += change;
                }
            }
            history.remove(&bucket);
            plan.registers.push(RegisterKey { area: area.clone(), indicator: indicator.clone(), bucket });
        }
    }
    plan.totals.retain(|_, delta| *delta != 0);
    plan.rollups.retain(|_, change| !change.is_zero());
    plan
}
