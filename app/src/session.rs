//! The app's state, shared through context: the ledger, the chosen area, the sync
//! status and the last reports. Every entry goes through [`Session::record`], which
//! writes to browser storage before the screen may say "saved".

use crate::storage::{self, Cached, StorageFailure};
use crate::{api, clock};
use domain::{AreaSnapshot, Catalogue, DomainError, Ledger, Report, ReportPeriod, UnitId, UnitTree};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// How often the app tries to sync by itself.
const SYNC_EVERY: Duration = Duration::from_secs(15);

/// What the sync bar shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncStatus {
    pub syncing: bool,
    /// The last attempt reached the server.
    pub reachable: bool,
    pub synced_at: Option<String>,
    /// A refusal from the server, in Vietnamese.
    pub problem: Option<String>,
}

impl SyncStatus {
    /// The Vietnamese label: offline / N waiting / syncing / synced at hh:mm.
    pub fn label(&self, pending: usize) -> String {
        if self.syncing {
            return "Đang đồng bộ…".into();
        }
        if let Some(problem) = &self.problem {
            return format!("Lỗi đồng bộ: {problem}");
        }
        match (self.reachable, pending, &self.synced_at) {
            (false, 0, _) => "Ngoại tuyến".into(),
            (false, n, _) => format!("Ngoại tuyến · {n} mục chờ đồng bộ"),
            (true, 0, Some(at)) => format!("Đã đồng bộ lúc {at}"),
            (true, 0, None) => "Chưa đồng bộ".into(),
            (true, n, _) => format!("{n} mục chờ đồng bộ"),
        }
    }

    /// A short class name for the badge colour.
    pub fn tone(&self, pending: usize) -> &'static str {
        match (self.syncing, self.problem.is_some(), self.reachable, pending) {
            (true, ..) => "syncing",
            (_, true, ..) => "problem",
            (_, _, false, _) => "offline",
            (_, _, true, 0) => "synced",
            _ => "waiting",
        }
    }
}

/// Signals of the app's state; `Copy`, so views capture it freely.
#[derive(Clone, Copy)]
pub struct Session {
    pub ledger: RwSignal<Ledger>,
    pub area: RwSignal<Option<UnitId>>,
    pub status: RwSignal<SyncStatus>,
    pub area_snapshot: RwSignal<Option<Cached<AreaSnapshot>>>,
    pub ward_report: RwSignal<Option<Cached<Report>>>,
    pub tree: StoredValue<UnitTree>,
    pub catalogue: StoredValue<Catalogue>,
}

