//! Vietnamese number formats: `8.111`, `2,5`, `640.000.000 đồng`, `178/190 (93,7%)`,
//! and parsing what a volunteer types.

use crate::{DomainError, Figure, Indicator, MAX_AMOUNT, ReportPeriod};

/// Groups thousands with dots: `1234567` → `1.234.567`.
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Like [`group`], with a leading minus for negative amounts.
pub fn signed(n: i64) -> String {
    if n < 0 { format!("-{}", group(n.unsigned_abs())) } else { group(n.unsigned_abs()) }
}

/// A share in percent with one decimal and a decimal comma, rounded half up: `93,7%`.
pub fn percent(numerator: i64, denominator: i64) -> Option<String> {
    if denominator <= 0 || numerator < 0 {
        return None;
    }
    let (n, d) = (i128::from(numerator), i128::from(denominator));
    let tenths = (n * 2000 + d) / (2 * d);
    Some(format!("{},{}%", group(u64::try_from(tenths / 10).ok()?), tenths % 10))
}

/// A ratio as reports write it: `178/190 (93,7%)`.
pub fn ratio(numerator: i64, denominator: i64) -> String {
    match percent(numerator, denominator) {
        Some(p) => format!("{}/{} ({p})", signed(numerator), signed(denominator)),
        None => format!("{}/{}", signed(numerator), signed(denominator)),
    }
}

/// Héc-ta: land a province reports in hectares is kept in whole m² (a base unit, so
/// amounts stay integers) and shown and typed in ha.
pub const HECTARE: &str = "ha";
/// m² in a hectare.
pub const M2_PER_HECTARE: i64 = 10_000;

/// An amount as a number of its unit of measure: `8.111`; hectares from m² with up to
/// four decimals, `1,25`.
pub fn in_unit(n: i64, unit: &str) -> String {
    if unit != HECTARE {
        return signed(n);
    }
    let (whole, part) = (n.unsigned_abs() / 10_000, n.unsigned_abs() % 10_000);
    let sign = if n < 0 { "-" } else { "" };
    let part = format!("{part:04}");
    let part = part.trim_end_matches('0');
    if part.is_empty() { format!("{sign}{}", group(whole)) } else { format!("{sign}{},{part}", group(whole)) }
}

/// The amount as a spreadsheet's number cell holds it: hectares from m².
pub fn shown(n: i64, unit: &str) -> f64 {
    if unit == HECTARE { n as f64 / M2_PER_HECTARE as f64 } else { n as f64 }
}

/// An amount with its unit of measure: `8.111 m²`, `640.000.000 đồng`, `1,25 ha`.
pub fn amount(n: i64, unit: &str) -> String {
    format!("{} {unit}", in_unit(n, unit))
}

/// Money as reports word it: "640 triệu đồng", "12,5 triệu đồng", "1,25 tỷ đồng"; in
/// full when the short form would round ("12.345.678 đồng": never 12,35 triệu, nor 12
/// triệu for 12,5), and below a million as it is ("950.000 đồng").
pub fn money(dong: i64) -> String {
    let n = u128::from(dong.unsigned_abs());
    let sign = if dong < 0 { "-" } else { "" };
    for (scale, word) in [(1_000_000_000u128, "tỷ"), (1_000_000, "triệu")] {
        if n >= scale && (n * 100).is_multiple_of(scale) {
            let hundredths = n * 100 / scale;
            let whole = group(u64::try_from(hundredths / 100).unwrap_or(u64::MAX));
            let decimals = format!("{:02}", hundredths % 100);
            let decimals = decimals.trim_end_matches('0');
            let comma = if decimals.is_empty() { String::new() } else { format!(",{decimals}") };
            return format!("{sign}{whole}{comma} {word} đồng");
        }
    }
    format!("{} đồng", signed(dong))
}

/// An amount as a printed report words it: money by [`money`], the rest by [`amount`].
pub fn worded(n: i64, unit: &str) -> String {
    if unit == "đồng" { money(n) } else { amount(n, unit) }
}

