//! Join codes, devices and the audit trail in the DynamoDB table.
//!
//! | item | pk | sk | attributes |
//! |---|---|---|---|
//! | a join code | `CODES` | SHA-256 of the code | `record` (JSON `CodeRecord` as issued), `uses_left`, `withdrawn` |
//! | a device | `DEVICES` | device id | `record` (JSON `DeviceRecord` as enrolled), `last_sync`, `revoked_at`, `voided_at`, `replaced_by`, `quota_day`, `quota_used`, `entries_seen` |
//! | an audit event | `AUDIT#{unit}` | `{at_ms, 16 digits}#{random}` | `event` (JSON), filed under the unit and each ancestor |
//! | attempts in a limit's window | `LIMIT#{limit}#{client or code}` | window start, 16 digits | `attempts`, `expires` (time to live) |
//!
//! What changes after issue or enrolment lives in attributes of its own, so a sync noting
//! its time never overwrites a revocation. A redemption takes a use on the condition that
//! the code still has the uses read; a race for the last use is won by one phone only.

use super::items::{Item, key, n, s};
use super::retry::{backoff, transaction_worth_retrying};
use super::{DynamoStore, MAX_ATTEMPTS, build, sdk};
use crate::store::{AccessStore, CodeRecord, DeviceRecord, NewDevice, StoreError};
use aws_sdk_dynamodb::types::{AttributeValue, Put, PutRequest, TransactWriteItem, Update, WriteRequest};
use domain::enrol::{AuditEvent, CodeSummary, DeviceSummary};
use domain::{AccessError, DeviceId, UnitId, UnitTree};

const CODES: &str = "CODES";
pub(super) const DEVICES: &str = "DEVICES";

fn json<T: serde::Serialize>(value: &T) -> AttributeValue {
    s(serde_json::to_string(value).expect("records serialise"))
}

fn parse<T: serde::de::DeserializeOwned>(item: &Item, name: &str) -> Result<T, StoreError> {
    let text = item.get(name).and_then(|v| v.as_s().ok()).ok_or_else(|| StoreError(format!("item without {name}")))?;
    serde_json::from_str(text).map_err(|e| StoreError(format!("corrupt {name}: {e}")))
}

fn number(item: &Item, name: &str) -> Option<u64> {
    item.get(name).and_then(|v| v.as_n().ok()).and_then(|v| v.parse().ok())
}

fn code_of(item: &Item) -> Result<CodeSummary, StoreError> {
    let mut record: CodeRecord = parse(item, "record")?;
    record.summary.uses_left = number(item, "uses_left").unwrap_or(0) as u16;
    record.summary.withdrawn = item.get("withdrawn").and_then(|v| v.as_bool().ok()).copied().unwrap_or(false);
    Ok(record.summary)
}

fn device_of(item: &Item) -> Result<DeviceRecord, StoreError> {
    let mut record: DeviceRecord = parse(item, "record")?;
    record.summary.last_sync_ms = number(item, "last_sync");
    record.summary.revoked_at_ms = number(item, "revoked_at");
    record.summary.voided_at_ms = number(item, "voided_at");
    let successor = item.get("replaced_by").and_then(|v| v.as_s().ok());
    record.summary.replaced_by = successor.map(DeviceId::new).transpose().map_err(|e| StoreError(e.to_string()))?;
    record.quota = number(item, "quota_day").zip(number(item, "quota_used"));
    record.entries_seen = number(item, "entries_seen").unwrap_or(0);
    Ok(record)
}

impl DynamoStore {
    /// The puts filing `event` under its unit and each ancestor.
    pub(super) fn audit_puts(&self, tree: &UnitTree, event: &AuditEvent) -> Result<Vec<TransactWriteItem>, StoreError> {
        let sk = format!("{:016}#{:08x}", event.at_ms, fastrand::u32(..));
        event
            .filed_under(tree)
            .into_iter()
            .map(|unit| {
                let mut item = key(format!("AUDIT#{unit}"), sk.clone());
                item.insert("event".into(), json(event));
                let put = Put::builder().table_name(&self.table).set_item(Some(item)).build().map_err(build)?;
                Ok(TransactWriteItem::builder().put(put).build())
            })
            .collect()
    }

