//! Sổ tay Mặt trận — the app volunteers and officers use on their phones.
//!
//! Client-side rendered Leptos in WebAssembly. Working data lives in browser storage
//! ([`storage`]); the network is in [`api`]; the volunteer's shared state in [`session`];
//! one folder or module per screen. Each page of the app ([`pages`]) is an entry of its
//! own over this library, loaded only when opened: [`App`] (the volunteer's entry screen,
//! `src/main.rs`), [`JoinApp`], [`WardApp`], [`DeviceApp`] (the "Máy này" page: backups
//! and cells to review) and [`OfficerApp`], in `src/bin/`.

mod api;
mod chart;
mod clock;
mod device;
mod download;
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

/// Talc, not Rust's default dlmalloc: less WASM on every page (BENCHMARKS.md), and faster.
/// The app is single-threaded (no `atomics`), as Talc's WASM allocator requires.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The version the device list shows officers: the build's commit, set by `cargo xtask build`.
pub const APP_VERSION: &str = match option_env!("SOTAY_APP_VERSION") {
    Some(version) => version,
    None => env!("CARGO_PKG_VERSION"),
};

/// The app's pages, each with its own WASM entry, loaded only when opened: a
/// volunteer's first load carries neither the join screen nor the ward's figures, the
/// backups or the officers' screens. `cargo xtask build` writes them (`public/*.html`).
pub mod pages {
    /// The volunteer's entry screen (`src/main.rs`). Its page sends a phone not enrolled,
    /// or a join link (`/#join=…`), to [`JOIN`] and an officer's phone to [`OFFICER`]
    /// before any WASM loads.
    pub const ENTRY: &str = "/";
    /// Enrolling the phone with a join code (`src/bin/join.rs`).
    pub const JOIN: &str = "/tham-gia.html";
    /// The ward's figures, for the volunteer (`src/bin/ward.rs`).
    pub const WARD: &str = "/tong-hop.html";
    /// "Máy này": backups and cells to review (`src/bin/device.rs`).
    pub const DEVICE: &str = "/may.html";
    /// The officers' screens (`src/bin/officer.rs`).
    pub const OFFICER: &str = "/officer.html";
    /// The first-time help: what the five contents are, how to correct a mistake, that
    /// the app works without signal. HTML only (`public/huong-dan.html`); a volunteer
    /// sees it once enrolled.
    pub const HELP: &str = "/huong-dan.html";
}

/// Lists of views, each view type-erased: every list of a page shares one copy of
/// Leptos' list code in its WASM, where `collect_view` makes one per type of item
/// (−1,9 KB of brotli on the entry page, BENCHMARKS.md).
pub(crate) trait CollectAny {
    fn collect_any(self) -> Vec<AnyView>;
}

impl<I: Iterator<Item = V>, V: IntoAny> CollectAny for I {
    fn collect_any(self) -> Vec<AnyView> {
        self.map(IntoAny::into_any).collect()
    }
}

/// Goes to another page of the app, leaving no entry to come back to.
fn open_page(path: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().replace(path);
    }
}

