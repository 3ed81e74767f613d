//! Who may do what: every endpoint × every role × in scope / out of scope / no token /
//! a wrong token / a revoked device, each refusal a 401, 403 or 409 with a stable code that
//! leaves the store as it was; and the life of a join code.

use super::{Api, moto};
use axum::http::StatusCode;
use domain::Role;
use domain::enrol::DAY_MS;
use functions::store::{DynamoStore, EmbeddedStore, Store};
use serde_json::{Value, json};

/// Everything a store holds that a request could change.
trait Holds: Store + Sized {
    fn held(api: &Api<Self>) -> impl std::future::Future<Output = Value> + Send;
}

/// The embedded store, read through the API as the administrator: every unit's figures,
/// the codes, the devices, the whole audit trail.
impl Holds for EmbeddedStore {
    async fn held(api: &Api<Self>) -> Value {
        let mut all = vec![];
        for unit in ["tp-bac-kan", "p-duc-xuan", "p-nguyen-thi-minh-khai", "ntmk-to-11", "ntmk-to-13", "dx-to-8a"] {
            all.push(api.get(&format!("/api/v1/units/{unit}/report?period=2025")).await.1);
        }
        for path in ["/api/v1/codes", "/api/v1/devices", "/api/v1/audit?unit=tp-bac-kan"] {
            all.push(api.get(path).await.1);
        }
        Value::Array(all)
    }
}

/// The DynamoDB table, scanned whole (but the counts of attempts).
impl Holds for DynamoStore {
    async fn held(api: &Api<Self>) -> Value {
        json!(moto::items(api.state.store.table()).await)
    }
}

async fn snapshot<S: Holds>(api: &Api<S>) -> Value {
    S::held(api).await
}

/// Who calls.
#[derive(Clone, Copy, Debug)]
enum Who {
    Nobody,
    WrongToken,
    Revoked,
    Volunteer,
    Officer,
    Inspector,
    Admin,
}

/// What the table expects: allowed, or refused with this status and code.
const OK: Option<(StatusCode, &str)> = None;
const NO: Option<(StatusCode, &str)> = Some((StatusCode::FORBIDDEN, "forbidden"));

