//! The network: the versioned HTTP API on the same origin, through the browser's
//! `fetch` (web-sys; no HTTP crate, for the size of the volunteer's download). Every
//! call but [`join`] carries the device's token as `Authorization: Bearer`.

use domain::enrol::{
    AuditEvent, CodeSummary, DeviceCells, DeviceSummary, Enrolment, IssueCode, IssuedCode, JoinRequest, Profile,
    Succession, Voided,
};
use domain::{DeviceId, Report, ReportPeriod, SyncRequest, SyncResponse, UnitId};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Why a call did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiFailure {
    /// No answer: no signal, or the server is down. Try again later.
    #[error("Không kết nối được máy chủ.")]
    Unreachable,
    /// The server refused the request; its Vietnamese message is shown as is.
    #[error("{message}")]
    Refused { code: String, message: String },
    /// The server failed; what it stored counts once when the same sync is sent again.
    #[error("Máy chủ gặp lỗi ({0}); sẽ thử lại.")]
    Server(u16),
}

impl ApiFailure {
    /// The server asks to wait (too many attempts): nothing was wrong with the request.
    pub fn busy(&self) -> bool {
        matches!(self, ApiFailure::Refused { code, .. } if code == "too_many_attempts")
    }

    /// The server no longer accepts this device's token (revoked, or unknown): nothing
    /// more goes through until the phone enrols again.
    pub fn lost_access(&self) -> bool {
        matches!(self, ApiFailure::Refused { code, .. }
            if matches!(code.as_str(), "device_revoked" | "invalid_token" | "unauthenticated"))
    }
}

#[derive(serde::Deserialize)]
struct ErrorBody {
    code: String,
    message: String,
}

/// How long a request may take before it counts as unreachable: on a poor signal a
/// request can hang for minutes, and the sync button must come back.
const TIMEOUT_MS: i32 = 30_000;

/// Aborts a request after [`TIMEOUT_MS`] (an `AbortController` and a timer, which every
/// browser the app runs on has).
fn timeout_signal() -> Option<web_sys::AbortSignal> {
    let controller = web_sys::AbortController::new().ok()?;
    let abort = wasm_bindgen::closure::Closure::once_into_js({
        let controller = controller.clone();
        move || controller.abort()
    });
    web_sys::window()?.set_timeout_with_callback_and_timeout_and_arguments_0(abort.unchecked_ref(), TIMEOUT_MS).ok()?;
    Some(controller.signal())
}

/// One request: `body` (JSON) if given, the token if given; the answer's text if the
/// server took it. Not generic, so its code is in the WASM once.
async fn send(method: &str, path: &str, token: Option<&str>, body: Option<String>) -> Result<String, ApiFailure> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_signal(timeout_signal().as_ref());
    let headers = web_sys::Headers::new().map_err(|_| ApiFailure::Unreachable)?;
    if let Some(token) = token {
        let _ = headers.set("Authorization", &format!("Bearer {token}"));
    }
    if let Some(json) = body {
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&JsValue::from_str(&json));
    }
    init.set_headers(&headers);
    let window = web_sys::window().ok_or(ApiFailure::Unreachable)?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(|_| ApiFailure::Unreachable)?
        .unchecked_into();
    let status = response.status();
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise).await.ok().and_then(|t| t.as_string()),
        Err(_) => None,
    };
    let text = text.ok_or(ApiFailure::Unreachable)?;
    if response.ok() {
        return Ok(text);
    }
    match serde_json::from_str::<ErrorBody>(&text) {
        Ok(body) if status < 500 => Err(ApiFailure::Refused { code: body.code, message: body.message }),
        _ => Err(ApiFailure::Server(status)),
    }
}

/// A file the server makes (a report as .xlsx or CSV), as a Blob; for the officers'
/// page only. [`send`] is left as it was, whole, rather than sharing its parts: the
/// volunteer's first load has a few dozen bytes to spare (BENCHMARKS.md).
pub async fn file(token: &str, path: &str) -> Result<web_sys::Blob, ApiFailure> {
    let unreachable = |_| ApiFailure::Unreachable;
    let init = web_sys::RequestInit::new();
    init.set_signal(timeout_signal().as_ref());
    let headers = web_sys::Headers::new().map_err(unreachable)?;
    let _ = headers.set("Authorization", &format!("Bearer {token}"));
    init.set_headers(&headers);
    let window = web_sys::window().ok_or(ApiFailure::Unreachable)?;
    let fetched = JsFuture::from(window.fetch_with_str_and_init(path, &init)).await;
    let response: web_sys::Response = fetched.map_err(unreachable)?.unchecked_into();
    let read = if response.ok() { response.blob() } else { response.text() };
    let answer = JsFuture::from(read.map_err(unreachable)?).await.map_err(unreachable)?;
    if response.ok() {
        return Ok(answer.unchecked_into());
    }
    let refused = serde_json::from_str::<ErrorBody>(&answer.as_string().unwrap_or_default());
    Err(match refused {
        Ok(body) if response.status() < 500 => ApiFailure::Refused { code: body.code, message: body.message },
        _ => ApiFailure::Server(response.status()),
    })
}

/// [`send`], the answer read as `T`.
async fn call<T: DeserializeOwned>(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&impl Serialize>,
) -> Result<T, ApiFailure> {
    let body = body.map(|b| serde_json::to_string(b).unwrap_or_default());
    let text = send(method, path, token, body).await?;
    serde_json::from_str(&text).map_err(|_| ApiFailure::Server(200))
}

/// No body.
const NONE: Option<&()> = None;

