//! `POST /api/v1/models` — a model's step (registered, withdrawn, inspected, accepted…),
//! filed once by its id; `GET /api/v1/units/{id}/models?period=…` — the models of a unit
//! and its children for a period, counted and listed (`domain::model`).

use super::json::ApiJson;
use super::report::ReportQuery;
use super::{AppState, Authenticated};
use crate::ApiError;
use crate::error::ErrorBody;
use crate::store::{AccessStore, Filing, ModelStore, SheetStore, StoreError, UnitStore};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use domain::enrol::{AuditEvent, AuditWhat};
use domain::model::{model_report, models};
use domain::{
    Action, Caller, Date, DomainError, ModelEvent, ModelFiled, ModelProblem, ModelRecord, ModelReport, ModelStep,
    ReportPeriod, UnitId, authorize,
};
use std::sync::Arc;
use unicode_normalization::UnicodeNormalization;

/// How often a step is checked again when another step of its model landed meanwhile.
const ATTEMPTS: usize = 3;

/// Files a model's step: a new model registered by an area, commune or ward under one of
/// the 5 contents, or the next step of its lifecycle.
#[utoipa::path(post, path = "/api/v1/models", tag = "models", request_body = ModelEvent, security(("device_token" = [])),
    responses(
        (status = 200, description = "Filed, or filed before (the same step sent again): the model as it now is",
            body = ModelFiled),
        (status = 403, description = "forbidden: the model's unit is beyond the caller, or the caller's role \
            does not take this step", body = ErrorBody),
        (status = 409, description = "step_out_of_order, model_id_taken, event_id_reused, score_first, \
            verdict_not_score: the step conflicts with what is stored (a verdict that is not the score's, say); \
            nothing was stored", body = ErrorBody),
        (status = 422, description = "invalid_model_name, invalid_note, unknown_content, invalid_model_id, \
            unknown_model, unknown_unit, not_an_area_or_ward, unit_closed, invalid_step_day, too_many_steps, \
            unknown_sheet, sheet_not_for_model, invalid_score, score_above_max, invalid_id, invalid_period: the \
            step does not fit; nothing was stored", body = ErrorBody),
    ))]
pub async fn step<S: UnitStore + AccessStore + ModelStore + SheetStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    ApiJson(event): ApiJson<ModelEvent>,
) -> Result<Json<ModelFiled>, ApiError> {
    let event = nfc(event).canonical()?;
    for _ in 0..ATTEMPTS {
        let stored = state.store.steps_of(&event.model).await?;
        let model = models(&stored).into_iter().next();
        let unit = match (&event.step, &model) {
            (ModelStep::Register { unit, .. }, _) => unit.clone(),
            (_, Some(model)) => model.unit.clone(),
            (_, None) => return Err(ModelProblem::UnknownModel(event.model.to_string()).into()),
        };
        let tree = state.tree_knowing([&unit]).await?;
        tree.get(&unit).map_err(|_| ModelProblem::UnknownUnit(unit.to_string()))?;
        authorize(&caller, event.step.action(), &unit, &tree)?;
        if let Some(earlier) = stored.iter().find(|s| s.event.id == event.id) {
            return repeated(earlier, &event, &stored);
        }
        let now = state.now_ms();
        let sheets = state.store.sheets().await?;
        event.check(&tree, &state.catalogue, model.as_ref(), &sheets, Date::in_vietnam(now))?;
        let (by, role, seq) = (caller.device.clone(), caller.role, stored.len());
        let record = ModelRecord { event: event.clone(), by, role, at_ms: now, seq };
        let audit = AuditEvent {
            at_ms: now,
            unit,
            actor: Some(caller.device.clone()),
            what: AuditWhat::ModelStep { event: event.clone() },
        };
        match state.store.file_model_step(&tree, &record, &audit).await? {
            Filing::Filed => {
                let steps: Vec<ModelRecord> = stored.into_iter().chain([record]).collect();
                let model = models(&steps)
                    .into_iter()
                    .next()
                    .ok_or_else(|| StoreError("a filed model folds to none".into()))?;
                return Ok(Json(ModelFiled { model, repeated: false }));
            }
            Filing::Earlier(earlier) => {
                let stored = state.store.steps_of(&event.model).await?;
                return repeated(&earlier, &event, &stored);
            }
            Filing::Moved => continue,
        }
    }
    Err(StoreError("another step of the model kept landing first; try again".into()).into())
}

/// Text as typed on any keyboard, precomposed (NFC).
fn nfc(mut event: ModelEvent) -> ModelEvent {
    if let ModelStep::Register { name, .. } = &mut event.step {
        *name = name.nfc().collect();
    }
    event.note = event.note.nfc().collect();
    event
}

/// The answer to a step whose id was filed before: the same step is a repeat, another one
/// reuses its id.
fn repeated(earlier: &ModelRecord, event: &ModelEvent, stored: &[ModelRecord]) -> Result<Json<ModelFiled>, ApiError> {
    if earlier.event != *event {
        return Err(ModelProblem::EventIdReused.into());
    }
    let model = models(stored).into_iter().next().ok_or_else(|| StoreError("a stored model folds to none".into()))?;
    Ok(Json(ModelFiled { model, repeated: true }))
}

/// The models of the unit and of each child unit for the period: how many took each
/// step, in all and by content, and the models themselves.
#[utoipa::path(
    get,
    path = "/api/v1/units/{id}/models",
    tag = "models",
    params(("id" = UnitId, Path, description = "The unit"), ReportQuery),
    security(("device_token" = [])),
    responses(
        (status = 200, description = "The models", body = ModelReport),
        (status = 403, description = "forbidden: the unit is outside the caller's reach", body = ErrorBody),
        (status = 422, description = "invalid_period, invalid_id, unknown_unit: no period (or not one the app \
            knows), or no such unit", body = ErrorBody),
    )
)]
pub async fn list<S: UnitStore + AccessStore + ModelStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<ModelReport>, ApiError> {
    let Query(query) = query.map_err(|_| DomainError::InvalidPeriod(String::new()))?;
    let period: ReportPeriod = query.period.parse()?;
    let unit = UnitId::new(id)?;
    state.tree_knowing([&caller.scope, &unit]).await?.get(&unit)?;
    Ok(Json(report(&state, &caller, &unit, period).await?))
}

/// The models report of a unit the caller may read.
pub async fn report<S: UnitStore + ModelStore>(
    state: &AppState<S>,
    caller: &Caller,
    unit: &UnitId,
    period: ReportPeriod,
) -> Result<ModelReport, ApiError> {
    let tree = state.tree_knowing([&caller.scope, unit]).await?;
    authorize(caller, Action::ReadFigures, unit, &tree)?;
    let all = models(&state.store.model_steps().await?);
    Ok(model_report(&tree, unit, period, &all))
}
