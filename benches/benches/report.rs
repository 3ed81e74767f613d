//! A whole province's yearly report through the API router over the embedded store:
//! 100 communes of 15 residential areas, each area with a year of entries (10 amounts a
//! month, its households every month, its festival), and 3.000 models registered, 2.000
//! of them inspected and 1.000 accepted. Budget (DESIGN.md §5, issue 12): the report with
//! its models ≤ 50 ms; the same report as an Excel workbook (with the year before beside
//! it) ≤ 1 s.
//! Run with `cargo xtask bench`.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use criterion::{Criterion, criterion_group, criterion_main};
use domain::{
    Bucket, Catalogue, CounterCell, DeviceId, Hlc, IndicatorId, Month, PROTOCOL, RegisterCell, RegisterKey,
    RegisterState, RegisterValue, Stamp, SyncRequest, UnitId, UnitTree,
};
use functions::store::{EmbeddedStore, TallyStore};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// One area's year: 10 counter indicators × 12 months, households per month, the festival.
fn year_of(area: &UnitId, counters: &[IndicatorId], n: usize) -> SyncRequest {
    let device = DeviceId::new(format!("phone-{n}")).unwrap();
    let months = (1..=12).map(|m| Month::new(2025, m).unwrap());
    let counters = months
        .clone()
        .flat_map(|month| {
            counters.iter().map(move |indicator| CounterCell {
                area: area.clone(),
                indicator: indicator.clone(),
                month,
                inc: 10 + n as u64,
                dec: 0,
            })
        })
        .collect();
    let stamp = Stamp { hlc: Hlc { wall: 1_700_000_000_000, n: 0 }, device: device.clone() };
    let register = |indicator: &str, bucket, value| {
        let key = RegisterKey { area: area.clone(), indicator: IndicatorId::new(indicator).unwrap(), bucket };
        RegisterCell::new(&key, &RegisterState { value, stamp: stamp.clone() })
    };
    let mut registers: Vec<RegisterCell> =
        months.map(|m| register("so_ho", Bucket::Month(m), RegisterValue::Level(100 + u64::from(m.month())))).collect();
    registers.push(register("ngay_hoi_ddk", Bucket::Year(2025), RegisterValue::Flag(n.is_multiple_of(3))));
    SyncRequest { protocol: PROTOCOL, device, entries: 0, counters, registers }
}

fn province_report(c: &mut Criterion) {
    let (tree, catalogue) = (UnitTree::sample_province(100, 15), Catalogue::standard());
    let counters: Vec<IndicatorId> = catalogue.counter_ids().take(10).cloned().collect();
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(&dir.path().join("province.redb")).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let router = runtime.block_on(async {
        for (n, area) in tree.units().filter(|u| u.is_area()).enumerate() {
            let request = year_of(&area.id, &counters, n);
            request.validate(&tree, &catalogue).expect("bench request is valid");
            store.apply_sync(&tree, &request).await.unwrap().unwrap();
        }
        file_models(&store, &tree).await;
        let now = functions::api::system_clock()();
        let role = domain::Role::ProvinceAdmin;
        let admin = functions::enrolment::enrol(&store, &tree, role, "tinh-mau", "Quản trị", now).await.unwrap();
        let state = functions::AppState::new(store, tree.clone(), catalogue.clone());
        (functions::api_router(std::sync::Arc::new(state)), admin.token)
    });
    let (router, token) = router;
    let (router, token) = (&router, &token);
    let get = move |path: &'static str| async move {
        let request =
            Request::get(path).header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.into_body().collect().await.unwrap().to_bytes()
    };
    let body = runtime.block_on(get("/api/v1/units/tinh-mau/report?period=2025"));
    let report: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(report["unit"]["figures"]["so_ho"]["level"]["reporting"], 1_500);
    assert_eq!(report["children"].as_array().unwrap().len(), 100);
    c.bench_function("province report, 1500 areas x 1 year (embedded store, through the router)", |b| {
        b.to_async(&runtime).iter(|| get("/api/v1/units/tinh-mau/report?period=2025"))
    });
    let body = runtime.block_on(get("/api/v1/units/tinh-mau/models?period=2025"));
    let models: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(models["unit"]["counts"]["registered"], 3_000);
    assert_eq!(models["unit"]["counts"]["passed"], 1_000);
    c.bench_function("province models, 3000 models of 1500 areas (embedded store, through the router)", |b| {
        b.to_async(&runtime).iter(|| get("/api/v1/units/tinh-mau/models?period=2025"))
    });
    let workbook = runtime.block_on(get("/api/v1/units/tinh-mau/report.xlsx?period=2025"));
    assert_eq!(&workbook[..2], b"PK");
    c.bench_function("province report as .xlsx, 100 communes (embedded store, through the router)", |b| {
        b.to_async(&runtime).iter(|| get("/api/v1/units/tinh-mau/report.xlsx?period=2025"))
    });
}

