//! A ward's change of an area through the API router over the embedded store (filed with
//! its audit event, then the tree loaded again), and loading the tree from the store (a
//! process's start, and every change): for a province (100 communes × 15 areas) and the
//! whole country's shape (3.400 communes × 18 areas ≈ 62.000). Run with `cargo xtask bench`.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use criterion::{Criterion, criterion_group, criterion_main};
use domain::UnitTree;
use functions::store::{EmbeddedStore, UnitStore, stored_tree};
use http_body_util::BodyExt;
use std::sync::atomic::{AtomicU64, Ordering};
use tower::ServiceExt;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// A store holding `tree`.
fn stored(runtime: &tokio::runtime::Runtime, tree: &UnitTree, dir: &tempfile::TempDir) -> EmbeddedStore {
    let store = EmbeddedStore::open(&dir.path().join("areas.redb")).unwrap();
    let units: Vec<_> = tree.units().cloned().collect();
    runtime.block_on(store.add_units(&units)).unwrap();
    store
}

fn tree_load(c: &mut Criterion) {
    let runtime = runtime();
    for (communes, areas) in [(100, 15), (3_400, 18)] {
        let tree = UnitTree::sample_province(communes, areas);
        let dir = tempfile::tempdir().unwrap();
        let store = stored(&runtime, &tree, &dir);
        let loaded = runtime.block_on(stored_tree(&store)).unwrap().unwrap();
        assert_eq!(loaded, tree);
        let name = format!("load the tree, {} areas (embedded store)", communes * areas);
        c.bench_function(&name, |b| b.to_async(&runtime).iter(|| async { stored_tree(&store).await.unwrap() }));
    }
}

fn area_change(c: &mut Criterion) {
    let runtime = runtime();
    let tree = UnitTree::sample_province(100, 15);
    let dir = tempfile::tempdir().unwrap();
    let store = stored(&runtime, &tree, &dir);
    let now = functions::api::system_clock()();
    let role = domain::Role::ProvinceAdmin;
    let admin =
        runtime.block_on(functions::enrolment::enrol(&store, &tree, role, "tinh-mau", "Quản trị", now)).unwrap();
    let state = std::sync::Arc::new(functions::AppState::new(store, tree, domain::Catalogue::standard()));
    let router = functions::api_router(state);
    let n = AtomicU64::new(0);
    let rename = || async {
        let n = n.fetch_add(1, Ordering::Relaxed);
        let body = serde_json::json!({ "id": format!("e-{n}"), "area": "xa-001-thon-01", "effective": "2026-01-01",
            "change": { "kind": "rename", "name": format!("Thôn số {n}") } });
        let request = Request::post("/api/v1/areas")
            .header("authorization", format!("Bearer {}", admin.token))
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.into_body().collect().await.unwrap().to_bytes()
    };
    c.bench_function("rename an area, 1500 areas (embedded store, through the router)", |b| {
        b.to_async(&runtime).iter(rename)
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = tree_load, area_change
}
criterion_main!(benches);
