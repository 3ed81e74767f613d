//! A phone continues under a new device (`POST /api/v1/me/successor`), and a phone of the
//! scope reads a revoked device's final cells (`GET /api/v1/devices/{id}/cells`), over the
//! embedded store and over DynamoDB (moto). The successor endpoint revokes its caller, so
//! schemathesis leaves it out (`tests/tools/schemathesis.toml`): it is tested here.

use super::Api;
use axum::http::StatusCode;
use domain::Role;
use functions::store::Store;
use serde_json::{Value, json};

#[tokio::test]
async fn a_phone_continues_under_its_successor_and_the_old_token_stops() {
    continues_under_its_successor(Api::new().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_dynamodb_a_phone_continues_under_its_successor_and_the_old_token_stops() {
    continues_under_its_successor(Api::over_dynamodb().await).await;
}

#[tokio::test]
async fn a_revoked_devices_cells_are_read_by_its_scope_only() {
    cells_of_a_revoked_device(Api::new().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_dynamodb_a_revoked_devices_cells_are_read_by_its_scope_only() {
    cells_of_a_revoked_device(Api::over_dynamodb().await).await;
}

/// Two cells of Tổ 11 from `device`: 120 m² and 40 days of work in 2025-11.
fn two_cells(device: &str) -> Value {
    json!({ "protocol": 2, "device": device, "counters": [
        { "area": "ntmk-to-11", "indicator": "dat_hien", "month": "2025-11", "inc": 120, "dec": 0 },
        { "area": "ntmk-to-11", "indicator": "ngay_cong", "month": "2025-10", "inc": 40, "dec": 2 }] })
}

async fn continues_under_its_successor<S: Store>(api: Api<S>) {
    // GIVEN a volunteer of Tổ 11 that synced two cells
    let (old, old_token) = api.enrol(Role::Volunteer, "ntmk-to-11", "Trưởng ban Tổ 11").await;
    let (status, answer) = api.post("/api/v1/sync", Some(&old_token), &two_cells(&old)).await;
    assert_eq!((status, answer["changed"].as_u64()), (StatusCode::OK, Some(2)), "{answer}");
    // WHEN it asks for a successor
    let (status, succession) = api.post("/api/v1/me/successor", Some(&old_token), &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{succession}");
    // THEN it gets a new device of the same role, scope and label, and the cells it synced
    let enrolment = &succession["enrolment"];
    let (new, new_token) = (enrolment["device"].as_str().unwrap(), enrolment["token"].as_str().unwrap());
    assert_ne!(new, old);
    let profile = &enrolment["profile"];
    assert_eq!(
        (profile["role"].as_str(), profile["scope"].as_str(), profile["label"].as_str()),
        (Some("volunteer"), Some("ntmk-to-11"), Some("Trưởng ban Tổ 11"))
    );
    assert_eq!(succession["cells"], two_cells(&old)["counters"], "the cells synced, in key order");
    // and the new token works, for reading and for syncing
    let (status, me) = api.call("GET", "/api/v1/me", Some(new_token), None).await;
    assert_eq!((status, me["device"].as_str()), (StatusCode::OK, Some(new)));
    let more = json!({ "protocol": 2, "device": new, "counters": [
        { "area": "ntmk-to-11", "indicator": "dat_hien", "month": "2025-11", "inc": 5, "dec": 0 }] });
    let (status, answer) = api.post("/api/v1/sync", Some(new_token), &more).await;
    assert_eq!((status, answer["changed"].as_u64()), (StatusCode::OK, Some(1)), "{answer}");
    assert_eq!(api.total("p-nguyen-thi-minh-khai", "dat_hien", "2025").await, 125);
    // while the old token is refused, for a sync and for a second succession alike
    let (status, answer) = api.post("/api/v1/sync", Some(&old_token), &two_cells(&old)).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("device_revoked")));
    let (status, answer) = api.post("/api/v1/me/successor", Some(&old_token), &json!({})).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("device_revoked")));
    // The officers see which device took over, and the trail says so.
    let (_, devices) = api.get("/api/v1/devices").await;
    let old_device = devices.as_array().unwrap().iter().find(|d| d["device"] == old).unwrap();
    assert_eq!(old_device["replaced_by"], new);
    assert!(old_device["revoked_at_ms"].is_u64());
    let (_, trail) = api.get("/api/v1/audit?unit=p-nguyen-thi-minh-khai").await;
    let succeeded = trail.as_array().unwrap().iter().find(|e| e["what"].get("succeeded").is_some()).unwrap();
    assert_eq!(succeeded["what"]["succeeded"], json!({ "from": old, "to": new }));
    assert_eq!(succeeded["actor"], old);
    // The old device's cells are final; the cells endpoint agrees.
    let (status, cells) = api.get(&format!("/api/v1/devices/{old}/cells")).await;
    assert_eq!((status, &cells["cells"]), (StatusCode::OK, &succession["cells"]));
}

async fn cells_of_a_revoked_device<S: Store>(api: Api<S>) {
    let (lost, lost_token) = api.enrol(Role::Volunteer, "ntmk-to-11", "Máy bị mất").await;
    let (_, officer) = api.enrol(Role::WardOfficer, "p-nguyen-thi-minh-khai", "Cán bộ phường").await;
    let (_, elsewhere) = api.enrol(Role::WardOfficer, "p-duc-xuan", "Cán bộ Đức Xuân").await;
    let (_, neighbour) = api.enrol(Role::Volunteer, "ntmk-to-13", "Trưởng ban Tổ 13").await;
    assert_eq!(api.post("/api/v1/sync", Some(&lost_token), &two_cells(&lost)).await.0, StatusCode::OK);
    let path = format!("/api/v1/devices/{lost}/cells");
    // Still enrolled: its cells may still grow, so they are not handed out.
    let (status, answer) = api.call("GET", &path, Some(&officer), None).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::CONFLICT, Some("device_not_revoked")), "{answer}");
    assert!(answer["message"].as_str().unwrap().contains("thu hồi"), "{answer}");
    let revoke = format!("/api/v1/devices/{lost}/revoke");
    assert_eq!(api.post(&revoke, Some(&officer), &json!({})).await.0, StatusCode::OK);
    // Revoked: whoever may read the figures of Tổ 11 reads them (the phone that restores
    // the backup, under its new device; the ward's officer), no one else.
    for (who, token) in [("officer", &officer), ("neighbour", &neighbour)] {
        let (status, cells) = api.call("GET", &path, Some(token), None).await;
        assert_eq!(status, StatusCode::OK, "{who}: {cells}");
        assert_eq!((&cells["device"], &cells["cells"]), (&json!(lost), &two_cells(&lost)["counters"]), "{who}");
    }
    let (status, answer) = api.call("GET", &path, Some(&elsewhere), None).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    let (status, answer) = api.call("GET", "/api/v1/devices/d-khong-co/cells", Some(&officer), None).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_device")));
    let (status, answer) = api.call("GET", "/api/v1/devices/KHONG/cells", Some(&officer), None).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_id")));
}

#[tokio::test]
async fn successions_are_limited_per_scope() {
    let api = Api::new().await;
    let (_, mut token) = api.enrol(Role::Volunteer, "ntmk-to-11", "Trưởng ban Tổ 11").await;
    // Each new token may succeed once; a chain of them is bounded too.
    for _ in 0..domain::limits::SUCCESSIONS_PER_SCOPE.max {
        let (status, succession) = api.post("/api/v1/me/successor", Some(&token), &json!({})).await;
        assert_eq!(status, StatusCode::OK, "{succession}");
        token = succession["enrolment"]["token"].as_str().unwrap().to_string();
    }
    let (status, answer) = api.post("/api/v1/me/successor", Some(&token), &json!({})).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts")));
    let (status, _) = api.call("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK, "a refused succession leaves the device as it was");
    let (_, devices) = api.get("/api/v1/devices").await;
    let count = devices.as_array().unwrap().len();
    assert_eq!(count as u64, 2 + domain::limits::SUCCESSIONS_PER_SCOPE.max, "the administrator and the chain");
}
