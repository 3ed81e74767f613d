//! Khu dân cư — the officer keeps the residential areas of its commune or ward (no public
//! dataset lists them): adds one, renames it, closes it, merges it into another or splits
//! it into new ones, each from the day it takes effect. A change is checked here as the server will check it (`domain::area`), and
//! the same change made again after a failure is sent with the same ids, so it is filed
//! once (`OfficerSession::pending_area`).

use super::unit_picker::UnitPicker;
use super::{InReach, OfficerSession, use_officer_session};
use crate::CollectAny;
use crate::{api, clock};
use domain::enrol::Profile;
use domain::{Action, AreaChange, AreaEvent, AreaPart, Date, EventId, Unit, UnitId, UnitLevel};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The communes and wards in reach whose areas this officer keeps.
pub fn wards_kept(reach: &InReach, may: impl Fn(&UnitId) -> bool) -> Vec<Unit> {
    (reach.profile.units.iter())
        .filter(|u| matches!(u.level, UnitLevel::Commune | UnitLevel::Ward) && may(&u.id))
        .cloned()
        .collect()
}

/// Wards of today's map → the wards merged into them on 1/7/2025, whose areas they keep
/// (`Unit::succeeds`, which the app's own types leave out: read from `GET /me` here).
pub type MergedWards = BTreeMap<UnitId, Vec<UnitId>>;

/// `GET /me` as this screen reads it: each unit's predecessors.
#[derive(Deserialize)]
struct Successions {
    units: Vec<Succession>,
}

#[derive(Deserialize)]
struct Succession {
    id: UnitId,
    level: UnitLevel,
    #[serde(default)]
    succeeds: Vec<UnitId>,
}

/// The wards of `units` that carry others on.
fn merged_wards(units: Vec<Succession>) -> MergedWards {
    let wards = units.into_iter().filter(|u| matches!(u.level, UnitLevel::Commune | UnitLevel::Ward));
    wards.filter(|u| !u.succeeds.is_empty()).map(|u| (u.id, u.succeeds)).collect()
}

/// The areas `ward` keeps, its own and those of the wards merged into it: open ones
/// first, then its own before each old ward's, each group by name.
pub fn areas_of(reach: &InReach, ward: &UnitId, merged: &MergedWards) -> Vec<Unit> {
    let olds = merged.get(ward).into_iter().flatten();
    let wards: Vec<&UnitId> = std::iter::once(ward).chain(olds).collect();
    let mut areas: Vec<Unit> =
        wards.iter().flat_map(|w| reach.tree.children(w)).filter(|u| u.is_area()).cloned().collect();
    let group = |a: &Unit| wards.iter().position(|w| a.parent.as_ref() == Some(*w));
    areas.sort_by(|a, b| (a.valid_to.is_some(), group(a), &a.name).cmp(&(b.valid_to.is_some(), group(b), &b.name)));
    areas
}

/// An area's name as `ward`'s list shows it: one of a ward merged into it names its old
/// ward, as reports do (`domain::column_name`).
pub fn shown_name(reach: &InReach, ward: &UnitId, area: &Unit) -> String {
    domain::column_name(&reach.tree, ward, area)
}

/// The profile with `unit` as the server now has it: replaced where it was, else added
/// after its parent's other units (parents stay first).
pub fn with_unit(mut profile: Profile, unit: Unit) -> Profile {
    match profile.units.iter_mut().find(|u| u.id == unit.id) {
        Some(slot) => *slot = unit,
        None => profile.units.push(unit),
    }
    profile
}

