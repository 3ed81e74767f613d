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
        let ledger = session.ledger.get();
        ledger
            .entries()
            .iter()
            .rev()
            .take(SHOWN)
            .map(|entry| {
                let what = session
                    .catalogue
                    .with_value(|cat| cat.get(&entry.indicator).map(|i| describe(i, entry.change)).unwrap_or_default());
                let note = (!entry.note.is_empty()).then(|| format!("Ghi chú: {}", entry.note));
                view! {
                    <li>
                        <span class="when">{entry.date.to_vietnamese()}</span>
                        <span class="what">{what}</span>
                        <span class="note">{note}</span>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <section class="recent">
            <h2>"Đã ghi gần đây"</h2>
            <ul data-testid="recent-entries">{rows}</ul>
        </section>
    }
}
