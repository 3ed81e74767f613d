//! One store conformance suite, run against every store: the embedded one (a redb file)
//! and the DynamoDB one (against moto's DynamoDB server on 127.0.0.1, started here).

mod moto;
mod scenarios;

use functions::store::{DynamoStore, EmbeddedStore};

/// Runs each scenario against a fresh store made by `$make`.
macro_rules! conformance {
    ($store:ident, $make:expr) => {
        mod $store {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn the_tree_is_seeded_once() {
                let (store, _keep) = $make.await;
                scenarios::the_tree_is_seeded_once(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sheets_are_filed_once() {
                let (store, _keep) = $make.await;
                scenarios::sheets_are_filed_once(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn honours_are_filed_once_and_withdrawn_once() {
                let (store, _keep) = $make.await;
                scenarios::honours_are_filed_once_and_withdrawn_once(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn steps_of_models_are_filed_once_on_the_state_they_were_checked_against() {
                let (store, _keep) = $make.await;
                scenarios::steps_of_models_are_filed_once_on_the_state_they_were_checked_against(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn changes_of_areas_are_filed_once_and_shape_the_tree() {
                let (store, _keep) = $make.await;
                scenarios::changes_of_areas_are_filed_once_and_shape_the_tree(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn a_province_loads_from_the_dataset_once() {
                let (store, _keep) = $make.await;
                scenarios::a_province_loads_from_the_dataset_once(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn a_province_loaded_again_takes_the_datasets_changes() {
                let (store, _keep) = $make.await;
                scenarios::a_province_loaded_again_takes_the_datasets_changes(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn a_province_is_not_loaded_beside_the_demo() {
                let (store, _keep) = $make.await;
                scenarios::a_province_is_not_loaded_beside_the_demo(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn each_province_is_read_as_trees_of_its_own() {
                let (store, _keep) = $make.await;
                scenarios::each_province_is_read_as_trees_of_its_own(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn random_deliveries_give_the_reference_totals() {
                let (store, _keep) = $make.await;
                scenarios::random_deliveries_give_the_reference_totals(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn a_sync_larger_than_one_transaction_lands_exactly_once() {
                let (store, _keep) = $make.await;
                scenarios::a_sync_larger_than_one_transaction_lands_exactly_once(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn a_register_sync_larger_than_one_transaction_lands_exactly_once() {
                let (store, _keep) = $make.await;
                scenarios::a_register_sync_larger_than_one_transaction_lands_exactly_once(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn devices_stating_levels_in_parallel_end_with_exact_rollups() {
                let (store, _keep) = $make.await;
                scenarios::devices_stating_levels_in_parallel_end_with_exact_rollups(store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn phones_racing_for_a_code_get_exactly_its_uses() {
                let (store, _keep) = $make.await;
                scenarios::phones_racing_for_a_code_get_exactly_its_uses(store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn a_voided_device_counts_for_nothing_at_every_level() {
                let (store, _keep) = $make.await;
                scenarios::a_voided_device_counts_for_nothing_at_every_level(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn codes_and_devices_change_once_and_leave_a_trail() {
                let (store, _keep) = $make.await;
                scenarios::codes_and_devices_change_once_and_leave_a_trail(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn older_states_of_a_device_come_back_ahead() {
                let (store, _keep) = $make.await;
                scenarios::older_states_of_a_device_come_back_ahead(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn a_device_is_succeeded_once_and_its_cells_handed_over() {
                let (store, _keep) = $make.await;
                scenarios::a_device_is_succeeded_once_and_its_cells_handed_over(&store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn devices_syncing_in_parallel_end_with_exact_totals() {
                let (store, _keep) = $make.await;
                scenarios::devices_syncing_in_parallel_end_with_exact_totals(store).await;
            }
        }
    };
}

async fn embedded() -> (EmbeddedStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (EmbeddedStore::open(&dir.path().join("conformance.redb")).unwrap(), dir)
}

async fn dynamodb() -> (DynamoStore, ()) {
    (moto::fresh_table().await, ())
}

async fn dynamodb_with_faults() -> (DynamoStore, ()) {
    (moto::faulty_table().await, ())
}

conformance!(embedded_store, embedded());
conformance!(dynamodb_store, dynamodb());
// Throttling, conflicting transactions and lost answers change no total.
conformance!(dynamodb_store_with_faults, dynamodb_with_faults());

/// What a sync costs on DynamoDB, in capacity units computed from item sizes (the cost
/// model of BENCHMARKS.md rests on these figures).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capacity_units_per_sync_on_dynamodb() {
    let store = moto::fresh_table().await;
    let steps = scenarios::capacity_units_per_sync(&store, || store.consumed()).await;
    for (name, c) in ["first sync", "repeat", "ward report", "a level stated"].iter().zip(steps) {
        eprintln!(
            "{name}: counted {} read / {} write units; moto reported {} / {}",
            c.reads, c.writes, c.reported_reads, c.reported_writes
        );
    }
}

/// A province report reads two ranges per unit (its totals for the period, its register
/// rollups up to the period's end), whatever the number of areas below: for 100 communes
/// of 15 areas, 101 units, not 1.500 areas.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_province_report_reads_two_ranges_per_unit_on_dynamodb() {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use domain::{Catalogue, Date, DeviceId, IndicatorId, Ledger, UnitTree};
    use functions::store::TallyStore;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    let store = moto::fresh_table().await;
    let (tree, catalogue) = (UnitTree::sample_province(100, 15), Catalogue::standard());
    // The tree is given, not stored, and only 10 communes have data: moto copies the
    // whole table on each transaction.
    let state = functions::AppState::new(store.clone(), tree.clone(), catalogue.clone());
    let router = functions::api_router(std::sync::Arc::new(state));
    // One area of each of 10 communes syncs a day's work: 10 amounts, its households, its festival.
    let day = Date::new(2025, 11, 18).unwrap();
    let counters: Vec<_> = catalogue.counter_ids().take(10).collect();
    for commune in tree.children(&domain::UnitId::new("tinh-mau").unwrap()).take(10) {
        let area = &tree.areas_under(&commune.id)[0];
        let mut phone = Ledger::new(DeviceId::new(format!("phone-{}", commune.id)).unwrap());
        for indicator in &counters {
            phone.add_amount(&catalogue, &tree, area, indicator, day, 5, "", 1).unwrap();
        }
        phone.set_level(&catalogue, &tree, area, &IndicatorId::new("so_ho").unwrap(), day, 120, "", 2).unwrap();
        phone.set_flag(&catalogue, &tree, area, &IndicatorId::new("ngay_hoi_ddk").unwrap(), day, true, "", 3).unwrap();
        store.apply_sync(&tree, &phone.outbox()).await.unwrap().unwrap();
    }
    let admin = enrol_admin(&store, &tree, "tinh-mau").await;
    let before = store.consumed();
    let request = Request::get("/api/v1/units/tinh-mau/report?period=2025")
        .header("authorization", format!("Bearer {admin}"))
        .body(Body::empty())
        .unwrap();
    let response = router.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let report: serde_json::Value =
        serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    let spent = store.consumed() - before;
    let figures = &report["unit"]["figures"];
    assert_eq!(figures["so_ho"]["level"], serde_json::json!({"total": 1_200, "reporting": 10, "areas": 1_500}));
    assert_eq!(figures["ngay_hoi_ddk"]["flag"], serde_json::json!({"yes": 10, "answered": 10, "of": 1_500}));
    assert_eq!(report["children"].as_array().unwrap().len(), 100);
    // The caller's device record (one strongly consistent read of a small item), the
    // province's catalogue (one query, none filed), then 101 units × 2 eventually
    // consistent queries of small items × half a unit.
    assert_eq!((spent.reads, spent.writes), (1.0 + 1.0 + 101.0, 0));
    eprintln!("province report: counted {} read units; moto reported {}", spent.reads, spent.reported_reads);
}

/// Enrols a province administrator at `unit` and returns its token.
async fn enrol_admin(store: &impl functions::store::Store, tree: &domain::UnitTree, unit: &str) -> String {
    let now = 1_795_600_000_000;
    let role = domain::Role::ProvinceAdmin;
    functions::enrolment::enrol(store, tree, role, unit, "Quản trị", now).await.unwrap().token
}

/// What a volunteer's daily sync costs through the API with its token check: the device
/// record read, the sync itself, and noting it (the quota and last sync, the audit event under its area).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_through_the_api_costs_on_dynamodb() {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use domain::{Catalogue, Date, Ledger};
    use tower::ServiceExt;

    let store = moto::fresh_table().await;
    let tree = functions::store::load_tree(&store).await.unwrap();
    let catalogue = Catalogue::standard();
    let area = domain::UnitId::new("ntmk-to-11").unwrap();
    let now = functions::api::system_clock()();
    let role = domain::Role::Volunteer;
    let phone = functions::enrolment::enrol(&store, &tree, role, area.as_str(), "Trưởng ban Tổ 11", now).await.unwrap();
    let router = functions::api_router(std::sync::Arc::new(functions::AppState::new(
        store.clone(),
        tree.clone(),
        catalogue.clone(),
    )));
    // A day's work: ten amounts of one area in one month.
    let mut ledger = Ledger::new(phone.device.clone());
    let day = Date::new(2025, 11, 18).unwrap();
    for indicator in catalogue.counter_ids().take(10) {
        ledger.add_amount(&catalogue, &tree, &area, indicator, day, 5, "", 1).unwrap();
    }
    let mut spent = vec![];
    for round in 0..2 {
        if round == 1 {
            for indicator in catalogue.counter_ids().take(10) {
                ledger.add_amount(&catalogue, &tree, &area, indicator, day, 3, "", 2).unwrap();
            }
        }
        let request = ledger.outbox();
        let before = store.consumed();
        let http = Request::post("/api/v1/sync")
            .header("authorization", format!("Bearer {}", phone.token))
            .header("content-type", "application/json")
            .body(Body::from(serde_json::to_vec(&request).unwrap()))
            .unwrap();
        assert_eq!(router.clone().oneshot(http).await.unwrap().status(), StatusCode::OK);
        ledger.acknowledge(&request);
        let cost = store.consumed() - before;
        eprintln!(
            "sync {round} through the API: {} read / {} write units; moto reported {} / {}",
            cost.reads, cost.writes, cost.reported_reads, cost.reported_writes
        );
        spent.push((cost.reads, cost.writes));
    }
    // Reads: the device record and the cell item (strongly consistent, one unit each);
    // an instance's first sync also reads its province's catalogue (one query, kept for
    // `TREE_MAX_AGE_MS`). Writes: the cell item and 3 totals items in a transaction (2
    // units each), the quota and last-sync update, and the audit event under the area.
    assert_eq!(spent, [(3.0, 8 + 1 + 1), (2.0, 8 + 1 + 1)]);
}

/// What a ward's merge of two areas costs on DynamoDB, through the API: no total moves
/// (the successor carries the merged area on), so the write is the event and its audit
/// entries; the reads are the tree, loaded again before and after the change (a Lambda
/// instance must see every other instance's changes), which grow with the stored tree.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merge_of_two_areas_costs_on_dynamodb() {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use domain::{Catalogue, Role};
    use tower::ServiceExt;

    let store = moto::fresh_table().await;
    let tree = functions::store::load_tree(&store).await.unwrap();
    let now = functions::api::system_clock()();
    let ward = "p-nguyen-thi-minh-khai";
    let officer = functions::enrolment::enrol(&store, &tree, Role::WardOfficer, ward, "Cán bộ", now).await.unwrap();
    let state = functions::AppState::new(store.clone(), tree.clone(), Catalogue::standard());
    let router = functions::api_router(std::sync::Arc::new(state));
    let merge = serde_json::json!({ "id": "e-merge", "area": "ntmk-to-11", "effective": "2026-07-01",
                                    "change": { "kind": "merge", "into": "ntmk-to-13" } });
    let before = store.consumed();
    let request = Request::post("/api/v1/areas")
        .header("authorization", format!("Bearer {}", officer.token))
        .header("content-type", "application/json")
        .body(Body::from(merge.to_string()))
        .unwrap();
    assert_eq!(router.oneshot(request).await.unwrap().status(), StatusCode::OK);
    let cost = store.consumed() - before;
    eprintln!(
        "a merge through the API ({} units stored): {} read / {} write units; moto reported {} / {}",
        tree.units().count(),
        cost.reads,
        cost.writes,
        cost.reported_reads,
        cost.reported_writes
    );
    // Reads: the caller's device record and the event id looked up (1 unit each), the
    // ward's tree (units, area events: two small queries) loaded before and after.
    // Writes: the event (by its tree and by its id) and its audit entries under the area,
    // the ward and the city, in one transaction (2 units each).
    assert_eq!((cost.reads, cost.writes), (2.0 + 2.0 * 2.0, 5 * 2));
}

/// A Lambda instance starts reading nothing, and its first request reads the trees its
/// caller needs, never the country: with Thái Nguyên and Hà Nội stored, a Thái Nguyên
/// commune officer's first report reads Thái Nguyên's three trees (today's province, and
/// the two merged into it on 1/7/2025), and a Hà Nội officer's then Hà Nội's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cold_start_reads_its_callers_province_only_on_dynamodb() {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use domain::Role;
    use domain::dataset::Dataset;
    use functions::store::{load_province, stored_tree};
    use tower::ServiceExt;

    let store = moto::fresh_table().await;
    let dataset = Dataset::bundled().unwrap();
    for name in ["Thái Nguyên", "Hà Nội"] {
        load_province(&store, &dataset, name).await.unwrap();
    }
    let all = stored_tree(&store).await.unwrap().unwrap();
    let officer_of = async |province: &str| {
        let today = &dataset.province_today(province).unwrap()[1].unit;
        let role = Role::WardOfficer;
        let now = functions::api::system_clock()();
        let enrolled = functions::enrolment::enrol(&store, &all, role, today.id.as_str(), "Cán bộ", now).await;
        (today.id.clone(), enrolled.unwrap().token)
    };
    let (commune, token) = officer_of("Thái Nguyên").await;
    let (hanoi_ward, hanoi_token) = officer_of("Hà Nội").await;

    // WHEN an instance starts, and serves a Thái Nguyên officer's report
    let before = store.consumed();
    let state = functions::app_state(store.clone(), false).await.unwrap();
    assert_eq!(state.tree().await.unwrap().units().count(), 0, "nothing read at start");
    let router = functions::api_router(state.clone());
    let report = |unit: &domain::UnitId, token: &str| {
        Request::get(format!("/api/v1/units/{unit}/report?period=2025"))
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    let response = router.clone().oneshot(report(&commune, &token)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let first = store.consumed() - before;

    // THEN it knows Thái Nguyên's history, and nothing of Hà Nội
    let thai_nguyen = dataset.province("Thái Nguyên").unwrap().len();
    let known = state.tree().await.unwrap();
    assert_eq!(known.units().count(), thai_nguyen);
    assert!(known.get(&hanoi_ward).is_err());

    // AND a Hà Nội officer's request reads Hà Nội's trees beside them
    let response = router.oneshot(report(&hanoi_ward, &hanoi_token)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let known = state.tree().await.unwrap();
    assert_eq!(known.units().count(), thai_nguyen + dataset.province("Hà Nội").unwrap().len());
    assert_eq!(known.units().count(), all.units().count());

    let whole = store.consumed();
    stored_tree(&store).await.unwrap();
    let whole = store.consumed() - whole;
    eprintln!(
        "cold start, first report of a Thái Nguyên commune: {} read units ({} units known); the whole store's tree: {}",
        first.reads, thai_nguyen, whole.reads
    );
    assert!(first.reads < whole.reads, "{} < {}", first.reads, whole.reads);
}

/// A table written by a build before the trees were kept apart (every unit in one `UNITS`
/// partition, every change of an area in one `AREAS` partition) is moved to a tree a
/// partition once, by `sotay-local` before its command: the same units and changes after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_of_the_old_layout_is_moved_to_one_tree_a_partition() {
    use aws_sdk_dynamodb::types::AttributeValue;
    use domain::{AreaChange, AreaEvent, AreaRecord, DeviceId, EventId, UnitId, UnitTree};
    use functions::store::UnitStore;

    let store = moto::fresh_table().await;
    let table = store.table().to_string();
    let client = moto::client();
    let demo: Vec<domain::Unit> = UnitTree::demo().units().cloned().collect();
    let put = |pk: &str, sk: String, name: &str, value: String| {
        let item = client
            .put_item()
            .table_name(&table)
            .item("pk", AttributeValue::S(pk.into()))
            .item("sk", AttributeValue::S(sk))
            .item(name, AttributeValue::S(value));
        async move { item.send().await.unwrap() }
    };
    // GIVEN the demo units and a new thôn as an older build stored them
    for (position, unit) in demo.iter().enumerate() {
        put("UNITS", format!("{position:08}"), "unit", serde_json::to_string(unit).unwrap()).await;
    }
    let created = AreaRecord {
        event: AreaEvent {
            id: EventId::new("e-old").unwrap(),
            area: UnitId::new("kdc-cu").unwrap(),
            effective: "2026-01-01".parse().unwrap(),
            change: AreaChange::Create { parent: UnitId::new("x-xuat-hoa").unwrap(), name: "Thôn Cũ".into() },
        },
        by: DeviceId::new("d-officer").unwrap(),
        at_ms: 1_000,
    };
    let split = AreaRecord {
        event: AreaEvent {
            id: EventId::new("e-old-split").unwrap(),
            area: UnitId::new("kdc-cu").unwrap(),
            effective: "2026-03-01".parse().unwrap(),
            change: AreaChange::Split {
                parts: ["Thôn Cũ Một", "Thôn Cũ Hai"]
                    .iter()
                    .enumerate()
                    .map(|(n, name)| domain::AreaPart {
                        id: UnitId::new(format!("kdc-cu-{n}")).unwrap(),
                        name: name.to_string(),
                    })
                    .collect(),
            },
        },
        by: DeviceId::new("d-officer").unwrap(),
        at_ms: 2_000,
    };
    let old_changes = [&created, &split];
    for record in old_changes {
        put("AREAS", record.event.id.to_string(), "record", serde_json::to_string(record).unwrap()).await;
    }

    // WHEN it is moved, twice
    assert_eq!(store.move_to_trees().await.unwrap(), demo.len() + 2);
    assert_eq!(store.move_to_trees().await.unwrap(), 0, "moved once");
    let root = store.root_of(&UnitId::new("x-xuat-hoa").unwrap()).await.unwrap();
    let mut filed = store.area_events().await.unwrap();
    filed.sort_by_key(|r| r.at_ms);
    assert_eq!(filed, [created.clone(), split.clone()]);
    assert_eq!(store.root_of(&UnitId::new("kdc-cu-1").unwrap()).await.unwrap(), root);

    // AND a move cut short after it deleted the old units' parents is taken up again:
    // the areas' changes and the leaves left behind land in the same trees
    for record in old_changes {
        put("AREAS", record.event.id.to_string(), "record", serde_json::to_string(record).unwrap()).await;
    }
    let leaves: Vec<_> = demo.iter().enumerate().filter(|(_, u)| u.is_area()).collect();
    for (position, unit) in &leaves {
        put("UNITS", format!("{position:08}"), "unit", serde_json::to_string(unit).unwrap()).await;
    }
    assert_eq!(store.move_to_trees().await.unwrap(), leaves.len() + 2);

    // THEN the units and the change are where this build reads them, and nothing is left behind
    let mut units = store.units().await.unwrap();
    units.sort_by(|a, b| a.id.cmp(&b.id));
    let mut expected = demo.clone();
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(units, expected);
    let mut filed = store.area_events().await.unwrap();
    filed.sort_by_key(|r| r.at_ms);
    assert_eq!(filed, [created.clone(), split.clone()], "each change once, in its tree");
    assert_eq!(store.area_event(&created.event.id).await.unwrap(), Some(created.clone()));
    for area in ["kdc-cu", "kdc-cu-0", "kdc-cu-1"] {
        assert_eq!(store.root_of(&UnitId::new(area).unwrap()).await.unwrap(), root, "{area}");
    }
    let tree = functions::store::stored_tree(&store).await.unwrap().unwrap();
    assert_eq!(tree.get(&UnitId::new("kdc-cu-1").unwrap()).unwrap().name, "Thôn Cũ Hai");
    let left = moto::items(&table).await;
    assert!(left.iter().all(|i| !i.contains("pk=S(\"UNITS\")") && !i.contains("pk=S(\"AREAS\")")), "{left:?}");
}
