//! A Lambda instance's cold start over DynamoDB (moto's server on 127.0.0.1, as the store
//! tests use it): a new `AppState` over a table, then its first request, a commune
//! officer's report of the year, through the router. Over a table holding one province
//! (Thái Nguyên with its history and 1.650 generated residential areas) and over one
//! holding the whole country (every province of the dataset, today's and before
//! 1/7/2025, 14.151 units, and 62.000 generated areas), beside what reading the whole
//! stored tree costs (what every instance did at start before). Prints min / median / max
//! of `COLD_RUNS` starts (default 7) and the read units counted. Run with
//! `cargo bench -p benches --bench cold_start` (needs moto: `cargo xtask test` installs it).

#[path = "../../functions/tests/store/moto.rs"]
#[allow(dead_code)]
mod moto;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use domain::dataset::Dataset;
use domain::{Role, Unit, UnitId, UnitLevel, UnitTree};
use functions::store::{DynamoStore, UnitStore, stored_tree};
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// Generated residential areas under every commune and ward of today's map in `units`,
/// `per` to each.
fn areas(units: &[Unit], per: usize) -> Vec<Unit> {
    let communes = units.iter().filter(|u| u.valid_to.is_none() && u.parent.is_some());
    communes
        .flat_map(|commune| {
            (1..=per).map(move |n| {
                let id = UnitId::new(format!("kdc-{}-{n:02}", commune.id)).unwrap();
                Unit::new(id, format!("Thôn {n}"), UnitLevel::Area, Some(commune.id.clone()))
            })
        })
        .collect()
}

/// Loads `provinces` of the dataset with `per` areas under each of today's communes.
async fn load(store: &DynamoStore, dataset: &Dataset, provinces: &[String], per: usize) -> usize {
    let mut count = 0;
    for name in provinces {
        let mut units: Vec<Unit> = dataset.province(name).unwrap().into_iter().map(|u| u.unit.clone()).collect();
        units.extend(areas(&units, per));
        count += units.len();
        store.add_units(&units).await.unwrap();
    }
    count
}

fn spread(mut times: Vec<Duration>) -> String {
    times.sort();
    let ms = |d: &Duration| format!("{:.1}", d.as_secs_f64() * 1000.0);
    format!("{} / {} / {} ms", ms(&times[0]), ms(&times[times.len() / 2]), ms(&times[times.len() - 1]))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let runs: usize = std::env::var("COLD_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(7);
    let dataset = Dataset::bundled().unwrap();
    let every: Vec<String> = (dataset.units.iter())
        .filter(|u| u.unit.level == UnitLevel::Province && u.unit.valid_to.is_none())
        .map(|u| u.code.clone())
        .collect();
    assert_eq!(every.len(), 34);
    let thai_nguyen = dataset.province_today("Thái Nguyên").unwrap()[0].code.clone();
    println!(
        "| table | units stored | start, its trees read (min / median / max) | read units | and its first report | \
         read units | the whole tree read | read units |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (label, provinces, per) in
        [("one province", vec![thai_nguyen.clone()], 18), ("the whole country", every.clone(), 19)]
    {
        let store = moto::fresh_table().await;
        // The officer first: moto backs a table up whole for each transaction.
        let commune = dataset.province_today(&thai_nguyen).unwrap()[1].unit.id.clone();
        let now = functions::api::system_clock()();
        let chain: Vec<Unit> =
            dataset.province_today(&thai_nguyen).unwrap()[..2].iter().map(|u| u.unit.clone()).collect();
        let role = Role::WardOfficer;
        let tree = UnitTree::new(chain).unwrap();
        let officer = functions::enrolment::enrol(&store, &tree, role, commune.as_str(), "Cán bộ", now).await;
        let token = officer.unwrap_or_else(|e| panic!("{}", e.body().message)).token;
        let stored = load(&store, &dataset, &provinces, per).await;
        let (mut trees, mut cold, mut tree_reads, mut reads) = (Vec::new(), Vec::new(), 0.0, 0.0);
        for _ in 0..runs {
            let before = store.consumed();
            let start = Instant::now();
            let state = functions::app_state(store.clone(), false).await.unwrap();
            // What the router does first for this caller: the trees of its scope.
            let known = state.tree_knowing([&commune]).await.unwrap();
            assert_eq!(known.get(&commune).unwrap().id, commune);
            trees.push(start.elapsed());
            tree_reads = (store.consumed() - before).reads;
            let request = Request::get(format!("/api/v1/units/{commune}/report?period=2025"))
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap();
            let response = functions::api_router(state).oneshot(request).await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            cold.push(start.elapsed());
            reads = (store.consumed() - before).reads;
        }
        let (mut whole, mut whole_reads) = (Vec::new(), 0.0);
        for _ in 0..runs.min(3) {
            let before = store.consumed();
            let start = Instant::now();
            let tree = stored_tree(&store).await.unwrap().unwrap();
            whole.push(start.elapsed());
            whole_reads = (store.consumed() - before).reads;
            assert_eq!(tree.units().count(), stored);
        }
        println!(
            "| {label} | {stored} | {} | {tree_reads} | {} | {reads} | {} | {whole_reads} |",
            spread(trees),
            spread(cold),
            spread(whole)
        );
    }
}
