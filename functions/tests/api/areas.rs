//! A ward keeps its own residential areas (`POST /api/v1/areas`): an officer creates one,
//! a volunteer enrols in it and syncs, the officer renames it and closes it, merges one
//! into another and splits one, and the figures follow; each change
//! is filed once by its id, refused with a Vietnamese reason when it does not fit, and
//! out of reach of other wards. Over the embedded store and over DynamoDB (moto).

use super::{Api, counter_sync};
use axum::http::StatusCode;
use domain::Role;
use functions::store::Store;
use serde_json::{Value, json};

#[tokio::test]
async fn a_ward_creates_renames_and_closes_its_areas() {
    creates_renames_and_closes(Api::new().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_dynamodb_a_ward_creates_renames_and_closes_its_areas() {
    creates_renames_and_closes(Api::over_dynamodb().await).await;
}

#[tokio::test]
async fn changes_that_do_not_fit_are_refused_and_change_nothing() {
    refused_changes(Api::new().await).await;
}

fn create(event: &str, area: &str, parent: &str, name: &str, effective: &str) -> Value {
    json!({ "id": event, "area": area, "effective": effective,
            "change": { "kind": "create", "parent": parent, "name": name } })
}

fn rename(event: &str, area: &str, name: &str, effective: &str) -> Value {
    json!({ "id": event, "area": area, "effective": effective, "change": { "kind": "rename", "name": name } })
}

fn close(event: &str, area: &str, effective: &str) -> Value {
    json!({ "id": event, "area": area, "effective": effective, "change": { "kind": "close" } })
}

/// The names of the units `token` sees under `unit`.
async fn names_under<S: Store>(api: &Api<S>, token: &str, unit: &str) -> Vec<String> {
    let (status, units) = api.call("GET", "/api/v1/units", Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{units}");
    let units = units.as_array().unwrap().iter();
    units.filter(|u| u["parent"] == unit).map(|u| u["name"].as_str().unwrap().to_string()).collect()
}

async fn creates_renames_and_closes<S: Store>(api: Api<S>) {
    // GIVEN the officer of Xã Xuất Hóa
    let (_, officer) = api.enrol(Role::WardOfficer, "x-xuat-hoa", "Cán bộ xã Xuất Hóa").await;

    // WHEN it creates Thôn Nà Pài (typed with stray spaces, and "à" decomposed)
    let typed = create("e-napai-1", "kdc-napai", "x-xuat-hoa", "  Thôn  Na\u{300} Pài ", "2026-01-01");
    let (status, created) = api.post("/api/v1/areas", Some(&officer), &typed).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["unit"]["name"], "Thôn Nà Pài", "trimmed and precomposed");
    assert_eq!(
        (created["unit"]["valid_from"].as_str(), created["repeated"].as_bool()),
        (Some("2026-01-01"), Some(false))
    );
    // THEN sending it again (a lost answer) files nothing more
    let (status, again) = api.post("/api/v1/areas", Some(&officer), &typed).await;
    assert_eq!((status, again["repeated"].as_bool()), (StatusCode::OK, Some(true)), "{again}");
    assert_eq!(api.state.store.area_events().await.unwrap().len(), 1);
    assert!(names_under(&api, &officer, "x-xuat-hoa").await.contains(&"Thôn Nà Pài".to_string()));

    // AND a volunteer enrols in it with a code the officer issues, and syncs
    let issue = json!({ "role": "volunteer", "unit": "kdc-napai" });
    let (status, code) = api.post("/api/v1/codes", Some(&officer), &issue).await;
    assert_eq!(status, StatusCode::OK, "{code}");
    let join = json!({ "code": code["code"], "label": "Trưởng ban Nà Pài" });
    let (status, volunteer) = api.post("/api/v1/join", None, &join).await;
    assert_eq!(status, StatusCode::OK, "{volunteer}");
    let (device, token) = (volunteer["device"].as_str().unwrap(), volunteer["token"].as_str().unwrap());
    let cells = |month: &str| {
        json!({ "protocol": 2, "device": device,
                "counters": [{ "area": "kdc-napai", "indicator": "dat_hien", "month": month, "inc": 120, "dec": 0 }] })
    };
    let (status, answer) = api.post("/api/v1/sync", Some(token), &cells("2026-11")).await;
    assert_eq!((status, answer["changed"].as_u64()), (StatusCode::OK, Some(1)), "{answer}");
    assert_eq!(api.total("x-xuat-hoa", "dat_hien", "2026").await, 120, "its figures roll up to the commune");

    // WHEN the officer renames it, and closes it from 1/1/2027
    let renamed = rename("e-napai-2", "kdc-napai", "Thôn Nà Pài Mới", "2026-07-01");
    let (status, answer) = api.post("/api/v1/areas", Some(&officer), &renamed).await;
    assert_eq!((status, answer["unit"]["name"].as_str()), (StatusCode::OK, Some("Thôn Nà Pài Mới")), "{answer}");
    let (status, answer) =
        api.post("/api/v1/areas", Some(&officer), &close("e-napai-3", "kdc-napai", "2027-01-01")).await;
    assert_eq!((status, answer["unit"]["valid_to"].as_str()), (StatusCode::OK, Some("2026-12-31")), "{answer}");

    // THEN its figures stay; entries for months after it closed are refused, earlier ones land
    assert_eq!(api.total("x-xuat-hoa", "dat_hien", "2026").await, 120);
    let areas = |period: &'static str| {
        let api = &api;
        async move { api.get(&format!("/api/v1/units/x-xuat-hoa/report?period={period}")).await.1["unit"]["areas"].clone() }
    };
    assert_eq!(
        (areas("2025").await, areas("2026").await, areas("2027").await),
        (json!(2), json!(3), json!(2)),
        "a report counts the areas of its period"
    );
    let (status, answer) = api.post("/api/v1/sync", Some(token), &cells("2027-01")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["refused"][0]["code"], "area_closed", "{answer}");
    assert!(answer["refused"][0]["message"].as_str().unwrap().contains("đã giải thể sau ngày 31/12/2026"));
    assert_eq!(api.total("x-xuat-hoa", "dat_hien", "2027").await, 0);

    // AND each change is in the commune's trail, in the province's too
    let (status, trail) = api.call("GET", "/api/v1/audit?unit=x-xuat-hoa", Some(&officer), None).await;
    assert_eq!(status, StatusCode::OK, "{trail}");
    let changes: Vec<&str> = (trail.as_array().unwrap().iter())
        .filter_map(|e| e["what"]["area_changed"]["event"]["change"]["kind"].as_str())
        .collect();
    assert_eq!(changes, ["close", "rename", "create"], "{trail}");
    let (_, trail) = api.get("/api/v1/audit?unit=tp-bac-kan").await;
    assert!(trail.to_string().contains("e-napai-1"), "{trail}");

    // AND a store loaded afresh (a new process) has the same tree
    let fresh = functions::store::load_tree(&api.state.store).await.unwrap();
    let area = fresh.get(&domain::UnitId::new("kdc-napai").unwrap()).unwrap();
    assert_eq!(
        (area.name.as_str(), area.valid_to.map(|d| d.to_string())),
        ("Thôn Nà Pài Mới", Some("2026-12-31".into()))
    );
}

async fn refused_changes<S: Store>(api: Api<S>) {
    let (_, officer) = api.enrol(Role::WardOfficer, "x-xuat-hoa", "Cán bộ xã Xuất Hóa").await;
    let (_, other) = api.enrol(Role::WardOfficer, "p-duc-xuan", "Cán bộ phường Đức Xuân").await;
    let (_, volunteer) = api.phone("phone-a", "xh-na-ban").await;
    let post = |token: String, body: Value| {
        let api = &api;
        async move { api.post("/api/v1/areas", Some(&token), &body).await }
    };
    let refused = |(status, body): (StatusCode, Value), want: (StatusCode, &str)| {
        assert_eq!((status, body["code"].as_str().unwrap_or_default()), (want.0, want.1), "{body}");
        assert!(!body["message"].as_str().unwrap().is_empty());
    };
    let fine = create("e-1", "kdc-1", "x-xuat-hoa", "Thôn Mới", "2026-01-01");

    refused(post(volunteer.clone(), fine.clone()).await, (StatusCode::FORBIDDEN, "forbidden"));
    refused(post(other.clone(), fine.clone()).await, (StatusCode::FORBIDDEN, "forbidden"));
    refused(
        post(other.clone(), rename("e-2", "xh-na-ban", "Thôn X", "2026-01-01")).await,
        (StatusCode::FORBIDDEN, "forbidden"),
    );
    let taken = create("e-3", "kdc-3", "x-xuat-hoa", "thôn nà bản", "2026-01-01");
    refused(post(officer.clone(), taken).await, (StatusCode::CONFLICT, "area_name_taken"));
    let not_ours = create("e-4", "xh-na-ban", "x-xuat-hoa", "Thôn Khác", "2026-01-01");
    refused(post(officer.clone(), not_ours).await, (StatusCode::UNPROCESSABLE_ENTITY, "invalid_area_id"));
    let formula = create("e-4b", "kdc-4b", "x-xuat-hoa", "=HYPERLINK(1)", "2026-01-01");
    refused(post(officer.clone(), formula).await, (StatusCode::UNPROCESSABLE_ENTITY, "invalid_area_name"));
    let blank = create("e-5", "kdc-5", "x-xuat-hoa", "   ", "2026-01-01");
    refused(post(officer.clone(), blank).await, (StatusCode::UNPROCESSABLE_ENTITY, "invalid_area_name"));
    let long = create("e-6", "kdc-6", "x-xuat-hoa", &"Thôn ".repeat(20), "2026-01-01");
    refused(post(officer.clone(), long).await, (StatusCode::UNPROCESSABLE_ENTITY, "invalid_area_name"));
    let far = create("e-7", "kdc-7", "x-xuat-hoa", "Thôn Xa", "2099-01-01");
    refused(post(officer.clone(), far).await, (StatusCode::UNPROCESSABLE_ENTITY, "invalid_effective_date"));
    let nowhere = rename("e-8", "khong-co", "Thôn X", "2026-01-01");
    refused(post(officer.clone(), nowhere).await, (StatusCode::UNPROCESSABLE_ENTITY, "unknown_unit"));
    let same = rename("e-9", "xh-na-ban", "Thôn Nà Bản", "2026-01-01");
    refused(post(officer.clone(), same).await, (StatusCode::UNPROCESSABLE_ENTITY, "area_same_name"));
    let ward = close("e-10", "x-xuat-hoa", "2026-01-01");
    refused(post(officer.clone(), ward).await, (StatusCode::UNPROCESSABLE_ENTITY, "not_an_area"));
    let bad_date = json!({ "id": "e-11", "area": "kdc-11", "effective": "31/02/2026",
                           "change": { "kind": "create", "parent": "x-xuat-hoa", "name": "Thôn" } });
    refused(post(officer.clone(), bad_date).await, (StatusCode::UNPROCESSABLE_ENTITY, "invalid_period"));
    let no_kind = json!({ "id": "e-12", "area": "kdc-12", "effective": "2026-01-01", "change": { "kind": "merge" } });
    refused(post(officer.clone(), no_kind).await, (StatusCode::BAD_REQUEST, "malformed_json"));
    assert!(api.state.store.area_events().await.unwrap().is_empty(), "nothing was filed");

    // An id used for one change cannot carry another; an area id is taken once.
    assert_eq!(post(officer.clone(), fine.clone()).await.0, StatusCode::OK);
    let id_taken = create("e-13", "kdc-1", "x-xuat-hoa", "Thôn Khác", "2026-01-01");
    refused(post(officer.clone(), id_taken).await, (StatusCode::CONFLICT, "area_id_taken"));
    let reused = create("e-1", "kdc-2", "x-xuat-hoa", "Thôn Khác", "2026-01-01");
    refused(post(officer.clone(), reused).await, (StatusCode::CONFLICT, "event_id_reused"));
    assert_eq!(api.state.store.area_events().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_ward_merges_and_splits_its_areas_and_their_figures_follow() {
    merges_and_splits(Api::new().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_dynamodb_a_ward_merges_and_splits_its_areas_and_their_figures_follow() {
    merges_and_splits(Api::over_dynamodb().await).await;
}

/// A report's columns as (name, dat_hien), and the unit's own total.
async fn columns<S: Store>(api: &Api<S>, unit: &str, period: &str) -> (Vec<(String, i64)>, i64) {
    let (status, report) = api.get(&format!("/api/v1/units/{unit}/report?period={period}")).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let total = |f: &Value| f["figures"]["dat_hien"]["counter"]["total"].as_i64().unwrap();
    let children = report["children"].as_array().unwrap().iter();
    (children.map(|c| (c["name"].as_str().unwrap().to_string(), total(c))).collect(), total(&report["unit"]))
}

async fn merges_and_splits<S: Store>(api: Api<S>) {
    // GIVEN Tổ 11 and Tổ 13 of Phường Nguyễn Thị Minh Khai, each with a phone that has synced
    let (_, officer) = api.enrol(Role::WardOfficer, "p-nguyen-thi-minh-khai", "Cán bộ phường NTMK").await;
    let ward = "p-nguyen-thi-minh-khai";
    let sync = |phone: &'static str, area: &'static str, month: &'static str, inc: u64| {
        let api = &api;
        async move { api.sync(&counter_sync(phone, area, "dat_hien", month, inc, 0)).await }
    };
    assert_eq!(sync("phone-11", "ntmk-to-11", "2026-03", 100).await.0, StatusCode::OK);
    assert_eq!(sync("phone-13", "ntmk-to-13", "2026-03", 50).await.0, StatusCode::OK);
    let post = |body: Value| {
        let (api, officer) = (&api, officer.clone());
        async move { api.post("/api/v1/areas", Some(&officer), &body).await }
    };

    // AND a model Tổ 11 registered in March
    let model = json!({ "id": "e-model", "model": "mh-to11", "day": "2026-03-10",
                        "step": { "kind": "register", "unit": "ntmk-to-11", "content": 3, "name": "Đường hoa" } });
    let (status, filed) = api.post("/api/v1/models", Some(&officer), &model).await;
    assert_eq!(status, StatusCode::OK, "{filed}");

    // WHEN the ward merges Tổ 11 into Tổ 13 from 1/7/2026
    let merge = json!({ "id": "e-merge", "area": "ntmk-to-11", "effective": "2026-07-01",
                        "change": { "kind": "merge", "into": "ntmk-to-13" } });
    let (status, merged) = post(merge.clone()).await;
    assert_eq!((status, merged["unit"]["valid_to"].as_str()), (StatusCode::OK, Some("2026-06-30")), "{merged}");
    assert_eq!(post(merge).await.1["repeated"], true, "filed once");

    // AND Tổ 11's phone, which did not know, sends September's entry
    let (status, answer) = api
        .sync(&json!({ "protocol": 2, "device": "phone-11", "counters": [
            { "area": "ntmk-to-11", "indicator": "dat_hien", "month": "2026-09", "inc": 30, "dec": 0 }] }))
        .await;
    assert_eq!(
        (status, answer["changed"].as_u64(), answer.get("refused")),
        (StatusCode::OK, Some(1), None),
        "{answer}"
    );

    // THEN the year's report has one column for both, the months before the merge two,
    // and the columns always add up to the ward
    let (year, total) = columns(&api, ward, "2026").await;
    assert_eq!(total, 180);
    assert_eq!(year, [("Tổ 13".into(), 180), ("Tổ 15".into(), 0)], "Tổ 11 is read under Tổ 13");
    let (march, total) = columns(&api, ward, "2026-03").await;
    assert_eq!((march.len(), total), (3, 150));
    assert!(march.contains(&("Tổ 11".into(), 100)) && march.contains(&("Tổ 13".into(), 50)), "{march:?}");
    assert_eq!(api.total("ntmk-to-13", "dat_hien", "2026").await, 180, "Tổ 13 carries Tổ 11 on");
    assert_eq!(api.total("tp-bac-kan", "dat_hien", "2026").await, 180, "once at every level");
    let (status, models) = api.get(&format!("/api/v1/units/{ward}/models?period=2026")).await;
    assert_eq!(status, StatusCode::OK, "{models}");
    let counted: Vec<(&str, u64)> = (models["children"].as_array().unwrap().iter())
        .map(|c| (c["name"].as_str().unwrap(), c["counts"]["registered"].as_u64().unwrap()))
        .collect();
    assert_eq!(counted, [("Tổ 13", 1), ("Tổ 15", 0)], "the model's column is Tổ 13's, as its figures'");

    // WHEN Tổ 15 is split into Tổ 15A and Tổ 15B from 1/10/2026
    let split = json!({ "id": "e-split", "area": "ntmk-to-15", "effective": "2026-10-01",
                        "change": { "kind": "split", "parts": [
                            { "id": "kdc-15a", "name": "Tổ  15A" }, { "id": "kdc-15b", "name": "Tổ 15B" }] } });
    let (status, answer) = post(split).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let parts: Vec<&str> = answer["parts"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(parts, ["Tổ 15A", "Tổ 15B"]);
    assert_eq!(answer["parts"][0]["valid_from"], "2026-10-01");
    // THEN a volunteer can be enrolled in a part, and Tổ 15's late entries count to Tổ 15A
    assert_eq!(sync("phone-15", "ntmk-to-15", "2026-11", 7).await.0, StatusCode::OK);
    let (_, token) = api.enrol(Role::Volunteer, "kdc-15b", "Tổ trưởng 15B").await;
    assert!(!token.is_empty());
    let (year, total) = columns(&api, ward, "2026").await;
    assert_eq!(year, [("Tổ 13".into(), 180), ("Tổ 15A".into(), 7), ("Tổ 15B".into(), 0)]);
    assert_eq!(total, 187);

    // AND what does not fit is refused, changing nothing
    let refused = |(status, body): (StatusCode, Value), code: &str| {
        assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(code)), "{body}");
        assert!(body["message"].as_str().unwrap().contains("khu dân cư"), "{body}");
    };
    let elsewhere = json!({ "id": "e-x1", "area": "ntmk-to-13", "effective": "2026-11-01",
                            "change": { "kind": "merge", "into": "dx-to-8a" } });
    refused(post(elsewhere).await, "invalid_merge");
    let one_part = json!({ "id": "e-x2", "area": "ntmk-to-13", "effective": "2026-11-01",
                           "change": { "kind": "split", "parts": [{ "id": "kdc-x", "name": "Tổ X" }] } });
    refused(post(one_part).await, "invalid_split");
    let again = json!({ "id": "e-x3", "area": "ntmk-to-11", "effective": "2026-11-01",
                        "change": { "kind": "merge", "into": "ntmk-to-13" } });
    let (status, body) = post(again).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("area_closed")), "{body}");
    assert_eq!(api.state.store.area_events().await.unwrap().len(), 2);

    // AND a new process reads the same tree from the store
    let fresh = functions::store::load_tree(&api.state.store).await.unwrap();
    let carried = fresh.carried(&domain::UnitId::new("ntmk-to-13").unwrap());
    assert_eq!(carried.iter().map(|u| u.as_str()).collect::<Vec<_>>(), ["ntmk-to-13", "ntmk-to-11"]);
}

/// A province loaded from the dataset has no residential areas (no dataset lists them):
/// its commune's officer adds one, and a volunteer enrols in it and syncs.
#[tokio::test]
async fn a_loaded_province_gets_its_areas_from_its_communes() {
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    let dir = tempfile::tempdir().unwrap();
    let store = functions::store::EmbeddedStore::open(&dir.path().join("province.redb")).unwrap();
    let dataset = domain::dataset::Dataset::bundled().unwrap();
    functions::store::load_province(&store, &dataset, "Thái Nguyên").await.unwrap();
    let state = functions::app_state(store, false).await.unwrap();
    let router = functions::api_router(state.clone());
    let tree = state.tree().await.unwrap();
    let ward = tree.units().find(|u| u.name == "Phường Đức Xuân" && u.valid_to.is_none()).unwrap().id.clone();
    assert!(tree.areas_under(&ward).is_empty(), "no areas until the ward adds them");
    let call = |path: &str, token: Option<&str>, body: Value| {
        let mut request = Request::post(path).header("content-type", "application/json");
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let request = request.body(Body::from(body.to_string())).unwrap();
        let router = router.clone();
        async move {
            let response = router.oneshot(request).await.unwrap();
            let status = response.status();
            let body: Value =
                serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
            assert_eq!(status, StatusCode::OK, "{body}");
            body
        }
    };
    let code = |role: Role, unit: &domain::UnitId| {
        let request = domain::enrol::IssueCode { role, unit: unit.clone(), valid_days: None, uses: None };
        let (state, tree) = (state.clone(), tree.clone());
        async move {
            functions::enrolment::issue_code(&state.store, &tree, None, &request, state.now_ms(), "http://sotay")
                .await
                .unwrap()
                .code
        }
    };
    let officer =
        call("/api/v1/join", None, json!({ "code": code(Role::WardOfficer, &ward).await, "label": "Cán bộ" })).await;
    let officer = officer["token"].as_str().unwrap().to_string();
    let area = create("e-to-1", "kdc-dx-to-1", ward.as_str(), "Tổ 1", "2025-07-01");
    let added = call("/api/v1/areas", Some(&officer), area).await;
    assert_eq!(added["unit"]["parent"], ward.as_str());

    let issued = call("/api/v1/codes", Some(&officer), json!({ "role": "volunteer", "unit": "kdc-dx-to-1" })).await;
    let volunteer = call("/api/v1/join", None, json!({ "code": issued["code"], "label": "Trưởng ban Tổ 1" })).await;
    assert_eq!(volunteer["profile"]["scope"], "kdc-dx-to-1");
    let sync = json!({ "protocol": 2, "device": volunteer["device"],
        "counters": [{ "area": "kdc-dx-to-1", "indicator": "ngay_cong", "month": "2026-11", "inc": 40, "dec": 0 }] });
    let answer = call("/api/v1/sync", volunteer["token"].as_str(), sync).await;
    assert_eq!(answer["changed"], 1, "{answer}");
}

/// Two officers add the same name at the same moment: the process checks and files one
/// change at a time, so the second sees the first and is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_areas_of_one_name_added_at_once_are_one_area() {
    use functions::store::UnitStore;
    let api = Api::new().await;
    let (_, a) = api.enrol(Role::WardOfficer, "x-xuat-hoa", "Cán bộ A").await;
    let (_, b) = api.enrol(Role::WardOfficer, "x-xuat-hoa", "Cán bộ B").await;
    for round in 0..5 {
        let name = format!("Thôn Song Song {round}");
        let first = create(&format!("e-a-{round}"), &format!("kdc-a-{round}"), "x-xuat-hoa", &name, "2026-01-01");
        let second = create(&format!("e-b-{round}"), &format!("kdc-b-{round}"), "x-xuat-hoa", &name, "2026-01-01");
        let (one, two) =
            tokio::join!(api.post("/api/v1/areas", Some(&a), &first), api.post("/api/v1/areas", Some(&b), &second));
        let mut statuses = [one.0, two.0];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{} / {}", one.1, two.1);
    }
    assert_eq!(api.state.store.area_events().await.unwrap().len(), 5);
}

