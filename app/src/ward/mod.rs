//! Tổng hợp phường, xã — the ward's figures for the year: each residential area and
//! the ward's sum for a chosen indicator, then every indicator's ward total by content.

use crate::report_view::ReportView;
use crate::session::use_session;
use leptos::prelude::*;

#[component]
pub fn WardScreen() -> impl IntoView {
    let session = use_session();
    session.refresh_ward();
    let heading = move || {
        session.ward_report.with(|cached| match cached {
            Some(c) => format!("{} — {} (số liệu lúc {})", c.value.unit.name, c.value.period_name, c.fetched_at),
            None => "Chưa có số liệu tổng hợp: hãy đồng bộ khi có mạng.".into(),
        })
    };
    view! {
        <section class="ward">
            <h1 data-testid="ward-heading">{heading}</h1>
            <button on:click=move |_| session.refresh_ward()>"Tải lại"</button>
            <ReportView report=session.ward_report catalogue=&session.fixed.catalogue />
        </section>
    }
}
