//! Models in the embedded store: each step under (model, step id), filed with its audit
//! event in one redb write transaction, which also checks that the model's steps are still
//! those it was checked against.

use super::access::file;
use super::{EmbeddedStore, json, parse};
use crate::store::{Filing, ModelStore, StoreError};
use domain::enrol::AuditEvent;
use domain::{ModelId, ModelRecord, UnitTree};
use redb::{ReadableDatabase, ReadableTable, TableDefinition};

/// (model, step id) → JSON of the `ModelRecord`.
pub(super) const MODELS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("models");

/// The stored steps of `model`.
fn steps(
    table: &impl ReadableTable<(&'static str, &'static str), &'static [u8]>,
    model: &str,
) -> Result<Vec<ModelRecord>, StoreError> {
    let mut out = Vec::new();
    for row in table.range((model, "")..)? {
        let (key, value) = row?;
        if key.value().0 != model {
            break;
        }
        out.push(parse(value.value())?);
    }
    Ok(out)
}

impl ModelStore for EmbeddedStore {
    async fn model_steps(&self) -> Result<Vec<ModelRecord>, StoreError> {
        self.blocking(|db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(MODELS)?;
            table.iter()?.map(|row| parse(row?.1.value())).collect()
        })
        .await
    }

    async fn steps_of(&self, model: &ModelId) -> Result<Vec<ModelRecord>, StoreError> {
        let model = model.clone();
        self.blocking(move |db| {
            let txn = db.begin_read()?;
            steps(&txn.open_table(MODELS)?, model.as_str())
        })
        .await
    }

    async fn file_model_step(
        &self,
        tree: &UnitTree,
        record: &ModelRecord,
        audit: &AuditEvent,
    ) -> Result<Filing, StoreError> {
        let known = record.seq;
        let (tree, record, audit) = (tree.around([&audit.unit]), record.clone(), audit.clone());
        self.blocking(move |db| {
            let txn = db.begin_write()?;
            {
                let mut table = txn.open_table(MODELS)?;
                let stored = steps(&table, record.event.model.as_str())?;
                if let Some(earlier) = stored.iter().find(|s| s.event.id == record.event.id) {
                    return Ok(Filing::Earlier(earlier.clone()));
                }
                if stored.len() != known {
                    return Ok(Filing::Moved);
                }
                table.insert((record.event.model.as_str(), record.event.id.as_str()), json(&record).as_slice())?;
            }
            file(&txn, &tree, &audit)?;
            txn.commit()?;
            Ok(Filing::Filed)
        })
        .await
    }
}
