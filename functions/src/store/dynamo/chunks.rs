//! Cutting a sync into transactions DynamoDB accepts.

use super::MAX_TRANSACTION_ITEMS;
use domain::{CounterCell, Month, SyncRequest, UnitId, UnitTree};
use std::collections::{BTreeMap, BTreeSet};

/// Cuts a request into chunks whose transactions stay within [`MAX_TRANSACTION_ITEMS`].
/// The cells of one cell item (one area and month) stay together, since a transaction
/// may touch an item only once; the item counts once, and so does each totals item
/// (one unit and month) it may move. A register cell counts its register item (once per
/// chunk) and the rollup items it may move: its month's and, not known before the item
/// is read, the month of the area's next stated value, at every level of the tree.
pub fn chunks(request: &SyncRequest, tree: &UnitTree) -> Vec<SyncRequest> {
    let mut chunks = Chunks { out: vec![], items: 0, seen: BTreeSet::new(), request };
    chunks.start();
    let mut groups: BTreeMap<(UnitId, Month), Vec<CounterCell>> = BTreeMap::new();
    for cell in &request.counters {
        groups.entry((cell.area.clone(), cell.month)).or_default().push(cell.clone());
    }
    for ((area, month), cells) in groups {
        let totals = tree.self_and_ancestors(&area).into_iter().map(|unit| Touched::Totals(unit, month));
        chunks.fit(std::iter::once(Touched::Cells(area.clone(), month)).chain(totals).collect(), 0);
        chunks.current().counters.extend(cells);
    }
    for cell in &request.registers {
        let levels = tree.self_and_ancestors(&cell.area);
        let depth = levels.len();
        let rollups = levels.into_iter().map(|unit| Touched::Rollups(unit, cell.bucket.first_month()));
        let register = Touched::Register(super::items::RegisterItemKey::new(&cell.area, &cell.indicator));
        chunks.fit(std::iter::once(register).chain(rollups).collect(), depth);
        chunks.current().registers.push(cell.clone());
    }
    chunks.out.retain(|chunk| !chunk.is_empty());
    chunks.out
}

/// An item a chunk's transaction may touch.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Touched {
    Cells(UnitId, Month),
    Totals(UnitId, Month),
    Register(super::items::RegisterItemKey),
    Rollups(UnitId, Month),
}

/// The chunks being filled, and the items the last one touches.
struct Chunks<'a> {
    out: Vec<SyncRequest>,
    items: usize,
    seen: BTreeSet<Touched>,
    request: &'a SyncRequest,
}

impl Chunks<'_> {
    fn start(&mut self) {
        let request = self.request;
        self.out.push(SyncRequest {
            protocol: request.protocol,
            device: request.device.clone(),
            entries: request.entries,
            counters: vec![],
            registers: vec![],
        });
        self.items = 0;
        self.seen.clear();
    }

    /// Makes room for cells touching `items` and up to `unknown` more, starting a new chunk if needed.
    fn fit(&mut self, items: Vec<Touched>, unknown: usize) {
        let new = |seen: &BTreeSet<Touched>| items.iter().filter(|i| !seen.contains(*i)).count() + unknown;
        if self.items + new(&self.seen) > MAX_TRANSACTION_ITEMS {
            self.start();
        }
        self.items += new(&self.seen);
        self.seen.extend(items);
    }

    fn current(&mut self) -> &mut SyncRequest {
        self.out.last_mut().expect("never empty")
    }
}
