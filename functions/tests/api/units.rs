//! `GET /api/v1/units` a page at a time: a province with its history (392 units) read
//! in pages of 50 by following each page's `Link`, the same units as one answer, parents
//! first; a ward's officer reads its own subtree and no other; a page asked for wrongly
//! is refused in Vietnamese.

use super::Api;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use domain::Role;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// A GET as `token`'s device: status, body, and the `Link` header.
async fn page(api: &Api, path: &str, token: &str) -> (StatusCode, Value, Option<String>) {
    let request = Request::get(path).header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap();
    let response = api.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let link = response.headers().get(header::LINK).map(|v| v.to_str().unwrap().to_string());
    let body = serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    (status, body, link)
}

fn ids(units: &Value) -> Vec<String> {
    units.as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn units_come_a_page_at_a_time_and_only_those_in_reach() {
    let api = Api::with_province("Thái Nguyên").await;
    let tree = api.state.tree().await.unwrap();
    let (status, all, link) = page(&api, "/api/v1/units", &api.admin).await;
    assert_eq!((status, link), (StatusCode::OK, None), "one page holds a province");
    let all = ids(&all);
    assert_eq!(all.len(), tree.units().count(), "today's province, the two merged into it, their units");

    // Pages of 50, each naming the next, give the same units in the same order.
    let mut path = "/api/v1/units?limit=50".to_string();
    let mut paged = Vec::new();
    loop {
        let (status, units, link) = page(&api, &path, &api.admin).await;
        assert_eq!(status, StatusCode::OK, "{units}");
        assert!(units.as_array().unwrap().len() <= 50);
        paged.extend(ids(&units));
        let Some(link) = link else { break };
        assert!(link.ends_with("; rel=\"next\""), "{link}");
        path = link[1..link.find('>').unwrap()].to_string();
    }
    assert_eq!(paged, all);
    let position = |id: &str| all.iter().position(|a| a == id).unwrap();
    for unit in tree.units().filter(|u| u.parent.is_some()) {
        assert!(position(unit.parent.as_ref().unwrap().as_str()) < position(unit.id.as_str()), "parents first");
    }

    // A ward's officer: its ward and the old units it carries on; asking under another, refused.
    let ward = tree.units().find(|u| u.name == "Phường Đức Xuân" && u.valid_to.is_none()).unwrap().id.clone();
    let other = tree.units().find(|u| u.name == "Phường Bắc Kạn" && u.valid_to.is_none()).unwrap().id.clone();
    let (_, officer) = api.enrol(Role::WardOfficer, ward.as_str(), "Cán bộ phường Đức Xuân").await;
    let (status, own, _) = page(&api, "/api/v1/units", &officer).await;
    assert_eq!(status, StatusCode::OK);
    let own = ids(&own);
    assert!(own.contains(&ward.to_string()));
    let want: Vec<String> = tree.reached_from(&ward).iter().map(|u| u.id.to_string()).collect();
    assert_eq!(own, want, "its ward and the old units it carries on");
    assert!(own.len() > 1 && own.len() < 10, "{own:?}");
    let (status, under, _) = page(&api, &format!("/api/v1/units?under={ward}"), &officer).await;
    assert_eq!((status, ids(&under)), (StatusCode::OK, own.clone()));
    let (status, body, _) = page(&api, &format!("/api/v1/units?under={other}"), &officer).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{body}");

    // Pages asked for wrongly.
    for (query, code) in [
        ("limit=0", "invalid_page"),
        ("limit=2001", "invalid_page"),
        ("limit=nhieu", "invalid_page"),
        ("after=khong-co", "invalid_page"),
        ("under=khong-co", "unknown_unit"),
        ("under=Kh%C3%B4ng", "invalid_id"),
    ] {
        let (status, body, _) = page(&api, &format!("/api/v1/units?{query}"), &api.admin).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(code)), "{query}: {body}");
        assert!(!body["message"].as_str().unwrap().is_empty());
    }
    let (_, body, _) = page(&api, "/api/v1/units?limit=0", &api.admin).await;
    assert_eq!(body["message"], "Trang danh sách không hợp lệ: mỗi trang có từ 1 đến 2.000 đơn vị.");
}
