//! Numbers typed on a phone, as properties: what the app writes reads back as itself,
//! every malformed grouping or decimal is refused, and nothing ever parses to a value
//! whose written form differs from the digits typed. And the messages of refused
//! entries speak of labels and amounts the volunteer knows, never of ids.

use domain::format::{group, parse_amount, signed};
use domain::{
    Catalogue, CounterKey, CounterState, Date, DeviceId, DomainError, IndicatorId, IndicatorKind, Ledger, MAX_AMOUNT,
    Month, RegisterKey, RegisterValue, UnitId, UnitTree, check_counter, check_register,
};
use proptest::prelude::*;

/// A whole number within the limit.
fn amount() -> impl Strategy<Value = u64> {
    prop_oneof![0..1_000u64, 0..10_000_000u64, 0..=MAX_AMOUNT]
}

/// A well-formed dot grouping cut into groups: the first of 1–3 digits (not starting with 0), then groups of 3.
fn groups() -> impl Strategy<Value = Vec<String>> {
    ("[1-9][0-9]{0,2}", prop::collection::vec("[0-9]{3}", 1..4))
        .prop_map(|(first, rest)| std::iter::once(first).chain(rest).collect())
}

/// Text a volunteer might type: anything made of digits, signs and separators, and
/// written amounts with a few characters inserted, removed or replaced.
fn typed() -> impl Strategy<Value = String> {
    let edit =
        (any::<prop::sample::Index>(), 0..3u8, prop::sample::select(vec!['0', '5', '.', ',', ' ', '\u{a0}', '-']));
    prop_oneof![
        "[-−+ ]?[0-9., \u{a0}]{0,16}[0-9e]?",
        (amount(), any::<bool>(), prop::collection::vec(edit, 1..3)).prop_map(|(n, negative, edits)| {
            let mut chars: Vec<char> = signed(if negative { -(n as i64) } else { n as i64 }).chars().collect();
            for (at, op, c) in edits {
                let i = at.index(chars.len() + 1);
                match op {
                    0 => chars.insert(i, c),
                    1 if i < chars.len() => {
                        chars.remove(i);
                    }
                    _ if i < chars.len() => chars[i] = c,
                    _ => chars.push(c),
                }
            }
            chars.into_iter().collect()
        }),
    ]
}

