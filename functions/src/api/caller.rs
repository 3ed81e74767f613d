//! Who is calling: the `Authorization: Bearer` token resolved once per request to the
//! enrolled device it belongs to. Handlers that take an [`Authenticated`] then ask
//! [`domain::authorize`] for the one action they perform.

use super::AppState;
use crate::store::AccessStore;
use crate::{ApiError, secrets};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use domain::{AccessError, Caller};
use std::sync::Arc;

/// The caller of a request, known to the store, not revoked.
pub struct Authenticated(pub Caller);

impl<S: AccessStore> FromRequestParts<Arc<AppState<S>>> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState<S>>) -> Result<Self, ApiError> {
        let header = parts.headers.get(AUTHORIZATION).ok_or(AccessError::Unauthenticated)?;
        let token = header.to_str().ok().and_then(|h| h.strip_prefix("Bearer ")).ok_or(AccessError::InvalidToken)?;
        let device = secrets::token_device(token.trim()).ok_or(AccessError::InvalidToken)?;
        let record = state.store.device(&device).await?.ok_or(AccessError::InvalidToken)?;
        // The token first: whether a device was revoked is told only to its own token.
        if !secrets::token_matches(token.trim(), &record.token_hash) {
            return Err(AccessError::InvalidToken.into());
        }
        if record.summary.revoked_at_ms.is_some() {
            return Err(AccessError::Revoked.into());
        }
        let summary = record.summary;
        Ok(Authenticated(Caller { device: summary.device, role: summary.role, scope: summary.scope }))
    }
}
