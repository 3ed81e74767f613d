//! The network: the versioned HTTP API on the same origin.

use domain::{Report, ReportPeriod, SyncRequest, SyncResponse, UnitId};
use gloo_net::http::{Request, Response};
use serde::Deserialize;

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

#[derive(Deserialize)]
struct ErrorBody {
    code: String,
    message: String,
}

async fn read<T: for<'de> Deserialize<'de>>(response: Result<Response, gloo_net::Error>) -> Result<T, ApiFailure> {
    let response = response.map_err(|_| ApiFailure::Unreachable)?;
    if response.ok() {
        return response.json().await.map_err(|_| ApiFailure::Server(response.status()));
    }
    match response.json::<ErrorBody>().await {
        Ok(body) if response.status() < 500 => Err(ApiFailure::Refused { code: body.code, message: body.message }),
        _ => Err(ApiFailure::Server(response.status())),
    }
}

pub async fn sync(request: &SyncRequest) -> Result<SyncResponse, ApiFailure> {
    let request = Request::post("/api/v1/sync").json(request).map_err(|_| ApiFailure::Unreachable)?;
    read(request.send().await).await
}

pub async fn report(unit: &UnitId, period: ReportPeriod) -> Result<Report, ApiFailure> {
    read(Request::get(&format!("/api/v1/units/{unit}/report?period={period}")).send().await).await
}
