//! Browser storage (gloo-storage, `localStorage`): the enrolment (device id, token,
//! profile), the ledger and the last reports. An entry counts as saved only once
//! `save_ledger` returned `Ok`.
//!
//! The device id comes from the server when the phone enrols; the app never makes one
//! up. A ledger is only ever kept under the id it was written with: enrolling again
//! starts a new ledger and keeps the old one aside under its own key, never deleted.
//! A stored ledger the app cannot read (corrupt, or of a newer format) is never written
//! over. One tab of the app at a time writes ([`become_writer`]), so two tabs never write
//! over each other's change; within a tab, each read-modify-write of the ledger runs in
//! one turn of the event loop.

use domain::enrol::{Enrolment, Profile};
use domain::{AreaSnapshot, Catalogue, DeviceId, Ledger, LedgerUnreadable, Report};
use gloo_storage::{LocalStorage, Storage};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

const ENROLMENT: &str = "sotay.v1.enrolment";
const LEDGER: &str = "sotay.v1.ledger";
const AREA_REPORT: &str = "sotay.v1.area_snapshot";
const WARD_REPORT: &str = "sotay.v1.ward_report";
const PROFILE_DAY: &str = "sotay.v1.profile_day";
const CATALOGUE: &str = "sotay.v1.catalogue";

/// Why something could not be kept on the phone.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StorageFailure {
    #[error(
        "Bộ nhớ của trình duyệt đã đầy: chưa lưu được. Hãy đồng bộ, rồi vào \"Máy này\" xuất bản sao lưu \
         và xóa bớt dữ liệu khác của trình duyệt."
    )]
    Full,
    #[error("Không ghi được vào bộ nhớ của trình duyệt ({0}).")]
    Other(String),
    /// The enrolment is there but its ledger is not (or is another device's): going on
    /// under this device id with empty counters would let the server swallow new entries.
    #[error("Sổ ghi của máy này không còn trong bộ nhớ của trình duyệt. Hãy nhập mã tham gia mới để ghi danh lại.")]
    LedgerLost,
    /// Another tab of the app writes this phone's data now ([`become_writer`]).
    #[error("Sổ tay đang mở ở một thẻ khác: thẻ này không ghi được nữa.")]
    Elsewhere,
    /// The stored ledger is there but this version cannot read it: nothing is written.
    #[error("{0}")]
    Unreadable(LedgerUnreadable),
}

#[wasm_bindgen]
extern "C" {
    /// `navigator.locks.request(name, options, callback)`.
    #[wasm_bindgen(js_namespace = ["navigator", "locks"], js_name = request, catch)]
    fn request_lock_with(
        name: &str,
        options: &JsValue,
        callback: &js_sys::Function,
    ) -> Result<js_sys::Promise, JsValue>;
}

thread_local! {
    /// Another tab took the writer's role from this page: it writes nothing more.
    static WRITER_ELSEWHERE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Makes this page the phone's one writer of its storage, for the page's life. In
/// Chromium each tab reads its own copy of `localStorage`, which another tab's write
/// reaches a moment later: two tabs taking turns under a lock could still each write a
/// ledger missing the other's last entry. So one tab at a time writes: a Web Lock held
/// while the page lives. Tells whether this page holds it: at once when it is free, or,
/// with `take`, taken from the tab that holds it (whose `on_lost` then runs, and whose
/// writes are refused from then on); `false` when another tab holds it. Where the
/// browser has no Web Locks, or refuses them to this page, the page writes.
pub async fn become_writer(take: bool, on_lost: impl FnOnce() + 'static) -> bool {
    use std::{cell::Cell, rc::Rc};
    let options = js_sys::Object::new();
    let option = if take { "steal" } else { "ifAvailable" };
    let _ = js_sys::Reflect::set(&options, &option.into(), &JsValue::TRUE);
    let resolver = Rc::new(Cell::new(None::<js_sys::Function>));
    let holds = js_sys::Promise::new(&mut |resolve, _| resolver.set(Some(resolve)));
    let tell = move |held: bool| {
        if let Some(resolve) = resolver.take() {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::from_bool(held));
        }
    };
    // Held while the page lives: the callback's promise never settles.
    let callback = Closure::once_into_js({
        let tell = tell.clone();
        move |lock: JsValue| {
            let held = !lock.is_null();
            tell(held);
            if held { JsValue::from(js_sys::Promise::new(&mut |_, _| {})) } else { JsValue::NULL }
        }
    });
    let Ok(request) = request_lock_with("sotay.writer", &options, callback.unchecked_ref()) else { return true };
    let lost = Closure::once(move |error: JsValue| {
        let name = js_sys::Reflect::get(&error, &"name".into()).ok().and_then(|n| n.as_string());
        if name.as_deref() == Some("AbortError") {
            // Another tab took the role: this page writes nothing more.
            WRITER_ELSEWHERE.with(|w| w.set(true));
            on_lost();
        } else {
            tell(true);
        }
    });
    let _ = request.catch(&lost);
    // Lives as long as the page.
    lost.forget();
    wasm_bindgen_futures::JsFuture::from(holds).await.is_ok_and(|held| held.is_truthy())
}