/// Two Lambda instances over one table: an area one of them creates is known to the other
/// as soon as a request names it (a code for it), and its new name within a minute.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_dynamodb_a_change_filed_by_one_instance_reaches_another() {
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use tower::ServiceExt;

    let first = Api::over_dynamodb().await;
    let (_, officer) = first.enrol(Role::WardOfficer, "x-xuat-hoa", "Cán bộ xã Xuất Hóa").await;
    // GIVEN a second instance that loaded the tree before the change
    let tree = functions::store::load_tree(&first.state.store).await.unwrap();
    let mut second = functions::AppState::new(first.state.store.clone(), tree, domain::Catalogue::standard());
    let ahead = Arc::new(AtomicU64::new(0));
    let (system, offset) = (functions::api::system_clock(), ahead.clone());
    second.clock = Arc::new(move || system() + offset.load(Ordering::Relaxed));
    let second = functions::api_router(Arc::new(second));
    let on_second = |method: &str, path: &str, body: Option<Value>| {
        let mut request =
            Request::builder().method(method).uri(path).header("authorization", format!("Bearer {}", first.admin));
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let request = request.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string()))).unwrap();
        let router = second.clone();
        async move {
            let response = router.oneshot(request).await.unwrap();
            let status = response.status();
            let body: Value =
                serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
            (status, body)
        }
    };

    // WHEN the first instance creates an area
    let area = create("e-two-1", "kdc-hai", "x-xuat-hoa", "Thôn Hai Nơi", "2026-01-01");
    assert_eq!(first.post("/api/v1/areas", Some(&officer), &area).await.0, StatusCode::OK);

    // THEN the second, past a second since it loaded, issues a code for it
    ahead.store(functions::api::MISS_RELOAD_MS + 1, Ordering::Relaxed);
    let code = json!({ "role": "volunteer", "unit": "kdc-hai" });
    let (status, issued) = on_second("POST", "/api/v1/codes", Some(code)).await;
    assert_eq!(status, StatusCode::OK, "{issued}");

    // AND a rename on the first shows on the second once its tree is a minute old
    let renamed = rename("e-two-2", "kdc-hai", "Thôn Hai Nơi Mới", "2026-02-01");
    assert_eq!(first.post("/api/v1/areas", Some(&officer), &renamed).await.0, StatusCode::OK);
    let name_on_second = || async {
        let (_, units) = on_second("GET", "/api/v1/units", None).await;
        let units = units.as_array().unwrap().clone();
        units.into_iter().find(|u| u["id"] == "kdc-hai").unwrap()["name"].as_str().unwrap().to_string()
    };
    assert_eq!(name_on_second().await, "Thôn Hai Nơi", "within the minute, the tree it loaded");
    ahead.fetch_add(functions::api::TREE_MAX_AGE_MS, Ordering::Relaxed);
    assert_eq!(name_on_second().await, "Thôn Hai Nơi Mới");
}

