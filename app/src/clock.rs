//! The browser's clock: milliseconds for the hybrid logical clock, today's date, hh:mm,
//! and moments the server reports as `dd/mm/yyyy hh:mm`.

use domain::Date;

pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// Today in the phone's time zone.
pub fn today() -> Date {
    let now = js_sys::Date::new_0();
    Date::new(now.get_full_year() as u16, now.get_month() as u8 + 1, now.get_date() as u8)
        .unwrap_or_else(|_| "2025-01-01".parse().expect("valid date"))
}

/// The time of day as `hh:mm`.
pub fn hh_mm() -> String {
    let now = js_sys::Date::new_0();
    format!("{:02}:{:02}", now.get_hours(), now.get_minutes())
}

/// A moment as `dd/mm/yyyy hh:mm`, in the phone's time zone.
pub fn date_time(ms: u64) -> String {
    let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:02}/{:02}/{} {:02}:{:02}",
        at.get_date(),
        at.get_month() + 1,
        at.get_full_year(),
        at.get_hours(),
        at.get_minutes()
    )
}
