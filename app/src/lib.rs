//! Sổ tay Mặt trận — the app volunteers and officers use on their phones.
//!
//! Client-side rendered Leptos in WebAssembly. Working data lives in browser storage
//! ([`storage`]); the network is in [`api`]; the shared state in [`session`]; one
//! folder or module per screen.

mod api;
mod area_picker;
mod clock;
mod entry;
mod session;
mod storage;
mod sync_bar;
mod ward;

use leptos::prelude::*;
use session::provide_session;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Entry,
    Ward,
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let session = match provide_session() {
        Ok(session) => session,
        Err(e) => return view! { <p class="alert" role="alert">{e.to_string()}</p> }.into_any(),
    };
    session.start_background_sync();
    let tab = RwSignal::new(Tab::Entry);
    let tab_button = move |which: Tab, label: &'static str| {
        view! {
            <button
                role="tab"
                aria-selected=move || (tab.get() == which).to_string()
                on:click=move |_| tab.set(which)
            >
                {label}
            </button>
        }
    };
    view! {
        <sync_bar::SyncBar />
        <main>
            <Show when=move || session.area.get().is_some() fallback=|| view! { <area_picker::AreaPicker /> }>
                <nav class="tabs" role="tablist">
                    {tab_button(Tab::Entry, "Nhập số liệu")}
                    {tab_button(Tab::Ward, "Tổng hợp phường, xã")}
                </nav>
                {move || match tab.get() {
                    Tab::Entry => view! { <entry::EntryScreen /> }.into_any(),
                    Tab::Ward => view! { <ward::WardScreen /> }.into_any(),
                }}
            </Show>
        </main>
    }
    .into_any()
}
