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
        let Some(device) = secrets::token_device(token.trim()) else { return Err(failed(parts, state).await) };
        let Some(record) = state.store.device(&device).await? else { return Err(failed(parts, state).await) };
        // The token first: whether a device was revoked is told only to its own token.
        if !secrets::token_matches(token.trim(), &record.token_hash) {
            return Err(failed(parts, state).await);
        }
        if record.summary.revoked_at_ms.is_some() {
            return Err(AccessError::Revoked.into());
        }
        let summary = &record.summary;
        let caller = Caller { device: summary.device.clone(), role: summary.role, scope: summary.scope.clone() };
        // The record as read, for a handler that wants more of it (the sync's quota).
        parts.extensions.insert(record);
        Ok(Authenticated(caller))
    }
}

/// A wrong token: counted against the client, refused as invalid (or as too many).
async fn failed<S: AccessStore>(parts: &mut Parts, state: &Arc<AppState<S>>) -> ApiError {
    let Ok(Client(client)) = Client::from_request_parts(parts, state).await;
    match count_attempt(state, domain::limits::FAILED_AUTH_PER_CLIENT, &client).await {
        Ok(()) => AccessError::InvalidToken.into(),
        Err(refusal) => refusal,
    }
}

/// Where a request comes from, for per-client limits: the address API Gateway saw, or
/// the peer of the local server's connection (behind the province's reverse proxy, with
/// `trust_proxy`, the address the proxy appended to `X-Forwarded-For`).
pub struct Client(pub String);

impl<S: Send + Sync> FromRequestParts<Arc<AppState<S>>> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState<S>>) -> Result<Self, Self::Rejection> {
        use lambda_http::request::RequestContext;
        if let Some(RequestContext::ApiGatewayV2(context)) = parts.extensions.get::<RequestContext>()
            && let Some(ip) = &context.http.source_ip
        {
            return Ok(Client(ip.clone()));
        }
        if state.trust_proxy
            && let Some(last) = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .rfind(|v| !v.is_empty())
        {
            return Ok(Client(last.to_string()));
        }
        let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>();
        Ok(Client(peer.map_or_else(|| "unknown".to_string(), |c| c.0.ip().to_string())))
    }
}

/// Counts an attempt against `limit` for `who`; refused once the window's count passes it.
pub async fn count_attempt<S: AccessStore>(
    state: &AppState<S>,
    limit: domain::limits::Limit,
    who: &str,
) -> Result<(), ApiError> {
    let now = state.now_ms();
    let window = limit.window(now);
    let key = format!("{}#{who}", limit.name);
    let count = state.store.count_attempt(&key, window, window + limit.window_ms).await?;
    if limit.exceeded(count) {
        return Err(AccessError::TooManyAttempts { retry_after_s: limit.retry_after_s(now) }.into());
    }
    Ok(())
}
