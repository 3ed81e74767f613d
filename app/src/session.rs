//! The volunteer app's state, shared through context: the enrolment's token and area,
//! the ledger, the sync status and the last reports. Every entry goes through
//! [`Session::record`], which writes to browser storage before the screen may say "saved".

use crate::storage::{self, Cached, StorageFailure};
use crate::{api, clock, profile};
use domain::enrol::Enrolment;
use domain::{AreaSnapshot, Catalogue, DeviceId, DomainError, Ledger, Report, ReportPeriod, UnitId, UnitTree};
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
    /// The server no longer accepts this device (revoked): the phone must enrol again.
    pub lost_access: bool,
}

impl SyncStatus {
    /// The Vietnamese label: offline / N waiting / syncing / synced at hh:mm.
    pub fn label(&self, pending: usize) -> String {
        if self.syncing {
            return "Đang đồng bộ…".into();
        }
        match (&self.problem, pending) {
            (Some(problem), 0) => return format!("Lỗi đồng bộ: {problem}"),
            (Some(problem), n) => return format!("Lỗi đồng bộ: {problem} · {n} mục chờ đồng bộ"),
            (None, _) => {}
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

/// What the enrolment fixes for the life of the page (a new enrolment reloads it).
pub struct Fixed {
    /// The enrolled device, and its secret for the API.
    pub device: DeviceId,
    token: String,
    /// Khu dân cư — the one residential area this device records for (its scope).
    pub area: UnitId,
    /// The units the device may see: its ward and the ward's areas.
    pub tree: UnitTree,
    pub catalogue: Catalogue,
}

/// Signals of the app's state; `Copy`, so views capture it freely.
#[derive(Clone, Copy)]
pub struct Session {
    pub ledger: RwSignal<Ledger>,
    pub status: RwSignal<SyncStatus>,
    pub area_snapshot: RwSignal<Option<Cached<AreaSnapshot>>>,
    pub ward_report: RwSignal<Option<Cached<Report>>>,
    /// Lives as long as the page (never freed), so plain references serve every view.
    pub fixed: &'static Fixed,
}

/// Loads the state of an enrolled volunteer's phone from browser storage and provides it
/// to every view.
pub fn provide_session(enrolment: &Enrolment) -> Result<Session, StorageFailure> {
    let tree = profile::visible_tree(&enrolment.profile);
    let ward = tree.get(&enrolment.profile.scope).ok().and_then(|u| u.parent.clone());
    let session = Session {
        ledger: RwSignal::new(storage::load_ledger_of(&enrolment.device)?),
        status: RwSignal::new(SyncStatus { reachable: true, ..SyncStatus::default() }),
        area_snapshot: RwSignal::new(storage::load_area_snapshot()),
        ward_report: RwSignal::new(storage::load_ward_report().filter(|c| Some(&c.value.unit.unit) == ward.as_ref())),
        fixed: Box::leak(Box::new(Fixed {
            device: enrolment.device.clone(),
            token: enrolment.token.clone(),
            area: enrolment.profile.scope.clone(),
            tree,
            catalogue: Catalogue::standard(),
        })),
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

    /// The ward or commune of the area.
    pub fn ward(&self) -> Option<UnitId> {
        self.fixed.tree.get(&self.fixed.area).ok().and_then(|u| u.parent.clone())
    }

    /// The stored ledger if it is still this device's. If another tab of this phone has
    /// enrolled it again, this page is stale: it reloads, and nothing is written.
    fn stored_ledger(&self) -> Result<Ledger, String> {
        match storage::load_ledger() {
            Some(ledger) if ledger.device != self.fixed.device => {
                reload();
                Err("Máy đã được ghi danh lại ở một thẻ khác; đang tải lại.".into())
            }
            Some(ledger) => Ok(ledger),
            None => Ok(self.ledger.get_untracked()),
        }
    }

    /// Applies an entry to a copy of the ledger, stores the copy, and only then shows it.
    /// Nothing changes if the entry is refused or storage fails.
    pub fn record(
        &self,
        entry: impl FnOnce(&mut Ledger, &Catalogue, &UnitTree) -> Result<(), DomainError>,
    ) -> Result<(), String> {
        let mut next = self.stored_ledger()?;
        entry(&mut next, &self.fixed.catalogue, &self.fixed.tree).map_err(|e| e.message_vi())?;
        storage::save_ledger(&next).map_err(|e| e.to_string())?;
        self.ledger.set(next);
        self.sync_now();
        Ok(())
    }

    /// Syncs by itself: now, every [`SYNC_EVERY`], and when the browser comes back online.
    /// Refreshes the profile (the units in reach) once.
    pub fn start_background_sync(self) {
        self.sync_now();
        self.refresh_profile();
        set_interval(move || self.sync_now(), SYNC_EVERY);
        let online = window_event_listener(leptos::ev::online, move |_| self.sync_now());
        // Another tab of the app on this phone recorded or synced: show its ledger. If it
        // enrolled the phone again, this page belongs to the old enrolment: reload.
        let other_tab = window_event_listener(leptos::ev::storage, move |event| {
            let key = event.key();
            let device = &self.fixed.device;
            if storage::is_enrolment_key(key.clone()) {
                if storage::load_enrolment().is_none_or(|e| &e.device != device) {
                    reload();
                }
            } else if storage::is_ledger_key(key)
                && let Some(ledger) = storage::load_ledger()
            {
                if &ledger.device == device {
                    self.ledger.set(ledger);
                } else {
                    reload();
                }
            }
        });
        // Both live as long as the page.
        std::mem::forget((online, other_tab));
    }

    /// Sends the outbox, then refreshes the reports. One at a time; safe to call often.
    pub fn sync_now(self) {
        if self.status.with_untracked(|s| s.syncing) {
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
                            lost_access: false,
                        };
                    }
                    Err(api::ApiFailure::Unreachable) => s.reachable = false,
                    Err(other) => {
                        s.reachable = true;
                        s.lost_access = other.lost_access();
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
        api::sync(&self.fixed.token, &request).await?;
        let Ok(mut next) = self.stored_ledger() else { return Ok(()) };
        next.acknowledge(&request);
        // If storage is full the acknowledgement is lost and the cells are sent again: harmless.
        let _ = storage::save_ledger(&next);
        self.ledger.set(next);
        Ok(())
    }

    async fn refresh_reports(self) -> Result<(), api::ApiFailure> {
        let period = self.this_year();
        let report = api::report(&self.fixed.token, &self.fixed.area, period).await?;
        let snapshot = self.ledger.with_untracked(|l| AreaSnapshot::take(report, l, &self.fixed.catalogue));
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
            match api::report(&self.fixed.token, &ward, period).await {
                Ok(report) => {
                    let cached = Cached { value: report, fetched_at: clock::hh_mm() };
                    storage::save_ward_report(&cached);
                    self.ward_report.set(Some(cached));
                }
                Err(failure) => self.refused(failure),
            }
        });
    }

    /// Asks the server what this device may see now (`GET /me`) and keeps the answer. The
    /// area never changes; a renamed or added unit shows from the next start.
    fn refresh_profile(self) {
        spawn_local(async move {
            match api::me(&self.fixed.token).await {
                Ok(profile) => storage::keep_profile(profile),
                Err(failure) => self.refused(failure),
            }
        });
    }

    /// Shows a failed call in the sync bar.
    fn refused(self, failure: api::ApiFailure) {
        self.status.update(|s| match failure {
            api::ApiFailure::Unreachable => s.reachable = false,
            other => {
                s.lost_access = other.lost_access();
                s.problem = Some(other.to_string());
            }
        });
    }
}

/// Reloads the page (its state is stale).
fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_sync_still_counts_the_entries_waiting() {
        let revoked = SyncStatus {
            reachable: true,
            problem: Some("Máy này đã bị thu hồi quyền truy cập.".into()),
            lost_access: true,
            ..SyncStatus::default()
        };
        assert_eq!(revoked.label(3), "Lỗi đồng bộ: Máy này đã bị thu hồi quyền truy cập. · 3 mục chờ đồng bộ");
        assert_eq!(revoked.label(0), "Lỗi đồng bộ: Máy này đã bị thu hồi quyền truy cập.");
        assert_eq!(revoked.tone(3), "problem");
        let offline = SyncStatus::default();
        assert_eq!(offline.label(2), "Ngoại tuyến · 2 mục chờ đồng bộ");
    }
}
