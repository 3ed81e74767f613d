//! Calendar months and years that tally cells are kept in, dates of entries, and report periods.
//!
//! Cells are kept per calendar month (counters, levels) or per year (flags), so every
//! report period — year, half-year, 9 months, quarter, month, range of years — is an
//! exact union of cells.

use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Earliest and latest year the app accepts.
pub const YEARS: std::ops::RangeInclusive<u16> = 2000..=2100;

fn year(raw: &str, whole: &str) -> Result<u16, DomainError> {
    let y: u16 = raw.parse().map_err(|_| DomainError::InvalidPeriod(whole.into()))?;
    if raw.len() == 4 && YEARS.contains(&y) { Ok(y) } else { Err(DomainError::InvalidPeriod(whole.into())) }
}

fn number_in(raw: &str, range: std::ops::RangeInclusive<u8>, whole: &str) -> Result<u8, DomainError> {
    let n: u8 = raw.parse().map_err(|_| DomainError::InvalidPeriod(whole.into()))?;
    let digits = raw.bytes().all(|b| b.is_ascii_digit()) && raw.len() <= 2;
    if range.contains(&n) && digits { Ok(n) } else { Err(DomainError::InvalidPeriod(whole.into())) }
}

/// Tháng — a calendar month, written `2025-11`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Month {
    year: u16,
    month: u8,
}

impl Month {
    pub fn new(year: u16, month: u8) -> Result<Self, DomainError> {
        if YEARS.contains(&year) && (1..=12).contains(&month) {
            Ok(Self { year, month })
        } else {
            Err(DomainError::InvalidPeriod(format!("{year}-{month:02}")))
        }
    }
    pub fn year(self) -> u16 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        let (y, m) = s.split_once('-').ok_or_else(|| DomainError::InvalidPeriod(s.into()))?;
        Month::new(year(y, s)?, number_in(m, 1..=12, s)?)
    }
}

impl TryFrom<String> for Month {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        s.parse()
    }
}

impl From<Month> for String {
    fn from(m: Month) -> String {
        m.to_string()
    }
}

/// The span one register cell covers: a month for levels, a year for flags.
/// Written `2025-11` or `2025`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Bucket {
    Year(u16),
    Month(Month),
}

impl Bucket {
    /// The bucket's month, or January of its year.
    pub fn first_month(self) -> Month {
        match self {
            Bucket::Year(y) => Month { year: y, month: 1 },
            Bucket::Month(m) => m,
        }
    }

    pub fn year(self) -> u16 {
        match self {
            Bucket::Year(y) => y,
            Bucket::Month(m) => m.year(),
        }
    }
}

impl fmt::Display for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bucket::Year(y) => write!(f, "{y}"),
            Bucket::Month(m) => m.fmt(f),
        }
    }
}

impl FromStr for Bucket {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        if s.contains('-') { Ok(Bucket::Month(s.parse()?)) } else { Ok(Bucket::Year(year(s, s)?)) }
    }
}

impl TryFrom<String> for Bucket {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        s.parse()
    }
}

impl From<Bucket> for String {
    fn from(b: Bucket) -> String {
        b.to_string()
    }
}

/// Ngày — a calendar date; parsed from `2025-11-18` (an HTML date input), shown as `18/11/2025`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    month: Month,
    day: u8,
}

impl Date {
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, DomainError> {
        let m = Month::new(year, month)?;
        let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if (1..=days).contains(&day) {
            Ok(Self { month: m, day })
        } else {
            Err(DomainError::InvalidPeriod(format!("{year}-{month:02}-{day:02}")))
        }
    }
    pub fn month(self) -> Month {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }
    /// Reads a date typed day first, whatever the phone's language: `5/11/2026`,
    /// `05/11/2026`, or with `-`, `.` or `,` between (what a number pad offers).
    pub fn from_vietnamese(text: &str) -> Result<Date, DomainError> {
        let typed = text.trim();
        let mut parts = typed.split(['/', '-', '.', ',']).map(str::trim);
        let mut read = || -> Result<Date, DomainError> {
            let (Some(d), Some(m), Some(y), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
                return Err(DomainError::InvalidPeriod(String::new()));
            };
            Date::new(year(y, typed)?, number_in(m, 1..=12, typed)?, number_in(d, 1..=31, typed)?)
        };
        read().map_err(|_| DomainError::MalformedDate(typed.chars().take(20).collect()))
    }
    /// `dd/mm/yyyy`, as Vietnamese tables write dates.
    pub fn to_vietnamese(self) -> String {
        format!("{:02}/{:02}/{}", self.day, self.month.month(), self.month.year())
    }

