//! Exactly-once sync through the API and the embedded store.

use super::{Api, counter_sync};
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn two_devices_reach_area_and_ward_totals_exactly_once() {
    let api = Api::new().await;
    // GIVEN two phones in Tổ 11 and one in Tổ 13 of Phường Nguyễn Thị Minh Khai
    let a = counter_sync("phone-a", "ntmk-to-11", "dat_hien", "2025-11", 120, 20);
    let b = counter_sync("phone-b", "ntmk-to-11", "dat_hien", "2025-11", 80, 0);
    let c = counter_sync("phone-c", "ntmk-to-13", "dat_hien", "2025-10", 8011, 0);
    // WHEN each syncs, and phone A's request is repeated (a retry after a timeout)
    for body in [&a, &b, &a, &c, &a] {
        let (status, answer) = api.sync(body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    // THEN every total counts each entry once
    assert_eq!(api.total("ntmk-to-11", "dat_hien", "2025").await, 180);
    assert_eq!(api.total("ntmk-to-13", "dat_hien", "2025").await, 8011);
    assert_eq!(api.total("p-nguyen-thi-minh-khai", "dat_hien", "2025").await, 8191);
    assert_eq!(api.total("tp-bac-kan", "dat_hien", "2025").await, 8191);
    assert_eq!(api.total("p-nguyen-thi-minh-khai", "dat_hien", "2025-11").await, 180);
    assert_eq!(api.total("p-duc-xuan", "dat_hien", "2025").await, 0);
}

#[tokio::test]
async fn repeated_sync_changes_nothing_and_an_older_state_is_ignored() {
    let api = Api::new().await;
    let newer = counter_sync("phone-a", "dx-to-8a", "ngay_cong", "2025-03", 5379, 0);
    let older = counter_sync("phone-a", "dx-to-8a", "ngay_cong", "2025-03", 5000, 0);
    let (_, first) = api.sync(&newer).await;
    assert_eq!(first, json!({ "changed": 1, "unchanged": 0 }));
    let (_, again) = api.sync(&newer).await;
    assert_eq!(again, json!({ "changed": 0, "unchanged": 1 }));
    let (_, late) = api.sync(&older).await;
    assert_eq!(late, json!({ "changed": 0, "unchanged": 1 }));
    assert_eq!(api.total("p-duc-xuan", "ngay_cong", "2025-Q1").await, 5379);
}

#[tokio::test]
async fn levels_take_the_latest_write_and_ratios_recompute_per_unit() {
    let api = Api::new().await;
    let register = |device: &str, area: &str, indicator: &str, value: u64, wall: u64| {
        json!({ "protocol": 1, "device": device, "registers": [{
            "area": area, "indicator": indicator, "bucket": "2025-06", "value": { "level": value },
            "stamp": { "hlc": { "wall": wall, "n": 0 }, "device": device } }] })
    };
    for body in [
        register("phone-a", "ntmk-to-11", "tong_so_ngo", 100, 2),
        register("phone-b", "ntmk-to-11", "tong_so_ngo", 90, 1), // older write arrives later: loses
        register("phone-a", "ntmk-to-11", "ngo_co_den", 98, 3),
        register("phone-c", "ntmk-to-13", "tong_so_ngo", 90, 4),
        register("phone-c", "ntmk-to-13", "ngo_co_den", 80, 5),
    ] {
        assert_eq!(api.sync(&body).await.0, StatusCode::OK);
    }
    let flag = json!({ "protocol": 1, "device": "phone-a", "registers": [{
        "area": "ntmk-to-11", "indicator": "ngay_hoi_ddk", "bucket": "2025", "value": { "flag": true },
        "stamp": { "hlc": { "wall": 9, "n": 0 }, "device": "phone-a" } }] });
    assert_eq!(api.sync(&flag).await.0, StatusCode::OK);

    let (_, report) = api.get("/api/v1/units/p-nguyen-thi-minh-khai/report?period=2025").await;
    let figures = &report["unit"]["figures"];
    assert_eq!(figures["tong_so_ngo"], json!({ "level": { "total": 190, "reporting": 2, "areas": 3 } }));
    assert_eq!(figures["ty_le_ngo_co_den"], json!({ "ratio": { "numerator": 178, "denominator": 190 } }));
    assert_eq!(figures["ngay_hoi_ddk"], json!({ "flag": { "yes": 1, "of": 3 } }));
    assert_eq!(report["children"].as_array().unwrap().len(), 3);
    assert_eq!(report["period_name"], "Năm 2025");
}

#[tokio::test]
async fn openapi_lists_every_path_and_error_code() {
    let api = Api::new().await;
    let (status, doc) = api.get("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/sync",
        "/api/v1/units",
        "/api/v1/units/{id}/report",
        "/api/v1/catalogue",
        "/api/v1/join",
        "/api/v1/me",
        "/api/v1/codes",
        "/api/v1/codes/{id}/withdraw",
        "/api/v1/devices",
        "/api/v1/devices/{id}/revoke",
        "/api/v1/audit",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    assert_eq!(doc["components"]["securitySchemes"]["device_token"]["scheme"], "bearer");
    assert_eq!(doc["paths"]["/api/v1/sync"]["post"]["security"], json!([{ "device_token": [] }]));
    let codes = doc["components"]["schemas"]["ErrorCode"]["enum"].as_array().unwrap();
    let all = domain::DomainError::CODES.iter().chain(domain::AccessError::CODES).chain(functions::ApiError::CODES);
    for code in all {
        assert!(codes.contains(&json!(code)), "{code} missing");
    }
}