/// A fresh id with `prefix`: 64 random bits in hex.
pub(super) fn fresh_id(prefix: &str) -> String {
    let half = || (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
    format!("{prefix}{:08x}{:08x}", half(), half())
}

/// The change to send: the one that failed to arrive, if it is the same change again
/// (so it is filed once), else a new one with ids of its own (`id` makes them: the
/// event's, a new area's, a split's parts').
pub fn to_send(
    pending: Option<&AreaEvent>,
    area: Option<UnitId>,
    effective: Date,
    change: AreaChange,
    id: impl Fn(&str) -> String,
) -> AreaEvent {
    if let Some(p) = pending.filter(|p| area.as_ref().is_none_or(|a| *a == p.area))
        && p.effective == effective
        && same_change(&p.change, &change)
    {
        return p.clone();
    }
    let new_id = |prefix: &str| UnitId::new(id(prefix)).unwrap_or_else(|_| unreachable!("hex ids are slugs"));
    let change = match change {
        AreaChange::Split { parts } => AreaChange::Split {
            parts: parts.into_iter().map(|p| AreaPart { id: new_id("kdc-"), name: p.name }).collect(),
        },
        other => other,
    };
    AreaEvent {
        id: EventId::new(id("e-")).unwrap_or_else(|_| unreachable!("hex ids are slugs")),
        area: area.unwrap_or_else(|| new_id("kdc-")),
        effective,
        change,
    }
}

/// The same change, whatever ids a split's parts were given.
fn same_change(a: &AreaChange, b: &AreaChange) -> bool {
    match (a, b) {
        (AreaChange::Split { parts: x }, AreaChange::Split { parts: y }) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.name == q.name)
        }
        _ => a == b,
    }
}

/// A split's parts as typed, a name a line, each made canonical by `name`; their ids are
/// given when the change is sent ([`to_send`]).
pub fn parts_typed(text: &str, name: impl Fn(&str) -> Result<String, String>) -> Result<Vec<AreaPart>, String> {
    let lines = text.lines().filter(|l| !l.trim().is_empty());
    let part = |line: &str| {
        let id = UnitId::new("kdc-moi").unwrap_or_else(|_| unreachable!("a slug"));
        name(line).map(|name| AreaPart { id, name })
    };
    lines.map(part).collect()
}

/// What the officer is doing to one area.
#[derive(Clone, PartialEq)]
enum Editing {
    Rename(UnitId),
    Close(UnitId),
    Merge(UnitId),
    Split(UnitId),
}

#[component]
pub fn AreasScreen() -> impl IntoView {
    let session = use_officer_session();
    let reach = session.reach.get_untracked();
    let wards = wards_kept(&reach, |id| session.may(Action::ManageAreas, id));
    let Some(first) = wards.first().map(|w| w.id.clone()) else {
        return view! { <p class="hint">"Vai trò của bạn không quản lý khu dân cư."</p> }.into_any();
    };
    let ward = RwSignal::new(first);
    let editing = RwSignal::new(None::<Editing>);
    let done = RwSignal::new(None::<String>);
    // As last read on this phone, then as the server says now.
    let merged = RwSignal::new(super::kept::merged_wards());
    spawn_local(async move {
        if let Ok(read) = session.call(|token| async move { api::me_as::<Successions>(&token).await }).await {
            let read = merged_wards(read.units);
            super::kept::keep_merged_wards(&read);
            merged.try_set(Some(read));
        }
    });
    let picker = (wards.len() > 1).then(|| {
        let pick = move |id: UnitId| {
            editing.set(None);
            ward.set(id);
        };
        view! { <UnitPicker label="Xã, phường" units=Signal::stored(wards) chosen=ward on_pick=pick /> }
    });
    let rows = move || {
        let kept = ward.get();
        let list = session.reach.with(|r| areas_of(r, &kept, &merged.get().unwrap_or_default()));
        match (list.is_empty(), merged.with(Option::is_some)) {
            (true, true) => {
                return view! { <li class="hint">"Chưa có khu dân cư nào. Hãy thêm ở trên."</li> }.into_any();
            }
            // The areas of the wards merged into this one come from the server, once.
            (true, false) => {
                return view! { <li class="hint">"Đang tải danh sách khu dân cư (lần đầu cần có mạng)…"</li> }
                    .into_any();
            }
            _ => {}
        }
        let row = |area| view! { <AreaRow session area ward=kept.clone() merged editing done /> };
        list.into_iter().map(row).collect_any().into_any()
    };
    view! {
        <section class="areas">
            {picker}
            <AddForm session ward done />
            <p class="flash" role="status" data-testid="area-done">{move || done.get()}</p>
            <h2>"Các khu dân cư"</h2>
            <ul class="rows" data-testid="area-list">{rows}</ul>
        </section>
    }
    .into_any()
}

