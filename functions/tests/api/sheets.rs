//! Scoring sheets (`POST /api/v1/sheets`, `GET /api/v1/sheets`) and scores: the city's
//! Front sets Bắc Kạn's "Khu dân cư văn minh" sheet; a ward's model is scored by itself and
//! by the inspection team; the verdict is the score's, and a sheet or a score that does not
//! fit is refused with a Vietnamese reason and changes nothing. Over the embedded store and
//! over DynamoDB (moto).

use super::Api;
use axum::http::StatusCode;
use domain::{EventId, Role, ScoringSheet, UnitId};
use functions::store::{SheetStore, Store};
use serde_json::{Value, json};

fn sheet(id: &str) -> Value {
    let sheet = ScoringSheet::khu_dan_cu_van_minh(EventId::new(id).unwrap(), UnitId::new("tp-bac-kan").unwrap());
    serde_json::to_value(sheet).unwrap()
}

fn step(id: &str, day: &str, step: Value) -> Value {
    json!({ "id": id, "model": "mh-to11", "day": day, "step": step })
}

fn score(kind: &str, points: &[u64]) -> Value {
    json!({ "kind": kind, "sheet": "pc-kdcvm", "points": points })
}

/// Every item at its maximum but the first `zeros` items.
fn points(zeros: usize) -> Vec<u64> {
    let sheet = ScoringSheet::khu_dan_cu_van_minh(EventId::new("pc-x").unwrap(), UnitId::new("tp-bac-kan").unwrap());
    sheet.items().enumerate().map(|(i, item)| if i < zeros { 0 } else { u64::from(item.max) }).collect()
}

