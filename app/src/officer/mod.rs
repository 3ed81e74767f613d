//! The officers' app (`/officer.html`, its own WASM): figures of the units in reach, their
//! models and honours, join codes, devices and the audit trail, each tab shown only to roles that may use it. It
//! reads the enrolment the join page stored.

mod areas;
mod audit;
mod catalogue;
mod codes;
mod devices;
mod figures;
mod honours;
mod kept;
mod models;
mod print;
mod scoring;
mod unit_picker;
mod yearly;

use crate::CollectAny;
use crate::api::ApiFailure;
use crate::{api, open_page, profile, storage};
use domain::enrol::Profile;
use domain::{Action, Catalogue, Role, UnitId, UnitTree, authorize};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::future::Future;

/// What the enrolment fixes for the life of the page.
pub struct OfficerFixed {
    token: String,
    pub catalogue: Catalogue,
}

/// The enrolment as last known, and the units in its reach as a tree: changed when an
/// officer creates, renames or closes an area, or `GET /me` says more.
#[derive(Clone)]
pub struct InReach {
    pub profile: Profile,
    pub tree: UnitTree,
}

impl InReach {
    pub fn new(profile: Profile) -> Self {
        InReach { tree: profile::visible_tree(&profile), profile }
    }
}

/// Text as typed on any keyboard, precomposed (NFC), as the server stores it: the one
/// place the officers' forms normalise what they send.
pub fn nfc(typed: &str) -> String {
    String::from(js_sys::JsString::from(typed).normalize("NFC"))
}

/// What became of a held step of a model when the held steps were sent.
pub enum Sent {
    Filed(Box<domain::ModelFiled>),
    /// Refused, with the server's reason: let go.
    Refused(String),
    /// Not filed yet: still held.
    Held,
}

/// How often the officers' page sends the steps it holds, while it holds any.
const RESEND_MS: u64 = 20_000;

/// The officer's state, shared through context; `Copy`, so views capture it freely.
#[derive(Clone, Copy)]
pub struct OfficerSession {
    /// Lives as long as the page (never freed).
    pub fixed: &'static OfficerFixed,
    pub reach: RwSignal<InReach>,
    /// The last call that failed for want of a connection or of access, in Vietnamese.
    pub problem: RwSignal<Option<String>>,
    /// The server no longer accepts this device: it must enrol again.
    pub lost_access: RwSignal<bool>,
    /// The last change of an area sent without an answer: the same change made again is
    /// sent with its ids, so it is filed once (kept across tabs, for the page's life).
    pub pending_area: StoredValue<Option<domain::AreaEvent>>,
    /// The same for the steps of models: each made and not yet filed, in order, kept on
    /// the phone (`kept`) and sent again when the connection is back: an inspection team
    /// scores without signal.
    pub pending_model: RwSignal<Vec<domain::ModelEvent>>,
    /// How many held steps have landed since the page opened: the models tab reloads.
    pub held_steps_filed: RwSignal<u32>,
    /// The scoring sheets that concern this officer, as last fetched (kept on the phone).
    pub sheets: RwSignal<Vec<domain::SheetRecord>>,
    /// The same for the last record of an honour.
    pub pending_honour: StoredValue<Option<domain::Honour>>,
}

pub fn use_officer_session() -> OfficerSession {
    expect_context::<OfficerSession>()
}

impl OfficerSession {
    /// May this device do `action` at `unit`? The server decides; this only hides what it
    /// would refuse.
    pub fn may(&self, action: Action, unit: &UnitId) -> bool {
        self.reach.with_untracked(|r| authorize(&profile::caller(&r.profile), action, unit, &r.tree).is_ok())
    }

    pub fn scope(&self) -> UnitId {
        self.reach.with_untracked(|r| r.profile.scope.clone())
    }

    pub fn unit_name(&self, id: &UnitId) -> String {
        self.reach.with_untracked(|r| profile::unit_name(&r.profile, id))
    }

    /// Keeps a fresher enrolment (its units) for this page and the next start.
    pub fn keep_profile(self, fresh: Profile) {
        self.reach.set(InReach::new(fresh.clone()));
        spawn_local(async move {
            // Kept only by the phone's one writer: another tab of the app may be it.
            if storage::become_writer(false, || ()).await {
                storage::keep_profile(fresh);
            }
        });
    }

