//! Mô hình — the models an area or a ward registers under one of the campaign's 5
//! contents ("Khu dân cư ba không", "Tổ dân phố 5 không", "Đường hoa"…), followed
//! through their lifecycle:
//!
//! đăng ký → (tự chấm điểm) → (rút / đăng ký lại) → kiểm tra, thẩm định → chấm điểm →
//! nghiệm thu (đạt / không đạt) → biểu dương, khen thưởng → duy trì, nhân rộng.
//!
//! Each step is a [`ModelEvent`] with an id of its own, made where the step was taken,
//! and filed once by it. [`ModelStatus::after`] is the one rule of which step may follow
//! which; [`ModelEvent::check`] is what the server asks before filing one; [`models`]
//! folds the stored events into each model's state, in the order of their days (ties:
//! the order they were filed), so however they are read back, repeated or reordered,
//! the same stored steps give the same models. [`model_report`] counts them for a unit and a
//! period as the Front's reports do ("11 phường đăng ký 122 mô hình … đăng ký lại 78").
//!
//! Scores are given on the scoring sheet that applies to the model ([`crate::scoring`]);
//! once one applies, the verdict follows the inspection's score, computed, never typed.

use crate::scoring::{SheetProblem, SheetRecord, Total, sheet_for};
use crate::{Action, Catalogue, Date, DeviceId, EventId, ModelId, ReportPeriod, Role, UnitId, UnitLevel, UnitTree};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest name of a model, in characters.
pub const MAX_MODEL_NAME: usize = 120;

/// Longest note of a step, in characters.
pub const MAX_STEP_NOTE: usize = 300;

/// Most steps one model takes (a model inspected and commended every year for decades
/// stays well below).
pub const MAX_STEPS: usize = 60;

/// The prefix of a model's id, made by the phone that registers it.
pub const MODEL_ID_PREFIX: &str = "mh-";

/// One step of a model, as an officer recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelEvent {
    /// The step's own id: sending it again changes nothing.
    pub id: EventId,
    /// The model; for a registration, the id the phone chose for it (`mh-…`).
    pub model: ModelId,
    /// The day the step was taken (`2020-05-20`).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub day: Date,
    pub step: ModelStep,
    /// What the officer wrote beside it ("Đoàn kiểm tra của quận"), at most 300
    /// characters.
    #[serde(default)]
    pub note: String,
}

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ModelStep {
    /// Đăng ký — an area or a commune or ward registers a model under a content.
    Register {
        unit: UnitId,
        /// The content, 1 to 5.
        #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
        content: u8,
        name: String,
    },
    /// Rút đăng ký.
    Withdraw,
    /// Đăng ký lại — registered again after withdrawing, or confirmed after an
    /// inspection ("đăng ký lại 78 mô hình hiệu quả, tiêu biểu nhất").
    Reregister,
    /// Tự chấm điểm — the area or ward scores itself on the sheet, before the inspection
    /// (may be done again).
    SelfScore {
        /// The sheet scored on: the one that applies to the model when scored.
        sheet: EventId,
        /// Points per item of the sheet, criterion after criterion.
        #[cfg_attr(feature = "openapi", schema(schema_with = points_schema))]
        points: Vec<u16>,
    },
    /// Kiểm tra, thẩm định (may be done more than once).
    Inspect,
    /// Chấm điểm — the inspection team scores the model on the sheet (may be done again
    /// before the verdict).
    Score {
        sheet: EventId,
        #[cfg_attr(feature = "openapi", schema(schema_with = points_schema))]
        points: Vec<u16>,
    },
    /// Nghiệm thu đạt.
    Pass,
    /// Nghiệm thu không đạt: the model ends here.
    Fail,
    /// Biểu dương, khen thưởng — an exemplary model.
    Commend,
    /// Duy trì, nhân rộng.
    Replicate,
}

/// Where a model stands after its last step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ModelStatus {
    Registered,
    Withdrawn,
    Inspected,
    /// Chấm điểm: the inspection team's score awaits the verdict it computes.
    Scored,
    Passed,
    Failed,
    Commended,
    Replicated,
}