/// Over DynamoDB an instance checks a change against the trees it read (the caller's
/// province): an area id another province's ward took is found by its lookup, and refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_dynamodb_an_area_id_taken_in_another_province_is_refused() {
    use domain::{Unit, UnitId, UnitLevel};
    use functions::store::UnitStore;

    let api = Api::over_dynamodb().await;
    let (_, officer) = api.enrol(Role::WardOfficer, "x-xuat-hoa", "Cán bộ xã Xuất Hóa").await;
    let here = create("e-here", "kdc-chung", "x-xuat-hoa", "Thôn Chung", "2026-01-01");
    assert_eq!(api.post("/api/v1/areas", Some(&officer), &here).await.0, StatusCode::OK);
    // GIVEN another province, with a ward and its officer
    let province = Unit::new(UnitId::new("tinh-khac").unwrap(), "Tỉnh Khác", UnitLevel::Province, None);
    let ward_id = UnitId::new("p-khac").unwrap();
    let ward = Unit::new(ward_id.clone(), "Phường Khác", UnitLevel::Ward, Some(province.id.clone()));
    api.state.store.add_units(&[province.clone(), ward]).await.unwrap();
    api.state.tree_knowing([&ward_id]).await.unwrap();
    let (_, other) = api.enrol(Role::WardOfficer, "p-khac", "Cán bộ phường Khác").await;

    // WHEN its officer adds an area under the id taken
    let there = create("e-there", "kdc-chung", "p-khac", "Thôn Chung", "2026-01-01");
    let (status, body) = api.post("/api/v1/areas", Some(&other), &there).await;

    // THEN it is refused, and nothing is filed in its province
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "area_id_taken");
    assert!(api.state.store.area_events_of(&province.id).await.unwrap().is_empty());
}

