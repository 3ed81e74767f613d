//! Đã ghi gần đây — the latest entries on this phone, with their notes.

use super::indicator_row::describe;
use crate::session::use_session;
use leptos::prelude::*;

/// How many entries the list shows.
const SHOWN: usize = 10;

#[component]
pub fn RecentEntries() -> impl IntoView {
    let session = use_session();
    let rows = move || {
        session.ledger.with(|ledger| {
            ledger
                .entries()
                .iter()
                .rev()
                .take(SHOWN)
                .map(|entry| {
                    let what = session.fixed.catalogue.get(&entry.indicator).map(|i| describe(i, entry.change));
                    let note = (!entry.note.is_empty()).then(|| format!("Ghi chú: {}", entry.note));
                    view! {
                        <li>
                            <span class="when">{entry.date.to_vietnamese()}</span>
                            <span class="what">{what.unwrap_or_default()}</span>
                            <span class="note">{note}</span>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <section class="recent">
            <h2>"Đã ghi gần đây"</h2>
            <ul data-testid="recent-entries">{rows}</ul>
        </section>
    }
}
