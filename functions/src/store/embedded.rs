//! The embedded store: one local `redb` file, the local default. A sync is one redb
//! write transaction, so a cell and the totals it moves change together or not at all.

use super::{Freshness, ReportStore, StoreError, TallyStore, UnitStore};
use domain::{
    CounterState, DeviceCounterKey, IndicatorId, RegisterHistory, RegisterRollups, RegisterState, ReportPeriod,
    RollupChange, SyncRequest, SyncResponse, Unit, UnitId, UnitTree, plan_sync,
};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// (device, area, indicator, month) → (inc, dec)
const COUNTERS: TableDefinition<(&str, &str, &str, &str), (u64, u64)> = TableDefinition::new("counters");
/// (unit, indicator, month) → rolled-up net total
const TOTALS: TableDefinition<(&str, &str, &str), i64> = TableDefinition::new("totals");
/// (area, indicator, bucket) → JSON of the register state
const REGISTERS: TableDefinition<(&str, &str, &str), &[u8]> = TableDefinition::new("registers");
/// (unit, indicator, month) → register rollup change at that month: (amount, reporting)
const ROLLUPS: TableDefinition<(&str, &str, &str), (i64, i64)> = TableDefinition::new("rollups");
/// position → JSON of the unit (parents first)
const UNITS: TableDefinition<u32, &[u8]> = TableDefinition::new("units");

impl From<redb::Error> for StoreError {
    fn from(e: redb::Error) -> Self {
        StoreError(e.to_string())
    }
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(impl From<$t> for StoreError {
        fn from(e: $t) -> Self { StoreError::from(redb::Error::from(e)) }
    })*};
}
from_redb!(redb::DatabaseError, redb::TransactionError, redb::TableError, redb::StorageError, redb::CommitError);

/// A store in one local file.
#[derive(Clone)]
pub struct EmbeddedStore {
    db: Arc<Database>,
}

impl EmbeddedStore {
    /// Opens (or creates) the store file and its tables.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let db = Database::create(path)?;
        let txn = db.begin_write()?;
        txn.open_table(COUNTERS)?;
        txn.open_table(TOTALS)?;
        txn.open_table(REGISTERS)?;
        txn.open_table(ROLLUPS)?;
        txn.open_table(UNITS)?;
        txn.commit()?;
        Ok(Self { db: Arc::new(db) })
    }

    /// Runs blocking storage work off the async executor.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Database) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let db = Arc::clone(&self.db);
        tokio::task::spawn_blocking(move || work(&db)).await.map_err(|e| StoreError(e.to_string()))?
    }
}

fn json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("domain types serialise")
}

fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError(format!("corrupt record: {e}")))
}

impl TallyStore for EmbeddedStore {
    async fn apply_sync(&self, tree: &UnitTree, request: &SyncRequest) -> Result<SyncResponse, StoreError> {
        let (tree, request) = (tree.clone(), request.clone());
        self.blocking(move |db| {
            let txn = db.begin_write()?;
            let response = {
                let mut counters = txn.open_table(COUNTERS)?;
                let mut registers = txn.open_table(REGISTERS)?;
                let mut totals = txn.open_table(TOTALS)?;
                let mut rollups = txn.open_table(ROLLUPS)?;
                let plan = plan_sync(
                    &request,
                    &tree,
                    |k: &DeviceCounterKey| -> Result<_, StoreError> {
                        let key = (
                            k.device.as_str(),
                            k.cell.area.as_str(),
                            k.cell.indicator.as_str(),
                            &*k.cell.month.to_string(),
                        );
                        Ok(counters.get(key)?.map(|v| {
                            let (inc, dec) = v.value();
                            CounterState { inc, dec }
                        }))
                    },
                    |area: &UnitId, indicator: &IndicatorId| -> Result<_, StoreError> {
                        let mut history = RegisterHistory::new();
                        for row in registers.range((area.as_str(), indicator.as_str(), "")..)? {
                            let (key, value) = row?;
                            let (a, i, bucket) = key.value();
                            if (a, i) != (area.as_str(), indicator.as_str()) {
                                break;
                            }
                            let bucket = bucket.parse().map_err(|e| StoreError(format!("corrupt bucket: {e}")))?;
                            history.insert(bucket, parse::<RegisterState>(value.value())?);
                        }
                        Ok(history)
                    },
                )?;
                for (k, change) in &plan.counters {
                    let month = k.cell.month.to_string();
                    let key = (k.device.as_str(), k.cell.area.as_str(), k.cell.indicator.as_str(), month.as_str());
                    counters.insert(key, (change.next.inc, change.next.dec))?;
                }
                for (k, next) in &plan.registers {
                    let bucket = k.bucket.to_string();
                    registers
                        .insert((k.area.as_str(), k.indicator.as_str(), bucket.as_str()), json(next).as_slice())?;
                }
                for (k, delta) in &plan.totals {
                    let month = k.month.to_string();
                    let key = (k.unit.as_str(), k.indicator.as_str(), month.as_str());
                    let old = totals.get(key)?.map_or(0, |v| v.value());
                    let new = old.checked_add(*delta).ok_or_else(|| StoreError(format!("total {k} overflows")))?;
                    totals.insert(key, new)?;
                }
                for (k, change) in &plan.rollups {
                    let month = k.month.to_string();
                    let key = (k.unit.as_str(), k.indicator.as_str(), month.as_str());
                    let (amount, reporting) = rollups.get(key)?.map_or((0, 0), |v| v.value());
                    rollups.insert(key, (amount + change.amount, reporting + change.reporting))?;
                }
                plan.response()
            };
            txn.commit()?;
            Ok(response)
        })
        .await
    }
}

