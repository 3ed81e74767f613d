//! The DynamoDB store: one table (see [`items`] for its item shapes and `ARCHITECTURE.md`
//! for the access patterns). A sync is cut into transactions of at most
//! [`MAX_TRANSACTION_ITEMS`] ([`chunks`]); each holds whole cell and register items
//! together with the totals and rollups they move, and each cell or register item is
//! written on the condition that its version is still the one the plan was computed from.
//! When a condition fails (another request moved the item), the chunk is read again and
//! planned again; throttling and conflicts are retried with backoff and jitter
//! ([`retry`]). A repeated or stale sync plans nothing and writes nothing.

mod access;
mod capacity;
mod catalogue;
mod chunks;
mod honours;
mod items;
mod models;
mod retry;
mod sheets;
mod succession;
mod units;
mod void;

pub use capacity::Consumed;
pub use chunks::chunks;
use retry::{Failure, backoff, transaction_worth_retrying, worth_retrying};

use super::{AccessStore, Charge, Freshness, ReportStore, StoreError, SyncStore, Synced, TallyStore};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, KeysAndAttributes, Put, ReturnConsumedCapacity,
    ScalarAttributeType, TransactWriteItem, Update,
};
use domain::enrol::AuditEvent;
use domain::{
    CounterState, DeviceCounterKey, IndicatorId, Month, RegisterRollups, ReportPeriod, SyncPlan, SyncRequest,
    SyncResponse, UnitId, UnitTree, plan_sync,
};
use items::{Cells, CellsKey, Item, RegisterItemKey, Registers, n, s};
use std::collections::{BTreeMap, HashMap};

/// DynamoDB's limit on the items of one `TransactWriteItems`.
pub const MAX_TRANSACTION_ITEMS: usize = 100;
/// DynamoDB's limits on the size of one item and of one transaction.
const MAX_ITEM_BYTES: u64 = 400 * 1024;
const MAX_TRANSACTION_BYTES: u64 = 4 * 1024 * 1024;
/// DynamoDB's limits on one `BatchGetItem` and one `BatchWriteItem`.
const MAX_BATCH_GET: usize = 100;
const MAX_BATCH_WRITE: usize = 25;
/// How often one chunk is tried before the sync fails (the phone retries later).
const MAX_ATTEMPTS: u32 = 12;

/// A store in one DynamoDB table.
#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
    meter: std::sync::Arc<capacity::Meter>,
}

impl DynamoStore {
    /// A store over `table` through `client`.
    pub fn new(client: Client, table: &str) -> Self {
        DynamoStore { client, table: table.to_string(), meter: Default::default() }
    }

