//! `GET /api/v1/units` and `GET /api/v1/catalogue` — the tree and the indicators the app works with.

use super::{AppState, Authenticated};
use crate::ApiError;
use crate::store::{AccessStore, UnitStore};
use axum::Json;
use axum::extract::State;
use domain::{Catalogue, Unit, visible_units};
use std::sync::Arc;

/// The units the caller may see, parents before children.
#[utoipa::path(get, path = "/api/v1/units", tag = "units", security(("device_token" = [])),
    responses((status = 200, description = "The units, parents before children", body = Vec<Unit>)))]
pub async fn list<S: AccessStore + UnitStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Vec<Unit>>, ApiError> {
    let tree = state.tree().await?;
    Ok(Json(visible_units(&caller, &tree)))
}

/// The catalogue of contents and indicators.
#[utoipa::path(get, path = "/api/v1/catalogue", tag = "units",
    responses((status = 200, description = "The catalogue", body = Catalogue)))]
pub async fn catalogue<S>(State(state): State<Arc<AppState<S>>>) -> Json<Catalogue> {
    Json(state.catalogue.clone())
}
