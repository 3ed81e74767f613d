//! Mã tham gia — issuing join codes (the roles and units this officer may issue them
//! for; the code shown as text, link and QR code) and the codes of its scope, each
//! withdrawable while it can still enrol a device.

use super::unit_picker::UnitPicker;
use super::{OfficerSession, use_officer_session};
use crate::CollectAny;
use crate::{api, clock, profile};
use domain::enrol::{AccessError, CodeSummary, DEFAULT_CODE_DAYS, IssueCode, IssuedCode, Profile};
use domain::{Action, Role, Unit, UnitTree, authorize};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The roles this profile may issue codes for, each with the units it may issue them at.
pub fn issuable(profile: &Profile, tree: &UnitTree) -> Vec<(Role, Vec<Unit>)> {
    let caller = profile::caller(profile);
    Role::ALL
        .into_iter()
        .map(|role| {
            // `fits` on the unit as the server lists it: a top unit cut loose in `tree`
            // is no root of the province.
            let units = profile
                .units
                .iter()
                .filter(|u| role.fits(u) && authorize(&caller, Action::issue_code(role), &u.id, tree).is_ok())
                .cloned()
                .collect::<Vec<_>>();
            (role, units)
        })
        .filter(|(_, units)| !units.is_empty())
        .collect()
}

/// A code's state in words, and whether it can still enrol a device.
pub fn code_status(code: &CodeSummary, now_ms: u64) -> (&'static str, bool) {
    match code.check_usable(now_ms) {
        Ok(()) => ("còn hiệu lực", true),
        Err(AccessError::CodeExpired) => ("hết hạn", false),
        Err(AccessError::CodeUsedUp) => ("đã dùng hết", false),
        Err(_) => ("đã thu hồi", false),
    }
}

#[component]
pub fn CodesScreen() -> impl IntoView {
    let session = use_officer_session();
    let codes = RwSignal::new(None::<Vec<CodeSummary>>);
    let error = RwSignal::new(None::<String>);
    spawn_local(async move {
        match session.call(|token| async move { api::codes(&token).await }).await {
            Ok(list) => {
                codes.try_set(Some(list));
            }
            Err(message) => {
                error.try_set(Some(message));
            }
        }
    });
    let issued = RwSignal::new(None::<IssuedCode>);
    let on_issued = move |code: IssuedCode| {
        codes.try_update(|list| list.get_or_insert_with(Vec::new).insert(0, code.summary.clone()));
        issued.try_set(Some(code));
    };
    let withdraw = move |id: String| {
        spawn_local(async move {
            match session.call(|token| async move { api::withdraw_code(&token, &id).await }).await {
                Ok(done) => {
                    codes.try_update(|list| {
                        if let Some(slot) = list.iter_mut().flatten().find(|c| c.id == done.id) {
                            *slot = done;
                        }
                    });
                }
                Err(message) => {
                    error.try_set(Some(message));
                }
            }
        });
    };
    let list = move || {
        let now = clock::now_ms();
        codes.get().map(|list| {
            if list.is_empty() {
                return view! { <li class="hint">"Chưa cấp mã nào."</li> }.into_any();
            }
            list.into_iter()
                .map(|code| {
                    let (status, usable) = code_status(&code, now);
                    let id = code.id.clone();
                    view! {
                        <li>
                            <strong>{session.unit_name(&code.unit)}</strong>
                            <span>{code.role.name_vi()}</span>
                            <span class="when">
                                {format!(
                                    "Hết hạn {} · còn {} lượt · {status}",
                                    clock::date_time(code.expires_at_ms),
                                    code.uses_left,
                                )}
                            </span>
                            {usable.then(|| view! { <button on:click=move |_| withdraw(id.clone())>"Thu hồi"</button> })}
                        </li>
                    }
                    .into_any()
                })
                .collect_any()
                .into_any()
        })
    };
    view! {
        <section class="codes">
            <IssueForm session on_issued />
            {move || issued.get().map(|code| view! { <Issued code /> })}
            <h2>"Các mã đã cấp"</h2>
            <p class="alert" role="alert">{move || error.get()}</p>
            <ul class="rows" data-testid="code-list">{list}</ul>
        </section>
    }
}

