//! `GET /api/v1/health` — the server is up (for a monitor or a load balancer); no store is read.

/// Answers `ok`.
#[utoipa::path(get, path = "/api/v1/health", tag = "health",
    responses((status = 200, description = "The server is up", content_type = "text/plain", body = String, example = "ok")))]
pub async fn health() -> &'static str {
    "ok"
}
