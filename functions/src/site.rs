//! The local server's whole site on one origin: the API and the built app (`dist/`,
//! sent precompressed where the browser takes brotli or gzip), every answer with the
//! security headers, each request within a time limit, and a
//! bound on requests served at once. (On AWS, CloudFront adds the same headers:
//! `infra/template.yaml`.)
//!
//! The Content-Security-Policy lets run only the app's own files, its WebAssembly
//! (`'wasm-unsafe-eval'`) and the inline bootstrap `<script>` of each served page, by the
//! SHA-256 of its text, computed from `dist/` at start: each page allows only its own; the
//! service worker's script (its policy) allows none; every other answer, the app's other
//! scripts included (a module runs under its page's policy), gets [`RESOURCE_POLICY`]
//! (load nothing). No origin but the site's own is
//! allowed anything: the API sends no CORS headers. The QR code of a join code is SVG
//! markup (paths and fills, no script, no style attribute), so it needs nothing more.

use crate::api::AppState;
use crate::api_router;
use crate::store::Store;
use axum::Router;
use axum::extract::Request;
use axum::extract::State;
use axum::http::header::{
    ACCEPT_RANGES, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, LAST_MODIFIED, REFERRER_POLICY, VARY,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

/// Longest a request may take; then it is answered 503 (the app syncs again later).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Most requests served at once; more wait for a turn.
pub const MAX_CONCURRENT_REQUESTS: usize = 256;

/// The API and the app of `dist` (every other path is its `index.html`), with the
/// security headers, the time limit and the bound on concurrent requests.
pub fn site_router<S: Store>(state: Arc<AppState<S>>, dist: &Path) -> std::io::Result<Router> {
    let policies = Arc::new(Policies::of(dist)?);
    // The files as `cargo xtask build` compressed them (`.br`, `.gz`), by `Accept-Encoding`.
    let index = ServeFile::new(dist.join("index.html")).precompressed_br().precompressed_gzip();
    let app = ServeDir::new(dist).precompressed_br().precompressed_gzip().fallback(index);
    // Caches must keep the compressed and the plain answer apart.
    let vary = SetResponseHeaderLayer::if_not_present(VARY, HeaderValue::from_static("accept-encoding"));
    let app = Router::new().fallback_service(tower::Layer::layer(&vary, app)).layer(from_fn(with_cache_policy));
    // The API's answers compressed as they go (a ward's report: 7,0 KB of JSON, 0,9 KB as
    // transferred); the app's files are compressed already.
    Ok(api_router(state)
        .layer(CompressionLayer::new())
        .fallback_service(app)
        .layer(from_fn_with_state(policies, with_security_policy))
        .layer(SetResponseHeaderLayer::overriding(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(from_fn(without_needless_headers))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, REQUEST_TIMEOUT))
        .layer(GlobalConcurrencyLimitLayer::new(MAX_CONCURRENT_REQUESTS)))
}

/// How long a browser may keep a file of the app: for good when its name carries the
/// hash of its content (`app-<16 hex digits>.wasm`, as `cargo xtask build` names the
/// WASM, JS and CSS), since such a name never changes meaning; anything else (the pages,
/// which name those files, the icon) is asked for again each time it is used.
pub fn cache_policy(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or_default();
    let stem = name.split_once('.').map_or("", |(stem, _)| stem);
    let hash = stem.rsplit_once('-').map_or("", |(_, hash)| hash);
    if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        IMMUTABLE
    } else {
        "no-cache"
    }
}

/// Sets [`cache_policy`] on a file's answer. A page sent for a path that is no file (the
/// app's `index.html`) is never kept for good under that path.
async fn with_cache_policy(request: Request, next: Next) -> Response {
    let mut policy = cache_policy(request.uri().path());
    let mut answer = next.run(request).await;
    let page = answer.headers().get(CONTENT_TYPE).is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    // A 304's headers replace the kept answer's: it keeps the file's own policy.
    if page || !(answer.status().is_success() || answer.status() == StatusCode::NOT_MODIFIED) {
        policy = "no-cache";
    }
    answer.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static(policy));
    answer
}

/// A file kept for good (WebAssembly, JS, CSS, never a page: [`cache_policy`]) is never
/// asked about again, nor in parts, and runs under its page's policies: its date, its
/// offer of ranges and a content policy of its own would only add bytes (about 170 on
/// each) to a volunteer's first load. The outermost of the headers' layers.
async fn without_needless_headers(request: Request, next: Next) -> Response {
    let mut answer = next.run(request).await;
    let headers = answer.headers_mut();
    if headers.get(CACHE_CONTROL).is_some_and(|policy| policy == IMMUTABLE) {
        for name in [LAST_MODIFIED, ACCEPT_RANGES, CONTENT_SECURITY_POLICY] {
            headers.remove(name);
        }
    }
    answer
}

/// The [`cache_policy`] of a file named by its hash.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The Content-Security-Policy of each kind of answer, made from `dist/` at start.
struct Policies {
    /// Each page's (`index.html`, …): its own inline scripts allowed, by their hashes.
    pages: BTreeMap<String, HeaderValue>,
    /// A page sent for a path that is no file (`index.html`'s), and the service
    /// worker's (`sw.js`): no inline script anywhere.
    fallback: HeaderValue,
    worker: HeaderValue,
    resource: HeaderValue,
}