/// Enrols this phone with a join code: its device id, token and profile.
pub async fn join(request: &JoinRequest) -> Result<Enrolment, ApiFailure> {
    call("POST", "/api/v1/join", None, Some(request)).await
}

pub async fn me(token: &str) -> Result<Profile, ApiFailure> {
    me_as(token).await
}

/// `GET /me` read as `T`: the officers' page reads what the app's types leave out.
pub async fn me_as<T: DeserializeOwned>(token: &str) -> Result<T, ApiFailure> {
    call("GET", "/api/v1/me", Some(token), NONE).await
}

/// The catalogue of the caller's province, as the server wrote it (see
/// [`crate::storage::save_catalogue`]).
pub async fn catalogue(token: &str) -> Result<String, ApiFailure> {
    send("GET", "/api/v1/catalogue", Some(token), None).await
}

/// A change of the province's catalogue, filed once by its id.
pub async fn change_catalogue(
    token: &str,
    change: &domain::CatalogueChange,
) -> Result<domain::CatalogueChanged, ApiFailure> {
    call("POST", "/api/v1/catalogue", Some(token), Some(change)).await
}

pub async fn sync(token: &str, request: &SyncRequest) -> Result<SyncResponse, ApiFailure> {
    call("POST", "/api/v1/sync", Some(token), Some(request)).await
}

/// The caller's device stops; a new one of the same role and scope takes over.
pub async fn successor(token: &str) -> Result<Succession, ApiFailure> {
    call("POST", "/api/v1/me/successor", Some(token), NONE).await
}

/// Every counter cell the server holds of a revoked device.
pub async fn device_cells(token: &str, device: &DeviceId) -> Result<DeviceCells, ApiFailure> {
    call("GET", &format!("/api/v1/devices/{device}/cells"), Some(token), NONE).await
}

pub async fn report(token: &str, unit: &UnitId, period: ReportPeriod) -> Result<Report, ApiFailure> {
    call("GET", &format!("/api/v1/units/{unit}/report?period={period}"), Some(token), NONE).await
}

/// The models of a unit and its children for a period, counted and listed.
pub async fn models(token: &str, unit: &UnitId, period: ReportPeriod) -> Result<domain::ModelReport, ApiFailure> {
    call("GET", &format!("/api/v1/units/{unit}/models?period={period}"), Some(token), NONE).await
}

/// The honours of a unit and its children for a period, counted and listed.
pub async fn honours(token: &str, unit: &UnitId, period: ReportPeriod) -> Result<domain::HonourReport, ApiFailure> {
    call("GET", &format!("/api/v1/units/{unit}/honours?period={period}"), Some(token), NONE).await
}

/// Records a title, commendation or exemplar (sent again: filed once).
pub async fn record_honour(token: &str, honour: &domain::Honour) -> Result<domain::HonourFiled, ApiFailure> {
    call("POST", "/api/v1/honours", Some(token), Some(honour)).await
}

/// Withdraws a wrong record of an honour.
pub async fn withdraw_honour(token: &str, id: &domain::EventId) -> Result<domain::HonourRecord, ApiFailure> {
    call("POST", &format!("/api/v1/honours/{id}/withdraw"), Some(token), Some(&serde_json::json!({}))).await
}

/// Files a model's step (sent again: filed once).
pub async fn model_step(token: &str, event: &domain::ModelEvent) -> Result<domain::ModelFiled, ApiFailure> {
    call("POST", "/api/v1/models", Some(token), Some(event)).await
}

pub async fn sheets(token: &str) -> Result<Vec<domain::SheetRecord>, ApiFailure> {
    call("GET", "/api/v1/sheets", Some(token), NONE).await
}

pub async fn set_sheet(token: &str, sheet: &domain::ScoringSheet) -> Result<domain::SheetFiled, ApiFailure> {
    call("POST", "/api/v1/sheets", Some(token), Some(sheet)).await
}

pub async fn issue_code(token: &str, request: &IssueCode) -> Result<IssuedCode, ApiFailure> {
    call("POST", "/api/v1/codes", Some(token), Some(request)).await
}

pub async fn codes(token: &str) -> Result<Vec<CodeSummary>, ApiFailure> {
    call("GET", "/api/v1/codes", Some(token), NONE).await
}

pub async fn withdraw_code(token: &str, id: &str) -> Result<CodeSummary, ApiFailure> {
    call("POST", &format!("/api/v1/codes/{id}/withdraw"), Some(token), NONE).await
}

pub async fn devices(token: &str) -> Result<Vec<DeviceSummary>, ApiFailure> {
    call("GET", "/api/v1/devices", Some(token), NONE).await
}

pub async fn revoke_device(token: &str, device: &DeviceId) -> Result<DeviceSummary, ApiFailure> {
    call("POST", &format!("/api/v1/devices/{device}/revoke"), Some(token), NONE).await
}

pub async fn void_device(token: &str, device: &DeviceId) -> Result<Voided, ApiFailure> {
    call("POST", &format!("/api/v1/devices/{device}/void"), Some(token), NONE).await
}

/// Creates, renames or closes a residential area (sent again: filed once).
pub async fn change_area(token: &str, event: &domain::AreaEvent) -> Result<domain::AreaChanged, ApiFailure> {
    call("POST", "/api/v1/areas", Some(token), Some(event)).await
}

pub async fn audit(token: &str, unit: &UnitId) -> Result<Vec<AuditEvent>, ApiFailure> {
    call("GET", &format!("/api/v1/audit?unit={unit}"), Some(token), NONE).await
}