/// A size in bytes with one decimal at most, as "Máy này" shows storage: `850 KB`,
/// `1,2 MB`, `2,3 GB` (powers of 1.024, rounded half up).
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut unit = 0;
    let mut scale = 1u128;
    while unit + 1 < UNITS.len() && u128::from(n) >= scale * 1024 {
        unit += 1;
        scale *= 1024;
    }
    let tenths = (u128::from(n) * 20 + scale) / (2 * scale);
    let whole = u64::try_from(tenths / 10).unwrap_or(u64::MAX);
    match (unit, tenths % 10) {
        (0, _) | (_, 0) => format!("{} {}", group(whole), UNITS[unit]),
        (_, tenth) => format!("{},{tenth} {}", group(whole), UNITS[unit]),
    }
}

/// A figure as the report shows it for `period`. A level no area has stated, a flag no
/// area has answered and a ratio over nothing say so instead of showing a 0; a flag of
/// several areas reads "n có / m đã trả lời / tổng k khu dân cư" (over several years,
/// lượt).
pub fn figure(indicator: &Indicator, figure: &Figure, period: ReportPeriod) -> String {
    const NO_DATA: &str = "Chưa có số liệu";
    match *figure {
        Figure::Counter { total } => amount(total, &indicator.unit),
        Figure::Level { reporting: 0, .. } => NO_DATA.into(),
        Figure::Level { total, reporting, areas } => {
            let total = amount(i64::try_from(total).unwrap_or(i64::MAX), &indicator.unit);
            if reporting < areas { format!("{total} ({reporting}/{areas} khu dân cư đã báo)") } else { total }
        }
        Figure::Flag { answered: 0, .. } => "Chưa trả lời".into(),
        Figure::Flag { yes, of: 1, .. } => if yes > 0 { "Có" } else { "Không" }.into(),
        Figure::Flag { yes, answered, of } => {
            let areas = if period.years().count() > 1 { "lượt khu dân cư" } else { "khu dân cư" };
            format!(
                "{} có / {} đã trả lời / tổng {} {areas}",
                group(yes.into()),
                group(answered.into()),
                group(of.into())
            )
        }
        Figure::Ratio { denominator: 0, .. } => "Chưa đủ số liệu".into(),
        Figure::Ratio { numerator, denominator } => ratio(numerator, denominator),
    }
}

/// The typed amount with its sign turned: `20` → `-20`, `-20` or `−20` → `20`, `+20` →
/// `-20`. For the number pads that have no minus key.
pub fn toggle_sign(text: &str) -> String {
    let typed = text.trim();
    match typed.strip_prefix(['-', '−']) {
        Some(rest) => rest.trim_start().to_string(),
        None => format!("-{}", typed.strip_prefix('+').unwrap_or(typed).trim_start()),
    }
}

/// Why a typed amount was not read. Nothing of such a text is guessed: `10.5` is neither
/// 105 nor 10.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountProblem {
    /// Nothing typed.
    Empty,
    /// A sign and no digits: `-`.
    NoDigits,
    /// A character that is neither a digit, a sign, a dot, a comma nor a space: `1e5`.
    NotANumber,
    /// A dot that looks like a decimal point: `10.5`, `1.00`, `0.500`, `.100`.
    DecimalDot,
    /// A comma, the Vietnamese decimal separator: `2,5`, `1.000,5`.
    DecimalComma,
    /// Dots in the wrong places: `1..000`, `100.`, `1.0000`, `1000.000`.
    DotGrouping,
    /// Spaces in the wrong places: `8 11`, `1  000`.
    SpaceGrouping,
    /// Dots and spaces in one number: `1.000 000`.
    MixedSeparators,
    /// A dot in hectares, read one way as a decimal point and the other as thousands:
    /// `1.125` ha.
    HectareDot,
}

/// Parses an amount typed by a volunteer: a whole number, plain (`8111`) or with its
/// thousands grouped by dots (`8.111`, `12.500.000`) or by spaces (`8 111`, also
/// non-breaking), one kind of separator per number, the first group of 1–3 digits and
/// every later group of exactly 3; an optional leading sign (`-`, `−`, `+`). Amounts are
/// whole numbers of the indicator's unit (metres, đồng, days): anything else is refused
/// with what was understood, and at most [`MAX_AMOUNT`] is accepted.
pub fn parse_amount(text: &str) -> Result<i64, DomainError> {
    parse_amount_in(text, "")
}

