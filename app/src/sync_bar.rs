//! The bar at the top: the app, the area, and the sync state, always visible; when the
//! server no longer accepts this device, the way to enrol it again; what needs the
//! volunteer (cells to review, a backup to export, the phone's clock), with the way to
//! the "Máy này" page.

use crate::CollectAny;
use crate::session::{REMIND_BACKUP_AFTER_MS, use_session};
use crate::{clock, storage};
use leptos::prelude::*;

/// How often the notices are worked out again with the time.
const NOTICES_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// How far the phone's clock may be from the server's before the bar says so.
const CLOCK_OFF_MS: i64 = 3600 * 1000;

/// What needs the volunteer, in Vietnamese; empty when nothing does.
pub fn notices(
    in_review: usize,
    oldest_unsynced_ms: Option<u64>,
    last_backup_ms: Option<u64>,
    now_ms: u64,
    clock_off_ms: i64,
) -> Vec<String> {
    let mut notices = Vec::new();
    if in_review > 0 {
        notices.push(format!("{in_review} mục cần xem lại: máy chủ chưa nhận, xem lý do ở mục Máy này."));
    }
    let long_unsynced = oldest_unsynced_ms.is_some_and(|t| now_ms.saturating_sub(t) > REMIND_BACKUP_AFTER_MS);
    let backed_up_since = last_backup_ms.is_some_and(|b| oldest_unsynced_ms.is_some_and(|t| b >= t));
    if long_unsynced && !backed_up_since {
        notices.push(
            "Có số liệu chưa đồng bộ quá 7 ngày: mất máy là mất số liệu. Hãy xuất bản sao lưu ở mục Máy này.".into(),
        );
    }
    if clock_off_ms.abs() > CLOCK_OFF_MS {
        let hours = clock_off_ms.unsigned_abs() / 3_600_000;
        let off = if hours >= 48 { format!("{} ngày", hours / 24) } else { format!("{hours} giờ") };
        let way = if clock_off_ms > 0 { "chậm" } else { "nhanh" };
        notices.push(format!("Đồng hồ của điện thoại {way} khoảng {off} so với máy chủ: hãy chỉnh lại ngày giờ."));
    }
    notices
}

#[component]
pub fn SyncBar() -> impl IntoView {
    let session = use_session();
    let pending = Memo::new(move |_| session.ledger.with(|l| l.pending()));
    // The notices follow the clock too: an app left open offline for a week reminds.
    let now = RwSignal::new(clock::now_ms());
    set_interval(move || now.set(clock::now_ms()), NOTICES_EVERY);
    let area_name = move || {
        let tree = &session.fixed.tree;
        let unit = tree.get(&session.fixed.area).ok()?;
        let parent = unit.parent.as_ref().and_then(|p| tree.get(p).ok()).map(|p| p.name.clone());
        Some(match parent {
            Some(p) => format!("{} · {p}", unit.name),
            None => unit.name.clone(),
        })
    };
    view! {
        <header class="bar">
            <div class="brand">
                <strong>"Sổ tay Mặt trận"</strong>
                <span class="area-name" data-testid="area-name">{area_name}</span>
            </div>
            <div class="sync">
                <span
                    data-testid="sync-state"
                    role="status"
                    class=move || format!("badge {}", session.status.with(|s| s.tone(pending.get())))
                >
                    {move || session.status.with(|s| s.label(pending.get()))}
                </span>
                <button
                    class="sync-now"
                    on:click=move |_| session.sync_now()
                    disabled=move || session.status.with(|s| s.syncing)
                >
                    "Đồng bộ"
                </button>
            </div>
            {move || {
                let (in_review, oldest) = session.ledger.with(|l| (l.in_review(), l.oldest_unsynced_ms()));
                let off = session.clock_off_ms.get();
                let list = notices(in_review, oldest, storage::last_backup_ms(), now.get(), off);
                (!list.is_empty()).then(|| {
                    view! {
                        <a class="notice" href=crate::pages::DEVICE data-testid="notices">
                            {list.into_iter().map(|n| view! { <span>{n}</span> }).collect_any()}
                        </a>
                    }
                })
            }}
            // A closure, not `<Show>`: 0,6 KB less of the first load (run again on a
            // change of the status, it patches the same button: tachys rebuilds in place).
            {move || {
                session.status.with(|s| s.lost_access).then(|| {
                    view! {
                        <button class="rejoin" on:click=|_| crate::join::open_join_screen()>
                            "Nhập mã tham gia mới"
                        </button>
                    }
                })
            }}
        </header>
    }
}
