//! `POST /api/v1/sync` — a device sends the cells that changed since its last acknowledged sync.

use super::AppState;
use super::json::ApiJson;
use crate::ApiError;
use crate::error::ErrorBody;
use crate::store::TallyStore;
use axum::Json;
use axum::extract::State;
use domain::{SyncRequest, SyncResponse};
use std::sync::Arc;

/// Validates the whole request, then applies it (each cell atomically with the totals it
/// moves). A repeat changes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/sync",
    request_body = SyncRequest,
    responses(
        (status = 200, description = "Stored; repeats and stale cells count as unchanged", body = SyncResponse),
        (status = 400, description = "malformed_json", body = ErrorBody),
        (status = 413, description = "payload_too_large", body = ErrorBody),
        (status = 415, description = "unsupported_media_type", body = ErrorBody),
        (status = 422, description = "A domain rule refused the request (see ErrorCode); nothing was stored", body = ErrorBody),
        (status = 500, description = "internal: retry the same request; no cell is ever counted twice", body = ErrorBody),
    )
)]
pub async fn sync<S: TallyStore>(
    State(state): State<Arc<AppState<S>>>,
    ApiJson(request): ApiJson<SyncRequest>,
) -> Result<Json<SyncResponse>, ApiError> {
    request.validate(&state.tree, &state.catalogue)?;
    Ok(Json(state.store.apply_sync(&state.tree, &request).await?))
}
