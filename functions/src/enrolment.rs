//! Issuing join codes and enrolling devices: one implementation for the API handlers,
//! the provincial IT command line (`sotay-local create-admin`) and the tests.

use crate::store::{AccessStore, CodeRecord, NewDevice};
use crate::{ApiError, secrets};
use domain::enrol::{
    AuditEvent, AuditWhat, CodeSummary, DAY_MS, Enrolment, IssueCode, IssuedCode, Profile, check_label,
};
use domain::{AccessError, Caller, JoinCode, UnitTree, visible_units};

/// Issues a code for `request.role` at `request.unit`, by `issuer` (`None`: provincial IT
/// at the command line). The caller's right to do so is checked by the handler; here,
/// that the unit can be the role's scope. `base_url` is where the app is served.
pub async fn issue_code(
    store: &impl AccessStore,
    tree: &UnitTree,
    issuer: Option<&Caller>,
    request: &IssueCode,
    now_ms: u64,
    base_url: &str,
) -> Result<IssuedCode, ApiError> {
    let unit = tree.get(&request.unit)?;
    if !request.role.fits(unit) {
        return Err(AccessError::RoleDoesNotFit(request.role).into());
    }
    let (days, uses) = request.terms()?;
    let (code, id) = secrets::new_code().ok_or_else(no_randomness)?;
    let summary = CodeSummary {
        id: id.clone(),
        role: request.role,
        unit: unit.id.clone(),
        issued_by: issuer.map_or_else(|| domain::DeviceId::new("it-tinh").expect("a slug"), |c| c.device.clone()),
        issued_at_ms: now_ms,
        expires_at_ms: now_ms + u64::from(days) * DAY_MS,
        uses_left: uses,
        withdrawn: false,
    };
    let event = AuditEvent {
        at_ms: now_ms,
        unit: unit.id.clone(),
        actor: issuer.map(|c| c.device.clone()),
        what: AuditWhat::CodeIssued { code: id, role: request.role },
    };
    let record = CodeRecord { summary: summary.clone(), code_hash: secrets::digest(code.as_str()) };
    store.add_code(tree, &record, &event).await?;
    let link = format!("{}/#join={}", base_url.trim_end_matches('/'), code.grouped());
    let qr_svg = secrets::qr_svg(&link).ok_or_else(|| ApiError::Store(crate::store::StoreError("QR".into())))?;
    Ok(IssuedCode { code: code.grouped(), link, qr_svg, summary })
}

/// Redeems a typed code for a new device called `label`: a new device id and token.
pub async fn join(
    store: &impl AccessStore,
    tree: &UnitTree,
    typed_code: &str,
    label: &str,
    app_version: &str,
    now_ms: u64,
) -> Result<Enrolment, ApiError> {
    let code = JoinCode::parse(typed_code)?;
    let label = check_label(label)?;
    let (device, token) = secrets::new_device().ok_or_else(no_randomness)?;
    let app_version: String = app_version.chars().filter(|c| !c.is_control()).take(32).collect();
    let new = NewDevice { device, label, app_version, token_hash: secrets::digest(&token), now_ms };
    let summary = store.redeem_code(tree, &secrets::digest(code.as_str()), &new).await??;
    let caller = Caller { device: summary.device.clone(), role: summary.role, scope: summary.scope.clone() };
    let profile = Profile {
        device: summary.device.clone(),
        label: summary.label,
        role: summary.role,
        scope: summary.scope,
        units: visible_units(&caller, tree),
    };
    Ok(Enrolment { device: summary.device, token, profile })
}

/// Enrols a device of `role` at `unit` at once: a one-use code issued by provincial IT
/// and redeemed in the same breath (the tests and benchmarks, which need callers).
pub async fn enrol(
    store: &impl AccessStore,
    tree: &UnitTree,
    role: domain::Role,
    unit: &str,
    label: &str,
    now_ms: u64,
) -> Result<Enrolment, ApiError> {
    let request = IssueCode { role, unit: domain::UnitId::new(unit)?, valid_days: None, uses: None };
    let issued = issue_code(store, tree, None, &request, now_ms, "http://127.0.0.1").await?;
    join(store, tree, &issued.code, label, "", now_ms).await
}

/// The operating system gave no random bytes: no device, no code (never a weaker fallback).
pub(crate) fn no_randomness() -> ApiError {
    ApiError::Store(crate::store::StoreError("the operating system gave no random bytes".into()))
}
