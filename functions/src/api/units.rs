//! `GET /api/v1/units` and `GET /api/v1/catalogue` — the tree and the indicators the app works with.

use super::{AppState, Authenticated};
use crate::error::ErrorBody;
use crate::store::AccessStore;
use axum::Json;
use axum::extract::State;
use domain::{Catalogue, Unit, visible_units};
use std::sync::Arc;

/// The units the caller may see, parents before children.
#[utoipa::path(get, path = "/api/v1/units", security(("device_token" = [])),
    responses((status = 200, body = Vec<Unit>), (status = 401, body = ErrorBody)))]
pub async fn list<S: AccessStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
) -> Json<Vec<Unit>> {
    Json(visible_units(&caller, &state.tree))
}

/// The catalogue of contents and indicators.
#[utoipa::path(get, path = "/api/v1/catalogue", responses((status = 200, body = Catalogue)))]
pub async fn catalogue<S>(State(state): State<Arc<AppState<S>>>) -> Json<Catalogue> {
    Json(state.catalogue.clone())
}
