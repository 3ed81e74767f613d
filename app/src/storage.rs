//! Browser storage (gloo-storage, `localStorage`): the ledger, the chosen area and the
//! last reports. An entry counts as saved only once `save_ledger` returned `Ok`.

use domain::{AreaSnapshot, DeviceId, Ledger, Report, UnitId};
use gloo_storage::{LocalStorage, Storage};
use serde::{Deserialize, Serialize};

const LEDGER: &str = "sotay.v1.ledger";
const AREA: &str = "sotay.v1.area";
const AREA_REPORT: &str = "sotay.v1.area_snapshot";
const WARD_REPORT: &str = "sotay.v1.ward_report";

/// Why something could not be kept on the phone.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StorageFailure {
    #[error("Bộ nhớ của trình duyệt đã đầy: chưa lưu được. Hãy đồng bộ hoặc xuất bản sao lưu rồi xóa bớt dữ liệu cũ.")]
    Full,
    #[error("Không ghi được vào bộ nhớ của trình duyệt ({0}).")]
    Other(String),
}

fn failure(e: gloo_storage::errors::StorageError) -> StorageFailure {
    let text = e.to_string();
    if text.contains("Quota") || text.contains("quota") { StorageFailure::Full } else { StorageFailure::Other(text) }
}

/// The stored ledger, if there is one. Another tab of the app may have written it since
/// this one read it, so every change starts from here.
pub fn load_ledger() -> Option<Ledger> {
    LocalStorage::get::<Ledger>(LEDGER).ok()
}

/// The stored ledger, or a new one under a fresh device id (stored at once). A stored
/// ledger this version cannot read is kept aside under its own key, never overwritten;
/// the new device id keeps the server's counts exact.
pub fn load_or_create_ledger() -> Result<Ledger, StorageFailure> {
    match LocalStorage::get::<Ledger>(LEDGER) {
        Ok(ledger) => return Ok(ledger),
        Err(gloo_storage::errors::StorageError::KeyNotFound(_)) => {}
        Err(_) => {
            let raw = LocalStorage::raw().get_item(LEDGER).ok().flatten().unwrap_or_default();
            let aside = format!("{LEDGER}.unreadable.{}", crate::clock::now_ms());
            LocalStorage::raw().set_item(&aside, &raw).map_err(|_| StorageFailure::Full)?;
        }
    }
    let ledger = Ledger::new(new_device_id());
    save_ledger(&ledger)?;
    Ok(ledger)
}

/// True when a `storage` event from another tab concerns the ledger.
pub fn is_ledger_key(key: Option<String>) -> bool {
    key.as_deref() == Some(LEDGER)
}

pub fn save_ledger(ledger: &Ledger) -> Result<(), StorageFailure> {
    LocalStorage::set(LEDGER, ledger).map_err(failure)
}

fn new_device_id() -> DeviceId {
    let mut bytes = [0u8; 12];
    let crypto = web_sys::window().and_then(|w| w.crypto().ok());
    if let Some(crypto) = crypto {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    DeviceId::new(format!("d-{hex}")).expect("hex is a valid id")
}

pub fn load_area() -> Option<UnitId> {
    LocalStorage::get(AREA).ok()
}

pub fn save_area(area: &UnitId) -> Result<(), StorageFailure> {
    LocalStorage::set(AREA, area).map_err(failure)
}

/// A report as last fetched, and when (hh:mm).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cached<T> {
    pub value: T,
    pub fetched_at: String,
}

/// The last snapshot of the chosen area.
pub fn load_area_snapshot() -> Option<Cached<AreaSnapshot>> {
    LocalStorage::get(AREA_REPORT).ok()
}

/// The last report of the area's ward.
pub fn load_ward_report() -> Option<Cached<Report>> {
    LocalStorage::get(WARD_REPORT).ok()
}

/// Keeps a fetched report; a cache, so if storage is full the next fetch fills it again.
pub fn save_area_snapshot(cached: &Cached<AreaSnapshot>) {
    let _ = LocalStorage::set(AREA_REPORT, cached);
}

pub fn save_ward_report(cached: &Cached<Report>) {
    let _ = LocalStorage::set(WARD_REPORT, cached);
}
