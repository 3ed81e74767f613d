//! Nhật ký — the audit trail of a unit in reach, newest first: codes issued and
//! withdrawn, devices enrolled and revoked, syncs.

use super::unit_picker::UnitPicker;
use super::use_officer_session;
use crate::CollectAny;
use crate::{api, clock};
use domain::enrol::{AuditEvent, AuditWhat};
use domain::{AreaChange, CatalogueEdit, DeviceId, ModelStep, UnitId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;

/// The labels of the devices enrolled in `events`, to name them where they act later.
pub fn device_labels(events: &[AuditEvent]) -> BTreeMap<DeviceId, String> {
    events
        .iter()
        .filter_map(|e| match &e.what {
            AuditWhat::Enrolled { device, label, .. } => Some((device.clone(), label.clone())),
            _ => None,
        })
        .collect()
}

/// What happened, in Vietnamese: "Ghi danh thiết bị «Trưởng ban Tổ 11»".
/// `unit_name` names a unit the event points to.
pub fn describe(
    what: &AuditWhat,
    labels: &BTreeMap<DeviceId, String>,
    unit_name: impl Fn(&UnitId) -> String,
) -> String {
    let device_name = |d: &DeviceId| labels.get(d).map_or_else(|| d.to_string(), |l| format!("«{l}»"));
    match what {
        AuditWhat::CodeIssued { role, .. } => format!("Cấp mã tham gia cho {}", role.name_vi()),
        AuditWhat::CodeWithdrawn { .. } => "Thu hồi mã tham gia".into(),
        AuditWhat::Enrolled { label, .. } => format!("Ghi danh thiết bị «{label}»"),
        AuditWhat::Revoked { device } => format!("Thu hồi thiết bị {}", device_name(device)),
        AuditWhat::Voided { device } => format!("Hủy toàn bộ số liệu của thiết bị {}", device_name(device)),
        AuditWhat::Synced { changed, .. } => format!("Đồng bộ: {changed} ô số liệu thay đổi"),
        AuditWhat::Succeeded { from, to } => {
            format!("Thiết bị {} chuyển sang mã máy mới {}", device_name(from), device_name(to))
        }
        AuditWhat::AreaChanged { event } => {
            let from = event.effective.to_vietnamese();
            match &event.change {
                AreaChange::Create { name, .. } => format!("Thành lập khu dân cư «{name}» từ ngày {from}"),
                AreaChange::Rename { name } => format!("Đổi tên khu dân cư thành «{name}» từ ngày {from}"),
                AreaChange::Close => format!("Giải thể khu dân cư từ ngày {from}"),
                AreaChange::Merge { into } => format!("Sáp nhập khu dân cư vào «{}» từ ngày {from}", unit_name(into)),
                AreaChange::Split { parts } => {
                    let names: Vec<String> = parts.iter().map(|p| format!("«{}»", p.name)).collect();
                    format!("Chia tách khu dân cư thành {} từ ngày {from}", names.join(", "))
                }
            }
        }
        AuditWhat::ModelStep { event } => {
            let day = event.day.to_vietnamese();
            match &event.step {
                ModelStep::Register { name, .. } => format!("Đăng ký mô hình «{name}» ngày {day}"),
                step => format!("Mô hình {}: {} ngày {day}", event.model, step.name_vi()),
            }
        }
        AuditWhat::HonourRecorded { honour } => {
            format!("Ghi {} (quyết định số {})", honour.describe(), honour.decision.number)
        }
        AuditWhat::HonourWithdrawn { id } => format!("Hủy bản ghi khen thưởng {id}"),
        AuditWhat::SheetSet { sheet } => format!("Lập phiếu chấm điểm «{}» (nội dung {})", sheet.name, sheet.content),
        AuditWhat::CatalogueChanged { change } => match &change.edit {
            CatalogueEdit::Add { indicator } => format!("Thêm chỉ tiêu «{}» ({})", indicator.label, indicator.unit),
            CatalogueEdit::Rename { indicator, label } => format!("Đổi tên chỉ tiêu {indicator} thành «{label}»"),
            CatalogueEdit::Retire { indicator, from } => {
                format!("Cho chỉ tiêu {indicator} thôi dùng từ ngày {}", from.to_vietnamese())
            }
        },
        AuditWhat::UnitsLoaded { dataset, added, changed } => {
            let mut said = format!("Nạp đơn vị hành chính theo bộ dữ liệu {dataset}: thêm {added}");
            if !changed.is_empty() {
                let names: Vec<&str> = changed.iter().take(5).map(|u| u.name.as_str()).collect();
                let more = if changed.len() > names.len() { ", …" } else { "" };
                said += &format!(", cập nhật {} ({}{more})", changed.len(), names.join(", "));
            }
            said
        }
    }
}

/// Who did it: a device, or provincial IT at the command line.
pub fn actor_name(actor: Option<&DeviceId>, labels: &BTreeMap<DeviceId, String>) -> String {
    match actor {
        Some(d) => labels.get(d).map_or_else(|| format!("thiết bị {d}"), |l| format!("«{l}»")),
        None => "Quản trị hệ thống cấp tỉnh".into(),
    }
}

#[component]
pub fn AuditScreen() -> impl IntoView {
    let session = use_officer_session();
    let unit = RwSignal::new(session.scope());
    let events = RwSignal::new(None::<(UnitId, Vec<AuditEvent>)>);
    let error = RwSignal::new(None::<String>);
    let load = move || {
        let id = unit.get_untracked();
        spawn_local(async move {
            let asked = id.clone();
            match session.call(|token| async move { api::audit(&token, &asked).await }).await {
                Ok(list) => {
                    error.try_set(None);
                    events.try_set(Some((id, list)));
                }
                Err(message) => {
                    error.try_set(Some(message));
                }
            }
        });
    };
    load();
    let units: Vec<_> = (session.reach.with_untracked(|r| r.profile.units.clone()).into_iter())
        .filter(|u| session.may(domain::Action::ReadAudit, &u.id))
        .collect();
    let pick = move |id: UnitId| {
        unit.set(id);
        load();
    };
    let rows = move || {
        events.with(|shown| {
            let (of, list) = shown.as_ref().filter(|(of, _)| *of == unit.get())?;
            if list.is_empty() {
                return Some(view! { <li class="hint">"Chưa có sự kiện nào."</li> }.into_any());
            }
            let labels = device_labels(list);
            let items = list
                .iter()
                .map(|event| {
                    let line = format!(
                        "{} — {}",
                        clock::date_time(event.at_ms),
                        describe(&event.what, &labels, |u| session.unit_name(u))
                    );
                    let place = (event.unit != *of).then(|| session.unit_name(&event.unit));
                    let by = actor_name(event.actor.as_ref(), &labels);
                    let detail = match place {
                        Some(place) => format!("{place} · {by}"),
                        None => by,
                    };
                    view! {
                        <li>
                            <span>{line}</span>
                            <span class="when">{detail}</span>
                        </li>
                    }
                })
                .collect_any();
            Some(items.into_any())
        })
    };
    view! {
        <section class="audit">
            <UnitPicker label="Đơn vị" units=Signal::stored(units) chosen=unit on_pick=pick />
            <h1>"Nhật ký"</h1>
            <p class="alert" role="alert">{move || error.get()}</p>
            <ul class="rows" data-testid="audit-list">{rows}</ul>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Role;

    #[test]
    fn events_read_in_vietnamese_and_name_devices_by_their_labels() {
        let device = DeviceId::new("d-to-11").unwrap();
        let unit = UnitId::new("ntmk-to-11").unwrap();
        let enrolled = AuditEvent {
            at_ms: 2,
            unit: unit.clone(),
            actor: None,
            what: AuditWhat::Enrolled {
                device: device.clone(),
                label: "Trưởng ban Tổ 11".into(),
                role: Role::Volunteer,
                code: "c-1".into(),
            },
        };
        let issued = AuditEvent {
            at_ms: 1,
            unit,
            actor: None,
            what: AuditWhat::CodeIssued { code: "c-1".into(), role: Role::Volunteer },
        };
        let labels = device_labels(&[enrolled.clone(), issued.clone()]);
        assert_eq!(
            describe(&issued.what, &labels, |u| u.to_string()),
            "Cấp mã tham gia cho Trưởng ban công tác Mặt trận"
        );
        assert_eq!(describe(&enrolled.what, &labels, |u| u.to_string()), "Ghi danh thiết bị «Trưởng ban Tổ 11»");
        assert_eq!(
            describe(&AuditWhat::Revoked { device: device.clone() }, &labels, |u| u.to_string()),
            "Thu hồi thiết bị «Trưởng ban Tổ 11»"
        );
        let synced = AuditWhat::Synced { device: device.clone(), changed: 3, unchanged: 1 };
        assert_eq!(describe(&synced, &labels, |u| u.to_string()), "Đồng bộ: 3 ô số liệu thay đổi");
        assert_eq!(actor_name(Some(&device), &labels), "«Trưởng ban Tổ 11»");
        assert_eq!(actor_name(None, &labels), "Quản trị hệ thống cấp tỉnh");
        let merged = domain::AreaEvent {
            id: domain::EventId::new("e-1").unwrap(),
            area: UnitId::new("ntmk-to-11").unwrap(),
            effective: domain::Date::new(2026, 7, 1).unwrap(),
            change: AreaChange::Merge { into: UnitId::new("ntmk-to-13").unwrap() },
        };
        let named = |u: &UnitId| if u.as_str() == "ntmk-to-13" { "Tổ 13".into() } else { u.to_string() };
        assert_eq!(
            describe(&AuditWhat::AreaChanged { event: merged }, &labels, named),
            "Sáp nhập khu dân cư vào «Tổ 13» từ ngày 01/07/2026"
        );
        let ward = |n: usize| {
            let id = UnitId::new(format!("p-{n}")).unwrap();
            domain::Unit::new(id, format!("Phường {n}"), domain::UnitLevel::Ward, None)
        };
        let loaded =
            |added, changed: Vec<domain::Unit>| AuditWhat::UnitsLoaded { dataset: "vnau 1.0.4".into(), added, changed };
        assert_eq!(
            describe(&loaded(392, vec![]), &labels, |u| u.to_string()),
            "Nạp đơn vị hành chính theo bộ dữ liệu vnau 1.0.4: thêm 392"
        );
        assert_eq!(
            describe(&loaded(0, (1..=7).map(ward).collect()), &labels, |u| u.to_string()),
            "Nạp đơn vị hành chính theo bộ dữ liệu vnau 1.0.4: thêm 0, cập nhật 7 \
             (Phường 1, Phường 2, Phường 3, Phường 4, Phường 5, …)"
        );
    }
}