    /// Writes `writes` in one transaction. `Ok(false)`: a condition failed (or a conflict
    /// or throttling outlasted the retries): read again and decide again.
    pub(super) async fn transact(&self, writes: Vec<TransactWriteItem>) -> Result<bool, StoreError> {
        // Counted by item size, twice as a transaction; an update's item is taken as 1 KB.
        let sizes: Vec<u64> =
            (writes.iter()).map(|w| w.put().map_or(1024, |put| super::capacity::item_size(put.item()))).collect();
        for attempt in 0..MAX_ATTEMPTS {
            match self.client.transact_write_items().set_transact_items(Some(writes.clone())).send().await {
                Ok(_) => {
                    self.meter.transactional_write(sizes);
                    return Ok(true);
                }
                Err(e) if is_condition_failure(&e) => return Ok(false),
                Err(e) if transaction_worth_retrying(&e) => backoff(attempt).await,
                Err(e) => return Err(sdk(e)),
            }
        }
        Ok(false)
    }

    /// The `Put` of a newly enrolled device, on the condition that its id is new.
    pub(super) fn new_device_put(&self, record: &DeviceRecord) -> Result<TransactWriteItem, StoreError> {
        let mut item = key(DEVICES.into(), record.summary.device.to_string());
        item.insert("record".into(), json(record));
        self.put_if_new(item)
    }

    /// The `Put` of `item`, on the condition that no item has its key yet.
    pub(super) fn put_if_new(&self, item: Item) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(build)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    pub(super) async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        let key = key(pk.to_string(), sk.to_string());
        let output =
            self.client.get_item().table_name(&self.table).set_key(Some(key)).consistent_read(true).send().await;
        let output = output.map_err(sdk)?;
        self.meter.point_read(output.item().map(super::capacity::item_size));
        Ok(output.item)
    }

    pub(super) fn update(&self, pk: &str, sk: &str) -> aws_sdk_dynamodb::types::builders::UpdateBuilder {
        Update::builder().table_name(&self.table).set_key(Some(key(pk.to_string(), sk.to_string())))
    }
}

/// A transaction cancelled because a condition of ours failed.
fn is_condition_failure<R>(
    error: &aws_sdk_dynamodb::error::SdkError<
        aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError,
        R,
    >,
) -> bool {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    if let aws_sdk_dynamodb::error::SdkError::ServiceError(e) = error
        && let TransactWriteItemsError::TransactionCanceledException(cancelled) = e.err()
    {
        return cancelled.cancellation_reasons().iter().any(|r| r.code() == Some("ConditionalCheckFailed"));
    }
    false
}

impl AccessStore for DynamoStore {
    async fn add_code(&self, tree: &UnitTree, code: &CodeRecord, event: &AuditEvent) -> Result<(), StoreError> {
        let mut item = key(CODES.into(), code.code_hash.clone());
        item.insert("record".into(), json(code));
        item.insert("uses_left".into(), n(code.summary.uses_left));
        item.insert("withdrawn".into(), AttributeValue::Bool(false));
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(build)?;
        let mut writes = vec![TransactWriteItem::builder().put(put).build()];
        writes.extend(self.audit_puts(tree, event)?);
        if self.transact(writes).await? {
            return Ok(());
        }
        // The condition failed: our own write landed and its answer was lost, or (never,
        // with 59 random bits) another code has this hash.
        match self.get(CODES, &code.code_hash).await? {
            Some(item) if code_of(&item)?.id == code.summary.id => Ok(()),
            _ => Err(StoreError("a code with this hash exists".into())),
        }
    }

    async fn codes(&self) -> Result<Vec<CodeSummary>, StoreError> {
        self.query(CODES.into(), None, true).await?.iter().map(code_of).collect()
    }