/// A step as stored: who filed it, in which role, when (the server's clock), and its
/// place among the model's steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelRecord {
    pub event: ModelEvent,
    pub by: DeviceId,
    pub role: Role,
    pub at_ms: u64,
    /// How many steps of the model were stored before it: the stores file a step only on
    /// that count, so it orders a model's steps as they were filed (clocks of two servers
    /// may disagree).
    pub seq: usize,
}

/// A model as its steps leave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Model {
    pub id: ModelId,
    /// The area, commune or ward that registered it.
    pub unit: UnitId,
    /// Its content, 1 to 5.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub content: u8,
    pub name: String,
    pub status: ModelStatus,
    /// Its steps in order, the registration first.
    pub steps: Vec<ModelRecord>,
}

/// The answer to a step: the model as it now is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelFiled {
    pub model: Model,
    /// The same step was filed before (a repeat): nothing changed now.
    pub repeated: bool,
}

/// The unit-less steps, in the order the lifecycle takes them (what a screen offers).
pub const FOLLOWING_STEPS: [ModelStep; 7] = [
    ModelStep::Reregister,
    ModelStep::Inspect,
    ModelStep::Pass,
    ModelStep::Fail,
    ModelStep::Commend,
    ModelStep::Replicate,
    ModelStep::Withdraw,
];

impl ModelStep {
    /// The step as a report or a button names it.
    pub fn name_vi(&self) -> &'static str {
        match self {
            ModelStep::Register { .. } => "Đăng ký",
            ModelStep::Withdraw => "Rút đăng ký",
            ModelStep::Reregister => "Đăng ký lại",
            ModelStep::SelfScore { .. } => "Tự chấm điểm",
            ModelStep::Inspect => "Kiểm tra, thẩm định",
            ModelStep::Score { .. } => "Chấm điểm",
            ModelStep::Pass => "Nghiệm thu đạt",
            ModelStep::Fail => "Nghiệm thu không đạt",
            ModelStep::Commend => "Biểu dương, khen thưởng",
            ModelStep::Replicate => "Duy trì, nhân rộng",
        }
    }

    /// What a caller needs to take the step: a ward's officers register, withdraw and
    /// register again; inspection teams (and the ward) inspect and judge.
    pub fn action(&self) -> Action {
        match self {
            ModelStep::Register { .. } | ModelStep::Withdraw | ModelStep::Reregister | ModelStep::SelfScore { .. } => {
                Action::ManageModels
            }
            _ => Action::JudgeModels,
        }
    }
}

impl ModelStatus {
    /// The lifecycle: the status after `step` from `status` (`None`: a model not yet
    /// registered), or `None` when the step cannot come now.
    pub fn after(status: Option<ModelStatus>, step: &ModelStep) -> Option<ModelStatus> {
        use ModelStatus::*;
        Some(match (status, step) {
            (None, ModelStep::Register { .. }) => Registered,
            (Some(Registered | Inspected), ModelStep::Withdraw) => Withdrawn,
            (Some(Withdrawn | Inspected), ModelStep::Reregister) => Registered,
            (Some(Registered), ModelStep::SelfScore { .. }) => Registered,
            (Some(Registered | Inspected), ModelStep::Inspect) => Inspected,
            (Some(Inspected | Scored), ModelStep::Score { .. }) => Scored,
            (Some(Inspected | Scored), ModelStep::Pass) => Passed,
            (Some(Inspected | Scored), ModelStep::Fail) => Failed,
            // Commended and kept up year after year, in either order.
            (Some(Passed | Commended | Replicated), ModelStep::Commend) => Commended,
            (Some(Passed | Commended | Replicated), ModelStep::Replicate) => Replicated,
            _ => return None,
        })
    }

