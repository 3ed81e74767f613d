//! Chọn đơn vị — a select of units for officers who reach many (a province has about a
//! hundred communes and 1.500 areas): past [`SEARCH_FROM`] units, a field above it keeps
//! those whose name has every word typed, without diacritics ("nong thuong" finds "Xã
//! Nông Thượng", `domain::search`), and picks the first when the one chosen is filtered out.

use crate::CollectAny;
use domain::{Unit, UnitId, search};
use leptos::prelude::*;

/// From how many units the search field shows.
pub const SEARCH_FROM: usize = 10;

/// The units whose name matches `query` (all of them for an empty query), today's map
/// first, then the units before a reorganisation.
pub fn matching<'a>(units: &'a [Unit], query: &str) -> Vec<&'a Unit> {
    let mut found: Vec<&Unit> =
        units.iter().filter(|u| query.trim().is_empty() || search::matches(query, &u.name)).collect();
    found.sort_by_key(|u| u.valid_to.is_some());
    found
}

/// A unit as a select lists it: a unit of the map before a reorganisation says until
/// when it existed ("Phường Đức Xuân (đến 30/06/2025)"), beside today's of the same name.
pub fn option_name(unit: &Unit) -> String {
    match unit.valid_to {
        Some(last) => format!("{} (đến {})", unit.name, last.to_vietnamese()),
        None => unit.name.clone(),
    }
}

#[component]
pub fn UnitPicker(
    /// The select's label ("Đơn vị", "Khu dân cư", "Xã, phường").
    #[prop(into)]
    label: Signal<&'static str>,
    #[prop(into)] units: Signal<Vec<Unit>>,
    chosen: RwSignal<UnitId>,
    /// Called with the unit picked, by the select or by the search.
    on_pick: impl Fn(UnitId) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let shown = move || units.with(|all| matching(all, &query.get()).into_iter().cloned().collect::<Vec<_>>());
    let search = move || {
        (units.with(Vec::len) > SEARCH_FROM).then(|| {
            view! {
                <label>
                    {move || format!("Tìm {} (gõ không dấu được)", label.get().to_lowercase())}
                    <input
                        type="search"
                        autocomplete="off"
                        prop:value=move || query.get()
                        on:input=move |ev| {
                            query.set(event_target_value(&ev));
                            let found = shown();
                            if !found.iter().any(|u| u.id == chosen.get_untracked())
                                && let Some(first) = found.first()
                            {
                                on_pick(first.id.clone());
                            }
                        }
                    />
                </label>
            }
        })
    };
    let options = move || {
        let found = shown();
        if found.is_empty() {
            return view! { <option value="" disabled=true>"Không có đơn vị nào tên như vậy"</option> }.into_any();
        }
        found
            .into_iter()
            .map(|u| {
                let selected = u.id == chosen.get_untracked();
                view! { <option value=u.id.to_string() selected=selected>{option_name(&u)}</option> }
            })
            .collect_any()
            .into_any()
    };
    view! {
        {search}
        <label class="pick">
            {label}
            <select on:change=move |ev| {
                if let Ok(id) = UnitId::new(event_target_value(&ev)) {
                    on_pick(id);
                }
            }>{options}</select>
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::UnitTree;

    #[test]
    fn names_are_found_without_diacritics_by_every_word() {
        let units: Vec<Unit> = UnitTree::demo().units().cloned().collect();
        let names = |q: &str| matching(&units, q).into_iter().map(|u| u.name.as_str()).collect::<Vec<_>>();
        assert_eq!(names("nong thuong"), ["Xã Nông Thượng"]);
        assert_eq!(names("thuong nong"), ["Xã Nông Thượng"], "words in any order");
        assert_eq!(names("to 1"), ["Tổ 11", "Tổ 13", "Tổ 15"]);
        assert_eq!(names("  ").len(), units.len(), "an empty query keeps every unit");
        assert!(names("hà nội").is_empty());
    }

    #[test]
    fn a_unit_before_a_reorganisation_says_until_when() {
        let mut unit = UnitTree::demo().units().next().unwrap().clone();
        assert_eq!(option_name(&unit), "Thành phố Bắc Kạn");
        unit.valid_to = Some(domain::Date::new(2025, 6, 30).unwrap());
        assert_eq!(option_name(&unit), "Thành phố Bắc Kạn (đến 30/06/2025)");
        let today = Unit { valid_to: None, ..unit.clone() };
        let units = [unit, today];
        assert_eq!(matching(&units, "bac kan")[0].valid_to, None, "today's map first");
    }
}
