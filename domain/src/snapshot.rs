//! What a phone shows for its area: the last report fetched from the server plus what
//! this device recorded since, each entry counted once — online or not.

use crate::{Catalogue, Figure, IndicatorId, Ledger, RegisterKey, RegisterValue, Report, Stamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A report of one area together with what this device had acknowledged when it was
/// fetched: the server's figures already hold exactly that much of this device's work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaSnapshot {
    pub report: Report,
    own_counters: BTreeMap<IndicatorId, i64>,
    own_registers: BTreeMap<RegisterKey, Stamp>,
}

impl AreaSnapshot {
    /// Call right after fetching `report` (of one area), with the ledger as it is then.
    pub fn take(report: Report, ledger: &Ledger, catalogue: &Catalogue) -> Self {
        let (area, period) = (&report.unit.unit, report.period);
        // Inserted one by one: collecting into a map sorts first, code the phone's first
        // load would carry for nothing.
        let (mut own_counters, mut own_registers) = (BTreeMap::new(), BTreeMap::new());
        for id in catalogue.counter_ids() {
            own_counters.insert(id.clone(), ledger.acked_total(area, id, period));
        }
        for (key, stamp) in ledger.acked_registers().iter().filter(|(k, _)| &k.area == area) {
            own_registers.insert(key.clone(), stamp.clone());
        }
        AreaSnapshot { report, own_counters, own_registers }
    }

    /// A counter's total for the area: the report's, less this device's part in it, plus
    /// this device's part now.
    pub fn counter(&self, ledger: &Ledger, indicator: &IndicatorId) -> i64 {
        let reported = match self.report.unit.figures.get(indicator) {
            Some(Figure::Counter { total }) => *total,
            _ => 0,
        };
        let then = self.own_counters.get(indicator).copied().unwrap_or(0);
        reported - then + ledger.own_total(&self.report.unit.unit, indicator, self.report.period)
    }

    /// A level's or flag's value for the area: this device's latest write if the report
    /// does not hold it yet, otherwise the report's value.
    pub fn register(&self, ledger: &Ledger, indicator: &IndicatorId) -> Option<RegisterValue> {
        let own = ledger.latest_register(&self.report.unit.unit, indicator, self.report.period);
        if let Some((key, state)) = own
            && self.own_registers.get(key) != Some(&state.stamp)
        {
            return Some(state.value);
        }
        match self.report.unit.figures.get(indicator)? {
            Figure::Level { total, reporting, .. } if *reporting > 0 => Some(RegisterValue::Level(*total)),
            Figure::Flag { yes, answered, .. } if (*answered).max(*yes) > 0 => Some(RegisterValue::Flag(*yes > 0)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Catalogue, Date, DeviceId, MemoryTally, ReportPeriod, UnitId, UnitTree, unit_figures};

    struct World {
        tree: UnitTree,
        cat: Catalogue,
        server: MemoryTally,
        area: UnitId,
        period: ReportPeriod,
    }

    impl World {
        fn new() -> Self {
            let period = ReportPeriod::year(2025).unwrap();
            let (tree, cat) = (UnitTree::demo(), Catalogue::standard());
            World { tree, cat, server: MemoryTally::default(), area: UnitId::new("ntmk-to-11").unwrap(), period }
        }
        fn report(&self) -> Report {
            let unit = self.tree.get(&self.area).unwrap();
            let totals = self.server.counter_totals(&self.area, self.period);
            let rollups = self.server.register_rollups(&self.area, self.period);
            let unit = unit_figures(&self.cat, &self.tree, unit, self.period, &totals, &rollups);
            Report { period: self.period, period_name: String::new(), unit, children: vec![] }
        }
        fn sync(&mut self, ledger: &mut Ledger) {
            let request = ledger.outbox();
            self.server.apply(&request, &self.tree, &self.cat).unwrap();
            ledger.acknowledge(&request);
        }
    }

    #[test]
    fn every_entry_shows_once_before_and_after_sync() {
        let mut w = World::new();
        let land = IndicatorId::new("dat_hien").unwrap();
        let day: Date = "2025-11-18".parse().unwrap();
        let mut mine = Ledger::new(DeviceId::new("mine").unwrap());
        let mut other = Ledger::new(DeviceId::new("other").unwrap());
        other.add_amount(&w.cat, &w.tree, &w.area, &land, day, 80, "", 1).unwrap();
        w.sync(&mut other);
        mine.add_amount(&w.cat, &w.tree, &w.area, &land, day, 120, "", 2).unwrap();
        w.sync(&mut mine);
        let snap = AreaSnapshot::take(w.report(), &mine, &w.cat);
        assert_eq!(snap.counter(&mine, &land), 200);
        // Recorded offline after the snapshot: shown at once, counted once.
        mine.add_amount(&w.cat, &w.tree, &w.area, &land, day, -20, "", 3).unwrap();
        assert_eq!(snap.counter(&mine, &land), 180);
        // Synced, but the report could not be fetched again: still counted once.
        w.sync(&mut mine);
        assert_eq!(snap.counter(&mine, &land), 180);
        assert_eq!(AreaSnapshot::take(w.report(), &mine, &w.cat).counter(&mine, &land), 180);
    }

    #[test]
    fn a_level_written_after_the_report_shows_even_once_synced() {
        let mut w = World::new();
        let homes = IndicatorId::new("so_ho").unwrap();
        let day: Date = "2025-06-01".parse().unwrap();
        let mut mine = Ledger::new(DeviceId::new("mine").unwrap());
        mine.set_level(&w.cat, &w.tree, &w.area, &homes, day, 100, "", 1).unwrap();
        w.sync(&mut mine);
        let snap = AreaSnapshot::take(w.report(), &mine, &w.cat);
        assert_eq!(snap.register(&mine, &homes), Some(RegisterValue::Level(100)));
        mine.set_level(&w.cat, &w.tree, &w.area, &homes, day, 104, "", 2).unwrap();
        w.sync(&mut mine); // acknowledged, report not refreshed
        assert_eq!(snap.register(&mine, &homes), Some(RegisterValue::Level(104)));
    }
}
