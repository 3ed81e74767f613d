//! Bad input gets a 4xx with a stable code and a Vietnamese message, and changes nothing.

use super::{Api, counter_sync};
use axum::http::StatusCode;
use serde_json::{Value, json};

/// Sends a bad request and checks the answer, then that the ward total did not move.
async fn refused(api: &Api, body: impl Into<String>, status: StatusCode, code: &str) -> Value {
    let (got, answer) = api.post_raw("/api/v1/sync", body).await;
    assert_eq!((got, answer["code"].as_str()), (status, Some(code)), "{answer}");
    assert!(!answer["message"].as_str().unwrap().is_empty());
    assert_eq!(api.total("p-duc-xuan", "dat_hien", "2025").await, 100, "a refused request changed a total");
    answer
}

async fn api_with_one_entry() -> Api {
    let api = Api::new().await;
    let (status, _) = api.sync(&counter_sync("phone-a", "dx-to-8a", "dat_hien", "2025-11", 100, 0)).await;
    assert_eq!(status, StatusCode::OK);
    api
}

#[tokio::test]
async fn malformed_json_is_refused() {
    let api = api_with_one_entry().await;
    let answer = refused(&api, "{\"protocol\": 1, \"device\":", StatusCode::BAD_REQUEST, "malformed_json").await;
    assert!(answer["message"].as_str().unwrap().contains("không đúng định dạng"));
    refused(&api, json!({"protocol": 1}).to_string(), StatusCode::BAD_REQUEST, "malformed_json").await;
}

#[tokio::test]
async fn unknown_indicator_or_area_is_refused_and_nothing_of_the_request_is_stored() {
    let api = api_with_one_entry().await;
    let mut body = counter_sync("phone-b", "dx-to-8a", "dat_hien", "2025-11", 50, 0);
    body["counters"].as_array_mut().unwrap().push(json!(
        { "area": "dx-to-8a", "indicator": "khong_co", "month": "2025-11", "inc": 1, "dec": 0 }));
    let answer = refused(&api, body.to_string(), StatusCode::UNPROCESSABLE_ENTITY, "unknown_indicator").await;
    assert_eq!(
        answer["message"],
        "Chỉ tiêu này không có trong danh mục của ứng dụng; hãy tải lại ứng dụng để có danh mục mới."
    );
    let body = counter_sync("phone-b", "to-khong-co", "dat_hien", "2025-11", 50, 0);
    refused(&api, body.to_string(), StatusCode::UNPROCESSABLE_ENTITY, "unknown_unit").await;
}

#[tokio::test]
async fn writes_outside_a_residential_area_are_refused() {
    let api = api_with_one_entry().await;
    let body = counter_sync("phone-b", "p-duc-xuan", "dat_hien", "2025-11", 50, 0);
    refused(&api, body.to_string(), StatusCode::UNPROCESSABLE_ENTITY, "not_an_area").await;
}

#[tokio::test]
async fn a_wrong_kind_of_value_is_refused() {
    let api = api_with_one_entry().await;
    // A counter cell for a level indicator.
    let body = counter_sync("phone-b", "dx-to-8a", "so_ho", "2025-11", 50, 0);
    refused(&api, body.to_string(), StatusCode::UNPROCESSABLE_ENTITY, "wrong_kind").await;
    // A flag value for a level indicator.
    let body = json!({ "protocol": 1, "device": "phone-b", "registers": [{
        "area": "dx-to-8a", "indicator": "so_ho", "bucket": "2025-11", "value": { "flag": true },
        "stamp": { "hlc": { "wall": 1, "n": 0 }, "device": "phone-b" } }] });
    refused(&api, body.to_string(), StatusCode::UNPROCESSABLE_ENTITY, "wrong_kind").await;
}

#[tokio::test]
async fn a_counter_driven_below_zero_is_refused() {
    let api = api_with_one_entry().await;
    let body = counter_sync("phone-b", "dx-to-8a", "dat_hien", "2025-11", 10, 30);
    let answer = refused(&api, body.to_string(), StatusCode::UNPROCESSABLE_ENTITY, "negative_total").await;
    assert!(answer["message"].as_str().unwrap().contains("không thể âm"));
}

