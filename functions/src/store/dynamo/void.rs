//! Voiding a device in DynamoDB: the device is marked voided (and revoked) with its audit
//! event first, so its next requests are refused; then each of its cell items, and each
//! register item of its scope area holding a bucket it wins, is removed in a transaction of
//! its own together with the totals and rollups it moves, on the condition that the item
//! still has the version read. A void interrupted or retried reads again and removes only
//! what is left, so nothing moves twice. A sync that was already past its token check
//! when the void began may still land a new cell; voiding again takes it back.

use super::items::{self, RegisterItemKey, Registers, n};
use super::retry::backoff;
use super::{DynamoStore, MAX_ATTEMPTS, build};
use crate::store::{AccessStore, StoreError, VoidStore};
use aws_sdk_dynamodb::types::{Delete, TransactWriteItem};
use domain::enrol::{AuditEvent, DeviceSummary};
use domain::{CounterKey, DeviceId, Month, UnitId, UnitTree, VoidPlan, plan_void};
use std::collections::BTreeMap;

impl VoidStore for DynamoStore {
    async fn void_device(
        &self,
        tree: &UnitTree,
        id: &DeviceId,
        event: &AuditEvent,
    ) -> Result<Option<(DeviceSummary, usize)>, StoreError> {
        let Some(found) = self.device(id).await? else { return Ok(None) };
        if found.summary.voided_at_ms.is_none() {
            let mark = self
                .update(super::access::DEVICES, id.as_str())
                .update_expression("SET voided_at = :at, revoked_at = if_not_exists(revoked_at, :at)")
                .condition_expression("attribute_exists(pk) AND attribute_not_exists(voided_at)")
                .expression_attribute_values(":at", n(event.at_ms))
                .build()
                .map_err(build)?;
            let mut writes = vec![TransactWriteItem::builder().update(mark).build()];
            writes.extend(self.audit_puts(tree, event)?);
            // A failed condition: voided meanwhile by another call, which filed the event.
            self.transact(writes).await?;
        }
        let scope = found.summary.scope.clone();
        // What the first pass finds is what this call removes: a removal whose answer was
        // lost is found gone on the next pass.
        let mut removed = None;
        for attempt in 0..MAX_ATTEMPTS {
            let (done, planned) = self.remove_contributions(tree, id, &scope).await?;
            let removed = *removed.get_or_insert(planned);
            if done {
                let summary = self.device(id).await?.map(|d| d.summary).unwrap_or(found.summary);
                return Ok(Some((summary, removed)));
            }
            backoff(attempt).await;
        }
        Err(StoreError(format!("void not finished after {MAX_ATTEMPTS} attempts (contention); run it again")))
    }
}

impl DynamoStore {
    /// One pass over the device's items: `true` when every removal landed, and how many
    /// cells and buckets it found to remove.
    async fn remove_contributions(
        &self,
        tree: &UnitTree,
        id: &DeviceId,
        scope: &UnitId,
    ) -> Result<(bool, usize), StoreError> {
        let (mut done, mut removed) = (true, 0);
        for item in self.query(format!("DEV#{id}"), None, true).await? {
            let key = items::cells_key_of(id, &item)?;
            let cells = items::cells_of(&item)?;
            let states = cells.states.iter().map(|(indicator, state)| {
                (CounterKey { area: key.area.clone(), indicator: indicator.clone(), month: key.month }, *state)
            });
            let plan = plan_void(id, tree, states.collect::<Vec<_>>(), []);
            let delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(items::cells_key(&key)))
                .condition_expression("#v = :v")
                .expression_attribute_names("#v", "v")
                .expression_attribute_values(":v", n(cells.version))
                .build()
                .map_err(build)?;
            let mut writes = vec![TransactWriteItem::builder().delete(delete).build()];
            writes.extend(self.aggregate_writes(&plan)?);
            removed += plan.counters.len();
            done &= self.transact(writes).await?;
        }
        for item in self.query(format!("REG#{scope}"), None, true).await? {
            let indicator = item.get("sk").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
            let indicator = domain::IndicatorId::new(indicator).map_err(|e| StoreError(e.to_string()))?;
            let stored = items::registers_of(&item)?;
            let plan = plan_void(id, tree, [], [((scope.clone(), indicator.clone()), stored.history.clone())]);
            if plan.registers.is_empty() {
                continue;
            }
            let mut kept = Registers { version: stored.version + 1, history: stored.history.clone() };
            for key in &plan.registers {
                kept.history.remove(&key.bucket);
            }
            let key = RegisterItemKey::new(scope, &indicator);
            let mut writes = vec![self.versioned_put(items::register_item(&key, &kept), Some(stored.version))?];
            writes.extend(self.aggregate_writes(&plan)?);
            removed += plan.registers.len();
            done &= self.transact(writes).await?;
        }
        Ok((done, removed))
    }

    /// One `ADD` per totals or rollups item a void plan moves.
    fn aggregate_writes(&self, plan: &VoidPlan) -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut totals: BTreeMap<(UnitId, Month), Vec<(String, i64)>> = BTreeMap::new();
        for (key, delta) in &plan.totals {
            totals.entry((key.unit.clone(), key.month)).or_default().push((key.indicator.to_string(), *delta));
        }
        let mut rollups: BTreeMap<(UnitId, Month), Vec<(String, i64)>> = BTreeMap::new();
        for (key, change) in &plan.rollups {
            let (amount, reporting) = items::rollup_names(&key.indicator);
            let adds = rollups.entry((key.unit.clone(), key.month)).or_default();
            adds.extend([(amount, change.amount), (reporting, change.reporting)].into_iter().filter(|(_, v)| *v != 0));
        }
        let mut writes = Vec::new();
        for ((unit, month), adds) in totals {
            writes.push(self.add_update(items::totals_key(&unit, month), &adds)?.0);
        }
        for ((unit, month), adds) in rollups {
            writes.push(self.add_update(items::rollups_key(&unit, month), &adds)?.0);
        }
        Ok(writes)
    }
}
