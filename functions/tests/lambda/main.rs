//! The real `sotay-lambda` binary against a mock of the Lambda Runtime API on 127.0.0.1,
//! with API Gateway (HTTP API, payload 2.0) events, over moto's DynamoDB.

#[path = "../store/moto.rs"]
#[allow(dead_code)] // the faulty tables are for the store suite
mod moto;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::Role;
use domain::enrol::Enrolment;
use serde_json::{Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the mock runtime hands out and what it receives back.
#[derive(Default)]
struct Runtime {
    events: Mutex<VecDeque<(String, Value)>>,
    answers: Mutex<BTreeMap<String, (&'static str, Value)>>,
}

async fn next(State(rt): State<Arc<Runtime>>) -> (HeaderMap, Json<Value>) {
    let event = rt.events.lock().unwrap().pop_front();
    let Some((id, event)) = event else {
        std::future::pending::<()>().await; // no more invocations: hold the poll
        unreachable!()
    };
    let mut headers = HeaderMap::new();
    let deadline = (std::time::SystemTime::now() + Duration::from_secs(30))
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    headers.insert("lambda-runtime-aws-request-id", HeaderValue::from_str(&id).unwrap());
    headers.insert("lambda-runtime-deadline-ms", HeaderValue::from_str(&deadline.to_string()).unwrap());
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        HeaderValue::from_static("arn:aws:lambda:ap-southeast-1:123456789012:function:sotay-api"),
    );
    headers.insert("lambda-runtime-trace-id", HeaderValue::from_static("Root=1-00000000-000000000000000000000000"));
    (headers, Json(event))
}

async fn answer(State(rt): State<Arc<Runtime>>, Path((id, kind)): Path<(String, String)>, body: String) {
    let kind = if kind == "response" { "response" } else { "error" };
    let body = serde_json::from_str(&body).unwrap_or(Value::String(body));
    rt.answers.lock().unwrap().insert(id, (kind, body));
}

/// An API Gateway HTTP API (payload format 2.0) event.
fn http_event(method: &str, path: &str, query: &str, body: Option<String>, token: &str) -> Value {
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": { "content-type": "application/json", "host": "api.example.test", "authorization": format!("Bearer {token}") },
        "requestContext": {
            "accountId": "123456789012", "apiId": "api", "domainName": "api.example.test", "domainPrefix": "api",
            "http": { "method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "test" },
            "requestId": "req", "routeKey": "$default", "stage": "$default",
            "time": "26/Nov/2026:10:00:00 +0000", "timeEpoch": 1_795_600_000_000u64
        },
        "body": body,
        "isBase64Encoded": false
    })
}

/// The invocations the mock runtime hands out, in order.
fn events(phone: &Enrolment) -> Vec<(String, Value)> {
    let sync = json!({ "protocol": 1, "device": phone.device, "counters": [
        { "area": "dx-to-8a", "indicator": "dat_hien", "month": "2025-11", "inc": 8111, "dec": 0 }] });
    let token = phone.token.as_str();
    vec![
        ("1-sync".to_string(), http_event("POST", "/api/v1/sync", "", Some(sync.to_string()), token)),
        ("2-repeat".to_string(), http_event("POST", "/api/v1/sync", "", Some(sync.to_string()), token)),
        ("3-report".to_string(), http_event("GET", "/api/v1/units/p-duc-xuan/report", "period=2025", None, token)),
        ("4-bad".to_string(), http_event("POST", "/api/v1/sync", "", Some("{\"protocol\":".into()), token)),
        ("5-revoked".to_string(), http_event("GET", "/api/v1/me", "", None, "d-000.0000")),
        ("6-not-an-event".to_string(), json!({ "hello": "world" })),
    ]
}

/// Enrols the volunteer of Tổ 8A in the table the function will use.
async fn enrol(store: &functions::store::DynamoStore) -> Enrolment {
    let tree = functions::store::load_tree(store).await.unwrap();
    let now = functions::api::system_clock()();
    functions::enrolment::enrol(store, &tree, Role::Volunteer, "dx-to-8a", "Trưởng ban Tổ 8A", now).await.unwrap()
}

