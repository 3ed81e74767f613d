use super::*;
use crate::sync::check_counter;
use crate::{CounterKey, CounterState, DomainError, Month, UnitTree};

fn id(s: &str) -> IndicatorId {
    IndicatorId::new(s).unwrap()
}

/// The day the changes are checked on.
fn today() -> Date {
    day("2026-12-07")
}

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

fn change(n: u32, edit: CatalogueEdit) -> CatalogueChange {
    CatalogueChange { id: EventId::new(format!("dm-{n}")).unwrap(), province: UnitId::new("tp-bac-kan").unwrap(), edit }
}

fn filed(n: u32, at_ms: u64, seq: u32, edit: CatalogueEdit) -> CatalogueChangeRecord {
    CatalogueChangeRecord { change: change(n, edit), by: DeviceId::new("admin").unwrap(), at_ms, seq }
}

fn hectares() -> NewIndicator {
    NewIndicator {
        id: id("dien_tich_rung_trong"),
        label: "Diện tích rừng trồng mới".into(),
        unit: "ha".into(),
        kind: AddedKind::Counter,
        content: Some(3),
    }
}

fn add() -> CatalogueEdit {
    CatalogueEdit::Add { indicator: hectares() }
}

fn retire(indicator: &str, from: &str) -> CatalogueEdit {
    CatalogueEdit::Retire { indicator: id(indicator), from: day(from) }
}

#[test]
fn a_province_adds_renames_and_retires_indicators() {
    let standard = Catalogue::standard();
    let rename = CatalogueEdit::Rename { indicator: id("dat_hien"), label: " Đất hiến làm đường ".into() };
    let changes =
        [filed(1, 10, 0, add()), filed(2, 20, 0, rename), filed(3, 30, 0, retire("buoi_tuyen_truyen", "2027-01-01"))];
    let cat = standard.with_changes(&changes);
    assert_eq!(cat.version, format!("{}+tp-bac-kan.3", standard.version), "the province's, counting its changes");
    assert_eq!(cat.indicators.len(), standard.indicators.len() + 1);
    assert_eq!(cat.get(&id("dien_tich_rung_trong")).unwrap().unit, "ha");
    assert_eq!(cat.get(&id("dat_hien")).unwrap().label, "Đất hiến làm đường");
    let retired = cat.get(&id("buoi_tuyen_truyen")).unwrap();
    assert!(retired.in_use_on(day("2026-12-31")) && !retired.in_use_on(day("2027-01-01")));
    assert!(cat.of_content_on(retired.content, day("2026-06-01")).any(|i| i.id == retired.id));
    assert!(!cat.of_content_on(retired.content, day("2027-01-01")).any(|i| i.id == retired.id));
    let refused = cat.get_on(&retired.id, day("2027-02-01")).unwrap_err();
    assert_eq!(refused.code(), "retired_indicator");
    assert!(refused.message_vi().contains("01/01/2027"), "{}", refused.message_vi());
    assert!(cat.get_on(&retired.id, day("2026-12-01")).is_ok());
    assert_eq!(standard.with_changes(&[]), standard);
}

#[test]
fn a_stored_catalogue_reads_back_indexed_with_its_retirements() {
    let cat =
        Catalogue::standard().with_changes(&[filed(1, 1, 0, add()), filed(2, 2, 0, retire("dat_hien", "2027-01-01"))]);
    let again: Catalogue = serde_json::from_str(&serde_json::to_string(&cat).unwrap()).unwrap();
    assert_eq!(again, cat);
    assert_eq!(again.get(&id("dat_hien")).unwrap().retired, Some(day("2027-01-01")));
    assert!(again.get(&id("dien_tich_rung_trong")).is_ok(), "the index is rebuilt");
}

#[test]
fn an_entry_for_a_retired_indicator_counts_before_its_day_only() {
    let (tree, cat) =
        (UnitTree::demo(), Catalogue::standard().with_changes(&[filed(1, 1, 0, retire("dat_hien", "2027-01-01"))]));
    let key = |month: &str| CounterKey {
        area: UnitId::new("dx-to-8a").unwrap(),
        indicator: id("dat_hien"),
        month: month.parse::<Month>().unwrap(),
    };
    let state = CounterState { inc: 40, dec: 0 };
    assert_eq!(check_counter(&tree, &cat, &key("2026-12"), state), Ok(()), "recorded offline before: accepted");
    let refused = check_counter(&tree, &cat, &key("2027-01"), state).unwrap_err();
    assert!(matches!(refused, DomainError::RetiredIndicator { .. }), "{refused:?}");
}

#[test]
fn each_indicators_changes_apply_in_their_own_order_whatever_the_clocks() {
    // The retirement was checked after the addition (seq 1) on a server whose clock was behind.
    let changes = [filed(2, 5, 1, retire("dien_tich_rung_trong", "2027-01-01")), filed(1, 10, 0, add())];
    let cat = Catalogue::standard().with_changes(&changes);
    assert_eq!(cat.get(&id("dien_tich_rung_trong")).unwrap().retired, Some(day("2027-01-01")));
    // Added twice by two servers at once: the first holds.
    let mut other = hectares();
    other.label = "Khác".into();
    let twice = [filed(1, 10, 0, add()), filed(3, 11, 0, CatalogueEdit::Add { indicator: other })];
    assert_eq!(Catalogue::standard().with_changes(&twice).get(&other_id()).unwrap().label, "Diện tích rừng trồng mới");
}

