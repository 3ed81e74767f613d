//! A JSON body extractor whose rejections are [`ApiError`]s (code + Vietnamese message).

use crate::ApiError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use domain::DomainError;

/// Largest request body accepted: room for [`domain::MAX_CELLS`] cells.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// `Json<T>` with our error mapping.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::UnsupportedMediaType),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError::PayloadTooLarge),
            Err(e) => {
                let detail = e.body_text();
                match DomainError::from_serde_message(&detail) {
                    Some(domain) => Err(ApiError::Domain(domain)),
                    None => Err(ApiError::MalformedJson(detail.chars().take(300).collect())),
                }
            }
        }
    }
}
