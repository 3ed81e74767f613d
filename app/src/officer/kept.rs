//! What the officers' page keeps on the phone so an inspection team works without signal:
//! the scoring sheets, the last models of each unit and year it opened, the wards merged
//! into the officer's on 1/7/2025 (whose areas it keeps), and the steps of models not yet
//! sent (sent again, with the same ids, when the connection is back).
//! Caches but for the steps: if storage is full, the next fetch fills them again; a step
//! that cannot be kept is said so and not taken.

use crate::storage::{self, StorageFailure};
use domain::{ModelEvent, ModelReport, ReportPeriod, SheetRecord, UnitId};
use std::collections::BTreeMap;

const SHEETS: &str = "sotay.v1.officer.sheets";
const MODELS: &str = "sotay.v1.officer.models";
const PENDING_STEPS: &str = "sotay.v1.officer.pending_steps";
const MERGED_WARDS: &str = "sotay.v1.officer.merged_wards";

/// How many units' and years' models are kept.
const MODELS_KEPT: usize = 8;

pub fn sheets() -> Vec<SheetRecord> {
    storage::read(SHEETS).unwrap_or_default()
}

pub fn keep_sheets(sheets: &[SheetRecord]) {
    let _ = storage::write(SHEETS, serde_json::to_string(sheets));
}

fn models_key(unit: &UnitId, period: ReportPeriod) -> String {
    format!("{unit}@{period}")
}

/// The models last fetched for the unit and period.
pub fn models(unit: &UnitId, period: ReportPeriod) -> Option<ModelReport> {
    let mut kept: BTreeMap<String, ModelReport> = storage::read(MODELS)?;
    kept.remove(&models_key(unit, period))
}

/// Keeps a fetched answer, dropping others beyond [`MODELS_KEPT`].
pub fn keep_models(report: &ModelReport) {
    let mut kept: BTreeMap<String, ModelReport> = storage::read(MODELS).unwrap_or_default();
    let key = models_key(&report.unit.unit, report.period);
    kept.remove(&key);
    while kept.len() >= MODELS_KEPT {
        kept.pop_first();
    }
    kept.insert(key, report.clone());
    let _ = storage::write(MODELS, serde_json::to_string(&kept));
}

/// The wards merged into others, as last read (`None`: never read on this phone).
pub fn merged_wards() -> Option<super::areas::MergedWards> {
    storage::read(MERGED_WARDS)
}

pub fn keep_merged_wards(merged: &super::areas::MergedWards) {
    let _ = storage::write(MERGED_WARDS, serde_json::to_string(merged));
}

/// The steps made on this phone and not yet filed, in the order they were made.
pub fn pending_steps() -> Vec<ModelEvent> {
    storage::read(PENDING_STEPS).unwrap_or_default()
}

pub fn keep_pending_steps(steps: &[ModelEvent]) -> Result<(), StorageFailure> {
    storage::write(PENDING_STEPS, serde_json::to_string(steps))
}
