//! Mô hình — the models of a unit in reach for a year: how many took each step, a model
//! registered for an area or a ward under one of the 5 contents, and each model's next
//! step (inspected, scored, accepted, commended…) with its day and a note. A step is
//! checked here as the server checks it (`domain::model`), then held on the phone until
//! the server files it: made without signal, it shows as "chưa gửi" and goes when the
//! connection is back; made again after a failure, it is sent with the same ids, so it is
//! filed once (`OfficerSession::pending_model`). The models last fetched for a unit and
//! year are kept on the phone, so an inspection team finds them without signal.

use super::kept;
use super::scoring::{ScoreForm, SheetsPanel, score_line};
use super::unit_picker::UnitPicker;
use super::yearly::{UnitAndYear, Yearly};
use super::{OfficerSession, Sent, use_officer_session};
use crate::CollectAny;
use crate::api::ApiFailure;
use crate::{api, clock};
use domain::model::{COUNT_ROWS, model_name, models, step_note};
use domain::{
    Action, Date, DeviceId, EventId, Model, ModelEvent, ModelId, ModelProblem, ModelRecord, ModelReport, ModelStep,
    Role, Unit, UnitId, UnitLevel, UnitTree,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The step to send: one sent before without an answer, if it is the same step again (so
/// it is filed once), else a new one with ids of its own (`id` makes them).
pub fn to_send(
    pending: &[ModelEvent],
    model: Option<ModelId>,
    day: Date,
    step: ModelStep,
    note: String,
    id: impl Fn(&str) -> String,
) -> ModelEvent {
    let same = |p: &&ModelEvent| {
        model.as_ref().is_none_or(|m| *m == p.model) && (p.day, &p.step, &p.note) == (day, &step, &note)
    };
    if let Some(p) = pending.iter().find(same) {
        return p.clone();
    }
    let slug = |prefix: &str| id(prefix);
    ModelEvent {
        id: EventId::new(slug("e-")).unwrap_or_else(|_| unreachable!("hex ids are slugs")),
        model: model.unwrap_or_else(|| ModelId::new(slug("mh-")).unwrap_or_else(|_| unreachable!("hex ids are slugs"))),
        day,
        step,
        note,
    }
}

/// The models of `fetched` with the steps this phone holds unsent folded in (models it
/// registered unsent too, if at or below `unit`), each with the ids of its unsent steps.
pub fn with_held(
    fetched: &[Model],
    held: &[ModelEvent],
    (by, role): (&DeviceId, Role),
    tree: &UnitTree,
    unit: &UnitId,
) -> Vec<(Model, Vec<EventId>)> {
    let mut records: Vec<ModelRecord> = fetched.iter().flat_map(|m| m.steps.iter().cloned()).collect();
    let mut unsent: Vec<&EventId> = vec![];
    for event in held {
        if records.iter().any(|r| r.event.id == event.id) {
            continue; // filed meanwhile
        }
        let seq = records.iter().filter(|r| r.event.model == event.model).count();
        records.push(ModelRecord { event: event.clone(), by: by.clone(), role, at_ms: 0, seq });
        unsent.push(&event.id);
    }
    models(&records)
        .into_iter()
        .filter(|m| fetched.iter().any(|f| f.id == m.id) || tree.self_and_ancestors(&m.unit).contains(unit))
        .map(|m| {
            let unsent = m.steps.iter().filter(|s| unsent.contains(&&s.event.id)).map(|s| s.event.id.clone());
            let unsent = unsent.collect();
            (m, unsent)
        })
        .collect()
}

/// The open areas, communes and wards at or below `unit` for which this officer may
/// register models, parents first.
pub fn registering_units(
    units: &[Unit],
    tree: &domain::UnitTree,
    unit: &UnitId,
    may: impl Fn(&UnitId) -> bool,
) -> Vec<Unit> {
    (units.iter())
        .filter(|u| matches!(u.level, UnitLevel::Area | UnitLevel::Commune | UnitLevel::Ward) && u.valid_to.is_none())
        .filter(|u| tree.self_and_ancestors(&u.id).contains(unit) && may(&u.id))
        .cloned()
        .collect()
}

#[component]
pub fn ModelsScreen() -> impl IntoView {
    let session = use_officer_session();
    let yearly = Yearly::<ModelReport>::new(session);
    let (report, error, done) = (yearly.answer, yearly.error, RwSignal::new(None::<String>));
    let (unit, year) = (yearly.unit, yearly.year);
    let load = move || {
        yearly.load(
            session,
            move |token, unit, period| async move {
                match api::models(&token, &unit, period).await {
                    Ok(fresh) => {
                        kept::keep_models(&fresh);
                        Ok(fresh)
                    }
                    // Without signal: the models last fetched, the failure still said.
                    Err(ApiFailure::Unreachable) => {
                        if let Some(kept) = kept::models(&unit, period) {
                            yearly.answer.try_set(Some(kept));
                        }
                        Err(ApiFailure::Unreachable)
                    }
                    Err(failure) => Err(failure),
                }
            },
            |r| (&r.unit.unit, r.period),
        )
    };
    load();
    // Steps made without signal landed: counted now.
    Effect::watch(move || session.held_steps_filed.get(), move |_, _, _| load(), false);
    let counts = move || {
        report.with(|r| {
            let r = r.as_ref()?;
            let rows = COUNT_ROWS
                .iter()
                .map(|(label, count)| {
                    view! {
                        <tr>
                            <td>{*label}</td>
                            <td class="num">{count(&r.unit.counts).to_string()}</td>
                        </tr>
                    }
                })
                .collect_any();
            Some(view! { <table data-testid="model-counts"><tbody>{rows}</tbody></table> })
        })
    };
    // The models shown, the steps held unsent folded in; `None` while loading.
    let shown = Memo::new(move |_| {
        let fetched = report.with(|r| r.as_ref().map(|r| r.models.clone()))?;
        let held = session.pending_model.get();
        let sheets = session.sheets.with(Vec::len); // a sheet set changes what a model may take
        let chosen = unit.get_untracked();
        let models = session.reach.with_untracked(|r| {
            let me = (&r.profile.device, r.profile.role);
            with_held(&fetched, &held, me, &r.tree, &chosen)
        });
        Some(models.into_iter().map(|(model, unsent)| (sheets, model, unsent)).collect::<Vec<_>>())
    });
    let hint = move || match shown.with(|s| s.as_ref().map(Vec::is_empty)) {
        None => Some("Đang tải…"),
        Some(true) => Some("Chưa có mô hình nào trong năm."),
        Some(false) => None,
    };
    // A row is built again only when its model changes (a step, a status, a sheet), so a
    // form open in it stays open while the list reloads; and the model whose step form is
    // open is kept here, so a row built again (a held step filed meanwhile) opens it again.
    let open_step = RwSignal::new(None::<domain::ModelId>);
    let list = view! {
        <For
            each=move || shown.get().unwrap_or_default()
            key=|(sheets, model, unsent)| (*sheets, model.id.clone(), model.steps.len(), model.status, unsent.len())
            children=move |(_, model, unsent)| view! { <ModelRow session model unsent done open_step on_filed=load /> }
        />
    };
    view! {
        <section class="models">
            <UnitAndYear session yearly on_change=load />
            <h1>{move || format!("Mô hình — {} — năm {}", session.unit_name(&unit.get()), year.get())}</h1>
            <p class="alert" role="alert">{move || error.get()}</p>
            {counts}
            <SheetsPanel session unit />
            <RegisterForm session unit done on_filed=load />
            <p class="flash" role="status" data-testid="model-done">{move || done.get()}</p>
            <h2>"Các mô hình"</h2>
            <ul class="rows" data-testid="model-list">
                {move || hint().map(|h| view! { <li class="hint">{h}</li> })}
                {list}
            </ul>
        </section>
    }
}

/// Sends a held `event`; filed, says so and `on_filed` reloads the list; refused, lets it
/// go and says why; without signal, keeps it held and says it goes later.
pub(super) fn send(
    session: OfficerSession,
    event: ModelEvent,
    error: RwSignal<Option<String>>,
    done: RwSignal<Option<String>>,
    on_filed: impl Fn() + 'static,
) {
    spawn_local(async move {
        // Sent after the steps held before it, in the order they were made.
        let outcomes = session.flush_steps().await;
        match outcomes.into_iter().find(|(sent, _)| *sent == event).map(|(_, outcome)| outcome) {
            Some(Sent::Filed(filed)) => {
                done.try_set(Some(format!("Đã ghi \"{}\": {}.", event.step.name_vi(), filed.model.name)));
                on_filed();
            }
            Some(Sent::Refused(message)) => {
                error.try_set(Some(message));
            }
            // Another round of sending (the timer's, another tab's) filed it meanwhile.
            None if session.pending_model.with_untracked(|held| !held.contains(&event)) => {
                done.try_set(Some(format!("Đã ghi \"{}\".", event.step.name_vi())));
                on_filed();
            }
            Some(Sent::Held) | None => {
                let what = event.step.name_vi();
                done.try_set(Some(format!(
                    "Chưa gửi được: bước \"{what}\" đã lưu trên máy này, sẽ tự gửi khi có mạng."
                )));
            }
        }
    });
}

/// The step to send, checked as the server will check it, and held until it is filed.
pub(super) fn prepared(
    session: OfficerSession,
    model: Option<&Model>,
    day: Date,
    step: ModelStep,
    note: &str,
) -> Result<ModelEvent, String> {
    let note = step_note(&super::nfc(note)).map_err(|p| p.message_vi())?;
    let draft = session
        .pending_model
        .with_untracked(|p| to_send(p, model.map(|m| m.id.clone()), day, step, note, super::areas::fresh_id));
    let checked = session.sheets.with_untracked(|sheets| {
        session.reach.with_untracked(|r| draft.check(&r.tree, &session.fixed.catalogue, model, sheets, clock::today()))
    });
    checked.map_err(|p| p.message_vi())?;
    session.hold_step(&draft)?;
    Ok(draft)
}

/// Đăng ký mô hình: for which unit, under which content, its name and day.
#[component]
fn RegisterForm(
    session: OfficerSession,
    unit: RwSignal<UnitId>,
    done: RwSignal<Option<String>>,
    on_filed: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let candidates = Signal::derive(move || {
        let chosen = unit.get();
        session
            .reach
            .with(|r| registering_units(&r.profile.units, &r.tree, &chosen, |id| session.may(Action::ManageModels, id)))
    });
    let registering = RwSignal::new(session.scope());
    let content = RwSignal::new(1u8);
    let name = RwSignal::new(String::new());
    let day = RwSignal::new(clock::today().to_vietnamese());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        let chosen = registering.get_untracked();
        let at = candidates.with_untracked(|c| c.iter().any(|u| u.id == chosen));
        let at = if at { Some(chosen) } else { candidates.with_untracked(|c| c.first().map(|u| u.id.clone())) };
        let Some(at) = at else { return };
        let typed = super::nfc(&name.get_untracked());
        let event = Date::from_vietnamese(&day.get_untracked())
            .map_err(|e| e.message_vi())
            .and_then(|d| Ok((d, model_name(&typed).ok_or_else(|| ModelProblem::InvalidName.message_vi())?)))
            .and_then(|(d, name)| {
                let step = ModelStep::Register { unit: at, content: content.get_untracked(), name };
                prepared(session, None, d, step, "")
            });
        match event {
            Ok(event) => {
                error.set(None);
                send(session, event, error, done, move || {
                    name.try_set(String::new());
                    on_filed();
                });
            }
            Err(message) => error.set(Some(message)),
        }
    };
    let contents = move || {
        (session.fixed.catalogue.contents.iter())
            .map(|c| view! { <option value=c.number.to_string()>{c.heading()}</option> })
            .collect_any()
    };
    view! {
        <Show when=move || candidates.with(|c| !c.is_empty())>
            <form class="issue" on:submit=submit>
                <h1>"Đăng ký mô hình"</h1>
                <UnitPicker label="Khu dân cư, xã, phường đăng ký" units=candidates chosen=registering on_pick=move |id| registering.set(id) />
                <label>
                    "Nội dung"
                    <select on:change=move |ev| content.set(event_target_value(&ev).parse().unwrap_or(1))>
                        {contents}
                    </select>
                </label>
                <label>
                    "Tên mô hình"
                    <input
                        autocomplete="off"
                        placeholder="Ví dụ: Khu dân cư ba không"
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    "Ngày đăng ký (ngày/tháng/năm)"
                    <input inputmode="numeric" prop:value=move || day.get() on:input=move |ev| day.set(event_target_value(&ev)) />
                </label>
                <p class="alert" role="alert">{move || error.get()}</p>
                <button type="submit" class="primary">"Đăng ký"</button>
            </form>
        </Show>
    }
}

/// One model: where it stands and its steps; its next step taken here.
#[component]
fn ModelRow(
    session: OfficerSession,
    model: Model,
    /// Its steps this phone holds unsent.
    unsent: Vec<EventId>,
    done: RwSignal<Option<String>>,
    /// The model whose step form is open, kept by the list.
    open_step: RwSignal<Option<domain::ModelId>>,
    on_filed: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let sheets = session.sheets.get_untracked();
    let (next, sheet) = session.reach.with_untracked(|r| {
        let next: Vec<ModelStep> = (model.status.next_steps())
            .filter(|s| session.may(s.action(), &model.unit) && model.check_score(s, &r.tree, &sheets).is_ok())
            .cloned()
            .collect();
        (next, model.sheet(&r.tree, &sheets).cloned())
    });
    let about = format!("{} · Nội dung {} · {}", session.unit_name(&model.unit), model.content, model.status.name_vi());
    let scores = [(true, "Tự chấm"), (false, "Đoàn kiểm tra chấm")]
        .into_iter()
        .filter_map(|(own, who)| model.score(own, &sheets).map(|total| format!("{who}: {}", total.describe())))
        .map(|line| view! { <span class="when score">{line}</span> })
        .collect_any();
    let steps = (model.steps.iter())
        .map(|s| {
            let note = if s.event.note.is_empty() { String::new() } else { format!(" — {}", s.event.note) };
            let unsent = if unsent.contains(&s.event.id) { " — chưa gửi, sẽ gửi khi có mạng" } else { "" };
            let (day, name) = (s.event.day.to_vietnamese(), s.event.step.name_vi());
            let score = score_line(&s.event.step, &sheets);
            let line = format!("{day}: {name}{score} ({}){note}{unsent}", s.role.name_vi());
            view! { <li class:unsent=!unsent.is_empty()>{line}</li> }
        })
        .collect_any();
    let scoring = sheet.map(|sheet| {
        [(true, Action::ManageModels), (false, Action::JudgeModels)]
            .into_iter()
            .filter(|(own, action)| model.status.takes_score(*own) && session.may(*action, &model.unit))
            .map(|(own, _)| view! { <ScoreForm session model=model.clone() sheet=sheet.clone() own done on_filed /> })
            .collect_any()
    });
    let id = model.id.clone();
    let open = RwSignal::new(open_step.with_untracked(|o| o.as_ref() == Some(&id)));
    Effect::watch(move || open.get(), move |now, _, _| open_step.set(now.then(|| id.clone())), false);
    // Filed: the form closes, and stays closed in the row built for the new step.
    let on_filed = move || {
        open_step.set(None);
        on_filed();
    };
    let step = RwSignal::new(0usize);
    let day = RwSignal::new(clock::today().to_vietnamese());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let model = StoredValue::new(model);
    let next = StoredValue::new(next);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        let Some(chosen) = next.with_value(|n| n.get(step.get_untracked()).cloned()) else { return };
        let event = Date::from_vietnamese(&day.get_untracked())
            .map_err(|e| e.message_vi())
            .and_then(|d| model.with_value(|m| prepared(session, Some(m), d, chosen, &note.get_untracked())));
        match event {
            Ok(event) => {
                error.set(None);
                send(session, event, error, done, on_filed);
            }
            Err(message) => error.set(Some(message)),
        }
    };
    let options = move || {
        next.with_value(|n| {
            (n.iter().enumerate())
                .map(|(i, s)| view! { <option value=i.to_string()>{s.name_vi()}</option> })
                .collect_any()
        })
    };
    let can_step = next.with_value(|n| !n.is_empty());
    view! {
        <li data-model=model.with_value(|m| m.id.to_string())>
            <strong>{model.with_value(|m| m.name.clone())}</strong>
            <span class="when">{about}</span>
            {scores}
            <details>
                <summary>"Các bước"</summary>
                <ul>{steps}</ul>
            </details>
            {scoring}
            {can_step.then(move || view! {
                <Show when=move || !open.get()>
                    <button on:click=move |_| {
                        step.set(0);
                        open.set(true);
                    }>"Ghi bước tiếp theo"</button>
                </Show>
                <Show when=move || open.get()>
                    <form class="edit" on:submit=submit>
                        <label>
                            "Bước"
                            <select
                                prop:value=move || step.get().to_string()
                                on:change=move |ev| step.set(event_target_value(&ev).parse().unwrap_or(0))
                            >
                                {options}
                            </select>
                        </label>
                        <StepFields day_label="Ngày (ngày/tháng/năm)" day note error save="Lưu" open />
                    </form>
                </Show>
            })}
        </li>
    }
}

