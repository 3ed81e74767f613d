//! `GET /api/v1/units` and `GET /api/v1/catalogue` — the tree and the indicators the app works with.

use super::AppState;
use axum::Json;
use axum::extract::State;
use domain::{Catalogue, Unit};
use std::sync::Arc;

/// Every unit, parents before children.
#[utoipa::path(get, path = "/api/v1/units", responses((status = 200, body = Vec<Unit>)))]
pub async fn list<S>(State(state): State<Arc<AppState<S>>>) -> Json<Vec<Unit>> {
    Json(state.tree.units().cloned().collect())
}

/// The catalogue of contents and indicators.
#[utoipa::path(get, path = "/api/v1/catalogue", responses((status = 200, body = Catalogue)))]
pub async fn catalogue<S>(State(state): State<Arc<AppState<S>>>) -> Json<Catalogue> {
    Json(state.catalogue.clone())
}
