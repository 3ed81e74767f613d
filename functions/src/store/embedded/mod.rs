//! The embedded store: one local `redb` file, the local default. A sync is written in one
//! redb write transaction, so a cell and the totals it moves change together or not at
//! all; syncs arriving together share the transaction and its durable commit (`batch`).

mod access;
mod batch;
mod catalogue;
mod honours;
mod models;
mod sheets;
mod succession;
mod void;

use super::{Charge, Freshness, ReportStore, StoreError, SyncStore, Synced, TallyStore, UnitStore};
use domain::enrol::AuditEvent;
use domain::{
    AccessError, AreaRecord, CounterCell, CounterKey, CounterState, DeviceCounterKey, DeviceId, EventId, IndicatorId,
    Month, RegisterHistory, RegisterRollups, RegisterState, ReportPeriod, RollupChange, SyncRequest, SyncResponse,
    Unit, UnitId, UnitTree, plan_sync,
};
use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
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
/// event id → JSON of the `AreaRecord`: the changes of residential areas the wards made
const AREAS: TableDefinition<&str, &[u8]> = TableDefinition::new("areas");
/// "schema" → the layout version of the file
const META: TableDefinition<&str, u32> = TableDefinition::new("meta");
/// Version 2: register rollups (`rollups`) kept on write.
const SCHEMA: u32 = 2;

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
    writer: Arc<batch::Writer>,
}

impl EmbeddedStore {
    /// Opens (or creates) the store file and its tables. A file written by an older
    /// layout is refused, never read with figures it does not hold.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let db = Database::create(path)?;
        let txn = db.begin_write()?;
        {
            let mut meta = txn.open_table(META)?;
            let version = meta.get("schema")?.map(|v| v.value());
            let holds_data = !txn.open_table(UNITS)?.is_empty()?;
            match version {
                Some(SCHEMA) => {}
                None if !holds_data => {
                    meta.insert("schema", SCHEMA)?;
                }
                found => {
                    let found = found.map_or("1".to_string(), |v| v.to_string());
                    return Err(StoreError(format!(
                        "{} holds layout version {found}, this build reads version {SCHEMA}: move the file \
                         aside (it is a local test store; no migration exists yet)",
                        path.display()
                    )));
                }
            }
        }
        txn.open_table(COUNTERS)?;
        txn.open_table(TOTALS)?;
        txn.open_table(REGISTERS)?;
        txn.open_table(ROLLUPS)?;
        txn.open_table(AREAS)?;
        txn.open_table(models::MODELS)?;
        txn.open_table(honours::HONOURS)?;
        txn.open_table(sheets::SHEETS)?;
        txn.open_table(catalogue::CATALOGUE)?;
        access::open_tables(&txn)?;
        txn.commit()?;
        let db = Arc::new(db);
        Ok(Self { writer: Arc::new(batch::Writer::start(Arc::clone(&db))), db })
    }

    /// Writes in the transaction shared by the writes queued now (group commit), and
    /// answers once it is durable.
    async fn write<T: Send + 'static>(
        &self,
        work: impl Fn(&redb::WriteTransaction) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.writer.write(work).await
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

/// The key of a counter cell as `counters` stores it.
type CounterRow = (&'static str, &'static str, &'static str, &'static str);

/// Every counter cell of one device, in key order.
fn cells_of_device(
    counters: &impl ReadableTable<CounterRow, (u64, u64)>,
    id: &DeviceId,
) -> Result<Vec<CounterCell>, StoreError> {
    let mut cells = Vec::new();
    for row in counters.range((id.as_str(), "", "", "")..)? {
        let (key, value) = row?;
        let (device, area, indicator, month) = key.value();
        if device != id.as_str() {
            break;
        }
        let key: CounterKey =
            format!("{area}/{indicator}/{month}").parse().map_err(|e| StoreError(format!("corrupt key: {e}")))?;
        let (inc, dec) = value.value();
        cells.push(CounterCell::new(&key, CounterState { inc, dec }));
    }
    cells.sort_by_key(CounterCell::key);
    Ok(cells)
}

