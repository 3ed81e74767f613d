//! Khôi phục từ bản sao lưu — a backup file onto this phone, never under the backup's own
//! device id (ARCHITECTURE.md, "Backups, and a device that went backwards"):
//!
//! 1. the file is opened (`domain::Backup::open`: foreign, newer, corrupted files refused);
//! 2. while the backup's device still takes requests, the backup's outbox is sent under it
//!    (states of that device's own history: the server's max takes what it lacks, nothing
//!    twice), then a successor is asked for (`POST /api/v1/me/successor`), which revokes it
//!    and answers every cell the server holds of it;
//! 3. if it was revoked (a lost phone), a new join code and label are asked for, and the
//!    new device reads the old one's cells (`GET /api/v1/devices/{id}/cells`);
//! 4. the new ledger is `Backup::restore` (only what the server had not counted), stored
//!    with the new enrolment by the tab that writes; the ledger this phone held, if any,
//!    is kept aside (`storage::take_over`), never deleted.
//!
//! Offline, it stops with a message and nothing on the phone changes.

use crate::api::{self, ApiFailure};
use crate::{APP_VERSION, clock, profile, storage};
use domain::enrol::{Enrolment, JoinRequest};
use domain::{Backup, Ledger};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

const OFFLINE: &str = "Cần có mạng để khôi phục: ứng dụng phải hỏi máy chủ những gì đã được tính. Chưa có gì \
                       thay đổi trên máy; hãy thử lại khi có sóng hoặc Wi-Fi.";

/// What the page says about a good backup before restoring it, given the ledger this
/// phone holds (if any): whether to go on, and what happens to what the phone holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Before {
    /// This phone holds the backup's own ledger, as new as the file or newer.
    AlreadyHere,
    /// Go on; `kept_aside` entries of this phone's own ledger are set aside (never sent).
    Restore { kept_aside: usize },
}

pub fn before_restoring(backup: &Backup, stored: Option<&Ledger>) -> Before {
    match stored {
        Some(l) if l.device == backup.ledger.device && l.entries().len() >= backup.ledger.entries().len() => {
            Before::AlreadyHere
        }
        Some(l) if l.device != backup.ledger.device => Before::Restore { kept_aside: l.pending() },
        _ => Before::Restore { kept_aside: 0 },
    }
}

/// How far a restore got.
enum Reached {
    /// Stored under the new device: the app opens.
    Done,
    /// The backup's device is revoked: a join code is needed.
    NeedsCode,
}

/// A ledger that went backwards (an older copy: the server holds more of its device)
/// continues under a successor, by the restore's rule: what it holds is sent under its
/// own device (merge-by-max counts only what the server lacks), the device stops, and
/// the successor starts from what the server had not counted. The app then opens.
#[component]
pub fn ContinueAsSuccessor(enrolment: Enrolment, ledger: Ledger) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let backup = Backup { exported_ms: clock::now_ms(), app_version: APP_VERSION.into(), enrolment, ledger };
    spawn_local(async move {
        match restore_as_successor(backup).await {
            Ok(Reached::Done) => {
                if let Some(window) = web_sys::window() {
                    let _ = window.location().replace(crate::pages::ENTRY);
                }
            }
            Ok(Reached::NeedsCode) => {
                let _ = problem.try_set(Some(
                    "Máy cũ đã bị thu hồi. Hãy xin cán bộ phường, xã một mã tham gia mới rồi khôi phục từ bản sao lưu."
                        .into(),
                ));
            }
            Err(message) => {
                let _ = problem.try_set(Some(message));
            }
        }
    });
    view! {
        <section class="restore" data-testid="continue-as-successor">
            <h2>"Chuyển sang mã máy mới"</h2>
            <p class="hint">
                "Máy chủ giữ số liệu của máy này mới hơn sổ ghi trên máy (có thể đây là bản sao cũ của dữ liệu).                  Ứng dụng gửi những gì máy chủ chưa tính, rồi tiếp tục dưới một mã máy mới."
            </p>
            <p class="alert" role="alert">{move || problem.get()}</p>
        </section>
    }
}

/// Steps 2 and 4 with the backup's token.
async fn restore_as_successor(backup: Backup) -> Result<Reached, String> {
    let token = backup.enrolment.token.clone();
    let refused = |failure: ApiFailure| match failure {
        ApiFailure::Unreachable => Err(OFFLINE.to_string()),
        f if f.lost_access() => Ok(Reached::NeedsCode),
        f => Err(f.to_string()),
    };
    let mut replay = backup.ledger.clone();
    for _ in 0..replay.requests_waiting() {
        let request = replay.outbox();
        match api::sync(&token, &request).await {
            Ok(answer) => {
                replay.answer(&request, &answer, clock::now_ms());
            }
            Err(failure) => return refused(failure),
        }
    }
    let succession = match api::successor(&token).await {
        Ok(succession) => succession,
        Err(failure) => return refused(failure),
    };
    let sent = Backup { ledger: replay, ..backup };
    let ledger = sent.restore(&succession.enrolment, &succession.cells).map_err(|e| e.to_string())?;
    store(succession.enrolment, ledger).map(|()| Reached::Done)
}

