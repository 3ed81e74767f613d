//! Titles, commendations and exemplars (`POST /api/v1/honours`, `…/{id}/withdraw`,
//! `GET /api/v1/units/{id}/honours`): a ward records its areas' titles and a
//! commendation, the report counts them (titles over years as lượt), a wrong one is
//! withdrawn and no longer counts; refusals say why in Vietnamese and change nothing.
//! Over the embedded store and over DynamoDB (moto).

use super::Api;
use axum::http::StatusCode;
use domain::Role;
use functions::store::Store;
use serde_json::{Value, json};

fn title(id: &str, area: &str, year: u16, number: &str) -> Value {
    json!({ "id": id, "unit": area, "kind": { "kind": "cultural_area", "year": year },
            "decision": { "number": number, "day": format!("{year}-11-20"), "issuer": "UBND phường Nguyễn Thị Minh Khai" } })
}

fn commendation(id: &str, unit: &str, form: &str, recipient: &str) -> Value {
    json!({ "id": id, "unit": unit,
            "kind": { "kind": "commendation", "form": form, "level": "district", "recipient": recipient, "reason": "" },
            "decision": { "number": "45/QĐ-MTTQ", "day": "2025-11-18", "issuer": "Ủy ban MTTQ thành phố" } })
}

#[tokio::test]
async fn a_ward_records_titles_and_commendations_and_the_report_counts_them() {
    recorded_and_counted(Api::new().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_dynamodb_a_ward_records_titles_and_commendations_and_the_report_counts_them() {
    recorded_and_counted(Api::over_dynamodb().await).await;
}

async fn recorded_and_counted<S: Store>(api: Api<S>) {
    let (_, officer) = api.enrol(Role::WardOfficer, "p-nguyen-thi-minh-khai", "Cán bộ phường").await;
    // GIVEN two years of titles, a commendation to a person (typed with a decomposed "ờ")
    for body in [
        title("h-1", "ntmk-to-11", 2024, "98/QĐ-UBND"),
        title("h-2", "ntmk-to-11", 2025, "125/QĐ-UBND"),
        title("h-3", "ntmk-to-13", 2025, "125/QĐ-UBND"),
        commendation("h-4", "ntmk-to-11", "giay_khen", "  Bà Lươ\u{300}ng Thị Hoa "),
    ] {
        let (status, answer) = api.post("/api/v1/honours", Some(&officer), &body).await;
        assert_eq!((status, answer["repeated"].as_bool()), (StatusCode::OK, Some(false)), "{answer}");
    }
    // THEN sending one again files nothing more, and a second title of a year is refused
    let (status, again) =
        api.post("/api/v1/honours", Some(&officer), &title("h-2", "ntmk-to-11", 2025, "125/QĐ-UBND")).await;
    assert_eq!((status, again["repeated"].as_bool()), (StatusCode::OK, Some(true)), "{again}");
    let (status, twice) =
        api.post("/api/v1/honours", Some(&officer), &title("h-5", "ntmk-to-11", 2025, "126/QĐ-UBND")).await;
    assert_eq!((status, twice["code"].as_str()), (StatusCode::CONFLICT, Some("already_recognised")), "{twice}");
    assert_eq!(twice["message"], "Tổ 11 đã được công nhận năm 2025 (quyết định số 125/QĐ-UBND).");

    // AND the ward's report of 2025 counts them; of 2024..2025, the titles as lượt
    let path = "/api/v1/units/p-nguyen-thi-minh-khai/honours?period=";
    let (status, year) = api.call("GET", &format!("{path}2025"), Some(&officer), None).await;
    assert_eq!(status, StatusCode::OK, "{year}");
    assert_eq!(
        (year["unit"]["counts"]["cultural_areas"].as_u64(), year["unit"]["counts"]["giay_khen"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(year["unit"]["counts"]["to_persons"], 1);
    let person = year["records"].as_array().unwrap().iter().find(|r| r["honour"]["id"] == "h-4").unwrap();
    assert_eq!(person["honour"]["kind"]["recipient"], "Bà Lường Thị Hoa", "trimmed and precomposed");
    let (_, years) = api.call("GET", &format!("{path}2024..2025"), Some(&officer), None).await;
    assert_eq!(years["unit"]["counts"]["cultural_areas"], 3);

    // WHEN Tổ 13's title was wrong and is withdrawn (twice: once)
    let (status, withdrawn) = api.post("/api/v1/honours/h-3/withdraw", Some(&officer), &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{withdrawn}");
    assert!(withdrawn["withdrawn"]["at_ms"].is_u64(), "{withdrawn}");
    let (status, _) = api.post("/api/v1/honours/h-3/withdraw", Some(&officer), &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    // THEN it no longer counts, and is still listed
    let (_, year) = api.call("GET", &format!("{path}2025"), Some(&officer), None).await;
    assert_eq!(year["unit"]["counts"]["cultural_areas"], 1);
    assert_eq!(year["records"].as_array().unwrap().len(), 3);
    // AND the CSV carries them in its last group
    let (_, csv) =
        api.call("GET", "/api/v1/units/p-nguyen-thi-minh-khai/report.csv?period=2025", Some(&officer), None).await;
    let csv = csv.as_str().unwrap();
    assert!(csv.contains(";Danh hiệu, khen thưởng\r\n"), "{csv}");
    assert!(csv.lines().any(|l| l.contains(";Giấy khen;bản;1;0;;1;0;0")), "{csv}");
}

#[tokio::test]
async fn records_that_do_not_fit_are_refused_and_change_nothing() {
    let api = Api::new().await;
    let (_, officer) = api.enrol(Role::WardOfficer, "p-nguyen-thi-minh-khai", "Cán bộ phường").await;
    let (_, other) = api.enrol(Role::WardOfficer, "p-duc-xuan", "Cán bộ phường khác").await;
    let (_, volunteer) = api.phone("to-11", "ntmk-to-11").await;
    let (status, _) =
        api.post("/api/v1/honours", Some(&officer), &commendation("h-1", "ntmk-to-11", "bang_khen", "")).await;
    assert_eq!(status, StatusCode::OK);
    let mut no_number = commendation("h-2", "ntmk-to-11", "giay_khen", "");
    no_number["decision"]["number"] = json!(" ");
    let mut ahead = commendation("h-2", "ntmk-to-11", "giay_khen", "");
    ahead["decision"]["day"] = json!("2099-01-01");
    let families = json!({ "id": "h-2", "unit": "ntmk-to-11", "kind": { "kind": "cultural_families", "year": 2025, "households": 0 },
        "decision": { "number": "1/QĐ", "day": "2025-11-20", "issuer": "UBND" } });
    let exemplar = json!({ "id": "h-2", "unit": "ntmk-to-11", "kind": { "kind": "exemplar", "recipient": "Ông Vy Văn Tàng", "citation": "" },
        "decision": { "number": "1/QĐ", "day": "2025-11-20", "issuer": "UBND" } });
    let cases: Vec<(&str, &str, Value, StatusCode, &str)> = vec![
        (
            "another ward's officer",
            &other,
            commendation("h-2", "ntmk-to-11", "giay_khen", ""),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            "a volunteer",
            &volunteer,
            commendation("h-2", "ntmk-to-11", "giay_khen", ""),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        ("no decision number", &officer, no_number, StatusCode::UNPROCESSABLE_ENTITY, "invalid_decision"),
        ("a decision ahead of today", &officer, ahead, StatusCode::UNPROCESSABLE_ENTITY, "invalid_decision"),
        ("no household", &officer, families, StatusCode::UNPROCESSABLE_ENTITY, "invalid_households"),
        ("an exemplar without citation", &officer, exemplar, StatusCode::UNPROCESSABLE_ENTITY, "invalid_text"),
        (
            "a title for a ward",
            &officer,
            title("h-2", "p-nguyen-thi-minh-khai", 2025, "1/QĐ"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "wrong_unit",
        ),
        (
            "a title of next year",
            &officer,
            title("h-2", "ntmk-to-11", 2099, "1/QĐ"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_year",
        ),
        (
            "an unknown unit",
            &officer,
            commendation("h-2", "khong-co", "giay_khen", ""),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_unit",
        ),
        (
            "the id of another record",
            &officer,
            commendation("h-1", "ntmk-to-11", "giay_khen", ""),
            StatusCode::CONFLICT,
            "event_id_reused",
        ),
        (
            "a formula for a name",
            &officer,
            commendation("h-2", "ntmk-to-11", "giay_khen", "=1+1"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_text",
        ),
    ];
    for (what, token, body, want, code) in cases {
        let (status, answer) = api.post("/api/v1/honours", Some(token), &body).await;
        assert_eq!((status, answer["code"].as_str()), (want, Some(code)), "{what}: {answer}");
        assert!(!answer["message"].as_str().unwrap_or("").is_empty(), "{what}: a message");
    }
    let (status, answer) = api.post("/api/v1/honours/h-1/withdraw", Some(&other), &json!({})).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{answer}");
    let (status, answer) = api.post("/api/v1/honours/h-9/withdraw", Some(&officer), &json!({})).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_honour")),
        "{answer}"
    );
    let (_, year) =
        api.call("GET", "/api/v1/units/p-nguyen-thi-minh-khai/honours?period=2025", Some(&officer), None).await;
    assert_eq!(year["records"].as_array().unwrap().len(), 1, "nothing refused was stored");
    assert!(year["records"][0]["withdrawn"].is_null(), "not withdrawn by another ward");
}
