//! Enrolment and access management: `POST /join`, `GET /me`, join codes
//! (`/codes`), devices (`/devices`) and the audit trail (`/audit`). Each handler names
//! the one action it performs and asks [`domain::authorize`].

use super::json::ApiJson;
use super::{AppState, Authenticated, Client};
use crate::error::ErrorBody;
use crate::store::{AccessStore, UnitStore, VoidStore};
use crate::{ApiError, enrolment};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use domain::enrol::{
    AuditEvent, AuditWhat, CodeSummary, DeviceSummary, Enrolment, IssueCode, IssuedCode, JoinRequest, Profile, Voided,
};
use domain::{AccessError, Action, DeviceId, UnitId, authorize, limits, visible_units};
use futures_util::{StreamExt, TryStreamExt};
use serde::Deserialize;
use std::sync::Arc;

/// Enrols this device with a join code: a new device id and token.
#[utoipa::path(
    post,
    path = "/api/v1/join",
    tag = "access",
    request_body = JoinRequest,
    responses(
        (status = 200, description = "Enrolled: the token is shown this once", body = Enrolment),
        (status = 422, description = "malformed_code, invalid_label, unknown_code, code_expired, code_used_up, \
            code_withdrawn: the code or the label was refused; nothing was stored", body = ErrorBody),
        (status = 429, description = "too_many_attempts: too many joins from this client or with this code; \
            wait as `Retry-After` says", body = ErrorBody),
    )
)]
pub async fn join<S: AccessStore + UnitStore>(
    State(state): State<Arc<AppState<S>>>,
    Client(client): Client,
    ApiJson(request): ApiJson<JoinRequest>,
) -> Result<Json<Enrolment>, ApiError> {
    super::caller::count_attempt(&state, limits::JOINS_PER_CLIENT, &client).await?;
    let mut scope = None;
    if let Ok(code) = domain::JoinCode::parse(&request.code) {
        let hash = crate::secrets::digest(code.as_str());
        super::caller::count_attempt(&state, limits::JOINS_PER_CODE, &hash).await?;
        scope = state.store.code(&hash).await?.map(|c| c.unit);
    }
    let tree = state.tree_knowing(scope.as_ref()).await?;
    let now = state.now_ms();
    let enrolment =
        enrolment::join(&state.store, &tree, &request.code, &request.label, &request.app_version, now).await?;
    Ok(Json(enrolment))
}

/// Who the caller is, and the units it may see.
#[utoipa::path(get, path = "/api/v1/me", tag = "access", security(("device_token" = [])),
    responses((status = 200, description = "The caller and the units it may see", body = Profile)))]
pub async fn me<S: AccessStore + UnitStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Profile>, ApiError> {
    let tree = state.tree_knowing([&caller.scope]).await?;
    let record = state.store.device(&caller.device).await?.ok_or(AccessError::InvalidToken)?;
    Ok(Json(Profile {
        device: caller.device.clone(),
        label: record.summary.label,
        role: caller.role,
        scope: caller.scope.clone(),
        units: visible_units(&caller, &tree),
    }))
}

/// Issues a join code (text, link and QR code) for a role at a unit.
#[utoipa::path(post, path = "/api/v1/codes", tag = "access", request_body = IssueCode, security(("device_token" = [])),
    responses(
        (status = 200, description = "The code, its link and its QR code (shown this once)", body = IssuedCode),
        (status = 403, description = "forbidden: the unit or the role is beyond the caller", body = ErrorBody),
        (status = 422, description = "invalid_id, unknown_unit, role_does_not_fit, invalid_code_terms: no such \
            unit, a role that cannot have it as scope, or days or uses out of bounds", body = ErrorBody),
    ))]
pub async fn issue_code<S: AccessStore + UnitStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    headers: HeaderMap,
    ApiJson(request): ApiJson<IssueCode>,
) -> Result<Json<IssuedCode>, ApiError> {
    let tree = state.tree_knowing([&request.unit]).await?;
    tree.get(&request.unit)?;
    authorize(&caller, Action::issue_code(request.role), &request.unit, &tree)?;
    let base = base_url(&state, &headers);
    let issued = enrolment::issue_code(&state.store, &tree, Some(&caller), &request, state.now_ms(), &base).await?;
    Ok(Json(issued))
}

