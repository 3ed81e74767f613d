//! An in-memory server state over plain maps: the reference the stores are checked
//! against, and the server of the protocol's runnable example.

use crate::cell::DeviceCounterKey;
use crate::{
    Catalogue, CounterState, DomainError, IndicatorId, Month, RegisterHistory, RegisterKey, RegisterRollups,
    RegisterState, ReportPeriod, RollupChange, SyncRequest, SyncResponse, TotalKey, UnitId, UnitTree, plan_sync,
};
use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;

/// Everything the server keeps, in memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryTally {
    counters: BTreeMap<DeviceCounterKey, CounterState>,
    registers: BTreeMap<RegisterKey, RegisterState>,
    totals: BTreeMap<TotalKey, i64>,
    rollups: BTreeMap<TotalKey, RollupChange>,
    voided: BTreeSet<crate::DeviceId>,
}

impl MemoryTally {
    /// Applies one sync request as the server does: each cell that passes its checks
    /// (the others are refused, one by one; under protocol 1 the whole request is).
    pub fn apply(
        &mut self,
        request: &SyncRequest,
        tree: &UnitTree,
        catalogue: &Catalogue,
    ) -> Result<SyncResponse, DomainError> {
        request.check_envelope()?;
        if request.protocol < crate::PROTOCOL {
            request.validate(tree, catalogue)?;
        }
        let (accepted, refused) = request.sort(tree, catalogue, u64::MAX, |_| Ok(()));
        let mut response = self.apply_sorted(&accepted, tree)?;
        response.refused = refused;
        Ok(response)
    }

    fn apply_sorted(&mut self, request: &SyncRequest, tree: &UnitTree) -> Result<SyncResponse, DomainError> {
        if self.voided.contains(&request.device) {
            return Ok(SyncResponse { unchanged: request.len(), ..SyncResponse::default() });
        }
        let plan = plan_sync::<Infallible>(
            request,
            tree,
            |k| Ok(self.counters.get(k).copied()),
            |area, indicator| Ok(self.history(area, indicator)),
        )
        .unwrap_or_else(|never| match never {});
        for (key, change) in &plan.counters {
            self.counters.insert(key.clone(), change.next);
        }
        for (key, next) in &plan.registers {
            self.registers.insert(key.clone(), next.clone());
        }
        for (key, change) in &plan.rollups {
            *self.rollups.entry(key.clone()).or_default() += *change;
        }
        for (key, delta) in &plan.totals {
            let total = self.totals.entry(key.clone()).or_default();
            *total = total.checked_add(*delta).ok_or_else(|| DomainError::InvalidAmount(delta.to_string()))?;
        }
        Ok(plan.response())
    }

    /// Voids a device: its cells and winning register buckets go, every total moves back
    /// by its contribution, and its later syncs count nothing. Returns how many cells and
    /// buckets were removed (a repeat: none).
    pub fn void(&mut self, device: &crate::DeviceId, tree: &UnitTree) -> usize {
        self.voided.insert(device.clone());
        let cells: Vec<_> =
            self.counters.iter().filter(|(k, _)| &k.device == device).map(|(k, s)| (k.cell.clone(), *s)).collect();
        let mut areas: BTreeMap<(UnitId, IndicatorId), RegisterHistory> = BTreeMap::new();
        for (key, state) in &self.registers {
            areas.entry((key.area.clone(), key.indicator.clone())).or_default().insert(key.bucket, state.clone());
        }
        let plan = crate::plan_void(device, tree, cells, areas);
        for key in &plan.counters {
            self.counters.remove(key);
        }
        for key in &plan.registers {
            self.registers.remove(key);
        }
        for (key, delta) in &plan.totals {
            *self.totals.entry(key.clone()).or_default() += delta;
        }
        for (key, change) in &plan.rollups {
            *self.rollups.entry(key.clone()).or_default() += *change;
        }
        plan.counters.len() + plan.registers.len()
    }

    /// Every stored register bucket.
    pub fn registers(&self) -> impl Iterator<Item = (&RegisterKey, &RegisterState)> {
        self.registers.iter()
    }

    /// The rolled-up counter total of a unit for one month.
    pub fn total(&self, unit: &UnitId, indicator: &IndicatorId, month: Month) -> i64 {
        let key = TotalKey { unit: unit.clone(), indicator: indicator.clone(), month };
        self.totals.get(&key).copied().unwrap_or(0)
    }

    /// Counter totals of a unit over a period, by indicator.
    pub fn counter_totals(&self, unit: &UnitId, period: ReportPeriod) -> BTreeMap<IndicatorId, i64> {
        let mut out = BTreeMap::new();
        for (key, total) in &self.totals {
            if &key.unit == unit && period.contains(key.month) {
                *out.entry(key.indicator.clone()).or_default() += total;
            }
        }
        out
    }

    /// The register rollups of a unit for months up to the period's end.
    pub fn register_rollups(&self, unit: &UnitId, period: ReportPeriod) -> RegisterRollups {
        self.rollups
            .iter()
            .filter(|(k, _)| &k.unit == unit && k.month <= period.last())
            .map(|(k, change)| ((k.indicator.clone(), k.month), *change))
            .collect()
    }

    /// Every stored bucket of one area's register of one indicator.
    fn history(&self, area: &UnitId, indicator: &IndicatorId) -> RegisterHistory {
        self.registers
            .iter()
            .filter(|(k, _)| &k.area == area && &k.indicator == indicator)
            .map(|(k, state)| (k.bucket, state.clone()))
            .collect()
    }
}

impl MemoryTally {
    /// Every counter cell stored of one device, in key order: what the server answers a
    /// successor, or a phone restoring the backup of a revoked device.
    pub fn device_cells(&self, device: &crate::DeviceId) -> Vec<crate::CounterCell> {
        (self.counters.iter())
            .filter(|(k, _)| &k.device == device)
            .map(|(k, s)| crate::CounterCell::new(&k.cell, *s))
            .collect()
    }
}
