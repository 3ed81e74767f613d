//! Danh mục — the province administrator's catalogue: its indicators by content, an
//! indicator added (land in hectares among the units), renamed or retired from a day.
//! Each change is sent with its id, so a change whose answer was lost is filed once;
//! volunteers' phones take the new catalogue at their next sync.

use super::areas::fresh_id;
use super::{nfc, use_officer_session};
use crate::{CollectAny, api, clock, storage};
use domain::format::HECTARE;
use domain::{
    AddedKind, Catalogue, CatalogueChange, CatalogueChanged, CatalogueEdit, Date, EventId, Indicator, IndicatorKind,
    Month, NewIndicator, indicator_id_for,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The kinds a province may add, as the form offers them.
const KINDS: [(&str, &str); 3] = [("counter", "Cộng dồn"), ("level", "Số hiện có"), ("flag", "Có/không")];

#[component]
pub fn CatalogueScreen() -> impl IntoView {
    let session = use_officer_session();
    let catalogue = RwSignal::new(session.fixed.catalogue.clone());
    let (error, done) = (RwSignal::new(None::<String>), RwSignal::new(None::<String>));
    spawn_local(async move {
        match session.call(|token| async move { api::catalogue(&token).await }).await {
            Ok(json) => {
                if let Ok(fresh) = serde_json::from_str::<Catalogue>(&json) {
                    storage::save_catalogue(json);
                    catalogue.try_set(fresh);
                }
            }
            Err(message) => {
                error.try_set(Some(message));
            }
        }
    });
    // A change sent without an answer: the same change sent again keeps its id.
    let last = StoredValue::new(None::<CatalogueChange>);
    let send = move |edit: CatalogueEdit, said: String| {
        let province = session.scope();
        let change = match last.get_value().filter(|c| c.edit == edit && c.province == province) {
            Some(earlier) => earlier,
            None => {
                let id = EventId::new(fresh_id("dm-")).unwrap_or_else(|_| unreachable!("hex ids are slugs"));
                CatalogueChange { id, province, edit }
            }
        };
        last.set_value(Some(change.clone()));
        error.set(None);
        done.set(None);
        spawn_local(async move {
            match session.call(|token| async move { api::change_catalogue(&token, &change).await }).await {
                Ok(CatalogueChanged { catalogue: fresh, .. }) => {
                    last.set_value(None);
                    storage::save_catalogue(serde_json::to_string(&fresh).unwrap_or_default());
                    catalogue.try_set(fresh);
                    done.try_set(Some(format!("{said} Máy của các Trưởng ban nhận danh mục mới ở lần đồng bộ sau.")));
                }
                Err(message) => {
                    error.try_set(Some(message));
                }
            }
        });
    };
    let list = move || {
        catalogue.with(|cat| {
            let group = |heading: String, content: Option<u8>| {
                let rows = cat.of_content(content).map(|i| view! { <li>{describe(i)}</li> }).collect_any();
                view! {
                    <h3>{heading}</h3>
                    <ul class="rows">{rows}</ul>
                }
            };
            std::iter::once(group("Thông tin chung".into(), None))
                .chain(cat.contents.iter().map(|c| group(c.heading(), Some(c.number))))
                .collect_any()
        })
    };
    view! {
        <section class="catalogue">
            <p class="hint">
                "Danh mục chỉ tiêu của tỉnh: thêm, đổi tên hay cho thôi dùng một chỉ tiêu không cần cập nhật ứng dụng. \
                 Số liệu đã nhập của chỉ tiêu thôi dùng vẫn còn trong báo cáo các kỳ trước."
            </p>
            <AddForm catalogue send />
            <ChangeForm catalogue send />
            <p class="alert" role="alert">{move || error.get()}</p>
            <p class="flash" role="status">{move || done.get()}</p>
            <div data-testid="catalogue-list">{list}</div>
        </section>
    }
}

/// An indicator as the list shows it: "Đất nhân dân hiến · m² · cộng dồn", and its day
/// of retirement.
fn describe(indicator: &Indicator) -> String {
    let kind = match indicator.kind {
        IndicatorKind::Counter => "cộng dồn",
        IndicatorKind::Level => "số hiện có",
        IndicatorKind::Flag => "có/không",
        IndicatorKind::Ratio { .. } => "tỷ lệ",
    };
    let mut said = format!("{} · {} · {kind}", indicator.label, indicator.unit);
    if let Some(from) = indicator.retired {
        said += &format!(" · thôi dùng từ {}", from.to_vietnamese());
    }
    said
}

/// Adds an indicator: its label (its id made from it), unit, kind and content.
#[component]
fn AddForm(catalogue: RwSignal<Catalogue>, send: impl Fn(CatalogueEdit, String) + Copy + 'static) -> impl IntoView {
    let (label, unit, kind, content) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new("counter".to_string()),
        RwSignal::new(None::<u8>),
    );
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = nfc(label.get_untracked().trim());
        let Some(id) = indicator_id_for(&typed) else {
            return error.set(Some("Tên chỉ tiêu cần có chữ hoặc số.".into()));
        };
        let kind = match kind.get_untracked().as_str() {
            "level" => AddedKind::Level,
            "flag" => AddedKind::Flag,
            _ => AddedKind::Counter,
        };
        let unit = nfc(unit.get_untracked().trim());
        let indicator = NewIndicator { id, label: typed.clone(), unit, kind, content: content.get_untracked() };
        error.set(None);
        // The server checks it (`CatalogueChange::check`) and says why it does not fit.
        send(CatalogueEdit::Add { indicator }, format!("Đã thêm chỉ tiêu \"{typed}\"."));
    };
    let contents = move || {
        catalogue.with(|cat| {
            std::iter::once(view! { <option value=String::new()>{"Thông tin chung".to_string()}</option> })
                .chain(cat.contents.iter().map(|c| view! { <option value=c.number.to_string()>{c.heading()}</option> }))
                .collect_any()
        })
    };
    let kinds = KINDS.iter().map(|&(value, name)| view! { <option value=value>{name}</option> }).collect_any();
    view! {
        <details class="sheet-form">
            <summary>"Thêm chỉ tiêu"</summary>
            <form class="issue" on:submit=submit>
                <label>
                    "Tên chỉ tiêu"
                    <input autocomplete="off" prop:value=move || label.get() on:input=move |ev| label.set(event_target_value(&ev)) />
                </label>
                <label>
                    "Đơn vị tính"
                    <input autocomplete="off" prop:value=move || unit.get() on:input=move |ev| unit.set(event_target_value(&ev)) />
                </label>
                <p class="hint">{format!("Ví dụ: hộ, người, m, đồng. Đất tính bằng héc-ta ghi \"{HECTARE}\": Trưởng ban nhập số lẻ như 1,25.")}</p>
                <label>
                    "Cách tính"
                    <select on:change=move |ev| kind.set(event_target_value(&ev))>{kinds}</select>
                </label>
                <label>
                    "Thuộc nội dung"
                    <select on:change=move |ev| content.set(event_target_value(&ev).parse().ok())>{contents}</select>
                </label>
                <p class="alert" role="alert">{move || error.get()}</p>
                <button type="submit" class="primary">"Thêm chỉ tiêu"</button>
            </form>
        </details>
    }
}

