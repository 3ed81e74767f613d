//! Join codes, devices and the audit trail in the embedded store: each change and its
//! audit event in one redb write transaction.

use super::{EmbeddedStore, json, parse};
use crate::store::{AccessStore, Charge, CodeRecord, DeviceRecord, NewDevice, StoreError};
use domain::enrol::{AuditEvent, CodeSummary, DeviceSummary};
use domain::{AccessError, DeviceId, UnitId, UnitTree};
use redb::{ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};

/// SHA-256 of the code → JSON `CodeRecord`
const CODES: TableDefinition<&str, &[u8]> = TableDefinition::new("codes");
/// device id → JSON `DeviceRecord`
const DEVICES: TableDefinition<&str, &[u8]> = TableDefinition::new("devices");
/// (unit, at_ms, n) → JSON `AuditEvent`, filed under the unit and each ancestor
const AUDIT: TableDefinition<(&str, u64, u64), &[u8]> = TableDefinition::new("audit");
/// limit key → (window start, attempts in it)
const ATTEMPTS: TableDefinition<&str, (u64, u64)> = TableDefinition::new("attempts");

pub(super) fn open_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(CODES)?;
    txn.open_table(DEVICES)?;
    txn.open_table(AUDIT)?;
    txn.open_table(ATTEMPTS)?;
    Ok(())
}

/// Files `event` under its unit and every ancestor (`tree` holds them: [`UnitTree::around`]).
pub(super) fn file(txn: &WriteTransaction, tree: &UnitTree, event: &AuditEvent) -> Result<(), StoreError> {
    let mut audit = txn.open_table(AUDIT)?;
    let body = json(event);
    for unit in event.filed_under(tree) {
        let unit = unit.as_str();
        let next = audit
            .range((unit, event.at_ms, 0)..=(unit, event.at_ms, u64::MAX))?
            .next_back()
            .transpose()?
            .map_or(0, |(k, _)| k.value().2 + 1);
        audit.insert((unit, event.at_ms, next), body.as_slice())?;
    }
    Ok(())
}

pub(super) fn read_device(txn: &WriteTransaction, id: &str) -> Result<Option<DeviceRecord>, StoreError> {
    let devices = txn.open_table(DEVICES)?;

    devices.get(id)?.map(|v| parse::<DeviceRecord>(v.value())).transpose()
}

pub(super) fn write_device(txn: &WriteTransaction, record: &DeviceRecord) -> Result<(), StoreError> {
    txn.open_table(DEVICES)?.insert(record.summary.device.as_str(), json(record).as_slice())?;
    Ok(())
}

impl AccessStore for EmbeddedStore {
    async fn add_code(&self, tree: &UnitTree, code: &CodeRecord, event: &AuditEvent) -> Result<(), StoreError> {
        let (tree, code, event) = (tree.around([&event.unit]), code.clone(), event.clone());
        self.blocking(move |db| {
            let txn = db.begin_write()?;
            txn.open_table(CODES)?.insert(code.code_hash.as_str(), json(&code).as_slice())?;
            file(&txn, &tree, &event)?;
            txn.commit()?;
            Ok(())
        })
        .await
    }

    async fn codes(&self) -> Result<Vec<CodeSummary>, StoreError> {
        self.blocking(|db| {
            let txn = db.begin_read()?;
            let codes = txn.open_table(CODES)?;
            codes.iter()?.map(|row| Ok(parse::<CodeRecord>(row?.1.value())?.summary)).collect()
        })
        .await
    }

    async fn withdraw_code(
        &self,
        tree: &UnitTree,
        id: &str,
        event: &AuditEvent,
    ) -> Result<Option<CodeSummary>, StoreError> {
        let (tree, id, event) = (tree.around([&event.unit]), id.to_string(), event.clone());
        self.blocking(move |db| {
            let txn = db.begin_write()?;
            let found = {
                let mut codes = txn.open_table(CODES)?;
                let mut found = None;
                for row in codes.iter()? {
                    let (hash, value) = row?;
                    let record: CodeRecord = parse(value.value())?;
                    if record.summary.id == id {
                        found = Some((hash.value().to_string(), record));
                        break;
                    }
                }
                match found {
                    Some((hash, mut record)) if !record.summary.withdrawn => {
                        record.summary.withdrawn = true;
                        codes.insert(hash.as_str(), json(&record).as_slice())?;
                        Some((record.summary, true))
                    }
                    Some((_, record)) => Some((record.summary, false)),
                    None => None,
                }
            };
            if let Some((_, true)) = found {
                file(&txn, &tree, &event)?;
            }
            txn.commit()?;
            Ok(found.map(|(summary, _)| summary))
        })
        .await
    }

    async fn code(&self, code_hash: &str) -> Result<Option<CodeSummary>, StoreError> {
        let code_hash = code_hash.to_string();
        self.blocking(move |db| {
            let codes = db.begin_read()?.open_table(CODES)?;
            Ok(codes.get(code_hash.as_str())?.map(|v| parse::<CodeRecord>(v.value())).transpose()?.map(|c| c.summary))
        })
        .await
    }