    /// Calls the API with this device's token. A lost connection or lost access shows in
    /// the bar; every failure comes back as its Vietnamese message.
    pub async fn call<T, F: Future<Output = Result<T, ApiFailure>>>(
        self,
        request: impl FnOnce(String) -> F,
    ) -> Result<T, String> {
        match request(self.fixed.token.clone()).await {
            Ok(answer) => {
                self.problem.set(None);
                Ok(answer)
            }
            Err(failure) => {
                let message = failure.to_string();
                if failure == ApiFailure::Unreachable || failure.lost_access() {
                    self.lost_access.set(failure.lost_access());
                    self.problem.set(Some(message.clone()));
                }
                Err(message)
            }
        }
    }

    /// Holds a step until it is filed, on the phone too (added to the stored list, which
    /// another tab of the officers' page may have changed); refused, with the reason, if
    /// the phone cannot keep it.
    pub fn hold_step(self, event: &domain::ModelEvent) -> Result<(), String> {
        let mut held = kept::pending_steps();
        if !held.contains(event) {
            held.push(event.clone());
        }
        kept::keep_pending_steps(&held).map_err(|e| e.to_string())?;
        self.pending_model.set(held);
        Ok(())
    }

    /// Lets go of a step the server filed or refused.
    pub fn release_step(self, event: &domain::ModelEvent) {
        let mut held = kept::pending_steps();
        held.retain(|e| e != event);
        let _ = kept::keep_pending_steps(&held);
        self.pending_model.set(held);
    }

    /// Sends the held steps, in the order they were made, each with its ids (so each is
    /// filed once, whoever sends it: two sends of one step file it once). Filed or refused,
    /// a step is let go; after a refusal, the model's later steps wait for the next round;
    /// with no answer (or no access now, or too many attempts), the rest wait. Says what
    /// became of each step tried.
    pub async fn flush_steps(self) -> Vec<(domain::ModelEvent, Sent)> {
        let mut out = vec![];
        let mut waiting: Vec<domain::ModelId> = vec![];
        let mut reachable = true;
        for event in kept::pending_steps() {
            if !reachable || waiting.contains(&event.model) {
                out.push((event, Sent::Held));
                continue;
            }
            let sent = match api::model_step(&self.fixed.token, &event).await {
                Ok(filed) => {
                    self.problem.set(None);
                    self.release_step(&event);
                    self.held_steps_filed.update(|n| *n += 1);
                    Sent::Filed(Box::new(filed))
                }
                Err(refused @ ApiFailure::Refused { .. }) if !refused.lost_access() && !refused.busy() => {
                    self.release_step(&event);
                    waiting.push(event.model.clone());
                    Sent::Refused(refused.to_string())
                }
                Err(failure) => {
                    self.lost_access.set(failure.lost_access());
                    self.problem.set(Some(failure.to_string()));
                    reachable = false;
                    Sent::Held
                }
            };
            out.push((event, sent));
        }
        out
    }

    /// [`OfficerSession::flush_steps`] in a task of its own, the refusals said in the bar.
    pub fn send_held_steps(self) {
        spawn_local(async move {
            for (event, sent) in self.flush_steps().await {
                if let Sent::Refused(reason) = sent {
                    let what = event.step.name_vi();
                    self.problem.set(Some(format!("Bước \"{what}\" ghi khi không có mạng không được nhận: {reason}")));
                }
            }
        });
    }

    /// Fetches the scoring sheets and keeps them for a start without signal.
    fn refresh_sheets(self) {
        spawn_local(async move {
            if let Ok(sheets) = self.call(|token| async move { api::sheets(&token).await }).await {
                kept::keep_sheets(&sheets);
                self.sheets.set(sheets);
            }
        });
    }

    /// Asks for the province's catalogue and keeps it: if it is not the one the page
    /// started with (the province changed it since), the page opens again with it, so its
    /// reports list the indicators as they are.
    fn refresh_catalogue(self) {
        spawn_local(async move {
            if let Ok(json) = self.call(|token| async move { api::catalogue(&token).await }).await
                && storage::save_catalogue(json).is_some_and(|kept| kept != self.fixed.catalogue.version)
            {
                crate::reload_page();
            }
        });
    }