    /// Capacity units this store has consumed so far (see [`capacity`]).
    pub fn consumed(&self) -> Consumed {
        self.meter.reading()
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// Connects with the standard AWS configuration (environment, instance role), to
    /// `endpoint` instead of AWS when given (a DynamoDB-compatible server in tests).
    pub async fn connect(table: &str, endpoint: Option<&str>) -> Self {
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
        if let Some(url) = endpoint {
            loader = loader.endpoint_url(url);
        }
        let config = loader.load().await;
        DynamoStore::new(Client::new(&config), table)
    }

    /// Creates the table (on-demand, `pk` + `sk` strings) if it does not exist. The AWS
    /// deployment creates it from the template instead.
    pub async fn create_table_if_missing(&self) -> Result<(), StoreError> {
        let attribute = |name: &str| {
            AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build()
        };
        let key = |name: &str, kind| KeySchemaElement::builder().attribute_name(name).key_type(kind).build();
        let result = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attribute("pk").map_err(build)?)
            .attribute_definitions(attribute("sk").map_err(build)?)
            .key_schema(key("pk", KeyType::Hash).map_err(build)?)
            .key_schema(key("sk", KeyType::Range).map_err(build)?)
            .send()
            .await;
        match result {
            Ok(_) => {}
            Err(e) if e.code() == Some("ResourceInUseException") => return Ok(()),
            Err(e) => return Err(sdk(e)),
        }
        // Counts of attempts (`access`) expire by themselves.
        let ttl = aws_sdk_dynamodb::types::TimeToLiveSpecification::builder()
            .attribute_name("expires")
            .enabled(true)
            .build()
            .map_err(build)?;
        self.client
            .update_time_to_live()
            .table_name(&self.table)
            .time_to_live_specification(ttl)
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    /// Reads the stored state of a chunk's cell items and register items, strongly consistent.
    async fn read_cells(&self, chunk: &SyncRequest) -> Result<Stored, Failure> {
        let mut wanted: HashMap<(String, String), Wanted> = HashMap::new();
        for cell in &chunk.counters {
            let key = CellsKey { device: chunk.device.clone(), area: cell.area.clone(), month: cell.month };
            wanted.insert(pk_sk(&items::cells_key(&key)), Wanted::Cells(key));
        }
        for cell in &chunk.registers {
            let key = RegisterItemKey::new(&cell.area, &cell.indicator);
            wanted.insert(pk_sk(&items::register_key(&key)), Wanted::Registers(key));
        }
        let keys: Vec<Item> = wanted.keys().map(|(pk, sk)| items::key(pk.clone(), sk.clone())).collect();
        let mut stored = Stored::default();
        for batch in keys.chunks(MAX_BATCH_GET) {
            let mut pending = Some(
                KeysAndAttributes::builder()
                    .set_keys(Some(batch.to_vec()))
                    .consistent_read(true)
                    .build()
                    .map_err(|e| Failure::Fail(build(e)))?,
            );
            let mut attempt = 0;
            while let Some(request) = pending.take() {
                let asked = request.keys().len();
                let asking = self.client.batch_get_item().request_items(&self.table, request);
                let output = match asking.return_consumed_capacity(ReturnConsumedCapacity::Total).send().await {
                    Ok(output) => output,
                    Err(e) if worth_retrying(&e) => return Err(Failure::Retry(sdk(e))),
                    Err(e) => return Err(Failure::Fail(sdk(e))),
                };
                self.meter.reported_read(output.consumed_capacity());
                let found = output.responses().and_then(|r| r.get(&self.table)).cloned().unwrap_or_default();
                let unprocessed =
                    output.unprocessed_keys().and_then(|u| u.get(&self.table)).map_or(0, |k| k.keys().len());
                for _ in found.len() + unprocessed..asked {
                    self.meter.point_read(None);
                }
                for item in &found {
                    self.meter.point_read(Some(capacity::item_size(item)));
                    match wanted.get(&pk_sk(item)) {
                        Some(Wanted::Cells(k)) => {
                            stored.cells.insert(k.clone(), items::cells_of(item).map_err(Failure::Fail)?);
                        }
                        Some(Wanted::Registers(k)) => {
                            stored.registers.insert(k.clone(), items::registers_of(item).map_err(Failure::Fail)?);
                        }
                        None => {}
                    }
                }
                pending = output.unprocessed_keys().and_then(|u| u.get(&self.table)).cloned();
                if pending.is_some() {
                    if attempt >= MAX_ATTEMPTS {
                        return Err(Failure::Retry(StoreError("keys left unprocessed (throttling)".into())));
                    }
                    backoff(attempt).await;
                    attempt += 1;
                }
            }
        }
        Ok(stored)
    }

    /// Applies one chunk: read, plan, write conditionally; again if another writer moved a cell.
    async fn apply_chunk(&self, tree: &UnitTree, chunk: &SyncRequest) -> Result<SyncResponse, StoreError> {
        let mut last_read_error = None;
        for attempt in 0..MAX_ATTEMPTS {
            let stored = match self.read_cells(chunk).await {
                Ok(stored) => stored,
                Err(Failure::Retry(e)) => {
                    last_read_error = Some(e);
                    backoff(attempt).await;
                    continue;
                }
                Err(Failure::Fail(e)) => return Err(e),
            };
            let plan = plan_sync(
                chunk,
                tree,
                |k| Ok::<_, StoreError>(stored.counter(k)),
                |area, indicator| Ok(stored.history(area, indicator)),
            )?;
            if plan.counters.is_empty() && plan.registers.is_empty() {
                return Ok(plan.response());
            }
            let (writes, sizes) = self.transaction(&plan, &stored)?;
            let transaction = self.client.transact_write_items().set_transact_items(Some(writes));
            match transaction.return_consumed_capacity(ReturnConsumedCapacity::Total).send().await {
                Ok(output) => {
                    self.meter.transactional_write(sizes);
                    self.meter.reported_write(output.consumed_capacity());
                    return Ok(plan.response());
                }
                Err(e) if transaction_worth_retrying(&e) => backoff(attempt).await,
                Err(e) => return Err(sdk(e)),
            }
        }
        let cause = last_read_error.map_or_else(|| "contention".to_string(), |e| e.0);
        Err(StoreError(format!("sync not applied after {MAX_ATTEMPTS} attempts: {cause}")))
    }

    /// The writes of a plan: each changed cell item and register item whole, on the
    /// condition that its version is the one read; each totals and rollup item by one `ADD`
    /// of everything it moves. Also returns the billed size of each item.
    fn transaction(&self, plan: &SyncPlan, stored: &Stored) -> Result<(Vec<TransactWriteItem>, Vec<u64>), StoreError> {
        let mut writes = Vec::new();
        let mut sizes = Vec::new();
        let mut cells: BTreeMap<CellsKey, Cells> = BTreeMap::new();
        for (key, change) in &plan.counters {
            let item_key = CellsKey::of(key);
            let packed = cells
                .entry(item_key.clone())
                .or_insert_with(|| stored.cells.get(&item_key).cloned().unwrap_or_default());
            packed.states.insert(key.cell.indicator.clone(), change.next);
        }
        for (key, mut packed) in cells {
            let previous = stored.cells.get(&key).map(|c| c.version);
            packed.version = previous.map_or(1, |v| v + 1);
            let item = items::cells_item(&key, &packed);
            sizes.push(capacity::item_size(&item));
            writes.push(self.versioned_put(item, previous)?);
        }
        let mut registers: BTreeMap<RegisterItemKey, Registers> = BTreeMap::new();
        for (key, next) in &plan.registers {
            let item_key = RegisterItemKey::new(&key.area, &key.indicator);
            let packed = registers
                .entry(item_key.clone())
                .or_insert_with(|| stored.registers.get(&item_key).cloned().unwrap_or_default());
            packed.history.insert(key.bucket, next.clone());
        }
        for (key, mut packed) in registers {
            let previous = stored.registers.get(&key).map(|r| r.version);
            packed.version = previous.map_or(1, |v| v + 1);
            let item = items::register_item(&key, &packed);
            sizes.push(capacity::item_size(&item));
            writes.push(self.versioned_put(item, previous)?);
        }
        let mut totals: BTreeMap<(UnitId, Month), Vec<(String, i64)>> = BTreeMap::new();
        for (key, delta) in &plan.totals {
            totals.entry((key.unit.clone(), key.month)).or_default().push((key.indicator.to_string(), *delta));
        }
        for ((unit, month), adds) in totals {
            let (write, size) = self.add_update(items::totals_key(&unit, month), &adds)?;
            writes.push(write);
            sizes.push(size);
        }
        let mut rollups: BTreeMap<(UnitId, Month), Vec<(String, i64)>> = BTreeMap::new();
        for (key, change) in &plan.rollups {
            let (amount, reporting) = items::rollup_names(&key.indicator);
            let adds = rollups.entry((key.unit.clone(), key.month)).or_default();
            adds.extend([(amount, change.amount), (reporting, change.reporting)].into_iter().filter(|(_, v)| *v != 0));
        }
        for ((unit, month), adds) in rollups {
            let (write, size) = self.add_update(items::rollups_key(&unit, month), &adds)?;
            writes.push(write);
            sizes.push(size);
        }
        if let Some(size) = sizes.iter().find(|size| **size > MAX_ITEM_BYTES) {
            return Err(StoreError(format!("an item of {size} bytes passes DynamoDB's limit of {MAX_ITEM_BYTES}")));
        }
        let total: u64 = sizes.iter().sum();
        if total > MAX_TRANSACTION_BYTES {
            return Err(StoreError(format!("a transaction of {total} bytes passes DynamoDB's limit of 4 MB")));
        }
        Ok((writes, sizes))
    }

    /// A `Put` of a whole versioned item, on the condition that it still holds the version
    /// read (`None`: that it still does not exist).
    fn versioned_put(&self, item: Item, previous: Option<u64>) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder().table_name(&self.table).set_item(Some(item));
        let put = match previous {
            None => put.condition_expression("attribute_not_exists(pk)"),
            Some(version) => put
                .condition_expression("#v = :v")
                .expression_attribute_names("#v", "v")
                .expression_attribute_values(":v", n(version)),
        };
        Ok(TransactWriteItem::builder().put(put.build().map_err(build)?).build())
    }

