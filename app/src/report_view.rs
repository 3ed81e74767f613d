//! A report on screen, for the ward tab and the officers' figures: each child unit and
//! the unit's sum for a chosen indicator, then every indicator's total by content.

use crate::CollectAny;
use crate::storage::Cached;
use domain::{Catalogue, Figure, Indicator, IndicatorId, Report, ReportPeriod, UnitLevel, format};
use leptos::prelude::*;

fn text(indicator: &Indicator, figure: Option<&Figure>, period: ReportPeriod) -> String {
    match figure {
        Some(f) => format::figure(indicator, f, period),
        None => "—".into(),
    }
}

/// What a report's children are: its areas, or units.
pub fn children_word(report: &Report) -> &'static str {
    if report.children.iter().all(|c| c.level == UnitLevel::Area) { "Khu dân cư" } else { "Đơn vị" }
}

/// The indicator a report shows first: land donated, the campaign's best known figure.
pub const FIRST_SHOWN: &str = "dat_hien";

#[component]
pub fn ReportView(
    report: RwSignal<Option<Cached<Report>>>,
    catalogue: &'static Catalogue,
    /// The indicator chosen (its id), which a page may share with its other views.
    #[prop(optional)]
    chosen: Option<RwSignal<String>>,
) -> impl IntoView {
    let chosen = chosen.unwrap_or_else(|| RwSignal::new(FIRST_SHOWN.to_string()));
    let options = catalogue
        .indicators
        .iter()
        .map(|i| {
            let (id, label) = (i.id.to_string(), i.label.clone());
            view! { <option value=id.clone() selected=id == chosen.get_untracked()>{label}</option> }
        })
        .collect_any();
    let chosen_indicator = move || {
        let id = IndicatorId::new(chosen.get()).ok()?;
        catalogue.get(&id).ok()
    };

    let table = move || {
        let indicator = chosen_indicator()?;
        report.with(|cached| {
            let report = &cached.as_ref()?.value;
            let rows = report
                .children
                .iter()
                .map(|child| {
                    view! {
                        <tr>
                            <td>{child.name.clone()}</td>
                            <td class="num">{text(indicator, child.figures.get(&indicator.id), report.period)}</td>
                        </tr>
                    }
                })
                .collect_any();
            let children = children_word(report);
            let sum = text(indicator, report.unit.figures.get(&indicator.id), report.period);
            Some(view! {
                <table data-testid="ward-table">
                    <thead>
                        <tr>
                            <th>{children}</th>
                            <th class="num">"Kết quả"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                    <tfoot>
                        <tr>
                            <th>{format!("Tổng {}", report.unit.name)}</th>
                            <td class="num" data-testid="ward-sum">{sum}</td>
                        </tr>
                    </tfoot>
                </table>
            })
        })
    };

    let summary = move || {
        report.with(|cached| {
            let report = &cached.as_ref()?.value;
            let list = catalogue
                .contents
                .iter()
                .map(|content| {
                    let items = catalogue
                        .of_content_on(Some(content.number), report.period.first_day())
                        .map(|i| {
                            view! {
                                <li>
                                    <span>{i.label.clone()}</span>
                                    <span class="num">{text(i, report.unit.figures.get(&i.id), report.period)}</span>
                                </li>
                            }
                        })
                        .collect_any();
                    view! {
                        <h3>{content.heading()}</h3>
                        <ul class="figures">{items}</ul>
                    }
                })
                .collect_any();
            Some(list)
        })
    };

    view! {
        <label class="pick">
            "Chỉ tiêu "
            <select on:change=move |ev| chosen.set(event_target_value(&ev))>{options}</select>
        </label>
        {table}
        {summary}
    }
}
