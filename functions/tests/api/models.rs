//! Models (`POST /api/v1/models`, `GET /api/v1/units/{id}/models`): a ward registers a
//! model of one of its areas, an inspection team inspects and accepts it, the report
//! counts it, and the downloads carry it; each step is filed once by its id, a step out
//! of order or out of reach is refused with a Vietnamese reason and changes nothing, and
//! two steps sent at once on one model's same state land one. Over the embedded store and
//! over DynamoDB (moto).

use super::Api;
use axum::http::StatusCode;
use domain::Role;
use functions::store::Store;
use serde_json::{Value, json};

fn register(id: &str, model: &str, unit: &str, content: u8, name: &str, day: &str) -> Value {
    json!({ "id": id, "model": model, "day": day,
            "step": { "kind": "register", "unit": unit, "content": content, "name": name } })
}

fn step(id: &str, model: &str, kind: &str, day: &str) -> Value {
    json!({ "id": id, "model": model, "day": day, "step": { "kind": kind }, "note": "Đoàn kiểm tra của thành phố" })
}

#[tokio::test]
async fn a_model_is_registered_inspected_accepted_and_counted() {
    lifecycle(Api::new().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_dynamodb_a_model_is_registered_inspected_accepted_and_counted() {
    lifecycle(Api::over_dynamodb().await).await;
}

#[tokio::test]
async fn steps_that_do_not_fit_are_refused_and_change_nothing() {
    refused(Api::new().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_verdicts_sent_at_once_land_one() {
    verdicts_at_once(Api::new().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_dynamodb_two_verdicts_sent_at_once_land_one() {
    verdicts_at_once(Api::over_dynamodb().await).await;
}

async fn lifecycle<S: Store>(api: Api<S>) {
    // GIVEN the officer of Phường Nguyễn Thị Minh Khai and the city's inspection team
    let (_, officer) = api.enrol(Role::WardOfficer, "p-nguyen-thi-minh-khai", "Cán bộ phường").await;
    let (_, team) = api.enrol(Role::Inspector, "tp-bac-kan", "Đoàn kiểm tra").await;

    // WHEN the ward registers Tổ 11's model (typed with stray spaces, "à" decomposed)
    let typed =
        register("e-1", "mh-to11", "ntmk-to-11", 3, "  \"Tổ dân phố  xanh – sạch – đe\u{323}p\" ", "2026-02-20");
    let (status, filed) = api.post("/api/v1/models", Some(&officer), &typed).await;
    assert_eq!(status, StatusCode::OK, "{filed}");
    assert_eq!(filed["model"]["name"], "\"Tổ dân phố xanh – sạch – đẹp\"");
    assert_eq!((filed["model"]["status"].as_str(), filed["repeated"].as_bool()), (Some("registered"), Some(false)));
    // THEN sent again (a lost answer), nothing more is filed
    let (status, again) = api.post("/api/v1/models", Some(&officer), &typed).await;
    assert_eq!((status, again["repeated"].as_bool()), (StatusCode::OK, Some(true)), "{again}");
    assert_eq!(api.state.store.model_steps().await.unwrap().len(), 1);

    // AND accepting it before an inspection is refused, saying what may come next
    let (status, refused) =
        api.post("/api/v1/models", Some(&team), &step("e-2", "mh-to11", "pass", "2026-05-20")).await;
    assert_eq!((status, refused["code"].as_str()), (StatusCode::CONFLICT, Some("step_out_of_order")), "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("Kiểm tra, thẩm định"), "{refused}");

    // WHEN the team inspects it and accepts it, and the ward commends it
    for (id, kind, day) in [("e-3", "inspect", "2026-05-20"), ("e-4", "pass", "2026-10-15")] {
        let (status, answer) = api.post("/api/v1/models", Some(&team), &step(id, "mh-to11", kind, day)).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    let (status, answer) =
        api.post("/api/v1/models", Some(&officer), &step("e-5", "mh-to11", "commend", "2026-11-18")).await;
    assert_eq!((status, answer["model"]["status"].as_str()), (StatusCode::OK, Some("commended")), "{answer}");
    assert_eq!(answer["model"]["steps"].as_array().unwrap().len(), 4);
    assert_eq!(answer["model"]["steps"][1]["role"], "inspector", "who took each step");

    // THEN the ward's and the city's reports count it, by content and by child
    let (status, ward) =
        api.call("GET", "/api/v1/units/p-nguyen-thi-minh-khai/models?period=2026", Some(&officer), None).await;
    assert_eq!(status, StatusCode::OK, "{ward}");
    assert_eq!(ward["unit"]["counts"]["registered"], 1);
    assert_eq!(ward["unit"]["counts"]["passed"], 1);
    assert_eq!(ward["unit"]["by_content"]["3"]["commended"], 1);
    let to_11 = ward["children"].as_array().unwrap().iter().find(|c| c["unit"] == "ntmk-to-11").unwrap();
    assert_eq!(to_11["counts"]["inspected"], 1);
    let (_, q1) = api.call("GET", "/api/v1/units/tp-bac-kan/models?period=2026-Q1", Some(&team), None).await;
    assert_eq!(
        (q1["unit"]["counts"]["registered"].as_u64(), q1["unit"]["counts"]["passed"].as_u64()),
        (Some(1), Some(0))
    );
    // AND the CSV carries it in its last group
    let (status, csv) =
        api.call("GET", "/api/v1/units/p-nguyen-thi-minh-khai/report.csv?period=2026", Some(&officer), None).await;
    assert_eq!(status, StatusCode::OK);
    let csv = csv.as_str().unwrap();
    assert!(csv.contains(";Mô hình (theo 5 nội dung)\r\n"), "{csv}");
    assert!(csv.lines().any(|l| l.contains(";Mô hình nghiệm thu đạt;mô hình;1;0;ND3: 1;")), "{csv}");
    // AND the trail words each step under the ward
    let (_, trail) = api.call("GET", "/api/v1/audit?unit=p-nguyen-thi-minh-khai", Some(&officer), None).await;
    let steps = trail.as_array().unwrap().iter().filter(|e| e["what"]["model_step"].is_object()).count();
    assert_eq!(steps, 4, "{trail}");
}

async fn refused<S: Store>(api: Api<S>) {
    let (_, officer) = api.enrol(Role::WardOfficer, "p-nguyen-thi-minh-khai", "Cán bộ phường").await;
    let (_, other) = api.enrol(Role::WardOfficer, "p-duc-xuan", "Cán bộ phường khác").await;
    let (_, volunteer) = api.phone("to-11", "ntmk-to-11").await;
    let good = register("e-1", "mh-a", "ntmk-to-11", 3, "Đường hoa", "2026-03-01");
    let (status, _) = api.post("/api/v1/models", Some(&officer), &good).await;
    assert_eq!(status, StatusCode::OK);
    let cases: Vec<(&str, &str, Value, StatusCode, &str)> = vec![
        (
            "another ward's officer",
            &other,
            register("e-2", "mh-b", "ntmk-to-11", 3, "Đường hoa", "2026-03-01"),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            "a volunteer",
            &volunteer,
            register("e-2", "mh-b", "ntmk-to-11", 3, "Đường hoa", "2026-03-01"),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            "a sixth content",
            &officer,
            register("e-2", "mh-b", "ntmk-to-11", 6, "Đường hoa", "2026-03-01"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_content",
        ),
        (
            "a formula for a name",
            &officer,
            register("e-2", "mh-b", "ntmk-to-11", 3, "=1+1", "2026-03-01"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_model_name",
        ),
        (
            "a city",
            &officer,
            register("e-2", "mh-b", "tp-bac-kan", 3, "Đường hoa", "2026-03-01"),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            "an unknown unit",
            &officer,
            register("e-2", "mh-b", "khong-co", 3, "Đường hoa", "2026-03-01"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_unit",
        ),
        (
            "a model id without mh-",
            &officer,
            register("e-2", "b", "ntmk-to-11", 3, "Đường hoa", "2026-03-01"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_model_id",
        ),
        (
            "a day ahead",
            &officer,
            register("e-2", "mh-b", "ntmk-to-11", 3, "Đường hoa", "2099-03-01"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_step_day",
        ),
        (
            "an unknown model",
            &officer,
            step("e-2", "mh-khong-co", "inspect", "2026-03-02"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_model",
        ),
        (
            "a day before the last step",
            &officer,
            step("e-2", "mh-a", "inspect", "2026-02-28"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_step_day",
        ),
        (
            "the registration's id for a withdrawal",
            &officer,
            step("e-1", "mh-a", "withdraw", "2026-03-02"),
            StatusCode::CONFLICT,
            "event_id_reused",
        ),
        (
            "a registration of a model registered",
            &officer,
            register("e-2", "mh-a", "ntmk-to-11", 3, "Đường hoa", "2026-03-01"),
            StatusCode::CONFLICT,
            "model_id_taken",
        ),
        (
            "a volunteer's inspection",
            &volunteer,
            step("e-2", "mh-a", "inspect", "2026-03-02"),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
    ];
    for (what, token, body, want, code) in cases {
        let (status, answer) = api.post("/api/v1/models", Some(token), &body).await;
        assert_eq!((status, answer["code"].as_str()), (want, Some(code)), "{what}: {answer}");
        assert!(!answer["message"].as_str().unwrap_or("").is_empty(), "{what}: a message");
    }
    let (status, answer) = api.call("POST", "/api/v1/models", Some(&officer), Some("{\"id\":".into())).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::BAD_REQUEST, Some("malformed_json")));
    let (status, answer) = api.call("GET", "/api/v1/units/p-duc-xuan/models?period=2026", Some(&officer), None).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{answer}");
    let (status, answer) =
        api.call("GET", "/api/v1/units/p-nguyen-thi-minh-khai/models?period=2026-Q9", Some(&officer), None).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_period")),
        "{answer}"
    );
    assert_eq!(api.state.store.model_steps().await.unwrap().len(), 1, "nothing refused was stored");
}

/// Two members of a team record opposite verdicts on one inspected model at the same
/// moment: one lands, the other finds the model judged and is refused.
async fn verdicts_at_once<S: Store>(api: Api<S>) {
    let (_, officer) = api.enrol(Role::WardOfficer, "p-nguyen-thi-minh-khai", "Cán bộ phường").await;
    let (_, a) = api.enrol(Role::Inspector, "tp-bac-kan", "Thành viên A").await;
    let (_, b) = api.enrol(Role::Inspector, "tp-bac-kan", "Thành viên B").await;
    for round in 0..4 {
        let model = format!("mh-{round}");
        let reg = register(&format!("e-{round}-r"), &model, "ntmk-to-13", 4, "Khu dân cư ba không", "2026-03-01");
        assert_eq!(api.post("/api/v1/models", Some(&officer), &reg).await.0, StatusCode::OK);
        let inspect = step(&format!("e-{round}-i"), &model, "inspect", "2026-04-01");
        assert_eq!(api.post("/api/v1/models", Some(&a), &inspect).await.0, StatusCode::OK);
        let pass = step(&format!("e-{round}-p"), &model, "pass", "2026-05-01");
        let fail = step(&format!("e-{round}-f"), &model, "fail", "2026-05-01");
        let (one, two) =
            tokio::join!(api.post("/api/v1/models", Some(&a), &pass), api.post("/api/v1/models", Some(&b), &fail));
        let mut statuses = [one.0, two.0];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{} / {}", one.1, two.1);
    }
    assert_eq!(api.state.store.model_steps().await.unwrap().len(), 4 * 3);
}