#[tokio::test]
async fn every_endpoint_refuses_every_caller_outside_its_reach_and_changes_nothing() {
    every_endpoint_refuses(Api::new().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_dynamodb_every_endpoint_refuses_every_caller_outside_its_reach_and_changes_nothing() {
    every_endpoint_refuses(Api::over_dynamodb().await).await;
}

async fn every_endpoint_refuses<S: Holds>(api: Api<S>) {
    let (volunteer_id, volunteer) = api.enrol(Role::Volunteer, "ntmk-to-11", "Trưởng ban Tổ 11").await;
    let (officer_id, officer) = api.enrol(Role::WardOfficer, "p-nguyen-thi-minh-khai", "Cán bộ phường").await;
    let (inspector_id, inspector) = api.enrol(Role::Inspector, "p-duc-xuan", "Đoàn kiểm tra").await;
    let (revoked_id, revoked) = api.enrol(Role::Volunteer, "ntmk-to-11", "Máy bị mất").await;
    let (victim_id, _) = api.enrol(Role::Volunteer, "dx-to-8a", "Trưởng ban Tổ 8A").await;
    let (status, _) = api.post(&format!("/api/v1/devices/{revoked_id}/revoke"), Some(&officer), &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    // A code at Tổ 8A (outside the officer's ward) to try withdrawing.
    let (status, far_code) =
        api.post("/api/v1/codes", Some(&api.admin), &json!({ "role": "volunteer", "unit": "dx-to-8a" })).await;
    assert_eq!(status, StatusCode::OK, "{far_code}");
    let far_code = far_code["summary"]["id"].as_str().unwrap().to_string();
    let wrong = format!("{volunteer_id}.{}", "0".repeat(64));
    let admin = api.admin.clone();
    let admin_id = admin.rsplit_once('.').unwrap().0;
    let ids = [
        (Who::Volunteer, volunteer_id.as_str()),
        (Who::Officer, officer_id.as_str()),
        (Who::Inspector, inspector_id.as_str()),
        (Who::Admin, admin_id),
        (Who::Revoked, revoked_id.as_str()),
        (Who::WrongToken, volunteer_id.as_str()),
        (Who::Nobody, "d-nobody"),
    ];
    let token = |who: Who| match who {
        Who::Nobody => None,
        Who::WrongToken => Some(wrong.as_str()),
        Who::Revoked => Some(revoked.as_str()),
        Who::Volunteer => Some(volunteer.as_str()),
        Who::Officer => Some(officer.as_str()),
        Who::Inspector => Some(inspector.as_str()),
        Who::Admin => Some(admin.as_str()),
    };
    let sync = |area: &str, device: &str| {
        json!({ "protocol": 1, "device": device, "counters": [
            { "area": area, "indicator": "dat_hien", "month": "2025-11", "inc": 7, "dec": 0 }] })
        .to_string()
    };
    let issue = |role: &str, unit: &str| json!({ "role": role, "unit": unit }).to_string();
    // (method, path, body with {me} for the caller's device id, expected for volunteer, officer, inspector, admin)
    type Row<'a> = (&'a str, String, Option<String>, [Option<(StatusCode, &'a str)>; 4]);
    let wrong_device = Some((StatusCode::FORBIDDEN, "wrong_device"));
    let not_revoked = Some((StatusCode::CONFLICT, "device_not_revoked"));
    let rows: Vec<Row> = vec![
        ("POST", "/api/v1/sync".into(), Some(sync("ntmk-to-11", "{me}")), [OK, NO, NO, NO]),
        ("POST", "/api/v1/sync".into(), Some(sync("ntmk-to-13", "{me}")), [NO, NO, NO, NO]),
        ("POST", "/api/v1/sync".into(), Some(sync("ntmk-to-11", &victim_id)), [wrong_device; 4]),
        ("GET", "/api/v1/units/ntmk-to-13/report?period=2025".into(), None, [OK, OK, NO, OK]),
        ("GET", "/api/v1/units/p-nguyen-thi-minh-khai/report?period=2025".into(), None, [OK, OK, NO, OK]),
        ("GET", "/api/v1/units/dx-to-8a/report?period=2025".into(), None, [NO, NO, OK, OK]),
        ("GET", "/api/v1/units/tp-bac-kan/report?period=2025".into(), None, [NO, NO, NO, OK]),
        ("GET", "/api/v1/units".into(), None, [OK, OK, OK, OK]),
        ("GET", "/api/v1/me".into(), None, [OK, OK, OK, OK]),
        ("POST", "/api/v1/codes".into(), Some(issue("volunteer", "ntmk-to-13")), [NO, OK, NO, OK]),
        ("POST", "/api/v1/codes".into(), Some(issue("volunteer", "dx-to-8a")), [NO, NO, NO, OK]),
        ("POST", "/api/v1/codes".into(), Some(issue("ward_officer", "p-nguyen-thi-minh-khai")), [NO, OK, NO, OK]),
        ("POST", "/api/v1/codes".into(), Some(issue("ward_officer", "p-duc-xuan")), [NO, NO, NO, OK]),
        ("POST", "/api/v1/codes".into(), Some(issue("inspector", "p-duc-xuan")), [NO, NO, NO, OK]),
        ("POST", "/api/v1/codes".into(), Some(issue("province_admin", "tp-bac-kan")), [NO, NO, NO, OK]),
        ("GET", "/api/v1/codes".into(), None, [NO, OK, NO, OK]),
        ("GET", "/api/v1/devices".into(), None, [NO, OK, NO, OK]),
        ("GET", format!("/api/v1/devices/{revoked_id}/cells"), None, [OK, OK, NO, OK]),
        ("GET", format!("/api/v1/devices/{victim_id}/cells"), None, [NO, NO, not_revoked, not_revoked]),
        ("GET", "/api/v1/audit".into(), None, [NO, OK, OK, OK]),
        ("GET", "/api/v1/audit?unit=tp-bac-kan".into(), None, [NO, NO, NO, OK]),
        ("GET", "/api/v1/audit?unit=ntmk-to-11".into(), None, [NO, OK, NO, OK]),
        ("POST", format!("/api/v1/codes/{far_code}/withdraw"), Some("{}".into()), [NO, NO, NO, OK]),
        ("POST", format!("/api/v1/devices/{victim_id}/revoke"), Some("{}".into()), [NO, NO, NO, OK]),
        ("POST", format!("/api/v1/devices/{victim_id}/void"), Some("{}".into()), [NO, NO, NO, OK]),
    ];
    let mut refusals = 0;
    for (method, path, body, expected) in &rows {
        for who in
            [Who::Nobody, Who::WrongToken, Who::Revoked, Who::Volunteer, Who::Officer, Who::Inspector, Who::Admin]
        {
            let me = ids.iter().find(|(w, _)| std::mem::discriminant(w) == std::mem::discriminant(&who)).unwrap().1;
            let want = match who {
                Who::Nobody => Some((StatusCode::UNAUTHORIZED, "unauthenticated")),
                Who::WrongToken => Some((StatusCode::UNAUTHORIZED, "invalid_token")),
                Who::Revoked => Some((StatusCode::UNAUTHORIZED, "device_revoked")),
                Who::Volunteer => expected[0],
                Who::Officer => expected[1],
                Who::Inspector => expected[2],
                Who::Admin => expected[3],
            };
            let before = snapshot(&api).await;
            let body = body.as_ref().map(|b| b.replace("{me}", me));
            let (status, answer) = api.call(method, path, token(who), body).await;
            match want {
                None => assert_eq!(status, StatusCode::OK, "{who:?} {method} {path}: {answer}"),
                Some((refused, code)) => {
                    assert_eq!((status, answer["code"].as_str()), (refused, Some(code)), "{who:?} {method} {path}");
                    assert!(!answer["message"].as_str().unwrap().is_empty());
                    assert_eq!(snapshot(&api).await, before, "{who:?} {method} {path} changed the store");
                    refusals += 1;
                }
            }
        }
    }
    assert!(refusals > 100, "{refusals}");
}

#[tokio::test]
async fn a_volunteer_sees_only_its_ward() {
    let api = Api::new().await;
    let (_, token) = api.enrol(Role::Volunteer, "ntmk-to-11", "Trưởng ban Tổ 11").await;
    let (status, units) = api.call("GET", "/api/v1/units", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = units.as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["p-nguyen-thi-minh-khai", "ntmk-to-11", "ntmk-to-13", "ntmk-to-15"]);
    let (_, me) = api.call("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!((me["role"].as_str(), me["scope"].as_str()), (Some("volunteer"), Some("ntmk-to-11")));
}

#[tokio::test]
async fn a_join_code_enrols_as_many_devices_as_it_has_uses_until_it_expires_or_is_withdrawn() {
    let api = Api::new().await;
    let (_, officer) = api.enrol(Role::WardOfficer, "p-nguyen-thi-minh-khai", "Cán bộ phường").await;
    let ask = json!({ "role": "volunteer", "unit": "ntmk-to-11", "uses": 2, "valid_days": 3 });
    let (status, issued) = api.post("/api/v1/codes", Some(&officer), &ask).await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    let code = issued["code"].as_str().unwrap().to_string();
    assert!(code.len() == 14 && code.chars().nth(4) == Some('-'), "{code}");
    assert!(issued["link"].as_str().unwrap().ends_with(&format!("/#join={code}")));
    assert!(issued["qr_svg"].as_str().unwrap().contains("<svg"));
    let join = |code: &str, label: &str| json!({ "code": code, "label": label, "app_version": "test" });
    let refused = |answer: &(StatusCode, Value), code: &str| {
        assert_eq!(
            (answer.0, answer.1["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(code)),
            "{}",
            answer.1
        );
    };
    // Typed in lower case with spaces: still the code.
    let typed = code.to_lowercase().replace('-', " ");
    let (status, first) = api.post("/api/v1/join", None, &join(&typed, "Máy 1")).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["profile"]["scope"], "ntmk-to-11");
    assert!(first["token"].as_str().unwrap().len() > 64);
    refused(&api.post("/api/v1/join", None, &join(&code, "   ")).await, "invalid_label");
    refused(&api.post("/api/v1/join", None, &join("ABCD-EFGH-JKM0", "Máy")).await, "malformed_code");
    refused(&api.post("/api/v1/join", None, &join("ABCD-EFGH-JKMN", "Máy")).await, "unknown_code");
    assert_eq!(api.post("/api/v1/join", None, &join(&code, "Máy 2")).await.0, StatusCode::OK);
    refused(&api.post("/api/v1/join", None, &join(&code, "Máy 3")).await, "code_used_up");

    // Another code: withdrawn, it enrols no one; a third one expires.
    let (_, withdrawn) = api.post("/api/v1/codes", Some(&officer), &ask).await;
    let id = withdrawn["summary"]["id"].as_str().unwrap();
    let (status, _) = api.post(&format!("/api/v1/codes/{id}/withdraw"), Some(&officer), &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    refused(&api.post("/api/v1/join", None, &join(withdrawn["code"].as_str().unwrap(), "Máy")).await, "code_withdrawn");
    let (_, expiring) = api.post("/api/v1/codes", Some(&officer), &ask).await;
    api.advance(3 * DAY_MS);
    refused(&api.post("/api/v1/join", None, &join(expiring["code"].as_str().unwrap(), "Máy")).await, "code_expired");

    // The officer sees its codes and devices, and the trail of it all.
    let (_, codes) = api.call("GET", "/api/v1/codes", Some(&officer), None).await;
    assert_eq!(codes.as_array().unwrap().len(), 4, "three issued by the officer, one that enrolled it");
    let (_, devices) = api.call("GET", "/api/v1/devices", Some(&officer), None).await;
    let labels: Vec<&str> = devices.as_array().unwrap().iter().map(|d| d["label"].as_str().unwrap()).collect();
    assert_eq!(labels.len(), 3, "{labels:?}");
    assert!(labels.contains(&"Máy 1") && labels.contains(&"Máy 2") && labels.contains(&"Cán bộ phường"));
    let (_, trail) = api.call("GET", "/api/v1/audit", Some(&officer), None).await;
    let kinds: Vec<String> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["what"].as_object().unwrap().keys().next().unwrap().clone())
        .collect();
    assert_eq!(kinds.iter().filter(|k| *k == "enrolled").count(), 3, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| *k == "code_issued").count(), 4, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| *k == "code_withdrawn").count(), 1, "{kinds:?}");
}

#[tokio::test]
async fn a_revoked_device_is_refused_and_its_syncs_stay_counted_once() {
    let api = Api::new().await;
    let (device, token) = api.enrol(Role::Volunteer, "ntmk-to-11", "Trưởng ban Tổ 11").await;
    let body = json!({ "protocol": 1, "device": device, "counters": [
        { "area": "ntmk-to-11", "indicator": "dat_hien", "month": "2025-11", "inc": 120, "dec": 0 }] });
    assert_eq!(api.post("/api/v1/sync", Some(&token), &body).await.0, StatusCode::OK);
    let (_, trail) = api.get("/api/v1/audit?unit=ntmk-to-11").await;
    assert_eq!(trail[0]["what"]["synced"]["changed"], 1, "{trail}");
    let (_, devices) = api.get("/api/v1/devices").await;
    assert!(devices.as_array().unwrap().iter().any(|d| d["device"] == device && d["last_sync_ms"].is_u64()));
    let (status, _) = api.post(&format!("/api/v1/devices/{device}/revoke"), Some(&api.admin), &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) = api.post("/api/v1/sync", Some(&token), &body).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("device_revoked")));
    assert!(answer["message"].as_str().unwrap().contains("thu hồi"));
    assert_eq!(api.total("ntmk-to-11", "dat_hien", "2025").await, 120);
}

#[tokio::test]
async fn a_stamp_more_than_a_day_ahead_is_refused() {
    let api = Api::new().await;
    let (device, token) = api.enrol(Role::Volunteer, "ntmk-to-11", "Trưởng ban Tổ 11").await;
    let far = api.state.now_ms() + 2 * DAY_MS;
    let body = json!({ "protocol": 1, "device": device, "registers": [{
        "area": "ntmk-to-11", "indicator": "so_ho", "bucket": "2025-11", "value": { "level": 120 },
        "stamp": { "hlc": { "wall": far, "n": 0 }, "device": device } }] });
    let (status, answer) = api.post("/api/v1/sync", Some(&token), &body).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("stamp_in_future")));
    assert!(answer["message"].as_str().unwrap().contains("ngày giờ"));
}

#[tokio::test]
async fn a_code_for_a_role_that_does_not_fit_the_unit_is_refused() {
    let api = Api::new().await;
    for (role, unit) in [("volunteer", "p-duc-xuan"), ("ward_officer", "dx-to-8a"), ("inspector", "dx-to-8a")] {
        let (status, answer) =
            api.post("/api/v1/codes", Some(&api.admin), &json!({ "role": role, "unit": unit })).await;
        assert_eq!((status, answer["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("role_does_not_fit")));
    }
    let ask = json!({ "role": "volunteer", "unit": "dx-to-8a", "valid_days": 0 });
    let (status, answer) = api.post("/api/v1/codes", Some(&api.admin), &ask).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_code_terms")));
}

#[tokio::test]
async fn a_voided_device_no_longer_counts_anywhere() {
    let api = Api::new().await;
    let (a, token_a) = api.enrol(Role::Volunteer, "ntmk-to-11", "Máy thử").await;
    let (b, token_b) = api.enrol(Role::Volunteer, "ntmk-to-11", "Trưởng ban Tổ 11").await;
    let cell = |device: &str, inc: u64| {
        json!({ "protocol": 1, "device": device, "counters": [
        { "area": "ntmk-to-11", "indicator": "dat_hien", "month": "2025-11", "inc": inc, "dec": 0 }] })
    };
    assert_eq!(api.post("/api/v1/sync", Some(&token_a), &cell(&a, 10_000_000_000_000)).await.0, StatusCode::OK);
    assert_eq!(api.post("/api/v1/sync", Some(&token_b), &cell(&b, 120)).await.0, StatusCode::OK);
    assert_eq!(api.total("tp-bac-kan", "dat_hien", "2025").await, 10_000_000_000_120);
    let (status, voided) = api.post(&format!("/api/v1/devices/{a}/void"), Some(&api.admin), &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{voided}");
    assert_eq!(voided["removed"], 1);
    for unit in ["ntmk-to-11", "p-nguyen-thi-minh-khai", "tp-bac-kan"] {
        assert_eq!(api.total(unit, "dat_hien", "2025").await, 120, "{unit}");
    }
    let (_, again) = api.post(&format!("/api/v1/devices/{a}/void"), Some(&api.admin), &json!({})).await;
    assert_eq!(again["removed"], 0);
    let (status, answer) = api.post("/api/v1/sync", Some(&token_a), &cell(&a, 5)).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("device_revoked")));
    assert_eq!(api.total("tp-bac-kan", "dat_hien", "2025").await, 120);
    let (_, trail) = api.get("/api/v1/audit?unit=tp-bac-kan").await;
    assert_eq!(trail[0]["what"]["voided"]["device"], a);
}

#[tokio::test]
async fn join_attempts_and_wrong_tokens_are_limited_per_client_and_per_code() {
    let api = Api::new().await;
    let join = |code: &str| json!({ "code": code, "label": "Máy" });
    let limited = |answer: &(StatusCode, Value)| {
        assert_eq!((answer.0, answer.1["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts")));
        assert!(answer.1["message"].as_str().unwrap().contains("phút"));
    };
    // Wrong tokens from one client: thirty an hour, then refused as too many.
    let (device, token) = api.enrol(Role::Volunteer, "ntmk-to-13", "Máy 13").await;
    let wrong = format!("{device}.{}", "f".repeat(64));
    for _ in 0..domain::limits::FAILED_AUTH_PER_CLIENT.max {
        assert_eq!(api.call("GET", "/api/v1/me", Some(&wrong), None).await.1["code"], "invalid_token");
    }
    limited(&api.call("GET", "/api/v1/me", Some(&wrong), None).await);
    assert_eq!(
        api.call("GET", "/api/v1/me", Some(&token), None).await.0,
        StatusCode::OK,
        "the right token still works"
    );

    // One code tried again and again (read out wrong, or guessed at): ten tries an hour.
    for _ in 0..domain::limits::JOINS_PER_CODE.max {
        let answer = api.post("/api/v1/join", None, &join("ABCD-EFGH-JKMN")).await;
        assert_eq!(answer.1["code"], "unknown_code");
    }
    limited(&api.post("/api/v1/join", None, &join("ABCD-EFGH-JKMN")).await);
    // A real code still works, until the client itself has tried too often.
    let code = api.issue(Role::Volunteer, "ntmk-to-11").await;
    assert_eq!(api.post("/api/v1/join", None, &join(&code)).await.0, StatusCode::OK);
    let mut answer = (StatusCode::OK, Value::Null);
    for n in 0..domain::limits::JOINS_PER_CLIENT.max {
        answer = api.post("/api/v1/join", None, &join(&format!("ABCD-EFGH-{:04}", 2222 + n))).await;
        if answer.0 == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
    }
    limited(&answer);
    let code = api.issue(Role::Volunteer, "ntmk-to-11").await;
    limited(&api.post("/api/v1/join", None, &join(&code)).await);
}

#[tokio::test]
async fn a_device_past_its_daily_quota_is_told_to_wait_and_nothing_is_stored() {
    let api = Api::new().await;
    let (device, token) = api.enrol(Role::Volunteer, "ntmk-to-11", "Trưởng ban Tổ 11").await;
    let cells: Vec<Value> = (0..domain::MAX_CELLS)
        .map(|n| {
            let month = format!("{}-{:02}", 2000 + n / 12 / 18, n / 18 % 12 + 1);
            let indicator = domain::Catalogue::standard().counter_ids().nth(n % 18).unwrap().to_string();
            json!({ "area": "ntmk-to-11", "indicator": indicator, "month": month, "inc": 1, "dec": 0 })
        })
        .collect();
    let body = json!({ "protocol": 1, "device": device, "counters": cells });
    let sends = domain::limits::CELLS_PER_DEVICE_PER_DAY / domain::MAX_CELLS as u64;
    for _ in 0..sends {
        let (status, answer) = api.post("/api/v1/sync", Some(&token), &body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    let mut more = body.clone();
    more["counters"][0]["inc"] = json!(2);
    let (status, answer) = api.post("/api/v1/sync", Some(&token), &more).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("quota_exceeded")));
    assert!(answer["message"].as_str().unwrap().contains("ngày mai"));
    assert_eq!(
        api.total("ntmk-to-11", "dat_hien", "2000").await,
        12,
        "one per month of 2000, the refused 2 not stored"
    );
    api.advance(DAY_MS);
    assert_eq!(api.post("/api/v1/sync", Some(&token), &more).await.0, StatusCode::OK, "a new day, a new quota");
}
