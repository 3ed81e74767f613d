//! Figures across the merger of 1/7/2025: Thái Nguyên loaded with its history (Bắc Kạn
//! merged into it); an area of Bắc Kạn city's Phường Nguyễn Thị Minh Khai records in 2019
//! under the tree of those years; the same figures read under today's map, through the
//! ward that carries it on (Phường Đức Xuân) and today's province, each entry once, and
//! an officer of today's map reads the old units its unit carries on, no others.

use super::Api;
use axum::http::StatusCode;
use domain::{Role, Unit, UnitId, UnitLevel};
use functions::store::UnitStore;
use serde_json::{Value, json};

/// The unit named `name`, before the merger (`old`) or since.
async fn unit(api: &Api, name: &str, old: bool) -> UnitId {
    let tree = api.state.tree().await.unwrap();
    let found = tree.units().find(|u| u.name == name && u.valid_to.is_some() == old);
    found.unwrap_or_else(|| panic!("{name}")).id.clone()
}

/// `GET /api/v1/units/{unit}/report?period=…` as `token`'s device.
async fn report(api: &Api, unit: &UnitId, period: &str, token: &str) -> Value {
    let path = format!("/api/v1/units/{unit}/report?period={period}");
    let (status, report) = api.call("GET", &path, Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    report
}

/// Land donated, in a report or in one unit's figures of it.
fn donated(report: &Value) -> i64 {
    let figures = if report["unit"].is_object() { &report["unit"] } else { report };
    figures["figures"]["dat_hien"]["counter"]["total"].as_i64().unwrap_or_else(|| panic!("{report}"))
}

/// Households stated, in a report or in one unit's figures of it.
fn households(report: &Value) -> u64 {
    let figures = if report["unit"].is_object() { &report["unit"] } else { report };
    figures["figures"]["so_ho"]["level"]["total"].as_u64().unwrap_or_else(|| panic!("{report}"))
}

fn child<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["children"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("{name}"))
}

#[tokio::test]
async fn figures_before_the_merger_add_up_under_the_tree_of_their_years_and_under_todays_map() {
    // GIVEN Thái Nguyên with its history, and Tổ 11 of the old Phường Nguyễn Thị Minh Khai
    // (Thành phố Bắc Kạn, Tỉnh Bắc Kạn) until 30/6/2025
    let api = Api::with_province("Thái Nguyên").await;
    let (old_ward, old_city) =
        (unit(&api, "Phường Nguyễn Thị Minh Khai", true).await, unit(&api, "Thành phố Bắc Kạn", true).await);
    let to_11 = Unit {
        valid_to: Some("2025-06-30".parse().unwrap()),
        ..Unit::new(UnitId::new("kdc-ntmk-to-11").unwrap(), "Tổ 11", UnitLevel::Area, Some(old_ward.clone()))
    };
    api.state.store.add_units(&[to_11]).await.unwrap();
    api.state.reload().await.unwrap();

    // WHEN its volunteer records 8.111 m² donated in 2019, through the sync
    let (device, token) = api.enrol(Role::Volunteer, "kdc-ntmk-to-11", "Trưởng ban Tổ 11").await;
    // AND its 12 households as of October 2019
    let now = api.state.now_ms();
    let sync = json!({ "protocol": 2, "device": device,
        "counters": [{ "area": "kdc-ntmk-to-11", "indicator": "dat_hien", "month": "2019-05", "inc": 8111, "dec": 0 }],
        "registers": [{ "area": "kdc-ntmk-to-11", "indicator": "so_ho", "bucket": "2019-10", "value": { "level": 12 },
            "stamp": { "hlc": { "wall": now, "n": 0 }, "device": device } }] });
    let (status, answer) = api.post("/api/v1/sync", Some(&token), &sync).await;
    assert_eq!((status, answer["changed"].as_u64()), (StatusCode::OK, Some(2)), "{answer}");

    // THEN the city's report of 2019, under the tree of those years, has it by its ward
    let city = report(&api, &old_city, "2019", &api.admin).await;
    assert_eq!(donated(&city), 8111);
    assert_eq!(donated(child(&city, "Phường Nguyễn Thị Minh Khai")), 8111);
    assert_eq!(city["unit"]["areas"], 1);
    // AND under today's map: today's Phường Đức Xuân carries on Nguyễn Thị Minh Khai
    let (province, ward_now) =
        (unit(&api, "Tỉnh Thái Nguyên", false).await, unit(&api, "Phường Đức Xuân", false).await);
    let today = report(&api, &province, "2019", &api.admin).await;
    assert_eq!(donated(&today), 8111, "once, in today's province");
    assert_eq!(donated(child(&today, "Phường Đức Xuân")), 8111, "by the ward that carries it on");
    assert_eq!(donated(child(&today, "Phường Bắc Kạn")), 0);
    assert_eq!(child(&today, "Phường Đức Xuân")["areas"], 1);
    let ward_2019 = report(&api, &ward_now, "2019", &api.admin).await;
    assert_eq!(donated(&ward_2019), 8111);
    assert_eq!(households(&ward_2019), 12, "a level as of 2019's end");
    // AND none of it in 2026: neither the land, nor the households of an area that ended
    assert_eq!(donated(&report(&api, &province, "2026", &api.admin).await), 0);
    assert_eq!(households(&report(&api, &ward_now, "2026", &api.admin).await), 0);
    assert_eq!(households(&report(&api, &old_ward, "2026", &api.admin).await), 12, "under its own tree, as it stood");

    // AND today's Phường Đức Xuân's officer reads the old ward it carries on, not others
    let (_, officer) = api.enrol(Role::WardOfficer, ward_now.as_str(), "Cán bộ Đức Xuân").await;
    assert_eq!(donated(&report(&api, &old_ward, "2019", &officer).await), 8111);
    let old_song_cau = unit(&api, "Phường Sông Cầu", true).await;
    let (status, refused) =
        api.call("GET", &format!("/api/v1/units/{old_song_cau}/report?period=2019"), Some(&officer), None).await;
    assert_eq!((status, refused["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{refused}");
    // AND writes nothing there: no code for the old area, no model for the old ward
    let code = json!({ "role": "volunteer", "unit": "kdc-ntmk-to-11" });
    let (status, _) = api.post("/api/v1/codes", Some(&officer), &code).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a code for an area of the old map");
    let model = json!({ "id": "e-1", "model": "mh-1", "day": "2019-03-01",
        "step": { "kind": "register", "unit": old_ward, "content": 2, "name": "Tổ văn minh" } });
    let (status, _) = api.post("/api/v1/models", Some(&officer), &model).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a model of a ward of the old map");
}
