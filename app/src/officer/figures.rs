//! Số liệu — the year's report of a unit in reach (the officer's own by default): its
//! child units for a chosen indicator, then every indicator's total by content.

use super::use_officer_session;
use crate::CollectAny;
use crate::report_view::ReportView;
use crate::storage::Cached;
use crate::{api, clock};
use domain::{Report, ReportPeriod, UnitId};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn FiguresScreen() -> impl IntoView {
    let session = use_officer_session();
    let unit = RwSignal::new(session.scope());
    // The report of the chosen unit; an answer for a unit no longer chosen is dropped.
    let report = RwSignal::new(None::<Cached<Report>>);
    let error = RwSignal::new(None::<String>);
    let load = move || {
        let (id, year) = (unit.get_untracked(), clock::today().month().year());
        let Ok(period) = ReportPeriod::year(year) else { return };
        spawn_local(async move {
            match session.call(|token| async move { api::report(&token, &id, period).await }).await {
                Ok(fresh) if unit.try_get_untracked().as_ref() == Some(&fresh.unit.unit) => {
                    report.try_set(Some(Cached { value: fresh, fetched_at: clock::stamp() }));
                    error.try_set(None);
                }
                Ok(_) => {}
                Err(message) => {
                    error.try_set(Some(message));
                }
            }
        });
    };
    load();
    // Units above the residential areas, parents first.
    let options = session.reach.with_untracked(|r| {
        (r.profile.units.iter())
            .filter(|u| !u.is_area())
            .map(|u| {
                let selected = u.id == unit.get_untracked();
                view! { <option value=u.id.to_string() selected=selected>{u.name.clone()}</option> }
            })
            .collect_any()
    });
    let heading = move || {
        report.with(|cached| match cached {
            Some(c) => {
                format!("{} — {} (số liệu lúc {})", c.value.unit.name, c.value.period_name, clock::shown(&c.fetched_at))
            }
            None => format!("{} — đang tải số liệu…", session.unit_name(&unit.get())),
        })
    };
    view! {
        <section class="ward">
            <label class="pick">
                "Đơn vị "
                <select on:change=move |ev| {
                    if let Ok(id) = UnitId::new(event_target_value(&ev)) {
                        unit.set(id);
                        report.set(None);
                        load();
                    }
                }>{options}</select>
            </label>
            <h1 data-testid="report-heading">{heading}</h1>
            <p class="alert" role="alert">{move || error.get()}</p>
            <button on:click=move |_| load()>"Tải lại"</button>
            <ReportView report catalogue=&session.fixed.catalogue />
        </section>
    }
}
