//! The bar at the top: the app, the area, and the sync state, always visible; when the
//! server no longer accepts this device, the way to enrol it again.

use crate::session::use_session;
use leptos::prelude::*;

#[component]
pub fn SyncBar() -> impl IntoView {
    let session = use_session();
    let pending = Memo::new(move |_| session.ledger.with(|l| l.pending()));
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
            <Show when=move || session.status.with(|s| s.lost_access)>
                <button class="rejoin" on:click=|_| crate::join::open_join_screen()>
                    "Nhập mã tham gia mới"
                </button>
            </Show>
        </header>
    }
}
