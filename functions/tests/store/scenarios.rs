//! The scenarios every store must pass, written once over the store traits.

use domain::AccessError;
use domain::{
    Catalogue, CounterCell, Date, DeviceId, IndicatorId, Ledger, MemoryTally, Month, PROTOCOL, ReportPeriod,
    SyncRequest, UnitId, UnitTree,
};
use functions::store::{Consumed, Freshness, MAX_TRANSACTION_ITEMS, Store, chunks, load_province, load_tree};

const YEAR: u16 = 2025;

fn period() -> ReportPeriod {
    ReportPeriod::year(YEAR).unwrap()
}

/// GIVEN the stored figures of every unit, THEN they equal the reference's.
async fn assert_same_as_reference(store: &impl Store, reference: &MemoryTally, tree: &UnitTree) {
    for unit in tree.units() {
        let mut got = store.counter_totals(&unit.id, period(), Freshness::Latest).await.unwrap();
        got.retain(|_, total| *total != 0);
        let mut want = reference.counter_totals(&unit.id, period());
        want.retain(|_, total| *total != 0);
        assert_eq!(got, want, "counter totals of {}", unit.id);
        let mut got = store.register_rollups(&unit.id, period(), Freshness::Latest).await.unwrap();
        got.retain(|_, change| !change.is_zero());
        let mut want = reference.register_rollups(&unit.id, period());
        want.retain(|_, change| !change.is_zero());
        assert_eq!(got, want, "register rollups of {}", unit.id);
    }
}

pub async fn the_tree_is_seeded_once(store: &impl Store) {
    let first = load_tree(store).await.unwrap();
    let again = load_tree(store).await.unwrap();
    assert_eq!(first, UnitTree::demo());
    assert_eq!(again, first);
}

/// Provincial IT loads its province from the dataset into a new store: today's province
/// and its communes and wards, and the provinces merged into it with their districts and
/// communes, every unit once, no demo units; again, nothing new; a province not on
/// today's map, or a store with the demo units, is refused.
pub async fn a_province_loads_from_the_dataset_once(store: &impl Store) {
    let dataset = domain::dataset::Dataset::bundled().unwrap();
    let history: Vec<_> = dataset.province("Thái Nguyên").unwrap().into_iter().map(|u| u.unit.clone()).collect();
    let added = load_province(store, &dataset, "Tỉnh Thái Nguyên").await.unwrap().added;
    assert_eq!(added, history);
    let today: Vec<_> = history.iter().filter(|u| u.valid_to.is_none()).cloned().collect();
    assert_eq!(today.len(), 93, "the province and its 92 communes and wards");
    let names: Vec<_> = today[0].succeeds.iter().map(|id| dataset.get(id).unwrap().unit.name.as_str()).collect();
    assert_eq!(names, ["Tỉnh Bắc Kạn", "Tỉnh Thái Nguyên"], "it carries on the two provinces merged into it");
    let again = load_province(store, &dataset, "thai nguyen").await.unwrap();
    assert_eq!(again, functions::store::Loaded::default(), "loaded again: nothing new, nothing changed");
    assert_eq!(units_loaded(store, &today[0].id).await, [(history.len(), 0)], "one load in the trail: the first");
    let refused = load_province(store, &dataset, "Bắc Kạn").await.unwrap_err();
    assert!(refused.to_string().contains("trên bản đồ từ 1/7/2025"), "{refused}");
    let tree = load_tree(store).await.unwrap();
    assert_eq!(by_id(tree.units()), by_id(history.iter()), "every unit once, and no demo units");
    assert_eq!(tree.children(&today[0].id).count(), 92);
}

/// A province loaded before successions were kept (or by an older release of the dataset)
/// is brought up to the dataset's by loading it again: only the units that differ are
/// stored anew, each in its place, and a third load changes nothing.
pub async fn a_province_loaded_again_takes_the_datasets_changes(store: &impl Store) {
    let dataset = domain::dataset::Dataset::bundled().unwrap();
    let history: Vec<_> = dataset.province("Thái Nguyên").unwrap().into_iter().map(|u| u.unit.clone()).collect();
    let older: Vec<_> = history.iter().map(|u| domain::Unit { succeeds: vec![], ..u.clone() }).collect();
    store.add_units(&older).await.unwrap();
    let loaded = load_province(store, &dataset, "Thái Nguyên").await.unwrap();
    let carrying = history.iter().filter(|u| !u.succeeds.is_empty()).count();
    assert!(loaded.added.is_empty());
    assert_eq!(loaded.changed.len(), carrying, "the units that carry others on");
    assert!(carrying > 90, "{carrying}");
    let tree = load_tree(store).await.unwrap();
    assert_eq!(by_id(tree.units()), by_id(history.iter()), "each as the dataset has it");
    let bac_kan = &history[0];
    let in_place: Vec<_> =
        tree.units().filter(|u| tree.self_and_ancestors(&u.id).last() == Some(&bac_kan.id)).collect();
    let placed: Vec<_> =
        history.iter().filter(|u| tree.self_and_ancestors(&u.id).last() == Some(&bac_kan.id)).collect();
    assert_eq!(in_place, placed, "each in its place in its tree");
    assert_eq!(load_province(store, &dataset, "Thái Nguyên").await.unwrap(), functions::store::Loaded::default());
    let province = history.iter().find(|u| u.valid_to.is_none()).unwrap();
    assert_eq!(units_loaded(store, &province.id).await, [(0, carrying)], "the second load, in the trail");
}

/// The loads of units in a province's trail: how many units each added and changed.
async fn units_loaded(store: &impl Store, province: &UnitId) -> Vec<(usize, usize)> {
    let trail = store.audit(province, 100).await.unwrap();
    (trail.into_iter())
        .filter_map(|e| match e.what {
            domain::enrol::AuditWhat::UnitsLoaded { dataset, added, changed } => {
                assert_eq!(dataset, "vietnamadminunits 1.0.4");
                Some((added, changed.len()))
            }
            _ => None,
        })
        .collect()
}

