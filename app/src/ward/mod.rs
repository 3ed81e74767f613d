//! Tổng hợp phường, xã — the ward's figures for the year: each residential area and
//! the ward's sum for a chosen indicator, then every indicator's ward total by content.

use crate::session::use_session;
use domain::{Figure, Indicator, IndicatorId, format};
use leptos::prelude::*;

#[component]
pub fn WardScreen() -> impl IntoView {
    let session = use_session();
    session.refresh_ward();
    let chosen = RwSignal::new("dat_hien".to_string());
    let indicators: Vec<Indicator> = session.catalogue.with_value(|c| c.indicators.clone());
    let options = indicators
        .iter()
        .map(|i| {
            let (id, label) = (i.id.to_string(), i.label.clone());
            view! { <option value=id.clone() selected=id == chosen.get_untracked()>{label}</option> }
        })
        .collect_view();
    let text = move |indicator: &Indicator, figure: Option<&Figure>| match figure {
        Some(f) => format::figure(indicator, f),
        None => "—".into(),
    };
    let chosen_indicator = move || {
        let id = IndicatorId::new(chosen.get()).ok()?;
        session.catalogue.with_value(|c| c.get(&id).ok().cloned())
    };

    let table = move || {
        let indicator = chosen_indicator()?;
        session.ward_report.with(|cached| {
            let report = &cached.as_ref()?.value;
            let rows = report
                .children
                .iter()
                .map(|child| {
                    view! {
                        <tr>
                            <td>{child.name.clone()}</td>
                            <td class="num">{text(&indicator, child.figures.get(&indicator.id))}</td>
                        </tr>
                    }
                })
                .collect_view();
            let sum = text(&indicator, report.unit.figures.get(&indicator.id));
            Some(view! {
                <table data-testid="ward-table">
                    <thead>
                        <tr>
                            <th>"Khu dân cư"</th>
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
        session.ward_report.with(|cached| {
            let report = &cached.as_ref()?.value;
            let list = session.catalogue.with_value(|cat| {
                cat.contents
                    .iter()
                    .map(|content| {
                        let items = cat
                            .of_content(Some(content.number))
                            .map(|i| {
                                view! {
                                    <li>
                                        <span>{i.label.clone()}</span>
                                        <span class="num">{text(i, report.unit.figures.get(&i.id))}</span>
                                    </li>
                                }
                            })
                            .collect_view();
                        view! {
                            <h3>{content.heading()}</h3>
                            <ul class="figures">{items}</ul>
                        }
                    })
                    .collect_view()
            });
            Some(list)
        })
    };

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
            <label class="pick">
                "Chỉ tiêu "
                <select on:change=move |ev| chosen.set(event_target_value(&ev))>{options}</select>
            </label>
            {table}
            {summary}
        </section>
    }
}
