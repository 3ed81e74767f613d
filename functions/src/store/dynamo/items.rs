//! Item shapes of the single table, and conversions between items and domain types.
//!
//! | item | pk | sk | attributes |
//! |---|---|---|---|
//! | a device's counter cells of one area and month | `DEV#{device}` | `CELLS#{area}#{month}` | `v` (version), `inc_{indicator}`, `dec_{indicator}` |
//! | rolled-up totals of one unit and month | `TOT#{unit}` | `{month}` | `{indicator}` (net total) |
//! | register rollups of one unit and month | `TOT#{unit}` | `R#{month}` | `{indicator}` (amount), `{indicator}#n` (reporting) |
//! | one area's register of one indicator | `REG#{area}` | `{indicator}` | `v` (version), `{bucket}` (JSON of the state) |
//! | a stored tree (a province, of today's map or before 1/7/2025) | `ROOTS` | its root's id | |
//! | the units of a tree, [`UNITS_PER_ITEM`] to an item | `UNITS#{root}` | the item's number, 8 digits | `units` (JSON array, parents first) |
//! | the tree a unit is kept in (also an area a change made) | `UNIT#{unit}` | `ROOT` | `root` |
//! | a change of a residential area, by its tree | `AREAS#{root}` | the event's id | `record` (JSON) |
//! | the same change, by its id (filed once) | `AREA#{event}` | `AREA` | `record` (JSON), `root` |
//! | a step of a model | `MODELS` | `{model}#{step id}` | `record` (JSON) |
//! | how many steps a model has | `MODELS` | `{model}` | `n` |
//! | a title, commendation or exemplar | `HONOURS` | its id | `record` (JSON), `withdrawn` once withdrawn |
//! | a scoring sheet | `SHEETS` | its id | `record` (JSON) |
//! | a change of a province's catalogue | `CATALOGUE#{province}` | `{indicator}#{seq}`, seq 6 digits | `record` (JSON) |
//!
//! Cells and totals are packed per month: a day's sync of one area touches one cell item
//! and one totals item per level of the tree, whatever the number of indicators (see the
//! cost model in BENCHMARKS.md). A register's buckets share one item, since writing one
//! bucket needs its neighbours (`domain::rollup`). Identifiers never contain `#` (they are `[a-z0-9_-]`
//! slugs), so keys split unambiguously.

use crate::store::StoreError;
use aws_sdk_dynamodb::types::AttributeValue;
use domain::{
    AreaRecord, CatalogueChangeRecord, CounterCell, CounterKey, CounterState, DeviceCounterKey, DeviceId, HonourRecord,
    IndicatorId, ModelId, ModelRecord, Month, RegisterHistory, RegisterState, RollupChange, SheetRecord, Unit, UnitId,
};
use std::collections::{BTreeMap, HashMap};

pub type Item = HashMap<String, AttributeValue>;

pub fn s(text: impl Into<String>) -> AttributeValue {
    AttributeValue::S(text.into())
}

pub fn n(number: impl ToString) -> AttributeValue {
    AttributeValue::N(number.to_string())
}

/// An item holding only its key.
pub fn key(pk: String, sk: String) -> Item {
    HashMap::from([("pk".to_string(), s(pk)), ("sk".to_string(), s(sk))])
}

/// The item holding a device's cells of one area and month.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellsKey {
    pub device: DeviceId,
    pub area: UnitId,
    pub month: Month,
}

impl CellsKey {
    pub fn of(k: &DeviceCounterKey) -> Self {
        CellsKey { device: k.device.clone(), area: k.cell.area.clone(), month: k.cell.month }
    }
}

pub fn cells_key(k: &CellsKey) -> Item {
    key(format!("DEV#{}", k.device), format!("CELLS#{}#{}", k.area, k.month))
}

