//! The OpenAPI description is exact: every reference resolves, it describes exactly the
//! routes the router serves, every operation but the open ones needs a device token, and
//! every refusal names the codes it may carry.

use super::Api;
use axum::http::StatusCode;
use domain::DomainError;
use functions::api::{codes_of, openapi, routed_paths};
use functions::error::ErrorCode;
use functions::store::EmbeddedStore;
use serde_json::Value;
use std::collections::BTreeSet;

/// Operations anyone may call: enrolment, the health check, this description.
const OPEN: [&str; 3] = ["join", "health", "document"];

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

fn description() -> Value {
    serde_json::to_value(openapi()).unwrap()
}

/// Every operation of the description: (method, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if METHODS.contains(&method.to_uppercase().as_str()) {
                found.push((method.to_uppercase(), path.clone(), operation.clone()));
            }
        }
    }
    found
}

/// Every `$ref` in `value`.
fn references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                found.push(target.clone());
            }
            map.values().for_each(|v| references(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, found)),
        _ => {}
    }
}

#[test]
fn every_reference_in_the_description_resolves() {
    let doc = description();
    let mut targets = Vec::new();
    references(&doc, &mut targets);
    assert!(targets.len() > 20, "the description refers to its schemas");
    for target in targets {
        let pointer = target.strip_prefix('#').unwrap_or_else(|| panic!("{target} is not within the document"));
        assert!(doc.pointer(pointer).is_some(), "{target} does not resolve");
    }
}

#[tokio::test]
async fn the_description_names_exactly_the_routes_the_router_serves() {
    let api = Api::new().await;
    let mut served = BTreeSet::new();
    for path in routed_paths::<EmbeddedStore>() {
        let uri = path.replace("{id}", "x-1");
        for method in METHODS {
            let (status, answer) = api.call(method, &uri, None, None).await;
            assert_ne!(status, StatusCode::NOT_FOUND, "{method} {uri} fell through to the 404 fallback: {answer}");
            if !(status == StatusCode::METHOD_NOT_ALLOWED && answer["code"] == "method_not_allowed") {
                served.insert((method.to_string(), path.clone()));
            }
        }
    }
    let described: BTreeSet<_> = operations(&description()).into_iter().map(|(m, p, _)| (m, p)).collect();
    assert_eq!(described, served, "described (left) and routed (right) operations differ");
}

#[test]
fn every_operation_but_the_open_ones_needs_a_device_token() {
    for (method, path, operation) in operations(&description()) {
        let id = operation["operationId"].as_str().unwrap();
        let security = &operation["security"];
        if OPEN.contains(&id) {
            assert!(security.is_null(), "{method} {path} is open yet asks for {security}");
        } else {
            assert_eq!(security, &serde_json::json!([{ "device_token": [] }]), "{method} {path}");
            assert!(operation["responses"]["401"].is_object(), "{method} {path} describes no 401");
        }
    }
}

#[test]
fn every_refusal_names_the_codes_it_may_carry() {
    let known: BTreeSet<&str> = ErrorCode::all().collect();
    for (method, path, operation) in operations(&description()) {
        for (status, response) in operation["responses"].as_object().unwrap() {
            let description = response["description"].as_str().unwrap();
            assert!(!description.is_empty(), "{method} {path} {status} has no description");
            if status.as_str() < "400" {
                continue;
            }
            let codes = codes_of(description);
            assert!(!codes.is_empty(), "{method} {path} {status} names no code: {description}");
            for code in &codes {
                assert!(known.contains(code), "{method} {path} {status}: `{code}` is no error code");
                let domain = DomainError::CODES.contains(code);
                assert!(!domain || status == "422", "{method} {path}: the domain's `{code}` under {status}");
            }
            let schema = &response["content"]["application/json"]["schema"];
            assert_eq!(schema["allOf"][0]["$ref"], "#/components/schemas/ErrorBody", "{method} {path} {status}");
            assert_eq!(schema["allOf"][1]["properties"]["code"]["enum"], serde_json::json!(codes));
        }
    }
}

#[test]
fn every_error_code_is_named_by_an_operation_that_may_answer_it() {
    let mut named = BTreeSet::new();
    for (_, _, operation) in operations(&description()) {
        for (status, response) in operation["responses"].as_object().unwrap() {
            if status.as_str() >= "400" {
                named.extend(codes_of(response["description"].as_str().unwrap()).into_iter().map(String::from));
            }
        }
    }
    // A path or a method the router does not know is no operation's.
    let routing = ["not_found", "method_not_allowed"];
    let unnamed: Vec<_> = ErrorCode::all().filter(|c| !named.contains(*c) && !routing.contains(c)).collect();
    assert!(unnamed.is_empty(), "no operation names {unnamed:?}");
}

