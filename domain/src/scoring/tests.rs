use super::*;
use crate::model::models;
use crate::{ModelEvent, ModelProblem, ModelRecord, ModelStatus, ModelStep, Role};

fn id<T: TryFrom<String>>(s: &str) -> T
where
    T::Error: std::fmt::Debug,
{
    T::try_from(s.to_string()).unwrap()
}

fn bac_kan() -> SheetRecord {
    let sheet = ScoringSheet::khu_dan_cu_van_minh(id("pc-kdcvm"), id("tp-bac-kan"));
    SheetRecord { sheet, by: id("d-city"), at_ms: 1 }
}

fn full(sheet: &ScoringSheet) -> Vec<u16> {
    sheet.items().map(|i| i.max).collect()
}

#[test]
fn bac_kan_city_sheet_has_5_criteria_23_items_and_100_points() {
    let sheet = bac_kan().sheet;
    assert_eq!(sheet.criteria.len(), 5);
    assert_eq!(sheet.items().count(), 23);
    assert_eq!(sheet.max(), 100);
    sheet.check(&UnitTree::demo(), &Catalogue::standard()).unwrap();
}

#[test]
fn the_total_and_verdict_are_computed_from_the_points() {
    let sheet = bac_kan().sheet;
    let mut points = full(&sheet);
    assert_eq!(sheet.total(&points).unwrap(), Total { points: 100, max: 100, pass_mark: 80, passed: true });
    points[0] = 0; // 6 points
    points[1] = 0; // 4
    points[2] = 0; // 4
    points[3] = 0; // 4: 82 left
    assert!(sheet.total(&points).unwrap().passed);
    points[4] = 0; // 2: 80, the pass mark
    assert_eq!(sheet.total(&points).unwrap().describe(), "80/100 điểm (đạt từ 80): Đạt");
    points[5] = 4;
    assert_eq!(sheet.total(&points).unwrap().describe(), "79/100 điểm (đạt từ 80): Không đạt");
    assert_eq!(sheet.total(&points[1..]), Err(SheetProblem::Points { items: 23 }));
    points[0] = 7;
    let err = sheet.total(&points).unwrap_err();
    assert_eq!(err.message_vi(), "Mục \"Không có hộ đói, hộ nghèo giảm so với năm trước\" tối đa 6 điểm.");
}

#[test]
fn a_sheet_is_refused_when_its_shape_or_marks_do_not_fit() {
    let (tree, cat) = (UnitTree::demo(), Catalogue::standard());
    let good = bac_kan().sheet;
    let refused = |change: fn(&mut ScoringSheet)| {
        let mut sheet = good.clone();
        change(&mut sheet);
        sheet.check(&tree, &cat).unwrap_err().code()
    };
    assert_eq!(refused(|s| s.id = id("kdcvm")), "invalid_sheet_id");
    assert_eq!(refused(|s| s.content = 6), "unknown_content");
    assert_eq!(refused(|s| s.unit = id("nowhere")), "unknown_unit");
    assert_eq!(refused(|s| s.criteria.clear()), "invalid_sheet");
    assert_eq!(refused(|s| s.criteria[2].items.clear()), "invalid_sheet");
    assert_eq!(refused(|s| s.criteria[0].items[0].max = 0), "invalid_item_points");
    assert_eq!(refused(|s| s.criteria[0].items[0].max = 101), "invalid_item_points");
    assert_eq!(refused(|s| s.pass_mark = 0), "invalid_pass_mark");
    assert_eq!(refused(|s| s.pass_mark = 101), "invalid_pass_mark");
    let mut typed = good.clone();
    typed.criteria[0].name = "=HYPERLINK(1)".into();
    assert_eq!(typed.canonical(), Err(SheetProblem::InvalidText));
}

#[test]
fn the_nearest_units_latest_sheet_scores_a_model() {
    let tree = UnitTree::demo();
    let city = bac_kan();
    let mut ward = bac_kan();
    ward.sheet.id = id("pc-ward");
    ward.sheet.unit = id("p-duc-xuan");
    let mut newer_city = bac_kan();
    newer_city.sheet.id = id("pc-city-2");
    newer_city.at_ms = 2;
    let sheets = vec![city.clone(), ward.clone(), newer_city.clone()];
    assert_eq!(sheet_for(&tree, &sheets, &id("dx-to-8a"), 2).unwrap().id, ward.sheet.id);
    assert_eq!(sheet_for(&tree, &sheets, &id("ntmk-to-11"), 2).unwrap().id, newer_city.sheet.id);
    assert_eq!(sheet_for(&tree, &sheets, &id("ntmk-to-11"), 3), None);
}

