//! Thay đổi danh mục — a province's changes to its catalogue, made by its administrator
//! without a release: an indicator added, renamed or retired. A province's catalogue is
//! the standard one with its changes applied in the order they were filed
//! ([`Catalogue::with_changes`]); phones learn its version by sync.

use super::{Catalogue, Indicator, IndicatorKind};
use crate::{Date, DeviceId, EventId, IndicatorId, UnitId};
use serde::{Deserialize, Serialize};

/// The prefix of a change's id, made by the phone that files it.
pub const CHANGE_ID_PREFIX: &str = "dm-";
/// Longest label of an indicator, in characters.
pub const MAX_LABEL: usize = 120;
/// Longest unit of measure, in characters.
pub const MAX_UNIT: usize = 20;
/// Most indicators a province may add.
pub const MAX_ADDED: usize = 200;

/// A province's change to its catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogueChange {
    /// Its own id (`dm-…`), made by the phone that files it: sending it again changes nothing.
    pub id: EventId,
    /// The province (of today's map) whose catalogue it changes.
    pub province: UnitId,
    pub edit: CatalogueEdit,
}

/// An indicator a province adds: a counter, a level or a flag (a ratio is computed from
/// its parts, so none is added).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewIndicator {
    pub id: IndicatorId,
    pub label: String,
    /// Unit of measure: "hộ", "m", "đồng"; `ha` for land kept in m².
    pub unit: String,
    pub kind: AddedKind,
    /// The content (1–5) it belongs to; none for a general baseline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub content: Option<u8>,
}

/// The kinds of indicator a province may add.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AddedKind {
    Counter,
    Level,
    Flag,
}

impl NewIndicator {
    /// The indicator as the catalogue lists it.
    pub fn indicator(&self) -> Indicator {
        let kind = match self.kind {
            AddedKind::Counter => IndicatorKind::Counter,
            AddedKind::Level => IndicatorKind::Level,
            AddedKind::Flag => IndicatorKind::Flag,
        };
        let (label, unit) = (self.label.trim().to_string(), self.unit.trim().to_string());
        Indicator { id: self.id.clone(), label, unit, kind, content: self.content, retired: None }
    }
}

/// What a change does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CatalogueEdit {
    /// A new indicator: a counter, a level or a flag, of a content or a general baseline.
    /// Land in hectares has the unit `ha`, and is kept in m² ([`crate::format::HECTARE`]).
    Add { indicator: NewIndicator },
    /// A new label for an indicator; its figures stay as they are.
    Rename { indicator: IndicatorId, label: String },
    /// No longer counted from `from`, the first day of a month not before this one: its
    /// figures of the months before still count and report.
    Retire {
        indicator: IndicatorId,
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
        from: Date,
    },
}

impl CatalogueEdit {
    /// The indicator it changes.
    pub fn indicator(&self) -> &IndicatorId {
        match self {
            CatalogueEdit::Add { indicator } => &indicator.id,
            CatalogueEdit::Rename { indicator, .. } | CatalogueEdit::Retire { indicator, .. } => indicator,
        }
    }
}

/// A change as filed: who made it, when, and its place among its indicator's changes
/// (`seq`: the number of that indicator's changes it was checked against, so two changes
/// of one indicator checked at once cannot both be filed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogueChangeRecord {
    pub change: CatalogueChange,
    pub by: DeviceId,
    pub at_ms: u64,
    pub seq: u32,
}

/// The answer to a change filed: the province's catalogue after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogueChanged {
    pub catalogue: Catalogue,
    /// The same change was filed before: nothing more was stored.
    pub repeated: bool,
}

/// Why a change of the catalogue was refused. Nothing is stored when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueProblem {
    #[error("the id of a change must start with `dm-`")]
    InvalidId,
    #[error("`{0}` is not a province of today's map")]
    NotAProvince(String),
    #[error("unknown indicator `{0}`")]
    UnknownIndicator(String),
    #[error("indicator id `{0}` is taken")]
    IdTaken(String),
    #[error("invalid label")]
    InvalidLabel,
    #[error("invalid unit of measure")]
    InvalidUnit,
    #[error("no content {0}")]
    UnknownContent(u8),
    #[error("too many indicators added")]
    TooMany,
    #[error("`{label}` is retired from {from}")]
    Retired { label: String, from: String },
    #[error("`{label}` is a part of the ratio `{ratio}`")]
    PartOfRatio { label: String, ratio: String },
    /// A retirement not from the first day of a month, or from a month already begun
    /// (`earliest`, dd/mm/yyyy): figures already counted would drop out of reports.
    #[error("a retirement from a month's first day, not before {earliest}")]
    RetireDay { earliest: String },
    #[error("change id reused for another change")]
    IdReused,
}

