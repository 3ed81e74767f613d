//! Sổ ghi của máy — the device's side of the protocol: its entries (with notes that
//! never leave the phone), its own cells, and what the server has acknowledged.

use crate::{
    Bucket, Catalogue, CounterCell, CounterKey, CounterState, Date, DeviceId, DomainError, Hlc, IndicatorId, MAX_CELLS,
    MAX_REQUEST_BYTES, PROTOCOL, RefusedCell, RegisterCell, RegisterKey, RegisterState, RegisterValue, ReportPeriod,
    Stamp, SyncRequest, SyncResponse, UnitId, UnitTree, check_counter, check_register,
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

/// The stored ledger's format. 1: the first (no `format` field); 2: adds `format` and the
/// cells set aside for review. Every older format is migrated on read ([`Ledger::read`]).
pub const LEDGER_FORMAT: u32 = 2;

/// A cell the server refused, set aside from the outbox until the volunteer sends it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub code: String,
    /// The server's reason, in Vietnamese.
    pub message: String,
    pub at_ms: u64,
}

/// Why a stored ledger was not taken: the app then writes nothing over it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerUnreadable {
    #[error("Sổ ghi trong bộ nhớ bị hỏng, không đọc được; ứng dụng không ghi đè lên nó.")]
    Corrupt,
    #[error("Sổ ghi do một phiên bản mới hơn của ứng dụng lưu (định dạng {0}); hãy tải lại trang để cập nhật.")]
    Newer(u32),
}

/// What an answer to a sync taught the ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answered {
    /// Cells newly set aside for review.
    pub set_aside: usize,
    /// The server holds work of this device that this ledger does not: the ledger went
    /// backwards (an older copy), and its device id must not record anything more.
    pub behind: bool,
}

/// Everything a device keeps; serialised whole into browser storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// [`LEDGER_FORMAT`] when written by this version.
    #[serde(default = "first_format")]
    pub format: u32,
    pub device: DeviceId,
    clock: Hlc,
    entries: Vec<Entry>,
    counters: BTreeMap<CounterKey, CounterState>,
    registers: BTreeMap<RegisterKey, RegisterState>,
    acked_counters: BTreeMap<CounterKey, CounterState>,
    acked_registers: BTreeMap<RegisterKey, Stamp>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    review_counters: BTreeMap<CounterKey, Review>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    review_registers: BTreeMap<RegisterKey, Review>,
    /// Set once an answer showed the server holds more of this device than this ledger:
    /// nothing more may be recorded under this device id ([`Ledger::succeed`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    went_behind: bool,
}

fn first_format() -> u32 {
    1
}

impl Ledger {
    pub fn new(device: DeviceId) -> Self {
        Self {
            format: LEDGER_FORMAT,
            device,
            clock: Hlc::default(),
            entries: Vec::new(),
            counters: BTreeMap::new(),
            registers: BTreeMap::new(),
            acked_counters: BTreeMap::new(),
            acked_registers: BTreeMap::new(),
            review_counters: BTreeMap::new(),
            review_registers: BTreeMap::new(),
            went_behind: false,
        }
    }

    /// True once the server showed it holds work of this device that this ledger does not.
    pub fn went_behind(&self) -> bool {
        self.went_behind
    }

    /// Reads a stored ledger of this format or an older one (migrated). A newer format
    /// or a text that is not a ledger is refused, so that it is never overwritten.
    pub fn read(text: &str) -> Result<Ledger, LedgerUnreadable> {
        #[derive(Deserialize)]
        struct Version {
            #[serde(default = "first_format")]
            format: u32,
        }
        let version: Version = serde_json::from_str(text).map_err(|_| LedgerUnreadable::Corrupt)?;
        if version.format > LEDGER_FORMAT {
            return Err(LedgerUnreadable::Newer(version.format));
        }
        let mut ledger: Ledger = serde_json::from_str(text).map_err(|_| LedgerUnreadable::Corrupt)?;
        // 1 → 2: the new fields start empty (serde's defaults); only the number changes.
        ledger.format = LEDGER_FORMAT;
        Ok(ledger)
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The number of the last entry: how many this ledger has recorded.
    pub fn last_seq(&self) -> u64 {
        self.entries.last().map_or(0, |e| e.seq)
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
            return Err(DomainError::ZeroAmount);
        }
        let key = CounterKey { area: area.clone(), indicator: indicator.clone(), month: date.month() };
        let before = self.counters.get(&key).copied().unwrap_or_default();
        let next = before.record(amount);
        check_counter(tree, catalogue, &key, next).map_err(|e| match e {
            // Said as what this correction may still take off this device's cell.
            DomainError::NegativeTotal { indicator, label, unit, month, .. } => DomainError::CorrectionTooLarge {
                indicator,
                label,
                unit,
                month,
                correction: amount.unsigned_abs(),
                available: u64::try_from(before.net()).unwrap_or(0),
            },
            other => other,
        })?;
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
        self.counters.iter().filter(|(k, s)| {
            !self.acked_counters.get(k).is_some_and(|a| a.covers(**s)) && !self.review_counters.contains_key(k)
        })
    }

