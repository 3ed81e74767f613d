//! Honours in the embedded store: each record under its id, filed or withdrawn with its
//! audit event in one redb write transaction.

use super::access::file;
use super::{EmbeddedStore, json, parse};
use crate::store::{HonourStore, StoreError};
use domain::enrol::AuditEvent;
use domain::honour::Withdrawal;
use domain::{EventId, HonourRecord, UnitTree};
use redb::{ReadableDatabase, ReadableTable, TableDefinition};

/// id → JSON of the `HonourRecord`.
pub(super) const HONOURS: TableDefinition<&str, &[u8]> = TableDefinition::new("honours");

impl HonourStore for EmbeddedStore {
    async fn honours(&self) -> Result<Vec<HonourRecord>, StoreError> {
        self.blocking(|db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(HONOURS)?;
            table.iter()?.map(|row| parse(row?.1.value())).collect()
        })
        .await
    }

    async fn honour(&self, id: &EventId) -> Result<Option<HonourRecord>, StoreError> {
        let id = id.clone();
        self.blocking(move |db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(HONOURS)?;
            table.get(id.as_str())?.map(|v| parse(v.value())).transpose()
        })
        .await
    }

    async fn file_honour(
        &self,
        tree: &UnitTree,
        record: &HonourRecord,
        audit: &AuditEvent,
    ) -> Result<HonourRecord, StoreError> {
        let (tree, record, audit) = (tree.around([&audit.unit]), record.clone(), audit.clone());
        self.blocking(move |db| {
            let txn = db.begin_write()?;
            {
                let mut table = txn.open_table(HONOURS)?;
                if let Some(earlier) = table.get(record.honour.id.as_str())? {
                    return parse(earlier.value());
                }
                table.insert(record.honour.id.as_str(), json(&record).as_slice())?;
            }
            file(&txn, &tree, &audit)?;
            txn.commit()?;
            Ok(record)
        })
        .await
    }

    async fn withdraw_honour(
        &self,
        tree: &UnitTree,
        id: &EventId,
        withdrawal: &Withdrawal,
        audit: &AuditEvent,
    ) -> Result<Option<HonourRecord>, StoreError> {
        let (tree, id, withdrawal, audit) = (tree.around([&audit.unit]), id.clone(), withdrawal.clone(), audit.clone());
        self.blocking(move |db| {
            let txn = db.begin_write()?;
            let updated = {
                let mut table = txn.open_table(HONOURS)?;
                let stored = table.get(id.as_str())?.map(|v| parse::<HonourRecord>(v.value())).transpose()?;
                match stored {
                    None => return Ok(None),
                    Some(record) if record.withdrawn.is_some() => return Ok(Some(record)),
                    Some(record) => {
                        let updated = HonourRecord { withdrawn: Some(withdrawal), ..record };
                        table.insert(id.as_str(), json(&updated).as_slice())?;
                        updated
                    }
                }
            };
            file(&txn, &tree, &audit)?;
            txn.commit()?;
            Ok(Some(updated))
        })
        .await
    }
}