    /// The steps that may come next, in the lifecycle's order.
    pub fn next_steps(self) -> impl Iterator<Item = &'static ModelStep> {
        FOLLOWING_STEPS.iter().filter(move |step| ModelStatus::after(Some(self), step).is_some())
    }

    /// Whether a score (the model's own, or the inspection's) may be given now.
    pub fn takes_score(self, own: bool) -> bool {
        let step = if own {
            ModelStep::SelfScore { sheet: placeholder(), points: vec![] }
        } else {
            ModelStep::Score { sheet: placeholder(), points: vec![] }
        };
        ModelStatus::after(Some(self), &step).is_some()
    }

    /// Still under way: registered, and neither withdrawn nor failed.
    pub fn is_active(self) -> bool {
        !matches!(self, ModelStatus::Withdrawn | ModelStatus::Failed)
    }

    pub fn name_vi(self) -> &'static str {
        match self {
            ModelStatus::Registered => "Đã đăng ký",
            ModelStatus::Withdrawn => "Đã rút",
            ModelStatus::Inspected => "Đã kiểm tra",
            ModelStatus::Scored => "Đã chấm điểm",
            ModelStatus::Passed => "Nghiệm thu đạt",
            ModelStatus::Failed => "Không đạt",
            ModelStatus::Commended => "Tiêu biểu, được khen thưởng",
            ModelStatus::Replicated => "Duy trì, nhân rộng",
        }
    }
}

/// Why a step was refused, in Vietnamese for the officer. Nothing changes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelProblem {
    #[error("invalid model name")]
    InvalidName,
    #[error("invalid note")]
    InvalidNote,
    #[error("no content {0}")]
    UnknownContent(u8),
    #[error("the id of a new model must start with `mh-`")]
    InvalidModelId,
    #[error("model id `{0}` is taken")]
    ModelIdTaken(String),
    #[error("unknown model `{0}`")]
    UnknownModel(String),
    #[error("unknown unit `{0}`")]
    UnknownUnit(String),
    #[error("`{0}` cannot register a model")]
    NotAnAreaOrWard(String),
    #[error("`{name}` closed after {last_day}")]
    UnitClosed { name: String, last_day: String },
    #[error("step {step} cannot follow {status}")]
    OutOfOrder { step: &'static str, status: &'static str, next: Vec<&'static str> },
    #[error("step day out of range")]
    Day { earliest: Option<String>, latest: String },
    #[error("too many steps")]
    TooManySteps,
    #[error("event id reused for another step")]
    EventIdReused,
    #[error(transparent)]
    Sheet(#[from] SheetProblem),
    #[error("the model must be scored first")]
    ScoreFirst { sheet: String },
    #[error("the verdict must follow the score")]
    NotTheScore { total: String },
}

impl ModelProblem {
    /// Every code [`ModelProblem::code`] can return, for API documentation.
    pub const CODES: &'static [&'static str] = &[
        "invalid_model_name",
        "invalid_note",
        "unknown_content",
        "invalid_model_id",
        "model_id_taken",
        "unknown_model",
        "unknown_unit",
        "not_an_area_or_ward",
        "unit_closed",
        "step_out_of_order",
        "invalid_step_day",
        "too_many_steps",
        "event_id_reused",
        "score_first",
        "verdict_not_score",
    ];

    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidName => "invalid_model_name",
            Self::InvalidNote => "invalid_note",
            Self::UnknownContent(_) => "unknown_content",
            Self::InvalidModelId => "invalid_model_id",
            Self::ModelIdTaken(_) => "model_id_taken",
            Self::UnknownModel(_) => "unknown_model",
            Self::UnknownUnit(_) => "unknown_unit",
            Self::NotAnAreaOrWard(_) => "not_an_area_or_ward",
            Self::UnitClosed { .. } => "unit_closed",
            Self::OutOfOrder { .. } => "step_out_of_order",
            Self::Day { .. } => "invalid_step_day",
            Self::TooManySteps => "too_many_steps",
            Self::EventIdReused => "event_id_reused",
            Self::Sheet(problem) => problem.code(),
            Self::ScoreFirst { .. } => "score_first",
            Self::NotTheScore { .. } => "verdict_not_score",
        }
    }

    /// Conflicts with what is stored (409), rather than a request wrong in itself (422).
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            Self::ModelIdTaken(_)
                | Self::OutOfOrder { .. }
                | Self::EventIdReused
                | Self::ScoreFirst { .. }
                | Self::NotTheScore { .. }
        )
    }

    pub fn message_vi(&self) -> String {
        match self {
            Self::InvalidName => format!(
                "Tên mô hình cần có chữ, không quá {MAX_MODEL_NAME} ký tự, không bắt đầu bằng = + - @ \
                 (ví dụ \"Khu dân cư ba không\")."
            ),
            Self::InvalidNote => format!(
                "Ghi chú không quá {MAX_STEP_NOTE} ký tự, không bắt đầu bằng = + - @ và không có ký tự điều khiển."
            ),
            Self::UnknownContent(n) => format!("Không có nội dung {n}; Cuộc vận động có 5 nội dung."),
            Self::InvalidModelId => {
                format!("Mã mô hình mới phải bắt đầu bằng \"{MODEL_ID_PREFIX}\"; hãy tải lại trang rồi đăng ký lại.")
            }
            Self::ModelIdTaken(_) => "Mã mô hình này đã có; hãy tải lại trang rồi đăng ký lại.".into(),
            Self::UnknownModel(id) => format!("Không tìm thấy mô hình: {id}."),
            Self::UnknownUnit(id) => format!("Không tìm thấy đơn vị: {id}."),
            Self::NotAnAreaOrWard(name) => {
                format!("Mô hình do khu dân cư hoặc xã, phường đăng ký; {name} không phải.")
            }
            Self::UnitClosed { name, last_day } => format!("{name} đã giải thể sau ngày {last_day}."),
            Self::OutOfOrder { step, status, next } if next.is_empty() => {
                format!("Mô hình đang ở trạng thái \"{status}\": không thể ghi \"{step}\", mô hình đã kết thúc.")
            }
            Self::OutOfOrder { step, status, next } => format!(
                "Mô hình đang ở trạng thái \"{status}\": chưa thể ghi \"{step}\". Bước tiếp theo có thể là: {}.",
                next.join("; ")
            ),
            Self::Day { earliest: Some(earliest), latest } => format!("Ngày phải từ {earliest} đến {latest}."),
            Self::Day { earliest: None, latest } => format!("Ngày không được sau {latest}."),
            Self::TooManySteps => format!("Một mô hình có tối đa {MAX_STEPS} bước."),
            Self::EventIdReused => "Bước này trùng mã với một bước khác; hãy tải lại trang rồi làm lại.".into(),
            Self::Sheet(problem) => problem.message_vi(),
            Self::ScoreFirst { sheet } => {
                format!("Mô hình cần được đoàn kiểm tra chấm điểm theo phiếu \"{sheet}\" trước khi nghiệm thu.")
            }
            Self::NotTheScore { total } => {
                format!("Kết quả nghiệm thu theo điểm chấm: {total}. Không thể ghi kết quả khác.")
            }
        }
    }
}