/// Each tree (a province of today's map, or one before 1/7/2025, with everything under it)
/// is found, read and changed without reading the others: what lets a Lambda instance
/// start by reading its caller's province only.
pub async fn each_province_is_read_as_trees_of_its_own(store: &impl Store) {
    use domain::enrol::{AuditEvent, AuditWhat};
    use domain::{AreaChange, AreaEvent, AreaRecord, EventId};
    let id = |s: &str| UnitId::new(s).unwrap();
    let dataset = domain::dataset::Dataset::bundled().unwrap();
    for name in ["Thái Nguyên", "Hà Nội"] {
        load_province(store, &dataset, name).await.unwrap();
    }
    let history = dataset.province("Thái Nguyên").unwrap();
    let today = dataset.province_today("Thái Nguyên").unwrap()[0].unit.clone();
    let bac_kan = dataset.province("Thái Nguyên").unwrap()[0].unit.clone();
    assert_eq!(bac_kan.name, "Tỉnh Bắc Kạn");
    // GIVEN two provinces loaded: Thái Nguyên's three trees (today's, and the two provinces
    // merged into it) and Hà Nội's
    let mut roots = store.roots().await.unwrap();
    roots.sort();
    let mut expected: Vec<UnitId> = ["Thái Nguyên", "Hà Nội"]
        .iter()
        .flat_map(|name| dataset.province(name).unwrap())
        .filter(|u| u.unit.parent.is_none())
        .map(|u| u.unit.id.clone())
        .collect();
    expected.sort();
    assert_eq!(roots, expected);
    assert_eq!(roots.len(), 3 + 2, "Hà Nội carries on the Hà Nội before the merger only");
    // THEN each unit is found in its tree, and a tree read alone holds its units in order
    let a_commune = history.iter().find(|u| u.unit.parent.as_ref() == Some(&today.id)).unwrap();
    assert_eq!(store.root_of(&a_commune.unit.id).await.unwrap(), Some(today.id.clone()));
    let old_ward = history.iter().find(|u| u.unit.name == "Phường Nguyễn Thị Minh Khai").unwrap();
    assert_eq!(store.root_of(&old_ward.unit.id).await.unwrap(), Some(bac_kan.id.clone()));
    assert_eq!(store.root_of(&id("khong-co")).await.unwrap(), None);
    let of_today: Vec<domain::Unit> =
        history.iter().filter(|u| u.unit.valid_to.is_none()).map(|u| u.unit.clone()).collect();
    assert_eq!(store.units_of(&today.id).await.unwrap(), of_today, "today's province and its 92 communes and wards");
    // WHEN a ward of today's map adds an area
    let tree = load_tree(store).await.unwrap();
    let created = AreaRecord {
        event: AreaEvent {
            id: EventId::new("e-tree").unwrap(),
            area: id("kdc-cay"),
            effective: "2026-01-01".parse().unwrap(),
            change: AreaChange::Create { parent: a_commune.unit.id.clone(), name: "Thôn Cây".into() },
        },
        by: DeviceId::new("d-officer").unwrap(),
        at_ms: 1_000,
    };
    let audit = AuditEvent {
        at_ms: 1_000,
        unit: a_commune.unit.id.clone(),
        actor: None,
        what: AuditWhat::AreaChanged { event: created.event.clone() },
    };
    store.file_area_event(&tree, &created, &audit).await.unwrap();
    // THEN the area is found in its ward's tree, and the change read with that tree only
    assert_eq!(store.root_of(&id("kdc-cay")).await.unwrap(), Some(today.id.clone()));
    assert_eq!(store.area_events_of(&today.id).await.unwrap(), vec![created]);
    assert!(store.area_events_of(&bac_kan.id).await.unwrap().is_empty());
}

/// Units by id: a store keeps each tree (a province) apart, in its own order, and the
/// trees in an order of its own.
fn by_id<'a>(units: impl Iterator<Item = &'a domain::Unit>) -> std::collections::BTreeMap<UnitId, domain::Unit> {
    units.map(|u| (u.id.clone(), u.clone())).collect()
}

/// A store that was given the demo units is not given a province beside them.
pub async fn a_province_is_not_loaded_beside_the_demo(store: &impl Store) {
    load_tree(store).await.unwrap();
    let dataset = domain::dataset::Dataset::bundled().unwrap();
    let refused = load_province(store, &dataset, "Thái Nguyên").await.unwrap_err();
    assert!(refused.to_string().contains("đơn vị mẫu"), "{refused}");
    assert_eq!(load_tree(store).await.unwrap(), UnitTree::demo(), "nothing added");
}

/// Three phones record amounts, levels and flags; the network repeats, reorders and drops their
/// syncs and loses answers. After it heals, the store holds what the reference holds.
pub async fn random_deliveries_give_the_reference_totals(store: &impl Store) {
    let (tree, catalogue) = (UnitTree::demo(), Catalogue::standard());
    let areas = ["dx-to-8a", "ntmk-to-11", "ntmk-to-13", "xh-na-ban"].map(|a| UnitId::new(a).unwrap());
    let counters = ["dat_hien", "ngay_cong"].map(|i| IndicatorId::new(i).unwrap());
    let homes = IndicatorId::new("so_ho").unwrap();
    let festival = IndicatorId::new("ngay_hoi_ddk").unwrap();
    let mut reference = MemoryTally::default();
    for seed in [7, 2025, 1811] {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut phones: Vec<Ledger> =
            (0..3).map(|d| Ledger::new(DeviceId::new(format!("p{seed}-{d}")).unwrap())).collect();
        let mut in_flight: Vec<(usize, SyncRequest)> = Vec::new();
        for step in 0..40u64 {
            let d = rng.usize(..phones.len());
            let area = &areas[rng.usize(..areas.len())];
            let day = Date::new(YEAR, rng.u8(1..=3), 1).unwrap();
            match rng.u8(..11) {
                0..=3 => {
                    let amount = rng.i64(-30..200);
                    let indicator = &counters[rng.usize(..counters.len())];
                    let _ = phones[d].add_amount(&catalogue, &tree, area, indicator, day, amount, "", step);
                }
                4 => {
                    phones[d]
                        .set_level(&catalogue, &tree, area, &homes, day, rng.u64(..300), "", 1_000 + step)
                        .unwrap();
                }
                5 => {
                    let yes = rng.bool();
                    phones[d].set_flag(&catalogue, &tree, area, &festival, day, yes, "", 1_000 + step).unwrap();
                }
                6 | 7 => in_flight.push((d, phones[d].outbox())),
                _ if !in_flight.is_empty() => {
                    let i = rng.usize(..in_flight.len());
                    let (sender, request) = if rng.bool() { in_flight[i].clone() } else { in_flight.swap_remove(i) };
                    store.apply_sync(&tree, &request).await.unwrap().unwrap();
                    reference.apply(&request, &tree, &catalogue).unwrap();
                    if rng.bool() {
                        phones[sender].acknowledge(&request);
                    }
                }
                _ => {}
            }
        }
        for (sender, request) in in_flight.drain(..) {
            store.apply_sync(&tree, &request).await.unwrap().unwrap();
            reference.apply(&request, &tree, &catalogue).unwrap();
            phones[sender].acknowledge(&request);
        }
        for phone in &mut phones {
            let request = phone.outbox();
            store.apply_sync(&tree, &request).await.unwrap().unwrap();
            reference.apply(&request, &tree, &catalogue).unwrap();
        }
        assert_same_as_reference(store, &reference, &tree).await;
    }
}