    /// One `ADD` of every attribute a sync moves in one aggregate item, and the size it
    /// is billed at: the item after the update, whose digits are not known before it, so
    /// counted at the widest a number may be.
    fn add_update(&self, key: Item, adds: &[(String, i64)]) -> Result<(TransactWriteItem, u64), StoreError> {
        let mut update = Update::builder().table_name(&self.table).set_key(Some(key.clone()));
        let mut terms = Vec::with_capacity(adds.len());
        let mut after = key;
        for (i, (name, delta)) in adds.iter().enumerate() {
            terms.push(format!("#a{i} :a{i}"));
            update = update
                .expression_attribute_names(format!("#a{i}"), name)
                .expression_attribute_values(format!(":a{i}"), n(delta));
            after.insert(name.clone(), n(i64::MAX));
        }
        let update = update.update_expression(format!("ADD {}", terms.join(", "))).build().map_err(build)?;
        Ok((TransactWriteItem::builder().update(update).build(), capacity::item_size(&after)))
    }

    /// Every item of one partition within a sort-key range, page by page; strongly
    /// consistent or not (half the price).
    async fn query(
        &self,
        pk: String,
        range: Option<(String, String)>,
        consistent: bool,
    ) -> Result<Vec<Item>, StoreError> {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .consistent_read(consistent)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .expression_attribute_values(":pk", s(pk));
        query = match range {
            Some((from, to)) => query
                .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
                .expression_attribute_values(":from", s(from))
                .expression_attribute_values(":to", s(to)),
            None => query.key_condition_expression("pk = :pk"),
        };
        let mut pages = query.into_paginator().send();
        let mut found = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(sdk)?;
            self.meter.reported_read(page.consumed_capacity());
            let items = page.items.unwrap_or_default();
            self.meter.query_page(items.iter().map(capacity::item_size).sum(), consistent);
            found.extend(items);
        }
        Ok(found)
    }
}

