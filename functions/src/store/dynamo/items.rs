//! Item shapes of the single table, and conversions between items and domain types.
//!
//! | item | pk | sk | attributes |
//! |---|---|---|---|
//! | a device's counter cells of one area and month | `DEV#{device}` | `CELLS#{area}#{month}` | `v` (version), `inc_{indicator}`, `dec_{indicator}` |
//! | rolled-up totals of one unit and month | `TOT#{unit}` | `{month}` | `{indicator}` (net total) |
//! | level / flag register | `REG#{area}` | `{indicator}#{bucket}` | `level` or `flag`, `wall`, `n`, `device` |
//! | unit of the tree | `UNITS` | position, 8 digits | `unit` (JSON) |
//!
//! Cells and totals are packed per month: a day's sync of one area touches one cell item
//! and one totals item per level of the tree, whatever the number of indicators (see the
//! cost model in BENCHMARKS.md). Identifiers never contain `#` (they are `[a-z0-9_-]`
//! slugs), so keys split unambiguously.

use crate::store::StoreError;
use aws_sdk_dynamodb::types::AttributeValue;
use domain::{
    CounterState, DeviceCounterKey, DeviceId, Hlc, IndicatorId, Month, RegisterKey, RegisterState, RegisterValue,
    Stamp, Unit, UnitId,
};
use std::collections::{BTreeMap, HashMap};

pub type Item = HashMap<String, AttributeValue>;

pub fn s(text: impl Into<String>) -> AttributeValue {
    AttributeValue::S(text.into())
}

pub fn n(number: impl ToString) -> AttributeValue {
    AttributeValue::N(number.to_string())
}

fn key(pk: String, sk: String) -> Item {
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

/// The item holding a unit's totals of one month.
pub fn totals_key(unit: &UnitId, month: Month) -> Item {
    key(format!("TOT#{unit}"), month.to_string())
}

pub fn register_key(k: &RegisterKey) -> Item {
    key(format!("REG#{}", k.area), format!("{}#{}", k.indicator, k.bucket))
}

pub fn unit_key(position: u32) -> Item {
    key("UNITS".into(), format!("{position:08}"))
}

/// The partition of a unit's totals, and the sort-key range of a period's months.
pub fn totals_query(unit: &UnitId, first: Month, last: Month) -> (String, String, String) {
    (format!("TOT#{unit}"), first.to_string(), last.to_string())
}

pub fn registers_partition(area: &UnitId) -> String {
    format!("REG#{area}")
}

fn text<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
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

pub fn register_item(k: &RegisterKey, state: &RegisterState) -> Item {
    let mut item = register_key(k);
    match state.value {
        RegisterValue::Level(v) => item.insert("level".into(), n(v)),
        RegisterValue::Flag(f) => item.insert("flag".into(), AttributeValue::Bool(f)),
    };
    item.insert("wall".into(), n(state.stamp.hlc.wall));
    item.insert("n".into(), n(state.stamp.hlc.n));
    item.insert("device".into(), s(state.stamp.device.as_str()));
    item
}

pub fn register_state(item: &Item) -> Result<RegisterState, StoreError> {
    let value = match (item.get("level"), item.get("flag")) {
        (Some(_), _) => RegisterValue::Level(number(item, "level")?),
        (_, Some(AttributeValue::Bool(f))) => RegisterValue::Flag(*f),
        _ => return Err(corrupt("level/flag")),
    };
    let device = domain::DeviceId::new(text(item, "device")?).map_err(|_| corrupt("device"))?;
    Ok(RegisterState {
        value,
        stamp: Stamp { hlc: Hlc { wall: number(item, "wall")?, n: number(item, "n")? }, device },
    })
}

/// The register key of a register item.
pub fn register_key_of(item: &Item) -> Result<RegisterKey, StoreError> {
    let area = text(item, "pk")?.strip_prefix("REG#").ok_or_else(|| corrupt("pk"))?;
    let (indicator, bucket) = text(item, "sk")?.split_once('#').ok_or_else(|| corrupt("sk"))?;
    format!("{area}/{indicator}/{bucket}").parse().map_err(|_| corrupt("sk"))
}

/// The indicator totals of a totals item.
pub fn totals_of(item: &Item) -> Result<Vec<(IndicatorId, i64)>, StoreError> {
    item.keys()
        .filter(|name| *name != "pk" && *name != "sk")
        .map(|name| Ok((IndicatorId::new(name.as_str()).map_err(|_| corrupt(name))?, number(item, name)?)))
        .collect()
}

pub fn unit_item(position: u32, unit: &Unit) -> Item {
    let mut item = unit_key(position);
    item.insert("unit".into(), s(serde_json::to_string(unit).expect("units serialise")));
    item
}

pub fn unit_of(item: &Item) -> Result<Unit, StoreError> {
    serde_json::from_str(text(item, "unit")?).map_err(|_| corrupt("unit"))
}
