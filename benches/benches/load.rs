//! A load generator: phones syncing at once against the local server's API over real
//! HTTP on 127.0.0.1 (the embedded store in a file, committed durably, as `sotay-local`
//! serves it), for a province of 1.500, 15.000 and 62.000 residential areas, with 1, 10
//! and 50 phones at a time. Each phone sends a sync of 5 changed cells of its own area,
//! waits for the answer, and sends the next. Prints requests per second and p50 / p99
//! latency. Run with `cargo bench -p benches --bench load` (a release build); `LOAD_SECONDS`
//! sets each run's length (default 5), `LOAD_AREAS` the provinces (default
//! `1500,15000,62000`).

use domain::{Catalogue, CounterCell, DeviceId, IndicatorId, Month, PROTOCOL, Role, SyncRequest, UnitId, UnitTree};
use functions::store::EmbeddedStore;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::time::{Duration, Instant};

const PHONES: [usize; 3] = [1, 10, 50];
const CELLS: usize = 5;

struct Phone {
    device: DeviceId,
    token: String,
    area: UnitId,
}

/// A phone's next sync: its 5 cells, each raised by one since the last.
fn request(phone: &Phone, indicators: &[IndicatorId], round: u64) -> Vec<u8> {
    let month = Month::new(2026, 11).unwrap();
    let counters = (indicators.iter().take(CELLS))
        .map(|i| CounterCell { area: phone.area.clone(), indicator: i.clone(), month, inc: round, dec: 0 })
        .collect();
    let request =
        SyncRequest { protocol: PROTOCOL, device: phone.device.clone(), entries: 0, counters, registers: vec![] };
    serde_json::to_vec(&request).unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let seconds: u64 = std::env::var("LOAD_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let sizes: Vec<usize> = std::env::var("LOAD_AREAS")
        .unwrap_or_else(|_| "1500,15000,62000".into())
        .split(',')
        .map(|s| s.trim().parse().expect("LOAD_AREAS: numbers"))
        .collect();
    let catalogue = Catalogue::standard();
    let indicators: Vec<IndicatorId> = catalogue.counter_ids().cloned().collect();
    println!("| areas | phones at once | syncs | syncs/s | p50 | p99 |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for areas in sizes {
        let tree = UnitTree::sample_province(areas.div_ceil(15), 15);
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(&dir.path().join("load.redb")).unwrap();
        let now = functions::api::system_clock()();
        let area_ids: Vec<UnitId> = tree.units().filter(|u| u.is_area()).map(|u| u.id.clone()).collect();
        let mut phones = Vec::new();
        // Each run its own phones, so none reaches its daily quota of cells.
        let total: usize = PHONES.iter().sum();
        for n in 0..total {
            let area = area_ids[n * area_ids.len() / total].clone();
            let label = format!("Máy {n}");
            let enrolled = functions::enrolment::enrol(&store, &tree, Role::Volunteer, area.as_str(), &label, now)
                .await
                .unwrap_or_else(|e| panic!("{}", e.body().message));
            phones.push(Arc::new(Phone { device: enrolled.device, token: enrolled.token, area }));
        }
        let state = Arc::new(functions::AppState::new(store, tree, catalogue.clone()));
        let router = functions::api_router(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/api/v1/sync", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
            axum::serve(listener, service).await.unwrap();
        });
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
        let mut round = 0;
        let mut first = 0;
        for at_once in PHONES {
            round += 1_000_000;
            let until = Instant::now() + Duration::from_secs(seconds);
            let own = &phones[first..first + at_once];
            first += at_once;
            let runs = own.iter().cloned().map(|phone| {
                let (client, url, indicators) = (client.clone(), url.clone(), indicators.clone());
                tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    let mut n = round;
                    while Instant::now() < until {
                        n += 1;
                        let body = request(&phone, &indicators, n);
                        let post = hyper::Request::post(&url)
                            .header("content-type", "application/json")
                            .header("authorization", format!("Bearer {}", phone.token))
                            .body(Full::new(Bytes::from(body)))
                            .unwrap();
                        let start = Instant::now();
                        let response = client.request(post).await.unwrap();
                        let status = response.status();
                        let body = response.into_body().collect().await.unwrap().to_bytes();
                        latencies.push(start.elapsed());
                        assert!(status.is_success(), "{status}: {}", String::from_utf8_lossy(&body));
                        let answer: serde_json::Value = serde_json::from_slice(&body).unwrap();
                        assert_eq!(answer["changed"], CELLS, "{answer}");
                    }
                    latencies
                })
            });
            let mut all: Vec<Duration> = Vec::new();
            for run in runs.collect::<Vec<_>>() {
                all.extend(run.await.unwrap());
            }
            all.sort();
            let rate = all.len() as f64 / seconds as f64;
            let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1_000.0);
            println!(
                "| {areas} | {at_once} | {} | {rate:.0} | {} | {} |",
                all.len(),
                ms(percentile(&all, 0.50)),
                ms(percentile(&all, 0.99))
            );
        }
        server.abort();
    }
}