    fn unsynced_registers(&self) -> impl Iterator<Item = (&RegisterKey, &RegisterState)> {
        self.registers
            .iter()
            .filter(|(k, s)| self.acked_registers.get(k) != Some(&s.stamp) && !self.review_registers.contains_key(k))
    }

    /// The cells waiting, as the requests they go out in: each of at most [`MAX_CELLS`]
    /// cells and [`MAX_REQUEST_BYTES`] of JSON. Only the first is built whole.
    fn requests(&self) -> impl Iterator<Item = SyncRequest> + '_ {
        let cells = self
            .unsynced_counters()
            .map(|(k, s)| Cell::Counter(CounterCell::new(k, *s)))
            .chain(self.unsynced_registers().map(|(k, s)| Cell::Register(RegisterCell::new(k, s))));

        // The envelope and the commas between cells, generously.
        let envelope = 80 + self.device.as_str().len();
        let mut cells = cells.peekable();
        std::iter::from_fn(move || {
            cells.peek()?;
            let (mut request, mut bytes) = (self.empty_request(), envelope);
            while let Some(cell) = cells.peek() {
                let size = cell.json_len() + 1;
                if request.len() == MAX_CELLS || (!request.is_empty() && bytes + size > MAX_REQUEST_BYTES) {
                    break;
                }
                bytes += size;
                match cells.next().expect("peeked") {
                    Cell::Counter(c) => request.counters.push(c),
                    Cell::Register(r) => request.registers.push(r),
                }
            }
            Some(request)
        })
    }

    /// The cells that changed since the last acknowledged sync, as one request (see
    /// [`Ledger::requests_waiting`]); what does not fit goes in the next one.
    pub fn outbox(&self) -> SyncRequest {
        self.requests().next().unwrap_or_else(|| self.empty_request())
    }

    /// A request of this device with no cell yet.
    fn empty_request(&self) -> SyncRequest {
        SyncRequest {
            protocol: PROTOCOL,
            device: self.device.clone(),
            entries: self.last_seq(),
            counters: Vec::new(),
            registers: Vec::new(),
        }
    }

    /// How many requests the cells waiting go out in.
    pub fn requests_waiting(&self) -> usize {
        self.requests().count()
    }

    /// Number of cells waiting to be synced (cells set aside for review not counted).
    pub fn pending(&self) -> usize {
        self.unsynced_counters().count() + self.unsynced_registers().count()
    }

    /// Marks what `sent` carried as stored by the server. Repeating it changes nothing.
    pub fn acknowledge(&mut self, sent: &SyncRequest) {
        self.answer(sent, &SyncResponse::default(), 0);
    }

    /// Takes the server's answer to `sent`: the refused cells are set aside for review
    /// (with the reason), the others acknowledged; the clock observes the server's. Tells
    /// whether the server holds work of this device that this ledger does not.
    pub fn answer(&mut self, sent: &SyncRequest, answer: &SyncResponse, now_ms: u64) -> Answered {
        let refused = |cell: usize| answer.refused.iter().find(|r| r.cell == cell);
        let review = |r: &RefusedCell| Review { code: r.code.clone(), message: r.message.clone(), at_ms: now_ms };
        let mut set_aside = 0;
        for (i, cell) in sent.counters.iter().enumerate() {
            if let Some(r) = refused(i) {
                set_aside += usize::from(self.review_counters.insert(cell.key(), review(r)).is_none());
                continue;
            }
            let acked = self.acked_counters.entry(cell.key()).or_default();
            *acked = acked.merge(cell.state());
        }
        for (i, cell) in sent.registers.iter().enumerate() {
            if let Some(r) = refused(i + sent.counters.len()) {
                set_aside += usize::from(self.review_registers.insert(cell.key(), review(r)).is_none());
                continue;
            }
            let acked = self.acked_registers.entry(cell.key()).or_insert_with(|| cell.stamp.clone());
            if cell.stamp > *acked {
                *acked = cell.stamp.clone();
            }
        }
        self.clock = self.clock.observe(answer.server_ms);
        // A stored state the ledger does not hold now (not only: did not send, since
        // another tab of this phone may have sent more meanwhile).
        let behind = answer.entries > self.last_seq()
            || answer.ahead.counters.iter().any(|c| !self.counters.get(&c.key()).is_some_and(|s| s.covers(c.state())))
            || answer.ahead.registers.iter().any(|r| self.registers.get(&r.key()).is_none_or(|s| s.stamp < r.stamp));
        self.went_behind |= behind;
        Answered { set_aside, behind }
    }

    /// The cells set aside for review by their parts (area, indicator, month or year),
    /// with the server's reason: counters, then registers.
    pub fn review_cells(&self) -> impl Iterator<Item = (&UnitId, &IndicatorId, Bucket, &Review)> {
        let counters = (self.review_counters.iter()).map(|(k, r)| (&k.area, &k.indicator, Bucket::Month(k.month), r));
        counters.chain(self.review_registers.iter().map(|(k, r)| (&k.area, &k.indicator, k.bucket, r)))
    }

    /// Number of cells set aside for review.
    pub fn in_review(&self) -> usize {
        self.review_counters.len() + self.review_registers.len()
    }

    /// Puts the cells set aside back in the outbox (the volunteer fixed the cause, e.g. the
    /// phone's clock). Register writes refused for a stamp ahead of the server are stamped
    /// again at `now_ms`: the clock goes back to the latest stamp the server may hold of
    /// this device, never below it.
    pub fn send_review_again(&mut self, now_ms: u64) {
        let future: Vec<RegisterKey> = (self.review_registers.iter())
            .filter(|(_, r)| r.code == crate::DomainError::StampInFuture.code())
            .map(|(k, _)| k.clone())
            .collect();
        if !future.is_empty() {
            let held = (self.registers.iter())
                .filter(|(k, _)| !future.contains(k))
                .map(|(_, s)| s.stamp.hlc)
                .chain(self.acked_registers.values().map(|s| s.hlc));
            self.clock = held.max().unwrap_or_default();
            for key in future {
                self.clock = self.clock.tick(now_ms);
                let stamp = Stamp { hlc: self.clock, device: self.device.clone() };
                if let Some(state) = self.registers.get_mut(&key) {
                    state.stamp = stamp;
                }
            }
        }
        self.review_counters.clear();
        self.review_registers.clear();
    }

    /// When the oldest entry whose cell the server has not acknowledged was recorded.
    pub fn oldest_unsynced_ms(&self) -> Option<u64> {
        let counters: Vec<&CounterKey> = self.unsynced_counters().map(|(k, _)| k).collect();
        let registers: Vec<&RegisterKey> = self.unsynced_registers().map(|(k, _)| k).collect();
        self.entries
            .iter()
            .filter(|e| match e.change {
                EntryChange::Amount(_) => {
                    counters.iter().any(|k| k.area == e.area && k.indicator == e.indicator && k.month == e.date.month())
                }
                _ => registers.iter().any(|k| {
                    k.area == e.area
                        && k.indicator == e.indicator
                        && (k.bucket == Bucket::Month(e.date.month())
                            || k.bucket == Bucket::Year(e.date.month().year()))
                }),
            })
            .map(|e| e.recorded_ms)
            .min()
    }

    /// A ledger for `device`, the successor of this one's device after it went backwards
    /// or was restored from a backup: the same entries, and as cells only what the
    /// server had not counted of this ledger. `stored` is every counter cell the server
    /// holds of the old device, read after it stopped syncing (it can no longer grow).
    ///
    /// Exact because both this ledger and `stored` are states of one history of the old
    /// device: sending this ledger under its id would have counted `self ⊖ stored` per
    /// component, and that is what the new device starts from. Register writes not
    /// acknowledged keep their clock and take the new device's id; last-writer-wins places
    /// them as it would have placed the old device's.
    pub fn succeed(&self, stored: &[CounterCell], device: DeviceId) -> Ledger {
        let mut held = BTreeMap::new();
        for cell in stored {
            held.insert(cell.key(), cell.state());
        }
        let stored = held;
        let mut next = Ledger::new(device.clone());
        next.clock = self.clock;
        next.entries = self.entries.clone();
        for (key, state) in &self.counters {
            let server = stored.get(key).copied().unwrap_or_default();
            let rest =
                CounterState { inc: state.inc.saturating_sub(server.inc), dec: state.dec.saturating_sub(server.dec) };
            if rest != CounterState::default() {
                next.counters.insert(key.clone(), rest);
            }
        }
        for (key, state) in self.unsynced_registers_all() {
            let stamp = Stamp { hlc: state.stamp.hlc, device: device.clone() };
            next.registers.insert(key.clone(), RegisterState { value: state.value, stamp });
        }
        next
    }

    fn unsynced_registers_all(&self) -> impl Iterator<Item = (&RegisterKey, &RegisterState)> {
        self.registers.iter().filter(|(k, s)| self.acked_registers.get(k) != Some(&s.stamp))
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

/// One cell of the outbox, either kind.
enum Cell {
    Counter(CounterCell),
    Register(RegisterCell),
}

impl Cell {
    /// Its length as JSON in a request.
    fn json_len(&self) -> usize {
        match self {
            Cell::Counter(c) => serde_json::to_string(c).map_or(0, |j| j.len()),
            Cell::Register(r) => serde_json::to_string(r).map_or(0, |j| j.len()),
        }
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
        assert_eq!(ledger.pending(), MAX_CELLS + 3);
        let requests = ledger.requests_waiting();
        let (mut sent, mut rounds) = (0, 0);
        while ledger.pending() > 0 {
            let request = ledger.outbox();
            assert!(request.len() <= MAX_CELLS);
            assert!(serde_json::to_vec(&request).unwrap().len() <= MAX_REQUEST_BYTES, "fits the byte bound");
            sent += request.len();
            rounds += 1;
            ledger.acknowledge(&request);
        }
        assert_eq!((sent, rounds), (MAX_CELLS + 3, requests));
        assert!(requests > 1);
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