/// The digits typed, without separators, sign or leading zeros.
fn digits_typed(text: &str) -> String {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() { "0".into() } else { significant.into() }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn every_grouped_amount_reads_back_as_itself(n in amount()) {
        prop_assert_eq!(parse_amount(&group(n)), Ok(n as i64));
        prop_assert_eq!(parse_amount(&group(n).replace('.', " ")), Ok(n as i64));
        prop_assert_eq!(parse_amount(&group(n).replace('.', "\u{a0}")), Ok(n as i64));
    }

    #[test]
    fn every_signed_amount_reads_back_as_itself(n in amount(), negative in any::<bool>()) {
        let n = if negative { -(n as i64) } else { n as i64 };
        prop_assert_eq!(parse_amount(&signed(n)), Ok(n));
        prop_assert_eq!(parse_amount(&signed(n).replace('-', "−")), Ok(n));
    }

    #[test]
    fn an_amount_over_the_limit_is_refused(n in MAX_AMOUNT + 1..=u64::MAX) {
        prop_assert_eq!(parse_amount(&group(n)), Err(DomainError::AmountTooLarge));
        prop_assert_eq!(parse_amount(&n.to_string()), Err(DomainError::AmountTooLarge));
    }

    #[test]
    fn plain_digits_parse(digits in "[0-9]{1,13}") {
        prop_assert_eq!(parse_amount(&digits), Ok(digits.parse::<i64>().unwrap()));
        prop_assert_eq!(parse_amount(&format!("-{digits}")), Ok(-digits.parse::<i64>().unwrap()));
    }

    #[test]
    fn a_group_of_other_than_three_digits_after_a_dot_is_refused(
        groups in groups(),
        at in any::<prop::sample::Index>(),
        wrong in prop_oneof!["[0-9]{1,2}", "[0-9]{4,6}"],
    ) {
        let mut groups = groups;
        let at = 1 + at.index(groups.len() - 1);
        groups[at] = wrong;
        let typed = groups.join(".");
        prop_assert_eq!(parse_amount(&typed).map_err(|e| e.code()), Err("invalid_amount"), "{}", typed);
        let spaced = groups.join(" ");
        prop_assert_eq!(parse_amount(&spaced).map_err(|e| e.code()), Err("invalid_amount"), "{}", spaced);
    }

    #[test]
    fn a_first_group_of_four_digits_or_more_is_refused(groups in groups(), first in "[1-9][0-9]{3,5}") {
        let mut groups = groups;
        groups[0] = first;
        let typed = groups.join(".");
        prop_assert_eq!(parse_amount(&typed).map_err(|e| e.code()), Err("invalid_amount"), "{}", typed);
    }

    #[test]
    fn a_leading_trailing_or_doubled_dot_is_refused(groups in groups(), at in any::<prop::sample::Index>()) {
        let typed = groups.join(".");
        for bad in [format!(".{typed}"), format!("{typed}."), format!("-.{typed}")] {
            prop_assert_eq!(parse_amount(&bad).map_err(|e| e.code()), Err("invalid_amount"), "{}", bad);
        }
        let mut doubled = groups.clone();
        let at = at.index(doubled.len());
        doubled[at].push('.');
        let bad = doubled.join(".");
        prop_assert_eq!(parse_amount(&bad).map_err(|e| e.code()), Err("invalid_amount"), "{}", bad);
    }

    #[test]
    fn mixed_separators_are_refused(groups in groups().prop_filter("three groups or more", |g| g.len() >= 3),
                                    space in prop::sample::select(vec![" ", "\u{a0}"])) {
        let typed = format!("{}{space}{}", groups[..2].join("."), groups[2..].join("."));
        prop_assert_eq!(parse_amount(&typed).map_err(|e| e.code()), Err("invalid_amount"), "{}", typed);
        let typed = format!("{}.{}", groups[..2].join(space), groups[2..].join(space));
        prop_assert_eq!(parse_amount(&typed).map_err(|e| e.code()), Err("invalid_amount"), "{}", typed);
    }

    #[test]
    fn a_decimal_comma_is_refused(whole in "[0-9]{1,7}", decimals in "[0-9]{1,4}", grouped in groups()) {
        for typed in [format!("{whole},{decimals}"), format!("{},{decimals}", grouped.join("."))] {
            prop_assert_eq!(parse_amount(&typed).map_err(|e| e.code()), Err("invalid_amount"), "{}", typed);
        }
    }

    #[test]
    fn a_decimal_dot_is_refused(whole in "[0-9]{1,3}", decimals in "[0-9]{1,2}") {
        let typed = format!("{whole}.{decimals}");
        prop_assert!(
            matches!(parse_amount(&typed), Err(DomainError::MalformedAmount { .. })),
            "{} was read as a number", typed
        );
    }

    /// Whatever is typed, an accepted number is written with exactly the digits typed,
    /// and a dot-grouped one exactly as it was typed.
    #[test]
    fn nothing_parses_to_a_value_whose_written_form_differs_from_what_was_typed(
        typed in typed(),
    ) {
        if let Ok(value) = parse_amount(&typed) {
            let written = group(value.unsigned_abs());
            prop_assert_eq!(digits_typed(&written), digits_typed(&typed), "{} read as {}", typed, value);
            let unsigned = typed.trim().trim_start_matches(['-', '−', '+']).trim_start();
            if unsigned.contains(['.', ' ', '\u{a0}']) {
                prop_assert_eq!(unsigned.replace([' ', '\u{a0}'], "."), written, "{} read as {}", typed, value);
            }
            prop_assert_eq!(value < 0, typed.trim_start().starts_with(['-', '−']) && value != 0);
        }
    }
}

fn setting() -> (Catalogue, UnitTree, UnitId) {
    (Catalogue::standard(), UnitTree::demo(), UnitId::new("dx-to-8a").unwrap())
}

