//! The browser's clock: milliseconds for the hybrid logical clock, today's date, hh:mm.

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
