//! Merging and syncing 1,000 changed cells, as the sync handler does: validation, then
//! the domain's plan applied in memory, or through the embedded store (one redb write
//! transaction, committed durably). Each iteration also builds its request.
//! Run with `cargo xtask bench`.

use criterion::{Criterion, criterion_group, criterion_main};
use domain::{Catalogue, CounterCell, DeviceId, MemoryTally, Month, PROTOCOL, SyncRequest, UnitTree};
use functions::store::{EmbeddedStore, TallyStore};
use std::hint::black_box;

const CELLS: usize = 1_000;

/// One device's sync of 1,000 counter cells spread over the demo tree's areas,
/// indicators and months; `round` raises every cell so each request changes all of them.
fn request(tree: &UnitTree, catalogue: &Catalogue, round: u64) -> SyncRequest {
    let areas: Vec<_> = tree.units().filter(|u| u.is_area()).map(|u| u.id.clone()).collect();
    let counters: Vec<_> = catalogue.counter_ids().cloned().collect();
    let cells = (0..CELLS)
        .map(|n| CounterCell {
            area: areas[n % areas.len()].clone(),
            indicator: counters[(n / areas.len()) % counters.len()].clone(),
            month: Month::new(2025, (n / (areas.len() * counters.len())) as u8 % 12 + 1).unwrap(),
            inc: 100 + round,
            dec: round / 2,
        })
        .collect();
    SyncRequest {
        protocol: PROTOCOL,
        device: DeviceId::new("bench-phone").unwrap(),
        entries: 0,
        counters: cells,
        registers: vec![],
    }
}

fn sync_1000_cells(c: &mut Criterion) {
    let (tree, catalogue) = (UnitTree::demo(), Catalogue::standard());
    let first = request(&tree, &catalogue, 0);
    first.validate(&tree, &catalogue).expect("bench request is valid");
    assert_eq!(first.counters.iter().map(|c| c.key()).collect::<std::collections::BTreeSet<_>>().len(), CELLS);

    c.bench_function("validate + merge 1000 cells (memory)", |b| {
        let mut round = 0;
        let mut tally = MemoryTally::default();
        b.iter(|| {
            round += 1;
            let request = request(&tree, &catalogue, round);
            black_box(tally.apply(&request, &tree, &catalogue).unwrap());
        })
    });

    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(&dir.path().join("bench.redb")).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    c.bench_function("validate + sync 1000 changed cells (embedded store)", |b| {
        let mut round = 0;
        b.to_async(&runtime).iter(|| {
            round += 1;
            let request = request(&tree, &catalogue, round);
            request.validate(&tree, &catalogue).unwrap();
            let (store, tree) = (store.clone(), &tree);
            async move { black_box(store.apply_sync(tree, &request).await.unwrap().unwrap()) }
        })
    });
    c.bench_function("repeat of an already stored sync of 1000 cells (embedded store)", |b| {
        let request = request(&tree, &catalogue, 1_000_000);
        runtime.block_on(store.apply_sync(&tree, &request)).unwrap().unwrap();
        b.to_async(&runtime).iter(|| {
            let (store, tree, request) = (store.clone(), &tree, &request);
            async move { black_box(store.apply_sync(tree, request).await.unwrap().unwrap()) }
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = sync_1000_cells
}
criterion_main!(benches);