/// The same province's first half of 2025 entered under the map before a reorganisation (its ids
/// `cu-…`, ended on 30/6/2025), read under today's: each of today's communes carries on
/// one of before, today's province the old one, so a report of the first half of 2025
/// reads twice the rollups.
fn report_under_todays_map(c: &mut Criterion) {
    let catalogue = Catalogue::standard();
    let today = UnitTree::sample_province(100, 15);
    let last = domain::Date::new(2025, 6, 30).unwrap();
    let old_id = |id: &UnitId| UnitId::new(format!("cu-{id}")).unwrap();
    let mut units: Vec<domain::Unit> = today
        .units()
        .map(|u| domain::Unit {
            id: old_id(&u.id),
            parent: u.parent.as_ref().map(old_id),
            valid_to: Some(last),
            ..u.clone()
        })
        .collect();
    units.extend(
        today.units().filter(|u| !u.is_area()).map(|u| domain::Unit { succeeds: vec![old_id(&u.id)], ..u.clone() }),
    );
    let tree = UnitTree::new(units).unwrap();
    let counters: Vec<IndicatorId> = catalogue.counter_ids().take(10).cloned().collect();
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(&dir.path().join("history.redb")).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (router, token) = runtime.block_on(async {
        for (n, area) in tree.units().filter(|u| u.is_area()).enumerate() {
            let mut request = year_of(&area.id, &counters, n);
            request.counters.retain(|c| c.month.month() <= 6);
            request.registers.retain(|r| !matches!(r.bucket, Bucket::Month(m) if m.month() > 6));
            store.apply_sync(&tree, &request).await.unwrap().unwrap();
        }
        let now = functions::api::system_clock()();
        let role = domain::Role::ProvinceAdmin;
        let admin = functions::enrolment::enrol(&store, &tree, role, "tinh-mau", "Quản trị", now).await.unwrap();
        let state = functions::AppState::new(store, tree.clone(), catalogue.clone());
        (functions::api_router(std::sync::Arc::new(state)), admin.token)
    });
    let get = |path: &'static str| get(&router, &token, path);
    let body = runtime.block_on(get("/api/v1/units/tinh-mau/report?period=2025-H1"));
    let report: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        report["unit"]["figures"]["so_ho"]["level"]["reporting"], 1_500,
        "the old areas, read under today's map"
    );
    assert_eq!(report["children"].as_array().unwrap().len(), 100);
    c.bench_function("province report under today's map, 1500 areas before a merger (embedded store, router)", |b| {
        b.to_async(&runtime).iter(|| get("/api/v1/units/tinh-mau/report?period=2025-H1"))
    });
    // A commune of today's map lists the 15 areas of the commune it carries on.
    let body = runtime.block_on(get("/api/v1/units/xa-001/report?period=2025-H1"));
    let report: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(report["children"].as_array().unwrap().len(), 15, "the old commune's areas, as columns");
    c.bench_function("commune report under today's map, its 15 areas kept from before a merger (router)", |b| {
        b.to_async(&runtime).iter(|| get("/api/v1/units/xa-001/report?period=2025-H1"))
    });
}

