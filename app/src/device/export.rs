//! Xuất bản sao lưu — the backup file (`domain::Backup`) of the stored enrolment and
//! ledger, downloaded through a Blob and an `<a download>`; the moment is kept (the sync
//! bar reminds the volunteer when unsynced entries are older than the last backup).

use super::use_device_page;
use crate::{APP_VERSION, clock, storage};
use domain::Backup;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// Offers `text` as a JSON file named `name` to the browser's downloads.
fn download(name: &str, text: &str) -> Result<(), JsValue> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&js_sys::Array::of1(&text.into()), &options)?;
    crate::download::offer(name, &blob)
}

/// "Lần xuất gần nhất: …", or that there is none.
fn last_export(at_ms: Option<u64>) -> String {
    match at_ms {
        Some(at) => format!("Lần xuất gần nhất: {}.", clock::date_time(at)),
        None => "Máy này chưa xuất bản sao lưu nào.".into(),
    }
}

#[component]
pub fn ExportBackup() -> impl IntoView {
    let page = use_device_page();
    let last = RwSignal::new(storage::last_backup_ms());
    let done = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let export = move |_| {
        done.set(None);
        error.set(None);
        // The stored copy: another tab may have recorded since this page read it.
        let ledger = match storage::load_ledger_of(&page.enrolment.device) {
            Ok(ledger) => ledger,
            Err(failure) => return error.set(Some(failure.to_string())),
        };
        let now = clock::now_ms();
        let backup =
            Backup { exported_ms: now, app_version: APP_VERSION.into(), enrolment: page.enrolment.clone(), ledger };
        let name = backup.file_name(clock::today());
        if download(&name, &backup.seal()).is_err() {
            return error
                .set(Some("Trình duyệt không cho tải tệp về. Hãy thử lại, hoặc dùng trình duyệt khác.".into()));
        }
        storage::note_backup(now);
        last.set(Some(now));
        done.set(Some(format!(
            "Đã xuất {name} ({} mục ghi). Tệp nằm trong thư mục Tải xuống của điện thoại.",
            backup.ledger.entries().len()
        )));
        page.ledger.set(backup.ledger);
    };
    view! {
        <section class="export">
            <h2>"Sao lưu"</h2>
            <p class="hint">
                "Bản sao lưu giữ mọi số liệu và ghi chú của máy này. Mất máy, hỏng máy hay xóa dữ liệu trình duyệt thì khôi phục được từ tệp này trên máy khác."
            </p>
            <p class="issued" role="note">
                "Giữ tệp cẩn thận: tệp chứa khóa truy cập của máy và các ghi chú (có thể ghi tên người dân). Đừng gửi tệp lên nhóm chat hay cho người khác."
            </p>
            <button class="primary" on:click=export>
                "Xuất bản sao lưu"
            </button>
            <p class="flash" role="status" data-testid="export-message">
                {move || done.get()}
            </p>
            <p class="alert" role="alert">{move || error.get()}</p>
            <p class="hint" data-testid="last-backup">{move || last_export(last.get())}</p>
        </section>
    }
}
