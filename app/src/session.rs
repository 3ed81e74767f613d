//! The volunteer app's state, shared through context: the enrolment's token and area,
//! the ledger, the sync status and the area's last figures. Every entry goes through
//! [`Session::record`], which writes to browser storage before the screen may say "saved".

use crate::storage::{self, Cached, StorageFailure};
use crate::{api, clock, profile};
use domain::enrol::Enrolment;
use domain::{AreaSnapshot, Catalogue, Date, DeviceId, DomainError, Ledger, Report, ReportPeriod, UnitId, UnitTree};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// How often the app tries to sync by itself.
const SYNC_EVERY: Duration = Duration::from_secs(15);

/// Entries unsynced for longer than this remind the volunteer to export a backup: a lost
/// phone loses what it has not synced.
pub const REMIND_BACKUP_AFTER_MS: u64 = 7 * 24 * 3600 * 1000;

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
    /// While a long outbox goes out: (request being sent, requests in all).
    pub progress: Option<(usize, usize)>,
}

impl SyncStatus {
    /// The Vietnamese label: offline / N waiting / syncing / synced at hh:mm.
    pub fn label(&self, pending: usize) -> String {
        match (self.syncing, self.progress) {
            (true, Some((i, n))) if n > 1 => return format!("Đang đồng bộ {i}/{n}…"),
            (true, _) => return "Đang đồng bộ…".into(),
            _ => {}
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
    /// The server's clock less the phone's, at the last answer (ms).
    pub clock_off_ms: RwSignal<i64>,
    /// An answer of this page's life told the server's clock.
    clock_heard: RwSignal<bool>,
    /// Lives as long as the page (never freed), so plain references serve every view.
    pub fixed: &'static Fixed,
}

/// Loads the state of an enrolled volunteer's phone from browser storage and provides it
/// to every view.
pub fn provide_session(enrolment: &Enrolment) -> Result<Session, StorageFailure> {
    let tree = profile::visible_tree(&enrolment.profile);
    // Fetched at enrolment (or, if missing, after the first sync).
    let catalogue = storage::load_catalogue().unwrap_or_default();
    let session = Session {
        ledger: RwSignal::new(storage::load_ledger_of(&enrolment.device)?),
        status: RwSignal::new(SyncStatus { reachable: true, ..SyncStatus::default() }),
        area_snapshot: RwSignal::new(storage::load_area_snapshot()),
        clock_off_ms: RwSignal::new(0),
        clock_heard: RwSignal::new(false),
        fixed: Box::leak(Box::new(Fixed {
            device: enrolment.device.clone(),
            token: enrolment.token.clone(),
            area: enrolment.profile.scope.clone(),
            tree,
            catalogue,
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
        match ReportPeriod::year(clock::today().month().year()) {
            Ok(year) => year,
            Err(_) => panic!("the clock is in range"),
        }
    }

    /// Today, by the server's clock once an answer told it (a phone's clock may be off).
    pub fn today(&self) -> Date {
        clock::day_of(clock::now_ms().saturating_add_signed(self.clock_off_ms.get_untracked()))
    }

    /// The ward or commune of the area.
    pub fn ward(&self) -> Option<UnitId> {
        self.fixed.tree.get(&self.fixed.area).ok().and_then(|u| u.parent.clone())
    }

    /// The stored ledger if it is still this device's. If another tab of this phone has
    /// enrolled it again, this page is stale: it reloads, and nothing is written. A stored
    /// ledger this version cannot read is never written over.
    fn stored_ledger(&self) -> Result<Ledger, String> {
        match storage::load_ledger() {
            Ok(Some(ledger)) if ledger.device != self.fixed.device => {
                crate::reload_page();
                Err("Máy đã được ghi danh lại ở một thẻ khác; đang tải lại.".into())
            }
            Ok(Some(ledger)) => Ok(ledger),
            Ok(None) => Err(StorageFailure::LedgerLost.to_string()),
            Err(unreadable) => Err(unreadable.to_string()),
        }
    }

    /// Applies an entry to a copy of the stored ledger, stores the copy, and only then
    /// shows it, in one turn (this tab is the one writer). Nothing changes if the entry is refused or
    /// storage fails.
    pub async fn record(
        self,
        day: Date,
        entry: impl FnOnce(&mut Ledger, &Catalogue, &UnitTree) -> Result<(), DomainError> + 'static,
    ) -> Result<(), String> {
        if let Some(problem) = clock::entry_date_problem(day, self.today()) {
            return Err(problem);
        }
        let performance = web_sys::window().and_then(|w| w.performance());
        if let Some(p) = &performance {
            let _ = p.mark("sotay:save");
        }
        let mut next = self.stored_ledger()?;
        if next.went_behind() {
            return Err(String::from(WENT_BEHIND));
        }
        entry(&mut next, &self.fixed.catalogue, &self.fixed.tree).map_err(|e| e.message_vi())?;
        storage::save_ledger(&next).map_err(|e| e.to_string())?;
        let _ = self.ledger.try_set(next);
        // How long saving took, reading and writing storage included; the screen
        // updates after it (BENCHMARKS.md: the tap to the frame showing it).
        if let Some(p) = &performance {
            let _ = p.measure_with_start_mark("sotay:save", "sotay:save");
        }
        self.sync_now();
        Ok(())
    }

    /// Syncs by itself: at once, every [`SYNC_EVERY`], and when the browser comes back
    /// online. (The first sync in a task of its own: building the screen and sending are
    /// two shorter tasks on a slow phone.)
    pub fn start_background_sync(self) {
        set_timeout(move || self.sync_now(), Duration::ZERO);
        set_interval(move || self.sync_now(), SYNC_EVERY);
        let online = window_event_listener(leptos::ev::online, move |_| self.sync_now());
        // Another tab of the app on this phone recorded or synced: show its ledger. If it
        // enrolled the phone again, this page belongs to the old enrolment: reload.
        let other_tab = window_event_listener(leptos::ev::storage, move |event| {
            let key = event.key();
            let device = &self.fixed.device;
            if storage::is_enrolment_key(key.clone()) {
                if storage::load_enrolment().is_none_or(|e| &e.device != device) {
                    crate::reload_page();
                }
            } else if storage::is_ledger_key(key)
                && let Ok(Some(ledger)) = storage::load_ledger()
            {
                if &ledger.device == device {
                    self.ledger.set(ledger);
                } else {
                    crate::reload_page();
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
            let _ = self.status.try_update(|s| {
                s.syncing = false;
                s.progress = None;
                match outcome {
                    Ok(()) => {
                        *s = SyncStatus { reachable: true, synced_at: Some(clock::hh_mm()), ..SyncStatus::default() };
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

    /// Sends the outbox request by request, each answer taken on the stored ledger:
    /// refused cells are set aside for review, the others acknowledged. If an answer shows
    /// the server holds more of this device than the ledger (an older copy of it), the
    /// device stops and a successor takes over ([`Session::succeed`]).
    async fn push(self) -> Result<(), api::ApiFailure> {
        if self.ledger.with_untracked(|l| l.went_behind()) {
            return self.succeed().await;
        }
        let total = self.ledger.with_untracked(|l| l.requests_waiting());
        // The page's first sync goes out even with nothing to send: its answer tells the
        // server's clock, before the volunteer records anything.
        let heard = self.clock_heard.get_untracked();
        for i in 1..=total.max(usize::from(!heard)) {
            let request = self.ledger.with_untracked(|l| l.outbox());
            if request.is_empty() && self.clock_heard.get_untracked() {
                break;
            }
            let _ = self.status.try_update(|s| s.progress = Some((i, total)));
            let answer = api::sync(&self.fixed.token, &request).await?;
            if answer.server_ms > 0 {
                let _ = self.clock_off_ms.try_set(answer.server_ms as i64 - clock::now_ms() as i64);
            }
            let _ = self.clock_heard.try_set(true);
            let catalogue = &self.fixed.catalogue;
            if !answer.catalogue.is_empty()
                && answer.catalogue != catalogue.version
                && !CATALOGUE_ASKED.with(|asked| asked.replace(true))
            {
                leptos::task::spawn_local(keep_catalogue(self.fixed.token.clone(), catalogue.contents.is_empty()));
            }
            let Ok(mut next) = self.stored_ledger() else { return Ok(()) };
            let answered = next.answer(&request, &answer, clock::now_ms());
            // If storage is full the acknowledgement is lost and the cells are sent again: harmless.
            let _ = storage::save_ledger(&next);
            let _ = self.ledger.try_set(next);
            if answered.behind {
                return self.succeed().await;
            }
        }
        Ok(())
    }

    /// This device went backwards: the "Máy này" page (loaded on demand) moves the
    /// phone to a successor device, sending only what the server had not counted, and
    /// comes back.
    async fn succeed(self) -> Result<(), api::ApiFailure> {
        if let Some(window) = web_sys::window() {
            let _ = window.location().assign(CONTINUE_AS_SUCCESSOR);
        }
        Ok(())
    }

    async fn refresh_reports(self) -> Result<(), api::ApiFailure> {
        let period = self.this_year();
        let report = api::report(&self.fixed.token, &self.fixed.area, period).await?;
        let snapshot = self.ledger.with_untracked(|l| AreaSnapshot::take(report, l, &self.fixed.catalogue));
        let cached = Cached { value: snapshot, fetched_at: clock::stamp() };
        storage::save_area_snapshot(&cached);
        self.area_snapshot.set(Some(cached));
        Ok(())
    }

    /// Fetches the report of `unit` for `period`; a failure shows in the sync bar.
    pub async fn report(self, unit: &UnitId, period: ReportPeriod) -> Option<Report> {
        api::report(&self.fixed.token, unit, period).await.map_err(|failure| self.refused(failure)).ok()
    }

    /// Asks the server what this device may see now (`GET /me`) and keeps the answer, once
    /// a day: the area never changes (0,6 KB less on every other start). The ward's page
    /// asks, where the units are listed; the entry screen does not (1,3 KB less of its
    /// first load), so a renamed unit shows there once the ward's page has been opened.
    pub fn refresh_profile(self) {
        let today = self.today().to_string();
        if storage::profile_day().as_deref() == Some(today.as_str()) {
            return;
        }
        spawn_local(async move {
            match api::me(&self.fixed.token).await {
                Ok(profile) => {
                    storage::keep_profile(profile);
                    storage::keep_profile_day(today);
                }
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

/// The "Máy này" page, asked to move the phone to a successor device.
pub const CONTINUE_AS_SUCCESSOR: &str = "/may.html#tiep-tuc";

/// Why nothing more is recorded under a device that went backwards.
const WENT_BEHIND: &str = "Máy chủ giữ số liệu của máy này mới hơn sổ ghi trên máy (có thể đây là bản sao cũ). \
                           Hãy bấm Đồng bộ khi có mạng: ứng dụng chuyển sang một mã máy mới, không mất số liệu.";

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

thread_local! {
    /// This page asked for the province's catalogue once: it shows from the next opening.
    static CATALOGUE_ASKED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A sync told of another version of the province's catalogue: it is fetched and kept,
/// and shown from the next opening; at once if the phone held none (`reload`).
async fn keep_catalogue(token: String, reload: bool) {
    let kept = match api::catalogue(&token).await {
        Ok(json) => storage::save_catalogue(json),
        Err(_) => None,
    };
    // Not kept: the next sync asks again.
    CATALOGUE_ASKED.with(|asked| asked.set(kept.is_some()));
    if kept.is_some() && reload {
        crate::reload_page();
    }
}