    /// The first day of `month`.
    pub fn first_of(month: Month) -> Date {
        Date { month, day: 1 }
    }

    /// Days since 1/1/1970 (the proleptic Gregorian calendar).
    pub fn days(self) -> i64 {
        let (y, m, d) = (i64::from(self.month.year()), i64::from(self.month.month()), i64::from(self.day));
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let year_of_era = y - era * 400;
        let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The day `days` after 1/1/1970, clamped to the years kept ([`YEARS`]).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z - era * 146_097;
        let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        let (first, last) = (i64::from(*YEARS.start()), i64::from(*YEARS.end()));
        let (year, month, day) = match year {
            y if y < first => (first, 1, 1),
            y if y > last => (last, 12, 31),
            y => (y, month, day),
        };
        Date { month: Month { year: year as u16, month }, day }
    }

    /// The day before (the first day kept has none before it: itself).
    pub fn previous(self) -> Date {
        Date::from_days(self.days() - 1)
    }

    /// The date in Vietnam (UTC+7, no daylight saving) at `now_ms` after 1970.
    pub fn in_vietnam(now_ms: u64) -> Date {
        const VIETNAM_MS: u64 = 7 * 3_600_000;
        Date::from_days(((now_ms + VIETNAM_MS) / 86_400_000) as i64)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        let mut parts = s.splitn(3, '-');
        let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(DomainError::InvalidPeriod(s.into()));
        };
        Date::new(year(y, s)?, number_in(m, 1..=12, s)?, number_in(d, 1..=31, s)?)
    }
}

impl TryFrom<String> for Date {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        s.parse()
    }
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        d.to_string()
    }
}

/// Kỳ báo cáo — a report period: an inclusive span of months.
///
/// Written `2025` (year), `2025-H1` / `2025-H2` (6 tháng), `2025-9M` (9 tháng),
/// `2025-Q3` (quý), `2025-11` (tháng) or `2021..2025` (giai đoạn).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReportPeriod {
    first: Month,
    last: Month,
    label: PeriodLabel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PeriodLabel {
    Year,
    Half(u8),
    NineMonths,
    Quarter(u8),
    Month,
    Years,
}

impl ReportPeriod {
    pub fn year(y: u16) -> Result<Self, DomainError> {
        Ok(Self { first: Month::new(y, 1)?, last: Month::new(y, 12)?, label: PeriodLabel::Year })
    }
    pub fn first(self) -> Month {
        self.first
    }
    pub fn last(self) -> Month {
        self.last
    }
    pub fn contains(self, m: Month) -> bool {
        self.first <= m && m <= self.last
    }
    /// The same period a year earlier ("cùng kỳ năm trước"), if its year is kept; a
    /// range of years has none (a year earlier it would overlap itself).
    pub fn year_before(self) -> Option<Self> {
        if self.label == PeriodLabel::Years {
            return None;
        }
        let back = |m: Month| Month::new(m.year.checked_sub(1)?, m.month).ok();
        Some(Self { first: back(self.first)?, last: back(self.last)?, label: self.label })
    }
    /// Its first day.
    pub fn first_day(self) -> Date {
        Date::first_of(self.first)
    }
    /// Its last day.
    pub fn last_day(self) -> Date {
        let next = if self.last.month == 12 { (self.last.year + 1, 1) } else { (self.last.year, self.last.month + 1) };
        Date::from_days(Date::first_of(Month { year: next.0, month: next.1 }).days() - 1)
    }
    /// Years whose flags the period counts.
    pub fn years(self) -> std::ops::RangeInclusive<u16> {
        self.first.year()..=self.last.year()
    }
    /// The Vietnamese name of the period, as a report heading writes it.
    pub fn to_vietnamese(self) -> String {
        let y = self.first.year();
        match self.label {
            PeriodLabel::Year => format!("Năm {y}"),
            PeriodLabel::Half(1) => format!("6 tháng đầu năm {y}"),
            PeriodLabel::Half(_) => format!("6 tháng cuối năm {y}"),
            PeriodLabel::NineMonths => format!("9 tháng năm {y}"),
            PeriodLabel::Quarter(q) => format!("Quý {} năm {y}", ["I", "II", "III", "IV"][usize::from(q - 1)]),
            PeriodLabel::Month => format!("Tháng {}/{y}", self.first.month()),
            PeriodLabel::Years => format!("Giai đoạn {y}–{}", self.last.year()),
        }
    }
}