impl Policies {
    fn of(dist: &Path) -> std::io::Result<Self> {
        let header = |policy: String| HeaderValue::from_str(&policy).map_err(std::io::Error::other);
        let mut pages = BTreeMap::new();
        for (page, hashes) in page_hashes(dist)? {
            pages.insert(page, header(content_security_policy(&hashes))?);
        }
        let worker = header(content_security_policy(&[]))?;
        Ok(Policies {
            fallback: pages.get("index.html").cloned().unwrap_or_else(|| worker.clone()),
            pages,
            worker,
            resource: HeaderValue::from_static(RESOURCE_POLICY),
        })
    }

    /// The policy of an answer of `kind` (its `Content-Type`) to a request for `path`.
    fn of_answer(&self, path: &str, kind: &str) -> &HeaderValue {
        if kind.starts_with("text/html") {
            let file = match path.trim_start_matches('/') {
                "" => "index.html",
                file => file,
            };
            self.pages.get(file).unwrap_or(&self.fallback)
        } else if path == "/sw.js" {
            // A worker runs under its script's policy; a module's is never applied.
            &self.worker
        } else {
            &self.resource
        }
    }
}

/// Sets the policy of what a browser runs as a document or a worker; every other answer
/// (WebAssembly, styles, JSON) may load nothing at all. A 304 gets none: its headers
/// replace the cached answer's, which keeps its own.
async fn with_security_policy(State(policies): State<Arc<Policies>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let mut answer = next.run(request).await;
    if answer.status() == StatusCode::NOT_MODIFIED {
        return answer;
    }
    let kind = answer.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let policy = policies.of_answer(&path, kind);
    // Which referrer to send is a document's or a worker's matter, as is what may run.
    if !std::ptr::eq(policy, &policies.resource) {
        answer.headers_mut().insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    }
    let policy = policy.clone();
    answer.headers_mut().insert(CONTENT_SECURITY_POLICY, policy);
    answer
}

/// The policy of every answer that is neither a page nor a script: nothing may load,
/// nothing may frame it (about 300 bytes less than the page's on each such answer, which
/// counts on a volunteer's first load).
pub const RESOURCE_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// The policy of the site's pages and scripts, allowing the inline scripts of these hashes (`'sha256-…'`).
pub fn content_security_policy(script_hashes: &[String]) -> String {
    let scripts: String = script_hashes.iter().map(|hash| format!(" {hash}")).collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{scripts}; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
}

/// The CSP sources (`'sha256-…'`) of the inline scripts of every page (`*.html`) in
/// `dist`, sorted, each once; none when there is no `dist`.
pub fn inline_script_hashes(dist: &Path) -> std::io::Result<Vec<String>> {
    let mut hashes: Vec<String> = page_hashes(dist)?.into_values().flatten().collect();
    hashes.sort();
    hashes.dedup();
    Ok(hashes)
}

/// Each page (`*.html`) of `dist` by file name, with the CSP sources of its inline scripts.
fn page_hashes(dist: &Path) -> std::io::Result<BTreeMap<String, Vec<String>>> {
    let entries = match std::fs::read_dir(dist) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(e),
    };
    let mut pages = BTreeMap::new();
    for entry in entries {
        let path = entry?.path();
        if let Some(name) = path.file_name().and_then(|n| n.to_str()).filter(|n| n.ends_with(".html")) {
            pages.insert(name.to_string(), page_script_hashes(&std::fs::read_to_string(&path)?));
        }
    }
    Ok(pages)
}

/// The CSP sources of the inline scripts (`<script>` without `src`) of one page.
pub fn page_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let Some(open_end) = rest[start..].find('>').map(|i| start + i + 1) else { break };
        let Some(close) = rest[open_end..].find("</script").map(|i| open_end + i) else { break };
        if !rest[start..open_end].contains("src=") {
            let digest = Sha256::digest(&rest.as_bytes()[open_end..close]);
            hashes.push(format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest)));
        }
        rest = &rest[close..];
    }
    hashes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inline_scripts_are_hashed_over_their_exact_text() {
        let page = "<head><script src=\"/app.js\"></script></head>\
                    <body><script type=\"module\">\n    import init from \"/app.js\";\n  </script></body>";
        // printf '\n    import init from "/app.js";\n  ' | openssl sha256 -binary | base64
        assert_eq!(page_script_hashes(page), ["'sha256-LwJUCnEqdmvQSK6TQ+mtqOPGd3B3OjZYscqLT4beB3g='"]);
        assert_eq!(page_script_hashes("<p>no script</p>"), Vec::<String>::new());
    }

    #[test]
    fn only_files_named_by_their_hash_are_kept_for_good() {
        assert_eq!(cache_policy("/app-0123456789abcdef.wasm"), "public, max-age=31536000, immutable");
        assert_eq!(cache_policy("/style-0123456789abcdef.css"), "public, max-age=31536000, immutable");
        for path in
            ["/", "/index.html", "/tham-gia.html", "/icon.svg", "/app-0123abcd.wasm", "/app-0123456789ABCDEF.js"]
        {
            assert_eq!(cache_policy(path), "no-cache", "{path}");
        }
    }

    #[test]
    fn the_policy_allows_webassembly_and_no_inline_script_but_the_hashed() {
        let policy = content_security_policy(&["'sha256-abc='".into()]);
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc=';"), "{policy}");
        assert!(!policy.contains("unsafe-inline"));
        assert!(policy.contains("frame-ancestors 'none'"));
    }
}