impl TallyStore for EmbeddedStore {
    async fn apply_sync(
        &self,
        tree: &UnitTree,
        request: &SyncRequest,
    ) -> Result<Result<SyncResponse, AccessError>, StoreError> {
        // The areas' chains only: a sync walks up from its areas, and a national tree is
        // large to copy.
        let areas = request.counters.iter().map(|c| &c.area).chain(request.registers.iter().map(|r| &r.area));
        let (tree, request) = (tree.around(areas), request.clone());
        self.write(move |txn| apply(txn, &tree, &request)).await
    }
}

impl SyncStore for EmbeddedStore {
    /// One write of the group commit: one durable commit to wait for, and a sync that
    /// fails is not charged either.
    async fn sync(
        &self,
        tree: &UnitTree,
        request: &SyncRequest,
        charge: &Charge,
        scope: &UnitId,
    ) -> Result<Synced, StoreError> {
        let areas = request.counters.iter().map(|c| &c.area).chain(request.registers.iter().map(|r| &r.area));
        let tree = tree.around(areas.chain([scope]));
        let (request, charge, scope) = (request.clone(), charge.clone(), scope.clone());
        self.write(move |txn| {
            if access::is_revoked(txn, &request.device)? {
                return Ok(Synced::Refused(AccessError::Revoked));
            }
            if !access::charge_in(txn, &request.device, &charge)? {
                return Ok(Synced::OverQuota);
            }
            let response = match apply(txn, &tree, &request)? {
                Ok(response) => response,
                Err(refused) => return Err(StoreError(format!("a sync checked as allowed was refused: {refused}"))),
            };
            if let Some(event) = AuditEvent::of_sync(charge.at_ms, &request.device, &scope, &response) {
                access::file(txn, &tree, &event)?;
            }
            Ok(Synced::Applied(response))
        })
        .await
    }
}

/// Applies a sync's plan in `txn`.
fn apply(
    txn: &redb::WriteTransaction,
    tree: &UnitTree,
    request: &SyncRequest,
) -> Result<Result<SyncResponse, AccessError>, StoreError> {
    // A revoked device (voided, or succeeded by another) lands nothing, even a
    // request that was past its token check when the revocation was written: a
    // succession's cells, read in the revocation's transaction, are final.
    if access::is_revoked(txn, &request.device)? {
        return Ok(Err(AccessError::Revoked));
    }
    let response = {
        let mut counters = txn.open_table(COUNTERS)?;
        let mut registers = txn.open_table(REGISTERS)?;
        let mut totals = txn.open_table(TOTALS)?;
        let mut rollups = txn.open_table(ROLLUPS)?;
        let plan = plan_sync(
            request,
            tree,
            |k: &DeviceCounterKey| -> Result<_, StoreError> {
                let key =
                    (k.device.as_str(), k.cell.area.as_str(), k.cell.indicator.as_str(), &*k.cell.month.to_string());
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
            registers.insert((k.area.as_str(), k.indicator.as_str(), bucket.as_str()), json(next).as_slice())?;
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
            let sum = amount.checked_add(change.amount).zip(reporting.checked_add(change.reporting));
            let (amount, reporting) = sum.ok_or_else(|| StoreError(format!("rollup {k} overflows")))?;
            rollups.insert(key, (amount, reporting))?;
        }
        plan.response()
    };
    Ok(Ok(response))
}

/// Visits one unit's rows of a table keyed (unit, indicator, month), for the months kept.
fn rows_of_unit<V: redb::Value + 'static>(
    table: &redb::ReadOnlyTable<(&'static str, &'static str, &'static str), V>,
    unit: &UnitId,
    keep: impl Fn(Month) -> bool,
    mut visit: impl FnMut(IndicatorId, Month, V::SelfType<'_>),
) -> Result<(), StoreError> {
    for row in table.range((unit.as_str(), "", "")..)? {
        let (key, value) = row?;
        let (u, indicator, month) = key.value();
        if u != unit.as_str() {
            break;
        }
        let month: Month = month.parse().map_err(|e| StoreError(format!("corrupt month: {e}")))?;
        if keep(month) {
            visit(IndicatorId::new(indicator).map_err(|e| StoreError(e.to_string()))?, month, value.value());
        }
    }
    Ok(())
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
            let mut out = BTreeMap::new();
            rows_of_unit(
                &txn.open_table(TOTALS)?,
                &unit,
                |m| period.contains(m),
                |indicator, _, total| {
                    *out.entry(indicator).or_default() += total;
                },
            )?;
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
            let mut out = RegisterRollups::new();
            rows_of_unit(
                &txn.open_table(ROLLUPS)?,
                &unit,
                |m| m <= period.last(),
                |indicator, month, (amount, reporting)| {
                    *out.entry((indicator, month)).or_default() += RollupChange { amount, reporting };
                },
            )?;
            Ok(out)
        })
        .await
    }
}