/// The key of a cell item of `device` from its sort key `CELLS#{area}#{month}`.
pub fn cells_key_of(device: &DeviceId, item: &Item) -> Result<CellsKey, StoreError> {
    let sk = item.get("sk").and_then(|v| v.as_s().ok()).map(String::as_str).unwrap_or_default();
    let corrupt = || StoreError(format!("corrupt cell item key `{sk}`"));
    let (area, month) = sk.strip_prefix("CELLS#").and_then(|rest| rest.rsplit_once('#')).ok_or_else(corrupt)?;
    Ok(CellsKey {
        device: device.clone(),
        area: UnitId::new(area).map_err(|_| corrupt())?,
        month: month.parse().map_err(|_| corrupt())?,
    })
}

/// The counter cells a cell item of `device` holds.
pub fn counter_cells_of(device: &DeviceId, item: &Item) -> Result<Vec<CounterCell>, StoreError> {
    let CellsKey { area, month, .. } = cells_key_of(device, item)?;
    let cell = |(indicator, state)| CounterCell::new(&CounterKey { area: area.clone(), indicator, month }, state);
    Ok(cells_of(item)?.states.into_iter().map(cell).collect())
}

/// The item holding a unit's totals of one month.
pub fn totals_key(unit: &UnitId, month: Month) -> Item {
    key(format!("TOT#{unit}"), month.to_string())
}

/// The item holding a unit's register rollups of one month.
pub fn rollups_key(unit: &UnitId, month: Month) -> Item {
    key(format!("TOT#{unit}"), format!("{ROLLUPS}{month}"))
}

/// The item holding one area's register of one indicator, every bucket.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegisterItemKey {
    pub area: UnitId,
    pub indicator: IndicatorId,
}

impl RegisterItemKey {
    pub fn new(area: &UnitId, indicator: &IndicatorId) -> Self {
        RegisterItemKey { area: area.clone(), indicator: indicator.clone() }
    }
}

pub fn register_key(k: &RegisterItemKey) -> Item {
    key(format!("REG#{}", k.area), k.indicator.to_string())
}

/// The partition of one tree's units.
pub fn units_pk(root: &UnitId) -> String {
    format!("UNITS#{root}")
}

/// How many units one item of a tree holds: a province's history and its residential
/// areas (about 2.000 units) in a handful of items of about 60 KB, read by one query.
pub const UNITS_PER_ITEM: usize = 250;

/// Where the tree a unit is kept in is found.
pub fn unit_root_key(unit: &UnitId) -> (String, String) {
    (format!("UNIT#{unit}"), "ROOT".into())
}

pub fn unit_root_item(unit: &UnitId, root: &UnitId) -> Item {
    let (pk, sk) = unit_root_key(unit);
    let mut item = key(pk, sk);
    item.insert("root".into(), s(root.as_str()));
    item
}

pub fn root_item(root: &UnitId) -> Item {
    key(ROOTS.into(), root.to_string())
}

/// The partition listing the stored trees.
pub const ROOTS: &str = "ROOTS";

/// The partition of a unit's totals, and the sort-key range of a period's months.
pub fn totals_query(unit: &UnitId, first: Month, last: Month) -> (String, String, String) {
    (format!("TOT#{unit}"), first.to_string(), last.to_string())
}

/// The partition of a unit's register rollups, and the sort-key range up to `last`.
pub fn rollups_query(unit: &UnitId, last: Month) -> (String, String, String) {
    (format!("TOT#{unit}"), ROLLUPS.to_string(), format!("{ROLLUPS}{last}"))
}

const ROLLUPS: &str = "R#";
const REPORTING: &str = "#n";

pub fn text<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    item.get(name).and_then(|v| v.as_s().ok()).map(String::as_str).ok_or_else(|| corrupt(name))
}

fn number<T: std::str::FromStr>(item: &Item, name: &str) -> Result<T, StoreError> {
    item.get(name).and_then(|v| v.as_n().ok()).and_then(|v| v.parse().ok()).ok_or_else(|| corrupt(name))
}

fn corrupt(what: &str) -> StoreError {
    StoreError(format!("corrupt item: `{what}` missing or malformed"))
}