#[derive(Default)]
struct Stored {
    cells: BTreeMap<CellsKey, Cells>,
    registers: BTreeMap<RegisterItemKey, Registers>,
}

impl Stored {
    fn counter(&self, key: &DeviceCounterKey) -> Option<CounterState> {
        self.cells.get(&CellsKey::of(key)).and_then(|c| c.states.get(&key.cell.indicator)).copied()
    }

    fn history(&self, area: &UnitId, indicator: &IndicatorId) -> domain::RegisterHistory {
        let key = RegisterItemKey::new(area, indicator);
        self.registers.get(&key).map(|r| r.history.clone()).unwrap_or_default()
    }
}

enum Wanted {
    Cells(CellsKey),
    Registers(RegisterItemKey),
}

fn pk_sk(item: &Item) -> (String, String) {
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
    (text("pk"), text("sk"))
}

fn sdk<E: std::error::Error + Send + Sync + 'static, R: std::fmt::Debug>(error: SdkError<E, R>) -> StoreError {
    StoreError(format!("DynamoDB: {}", aws_sdk_dynamodb::error::DisplayErrorContext(&error)))
}

fn build(error: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError(format!("DynamoDB request: {error}"))
}

impl SyncStore for DynamoStore {
    /// In turn: the quota (one conditional update), the cells (chunk by chunk), the trail.
    async fn sync(
        &self,
        tree: &UnitTree,
        request: &SyncRequest,
        charge: &Charge,
        scope: &UnitId,
    ) -> Result<Synced, StoreError> {
        let Charge { day, cells, max, at_ms, known, entries_seen } = *charge;
        if !self.charge_sync(&request.device, day, cells, max, at_ms, known, entries_seen).await? {
            return Ok(Synced::OverQuota);
        }
        let response = match self.apply_sync(tree, request).await? {
            Ok(response) => response,
            Err(refused) => return Ok(Synced::Refused(refused)),
        };
        if let Some(event) = AuditEvent::of_sync(at_ms, &request.device, scope, &response) {
            self.file_event(tree, &event).await?;
        }
        Ok(Synced::Applied(response))
    }
}

impl TallyStore for DynamoStore {
    /// Chunk by chunk; the device's revocation is checked by the token check only (see
    /// ARCHITECTURE.md's invariants).
    async fn apply_sync(
        &self,
        tree: &UnitTree,
        request: &SyncRequest,
    ) -> Result<Result<SyncResponse, domain::AccessError>, StoreError> {
        let mut response = SyncResponse::default();
        for chunk in chunks(request, tree) {
            response.absorb(self.apply_chunk(tree, &chunk).await?);
        }
        Ok(Ok(response))
    }
}

impl ReportStore for DynamoStore {
    async fn counter_totals(
        &self,
        unit: &UnitId,
        period: ReportPeriod,
        freshness: Freshness,
    ) -> Result<BTreeMap<IndicatorId, i64>, StoreError> {
        let (pk, from, to) = items::totals_query(unit, period.first(), period.last());
        let mut out = BTreeMap::new();
        for item in self.query(pk, Some((from, to)), freshness == Freshness::Latest).await? {
            for (indicator, total) in items::totals_of(&item)? {
                *out.entry(indicator).or_default() += total;
            }
        }
        Ok(out)
    }

    async fn register_rollups(
        &self,
        unit: &UnitId,
        period: ReportPeriod,
        freshness: Freshness,
    ) -> Result<RegisterRollups, StoreError> {
        let (pk, from, to) = items::rollups_query(unit, period.last());
        let mut out = RegisterRollups::new();
        for item in self.query(pk, Some((from, to)), freshness == Freshness::Latest).await? {
            let (month, changes) = items::rollups_of(&item)?;
            for (indicator, change) in changes {
                *out.entry((indicator, month)).or_default() += change;
            }
        }
        Ok(out)
    }
}