fn other_id() -> IndicatorId {
    id("dien_tich_rung_trong")
}

#[test]
fn what_a_province_may_not_change_is_refused_with_a_reason() {
    let cat = Catalogue::standard().with_changes(&[filed(1, 1, 0, retire("camera_an_ninh", "2027-01-01"))]);
    let refused = |edit: CatalogueEdit| change(9, edit).check(&cat, today()).unwrap_err().code();
    let with = |f: fn(&mut NewIndicator)| {
        let mut indicator = hectares();
        f(&mut indicator);
        CatalogueEdit::Add { indicator }
    };
    assert_eq!(change(9, add()).check(&cat, today()), Ok(()));
    let mut bad_id = change(9, add());
    bad_id.id = EventId::new("x-1").unwrap();
    assert_eq!(bad_id.check(&cat, today()).unwrap_err().code(), "invalid_change_id");
    assert_eq!(refused(with(|i| i.id = IndicatorId::new("dat_hien").unwrap())), "indicator_id_taken");
    assert_eq!(refused(with(|i| i.id = IndicatorId::new("camera_an_ninh").unwrap())), "indicator_id_taken");
    // A ratio is not a kind a province adds: such a change does not even read.
    let ratio = r#"{"kind":"add","indicator":{"id":"r","label":"R","unit":"%","kind":"ratio"}}"#;
    assert!(serde_json::from_str::<CatalogueEdit>(ratio).is_err());
    assert_eq!(refused(with(|i| i.label = "=SUM(A1)".into())), "invalid_label");
    assert_eq!(refused(with(|i| i.label = "   ".into())), "invalid_label");
    assert_eq!(refused(with(|i| i.unit = "x".repeat(21))), "invalid_unit_of_measure");
    assert_eq!(refused(with(|i| i.content = Some(6))), "unknown_content");
    let rename = |indicator: &str| CatalogueEdit::Rename { indicator: id(indicator), label: "Tên mới".into() };
    assert_eq!(refused(rename("khong_co")), "unknown_indicator");
    assert_eq!(refused(rename("camera_an_ninh")), "already_retired");
    assert_eq!(refused(retire("camera_an_ninh", "2028-01-01")), "already_retired");
    let part = change(9, retire("ngo_co_den", "2027-01-01")).check(&cat, today()).unwrap_err();
    assert_eq!(part.code(), "part_of_ratio");
    assert!(part.message_vi().contains("Tỷ lệ ngõ được chiếu sáng"), "{}", part.message_vi());
    assert_eq!(refused(retire("kien_nghi", "2026-11-01")), "invalid_retire_day", "never backdated");
    assert_eq!(refused(retire("kien_nghi", "2027-01-15")), "invalid_retire_day", "a month's first day");
    assert_eq!(change(9, retire("kien_nghi", "2026-12-01")).check(&cat, today()), Ok(()), "this month");
    let without_ratio = cat.with_changes(&[filed(2, 2, 0, retire("ty_le_ngo_co_den", "2027-01-01"))]);
    assert_eq!(change(9, retire("ngo_co_den", "2027-01-01")).check(&without_ratio, today()), Ok(()));
}

#[test]
fn hectares_are_kept_in_m2_and_shown_in_ha() {
    use crate::format::{amount, parse_amount_in};
    assert_eq!(parse_amount_in("1,25", "ha"), Ok(12_500));
    assert_eq!(parse_amount_in(" 2 ", "ha"), Ok(20_000));
    assert_eq!(parse_amount_in("−0,5", "ha"), Ok(-5_000));
    // A dot is a decimal point to some and thousands to others: refused, naming the comma.
    let dot = parse_amount_in("1.125", "ha").unwrap_err();
    assert!(dot.message_vi().contains("dấu phẩy"), "{}", dot.message_vi());
    assert_eq!(parse_amount_in("1250", "ha"), Ok(12_500_000));
    assert!(parse_amount_in("1,23456", "ha").is_err(), "below a m²");
    assert!(parse_amount_in("1,2a", "ha").is_err());
    assert_eq!(parse_amount_in("1,25", "m²").unwrap_err().code(), "invalid_amount", "m² are whole");
    assert_eq!(amount(12_500, "ha"), "1,25 ha");
    assert_eq!(amount(12_340_000, "ha"), "1.234 ha");
    assert_eq!(amount(-5_000, "ha"), "-0,5 ha");
    assert_eq!(amount(8_111, "m²"), "8.111 m²");
}

#[test]
fn an_added_indicator_is_named_from_its_label() {
    assert_eq!(indicator_id_for("Diện tích rừng trồng mới"), Some(id("dien_tich_rung_trong_moi")));
    assert_eq!(indicator_id_for("  Số hộ dùng nước sạch (%) "), Some(id("so_ho_dung_nuoc_sach")));
    assert_eq!(indicator_id_for("Đường"), Some(id("duong")));
    assert_eq!(indicator_id_for("— ?"), None);
    assert!(indicator_id_for(&"dài ".repeat(30)).unwrap().as_str().len() <= 48);
}