/// A step's day and note, its refusal, and the form's buttons: what the step form and the
/// score form share.
#[component]
pub(super) fn StepFields(
    day_label: &'static str,
    day: RwSignal<String>,
    note: RwSignal<String>,
    error: RwSignal<Option<String>>,
    /// The submit button's label.
    save: &'static str,
    /// The form's open state: "Hủy" closes it.
    open: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <label>
            {day_label}
            <input inputmode="numeric" prop:value=move || day.get() on:input=move |ev| day.set(event_target_value(&ev)) />
        </label>
        <label>
            "Ghi chú (không bắt buộc)"
            <input autocomplete="off" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) />
        </label>
        <p class="alert" role="alert">{move || error.get()}</p>
        <div class="actions">
            <button type="submit" class="primary">{save}</button>
            <button type="button" on:click=move |_| open.set(false)>"Hủy"</button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{Caller, DeviceId, Role, UnitTree};

    #[test]
    fn a_step_sent_again_keeps_its_ids() {
        let day = Date::new(2026, 5, 20).unwrap();
        let fresh = |prefix: &str| format!("{prefix}2");
        let model = ModelId::new("mh-1").unwrap();
        let pending = ModelEvent {
            id: EventId::new("e-1").unwrap(),
            model: model.clone(),
            day,
            step: ModelStep::Inspect,
            note: "Đoàn quận".into(),
        };
        let pending = [pending];
        let again = to_send(&pending, Some(model.clone()), day, ModelStep::Inspect, "Đoàn quận".into(), fresh);
        assert_eq!(again, pending[0]);
        let other = to_send(&pending, Some(model), day, ModelStep::Pass, "Đoàn quận".into(), fresh);
        assert_eq!(other.id.as_str(), "e-2");
        let register =
            ModelStep::Register { unit: UnitId::new("ntmk-to-11").unwrap(), content: 3, name: "Đường hoa".into() };
        let new = to_send(&pending, None, day, register, String::new(), fresh);
        assert_eq!((new.id.as_str(), new.model.as_str()), ("e-2", "mh-2"));
    }

    #[test]
    fn steps_held_unsent_show_in_their_models() {
        let tree = UnitTree::demo();
        let day = Date::new(2026, 5, 20).unwrap();
        let event = |id: &str, model: &str, step| ModelEvent {
            id: EventId::new(id).unwrap(),
            model: ModelId::new(model).unwrap(),
            day,
            step,
            note: String::new(),
        };
        let register = |unit: &str| ModelStep::Register {
            unit: UnitId::new(unit).unwrap(),
            content: 2,
            name: "Tổ văn minh".into(),
        };
        let filed = ModelRecord {
            event: event("e-1", "mh-1", register("ntmk-to-11")),
            by: DeviceId::new("ward").unwrap(),
            role: Role::WardOfficer,
            at_ms: 1,
            seq: 0,
        };
        let fetched = models(&[filed]);
        let held = [
            event("e-1", "mh-1", register("ntmk-to-11")), // filed meanwhile
            event("e-2", "mh-1", ModelStep::Inspect),
            event("e-3", "mh-2", register("ntmk-to-13")),
            event("e-4", "mh-3", register("dx-to-8a")), // another ward's
        ];
        let me = (&DeviceId::new("team").unwrap(), Role::Inspector);
        let ward = UnitId::new("p-nguyen-thi-minh-khai").unwrap();
        let shown = with_held(&fetched, &held, me, &tree, &ward);
        let ids: Vec<(&str, domain::ModelStatus, usize)> =
            shown.iter().map(|(m, unsent)| (m.id.as_str(), m.status, unsent.len())).collect();
        assert_eq!(
            ids,
            [("mh-1", domain::ModelStatus::Inspected, 1), ("mh-2", domain::ModelStatus::Registered, 1)],
            "the held inspection folded in, the model registered unsent listed, another ward's not"
        );
        assert_eq!(shown[0].0.steps[1].role, Role::Inspector);
    }

    #[test]
    fn an_officer_registers_for_its_ward_and_areas() {
        let tree = UnitTree::demo();
        let caller = Caller {
            device: DeviceId::new("d").unwrap(),
            role: Role::WardOfficer,
            scope: UnitId::new("p-nguyen-thi-minh-khai").unwrap(),
        };
        let units = domain::visible_units(&caller, &tree);
        let names: Vec<String> =
            registering_units(&units, &tree, &caller.scope, |_| true).into_iter().map(|u| u.name).collect();
        assert_eq!(names.len(), 4, "the ward and its three areas: {names:?}");
        assert!(names[0].starts_with("Phường"), "the ward first: {names:?}");
        assert!(registering_units(&units, &tree, &caller.scope, |_| false).is_empty());
    }
}
