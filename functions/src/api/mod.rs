//! The versioned HTTP API (`/api/v1/...`), one axum `Router` for both hosts.

mod json;
mod openapi;
mod report;
mod sync;
mod units;

pub use json::MAX_BODY_BYTES;
pub use openapi::openapi;

use crate::ApiError;
use crate::store::Store;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post};
use domain::{Catalogue, UnitTree};
use std::sync::Arc;

/// What every handler can reach: the store and the read-only domain data.
pub struct AppState<S> {
    pub store: S,
    pub tree: UnitTree,
    pub catalogue: Catalogue,
}

/// The API routes over a store. Every error, unknown `/api` paths and wrong methods included, is JSON with a code.
pub fn api_router<S: Store>(state: Arc<AppState<S>>) -> Router {
    let v1 = Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/catalogue", get(units::catalogue::<S>))
        .route("/units", get(units::list::<S>))
        .route("/units/{id}/report", get(report::report::<S>))
        .route("/sync", post(sync::sync::<S>))
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state);
    Router::new()
        .nest("/api/v1", v1)
        .route("/api/openapi.json", get(|| async { axum::Json(openapi()) }))
        // Any other /api path (an unknown version) is a JSON 404, never the app's index.html.
        .route("/api/{*rest}", any(|| async { ApiError::NotFound }))
}
