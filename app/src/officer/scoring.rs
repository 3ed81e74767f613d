//! Phiếu chấm điểm — the scoring sheets that concern the chosen unit, one set here by a
//! province's or a district's Front (criteria typed a line each, `domain::scoring`), and
//! a model scored on its sheet, by itself or by the inspection team: the total and the
//! verdict computed as the points are typed, never typed themselves. A score is a step of
//! the model (`models::prepared`), so it is held on the phone and sent when there is signal.

use super::models::{StepFields, prepared, send};
use super::{OfficerSession, kept};
use crate::{CollectAny, api, clock};
use domain::scoring::{Criterion, criteria_as_text, criteria_from_text, sheets_seen_from};
use domain::{Action, Date, EventId, Model, ModelStep, ScoringSheet, SheetProblem, SheetRecord, UnitId};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// ": 82/100 điểm (đạt từ 80): Đạt" for a score on a known sheet; else nothing.
pub fn score_line(step: &ModelStep, sheets: &[SheetRecord]) -> String {
    let (ModelStep::SelfScore { sheet, points } | ModelStep::Score { sheet, points }) = step else {
        return String::new();
    };
    let total = sheets.iter().find(|r| r.sheet.id == *sheet).and_then(|r| r.sheet.total(points).ok());
    total.map(|t| format!(": {}", t.describe())).unwrap_or_default()
}

/// Points typed for each item, read as the sheet allows: whole numbers from 0 to each
/// item's maximum; the first that is not, named.
pub fn typed_points(sheet: &ScoringSheet, typed: &[String]) -> Result<Vec<u16>, String> {
    (sheet.items().zip(typed.iter().chain(std::iter::repeat(&String::new()))))
        .map(|(item, typed)| {
            typed
                .trim()
                .parse::<u16>()
                .ok()
                .filter(|p| *p <= item.max)
                .ok_or_else(|| format!("Mục \"{}\": nhập số điểm từ 0 đến {}.", item.name, item.max))
        })
        .collect()
}

/// The sheets that concern the chosen unit; one set here by those who may.
#[component]
pub fn SheetsPanel(session: OfficerSession, unit: RwSignal<UnitId>) -> impl IntoView {
    let list = move || {
        let chosen = unit.get();
        let seen = session.reach.with(|r| sheets_seen_from(&r.tree, &chosen, session.sheets.get()));
        if seen.is_empty() {
            return view! { <li class="hint">"Chưa có phiếu chấm điểm: mô hình được nghiệm thu không cần chấm điểm."</li> }
                .into_any();
        }
        seen.into_iter().map(|record| sheet_view(session, &record.sheet)).collect_any().into_any()
    };
    let may_set = move || session.may(Action::SetScoringSheets, &unit.get());
    view! {
        <h2>"Phiếu chấm điểm"</h2>
        <ul class="rows" data-testid="sheet-list">{list}</ul>
        <Show when=may_set>
            <SheetForm session unit />
        </Show>
    }
}

fn sheet_view(session: OfficerSession, sheet: &ScoringSheet) -> AnyView {
    let about = format!(
        "Nội dung {} · {} · {} tiêu chí, {} mục · {} điểm, đạt từ {}",
        sheet.content,
        session.unit_name(&sheet.unit),
        sheet.criteria.len(),
        sheet.items().count(),
        sheet.max(),
        sheet.pass_mark
    );
    let criteria = (sheet.criteria.iter())
        .map(|c| {
            let items = (c.items.iter())
                .map(|i| view! { <li>{format!("{} — tối đa {} điểm", i.name, i.max)}</li> })
                .collect_any();
            view! { <li>{c.name.clone()}<ul>{items}</ul></li> }
        })
        .collect_any();
    view! {
        <li data-sheet=sheet.id.to_string()>
            <strong>{sheet.name.clone()}</strong>
            <span class="when">{about}</span>
            <details>
                <summary>"Các tiêu chí"</summary>
                <ol>{criteria}</ol>
            </details>
        </li>
    }
    .into_any()
}

