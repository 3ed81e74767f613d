//! Thông tin máy — what this device is: its label, id, the app's version, its role and
//! area, how much it holds, and the browser's room for it.

use super::use_device_page;
use crate::APP_VERSION;
use leptos::prelude::*;

#[component]
pub fn AboutDevice() -> impl IntoView {
    let page = use_device_page();
    let profile = &page.enrolment.profile;
    let area = page.unit_name(&profile.scope);
    let ward = profile.units.iter().find(|u| u.id == profile.scope).and_then(|u| u.parent.as_ref());
    let area = match ward {
        Some(ward) => format!("{area} · {}", page.unit_name(ward)),
        None => area,
    };
    let row = |name: &'static str, value: String, id: &'static str| {
        view! {
            <li>
                <span class="when">{name}</span>
                <strong data-testid=id>{value}</strong>
            </li>
        }
    };
    let held =
        move || page.ledger.with(|l| format!("{} mục đã ghi · {} mục chờ đồng bộ", l.entries().len(), l.pending()));
    let room = LocalResource::new(crate::storage::room);
    let room = move || match room.get() {
        None => "đang đo…".to_string(),
        Some(None) => "trình duyệt không cho biết dung lượng".to_string(),
        Some(Some(room)) => format!(
            "Đã dùng {} · còn trống {} · {}",
            domain::format::bytes(room.used),
            domain::format::bytes(room.quota.saturating_sub(room.used)),
            if room.persisted {
                "được giữ lâu dài"
            } else {
                "trình duyệt có thể xóa khi máy hết chỗ: hãy cài ứng dụng và xuất bản sao lưu"
            }
        ),
    };
    view! {
        <section class="about">
            <h1>"Máy này"</h1>
            <ul class="rows">
                {row("Tên thiết bị", profile.label.clone(), "device-label")}
                {row("Vai trò", profile.role.name_vi().to_string(), "device-role")}
                {row("Khu dân cư", area, "device-area")}
                {row("Mã máy", page.enrolment.device.to_string(), "device-id")}
                {row("Phiên bản ứng dụng", APP_VERSION.to_string(), "app-version")}
            </ul>
            <p class="hint" data-testid="device-held">{held}</p>
            <p class="hint" data-testid="device-room">"Bộ nhớ: " {room}</p>
        </section>
    }
}