/// Renames an indicator in use, or retires it from a day.
#[component]
fn ChangeForm(catalogue: RwSignal<Catalogue>, send: impl Fn(CatalogueEdit, String) + Copy + 'static) -> impl IntoView {
    let chosen = RwSignal::new(String::new());
    // A retirement runs from a month's first day: the next month's, unless typed otherwise.
    let month = clock::today().month();
    let next =
        if month.month() == 12 { Month::new(month.year() + 1, 1) } else { Month::new(month.year(), month.month() + 1) };
    let first_of_next = next.map(Date::first_of).unwrap_or_else(|_| clock::today());
    let (new_label, from) = (RwSignal::new(String::new()), RwSignal::new(first_of_next.to_vietnamese()));
    let error = RwSignal::new(None::<String>);
    let picked = move || {
        catalogue.with_untracked(|cat| cat.indicators.iter().find(|i| i.id.as_str() == chosen.get_untracked()).cloned())
    };
    let rename = move |_| match picked() {
        None => error.set(Some("Hãy chọn một chỉ tiêu.".into())),
        Some(indicator) => {
            error.set(None);
            let label = nfc(new_label.get_untracked().trim());
            let said = format!("Đã đổi tên \"{}\" thành \"{label}\".", indicator.label);
            send(CatalogueEdit::Rename { indicator: indicator.id, label }, said);
            chosen.set(String::new());
            new_label.set(String::new());
        }
    };
    let retire = move |_| match (picked(), Date::from_vietnamese(&from.get_untracked())) {
        (None, _) => error.set(Some("Hãy chọn một chỉ tiêu.".into())),
        (_, Err(problem)) => error.set(Some(problem.message_vi())),
        (Some(indicator), Ok(day)) => {
            error.set(None);
            let said = format!("Chỉ tiêu \"{}\" thôi dùng từ ngày {}.", indicator.label, day.to_vietnamese());
            send(CatalogueEdit::Retire { indicator: indicator.id, from: day }, said);
            chosen.set(String::new());
        }
    };
    let options = move || {
        catalogue.with(|cat| {
            // Each option selected as `chosen` says: after a change the list shows none chosen.
            std::iter::once(view! { <option value=String::new() selected=move || chosen.get().is_empty()>{"— Chọn chỉ tiêu —".to_string()}</option> }.into_any())
                .chain(cat.indicators.iter().filter(|i| i.retired.is_none()).map(|i| {
                    let id = i.id.to_string();
                    view! { <option value=id.clone() selected=move || chosen.get() == id>{i.label.clone()}</option> }.into_any()
                }))
                .collect_any()
        })
    };
    view! {
        <details class="sheet-form">
            <summary>"Đổi tên hoặc cho thôi dùng"</summary>
            <div class="issue">
                <label>
                    "Chỉ tiêu"
                    <select on:change=move |ev| chosen.set(event_target_value(&ev))>{options}</select>
                </label>
                <label>
                    "Tên mới"
                    <input autocomplete="off" prop:value=move || new_label.get() on:input=move |ev| new_label.set(event_target_value(&ev)) />
                </label>
                <button type="button" on:click=rename>"Đổi tên"</button>
                <label>
                    "Thôi dùng từ ngày (ngày/tháng/năm)"
                    <input inputmode="decimal" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev)) />
                </label>
                <button type="button" on:click=retire>"Cho thôi dùng"</button>
                <p class="alert" role="alert">{move || error.get()}</p>
            </div>
        </details>
    }
}