/// Lập phiếu chấm điểm: its name, content, pass mark and criteria, a line each.
#[component]
fn SheetForm(session: OfficerSession, unit: RwSignal<UnitId>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let content = RwSignal::new(2u8);
    let pass_mark = RwSignal::new(String::new());
    let criteria = RwSignal::new(String::new());
    let (error, done) = (RwSignal::new(None::<String>), RwSignal::new(None::<String>));
    // A sheet sent without an answer: the same sheet sent again keeps its id.
    let last = StoredValue::new(None::<ScoringSheet>);
    let read = move || -> Result<Vec<Criterion>, SheetProblem> { criteria_from_text(&super::nfc(&criteria.get())) };
    let preview = move || match read() {
        Ok(c) if c.is_empty() => String::new(),
        Ok(c) => {
            let items: usize = c.iter().map(|c| c.items.len()).sum();
            let points: u32 = c.iter().flat_map(|c| &c.items).map(|i| u32::from(i.max)).sum();
            format!("{} tiêu chí, {items} mục, tổng {points} điểm.", c.len())
        }
        Err(problem) => problem.message_vi(),
    };
    let sample = move |_| {
        let sheet = ScoringSheet::khu_dan_cu_van_minh(EventId::new("pc-mau").expect("a slug"), unit.get_untracked());
        name.set(sheet.name.clone());
        content.set(sheet.content);
        pass_mark.set(sheet.pass_mark.to_string());
        criteria.set(criteria_as_text(&sheet.criteria));
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        let Ok(pass_mark) = pass_mark.get_untracked().trim().parse::<u16>() else {
            error.set(Some("Điểm đạt là một số nguyên, ví dụ 80.".into()));
            return;
        };
        let sheet = read().and_then(|criteria| {
            let id = EventId::new(super::areas::fresh_id("pc-")).expect("hex ids are slugs");
            let sheet = ScoringSheet {
                id,
                unit: unit.get_untracked(),
                content: content.get_untracked(),
                name: super::nfc(&name.get_untracked()),
                criteria,
                pass_mark,
            };
            let sheet = sheet.canonical()?;
            session.reach.with_untracked(|r| sheet.check(&r.tree, &session.fixed.catalogue))?;
            Ok(sheet)
        });
        let mut sheet = match sheet {
            Ok(sheet) => sheet,
            Err(problem) => return error.set(Some(problem.message_vi())),
        };
        if let Some(earlier) = last.get_value().filter(|e| ScoringSheet { id: e.id.clone(), ..sheet.clone() } == *e) {
            sheet.id = earlier.id;
        }
        last.set_value(Some(sheet.clone()));
        error.set(None);
        spawn_local(async move {
            match session.call(|token| async move { api::set_sheet(&token, &sheet).await }).await {
                Ok(filed) => {
                    last.set_value(None);
                    session.sheets.update(|all| {
                        all.retain(|r| r.sheet.id != filed.record.sheet.id);
                        all.push(filed.record.clone());
                        kept::keep_sheets(all);
                    });
                    done.try_set(Some(format!("Đã lưu phiếu \"{}\".", filed.record.sheet.name)));
                    criteria.try_set(String::new());
                    name.try_set(String::new());
                }
                Err(message) => {
                    error.try_set(Some(message));
                }
            }
        });
    };
    let contents = move || {
        (session.fixed.catalogue.contents.iter())
            .map(|c| view! { <option value=c.number.to_string() selected=move || content.get() == c.number>{c.heading()}</option> })
            .collect_any()
    };
    view! {
        <details class="sheet-form">
            <summary>"Lập phiếu chấm điểm"</summary>
            <form class="issue" on:submit=submit>
                <p class="hint">
                    "Phiếu dùng cho các mô hình của đơn vị đang chọn và các đơn vị trực thuộc. Mỗi tiêu chí một dòng; \
                     dưới đó mỗi mục một dòng: \"- Tên mục: số điểm\"."
                </p>
                <button type="button" on:click=sample>"Điền theo mẫu \"Khu dân cư văn minh\""</button>
                <label>
                    "Tên phiếu"
                    <input autocomplete="off" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </label>
                <label>
                    "Nội dung"
                    <select on:change=move |ev| content.set(event_target_value(&ev).parse().unwrap_or(1))>{contents}</select>
                </label>
                <label>
                    "Điểm đạt"
                    <input inputmode="numeric" prop:value=move || pass_mark.get() on:input=move |ev| pass_mark.set(event_target_value(&ev)) />
                </label>
                <label>
                    "Tiêu chí và mục"
                    <textarea rows="12" prop:value=move || criteria.get() on:input=move |ev| criteria.set(event_target_value(&ev))></textarea>
                </label>
                <p class="hint" data-testid="sheet-preview">{preview}</p>
                <p class="alert" role="alert">{move || error.get()}</p>
                <button type="submit" class="primary">"Lưu phiếu"</button>
                <p class="flash" role="status">{move || done.get()}</p>
            </form>
        </details>
    }
}