/// A cell item: its version and the state of each indicator's cell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cells {
    pub version: u64,
    pub states: BTreeMap<IndicatorId, CounterState>,
}

const VERSION: &str = "v";

pub fn cells_item(k: &CellsKey, cells: &Cells) -> Item {
    let mut item = cells_key(k);
    item.insert(VERSION.into(), n(cells.version));
    for (indicator, state) in &cells.states {
        item.insert(format!("inc_{indicator}"), n(state.inc));
        item.insert(format!("dec_{indicator}"), n(state.dec));
    }
    item
}

pub fn cells_of(item: &Item) -> Result<Cells, StoreError> {
    let mut cells = Cells { version: number(item, VERSION)?, states: BTreeMap::new() };
    for name in item.keys() {
        if let Some(indicator) = name.strip_prefix("inc_") {
            let state = CounterState { inc: number(item, name)?, dec: number(item, &format!("dec_{indicator}"))? };
            cells.states.insert(IndicatorId::new(indicator).map_err(|_| corrupt(name))?, state);
        }
    }
    Ok(cells)
}

/// A register item: its version and every bucket's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registers {
    pub version: u64,
    pub history: RegisterHistory,
}

pub fn register_item(k: &RegisterItemKey, registers: &Registers) -> Item {
    let mut item = register_key(k);
    item.insert(VERSION.into(), n(registers.version));
    for (bucket, state) in &registers.history {
        item.insert(bucket.to_string(), s(serde_json::to_string(state).expect("registers serialise")));
    }
    item
}

pub fn registers_of(item: &Item) -> Result<Registers, StoreError> {
    let mut registers = Registers { version: number(item, VERSION)?, history: RegisterHistory::new() };
    for (name, value) in item.iter().filter(|(name, _)| !matches!(name.as_str(), "pk" | "sk" | VERSION)) {
        let bucket = name.parse().map_err(|_| corrupt(name))?;
        let json = value.as_s().map_err(|_| corrupt(name))?;
        let state: RegisterState = serde_json::from_str(json).map_err(|_| corrupt(name))?;
        registers.history.insert(bucket, state);
    }
    Ok(registers)
}

/// The names of a rollup item's attributes for one indicator: amount and reporting.
pub fn rollup_names(indicator: &IndicatorId) -> (String, String) {
    (indicator.to_string(), format!("{indicator}{REPORTING}"))
}

/// The month and the per-indicator changes of a rollup item.
pub fn rollups_of(item: &Item) -> Result<(Month, Vec<(IndicatorId, RollupChange)>), StoreError> {
    let sk = text(item, "sk")?;
    let month: Month = sk.strip_prefix(ROLLUPS).and_then(|m| m.parse().ok()).ok_or_else(|| corrupt("sk"))?;
    let mut changes: BTreeMap<IndicatorId, RollupChange> = BTreeMap::new();
    for name in item.keys().filter(|name| *name != "pk" && *name != "sk") {
        let (id, reporting) = match name.strip_suffix(REPORTING) {
            Some(id) => (id, true),
            None => (name.as_str(), false),
        };
        let change = changes.entry(IndicatorId::new(id).map_err(|_| corrupt(name))?).or_default();
        let value: i64 = number(item, name)?;
        if reporting { change.reporting += value } else { change.amount += value }
    }
    Ok((month, changes.into_iter().collect()))
}

/// The indicator totals of a totals item.
pub fn totals_of(item: &Item) -> Result<Vec<(IndicatorId, i64)>, StoreError> {
    item.keys()
        .filter(|name| *name != "pk" && *name != "sk")
        .map(|name| Ok((IndicatorId::new(name.as_str()).map_err(|_| corrupt(name))?, number(item, name)?)))
        .collect()
}

/// The `number`th item of a tree's units.
pub fn units_item(root: &UnitId, number: u32, units: &[Unit]) -> Item {
    let mut item = key(units_pk(root), format!("{number:08}"));
    item.insert("units".into(), s(serde_json::to_string(units).expect("units serialise")));
    item
}