    async fn withdraw_code(
        &self,
        tree: &UnitTree,
        id: &str,
        event: &AuditEvent,
    ) -> Result<Option<CodeSummary>, StoreError> {
        let items = self.query(CODES.into(), None, true).await?;
        let mut found = None;
        for item in &items {
            let code = code_of(item)?;
            if code.id == id {
                let hash = item.get("sk").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
                found = Some((hash, code));
            }
        }
        let Some((hash, mut code)) = found else { return Ok(None) };
        if code.withdrawn {
            return Ok(Some(code));
        }
        let update = self
            .update(CODES, &hash)
            .update_expression("SET withdrawn = :yes")
            .condition_expression("withdrawn = :no")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":no", AttributeValue::Bool(false))
            .build()
            .map_err(build)?;
        let mut writes = vec![TransactWriteItem::builder().update(update).build()];
        writes.extend(self.audit_puts(tree, event)?);
        // A failed condition: withdrawn meanwhile by someone else; either way it is withdrawn.
        self.transact(writes).await?;
        code.withdrawn = true;
        Ok(Some(code))
    }

    async fn code(&self, code_hash: &str) -> Result<Option<CodeSummary>, StoreError> {
        self.get(CODES, code_hash).await?.as_ref().map(code_of).transpose()
    }

    async fn redeem_code(
        &self,
        tree: &UnitTree,
        code_hash: &str,
        device: &NewDevice,
    ) -> Result<Result<DeviceSummary, AccessError>, StoreError> {
        for _ in 0..MAX_ATTEMPTS {
            // A try whose answer was lost may have enrolled this very device already.
            if let Some(mine) = self.device(&device.device).await?
                && mine.token_hash == device.token_hash
            {
                return Ok(Ok(mine.summary));
            }
            let Some(item) = self.get(CODES, code_hash).await? else { return Ok(Err(AccessError::UnknownCode)) };
            let code = code_of(&item)?;
            if let Err(refused) = code.check_usable(device.now_ms) {
                return Ok(Err(refused));
            }
            let take = self
                .update(CODES, code_hash)
                .update_expression("SET uses_left = :left")
                .condition_expression("uses_left = :read AND withdrawn = :no")
                .expression_attribute_values(":left", n(code.uses_left - 1))
                .expression_attribute_values(":read", n(code.uses_left))
                .expression_attribute_values(":no", AttributeValue::Bool(false))
                .build()
                .map_err(build)?;
            let record = device.enrolled_by(&code);
            let mut writes = vec![TransactWriteItem::builder().update(take).build(), self.new_device_put(&record)?];
            writes.extend(self.audit_puts(tree, &NewDevice::enrolment_event(&code, &record.summary))?);
            if self.transact(writes).await? {
                return Ok(Ok(record.summary));
            }
        }
        Err(StoreError(format!("join code not redeemed after {MAX_ATTEMPTS} attempts (contention)")))
    }

    async fn device(&self, id: &DeviceId) -> Result<Option<DeviceRecord>, StoreError> {
        self.get(DEVICES, id.as_str()).await?.as_ref().map(device_of).transpose()
    }

    async fn devices(&self) -> Result<Vec<DeviceSummary>, StoreError> {
        let items = self.query(DEVICES.into(), None, true).await?;
        items.iter().map(|item| Ok(device_of(item)?.summary)).collect()
    }

    async fn revoke_device(
        &self,
        tree: &UnitTree,
        id: &DeviceId,
        event: &AuditEvent,
    ) -> Result<Option<DeviceSummary>, StoreError> {
        let Some(found) = self.device(id).await? else { return Ok(None) };
        if found.summary.revoked_at_ms.is_some() {
            return Ok(Some(found.summary));
        }
        let update = self
            .update(DEVICES, id.as_str())
            .update_expression("SET revoked_at = :at")
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(revoked_at)")
            .expression_attribute_values(":at", n(event.at_ms))
            .build()
            .map_err(build)?;
        let mut writes = vec![TransactWriteItem::builder().update(update).build()];
        writes.extend(self.audit_puts(tree, event)?);
        self.transact(writes).await?;
        Ok(self.device(id).await?.map(|d| d.summary))
    }

    /// One conditional update of the device item, one write unit: the path the quota last
    /// read suggests (the same day: add; a new day: start again), the other one if its
    /// condition fails (another sync moved the quota meanwhile).
    #[allow(clippy::too_many_arguments)]
    async fn charge_sync(
        &self,
        id: &DeviceId,
        day: u64,
        cells: u64,
        max: u64,
        at_ms: u64,
        known: Option<(u64, u64)>,
        entries_seen: u64,
    ) -> Result<bool, StoreError> {
        // Over the quota by the count just read (it only grows within a day): refused
        // without a write, so refused requests cost a read only.
        if domain::limits::charge(known, day, cells, max).is_none() {
            return Ok(false);
        }
        let update = |same_day: bool| {
            let (expression, condition) = if same_day {
                (
                    "SET last_sync = :at, entries_seen = :e ADD quota_used :n",
                    "attribute_exists(pk) AND quota_day = :day AND quota_used <= :left",
                )
            } else {
                (
                    "SET last_sync = :at, entries_seen = :e, quota_day = :day, quota_used = :n",
                    "attribute_exists(pk) AND (attribute_not_exists(quota_day) OR quota_day <> :day)",
                )
            };
            let update = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key(DEVICES.into(), id.to_string())))
                .update_expression(expression)
                .condition_expression(condition)
                .expression_attribute_values(":at", n(at_ms))
                .expression_attribute_values(":e", n(entries_seen))
                .expression_attribute_values(":n", n(cells));
            if same_day {
                update.expression_attribute_values(":day", n(day)).expression_attribute_values(":left", n(max - cells))
            } else {
                update.expression_attribute_values(":day", n(day))
            }
        };
        let first = known.is_some_and(|(d, _)| d == day);
        for same_day in [first, !first] {
            self.meter.write(1024);
            match update(same_day).send().await {
                Ok(_) => return Ok(true),
                Err(e) if e.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {}
                Err(e) => return Err(sdk(e)),
            }
        }
        // Both conditions failed: the same day and over the quota, or no such device.
        Ok(self.device(id).await?.is_none())
    }

    /// A batch of puts, one write unit each (an event is well under 1 KB).
    async fn file_event(&self, tree: &UnitTree, event: &AuditEvent) -> Result<(), StoreError> {
        let mut pending: Vec<WriteRequest> = Vec::new();
        for put in self.audit_puts(tree, event)? {
            let item = put.put.map(|p| p.item).unwrap_or_default();
            self.meter.write(super::capacity::item_size(&item));
            let request = PutRequest::builder().set_item(Some(item)).build().map_err(build)?;
            pending.push(WriteRequest::builder().put_request(request).build());
        }
        for attempt in 0..MAX_ATTEMPTS {
            if pending.is_empty() {
                return Ok(());
            }
            match self.client.batch_write_item().request_items(&self.table, pending.clone()).send().await {
                Ok(output) => {
                    pending = output.unprocessed_items().and_then(|u| u.get(&self.table)).cloned().unwrap_or_default();
                }
                Err(e) if super::retry::worth_retrying(&e) => {}
                Err(e) => return Err(sdk(e)),
            }
            backoff(attempt).await;
        }
        Err(StoreError("audit events left unprocessed (throttling)".into()))
    }

    /// One `ADD` to `LIMIT#{key}` / `{window}`, which DynamoDB's time to live removes.
    async fn count_attempt(&self, key_name: &str, window_ms: u64, expires_ms: u64) -> Result<u64, StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(format!("LIMIT#{key_name}"), format!("{window_ms:016}"))))
            .update_expression("ADD attempts :one SET expires = :expires")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":expires", n(expires_ms / 1000))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(sdk)?;
        self.meter.write(1024);
        let attempts = output.attributes().and_then(|a| a.get("attempts")).and_then(|v| v.as_n().ok());
        attempts.and_then(|v| v.parse().ok()).ok_or_else(|| StoreError("attempt count missing".into()))
    }

    /// One query, newest first, at most `limit` items.
    async fn audit(&self, unit: &UnitId, limit: usize) -> Result<Vec<AuditEvent>, StoreError> {
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s(format!("AUDIT#{unit}")))
            .scan_index_forward(false)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(sdk)?;
        let items = output.items.unwrap_or_default();
        self.meter.query_page(items.iter().map(super::capacity::item_size).sum(), false);
        items.iter().map(|item| parse(item, "event")).collect()
    }
}
