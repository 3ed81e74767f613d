//! The versioned HTTP API (`/api/v1/...`), one axum `Router` for both hosts.

mod access;
mod areas;
mod caller;
mod health;
mod honours;
mod json;
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
use crate::store::{Store, UnitStore};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{MethodRouter, any, get, post};
use domain::{Catalogue, UnitId, UnitTree};
use std::sync::{Arc, RwLock};

pub use caller::{Authenticated, Client};

/// The server's clock, in milliseconds since 1970 (a test may set its own).
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64))
}

/// What every handler can reach: the store, the tree as this process knows it, and the
/// catalogue.
pub struct AppState<S> {
    pub store: S,
    /// Read through [`AppState::tree`] and [`AppState::tree_knowing`].
    tree: RwLock<KnownTree>,
    /// Held while a change of an area (or a record of an honour) is checked, filed and the
    /// tree loaded again: one change at a time in this process, each checked against the
    /// last.
    pub area_changes: tokio::sync::Mutex<()>,
    pub catalogue: Catalogue,
    pub clock: Clock,
    /// Where the app is served, for join links (`https://sotay.example.gov.vn`); when
    /// unset, the `Origin` of the officer's request.
    pub public_url: Option<String>,
    /// Behind a reverse proxy that appends the client's address to `X-Forwarded-For`.
    pub trust_proxy: bool,
}

/// The tree and when it was loaded (by the state's clock).
struct KnownTree {
    tree: Arc<UnitTree>,
    loaded_ms: u64,
}

/// How long a process works with the tree it loaded from a shared store (DynamoDB,
/// [`UnitStore::SHARED`]) before loading it again: another Lambda instance may have filed
/// a change of an area meanwhile. A request naming a unit this process does not know
/// loads it at once ([`AppState::tree_knowing`]). A process over the embedded file is the
/// only one that changes it, and keeps its tree up to date itself.
pub const TREE_MAX_AGE_MS: u64 = 60_000;

/// How old a tree must be before a request naming a unit it lacks loads it again.
pub const MISS_RELOAD_MS: u64 = 1_000;

impl<S> AppState<S> {
    pub fn new(store: S, tree: UnitTree, catalogue: Catalogue) -> Self {
        let clock = system_clock();
        let tree = RwLock::new(KnownTree { tree: Arc::new(tree), loaded_ms: clock() });
        let area_changes = tokio::sync::Mutex::new(());
        AppState { store, tree, area_changes, catalogue, clock, public_url: None, trust_proxy: false }
    }

    pub fn now_ms(&self) -> u64 {
        (self.clock)()
    }

    fn known(&self) -> Arc<UnitTree> {
        Arc::clone(&self.tree.read().unwrap_or_else(|e| e.into_inner()).tree)
    }

    fn keep(&self, tree: UnitTree) -> Arc<UnitTree> {
        let tree = Arc::new(tree);
        let known = KnownTree { tree: Arc::clone(&tree), loaded_ms: self.now_ms() };
        *self.tree.write().unwrap_or_else(|e| e.into_inner()) = known;
        tree
    }
}

impl<S: UnitStore> AppState<S> {
    /// The tree; over a shared store, loaded again when older than [`TREE_MAX_AGE_MS`].
    pub async fn tree(&self) -> Result<Arc<UnitTree>, ApiError> {
        let loaded_ms = self.tree.read().unwrap_or_else(|e| e.into_inner()).loaded_ms;
        if !S::SHARED || self.now_ms().saturating_sub(loaded_ms) < TREE_MAX_AGE_MS {
            return Ok(self.known());
        }
        self.reload().await
    }

    /// The tree; over a shared store, loaded again first when it lacks one of `units` (an
    /// area another instance created) and is older than [`MISS_RELOAD_MS`], so requests
    /// naming unknown ids cannot make every request load the tree.
    pub async fn tree_knowing<'a>(
        &self,
        units: impl IntoIterator<Item = &'a UnitId>,
    ) -> Result<Arc<UnitTree>, ApiError> {
        let tree = self.tree().await?;
        let loaded_ms = self.tree.read().unwrap_or_else(|e| e.into_inner()).loaded_ms;
        let fresh = self.now_ms().saturating_sub(loaded_ms) < MISS_RELOAD_MS;
        if !S::SHARED || fresh || units.into_iter().all(|u| tree.get(u).is_ok()) {
            return Ok(tree);
        }
        self.reload().await
    }

    /// The tree loaded again from the store (after this process filed a change of an
    /// area). A store holding no units keeps the tree the state was given.
    pub async fn reload(&self) -> Result<Arc<UnitTree>, ApiError> {
        match crate::store::stored_tree(&self.store).await? {
            Some(tree) => Ok(self.keep(tree)),
            None => Ok(self.keep(self.known().as_ref().clone())),
        }
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
        .route("/catalogue", get(units::catalogue::<S>))
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