/// One device's sync of `cells` counter cells of value `value` each.
fn big_sync(tree: &UnitTree, catalogue: &Catalogue, device: &str, cells: usize, value: u64) -> SyncRequest {
    let areas: Vec<UnitId> = tree.units().filter(|u| u.is_area()).map(|u| u.id.clone()).collect();
    let indicators: Vec<IndicatorId> = catalogue.counter_ids().cloned().collect();
    let counters = (0..cells)
        .map(|n| CounterCell {
            area: areas[n % areas.len()].clone(),
            indicator: indicators[(n / areas.len()) % indicators.len()].clone(),
            month: Month::new(YEAR, (n / (areas.len() * indicators.len())) as u8 % 12 + 1).unwrap(),
            inc: value,
            dec: 0,
        })
        .collect();
    SyncRequest { protocol: PROTOCOL, device: DeviceId::new(device).unwrap(), entries: 0, counters, registers: vec![] }
}

pub async fn a_sync_larger_than_one_transaction_lands_exactly_once(store: &impl Store) {
    let (tree, catalogue) = (UnitTree::demo(), Catalogue::standard());
    let request = big_sync(&tree, &catalogue, "big-phone", 1_000, 3);
    request.validate(&tree, &catalogue).unwrap();
    let parts = chunks(&request, &tree);
    assert!(parts.len() > 1, "the request must need several transactions");
    for part in &parts {
        // DynamoDB items one chunk's transaction touches: cell items (area, month) and
        // totals items (unit, month).
        let mut cell_items = std::collections::BTreeSet::new();
        let mut total_items = std::collections::BTreeSet::new();
        for cell in &part.counters {
            cell_items.insert((cell.area.clone(), cell.month));
            total_items.extend(tree.self_and_ancestors(&cell.area).into_iter().map(|u| (u, cell.month)));
        }
        assert!(cell_items.len() + total_items.len() <= MAX_TRANSACTION_ITEMS);
    }
    assert_eq!(parts.iter().map(SyncRequest::len).sum::<usize>(), 1_000);
    // A write whose answer was lost counts as already known on its retry.
    let first = store.apply_sync(&tree, &request).await.unwrap().unwrap();
    assert_eq!(first.changed + first.unchanged, 1_000);
    assert!(first.changed > 0);
    let again = store.apply_sync(&tree, &request).await.unwrap().unwrap();
    assert_eq!((again.changed, again.unchanged), (0, 1_000));
    let root = UnitId::new("tp-bac-kan").unwrap();
    let totals = store.counter_totals(&root, period(), Freshness::Latest).await.unwrap();
    assert_eq!(totals.values().sum::<i64>(), 3_000);
}

/// A device that sends an older copy of its ledger (smaller counters, a level stamped
/// before the one stored) gets back what the store holds of it, as the reference says,
/// across transactions too; nothing moves.
pub async fn older_states_of_a_device_come_back_ahead(store: &impl Store) {
    let (tree, catalogue) = (UnitTree::demo(), Catalogue::standard());
    let sorted = |mut response: domain::SyncResponse| {
        response.ahead.counters.sort_by_key(CounterCell::key);
        response.ahead.registers.sort_by_key(domain::RegisterCell::key);
        response
    };
    let mut reference = MemoryTally::default();
    let newer = big_sync(&tree, &catalogue, "restored-phone", 1_000, 3);
    assert!(chunks(&newer, &tree).len() > 1, "the request must need several transactions");
    let older = big_sync(&tree, &catalogue, "restored-phone", 1_000, 2);
    let (area, homes) = (UnitId::new("xh-na-ban").unwrap(), IndicatorId::new("so_ho").unwrap());
    let day = Date::new(YEAR, 6, 1).unwrap();
    let mut phone = Ledger::new(DeviceId::new("restored-phone").unwrap());
    phone.set_level(&catalogue, &tree, &area, &homes, day, 120, "", 2_000).unwrap();
    let mut copy = Ledger::new(DeviceId::new("restored-phone").unwrap());
    copy.set_level(&catalogue, &tree, &area, &homes, day, 110, "", 1_000).unwrap();
    for request in [&newer, &phone.outbox()] {
        store.apply_sync(&tree, request).await.unwrap().unwrap();
        reference.apply(request, &tree, &catalogue).unwrap();
    }
    for request in [&older, &copy.outbox()] {
        let answer = sorted(store.apply_sync(&tree, request).await.unwrap().unwrap());
        assert_eq!(answer, sorted(reference.apply(request, &tree, &catalogue).unwrap()));
        assert_eq!(answer.changed, 0);
    }
    let answer = sorted(store.apply_sync(&tree, &older).await.unwrap().unwrap());
    let mut stored = newer.counters.clone();
    stored.sort_by_key(CounterCell::key);
    assert_eq!(answer.ahead.counters, stored, "every stored cell the request did not cover");
    let answer = store.apply_sync(&tree, &copy.outbox()).await.unwrap().unwrap();
    assert_eq!(answer.ahead.registers, phone.outbox().registers, "the later write of this device");
    assert_same_as_reference(store, &reference, &tree).await;
}

/// One phone states a level for every area and month of two years in one sync, the later
/// months first: more register cells than one transaction can hold.
pub async fn a_register_sync_larger_than_one_transaction_lands_exactly_once(store: &impl Store) {
    let (tree, catalogue) = (UnitTree::demo(), Catalogue::standard());
    let homes = IndicatorId::new("so_ho").unwrap();
    let mut phone = Ledger::new(DeviceId::new("census-phone").unwrap());
    let mut now = 1_000;
    for year in [YEAR, YEAR - 1] {
        for month in (1..=12).rev() {
            for area in tree.units().filter(|u| u.is_area()) {
                let day = Date::new(year, month, 1).unwrap();
                let households = 100 + u64::from(month) + u64::from(YEAR + 1 - year) * 7;
                phone.set_level(&catalogue, &tree, &area.id, &homes, day, households, "", now).unwrap();
                now += 1;
            }
        }
    }
    let request = phone.outbox();
    assert_eq!(request.registers.len(), 7 * 24);
    assert!(chunks(&request, &tree).len() > 1, "the request must need several transactions");
    let mut reference = MemoryTally::default();
    reference.apply(&request, &tree, &catalogue).unwrap();
    let first = store.apply_sync(&tree, &request).await.unwrap().unwrap();
    assert_eq!(first.changed + first.unchanged, 7 * 24);
    assert!(first.changed > 0);
    let again = store.apply_sync(&tree, &request).await.unwrap().unwrap();
    assert_eq!((again.changed, again.unchanged), (0, 7 * 24));
    assert_same_as_reference(store, &reference, &tree).await;
}

