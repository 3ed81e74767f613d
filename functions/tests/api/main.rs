//! The API over the embedded store, driven through the router as HTTP requests:
//! exactly-once sync, reports, and bad input that changes nothing.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use domain::UnitTree;
use functions::api_router;
use functions::store::EmbeddedStore;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

mod bad_input;
mod sync;

/// A fresh API over an embedded store in a temporary file.
struct Api {
    router: axum::Router,
    _dir: tempfile::TempDir,
}

impl Api {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(&dir.path().join("test.redb")).unwrap();
        let state = functions::app_state(store).await.unwrap();
        assert_eq!(state.tree, UnitTree::demo());
        Api { router: api_router(state), _dir: dir }
    }

    async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body =
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        (status, body)
    }

    async fn post_raw(&self, path: &str, body: impl Into<Body>) -> (StatusCode, Value) {
        let request = Request::post(path).header("content-type", "application/json").body(body.into()).unwrap();
        self.send(request).await
    }

    async fn sync(&self, body: &Value) -> (StatusCode, Value) {
        self.post_raw("/api/v1/sync", body.to_string()).await
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(Request::get(path).body(Body::empty()).unwrap()).await
    }

    /// The counter total of `indicator` for `unit` over `period`, from the report.
    async fn total(&self, unit: &str, indicator: &str, period: &str) -> i64 {
        let (status, report) = self.get(&format!("/api/v1/units/{unit}/report?period={period}")).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        report["unit"]["figures"][indicator]["counter"]["total"].as_i64().unwrap()
    }
}

/// A sync request of one device with one counter cell.
fn counter_sync(device: &str, area: &str, indicator: &str, month: &str, inc: u64, dec: u64) -> Value {
    json!({
        "protocol": 1,
        "device": device,
        "counters": [{ "area": area, "indicator": indicator, "month": month, "inc": inc, "dec": dec }]
    })
}
