//! Sổ ghi của máy — the device's side of the protocol: its entries (with notes that
//! never leave the phone), its own cells, and what the server has acknowledged.

use crate::{
    Bucket, Catalogue, CounterCell, CounterKey, CounterState, Date, DeviceId, DomainError, Hlc, IndicatorId, MAX_CELLS,
    PROTOCOL, RegisterCell, RegisterKey, RegisterState, RegisterValue, ReportPeriod, Stamp, SyncRequest, UnitId,
    UnitTree, check_counter, check_register,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What one entry changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryChange {
    /// An amount added to a counter (negative: a correction).
    Amount(i64),
    /// A level stated for the month of the entry's date.
    Level(u64),
    /// A flag set for the year of the entry's date.
    Flag(bool),
}

/// One thing the volunteer recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    pub area: UnitId,
    pub indicator: IndicatorId,
    pub date: Date,
    pub change: EntryChange,
    /// Free text that may name people: kept on the phone only.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    pub recorded_ms: u64,
}

/// Everything a device keeps; serialised whole into browser storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    pub device: DeviceId,
    clock: Hlc,
    entries: Vec<Entry>,
    counters: BTreeMap<CounterKey, CounterState>,
    registers: BTreeMap<RegisterKey, RegisterState>,
    acked_counters: BTreeMap<CounterKey, CounterState>,
    acked_registers: BTreeMap<RegisterKey, Stamp>,
}

