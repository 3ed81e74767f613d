//! Tổng hợp phường, xã — the ward's figures for the year (`/tong-hop.html`, loaded on
//! demand): each residential area and the ward's sum for a chosen indicator, then every
//! indicator's ward total by content. The last report fetched stays on the phone for a
//! start without signal.

use crate::report_view::ReportView;
use crate::session::{Session, use_session};
use crate::{clock, storage};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn WardScreen() -> impl IntoView {
    let session = use_session();
    let ward = session.ward();
    let report = RwSignal::new(storage::load_ward_report().filter(|c| Some(&c.value.unit.unit) == ward.as_ref()));
    refresh(session, report);
    session.refresh_profile();
    let heading = move || {
        report.with(|cached| match cached {
            Some(c) => {
                format!("{} — {} (số liệu lúc {})", c.value.unit.name, c.value.period_name, clock::shown(&c.fetched_at))
            }
            None => "Chưa có số liệu tổng hợp: hãy đồng bộ khi có mạng.".into(),
        })
    };
    view! {
        <section class="ward">
            <h1 data-testid="ward-heading">{heading}</h1>
            <button on:click=move |_| refresh(session, report)>"Tải lại"</button>
            <ReportView report catalogue=&session.fixed.catalogue />
        </section>
    }
}

/// Fetches the ward's report (it costs the server a read of every area) and keeps it.
fn refresh(session: Session, report: RwSignal<Option<storage::Cached<domain::Report>>>) {
    let Some(ward) = session.ward() else { return };
    spawn_local(async move {
        if let Some(fetched) = session.report(&ward, session.this_year()).await {
            let cached = storage::Cached { value: fetched, fetched_at: clock::stamp() };
            storage::save_ward_report(&cached);
            report.set(Some(cached));
        }
    });
}
