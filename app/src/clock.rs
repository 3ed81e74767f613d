//! The browser's clock: milliseconds for the hybrid logical clock, today's date, hh:mm,
//! and moments the server reports as `dd/mm/yyyy hh:mm`.

use domain::Date;

pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// Today in the phone's time zone. A phone clock outside the years the app keeps
/// (2000–2100) gives the first or last day of that range, never a date in between; the
/// sync bar says the clock is wrong, and [`entry_date_problem`] refuses future dates.
pub fn today() -> Date {
    day_of(now_ms())
}

/// The day of the moment `ms` in the phone's time zone (clamped to the years kept).
pub fn day_of(ms: u64) -> Date {
    let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    let year = (at.get_full_year() as u16).clamp(*domain::YEARS.start(), *domain::YEARS.end());
    // No `expect` on the `Result`: its error's `Debug` would be in the WASM.
    match Date::new(year, at.get_month() as u8 + 1, at.get_date() as u8).or_else(|_| Date::new(year, 1, 1)) {
        Ok(day) => day,
        Err(_) => panic!("the first day of a year kept"),
    }
}

/// Why an entry may not carry the date `day`, when today is `today` (by the server's
/// clock when known): a date that has not come yet is refused, never moved.
pub fn entry_date_problem(day: Date, today: Date) -> Option<String> {
    (day > today).then(|| {
        format!(
            "Ngày {} chưa tới (hôm nay là {}). Hãy chọn đúng ngày, hoặc chỉnh lại ngày giờ của điện thoại.",
            day.to_vietnamese(),
            today.to_vietnamese()
        )
    })
}

/// The time of day as `hh:mm`.
pub fn hh_mm() -> String {
    let now = js_sys::Date::new_0();
    format!("{:02}:{:02}", now.get_hours(), now.get_minutes())
}

/// When figures were fetched, as kept with them: `14:34 01/12/2026`.
pub fn stamp() -> String {
    format!("{} {}", hh_mm(), today().to_vietnamese())
}

/// A [`stamp`] as a screen shows it: `14:34` today, `14:34 ngày 30/11/2026` another day
/// (a stamp kept before stamps had a date shows as it is).
pub fn shown(stamp: &str) -> String {
    match stamp.split_once(' ') {
        Some((time, day)) if day == today().to_vietnamese() => time.to_string(),
        Some((time, day)) => format!("{time} ngày {day}"),
        None => stamp.to_string(),
    }
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