impl FromStr for ReportPeriod {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        let span = |first: (u16, u8), last: (u16, u8), label| -> Result<Self, DomainError> {
            Ok(Self { first: Month::new(first.0, first.1)?, last: Month::new(last.0, last.1)?, label })
        };
        if let Some((a, b)) = s.split_once("..") {
            let (a, b) = (year(a, s)?, year(b, s)?);
            if a > b {
                return Err(DomainError::InvalidPeriod(s.into()));
            }
            return span((a, 1), (b, 12), PeriodLabel::Years);
        }
        let Some((y, rest)) = s.split_once('-') else {
            return ReportPeriod::year(year(s, s)?);
        };
        let y = year(y, s)?;
        match rest {
            "H1" => span((y, 1), (y, 6), PeriodLabel::Half(1)),
            "H2" => span((y, 7), (y, 12), PeriodLabel::Half(2)),
            "9M" => span((y, 1), (y, 9), PeriodLabel::NineMonths),
            q if q.starts_with('Q') => {
                let q = number_in(&q[1..], 1..=4, s)?;
                span((y, q * 3 - 2), (y, q * 3), PeriodLabel::Quarter(q))
            }
            m => {
                let m = number_in(m, 1..=12, s)?;
                span((y, m), (y, m), PeriodLabel::Month)
            }
        }
    }
}

impl fmt::Display for ReportPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let y = self.first.year();
        match self.label {
            PeriodLabel::Year => write!(f, "{y}"),
            PeriodLabel::Half(h) => write!(f, "{y}-H{h}"),
            PeriodLabel::NineMonths => write!(f, "{y}-9M"),
            PeriodLabel::Quarter(q) => write!(f, "{y}-Q{q}"),
            PeriodLabel::Month => write!(f, "{}", self.first),
            PeriodLabel::Years => write!(f, "{y}..{}", self.last.year()),
        }
    }
}

impl TryFrom<String> for ReportPeriod {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        s.parse()
    }
}

impl From<ReportPeriod> for String {
    fn from(p: ReportPeriod) -> String {
        p.to_string()
    }
}

/// The written forms as patterns, for the API description: exactly what parses.
#[cfg(feature = "openapi")]
pub mod pattern {
    /// A month: `2025-11` (`2025-1` is read too).
    pub const MONTH: &str = "^(20[0-9]{2}|2100)-(0?[1-9]|1[0-2])$";
    /// A bucket: a month, or a year `2025`.
    pub const BUCKET: &str = "^(20[0-9]{2}|2100)(-(0?[1-9]|1[0-2]))?$";
    /// A report period: `2025`, `2025-H1`, `2025-9M`, `2025-Q3`, `2025-11` or `2021..2025`
    /// (a range runs forward).
    pub const REPORT_PERIOD: &str = "^(20[0-9]{2}|2100)(-(H[12]|9M|Q0?[1-4]|0?[1-9]|1[0-2])|\\.\\.(20[0-9]{2}|2100))?$";
}

#[cfg(feature = "openapi")]
macro_rules! written_schema {
    ($name:ident, $pattern:expr, $example:literal, $description:literal) => {
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
                ObjectBuilder::new()
                    .schema_type(SchemaType::new(Type::String))
                    .description(Some($description))
                    .pattern(Some($pattern))
                    .examples([$example])
                    .into()
            }
        }
        impl utoipa::ToSchema for $name {}
    };
}

