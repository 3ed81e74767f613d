//! Exactly-once sync through the API and the embedded store.

use super::{Api, counter_sync};
use axum::http::StatusCode;
use domain::enrol::DAY_MS;
use serde_json::{Value, json};

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

/// The answer without the server's clock (checked to be there).
fn without_clock(mut answer: Value) -> Value {
    let clock = answer.as_object_mut().and_then(|a| a.remove("server_ms"));
    assert!(clock.as_ref().is_some_and(Value::is_u64), "no server_ms in {answer}");
    // And the version of the province's catalogue, which every answer names.
    let catalogue = answer.as_object_mut().and_then(|a| a.remove("catalogue"));
    assert_eq!(catalogue, Some(json!(domain::Catalogue::standard().version)), "{answer}");
    answer
}

#[tokio::test]
async fn repeated_sync_changes_nothing_and_an_older_state_is_ignored() {
    let api = Api::new().await;
    let newer = counter_sync("phone-a", "dx-to-8a", "ngay_cong", "2025-03", 5379, 0);
    let older = counter_sync("phone-a", "dx-to-8a", "ngay_cong", "2025-03", 5000, 0);
    let (_, first) = api.sync(&newer).await;
    assert_eq!(without_clock(first), json!({ "changed": 1, "unchanged": 0 }));
    let (_, again) = api.sync(&newer).await;
    assert_eq!(without_clock(again), json!({ "changed": 0, "unchanged": 1 }));
    let (_, late) = api.sync(&older).await;
    let stored = json!([{ "area": "dx-to-8a", "indicator": "ngay_cong", "month": "2025-03", "inc": 5379, "dec": 0 }]);
    assert_eq!(
        without_clock(late),
        json!({ "changed": 0, "unchanged": 1, "ahead": { "counters": stored, "registers": [] } })
    );
    assert_eq!(api.total("p-duc-xuan", "ngay_cong", "2025-Q1").await, 5379);
}

/// Four counter cells of a volunteer of Tổ 11 under `protocol`: two good ones, one of Tổ 13
/// (outside its scope) at position 1, one of an indicator the catalogue lacks at position 2.
fn mixed_sync(protocol: u32) -> Value {
    let cell = |area: &str, indicator: &str, inc: u64| json!({ "area": area, "indicator": indicator, "month": "2025-11", "inc": inc, "dec": 0 });
    json!({ "protocol": protocol, "device": "phone-11", "counters": [
        cell("ntmk-to-11", "dat_hien", 120),
        cell("ntmk-to-13", "dat_hien", 30),
        cell("ntmk-to-11", "chi_tieu_la", 5),
        cell("ntmk-to-11", "ngay_cong", 40),
    ] })
}

/// The cells the store holds of a phone, read through the cells of its device once revoked.
async fn cells_of(api: &Api, phone: &str) -> Value {
    let (device, _) = api.phone(phone, "ntmk-to-11").await;
    let (status, _) = api.post(&format!("/api/v1/devices/{device}/revoke"), Some(&api.admin), &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, cells) = api.get(&format!("/api/v1/devices/{device}/cells")).await;
    assert_eq!(status, StatusCode::OK, "{cells}");
    cells["cells"].clone()
}

#[tokio::test]
async fn one_refused_cell_of_a_v2_request_leaves_the_others_stored() {
    let api = Api::new().await;
    // GIVEN a server whose clock runs three days ahead of the phones'
    api.advance(3 * DAY_MS);
    let before = api.state.now_ms();
    // WHEN a volunteer of Tổ 11 sends two good cells, one of Tổ 13 and one of an unknown indicator
    let (status, answer) = api.sync(&mixed_sync(2)).await;
    // THEN the good ones are counted, the bad ones come back refused by position, in Vietnamese
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!((answer["changed"].as_u64(), answer["unchanged"].as_u64()), (Some(2), Some(0)));
    let refused = answer["refused"].as_array().unwrap();
    let why: Vec<_> = refused.iter().map(|r| (r["cell"].as_u64().unwrap(), r["code"].as_str().unwrap())).collect();
    assert_eq!(why, [(1, "forbidden"), (2, "unknown_indicator")]);
    assert!(refused[0]["message"].as_str().unwrap().contains("không được gửi số liệu"), "{answer}");
    assert!(refused[1]["message"].as_str().unwrap().contains("danh mục"), "{answer}");
    // and `server_ms` is the server's clock, not the phone's
    let server_ms = answer["server_ms"].as_u64().unwrap();
    assert!((before..=api.state.now_ms()).contains(&server_ms), "{server_ms} not the server's clock");
    assert_eq!(api.total("p-nguyen-thi-minh-khai", "dat_hien", "2025").await, 120);
    assert_eq!(api.total("p-nguyen-thi-minh-khai", "ngay_cong", "2025").await, 40);
    assert_eq!(api.total("ntmk-to-13", "dat_hien", "2025").await, 0);
    let stored: Vec<_> =
        cells_of(&api, "phone-11").await.as_array().unwrap().iter().map(|c| c["indicator"].clone()).collect();
    assert_eq!(stored, ["dat_hien", "ngay_cong"], "nothing of the refused cells is stored");
}

