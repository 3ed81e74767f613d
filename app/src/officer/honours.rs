//! Khen thưởng — titles, commendations and exemplars as decided (`domain::honour`): a
//! unit's records of a year, counted; a record with its decision; a wrong one withdrawn.
//! A record is checked here as the server checks it; sent again after a failure, it keeps
//! its id, so it is filed once.

use super::unit_picker::UnitPicker;
use super::yearly::{UnitAndYear, Yearly};
use super::{OfficerSession, nfc, use_officer_session};
use crate::CollectAny;
use crate::{api, clock};
use domain::honour::{CommendationForm, Decision, HONOUR_ROWS, HonourKind, HonourLevel};
use domain::{Action, Date, EventId, Honour, HonourRecord, HonourReport, Unit, UnitId};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// What a record honours, as the form offers it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    CulturalArea,
    CulturalFamilies,
    NewRural,
    GiayKhen,
    BangKhen,
    Exemplar,
}

const KINDS: [(Kind, &str); 6] = [
    (Kind::CulturalArea, "Danh hiệu \"Thôn, Tổ dân phố văn hóa\""),
    (Kind::CulturalFamilies, "Hộ \"Gia đình văn hóa\""),
    (Kind::NewRural, "Xã đạt chuẩn nông thôn mới"),
    (Kind::GiayKhen, "Giấy khen"),
    (Kind::BangKhen, "Bằng khen"),
    (Kind::Exemplar, "Điển hình \"Dân vận khéo\""),
];

#[component]
pub fn HonoursScreen() -> impl IntoView {
    let session = use_officer_session();
    let yearly = Yearly::<HonourReport>::new(session);
    let (report, error, done) = (yearly.answer, yearly.error, RwSignal::new(None::<String>));
    let (unit, year) = (yearly.unit, yearly.year);
    let load = move || {
        yearly.load(
            session,
            |token, unit, period| async move { api::honours(&token, &unit, period).await },
            |r| (&r.unit.unit, r.period),
        )
    };
    load();
    let counts = move || {
        report.with(|r| {
            let r = r.as_ref()?;
            let rows = HONOUR_ROWS
                .iter()
                .map(|(label, unit, count)| {
                    view! {
                        <tr>
                            <td>{*label}</td>
                            <td class="num">{format!("{} {unit}", domain::format::group(count(&r.unit.counts)))}</td>
                        </tr>
                    }
                })
                .collect_any();
            Some(view! { <table data-testid="honour-counts"><tbody>{rows}</tbody></table> })
        })
    };
    let list = move || {
        let Some(records) = report.with(|r| r.as_ref().map(|r| r.records.clone())) else {
            return view! { <li class="hint">"Đang tải…"</li> }.into_any();
        };
        if records.is_empty() {
            return view! { <li class="hint">"Chưa có bản ghi nào trong năm."</li> }.into_any();
        }
        records
            .into_iter()
            .map(|record| view! { <RecordRow session record done on_changed=load /> })
            .collect_any()
            .into_any()
    };
    view! {
        <section class="honours">
            <UnitAndYear session yearly on_change=load />
            <h1>{move || format!("Danh hiệu, khen thưởng — {} — năm {}", session.unit_name(&unit.get()), year.get())}</h1>
            <p class="alert" role="alert">{move || error.get()}</p>
            {counts}
            <RecordForm session unit done on_filed=load />
            <p class="flash" role="status" data-testid="honour-done">{move || done.get()}</p>
            <h2>"Các bản ghi"</h2>
            <ul class="rows" data-testid="honour-list">{list}</ul>
        </section>
    }
}