#[test]
fn ids_periods_and_query_parameters_are_described_as_the_server_reads_them() {
    let doc = description();
    let schemas = &doc["components"]["schemas"];
    for id in ["UnitId", "IndicatorId", "DeviceId"] {
        assert_eq!(schemas[id]["pattern"], domain::ID_PATTERN, "{id}");
        assert_eq!((schemas[id]["minLength"].as_u64(), schemas[id]["maxLength"].as_u64()), (Some(1), Some(64)));
    }
    for written in ["Month", "Bucket", "ReportPeriod"] {
        assert!(schemas[written]["pattern"].is_string(), "{written}");
    }
    let report = &doc["paths"]["/api/v1/units/{id}/report"]["get"]["parameters"];
    let period = report.as_array().unwrap().iter().find(|p| p["name"] == "period").unwrap();
    assert_eq!((&period["in"], &period["required"]), (&Value::from("query"), &Value::from(true)));
    assert_eq!(period["schema"]["$ref"], "#/components/schemas/ReportPeriod");
    let audit = &doc["paths"]["/api/v1/audit"]["get"]["parameters"][0];
    assert_eq!((&audit["in"], &audit["required"]), (&Value::from("query"), &Value::from(false)));
    assert_eq!(schemas["ErrorBody"]["properties"]["code"]["$ref"], "#/components/schemas/ErrorCode");
    let terms = &schemas["IssueCode"]["properties"];
    assert_eq!(terms["valid_days"]["maximum"].as_u64(), Some(u64::from(domain::enrol::MAX_CODE_DAYS)));
    assert_eq!(terms["uses"]["maximum"].as_u64(), Some(u64::from(domain::enrol::MAX_CODE_USES)));
    assert_eq!(
        schemas["Role"]["enum"],
        serde_json::json!(["volunteer", "ward_officer", "inspector", "province_admin"])
    );
}

#[test]
fn months_buckets_and_periods_match_their_patterns_exactly_when_they_parse() {
    let schemas = &description()["components"]["schemas"];
    let pattern = |name: &str| regex_lite::Regex::new(schemas[name]["pattern"].as_str().unwrap()).unwrap();
    let (month, bucket, period) = (pattern("Month"), pattern("Bucket"), pattern("ReportPeriod"));
    let years = ["1999", "2000", "2025", "2099", "2100", "2101", "20x5", "+202", "025", "02025", ""];
    let suffixes = [
        "", "-1", "-01", "-09", "-10", "-12", "-13", "-00", "-0", "-+1", "- 1", "-001", "-H1", "-H2", "-H3", "-h1",
        "-9M", "-Q1", "-Q4", "-Q5", "-Q0", "-Q01", "-Q+1", "..2025", "..2100", "..2101", "..", "-", "-11-18",
    ];
    for text in years.iter().flat_map(|y| suffixes.iter().map(move |s| format!("{y}{s}"))) {
        assert_eq!(month.is_match(&text), text.parse::<domain::Month>().is_ok(), "month {text:?}");
        assert_eq!(bucket.is_match(&text), text.parse::<domain::Bucket>().is_ok(), "bucket {text:?}");
        // A range that runs backwards (2100..2025) has the form, and is refused by a rule.
        let year = |y: &str| y.len() == 4 && y.parse::<domain::ReportPeriod>().is_ok();
        let backwards = text.split_once("..").is_some_and(|(a, b)| year(a) && year(b) && a > b);
        let parses = text.parse::<domain::ReportPeriod>().is_ok();
        assert_eq!(period.is_match(&text), parses || backwards, "period {text:?}");
    }
}

#[tokio::test]
async fn a_report_without_a_period_is_refused_in_vietnamese() {
    let api = Api::new().await;
    let (status, answer) = api.get("/api/v1/units/p-duc-xuan/report").await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_period")));
    assert!(answer["message"].as_str().unwrap().starts_with("Chưa chọn kỳ báo cáo"), "{answer}");
}

#[tokio::test]
async fn the_served_description_is_this_one() {
    let api = Api::new().await;
    let (status, served) = api.call("GET", "/api/openapi.json", None, None).await;
    assert_eq!((status, served), (StatusCode::OK, description()));
}