#[cfg(feature = "openapi")]
written_schema!(Month, pattern::MONTH, "2025-11", "Tháng — a calendar month, `yyyy-mm`.");
#[cfg(feature = "openapi")]
written_schema!(Bucket, pattern::BUCKET, "2025", "A register's span: `yyyy-mm` for a level, `yyyy` for a flag.");
#[cfg(feature = "openapi")]
written_schema!(
    ReportPeriod,
    pattern::REPORT_PERIOD,
    "2025",
    "Kỳ báo cáo — `2025`, `2025-H1`, `2025-9M`, `2025-Q3`, `2025-11` or `2021..2025`."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_since_1970_go_both_ways() {
        let d = |y, m, day| Date::new(y, m, day).unwrap();
        assert_eq!(d(2000, 1, 1).days(), 10_957);
        assert_eq!(d(2025, 7, 1).days(), 20_270);
        for days in [10_957, 11_016, 11_017, 11_323, 20_269, 20_270, 47_481] {
            assert_eq!(Date::from_days(days).days(), days);
        }
        assert_eq!(d(2025, 7, 1).previous(), d(2025, 6, 30));
        assert_eq!(d(2024, 3, 1).previous(), d(2024, 2, 29));
        assert_eq!(Date::from_days(-5), d(2000, 1, 1), "clamped to the years kept");
        // 17:00 UTC on 30/6/2025 is midnight in Vietnam.
        assert_eq!(Date::in_vietnam(1_751_302_800_000), d(2025, 7, 1));
        assert_eq!(Date::in_vietnam(1_751_302_799_999), d(2025, 6, 30));
    }

    #[test]
    fn only_ascii_digits_make_a_number() {
        for bad in ["2025-+1", "2025-Q+1", "2025- 1", "+202"] {
            assert!(bad.parse::<ReportPeriod>().is_err(), "{bad}");
        }
        assert!("2025-1".parse::<Month>().is_ok());
    }

    #[test]
    fn impossible_periods_are_refused() {
        for bad in ["2025-13", "2025-00", "1800", "2025-Q5", "2025-02-30", "2026..2025", "20x5", "2025-H3"] {
            assert!(bad.parse::<ReportPeriod>().is_err() || bad.parse::<Date>().is_err(), "{bad}");
        }
        assert!("2025-02-30".parse::<Date>().is_err());
        assert!("2024-02-29".parse::<Date>().is_ok());
        assert!("2025-13".parse::<Month>().is_err());
    }

    #[test]
    fn periods_cover_the_right_months() {
        let q3: ReportPeriod = "2025-Q3".parse().unwrap();
        assert_eq!((q3.first().to_string(), q3.last().to_string()), ("2025-07".into(), "2025-09".into()));
        assert_eq!(q3.to_vietnamese(), "Quý III năm 2025");
        let range: ReportPeriod = "2021..2025".parse().unwrap();
        assert_eq!(range.years(), 2021..=2025);
        assert_eq!(range.to_string(), "2021..2025");
        assert_eq!("2025-H1".parse::<ReportPeriod>().unwrap().to_vietnamese(), "6 tháng đầu năm 2025");
    }

    #[test]
    fn dates_show_as_day_month_year() {
        assert_eq!("2025-11-18".parse::<Date>().unwrap().to_vietnamese(), "18/11/2025");
        assert_eq!("2025".parse::<Bucket>().unwrap(), Bucket::Year(2025));
    }

    #[test]
    fn dates_are_typed_day_first() {
        let read = Date::from_vietnamese;
        for (typed, iso) in [
            ("01/12/2026", "2026-12-01"),
            ("1/12/2026", "2026-12-01"),
            (" 5/11/2026 ", "2026-11-05"),
            ("5-11-2026", "2026-11-05"),
            ("5.11.2026", "2026-11-05"),
            ("29/02/2024", "2024-02-29"),
        ] {
            assert_eq!(read(typed).unwrap().to_string(), iso, "{typed}");
        }
        let empty = read(" ").unwrap_err().message_vi();
        assert_eq!(empty, "Chưa có ngày ghi: hãy viết ngày/tháng/năm, ví dụ 05/11/2026 hoặc 05.11.2026.");
        // Never guessed: month first, two-digit years, impossible days, words.
        for bad in
            ["12/01/2026x", "2026-12-01", "1/12/26", "31/11/2026", "29/02/2025", "", "hôm nay", "1/13/2026", "1//2026"]
        {
            let error = read(bad).unwrap_err();
            assert_eq!(error.code(), "invalid_period", "{bad}");
            assert!(error.message_vi().contains("ngày/tháng/năm"), "{bad}: {}", error.message_vi());
        }
    }
}