    /// Asks the server what this device may see now (`GET /me`) and keeps the answer for
    /// the next start.
    fn refresh_profile(self) {
        spawn_local(async move {
            if let Ok(fresh) = self.call(|token| async move { api::me(&token).await }).await {
                self.keep_profile(fresh);
            }
        });
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Figures,
    Models,
    Honours,
    Areas,
    Catalogue,
    Codes,
    Devices,
    Audit,
}

/// The officers' app. A volunteer's phone goes to its entry page, a phone with no
/// enrolment this version can read to the join page.
#[component]
pub fn OfficerApp() -> impl IntoView {
    let enrolment = match storage::load_enrolment() {
        Some(enrolment) if enrolment.profile.role != Role::Volunteer => enrolment,
        Some(_) => {
            open_page(crate::pages::ENTRY);
            return view! { <crate::Opening /> }.into_any();
        }
        None => {
            open_page(crate::pages::JOIN);
            return view! { <crate::Opening /> }.into_any();
        }
    };
    let session = OfficerSession {
        fixed: Box::leak(Box::new(OfficerFixed {
            token: enrolment.token,
            catalogue: storage::load_catalogue().unwrap_or_else(Catalogue::standard),
        })),
        reach: RwSignal::new(InReach::new(enrolment.profile)),
        problem: RwSignal::new(None),
        lost_access: RwSignal::new(false),
        pending_area: StoredValue::new(None),
        pending_model: RwSignal::new(kept::pending_steps()),
        held_steps_filed: RwSignal::new(0),
        sheets: RwSignal::new(kept::sheets()),
        pending_honour: StoredValue::new(None),
    };
    provide_context(session);
    session.refresh_profile();
    session.refresh_catalogue();
    session.refresh_sheets();
    session.send_held_steps();
    // Back in signal: what was made without it goes now, and every little while.
    let online = window_event_listener(leptos::ev::online, move |_| session.send_held_steps());
    on_cleanup(move || online.remove());
    let resend = move || {
        if session.pending_model.with_untracked(|held| !held.is_empty()) {
            session.send_held_steps();
        }
    };
    if let Ok(timer) = set_interval_with_handle(resend, std::time::Duration::from_millis(RESEND_MS)) {
        on_cleanup(move || timer.clear());
    }

    let scope = session.scope();
    let tabs: Vec<(Tab, &'static str)> = [
        (Tab::Figures, "Số liệu", true),
        (Tab::Models, "Mô hình", true),
        (Tab::Honours, "Khen thưởng", true),
        (Tab::Areas, "Khu dân cư", session.may(Action::ManageAreas, &scope)),
        (Tab::Catalogue, "Danh mục", session.may(Action::EditCatalogue, &scope)),
        (Tab::Codes, "Mã tham gia", session.may(Action::ManageCodes, &scope)),
        (Tab::Devices, "Thiết bị", session.may(Action::ManageDevices, &scope)),
        (Tab::Audit, "Nhật ký", session.may(Action::ReadAudit, &scope)),
    ]
    .into_iter()
    .filter_map(|(tab, label, shown)| shown.then_some((tab, label)))
    .collect();
    let tab = RwSignal::new(Tab::Figures);
    let tab_buttons = tabs
        .into_iter()
        .map(|(which, label)| {
            view! {
                <button
                    role="tab"
                    aria-selected=move || (tab.get() == which).to_string()
                    on:click=move |_| tab.set(which)
                >
                    {label}
                </button>
            }
        })
        .collect_any();
    let who = move || {
        session.reach.with(|r| {
            let p = &r.profile;
            format!("{} · {} · {}", p.label, p.role.name_vi(), profile::unit_name(p, &p.scope))
        })
    };
    view! {
        <header class="bar">
            <div class="brand">
                <strong>"Sổ tay Mặt trận"</strong>
                <span class="area-name" data-testid="area-name">{who}</span>
            </div>
            <span class="badge problem" role="status" data-testid="officer-status">
                {move || session.problem.get()}
            </span>
            <Show when=move || session.lost_access.get()>
                <button class="rejoin" on:click=|_| crate::join::open_join_screen()>
                    "Nhập mã tham gia mới"
                </button>
            </Show>
        </header>
        <main>
            <nav class="tabs" role="tablist">{tab_buttons}</nav>
            {move || match tab.get() {
                Tab::Figures => view! { <figures::FiguresScreen /> }.into_any(),
                Tab::Models => view! { <models::ModelsScreen /> }.into_any(),
                Tab::Honours => view! { <honours::HonoursScreen /> }.into_any(),
                Tab::Areas => view! { <areas::AreasScreen /> }.into_any(),
                Tab::Catalogue => view! { <catalogue::CatalogueScreen /> }.into_any(),
                Tab::Codes => view! { <codes::CodesScreen /> }.into_any(),
                Tab::Devices => view! { <devices::DevicesScreen /> }.into_any(),
                Tab::Audit => view! { <audit::AuditScreen /> }.into_any(),
            }}
        </main>
    }
    .into_any()
}