/// A model's name as typed, made canonical; `None` if it has no letter or digit or
/// breaks [`crate::text::canonical`]'s rule.
pub fn model_name(typed: &str) -> Option<String> {
    crate::text::canonical(typed, MAX_MODEL_NAME).filter(|name| name.chars().any(char::is_alphanumeric))
}

/// A step's note as typed, made canonical ([`crate::text::canonical`]).
pub fn step_note(typed: &str) -> Result<String, ModelProblem> {
    crate::text::canonical(typed, MAX_STEP_NOTE).ok_or(ModelProblem::InvalidNote)
}

impl ModelEvent {
    /// The same step with its name and note made canonical.
    pub fn canonical(mut self) -> Result<Self, ModelProblem> {
        if let ModelStep::Register { name, .. } = &mut self.step {
            *name = model_name(name).ok_or(ModelProblem::InvalidName)?;
        }
        self.note = step_note(&self.note)?;
        Ok(self)
    }

    /// May this step be filed, given the model as its stored steps leave it (`None`: no
    /// step of it is stored), on `today`? Text must already be canonical.
    pub fn check(
        &self,
        tree: &UnitTree,
        catalogue: &Catalogue,
        model: Option<&Model>,
        sheets: &[SheetRecord],
        today: Date,
    ) -> Result<(), ModelProblem> {
        let day_from = |earliest: Option<Date>| {
            let fits = self.day <= today && earliest.is_none_or(|e| self.day >= e);
            fits.then_some(()).ok_or_else(|| ModelProblem::Day {
                earliest: earliest.map(Date::to_vietnamese),
                latest: today.to_vietnamese(),
            })
        };
        match (&self.step, model) {
            (ModelStep::Register { .. }, Some(_)) => Err(ModelProblem::ModelIdTaken(self.model.to_string())),
            (ModelStep::Register { unit, content, .. }, None) => {
                if !self.model.as_str().starts_with(MODEL_ID_PREFIX) {
                    return Err(ModelProblem::InvalidModelId);
                }
                if !catalogue.contents.iter().any(|c| c.number == *content) {
                    return Err(ModelProblem::UnknownContent(*content));
                }
                let unit = tree.get(unit).map_err(|_| ModelProblem::UnknownUnit(unit.to_string()))?;
                if !matches!(unit.level, UnitLevel::Area | UnitLevel::Commune | UnitLevel::Ward) {
                    return Err(ModelProblem::NotAnAreaOrWard(unit.name.clone()));
                }
                day_from(unit.valid_from)?;
                match unit.valid_to {
                    Some(last) if self.day > last => {
                        Err(ModelProblem::UnitClosed { name: unit.name.clone(), last_day: last.to_vietnamese() })
                    }
                    _ => Ok(()),
                }
            }
            (_, None) => Err(ModelProblem::UnknownModel(self.model.to_string())),
            (step, Some(model)) => {
                if ModelStatus::after(Some(model.status), step).is_none() {
                    return Err(ModelProblem::OutOfOrder {
                        step: step.name_vi(),
                        status: model.status.name_vi(),
                        next: model.status.next_steps().map(ModelStep::name_vi).collect(),
                    });
                }
                if model.steps.len() >= MAX_STEPS {
                    return Err(ModelProblem::TooManySteps);
                }
                model.check_score(step, tree, sheets)?;
                // Steps are recorded in order: none before the last one's day.
                day_from(model.steps.last().map(|s| s.event.day))
            }
        }
    }
}