impl UnitStore for EmbeddedStore {
    const SHARED: bool = false;

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

    async fn replace_units(&self, units: &[Unit]) -> Result<(), StoreError> {
        let mut by_id: BTreeMap<UnitId, Unit> = units.iter().map(|u| (u.id.clone(), u.clone())).collect();
        self.blocking(move |db| {
            let txn = db.begin_write()?;
            {
                let mut table = txn.open_table(UNITS)?;
                let mut places = Vec::new();
                for row in table.iter()? {
                    let (position, stored) = row?;
                    let stored: Unit = parse(stored.value())?;
                    if let Some(unit) = by_id.remove(&stored.id) {
                        places.push((position.value(), unit));
                    }
                }
                if let Some(id) = by_id.keys().next() {
                    return Err(StoreError(format!("unit {id} is not stored: nothing replaced")));
                }
                for (position, unit) in places {
                    table.insert(position, json(&unit).as_slice())?;
                }
            }
            txn.commit()?;
            Ok(())
        })
        .await
    }

    async fn area_events(&self) -> Result<Vec<AreaRecord>, StoreError> {
        self.blocking(|db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(AREAS)?;
            table.iter()?.map(|row| parse(row?.1.value())).collect()
        })
        .await
    }

    /// The embedded file is read whole by its one process ([`UnitStore::SHARED`] is
    /// false): the trees are found from all its units, as the reference for DynamoDB's.
    async fn roots(&self) -> Result<Vec<UnitId>, StoreError> {
        Ok(self.units().await?.into_iter().filter(|u| u.parent.is_none()).map(|u| u.id).collect())
    }

    async fn root_of(&self, id: &UnitId) -> Result<Option<UnitId>, StoreError> {
        Ok(super::roots_of(&self.units().await?, &self.area_events().await?).remove(id))
    }

    async fn units_of(&self, root: &UnitId) -> Result<Vec<Unit>, StoreError> {
        let units = self.units().await?;
        let roots = super::roots_of(&units, &[]);
        Ok(units.into_iter().filter(|u| roots.get(&u.id) == Some(root)).collect())
    }

    async fn area_events_of(&self, root: &UnitId) -> Result<Vec<AreaRecord>, StoreError> {
        let events = self.area_events().await?;
        let roots = super::roots_of(&self.units().await?, &events);
        Ok(events.into_iter().filter(|r| roots.get(r.event.place()) == Some(root)).collect())
    }

    async fn area_event(&self, id: &EventId) -> Result<Option<AreaRecord>, StoreError> {
        let id = id.clone();
        self.blocking(move |db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(AREAS)?;
            table.get(id.as_str())?.map(|v| parse(v.value())).transpose()
        })
        .await
    }

    async fn file_area_event(
        &self,
        tree: &UnitTree,
        record: &AreaRecord,
        audit: &AuditEvent,
    ) -> Result<AreaRecord, StoreError> {
        let (tree, record, audit) = (tree.around([&audit.unit]), record.clone(), audit.clone());
        self.blocking(move |db| {
            let txn = db.begin_write()?;
            let stored = {
                let mut table = txn.open_table(AREAS)?;
                let earlier = table.get(record.event.id.as_str())?.map(|v| parse::<AreaRecord>(v.value()));
                match earlier {
                    Some(earlier) => Some(earlier?),
                    None => {
                        table.insert(record.event.id.as_str(), json(&record).as_slice())?;
                        None
                    }
                }
            };
            if let Some(earlier) = stored {
                return Ok(earlier);
            }
            access::file(&txn, &tree, &audit)?;
            txn.commit()?;
            Ok(record)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{AccessStore, NewDevice, SuccessionStore};

    /// A sync already past its token check when its device was succeeded lands nothing:
    /// the cells the succession handed over stay final.
    #[tokio::test]
    async fn a_sync_of_a_device_revoked_meanwhile_lands_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(&dir.path().join("revoked.redb")).unwrap();
        let tree = UnitTree::demo();
        let now = 1_795_600_000_000;
        let old = crate::enrolment::enrol(&store, &tree, domain::Role::Volunteer, "ntmk-to-11", "Tổ 11", now)
            .await
            .unwrap()
            .device;
        let cell = |inc| domain::CounterCell {
            area: UnitId::new("ntmk-to-11").unwrap(),
            indicator: IndicatorId::new("dat_hien").unwrap(),
            month: Month::new(2025, 11).unwrap(),
            inc,
            dec: 0,
        };
        let sync = |inc| SyncRequest {
            protocol: domain::PROTOCOL,
            device: old.clone(),
            entries: 0,
            counters: vec![cell(inc)],
            registers: vec![],
        };
        store.apply_sync(&tree, &sync(120)).await.unwrap().unwrap();
        let new = NewDevice {
            device: domain::DeviceId::new("d-next").unwrap(),
            label: "Tổ 11".into(),
            app_version: String::new(),
            token_hash: "hash".into(),
            now_ms: now + 1,
        };
        let (_, handed_over) = store.succeed_device(&tree, &old, &new).await.unwrap().unwrap();
        assert_eq!(handed_over, vec![cell(120)]);
        assert_eq!(store.apply_sync(&tree, &sync(150)).await.unwrap(), Err(AccessError::Revoked));
        assert_eq!(store.device_cells(&old).await.unwrap(), handed_over);
        let ward = UnitId::new("p-nguyen-thi-minh-khai").unwrap();
        let totals = store.counter_totals(&ward, ReportPeriod::year(2025).unwrap(), Freshness::Latest).await.unwrap();
        assert_eq!(totals[&IndicatorId::new("dat_hien").unwrap()], 120);
        assert!(store.device(&old).await.unwrap().unwrap().summary.revoked_at_ms.is_some());
    }

    #[test]
    fn a_file_of_an_older_layout_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.redb");
        {
            // What the first layout wrote: units, no layout version.
            let db = Database::create(&path).unwrap();
            let txn = db.begin_write().unwrap();
            txn.open_table(UNITS).unwrap().insert(0, b"{}".as_slice()).unwrap();
            txn.commit().unwrap();
        }
        let error = EmbeddedStore::open(&path).err().expect("refused");
        assert!(error.0.contains("layout version 1"), "{error}");
        let db = Database::create(&path).unwrap();
        let txn = db.begin_read().unwrap();
        assert!(txn.open_table(META).is_err(), "nothing written to the old file");
        drop(txn);
        drop(db);
        let fresh = dir.path().join("new.redb");
        EmbeddedStore::open(&fresh).unwrap();
        EmbeddedStore::open(&fresh).expect("a file of this layout opens again");
    }
}
