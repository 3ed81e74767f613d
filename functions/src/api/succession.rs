//! Kế nhiệm — a phone that went backwards (or restores a backup) continues under a new
//! device: `POST /api/v1/me/successor`; and the final cells of a revoked device, for a
//! phone of its scope that restores that device's backup: `GET /api/v1/devices/{id}/cells`.
//! Either way the phone sends, under its new device, only what the server has not counted.

use super::caller::count_attempt;
use super::{AppState, Authenticated, Client};
use crate::error::ErrorBody;
use crate::store::{AccessStore, DeviceRecord, NewDevice, SuccessionStore, UnitStore};
use crate::{ApiError, secrets};
use axum::extract::{Path, State};
use axum::{Extension, Json};
use domain::enrol::{DeviceCells, Enrolment, Profile, Succession};
use domain::{AccessError, Action, Caller, DeviceId, authorize, limits, visible_units};
use std::sync::Arc;

/// Revokes the caller's device — nothing more of it lands — and enrols a new one of the
/// same role, scope and label in one atomic step. The answer holds the new device's token
/// (shown this once) and every counter cell the server holds of the old device, read after
/// its revocation, from which the phone computes what it still has to send.
#[utoipa::path(post, path = "/api/v1/me/successor", tag = "access", security(("device_token" = [])),
    responses(
        (status = 200, description = "The new device (its token is shown this once) and the old device's \
            cells, final", body = Succession),
        (status = 403, description = "forbidden: the caller's scope is no longer in the tree", body = ErrorBody),
        (status = 429, description = "too_many_attempts: too many wrong tokens or successions from this client, \
            or too many successions in this scope; wait as `Retry-After` says", body = ErrorBody),
    ))]
pub async fn succeed<S: AccessStore + SuccessionStore + UnitStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    Client(client): Client,
    Extension(record): Extension<DeviceRecord>,
) -> Result<Json<Succession>, ApiError> {
    let tree = state.tree_knowing([&caller.scope]).await?;
    authorize(&caller, Action::Succeed, &caller.scope, &tree)?;
    // Each new token may succeed once: these bound how many devices a chain of them mints.
    count_attempt(&state, limits::SUCCESSIONS_PER_CLIENT, &client).await?;
    count_attempt(&state, limits::SUCCESSIONS_PER_SCOPE, caller.scope.as_str()).await?;
    let (device, token) = secrets::new_device().ok_or_else(crate::enrolment::no_randomness)?;
    let new = NewDevice {
        device,
        label: record.summary.label.clone(),
        app_version: record.summary.app_version.clone(),
        token_hash: secrets::digest(&token),
        now_ms: state.now_ms(),
    };
    // Refused: another call with this token (or a revocation) came first.
    let (summary, cells) = state.store.succeed_device(&tree, &caller.device, &new).await??;
    let successor = Caller { device: summary.device.clone(), role: summary.role, scope: summary.scope.clone() };
    let profile = Profile {
        device: summary.device.clone(),
        label: summary.label,
        role: summary.role,
        scope: summary.scope,
        units: visible_units(&successor, &tree),
    };
    Ok(Json(Succession { enrolment: Enrolment { device: summary.device, token, profile }, cells }))
}

/// Every counter cell the server holds of a revoked device (final: nothing more of it
/// lands), for a caller that may read the figures of the device's scope.
#[utoipa::path(get, path = "/api/v1/devices/{id}/cells", tag = "access", security(("device_token" = [])),
    params(("id" = DeviceId, Path, description = "The revoked device")),
    responses(
        (status = 200, description = "The device's counter cells, in key order", body = DeviceCells),
        (status = 403, description = "forbidden: the device's scope is beyond the caller's figures", body = ErrorBody),
        (status = 404, description = "unknown_device: no device has this id", body = ErrorBody),
        (status = 409, description = "device_not_revoked: the device is still enrolled, so its cells are not \
            final; revoke it first", body = ErrorBody),
        (status = 422, description = "invalid_id: not the form of a device id", body = ErrorBody),
    ))]
pub async fn device_cells<S: AccessStore + SuccessionStore + UnitStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<DeviceCells>, ApiError> {
    let id = DeviceId::new(id)?;
    let record = state.store.device(&id).await?.ok_or(AccessError::UnknownDevice)?;
    let tree = state.tree_knowing([&caller.scope, &record.summary.scope]).await?;
    authorize(&caller, Action::ReadFigures, &record.summary.scope, &tree)?;
    if record.summary.revoked_at_ms.is_none() {
        return Err(AccessError::NotRevoked.into());
    }
    let cells = state.store.device_cells(&id).await?;
    Ok(Json(DeviceCells { device: id, cells }))
}
