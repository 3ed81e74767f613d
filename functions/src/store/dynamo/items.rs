//! Item shapes of the single table, and conversions between items and domain types.
//!
//! | item | pk | sk | attributes |
//! |---|---|---|---|
//! | device counter cell | `DEV#{device}` | `CELL#{area}#{indicator}#{month}` | `inc`, `dec` |
//! | rolled-up total | `TOT#{unit}` | `{month}#{indicator}` | `total` |
//! | level / flag register | `REG#{area}` | `{indicator}#{bucket}` | `level` or `flag`, `wall`, `n`, `device` |
//! | unit of the tree | `UNITS` | position, 8 digits | `unit` (JSON) |
//!
//! Identifiers never contain `#` (they are `[a-z0-9_-]` slugs), so keys split unambiguously.

use crate::store::StoreError;
use aws_sdk_dynamodb::types::AttributeValue;
use domain::{
    CounterState, DeviceCounterKey, Hlc, IndicatorId, RegisterKey, RegisterState, RegisterValue, Stamp, TotalKey, Unit,
    UnitId,
};
use std::collections::HashMap;

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

pub fn counter_key(k: &DeviceCounterKey) -> Item {
    key(format!("DEV#{}", k.device), format!("CELL#{}#{}#{}", k.cell.area, k.cell.indicator, k.cell.month))
}

pub fn total_key(k: &TotalKey) -> Item {
    key(format!("TOT#{}", k.unit), format!("{}#{}", k.month, k.indicator))
}

pub fn register_key(k: &RegisterKey) -> Item {
    key(format!("REG#{}", k.area), format!("{}#{}", k.indicator, k.bucket))
}

pub fn unit_key(position: u32) -> Item {
    key("UNITS".into(), format!("{position:08}"))
}

/// The partition of a unit's totals, and the sort-key range of a period's months.
pub fn totals_query(unit: &UnitId, first: &str, last: &str) -> (String, String, String) {
    (format!("TOT#{unit}"), format!("{first}#"), format!("{last}#~"))
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

/// A counter cell item with its state.
pub fn counter_item(k: &DeviceCounterKey, state: CounterState) -> Item {
    let mut item = counter_key(k);
    item.insert("inc".into(), n(state.inc));
    item.insert("dec".into(), n(state.dec));
    item
}

pub fn counter_state(item: &Item) -> Result<CounterState, StoreError> {
    Ok(CounterState { inc: number(item, "inc")?, dec: number(item, "dec")? })
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

/// The indicator and the total of a total item.
pub fn total_of(item: &Item) -> Result<(IndicatorId, i64), StoreError> {
    let (_, indicator) = text(item, "sk")?.split_once('#').ok_or_else(|| corrupt("sk"))?;
    Ok((IndicatorId::new(indicator).map_err(|_| corrupt("sk"))?, number(item, "total")?))
}

pub fn unit_item(position: u32, unit: &Unit) -> Item {
    let mut item = unit_key(position);
    item.insert("unit".into(), s(serde_json::to_string(unit).expect("units serialise")));
    item
}

pub fn unit_of(item: &Item) -> Result<Unit, StoreError> {
    serde_json::from_str(text(item, "unit")?).map_err(|_| corrupt("unit"))
}
