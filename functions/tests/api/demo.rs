//! The seeds' demo (`functions::demo`, `sotay-local load-demo`): loaded into a new store
//! through the sync, models and honours of the API, it reports exactly the seeds' figures
//! — Thành phố Bắc Kạn 2017–2019 under the tree of those years and under today's Tỉnh
//! Thái Nguyên; Thị xã Bắc Kạn's commendations of 2013 and the city's 713 titles; Quận
//! Thanh Xuân's 122 models of 2020, 78 registered again — and refuses a store that
//! already holds units.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use domain::Role;
use functions::store::EmbeddedStore;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

async fn get(router: &axum::Router, path: &str, token: &str) -> Value {
    let request = Request::get(path).header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body: Value = serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

fn counter(figures: &Value, indicator: &str) -> i64 {
    figures["figures"][indicator]["counter"]["total"].as_i64().unwrap_or_else(|| panic!("{indicator}: {figures}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_reports_the_seeds_figures_under_the_tree_of_their_years_and_todays() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(&dir.path().join("demo.redb")).unwrap();
    let (state, loaded) = functions::demo::load(store).await.unwrap();
    assert_eq!((loaded.areas, loaded.syncs, loaded.models, loaded.honours), (127, 127, 122, 713 + 24 + 32 + 1 + 1));
    let router = functions::api_router(state.clone());
    let tree = state.tree().await.unwrap();
    let named = |name: &str, old: bool| {
        tree.units()
            .find(|u| u.name == name && u.valid_to.is_some() == old)
            .unwrap_or_else(|| panic!("{name}"))
            .id
            .clone()
    };
    let admin_of = |province: &str| {
        let (state, tree, unit) = (state.clone(), tree.clone(), named(province, false));
        async move {
            let now = state.now_ms();
            functions::enrolment::enrol(&state.store, &tree, Role::ProvinceAdmin, unit.as_str(), "Quản trị", now)
                .await
                .unwrap()
                .token
        }
    };
    let thai_nguyen = admin_of("Tỉnh Thái Nguyên").await;

    // Thành phố Bắc Kạn, 2017–2019, under the tree of those years.
    let city = named("Thành phố Bắc Kạn", true);
    let report = get(&router, &format!("/api/v1/units/{city}/report?period=2017..2019"), &thai_nguyen).await;
    let figures = &report["unit"];
    assert_eq!(figures["areas"], 127);
    for (indicator, total) in [
        ("dat_hien", 8_111),
        ("duong_lam_moi", 4_400),
        ("tien_dan_gop", 640_000_000),
        ("ngay_cong", 5_379),
        ("buoi_tuyen_truyen", 40),
        ("luot_ho_tham_gia", 1_750),
        ("nha_ddk_xay_moi", 5),
    ] {
        assert_eq!(counter(figures, indicator), total, "{indicator}");
    }
    assert_eq!(
        figures["figures"]["ty_le_ngo_co_den"]["ratio"],
        serde_json::json!({ "numerator": 178, "denominator": 190 })
    );
    assert_eq!(report["children"].as_array().unwrap().len(), 8, "its 8 wards and communes");
    let year = get(&router, &format!("/api/v1/units/{city}/report?period=2019"), &thai_nguyen).await;
    assert_eq!(
        year["unit"]["figures"]["kdc_quy_uoc"]["flag"],
        serde_json::json!({ "yes": 127, "answered": 127, "of": 127 })
    );
    // The same under today's map: Tỉnh Thái Nguyên carries Bắc Kạn on.
    let province = named("Tỉnh Thái Nguyên", false);
    let today = get(&router, &format!("/api/v1/units/{province}/report?period=2017..2019"), &thai_nguyen).await;
    for indicator in ["dat_hien", "duong_lam_moi", "tien_dan_gop", "ngay_cong", "buoi_tuyen_truyen", "luot_ho_tham_gia"]
    {
        assert_eq!(counter(&today["unit"], indicator), counter(figures, indicator), "{indicator} under today's map");
    }
    let by_ward: i64 = today["children"].as_array().unwrap().iter().map(|c| counter(c, "ngay_cong")).sum();
    assert_eq!(by_ward, 5_379, "by today's communes and wards, each labour day once");

    // The titles and commendations.
    let honours = get(&router, &format!("/api/v1/units/{city}/honours?period=2014..2019"), &thai_nguyen).await;
    assert_eq!(honours["unit"]["counts"]["cultural_areas"], 713);
    let first = get(&router, &format!("/api/v1/units/{city}/honours?period=2017"), &thai_nguyen).await;
    assert_eq!(first["unit"]["counts"]["new_rural"], 1, "Xã Nông Thượng, 2017");
    let town = get(&router, &format!("/api/v1/units/{city}/honours?period=2013"), &thai_nguyen).await;
    let counts = &town["unit"]["counts"];
    assert_eq!(
        (counts["giay_khen"].as_u64(), counts["bang_khen"].as_u64(), counts["to_persons"].as_u64()),
        (Some(56), Some(1), Some(32))
    );

    // Quận Thanh Xuân's models of 2020.
    let hanoi = admin_of("Thành phố Hà Nội").await;
    let district = named("Quận Thanh Xuân", true);
    let models = get(&router, &format!("/api/v1/units/{district}/models?period=2020"), &hanoi).await;
    let counts = &models["unit"]["counts"];
    assert_eq!(
        [&counts["registered"], &counts["inspected"], &counts["reregistered"], &counts["withdrawn"], &counts["active"]],
        [122, 122, 78, 44, 78]
    );

    // Loaded again into the same store: refused, nothing added.
    let units = tree.units().count();
    let again = functions::demo::load(state.store.clone()).await;
    assert!(again.is_err());
    assert_eq!(state.reload().await.unwrap().units().count(), units);
}