/// Ghi khen thưởng: what, for whom, and the decision.
#[component]
fn RecordForm(
    session: OfficerSession,
    unit: RwSignal<UnitId>,
    done: RwSignal<Option<String>>,
    on_filed: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let kind = RwSignal::new(Kind::CulturalArea);
    // The units of the chosen one where this officer records: areas only for a title.
    let candidates = Signal::derive(move || {
        let chosen = unit.get();
        let fits = |u: &Unit| match kind.get() {
            Kind::CulturalArea => u.is_area(),
            Kind::NewRural => u.level == domain::UnitLevel::Commune,
            _ => true,
        };
        session.reach.with(|r| {
            (r.profile.units.iter())
                .filter(|u| u.valid_to.is_none() && fits(u))
                .filter(|u| r.tree.self_and_ancestors(&u.id).contains(&chosen))
                .filter(|u| session.may(Action::RecordHonours, &u.id))
                .cloned()
                .collect::<Vec<Unit>>()
        })
    });
    let honoured = RwSignal::new(session.scope());
    let this_year = clock::today().month().year();
    let (year, households) = (RwSignal::new(this_year.to_string()), RwSignal::new(String::new()));
    let level = RwSignal::new(1usize);
    let (recipient, citation) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let (number, day, issuer) =
        (RwSignal::new(String::new()), RwSignal::new(clock::today().to_vietnamese()), RwSignal::new(String::new()));
    let error = RwSignal::new(None::<String>);
    // The record sent last without an answer (kept across tabs): the same record again
    // keeps its id.
    let pending = session.pending_honour;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        let chosen = honoured.get_untracked();
        let at = candidates
            .with_untracked(|c| c.iter().any(|u| u.id == chosen).then_some(chosen.clone()))
            .or_else(|| candidates.with_untracked(|c| c.first().map(|u| u.id.clone())));
        let Some(at) = at else { return error.set(Some("Chưa có đơn vị nào để ghi.".into())) };
        let number_of = |text: &str, what: &str| {
            text.trim().parse::<u32>().map_err(|_| format!("{what} phải là số nguyên, ví dụ 2025."))
        };
        let made = (|| -> Result<Honour, String> {
            let decided = Date::from_vietnamese(&day.get_untracked()).map_err(|e| e.message_vi())?;
            let year_of = || number_of(&year.get_untracked(), "Năm").map(|y| y.min(u32::from(u16::MAX)) as u16);
            let kind = match kind.get_untracked() {
                Kind::CulturalArea => HonourKind::CulturalArea { year: year_of()? },
                Kind::NewRural => HonourKind::NewRural { year: year_of()? },
                Kind::CulturalFamilies => HonourKind::CulturalFamilies {
                    year: year_of()?,
                    households: number_of(&households.get_untracked(), "Số hộ")?,
                },
                form @ (Kind::GiayKhen | Kind::BangKhen) => HonourKind::Commendation {
                    form: if form == Kind::GiayKhen { CommendationForm::GiayKhen } else { CommendationForm::BangKhen },
                    level: HonourLevel::ALL[level.get_untracked().min(HonourLevel::ALL.len() - 1)],
                    recipient: nfc(&recipient.get_untracked()),
                    reason: nfc(&citation.get_untracked()),
                },
                Kind::Exemplar => HonourKind::Exemplar {
                    recipient: nfc(&recipient.get_untracked()),
                    citation: nfc(&citation.get_untracked()),
                },
            };
            let decision =
                Decision { number: nfc(&number.get_untracked()), day: decided, issuer: nfc(&issuer.get_untracked()) };
            let fresh = EventId::new(super::areas::fresh_id("h-")).map_err(|e| e.message_vi())?;
            let draft = Honour { id: fresh, unit: at, kind, decision }.canonical().map_err(|p| p.message_vi())?;
            let draft = pending.with_value(|p| match p {
                Some(p) if Honour { id: p.id.clone(), ..draft.clone() } == *p => p.clone(),
                _ => draft,
            });
            let stored: Vec<HonourRecord> = Vec::new();
            session
                .reach
                .with_untracked(|r| draft.check(&r.tree, &stored, clock::today()))
                .map_err(|p| p.message_vi())?;
            Ok(draft)
        })();
        let honour = match made {
            Ok(honour) => honour,
            Err(message) => return error.set(Some(message)),
        };
        error.set(None);
        pending.set_value(Some(honour.clone()));
        spawn_local(async move {
            let sent = honour.clone();
            match session.call(|token| async move { api::record_honour(&token, &sent).await }).await {
                Ok(filed) => {
                    pending.set_value(None);
                    done.try_set(Some(format!("Đã ghi: {}.", filed.record.honour.describe())));
                    number.try_set(String::new());
                    recipient.try_set(String::new());
                    citation.try_set(String::new());
                    on_filed();
                }
                Err(message) => {
                    error.try_set(Some(message));
                }
            }
        });
    };
    let kinds = move || {
        KINDS
            .iter()
            .enumerate()
            .map(|(i, (_, name))| view! { <option value=i.to_string()>{*name}</option> })
            .collect_any()
    };
    let levels = move || {
        (HonourLevel::ALL.iter().enumerate())
            .map(|(i, l)| view! { <option value=i.to_string() selected=i == 1>{l.name_vi()}</option> })
            .collect_any()
    };
    let is = move |which: &'static [Kind]| move || which.contains(&kind.get());
    view! {
        <Show when=move || session.may(Action::RecordHonours, &unit.get())>
            <form class="issue" on:submit=submit>
                <h1>"Ghi khen thưởng"</h1>
                <label>
                    "Loại"
                    <select on:change=move |ev| {
                        let i: usize = event_target_value(&ev).parse().unwrap_or(0);
                        kind.set(KINDS[i.min(KINDS.len() - 1)].0);
                    }>{kinds}</select>
                </label>
                <UnitPicker label="Khu dân cư, xã, phường" units=candidates chosen=honoured on_pick=move |id| honoured.set(id) />
                <Show when=is(&[Kind::CulturalArea, Kind::CulturalFamilies, Kind::NewRural])>
                    <label>
                        "Năm công nhận"
                        <input inputmode="numeric" prop:value=move || year.get() on:input=move |ev| year.set(event_target_value(&ev)) />
                    </label>
                </Show>
                <Show when=is(&[Kind::CulturalFamilies])>
                    <label>
                        "Số hộ được công nhận"
                        <input inputmode="numeric" prop:value=move || households.get() on:input=move |ev| households.set(event_target_value(&ev)) />
                    </label>
                </Show>
                <Show when=is(&[Kind::GiayKhen, Kind::BangKhen])>
                    <label>
                        "Cấp khen"
                        <select on:change=move |ev| level.set(event_target_value(&ev).parse().unwrap_or(1))>{levels}</select>
                    </label>
                </Show>
                <Show when=is(&[Kind::GiayKhen, Kind::BangKhen, Kind::Exemplar])>
                    <label>
                        {move || if kind.get() == Kind::Exemplar { "Người hoặc tập thể" } else { "Người được khen (để trống nếu khen tập thể)" }}
                        <input autocomplete="off" prop:value=move || recipient.get() on:input=move |ev| recipient.set(event_target_value(&ev)) />
                    </label>
                    <label>
                        {move || if kind.get() == Kind::Exemplar { "Lời biểu dương" } else { "Lý do (không bắt buộc)" }}
                        <input autocomplete="off" prop:value=move || citation.get() on:input=move |ev| citation.set(event_target_value(&ev)) />
                    </label>
                </Show>
                <label>
                    "Số quyết định"
                    <input autocomplete="off" placeholder="Ví dụ: 125/QĐ-UBND" prop:value=move || number.get() on:input=move |ev| number.set(event_target_value(&ev)) />
                </label>
                <label>
                    "Ngày quyết định (ngày/tháng/năm)"
                    <input inputmode="numeric" prop:value=move || day.get() on:input=move |ev| day.set(event_target_value(&ev)) />
                </label>
                <label>
                    "Cơ quan quyết định"
                    <input autocomplete="off" placeholder="Ví dụ: UBND xã Nông Thượng" prop:value=move || issuer.get() on:input=move |ev| issuer.set(event_target_value(&ev)) />
                </label>
                <p class="alert" role="alert">{move || error.get()}</p>
                <button type="submit" class="primary">"Ghi"</button>
            </form>
        </Show>
    }
}

