//! Store traits: what handlers may ask of storage, split so each handler takes the
//! narrowest one. Every implementation persists the domain's [`domain::SyncPlan`]
//! atomically (the embedded store in one write; DynamoDB per transaction-sized chunk,
//! each planned on what it read); merge rules live in the domain crate, not here.

mod dynamo;
mod embedded;

pub use dynamo::{Consumed, DynamoStore, MAX_TRANSACTION_ITEMS, chunks};
pub use embedded::EmbeddedStore;

use domain::dataset::Dataset;
use domain::enrol::{AuditEvent, AuditWhat, CodeSummary, DeviceSummary};
use domain::honour::Withdrawal;
use domain::{
    AccessError, AreaRecord, CatalogueChangeRecord, CounterCell, DeviceId, EventId, HonourRecord, IndicatorId, ModelId,
    ModelRecord, RegisterRollups, ReportPeriod, SheetRecord, SyncRequest, SyncResponse, Unit, UnitId, UnitTree,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::future::Future;

/// A storage failure (not the client's fault).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

/// Đồng bộ — applies validated sync requests exactly once.
pub trait TallyStore: Send + Sync + 'static {
    /// Merges the request's cells and moves the ancestors' totals and rollups, each cell
    /// together with what it moves. If it fails part-way, what was stored stays stored
    /// and the same request sent again counts it once. Refused (the inner error,
    /// `Revoked`, nothing stored) when the store finds the device revoked within the
    /// write itself: the embedded store does; on DynamoDB the token check before is all.
    fn apply_sync(
        &self,
        tree: &UnitTree,
        request: &SyncRequest,
    ) -> impl Future<Output = Result<Result<SyncResponse, AccessError>, StoreError>> + Send;
}

/// Hủy — takes back everything a device counted.
pub trait VoidStore: Send + Sync + 'static {
    /// Voids the device `id`: marks it voided (and revoked) and files `event` once, removes
    /// its counter cells and the register buckets of its scope area it wins, and moves
    /// every total and rollup back by its contribution (`domain::plan_void`), each removal
    /// atomically with what it moves. Returns the device as it is now and how many cells and
    /// buckets this call removed (a repeat: none); `None`: no such device.
    fn void_device(
        &self,
        tree: &UnitTree,
        id: &DeviceId,
        event: &AuditEvent,
    ) -> impl Future<Output = Result<Option<(DeviceSummary, usize)>, StoreError>> + Send;
}

/// Kế nhiệm — a device that continues under a new one (a phone that went backwards, or
/// restores a backup), and the final cells of a revoked device.
pub trait SuccessionStore: Send + Sync + 'static {
    /// Revokes the device `old` (noting `new` as its successor) and enrols `new` (its label
    /// and token) with the role and scope of `old`, filing `AuditWhat::Succeeded` — in one
    /// atomic write — then
    /// returns the new device and every counter cell stored of the old one, read after its
    /// revocation (the embedded store: in that same write). Refused (the inner error) when
    /// `old` is unknown or already revoked: a device is succeeded once.
    fn succeed_device(
        &self,
        tree: &UnitTree,
        old: &DeviceId,
        new: &NewDevice,
    ) -> impl Future<Output = Result<Result<(DeviceSummary, Vec<CounterCell>), AccessError>, StoreError>> + Send;

    /// Every counter cell stored of a device, strongly consistent, in key order.
    fn device_cells(&self, id: &DeviceId) -> impl Future<Output = Result<Vec<CounterCell>, StoreError>> + Send;
}

/// How fresh a report's reads must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Sees every write acknowledged before it: an area's own report, which a phone's
    /// snapshot assumes holds the sync it just made.
    Latest,
    /// May lag a write by about a second, at half the price on DynamoDB: reports of
    /// communes, wards and provinces.
    Recent,
}

