//! `GET /api/v1/catalogue` — the catalogue that counts for the caller (its province's);
//! `POST /api/v1/catalogue` — a province administrator adds, renames or retires an
//! indicator (`domain::CatalogueChange`), once by the change's id.
//!
//! A province's catalogue is the standard one with its changes applied. A process keeps
//! each province's for [`TREE_MAX_AGE_MS`] (another instance may have changed it), and
//! anew after a change it filed.

use super::json::ApiJson;
use super::{AppState, Authenticated, TREE_MAX_AGE_MS};
use crate::ApiError;
use crate::error::ErrorBody;
use crate::store::{AccessStore, CatalogueStore, StoreError, UnitStore};
use axum::Json;
use axum::extract::State;
use domain::dataset::Dataset;
use domain::enrol::{AuditEvent, AuditWhat};
use domain::{
    Action, Catalogue, CatalogueChange, CatalogueChangeRecord, CatalogueChanged, CatalogueEdit, CatalogueProblem, Date,
    UnitId, UnitTree, authorize,
};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};
use unicode_normalization::UnicodeNormalization;

/// The provinces' catalogues as this process read them, with when.
#[derive(Default)]
pub struct Catalogues(HashMap<UnitId, (Arc<Catalogue>, u64)>);

/// How many times a change is checked again when another took its place meanwhile.
const ATTEMPTS: usize = 3;

/// The province whose catalogue counts at `unit` ([`UnitTree::province_of`]). A province
/// before 1/7/2025 (over DynamoDB an instance may know its tree and not the one that
/// carries it on) counts under the province of today's map it merged into, which the
/// bundled dataset names.
fn province_for(tree: &UnitTree, unit: &UnitId) -> Option<UnitId> {
    static MERGED_INTO: OnceLock<BTreeMap<UnitId, UnitId>> = OnceLock::new();
    let province = tree.province_of(unit)?;
    if tree.get(province).is_ok_and(|p| p.valid_to.is_none()) {
        return Some(province.clone());
    }
    let merged_into = MERGED_INTO.get_or_init(|| {
        let dataset = Dataset::bundled().map(|d| d.successions).unwrap_or_default();
        dataset.into_iter().map(|s| (s.from, s.to)).collect()
    });
    Some(merged_into.get(province).unwrap_or(province).clone())
}

impl<S: CatalogueStore> AppState<S> {
    /// The catalogue that counts at `unit`: its province's ([`province_for`]), the standard
    /// one where the tree names none; as this process read it less than
    /// [`TREE_MAX_AGE_MS`] ago.
    pub async fn catalogue_at(&self, tree: &UnitTree, unit: &UnitId) -> Result<Arc<Catalogue>, ApiError> {
        let Some(province) = province_for(tree, unit) else {
            return Ok(Arc::new(self.catalogue.clone()));
        };
        let now = self.now_ms();
        if let Some((catalogue, at)) = self.catalogues.read().map_err(poisoned)?.0.get(&province)
            && now.saturating_sub(*at) < TREE_MAX_AGE_MS
        {
            return Ok(catalogue.clone());
        }
        let changes = self.store.catalogue_changes(&province).await?;
        Ok(self.keep(&province, &changes, now))
    }

    /// [`AppState::catalogue_at`] read from the store now: what a phone fetches, never
    /// older than the version a sync named (another instance may have filed a change).
    async fn fresh_catalogue_at(&self, tree: &UnitTree, unit: &UnitId) -> Result<Arc<Catalogue>, ApiError> {
        let Some(province) = province_for(tree, unit) else {
            return Ok(Arc::new(self.catalogue.clone()));
        };
        let changes = self.store.catalogue_changes(&province).await?;
        Ok(self.keep(&province, &changes, self.now_ms()))
    }

    /// Keeps a province's catalogue as `changes` make it.
    fn keep(&self, province: &UnitId, changes: &[CatalogueChangeRecord], now: u64) -> Arc<Catalogue> {
        let catalogue = Arc::new(self.catalogue.with_changes(changes));
        if let Ok(mut kept) = self.catalogues.write() {
            kept.0.insert(province.clone(), (catalogue.clone(), now));
        }
        catalogue
    }
}

fn poisoned<T>(_: T) -> ApiError {
    ApiError::Store(StoreError("the catalogues' lock is poisoned".into()))
}

/// The catalogue that counts for the caller: its province's.
#[utoipa::path(get, path = "/api/v1/catalogue", tag = "units", security(("device_token" = [])),
    responses((status = 200, description = "The catalogue of the caller's province", body = Catalogue)))]
pub async fn catalogue<S: UnitStore + AccessStore + CatalogueStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Catalogue>, ApiError> {
    let tree = state.tree_knowing([&caller.scope]).await?;
    Ok(Json(Catalogue::clone(&*state.fresh_catalogue_at(&tree, &caller.scope).await?)))
}