/// Step 3 and 4 with a new enrolment: the revoked device's cells, then the ledger.
async fn restore_as_new_device(backup: &Backup, enrolment: &Enrolment) -> Result<(), String> {
    let held = match api::device_cells(&enrolment.token, &backup.ledger.device).await {
        Ok(held) if held.device == backup.ledger.device => held,
        Ok(_) => return Err("Máy chủ trả lời số liệu của một máy khác.".into()),
        Err(ApiFailure::Unreachable) => return Err(OFFLINE.into()),
        Err(failure) => return Err(failure.to_string()),
    };
    let ledger = backup.restore(enrolment, &held.cells).map_err(|e| e.to_string())?;
    store(enrolment.clone(), ledger)
}

fn store(enrolment: Enrolment, ledger: Ledger) -> Result<(), String> {
    storage::take_over(&enrolment, ledger).map(|_| ()).map_err(|e| e.to_string())
}

/// Reads the file chosen in `input`.
async fn chosen_text(input: &web_sys::HtmlInputElement) -> Option<String> {
    let file = input.files()?.get(0)?;
    let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.ok()?;
    text.as_string()
}

/// The backup's story in one line: whose, when, how much.
fn summary(backup: &Backup) -> String {
    let p = &backup.enrolment.profile;
    format!(
        "Bản sao lưu của {} ({}), xuất lúc {}: {} mục đã ghi, {} mục chưa đồng bộ khi xuất.",
        profile::unit_name(p, &p.scope),
        p.label,
        clock::date_time(backup.exported_ms),
        backup.ledger.entries().len(),
        backup.ledger.pending()
    )
}

