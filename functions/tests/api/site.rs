//! The local server's site: every answer, the app's pages and the API's alike, carries
//! the security headers; each page's policy allows its own inline bootstrap by its hash,
//! and no other page's;
//! and no other origin is let in (no CORS headers, not even to a preflight).

use super::Api;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use functions::site::{inline_script_hashes, site_router};
use tower::ServiceExt;

const PAGE: &str = "<!doctype html><html><head><link rel=\"stylesheet\" href=\"/style.css\"></head><body>\
    <script type=\"module\">\n    import init from \"/app.js\";\n    init();\n  </script></body></html>";

/// A second page, with a script of its own.
const JOIN_PAGE: &str = "<!doctype html><html><body><script>\n    location.hash;\n  </script></body></html>";

/// The site over the test API's store, serving a `dist` with two pages and a script.
async fn site(api: &Api) -> (axum::Router, tempfile::TempDir) {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), PAGE).unwrap();
    std::fs::write(dist.path().join("tham-gia.html"), JOIN_PAGE).unwrap();
    std::fs::write(dist.path().join("app.js"), "export default function init() {}").unwrap();
    std::fs::write(dist.path().join("sw.js"), "self.addEventListener('fetch', () => {});").unwrap();
    std::fs::write(dist.path().join("style.css"), "body { margin: 0 }").unwrap();
    (site_router(api.state.clone(), dist.path()).unwrap(), dist)
}

async fn answer(router: &axum::Router, request: Request<Body>) -> (StatusCode, HeaderMap) {
    let response = router.clone().oneshot(request).await.unwrap();
    (response.status(), response.headers().clone())
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let api = Api::new().await;
    let (site, dist) = site(&api).await;
    let index = functions::site::page_script_hashes(PAGE);
    let join = functions::site::page_script_hashes(JOIN_PAGE);
    assert_eq!(inline_script_hashes(dist.path()).unwrap().len(), 2, "two inline scripts");
    // What each answer's policy allows to run inline: `None` for a resource (nothing at all).
    for (path, status, inline) in [
        ("/", StatusCode::OK, Some(index.as_slice())),
        ("/index.html", StatusCode::OK, Some(index.as_slice())),
        ("/a/path/of/the/app", StatusCode::OK, Some(index.as_slice())),
        ("/tham-gia.html", StatusCode::OK, Some(join.as_slice())),
        ("/sw.js", StatusCode::OK, Some(&[][..])),
        ("/app.js", StatusCode::OK, None),
        ("/style.css", StatusCode::OK, None),
        ("/api/v1/health", StatusCode::OK, None),
        ("/api/v1/units", StatusCode::UNAUTHORIZED, None),
        ("/api/v1/khong-co", StatusCode::NOT_FOUND, None),
        ("/api/openapi.json", StatusCode::OK, None),
    ] {
        let (got, headers) = answer(&site, get(path)).await;
        assert_eq!(got, status, "{path}");
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(policy.contains("frame-ancestors 'none'") && !policy.contains("unsafe-inline"), "{policy}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        let Some(inline) = inline else {
            // Not a document nor a worker: it may load nothing, and sends no referrer.
            assert_eq!(policy, functions::site::RESOURCE_POLICY, "{path}");
            assert!(headers.get("referrer-policy").is_none(), "{path}");
            continue;
        };
        assert!(policy.starts_with("default-src 'self'; "), "{path}: {policy}");
        let scripts: String = inline.iter().map(|hash| format!(" {hash}")).collect();
        assert!(policy.contains(&format!("script-src 'self' 'wasm-unsafe-eval'{scripts};")), "{path}: {policy}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
    }
}

#[tokio::test]
async fn another_origin_gets_no_cors_headers_not_even_to_a_preflight() {
    let api = Api::new().await;
    let (site, _dist) = site(&api).await;
    let preflight = Request::builder()
        .method("OPTIONS")
        .uri("/api/v1/sync")
        .header("origin", "https://elsewhere.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization, content-type")
        .body(Body::empty())
        .unwrap();
    let (status, headers) = answer(&site, preflight).await;
    assert!(status.is_client_error(), "{status}");
    let cross = Request::get("/api/v1/health").header("origin", "https://elsewhere.example");
    let (status, simple) = answer(&site, cross.body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    for headers in [headers, simple] {
        let cors: Vec<_> = headers.keys().filter(|name| name.as_str().starts_with("access-control-")).collect();
        assert!(cors.is_empty(), "CORS headers sent: {cors:?}");
    }
}

#[test]
fn a_site_without_pages_allows_no_inline_script() {
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(inline_script_hashes(empty.path()).unwrap(), Vec::<String>::new());
    assert_eq!(inline_script_hashes(&empty.path().join("absent")).unwrap(), Vec::<String>::new());
}

#[test]
fn cloudfront_sends_the_policy_the_local_server_sends() {
    let template = include_str!("../../../infra/template.yaml");
    let policy = functions::site::content_security_policy(&["'${Hashes}'".to_string()]);
    assert!(template.contains(&format!("\"{policy}\"")), "infra/template.yaml has another policy than\n{policy}");
}

/// A revalidated page (304) carries no policy: its headers update the cached answer's,
/// and a resource's policy there would forbid the page everything.
#[tokio::test]
async fn a_not_modified_page_keeps_the_policy_it_was_cached_with() {
    let api = Api::new().await;
    let (site, _dist) = site(&api).await;
    let (_, first) = answer(&site, get("/")).await;
    let modified = first["last-modified"].to_str().unwrap().to_string();
    let again = Request::get("/").header("if-modified-since", modified).body(Body::empty()).unwrap();
    let (status, headers) = answer(&site, again).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(headers.get("content-security-policy").is_none(), "{headers:?}");
    assert!(first["content-security-policy"].to_str().unwrap().starts_with("default-src 'self'; "));
}

#[tokio::test]
async fn a_file_kept_for_good_carries_only_the_headers_it_needs() {
    let api = Api::new().await;
    let (site, dist) = site(&api).await;
    std::fs::write(dist.path().join("app-0123456789abcdef.wasm"), b"\0asm").unwrap();
    let (status, kept) = answer(&site, get("/app-0123456789abcdef.wasm")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kept["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(kept["x-content-type-options"], "nosniff");
    for needless in ["last-modified", "accept-ranges", "content-security-policy", "referrer-policy"] {
        assert!(kept.get(needless).is_none(), "{needless}: {kept:?}");
    }
    // A page is asked about again (it keeps its date, which the browser sends back) and
    // runs under its own policies.
    let (_, page) = answer(&site, get("/index.html")).await;
    assert_eq!(page["cache-control"], "no-cache");
    for kept in ["last-modified", "content-security-policy", "referrer-policy"] {
        assert!(page.get(kept).is_some(), "{kept}: {page:?}");
    }
}