/// The demo's Phường Đức Xuân and Phường Nguyễn Thị Minh Khai closed on 30/6/2025 and
/// carried on by `p-moi` of a province of today's map (`tinh-moi`, a tree of its own that
/// carries on the demo's): its officer keeps their areas. Returns that officer's token and
/// the token of an officer of the old Phường Đức Xuân, enrolled before it closed.
async fn a_ward_of_todays_map<S: Store>(api: &Api<S>) -> (String, String) {
    use domain::{Date, Unit, UnitId, UnitLevel};
    let (_, old_officer) = api.enrol(Role::WardOfficer, "p-duc-xuan", "Cán bộ phường Đức Xuân cũ").await;
    let id = |s: &str| UnitId::new(s).unwrap();
    let (first, last) = (Date::new(2025, 7, 1).unwrap(), Date::new(2025, 6, 30).unwrap());
    let tree = api.state.tree().await.unwrap();
    let merged = [id("p-duc-xuan"), id("p-nguyen-thi-minh-khai")];
    let closed: Vec<Unit> =
        merged.iter().map(|w| Unit { valid_to: Some(last), ..tree.get(w).unwrap().clone() }).collect();
    api.state.store.replace_units(&closed).await.unwrap();
    let province = Unit::new(id("tinh-moi"), "Tỉnh Mới", UnitLevel::Province, None);
    let ward = Unit::new(id("p-moi"), "Phường Mới", UnitLevel::Ward, Some(id("tinh-moi")));
    api.state
        .store
        .add_units(&[
            Unit { valid_from: Some(first), succeeds: vec![id("tp-bac-kan")], ..province },
            Unit { valid_from: Some(first), succeeds: merged.to_vec(), ..ward },
        ])
        .await
        .unwrap();
    api.state.reload_knowing([&id("p-moi"), &id("tp-bac-kan")]).await.unwrap();
    let (_, officer) = api.enrol(Role::WardOfficer, "p-moi", "Cán bộ phường Mới").await;
    (officer, old_officer)
}

