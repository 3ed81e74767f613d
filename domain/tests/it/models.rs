//! Models as a property: officers take steps on several phones, each step checked
//! against the model as the server knows it, then filed; the steps reach the server
//! repeated and in any order. Folding what is stored gives the model each step was
//! checked against, and a report counts each model once per step, at every level. Models
//! of content 2 are scored on a sheet: each one judged has the verdict of its last score.

use domain::model::{FOLLOWING_STEPS, model_report, models};
use domain::{
    Catalogue, Date, DeviceId, EventId, ModelEvent, ModelId, ModelRecord, ModelStatus, ModelStep, Role, ScoringSheet,
    SheetRecord, UnitId, UnitTree,
};
use proptest::prelude::*;

const UNITS: [&str; 4] = ["dx-to-8a", "ntmk-to-11", "ntmk-to-13", "p-nguyen-thi-minh-khai"];
const MODELS: usize = 4;

#[derive(Debug, Clone)]
enum Act {
    /// Register model `m` at a unit, under a content.
    Register { m: usize, unit: usize, content: u8 },
    /// Try the `pick`-th of the unit-less steps on model `m` (refused when out of order).
    Step { m: usize, pick: usize },
    /// Score model `m` (its own score, or the inspection's), every item at `tenths` of its
    /// maximum.
    Score { m: usize, own: bool, tenths: u16 },
    /// A day passes.
    Wait { days: i64 },
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        1 => (0..MODELS, 0..UNITS.len(), 1u8..=5).prop_map(|(m, unit, content)| Act::Register { m, unit, content }),
        4 => (0..MODELS, 0..FOLLOWING_STEPS.len()).prop_map(|(m, pick)| Act::Step { m, pick }),
        2 => (0..MODELS, any::<bool>(), 0u16..=10).prop_map(|(m, own, tenths)| Act::Score { m, own, tenths }),
        2 => (0i64..40).prop_map(|days| Act::Wait { days }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn stored_steps_fold_to_the_models_they_were_checked_against(
        acts in prop::collection::vec(act(), 1..80),
        order in any::<u64>(),
    ) {
        let (tree, catalogue) = (UnitTree::demo(), Catalogue::standard());
        let mut today = Date::new(2020, 1, 2).unwrap();
        let mut stored: Vec<ModelRecord> = vec![];
        let mut statuses: [Option<ModelStatus>; MODELS] = [None; MODELS];
        let sheet = ScoringSheet::khu_dan_cu_van_minh(EventId::new("pc-1").unwrap(), UnitId::new("tp-bac-kan").unwrap());
        let sheets = [SheetRecord { sheet: sheet.clone(), by: DeviceId::new("city").unwrap(), at_ms: 0 }];
        for (n, act) in acts.iter().enumerate() {
            let (m, step) = match act {
                Act::Wait { days } => {
                    today = Date::from_days(today.days() + days);
                    continue;
                }
                Act::Register { m, unit, content } => (*m, ModelStep::Register {
                    unit: UnitId::new(UNITS[*unit]).unwrap(),
                    content: *content,
                    name: format!("Mô hình {m}"),
                }),
                Act::Step { m, pick } => (*m, FOLLOWING_STEPS[*pick].clone()),
                Act::Score { m, own, tenths } => {
                    let points = sheet.items().map(|i| i.max * tenths / 10).collect();
                    let sheet = sheet.id.clone();
                    (*m, if *own { ModelStep::SelfScore { sheet, points } } else { ModelStep::Score { sheet, points } })
                }
            };
            let event = ModelEvent {
                id: EventId::new(format!("e-{n}")).unwrap(),
                model: ModelId::new(format!("mh-{m}")).unwrap(),
                day: today,
                step,
                note: String::new(),
            };
            let known = models(&stored).into_iter().find(|x| x.id == event.model);
            prop_assert_eq!(known.as_ref().map(|x| x.status), statuses[m]);
            if event.check(&tree, &catalogue, known.as_ref(), &sheets, today).is_ok() {
                statuses[m] = ModelStatus::after(statuses[m], &event.step);
                prop_assert!(statuses[m].is_some(), "the check allows only what the lifecycle allows");
                let by = DeviceId::new(format!("officer-{}", n % 2)).unwrap();
                // One clock tick for all: only the order they were filed tells them apart.
                let seq = known.as_ref().map_or(0, |x| x.steps.len());
                stored.push(ModelRecord { event, by, role: Role::WardOfficer, at_ms: 0, seq });
            }
        }
        // Delivered repeated and shuffled.
        let mut delivered: Vec<ModelRecord> = stored.iter().chain(stored.iter().step_by(2)).cloned().collect();
        let mut seed = order | 1;
        for i in (1..delivered.len()).rev() {
            seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
            delivered.swap(i, (seed % (i as u64 + 1)) as usize);
        }
        let folded = models(&delivered);
        prop_assert_eq!(&folded, &models(&stored));
        for (m, status) in statuses.iter().enumerate() {
            let model = folded.iter().find(|x| x.id.as_str() == format!("mh-{m}"));
            prop_assert_eq!(model.map(|x| x.status), *status);
        }
        // Each model once per step, at every level: the city counts what its wards do.
        let period = "2020..2030".parse().unwrap();
        let city = model_report(&tree, &UnitId::new("tp-bac-kan").unwrap(), period, &folded);
        prop_assert_eq!(city.unit.counts.registered as usize, folded.len());
        let by_child: u32 = city.children.iter().map(|c| c.counts.registered).sum();
        prop_assert_eq!(by_child, city.unit.counts.registered);
        let by_content: u32 = city.unit.by_content.values().map(|c| c.passed).sum();
        prop_assert_eq!(by_content, city.unit.counts.passed);
        for model in &folded {
            let judged = model.steps.iter().rev().find(|s| matches!(s.event.step, ModelStep::Pass | ModelStep::Fail));
            if let (2, Some(judged)) = (model.content, judged) {
                let score = model.score(false, &sheets);
                prop_assert!(score.is_some(), "a model a sheet applies to is scored before its verdict");
                prop_assert_eq!(score.unwrap().passed, judged.event.step == ModelStep::Pass);
            }
        }
        let active = folded.iter().filter(|x| x.status.is_active()).count();
        prop_assert_eq!(city.unit.counts.active as usize, active);
    }
}
