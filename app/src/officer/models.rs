//! Mô hình — the models of a unit in reach for a year: how many took each step, a model
//! registered for an area or a ward under one of the 5 contents, and each model's next
//! step (inspected, accepted, commended…) with its day and a note. A step is checked here
//! as the server checks it (`domain::model`); the same step made again after a failure is
//! sent with the same ids, so it is filed once (`OfficerSession::pending_model`).

use super::unit_picker::UnitPicker;
use super::yearly::{UnitAndYear, Yearly};
use super::{OfficerSession, use_officer_session};
use crate::CollectAny;
use crate::{api, clock};
use domain::model::{COUNT_ROWS, model_name, step_note};
use domain::{
    Action, Date, EventId, Model, ModelEvent, ModelId, ModelProblem, ModelReport, ModelStep, Unit, UnitId, UnitLevel,
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
            |token, unit, period| async move { api::models(&token, &unit, period).await },
            |r| (&r.unit.unit, r.period),
        )
    };
    load();
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
    let list = move || {
        let Some(models) = report.with(|r| r.as_ref().map(|r| r.models.clone())) else {
            return view! { <li class="hint">"Đang tải…"</li> }.into_any();
        };
        if models.is_empty() {
            return view! { <li class="hint">"Chưa có mô hình nào trong năm."</li> }.into_any();
        }
        models.into_iter().map(|model| view! { <ModelRow session model done on_filed=load /> }).collect_any().into_any()
    };
    view! {
        <section class="models">
            <UnitAndYear session yearly on_change=load />
            <h1>{move || format!("Mô hình — {} — năm {}", session.unit_name(&unit.get()), year.get())}</h1>
            <p class="alert" role="alert">{move || error.get()}</p>
            {counts}
            <RegisterForm session unit done on_filed=load />
            <p class="flash" role="status" data-testid="model-done">{move || done.get()}</p>
            <h2>"Các mô hình"</h2>
            <ul class="rows" data-testid="model-list">{list}</ul>
        </section>
    }
}

/// Sends `event`; on success says so and `on_filed` reloads the list.
fn send(
    session: OfficerSession,
    event: ModelEvent,
    error: RwSignal<Option<String>>,
    done: RwSignal<Option<String>>,
    on_filed: impl Fn() + 'static,
) {
    spawn_local(async move {
        let sent = event.clone();
        match session.call(|token| async move { api::model_step(&token, &sent).await }).await {
            Ok(filed) => {
                session.pending_model.update_value(|p| p.retain(|e| *e != event));
                done.try_set(Some(format!("Đã ghi \"{}\": {}.", event.step.name_vi(), filed.model.name)));
                on_filed();
            }
            Err(message) => {
                error.try_set(Some(message));
            }
        }
    });
}

/// The step to send, checked as the server will check it.
fn prepared(
    session: OfficerSession,
    model: Option<&Model>,
    day: Date,
    step: ModelStep,
    note: &str,
) -> Result<ModelEvent, String> {
    let note = step_note(&String::from(js_sys::JsString::from(note).normalize("NFC"))).map_err(|p| p.message_vi())?;
    let draft = session
        .pending_model
        .with_value(|p| to_send(p, model.map(|m| m.id.clone()), day, step, note, super::areas::fresh_id));
    let checked =
        session.reach.with_untracked(|r| draft.check(&r.tree, &session.fixed.catalogue, model, clock::today()));
    checked.map_err(|p| p.message_vi())?;
    session.pending_model.update_value(|p| {
        if !p.contains(&draft) {
            p.push(draft.clone());
        }
    });
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
        let typed = String::from(js_sys::JsString::from(name.get_untracked()).normalize("NFC"));
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
    done: RwSignal<Option<String>>,
    on_filed: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let next: Vec<ModelStep> =
        model.status.next_steps().filter(|s| session.may(s.action(), &model.unit)).cloned().collect();
    let about = format!("{} · Nội dung {} · {}", session.unit_name(&model.unit), model.content, model.status.name_vi());
    let steps = (model.steps.iter())
        .map(|s| {
            let note = if s.event.note.is_empty() { String::new() } else { format!(" — {}", s.event.note) };
            let line =
                format!("{}: {} ({}){note}", s.event.day.to_vietnamese(), s.event.step.name_vi(), s.role.name_vi());
            view! { <li>{line}</li> }
        })
        .collect_any();
    let open = RwSignal::new(false);
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
            <details>
                <summary>"Các bước"</summary>
                <ul>{steps}</ul>
            </details>
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
                        <label>
                            "Ngày (ngày/tháng/năm)"
                            <input inputmode="numeric" prop:value=move || day.get() on:input=move |ev| day.set(event_target_value(&ev)) />
                        </label>
                        <label>
                            "Ghi chú (không bắt buộc)"
                            <input autocomplete="off" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) />
                        </label>
                        <p class="alert" role="alert">{move || error.get()}</p>
                        <div class="actions">
                            <button type="submit" class="primary">"Lưu"</button>
                            <button type="button" on:click=move |_| open.set(false)>"Hủy"</button>
                        </div>
                    </form>
                </Show>
            })}
        </li>
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
