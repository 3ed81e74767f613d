//! Tham gia — enrolling this phone with a join code from the ward or commune: the code
//! (typed, or from a link `/#join=…`), a label for the device, and the server's answer
//! kept in browser storage.

use crate::api::{self, ApiFailure};
use crate::{APP_VERSION, profile, storage};
use domain::Ledger;
use domain::enrol::{Enrolment, JoinRequest};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The join code of the page's link, if it carries one (`#join=…`); the fragment is then
/// removed from the address, so a reload or a shared screenshot does not repeat it.
pub fn take_code_from_url() -> Option<String> {
    let window = web_sys::window()?;
    let location = window.location();
    let code = profile::code_in_fragment(&location.hash().ok()?)?;
    let path = format!("{}{}", location.pathname().unwrap_or_default(), location.search().unwrap_or_default());
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
    Some(code)
}

/// Opens the join page, to enrol this phone again.
pub fn open_join_screen() {
    crate::open_page(&format!("{}#join", crate::pages::JOIN));
}

/// Takes on a new enrolment with a new ledger; a stored one is kept aside ([`storage::take_over`]).
fn take_on(enrolment: Enrolment) -> Result<Enrolment, storage::StorageFailure> {
    let ledger = Ledger::new(enrolment.device.clone());
    storage::take_over(&enrolment, ledger).map(|_| enrolment)
}

/// The two fields of a join: the code and the device's label (the only free text the
/// phone sends), shared by the join screen and the restore of a lost phone's backup.
#[component]
pub fn JoinFields(
    code_input: NodeRef<leptos::html::Input>,
    label_input: NodeRef<leptos::html::Input>,
    code: String,
    label: String,
) -> impl IntoView {
    view! {
        <label>
            "Mã tham gia"
            <input
                node_ref=code_input
                class="code"
                autocomplete="off"
                autocapitalize="characters"
                spellcheck="false"
                placeholder="ABCD-EFGH-JKMN"
                value=code
            />
        </label>
        <label>
            "Tên thiết bị"
            <input node_ref=label_input autocomplete="off" maxlength="60" placeholder="Trưởng ban Tổ 11" value=label />
        </label>
        <p class="hint">
            "Tên thiết bị là chữ duy nhất máy này gửi lên máy chủ: đừng ghi số điện thoại, số căn cước hay tên các hộ gia đình."
        </p>
    }
}

/// The join form; once the enrolment is in browser storage, the app of its role opens
/// (for a volunteer, after the first-time help).
/// When the phone is enrolled already, `on_cancel` goes back, and the entries its ledger
/// has not sent are counted: they are kept aside, and will not be sent.
#[component]
pub fn JoinScreen(code: String, #[prop(optional_no_strip)] on_cancel: Option<Callback<()>>) -> impl IntoView {
    let code_input = NodeRef::<leptos::html::Input>::new();
    let label_input = NodeRef::<leptos::html::Input>::new();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = |input: NodeRef<leptos::html::Input>| input.get().map(|i| i.value()).unwrap_or_default();
        let request =
            JoinRequest { code: value(code_input), label: value(label_input), app_version: APP_VERSION.into() };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let outcome = match api::join(&request).await {
                Ok(enrolment) => {
                    // The province's catalogue, for the entry screen; if this fails, the
                    // first sync fetches it.
                    if let Ok(catalogue) = api::catalogue(&enrolment.token).await {
                        storage::save_catalogue(catalogue);
                    }
                    take_on(enrolment).map_err(|e| e.to_string())
                }
                Err(ApiFailure::Unreachable) => Err("Cần có kết nối mạng để tham gia. Hãy thử lại khi điện thoại \
                                                     có sóng hoặc Wi-Fi."
                    .into()),
                Err(other) => Err(other.to_string()),
            };
            match outcome {
                // A volunteer reads the first-time help, which leads on to the entry screen.
                Ok(enrolment) if enrolment.profile.role == domain::Role::Volunteer => {
                    crate::open_page(crate::pages::HELP)
                }
                Ok(enrolment) => crate::open_app_of(&enrolment),
                Err(message) => {
                    busy.set(false);
                    error.set(Some(message));
                }
            }
        });
    };
    let waiting = match on_cancel {
        Some(_) => storage::load_ledger().ok().flatten().map_or(0, |l| l.pending()),
        None => 0,
    };
    let kept_aside = (waiting > 0).then(|| {
        view! {
            <p class="hint">
                {format!(
                    "{waiting} mục chưa gửi của lần ghi danh trước được cất riêng trên máy (không bị xóa), nhưng sẽ không được gửi nữa.",
                )}
            </p>
        }
    });
    let cancel = on_cancel.map(|back| {
        view! {
            <button type="button" on:click=move |_| back.run(())>
                "Hủy"
            </button>
        }
    });
    view! {
        <section class="join">
            <h1>"Ghi danh máy này"</h1>
            <p class="hint">
                "Nhập mã tham gia do cán bộ Mặt trận phường, xã cấp, hoặc mở đường liên kết, quét mã QR cán bộ gửi."
            </p>
            <form on:submit=submit>
                <JoinFields code_input label_input code label=String::new() />
                {kept_aside}
                <p class="alert" role="alert">{move || error.get()}</p>
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || busy.get()>
                        "Tham gia"
                    </button>
                    {cancel}
                </div>
            </form>
            <a href=crate::pages::DEVICE>"Khôi phục từ bản sao lưu"</a>
        </section>
    }
}
