//! `GET /api/v1/units` — the units in the caller's reach.

use super::{AppState, Authenticated};
use crate::ApiError;
use crate::error::ErrorBody;
use crate::store::{AccessStore, UnitStore};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use domain::{Action, Unit, UnitId, authorize, readable_from, units_in_reach};
use serde::Deserialize;
use std::sync::Arc;

/// Most units in one answer: a national administrator's list (≈ 76.000 units) comes a
/// page at a time, each far under a Lambda answer's 6 MB.
pub const UNITS_PAGE: usize = 2_000;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitsQuery {
    /// Only this unit and those below it (default: every unit the caller may read).
    #[param(value_type = Option<UnitId>)]
    under: Option<String>,
    /// The last unit of the page before: the `Link` header of each page but the last
    /// names the next.
    #[param(value_type = Option<UnitId>)]
    after: Option<String>,
    /// Most units in the page (1 to 2.000; 2.000 if not given).
    #[param(minimum = 1, maximum = 2000)]
    limit: Option<u32>,
}

/// The units the caller may see, parents before children, a page at a time.
#[utoipa::path(get, path = "/api/v1/units", tag = "units", security(("device_token" = [])), params(UnitsQuery),
    responses(
        (status = 200, description = "A page of the units, parents before children; while more follow, a `Link` \
            header names the next page (`rel=\"next\"`). A unit a ward adds while the pages are read may fall \
            before the page being read: read from the first page again to see it", body = Vec<Unit>,
            headers(("link" = String, description = "`</api/v1/units?after=…&limit=…>; rel=\"next\"`"))),
        (status = 403, description = "forbidden: `under` is beyond the caller", body = ErrorBody),
        (status = 422, description = "invalid_page, invalid_id, unknown_unit: a page asked for wrongly (a limit \
            out of range, an `after` not in the list), or no such unit", body = ErrorBody),
    ))]
pub async fn list<S: AccessStore + UnitStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    query: Result<Query<UnitsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let too_many =
        || ApiError::InvalidPage(format!("mỗi trang có từ 1 đến {} đơn vị", domain::format::group(UNITS_PAGE as u64)));
    let Query(query) = query.map_err(|_| too_many())?;
    let limit = match query.limit {
        None => UNITS_PAGE,
        Some(n) if (1..=UNITS_PAGE as u32).contains(&n) => n as usize,
        Some(_) => return Err(too_many()),
    };
    let under = query.under.as_deref().map(UnitId::new).transpose()?;
    let tree = state.tree_knowing([&caller.scope].into_iter().chain(&under)).await?;
    let units: Vec<&Unit> = match &under {
        None => units_in_reach(&caller, &tree),
        Some(under) => {
            let under = tree.get(under)?;
            authorize(&caller, Action::ReadFigures, &under.id, &tree)?;
            readable_from(&caller, &tree, &under.id)
        }
    };
    let start = match &query.after {
        None => 0,
        Some(after) => {
            let at = units.iter().position(|u| u.id.as_str() == after);
            at.ok_or_else(|| ApiError::InvalidPage(format!("không có đơn vị {after} trong danh sách")))? + 1
        }
    };
    let page: Vec<&Unit> = units.iter().skip(start).take(limit).copied().collect();
    let next = (start + page.len() < units.len()).then(|| page.last()).flatten().map(|last| {
        let under = query.under.as_ref().map(|u| format!("&under={u}")).unwrap_or_default();
        format!("</api/v1/units?after={}&limit={limit}{under}>; rel=\"next\"", last.id)
    });
    let mut response = Json(page).into_response();
    if let Some(link) = next.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LINK, link);
    }
    Ok(response)
}
