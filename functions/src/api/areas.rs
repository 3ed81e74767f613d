//! `POST /api/v1/areas` — officers create, rename, close, merge and split the residential areas of
//! their communes and wards (`domain::area`), each change filed once by its id.

use super::json::ApiJson;
use super::{AppState, Authenticated};
use crate::ApiError;
use crate::error::ErrorBody;
use crate::store::{AccessStore, UnitStore};
use axum::Json;
use axum::extract::State;
use domain::enrol::{AuditEvent, AuditWhat};
use domain::{Action, AreaChange, AreaChanged, AreaEvent, AreaProblem, AreaRecord, Date, UnitTree, authorize};
use std::sync::Arc;
use unicode_normalization::UnicodeNormalization;

/// Files a change of a residential area: a new one under a commune or ward, a new name,
/// its closing, its merging into another or its split into new ones, each from the day it
/// takes effect.
#[utoipa::path(post, path = "/api/v1/areas", tag = "units", request_body = AreaEvent, security(("device_token" = [])),
    responses(
        (status = 200, description = "Filed, or filed before (the same change sent again): the area as it now is",
            body = AreaChanged),
        (status = 403, description = "forbidden: the area or its commune is beyond the caller", body = ErrorBody),
        (status = 409, description = "area_name_taken, area_id_taken, event_id_reused: the change conflicts with \
            what is stored; nothing was stored", body = ErrorBody),
        (status = 422, description = "invalid_area_name, invalid_area_id, area_same_name, unknown_unit, not_a_ward, not_an_area, \
            area_closed, invalid_effective_date, too_many_areas, invalid_merge, invalid_split, merged_in_later, invalid_id, invalid_period: the change does not \
            fit (an area closed already, say); nothing was stored", body = ErrorBody),
    ))]
pub async fn change<S: UnitStore + AccessStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    ApiJson(event): ApiJson<AreaEvent>,
) -> Result<Json<AreaChanged>, ApiError> {
    let event = nfc(event).canonical()?;
    let place = event.place().clone();
    // One change at a time, checked against the tree with every change filed before it:
    // over a shared store (other Lambda instances file changes too), loaded fresh.
    let _one_at_a_time = state.area_changes.lock().await;
    let into = match &event.change {
        AreaChange::Merge { into } => Some(into),
        _ => None,
    };
    let named = [Some(&place), Some(&caller.scope), into].into_iter().flatten();
    let tree = if S::SHARED { state.reload_knowing(named).await? } else { state.tree().await? };
    tree.get(&place)?;
    authorize(&caller, Action::ManageAreas, &place, &tree)?;
    if let Some(earlier) = state.store.area_event(&event.id).await? {
        return repeated(&earlier, &event, &*state.reload_knowing([&place]).await?);
    }
    let now = state.now_ms();
    event.check(&tree, Date::in_vietnam(now))?;
    // The area merged into must be the caller's to keep too.
    if let Some(into) = into {
        authorize(&caller, Action::ManageAreas, into, &tree)?;
    }
    if S::SHARED {
        // The tree checked against holds the caller's province only: an id taken in
        // another is found by its lookup.
        for area in event.new_areas() {
            if state.store.root_of(&area).await?.is_some() {
                return Err(AreaProblem::IdTaken(area.to_string()).into());
            }
        }
    }
    let record = AreaRecord { event: event.clone(), by: caller.device.clone(), at_ms: now };
    let audit = AuditEvent {
        at_ms: now,
        unit: place.clone(),
        actor: Some(caller.device),
        what: AuditWhat::AreaChanged { event: event.clone() },
    };
    let stored = state.store.file_area_event(&tree, &record, &audit).await?;
    if stored != record {
        return repeated(&stored, &event, &*state.reload_knowing([&place]).await?);
    }
    changed(&event, &*state.reload_knowing([&place]).await?, false)
}

/// The answer: the area as it now is, and the areas a split made.
fn changed(event: &AreaEvent, tree: &UnitTree, repeated: bool) -> Result<Json<AreaChanged>, ApiError> {
    let unit = tree.get(&event.area)?.clone();
    let parts = match &event.change {
        AreaChange::Split { .. } => {
            event.new_areas().iter().map(|id| tree.get(id).cloned()).collect::<Result<_, _>>()?
        }
        _ => vec![],
    };
    Ok(Json(AreaChanged { unit, parts, repeated }))
}

/// Names as typed on any keyboard, precomposed (NFC: "Thuỷ" typed as "y" + combining hook).
fn nfc(mut event: AreaEvent) -> AreaEvent {
    match &mut event.change {
        AreaChange::Create { name, .. } | AreaChange::Rename { name } => *name = name.nfc().collect(),
        AreaChange::Split { parts } => parts.iter_mut().for_each(|p| p.name = p.name.nfc().collect()),
        AreaChange::Close | AreaChange::Merge { .. } => {}
    }
    event
}

/// The answer to a change whose id was filed before: the same change is a repeat, another
/// one reuses its id.
fn repeated(earlier: &AreaRecord, event: &AreaEvent, tree: &UnitTree) -> Result<Json<AreaChanged>, ApiError> {
    if earlier.event != *event {
        return Err(AreaProblem::EventIdReused.into());
    }
    changed(event, tree, true)
}
