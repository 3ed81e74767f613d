//! Nhập số liệu — the volunteer's screen: the day of the entries (typed dd/mm/yyyy), a
//! search over the indicators with this phone's most used ones, the area's indicators
//! under the 5 contents, each content a section that opens and closes, an entry form on
//! each indicator (one open at a time), and the latest entries. A section's rows are
//! built the first time it opens, then kept: a closed section costs only its heading, so
//! the screen is ready sooner on a slow phone.

mod figures;
mod find;
mod indicator_row;
mod recent;

use crate::CollectAny;
use crate::clock;
use crate::session::use_session;
use domain::{Date, IndicatorId};
use find::FindIndicator;
use indicator_row::IndicatorRow;
use leptos::prelude::*;

#[component]
pub fn EntryScreen() -> impl IntoView {
    let session = use_session();
    // The day as typed: each save reads it (`Date::from_vietnamese`), so a date being
    // corrected is never taken for another.
    let date = RwSignal::new(clock::today().to_vietnamese());
    // What is wrong with it, said when the field is left.
    let date_error = RwSignal::new(None::<String>);
    // The last entry saved: which indicator, and the words said of it.
    let flash = RwSignal::new(None::<(&'static IndicatorId, String)>);
    // The indicator whose entry form is open, if any.
    let editing = RwSignal::new(None::<&'static IndicatorId>);
    let cat = &session.fixed.catalogue;
    let sections: Vec<(Option<u8>, String)> = std::iter::once((None, "Thông tin chung của khu dân cư".to_string()))
        .chain(cat.contents.iter().map(|c| (Some(c.number), c.heading())))
        .collect();
    view! {
        <section class="entry">
            <label class="date">
                "Ngày ghi (ngày/tháng/năm)"
                <input
                    inputmode="decimal"
                    autocomplete="off"
                    aria-describedby="date-error"
                    aria-invalid=move || date_error.with(Option::is_some).to_string()
                    prop:value=move || date.get()
                    on:input=move |ev| date.set(event_target_value(&ev))
                    on:change=move |_| date_error.set(Date::from_vietnamese(&date.get()).err().map(|e| e.message_vi()))
                />
            </label>
            <p class="alert" role="alert" id="date-error">{move || date_error.get()}</p>
            <FindIndicator editing />
            // For screen readers; the row that was saved shows it too.
            <p class="announce" role="status" data-testid="save-message">
                {move || flash.get().map(|(_, said)| said)}
            </p>
            {sections
                .into_iter()
                .map(|(content, heading)| {
                    // Set when the section first opens: its rows are built then.
                    let built = RwSignal::new(false);
                    let rows = move || {
                        if built.get() {
                            cat.of_content_on(content, session.today())
                                .map(|indicator| view! { <IndicatorRow indicator date flash editing /> })
                                .collect_any()
                                .into_any()
                        } else {
                            ().into_any()
                        }
                    };
                    view! {
                        <details class="content" id=section_id(content)>
                            // A tap, a key, or the search's `click()` on it.
                            <summary on:click=move |_| {
                                if !built.get_untracked() {
                                    built.set(true)
                                }
                            }>
                                <h2>{heading}</h2>
                            </summary>
                            {rows}
                        </details>
                    }
                })
                .collect_any()}
            <recent::RecentEntries />
        </section>
    }
}

/// The element id of the section of a content (`None`: the area's general information).
fn section_id(content: Option<u8>) -> String {
    format!("content-{}", content.unwrap_or(0))
}