impl CatalogueProblem {
    /// Every code [`CatalogueProblem::code`] can return, for API documentation.
    pub const CODES: &'static [&'static str] = &[
        "invalid_change_id",
        "not_a_province",
        "unknown_indicator",
        "indicator_id_taken",
        "invalid_label",
        "invalid_unit_of_measure",
        "unknown_content",
        "too_many_indicators",
        "already_retired",
        "part_of_ratio",
        "invalid_retire_day",
        "change_id_reused",
    ];

    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidId => "invalid_change_id",
            Self::NotAProvince(_) => "not_a_province",
            Self::UnknownIndicator(_) => "unknown_indicator",
            Self::IdTaken(_) => "indicator_id_taken",
            Self::InvalidLabel => "invalid_label",
            Self::InvalidUnit => "invalid_unit_of_measure",
            Self::UnknownContent(_) => "unknown_content",
            Self::TooMany => "too_many_indicators",
            Self::Retired { .. } => "already_retired",
            Self::PartOfRatio { .. } => "part_of_ratio",
            Self::RetireDay { .. } => "invalid_retire_day",
            Self::IdReused => "change_id_reused",
        }
    }

    /// Conflicts with what is stored (409), rather than a request wrong in itself (422).
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::IdReused | Self::IdTaken(_) | Self::Retired { .. })
    }

    pub fn message_vi(&self) -> String {
        match self {
            Self::InvalidId => format!("Mã thay đổi phải bắt đầu bằng \"{CHANGE_ID_PREFIX}\"; hãy tải lại trang."),
            Self::NotAProvince(id) => {
                format!("Danh mục chỉ tiêu do tỉnh, thành phố quản lý; {id} không phải tỉnh, thành phố hiện nay.")
            }
            Self::UnknownIndicator(id) => format!("Không có chỉ tiêu {id} trong danh mục của tỉnh."),
            Self::IdTaken(id) => format!("Mã chỉ tiêu \"{id}\" đã có trong danh mục (kể cả chỉ tiêu đã thôi dùng)."),
            Self::InvalidLabel => {
                format!("Tên chỉ tiêu cần có chữ, không quá {MAX_LABEL} ký tự, không bắt đầu bằng = + - @.")
            }
            Self::InvalidUnit => format!("Đơn vị tính cần có chữ, không quá {MAX_UNIT} ký tự (ví dụ: hộ, m, ha)."),
            Self::UnknownContent(n) => format!("Không có nội dung {n}; Cuộc vận động có 5 nội dung."),
            Self::TooMany => format!("Mỗi tỉnh thêm được tối đa {MAX_ADDED} chỉ tiêu."),
            Self::Retired { label, from } => format!("Chỉ tiêu \"{label}\" đã thôi dùng từ ngày {from}."),
            Self::PartOfRatio { label, ratio } => {
                format!("Chỉ tiêu \"{label}\" dùng để tính tỷ lệ \"{ratio}\": hãy cho tỷ lệ đó thôi dùng trước.")
            }
            Self::RetireDay { earliest } => format!(
                "Chỉ tiêu thôi dùng từ ngày đầu một tháng, sớm nhất là {earliest}: số liệu đã ghi của các tháng \
                 trước vẫn giữ trong báo cáo."
            ),
            Self::IdReused => "Thay đổi này trùng mã với một thay đổi khác; hãy tải lại trang rồi làm lại.".into(),
        }
    }
}

/// A label or unit as a province may write it: some letters, at most `max` characters,
/// not starting like a spreadsheet formula.
fn fits(text: &str, max: usize) -> bool {
    let text = text.trim();
    !text.is_empty()
        && text.chars().count() <= max
        && !text.starts_with(['=', '+', '-', '@'])
        && !text.chars().any(char::is_control)
        && text.chars().any(char::is_alphanumeric)
}

/// The id of an indicator a province adds, from its label: its words without diacritics,
/// joined by `_` ("Diện tích rừng trồng mới" → `dien_tich_rung_trong_moi`), at most 48
/// characters; `None` for a label with no letter or digit.
pub fn indicator_id_for(label: &str) -> Option<IndicatorId> {
    let folded = crate::search::fold(label);
    let mut id = crate::search::words(&folded).collect::<Vec<_>>().join("_");
    id.truncate(48);
    IndicatorId::new(id.trim_end_matches('_')).ok()
}