/// Reads what reports are built from.
pub trait ReportStore: Send + Sync + 'static {
    /// Counter totals of one unit over a period, by indicator.
    fn counter_totals(
        &self,
        unit: &UnitId,
        period: ReportPeriod,
        freshness: Freshness,
    ) -> impl Future<Output = Result<BTreeMap<IndicatorId, i64>, StoreError>> + Send;

    /// Register rollups of one unit (levels and flags, see `domain::rollup`) for every
    /// month up to the period's end.
    fn register_rollups(
        &self,
        unit: &UnitId,
        period: ReportPeriod,
        freshness: Freshness,
    ) -> impl Future<Output = Result<RegisterRollups, StoreError>> + Send;
}

/// The administrative tree: the units loaded from the dataset (or the demo), and the
/// changes of residential areas the wards made (`domain::area`), kept as events.
pub trait UnitStore: Send + Sync + 'static {
    /// Whether other processes may change the tree meanwhile (several Lambda instances
    /// over one table), so a process must load it again now and then. An embedded file
    /// is open in one process only.
    const SHARED: bool;
    /// All units, parents before children.
    fn units(&self) -> impl Future<Output = Result<Vec<Unit>, StoreError>> + Send;
    /// Adds units (parents first) after those already stored.
    fn add_units(&self, units: &[Unit]) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Replaces stored units by the same ids with these (a newer release of the dataset:
    /// a name, a last day, the units carried on), each in its place.
    fn replace_units(&self, units: &[Unit]) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Every change of an area ever filed, in no particular order.
    fn area_events(&self) -> impl Future<Output = Result<Vec<AreaRecord>, StoreError>> + Send;
    /// The roots of the stored trees: each province, of today's map or before 1/7/2025,
    /// with everything under it, is kept and read as one tree.
    fn roots(&self) -> impl Future<Output = Result<Vec<UnitId>, StoreError>> + Send;
    /// The root of the tree holding `id` (a unit loaded, or an area a change made);
    /// `None`: no such unit.
    fn root_of(&self, id: &UnitId) -> impl Future<Output = Result<Option<UnitId>, StoreError>> + Send;
    /// The units of the tree under `root`, parents before children.
    fn units_of(&self, root: &UnitId) -> impl Future<Output = Result<Vec<Unit>, StoreError>> + Send;
    /// The changes of the areas of the tree under `root`, in no particular order.
    fn area_events_of(&self, root: &UnitId) -> impl Future<Output = Result<Vec<AreaRecord>, StoreError>> + Send;
    /// The change filed under `id`, strongly consistent.
    fn area_event(&self, id: &EventId) -> impl Future<Output = Result<Option<AreaRecord>, StoreError>> + Send;
    /// Files a change once by its id, with its audit event, in one atomic write. Returns
    /// what is stored under the id: `record` when it was new, else the earlier record (a
    /// repeat, or an id reused for another change), and nothing is written. The unit it is
    /// made at must be known (in `tree`, or made by a change filed before): DynamoDB files
    /// it in that unit's tree.
    fn file_area_event(
        &self,
        tree: &UnitTree,
        record: &AreaRecord,
        audit: &AuditEvent,
    ) -> impl Future<Output = Result<AreaRecord, StoreError>> + Send;
}

/// The models areas and wards registered (`domain::model`), kept as their steps.
pub trait ModelStore: Send + Sync + 'static {
    /// Every step ever filed, in no particular order.
    fn model_steps(&self) -> impl Future<Output = Result<Vec<ModelRecord>, StoreError>> + Send;
    /// The steps of one model, strongly consistent.
    fn steps_of(&self, model: &ModelId) -> impl Future<Output = Result<Vec<ModelRecord>, StoreError>> + Send;
    /// Files a step once by its id, with its audit event, in one atomic write, on the
    /// condition that the model still has the steps it was checked against (`record.seq`
    /// of them).
    fn file_model_step(
        &self,
        tree: &UnitTree,
        record: &ModelRecord,
        audit: &AuditEvent,
    ) -> impl Future<Output = Result<Filing, StoreError>> + Send;
}

