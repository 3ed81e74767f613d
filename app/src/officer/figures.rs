//! Số liệu — the report of a unit in reach (the officer's own by default) for a chosen
//! period: its child units for a chosen indicator, then every indicator's total by
//! content; the same report downloaded as .xlsx or CSV (made by the server).

use super::print::PrintView;
use super::unit_picker::UnitPicker;
use super::{OfficerSession, use_officer_session};
use crate::CollectAny;
use crate::chart::BarChart;
use crate::report_view::ReportView;
use crate::storage::Cached;
use crate::{api, clock};
use domain::report_table::ReportTable;
use domain::{IndicatorId, Report, ReportPeriod, UnitId, chart};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The parts of a year a report can cover, as `ReportPeriod` writes them after the year,
/// then each month; and the five years up to the year ("giai đoạn").
const PARTS: [(&str, &str); 21] = [
    ("", "Cả năm"),
    ("-H1", "6 tháng đầu năm"),
    ("-H2", "6 tháng cuối năm"),
    ("-9M", "9 tháng"),
    ("-Q1", "Quý I"),
    ("-Q2", "Quý II"),
    ("-Q3", "Quý III"),
    ("-Q4", "Quý IV"),
    ("-01", "Tháng 1"),
    ("-02", "Tháng 2"),
    ("-03", "Tháng 3"),
    ("-04", "Tháng 4"),
    ("-05", "Tháng 5"),
    ("-06", "Tháng 6"),
    ("-07", "Tháng 7"),
    ("-08", "Tháng 8"),
    ("-09", "Tháng 9"),
    ("-10", "Tháng 10"),
    ("-11", "Tháng 11"),
    ("-12", "Tháng 12"),
    (FIVE_YEARS, "Giai đoạn 5 năm (đến năm đã chọn)"),
];

/// The part that stands for the five years up to the year chosen.
const FIVE_YEARS: &str = "5Y";

/// The period of `part` of `year`, as the API reads it.
pub fn period_of(year: u16, part: &str) -> Option<ReportPeriod> {
    let text = if part == FIVE_YEARS { format!("{}..{year}", year.checked_sub(4)?) } else { format!("{year}{part}") };
    text.parse().ok()
}