/// Loads the state from browser storage and provides it to every view.
pub fn provide_session() -> Result<Session, StorageFailure> {
    let session = Session {
        ledger: RwSignal::new(storage::load_or_create_ledger()?),
        area: RwSignal::new(storage::load_area()),
        status: RwSignal::new(SyncStatus { reachable: true, ..SyncStatus::default() }),
        area_snapshot: RwSignal::new(storage::load_area_snapshot()),
        ward_report: RwSignal::new(storage::load_ward_report()),
        tree: StoredValue::new(UnitTree::demo()),
        catalogue: StoredValue::new(Catalogue::standard()),
    };
    provide_context(session);
    Ok(session)
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

impl Session {
    /// The period the entry screen shows: this calendar year.
    pub fn this_year(&self) -> ReportPeriod {
        ReportPeriod::year(clock::today().month().year()).expect("the clock is in range")
    }

    /// The ward or commune of the chosen area.
    pub fn ward(&self) -> Option<UnitId> {
        let area = self.area.get_untracked()?;
        self.tree.with_value(|t| t.get(&area).ok().and_then(|u| u.parent.clone()))
    }

    /// Applies an entry to a copy of the ledger, stores the copy, and only then shows it.
    /// Nothing changes if the entry is refused or storage fails.
    pub fn record(
        &self,
        entry: impl FnOnce(&mut Ledger, &Catalogue, &UnitTree) -> Result<(), DomainError>,
    ) -> Result<(), String> {
        let mut next = storage::load_ledger().unwrap_or_else(|| self.ledger.get_untracked());
        self.catalogue
            .with_value(|cat| self.tree.with_value(|tree| entry(&mut next, cat, tree)))
            .map_err(|e| e.message_vi())?;
        storage::save_ledger(&next).map_err(|e| e.to_string())?;
        self.ledger.set(next);
        self.sync_now();
        Ok(())
    }

    pub fn choose_area(&self, area: UnitId) -> Result<(), String> {
        storage::save_area(&area).map_err(|e| e.to_string())?;
        self.area.set(Some(area));
        self.area_snapshot.set(None);
        self.ward_report.set(None);
        self.sync_now();
        Ok(())
    }

    /// Syncs by itself: now, every [`SYNC_EVERY`], and when the browser comes back online.
    pub fn start_background_sync(self) {
        self.sync_now();
        set_interval(move || self.sync_now(), SYNC_EVERY);
        let online = window_event_listener(leptos::ev::online, move |_| self.sync_now());
        // Another tab of the app on this phone recorded or synced: show its ledger.
        let other_tab = window_event_listener(leptos::ev::storage, move |event| {
            if storage::is_ledger_key(event.key())
                && let Some(ledger) = storage::load_ledger()
            {
                self.ledger.set(ledger);
            }
        });
        // Both live as long as the page.
        std::mem::forget((online, other_tab));
    }

    /// Sends the outbox, then refreshes the reports. One at a time; safe to call often.
    pub fn sync_now(self) {
        if self.status.get_untracked().syncing {
            return;
        }
        self.status.update(|s| s.syncing = true);
        spawn_local(async move {
            let outcome = self.push().await;
            let outcome = match outcome {
                Ok(()) => self.refresh_reports().await,
                Err(e) => Err(e),
            };
            let succeeded = outcome.is_ok();
            self.status.update(|s| {
                s.syncing = false;
                match outcome {
                    Ok(()) => {
                        *s = SyncStatus {
                            syncing: false,
                            reachable: true,
                            synced_at: Some(clock::hh_mm()),
                            problem: None,
                        };
                    }
                    Err(api::ApiFailure::Unreachable) => s.reachable = false,
                    Err(other) => {
                        s.reachable = true;
                        s.problem = Some(other.to_string());
                    }
                }
            });
            // Entries recorded while this sync was in flight go out at once.
            if succeeded && self.ledger.with_untracked(|l| l.pending()) > 0 {
                self.sync_now();
            }
        });
    }

    async fn push(self) -> Result<(), api::ApiFailure> {
        let request = self.ledger.with_untracked(|l| l.outbox());
        if request.is_empty() {
            return Ok(());
        }
        api::sync(&request).await?;
        let mut next = storage::load_ledger().unwrap_or_else(|| self.ledger.get_untracked());
        next.acknowledge(&request);
        // If storage is full the acknowledgement is lost and the cells are sent again: harmless.
        let _ = storage::save_ledger(&next);
        self.ledger.set(next);
        Ok(())
    }

    async fn refresh_reports(self) -> Result<(), api::ApiFailure> {
        let Some(area) = self.area.get_untracked() else {
            return Ok(());
        };
        let period = self.this_year();
        let report = api::report(&area, period).await?;
        let snapshot =
            self.ledger.with_untracked(|l| self.catalogue.with_value(|cat| AreaSnapshot::take(report, l, cat)));
        let cached = Cached { value: snapshot, fetched_at: clock::hh_mm() };
        storage::save_area_snapshot(&cached);
        self.area_snapshot.set(Some(cached));
        Ok(())
    }

    /// Fetches the ward's report (when its screen is opened: it costs a read of every area).
    pub fn refresh_ward(self) {
        let Some(ward) = self.ward() else { return };
        let period = self.this_year();
        spawn_local(async move {
            match api::report(&ward, period).await {
                Ok(report) => {
                    let cached = Cached { value: report, fetched_at: clock::hh_mm() };
                    storage::save_ward_report(&cached);
                    self.ward_report.set(Some(cached));
                }
                Err(api::ApiFailure::Unreachable) => self.status.update(|s| s.reachable = false),
                Err(other) => self.status.update(|s| s.problem = Some(other.to_string())),
            }
        });
    }
}