/// Eight phones state the households of one area for different months, and whether it
/// held its festival, all at once: each write re-reads the area's register when another
/// moved it, so the rollups end as if the writes had come one by one.
pub async fn devices_stating_levels_in_parallel_end_with_exact_rollups<S: Store + Clone>(store: S) {
    let (tree, catalogue) = (UnitTree::demo(), Catalogue::standard());
    let area = UnitId::new("xh-tong-neng").unwrap();
    let mut requests = Vec::new();
    for d in 0..8u8 {
        let mut phone = Ledger::new(DeviceId::new(format!("stating-{d}")).unwrap());
        let day = Date::new(YEAR, d % 4 + 1, 1).unwrap();
        let homes = IndicatorId::new("so_ho").unwrap();
        let festival = IndicatorId::new("ngay_hoi_ddk").unwrap();
        phone.set_level(&catalogue, &tree, &area, &homes, day, 60 + u64::from(d), "", 1_000 + u64::from(d)).unwrap();
        phone.set_flag(&catalogue, &tree, &area, &festival, day, d % 3 == 0, "", 2_000 + u64::from(d)).unwrap();
        requests.push(phone.outbox());
    }
    let mut reference = MemoryTally::default();
    for request in &requests {
        reference.apply(request, &tree, &catalogue).unwrap();
    }
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|request| {
            let (store, tree) = (store.clone(), tree.clone());
            tokio::spawn(async move { store.apply_sync(&tree, &request).await.unwrap().unwrap() })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_same_as_reference(&store, &reference, &tree).await;
}

/// Eight phones (and two tabs of one of them) sync the same cell at once, many times.
pub async fn devices_syncing_in_parallel_end_with_exact_totals<S: Store + Clone>(store: S) {
    let tree = UnitTree::demo();
    let cell = |device: &str, inc: u64| SyncRequest {
        protocol: PROTOCOL,
        device: DeviceId::new(device).unwrap(),
        entries: 0,
        counters: vec![CounterCell {
            area: UnitId::new("ntmk-to-15").unwrap(),
            indicator: IndicatorId::new("quy_vi_nguoi_ngheo").unwrap(),
            month: Month::new(YEAR, 11).unwrap(),
            inc,
            dec: 0,
        }],
        registers: vec![],
    };
    let mut tasks = Vec::new();
    for d in 0..8u64 {
        for tab in 0..2u64 {
            let (store, tree) = (store.clone(), tree.clone());
            let device = format!("parallel-{d}");
            tasks.push(tokio::spawn(async move {
                // Each tab sends growing states; the device's final state is 1_000_000 · (d + 1).
                for round in 1..=5u64 {
                    let inc = if round == 5 { 1_000_000 * (d + 1) } else { 1_000 * round + tab };
                    store.apply_sync(&tree, &cell(&device, inc)).await.unwrap().unwrap();
                }
            }));
        }
    }
    for task in tasks {
        task.await.unwrap();
    }
    let expected: i64 = (1..=8).map(|d| 1_000_000 * d).sum();
    for unit in ["ntmk-to-15", "p-nguyen-thi-minh-khai", "tp-bac-kan"] {
        let totals = store.counter_totals(&UnitId::new(unit).unwrap(), period(), Freshness::Latest).await.unwrap();
        assert_eq!(totals[&IndicatorId::new("quy_vi_nguoi_ngheo").unwrap()], expected, "{unit}");
    }
}

/// One volunteer's daily sync: 10 changed counter cells of one area in one month.
/// Returns what the first sync, its repeat, the ward report and a sync stating one level
/// consumed.
pub async fn capacity_units_per_sync<S: Store>(store: &S, consumed: impl Fn() -> Consumed) -> [Consumed; 4] {
    let (tree, catalogue) = (UnitTree::demo(), Catalogue::standard());
    load_tree(store).await.unwrap();
    let area = UnitId::new("ntmk-to-11").unwrap();
    let indicators: Vec<IndicatorId> = catalogue.counter_ids().take(10).cloned().collect();
    let device = DeviceId::new("daily-phone").unwrap();
    let request = SyncRequest {
        protocol: PROTOCOL,
        device: device.clone(),
        entries: 0,
        counters: indicators
            .iter()
            .map(|indicator| CounterCell {
                area: area.clone(),
                indicator: indicator.clone(),
                month: Month::new(YEAR, 11).unwrap(),
                inc: 640_000_000,
                dec: 0,
            })
            .collect(),
        registers: vec![],
    };
    let mut phone = Ledger::new(device);
    let day = Date::new(YEAR, 11, 1).unwrap();
    phone.set_level(&catalogue, &tree, &area, &IndicatorId::new("so_ho").unwrap(), day, 412, "", 1_000).unwrap();
    let level = phone.outbox();
    let mut steps = [Consumed::default(); 4];
    let mut step = |i: usize, before: Consumed| steps[i] = consumed() - before;
    let before = consumed();
    store.apply_sync(&tree, &request).await.unwrap().unwrap();
    step(0, before);
    let before = consumed();
    store.apply_sync(&tree, &request).await.unwrap().unwrap();
    step(1, before);
    let before = consumed();
    let ward = UnitId::new("p-nguyen-thi-minh-khai").unwrap();
    store.counter_totals(&ward, period(), Freshness::Recent).await.unwrap();
    store.register_rollups(&ward, period(), Freshness::Recent).await.unwrap();
    step(2, before);
    let before = consumed();
    store.apply_sync(&tree, &level).await.unwrap().unwrap();
    step(3, before);
    // The 10 cells share one cell item, and move one totals item of each of the area, the
    // ward and the city: 4 items under 1 KB, 2 units each in a transaction; 1 item read.
    let figures = steps.map(|c| (c.reads, c.writes));
    assert_eq!(figures[0], (1.0, 8), "first sync");
    // A repeat reads the cell item and writes nothing.
    assert_eq!(figures[1], (1.0, 0), "repeat");
    // A unit's figures: one totals query and one rollups query, whatever the number of
    // areas below it, each eventually consistent: half a unit.
    assert_eq!(figures[2], (1.0, 0), "ward report");
    // A level: its register item read (missing: still 1 unit), then written with one
    // rollup item of each of the area, the ward and the city: 4 items under 1 KB.
    assert_eq!(figures[3], (1.0, 8), "a level stated");
    // Where the stand-in reports by the rules (a `BatchGetItem`), it agrees with the count.
    assert_eq!(steps[1].reported_reads, steps[1].reads, "reported by the server for the repeat");
    steps
}

mod access {
    //! Join codes, devices and the audit trail.
    use super::*;
    use domain::Role;
    use domain::enrol::{AuditEvent, AuditWhat, CodeSummary, DAY_MS};
    use functions::store::{CodeRecord, NewDevice};

    const NOW: u64 = 1_795_600_000_000;

    fn code(id: &str, uses: u16) -> CodeRecord {
        let summary = CodeSummary {
            id: id.into(),
            role: Role::Volunteer,
            unit: UnitId::new("ntmk-to-11").unwrap(),
            issued_by: DeviceId::new("d-officer").unwrap(),
            issued_at_ms: NOW,
            expires_at_ms: NOW + 7 * DAY_MS,
            uses_left: uses,
            withdrawn: false,
        };
        CodeRecord { summary, code_hash: format!("hash-of-{id}") }
    }

    fn issued(code: &CodeRecord) -> AuditEvent {
        AuditEvent {
            at_ms: NOW,
            unit: code.summary.unit.clone(),
            actor: Some(code.summary.issued_by.clone()),
            what: AuditWhat::CodeIssued { code: code.summary.id.clone(), role: code.summary.role },
        }
    }

    fn phone(n: usize) -> NewDevice {
        NewDevice {
            device: DeviceId::new(format!("d-phone-{n}")).unwrap(),
            label: format!("Máy {n}"),
            app_version: "1".into(),
            token_hash: format!("token-hash-{n}"),
            now_ms: NOW + 1,
        }
    }

    /// Two phones of Tổ 11 record amounts, levels and a flag; one is voided (twice): every
    /// total and rollup equals the reference's, which voided it too.
    pub async fn a_voided_device_counts_for_nothing_at_every_level(store: &impl Store) {
        let (tree, catalogue) = (UnitTree::demo(), Catalogue::standard());
        let code = code("c-void", 2);
        store.add_code(&tree, &code, &issued(&code)).await.unwrap();
        let mut reference = MemoryTally::default();
        let mut phones = Vec::new();
        for n in 0..2 {
            let device = store.redeem_code(&tree, &code.code_hash, &phone(n)).await.unwrap().unwrap();
            phones.push(Ledger::new(device.device));
        }
        let area = UnitId::new("ntmk-to-11").unwrap();
        let (land, homes, festival) = (
            IndicatorId::new("dat_hien").unwrap(),
            IndicatorId::new("so_ho").unwrap(),
            IndicatorId::new("ngay_hoi_ddk").unwrap(),
        );
        let day = |m| Date::new(YEAR, m, 5).unwrap();
        phones[0].add_amount(&catalogue, &tree, &area, &land, day(3), 10_000_000, "", 1).unwrap();
        phones[0].add_amount(&catalogue, &tree, &area, &land, day(4), 70, "", 2).unwrap();
        phones[0].set_level(&catalogue, &tree, &area, &homes, day(3), 100, "", 3).unwrap();
        phones[0].set_flag(&catalogue, &tree, &area, &festival, day(3), true, "", 4).unwrap();
        phones[1].add_amount(&catalogue, &tree, &area, &land, day(3), 120, "", 5).unwrap();
        phones[1].set_level(&catalogue, &tree, &area, &homes, day(6), 120, "", 6).unwrap();
        for phone in &phones {
            let request = phone.outbox();
            store.apply_sync(&tree, &request).await.unwrap().unwrap();
            reference.apply(&request, &tree, &catalogue).unwrap();
        }
        let voided = phones[0].device.clone();
        let event = AuditEvent {
            at_ms: NOW + 50,
            unit: area.clone(),
            actor: None,
            what: AuditWhat::Voided { device: voided.clone() },
        };
        let (device, removed) = store.void_device(&tree, &voided, &event).await.unwrap().unwrap();
        assert_eq!(removed, 2 + 2, "two cells, a level bucket and a flag bucket");
        assert_eq!((device.voided_at_ms, device.revoked_at_ms), (Some(NOW + 50), Some(NOW + 50)));
        assert_eq!(reference.void(&voided, &tree), 4);
        assert_same_as_reference(store, &reference, &tree).await;
        let again = store.void_device(&tree, &voided, &event).await.unwrap().unwrap();
        assert_eq!(again.1, 0, "a repeated void removes nothing more");
        assert_same_as_reference(store, &reference, &tree).await;
        let ward = UnitId::new("p-nguyen-thi-minh-khai").unwrap();
        let totals = store.counter_totals(&ward, period(), Freshness::Latest).await.unwrap();
        assert_eq!(totals.get(&land).copied().unwrap_or(0), 120, "only the other phone's entry is left");
        let trail = store.audit(&ward, 10).await.unwrap();
        assert_eq!(trail.iter().filter(|e| matches!(e.what, AuditWhat::Voided { .. })).count(), 1);
        let unknown = DeviceId::new("d-unknown").unwrap();
        assert_eq!(store.void_device(&tree, &unknown, &event).await.unwrap(), None);
    }

    /// A device succeeded: revoked, noting its successor, which has its role, scope and
    /// label; its cells handed over as stored; the event filed once; a second succession
    /// (or of an unknown device) refused, enrolling no one.
    pub async fn a_device_is_succeeded_once_and_its_cells_handed_over(store: &impl Store) {
        let (tree, catalogue) = (UnitTree::demo(), Catalogue::standard());
        let code = code("c-succession", 1);
        store.add_code(&tree, &code, &issued(&code)).await.unwrap();
        let old = store.redeem_code(&tree, &code.code_hash, &phone(0)).await.unwrap().unwrap();
        let mut ledger = Ledger::new(old.device.clone());
        let area = UnitId::new("ntmk-to-11").unwrap();
        for (indicator, month, amount) in [("dat_hien", 3, 120), ("ngay_cong", 3, 40), ("dat_hien", 4, 7)] {
            let day = Date::new(YEAR, month, 5).unwrap();
            let indicator = IndicatorId::new(indicator).unwrap();
            ledger.add_amount(&catalogue, &tree, &area, &indicator, day, amount, "", 1).unwrap();
        }
        let sent = ledger.outbox();
        store.apply_sync(&tree, &sent).await.unwrap().unwrap();
        let successor = |n: usize| NewDevice { now_ms: NOW + 100, ..phone(100 + n) };
        let (new, cells) = store.succeed_device(&tree, &old.device, &successor(0)).await.unwrap().unwrap();
        assert_eq!((&new.device, new.role, &new.scope), (&successor(0).device, old.role, &old.scope));
        assert_eq!((new.enrolled_at_ms, new.revoked_at_ms), (NOW + 100, None));
        let mut want = sent.counters.clone();
        want.sort_by_key(CounterCell::key);
        assert_eq!(cells, want, "every cell of the old device, as stored");
        assert_eq!(store.device_cells(&old.device).await.unwrap(), want);
        assert_eq!(store.device_cells(&new.device).await.unwrap(), vec![]);
        let stored = store.device(&old.device).await.unwrap().unwrap().summary;
        assert_eq!((stored.revoked_at_ms, stored.replaced_by), (Some(NOW + 100), Some(new.device.clone())));
        let enrolled = store.device(&new.device).await.unwrap().unwrap();
        assert_eq!(enrolled.token_hash, successor(0).token_hash);
        assert_eq!(enrolled.summary, new);

        let again = store.succeed_device(&tree, &old.device, &successor(1)).await.unwrap();
        assert_eq!(again, Err(AccessError::Revoked), "a device is succeeded once");
        let unknown = DeviceId::new("d-unknown").unwrap();
        let never = store.succeed_device(&tree, &unknown, &successor(2)).await.unwrap();
        assert_eq!(never, Err(AccessError::UnknownDevice));
        assert_eq!(store.devices().await.unwrap().len(), 2, "no one else enrolled");
        for unit in ["ntmk-to-11", "p-nguyen-thi-minh-khai", "tp-bac-kan"] {
            let trail = store.audit(&UnitId::new(unit).unwrap(), 100).await.unwrap();
            let successions: Vec<_> = trail.iter().filter(|e| matches!(e.what, AuditWhat::Succeeded { .. })).collect();
            assert_eq!(successions.len(), 1, "the trail of {unit}");
            let what = AuditWhat::Succeeded { from: old.device.clone(), to: new.device.clone() };
            assert_eq!((&successions[0].what, &successions[0].actor), (&what, &Some(old.device.clone())));
        }
    }

    /// Eight phones race for a code of three uses: three are enrolled, five refused.
    pub async fn phones_racing_for_a_code_get_exactly_its_uses<S: Store + Clone>(store: S) {
        let tree = UnitTree::demo();
        let code = code("c-race", 3);
        store.add_code(&tree, &code, &issued(&code)).await.unwrap();
        let mut racing = Vec::new();
        for n in 0..8 {
            let (store, tree, hash) = (store.clone(), tree.clone(), code.code_hash.clone());
            racing.push(tokio::spawn(async move { store.redeem_code(&tree, &hash, &phone(n)).await.unwrap() }));
        }
        let mut enrolled = 0;
        for outcome in racing {
            match outcome.await.unwrap() {
                Ok(device) => {
                    assert_eq!((device.role, device.scope.as_str()), (Role::Volunteer, "ntmk-to-11"));
                    enrolled += 1;
                }
                Err(refused) => assert_eq!(refused, domain::AccessError::CodeUsedUp),
            }
        }
        assert_eq!(enrolled, 3);
        assert_eq!(store.devices().await.unwrap().len(), 3);
        assert_eq!(store.codes().await.unwrap()[0].uses_left, 0);
        for unit in ["ntmk-to-11", "p-nguyen-thi-minh-khai", "tp-bac-kan"] {
            let trail = store.audit(&UnitId::new(unit).unwrap(), 100).await.unwrap();
            let enrolments = trail.iter().filter(|e| matches!(e.what, AuditWhat::Enrolled { .. })).count();
            assert_eq!((enrolments, trail.len()), (3, 4), "the trail of {unit}");
        }
        assert!(store.audit(&UnitId::new("p-duc-xuan").unwrap(), 100).await.unwrap().is_empty());
    }

    /// A code unknown, withdrawn or expired enrols no one; revoking and withdrawing twice
    /// records once; a sync notes its time; the trail reads newest first.
    pub async fn codes_and_devices_change_once_and_leave_a_trail(store: &impl Store) {
        let tree = UnitTree::demo();
        let hash = |c: &CodeRecord| c.code_hash.clone();
        let (short, kept) = (code("c-short", 1), code("c-kept", 5));
        for c in [&short, &kept] {
            store.add_code(&tree, c, &issued(c)).await.unwrap();
        }
        assert_eq!(store.redeem_code(&tree, "no-such-hash", &phone(0)).await.unwrap(), Err(AccessError::UnknownCode));
        let late = NewDevice { now_ms: NOW + 8 * DAY_MS, ..phone(0) };
        assert_eq!(store.redeem_code(&tree, &hash(&short), &late).await.unwrap(), Err(AccessError::CodeExpired));
        let withdrawal = |at_ms| AuditEvent {
            at_ms,
            unit: short.summary.unit.clone(),
            actor: None,
            what: AuditWhat::CodeWithdrawn { code: "c-short".into() },
        };
        assert!(store.withdraw_code(&tree, "c-short", &withdrawal(NOW + 2)).await.unwrap().unwrap().withdrawn);
        assert!(store.withdraw_code(&tree, "c-short", &withdrawal(NOW + 3)).await.unwrap().unwrap().withdrawn);
        assert_eq!(store.withdraw_code(&tree, "c-none", &withdrawal(NOW + 3)).await.unwrap(), None);
        assert_eq!(store.redeem_code(&tree, &hash(&short), &phone(0)).await.unwrap(), Err(AccessError::CodeWithdrawn));

        let device = store.redeem_code(&tree, &hash(&kept), &phone(1)).await.unwrap().unwrap();
        let stored = store.device(&device.device).await.unwrap().unwrap();
        assert_eq!((stored.token_hash.as_str(), stored.summary.label.as_str()), ("token-hash-1", "Máy 1"));
        let synced = AuditEvent {
            at_ms: NOW + 10,
            unit: device.scope.clone(),
            actor: Some(device.device.clone()),
            what: AuditWhat::Synced { device: device.device.clone(), changed: 3, unchanged: 0 },
        };
        let day = domain::limits::day_of(NOW);
        assert!(store.charge_sync(&device.device, day, 3, 10, NOW + 10, None, 0).await.unwrap());
        store.file_event(&tree, &synced).await.unwrap();
        assert!(store.charge_sync(&device.device, day, 7, 10, NOW + 11, None, 0).await.unwrap(), "up to the quota");
        assert!(!store.charge_sync(&device.device, day, 1, 10, NOW + 12, None, 0).await.unwrap(), "over the quota");
        assert!(store.charge_sync(&device.device, day + 1, 10, 10, NOW + 11, None, 0).await.unwrap(), "a new day");
        assert!(!store.charge_sync(&device.device, day + 1, 1, 10, NOW + 11, None, 0).await.unwrap());
        let mut counts = vec![];
        for _ in 0..3 {
            counts.push(store.count_attempt("join#10.0.0.1", 5_000, 9_000).await.unwrap());
        }
        counts.push(store.count_attempt("join#10.0.0.1", 9_000, 13_000).await.unwrap());
        counts.push(store.count_attempt("join#10.0.0.2", 9_000, 13_000).await.unwrap());
        assert_eq!(counts, [1, 2, 3, 1, 1], "a count per key and window");
        let revocation = |at_ms| AuditEvent {
            at_ms,
            unit: device.scope.clone(),
            actor: None,
            what: AuditWhat::Revoked { device: device.device.clone() },
        };
        let revoked = store.revoke_device(&tree, &device.device, &revocation(NOW + 20)).await.unwrap().unwrap();
        assert_eq!((revoked.revoked_at_ms, revoked.last_sync_ms), (Some(NOW + 20), Some(NOW + 11)));
        let again = store.revoke_device(&tree, &device.device, &revocation(NOW + 30)).await.unwrap().unwrap();
        assert_eq!(again.revoked_at_ms, Some(NOW + 20), "the first revocation's time stays");
        let unknown = DeviceId::new("d-unknown").unwrap();
        assert_eq!(store.revoke_device(&tree, &unknown, &revocation(NOW + 30)).await.unwrap(), None);
        assert_eq!(store.device(&unknown).await.unwrap(), None);

        let trail = store.audit(&UnitId::new("p-nguyen-thi-minh-khai").unwrap(), 100).await.unwrap();
        let kinds: Vec<&str> = trail
            .iter()
            .map(|e| match e.what {
                AuditWhat::CodeIssued { .. } => "issued",
                AuditWhat::CodeWithdrawn { .. } => "withdrawn",
                AuditWhat::Enrolled { .. } => "enrolled",
                AuditWhat::Revoked { .. } => "revoked",
                AuditWhat::Synced { .. } => "synced",
                AuditWhat::Voided { .. } => "voided",
                AuditWhat::Succeeded { .. } => "succeeded",
                AuditWhat::AreaChanged { .. } => "area",
                AuditWhat::ModelStep { .. } => "model",
                AuditWhat::HonourRecorded { .. } | AuditWhat::HonourWithdrawn { .. } => "honour",
                AuditWhat::SheetSet { .. } => "sheet",
                AuditWhat::UnitsLoaded { .. } => "units",
                AuditWhat::CatalogueChanged { .. } => "catalogue",
            })
            .collect();
        assert_eq!(
            kinds,
            ["revoked", "withdrawn", "enrolled", "issued", "issued"],
            "a sync is filed under its area only"
        );
        let area_trail = store.audit(&device.scope, 100).await.unwrap();
        assert!(matches!(area_trail[1].what, AuditWhat::Synced { changed: 3, .. }), "{area_trail:?}");
        assert_eq!(store.audit(&UnitId::new("tp-bac-kan").unwrap(), 2).await.unwrap().len(), 2);
    }
}
pub use access::{
    a_device_is_succeeded_once_and_its_cells_handed_over, a_voided_device_counts_for_nothing_at_every_level,
    codes_and_devices_change_once_and_leave_a_trail, phones_racing_for_a_code_get_exactly_its_uses,
};

/// A ward's change of an area is filed once by its id, with its audit event; the tree
/// loaded afresh has every change applied, in the order they took effect.
pub async fn changes_of_areas_are_filed_once_and_shape_the_tree(store: &impl Store) {
    use domain::enrol::{AuditEvent, AuditWhat};
    use domain::{AreaChange, AreaEvent, AreaRecord, EventId};
    let tree = load_tree(store).await.unwrap();
    let id = |s: &str| UnitId::new(s).unwrap();
    let day = |s: &str| s.parse::<Date>().unwrap();
    let record = |n: u64, effective: &str, change: AreaChange| AreaRecord {
        event: AreaEvent {
            id: EventId::new(format!("e-{n}")).unwrap(),
            area: id("kdc-moi"),
            effective: day(effective),
            change,
        },
        by: DeviceId::new("d-officer").unwrap(),
        at_ms: 1_000 + n,
    };
    let audit = |r: &AreaRecord| AuditEvent {
        at_ms: r.at_ms,
        unit: id("x-xuat-hoa"),
        actor: Some(r.by.clone()),
        what: AuditWhat::AreaChanged { event: r.event.clone() },
    };
    let created = record(1, "2026-01-01", AreaChange::Create { parent: id("x-xuat-hoa"), name: "Thôn Mới".into() });
    // Filed out of the order they take effect: the close before the rename.
    let closed = record(2, "2027-01-01", AreaChange::Close);
    let renamed = record(3, "2026-06-01", AreaChange::Rename { name: "Thôn Mới Lập".into() });
    for r in [&created, &closed, &renamed] {
        assert_eq!(store.file_area_event(&tree, r, &audit(r)).await.unwrap(), *r);
    }
    // GIVEN a repeat, and the same id for another change, THEN the first record stands.
    assert_eq!(store.file_area_event(&tree, &created, &audit(&created)).await.unwrap(), created);
    let other = AreaRecord { at_ms: 9_999, ..record(1, "2026-02-01", AreaChange::Close) };
    assert_eq!(store.file_area_event(&tree, &other, &audit(&other)).await.unwrap(), created);
    assert_eq!(store.area_event(&created.event.id).await.unwrap(), Some(created.clone()));
    assert_eq!(store.area_event(&EventId::new("e-none").unwrap()).await.unwrap(), None);
    let mut filed = store.area_events().await.unwrap();
    filed.sort_by_key(|r| r.at_ms);
    assert_eq!(filed, [created.clone(), closed, renamed]);

    let fresh = load_tree(store).await.unwrap();
    let area = fresh.get(&id("kdc-moi")).unwrap();
    assert_eq!(area.name, "Thôn Mới Lập");
    assert_eq!((area.valid_from, area.valid_to), (Some(day("2026-01-01")), Some(day("2026-12-31"))));
    assert_eq!(fresh.self_and_ancestors(&area.id), [id("kdc-moi"), id("x-xuat-hoa"), id("tp-bac-kan")]);
    let trail = store.audit(&id("tp-bac-kan"), 100).await.unwrap();
    let filed_changes = trail.iter().filter(|e| matches!(e.what, AuditWhat::AreaChanged { .. })).count();
    assert_eq!(filed_changes, 3, "each change once, under the commune and the province");
}

/// A model's step is filed once by its id, with its audit event, and only on the state it
/// was checked against: a step checked before another one landed is told to check again.
pub async fn steps_of_models_are_filed_once_on_the_state_they_were_checked_against(store: &impl Store) {
    use domain::enrol::{AuditEvent, AuditWhat};
    use domain::{EventId, ModelEvent, ModelId, ModelRecord, ModelStep, Role};
    use functions::store::Filing;
    let tree = load_tree(store).await.unwrap();
    let model = ModelId::new("mh-to11").unwrap();
    let record = |n: u64, seq: usize, step: ModelStep| ModelRecord {
        event: ModelEvent {
            id: EventId::new(format!("e-{n}")).unwrap(),
            model: model.clone(),
            day: Date::new(2026, 3, n as u8).unwrap(),
            step,
            note: String::new(),
        },
        by: DeviceId::new("d-officer").unwrap(),
        role: Role::WardOfficer,
        at_ms: 1_000 + n,
        seq,
    };
    let audit = |r: &ModelRecord| AuditEvent {
        at_ms: r.at_ms,
        unit: UnitId::new("ntmk-to-11").unwrap(),
        actor: Some(r.by.clone()),
        what: AuditWhat::ModelStep { event: r.event.clone() },
    };
    let unit = UnitId::new("ntmk-to-11").unwrap();
    let registered = record(1, 0, ModelStep::Register { unit, content: 3, name: "Đường hoa".into() });
    let inspected = record(2, 1, ModelStep::Inspect);
    let passed = record(3, 2, ModelStep::Pass);
    let failed = record(4, 2, ModelStep::Fail);
    assert_eq!(store.file_model_step(&tree, &registered, &audit(&registered)).await.unwrap(), Filing::Filed);
    assert_eq!(store.file_model_step(&tree, &inspected, &audit(&inspected)).await.unwrap(), Filing::Filed);
    // GIVEN a repeat, THEN the first record stands and nothing is written
    let repeat = ModelRecord { at_ms: 9_999, ..inspected.clone() };
    assert_eq!(
        store.file_model_step(&tree, &repeat, &audit(&repeat)).await.unwrap(),
        Filing::Earlier(inspected.clone())
    );
    // GIVEN two verdicts checked against the inspected model, THEN only the first lands
    assert_eq!(store.file_model_step(&tree, &passed, &audit(&passed)).await.unwrap(), Filing::Filed);
    assert_eq!(store.file_model_step(&tree, &failed, &audit(&failed)).await.unwrap(), Filing::Moved);
    let mut filed = store.steps_of(&model).await.unwrap();
    filed.sort_by_key(|r| r.at_ms);
    assert_eq!(filed, [registered.clone(), inspected, passed]);
    assert_eq!(store.model_steps().await.unwrap().len(), 3);
    assert!(store.steps_of(&ModelId::new("mh-to").unwrap()).await.unwrap().is_empty(), "no prefix match");
    let trail = store.audit(&UnitId::new("tp-bac-kan").unwrap(), 100).await.unwrap();
    let filed_steps = trail.iter().filter(|e| matches!(e.what, AuditWhat::ModelStep { .. })).count();
    assert_eq!(filed_steps, 3, "each step once, up to the province");
}

/// A record of an honour is filed once by its id, with its audit event; withdrawn once,
/// kept.
pub async fn honours_are_filed_once_and_withdrawn_once(store: &impl Store) {
    use domain::enrol::{AuditEvent, AuditWhat};
    use domain::honour::{Decision, HonourKind, Withdrawal};
    use domain::{EventId, Honour, HonourRecord};
    let tree = load_tree(store).await.unwrap();
    let unit = UnitId::new("ntmk-to-11").unwrap();
    let honour = Honour {
        id: EventId::new("h-1").unwrap(),
        unit: unit.clone(),
        kind: HonourKind::CulturalArea { year: 2025 },
        decision: Decision {
            number: "125/QĐ-UBND".into(),
            day: Date::new(2025, 11, 20).unwrap(),
            issuer: "UBND phường".into(),
        },
    };
    let record =
        HonourRecord { honour: honour.clone(), by: DeviceId::new("d-officer").unwrap(), at_ms: 1_000, withdrawn: None };
    let audit = |what| AuditEvent { at_ms: 1_000, unit: unit.clone(), actor: None, what };
    let recorded = audit(AuditWhat::HonourRecorded { honour: honour.clone() });
    assert_eq!(store.file_honour(&tree, &record, &recorded).await.unwrap(), record);
    let again = HonourRecord { at_ms: 2_000, ..record.clone() };
    assert_eq!(store.file_honour(&tree, &again, &recorded).await.unwrap(), record, "the first stands");
    assert_eq!(store.honours().await.unwrap(), std::slice::from_ref(&record));
    let withdrawal = Withdrawal { by: DeviceId::new("d-officer").unwrap(), at_ms: 3_000 };
    let withdrawn = audit(AuditWhat::HonourWithdrawn { id: honour.id.clone() });
    let after = store.withdraw_honour(&tree, &honour.id, &withdrawal, &withdrawn).await.unwrap().unwrap();
    assert_eq!(after.withdrawn, Some(withdrawal.clone()));
    let later = Withdrawal { at_ms: 4_000, ..withdrawal.clone() };
    let twice = store.withdraw_honour(&tree, &honour.id, &later, &withdrawn).await.unwrap().unwrap();
    assert_eq!(twice.withdrawn, Some(withdrawal), "the first withdrawal stands");
    assert_eq!(store.honour(&honour.id).await.unwrap(), Some(after));
    let unknown = EventId::new("h-none").unwrap();
    assert_eq!(store.withdraw_honour(&tree, &unknown, &later, &withdrawn).await.unwrap(), None);
    let trail = store.audit(&UnitId::new("tp-bac-kan").unwrap(), 100).await.unwrap();
    let filed = trail
        .iter()
        .filter(|e| matches!(e.what, AuditWhat::HonourRecorded { .. } | AuditWhat::HonourWithdrawn { .. }))
        .count();
    assert_eq!(filed, 2, "recorded once, withdrawn once");
}

/// A scoring sheet is filed once by its id, with its audit event; a second sheet under the
/// id leaves the first.
pub async fn sheets_are_filed_once(store: &impl Store) {
    use domain::enrol::{AuditEvent, AuditWhat};
    use domain::{EventId, ScoringSheet, SheetRecord};
    let tree = load_tree(store).await.unwrap();
    let unit = UnitId::new("tp-bac-kan").unwrap();
    let sheet = ScoringSheet::khu_dan_cu_van_minh(EventId::new("pc-1").unwrap(), unit.clone());
    let record = SheetRecord { sheet: sheet.clone(), by: DeviceId::new("d-city").unwrap(), at_ms: 1_000 };
    let audit = AuditEvent { at_ms: 1_000, unit: unit.clone(), actor: None, what: AuditWhat::SheetSet { sheet } };
    assert_eq!(store.file_sheet(&tree, &record, &audit).await.unwrap(), record);
    let mut other = SheetRecord { at_ms: 2_000, ..record.clone() };
    other.sheet.pass_mark = 70;
    assert_eq!(store.file_sheet(&tree, &other, &audit).await.unwrap(), record, "the first stands");
    assert_eq!(store.sheets().await.unwrap(), std::slice::from_ref(&record));
    let trail = store.audit(&unit, 100).await.unwrap();
    assert_eq!(trail.iter().filter(|e| matches!(e.what, AuditWhat::SheetSet { .. })).count(), 1, "filed once");
}
