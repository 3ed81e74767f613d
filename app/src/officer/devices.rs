//! Thiết bị — the devices enrolled in this officer's scope, and revoking one (a lost
//! phone) with a second tap to confirm; the province administrator may also void one (a
//! test phone, a mistaken one): everything it counted is taken back.

use super::use_officer_session;
use crate::CollectAny;
use crate::{api, clock};
use domain::DeviceId;
use domain::enrol::DeviceSummary;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A device's state in words.
pub fn device_status(device: &DeviceSummary) -> String {
    match (device.voided_at_ms, device.revoked_at_ms) {
        (Some(at), _) => format!("Đã hủy số liệu ({})", clock::date_time(at)),
        (None, Some(at)) => format!("Đã thu hồi ({})", clock::date_time(at)),
        (None, None) => "Đang hoạt động".into(),
    }
}

/// What waits for its second tap.
#[derive(Clone, PartialEq, Eq)]
enum Confirming {
    Revoke(DeviceId),
    Void(DeviceId),
}

#[component]
pub fn DevicesScreen() -> impl IntoView {
    let session = use_officer_session();
    let devices = RwSignal::new(None::<Vec<DeviceSummary>>);
    let error = RwSignal::new(None::<String>);
    let confirming = RwSignal::new(None::<Confirming>);
    let may_void = session.reach.with_untracked(|r| r.profile.role == domain::Role::ProvinceAdmin);
    // Answers may arrive after the screen was left: writes then do nothing.
    let replace = move |done: DeviceSummary| {
        devices.try_update(|list| {
            if let Some(slot) = list.iter_mut().flatten().find(|d| d.device == done.device) {
                *slot = done;
            }
        })
    };
    spawn_local(async move {
        match session.call(|token| async move { api::devices(&token).await }).await {
            Ok(list) => {
                devices.try_set(Some(list));
            }
            Err(message) => {
                error.try_set(Some(message));
            }
        }
    });
    let revoke = move |id: DeviceId| {
        confirming.set(None);
        spawn_local(async move {
            match session.call(|token| async move { api::revoke_device(&token, &id).await }).await {
                Ok(done) => {
                    replace(done);
                }
                Err(message) => {
                    error.try_set(Some(message));
                }
            }
        });
    };
    let void = move |id: DeviceId| {
        confirming.set(None);
        spawn_local(async move {
            match session.call(|token| async move { api::void_device(&token, &id).await }).await {
                Ok(done) => {
                    replace(done.device);
                }
                Err(message) => {
                    error.try_set(Some(message));
                }
            }
        });
    };
    let rows = move || {
        devices.get().map(|list| {
            if list.is_empty() {
                return view! { <li class="hint">"Chưa có thiết bị nào."</li> }.into_any();
            }
            list.into_iter()
                .map(|device| {
                    let own = session.reach.with_untracked(|r| r.profile.device == device.device);
                    let active = device.revoked_at_ms.is_none();
                    // Plain clones, not a StoredValue: a row's value lives as long as its view.
                    let id = device.device.clone();
                    let last_sync = match device.last_sync_ms {
                        Some(at) => format!("Đồng bộ lần cuối {}", clock::date_time(at)),
                        None => "Chưa đồng bộ".into(),
                    };
                    let version =
                        (!device.app_version.is_empty()).then(|| format!(" · phiên bản {}", device.app_version));
                    let voidable = may_void && !own && device.voided_at_ms.is_none();
                    let asked = {
                        let id = id.clone();
                        move |what: fn(DeviceId) -> Confirming| {
                            confirming.with(|c| c.as_ref() == Some(&what(id.clone())))
                        }
                    };
                    // Sets what waits for confirmation, or does it.
                    let ask = |what: fn(DeviceId) -> Confirming| {
                        let id = id.clone();
                        move || {
                            let id = id.clone();
                            move |_| confirming.set(Some(what(id.clone())))
                        }
                    };
                    let (revoke_now, void_now) = {
                        let (a, b) = (id.clone(), id.clone());
                        (move |_| revoke(a.clone()), move |_| void(b.clone()))
                    };
                    let actions = (active && !own).then(|| {
                        let asked = asked.clone();
                        let ask_revoke = ask(Confirming::Revoke);
                        view! {
                            <Show
                                when=move || asked(Confirming::Revoke)
                                fallback=move || {
                                    view! { <button on:click=ask_revoke()>"Thu hồi quyền"</button> }
                                }
                            >
                                <div class="actions">
                                    <button class="primary" on:click=revoke_now.clone()>
                                        "Xác nhận thu hồi"
                                    </button>
                                    <button on:click=move |_| confirming.set(None)>"Hủy"</button>
                                </div>
                            </Show>
                        }
                    });
                    let void_action = voidable.then(|| {
                        let ask_void = ask(Confirming::Void);
                        view! {
                            <Show
                                when=move || asked(Confirming::Void)
                                fallback=move || {
                                    view! { <button on:click=ask_void()>"Hủy số liệu của máy"</button> }
                                }
                            >
                                <p class="hint">
                                    "Mọi số liệu máy này đã gửi sẽ bị trừ khỏi tổng ở mọi cấp; máy bị thu hồi quyền."
                                </p>
                                <div class="actions">
                                    <button class="primary" on:click=void_now.clone()>
                                        "Xác nhận hủy số liệu"
                                    </button>
                                    <button on:click=move |_| confirming.set(None)>"Không hủy"</button>
                                </div>
                            </Show>
                        }
                    });
                    view! {
                        <li>
                            <strong>{device.label.clone()} {own.then_some(" (máy này)")}</strong>
                            <span>{format!("{} · {}", device.role.name_vi(), session.unit_name(&device.scope))}</span>
                            <span class="when">
                                {format!("Ghi danh {} · {last_sync}", clock::date_time(device.enrolled_at_ms))}
                                {version}
                            </span>
                            <span class="status">{device_status(&device)}</span>
                            {actions}
                            {void_action}
                        </li>
                    }
                    .into_any()
                })
                .collect_any()
                .into_any()
        })
    };
    view! {
        <section class="devices">
            <h1>"Thiết bị đã ghi danh"</h1>
            <p class="hint">"Thu hồi quyền khi máy bị mất hoặc người dùng thôi nhiệm vụ: máy đó không gửi, không xem được số liệu nữa."</p>
            <p class="alert" role="alert">{move || error.get()}</p>
            <ul class="rows" data-testid="device-list">{rows}</ul>
        </section>
    }
}