/// Runs `binary` as Lambda runs a function, until it answered every event; returns the
/// answers and the time from process start to the first answer.
async fn invoke(
    binary: &str,
    store: &functions::store::DynamoStore,
) -> (BTreeMap<String, (&'static str, Value)>, Duration) {
    let phone = enrol(store).await;
    let table = store.table();
    let runtime = Arc::new(Runtime::default());
    let count = {
        let mut queue = runtime.events.lock().unwrap();
        queue.extend(events(&phone));
        queue.len()
    };
    let app = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route("/2018-06-01/runtime/invocation/{id}/{kind}", post(answer))
        .with_state(Arc::clone(&runtime));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let started = Instant::now();
    let mut lambda = Command::new(binary)
        .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
        .env("SOTAY_DEMO", "1")
        .env("AWS_LAMBDA_FUNCTION_NAME", "sotay-api")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/sotay-api")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "test")
        .env("AWS_REGION", "ap-southeast-1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("SOTAY_TABLE", table)
        .env("SOTAY_DYNAMODB_ENDPOINT", moto::endpoint())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut first_answer = None;
    while runtime.answers.lock().unwrap().len() < count && started.elapsed() < Duration::from_secs(60) {
        if first_answer.is_none() && !runtime.answers.lock().unwrap().is_empty() {
            first_answer = Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    lambda.kill().unwrap();
    lambda.wait().unwrap();
    server.abort();
    let answers = std::mem::take(&mut *runtime.answers.lock().unwrap());
    (answers, first_answer.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bootstrap_binary_answers_api_gateway_events() {
    let store = moto::fresh_table().await;
    // `SOTAY_LAMBDA_BINARY` may name the packaged `bootstrap` instead of this build's binary.
    let binary = std::env::var("SOTAY_LAMBDA_BINARY").unwrap_or_else(|_| env!("CARGO_BIN_EXE_sotay-lambda").into());
    let (answers, _) = invoke(&binary, &store).await;
    let response = |id: &str| {
        let (kind, body) = answers.get(id).unwrap_or_else(|| panic!("no answer to {id}"));
        assert_eq!(*kind, "response", "{id}: {body}");
        let inner: Value = serde_json::from_str(body["body"].as_str().unwrap()).unwrap();
        (body["statusCode"].as_u64().unwrap(), inner)
    };
    // The server's clock comes with every sync answer.
    let synced = |id: &str| {
        let (status, mut body) = response(id);
        let server_ms = body.as_object_mut().unwrap().remove("server_ms").and_then(|v| v.as_u64());
        assert!(server_ms.is_some_and(|ms| ms > 1_700_000_000_000), "{id}: {server_ms:?}");
        let catalogue = body.as_object_mut().unwrap().remove("catalogue");
        assert_eq!(catalogue.and_then(|v| v.as_str().map(String::from)), Some(domain::Catalogue::standard().version));
        (status, body)
    };
    assert_eq!(synced("1-sync"), (200, json!({ "changed": 1, "unchanged": 0 })));
    assert_eq!(synced("2-repeat"), (200, json!({ "changed": 0, "unchanged": 1 })));
    let (status, report) = response("3-report");
    assert_eq!((status, &report["unit"]["figures"]["dat_hien"]), (200, &json!({ "counter": { "total": 8111 } })));
    let (status, error) = response("4-bad");
    assert_eq!((status, error["code"].as_str()), (400, Some("malformed_json")));
    let (status, error) = response("5-revoked");
    assert_eq!((status, error["code"].as_str()), (401, Some("invalid_token")));
    assert_eq!(answers["6-not-an-event"].0, "error", "an event that is no HTTP request goes to the error endpoint");

    // Cold start, for BENCHMARKS.md (measured, not asserted): `SOTAY_COLD_START_RUNS=N`.
    let runs: usize = std::env::var("SOTAY_COLD_START_RUNS").ok().and_then(|n| n.parse().ok()).unwrap_or(0);
    if runs > 0 {
        let mut times = Vec::new();
        for _ in 0..runs {
            let table = moto::fresh_table().await;
            times.push(invoke(&binary, &table).await.1);
        }
        times.sort();
        eprintln!("cold start of {binary}: median {:?} over {runs} runs (all: {times:?})", times[runs / 2]);
    }
}
