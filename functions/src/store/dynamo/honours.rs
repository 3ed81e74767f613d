//! Honours in DynamoDB: a record is put on the condition that its id is new, a withdrawal
//! updates it on the condition that it exists and is not withdrawn yet; each in one
//! transaction with its audit event. A cancelled transaction is told apart by reading the
//! record (a try whose answer was lost finds its own write there).

use super::items::{self, s};
use super::{DynamoStore, build};
use crate::store::{HonourStore, StoreError};
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use domain::enrol::AuditEvent;
use domain::honour::Withdrawal;
use domain::{EventId, HonourRecord, UnitTree};

impl HonourStore for DynamoStore {
    async fn honours(&self) -> Result<Vec<HonourRecord>, StoreError> {
        self.query(items::HONOURS.into(), None, true).await?.iter().map(items::honour_of).collect()
    }

    async fn honour(&self, id: &EventId) -> Result<Option<HonourRecord>, StoreError> {
        self.get(items::HONOURS, id.as_str()).await?.as_ref().map(items::honour_of).transpose()
    }

    async fn file_honour(
        &self,
        tree: &UnitTree,
        record: &HonourRecord,
        audit: &AuditEvent,
    ) -> Result<HonourRecord, StoreError> {
        let item = items::honour_item(record);
        let mut writes = vec![self.put_if_new(item)?];
        writes.extend(self.audit_puts(tree, audit)?);
        if self.transact(writes).await? {
            return Ok(record.clone());
        }
        match self.honour(&record.honour.id).await? {
            Some(stored) => Ok(stored),
            None => Err(StoreError("a record of an honour could not be filed; try again".into())),
        }
    }

    async fn withdraw_honour(
        &self,
        tree: &UnitTree,
        id: &EventId,
        withdrawal: &Withdrawal,
        audit: &AuditEvent,
    ) -> Result<Option<HonourRecord>, StoreError> {
        let Some(stored) = self.honour(id).await? else { return Ok(None) };
        if stored.withdrawn.is_some() {
            return Ok(Some(stored));
        }
        let updated = HonourRecord { withdrawn: Some(withdrawal.clone()), ..stored };
        let mut item = items::honour_item(&updated);
        item.insert("withdrawn".into(), s("1"));
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(withdrawn)")
            .build()
            .map_err(build)?;
        let mut writes = vec![TransactWriteItem::builder().put(put).build()];
        writes.extend(self.audit_puts(tree, audit)?);
        self.transact(writes).await?;
        // Landed now, landed on a try whose answer was lost, or withdrawn meanwhile: as stored.
        self.honour(id).await
    }
}