impl ReportStore for EmbeddedStore {
    async fn counter_totals(
        &self,
        unit: &UnitId,
        period: ReportPeriod,
        _: Freshness,
    ) -> Result<BTreeMap<IndicatorId, i64>, StoreError> {
        let unit = unit.clone();
        self.blocking(move |db| {
            let txn = db.begin_read()?;
            let totals = txn.open_table(TOTALS)?;
            let mut out = BTreeMap::new();
            for row in totals.range((unit.as_str(), "", "")..)? {
                let (key, value) = row?;
                let (u, indicator, month) = key.value();
                if u != unit.as_str() {
                    break;
                }
                let month: domain::Month = month.parse().map_err(|e| StoreError(format!("corrupt month: {e}")))?;
                if period.contains(month) {
                    let id = IndicatorId::new(indicator).map_err(|e| StoreError(e.to_string()))?;
                    *out.entry(id).or_default() += value.value();
                }
            }
            Ok(out)
        })
        .await
    }

    /// One file, one writer: every read is the latest.
    async fn register_rollups(
        &self,
        unit: &UnitId,
        period: ReportPeriod,
        _: Freshness,
    ) -> Result<RegisterRollups, StoreError> {
        let unit = unit.clone();
        self.blocking(move |db| {
            let txn = db.begin_read()?;
            let rollups = txn.open_table(ROLLUPS)?;
            let mut out = RegisterRollups::new();
            for row in rollups.range((unit.as_str(), "", "")..)? {
                let (key, value) = row?;
                let (u, indicator, month) = key.value();
                if u != unit.as_str() {
                    break;
                }
                let month: domain::Month = month.parse().map_err(|e| StoreError(format!("corrupt month: {e}")))?;
                if month <= period.last() {
                    let id = IndicatorId::new(indicator).map_err(|e| StoreError(e.to_string()))?;
                    let (amount, reporting) = value.value();
                    *out.entry((id, month)).or_default() += RollupChange { amount, reporting };
                }
            }
            Ok(out)
        })
        .await
    }
}

impl UnitStore for EmbeddedStore {
    async fn units(&self) -> Result<Vec<Unit>, StoreError> {
        self.blocking(|db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(UNITS)?;
            table.iter()?.map(|row| parse(row?.1.value())).collect()
        })
        .await
    }

    async fn add_units(&self, units: &[Unit]) -> Result<(), StoreError> {
        let units = units.to_vec();
        self.blocking(move |db| {
            let txn = db.begin_write()?;
            {
                let mut table = txn.open_table(UNITS)?;
                let first = table.last()?.map_or(0, |(k, _)| k.value() + 1);
                for (position, unit) in (first..).zip(&units) {
                    table.insert(position, json(unit).as_slice())?;
                }
            }
            txn.commit()?;
            Ok(())
        })
        .await
    }
}