/// Opens the page an enrolment belongs to: officers to theirs, a volunteer this one.
pub(crate) fn open_app_of(enrolment: &Enrolment) {
    open_page(if enrolment.profile.role == Role::Volunteer { pages::ENTRY } else { pages::OFFICER });
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

/// Sends a panic's message to the browser's console (the WASM only traps otherwise). The
/// message, not a stack: 1 KB brotli less than `console_error_panic_hook`, which the
/// volunteer's first load cannot spare.
pub fn report_panics() {
    std::panic::set_hook(Box::new(|info| web_sys::console::error_1(&info.to_string().into())));
}

/// The volunteer's entry screen (`/`).
#[component]
pub fn App() -> impl IntoView {
    as_writer(|| volunteer_page(Screen::Entry, || view! { <entry::EntryScreen /> }.into_any()))
}

/// The ward's figures, for the volunteer (`/tong-hop.html`).
#[component]
pub fn WardApp() -> impl IntoView {
    as_writer(|| volunteer_page(Screen::Ward, || view! { <ward::WardScreen /> }.into_any()))
}

/// How long a page waits between its tries for the writer's role, and how many it makes
/// before it says another tab has it (the page this tab just left may still be letting
/// it go).
const WRITER_RETRY: std::time::Duration = std::time::Duration::from_millis(300);
const WRITER_TRIES: u32 = 5;
const WRITER_AGAIN: std::time::Duration = std::time::Duration::from_secs(3);

/// Shows `page` once this page is the phone's one writer ([`storage::become_writer`]).
/// While another tab of the app is, it says so, with the way to use the app here, and
/// tries again while the volunteer looks at it (the other may be closed); if another
/// tab takes the role later, this page loads again (and then says so).
pub(crate) fn as_writer(page: impl Fn() -> AnyView + Send + Sync + 'static) -> AnyView {
    let writer = RwSignal::new(None::<bool>);
    let taking = RwSignal::new(false);
    try_to_write(writer, false, WRITER_TRIES);
    (move || match writer.get() {
        None => view! { <Opening /> }.into_any(),
        Some(true) => page(),
        Some(false) => view! {
            <Brand />
            <main>
                <section class="join" data-testid="open-elsewhere">
                    <h1>"Sổ tay đang mở ở một thẻ khác"</h1>
                    <p class="hint">
                        "Mỗi lúc chỉ một thẻ (hay cửa sổ) của ứng dụng ghi số liệu trên máy này, để không số nào bị mất. \
                         Thẻ kia sẽ thôi ghi."
                    </p>
                    <button
                        class="primary"
                        disabled=move || taking.get()
                        on:click=move |_| {
                            taking.set(true);
                            try_to_write(writer, true, 1);
                        }
                    >
                        "Dùng ở thẻ này"
                    </button>
                </section>
            </main>
        }
        .into_any(),
    })
    .into_any()
}

/// Tries for the writer's role (`take`: from the tab that holds it), `tries` times; then
/// says another tab has it, and tries again every [`WRITER_AGAIN`] while this tab is in
/// view (`tries` 0: a tab in the background never takes the role from a tab moving
/// between pages).
fn try_to_write(writer: RwSignal<Option<bool>>, take: bool, tries: u32) {
    leptos::task::spawn_local(async move {
        // Tries after the first few, only in view.
        let now = tries > 0 || in_view();
        if writer.get_untracked() == Some(true) {
            return;
        }
        if now && storage::become_writer(take, reload_page).await {
            writer.set(Some(true));
        } else if tries > 1 {
            set_timeout(move || try_to_write(writer, false, tries - 1), WRITER_RETRY);
        } else {
            if writer.get_untracked().is_none() {
                writer.set(Some(false));
            }
            set_timeout(move || try_to_write(writer, false, 0), WRITER_AGAIN);
        }
    });
}

/// True while this page is in view (not a tab in the background).
fn in_view() -> bool {
    let document = web_sys::window().and_then(|w| w.document());
    document.is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
}

/// Loads this page again (its state is stale, or another tab took the writer's role).
pub(crate) fn reload_page() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// Enrolling this phone (`/tham-gia.html`): the join screen, or, on an enrolled phone
/// opened without a join link, the app of its enrolment.
#[component]
pub fn JoinApp() -> impl IntoView {
    let code = join::take_code_from_url();
    let enrolment = storage::load_enrolment();
    if let (None, Some(enrolment)) = (&code, &enrolment) {
        open_app_of(enrolment);
        return view! { <Opening /> }.into_any();
    }
    let code = StoredValue::new(code.unwrap_or_default());
    as_writer(move || {
        // Back to the app of the enrolment, if it still works.
        let on_cancel = storage::load_enrolment()
            .filter(|e| storage::load_ledger_of(&e.device).is_ok())
            .map(|e| Callback::new(move |()| open_app_of(&e)));
        view! {
            <Brand />
            <main>
                <JoinScreen code=code.get_value() on_cancel />
            </main>
        }
        .into_any()
    })
}

/// A screen of the volunteer's pages.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Screen {
    Entry,
    Ward,
}

/// An enrolled volunteer's page: the sync bar, the links between the screens, and
/// `screen` (a function, so that each page's WASM holds only its own screen). A phone not
/// enrolled goes to the join page, an officer's to its own; a ledger the page cannot use
/// says why, and the ways on.
fn volunteer_page(current: Screen, screen: fn() -> AnyView) -> AnyView {
    let Some(enrolment) = storage::load_enrolment() else {
        open_page(pages::JOIN);
        return view! { <Opening /> }.into_any();
    };
    if enrolment.profile.role != Role::Volunteer {
        open_page(pages::OFFICER);
        return view! { <Opening /> }.into_any();
    }
    let session = match provide_session(&enrolment) {
        Ok(session) => session,
        Err(lost) => {
            return view! {
                <Brand />
                <main>
                    <section class="join">
                        <p class="alert" role="alert">{lost.to_string()}</p>
                        <p><a href=format!("{}#join", pages::JOIN)>"Nhập mã tham gia mới"</a></p>
                        <p><a href=pages::DEVICE>"Khôi phục từ bản sao lưu"</a></p>
                    </section>
                </main>
            }
            .into_any();
        }
    };
    session.start_background_sync();
    let link = move |which: Screen, href: &'static str, label: &'static str| {
        let current = (which == current).then_some("page");
        view! { <a class="tab" href=href aria-current=current>{label}</a> }
    };
    view! {
        <sync_bar::SyncBar />
        <main>
            <nav class="tabs">
                {link(Screen::Entry, pages::ENTRY, "Nhập số liệu")}
                {link(Screen::Ward, pages::WARD, "Tổng hợp phường, xã")}
                <a class="tab-link" href=pages::DEVICE>"Máy này"</a>
                <a class="tab-link" href=pages::HELP>"Hướng dẫn"</a>
            </nav>
            {screen()}
        </main>
    }
    .into_any()
}
