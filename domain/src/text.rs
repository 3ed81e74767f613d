//! Text as officers type it (names, notes, decisions), made canonical by one rule:
//! trimmed, runs of spaces as one, no longer than its field, no control characters or
//! combining marks (the app and the server normalise to NFC first), and not starting with
//! a character a spreadsheet reads as a formula (`=`, `+`, `-`, `@`).

/// The text made canonical, or `None` if it breaks the rule.
pub fn canonical(typed: &str, max: usize) -> Option<String> {
    let text = typed.split_whitespace().collect::<Vec<_>>().join(" ");
    let fine = text.chars().count() <= max
        && !text.starts_with(['=', '+', '-', '@'])
        && !text.chars().any(|c| c.is_control() || ('\u{300}'..='\u{36f}').contains(&c));
    fine.then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_formulas_control_characters_and_loose_marks_refused() {
        assert_eq!(canonical("  Tổ  dân phố \t5 không ", 40), Some("Tổ dân phố 5 không".into()));
        assert_eq!(canonical("=1+1", 40), None);
        assert_eq!(canonical("@cmd", 40), None);
        assert_eq!(canonical("a\u{7}b", 40), None);
        assert_eq!(canonical("Na\u{300}", 40), None, "not NFC");
        assert_eq!(canonical("abcd", 3), None);
        assert_eq!(canonical("", 3), Some(String::new()));
    }
}