/// The text stored under `key`.
fn raw(key: &str) -> Option<String> {
    LocalStorage::raw().get_item(key).ok().flatten()
}

/// The value stored under `key`, if there is one this version can read.
pub(crate) fn read<T: DeserializeOwned>(key: &str) -> Option<T> {
    serde_json::from_str(&raw(key)?).ok()
}

/// Stores a value serialised by the caller (so that only the serialisation is generic,
/// and the write is in the WASM once).
pub(crate) fn write(key: &str, json: serde_json::Result<String>) -> Result<(), StorageFailure> {
    if WRITER_ELSEWHERE.with(|w| w.get()) {
        return Err(StorageFailure::Elsewhere);
    }
    let json = json.map_err(|_| StorageFailure::Other("JSON".into()))?;
    LocalStorage::raw().set_item(key, &json).map_err(|e| {
        let name = js_sys::Reflect::get(&e, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default();
        if name.to_ascii_lowercase().contains("quota") { StorageFailure::Full } else { StorageFailure::Other(name) }
    })
}

/// How this phone is enrolled, if it is.
pub fn load_enrolment() -> Option<Enrolment> {
    read(ENROLMENT)
}

/// True when a `storage` event from another tab concerns the enrolment.
pub fn is_enrolment_key(key: Option<String>) -> bool {
    key.as_deref() == Some(ENROLMENT)
}

fn save_enrolment(enrolment: &Enrolment) -> Result<(), StorageFailure> {
    write(ENROLMENT, serde_json::to_string(enrolment))
}

/// Keeps the profile `GET /me` answered, for the next start, if it is the enrolled
/// device's and changed (an unchanged write would wake the other tabs for nothing).
pub fn keep_profile(profile: Profile) {
    if let Some(mut enrolment) = load_enrolment().filter(|e| e.device == profile.device && e.profile != profile) {
        enrolment.profile = profile;
        let _ = save_enrolment(&enrolment);
    }
}

/// The day the profile was last asked for (`GET /me`), if it was.
pub fn profile_day() -> Option<String> {
    raw(PROFILE_DAY)
}

/// Notes that the profile was asked for on `day`.
pub fn keep_profile_day(day: String) {
    let _ = LocalStorage::raw().set_item(PROFILE_DAY, &day);
}

/// Takes on a new enrolment with its ledger (new, a successor's, or a restored backup's).
/// A ledger already stored is kept aside under its own key if it holds entries (or
/// cannot be read), never deleted; the last reports, of another scope, are dropped.
pub fn take_over(enrolment: &Enrolment, ledger: Ledger) -> Result<Ledger, StorageFailure> {
    if let Some(stored) = raw(LEDGER) {
        match Ledger::read(&stored) {
            Ok(old) if old.entries().is_empty() => {}
            Ok(old) => keep_aside(&format!("{LEDGER}.{}", old.device), &stored)?,
            Err(_) => keep_aside(&format!("{LEDGER}.unreadable"), &stored)?,
        }
    }
    save_ledger(&ledger)?;
    save_enrolment(enrolment)?;
    LocalStorage::delete(AREA_REPORT);
    LocalStorage::delete(WARD_REPORT);
    Ok(ledger)
}

/// Copies a stored ledger, as stored, to `{prefix}.{now}`.
fn keep_aside(prefix: &str, stored: &str) -> Result<(), StorageFailure> {
    write(&format!("{prefix}.{}", crate::clock::now_ms()), Ok(stored.to_string()))
}

/// The stored ledger: none, or one this version could not read. Another tab of the app
/// may have written it since this one read it, so every change starts from here.
pub fn load_ledger() -> Result<Option<Ledger>, LedgerUnreadable> {
    raw(LEDGER).map(|text| Ledger::read(&text)).transpose()
}

/// The ledger of the enrolled `device`. No ledger is made up here: if it is missing or
/// another device's, the phone must enrol again (under a new id).
pub fn load_ledger_of(device: &DeviceId) -> Result<Ledger, StorageFailure> {
    match load_ledger() {
        Ok(Some(ledger)) if &ledger.device == device => Ok(ledger),
        Ok(_) => Err(StorageFailure::LedgerLost),
        Err(unreadable) => Err(StorageFailure::Unreadable(unreadable)),
    }
}

/// True when a `storage` event from another tab concerns the ledger.
pub fn is_ledger_key(key: Option<String>) -> bool {
    key.as_deref() == Some(LEDGER)
}

pub fn save_ledger(ledger: &Ledger) -> Result<(), StorageFailure> {
    write(LEDGER, serde_json::to_string(ledger))
}

/// A report as last fetched, and when (hh:mm).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cached<T> {
    pub value: T,
    pub fetched_at: String,
}

