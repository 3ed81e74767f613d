//! A province's changes to its catalogue in the embedded store: each under (province,
//! indicator, its place among that indicator's changes), filed with its audit event in one
//! redb write transaction on the condition that the place is free.

use super::access::file;
use super::{EmbeddedStore, json, parse};
use crate::store::{CatalogueStore, StoreError};
use domain::enrol::AuditEvent;
use domain::{CatalogueChangeRecord, UnitId, UnitTree};
use redb::{ReadableDatabase, ReadableTable, TableDefinition};

/// (province, indicator, seq) → JSON of the `CatalogueChangeRecord`.
pub(super) const CATALOGUE: TableDefinition<(&str, &str, u32), &[u8]> = TableDefinition::new("catalogue");

impl CatalogueStore for EmbeddedStore {
    async fn catalogue_changes(&self, province: &UnitId) -> Result<Vec<CatalogueChangeRecord>, StoreError> {
        let province = province.to_string();
        self.blocking(move |db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(CATALOGUE)?;
            let rows = table.range((province.as_str(), "", 0)..)?;
            let mine = rows.take_while(|row| row.as_ref().map_or(true, |(key, _)| key.value().0 == province));
            mine.map(|row| parse(row?.1.value())).collect()
        })
        .await
    }

    async fn file_catalogue_change(
        &self,
        tree: &UnitTree,
        record: &CatalogueChangeRecord,
        audit: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let (tree, record, audit) = (tree.around([&audit.unit]), record.clone(), audit.clone());
        self.blocking(move |db| {
            let txn = db.begin_write()?;
            {
                let mut table = txn.open_table(CATALOGUE)?;
                let key = (record.change.province.as_str(), record.change.edit.indicator().as_str(), record.seq);
                if table.get(key)?.is_some() {
                    return Ok(false);
                }
                table.insert(key, json(&record).as_slice())?;
            }
            file(&txn, &tree, &audit)?;
            txn.commit()?;
            Ok(true)
        })
        .await
    }
}
