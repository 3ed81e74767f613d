//! `POST /api/v1/sheets` — a scoring sheet set by a province's or a district's Front, once
//! by its id; `GET /api/v1/sheets` — the sheets that concern the caller
//! (`domain::scoring`).

use super::json::ApiJson;
use super::{AppState, Authenticated};
use crate::ApiError;
use crate::error::ErrorBody;
use crate::store::{AccessStore, SheetStore, UnitStore};
use axum::Json;
use axum::extract::State;
use domain::enrol::{AuditEvent, AuditWhat};
use domain::scoring::sheets_seen_from;
use domain::{Action, ScoringSheet, SheetFiled, SheetProblem, SheetRecord, authorize};
use std::sync::Arc;
use unicode_normalization::UnicodeNormalization;

/// Sets a scoring sheet for the models of a unit's subtree under one content.
#[utoipa::path(post, path = "/api/v1/sheets", tag = "models", request_body = ScoringSheet,
    security(("device_token" = [])),
    responses(
        (status = 200, description = "Set, or set before (the same sheet sent again)", body = SheetFiled),
        (status = 403, description = "forbidden: the unit is beyond the caller, or its role sets no sheets",
            body = ErrorBody),
        (status = 409, description = "sheet_id_reused: another sheet has this id; nothing was stored",
            body = ErrorBody),
        (status = 422, description = "invalid_sheet_id, invalid_sheet_text, unknown_content, unknown_unit, sheet_unit_level, \
            invalid_sheet, invalid_item_points, invalid_pass_mark, invalid_id: the sheet does not fit; nothing was \
            stored", body = ErrorBody),
    ))]
pub async fn set<S: UnitStore + AccessStore + SheetStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    ApiJson(sheet): ApiJson<ScoringSheet>,
) -> Result<Json<SheetFiled>, ApiError> {
    let sheet = nfc(sheet).canonical()?;
    let tree = state.tree_knowing([&sheet.unit]).await?;
    tree.get(&sheet.unit).map_err(|_| SheetProblem::UnknownUnit(sheet.unit.to_string()))?;
    authorize(&caller, Action::SetScoringSheets, &sheet.unit, &tree)?;
    sheet.check(&tree, &state.catalogue)?;
    let now = state.now_ms();
    let record = SheetRecord { sheet: sheet.clone(), by: caller.device.clone(), at_ms: now };
    let audit = AuditEvent {
        at_ms: now,
        unit: sheet.unit.clone(),
        actor: Some(caller.device),
        what: AuditWhat::SheetSet { sheet: sheet.clone() },
    };
    let stored = state.store.file_sheet(&tree, &record, &audit).await?;
    if stored == record {
        return Ok(Json(SheetFiled { record, repeated: false }));
    }
    if stored.sheet != sheet {
        return Err(SheetProblem::IdReused.into());
    }
    Ok(Json(SheetFiled { record: stored, repeated: true }))
}

/// Names as typed on any keyboard, precomposed (NFC).
fn nfc(mut sheet: ScoringSheet) -> ScoringSheet {
    sheet.name = sheet.name.nfc().collect();
    for criterion in &mut sheet.criteria {
        criterion.name = criterion.name.nfc().collect();
        for item in &mut criterion.items {
            item.name = item.name.nfc().collect();
        }
    }
    sheet
}

/// The sheets that concern the caller: those that score its models (set at its unit or
/// above) and those set in its subtree, oldest first.
#[utoipa::path(get, path = "/api/v1/sheets", tag = "models", security(("device_token" = [])),
    responses((status = 200, description = "The sheets", body = Vec<SheetRecord>)))]
pub async fn list<S: UnitStore + AccessStore + SheetStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Vec<SheetRecord>>, ApiError> {
    let tree = state.tree_knowing([&caller.scope]).await?;
    Ok(Json(sheets_seen_from(&tree, &caller.scope, state.store.sheets().await?)))
}