/// Sends `event`; on success the area joins the officer's units and `then` runs.
fn send(session: OfficerSession, event: AreaEvent, error: RwSignal<Option<String>>, then: impl Fn(Unit) + 'static) {
    spawn_local(async move {
        let sent = event.clone();
        match session.call(|token| async move { api::change_area(&token, &sent).await }).await {
            Ok(changed) => {
                session.pending_area.set_value(None);
                let units = std::iter::once(changed.unit.clone()).chain(changed.parts);
                let profile = session.reach.with_untracked(|r| units.fold(r.profile.clone(), with_unit));
                session.keep_profile(profile);
                then(changed.unit);
            }
            Err(message) => {
                error.try_set(Some(message));
            }
        }
    });
}

/// The change to send, checked as the server will check it: the one sent before without
/// an answer if it is the same change, else a new one.
fn prepared(
    session: OfficerSession,
    area: Option<UnitId>,
    effective: Date,
    change: AreaChange,
) -> Result<AreaEvent, String> {
    let draft = session.pending_area.with_value(|p| to_send(p.as_ref(), area, effective, change, fresh_id));
    session.reach.with_untracked(|r| draft.check(&r.tree, clock::today())).map_err(|p| p.message_vi())?;
    session.pending_area.set_value(Some(draft.clone()));
    Ok(draft)
}

/// A name as typed, precomposed (NFC) and made canonical (`domain::area::area_name`).
fn name_typed(typed: &str) -> Result<String, String> {
    let nfc = super::nfc(typed);
    domain::area::area_name(&nfc).ok_or_else(|| domain::AreaProblem::InvalidName.message_vi())
}

/// The day typed, or why it is not one.
fn day_typed(text: &str) -> Result<Date, String> {
    Date::from_vietnamese(text).map_err(|e| e.message_vi())
}

/// Thêm khu dân cư: its name and the day it starts.
#[component]
fn AddForm(session: OfficerSession, ward: RwSignal<UnitId>, done: RwSignal<Option<String>>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let day = RwSignal::new(clock::today().to_vietnamese());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        let effective = match day_typed(&day.get_untracked()) {
            Ok(d) => d,
            Err(message) => return error.set(Some(message)),
        };
        let event = name_typed(&name.get_untracked())
            .map(|name| AreaChange::Create { parent: ward.get_untracked(), name })
            .and_then(|change| prepared(session, None, effective, change));
        let event = match event {
            Ok(event) => event,
            Err(message) => return error.set(Some(message)),
        };
        error.set(None);
        send(session, event, error, move |unit| {
            name.try_set(String::new());
            done.try_set(Some(format!("Đã thêm {}.", unit.name)));
        });
    };
    view! {
        <form class="issue" on:submit=submit>
            <h1>"Thêm khu dân cư"</h1>
            <label>
                "Tên thôn, bản, tổ dân phố"
                <input
                    autocomplete="off"
                    placeholder="Ví dụ: Thôn Nà Pài, Tổ 12"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
            </label>
            <label>
                "Thành lập từ ngày (ngày/tháng/năm)"
                <input
                    inputmode="numeric"
                    prop:value=move || day.get()
                    on:input=move |ev| day.set(event_target_value(&ev))
                />
            </label>
            <p class="alert" role="alert">{move || error.get()}</p>
            <button type="submit" class="primary">"Thêm khu dân cư"</button>
        </form>
    }
}