/// One record: what, where, the decision; withdrawn if wrong.
#[component]
fn RecordRow(
    session: OfficerSession,
    record: HonourRecord,
    done: RwSignal<Option<String>>,
    on_changed: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let honour = &record.honour;
    let about = format!(
        "{} · Quyết định số {} ngày {}, {}",
        session.unit_name(&honour.unit),
        honour.decision.number,
        honour.decision.day.to_vietnamese(),
        honour.decision.issuer
    );
    let citation = match &honour.kind {
        HonourKind::Exemplar { citation, .. } | HonourKind::Commendation { reason: citation, .. } => citation.clone(),
        _ => String::new(),
    };
    let withdrawn = record.withdrawn.is_some();
    let may = !withdrawn && session.may(Action::RecordHonours, &honour.unit);
    let (id, what) = (StoredValue::new(honour.id.clone()), honour.describe());
    let asking = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let withdraw = move |_| {
        let id = id.get_value();
        spawn_local(async move {
            match session.call(|token| async move { api::withdraw_honour(&token, &id).await }).await {
                Ok(record) => {
                    done.try_set(Some(format!("Đã hủy: {}.", record.honour.describe())));
                    on_changed();
                }
                Err(message) => {
                    error.try_set(Some(message));
                }
            }
        });
    };
    view! {
        <li data-honour=id.get_value().to_string() class:withdrawn=withdrawn>
            <strong>{what}</strong>
            <span class="when">{about}</span>
            {(!citation.is_empty()).then(|| view! { <span>{citation}</span> })}
            {withdrawn.then(|| view! { <span class="when">"Đã hủy: không tính vào báo cáo."</span> })}
            {may.then(|| view! {
                <Show when=move || !asking.get()>
                    <button on:click=move |_| asking.set(true)>"Hủy bản ghi"</button>
                </Show>
                <Show when=move || asking.get()>
                    <p class="hint">"Bản ghi vẫn giữ, đánh dấu đã hủy, và không tính vào báo cáo."</p>
                    <div class="actions">
                        <button class="primary" on:click=withdraw>"Xác nhận hủy"</button>
                        <button on:click=move |_| asking.set(false)>"Không hủy"</button>
                    </div>
                </Show>
            })}
            <p class="alert" role="alert">{move || error.get()}</p>
        </li>
    }
}
