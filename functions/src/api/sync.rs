//! `POST /api/v1/sync` — a device sends the cells that changed since its last acknowledged sync.

use super::json::ApiJson;
use super::{AppState, Authenticated};
use crate::ApiError;
use crate::error::ErrorBody;
use crate::store::{AccessStore, DeviceRecord, TallyStore};
use axum::extract::State;
use axum::{Extension, Json};
use domain::enrol::{AuditEvent, AuditWhat};
use domain::{AccessError, Action, SyncRequest, SyncResponse, authorize, limits};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Validates the whole request — the caller's own device, only its areas, stamps not
/// ahead of the server's clock — then applies it (each cell atomically with the totals it
/// moves). A repeat changes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/sync",
    tag = "sync",
    request_body = SyncRequest,
    security(("device_token" = [])),
    responses(
        (status = 200, description = "Stored; repeats and stale cells count as unchanged", body = SyncResponse),
        (status = 403, description = "forbidden, wrong_device: an area outside the device's scope, or another \
            device's cells", body = ErrorBody),
        (status = 422, description = "unsupported_protocol, too_many_cells, duplicate_cell, invalid_id, \
            invalid_period, unknown_unit, not_an_area, unknown_indicator, wrong_kind, invalid_amount, \
            negative_total, stamp_in_future: a domain rule refused the request; nothing was stored", body = ErrorBody),
        (status = 429, description = "too_many_attempts, quota_exceeded: too many wrong tokens from this client, \
            or the device's cells of the day are used up; nothing was stored", body = ErrorBody),
        (status = 500, description = "internal: retry the same request; no cell is ever counted twice", body = ErrorBody),
    )
)]
pub async fn sync<S: TallyStore + AccessStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    Extension(record): Extension<DeviceRecord>,
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
    let cells = request.len() as u64;
    let (day, max) = (limits::day_of(now), limits::CELLS_PER_DEVICE_PER_DAY);
    if !state.store.charge_sync(&caller.device, day, cells, max, now, record.quota).await? {
        return Err(AccessError::QuotaExceeded.into());
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
    if let Some(event) = &event {
        state.store.file_event(&state.tree, event).await?;
    }
    Ok(Json(response))
}