impl CatalogueChange {
    /// Whether the change may be made on `today` to `catalogue` (the province's as it
    /// stands): the one rule of what a province may change.
    pub fn check(&self, catalogue: &Catalogue, today: Date) -> Result<(), CatalogueProblem> {
        if !self.id.as_str().starts_with(CHANGE_ID_PREFIX) {
            return Err(CatalogueProblem::InvalidId);
        }
        let id = self.edit.indicator();
        match &self.edit {
            CatalogueEdit::Add { indicator } => {
                if catalogue.get(id).is_ok() {
                    return Err(CatalogueProblem::IdTaken(id.to_string()));
                }
                if !fits(&indicator.label, MAX_LABEL) {
                    return Err(CatalogueProblem::InvalidLabel);
                }
                if !fits(&indicator.unit, MAX_UNIT) {
                    return Err(CatalogueProblem::InvalidUnit);
                }
                if let Some(n) = indicator.content
                    && !catalogue.contents.iter().any(|c| c.number == n)
                {
                    return Err(CatalogueProblem::UnknownContent(n));
                }
                let standard = Catalogue::standard();
                if catalogue.indicators.iter().filter(|i| standard.get(&i.id).is_err()).count() >= MAX_ADDED {
                    return Err(CatalogueProblem::TooMany);
                }
                Ok(())
            }
            CatalogueEdit::Rename { label, .. } => {
                self.open(catalogue)?;
                if fits(label, MAX_LABEL) { Ok(()) } else { Err(CatalogueProblem::InvalidLabel) }
            }
            CatalogueEdit::Retire { from, .. } => {
                let earliest = Date::first_of(today.month());
                if *from < earliest || from.day() != 1 {
                    return Err(CatalogueProblem::RetireDay { earliest: earliest.to_vietnamese() });
                }
                let indicator = self.open(catalogue)?;
                let ratio = catalogue.indicators.iter().find(|r| {
                    r.retired.is_none()
                        && matches!(&r.kind, IndicatorKind::Ratio { numerator, denominator }
                            if numerator == id || denominator == id)
                });
                match ratio {
                    Some(ratio) => Err(CatalogueProblem::PartOfRatio {
                        label: indicator.label.clone(),
                        ratio: ratio.label.clone(),
                    }),
                    None => Ok(()),
                }
            }
        }
    }

    /// The indicator changed, which must be in the catalogue and not retired.
    fn open<'a>(&self, catalogue: &'a Catalogue) -> Result<&'a Indicator, CatalogueProblem> {
        let id = self.edit.indicator();
        let indicator = catalogue.get(id).map_err(|_| CatalogueProblem::UnknownIndicator(id.to_string()))?;
        match indicator.retired {
            Some(from) => Err(CatalogueProblem::Retired { label: indicator.label.clone(), from: from.to_vietnamese() }),
            None => Ok(indicator),
        }
    }
}

impl Catalogue {
    /// This catalogue with a province's changes applied in the order they were filed: by
    /// time, each indicator's changes in their own order (`seq`) whatever the servers'
    /// clocks. Its version names the province and counts its changes (`2025.1+{province}.3`;
    /// the standard one's, with none), so a phone moved to another province fetches its
    /// own. Each change was checked when filed; the fold passes over an indicator added
    /// with an id already listed (a later standard catalogue taking an id a province
    /// added: the standard one holds).
    pub fn with_changes<'a>(&self, changes: impl IntoIterator<Item = &'a CatalogueChangeRecord>) -> Catalogue {
        let mut changes: Vec<_> = changes.into_iter().collect();
        changes.sort_by_key(|r| (r.change.edit.indicator().clone(), r.seq));
        let mut at = Vec::with_capacity(changes.len());
        for (i, record) in changes.iter().enumerate() {
            let same = i > 0 && changes[i - 1].change.edit.indicator() == record.change.edit.indicator();
            at.push(if same { record.at_ms.max(at[i - 1]) } else { record.at_ms });
        }
        let mut order: Vec<usize> = (0..changes.len()).collect();
        order.sort_by_key(|&i| at[i]);
        let mut out = self.clone();
        for i in order {
            out.apply(&changes[i].change.edit);
        }
        if let Some(first) = changes.first() {
            out.version = format!("{}+{}.{}", self.version, first.change.province, changes.len());
        }
        out
    }

    /// Makes one change (checked by [`CatalogueChange::check`]).
    fn apply(&mut self, edit: &CatalogueEdit) {
        match edit {
            CatalogueEdit::Add { indicator } => {
                if self.get(&indicator.id).is_ok() {
                    return;
                }
                self.indicators.push(indicator.indicator());
            }
            CatalogueEdit::Rename { indicator, label } => {
                if let Some(i) = self.indicators.iter_mut().find(|i| &i.id == indicator) {
                    i.label = label.trim().to_string();
                }
            }
            CatalogueEdit::Retire { indicator, from } => {
                if let Some(i) = self.indicators.iter_mut().find(|i| &i.id == indicator) {
                    i.retired = Some(*from);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
