//! Vietnamese number formats: `8.111`, `2,5`, `640.000.000 đồng`, `178/190 (93,7%)`,
//! and parsing what a volunteer types.

use crate::{DomainError, Figure, Indicator};

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

/// An amount with its unit of measure: `8.111 m²`, `640.000.000 đồng`.
pub fn amount(n: i64, unit: &str) -> String {
    format!("{} {unit}", signed(n))
}

/// A figure as the report shows it.
pub fn figure(indicator: &Indicator, figure: &Figure) -> String {
    match *figure {
        Figure::Counter { total } => amount(total, &indicator.unit),
        Figure::Level { total, .. } => amount(i64::try_from(total).unwrap_or(i64::MAX), &indicator.unit),
        Figure::Flag { yes, of } => ratio(i64::from(yes), i64::from(of)),
        Figure::Ratio { numerator, denominator } => ratio(numerator, denominator),
    }
}

/// Parses an amount typed by a volunteer: digits with optional dot or space grouping
/// (`8.111`, `8 111`, `8111`) and an optional sign. Decimals are refused: amounts are
/// whole numbers of the indicator's unit (metres, đồng, days).
pub fn parse_amount(text: &str) -> Result<i64, DomainError> {
    let invalid = || DomainError::InvalidAmount(text.trim().chars().take(40).collect());
    let t = text.trim();
    let (negative, digits) = match t.strip_prefix('-').or_else(|| t.strip_prefix('−')) {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let digits: String = digits.chars().filter(|c| !matches!(c, '.' | ' ' | '\u{a0}')).collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let value: i64 = digits.parse().map_err(|_| invalid())?;
    Ok(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn typed_amounts_parse_or_are_refused() {
        assert_eq!(parse_amount("8.111"), Ok(8111));
        assert_eq!(parse_amount(" 640 000 000 "), Ok(640_000_000));
        assert_eq!(parse_amount("-20"), Ok(-20));
        for bad in ["2,5", "", "abc", "-", "1e5", "99999999999999999999"] {
            assert_eq!(parse_amount(bad).unwrap_err().code(), "invalid_amount", "{bad}");
        }
    }
}
