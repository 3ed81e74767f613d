//! Scoring sheets in DynamoDB: a sheet is put on the condition that its id is new, in one
//! transaction with its audit event; a cancelled transaction is told apart by reading the
//! sheet (a try whose answer was lost finds its own write there).

use super::DynamoStore;
use super::items;
use crate::store::{SheetStore, StoreError};
use domain::enrol::AuditEvent;
use domain::{SheetRecord, UnitTree};

impl SheetStore for DynamoStore {
    async fn sheets(&self) -> Result<Vec<SheetRecord>, StoreError> {
        self.query(items::SHEETS.into(), None, true).await?.iter().map(items::sheet_of).collect()
    }

    async fn file_sheet(
        &self,
        tree: &UnitTree,
        record: &SheetRecord,
        audit: &AuditEvent,
    ) -> Result<SheetRecord, StoreError> {
        let item = items::sheet_item(record);
        let mut writes = vec![self.put_if_new(item)?];
        writes.extend(self.audit_puts(tree, audit)?);
        if self.transact(writes).await? {
            return Ok(record.clone());
        }
        match self.get(items::SHEETS, record.sheet.id.as_str()).await? {
            Some(stored) => items::sheet_of(&stored),
            None => Err(StoreError("a scoring sheet could not be filed; try again".into())),
        }
    }
}
