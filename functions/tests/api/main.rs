//! The API driven through the router as HTTP requests, over the embedded store (and for
//! who may do what, over DynamoDB too, through moto): exactly-once sync, reports, bad
//! input that changes nothing, and who may do what.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use domain::enrol::IssueCode;
use domain::{Role, UnitId, UnitTree};
use functions::api_router;
use functions::store::{DynamoStore, EmbeddedStore, Store};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

mod access;
mod areas;
mod bad_input;
mod catalogue;
mod demo;
mod export;
mod history;
mod honours;
mod models;
#[path = "../store/moto.rs"]
#[allow(dead_code)]
mod moto;
mod openapi;
mod sheets;
mod site;
mod succession;
mod sync;
mod units;

/// A fresh API over a fresh store (by default an embedded one in a temporary file), with
/// a province administrator enrolled; phones named in test requests are enrolled as
/// volunteers on first use.
struct Api<S = EmbeddedStore> {
    router: axum::Router,
    state: Arc<functions::AppState<S>>,
    admin: String,
    /// name in a test request → (device id, token)
    phones: Mutex<HashMap<String, (String, String)>>,
    /// How far the server's clock runs ahead of the real one, in milliseconds.
    ahead_ms: Arc<AtomicU64>,
    _dir: Option<tempfile::TempDir>,
}

impl Api<EmbeddedStore> {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(&dir.path().join("test.redb")).unwrap();
        Api::over(store, Some(dir)).await
    }
}

impl Api<EmbeddedStore> {
    /// An API over a store given a province of the dataset, with its history (no demo
    /// units), its administrator enrolled at today's province.
    async fn with_province(province: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(&dir.path().join("test.redb")).unwrap();
        let dataset = domain::dataset::Dataset::bundled().unwrap();
        functions::store::load_province(&store, &dataset, province).await.unwrap();
        let root = dataset.province_today(province).unwrap()[0].unit.id.to_string();
        Api::serving(store, Some(dir), &root).await
    }
}

impl Api<DynamoStore> {
    /// The same API over a fresh table in moto's DynamoDB server.
    async fn over_dynamodb() -> Self {
        Api::over(moto::fresh_table().await, None).await
    }
}

impl<S: Store> Api<S> {
    async fn over(store: S, dir: Option<tempfile::TempDir>) -> Self {
        let tree = functions::store::load_tree(&store).await.unwrap();
        assert_eq!(tree, UnitTree::demo());
        Api::serving(store, dir, "tp-bac-kan").await
    }

    /// The API over a store holding its units, its administrator enrolled at `admin_at`.
    async fn serving(store: S, dir: Option<tempfile::TempDir>, admin_at: &str) -> Self {
        let tree = functions::store::stored_tree(&store).await.unwrap().unwrap();
        let mut state = functions::AppState::new(store, tree, domain::Catalogue::standard());
        let ahead_ms = Arc::new(AtomicU64::new(0));
        let (system, ahead) = (functions::api::system_clock(), ahead_ms.clone());
        state.clock = Arc::new(move || system() + ahead.load(Ordering::Relaxed));
        let state = Arc::new(state);
        let mut api = Api {
            router: api_router(state.clone()),
            state,
            admin: String::new(),
            phones: Mutex::default(),
            ahead_ms,
            _dir: dir,
        };
        api.admin = api.enrol(Role::ProvinceAdmin, admin_at, "Quản trị").await.1;
        api
    }

    /// Moves the server's clock forward.
    fn advance(&self, ms: u64) {
        self.ahead_ms.fetch_add(ms, Ordering::Relaxed);
    }

    /// Enrols a device of `role` at `unit` through a code issued by provincial IT and
    /// `POST /join`; returns its id and token.
    async fn enrol(&self, role: Role, unit: &str, label: &str) -> (String, String) {
        let code = self.issue(role, unit).await;
        let (status, answer) = self.post("/api/v1/join", None, &json!({ "code": code, "label": label })).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        (answer["device"].as_str().unwrap().to_string(), answer["token"].as_str().unwrap().to_string())
    }

    /// A code issued by provincial IT at the command line.
    async fn issue(&self, role: Role, unit: &str) -> String {
        let request = IssueCode { role, unit: UnitId::new(unit).unwrap(), valid_days: None, uses: None };
        let now = self.state.now_ms();
        let store = &self.state.store;
        let tree = self.state.tree().await.unwrap();
        let issued = functions::enrolment::issue_code(store, &tree, None, &request, now, "http://sotay")
            .await
            .unwrap_or_else(|e| panic!("{}", e.body().message));
        issued.code
    }

    async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body =
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        (status, body)
    }

    /// A request as `token`'s device (`None`: no token).
    async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<String>) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => request.header("content-type", "application/json").body(Body::from(body)),
            None => request.body(Body::empty()),
        };
        self.send(request.unwrap()).await
    }

    async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
        self.call("POST", path, token, Some(body.to_string())).await
    }

    /// The phone a test request names, enrolled as the volunteer of the area it writes
    /// (of Tổ 8A when that is no area).
    async fn phone(&self, name: &str, area: &str) -> (String, String) {
        if let Some(known) = self.phones.lock().unwrap().get(name) {
            return known.clone();
        }
        let id = UnitId::new(area).ok();
        let tree = self.state.tree().await.unwrap();
        let fits = id.and_then(|a| tree.get(&a).ok().map(|u| u.is_area())).unwrap_or(false);
        let enrolled = self.enrol(Role::Volunteer, if fits { area } else { "dx-to-8a" }, name).await;
        self.phones.lock().unwrap().insert(name.to_string(), enrolled.clone());
        enrolled
    }

    /// Sends a sync body as raw text from the phone its `device` names: the name is
    /// replaced by the phone's enrolled id.
    async fn post_raw(&self, path: &str, body: impl Into<String>) -> (StatusCode, Value) {
        let body = body.into();
        let parsed: Option<Value> = serde_json::from_str(&body).ok();
        let name = parsed.as_ref().and_then(|b| b["device"].as_str()).unwrap_or("phone-raw").to_string();
        let area = parsed
            .as_ref()
            .and_then(|b| b["counters"][0]["area"].as_str().or(b["registers"][0]["area"].as_str()))
            .unwrap_or("dx-to-8a")
            .to_string();
        let (device, token) = self.phone(&name, &area).await;
        let body = body.replace(&format!("\"{name}\""), &format!("\"{device}\""));
        self.call("POST", path, Some(&token), Some(body)).await
    }

    async fn sync(&self, body: &Value) -> (StatusCode, Value) {
        self.post_raw("/api/v1/sync", body.to_string()).await
    }

    /// A read as the province administrator.
    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call("GET", path, Some(&self.admin), None).await
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