/// Titles, commendations and exemplars as decided (`domain::honour`).
pub trait HonourStore: Send + Sync + 'static {
    /// Every record ever filed, withdrawn ones included, in no particular order.
    fn honours(&self) -> impl Future<Output = Result<Vec<HonourRecord>, StoreError>> + Send;
    /// The record filed under `id`, strongly consistent.
    fn honour(&self, id: &EventId) -> impl Future<Output = Result<Option<HonourRecord>, StoreError>> + Send;
    /// Files a record once by its id, with its audit event, in one atomic write. Returns
    /// what is stored under the id: `record` when it was new, else the earlier record.
    fn file_honour(
        &self,
        tree: &UnitTree,
        record: &HonourRecord,
        audit: &AuditEvent,
    ) -> impl Future<Output = Result<HonourRecord, StoreError>> + Send;
    /// Marks the record withdrawn (once: a second withdrawal keeps the first), with its
    /// audit event, in one atomic write. Returns the record as stored; `None`: no record
    /// has the id.
    fn withdraw_honour(
        &self,
        tree: &UnitTree,
        id: &EventId,
        withdrawal: &Withdrawal,
        audit: &AuditEvent,
    ) -> impl Future<Output = Result<Option<HonourRecord>, StoreError>> + Send;
}

/// The scoring sheets provinces and districts set for models (`domain::scoring`).
pub trait SheetStore: Send + Sync + 'static {
    /// Every sheet ever set, in no particular order.
    fn sheets(&self) -> impl Future<Output = Result<Vec<SheetRecord>, StoreError>> + Send;
    /// Files a sheet once by its id, with its audit event, in one atomic write. Returns
    /// what is stored under the id: `record` when it was new, else the earlier record.
    fn file_sheet(
        &self,
        tree: &UnitTree,
        record: &SheetRecord,
        audit: &AuditEvent,
    ) -> impl Future<Output = Result<SheetRecord, StoreError>> + Send;
}

/// The changes provinces make to their catalogue (`domain::CatalogueChange`).
pub trait CatalogueStore: Send + Sync + 'static {
    /// Every change a province filed, in no particular order.
    fn catalogue_changes(
        &self,
        province: &UnitId,
    ) -> impl Future<Output = Result<Vec<CatalogueChangeRecord>, StoreError>> + Send;
    /// Files a change with its audit event in one atomic write, as the `record.seq`-th
    /// change of its indicator: `false` (nothing written) when another change took that
    /// place meanwhile.
    fn file_catalogue_change(
        &self,
        tree: &UnitTree,
        record: &CatalogueChangeRecord,
        audit: &AuditEvent,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// What became of a step to file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filing {
    Filed,
    /// Its id was filed before: this is the record stored under it (a repeat, or an id
    /// reused for another step). Nothing was written.
    Earlier(ModelRecord),
    /// Another step of the model was filed meanwhile: check again. Nothing was written.
    Moved,
}

/// A join code as stored: what officers see, and the SHA-256 of the code (never the code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRecord {
    pub summary: CodeSummary,
    pub code_hash: String,
}

/// A device as stored: what officers see, and the SHA-256 of its token (never the token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRecord {
    pub summary: DeviceSummary,
    pub token_hash: String,
    /// (day, cells sent that day) of its quota.
    #[serde(default)]
    pub quota: Option<(u64, u64)>,
    /// The most entries a ledger of this device said it held (`SyncRequest::entries`).
    #[serde(default)]
    pub entries_seen: u64,
}

/// A device about to be enrolled by a code: everything but what the code decides.
#[derive(Debug, Clone)]
pub struct NewDevice {
    pub device: DeviceId,
    pub label: String,
    pub app_version: String,
    pub token_hash: String,
    pub now_ms: u64,
}