/// The last snapshot of the area.
pub fn load_area_snapshot() -> Option<Cached<AreaSnapshot>> {
    read(AREA_REPORT)
}

/// The catalogue of the phone's province, as last fetched.
pub fn load_catalogue() -> Option<Catalogue> {
    read(CATALOGUE)
}

/// Keeps the province's catalogue as the server wrote it (so the entry page carries no
/// code to write one), once it reads as a catalogue; if storage is full, the next sync
/// fetches it again. The version kept, if any.
pub fn save_catalogue(json: String) -> Option<String> {
    let version = serde_json::from_str::<Catalogue>(&json).ok()?.version;
    write(CATALOGUE, Ok(json)).ok()?;
    Some(version)
}

/// The last report of the area's ward.
pub fn load_ward_report() -> Option<Cached<Report>> {
    read(WARD_REPORT)
}

/// Keeps a fetched report; a cache, so if storage is full the next fetch fills it again.
pub fn save_area_snapshot(cached: &Cached<AreaSnapshot>) {
    let _ = write(AREA_REPORT, serde_json::to_string(cached));
}

pub fn save_ward_report(cached: &Cached<Report>) {
    let _ = write(WARD_REPORT, serde_json::to_string(cached));
}

/// When the volunteer last exported a backup (ms), as the "Máy này" page records it.
pub fn last_backup_ms() -> Option<u64> {
    raw("sotay.v1.last_backup")?.parse().ok()
}

/// Records when the volunteer exported a backup (ms), for [`last_backup_ms`]. A reminder
/// only: if storage is full, the next export records it.
pub fn note_backup(at_ms: u64) {
    let _ = write("sotay.v1.last_backup", Ok(at_ms.to_string()));
}

/// What the browser holds for the app and may hold (the Storage API's estimate, caches
/// included), and whether it keeps it when the phone runs short of space.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Room {
    pub used: u64,
    pub quota: u64,
    pub persisted: bool,
}

/// The browser's [`Room`]; `None` where the Storage API is missing.
pub async fn room() -> Option<Room> {
    let manager = web_sys::window()?.navigator().storage();
    let estimate = wasm_bindgen_futures::JsFuture::from(manager.estimate().ok()?).await.ok()?;
    let number = |name: &str| js_sys::Reflect::get(&estimate, &name.into()).ok()?.as_f64().map(|n| n as u64);
    let persisted = wasm_bindgen_futures::JsFuture::from(manager.persisted().ok()?).await.ok()?;
    Some(Room { used: number("usage")?, quota: number("quota")?, persisted: persisted.is_truthy() })
}