/// An item of a tree's units: its number and its units.
pub fn units_of(item: &Item) -> Result<(u32, Vec<Unit>), StoreError> {
    let number = text(item, "sk")?.parse().map_err(|_| corrupt("sk"))?;
    Ok((number, serde_json::from_str(text(item, "units")?).map_err(|_| corrupt("units"))?))
}

/// The partition of the changes of one tree's areas.
pub fn areas_pk(root: &UnitId) -> String {
    format!("AREAS#{root}")
}

/// Where a change is found by its id.
pub fn area_key(event: &domain::EventId) -> (String, String) {
    (format!("AREA#{event}"), "AREA".into())
}

/// A change of an area, in its tree's partition and by its id.
pub fn area_items(root: &UnitId, record: &AreaRecord) -> [Item; 2] {
    let json = s(serde_json::to_string(record).expect("records serialise"));
    let mut listed = key(areas_pk(root), record.event.id.to_string());
    listed.insert("record".into(), json.clone());
    let (pk, sk) = area_key(&record.event.id);
    let mut by_id = key(pk, sk);
    by_id.insert("record".into(), json);
    by_id.insert("root".into(), s(root.as_str()));
    [listed, by_id]
}

pub fn area_of(item: &Item) -> Result<AreaRecord, StoreError> {
    serde_json::from_str(text(item, "record")?).map_err(|_| corrupt("record"))
}

/// The partition of the models' steps and of each model's count of steps.
pub const MODELS: &str = "MODELS";

/// A model's step: `MODELS`, `{model}#{step id}`.
pub fn model_step_item(record: &ModelRecord) -> Item {
    let mut item = key(MODELS.into(), format!("{}#{}", record.event.model, record.event.id));
    item.insert("record".into(), s(serde_json::to_string(record).expect("records serialise")));
    item
}

/// The sort keys of one model's steps, as an inclusive range (`~` sorts after every slug
/// character).
pub fn model_steps_range(model: &ModelId) -> (String, String) {
    (format!("{model}#"), format!("{model}#~"))
}

/// A model's step, or `None` for the item counting its steps (`MODELS`, `{model}`: `n`).
pub fn model_step_of(item: &Item) -> Result<Option<ModelRecord>, StoreError> {
    if !item.contains_key("record") {
        return Ok(None);
    }
    serde_json::from_str(text(item, "record")?).map(Some).map_err(|_| corrupt("record"))
}

/// The partition of the honours.
pub const HONOURS: &str = "HONOURS";

pub fn honour_item(record: &HonourRecord) -> Item {
    let mut item = key(HONOURS.into(), record.honour.id.to_string());
    item.insert("record".into(), s(serde_json::to_string(record).expect("records serialise")));
    item
}

pub fn honour_of(item: &Item) -> Result<HonourRecord, StoreError> {
    serde_json::from_str(text(item, "record")?).map_err(|_| corrupt("record"))
}

pub const SHEETS: &str = "SHEETS";

pub fn sheet_item(record: &SheetRecord) -> Item {
    let mut item = key(SHEETS.into(), record.sheet.id.to_string());
    item.insert("record".into(), s(serde_json::to_string(record).expect("records serialise")));
    item
}

pub fn sheet_of(item: &Item) -> Result<SheetRecord, StoreError> {
    serde_json::from_str(text(item, "record")?).map_err(|_| corrupt("record"))
}

pub fn catalogue_pk(province: &UnitId) -> String {
    format!("CATALOGUE#{province}")
}

pub fn catalogue_change_item(record: &CatalogueChangeRecord) -> Item {
    let sk = format!("{}#{:06}", record.change.edit.indicator(), record.seq);
    let mut item = key(catalogue_pk(&record.change.province), sk);
    item.insert("record".into(), s(serde_json::to_string(record).expect("records serialise")));
    item
}

pub fn catalogue_change_of(item: &Item) -> Result<CatalogueChangeRecord, StoreError> {
    serde_json::from_str(text(item, "record")?).map_err(|_| corrupt("record"))
}
