//! The domain of Sổ tay Mặt trận, shared by the app (wasm32) and the functions (native).
//!
//! Units and the catalogue, periods, tally cells and their merge rules, the sync
//! protocol ([`sync`]), the device's ledger and reports. Architecture invariant: this
//! crate does no I/O and knows nothing of Leptos, HTTP, storage engines or AWS.

pub mod access;
pub mod area;
pub mod backup;
mod catalogue;
mod cell;
pub mod chart;
mod clock;
pub mod dataset;
pub mod enrol;
mod error;
pub mod format;
pub mod honour;
mod id;
mod ledger;
pub mod limits;
pub mod model;
mod period;
mod report;
pub mod report_table;
pub mod rollup;
pub mod scoring;
pub mod search;
mod snapshot;
pub mod sync;
mod tally;
pub mod text;
mod unit;
pub mod void;

pub use access::{Action, Caller, Forbidden, Role, authorize};
#[cfg(not(target_arch = "wasm32"))]
pub use access::{readable_from, units_in_reach, visible_units};
pub use area::{AreaChange, AreaChanged, AreaEvent, AreaPart, AreaProblem, AreaRecord};
pub use backup::{BACKUP_FORMAT, BACKUP_KIND, Backup, BackupProblem};
pub use catalogue::{
    AddedKind, CHANGE_ID_PREFIX, Catalogue, CatalogueChange, CatalogueChangeRecord, CatalogueChanged, CatalogueEdit,
    CatalogueProblem, Content, Indicator, IndicatorKind, IndicatorRecord, KindName, NewIndicator, indicator_id_for,
};
pub use cell::{
    CounterChange, CounterKey, CounterState, DeviceCounterKey, RegisterKey, RegisterState, RegisterValue, TotalKey,
    counter_change, register_change,
};
pub use clock::{Hlc, Stamp};
pub use enrol::{AccessError, JoinCode};
pub use error::DomainError;
pub use honour::{Honour, HonourFiled, HonourProblem, HonourRecord, HonourReport};
pub use id::{DeviceId, EventId, ID_PATTERN, IndicatorId, MAX_ID_LEN, ModelId, UnitId};
pub use ledger::{Answered, Entry, EntryChange, LEDGER_FORMAT, Ledger, LedgerUnreadable, Review};
pub use model::{Model, ModelEvent, ModelFiled, ModelProblem, ModelRecord, ModelReport, ModelStatus, ModelStep};
pub use period::{Bucket, Date, Month, ReportPeriod, YEARS};
pub use report::{Figure, Report, UnitFigures, carried_sum, column_figures, column_name, report_columns, unit_figures};
pub use rollup::{RegisterHistory, RegisterRollups, RollupChange, register_moves, removal_moves};
pub use scoring::{ScoringSheet, SheetFiled, SheetProblem, SheetRecord};
pub use snapshot::AreaSnapshot;
pub use sync::{
    Ahead, CounterCell, MAX_AMOUNT, MAX_CELLS, MAX_CLOCK_AHEAD_MS, MAX_REQUEST_BYTES, OLDEST_PROTOCOL, PROTOCOL,
    RefusedCell, RegisterCell, SyncPlan, SyncRequest, SyncResponse, check_counter, check_register, plan_sync,
};
pub use tally::MemoryTally;
pub use unit::{Unit, UnitLevel, UnitTree};
pub use void::{VoidPlan, plan_void};