/// Folds stored steps into models: each model's steps in the order of their days (ties:
/// the order they were filed, [`ModelRecord::seq`]), a step that does not fit where it falls
/// left out, so any set of stored steps gives one answer. Models in the order they were
/// registered, then by name.
pub fn models(records: &[ModelRecord]) -> Vec<Model> {
    let mut by_model: BTreeMap<&ModelId, Vec<&ModelRecord>> = BTreeMap::new();
    for record in records {
        by_model.entry(&record.event.model).or_default().push(record);
    }
    let mut out: Vec<Model> = by_model
        .into_values()
        .filter_map(|mut steps| {
            steps.sort_by(|a, b| (a.event.day, a.seq, &a.event.id).cmp(&(b.event.day, b.seq, &b.event.id)));
            steps.dedup_by(|a, b| a.event.id == b.event.id);
            let mut model: Option<Model> = None;
            for record in steps {
                let Some(status) = ModelStatus::after(model.as_ref().map(|m| m.status), &record.event.step) else {
                    continue;
                };
                match (&mut model, &record.event.step) {
                    (None, ModelStep::Register { unit, content, name }) => {
                        model = Some(Model {
                            id: record.event.model.clone(),
                            unit: unit.clone(),
                            content: *content,
                            name: name.clone(),
                            status,
                            steps: vec![record.clone()],
                        });
                    }
                    (Some(model), _) => {
                        model.status = status;
                        model.steps.push(record.clone());
                    }
                    (None, _) => {}
                }
            }
            model
        })
        .collect();
    out.sort_by(|a, b| (a.steps[0].event.day, &a.name, &a.id).cmp(&(b.steps[0].event.day, &b.name, &b.id)));
    out
}

