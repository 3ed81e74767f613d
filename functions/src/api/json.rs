//! A JSON body extractor whose rejections are [`ApiError`]s (code + Vietnamese message).
//!
//! A whole number written with a fraction (`120.0`, as Python's `json` writes a float) is
//! an integer to JSON Schema, and so to the API description; it is read as the integer.
//! The body is read strictly first (a field twice is refused, never one of them kept);
//! only a body refused for a float is read again with its whole floats as integers.

use crate::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use domain::DomainError;
use serde_json::{Number, Value};

/// Largest request body accepted: room for [`domain::MAX_CELLS`] cells.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Largest whole number a JSON float holds exactly (2^53).
const EXACT_FLOAT: f64 = 9_007_199_254_740_992.0;

/// `Json<T>` with our error mapping.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| match e.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
            _ => ApiError::MalformedJson(e.body_text()),
        })?;
        let mut strict = serde_json::Deserializer::from_slice(&bytes);
        let read = serde_path_to_error::deserialize(&mut strict)
            .map_err(|e| e.to_string())
            .and_then(|value| strict.end().map(|()| value).map_err(|e| e.to_string()));
        let read = match read {
            Err(detail) if detail.contains("floating point") => {
                let mut value: Value = serde_json::from_slice(&bytes).map_err(|e| malformed(&e.to_string()))?;
                whole_numbers_as_integers(&mut value);
                serde_path_to_error::deserialize(value).map_err(|e| e.to_string())
            }
            other => other,
        };
        match read {
            Ok(value) => Ok(ApiJson(value)),
            Err(detail) => {
                Err(DomainError::from_serde_message(&detail).map_or_else(|| malformed(&detail), ApiError::Domain))
            }
        }
    }
}

/// `application/json`, or another `application/…+json` type.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(media) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let media = media.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"))
}

fn malformed(detail: &str) -> ApiError {
    ApiError::MalformedJson(detail.chars().take(300).collect())
}

/// Rewrites every float that is a whole number, small enough to be exact, as an integer.
fn whole_numbers_as_integers(value: &mut Value) {
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|f| n.is_f64() && f.fract() == 0.0 && f.abs() <= EXACT_FLOAT) {
                *n = if f < 0.0 { Number::from(f as i64) } else { Number::from(f as u64) };
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(map) => map.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_float_is_read_as_the_integer_and_only_that() {
        let mut value = serde_json::json!({ "inc": 120.0, "dec": -3.0, "n": [1.5, 7], "big": 1e300, "s": "2.0" });
        whole_numbers_as_integers(&mut value);
        assert_eq!(value.to_string(), r#"{"big":1e+300,"dec":-3,"inc":120,"n":[1.5,7],"s":"2.0"}"#);
    }
}