/// Where join links point: the configured public address, else the officer's own origin.
fn base_url<S>(state: &AppState<S>, headers: &HeaderMap) -> String {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    state
        .public_url
        .clone()
        .or_else(|| header("origin"))
        .or_else(|| header("host").map(|host| format!("http://{host}")))
        .unwrap_or_default()
}

/// The join codes of the caller's scope, newest first.
#[utoipa::path(get, path = "/api/v1/codes", tag = "access", security(("device_token" = [])),
    responses(
        (status = 200, description = "The codes of the caller's scope, newest first", body = Vec<CodeSummary>),
        (status = 403, description = "forbidden: the caller manages no codes", body = ErrorBody),
    ))]
pub async fn list_codes<S: AccessStore + UnitStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Vec<CodeSummary>>, ApiError> {
    let tree = state.tree_knowing([&caller.scope]).await?;
    authorize(&caller, Action::ManageCodes, &caller.scope, &tree)?;
    let mut codes: Vec<CodeSummary> = state.store.codes().await?;
    codes.retain(|c| authorize(&caller, Action::ManageCodes, &c.unit, &tree).is_ok());
    codes.sort_by_key(|c| std::cmp::Reverse(c.issued_at_ms));
    Ok(Json(codes))
}

/// Withdraws a join code: it enrols no one from now on.
#[utoipa::path(post, path = "/api/v1/codes/{id}/withdraw", tag = "access", security(("device_token" = [])),
    params(("id" = String, Path, description = "The code's id (`c-…`, not the code)")),
    responses(
        (status = 200, description = "The code, withdrawn", body = CodeSummary),
        (status = 403, description = "forbidden: the code's unit is beyond the caller", body = ErrorBody),
        (status = 404, description = "unknown_code_id: no code has this id", body = ErrorBody),
    ))]
pub async fn withdraw_code<S: AccessStore + UnitStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<CodeSummary>, ApiError> {
    let codes = state.store.codes().await?;
    let code = codes.iter().find(|c| c.id == id).ok_or(AccessError::UnknownCodeId)?;
    let tree = state.tree_knowing([&caller.scope, &code.unit]).await?;
    authorize(&caller, Action::ManageCodes, &code.unit, &tree)?;
    let event = AuditEvent {
        at_ms: state.now_ms(),
        unit: code.unit.clone(),
        actor: Some(caller.device.clone()),
        what: AuditWhat::CodeWithdrawn { code: id.clone() },
    };
    let withdrawn = state.store.withdraw_code(&tree, &id, &event).await?.ok_or(AccessError::UnknownCodeId)?;
    Ok(Json(withdrawn))
}

/// The devices enrolled in the caller's scope.
#[utoipa::path(get, path = "/api/v1/devices", tag = "access", security(("device_token" = [])),
    responses(
        (status = 200, description = "The devices of the caller's scope, newest first", body = Vec<DeviceSummary>),
        (status = 403, description = "forbidden: the caller manages no devices", body = ErrorBody),
    ))]
pub async fn list_devices<S: AccessStore + UnitStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Vec<DeviceSummary>>, ApiError> {
    let tree = state.tree_knowing([&caller.scope]).await?;
    authorize(&caller, Action::ManageDevices, &caller.scope, &tree)?;
    let mut devices = state.store.devices().await?;
    devices.retain(|d| authorize(&caller, Action::ManageDevices, &d.scope, &tree).is_ok());
    devices.sort_by_key(|d| std::cmp::Reverse(d.enrolled_at_ms));
    Ok(Json(devices))
}

/// Revokes a device (a lost phone): its next request is refused.
#[utoipa::path(post, path = "/api/v1/devices/{id}/revoke", tag = "access", security(("device_token" = [])),
    params(("id" = DeviceId, Path, description = "The device")),
    responses(
        (status = 200, description = "The device, revoked", body = DeviceSummary),
        (status = 403, description = "forbidden: the device's scope is beyond the caller", body = ErrorBody),
        (status = 404, description = "unknown_device: no device has this id", body = ErrorBody),
        (status = 422, description = "invalid_id: not the form of a device id", body = ErrorBody),
    ))]