/// The country's shape as one tree: a root over 34 provinces of 122 communes of 15
/// areas, 62.220 areas (the app has no national level yet: the root stands for the
/// Central Committee's reading of the whole country). Each area syncs one month of 10
/// amounts and its households; totals roll up on write through every level, so the
/// root's report reads its own rollups and its 34 provinces', not 62.220 areas.
fn national_report(c: &mut Criterion) {
    use domain::{Unit, UnitLevel};
    let catalogue = Catalogue::standard();
    let id = |s: String| UnitId::new(s).unwrap();
    let root = Unit::new(id("vn".into()), "Cả nước (mẫu)", UnitLevel::Province, None);
    let mut units = vec![root.clone()];
    for p in 1..=34 {
        let province =
            Unit::new(id(format!("t-{p:02}")), format!("Tỉnh {p}"), UnitLevel::District, Some(root.id.clone()));
        units.push(province.clone());
        for x in 1..=122 {
            let commune = Unit::new(
                id(format!("{}-x{x:03}", province.id)),
                format!("Xã {x}"),
                UnitLevel::Commune,
                Some(province.id.clone()),
            );
            units.push(commune.clone());
            for a in 1..=15 {
                units.push(Unit::new(
                    id(format!("{}-{a:02}", commune.id)),
                    format!("Thôn {a}"),
                    UnitLevel::Area,
                    Some(commune.id.clone()),
                ));
            }
        }
    }
    let tree = UnitTree::new(units).unwrap();
    let counters: Vec<IndicatorId> = catalogue.counter_ids().take(10).cloned().collect();
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(&dir.path().join("country.redb")).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (router, token) = runtime.block_on(async {
        let areas: Vec<UnitId> = tree.units().filter(|u| u.is_area()).map(|u| u.id.clone()).collect();
        assert_eq!(areas.len(), 62_220);
        let tree = std::sync::Arc::new(tree.clone());
        // 64 phones at a time: their syncs share commits.
        for (chunk, batch) in areas.chunks(64).enumerate() {
            let mut syncs = tokio::task::JoinSet::new();
            for (i, area) in batch.iter().enumerate() {
                let mut request = year_of(area, &counters, chunk * 64 + i);
                request.counters.retain(|c| c.month.month() == 11);
                request.registers.retain(|r| matches!(r.bucket, Bucket::Month(m) if m.month() == 11));
                let (store, tree) = (store.clone(), tree.clone());
                syncs.spawn(async move { store.apply_sync(&tree, &request).await.unwrap().unwrap() });
            }
            syncs.join_all().await;
        }
        let now = functions::api::system_clock()();
        let role = domain::Role::ProvinceAdmin;
        let admin = functions::enrolment::enrol(&store, &tree, role, "vn", "Quản trị", now).await.unwrap();
        let state = functions::AppState::new(store, (*tree).clone(), catalogue.clone());
        (functions::api_router(std::sync::Arc::new(state)), admin.token)
    });
    let get = |path: &'static str| get(&router, &token, path);
    let body = runtime.block_on(get("/api/v1/units/vn/report?period=2025-11"));
    let report: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(report["unit"]["figures"]["so_ho"]["level"]["reporting"], 62_220);
    assert_eq!(report["unit"]["areas"], 62_220);
    assert_eq!(report["children"].as_array().unwrap().len(), 34);
    c.bench_function("national report, 62220 areas in 34 provinces (embedded store, through the router)", |b| {
        b.to_async(&runtime).iter(|| get("/api/v1/units/vn/report?period=2025-11"))
    });
    let body = runtime.block_on(get("/api/v1/units/t-01/report?period=2025-11"));
    let report: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(report["children"].as_array().unwrap().len(), 122);
    c.bench_function("a province of the country, 1830 areas (embedded store, through the router)", |b| {
        b.to_async(&runtime).iter(|| get("/api/v1/units/t-01/report?period=2025-11"))
    });
}

/// A GET through the router as `token`'s device; its body, once answered 200.
async fn get(router: &axum::Router, token: &str, path: &str) -> axum::body::Bytes {
    let request = Request::get(path).header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.into_body().collect().await.unwrap().to_bytes()
}

/// Two models in every area: each registered in March, one in two inspected in May, one
/// in three accepted in October.
async fn file_models(store: &EmbeddedStore, tree: &UnitTree) {
    use domain::enrol::{AuditEvent, AuditWhat};
    use domain::{Date, EventId, ModelEvent, ModelId, ModelRecord, ModelStep, Role};
    use functions::store::{Filing, ModelStore};
    let areas: Vec<UnitId> = tree.units().filter(|u| u.is_area()).map(|u| u.id.clone()).collect();
    let mut n = 0u64;
    for (i, area) in areas.iter().cycle().take(2 * areas.len()).enumerate() {
        let model = ModelId::new(format!("mh-{i}")).unwrap();
        let mut steps = vec![(
            3,
            ModelStep::Register { unit: area.clone(), content: (i % 5) as u8 + 1, name: format!("Mô hình {i}") },
        )];
        if i % 3 < 2 {
            steps.push((5, ModelStep::Inspect));
        }
        if i % 3 == 0 {
            steps.push((10, ModelStep::Pass));
        }
        for (known, (month, step)) in steps.into_iter().enumerate() {
            n += 1;
            let event = ModelEvent {
                id: EventId::new(format!("e-{n}")).unwrap(),
                model: model.clone(),
                day: Date::new(2025, month, 15).unwrap(),
                step,
                note: String::new(),
            };
            let by = DeviceId::new("d-officer").unwrap();
            let audit = AuditEvent {
                at_ms: n,
                unit: area.clone(),
                actor: Some(by.clone()),
                what: AuditWhat::ModelStep { event: event.clone() },
            };
            let record = ModelRecord { event, by, role: Role::WardOfficer, at_ms: n, seq: known };
            assert_eq!(store.file_model_step(tree, &record, &audit).await.unwrap(), Filing::Filed);
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = province_report, report_under_todays_map, national_report
}
criterion_main!(benches);