impl Model {
    /// The sheet that scores it now, if one applies.
    pub fn sheet<'a>(&self, tree: &UnitTree, sheets: &'a [SheetRecord]) -> Option<&'a crate::ScoringSheet> {
        sheet_for(tree, sheets, &self.unit, self.content)
    }

    /// Its last score (`own`: its self-score, else the inspection's), on the sheet it
    /// names; `None` if it has none or the sheet is unknown.
    pub fn score(&self, own: bool, sheets: &[SheetRecord]) -> Option<Total> {
        self.steps.iter().rev().find_map(|s| match (&s.event.step, own) {
            (ModelStep::SelfScore { sheet, points }, true) | (ModelStep::Score { sheet, points }, false) => {
                let sheet = sheets.iter().find(|r| r.sheet.id == *sheet)?;
                sheet.sheet.total(points).ok()
            }
            _ => None,
        })
    }

    /// Scores are given on the sheet that applies, within its items; once a sheet applies,
    /// the verdict is the inspection's score.
    pub fn check_score(&self, step: &ModelStep, tree: &UnitTree, sheets: &[SheetRecord]) -> Result<(), ModelProblem> {
        let applies = self.sheet(tree, sheets);
        match step {
            ModelStep::SelfScore { sheet, points } | ModelStep::Score { sheet, points } => {
                let given = sheets
                    .iter()
                    .find(|r| r.sheet.id == *sheet)
                    .ok_or_else(|| SheetProblem::UnknownSheet(sheet.to_string()))?;
                if applies.is_none_or(|a| a.id != *sheet) {
                    return Err(SheetProblem::NotThisModel { sheet: given.sheet.name.clone() }.into());
                }
                given.sheet.total(points)?;
                Ok(())
            }
            ModelStep::Pass | ModelStep::Fail => match (self.status, self.score(false, sheets), applies) {
                (ModelStatus::Scored, Some(total), _) if total.passed != (*step == ModelStep::Pass) => {
                    Err(ModelProblem::NotTheScore { total: total.describe() })
                }
                (ModelStatus::Inspected, _, Some(sheet)) => Err(ModelProblem::ScoreFirst { sheet: sheet.name.clone() }),
                _ => Ok(()),
            },
            _ => Ok(()),
        }
    }

    /// Its status at the end of `day` (`None`: not registered yet).
    pub fn status_on(&self, day: Date) -> Option<ModelStatus> {
        self.steps
            .iter()
            .take_while(|s| s.event.day <= day)
            .fold(None, |status, s| ModelStatus::after(status, &s.event.step))
    }

    /// Whether it took `step` (of that kind) during the period.
    fn took(&self, period: ReportPeriod, kind: fn(&ModelStep) -> bool) -> bool {
        self.steps.iter().any(|s| period.contains(s.event.day.month()) && kind(&s.event.step))
    }

    /// Whether a report of the period counts it: a step during it, or under way at its end.
    pub fn counts_in(&self, period: ReportPeriod) -> bool {
        self.took(period, |_| true) || self.status_on(period.last_day()).is_some_and(ModelStatus::is_active)
    }
}

/// How many models took each step during a period; a model counts once per step however
/// often it took it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelCounts {
    /// Đang thực hiện — under way at the period's end.
    pub active: u32,
    pub registered: u32,
    pub withdrawn: u32,
    pub reregistered: u32,
    pub inspected: u32,
    /// Scored by an inspection team.
    #[serde(default)]
    pub scored: u32,
    pub passed: u32,
    pub failed: u32,
    pub commended: u32,
    pub replicated: u32,
}

/// One count of [`ModelCounts`].
pub type CountOf = fn(&ModelCounts) -> u32;

/// The rows of [`ModelCounts`] as a report names them, in order.
pub const COUNT_ROWS: [(&str, CountOf); 10] = [
    ("Mô hình đang thực hiện (cuối kỳ)", |c| c.active),
    ("Mô hình đăng ký", |c| c.registered),
    ("Mô hình rút đăng ký", |c| c.withdrawn),
    ("Mô hình đăng ký lại", |c| c.reregistered),
    ("Mô hình được kiểm tra, thẩm định", |c| c.inspected),
    ("Mô hình được chấm điểm", |c| c.scored),
    ("Mô hình nghiệm thu đạt", |c| c.passed),
    ("Mô hình nghiệm thu không đạt", |c| c.failed),
    ("Mô hình tiêu biểu, được biểu dương, khen thưởng", |c| c.commended),
    ("Mô hình duy trì, nhân rộng", |c| c.replicated),
];

