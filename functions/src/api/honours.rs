//! `POST /api/v1/honours` — a title, commendation or exemplar recorded as decided, once
//! by its id; `POST /api/v1/honours/{id}/withdraw` — a wrong one withdrawn (kept, no
//! longer counted); `GET /api/v1/units/{id}/honours?period=…` — a unit's honours of a
//! period, counted and listed (`domain::honour`).

use super::json::ApiJson;
use super::report::ReportQuery;
use super::{AppState, Authenticated};
use crate::ApiError;
use crate::error::ErrorBody;
use crate::store::{AccessStore, HonourStore, UnitStore};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use domain::enrol::{AuditEvent, AuditWhat};
use domain::honour::{HonourKind, Withdrawal, honour_report};
use domain::{
    Action, Caller, Date, DomainError, EventId, Honour, HonourFiled, HonourProblem, HonourRecord, HonourReport,
    ReportPeriod, UnitId, authorize,
};
use std::sync::Arc;
use unicode_normalization::UnicodeNormalization;

/// Records a title ("Thôn, Tổ dân phố văn hóa", households "Gia đình văn hóa"), a
/// commendation (giấy khen, bằng khen) or a "Dân vận khéo" exemplar, with its decision.
#[utoipa::path(post, path = "/api/v1/honours", tag = "honours", request_body = Honour, security(("device_token" = [])),
    responses(
        (status = 200, description = "Recorded, or recorded before (the same record sent again)", body = HonourFiled),
        (status = 403, description = "forbidden: the unit is beyond the caller, or its role records no honours",
            body = ErrorBody),
        (status = 409, description = "already_recognised, event_id_reused: the record conflicts with what is stored; \
            nothing was stored", body = ErrorBody),
        (status = 422, description = "invalid_decision, invalid_text, invalid_year, invalid_households, unknown_unit, \
            wrong_unit, invalid_id, invalid_period: the record does not fit (a day that is no date, say); nothing was \
            stored", body = ErrorBody),
    ))]
pub async fn record<S: UnitStore + AccessStore + HonourStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    ApiJson(honour): ApiJson<Honour>,
) -> Result<Json<HonourFiled>, ApiError> {
    let honour = nfc(honour).canonical()?;
    let tree = state.tree_knowing([&honour.unit]).await?;
    tree.get(&honour.unit).map_err(|_| HonourProblem::UnknownUnit(honour.unit.to_string()))?;
    authorize(&caller, Action::RecordHonours, &honour.unit, &tree)?;
    if let Some(earlier) = state.store.honour(&honour.id).await? {
        return repeated(earlier, &honour);
    }
    // One record at a time in this process, each checked against the last (a title is
    // recorded once a year).
    let _one_at_a_time = state.area_changes.lock().await;
    let now = state.now_ms();
    honour.check(&tree, &state.store.honours().await?, Date::in_vietnam(now))?;
    let record = HonourRecord { honour: honour.clone(), by: caller.device.clone(), at_ms: now, withdrawn: None };
    let audit = AuditEvent {
        at_ms: now,
        unit: honour.unit.clone(),
        actor: Some(caller.device),
        what: AuditWhat::HonourRecorded { honour: honour.clone() },
    };
    let stored = state.store.file_honour(&tree, &record, &audit).await?;
    if stored != record {
        return repeated(stored, &honour);
    }
    Ok(Json(HonourFiled { record, repeated: false }))
}

/// Texts as typed on any keyboard, precomposed (NFC).
fn nfc(mut honour: Honour) -> Honour {
    let d = &mut honour.decision;
    (d.number, d.issuer) = (d.number.nfc().collect(), d.issuer.nfc().collect());
    match &mut honour.kind {
        HonourKind::Commendation { recipient, reason, .. } => {
            (*recipient, *reason) = (recipient.nfc().collect(), reason.nfc().collect());
        }
        HonourKind::Exemplar { recipient, citation } => {
            (*recipient, *citation) = (recipient.nfc().collect(), citation.nfc().collect());
        }
        HonourKind::CulturalArea { .. } | HonourKind::NewRural { .. } | HonourKind::CulturalFamilies { .. } => {}
    }
    honour
}

/// The answer to a record whose id was filed before.
fn repeated(earlier: HonourRecord, honour: &Honour) -> Result<Json<HonourFiled>, ApiError> {
    if earlier.honour != *honour {
        return Err(HonourProblem::EventIdReused.into());
    }
    Ok(Json(HonourFiled { record: earlier, repeated: true }))
}

/// Withdraws a wrong record: it stays, marked, and no longer counts. Withdrawing it again
/// changes nothing.
#[utoipa::path(post, path = "/api/v1/honours/{id}/withdraw", tag = "honours",
    params(("id" = EventId, Path, description = "The record")), security(("device_token" = [])),
    responses(
        (status = 200, description = "Withdrawn (now or before)", body = HonourRecord),
        (status = 403, description = "forbidden: the record's unit is beyond the caller", body = ErrorBody),
        (status = 422, description = "unknown_honour, invalid_id: no such record", body = ErrorBody),
    ))]
pub async fn withdraw<S: UnitStore + AccessStore + HonourStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<HonourRecord>, ApiError> {
    let id = EventId::new(id)?;
    let unknown = || HonourProblem::UnknownHonour(id.to_string());
    let stored = state.store.honour(&id).await?.ok_or_else(unknown)?;
    let tree = state.tree_knowing([&stored.honour.unit]).await?;
    authorize(&caller, Action::RecordHonours, &stored.honour.unit, &tree)?;
    let now = state.now_ms();
    let withdrawal = Withdrawal { by: caller.device.clone(), at_ms: now };
    let audit = AuditEvent {
        at_ms: now,
        unit: stored.honour.unit.clone(),
        actor: Some(caller.device),
        what: AuditWhat::HonourWithdrawn { id: id.clone() },
    };
    let record = state.store.withdraw_honour(&tree, &id, &withdrawal, &audit).await?.ok_or_else(unknown)?;
    Ok(Json(record))
}

/// The honours of the unit and of each child unit for the period, counted and listed.
#[utoipa::path(
    get,
    path = "/api/v1/units/{id}/honours",
    tag = "honours",
    params(("id" = UnitId, Path, description = "The unit"), ReportQuery),
    security(("device_token" = [])),
    responses(
        (status = 200, description = "The honours", body = HonourReport),
        (status = 403, description = "forbidden: the unit is outside the caller's reach", body = ErrorBody),
        (status = 422, description = "invalid_period, invalid_id, unknown_unit: no period (or not one the app \
            knows), or no such unit", body = ErrorBody),
    )
)]
pub async fn list<S: UnitStore + AccessStore + HonourStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<HonourReport>, ApiError> {
    let Query(query) = query.map_err(|_| DomainError::InvalidPeriod(String::new()))?;
    let period: ReportPeriod = query.period.parse()?;
    let unit = UnitId::new(id)?;
    state.tree_knowing([&caller.scope, &unit]).await?.get(&unit)?;
    Ok(Json(report(&state, &caller, &unit, period).await?))
}

/// The honours report of a unit the caller may read.
pub async fn report<S: UnitStore + HonourStore>(
    state: &AppState<S>,
    caller: &Caller,
    unit: &UnitId,
    period: ReportPeriod,
) -> Result<HonourReport, ApiError> {
    let tree = state.tree_knowing([&caller.scope, unit]).await?;
    authorize(caller, Action::ReadFigures, unit, &tree)?;
    Ok(honour_report(&tree, unit, period, &state.store.honours().await?))
}