/// Tự chấm điểm / Chấm điểm: a point for each item of the sheet, the total and verdict
/// shown as they are typed.
#[component]
pub fn ScoreForm(
    session: OfficerSession,
    model: Model,
    sheet: ScoringSheet,
    /// The model's own score, else the inspection team's.
    own: bool,
    done: RwSignal<Option<String>>,
    on_filed: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let typed = RwSignal::new(vec![String::new(); sheet.items().count()]);
    let day = RwSignal::new(clock::today().to_vietnamese());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let (model, sheet) = (StoredValue::new(model), StoredValue::new(sheet));
    let total = move || {
        let typed = typed.get();
        sheet.with_value(|sheet| {
            let filled = typed.iter().filter(|t| !t.trim().is_empty()).count();
            match typed_points(sheet, &typed) {
                Ok(points) => sheet.total(&points).map(|t| format!("Tổng: {}", t.describe())).unwrap_or_default(),
                Err(_) if filled < typed.len() => format!("Đã chấm {filled}/{} mục.", typed.len()),
                Err(message) => message,
            }
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        let event = sheet
            .with_value(|sheet| {
                let points = typed_points(sheet, &typed.get_untracked())?;
                let sheet = sheet.id.clone();
                Ok::<_, String>(if own {
                    ModelStep::SelfScore { sheet, points }
                } else {
                    ModelStep::Score { sheet, points }
                })
            })
            .and_then(|step| Ok((step, Date::from_vietnamese(&day.get_untracked()).map_err(|e| e.message_vi())?)))
            .and_then(|(step, d)| model.with_value(|m| prepared(session, Some(m), d, step, &note.get_untracked())));
        match event {
            Ok(event) => {
                error.set(None);
                open.set(false);
                send(session, event, error, done, on_filed);
            }
            Err(message) => error.set(Some(message)),
        }
    };
    let mut index = 0;
    let fieldsets = sheet.with_value(|sheet| {
        (sheet.criteria.iter())
            .map(|c| {
                let items = (c.items.iter())
                    .map(|item| {
                        let i = index;
                        index += 1;
                        view! {
                            <label>
                                <span>{format!("{} (tối đa {})", item.name, item.max)}</span>
                                <input
                                    inputmode="numeric"
                                    autocomplete="off"
                                    data-item=i.to_string()
                                    prop:value=move || typed.with(|t| t.get(i).cloned().unwrap_or_default())
                                    on:input=move |ev| typed.update(|t| t[i] = event_target_value(&ev))
                                />
                            </label>
                        }
                    })
                    .collect_any();
                view! { <fieldset><legend>{c.name.clone()}</legend>{items}</fieldset> }
            })
            .collect_any()
    });
    let label = if own { "Tự chấm điểm" } else { "Chấm điểm theo phiếu" };
    view! {
        <Show when=move || !open.get()>
            <button on:click=move |_| open.set(true)>{label}</button>
        </Show>
        <form class="edit score" class:hidden=move || !open.get() on:submit=submit>
            <h3>{move || format!("{label}: {}", sheet.with_value(|s| s.name.clone()))}</h3>
            {fieldsets}
            <p class="total" role="status" data-testid="score-total">{total}</p>
            <StepFields day_label="Ngày chấm (ngày/tháng/năm)" day note error save="Lưu điểm" open />
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_points_are_whole_numbers_within_each_item() {
        let sheet = ScoringSheet::khu_dan_cu_van_minh(EventId::new("pc-1").unwrap(), UnitId::new("tp").unwrap());
        let mut typed: Vec<String> = sheet.items().map(|i| i.max.to_string()).collect();
        assert_eq!(sheet.total(&typed_points(&sheet, &typed).unwrap()).unwrap().points, 100);
        typed[0] = " 5 ".into();
        assert_eq!(typed_points(&sheet, &typed).unwrap()[0], 5);
        for bad in ["7", "5,5", "-1", ""] {
            typed[0] = bad.into();
            let err = typed_points(&sheet, &typed).unwrap_err();
            assert_eq!(
                err, "Mục \"Không có hộ đói, hộ nghèo giảm so với năm trước\": nhập số điểm từ 0 đến 6.",
                "{bad}"
            );
        }
        assert!(typed_points(&sheet, &typed[..3]).is_err(), "every item scored");
    }
}
