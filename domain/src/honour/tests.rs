use super::*;

fn day(y: u16, m: u8, d: u8) -> Date {
    Date::new(y, m, d).unwrap()
}

fn honour(id: &str, unit: &str, kind: HonourKind, on: Date) -> Honour {
    Honour {
        id: EventId::new(id).unwrap(),
        unit: UnitId::new(unit).unwrap(),
        kind,
        decision: Decision { number: "125/QĐ-UBND".into(), day: on, issuer: "UBND phường".into() },
    }
}

fn record(h: Honour) -> HonourRecord {
    HonourRecord { honour: h, by: DeviceId::new("d-officer").unwrap(), at_ms: 1, withdrawn: None }
}

fn commendation(form: CommendationForm, recipient: &str) -> HonourKind {
    HonourKind::Commendation { form, level: HonourLevel::District, recipient: recipient.into(), reason: String::new() }
}

#[test]
fn titles_are_recorded_once_a_year_for_an_area() {
    let tree = UnitTree::demo();
    let today = day(2026, 12, 1);
    let title = |id, year| honour(id, "ntmk-to-11", HonourKind::CulturalArea { year }, day(2025, 11, 20));
    let stored = vec![record(title("h-1", 2025))];
    assert_eq!(title("h-2", 2025).check(&tree, &stored, today).unwrap_err().code(), "already_recognised");
    let message = title("h-2", 2025).check(&tree, &stored, today).unwrap_err().message_vi();
    assert_eq!(message, "Tổ 11 đã được công nhận năm 2025 (quyết định số 125/QĐ-UBND).");
    assert_eq!(title("h-2", 2024).check(&tree, &stored, today), Ok(()));
    assert_eq!(
        title("h-1", 2025).check(&tree, &stored, today),
        Ok(()),
        "the same record again: a repeat, not a second title"
    );
    let mut withdrawn = stored.clone();
    withdrawn[0].withdrawn = Some(Withdrawal { by: DeviceId::new("d").unwrap(), at_ms: 2 });
    assert_eq!(title("h-2", 2025).check(&tree, &withdrawn, today), Ok(()), "a withdrawn title does not stand");
    assert_eq!(title("h-3", 2027).check(&tree, &[], today).unwrap_err().code(), "invalid_year");
    let ward = honour("h-4", "p-nguyen-thi-minh-khai", HonourKind::CulturalArea { year: 2025 }, day(2025, 11, 20));
    assert_eq!(ward.check(&tree, &[], today).unwrap_err().code(), "wrong_unit");
    let ahead = honour("h-5", "ntmk-to-11", commendation(CommendationForm::GiayKhen, ""), day(2026, 12, 2));
    assert_eq!(ahead.check(&tree, &[], today).unwrap_err().code(), "invalid_decision");
    let none =
        honour("h-6", "ntmk-to-11", HonourKind::CulturalFamilies { year: 2025, households: 0 }, day(2025, 11, 20));
    assert_eq!(none.check(&tree, &[], today).unwrap_err().code(), "invalid_households");
}

#[test]
fn texts_are_made_canonical_and_formulas_refused() {
    let mut h = honour(
        "h-1",
        "ntmk-to-11",
        HonourKind::Exemplar {
            recipient: "  Ông Nông   Văn Hạnh ".into(), citation: "Vận động hiến đất".into()
        },
        day(2020, 1, 1),
    );
    h.decision.number = " 12/QĐ-MTTQ ".into();
    let h = h.canonical().unwrap();
    assert_eq!(h.decision.number, "12/QĐ-MTTQ");
    assert!(matches!(&h.kind, HonourKind::Exemplar { recipient, .. } if recipient == "Ông Nông Văn Hạnh"));
    let empty = honour(
        "h-2",
        "ntmk-to-11",
        HonourKind::Exemplar { recipient: "A".into(), citation: " ".into() },
        day(2020, 1, 1),
    );
    assert_eq!(empty.canonical().unwrap_err().code(), "invalid_text");
    let mut formula = honour("h-3", "ntmk-to-11", commendation(CommendationForm::BangKhen, ""), day(2020, 1, 1));
    formula.decision.issuer = "=cmd".into();
    assert_eq!(formula.canonical().unwrap_err().code(), "invalid_decision");
}

