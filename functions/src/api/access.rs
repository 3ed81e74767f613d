//! Enrolment and access management: `POST /join`, `GET /me`, join codes
//! (`/codes`), devices (`/devices`) and the audit trail (`/audit`). Each handler names
//! the one action it performs and asks [`domain::authorize`].

use super::json::ApiJson;
use super::{AppState, Authenticated};
use crate::error::ErrorBody;
use crate::store::AccessStore;
use crate::{ApiError, enrolment};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use domain::enrol::{
    AuditEvent, AuditWhat, CodeSummary, DeviceSummary, Enrolment, IssueCode, IssuedCode, JoinRequest, Profile,
};
use domain::{AccessError, Action, DeviceId, UnitId, authorize, visible_units};
use serde::Deserialize;
use std::sync::Arc;

/// Enrols this device with a join code: a new device id and token.
#[utoipa::path(
    post,
    path = "/api/v1/join",
    request_body = JoinRequest,
    responses(
        (status = 200, body = Enrolment),
        (status = 422, description = "malformed_code, unknown_code, code_expired, code_used_up, code_withdrawn, invalid_label", body = ErrorBody),
    )
)]
pub async fn join<S: AccessStore>(
    State(state): State<Arc<AppState<S>>>,
    ApiJson(request): ApiJson<JoinRequest>,
) -> Result<Json<Enrolment>, ApiError> {
    let now = state.now_ms();
    let enrolment =
        enrolment::join(&state.store, &state.tree, &request.code, &request.label, &request.app_version, now).await?;
    Ok(Json(enrolment))
}

/// Who the caller is, and the units it may see.
#[utoipa::path(get, path = "/api/v1/me", security(("device_token" = [])),
    responses((status = 200, body = Profile), (status = 401, body = ErrorBody)))]
pub async fn me<S: AccessStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Profile>, ApiError> {
    let record = state.store.device(&caller.device).await?.ok_or(AccessError::InvalidToken)?;
    Ok(Json(Profile {
        device: caller.device.clone(),
        label: record.summary.label,
        role: caller.role,
        scope: caller.scope.clone(),
        units: visible_units(&caller, &state.tree),
    }))
}

/// Issues a join code (text, link and QR code) for a role at a unit.
#[utoipa::path(post, path = "/api/v1/codes", request_body = IssueCode, security(("device_token" = [])),
    responses(
        (status = 200, body = IssuedCode),
        (status = 401, body = ErrorBody),
        (status = 403, description = "forbidden", body = ErrorBody),
        (status = 422, description = "role_does_not_fit, invalid_code_terms, unknown_unit", body = ErrorBody),
    ))]
pub async fn issue_code<S: AccessStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    headers: HeaderMap,
    ApiJson(request): ApiJson<IssueCode>,
) -> Result<Json<IssuedCode>, ApiError> {
    state.tree.get(&request.unit)?;
    authorize(&caller, Action::issue_code(request.role), &request.unit, &state.tree)?;
    let base = base_url(&state, &headers);
    let issued =
        enrolment::issue_code(&state.store, &state.tree, Some(&caller), &request, state.now_ms(), &base).await?;
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
#[utoipa::path(get, path = "/api/v1/codes", security(("device_token" = [])),
    responses((status = 200, body = Vec<CodeSummary>), (status = 401, body = ErrorBody)))]
pub async fn list_codes<S: AccessStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Vec<CodeSummary>>, ApiError> {
    authorize(&caller, Action::ManageCodes, &caller.scope, &state.tree)?;
    let mut codes: Vec<CodeSummary> = state.store.codes().await?;
    codes.retain(|c| authorize(&caller, Action::ManageCodes, &c.unit, &state.tree).is_ok());
    codes.sort_by(|a, b| b.issued_at_ms.cmp(&a.issued_at_ms));
    Ok(Json(codes))
}

/// Withdraws a join code: it enrols no one from now on.
#[utoipa::path(post, path = "/api/v1/codes/{id}/withdraw", security(("device_token" = [])),
    params(("id" = String, Path, description = "The code's id (not the code)")),
    responses(
        (status = 200, body = CodeSummary),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "unknown_code_id", body = ErrorBody),
    ))]
pub async fn withdraw_code<S: AccessStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<CodeSummary>, ApiError> {
    let codes = state.store.codes().await?;
    let code = codes.iter().find(|c| c.id == id).ok_or(AccessError::UnknownCodeId)?;
    authorize(&caller, Action::ManageCodes, &code.unit, &state.tree)?;
    let event = AuditEvent {
        at_ms: state.now_ms(),
        unit: code.unit.clone(),
        actor: Some(caller.device.clone()),
        what: AuditWhat::CodeWithdrawn { code: id.clone() },
    };
    let withdrawn = state.store.withdraw_code(&state.tree, &id, &event).await?.ok_or(AccessError::UnknownCodeId)?;
    Ok(Json(withdrawn))
}

/// The devices enrolled in the caller's scope.
#[utoipa::path(get, path = "/api/v1/devices", security(("device_token" = [])),
    responses((status = 200, body = Vec<DeviceSummary>), (status = 401, body = ErrorBody)))]
pub async fn list_devices<S: AccessStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Vec<DeviceSummary>>, ApiError> {
    authorize(&caller, Action::ManageDevices, &caller.scope, &state.tree)?;
    let mut devices = state.store.devices().await?;
    devices.retain(|d| authorize(&caller, Action::ManageDevices, &d.scope, &state.tree).is_ok());
    devices.sort_by(|a, b| b.enrolled_at_ms.cmp(&a.enrolled_at_ms));
    Ok(Json(devices))
}

/// Revokes a device (a lost phone): its next request is refused.
#[utoipa::path(post, path = "/api/v1/devices/{id}/revoke", security(("device_token" = [])),
    params(("id" = String, Path, description = "Device id")),
    responses(
        (status = 200, body = DeviceSummary),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "unknown_device", body = ErrorBody),
    ))]
pub async fn revoke_device<S: AccessStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<DeviceSummary>, ApiError> {
    let id = DeviceId::new(id)?;
    let record = state.store.device(&id).await?.ok_or(AccessError::UnknownDevice)?;
    authorize(&caller, Action::ManageDevices, &record.summary.scope, &state.tree)?;
    let event = AuditEvent {
        at_ms: state.now_ms(),
        unit: record.summary.scope.clone(),
        actor: Some(caller.device.clone()),
        what: AuditWhat::Revoked { device: id.clone() },
    };
    let revoked = state.store.revoke_device(&state.tree, &id, &event).await?.ok_or(AccessError::UnknownDevice)?;
    Ok(Json(revoked))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// The unit whose trail to read (default: the caller's scope).
    unit: Option<String>,
}

/// The newest events of a unit's audit trail (its own and every unit's below it).
#[utoipa::path(get, path = "/api/v1/audit", security(("device_token" = [])), params(AuditQuery),
    responses((status = 200, body = Vec<AuditEvent>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn audit<S: AccessStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    Query(query): Query<AuditQuery>,
) -> Result<Json<Vec<AuditEvent>>, ApiError> {
    let unit = match query.unit {
        Some(unit) => UnitId::new(unit)?,
        None => caller.scope.clone(),
    };
    state.tree.get(&unit)?;
    authorize(&caller, Action::ReadAudit, &unit, &state.tree)?;
    Ok(Json(state.store.audit(&unit, AUDIT_PAGE).await?))
}

/// Events one audit answer holds.
const AUDIT_PAGE: usize = 200;