#[tokio::test]
async fn a_model_is_scored_on_the_citys_sheet_and_judged_by_its_score() {
    scored(Api::new().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_dynamodb_a_model_is_scored_on_the_citys_sheet_and_judged_by_its_score() {
    scored(Api::over_dynamodb().await).await;
}

async fn scored<S: Store>(api: Api<S>) {
    // GIVEN the city's Ban Thường trực, a ward officer and the ward's registered model
    let (_, city) = api.enrol(Role::Inspector, "tp-bac-kan", "Ban Thường trực thành phố").await;
    let (_, ward) = api.enrol(Role::WardOfficer, "p-nguyen-thi-minh-khai", "Cán bộ phường").await;
    let register = json!({ "kind": "register", "unit": "ntmk-to-11", "content": 2, "name": "Tổ dân phố văn minh" });
    let (status, _) = api.post("/api/v1/models", Some(&ward), &step("e-1", "2026-02-10", register)).await;
    assert_eq!(status, StatusCode::OK);

    // WHEN the ward tries to set a sheet: refused, its role sets none
    let (status, refused) = api.post("/api/v1/sheets", Some(&ward), &sheet("pc-kdcvm")).await;
    assert_eq!((status, refused["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{refused}");
    // AND the city sets it, twice (a lost answer): filed once
    let (status, set) = api.post("/api/v1/sheets", Some(&city), &sheet("pc-kdcvm")).await;
    assert_eq!((status, set["repeated"].as_bool()), (StatusCode::OK, Some(false)), "{set}");
    let (status, again) = api.post("/api/v1/sheets", Some(&city), &sheet("pc-kdcvm")).await;
    assert_eq!((status, again["repeated"].as_bool()), (StatusCode::OK, Some(true)), "{again}");
    // THEN the ward sees the sheet that scores its models
    let (status, seen) = api.call("GET", "/api/v1/sheets", Some(&ward), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seen.as_array().unwrap().len(), 1, "{seen}");
    assert_eq!(seen[0]["sheet"]["criteria"].as_array().unwrap().len(), 5);

    // WHEN the ward scores itself, then the team inspects
    let (status, own) =
        api.post("/api/v1/models", Some(&ward), &step("e-2", "2026-03-01", score("self_score", &points(1)))).await;
    assert_eq!((status, own["model"]["status"].as_str()), (StatusCode::OK, Some("registered")), "{own}");
    let inspect = json!({ "kind": "inspect" });
    let (status, _) = api.post("/api/v1/models", Some(&city), &step("e-3", "2026-05-20", inspect)).await;
    assert_eq!(status, StatusCode::OK);
    // THEN a verdict before the team's score is refused
    let (status, refused) =
        api.post("/api/v1/models", Some(&city), &step("e-4", "2026-05-21", json!({ "kind": "pass" }))).await;
    assert_eq!((status, refused["code"].as_str()), (StatusCode::CONFLICT, Some("score_first")), "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("Khu dân cư văn minh"), "{refused}");

    // WHEN the team scores 75 (the first 6 items nothing)
    let (status, low) =
        api.post("/api/v1/models", Some(&city), &step("e-5", "2026-10-15", score("score", &points(6)))).await;
    assert_eq!((status, low["model"]["status"].as_str()), (StatusCode::OK, Some("scored")), "{low}");
    // THEN "đạt" is refused, the score says "không đạt"
    let (status, refused) =
        api.post("/api/v1/models", Some(&city), &step("e-6", "2026-10-15", json!({ "kind": "pass" }))).await;
    assert_eq!((status, refused["code"].as_str()), (StatusCode::CONFLICT, Some("verdict_not_score")), "{refused}");
    assert_eq!(
        refused["message"],
        "Kết quả nghiệm thu theo điểm chấm: 75/100 điểm (đạt từ 80): Không đạt. Không thể ghi kết quả khác."
    );
    // AND scores that do not fit the sheet change nothing
    let bad: Vec<(Value, &str)> = vec![
        (score("score", &[1; 22]), "invalid_score"),
        (score("score", &[7; 23]), "score_above_max"),
        (json!({ "kind": "score", "sheet": "pc-none", "points": points(0) }), "unknown_sheet"),
    ];
    for (n, (step_, code)) in bad.into_iter().enumerate() {
        let (status, refused) =
            api.post("/api/v1/models", Some(&city), &step(&format!("e-bad-{n}"), "2026-10-16", step_)).await;
        assert_eq!(refused["code"].as_str(), Some(code), "{status} {refused}");
    }
    let late_own = step("e-bad-own", "2026-10-16", score("self_score", &points(0)));
    let (_, refused) = api.post("/api/v1/models", Some(&ward), &late_own).await;
    assert_eq!(refused["code"], "step_out_of_order", "a self-score comes before the inspection");
    // WHEN the team scores again, 100, and accepts
    let (status, _) =
        api.post("/api/v1/models", Some(&city), &step("e-7", "2026-10-16", score("score", &points(0)))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, passed) =
        api.post("/api/v1/models", Some(&city), &step("e-8", "2026-10-16", json!({ "kind": "pass" }))).await;
    assert_eq!((status, passed["model"]["status"].as_str()), (StatusCode::OK, Some("passed")), "{passed}");
    // THEN the report counts it scored and passed, once each
    let (_, report) = api.call("GET", "/api/v1/units/tp-bac-kan/models?period=2026", Some(&city), None).await;
    assert_eq!(
        (report["unit"]["counts"]["scored"].as_u64(), report["unit"]["counts"]["passed"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(api.state.store.model_steps().await.unwrap().len(), 6, "register, self-score, inspect, 2 scores, pass");
}

#[tokio::test]
async fn sheets_that_do_not_fit_are_refused_and_change_nothing() {
    let api = Api::new().await;
    let (_, admin) = api.enrol(Role::ProvinceAdmin, "tp-bac-kan", "Quản trị").await;
    let (_, other) = api.enrol(Role::Inspector, "p-duc-xuan", "Ban Thường trực phường khác").await;
    let with = |change: &dyn Fn(&mut Value)| {
        let mut sheet = sheet("pc-a");
        change(&mut sheet);
        sheet
    };
    let cases: Vec<(&str, &str, Value, StatusCode, &str)> = vec![
        (
            "an id not of a sheet",
            &admin,
            with(&|s| s["id"] = json!("kdcvm")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_sheet_id",
        ),
        ("content 6", &admin, with(&|s| s["content"] = json!(6)), StatusCode::UNPROCESSABLE_ENTITY, "unknown_content"),
        (
            "no criteria",
            &admin,
            with(&|s| s["criteria"] = json!([])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_sheet",
        ),
        (
            "an item of 0 points",
            &admin,
            with(&|s| s["criteria"][0]["items"][0]["max"] = json!(0)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_item_points",
        ),
        (
            "a pass mark above the total",
            &admin,
            with(&|s| s["pass_mark"] = json!(101)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_pass_mark",
        ),
        (
            "a formula for a name",
            &admin,
            with(&|s| s["name"] = json!("=1+1")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_sheet_text",
        ),
        (
            "points typed as text",
            &admin,
            with(&|s| s["pass_mark"] = json!("80")),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "an unknown unit",
            &admin,
            with(&|s| s["unit"] = json!("x-khong-co")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_unit",
        ),
        ("the city, from a ward's team", &other, sheet("pc-a"), StatusCode::FORBIDDEN, "forbidden"),
    ];
    for (what, token, body, want, code) in cases {
        let (status, answer) = api.post("/api/v1/sheets", Some(token), &body).await;
        assert_eq!((status, answer["code"].as_str()), (want, Some(code)), "{what}: {answer}");
        assert!(!answer["message"].as_str().unwrap().is_empty(), "{what}");
    }
    assert!(api.state.store.sheets().await.unwrap().is_empty(), "nothing was stored");
    // An id taken by another sheet is refused.
    let (status, _) = api.post("/api/v1/sheets", Some(&admin), &sheet("pc-a")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, reused) = api.post("/api/v1/sheets", Some(&admin), &with(&|s| s["pass_mark"] = json!(70))).await;
    assert_eq!((status, reused["code"].as_str()), (StatusCode::CONFLICT, Some("sheet_id_reused")), "{reused}");
}
