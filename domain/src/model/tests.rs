use super::*;
use crate::{Catalogue, UnitTree};

fn day(y: u16, m: u8, d: u8) -> Date {
    Date::new(y, m, d).unwrap()
}

fn event(n: u32, model: &str, on: Date, step: ModelStep) -> ModelEvent {
    ModelEvent {
        id: EventId::new(format!("e-{n}")).unwrap(),
        model: ModelId::new(model).unwrap(),
        day: on,
        step,
        note: String::new(),
    }
}

fn record(n: u32, model: &str, on: Date, step: ModelStep) -> ModelRecord {
    ModelRecord {
        event: event(n, model, on, step),
        by: DeviceId::new("d-officer").unwrap(),
        role: Role::WardOfficer,
        at_ms: u64::from(n),
        seq: n as usize,
    }
}

fn register(unit: &str, content: u8, name: &str) -> ModelStep {
    ModelStep::Register { unit: UnitId::new(unit).unwrap(), content, name: name.into() }
}

/// Thanh Xuân 2020: registered in February, inspected in May and confirmed, inspected
/// again in September, accepted in October.
fn thanh_xuan() -> Vec<ModelRecord> {
    vec![
        record(1, "mh-1", day(2020, 2, 20), register("ntmk-to-11", 3, "Tổ dân phố 5 không")),
        record(2, "mh-1", day(2020, 5, 20), ModelStep::Inspect),
        record(3, "mh-1", day(2020, 5, 25), ModelStep::Reregister),
        record(4, "mh-1", day(2020, 9, 10), ModelStep::Inspect),
        record(5, "mh-1", day(2020, 10, 15), ModelStep::Pass),
        record(6, "mh-2", day(2020, 2, 21), register("p-nguyen-thi-minh-khai", 4, "Khu dân cư ba không")),
        record(7, "mh-2", day(2020, 5, 20), ModelStep::Inspect),
        record(8, "mh-2", day(2020, 5, 26), ModelStep::Withdraw),
    ]
}

#[test]
fn the_lifecycle_is_one_table() {
    use ModelStatus::*;
    let after = |s, step: ModelStep| ModelStatus::after(s, &step);
    assert_eq!(after(None, register("a", 1, "x")), Some(Registered));
    assert_eq!(after(None, ModelStep::Inspect), None, "nothing before the registration");
    assert_eq!(after(Some(Registered), register("a", 1, "x")), None, "registered once");
    assert_eq!(after(Some(Registered), ModelStep::Pass), None, "accepted only after an inspection");
    assert_eq!(after(Some(Inspected), ModelStep::Pass), Some(Passed));
    assert_eq!(after(Some(Inspected), ModelStep::Reregister), Some(Registered));
    assert_eq!(after(Some(Withdrawn), ModelStep::Reregister), Some(Registered));
    assert_eq!(after(Some(Passed), ModelStep::Commend), Some(Commended));
    assert_eq!(after(Some(Commended), ModelStep::Replicate), Some(Replicated));
    assert_eq!(after(Some(Commended), ModelStep::Commend), Some(Commended), "commended year after year");
    assert_eq!(after(Some(Replicated), ModelStep::Replicate), Some(Replicated));
    assert_eq!(after(Some(Replicated), ModelStep::Inspect), None, "accepted once");
    assert_eq!(after(Some(Failed), ModelStep::Reregister), None, "a failed model ends");
    let next: Vec<_> = Inspected.next_steps().map(ModelStep::name_vi).collect();
    assert_eq!(next, ["Đăng ký lại", "Kiểm tra, thẩm định", "Nghiệm thu đạt", "Nghiệm thu không đạt", "Rút đăng ký"]);
    assert_eq!(Failed.next_steps().count(), 0);
}

#[test]
fn steps_fold_into_models_whatever_order_they_arrive_in() {
    let records = thanh_xuan();
    let folded = models(&records);
    assert_eq!(folded.len(), 2);
    assert_eq!(
        (folded[0].name.as_str(), folded[0].status, folded[0].steps.len()),
        ("Tổ dân phố 5 không", ModelStatus::Passed, 5)
    );
    assert_eq!(folded[1].status, ModelStatus::Withdrawn);
    let mut reversed = records.clone();
    reversed.reverse();
    reversed.extend(records.iter().take(3).cloned());
    assert_eq!(models(&reversed), folded, "reordered and repeated: the same models");
    assert_eq!(folded[0].status_on(day(2020, 6, 1)), Some(ModelStatus::Registered));
    assert_eq!(folded[0].status_on(day(2020, 1, 1)), None);
}

#[test]
fn a_step_that_does_not_fit_where_it_falls_is_left_out() {
    let records = vec![
        record(1, "mh-1", day(2020, 2, 1), register("ntmk-to-11", 1, "Đường hoa")),
        record(2, "mh-1", day(2020, 3, 1), ModelStep::Pass),
        record(3, "mh-9", day(2020, 3, 1), ModelStep::Inspect),
    ];
    let folded = models(&records);
    assert_eq!(folded.len(), 1, "a model without its registration is none");
    assert_eq!((folded[0].status, folded[0].steps.len()), (ModelStatus::Registered, 1));
}