pub async fn revoke_device<S: AccessStore + UnitStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<DeviceSummary>, ApiError> {
    let id = DeviceId::new(id)?;
    let record = state.store.device(&id).await?.ok_or(AccessError::UnknownDevice)?;
    let tree = state.tree_knowing([&caller.scope, &record.summary.scope]).await?;
    authorize(&caller, Action::ManageDevices, &record.summary.scope, &tree)?;
    let event = AuditEvent {
        at_ms: state.now_ms(),
        unit: record.summary.scope.clone(),
        actor: Some(caller.device.clone()),
        what: AuditWhat::Revoked { device: id.clone() },
    };
    let revoked = state.store.revoke_device(&tree, &id, &event).await?.ok_or(AccessError::UnknownDevice)?;
    Ok(Json(revoked))
}

/// Voids a device (a test phone, a poisoned or mistaken one): every total it moved goes
/// back by exactly its contribution, at every level; the device is revoked. Repeating it
/// changes nothing more.
#[utoipa::path(post, path = "/api/v1/devices/{id}/void", tag = "access", security(("device_token" = [])),
    params(("id" = DeviceId, Path, description = "The device")),
    responses(
        (status = 200, description = "The device, voided, and how many of its cells were taken out", body = Voided),
        (status = 403, description = "forbidden: only the province administrator voids", body = ErrorBody),
        (status = 404, description = "unknown_device: no device has this id", body = ErrorBody),
        (status = 422, description = "invalid_id: not the form of a device id", body = ErrorBody),
    ))]
pub async fn void_device<S: AccessStore + VoidStore + UnitStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Voided>, ApiError> {
    let id = DeviceId::new(id)?;
    let record = state.store.device(&id).await?.ok_or(AccessError::UnknownDevice)?;
    let tree = state.tree_knowing([&caller.scope, &record.summary.scope]).await?;
    authorize(&caller, Action::VoidDevice, &record.summary.scope, &tree)?;
    let event = AuditEvent {
        at_ms: state.now_ms(),
        unit: record.summary.scope.clone(),
        actor: Some(caller.device.clone()),
        what: AuditWhat::Voided { device: id.clone() },
    };
    let (device, removed) = state.store.void_device(&tree, &id, &event).await?.ok_or(AccessError::UnknownDevice)?;
    Ok(Json(Voided { device, removed }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The unit whose trail to read (default: the caller's scope).
    #[param(value_type = Option<UnitId>)]
    unit: Option<String>,
}

/// The newest events of a unit's audit trail (its own and every unit's below it).
#[utoipa::path(get, path = "/api/v1/audit", tag = "access", security(("device_token" = [])), params(AuditQuery),
    responses(
        (status = 200, description = "The newest events, newest first", body = Vec<AuditEvent>),
        (status = 403, description = "forbidden: the unit is beyond the caller", body = ErrorBody),
        (status = 422, description = "invalid_id, unknown_unit: no such unit", body = ErrorBody),
    ))]
pub async fn audit<S: AccessStore + UnitStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    Query(query): Query<AuditQuery>,
) -> Result<Json<Vec<AuditEvent>>, ApiError> {
    let unit = match query.unit {
        Some(unit) => UnitId::new(unit)?,
        None => caller.scope.clone(),
    };
    let tree = state.tree_knowing([&caller.scope, &unit]).await?;
    tree.get(&unit)?;
    authorize(&caller, Action::ReadAudit, &unit, &tree)?;
    let mut events = state.store.audit(&unit, AUDIT_PAGE).await?;
    // Syncs are filed under their area only: a ward's or commune's trail reads its areas'.
    let areas = tree.areas_under(&unit);
    if areas.len() <= MAX_AREAS_MERGED && !areas.contains(&unit) {
        let trail_of = async |area: UnitId| state.store.audit(&area, AUDIT_PAGE).await;
        let of_areas: Vec<Vec<AuditEvent>> =
            futures_util::stream::iter(areas).map(trail_of).buffered(8).try_collect().await?;
        events.extend(of_areas.into_iter().flatten().filter(|e| matches!(e.what, AuditWhat::Synced { .. })));
        events.sort_by_key(|e| std::cmp::Reverse(e.at_ms));
        events.truncate(AUDIT_PAGE);
    }
    Ok(Json(events))
}

/// Events one audit answer holds.
const AUDIT_PAGE: usize = 200;
/// A trail merges its areas' syncs up to this many areas (a commune or ward); above, the
/// syncs are read area by area.
const MAX_AREAS_MERGED: usize = 100;