impl NewDevice {
    /// The device a code enrols: the code's role and scope, the device's own details.
    pub fn enrolled_by(&self, code: &CodeSummary) -> DeviceRecord {
        self.record(code.role, &code.unit)
    }

    /// The device that takes over from `old`: its role and scope, this device's own details.
    pub fn succeeding(&self, old: &DeviceSummary) -> DeviceRecord {
        self.record(old.role, &old.scope)
    }

    fn record(&self, role: domain::Role, scope: &UnitId) -> DeviceRecord {
        let summary = DeviceSummary {
            device: self.device.clone(),
            label: self.label.clone(),
            role,
            scope: scope.clone(),
            enrolled_at_ms: self.now_ms,
            last_sync_ms: None,
            app_version: self.app_version.clone(),
            revoked_at_ms: None,
            voided_at_ms: None,
            replaced_by: None,
        };
        DeviceRecord { summary, token_hash: self.token_hash.clone(), quota: None, entries_seen: 0 }
    }

    /// The audit event of a succession: filed under the scope, by the old device.
    pub fn succession_event(old: &DeviceSummary, new: &DeviceSummary) -> AuditEvent {
        AuditEvent {
            at_ms: new.enrolled_at_ms,
            unit: old.scope.clone(),
            actor: Some(old.device.clone()),
            what: AuditWhat::Succeeded { from: old.device.clone(), to: new.device.clone() },
        }
    }

    /// The audit event of an enrolment.
    pub fn enrolment_event(code: &CodeSummary, device: &DeviceSummary) -> AuditEvent {
        AuditEvent {
            at_ms: device.enrolled_at_ms,
            unit: device.scope.clone(),
            actor: Some(device.device.clone()),
            what: AuditWhat::Enrolled {
                device: device.device.clone(),
                label: device.label.clone(),
                role: device.role,
                code: code.id.clone(),
            },
        }
    }
}

