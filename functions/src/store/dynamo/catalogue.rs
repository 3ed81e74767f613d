//! A province's changes to its catalogue in DynamoDB: each in `CATALOGUE#{province}`
//! under `{indicator}#{seq}`, put on the condition that the place is new, in one
//! transaction with its audit event.

use super::DynamoStore;
use super::items;
use crate::store::{CatalogueStore, StoreError};
use domain::enrol::AuditEvent;
use domain::{CatalogueChangeRecord, UnitId, UnitTree};

impl CatalogueStore for DynamoStore {
    async fn catalogue_changes(&self, province: &UnitId) -> Result<Vec<CatalogueChangeRecord>, StoreError> {
        let found = self.query(items::catalogue_pk(province), None, true).await?;
        found.iter().map(items::catalogue_change_of).collect()
    }

    async fn file_catalogue_change(
        &self,
        tree: &UnitTree,
        record: &CatalogueChangeRecord,
        audit: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let mut writes = vec![self.put_if_new(items::catalogue_change_item(record))?];
        writes.extend(self.audit_puts(tree, audit)?);
        if self.transact(writes).await? {
            return Ok(true);
        }
        // Refused: the place is taken, by this very change (a try whose answer was lost)
        // or by another.
        let key = items::catalogue_change_item(record);
        let (pk, sk) = (items::text(&key, "pk")?, items::text(&key, "sk")?);
        match self.get(pk, sk).await? {
            Some(stored) => Ok(items::catalogue_change_of(&stored)? == *record),
            None => Err(StoreError("a change of the catalogue could not be filed; try again".into())),
        }
    }
}