#[tokio::test]
async fn an_impossible_period_is_refused() {
    let api = api_with_one_entry().await;
    let body = counter_sync("phone-b", "dx-to-8a", "dat_hien", "2025-13", 10, 0);
    refused(&api, body.to_string(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_period").await;
    let (status, answer) = api.get("/api/v1/units/p-duc-xuan/report?period=2025-Q5").await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_period")));
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let api = api_with_one_entry().await;
    let big = format!("{{\"protocol\":1,\"device\":\"phone-b\",\"counters\":[],\"pad\":\"{}\"}}", "x".repeat(2 << 20));
    refused(&api, big, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    let cell = json!({ "area": "dx-to-8a", "indicator": "dat_hien", "month": "2025-11", "inc": 1, "dec": 0 });
    let many = json!({ "protocol": 1, "device": "phone-b", "counters": vec![cell; domain::MAX_CELLS + 1] });
    refused(&api, many.to_string(), StatusCode::UNPROCESSABLE_ENTITY, "too_many_cells").await;
}

#[tokio::test]
async fn an_unknown_protocol_and_a_missing_content_type_are_refused() {
    let api = api_with_one_entry().await;
    let mut body = counter_sync("phone-b", "dx-to-8a", "dat_hien", "2025-11", 10, 0);
    body["protocol"] = json!(99);
    refused(&api, body.to_string(), StatusCode::UNPROCESSABLE_ENTITY, "unsupported_protocol").await;
    let request = axum::http::Request::post("/api/v1/sync")
        .header("authorization", format!("Bearer {}", api.admin))
        .body(axum::body::Body::from("{}"))
        .unwrap();
    let (status, answer) = api.send(request).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("unsupported_media_type")));
    let (status, answer) = api.get("/api/v1/nothing-here").await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
}

#[tokio::test]
async fn a_cell_sent_twice_in_one_request_is_refused() {
    let api = api_with_one_entry().await;
    let mut body = counter_sync("phone-b", "dx-to-8a", "dat_hien", "2025-11", 10, 0);
    let copy = body["counters"][0].clone();
    body["counters"].as_array_mut().unwrap().push(copy);
    refused(&api, body.to_string(), StatusCode::UNPROCESSABLE_ENTITY, "duplicate_cell").await;
}

#[tokio::test]
async fn an_amount_beyond_any_real_total_is_refused() {
    let api = api_with_one_entry().await;
    let body = counter_sync("phone-b", "dx-to-8a", "dat_hien", "2025-11", i64::MAX as u64, 0);
    refused(&api, body.to_string(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_amount").await;
    let body = json!({ "protocol": 1, "device": "phone-b", "registers": [{
        "area": "dx-to-8a", "indicator": "so_ho", "bucket": "2025-11", "value": { "level": u64::MAX },
        "stamp": { "hlc": { "wall": 1, "n": 0 }, "device": "phone-b" } }] });
    refused(&api, body.to_string(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_amount").await;
}

#[tokio::test]
async fn every_api_error_is_json_with_a_code() {
    let api = api_with_one_entry().await;
    for (method, path, status, code) in [
        ("GET", "/api/v1/units/p-duc-xuan/report", StatusCode::UNPROCESSABLE_ENTITY, "invalid_period"),
        ("GET", "/api/v1/sync", StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
        ("GET", "/api/v2/sync", StatusCode::NOT_FOUND, "not_found"),
        ("GET", "/api/v1/units/khong-co/report?period=2025", StatusCode::UNPROCESSABLE_ENTITY, "unknown_unit"),
    ] {
        let (got, answer) = api.call(method, path, Some(&api.admin), None).await;
        assert_eq!((got, answer["code"].as_str()), (status, Some(code)), "{method} {path}: {answer}");
    }
}

#[tokio::test]
async fn a_field_given_twice_is_refused_not_one_of_them_kept() {
    let api = api_with_one_entry().await;
    let twice = r#"{"protocol": 1, "device": "phone-a", "counters": [
        {"area": "dx-to-8a", "indicator": "dat_hien", "month": "2025-11", "inc": 100, "inc": 900, "dec": 0}]}"#;
    let answer = refused(&api, twice, StatusCode::BAD_REQUEST, "malformed_json").await;
    assert!(answer["message"].as_str().unwrap().contains("duplicate field"), "{answer}");
    let trailing = format!("{}{{", counter_sync("phone-a", "dx-to-8a", "dat_hien", "2025-11", 900, 0));
    refused(&api, trailing, StatusCode::BAD_REQUEST, "malformed_json").await;
}