#[test]
fn a_correction_larger_than_what_was_entered_says_how_much_can_still_be_taken_off() {
    let (cat, tree, area) = setting();
    let mut ledger = Ledger::new(DeviceId::new("phone-a").unwrap());
    let land = IndicatorId::new("dat_hien").unwrap();
    let day: Date = "2025-11-02".parse().unwrap();
    ledger.add_amount(&cat, &tree, &area, &land, day, 80, "", 1).unwrap();
    ledger.add_amount(&cat, &tree, &area, &land, day, -30, "", 2).unwrap();
    let err = ledger.add_amount(&cat, &tree, &area, &land, day, -60, "", 3).unwrap_err();
    assert_eq!(err.code(), "negative_total");
    assert_eq!(
        err.message_vi(),
        "Số điều chỉnh (-60 m²) lớn hơn số máy này đã nhập cho \"Đất nhân dân hiến\" trong tháng 11/2025: \
         chỉ có thể bớt tối đa 50 m²."
    );
    let road = IndicatorId::new("duong_lam_moi").unwrap();
    let err = ledger.add_amount(&cat, &tree, &area, &road, day, -5, "", 4).unwrap_err();
    assert_eq!(
        err.message_vi(),
        "Máy này chưa nhập số nào cho \"Đường, ngõ làm mới, nâng cấp\" trong tháng 11/2025 nên chưa có gì để bớt: \
         số âm chỉ dùng để sửa số đã nhập nhầm."
    );
    assert_eq!(ledger.entries().len(), 2, "a refused entry is not recorded");
}

#[test]
fn a_cell_total_over_the_limit_echoes_no_number_that_was_not_typed() {
    let (cat, tree, area) = setting();
    let mut ledger = Ledger::new(DeviceId::new("phone-a").unwrap());
    let land = IndicatorId::new("dat_hien").unwrap();
    let day: Date = "2025-11-02".parse().unwrap();
    ledger.add_amount(&cat, &tree, &area, &land, day, 2104, "", 1).unwrap();
    let err = ledger.add_amount(&cat, &tree, &area, &land, day, MAX_AMOUNT as i64, "", 2).unwrap_err();
    assert_eq!(err.code(), "invalid_amount");
    assert_eq!(
        err.message_vi(),
        "Tổng tháng 11/2025 của \"Đất nhân dân hiến\" trên máy này sẽ vượt giới hạn 10.000.000.000.000; \
         hãy kiểm tra lại số vừa nhập."
    );
    let err = ledger.add_amount(&cat, &tree, &area, &land, day, 0, "", 3).unwrap_err();
    assert_eq!(err.code(), "invalid_amount");
    assert!(!err.message_vi().contains("không hợp lệ: 0"));
}

#[test]
fn refusals_name_the_indicator_by_its_label_never_by_its_id() {
    let (cat, tree, area) = setting();
    let month = Month::new(2025, 11).unwrap();
    let indicators = (1..=5).map(Some).chain([None]).flat_map(|content| cat.of_content(content));
    let mut seen = 0;
    for indicator in indicators {
        let counter = CounterKey { area: area.clone(), indicator: indicator.id.clone(), month };
        let level =
            RegisterKey { area: area.clone(), indicator: indicator.id.clone(), bucket: domain::Bucket::Month(month) };
        let refusals = [
            check_counter(&tree, &cat, &counter, CounterState { inc: 10, dec: 30 }),
            check_counter(&tree, &cat, &counter, CounterState { inc: MAX_AMOUNT + 1, dec: 0 }),
            check_register(&tree, &cat, &level, RegisterValue::Level(MAX_AMOUNT + 1)),
            check_register(&tree, &cat, &level, RegisterValue::Flag(true)),
        ];
        for err in refusals.into_iter().filter_map(Result::err) {
            let message = err.message_vi();
            assert!(message.contains(&format!("\"{}\"", indicator.label)), "{message}");
            assert!(!message.contains(indicator.id.as_str()), "{message}");
            assert!(!message.contains(&(MAX_AMOUNT + 1).to_string()), "{message}");
            seen += 1;
        }
        if indicator.kind == IndicatorKind::Counter {
            let err = check_counter(&tree, &cat, &counter, CounterState { inc: 10, dec: 30 }).unwrap_err();
            assert_eq!(err.code(), "negative_total");
            assert!(err.message_vi().contains("không thể âm"));
        }
    }
    assert!(seen > 0);
    let unknown = IndicatorId::new("khong_co").unwrap();
    let err = check_counter(&tree, &cat, &CounterKey { area, indicator: unknown, month }, CounterState::default())
        .unwrap_err();
    assert_eq!(err.code(), "unknown_indicator");
    assert!(!err.message_vi().contains("khong_co"));
}