#[component]
pub fn FiguresScreen() -> impl IntoView {
    let session = use_officer_session();
    let unit = RwSignal::new(session.scope());
    // The report of the chosen unit; an answer for a unit no longer chosen is dropped.
    let report = RwSignal::new(None::<Cached<Report>>);
    // The report as printed, once its models (and its year before) are in.
    let printed = RwSignal::new(None::<ReportTable>);
    let error = RwSignal::new(None::<String>);
    let this_year = clock::today().month().year();
    let (year, part) = (RwSignal::new(this_year), RwSignal::new(""));
    let chosen = move || period_of(year.get_untracked(), part.get_untracked());
    let load = move || {
        let id = unit.get_untracked();
        let Some(period) = chosen() else { return };
        let of = id.clone();
        spawn_local(async move {
            match session.call(|token| async move { api::report(&token, &id, period).await }).await {
                Ok(fresh)
                    if unit.try_get_untracked().as_ref() == Some(&fresh.unit.unit)
                        && chosen() == Some(fresh.period) =>
                {
                    let table = ReportTable::new(&fresh, &session.fixed.catalogue);
                    report.try_set(Some(Cached { value: fresh, fetched_at: clock::stamp() }));
                    error.try_set(None);
                    // For the printed report: the table with its models, and the same
                    // period a year earlier beside it; without them if they fail, said.
                    let unit_id = of.clone();
                    let models = session.call(|token| async move { api::models(&token, &unit_id, period).await }).await;
                    let table = match models {
                        Ok(models) => table.with_models(&models),
                        Err(message) => {
                            error.try_set(Some(format!("Chưa tải được mô hình: {message}")));
                            table
                        }
                    };
                    let unit_id = of.clone();
                    let honours =
                        session.call(|token| async move { api::honours(&token, &unit_id, period).await }).await;
                    let table = match honours {
                        Ok(honours) => table.with_honours(&honours),
                        Err(message) => {
                            error.try_set(Some(format!("Chưa tải được khen thưởng: {message}")));
                            table
                        }
                    };
                    let earlier = match period.year_before() {
                        Some(before) => table_of(session, &of, before).await,
                        None => None,
                    };
                    let table = match earlier {
                        Some(earlier) => table.beside(&earlier),
                        None => table,
                    };
                    if unit.try_get_untracked().as_ref() == Some(&of) && chosen() == Some(period) {
                        printed.try_set(Some(table));
                    }
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
    let units = session.reach.with_untracked(|r| r.profile.units.iter().filter(|u| !u.is_area()).cloned().collect());
    let pick = move |id: UnitId| {
        unit.set(id);
        report.set(None);
        printed.set(None);
        load();
    };
    let reload = move || {
        report.set(None);
        printed.set(None);
        load();
    };
    let parts = PARTS.iter().map(|(p, name)| view! { <option value=*p>{*name}</option> }).collect_any();
    let years = super::yearly::year_options(this_year);
    // The report as a file the server makes, offered to the browser's downloads.
    let download = move |extension: &'static str| {
        let (id, Some(period)) = (unit.get_untracked(), chosen()) else { return };
        spawn_local(async move {
            let path = format!("/api/v1/units/{id}/report.{extension}?period={period}");
            let fetched = session.call(|token| async move { api::file(&token, &path).await }).await;
            let offered = fetched.and_then(|blob| {
                let name = domain::report_table::file_name(&id, period, extension);
                crate::download::offer(&name, &blob).map_err(|_| "Trình duyệt không cho tải tệp về.".to_string())
            });
            error.try_set(offered.err());
        });
    };
    let heading = move || {
        report.with(|cached| match cached {
            Some(c) => {
                format!("{} — {} (số liệu lúc {})", c.value.unit.name, c.value.period_name, clock::shown(&c.fetched_at))
            }
            None => format!("{} — đang tải số liệu…", session.unit_name(&unit.get())),
        })
    };
    let printing = RwSignal::new(false);
    let indicator = RwSignal::new(crate::report_view::FIRST_SHOWN.to_string());
    let print_view = move || {
        let table = printed.get_untracked()?;
        Some(view! { <PrintView table on_close=move || printing.set(false) /> })
    };
    // The chosen indicator as a bar per child unit.
    let by_child = move || {
        let id = IndicatorId::new(indicator.get()).ok()?;
        let shown = session.fixed.catalogue.get(&id).ok()?;
        report.with(|cached| {
            let report = &cached.as_ref()?.value;
            let bars = chart::bars(shown, report.children.iter().map(|c| (c.name.clone(), c.figures.get(&shown.id))));
            let title = format!("{} theo {}", shown.label, crate::report_view::children_word(report).to_lowercase());
            Some(view! { <BarChart title bars /> })
        })
    };
    view! {
        <Show when=move || printing.get() && printed.with(Option::is_some)>{print_view}</Show>
        <section class="ward" class:hidden=move || printing.get()>
            <UnitPicker label="Đơn vị" units=Signal::stored(units) chosen=unit on_pick=pick />
            <div class="pair">
                <label class="pick">
                    "Kỳ báo cáo"
                    <select on:change=move |ev| {
                        part.set(PARTS.iter().find(|(p, _)| *p == event_target_value(&ev)).map_or("", |(p, _)| *p));
                        reload();
                    }>{parts}</select>
                </label>
                <label class="pick">
                    "Năm"
                    <select on:change=move |ev| {
                        if let Ok(y) = event_target_value(&ev).parse() {
                            year.set(y);
                            reload();
                        }
                    }>{years}</select>
                </label>
            </div>
            <h1 data-testid="report-heading">{heading}</h1>
            <p class="alert" role="alert">{move || error.get()}</p>
            <div class="actions">
                <button on:click=move |_| load()>"Tải lại"</button>
                <button on:click=move |_| download("xlsx")>"Tải Excel (.xlsx)"</button>
                <button on:click=move |_| download("csv")>"Tải CSV"</button>
                <button on:click=move |_| printing.set(true) disabled=move || printed.with(Option::is_none)>
                    "In báo cáo"
                </button>
            </div>
            <ReportView report catalogue=&session.fixed.catalogue chosen=indicator />
            {by_child}
            <Trend session unit indicator />
        </section>
    }
}

/// The report of `unit` for `period` as the Front's table, its models the last group.
async fn table_of(session: OfficerSession, unit: &UnitId, period: ReportPeriod) -> Option<ReportTable> {
    let (a, b) = (unit.clone(), unit.clone());
    let report = session.call(|token| async move { api::report(&token, &a, period).await }).await.ok()?;
    let models = session.call(|token| async move { api::models(&token, &b, period).await }).await.ok()?;
    let c = unit.clone();
    let honours = session.call(|token| async move { api::honours(&token, &c, period).await }).await.ok()?;
    Some(ReportTable::new(&report, &session.fixed.catalogue).with_models(&models).with_honours(&honours))
}

/// How many years a trend shows, this one included.
const TREND_YEARS: u16 = 5;

/// Xu hướng — the chosen indicator of the unit over the last five years, as bars, loaded
/// when asked for (a report a year).
#[component]
fn Trend(session: OfficerSession, unit: RwSignal<UnitId>, indicator: RwSignal<String>) -> impl IntoView {
    let years = RwSignal::new(None::<(UnitId, Vec<Report>)>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let load = move |_| {
        let id = unit.get_untracked();
        busy.set(true);
        spawn_local(async move {
            let this_year = clock::today().month().year();
            let mut reports = Vec::new();
            for year in (this_year + 1 - TREND_YEARS)..=this_year {
                let Ok(period) = ReportPeriod::year(year) else { continue };
                let of = id.clone();
                match session.call(|token| async move { api::report(&token, &of, period).await }).await {
                    Ok(report) => reports.push(report),
                    Err(message) => {
                        error.try_set(Some(message));
                        busy.try_set(false);
                        return;
                    }
                }
            }
            error.try_set(None);
            busy.try_set(false);
            years.try_set(Some((id, reports)));
        });
    };
    let chart = move || {
        let id = IndicatorId::new(indicator.get()).ok()?;
        let shown = session.fixed.catalogue.get(&id).ok()?;
        years.with(|loaded| {
            let (of, reports) = loaded.as_ref().filter(|(of, _)| *of == unit.get())?;
            let bars =
                chart::bars(shown, reports.iter().map(|r| (r.period_name.clone(), r.unit.figures.get(&shown.id))));
            let title = format!("{} — {}, {} năm gần đây", shown.label, session.unit_name(of), TREND_YEARS);
            Some(view! { <BarChart title bars /> })
        })
    };
    view! {
        <h2>"Xu hướng"</h2>
        <button on:click=load disabled=move || busy.get()>
            {move || if busy.get() { "Đang tải…" } else { "Xem 5 năm gần đây" }}
        </button>
        <p class="alert" role="alert">{move || error.get()}</p>
        <div data-testid="trend">{chart}</div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_is_a_period_the_api_reads() {
        let names: Vec<String> = PARTS.iter().map(|(p, _)| period_of(2025, p).unwrap().to_vietnamese()).collect();
        assert_eq!(names[0], "Năm 2025");
        assert_eq!(names[8], "Tháng 1/2025");
        assert_eq!(names[20], "Giai đoạn 2021–2025");
    }
}