impl ModelCounts {
    fn add(&mut self, model: &Model, period: ReportPeriod) {
        let count = |counted: bool, n: &mut u32| *n += u32::from(counted);
        count(model.status_on(period.last_day()).is_some_and(ModelStatus::is_active), &mut self.active);
        count(model.took(period, |s| matches!(s, ModelStep::Register { .. })), &mut self.registered);
        count(model.took(period, |s| *s == ModelStep::Withdraw), &mut self.withdrawn);
        count(model.took(period, |s| *s == ModelStep::Reregister), &mut self.reregistered);
        count(model.took(period, |s| *s == ModelStep::Inspect), &mut self.inspected);
        count(model.took(period, |s| matches!(s, ModelStep::Score { .. })), &mut self.scored);
        count(model.took(period, |s| *s == ModelStep::Pass), &mut self.passed);
        count(model.took(period, |s| *s == ModelStep::Fail), &mut self.failed);
        count(model.took(period, |s| *s == ModelStep::Commend), &mut self.commended);
        count(model.took(period, |s| *s == ModelStep::Replicate), &mut self.replicated);
    }
}

/// One unit's models of a period: in all, and by content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitModels {
    pub unit: UnitId,
    pub name: String,
    pub counts: ModelCounts,
    /// Content number → its models' counts (contents with none left out).
    pub by_content: BTreeMap<u8, ModelCounts>,
}

impl UnitModels {
    fn add(&mut self, model: &Model, period: ReportPeriod) {
        self.counts.add(model, period);
        self.by_content.entry(model.content).or_default().add(model, period);
    }
}

/// `GET /api/v1/units/{id}/models` — the models of a unit and its children for a period,
/// counted, and listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelReport {
    pub period: ReportPeriod,
    pub unit: UnitModels,
    pub children: Vec<UnitModels>,
    /// The models the counts rest on (a step during the period, or under way at its
    /// end), in the order they were registered.
    pub models: Vec<Model>,
}

/// Counts the models registered at or below `unit` for the period, and each child's.
pub fn model_report(tree: &UnitTree, unit: &UnitId, period: ReportPeriod, all: &[Model]) -> ModelReport {
    let empty = |id: &UnitId, name: &str| UnitModels {
        unit: id.clone(),
        name: name.to_string(),
        counts: ModelCounts::default(),
        by_content: BTreeMap::new(),
    };
    let name = tree.get(unit).map(|u| u.name.as_str()).unwrap_or_default();
    let mut this = empty(unit, name);
    // The report's columns (an area merged into another is that one's), and the column
    // of every unit each reads.
    let columns = crate::report_columns(tree, unit, period);
    let mut children: Vec<UnitModels> =
        columns.iter().map(|(c, _)| empty(&c.id, &crate::report::column_name(tree, unit, c))).collect();
    let position = crate::report::column_of(&columns);
    let mut models = Vec::new();
    // Each unit's reach, worked out once: a unit registers many models.
    let mut reaches: BTreeMap<&UnitId, Vec<UnitId>> = BTreeMap::new();
    for model in all.iter().filter(|m| m.counts_in(period)) {
        let chain = reaches.entry(&model.unit).or_insert_with(|| tree.reach_of(&model.unit));
        if !chain.contains(unit) {
            continue;
        }
        // At most one child holds it.
        if let Some(child) = chain.iter().find_map(|id| position.get(id)) {
            children[*child].add(model, period);
        }
        this.add(model, period);
        models.push(model.clone());
    }
    ModelReport { period, unit: this, children, models }
}

/// Points, one per item: whole numbers a `u16` holds.
#[cfg(feature = "openapi")]
fn points_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
    let point = ObjectBuilder::new().schema_type(SchemaType::new(Type::Integer)).minimum(Some(0)).maximum(Some(65_535));
    ArrayBuilder::new().items(point).max_items(Some(crate::scoring::MAX_ITEMS)).build()
}

/// A sheet id for asking the lifecycle table about a score, whatever its sheet.
fn placeholder() -> EventId {
    EventId::new("pc-").expect("a slug")
}

#[cfg(test)]
mod tests;