fn step(n: usize, day: &str, step: ModelStep) -> ModelRecord {
    ModelRecord {
        event: ModelEvent {
            id: id(&format!("e{n}")),
            model: id("mh-1"),
            day: day.parse().unwrap(),
            step,
            note: String::new(),
        },
        by: id("d-1"),
        role: Role::WardOfficer,
        at_ms: n as u64,
        seq: n,
    }
}

/// Checks `next` against the model `records` fold to, as the server does.
fn check(records: &[ModelRecord], next: ModelStep, sheets: &[SheetRecord]) -> Result<(), ModelProblem> {
    let model = models(records).into_iter().next();
    let event = step(records.len(), "2020-10-20", next).event;
    event.check(&UnitTree::demo(), &Catalogue::standard(), model.as_ref(), sheets, "2020-12-01".parse().unwrap())
}

#[test]
fn a_scored_model_takes_the_verdict_its_score_computes() {
    let sheets = vec![bac_kan()];
    let sheet = &sheets[0].sheet;
    let register = ModelStep::Register { unit: id("ntmk-to-11"), content: 2, name: "Tổ dân phố văn minh".into() };
    let mut records = vec![step(0, "2020-02-10", register)];
    let mut own = full(sheet);
    own[0] = 3;
    let self_score = ModelStep::SelfScore { sheet: sheet.id.clone(), points: own };
    check(&records, self_score.clone(), &sheets).unwrap();
    records.push(step(1, "2020-03-01", self_score));
    records.push(step(2, "2020-05-20", ModelStep::Inspect));
    let model = &models(&records)[0];
    assert_eq!(model.score(true, &sheets).unwrap().points, 97);
    assert_eq!(model.score(false, &sheets), None);

    let err = check(&records, ModelStep::Pass, &sheets).unwrap_err();
    assert_eq!(
        err.message_vi(),
        "Mô hình cần được đoàn kiểm tra chấm điểm theo phiếu \"Khu dân cư văn minh\" trước khi nghiệm thu."
    );
    let mut low = full(sheet);
    low[..6].fill(0); // 100 - 25
    let score = ModelStep::Score { sheet: sheet.id.clone(), points: low };
    check(&records, score.clone(), &sheets).unwrap();
    records.push(step(3, "2020-10-15", score));
    assert_eq!(models(&records)[0].status, ModelStatus::Scored);
    let err = check(&records, ModelStep::Pass, &sheets).unwrap_err();
    assert_eq!(err.code(), "verdict_not_score");
    assert_eq!(
        err.message_vi(),
        "Kết quả nghiệm thu theo điểm chấm: 75/100 điểm (đạt từ 80): Không đạt. Không thể ghi kết quả khác."
    );
    check(&records, ModelStep::Fail, &sheets).unwrap();
    // Scored again, higher: now it passes, and only passes.
    records.push(step(4, "2020-10-16", ModelStep::Score { sheet: sheet.id.clone(), points: full(sheet) }));
    check(&records, ModelStep::Pass, &sheets).unwrap();
    assert_eq!(check(&records, ModelStep::Fail, &sheets).unwrap_err().code(), "verdict_not_score");
}