/// One area: its name and dates, and renaming or closing it.
#[component]
fn AreaRow(
    session: OfficerSession,
    area: Unit,
    /// The ward whose list it is in.
    ward: UnitId,
    merged: RwSignal<Option<MergedWards>>,
    editing: RwSignal<Option<Editing>>,
    done: RwSignal<Option<String>>,
) -> impl IntoView {
    let dates = match (area.valid_from, area.valid_to) {
        (_, Some(last)) => format!("Ngừng hoạt động sau ngày {}", last.to_vietnamese()),
        (Some(first), None) => format!("Từ ngày {}", first.to_vietnamese()),
        (None, None) => String::new(),
    };
    let open = area.valid_to.is_none();
    let id = StoredValue::new(area.id.clone());
    let ward = StoredValue::new(ward);
    let shown = session.reach.with_untracked(|r| shown_name(r, &ward.read_value(), &area));
    // The open areas it may merge into: those its ward keeps, with the names shown.
    let siblings = Memo::new(move |_| {
        let merged = merged.get().unwrap_or_default();
        session.reach.with(|r| {
            let all = areas_of(r, &ward.read_value(), &merged).into_iter();
            let open = all.filter(|u| u.valid_to.is_none() && u.id != id.get_value());
            open.map(|u| (u.id.clone(), shown_name(r, &ward.read_value(), &u))).collect::<Vec<_>>()
        })
    });
    // A unit's name as this list shows it.
    let name_of = move |unit: &UnitId| {
        session.reach.with_untracked(|r| match r.tree.get(unit) {
            Ok(u) => shown_name(r, &ward.read_value(), u),
            Err(_) => session.unit_name(unit),
        })
    };
    let into = RwSignal::new(None::<UnitId>);
    let parts = RwSignal::new(String::new());
    let name = RwSignal::new(area.name.clone());
    let day = RwSignal::new(clock::today().to_vietnamese());
    let error = RwSignal::new(None::<String>);
    let is = move |what: fn(UnitId) -> Editing| editing.with(|e| e.as_ref() == Some(&what(id.get_value())));
    let act = move |change: AreaChange| {
        done.set(None);
        let effective = match day_typed(&day.get_untracked()) {
            Ok(d) => d,
            Err(message) => return error.set(Some(message)),
        };
        let event = match prepared(session, Some(id.get_value()), effective, change) {
            Ok(event) => event,
            Err(message) => return error.set(Some(message)),
        };
        error.set(None);
        let change = event.change.clone();
        send(session, event, error, move |unit| {
            editing.try_set(None);
            let said = match &change {
                AreaChange::Close => format!("Đã giải thể {}.", unit.name),
                AreaChange::Merge { into } => format!("Đã sáp nhập {} vào {}.", name_of(&unit.id), name_of(into)),
                AreaChange::Split { parts } => {
                    let names: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
                    format!("Đã chia tách {} thành {}.", unit.name, names.join(", "))
                }
                _ => format!("Đã đổi tên thành {}.", unit.name),
            };
            done.try_set(Some(said));
        });
    };
    // The area chosen to merge into: the first of the list until another is picked.
    let chosen = move || {
        let list = siblings.get();
        into.get().filter(|i| list.iter().any(|(u, _)| u == i)).or_else(|| list.first().map(|(u, _)| u.clone()))
    };
    let merge_options = move || {
        let option = |(u, name): (UnitId, String)| {
            let value = u.to_string();
            view! { <option value=value selected=move || chosen().as_ref() == Some(&u)>{name}</option> }
        };
        siblings.get().into_iter().map(option).collect_any()
    };
    // What every change's form ends with: its day, its refusal, and its buttons.
    let form_end = move |save: &'static str, cancel: &'static str| {
        view! {
            <label>
                "Từ ngày (ngày/tháng/năm)"
                <input
                    inputmode="numeric"
                    prop:value=move || day.get()
                    on:input=move |ev| day.set(event_target_value(&ev))
                />
            </label>
            <p class="alert" role="alert">{move || error.get()}</p>
            <div class="actions">
                <button type="submit" class="primary">{save}</button>
                <button type="button" on:click=move |_| editing.set(None)>{cancel}</button>
            </div>
        }
    };
    let actions = open.then(|| {
        view! {
            <Show when=move || editing.with(|e| e.is_none())>
                <div class="actions">
                    <button on:click=move |_| editing.set(Some(Editing::Rename(id.get_value())))>"Đổi tên"</button>
                    <button on:click=move |_| editing.set(Some(Editing::Merge(id.get_value())))>"Sáp nhập"</button>
                    <button on:click=move |_| editing.set(Some(Editing::Split(id.get_value())))>"Chia tách"</button>
                    <button on:click=move |_| editing.set(Some(Editing::Close(id.get_value())))>"Giải thể"</button>
                </div>
            </Show>
            <Show when=move || is(Editing::Merge)>
                <form class="edit" on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    match untrack(chosen) {
                        Some(into) => act(AreaChange::Merge { into }),
                        None => error.set(Some(domain::AreaProblem::MergeTarget.message_vi())),
                    }
                }>
                    <label>
                        "Sáp nhập vào"
                        <select on:change=move |ev| into.set(UnitId::new(event_target_value(&ev)).ok())>
                            {merge_options}
                        </select>
                    </label>
                    <p class="hint">
                        "Số liệu đã có được tính cho khu dân cư nhận sáp nhập. Máy của khu dân cư cũ vẫn gửi được \
                         số liệu; số liệu đó cũng được tính cho khu dân cư nhận sáp nhập."
                    </p>
                    {form_end("Xác nhận sáp nhập", "Hủy")}
                </form>
            </Show>
            <Show when=move || is(Editing::Split)>
                <form class="edit" on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    match parts_typed(&parts.get_untracked(), name_typed) {
                        Ok(parts) => act(AreaChange::Split { parts }),
                        Err(message) => error.set(Some(message)),
                    }
                }>
                    <label>
                        "Tên các khu dân cư mới (mỗi dòng một tên)"
                        <textarea
                            rows="3"
                            prop:value=move || parts.get()
                            on:input=move |ev| parts.set(event_target_value(&ev))
                        />
                    </label>
                    <p class="hint">"Khu dân cư đầu tiên trong danh sách nhận số liệu đã có của khu dân cư này."</p>
                    {form_end("Xác nhận chia tách", "Hủy")}
                </form>
            </Show>
            <Show when=move || is(Editing::Rename)>
                <form class="edit" on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    match name_typed(&name.get_untracked()) {
                        Ok(name) => act(AreaChange::Rename { name }),
                        Err(message) => error.set(Some(message)),
                    }
                }>
                    <label>
                        "Tên mới"
                        <input prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                    </label>
                    {form_end("Lưu tên mới", "Hủy")}
                </form>
            </Show>
            <Show when=move || is(Editing::Close)>
                <form class="edit" on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    act(AreaChange::Close);
                }>
                    <p class="hint">
                        "Số liệu đã có vẫn giữ. Khu dân cư không nhận số liệu của các tháng bắt đầu từ ngày giải thể \
                         trở đi (giải thể giữa tháng: vẫn nhận tháng đó)."
                    </p>
                    {form_end("Xác nhận giải thể", "Không giải thể")}
                </form>
            </Show>
        }
    });
    view! {
        <li>
            <strong>{shown}</strong>
            <span class="when">{dates}</span>
            {actions}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{Caller, DeviceId, Role, UnitTree};

    fn reach_of(role: Role, scope: &str) -> InReach {
        let caller = Caller { device: DeviceId::new("d-test").unwrap(), role, scope: UnitId::new(scope).unwrap() };
        let units = domain::visible_units(&caller, &UnitTree::demo());
        InReach::new(Profile { device: caller.device, label: "Máy thử".into(), role, scope: caller.scope, units })
    }

    fn names(units: &[Unit]) -> Vec<&str> {
        units.iter().map(|u| u.name.as_str()).collect()
    }

    #[test]
    fn an_officer_keeps_the_areas_of_its_ward_and_an_administrator_of_every_ward() {
        let officer = reach_of(Role::WardOfficer, "x-xuat-hoa");
        assert_eq!(names(&wards_kept(&officer, |_| true)), ["Xã Xuất Hóa"]);
        let admin = reach_of(Role::ProvinceAdmin, "tp-bac-kan");
        assert_eq!(wards_kept(&admin, |_| true).len(), 4);
        assert!(wards_kept(&admin, |_| false).is_empty(), "only where it may manage areas");
        let none = MergedWards::new();
        assert_eq!(
            names(&areas_of(&officer, &UnitId::new("x-xuat-hoa").unwrap(), &none)),
            ["Thôn Nà Bản", "Thôn Tổng Nẻng"]
        );
    }

    #[test]
    fn a_changed_area_takes_its_place_and_closed_ones_go_last() {
        let officer = reach_of(Role::WardOfficer, "x-xuat-hoa");
        let ward = UnitId::new("x-xuat-hoa").unwrap();
        let new = Unit::new(UnitId::new("kdc-a").unwrap(), "Thôn An", UnitLevel::Area, Some(ward.clone()));
        let profile = with_unit(officer.profile.clone(), new);
        let mut closed = profile.units.iter().find(|u| u.name == "Thôn Nà Bản").unwrap().clone();
        closed.valid_to = Some(Date::new(2026, 6, 30).unwrap());
        let profile = with_unit(profile, closed);
        assert_eq!(profile.units.len(), officer.profile.units.len() + 1);
        let reach = InReach::new(profile);
        assert_eq!(names(&areas_of(&reach, &ward, &MergedWards::new())), ["Thôn An", "Thôn Tổng Nẻng", "Thôn Nà Bản"]);
    }

    #[test]
    fn a_ward_of_todays_map_keeps_the_areas_of_the_wards_merged_into_it() {
        // Phường Đức Xuân and Phường Nguyễn Thị Minh Khai, merged on 1/7/2025 into a ward
        // whose `GET /me` lists them as carried on.
        let admin = reach_of(Role::ProvinceAdmin, "tp-bac-kan");
        let new = UnitId::new("p-moi").unwrap();
        let ward = Unit::new(new.clone(), "Phường Mới", UnitLevel::Ward, Some(UnitId::new("tp-bac-kan").unwrap()));
        let reach = InReach::new(with_unit(admin.profile.clone(), ward));
        let me = r#"{"units":[{"id":"p-moi","level":"ward","succeeds":["p-duc-xuan","p-nguyen-thi-minh-khai"]},
                               {"id":"ntmk-to-11","level":"area"},{"id":"x-xuat-hoa","level":"commune"}]}"#;
        let merged = merged_wards(serde_json::from_str::<Successions>(me).unwrap().units);
        assert_eq!(merged.len(), 1, "only the wards that carry others on");
        let kept = areas_of(&reach, &new, &merged);
        let shown: Vec<String> = kept.iter().map(|a| shown_name(&reach, &new, a)).collect();
        assert_eq!(shown.len(), 4, "{shown:?}");
        assert!(shown.contains(&"Tổ 11 (Phường Nguyễn Thị Minh Khai cũ)".to_string()), "{shown:?}");
        assert!(shown.iter().all(|s| s.ends_with("cũ)")), "{shown:?}");
        assert!(areas_of(&reach, &new, &MergedWards::new()).is_empty(), "nothing of its own yet");
    }

    #[test]
    fn a_change_sent_again_keeps_its_ids() {
        let day = Date::new(2026, 1, 1).unwrap();
        let change = AreaChange::Close;
        let area = UnitId::new("xh-na-ban").unwrap();
        let pending =
            AreaEvent { id: EventId::new("e-1").unwrap(), area: area.clone(), effective: day, change: change.clone() };
        let fresh = |prefix: &str| format!("{prefix}2");
        assert_eq!(to_send(Some(&pending), Some(area.clone()), day, change.clone(), fresh), pending);
        let other_day = Date::new(2026, 2, 1).unwrap();
        assert_eq!(to_send(Some(&pending), Some(area), other_day, change, fresh).id.as_str(), "e-2");
        let new = AreaChange::Create { parent: UnitId::new("x-xuat-hoa").unwrap(), name: "Thôn An".into() };
        let created = to_send(None, None, day, new, fresh);
        assert_eq!((created.id.as_str(), created.area.as_str()), ("e-2", "kdc-2"));

        // A split's parts get ids of their own, and keep them when it is sent again.
        let canonical = |line: &str| domain::area::area_name(line).ok_or_else(|| "tên sai".to_string());
        let split = AreaChange::Split { parts: parts_typed("Tổ 15A\n\n  Tổ  15B ", canonical).unwrap() };
        let counter = std::cell::Cell::new(0);
        let counting = |prefix: &str| {
            counter.set(counter.get() + 1);
            format!("{prefix}{}", counter.get())
        };
        let first = to_send(None, Some(UnitId::new("ntmk-to-15").unwrap()), day, split.clone(), counting);
        let AreaChange::Split { parts } = &first.change else { panic!("a split") };
        let names: Vec<(&str, &str)> = parts.iter().map(|p| (p.id.as_str(), p.name.as_str())).collect();
        assert_eq!(names, [("kdc-1", "Tổ 15A"), ("kdc-2", "Tổ 15B")], "each part an id of its own");
        assert_eq!(first.id.as_str(), "e-3");
        let other = |prefix: &str| format!("{prefix}3");
        assert_eq!(to_send(Some(&first), Some(UnitId::new("ntmk-to-15").unwrap()), day, split, other), first);
        assert!(parts_typed("Tổ 1\n=2", canonical).is_err());
    }
}