/// The form: role, unit, days and uses.
#[component]
fn IssueForm(session: OfficerSession, on_issued: impl Fn(IssuedCode) + Copy + 'static) -> impl IntoView {
    let choices = StoredValue::new(session.reach.with_untracked(|r| issuable(&r.profile, &r.tree)));
    if choices.with_value(Vec::is_empty) {
        return view! { <p class="hint">"Vai trò của bạn không cấp mã tham gia."</p> }.into_any();
    }
    let role = RwSignal::new(choices.with_value(|c| c[0].0));
    let unit = RwSignal::new(choices.with_value(|c| c[0].1[0].id.clone()));
    let days = RwSignal::new(DEFAULT_CODE_DAYS.to_string());
    let uses = RwSignal::new("1".to_string());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let units_of = move |r: Role| choices.with_value(|c| c.iter().find(|(x, _)| *x == r).map(|(_, u)| u.clone()));

    let role_options = choices.with_value(|c| {
        c.iter()
            .enumerate()
            .map(|(i, (r, _))| view! { <option value=i.to_string()>{r.name_vi()}</option> })
            .collect_any()
    });
    let unit_choices = Signal::derive(move || units_of(role.get()).unwrap_or_default());
    let unit_label = move || if role.get() == Role::Volunteer { "Khu dân cư" } else { "Đơn vị" };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (Ok(valid_days), Ok(uses)) = (days.get_untracked().trim().parse(), uses.get_untracked().trim().parse())
        else {
            error.set(Some("Số ngày và số lượt dùng phải là số nguyên.".into()));
            return;
        };
        let request = IssueCode {
            role: role.get_untracked(),
            unit: unit.get_untracked(),
            valid_days: Some(valid_days),
            uses: Some(uses),
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let outcome = session.call(|token| async move { api::issue_code(&token, &request).await }).await;
            busy.try_set(false);
            match outcome {
                Ok(code) => on_issued(code),
                Err(message) => {
                    error.try_set(Some(message));
                }
            }
        });
    };
    view! {
        <form class="issue" on:submit=submit>
            <h1>"Cấp mã tham gia"</h1>
            <label>
                "Vai trò"
                <select on:change=move |ev| {
                    let chosen = event_target_value(&ev).parse::<usize>().ok();
                    if let Some((r, units)) = chosen.and_then(|i| choices.with_value(|c| c.get(i).cloned())) {
                        unit.set(units[0].id.clone());
                        role.set(r);
                    }
                }>{role_options}</select>
            </label>
            <UnitPicker label=Signal::derive(unit_label) units=unit_choices chosen=unit on_pick=move |id| unit.set(id) />
            <div class="pair">
                <label>
                    "Hiệu lực (ngày)"
                    <input
                        inputmode="numeric"
                        prop:value=move || days.get()
                        on:input=move |ev| days.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    "Số lượt dùng"
                    <input
                        inputmode="numeric"
                        prop:value=move || uses.get()
                        on:input=move |ev| uses.set(event_target_value(&ev))
                    />
                </label>
            </div>
            <p class="alert" role="alert">{move || error.get()}</p>
            <button type="submit" class="primary" disabled=move || busy.get()>
                "Cấp mã"
            </button>
        </form>
    }
    .into_any()
}

/// A code just issued: read out, sent as a link, or scanned.
#[component]
fn Issued(code: IssuedCode) -> impl IntoView {
    view! {
        <section class="issued" aria-label="Mã vừa cấp">
            <p class="hint">"Mã tham gia (chỉ hiện một lần):"</p>
            <p class="code" data-testid="issued-code">{code.code.clone()}</p>
            <p>
                <a href=code.link.clone() data-testid="issued-link">{code.link.clone()}</a>
            </p>
            <div class="qr" data-testid="issued-qr" inner_html=code.qr_svg></div>
            <p class="hint">
                {format!(
                    "{} · hết hạn {} · {} lượt dùng",
                    code.summary.role.name_vi(),
                    clock::date_time(code.summary.expires_at_ms),
                    code.summary.uses_left,
                )}
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{Caller, DeviceId, UnitId};

    fn profile_of(role: Role, scope: &str) -> Profile {
        let caller = Caller { device: DeviceId::new("d-test").unwrap(), role, scope: UnitId::new(scope).unwrap() };
        let units = domain::visible_units(&caller, &UnitTree::demo());
        Profile { device: caller.device, label: "Máy thử".into(), role, scope: caller.scope, units }
    }

    fn offered(role: Role, scope: &str) -> Vec<(Role, Vec<String>)> {
        let profile = profile_of(role, scope);
        let tree = profile::visible_tree(&profile);
        issuable(&profile, &tree)
            .into_iter()
            .map(|(r, units)| (r, units.into_iter().map(|u| u.id.to_string()).collect()))
            .collect()
    }

    #[test]
    fn a_ward_officer_issues_volunteer_codes_for_its_areas_and_officer_codes_for_its_ward() {
        assert_eq!(
            offered(Role::WardOfficer, "p-nguyen-thi-minh-khai"),
            [
                (Role::Volunteer, vec!["ntmk-to-11".into(), "ntmk-to-13".into(), "ntmk-to-15".into()]),
                (Role::WardOfficer, vec!["p-nguyen-thi-minh-khai".into()]),
            ]
        );
    }

    #[test]
    fn the_province_admin_issues_every_role_and_an_inspector_none() {
        let roles: Vec<Role> = offered(Role::ProvinceAdmin, "tp-bac-kan").into_iter().map(|(r, _)| r).collect();
        assert_eq!(roles, Role::ALL);
        let admin = offered(Role::ProvinceAdmin, "tp-bac-kan");
        assert_eq!(admin[3].1, ["tp-bac-kan"], "administrators only at the top");
        assert!(offered(Role::Inspector, "tp-bac-kan").is_empty());
    }

    #[test]
    fn a_code_reads_as_usable_expired_used_up_or_withdrawn() {
        let code = CodeSummary {
            id: "c-1".into(),
            role: Role::Volunteer,
            unit: UnitId::new("ntmk-to-11").unwrap(),
            issued_by: DeviceId::new("d-test").unwrap(),
            issued_at_ms: 0,
            expires_at_ms: 1_000,
            uses_left: 1,
            withdrawn: false,
        };
        assert_eq!(code_status(&code, 999), ("còn hiệu lực", true));
        assert_eq!(code_status(&code, 1_000), ("hết hạn", false));
        assert_eq!(code_status(&CodeSummary { uses_left: 0, ..code.clone() }, 0), ("đã dùng hết", false));
        assert_eq!(code_status(&CodeSummary { withdrawn: true, ..code }, 0), ("đã thu hồi", false));
    }
}
