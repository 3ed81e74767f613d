//! A province's catalogue (`GET` and `POST /api/v1/catalogue`): its administrator adds an
//! indicator in hectares, renames one and retires another; a phone learns the version by
//! sync and reads the catalogue; an entry for the retired indicator counts for the months
//! before it was retired only; what a province may not change is refused with a
//! Vietnamese reason and changes nothing. Over the embedded store and over DynamoDB (moto).

use super::Api;
use axum::http::StatusCode;
use domain::Role;
use functions::store::Store;
use serde_json::{Value, json};

fn change(id: &str, edit: Value) -> Value {
    json!({ "id": id, "province": "tp-bac-kan", "edit": edit })
}

fn add_hectares() -> Value {
    let indicator = json!({ "id": "rung_trong_moi", "label": "Diện tích rừng trồng mới", "unit": "ha",
        "kind": "counter", "content": 3 });
    json!({ "kind": "add", "indicator": indicator })
}

#[tokio::test]
async fn a_province_changes_its_catalogue_and_phones_follow() {
    changed(Api::new().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_dynamodb_a_province_changes_its_catalogue_and_phones_follow() {
    changed(Api::over_dynamodb().await).await;
}

async fn changed<S: Store>(api: Api<S>) {
    // GIVEN the province's administrator, a ward officer and a volunteer of Tổ 11
    let (_, ward) = api.enrol(Role::WardOfficer, "p-nguyen-thi-minh-khai", "Cán bộ phường").await;
    let (_, phone) = api.phone("phone-11", "ntmk-to-11").await;
    let (status, before) = api.call("GET", "/api/v1/catalogue", Some(&phone), None).await;
    assert_eq!(status, StatusCode::OK);
    let standard = before["version"].as_str().unwrap().to_string();

    // WHEN the ward officer adds an indicator: refused, only the province's administrator may
    let (status, refused) = api.post("/api/v1/catalogue", Some(&ward), &change("dm-1", add_hectares())).await;
    assert_eq!((status, refused["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{refused}");
    // AND the administrator adds it, twice (a lost answer): made once
    let (status, added) = api.post("/api/v1/catalogue", Some(&api.admin), &change("dm-1", add_hectares())).await;
    assert_eq!((status, added["repeated"].as_bool()), (StatusCode::OK, Some(false)), "{added}");
    let (status, again) = api.post("/api/v1/catalogue", Some(&api.admin), &change("dm-1", add_hectares())).await;
    assert_eq!((status, again["repeated"].as_bool()), (StatusCode::OK, Some(true)), "{again}");
    // AND renames "Đất nhân dân hiến", typed decomposed, and retires "Ngày công" from 2026
    let rename = json!({ "kind": "rename", "indicator": "dat_hien", "label": "Đất hiến làm đường".replace('ế', "e\u{302}\u{301}") });
    let (status, _) = api.post("/api/v1/catalogue", Some(&api.admin), &change("dm-2", rename)).await;
    assert_eq!(status, StatusCode::OK);
    // Retired from next month's first day (a retirement is never backdated).
    let today = domain::Date::in_vietnam(api.state.now_ms()).month();
    let this_month = today.to_string();
    let next = if today.month() == 12 { (today.year() + 1, 1) } else { (today.year(), today.month() + 1) };
    let next_month = domain::Month::new(next.0, next.1).unwrap();
    let from = domain::Date::first_of(next_month);
    let mid_month = domain::Date::new(next.0, next.1, 2).unwrap();
    let retire = json!({ "kind": "retire", "indicator": "ngay_cong", "from": from.to_string() });
    let (status, retired) = api.post("/api/v1/catalogue", Some(&api.admin), &change("dm-3", retire)).await;
    assert_eq!(status, StatusCode::OK, "{retired}");

    // THEN what does not fit is refused, naming why, and nothing is stored
    let refusals = [
        (
            change("dm-1", json!({ "kind": "retire", "indicator": "kien_nghi", "from": from.to_string() })),
            StatusCode::CONFLICT,
            "change_id_reused",
        ),
        (change("dm-4", add_hectares()), StatusCode::CONFLICT, "indicator_id_taken"),
        (
            change("dm-5", json!({ "kind": "retire", "indicator": "ngo_co_den", "from": from.to_string() })),
            StatusCode::UNPROCESSABLE_ENTITY,
            "part_of_ratio",
        ),
        (
            change("dm-6", json!({ "kind": "rename", "indicator": "kien_nghi", "label": "=1+1" })),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_label",
        ),
        (
            change("dm-7", json!({ "kind": "rename", "indicator": "ngay_cong", "label": "Ngày công lao động" })),
            StatusCode::CONFLICT,
            "already_retired",
        ),
        (
            change("dm-10", json!({ "kind": "retire", "indicator": "kien_nghi", "from": mid_month.to_string() })),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_retire_day",
        ),
        (
            change("dm-11", json!({ "kind": "retire", "indicator": "kien_nghi", "from": "2020-01-01" })),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_retire_day",
        ),
        (
            change("dm-8", json!({ "kind": "rename", "indicator": "khong_co", "label": "Không có" })),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_indicator",
        ),
        (json!({ "id": "dm-9", "province": "p-duc-xuan", "edit": add_hectares() }), StatusCode::FORBIDDEN, "forbidden"),
        (change("x-10", add_hectares()), StatusCode::UNPROCESSABLE_ENTITY, "invalid_change_id"),
    ];
    for (body, want, code) in refusals {
        let (status, refused) = api.post("/api/v1/catalogue", Some(&api.admin), &body).await;
        assert_eq!((status, refused["code"].as_str()), (want, Some(code)), "{body}: {refused}");
        assert!(!refused["message"].as_str().unwrap().is_empty());
    }

    // WHEN the phone syncs: hectares of 2025, "Ngày công" of December 2025 and of February 2026
    let cell = |indicator: &str, month: &str, inc: u64| json!({ "area": "ntmk-to-11", "indicator": indicator, "month": month, "inc": inc, "dec": 0 });
    let body = json!({ "protocol": 2, "device": "phone-11", "counters": [
        cell("rung_trong_moi", "2025-11", 15_000), cell("ngay_cong", &this_month, 40), cell("ngay_cong", &next_month.to_string(), 7),
    ] });
    let (status, synced) = api.sync(&body).await;
    assert_eq!(status, StatusCode::OK, "{synced}");
    // THEN the retired indicator's entry after its day is refused, the others count
    assert_eq!(synced["changed"], 2, "{synced}");
    assert_eq!(
        (synced["refused"][0]["cell"].as_u64(), synced["refused"][0]["code"].as_str()),
        (Some(2), Some("retired_indicator"))
    );
    assert!(synced["refused"][0]["message"].as_str().unwrap().contains(&from.to_vietnamese()), "{synced}");
    // AND the answer names the province's catalogue, which the phone reads
    let version = synced["catalogue"].as_str().unwrap();
    assert_eq!(version, format!("{standard}+tp-bac-kan.3"));
    let (status, catalogue) = api.call("GET", "/api/v1/catalogue", Some(&phone), None).await;
    assert_eq!((status, catalogue["version"].as_str()), (StatusCode::OK, Some(version)));
    let find = |id: &str| catalogue["indicators"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap().clone();
    assert_eq!(find("rung_trong_moi")["unit"], "ha");
    assert_eq!(find("dat_hien")["label"], "Đất hiến làm đường", "precomposed (NFC)");
    assert_eq!(find("ngay_cong")["retired"], from.to_string());
    // AND the figures report under the province's catalogue: up to the ward, every level
    assert_eq!(api.total("p-nguyen-thi-minh-khai", "rung_trong_moi", "2025").await, 15_000);
    assert_eq!(api.total("tp-bac-kan", "ngay_cong", &today.year().to_string()).await, 40);
    // AND the trail holds the changes
    let (_, trail) = api.get("/api/v1/audit?unit=tp-bac-kan").await;
    let said = trail.to_string();
    assert!(said.contains("catalogue_changed") && said.contains("rung_trong_moi"), "{said}");
}
