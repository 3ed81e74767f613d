//! Store traits: what handlers may ask of storage, split so each handler takes the
//! narrowest one. Every implementation persists the domain's [`domain::SyncPlan`]
//! atomically (the embedded store in one write; DynamoDB per transaction-sized chunk,
//! each planned on what it read); merge rules live in the domain crate, not here.

mod dynamo;
mod embedded;

pub use dynamo::{Consumed, DynamoStore, MAX_TRANSACTION_ITEMS, chunks};
pub use embedded::EmbeddedStore;

use domain::{IndicatorId, RegisterRollups, ReportPeriod, SyncRequest, SyncResponse, Unit, UnitId, UnitTree};
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
    /// and the same request sent again counts it once.
    fn apply_sync(
        &self,
        tree: &UnitTree,
        request: &SyncRequest,
    ) -> impl Future<Output = Result<SyncResponse, StoreError>> + Send;
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

/// The administrative tree.
pub trait UnitStore: Send + Sync + 'static {
    /// All units, parents before children.
    fn units(&self) -> impl Future<Output = Result<Vec<Unit>, StoreError>> + Send;
    /// Adds units (parents first) after those already stored.
    fn add_units(&self, units: &[Unit]) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Everything the API needs.
pub trait Store: TallyStore + ReportStore + UnitStore {}
impl<T: TallyStore + ReportStore + UnitStore> Store for T {}

/// Loads the tree; a store with no units is given the demo tree from the seeds.
pub async fn load_tree(store: &impl UnitStore) -> Result<UnitTree, StoreError> {
    let mut units = store.units().await?;
    if units.is_empty() {
        units = UnitTree::demo().units().cloned().collect();
        store.add_units(&units).await?;
    }
    UnitTree::new(units).map_err(|e| StoreError(format!("stored tree is inconsistent: {e}")))
}