#[component]
pub fn RestoreBackup() -> impl IntoView {
    let enrolled = storage::load_enrolment().is_some();
    let opened = RwSignal::new(None::<Backup>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let needs_code = RwSignal::new(false);
    // A new enrolment whose reading of the old device's cells failed (e.g. offline): kept
    // for the next try, so the join code is not spent twice.
    let joined = RwSignal::new(None::<Enrolment>);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let code_input = NodeRef::<leptos::html::Input>::new();
    let label_input = NodeRef::<leptos::html::Input>::new();

    let choose = move |_| {
        let Some(input) = file_input.get() else { return };
        error.set(None);
        opened.set(None);
        needs_code.set(false);
        joined.set(None);
        let input: web_sys::HtmlInputElement = input.unchecked_into();
        spawn_local(async move {
            let Some(text) = chosen_text(&input).await else {
                return error.set(Some("Không đọc được tệp đã chọn.".into()));
            };
            match Backup::open(&text) {
                Ok(backup) => match before_restoring(&backup, storage::load_ledger().ok().flatten().as_ref()) {
                    Before::AlreadyHere => error.set(Some(
                        "Máy này đang giữ chính sổ ghi trong bản sao lưu, và sổ ghi trên máy mới bằng hoặc mới hơn: \
                         không cần khôi phục."
                            .into(),
                    )),
                    Before::Restore { .. } => opened.set(Some(backup)),
                },
                Err(problem) => error.set(Some(problem.to_string())),
            }
        });
    };

    let finish = move |outcome: Result<Reached, String>| match outcome {
        Ok(Reached::Done) => crate::open_page(crate::pages::ENTRY),
        Ok(Reached::NeedsCode) => {
            busy.set(false);
            needs_code.set(true);
        }
        Err(message) => {
            busy.set(false);
            error.set(Some(message));
        }
    };
    let restore = move |_| {
        let Some(backup) = opened.get_untracked() else { return };
        busy.set(true);
        error.set(None);
        spawn_local(async move { finish(restore_as_successor(backup).await) });
    };
    let join_and_restore = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(backup) = opened.get_untracked() else { return };
        let value = |input: NodeRef<leptos::html::Input>| input.get().map(|i| i.value()).unwrap_or_default();
        let request =
            JoinRequest { code: value(code_input), label: value(label_input), app_version: APP_VERSION.into() };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let enrolment = match joined.get_untracked() {
                Some(enrolment) => enrolment,
                None => match api::join(&request).await {
                    Ok(enrolment) => enrolment,
                    Err(ApiFailure::Unreachable) => return finish(Err(OFFLINE.into())),
                    Err(failure) => return finish(Err(failure.to_string())),
                },
            };
            let outcome = restore_as_new_device(&backup, &enrolment).await;
            // Of another area: that enrolment is no use here; any other failure: try again.
            let other_area = enrolment.profile.scope != backup.enrolment.profile.scope;
            joined.set((!other_area).then_some(enrolment));
            finish(outcome.map(|()| Reached::Done));
        });
    };

    let kept_aside = move || {
        let backup = opened.get()?;
        match before_restoring(&backup, storage::load_ledger().ok().flatten().as_ref()) {
            Before::Restore { kept_aside } if kept_aside > 0 => Some(format!(
                "Máy này còn {kept_aside} mục chưa gửi của lần ghi danh hiện tại: khi khôi phục, chúng được cất \
                 riêng trên máy (không bị xóa) nhưng không được gửi nữa. Nếu có mạng, hãy đồng bộ trước."
            )),
            _ => None,
        }
    };
    let lost_form = move || {
        let backup = opened.get()?;
        needs_code.get().then(|| {
            let label = backup.enrolment.profile.label.clone();
            let retry = joined.with(Option::is_some);
            view! {
                <form on:submit=join_and_restore data-testid="restore-join">
                    <p class="alert" role="alert">
                        "Máy cũ của bản sao lưu đã bị thu hồi (mất máy?). Hãy xin cán bộ phường, xã một mã tham gia mới: số liệu chưa được tính của bản sao lưu sẽ được gửi dưới máy mới."
                    </p>
                    <Show when=move || !retry>
                        <crate::join::JoinFields code_input label_input code=String::new() label=label.clone() />
                    </Show>
                    <div class="actions">
                        <button type="submit" class="primary" disabled=move || busy.get()>
                            {if retry { "Thử lại" } else { "Tham gia và khôi phục" }}
                        </button>
                    </div>
                </form>
            }
        })
    };
    let ready = move || {
        let backup = opened.get()?;
        (!needs_code.get()).then(|| {
            view! {
                <p class="hint" data-testid="restore-summary">{summary(&backup)}</p>
                <p class="hint">
                    "Máy cũ của bản sao lưu sẽ ngừng gửi số liệu; máy này tiếp tục dưới một mã máy mới, chỉ gửi những gì máy chủ chưa tính."
                </p>
                <button class="primary" on:click=restore disabled=move || busy.get()>
                    "Khôi phục"
                </button>
            }
        })
    };
    let intro = if enrolled {
        "Dùng khi chuyển sang máy mới hoặc sau khi xóa dữ liệu trình duyệt. Chọn tệp sotay-….json đã xuất."
    } else {
        "Máy mới? Chọn tệp sotay-….json đã xuất từ máy cũ để tiếp tục với số liệu của mình."
    };
    view! {
        <section class="restore">
            <h2>"Khôi phục từ bản sao lưu"</h2>
            <p class="hint">{intro}</p>
            <label>
                "Tệp sao lưu"
                <input node_ref=file_input type="file" accept=".json,application/json" on:change=choose />
            </label>
            <p class="hint" data-testid="kept-aside">{kept_aside}</p>
            {ready}
            {lost_form}
            <p class="alert" role="alert" data-testid="restore-error">{move || error.get()}</p>
            <Show when=move || !enrolled>
                <p class="hint">
                    "Chưa có bản sao lưu? " <a href=crate::pages::JOIN>"Ghi danh bằng mã tham gia"</a>
                </p>
            </Show>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::enrol::Profile;
    use domain::{Catalogue, DeviceId, Role, UnitId, UnitTree};

    fn ledger_with(device: &str, entries: usize) -> Ledger {
        let (cat, tree) = (Catalogue::standard(), UnitTree::demo());
        let area = UnitId::new("ntmk-to-11").unwrap();
        let land = domain::IndicatorId::new("dat_hien").unwrap();
        let mut ledger = Ledger::new(DeviceId::new(device).unwrap());
        for i in 0..entries {
            ledger.add_amount(&cat, &tree, &area, &land, "2025-11-02".parse().unwrap(), 5, "", i as u64).unwrap();
        }
        ledger
    }

    fn backup_of(ledger: Ledger) -> Backup {
        let profile = Profile {
            device: ledger.device.clone(),
            label: "Trưởng ban Tổ 11".into(),
            role: Role::Volunteer,
            scope: UnitId::new("ntmk-to-11").unwrap(),
            units: vec![],
        };
        let enrolment = Enrolment { device: ledger.device.clone(), token: "t".into(), profile };
        Backup { exported_ms: 0, app_version: "test".into(), enrolment, ledger }
    }

    #[test]
    fn a_phone_holding_the_same_ledger_or_a_newer_one_needs_no_restore() {
        let backup = backup_of(ledger_with("d-old", 2));
        assert_eq!(before_restoring(&backup, Some(&ledger_with("d-old", 3))), Before::AlreadyHere);
        assert_eq!(before_restoring(&backup, Some(&ledger_with("d-old", 2))), Before::AlreadyHere);
        assert_eq!(before_restoring(&backup, Some(&ledger_with("d-old", 1))), Before::Restore { kept_aside: 0 });
    }

    #[test]
    fn another_devices_unsent_entries_are_counted_as_kept_aside() {
        let backup = backup_of(ledger_with("d-old", 2));
        assert_eq!(before_restoring(&backup, Some(&ledger_with("d-other", 4))), Before::Restore { kept_aside: 1 });
        assert_eq!(before_restoring(&backup, None), Before::Restore { kept_aside: 0 });
    }
}