    async fn redeem_code(
        &self,
        tree: &UnitTree,
        code_hash: &str,
        device: &NewDevice,
    ) -> Result<Result<DeviceSummary, AccessError>, StoreError> {
        let (tree, code_hash, device) = (tree.clone(), code_hash.to_string(), device.clone());
        self.blocking(move |db| {
            let txn = db.begin_write()?;
            let record = {
                let codes = txn.open_table(CODES)?;

                codes.get(code_hash.as_str())?.map(|v| parse::<CodeRecord>(v.value())).transpose()?
            };
            let Some(mut code) = record else { return Ok(Err(AccessError::UnknownCode)) };
            if let Err(refused) = code.summary.check_usable(device.now_ms) {
                return Ok(Err(refused));
            }
            code.summary.uses_left -= 1;
            txn.open_table(CODES)?.insert(code_hash.as_str(), json(&code).as_slice())?;
            let record = device.enrolled_by(&code.summary);
            write_device(&txn, &record)?;
            file(&txn, &tree, &NewDevice::enrolment_event(&code.summary, &record.summary))?;
            txn.commit()?;
            Ok(Ok(record.summary))
        })
        .await
    }

    async fn device(&self, id: &DeviceId) -> Result<Option<DeviceRecord>, StoreError> {
        let id = id.clone();
        self.blocking(move |db| {
            let txn = db.begin_read()?;
            let devices = txn.open_table(DEVICES)?;

            devices.get(id.as_str())?.map(|v| parse(v.value())).transpose()
        })
        .await
    }

    async fn devices(&self) -> Result<Vec<DeviceSummary>, StoreError> {
        self.blocking(|db| {
            let txn = db.begin_read()?;
            let devices = txn.open_table(DEVICES)?;
            devices.iter()?.map(|row| Ok(parse::<DeviceRecord>(row?.1.value())?.summary)).collect()
        })
        .await
    }

    async fn revoke_device(
        &self,
        tree: &UnitTree,
        id: &DeviceId,
        event: &AuditEvent,
    ) -> Result<Option<DeviceSummary>, StoreError> {
        let (tree, id, event) = (tree.around([&event.unit]), id.clone(), event.clone());
        self.blocking(move |db| {
            let txn = db.begin_write()?;
            let Some(mut record) = read_device(&txn, id.as_str())? else { return Ok(None) };
            if record.summary.revoked_at_ms.is_none() {
                record.summary.revoked_at_ms = Some(event.at_ms);
                write_device(&txn, &record)?;
                file(&txn, &tree, &event)?;
            }
            txn.commit()?;
            Ok(Some(record.summary))
        })
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn charge_sync(
        &self,
        id: &DeviceId,
        day: u64,
        cells: u64,
        max: u64,
        at_ms: u64,
        _: Option<(u64, u64)>,
        entries_seen: u64,
    ) -> Result<bool, StoreError> {
        let (id, charge) = (id.clone(), Charge { day, cells, max, at_ms, known: None, entries_seen });
        self.write(move |txn| charge_in(txn, &id, &charge)).await
    }

    async fn file_event(&self, tree: &UnitTree, event: &AuditEvent) -> Result<(), StoreError> {
        let (tree, event) = (tree.around([&event.unit]), event.clone());
        self.write(move |txn| {
            file(txn, &tree, &event)?;
            Ok(())
        })
        .await
    }

    async fn count_attempt(&self, key: &str, window_ms: u64, _expires_ms: u64) -> Result<u64, StoreError> {
        let key = key.to_string();
        self.blocking(move |db| {
            let txn = db.begin_write()?;
            let count = {
                let mut attempts = txn.open_table(ATTEMPTS)?;
                // Only the current window of a key is kept.
                let count = match attempts.get(key.as_str())?.map(|v| v.value()) {
                    Some((window, count)) if window == window_ms => count + 1,
                    _ => 1,
                };
                attempts.insert(key.as_str(), (window_ms, count))?;
                count
            };
            txn.commit()?;
            Ok(count)
        })
        .await
    }

    async fn audit(&self, unit: &UnitId, limit: usize) -> Result<Vec<AuditEvent>, StoreError> {
        let unit = unit.clone();
        self.blocking(move |db| {
            let txn = db.begin_read()?;
            let audit = txn.open_table(AUDIT)?;
            let rows = audit.range((unit.as_str(), 0, 0)..=(unit.as_str(), u64::MAX, u64::MAX))?;
            rows.rev().take(limit).map(|row| parse(row?.1.value())).collect()
        })
        .await
    }
}

/// Charges a sync to its device's quota in `txn` (see [`AccessStore::charge_sync`]).
pub(super) fn charge_in(txn: &WriteTransaction, id: &DeviceId, charge: &Charge) -> Result<bool, StoreError> {
    let Some(mut record) = read_device(txn, id.as_str())? else { return Ok(true) };
    let Some(quota) = domain::limits::charge(record.quota, charge.day, charge.cells, charge.max) else {
        return Ok(false);
    };
    record.quota = Some(quota);
    record.summary.last_sync_ms = Some(charge.at_ms);
    record.entries_seen = record.entries_seen.max(charge.entries_seen);
    write_device(txn, &record)?;
    Ok(true)
}

/// Whether `device` was revoked (voided, or succeeded by another).
pub(super) fn is_revoked(txn: &WriteTransaction, device: &DeviceId) -> Result<bool, StoreError> {
    let record = read_device(txn, device.as_str())?;
    Ok(record.is_some_and(|d| d.summary.revoked_at_ms.is_some() || d.summary.voided_at_ms.is_some()))
}
