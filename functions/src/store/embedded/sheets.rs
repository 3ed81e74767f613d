//! Scoring sheets in the embedded store: each under its id, filed with its audit event in
//! one redb write transaction.

use super::access::file;
use super::{EmbeddedStore, json, parse};
use crate::store::{SheetStore, StoreError};
use domain::enrol::AuditEvent;
use domain::{SheetRecord, UnitTree};
use redb::{ReadableDatabase, ReadableTable, TableDefinition};

/// id → JSON of the `SheetRecord`.
pub(super) const SHEETS: TableDefinition<&str, &[u8]> = TableDefinition::new("sheets");

impl SheetStore for EmbeddedStore {
    async fn sheets(&self) -> Result<Vec<SheetRecord>, StoreError> {
        self.blocking(|db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(SHEETS)?;
            table.iter()?.map(|row| parse(row?.1.value())).collect()
        })
        .await
    }

    async fn file_sheet(
        &self,
        tree: &UnitTree,
        record: &SheetRecord,
        audit: &AuditEvent,
    ) -> Result<SheetRecord, StoreError> {
        let (tree, record, audit) = (tree.around([&audit.unit]), record.clone(), audit.clone());
        self.blocking(move |db| {
            let txn = db.begin_write()?;
            {
                let mut table = txn.open_table(SHEETS)?;
                if let Some(earlier) = table.get(record.sheet.id.as_str())? {
                    return parse(earlier.value());
                }
                table.insert(record.sheet.id.as_str(), json(&record).as_slice())?;
            }
            file(&txn, &tree, &audit)?;
            txn.commit()?;
            Ok(record)
        })
        .await
    }
}
