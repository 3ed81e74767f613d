//! Tìm chỉ tiêu — a search over the indicators by name, without diacritics ("dat hien"),
//! and while nothing is typed, the ones this phone uses most. A tap goes to the
//! indicator's row, its section open and its entry form open with the focus in it.

use crate::CollectAny;
use crate::session::use_session;
use domain::{Indicator, IndicatorId, IndicatorKind, search};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// How many indicators the list shows.
const SHOWN: usize = 5;

#[component]
pub fn FindIndicator(editing: RwSignal<Option<&'static IndicatorId>>) -> impl IntoView {
    let session = use_session();
    let cat = &session.fixed.catalogue;
    let query = RwSignal::new(String::new());
    let go = move |indicator: &'static Indicator| {
        query.set(String::new());
        // Its section opens as on a tap, which builds its rows (`EntryScreen`).
        if let Some(section) = document().get_element_by_id(&super::section_id(indicator.content))
            && !section.has_attribute("open")
            && let Ok(Some(summary)) = section.query_selector("summary")
            && let Some(summary) = summary.dyn_ref::<web_sys::HtmlElement>()
        {
            summary.click();
        }
        if matches!(indicator.kind, IndicatorKind::Counter | IndicatorKind::Level) {
            editing.set(Some(&indicator.id));
        }
        // After the rows and the form have rendered: bring the row into view (below the
        // sticky bar: `scroll-margin-top`), focus its amount field, or its "Có".
        request_animation_frame(move || {
            let Some(row) = document().get_element_by_id(&format!("indicator-{}", indicator.id)) else { return };
            row.scroll_into_view();
            let first = row.query_selector("input, button").ok().flatten();
            if let Some(first) = first.and_then(|f| f.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = first.focus();
            }
        });
    };
    // The most used, or those the query finds, rebuilt as the query changes.
    let list = move || {
        let typed = query.get();
        let (heading, found): (&str, Vec<&'static Indicator>) = if typed.trim().is_empty() {
            let used = session.ledger.with(|l| {
                let today = session.today();
                let used = search::most_used(l.entries(), SHOWN).into_iter().filter_map(|id| cat.get(id).ok());
                used.filter(|i| i.in_use_on(today)).collect()
            });
            ("Hay dùng", used)
        } else {
            ("Tìm thấy", {
                let today = session.today();
                let open = |i: &&Indicator| i.in_use_on(today) && search::matches(&typed, &i.label);
                cat.indicators.iter().filter(open).take(SHOWN).collect()
            })
        };
        if found.is_empty() {
            let nothing = (!typed.trim().is_empty()).then_some("Không có chỉ tiêu nào khớp.");
            return view! { <p class="hint">{nothing}</p> }.into_any();
        }
        view! {
            <h2>{heading}</h2>
            <div class="found">
                {found.into_iter().map(|i| view! { <button on:click=move |_| go(i)>{i.label.as_str()}</button> }).collect_any()}
            </div>
        }
        .into_any()
    };
    view! {
        <div class="find" data-testid="find">
            <label>
                "Tìm chỉ tiêu (gõ không dấu cũng được)"
                <input
                    type="search"
                    autocomplete="off"
                    placeholder="Ví dụ: dat hien"
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))
                />
            </label>
            {list}
        </div>
    }
}