fn merge(event: &str, area: &str, into: &str, effective: &str) -> Value {
    json!({ "id": event, "area": area, "effective": effective, "change": { "kind": "merge", "into": into } })
}

#[tokio::test]
async fn a_ward_of_todays_map_keeps_and_merges_the_areas_of_the_wards_merged_into_it() {
    keeps_the_merged_wards_areas(&Api::new().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_dynamodb_a_ward_of_todays_map_keeps_and_merges_the_areas_of_the_wards_merged_into_it() {
    let api = Api::over_dynamodb().await;
    keeps_the_merged_wards_areas(&api).await;
    // A process that first reads only the old tree (for a volunteer of Tổ 13) still sees
    // Tổ 13 merged into an area of the other tree, whose tree it then reads.
    let fresh = functions::app_state(api.state.store.clone(), false).await.unwrap();
    let thirteen = domain::UnitId::new("ntmk-to-13").unwrap();
    let tree = fresh.tree_knowing([&thirteen]).await.unwrap();
    assert_eq!(tree.get(&thirteen).unwrap().valid_to, Some(domain::Date::new(2026, 1, 31).unwrap()), "merged");
}

async fn keeps_the_merged_wards_areas<S: Store>(api: &Api<S>) {
    let (officer, old_officer) = a_ward_of_todays_map(api).await;
    // Across the two old wards, from 1/1/2026.
    let across = merge("e-x-1", "ntmk-to-11", "dx-to-8a", "2026-01-01");
    let (status, body) = api.post("/api/v1/areas", Some(&officer), &across).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Into an area of today's ward (kept in another tree on DynamoDB).
    let created = create("e-x-2", "kdc-moi", "p-moi", "Tổ Mới", "2026-01-01");
    assert_eq!(api.post("/api/v1/areas", Some(&officer), &created).await.0, StatusCode::OK);
    let into_new = merge("e-x-3", "ntmk-to-13", "kdc-moi", "2026-02-01");
    let (status, body) = api.post("/api/v1/areas", Some(&officer), &into_new).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Not before the two wards were one.
    let too_early = merge("e-x-4", "ntmk-to-15", "dx-to-8a", "2025-03-01");
    let (status, body) = api.post("/api/v1/areas", Some(&officer), &too_early).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_effective_date")));
    // The old ward's officer may not merge into an area it does not keep.
    let not_its = merge("e-x-5", "dx-to-8a", "ntmk-to-15", "2026-03-01");
    let (status, body) = api.post("/api/v1/areas", Some(&old_officer), &not_its).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // Today's ward lists them all, each merged one read in its successor's column.
    let (status, report) = api.call("GET", "/api/v1/units/p-moi/report?period=2026", Some(&officer), None).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let names: Vec<&str> = report["children"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Tổ Mới", "Tổ 8A (Phường Đức Xuân cũ)", "Tổ 15 (Phường Nguyễn Thị Minh Khai cũ)"]);
}