#[test]
fn a_score_on_another_sheet_or_out_of_its_items_is_refused() {
    let mut other = bac_kan();
    other.sheet.id = id("pc-other");
    other.sheet.content = 3;
    let sheets = vec![bac_kan(), other];
    let register = ModelStep::Register { unit: id("ntmk-to-11"), content: 2, name: "Tổ dân phố văn minh".into() };
    let mut records = vec![step(0, "2020-02-10", register), step(1, "2020-05-20", ModelStep::Inspect)];
    let on = |sheet: &str, points: Vec<u16>| ModelStep::Score { sheet: id(sheet), points };
    let full_points = full(&sheets[0].sheet);
    assert_eq!(
        check(&records, on("pc-other", full_points.clone()), &sheets).unwrap_err().code(),
        "sheet_not_for_model"
    );
    assert_eq!(check(&records, on("pc-none", full_points.clone()), &sheets).unwrap_err().code(), "unknown_sheet");
    assert_eq!(check(&records, on("pc-kdcvm", vec![1; 22]), &sheets).unwrap_err().code(), "invalid_score");
    assert_eq!(check(&records, on("pc-kdcvm", vec![7; 23]), &sheets).unwrap_err().code(), "score_above_max");
    // A self-score comes before the inspection only.
    let own = ModelStep::SelfScore { sheet: id("pc-kdcvm"), points: full_points.clone() };
    assert_eq!(check(&records, own, &sheets).unwrap_err().code(), "step_out_of_order");
    // With no sheet for its content, a model is judged without a score.
    records.push(step(2, "2020-05-21", ModelStep::Pass));
    assert_eq!(models(&records)[0].status, ModelStatus::Passed);
    check(&records[..2], ModelStep::Fail, &[]).unwrap();
}

#[test]
fn criteria_typed_as_lines_read_back_as_written() {
    let sheet = bac_kan().sheet;
    let text = criteria_as_text(&sheet.criteria);
    assert!(text.starts_with("Đời sống kinh tế ổn định, từng bước phát triển\n- Không có hộ đói"), "{text}");
    assert_eq!(criteria_from_text(&text).unwrap(), sheet.criteria);
    let typed = "  Môi trường\n\n+ Đường, ngõ sạch: 5 điểm\n• Rác thải: 5\n";
    let read = criteria_from_text(typed).unwrap();
    assert_eq!(read[0].items.iter().map(|i| i.max).collect::<Vec<_>>(), [5, 5]);
    assert_eq!(criteria_from_text("- Mục trước tiêu chí: 5"), Err(SheetProblem::Line(1)));
    assert_eq!(criteria_from_text("Tiêu chí\n- Không có điểm"), Err(SheetProblem::Line(2)));
    assert_eq!(criteria_from_text("Tiêu chí\n- Quá nhiều: 500"), Err(SheetProblem::Line(2)));
    assert!(SheetProblem::Line(2).message_vi().starts_with("Dòng 2: mỗi mục viết \"- Tên mục: số điểm\""));
}

#[test]
fn a_model_of_a_unit_before_a_merger_is_scored_on_the_sheet_of_the_unit_carrying_it_on() {
    use crate::{Unit, UnitLevel};
    let last = Some("2025-06-30".parse().unwrap());
    let unit = |id: &str, level, parent: Option<&str>| Unit::new(self::id(id), id, level, parent.map(self::id));
    let tree = UnitTree::new(vec![
        Unit { valid_to: last, ..unit("tinh-cu", UnitLevel::Province, None) },
        Unit { valid_to: last, ..unit("xa-cu", UnitLevel::Commune, Some("tinh-cu")) },
        Unit { valid_to: last, ..unit("thon-cu", UnitLevel::Area, Some("xa-cu")) },
        Unit { succeeds: vec![id("tinh-cu")], ..unit("tinh-moi", UnitLevel::Province, None) },
        Unit { succeeds: vec![id("xa-cu")], ..unit("xa-moi", UnitLevel::Commune, Some("tinh-moi")) },
    ])
    .unwrap();
    let sheet = ScoringSheet::khu_dan_cu_van_minh(id("pc-moi"), id("tinh-moi"));
    sheet.check(&tree, &Catalogue::standard()).unwrap();
    let sheets = [SheetRecord { sheet, by: id("d"), at_ms: 1 }];
    assert_eq!(sheet_for(&tree, &sheets, &id("thon-cu"), 2).unwrap().id, id("pc-moi"));
    let seen = sheets_seen_from(&tree, &id("xa-cu"), sheets.to_vec());
    assert_eq!(seen.len(), 0, "an old commune's scope is under the old province only");
    let mut ward_sheet = bac_kan().sheet;
    ward_sheet.unit = id("p-duc-xuan");
    let refused = ward_sheet.check(&UnitTree::demo(), &Catalogue::standard()).unwrap_err();
    assert_eq!(refused.message_vi(), "Phiếu chấm điểm do cấp tỉnh hoặc cấp huyện lập; Phường Đức Xuân không phải.");
}
