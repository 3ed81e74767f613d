//! Nhập số liệu — the volunteer's screen: the area's indicators under the 5 contents,
//! each content a section that opens and closes, an entry form on each indicator (one
//! open at a time), and the latest entries.

mod figures;
mod indicator_row;
mod recent;

use crate::clock;
use crate::session::use_session;
use domain::{Date, IndicatorId};
use indicator_row::IndicatorRow;
use leptos::prelude::*;

#[component]
pub fn EntryScreen() -> impl IntoView {
    let session = use_session();
    let date = RwSignal::new(clock::today());
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
            <div class="entry-head">
                <label class="date">
                    "Ngày ghi "
                    <input
                        type="date"
                        prop:value=move || date.get().to_string()
                        on:change=move |ev| {
                            if let Ok(d) = event_target_value(&ev).parse::<Date>() {
                                date.set(d);
                            }
                        }
                    />
                </label>
                <span class="date-shown">{move || date.get().to_vietnamese()}</span>
            </div>
            // For screen readers; the row that was saved shows it too.
            <p class="announce" role="status" data-testid="save-message">
                {move || flash.get().map(|(_, said)| said)}
            </p>
            {sections
                .into_iter()
                .map(|(content, heading)| {
                    let indicators: Vec<_> = cat.of_content(content).collect();
                    view! {
                        <details class="content">
                            <summary>
                                <h2>{heading}</h2>
                            </summary>
                            {indicators
                                .into_iter()
                                .map(|indicator| view! { <IndicatorRow indicator date flash editing /> })
                                .collect_view()}
                        </details>
                    }
                })
                .collect_view()}
            <recent::RecentEntries />
        </section>
    }
}