#[test]
fn a_report_counts_titles_by_year_as_luot_and_the_rest_by_decision_day() {
    let tree = UnitTree::demo();
    let title = |id, area, year| record(honour(id, area, HonourKind::CulturalArea { year }, day(year, 11, 20)));
    let mut all = vec![
        title("h-1", "ntmk-to-11", 2024),
        title("h-2", "ntmk-to-11", 2025),
        title("h-3", "ntmk-to-13", 2025),
        record(honour(
            "h-4",
            "ntmk-to-13",
            HonourKind::CulturalFamilies { year: 2025, households: 120 },
            day(2025, 11, 20),
        )),
        record(honour(
            "h-5",
            "ntmk-to-11",
            commendation(CommendationForm::GiayKhen, "Bà Lường Thị Hoa"),
            day(2025, 11, 18),
        )),
        record(honour("h-6", "p-nguyen-thi-minh-khai", commendation(CommendationForm::BangKhen, ""), day(2026, 1, 5))),
        record(honour("h-7", "dx-to-8a", commendation(CommendationForm::BangKhen, ""), day(2025, 6, 1))),
    ];
    all.push(HonourRecord {
        withdrawn: Some(Withdrawal { by: DeviceId::new("d").unwrap(), at_ms: 9 }),
        ..record(honour("h-8", "ntmk-to-15", HonourKind::CulturalArea { year: 2025 }, day(2025, 11, 20)))
    });
    let ward = UnitId::new("p-nguyen-thi-minh-khai").unwrap();
    let report = honour_report(&tree, &ward, "2025".parse().unwrap(), &all);
    let c = report.unit.counts;
    assert_eq!((c.cultural_areas, c.cultural_families, c.giay_khen, c.bang_khen, c.to_persons), (2, 120, 1, 0, 1));
    assert_eq!(report.records.len(), 5, "the withdrawn one listed, not counted; Đức Xuân's not at all");
    let to_11 = report.children.iter().find(|c| c.unit.as_str() == "ntmk-to-11").unwrap();
    assert_eq!(to_11.counts.cultural_areas, 1);
    let years = honour_report(&tree, &ward, "2024..2026".parse().unwrap(), &all).unit.counts;
    assert_eq!((years.cultural_areas, years.bang_khen), (3, 1), "titles over years sum as lượt");
}

#[test]
fn an_honour_says_what_it_is() {
    let on = day(2025, 11, 20);
    let person = honour("h-1", "ntmk-to-11", commendation(CommendationForm::GiayKhen, "Bà Lường Thị Hoa"), on);
    assert_eq!(person.describe(), "Giấy khen cấp huyện cho Bà Lường Thị Hoa");
    let families = honour("h-2", "ntmk-to-11", HonourKind::CulturalFamilies { year: 2025, households: 1_750 }, on);
    assert_eq!(families.describe(), "1.750 hộ \"Gia đình văn hóa\" năm 2025");
    let group = honour("h-3", "ntmk-to-11", commendation(CommendationForm::BangKhen, ""), on);
    assert_eq!(group.describe(), "Bằng khen cấp huyện cho tập thể");
}

#[test]
fn a_commune_meets_the_new_rural_standard_once_and_is_counted() {
    let tree = UnitTree::demo();
    let today = day(2026, 12, 1);
    let recognised = |id, unit| honour(id, unit, HonourKind::NewRural { year: 2017 }, day(2017, 12, 20));
    let first = recognised("h-1", "x-nong-thuong");
    assert_eq!(first.check(&tree, &[], today), Ok(()));
    assert_eq!(first.describe(), "Đạt chuẩn nông thôn mới năm 2017");
    let stored = [record(first.clone())];
    let again = recognised("h-2", "x-nong-thuong").check(&tree, &stored, today).unwrap_err();
    assert_eq!(again.message_vi(), "Xã Nông Thượng đã được công nhận năm 2017 (quyết định số 125/QĐ-UBND).");
    let later = honour("h-2", "x-nong-thuong", HonourKind::NewRural { year: 2019 }, day(2019, 12, 20));
    assert_eq!(later.check(&tree, &stored, today).unwrap_err().code(), "already_recognised", "once, not each year");
    for unit in ["p-duc-xuan", "nt-khuoi-chang"] {
        assert_eq!(recognised("h-3", unit).check(&tree, &[], today).unwrap_err().code(), "wrong_unit", "{unit}");
    }
    let report = honour_report(&tree, &UnitId::new("tp-bac-kan").unwrap(), "2017".parse().unwrap(), &stored);
    assert_eq!(report.unit.counts.new_rural, 1);
    assert_eq!(
        honour_report(&tree, &UnitId::new("tp-bac-kan").unwrap(), "2018".parse().unwrap(), &stored)
            .unit
            .counts
            .new_rural,
        0
    );
}