#[test]
fn the_check_refuses_what_cannot_be_filed() {
    let (tree, catalogue) = (UnitTree::demo(), Catalogue::standard());
    let today = day(2020, 12, 1);
    let folded = models(&thanh_xuan());
    let check = |e: &ModelEvent, m: Option<&Model>| e.check(&tree, &catalogue, m, &[], today).map_err(|p| p.code());
    let new = |step| event(20, "mh-3", day(2020, 11, 1), step);
    assert_eq!(check(&new(register("ntmk-to-13", 2, "Đường hoa")), None), Ok(()));
    assert_eq!(check(&new(register("ntmk-to-13", 6, "Đường hoa")), None), Err("unknown_content"));
    assert_eq!(check(&new(register("tp-bac-kan", 2, "Đường hoa")), None), Err("not_an_area_or_ward"));
    assert_eq!(check(&new(register("khong-co", 2, "Đường hoa")), None), Err("unknown_unit"));
    let bad_id = event(20, "x-3", day(2020, 11, 1), register("ntmk-to-13", 2, "Đường hoa"));
    assert_eq!(check(&bad_id, None), Err("invalid_model_id"));
    assert_eq!(check(&new(register("ntmk-to-13", 2, "x")), Some(&folded[0])), Err("model_id_taken"));
    assert_eq!(check(&new(ModelStep::Inspect), None), Err("unknown_model"));
    let step = |on, step| event(21, "mh-1", on, step);
    assert_eq!(check(&step(day(2020, 11, 1), ModelStep::Commend), Some(&folded[0])), Ok(()));
    assert_eq!(check(&step(day(2020, 11, 1), ModelStep::Inspect), Some(&folded[0])), Err("step_out_of_order"));
    assert_eq!(
        check(&step(day(2020, 10, 1), ModelStep::Commend), Some(&folded[0])),
        Err("invalid_step_day"),
        "before the last step"
    );
    assert_eq!(
        check(&step(day(2020, 12, 2), ModelStep::Commend), Some(&folded[0])),
        Err("invalid_step_day"),
        "after today"
    );
    let problem = step(day(2020, 11, 1), ModelStep::Reregister).check(&tree, &catalogue, Some(&folded[1]), &[], today);
    assert!(problem.is_ok(), "a withdrawn model may register again");
    let problem =
        step(day(2020, 11, 1), ModelStep::Pass).check(&tree, &catalogue, Some(&folded[1]), &[], today).unwrap_err();
    assert_eq!(
        problem.message_vi(),
        "Mô hình đang ở trạng thái \"Đã rút\": chưa thể ghi \"Nghiệm thu đạt\". Bước tiếp theo có thể là: Đăng ký lại."
    );
}

#[test]
fn names_and_notes_are_made_canonical() {
    assert_eq!(model_name("  \"Khu dân cư   ba không\" "), Some("\"Khu dân cư ba không\"".into()));
    assert_eq!(model_name("=HYPERLINK(\"x\")"), None, "no formula");
    assert_eq!(model_name("..."), None, "no letter");
    assert_eq!(model_name(&"a".repeat(MAX_MODEL_NAME + 1)), None);
    let mut e = event(1, "mh-1", day(2020, 1, 1), ModelStep::Inspect);
    e.note = "  Đoàn   kiểm tra quận ".into();
    assert_eq!(e.clone().canonical().unwrap().note, "Đoàn kiểm tra quận");
    e.note = "+1".into();
    assert_eq!(e.canonical().unwrap_err().code(), "invalid_note");
}

#[test]
fn a_report_counts_models_by_step_unit_and_content() {
    let tree = UnitTree::demo();
    let all = models(&thanh_xuan());
    let ward = UnitId::new("p-nguyen-thi-minh-khai").unwrap();
    let report = model_report(&tree, &ward, "2020".parse().unwrap(), &all);
    let c = report.unit.counts;
    assert_eq!((c.registered, c.inspected, c.reregistered, c.withdrawn, c.passed, c.active), (2, 2, 1, 1, 1, 1));
    assert_eq!(report.unit.by_content[&3].passed, 1);
    assert_eq!(report.unit.by_content[&4].withdrawn, 1);
    let to_11 = report.children.iter().find(|c| c.unit.as_str() == "ntmk-to-11").unwrap();
    assert_eq!((to_11.counts.registered, to_11.counts.passed), (1, 1));
    assert!(
        report.children.iter().all(|c| c.unit.as_str() == "ntmk-to-11" || c.counts == ModelCounts::default()),
        "the ward's own model counts for the ward, not for an area"
    );
    assert_eq!(report.models.len(), 2);
    let q2 = model_report(&tree, &ward, "2020-Q2".parse().unwrap(), &all).unit.counts;
    assert_eq!((q2.registered, q2.inspected, q2.reregistered, q2.passed, q2.active), (0, 2, 1, 0, 1));
    let next_year = model_report(&tree, &ward, "2021".parse().unwrap(), &all);
    assert_eq!(
        (next_year.unit.counts.active, next_year.unit.counts.registered),
        (1, 0),
        "under way, registered before"
    );
    assert_eq!(next_year.models.len(), 1, "the withdrawn one is not listed");
    let city = model_report(&tree, &UnitId::new("tp-bac-kan").unwrap(), "2020".parse().unwrap(), &all);
    assert_eq!(city.unit.counts, c, "a unit above counts its subtree's");
}