/// Adds, renames or retires an indicator of a province's catalogue.
#[utoipa::path(post, path = "/api/v1/catalogue", tag = "units", request_body = CatalogueChange,
    security(("device_token" = [])),
    responses(
        (status = 200, description = "Made, or made before (the same change sent again): the province's \
            catalogue after it", body = CatalogueChanged),
        (status = 403, description = "forbidden: only the province's administrator changes its catalogue",
            body = ErrorBody),
        (status = 409, description = "indicator_id_taken, already_retired, change_id_reused: the change \
            conflicts with the catalogue as it stands; nothing was stored", body = ErrorBody),
        (status = 422, description = "invalid_change_id, not_a_province, unknown_indicator, invalid_label, \
            invalid_unit_of_measure, unknown_content, too_many_indicators, part_of_ratio, \
            invalid_retire_day, \
            invalid_id, invalid_period: the change does not fit; nothing was stored", body = ErrorBody),
    ))]
pub async fn change_catalogue<S: UnitStore + AccessStore + CatalogueStore>(
    State(state): State<Arc<AppState<S>>>,
    Authenticated(caller): Authenticated,
    ApiJson(change): ApiJson<CatalogueChange>,
) -> Result<Json<CatalogueChanged>, ApiError> {
    let change = nfc(change);
    let province = &change.province;
    let tree = state.tree_knowing([province]).await?;
    let not_a_province = || CatalogueProblem::NotAProvince(province.to_string());
    tree.get(province).map_err(|_| not_a_province())?;
    authorize(&caller, Action::EditCatalogue, province, &tree)?;
    if tree.province_of(province) != Some(province) {
        return Err(not_a_province().into());
    }
    for _ in 0..ATTEMPTS {
        let mut changes = state.store.catalogue_changes(province).await?;
        if let Some(earlier) = changes.iter().find(|r| r.change.id == change.id) {
            if earlier.change != change {
                return Err(CatalogueProblem::IdReused.into());
            }
            let catalogue = state.keep(province, &changes, state.now_ms());
            return Ok(Json(CatalogueChanged { catalogue: Catalogue::clone(&catalogue), repeated: true }));
        }
        change.check(&state.catalogue.with_changes(&changes), Date::in_vietnam(state.now_ms()))?;
        let seq = changes.iter().filter(|r| r.change.edit.indicator() == change.edit.indicator()).count();
        let now = state.now_ms();
        let record = CatalogueChangeRecord {
            change: change.clone(),
            by: caller.device.clone(),
            at_ms: now,
            seq: u32::try_from(seq).unwrap_or(u32::MAX),
        };
        let audit = AuditEvent {
            at_ms: now,
            unit: province.clone(),
            actor: Some(caller.device.clone()),
            what: AuditWhat::CatalogueChanged { change: change.clone() },
        };
        if state.store.file_catalogue_change(&tree, &record, &audit).await? {
            changes.push(record);
            let catalogue = state.keep(province, &changes, now);
            return Ok(Json(CatalogueChanged { catalogue: Catalogue::clone(&catalogue), repeated: false }));
        }
    }
    Err(ApiError::Store(StoreError("the catalogue changed several times meanwhile; try again".into())))
}

/// Labels and units as typed on any keyboard, precomposed (NFC).
fn nfc(mut change: CatalogueChange) -> CatalogueChange {
    match &mut change.edit {
        CatalogueEdit::Add { indicator } => {
            indicator.label = indicator.label.nfc().collect();
            indicator.unit = indicator.unit.nfc().collect();
        }
        CatalogueEdit::Rename { label, .. } => *label = label.nfc().collect(),
        CatalogueEdit::Retire { .. } => {}
    }
    change
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An instance over DynamoDB that knows only Bắc Kạn's tree before 1/7/2025 (a
    /// volunteer of one of its areas) still finds today's Thái Nguyên, whose catalogue
    /// counts there.
    #[test]
    fn a_unit_of_a_province_merged_away_counts_under_the_province_it_merged_into() {
        let dataset = Dataset::bundled().unwrap();
        let history = dataset.province("Thái Nguyên").unwrap();
        let named = |name: &str, old: bool| {
            history.iter().find(|u| u.unit.name == name && u.unit.valid_to.is_some() == old).unwrap().unit.id.clone()
        };
        let (old_province, today) = (named("Tỉnh Bắc Kạn", true), named("Tỉnh Thái Nguyên", false));
        // Old Bắc Kạn's units only, parents first.
        let mut kept = std::collections::BTreeSet::new();
        let mut old_tree = Vec::new();
        for unit in history.iter().map(|u| &u.unit) {
            if unit.id == old_province || unit.parent.as_ref().is_some_and(|p| kept.contains(p)) {
                kept.insert(unit.id.clone());
                old_tree.push(unit.clone());
            }
        }
        let old_only = UnitTree::new(old_tree).unwrap();
        let old_ward = named("Phường Đức Xuân", true);
        assert_eq!(old_only.province_of(&old_ward), Some(&old_province), "the tree alone names the old province");
        assert_eq!(province_for(&old_only, &old_ward), Some(today.clone()));
        let whole = UnitTree::new(history.iter().map(|u| u.unit.clone()).collect()).unwrap();
        assert_eq!(province_for(&whole, &named("Phường Đức Xuân", false)), Some(today));
    }
}
