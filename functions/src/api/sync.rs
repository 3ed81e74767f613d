//! `POST /api/v1/sync` — a device sends the cells that changed since its last acknowledged sync.

use super::json::ApiJson;
use super::{AppState, Authenticated};
use crate::ApiError;
use crate::error::ErrorBody;
use crate::store::{AccessStore, TallyStore};
use axum::Json;
use axum::extract::State;
use domain::enrol::{AuditEvent, AuditWhat};
use domain::{AccessError, Action, SyncRequest, SyncResponse, authorize};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Validates the whole request — the caller's own device, only its areas, stamps not
/// ahead of the server's clock — then applies it (each cell atomically with the totals it
/// moves). A repeat changes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/sync",
    request_body = SyncRequest,
    security(("device_token" = [])),
    responses(
        (status = 200, description = "Stored; repeats and stale cells count as unchanged", body = SyncResponse),
        (status = 400, description = "malformed_json", body = ErrorBody),
        (status = 401, description = "unauthenticated, invalid_token, device_revoked", body = ErrorBody),
        (status = 403, description = "forbidden (an area outside the device's scope), wrong_device", body = ErrorBody),
        (status = 413, description = "payload_too_large", body = ErrorBody),
        (status = 415, description = "unsupported_media_type", body = ErrorBody),
        (status = 422, description = "A domain rule refused the request (see ErrorCode); nothing was stored", body = ErrorBody),
        (status = 500, description = "internal: retry the same request; no cell is ever counted twice", body = ErrorBody),
    )
)]
pub async fn sync<S: TallyStore + AccessStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    ApiJson(request): ApiJson<SyncRequest>,
) -> Result<Json<SyncResponse>, ApiError> {
    if request.device != caller.device {
        return Err(AccessError::WrongDevice.into());
    }
    request.validate(&state.tree, &state.catalogue)?;
    let now = state.now_ms();
    request.check_clock(now)?;
    let areas: BTreeSet<_> =
        request.counters.iter().map(|c| &c.area).chain(request.registers.iter().map(|r| &r.area)).collect();
    for area in areas {
        authorize(&caller, Action::WriteCells, area, &state.tree)?;
    }
    let response = state.store.apply_sync(&state.tree, &request).await?;
    let event = (response.changed > 0).then(|| AuditEvent {
        at_ms: now,
        unit: caller.scope.clone(),
        actor: Some(caller.device.clone()),
        what: AuditWhat::Synced {
            device: caller.device.clone(),
            changed: response.changed,
            unchanged: response.unchanged,
        },
    });
    state.store.record_sync(&state.tree, &caller.device, now, event.as_ref()).await?;
    Ok(Json(response))
}
