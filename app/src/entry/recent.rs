//! Đã ghi gần đây — the latest entries on this phone: the day, the area, what, the note.

use super::indicator_row::describe;
use crate::CollectAny;
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
                    let area = session.fixed.tree.get(&entry.area).map_or(entry.area.as_str(), |u| u.name.as_str());
                    view! {
                        <li>
                            <span class="when">{format!("{} · {area}", entry.date.to_vietnamese())}</span>
                            <span class="what">{what.unwrap_or_default()}</span>
                            <span class="note">{note}</span>
                        </li>
                    }
                })
                .collect_any()
        })
    };
    view! {
        <section class="recent">
            <h2>"Đã ghi gần đây"</h2>
            <ul data-testid="recent-entries">{rows}</ul>
        </section>
    }
}
