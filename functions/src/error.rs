//! Errors mapped once, at the edge, to an HTTP status, a stable code and a Vietnamese message.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::store::StoreError;
use domain::enrol::Refusal;
use domain::{AccessError, AreaProblem, CatalogueProblem, DomainError, HonourProblem, ModelProblem, SheetProblem};

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code (each operation lists the ones it may answer).
    #[schema(value_type = ErrorCode)]
    pub code: String,
    /// Vietnamese message for the UI.
    pub message: String,
}

/// Every value of [`ErrorBody::code`], as the `ErrorCode` schema of the API description.
pub struct ErrorCode;

impl ErrorCode {
    /// The domain's codes, those of access, and the edge's own.
    pub fn all() -> impl Iterator<Item = &'static str> {
        let codes = DomainError::CODES
            .iter()
            .chain(AccessError::CODES)
            .chain(AreaProblem::CODES)
            .chain(ModelProblem::CODES)
            .chain(HonourProblem::CODES)
            .chain(SheetProblem::CODES)
            .chain(CatalogueProblem::CODES);
        let mut all: Vec<&'static str> = codes.chain(ApiError::CODES).copied().collect();
        let mut seen = std::collections::BTreeSet::new();
        all.retain(|code| seen.insert(*code));
        all.into_iter()
    }
}

impl utoipa::PartialSchema for ErrorCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .description(Some("A stable machine-readable error code."))
            .enum_values(Some(ErrorCode::all()))
            .into()
    }
}

impl utoipa::ToSchema for ErrorCode {}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Area(#[from] AreaProblem),
    #[error(transparent)]
    Model(#[from] ModelProblem),
    #[error(transparent)]
    Honour(#[from] HonourProblem),
    #[error(transparent)]
    Sheet(#[from] SheetProblem),
    #[error(transparent)]
    Catalogue(#[from] CatalogueProblem),
    #[error("malformed request body: {0}")]
    MalformedJson(String),
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("expected a JSON body")]
    UnsupportedMediaType,
    #[error("no such resource")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    /// A page of a list asked for wrongly; the Vietnamese reason.
    #[error("invalid page: {0}")]
    InvalidPage(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ApiError {
    /// Codes of the edge itself; the domain's are in [`DomainError::CODES`].
    pub const CODES: &'static [&'static str] = &[
        "malformed_json",
        "payload_too_large",
        "unsupported_media_type",
        "not_found",
        "method_not_allowed",
        "invalid_page",
        "internal",
    ];

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Domain(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Area(e) if e.is_conflict() => StatusCode::CONFLICT,
            ApiError::Area(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Model(e) if e.is_conflict() => StatusCode::CONFLICT,
            ApiError::Model(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Honour(e) if e.is_conflict() => StatusCode::CONFLICT,
            ApiError::Honour(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Sheet(e) if e.is_conflict() => StatusCode::CONFLICT,
            ApiError::Sheet(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Catalogue(e) if e.is_conflict() => StatusCode::CONFLICT,
            ApiError::Catalogue(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Access(e) => match e.refusal() {
                Refusal::Unauthenticated => StatusCode::UNAUTHORIZED,
                Refusal::Forbidden => StatusCode::FORBIDDEN,
                Refusal::NotFound => StatusCode::NOT_FOUND,
                Refusal::Conflict => StatusCode::CONFLICT,
                Refusal::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
                Refusal::TooMany => StatusCode::TOO_MANY_REQUESTS,
            },
            ApiError::MalformedJson(_) => StatusCode::BAD_REQUEST,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::InvalidPage(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        let (code, message) = match self {
            ApiError::Domain(e) => (e.code(), e.message_vi()),
            ApiError::Access(e) => (e.code(), e.message_vi()),
            ApiError::Area(e) => (e.code(), e.message_vi()),
            ApiError::Model(e) => (e.code(), e.message_vi()),
            ApiError::Honour(e) => (e.code(), e.message_vi()),
            ApiError::Sheet(e) => (e.code(), e.message_vi()),
            ApiError::Catalogue(e) => (e.code(), e.message_vi()),
            ApiError::MalformedJson(detail) => {
                ("malformed_json", format!("Dữ liệu gửi lên không đúng định dạng ({detail})."))
            }
            ApiError::PayloadTooLarge => {
                ("payload_too_large", "Dữ liệu gửi lên quá lớn; hãy đồng bộ thành nhiều lần.".to_string())
            }
            ApiError::UnsupportedMediaType => {
                ("unsupported_media_type", "Dữ liệu phải gửi dạng JSON (Content-Type: application/json).".into())
            }
            ApiError::NotFound => ("not_found", "Không có địa chỉ này.".to_string()),
            ApiError::MethodNotAllowed => ("method_not_allowed", "Địa chỉ này không nhận kiểu yêu cầu đó.".to_string()),
            ApiError::InvalidPage(reason) => ("invalid_page", format!("Trang danh sách không hợp lệ: {reason}.")),
            ApiError::Store(_) => {
                ("internal", "Máy chủ gặp lỗi; hãy đồng bộ lại sau, số liệu không bị tính hai lần.".to_string())
            }
        };
        ErrorBody { code: code.to_string(), message }
    }
}

impl From<domain::Forbidden> for ApiError {
    fn from(refused: domain::Forbidden) -> Self {
        ApiError::Access(AccessError::Forbidden(refused))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Store(e) = &self {
            eprintln!("store error: {e}");
        }
        let mut response = (self.status(), Json(self.body())).into_response();
        if self.status() == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert("www-authenticate", axum::http::HeaderValue::from_static("Bearer"));
        }
        if let ApiError::Access(AccessError::TooManyAttempts { retry_after_s }) = &self {
            response.headers_mut().insert("retry-after", (*retry_after_s).into());
        }
        response
    }
}