impl Ledger {
    pub fn new(device: DeviceId) -> Self {
        Self {
            device,
            clock: Hlc::default(),
            entries: Vec::new(),
            counters: BTreeMap::new(),
            registers: BTreeMap::new(),
            acked_counters: BTreeMap::new(),
            acked_registers: BTreeMap::new(),
        }
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    fn push(
        &mut self,
        area: &UnitId,
        indicator: &IndicatorId,
        date: Date,
        change: EntryChange,
        note: &str,
        now_ms: u64,
    ) -> &Entry {
        let seq = self.entries.last().map_or(1, |e| e.seq + 1);
        self.entries.push(Entry {
            seq,
            area: area.clone(),
            indicator: indicator.clone(),
            date,
            change,
            note: note.trim().to_string(),
            recorded_ms: now_ms,
        });
        self.entries.last().expect("just pushed")
    }

    /// Adds an amount to a counter; a negative amount corrects this device's own entries
    /// and may not take them below zero.
    #[allow(clippy::too_many_arguments)]
    pub fn add_amount(
        &mut self,
        catalogue: &Catalogue,
        tree: &UnitTree,
        area: &UnitId,
        indicator: &IndicatorId,
        date: Date,
        amount: i64,
        note: &str,
        now_ms: u64,
    ) -> Result<&Entry, DomainError> {
        if amount == 0 {
            return Err(DomainError::InvalidAmount("0".into()));
        }
        let key = CounterKey { area: area.clone(), indicator: indicator.clone(), month: date.month() };
        let next = self.counters.get(&key).copied().unwrap_or_default().record(amount);
        check_counter(tree, catalogue, &key, next)?;
        self.counters.insert(key, next);
        Ok(self.push(area, indicator, date, EntryChange::Amount(amount), note, now_ms))
    }

    /// States a level (e.g. number of households) for the month of `date`.
    #[allow(clippy::too_many_arguments)]
    pub fn set_level(
        &mut self,
        catalogue: &Catalogue,
        tree: &UnitTree,
        area: &UnitId,
        indicator: &IndicatorId,
        date: Date,
        value: u64,
        note: &str,
        now_ms: u64,
    ) -> Result<&Entry, DomainError> {
        let key = RegisterKey { area: area.clone(), indicator: indicator.clone(), bucket: Bucket::Month(date.month()) };
        self.write_register(catalogue, tree, key, RegisterValue::Level(value), now_ms)?;
        Ok(self.push(area, indicator, date, EntryChange::Level(value), note, now_ms))
    }

    /// Sets a yes/no fact of the area for the year of `date`.
    #[allow(clippy::too_many_arguments)]
    pub fn set_flag(
        &mut self,
        catalogue: &Catalogue,
        tree: &UnitTree,
        area: &UnitId,
        indicator: &IndicatorId,
        date: Date,
        value: bool,
        note: &str,
        now_ms: u64,
    ) -> Result<&Entry, DomainError> {
        let key =
            RegisterKey { area: area.clone(), indicator: indicator.clone(), bucket: Bucket::Year(date.month().year()) };
        self.write_register(catalogue, tree, key, RegisterValue::Flag(value), now_ms)?;
        Ok(self.push(area, indicator, date, EntryChange::Flag(value), note, now_ms))
    }

    fn write_register(
        &mut self,
        catalogue: &Catalogue,
        tree: &UnitTree,
        key: RegisterKey,
        value: RegisterValue,
        now_ms: u64,
    ) -> Result<(), DomainError> {
        check_register(tree, catalogue, &key, value)?;
        self.clock = self.clock.tick(now_ms);
        let stamp = Stamp { hlc: self.clock, device: self.device.clone() };
        self.registers.insert(key, RegisterState { value, stamp });
        Ok(())
    }

    fn unsynced_counters(&self) -> impl Iterator<Item = (&CounterKey, &CounterState)> {
        self.counters.iter().filter(|(k, s)| !self.acked_counters.get(k).is_some_and(|a| a.covers(**s)))
    }

    fn unsynced_registers(&self) -> impl Iterator<Item = (&RegisterKey, &RegisterState)> {
        self.registers.iter().filter(|(k, s)| self.acked_registers.get(k) != Some(&s.stamp))
    }

    /// The cells that changed since the last acknowledged sync, as one request of at
    /// most [`MAX_CELLS`] cells; what does not fit goes in the next one.
    pub fn outbox(&self) -> SyncRequest {
        let counters: Vec<_> = self.unsynced_counters().take(MAX_CELLS).map(|(k, s)| CounterCell::new(k, *s)).collect();
        let registers =
            self.unsynced_registers().take(MAX_CELLS - counters.len()).map(|(k, s)| RegisterCell::new(k, s)).collect();
        SyncRequest { protocol: PROTOCOL, device: self.device.clone(), counters, registers }
    }

    /// Number of cells waiting to be synced.
    pub fn pending(&self) -> usize {
        self.unsynced_counters().count() + self.unsynced_registers().count()
    }

    /// Marks what `sent` carried as stored by the server. Repeating it changes nothing.
    pub fn acknowledge(&mut self, sent: &SyncRequest) {
        for cell in &sent.counters {
            let acked = self.acked_counters.entry(cell.key()).or_default();
            *acked = acked.merge(cell.state());
        }
        for cell in &sent.registers {
            let acked = self.acked_registers.entry(cell.key()).or_insert_with(|| cell.stamp.clone());
            if cell.stamp > *acked {
                *acked = cell.stamp.clone();
            }
        }
    }

    /// This device's own net amount for an area's indicator over a period.
    pub fn own_total(&self, area: &UnitId, indicator: &IndicatorId, period: ReportPeriod) -> i64 {
        self.sum_counters(&self.counters, area, indicator, period)
    }

    /// What the server has acknowledged of this device's amounts for an area's indicator over a period.
    pub fn acked_total(&self, area: &UnitId, indicator: &IndicatorId, period: ReportPeriod) -> i64 {
        self.sum_counters(&self.acked_counters, area, indicator, period)
    }

    /// What this device has recorded for an area's indicator over a period but the server has not yet acknowledged.
    pub fn unsynced_total(&self, area: &UnitId, indicator: &IndicatorId, period: ReportPeriod) -> i64 {
        self.own_total(area, indicator, period) - self.acked_total(area, indicator, period)
    }

    fn sum_counters(
        &self,
        cells: &BTreeMap<CounterKey, CounterState>,
        area: &UnitId,
        indicator: &IndicatorId,
        period: ReportPeriod,
    ) -> i64 {
        cells
            .iter()
            .filter(|(k, _)| &k.area == area && &k.indicator == indicator && period.contains(k.month))
            .map(|(_, s)| s.net())
            .sum()
    }

    /// This device's latest write to an area's register within reach of a period (levels:
    /// the latest month at or before its end; flags: its last year), acknowledged or not.
    pub fn latest_register(
        &self,
        area: &UnitId,
        indicator: &IndicatorId,
        period: ReportPeriod,
    ) -> Option<(&RegisterKey, &RegisterState)> {
        self.registers
            .iter()
            .filter(|(k, _)| {
                &k.area == area
                    && &k.indicator == indicator
                    && match k.bucket {
                        Bucket::Month(m) => m <= period.last(),
                        Bucket::Year(y) => y == period.last().year(),
                    }
            })
            .max_by_key(|(k, _)| k.bucket)
    }

    /// The stamps of this device's register writes the server has acknowledged.
    pub fn acked_registers(&self) -> &BTreeMap<RegisterKey, Stamp> {
        &self.acked_registers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (Catalogue, UnitTree, UnitId, Ledger) {
        let device = DeviceId::new("phone-a").unwrap();
        (Catalogue::standard(), UnitTree::demo(), UnitId::new("dx-to-8a").unwrap(), Ledger::new(device))
    }

    #[test]
    fn a_correction_may_not_take_the_device_below_zero() {
        let (cat, tree, area, mut ledger) = setup();
        let land = IndicatorId::new("dat_hien").unwrap();
        let day: Date = "2025-11-02".parse().unwrap();
        ledger.add_amount(&cat, &tree, &area, &land, day, 50, "", 1).unwrap();
        let err = ledger.add_amount(&cat, &tree, &area, &land, day, -60, "", 2).unwrap_err();
        assert_eq!(err.code(), "negative_total");
        assert_eq!(ledger.entries().len(), 1, "a refused entry is not recorded");
        ledger.add_amount(&cat, &tree, &area, &land, day, -50, "", 3).unwrap();
        assert_eq!(ledger.own_total(&area, &land, ReportPeriod::year(2025).unwrap()), 0);
    }

    #[test]
    fn only_unacknowledged_cells_are_sent() {
        let (cat, tree, area, mut ledger) = setup();
        let land = IndicatorId::new("dat_hien").unwrap();
        let homes = IndicatorId::new("so_ho").unwrap();
        let day: Date = "2025-11-02".parse().unwrap();
        ledger.add_amount(&cat, &tree, &area, &land, day, 50, "", 1).unwrap();
        ledger.set_level(&cat, &tree, &area, &homes, day, 120, "", 2).unwrap();
        let sent = ledger.outbox();
        assert_eq!(sent.len(), 2);
        ledger.acknowledge(&sent);
        assert_eq!(ledger.pending(), 0);
        ledger.add_amount(&cat, &tree, &area, &land, day, 5, "", 3).unwrap();
        let next = ledger.outbox();
        assert_eq!((next.counters.len(), next.registers.len()), (1, 0));
        assert_eq!(next.counters[0].inc, 55, "the whole state is sent, not the increment");
        assert_eq!(ledger.unsynced_total(&area, &land, ReportPeriod::year(2025).unwrap()), 5);
    }

    #[test]
    fn a_long_outbox_goes_out_in_requests_of_at_most_max_cells() {
        let (cat, tree, area, mut ledger) = setup();
        // One cell per counter indicator and month, until there are MAX_CELLS + 3 of them.
        let counters: Vec<_> = cat.counter_ids().cloned().collect();
        let months = (2000..=2100).flat_map(|y| (1..=12).map(move |m| Date::new(y, m, 1).unwrap()));
        let cells = months.flat_map(|day| counters.iter().map(move |id| (day, id.clone())));
        for (day, indicator) in cells.take(MAX_CELLS + 3) {
            ledger.add_amount(&cat, &tree, &area, &indicator, day, 1, "", 1).unwrap();
        }
        let first = ledger.outbox();
        assert_eq!((first.len(), ledger.pending()), (MAX_CELLS, MAX_CELLS + 3));
        ledger.acknowledge(&first);
        assert_eq!(ledger.outbox().len(), 3);
    }

    #[test]
    fn entries_for_a_ward_or_a_wrong_kind_are_refused() {
        let (cat, tree, _, mut ledger) = setup();
        let day: Date = "2025-11-02".parse().unwrap();
        let ward = UnitId::new("p-duc-xuan").unwrap();
        let land = IndicatorId::new("dat_hien").unwrap();
        assert_eq!(ledger.add_amount(&cat, &tree, &ward, &land, day, 5, "", 1).unwrap_err().code(), "not_an_area");
        let area = UnitId::new("dx-to-8a").unwrap();
        assert_eq!(ledger.set_level(&cat, &tree, &area, &land, day, 5, "", 1).unwrap_err().code(), "wrong_kind");
    }
}