#[tokio::test]
async fn a_v1_request_with_a_refused_cell_is_refused_whole() {
    let api = Api::new().await;
    // A phone of protocol 1 takes any answer as "every cell stored": one bad cell refuses all.
    let (status, answer) = api.sync(&mixed_sync(1)).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_indicator")));
    let mut outside = mixed_sync(1);
    outside["counters"].as_array_mut().unwrap().remove(2);
    let (status, answer) = api.sync(&outside).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    for unit in ["ntmk-to-11", "ntmk-to-13", "p-nguyen-thi-minh-khai"] {
        assert_eq!(api.total(unit, "dat_hien", "2025").await, 0, "{unit}");
    }
    assert_eq!(cells_of(&api, "phone-11").await, json!([]), "nothing stored");
}

#[tokio::test]
async fn stored_states_a_device_did_not_send_come_back_ahead() {
    let api = Api::new().await;
    let register = |value: u64, wall: u64| {
        json!({ "area": "ntmk-to-11", "indicator": "so_ho", "bucket": "2025-11", "value": { "level": value },
            "stamp": { "hlc": { "wall": wall, "n": 0 }, "device": "phone-a" } })
    };
    let sync = |inc: u64, level: u64, wall: u64| {
        json!({ "protocol": 2, "device": "phone-a", "registers": [register(level, wall)], "counters": [
            { "area": "ntmk-to-11", "indicator": "dat_hien", "month": "2025-11", "inc": inc, "dec": 0 }] })
    };
    // GIVEN a phone that sent 120 m² and 90 households
    let (status, first) = api.sync(&sync(120, 90, 2_000)).await;
    assert_eq!((status, first["changed"].as_u64()), (StatusCode::OK, Some(2)), "{first}");
    assert!(first.get("ahead").is_none(), "{first}");
    // WHEN it sends an older copy of its ledger: 80 m², and 85 households stamped earlier
    let (status, older) = api.sync(&sync(80, 85, 1_000)).await;
    assert_eq!(status, StatusCode::OK, "{older}");
    // THEN what the server holds of it comes back, and nothing moves
    let (device, _) = api.phone("phone-a", "ntmk-to-11").await;
    let mut stored = register(90, 2_000);
    stored["stamp"]["device"] = json!(device);
    let counters = json!([{ "area": "ntmk-to-11", "indicator": "dat_hien", "month": "2025-11", "inc": 120, "dec": 0 }]);
    assert_eq!(
        without_clock(older),
        json!({ "changed": 0, "unchanged": 2, "ahead": { "counters": counters, "registers": [stored] } })
    );
    assert_eq!(api.total("p-nguyen-thi-minh-khai", "dat_hien", "2025").await, 120);
    let (_, report) = api.get("/api/v1/units/ntmk-to-11/report?period=2025-11").await;
    assert_eq!(report["unit"]["figures"]["so_ho"]["level"]["total"], 90, "{report}");
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
    assert_eq!(figures["ngay_hoi_ddk"], json!({ "flag": { "yes": 1, "answered": 1, "of": 3 } }));
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
        "/api/v1/devices/{id}/cells",
        "/api/v1/me/successor",
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

#[tokio::test]
async fn an_older_copy_of_a_ledger_learns_it_is_one_even_with_nothing_to_send() {
    let api = Api::new().await;
    let probe = |entries: u64| json!({ "protocol": 2, "device": "phone-a", "entries": entries });
    // GIVEN a phone whose ledger held 12 entries when it synced
    let (status, first) = api.sync(&probe(12)).await;
    assert_eq!((status, &first["entries"]), (StatusCode::OK, &json!(12)), "{first}");
    // WHEN an older copy of that ledger, with 9 entries, syncs with nothing to send
    let (status, older) = api.sync(&probe(9)).await;
    // THEN the answer tells it the device has held more
    assert_eq!((status, &older["entries"]), (StatusCode::OK, &json!(12)), "{older}");
    assert_eq!(older["changed"], 0);
}
