//! Models in DynamoDB: one transaction puts the step (on the condition that its id is
//! new), moves the model's count of steps from the count it was checked against (so two
//! Lambda instances cannot both add a step to one model's same state) and files the audit
//! event. A cancelled transaction is told apart by reading the model's steps (a try
//! whose answer was lost finds its own record there).

use super::items::{self, key, n};
use super::{DynamoStore, build};
use crate::store::{Filing, ModelStore, StoreError};
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use domain::enrol::AuditEvent;
use domain::{ModelId, ModelRecord, UnitTree};

impl ModelStore for DynamoStore {
    async fn model_steps(&self) -> Result<Vec<ModelRecord>, StoreError> {
        let items = self.query(items::MODELS.into(), None, true).await?;
        Ok(items.iter().map(items::model_step_of).collect::<Result<Vec<_>, _>>()?.into_iter().flatten().collect())
    }

    async fn steps_of(&self, model: &ModelId) -> Result<Vec<ModelRecord>, StoreError> {
        let items = self.query(items::MODELS.into(), Some(items::model_steps_range(model)), true).await?;
        Ok(items.iter().map(items::model_step_of).collect::<Result<Vec<_>, _>>()?.into_iter().flatten().collect())
    }

    async fn file_model_step(
        &self,
        tree: &UnitTree,
        record: &ModelRecord,
        audit: &AuditEvent,
    ) -> Result<Filing, StoreError> {
        let known = record.seq;
        let step = items::model_step_item(record);
        let mut count = key(items::MODELS.into(), record.event.model.to_string());
        count.insert("n".into(), n(known + 1));
        let count = Put::builder().table_name(&self.table).set_item(Some(count));
        let count = match known {
            0 => count.condition_expression("attribute_not_exists(pk)"),
            _ => count
                .condition_expression("#n = :known")
                .expression_attribute_names("#n", "n")
                .expression_attribute_values(":known", n(known)),
        };
        let count = TransactWriteItem::builder().put(count.build().map_err(build)?).build();
        let mut writes = vec![self.put_if_new(step)?, count];
        writes.extend(self.audit_puts(tree, audit)?);
        if self.transact(writes).await? {
            return Ok(Filing::Filed);
        }
        let stored = self.steps_of(&record.event.model).await?;
        Ok(match stored.into_iter().find(|s| s.event.id == record.event.id) {
            // This very record: a try whose answer was lost landed.
            Some(earlier) if earlier == *record => Filing::Filed,
            Some(earlier) => Filing::Earlier(earlier),
            None => Filing::Moved,
        })
    }
}
