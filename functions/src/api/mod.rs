//! The versioned HTTP API (`/api/v1/...`), one axum `Router` for both hosts.

mod access;
mod areas;
mod caller;
mod catalogue;
mod health;
mod honours;
mod json;
mod known;
mod models;
mod openapi;
mod report;
mod sheets;
mod succession;
mod sync;
mod units;

pub use json::MAX_BODY_BYTES;
pub use openapi::{codes_of, openapi};

use crate::ApiError;
use crate::store::Store;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{MethodRouter, any, get, post};
use domain::{Catalogue, UnitTree};
use std::sync::{Arc, RwLock};

pub use caller::{Authenticated, Client};

/// The server's clock, in milliseconds since 1970 (a test may set its own).
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64))
}

/// What every handler can reach: the store, the units as this process knows them, and
/// the catalogue.
pub struct AppState<S> {
    pub store: S,
    /// Read through [`AppState::tree_knowing`] (see [`known`]).
    known: RwLock<known::Known>,
    /// Held while a change of an area (or a record of an honour) is checked, filed and the
    /// tree loaded again: one change at a time in this process, each checked against the
    /// last.
    pub area_changes: tokio::sync::Mutex<()>,
    /// The standard catalogue, which each province's changes apply to.
    pub catalogue: Catalogue,
    /// Read through [`AppState::catalogue_at`].
    catalogues: RwLock<catalogue::Catalogues>,
    pub clock: Clock,
    /// Where the app is served, for join links (`https://sotay.example.gov.vn`); when
    /// unset, the `Origin` of the officer's request.
    pub public_url: Option<String>,
    /// Behind a reverse proxy that appends the client's address to `X-Forwarded-For`.
    pub trust_proxy: bool,
}

pub use known::{MISS_RELOAD_MS, TREE_MAX_AGE_MS};

impl<S> AppState<S> {
    /// A state starting from `tree`: over the embedded store, the whole stored tree; over
    /// DynamoDB, none (each tree is read when a request first needs it) or a test's.
    pub fn new(store: S, tree: UnitTree, catalogue: Catalogue) -> Self {
        let known = RwLock::new(known::Known::given(tree));
        let area_changes = tokio::sync::Mutex::new(());
        AppState {
            store,
            known,
            area_changes,
            catalogue,
            catalogues: RwLock::default(),
            clock: system_clock(),
            public_url: None,
            trust_proxy: false,
        }
    }

    pub fn now_ms(&self) -> u64 {
        (self.clock)()
    }
}

/// The API routes over a store. Every error, unknown `/api` paths and wrong methods included, is JSON with a code.
/// No answer may be kept by a browser or a cache (`no-store`): figures are never shown
/// from an old answer as if fresh.
pub fn api_router<S: Store>(state: Arc<AppState<S>>) -> Router {
    let v1 = v1_routes::<S>()
        .router
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state);
    Router::new()
        .nest("/api/v1", v1)
        .route(DESCRIPTION_PATH, get(openapi::document))
        // Any other /api path (an unknown version) is a JSON 404, never the app's index.html.
        .route("/api/{*rest}", any(|| async { ApiError::NotFound }))
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        ))
}

/// Where the OpenAPI description is served.
const DESCRIPTION_PATH: &str = "/api/openapi.json";

/// Every path [`api_router`] serves (`/api/v1/units/{id}/report`, …), for checking the
/// OpenAPI description against the router: the methods of each are found by asking it.
pub fn routed_paths<S: Store>() -> Vec<String> {
    let v1 = v1_routes::<S>().paths.into_iter().map(|path| format!("/api/v1{path}"));
    v1.chain([DESCRIPTION_PATH.to_string()]).collect()
}

/// The routes of `/api/v1`.
fn v1_routes<S: Store>() -> Routes<S> {
    Routes { router: Router::new(), paths: Vec::new() }
        .route("/health", get(health::health))
        .route("/catalogue", get(catalogue::catalogue::<S>).post(catalogue::change_catalogue::<S>))
        .route("/units", get(units::list::<S>))
        .route("/areas", post(areas::change::<S>))
        .route("/models", post(models::step::<S>))
        .route("/honours", post(honours::record::<S>))
        .route("/sheets", get(sheets::list::<S>).post(sheets::set::<S>))
        .route("/honours/{id}/withdraw", post(honours::withdraw::<S>))
        .route("/units/{id}/honours", get(honours::list::<S>))
        .route("/units/{id}/models", get(models::list::<S>))
        .route("/units/{id}/report", get(report::report::<S>))
        .route("/units/{id}/report.xlsx", get(report::report_xlsx::<S>))
        .route("/units/{id}/report.csv", get(report::report_csv::<S>))
        .route("/sync", post(sync::sync::<S>))
        .route("/join", post(access::join::<S>))
        .route("/me", get(access::me::<S>))
        .route("/me/successor", post(succession::succeed::<S>))
        .route("/codes", get(access::list_codes::<S>).post(access::issue_code::<S>))
        .route("/codes/{id}/withdraw", post(access::withdraw_code::<S>))
        .route("/devices", get(access::list_devices::<S>))
        .route("/devices/{id}/revoke", post(access::revoke_device::<S>))
        .route("/devices/{id}/void", post(access::void_device::<S>))
        .route("/devices/{id}/cells", get(succession::device_cells::<S>))
        .route("/audit", get(access::audit::<S>))
}

/// A router that remembers the paths it was given.
struct Routes<S> {
    router: Router<Arc<AppState<S>>>,
    paths: Vec<&'static str>,
}

impl<S: Store> Routes<S> {
    fn route(mut self, path: &'static str, methods: MethodRouter<Arc<AppState<S>>>) -> Self {
        self.paths.push(path);
        self.router = self.router.route(path, methods);
        self
    }
}