/// [`parse_amount`] of an amount of `unit`: hectares may have up to four decimals after a
/// comma (`1,25` ha), and come back in m².
pub fn parse_amount_in(text: &str, unit: &str) -> Result<i64, DomainError> {
    if unit == HECTARE {
        if text.contains('.') {
            let text = text.trim().chars().take(40).collect();
            return Err(DomainError::MalformedAmount { text, problem: AmountProblem::HectareDot });
        }
        let (whole, part) = text.trim().split_once(',').unwrap_or((text, ""));
        let m2 = parse_amount(whole)? * M2_PER_HECTARE;
        // Up to four decimals, each a tenth of the one before: 0,1 ha is 1.000 m².
        let (mut part_m2, mut scale) = (0, M2_PER_HECTARE);
        for digit in part.bytes() {
            scale /= 10;
            if scale == 0 || !digit.is_ascii_digit() {
                let text = text.trim().chars().take(40).collect();
                return Err(DomainError::MalformedAmount { text, problem: AmountProblem::NotANumber });
            }
            part_m2 += i64::from(digit - b'0') * scale;
        }
        let value = if whole.trim_start().starts_with(['-', '−']) { m2 - part_m2 } else { m2 + part_m2 };
        return if value.unsigned_abs() <= MAX_AMOUNT { Ok(value) } else { Err(DomainError::AmountTooLarge) };
    }
    let typed = text.trim();
    let refuse = |problem| {
        let mut shown: String = typed.chars().take(40).collect();
        if typed.chars().nth(40).is_some() {
            shown.push('…');
        }
        DomainError::MalformedAmount { text: shown, problem }
    };
    if typed.is_empty() {
        return Err(refuse(AmountProblem::Empty));
    }
    let (negative, number) = match typed.strip_prefix(['-', '−']) {
        Some(rest) => (true, rest.trim_start()),
        None => (false, typed.strip_prefix('+').map_or(typed, str::trim_start)),
    };
    if number.is_empty() {
        return Err(refuse(AmountProblem::NoDigits));
    }
    let is_space = |c: char| matches!(c, ' ' | '\u{a0}' | '\u{202f}');
    if !number.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',' || is_space(c)) {
        return Err(refuse(AmountProblem::NotANumber));
    }
    if number.contains(',') {
        return Err(refuse(AmountProblem::DecimalComma));
    }
    let (dots, spaces) = (number.contains('.'), number.contains(is_space));
    let groups: Vec<&str> = match (dots, spaces) {
        (true, true) => return Err(refuse(AmountProblem::MixedSeparators)),
        (true, false) => number.split('.').collect(),
        (false, true) => number.split(is_space).collect(),
        (false, false) => vec![number],
    };
    if let [first, rest @ ..] = groups.as_slice()
        && !rest.is_empty()
    {
        let well_grouped =
            (1..=3).contains(&first.len()) && !first.starts_with('0') && rest.iter().all(|g| g.len() == 3);
        if !well_grouped {
            let decimal_like =
                matches!(rest, [last] if (1..=2).contains(&last.len()) || first.bytes().all(|b| b == b'0'));
            return Err(refuse(match (dots, decimal_like) {
                (true, true) => AmountProblem::DecimalDot,
                (true, false) => AmountProblem::DotGrouping,
                _ => AmountProblem::SpaceGrouping,
            }));
        }
    }
    let digits = groups.concat();
    let value = match digits.trim_start_matches('0') {
        "" => 0,
        significant if significant.len() <= 14 => significant.parse::<u64>().unwrap_or(u64::MAX),
        _ => u64::MAX,
    };
    match i64::try_from(value) {
        Ok(value) if value.unsigned_abs() <= MAX_AMOUNT => Ok(if negative { -value } else { value }),
        _ => Err(DomainError::AmountTooLarge),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_the_vietnamese_way() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(1023), "1.023 B");
        assert_eq!(bytes(1024), "1 KB");
        assert_eq!(bytes(870_400), "850 KB");
        assert_eq!(bytes(1_258_291), "1,2 MB");
        assert_eq!(bytes(1_310_720), "1,3 MB", "1,25 rounds half up");
        assert_eq!(bytes(2_469_606_195), "2,3 GB");
        assert_eq!(bytes(u64::MAX), "16.777.216 TB");
    }

    #[test]
    fn numbers_read_the_vietnamese_way() {
        assert_eq!(group(8111), "8.111");
        assert_eq!(group(640_000_000), "640.000.000");
        assert_eq!(group(999), "999");
        assert_eq!(signed(-5379), "-5.379");
        assert_eq!(ratio(178, 190), "178/190 (93,7%)");
        assert_eq!(ratio(127, 127), "127/127 (100,0%)");
        assert_eq!(ratio(3, 0), "3/0");
        assert_eq!(amount(640_000_000, "đồng"), "640.000.000 đồng");
    }

    #[test]
    fn figures_say_what_nobody_stated() {
        let cat = crate::Catalogue::standard();
        let get = |id: &str| cat.get(&crate::IndicatorId::new(id).unwrap()).unwrap();
        let year = ReportPeriod::year(2025).unwrap();
        let years: ReportPeriod = "2021..2025".parse().unwrap();
        let (homes, festival) = (get("so_ho"), get("ngay_hoi_ddk"));
        let level = |total, reporting| Figure::Level { total, reporting, areas: 3 };
        assert_eq!(figure(homes, &level(0, 0), year), "Chưa có số liệu");
        assert_eq!(figure(homes, &level(0, 1), year), "0 hộ (1/3 khu dân cư đã báo)");
        assert_eq!(figure(homes, &level(1250, 3), year), "1.250 hộ");
        let flag = |yes, answered, of| Figure::Flag { yes, answered, of };
        assert_eq!(figure(festival, &flag(0, 0, 1), year), "Chưa trả lời");
        assert_eq!(figure(festival, &flag(0, 1, 1), year), "Không");
        assert_eq!(figure(festival, &flag(1, 1, 1), year), "Có");
        assert_eq!(figure(festival, &flag(0, 0, 3), year), "Chưa trả lời");
        assert_eq!(figure(festival, &flag(1, 2, 3), year), "1 có / 2 đã trả lời / tổng 3 khu dân cư");
        assert_eq!(figure(festival, &flag(4, 9, 15), years), "4 có / 9 đã trả lời / tổng 15 lượt khu dân cư");
        let ratio = get("ty_le_ngo_co_den");
        assert_eq!(figure(ratio, &Figure::Ratio { numerator: 0, denominator: 0 }, year), "Chưa đủ số liệu");
        assert_eq!(figure(ratio, &Figure::Ratio { numerator: 178, denominator: 190 }, year), "178/190 (93,7%)");
    }

    #[test]
    fn the_sign_turns_both_ways() {
        assert_eq!(toggle_sign("20"), "-20");
        assert_eq!(toggle_sign(" -20 "), "20");
        assert_eq!(toggle_sign("−1.000"), "1.000");
        assert_eq!(toggle_sign("+20"), "-20");
        assert_eq!(toggle_sign(""), "-");
        assert_eq!(toggle_sign("-"), "");
        assert_eq!(parse_amount(&toggle_sign("12.500")), Ok(-12_500));
    }

    #[test]
    fn typed_amounts_parse_or_are_refused() {
        assert_eq!(parse_amount("8.111"), Ok(8111));
        assert_eq!(parse_amount(" 640 000 000 "), Ok(640_000_000));
        assert_eq!(parse_amount("-20"), Ok(-20));
        for bad in ["2,5", "", "abc", "-", "1e5", "99999999999999999999"] {
            assert_eq!(parse_amount(bad).unwrap_err().code(), "invalid_amount", "{bad}");
        }
    }

    #[test]
    fn whole_numbers_parse_plain_or_grouped_by_thousands() {
        for (typed, value) in [
            ("8111", 8111),
            ("8.111", 8111),
            ("12.500.000", 12_500_000),
            ("8 111", 8111),
            ("8\u{a0}111", 8111),
            ("1.000", 1000),
            ("999", 999),
            ("0", 0),
            ("+5", 5),
            ("−5.379", -5379),
            ("- 20", -20),
            ("10.000.000.000.000", 10_000_000_000_000),
            ("-10.000.000.000.000", -10_000_000_000_000),
        ] {
            assert_eq!(parse_amount(typed), Ok(value), "{typed}");
        }
    }

    #[test]
    fn decimals_and_misplaced_separators_are_refused_for_what_they_are() {
        use AmountProblem::*;
        for (typed, problem) in [
            ("", Empty),
            ("   ", Empty),
            ("-", NoDigits),
            ("+", NoDigits),
            ("1e5", NotANumber),
            ("12kg", NotANumber),
            ("--5", NotANumber),
            ("5-", NotANumber),
            ("10.5", DecimalDot),
            ("2.5", DecimalDot),
            ("1.00", DecimalDot),
            ("0.500", DecimalDot),
            (".5", DecimalDot),
            ("2,5", DecimalComma),
            ("1,000", DecimalComma),
            ("1.000,5", DecimalComma),
            ("1..000", DotGrouping),
            (".100", DecimalDot),
            ("100.", DotGrouping),
            ("1.0000", DotGrouping),
            ("1000.000", DotGrouping),
            ("1.000.00", DotGrouping),
            ("8 11", SpaceGrouping),
            ("1  000", SpaceGrouping),
            ("1.000 000", MixedSeparators),
        ] {
            let err = parse_amount(typed).unwrap_err();
            assert_eq!(err, DomainError::MalformedAmount { text: typed.trim().into(), problem }, "{typed}");
            assert_eq!(err.code(), "invalid_amount");
        }
        for too_large in ["10.000.000.000.001", "99999999999999999999", "-10000000000001"] {
            assert_eq!(parse_amount(too_large), Err(DomainError::AmountTooLarge), "{too_large}");
        }
    }

    #[test]
    fn a_refusal_says_what_was_understood_and_how_to_type_it() {
        let message = |typed| parse_amount(typed).unwrap_err().message_vi();
        assert_eq!(
            message("10.5"),
            "\"10.5\" không phải số nguyên: dấu chấm chỉ dùng để tách hàng nghìn (ví dụ 1.000 hoặc 12.500.000). \
             Số lẻ không nhập được; hãy đổi sang đơn vị nhỏ hơn hoặc làm tròn."
        );
        assert!(message("2,5").starts_with("\"2,5\" không phải số nguyên: dấu phẩy là dấu thập phân"));
        assert!(message("1..000").contains("sau mỗi dấu chấm có đúng 3 chữ số"));
        assert_eq!(message(" "), "Chưa nhập số.");
        assert_eq!(message("123456789012345678"), "Số quá lớn: tối đa 10.000.000.000.000.");
        let long = "x".repeat(60);
        assert!(message(&long).starts_with(&format!("\"{}…\"", "x".repeat(40))));
        for typed in ["", "-", "10.5", "2,5", "1e5", "8 11", "1.000 000", "99999999999999999"] {
            assert!(!message(typed).contains("\"\""), "{typed}: an empty quote");
        }
    }

    #[test]
    fn money_is_worded_short_only_when_exact() {
        assert_eq!(money(640_000_000), "640 triệu đồng");
        assert_eq!(money(12_500_000), "12,5 triệu đồng", "never 13 triệu");
        assert_eq!(money(1_250_000_000), "1,25 tỷ đồng");
        assert_eq!(money(2_000_000_000), "2 tỷ đồng");
        assert_eq!(money(1_234_000_000), "1.234 triệu đồng");
        assert_eq!(money(12_345_678), "12.345.678 đồng", "in full rather than rounded");
        assert_eq!(money(950_000), "950.000 đồng");
        assert_eq!(money(-3_000_000), "-3 triệu đồng");
        assert_eq!(money(10_000_000_000_000), "10.000 tỷ đồng");
    }
}