/// Ghi danh — join codes, devices and the audit trail. Every change is written with its
/// audit event in one atomic write, filed under the units `AuditEvent::filed_under` names.
pub trait AccessStore: Send + Sync + 'static {
    /// Stores a newly issued code.
    fn add_code(
        &self,
        tree: &UnitTree,
        code: &CodeRecord,
        event: &AuditEvent,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Every code ever issued.
    fn codes(&self) -> impl Future<Output = Result<Vec<CodeSummary>, StoreError>> + Send;

    /// Marks a code withdrawn (once; a repeat changes nothing). `None`: no such code.
    fn withdraw_code(
        &self,
        tree: &UnitTree,
        id: &str,
        event: &AuditEvent,
    ) -> impl Future<Output = Result<Option<CodeSummary>, StoreError>> + Send;

    /// The code whose hash is `code_hash`, as stored (its scope tells which tree a join needs).
    fn code(&self, code_hash: &str) -> impl Future<Output = Result<Option<CodeSummary>, StoreError>> + Send;

    /// Takes one use of the code whose hash is `code_hash` and enrols `device` under the
    /// code's role and scope, atomically: two phones racing for a code's last use never
    /// both get it. Refused (the inner error) when the code is unknown or not usable.
    fn redeem_code(
        &self,
        tree: &UnitTree,
        code_hash: &str,
        device: &NewDevice,
    ) -> impl Future<Output = Result<Result<DeviceSummary, AccessError>, StoreError>> + Send;

    /// One device, strongly consistent (a revocation bites on the next request).
    fn device(&self, id: &DeviceId) -> impl Future<Output = Result<Option<DeviceRecord>, StoreError>> + Send;

    /// Every enrolled device.
    fn devices(&self) -> impl Future<Output = Result<Vec<DeviceSummary>, StoreError>> + Send;

    /// Revokes a device (the first revocation's time stays). `None`: no such device.
    fn revoke_device(
        &self,
        tree: &UnitTree,
        id: &DeviceId,
        event: &AuditEvent,
    ) -> impl Future<Output = Result<Option<DeviceSummary>, StoreError>> + Send;

    /// Charges a sync of `cells` to the device's quota for `day` (days since 1970, see
    /// `domain::limits`) and notes `at_ms` as its last sync. `false`: the day's count would
    /// pass `max`; nothing is charged. An unknown device is charged nothing (`true`).
    /// `known` is the quota as last read (the caller's device record), a hint only.
    /// `entries_seen` is kept as the device's [`DeviceRecord::entries_seen`] (the caller
    /// passes the larger of the record's and the request's).
    #[allow(clippy::too_many_arguments)]
    fn charge_sync(
        &self,
        id: &DeviceId,
        day: u64,
        cells: u64,
        max: u64,
        at_ms: u64,
        known: Option<(u64, u64)>,
        entries_seen: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Files an event that changes nothing else (a sync's), under the units `AuditEvent::filed_under` names.
    fn file_event(&self, tree: &UnitTree, event: &AuditEvent) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Counts one attempt under `key` in the window that starts at `window_ms` (the
    /// count may be forgotten after `expires_ms`); returns the window's count with it.
    fn count_attempt(
        &self,
        key: &str,
        window_ms: u64,
        expires_ms: u64,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// The newest `limit` events filed under `unit`, newest first.
    fn audit(&self, unit: &UnitId, limit: usize) -> impl Future<Output = Result<Vec<AuditEvent>, StoreError>> + Send;
}

/// What a sync charges to its device's daily quota (`domain::limits::charge`): see
/// [`AccessStore::charge_sync`].
#[derive(Debug, Clone)]
pub struct Charge {
    pub day: u64,
    pub cells: u64,
    pub max: u64,
    pub at_ms: u64,
    pub known: Option<(u64, u64)>,
    pub entries_seen: u64,
}

/// How a sync ended.
#[derive(Debug)]
pub enum Synced {
    Applied(SyncResponse),
    /// The day's cells would pass the device's quota: nothing was written.
    OverQuota,
    /// The device was revoked after its token was checked: nothing was written.
    Refused(AccessError),
}

/// A sync whole: its quota charged, its cells applied and, if it changed anything, its
/// entry in the trail filed (`AuditEvent::of_sync`, under `scope`).
pub trait SyncStore: TallyStore + AccessStore {
    fn sync(
        &self,
        tree: &UnitTree,
        request: &SyncRequest,
        charge: &Charge,
        scope: &UnitId,
    ) -> impl Future<Output = Result<Synced, StoreError>> + Send;
}

/// Everything the API needs.
pub trait Store:
    SyncStore
    + ReportStore
    + UnitStore
    + AccessStore
    + VoidStore
    + SuccessionStore
    + ModelStore
    + HonourStore
    + SheetStore
    + CatalogueStore
{
}
impl<
    T: SyncStore
        + ReportStore
        + UnitStore
        + AccessStore
        + VoidStore
        + SuccessionStore
        + ModelStore
        + HonourStore
        + SheetStore
        + CatalogueStore,
> Store for T
{
}

/// Adds a province of today's map with its history (`Dataset::province`): its communes
/// and wards, and the provinces before 1/7/2025 merged into it with their districts and
/// communes, each of today's units naming those it carries on (`Unit::succeeds`), so the
/// years before the merger still add up under today's map. Only the differences: the
/// units the store does not hold yet are added, parents first, and those it holds
/// otherwise than the dataset (an older load, a newer release) are stored anew in their
/// place; loading it again changes nothing. A province the dataset does not know, or a
/// store holding the demo units, changes nothing and says so. A load that changed
/// something is filed in the province's trail (`AuditWhat::UnitsLoaded`).
pub async fn load_province(
    store: &(impl UnitStore + AccessStore),
    dataset: &Dataset,
    province: &str,
) -> Result<Loaded, StoreError> {
    let wanted = dataset.province(province).map_err(|e| StoreError(e.to_string()))?;
    let held: std::collections::BTreeMap<UnitId, Unit> =
        store.units().await?.into_iter().map(|u| (u.id.clone(), u)).collect();
    if UnitTree::demo().units().any(|demo| held.contains_key(&demo.id)) {
        return Err(StoreError(
            "Tệp dữ liệu này đang có các đơn vị mẫu (demo): hãy nạp tỉnh vào một tệp dữ liệu mới.".to_string(),
        ));
    }
    let mut loaded = Loaded::default();
    for unit in wanted.iter().map(|u| &u.unit) {
        match held.get(&unit.id) {
            None => loaded.added.push(unit.clone()),
            Some(stored) if stored != unit => loaded.changed.push(unit.clone()),
            Some(_) => {}
        }
    }
    if !loaded.changed.is_empty() {
        store.replace_units(&loaded.changed).await?;
    }
    if !loaded.added.is_empty() {
        store.add_units(&loaded.added).await?;
    }
    if loaded != Loaded::default() {
        // In the province's trail, as every change of its units is.
        let province = wanted.iter().find(|u| u.unit.valid_to.is_none()).map(|u| u.unit.clone());
        let province = province.ok_or_else(|| StoreError("the dataset's province has no unit of today".into()))?;
        let event = AuditEvent {
            at_ms: crate::api::system_clock()(),
            unit: province.id.clone(),
            actor: None,
            what: AuditWhat::UnitsLoaded {
                dataset: dataset.version.clone(),
                added: loaded.added.len(),
                changed: loaded.changed.clone(),
            },
        };
        let tree = UnitTree::new(vec![province]).map_err(|e| StoreError(e.to_string()))?;
        store.file_event(&tree, &event).await?;
    }
    Ok(loaded)
}

/// What [`load_province`] did: the units it added, and those it stored anew because the
/// dataset says otherwise now (stored before successions were, or a newer release).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    pub added: Vec<Unit>,
    pub changed: Vec<Unit>,
}

/// Loads the tree: the stored units with every change of an area applied. A store with
/// no units is given the demo tree from the seeds.
pub async fn load_tree(store: &impl UnitStore) -> Result<UnitTree, StoreError> {
    if store.roots().await?.is_empty() {
        let demo: Vec<Unit> = UnitTree::demo().units().cloned().collect();
        store.add_units(&demo).await?;
    }
    Ok(stored_tree(store).await?.unwrap_or_default())
}

/// The root of each unit's tree: the unit at the top of its chain of parents, for the
/// units stored and for the areas their changes made. A change of an area is kept with
/// the tree of the unit it is made at ([`domain::AreaEvent::place`]).
pub fn roots_of(units: &[Unit], events: &[AreaRecord]) -> BTreeMap<UnitId, UnitId> {
    let all = domain::area::units_with(units.to_vec(), events, None);
    let parents: BTreeMap<&UnitId, Option<&UnitId>> = all.iter().map(|u| (&u.id, u.parent.as_ref())).collect();
    let root = |unit: &Unit| {
        let mut id = &unit.id;
        // A tree is a few levels deep; the bound only guards against a corrupt store.
        for _ in 0..parents.len() {
            match parents.get(id).copied().flatten() {
                Some(parent) => id = parent,
                None => break,
            }
        }
        id.clone()
    };
    all.iter().map(|u| (u.id.clone(), root(u))).collect()
}

/// The stored units with every change of an area applied; `None`: no units are stored.
pub async fn stored_tree(store: &impl UnitStore) -> Result<Option<UnitTree>, StoreError> {
    let units = store.units().await?;
    if units.is_empty() {
        return Ok(None);
    }
    let events = store.area_events().await?;
    let tree = UnitTree::new(domain::area::units_with(units, &events, None))
        .map_err(|e| StoreError(format!("stored tree is inconsistent: {e}")))?;
    Ok(Some(tree))
}
