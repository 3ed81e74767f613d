//! Sổ tay Mặt trận — the app volunteers and officers use on their phones.
//!
//! Client-side rendered Leptos in WebAssembly. Working data lives in browser storage
//! ([`storage`]); the network is in [`api`]; the volunteer's shared state in [`session`];
//! one folder or module per screen. Three entries over this library: [`App`] (the
//! volunteer's, `src/main.rs`, joining included), [`OfficerApp`] (`src/bin/officer.rs`,
//! served as `/officer.html`) and [`DeviceApp`] (`src/bin/device.rs`, the volunteer's
//! "Máy này" page, `/may.html`: backups and cells to review), so neither the officers'
//! screens nor the backups are in the volunteer's first download.

mod api;
mod clock;
mod device;
mod entry;
mod join;
mod officer;
mod profile;
mod report_view;
mod session;
mod storage;
mod sync_bar;
mod ward;

pub use device::DeviceApp;
use domain::Role;
use domain::enrol::Enrolment;
use join::JoinScreen;
use leptos::prelude::*;
pub use officer::OfficerApp;
use session::provide_session;

/// The version the device list shows officers: the build's commit, set by `cargo xtask build`.
pub const APP_VERSION: &str = match option_env!("SOTAY_APP_VERSION") {
    Some(version) => version,
    None => env!("CARGO_PKG_VERSION"),
};

/// Where the officers' app is served.
const OFFICER_PAGE: &str = "/officer.html";

/// Goes to another page of the app, leaving no entry to come back to.
fn open_page(path: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().replace(path);
    }
}

/// Opens the page an enrolment belongs to: officers to theirs, a volunteer this one.
pub(crate) fn open_app_of(enrolment: &Enrolment) {
    open_page(if enrolment.profile.role == Role::Volunteer { "/" } else { OFFICER_PAGE });
}

#[component]
fn Opening() -> impl IntoView {
    view! { <p class="hint">"Đang mở…"</p> }
}

/// The bar of a phone not enrolled yet.
#[component]
fn Brand() -> impl IntoView {
    view! {
        <header class="bar">
            <div class="brand">
                <strong>"Sổ tay Mặt trận"</strong>
            </div>
        </header>
    }
}

/// The volunteer's app, and the way in for everyone: the join screen when the phone is
/// not enrolled, or a join link was opened (to enrol it again); an officer's phone goes
/// to its own page.
/// Sends a panic's message to the browser's console (the WASM only traps otherwise). The
/// message, not a stack: 1 KB brotli less than `console_error_panic_hook`, which the
/// volunteer's first load cannot spare.
pub fn report_panics() {
    std::panic::set_hook(Box::new(|info| web_sys::console::error_1(&info.to_string().into())));
}

#[component]
pub fn App() -> impl IntoView {
    let code = join::take_code_from_url();
    let enrolment = storage::load_enrolment();
    let volunteer = enrolment.as_ref().is_some_and(|e| e.profile.role == Role::Volunteer);
    let session = match &enrolment {
        Some(enrolment) if volunteer && code.is_none() => Some(provide_session(enrolment)),
        _ => None,
    };
    match (enrolment, session) {
        (_, Some(Ok(session))) => view! { <Volunteer session /> }.into_any(),
        // An officer's phone.
        (Some(_), None) if code.is_none() => {
            open_page(OFFICER_PAGE);
            view! { <Opening /> }.into_any()
        }
        (enrolment, session) => {
            let problem = match session {
                Some(Err(lost)) => Some(lost.to_string()),
                _ => None,
            };
            // Back to the app of the enrolment, if it still works.
            let on_cancel = enrolment.filter(|_| problem.is_none()).map(|e| Callback::new(move |()| open_app_of(&e)));
            view! {
                <Brand />
                <main>
                    <JoinScreen code=code.unwrap_or_default() on_cancel problem />
                </main>
            }
            .into_any()
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Entry,
    Ward,
}

/// An enrolled volunteer's phone: the sync bar, entry and the ward's figures.
#[component]
fn Volunteer(session: session::Session) -> impl IntoView {
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
            <nav class="tabs" role="tablist">
                {tab_button(Tab::Entry, "Nhập số liệu")}
                {tab_button(Tab::Ward, "Tổng hợp phường, xã")}
                <a class="tab-link" href="/may.html">"Máy này"</a>
            </nav>
            {move || match tab.get() {
                Tab::Entry => view! { <entry::EntryScreen /> }.into_any(),
                Tab::Ward => view! { <ward::WardScreen /> }.into_any(),
            }}
        </main>
    }
}
