//! Voiding a device in the embedded store: the whole plan, the device's mark and the
//! audit event in one redb write transaction.

use super::access::{file, read_device, write_device};
use super::{COUNTERS, EmbeddedStore, REGISTERS, ROLLUPS, TOTALS, cells_of_device, parse};
use crate::store::{StoreError, VoidStore};
use domain::enrol::{AuditEvent, DeviceSummary};
use domain::{DeviceId, IndicatorId, RegisterHistory, RegisterState, UnitId, UnitTree, plan_void};
use redb::{ReadableTable, WriteTransaction};
use std::collections::BTreeMap;

impl VoidStore for EmbeddedStore {
    async fn void_device(
        &self,
        tree: &UnitTree,
        id: &DeviceId,
        event: &AuditEvent,
    ) -> Result<Option<(DeviceSummary, usize)>, StoreError> {
        let (tree, id, event) = (tree.clone(), id.clone(), event.clone());
        self.blocking(move |db| {
            let txn = db.begin_write()?;
            let Some(mut record) = read_device(&txn, id.as_str())? else { return Ok(None) };
            let first = record.summary.voided_at_ms.is_none();
            record.summary.voided_at_ms.get_or_insert(event.at_ms);
            record.summary.revoked_at_ms.get_or_insert(event.at_ms);
            let removed = void_plan(&txn, &tree, &id, &record.summary.scope)?;
            if first {
                write_device(&txn, &record)?;
                file(&txn, &tree, &event)?;
            }
            txn.commit()?;
            Ok(Some((record.summary, removed)))
        })
        .await
    }
}

/// Reads what the device holds, plans its void and persists the plan; returns its size.
fn void_plan(txn: &WriteTransaction, tree: &UnitTree, id: &DeviceId, scope: &UnitId) -> Result<usize, StoreError> {
    let mut counters = txn.open_table(COUNTERS)?;
    let mut registers = txn.open_table(REGISTERS)?;
    let cells = cells_of_device(&counters, id)?.into_iter().map(|c| (c.key(), c.state()));
    let mut histories: BTreeMap<(UnitId, IndicatorId), RegisterHistory> = BTreeMap::new();
    for row in registers.range((scope.as_str(), "", "")..)? {
        let (key, value) = row?;
        let (area, indicator, bucket) = key.value();
        if area != scope.as_str() {
            break;
        }
        let indicator = IndicatorId::new(indicator).map_err(corrupt)?;
        let state: RegisterState = parse(value.value())?;
        histories.entry((scope.clone(), indicator)).or_default().insert(bucket.parse().map_err(corrupt)?, state);
    }
    let plan = plan_void(id, tree, cells, histories);
    for k in &plan.counters {
        let month = k.cell.month.to_string();
        counters.remove((k.device.as_str(), k.cell.area.as_str(), k.cell.indicator.as_str(), month.as_str()))?;
    }
    for k in &plan.registers {
        registers.remove((k.area.as_str(), k.indicator.as_str(), k.bucket.to_string().as_str()))?;
    }
    let mut totals = txn.open_table(TOTALS)?;
    for (k, delta) in &plan.totals {
        let month = k.month.to_string();
        let key = (k.unit.as_str(), k.indicator.as_str(), month.as_str());
        let old = totals.get(key)?.map_or(0, |v| v.value());
        totals.insert(key, old + delta)?;
    }
    let mut rollups = txn.open_table(ROLLUPS)?;
    for (k, change) in &plan.rollups {
        let month = k.month.to_string();
        let key = (k.unit.as_str(), k.indicator.as_str(), month.as_str());
        let (amount, reporting) = rollups.get(key)?.map_or((0, 0), |v| v.value());
        rollups.insert(key, (amount + change.amount, reporting + change.reporting))?;
    }
    Ok(plan.counters.len() + plan.registers.len())
}

fn corrupt(e: domain::DomainError) -> StoreError {
    StoreError(format!("corrupt key: {e}"))
}
