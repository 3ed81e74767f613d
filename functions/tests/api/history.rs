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
    let sync = json!({ "protocol": 2, "device": device,
        "counters": [{ "area": "kdc-ntmk-to-11", "indicator": "dat_hien", "month": "2019-05", "inc": 8111, "dec": 0 }] });
    let (status, answer) = api.post("/api/v1/sync", Some(&token), &sync).await;
    assert_eq!((status, answer["changed"].as_u64()), (StatusCode::OK, Some(1)), "{answer}");

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
    // AND none of it in 2026
    assert_eq!(donated(&report(&api, &province, "2026", &api.admin).await), 0);

    // AND today's Phường Đức Xuân's officer reads the old ward it carries on, not others
    let (_, officer) = api.enrol(Role::WardOfficer, ward_now.as_str(), "Cán bộ Đức Xuân").await;
    assert_eq!(donated(&report(&api, &old_ward, "2019", &officer).await), 8111);
    let old_song_cau = unit(&api, "Phường Sông Cầu", true).await;
    let (status, refused) =
        api.call("GET", &format!("/api/v1/units/{old_song_cau}/report?period=2019"), Some(&officer), None).await;
    assert_eq!((status, refused["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{refused}");
}
