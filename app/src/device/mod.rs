//! Máy này — the volunteer's page about this phone (`/may.html`, its own WASM, loaded on
//! demand so the volunteer's first load does not carry it): what the device is, exporting
//! a backup, restoring one, and the cells the server refused ("Cần xem lại"), to send
//! again. On a phone not enrolled (a new phone) it shows only the restore.

mod about;
mod export;
mod restore;
mod review;

use crate::storage;
use domain::enrol::Enrolment;
use domain::{Catalogue, Ledger, Role};
use leptos::prelude::*;

/// What the page knows of an enrolled volunteer's phone; `Copy`, so views capture it.
#[derive(Clone, Copy)]
pub struct DevicePage {
    /// Lives as long as the page (never freed).
    pub enrolment: &'static Enrolment,
    pub catalogue: &'static Catalogue,
    /// The stored ledger, as last read (another tab of the app may change it).
    pub ledger: RwSignal<Ledger>,
}

pub fn use_device_page() -> DevicePage {
    expect_context::<DevicePage>()
}

impl DevicePage {
    /// The name of a unit in reach, or its id.
    pub fn unit_name(&self, id: &domain::UnitId) -> String {
        crate::profile::unit_name(&self.enrolment.profile, id)
    }

    /// Follows the stored ledger: another tab of the app records and syncs meanwhile. If
    /// another tab enrolled the phone again, the page reloads.
    fn follow_other_tabs(self) {
        let listener = window_event_listener(leptos::ev::storage, move |event| {
            let key = event.key();
            if storage::is_enrolment_key(key.clone()) {
                crate::reload_page();
            } else if storage::is_ledger_key(key)
                && let Ok(Some(ledger)) = storage::load_ledger()
            {
                if ledger.device == self.enrolment.device {
                    self.ledger.set(ledger);
                } else {
                    crate::reload_page();
                }
            }
        });
        // Lives as long as the page.
        std::mem::forget(listener);
    }
}

/// The "Máy này" page, when it is the phone's one writer of its storage.
#[component]
pub fn DeviceApp() -> impl IntoView {
    crate::as_writer(device_page)
}

fn device_page() -> AnyView {
    let enrolment = storage::load_enrolment();
    let ledger = enrolment.as_ref().map(|e| storage::load_ledger_of(&e.device));
    // Why an enrolled volunteer's phone shows only the restore.
    let lost = match &ledger {
        Some(Err(failure)) => Some(failure.to_string()),
        _ => None,
    };
    let body = match (enrolment, ledger.and_then(Result::ok)) {
        (Some(enrolment), Some(ledger)) if ledger.went_behind() => {
            view! { <restore::ContinueAsSuccessor enrolment ledger /> }.into_any()
        }
        (Some(enrolment), Some(ledger)) if enrolment.profile.role == Role::Volunteer => {
            let page = DevicePage {
                enrolment: Box::leak(Box::new(enrolment)),
                catalogue: Box::leak(Box::new(storage::load_catalogue().unwrap_or_else(Catalogue::standard))),
                ledger: RwSignal::new(ledger),
            };
            provide_context(page);
            page.follow_other_tabs();
            view! {
                <about::AboutDevice />
                <review::ReviewList />
                <export::ExportBackup />
                <restore::RestoreBackup />
            }
            .into_any()
        }
        (Some(enrolment), _) if enrolment.profile.role != Role::Volunteer => view! {
            <p class="hint">
                "Sao lưu và khôi phục dành cho máy của Trưởng ban công tác Mặt trận khu dân cư. Máy này được ghi danh cho "
                {enrolment.profile.role.name_vi()} "."
            </p>
            <p>
                <a href=crate::pages::OFFICER>"Mở trang cán bộ"</a>
            </p>
        }
        .into_any(),
        // Not enrolled (a new phone), or its ledger is gone: the restore only.
        _ => view! {
            <p class="alert" role="alert">{lost}</p>
            <restore::RestoreBackup />
        }
        .into_any(),
    };
    view! {
        <header class="bar">
            <div class="brand">
                <strong>"Sổ tay Mặt trận"</strong>
                <span class="area-name">"Máy này"</span>
            </div>
        </header>
        <main>
            <nav class="tabs">
                <a class="tab-link" href=crate::pages::ENTRY>
                    "← Về trang nhập số liệu"
                </a>
            </nav>
            {body}
        </main>
    }
    .into_any()
}
