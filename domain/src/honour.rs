//! Danh hiệu, khen thưởng — what the Front records as decided, never computes: the yearly
//! title "Thôn / Tổ dân phố văn hóa" of an area, the households recognised "Gia đình văn
//! hóa" in a year, commendations (giấy khen, bằng khen) to a unit or to a person, and
//! "Dân vận khéo" exemplars. Each is an [`Honour`] with the decision behind it (number,
//! day, who decided), filed once by its id; a wrong one is withdrawn: kept, no longer
//! counted. Over a range of years titles sum as "lượt" (Bắc Kạn city: 713 recognitions
//! of its 127 areas). Names of people appear only here, as the Front publishes them.

use crate::{Date, DeviceId, EventId, ReportPeriod, UnitId, UnitLevel, UnitTree};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest decision number ("125/QĐ-UBND"), issuer, recipient and citation, in characters.
pub const MAX_NUMBER: usize = 40;
pub const MAX_ISSUER: usize = 120;
pub const MAX_RECIPIENT: usize = 100;
pub const MAX_CITATION: usize = 300;

/// Most households one record recognises (a commune's year).
pub const MAX_HOUSEHOLDS: u32 = 100_000;

/// Quyết định — the decision an honour rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision {
    /// Số quyết định, "125/QĐ-UBND".
    pub number: String,
    /// Ngày quyết định.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub day: Date,
    /// Who decided: "UBND xã Nông Thượng", "Ủy ban MTTQ Việt Nam tỉnh".
    pub issuer: String,
}

/// Hình thức khen thưởng.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CommendationForm {
    GiayKhen,
    BangKhen,
}

/// Cấp khen thưởng.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HonourLevel {
    Commune,
    District,
    Province,
    Central,
}

/// What is honoured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HonourKind {
    /// Danh hiệu "Thôn / Tổ dân phố văn hóa" of a residential area for a year.
    CulturalArea {
        #[cfg_attr(feature = "openapi", schema(minimum = 2000, maximum = 2100))]
        year: u16,
    },
    /// Xã đạt chuẩn nông thôn mới — a commune recognised as meeting the new-rural standard,
    /// once, in a year (Xã Nông Thượng, 2017).
    NewRural {
        #[cfg_attr(feature = "openapi", schema(minimum = 2000, maximum = 2100))]
        year: u16,
    },
    /// Hộ được công nhận "Gia đình văn hóa" in a year.
    CulturalFamilies {
        #[cfg_attr(feature = "openapi", schema(minimum = 2000, maximum = 2100))]
        year: u16,
        #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 4_294_967_295_u64))]
        households: u32,
    },
    /// Giấy khen or bằng khen, to the unit itself (`recipient` empty) or to a person in it.
    Commendation { form: CommendationForm, level: HonourLevel, recipient: String, reason: String },
    /// Điển hình "Dân vận khéo": a person or a collective, with a short citation.
    Exemplar { recipient: String, citation: String },
}

/// One honour, as an officer records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Honour {
    /// Its own id, made by the phone: sending it again changes nothing.
    pub id: EventId,
    /// The area, commune or ward honoured (or the person's).
    pub unit: UnitId,
    pub kind: HonourKind,
    pub decision: Decision,
}

/// An honour as stored: who filed it and when, and its withdrawal if it was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HonourRecord {
    pub honour: Honour,
    pub by: DeviceId,
    pub at_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<Withdrawal>,
}

/// Who withdrew a wrong record, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Withdrawal {
    pub by: DeviceId,
    pub at_ms: u64,
}

/// The answer to a record: as stored, and whether it was there already.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HonourFiled {
    pub record: HonourRecord,
    pub repeated: bool,
}

/// Why a record was refused, in Vietnamese for the officer. Nothing changes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HonourProblem {
    #[error("invalid decision")]
    InvalidDecision,
    #[error("invalid recipient or citation")]
    InvalidText,
    #[error("invalid year")]
    InvalidYear { latest: u16 },
    #[error("invalid number of households")]
    InvalidHouseholds,
    #[error("unknown unit `{0}`")]
    UnknownUnit(String),
    #[error("`{0}` cannot take this honour")]
    WrongUnit(String),
    #[error("already recognised")]
    AlreadyRecognised { area: String, year: u16, number: String },
    #[error("unknown honour `{0}`")]
    UnknownHonour(String),
    #[error("event id reused for another record")]
    EventIdReused,
}

impl HonourProblem {
    /// Every code [`HonourProblem::code`] can return, for API documentation.
    pub const CODES: &'static [&'static str] = &[
        "invalid_decision",
        "invalid_text",
        "invalid_year",
        "invalid_households",
        "unknown_unit",
        "wrong_unit",
        "already_recognised",
        "unknown_honour",
        "event_id_reused",
    ];

    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidDecision => "invalid_decision",
            Self::InvalidText => "invalid_text",
            Self::InvalidYear { .. } => "invalid_year",
            Self::InvalidHouseholds => "invalid_households",
            Self::UnknownUnit(_) => "unknown_unit",
            Self::WrongUnit(_) => "wrong_unit",
            Self::AlreadyRecognised { .. } => "already_recognised",
            Self::UnknownHonour(_) => "unknown_honour",
            Self::EventIdReused => "event_id_reused",
        }
    }

    /// Conflicts with what is stored (409), rather than a request wrong in itself (422).
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::AlreadyRecognised { .. } | Self::EventIdReused)
    }

    pub fn message_vi(&self) -> String {
        match self {
            Self::InvalidDecision => format!(
                "Quyết định cần có số (không quá {MAX_NUMBER} ký tự, ví dụ \"125/QĐ-UBND\"), ngày không sau hôm nay \
                 và nơi quyết định (không quá {MAX_ISSUER} ký tự)."
            ),
            Self::InvalidText => format!(
                "Tên người hoặc tập thể không quá {MAX_RECIPIENT} ký tự, lý do hoặc lời biểu dương không quá \
                 {MAX_CITATION} ký tự, không bắt đầu bằng = + - @; điển hình \"Dân vận khéo\" cần có cả tên và lời biểu dương."
            ),
            Self::InvalidYear { latest } => format!("Năm công nhận phải từ 2000 đến {latest}."),
            Self::InvalidHouseholds => format!("Số hộ phải từ 1 đến {}.", crate::format::group(MAX_HOUSEHOLDS.into())),
            Self::UnknownUnit(id) => format!("Không tìm thấy đơn vị: {id}."),
            Self::WrongUnit(name) => {
                format!(
                    "{name} không nhận được danh hiệu này (danh hiệu văn hóa của thôn, tổ dân phố là của khu dân cư; \
                     chuẩn nông thôn mới là của xã)."
                )
            }
            Self::AlreadyRecognised { area, year, number } => {
                format!("{area} đã được công nhận năm {year} (quyết định số {number}).")
            }
            Self::UnknownHonour(id) => format!("Không tìm thấy bản ghi khen thưởng: {id}."),
            Self::EventIdReused => "Bản ghi này trùng mã với một bản ghi khác; hãy tải lại trang rồi ghi lại.".into(),
        }
    }
}

impl CommendationForm {
    pub const ALL: [CommendationForm; 2] = [CommendationForm::GiayKhen, CommendationForm::BangKhen];
    pub fn name_vi(self) -> &'static str {
        match self {
            CommendationForm::GiayKhen => "Giấy khen",
            CommendationForm::BangKhen => "Bằng khen",
        }
    }
}

impl HonourLevel {
    pub const ALL: [HonourLevel; 4] =
        [HonourLevel::Commune, HonourLevel::District, HonourLevel::Province, HonourLevel::Central];
    pub fn name_vi(self) -> &'static str {
        match self {
            HonourLevel::Commune => "cấp xã",
            HonourLevel::District => "cấp huyện",
            HonourLevel::Province => "cấp tỉnh",
            HonourLevel::Central => "Trung ương",
        }
    }
}

use crate::text::canonical as text;

impl Honour {
    /// The same record with its texts made canonical.
    pub fn canonical(mut self) -> Result<Self, HonourProblem> {
        let d = &mut self.decision;
        d.number = text(&d.number, MAX_NUMBER).filter(|n| !n.is_empty()).ok_or(HonourProblem::InvalidDecision)?;
        d.issuer = text(&d.issuer, MAX_ISSUER).filter(|n| !n.is_empty()).ok_or(HonourProblem::InvalidDecision)?;
        match &mut self.kind {
            HonourKind::Commendation { recipient, reason, .. } => {
                *recipient = text(recipient, MAX_RECIPIENT).ok_or(HonourProblem::InvalidText)?;
                *reason = text(reason, MAX_CITATION).ok_or(HonourProblem::InvalidText)?;
            }
            HonourKind::Exemplar { recipient, citation } => {
                *recipient =
                    text(recipient, MAX_RECIPIENT).filter(|t| !t.is_empty()).ok_or(HonourProblem::InvalidText)?;
                *citation = text(citation, MAX_CITATION).filter(|t| !t.is_empty()).ok_or(HonourProblem::InvalidText)?;
            }
            HonourKind::CulturalArea { .. } | HonourKind::NewRural { .. } | HonourKind::CulturalFamilies { .. } => {}
        }
        Ok(self)
    }

    /// What it is, in words: "Danh hiệu \"Thôn, Tổ dân phố văn hóa\" năm 2025", "Giấy
    /// khen cấp huyện cho Bà Lường Thị Hoa".
    pub fn describe(&self) -> String {
        match &self.kind {
            HonourKind::CulturalArea { year } => format!("Danh hiệu \"Thôn, Tổ dân phố văn hóa\" năm {year}"),
            HonourKind::NewRural { year } => format!("Đạt chuẩn nông thôn mới năm {year}"),
            HonourKind::CulturalFamilies { year, households } => {
                format!("{} hộ \"Gia đình văn hóa\" năm {year}", crate::format::group((*households).into()))
            }
            HonourKind::Commendation { form, level, recipient, .. } => {
                let to = if recipient.is_empty() { "tập thể".to_string() } else { recipient.clone() };
                format!("{} {} cho {to}", form.name_vi(), level.name_vi())
            }
            HonourKind::Exemplar { recipient, .. } => format!("Điển hình \"Dân vận khéo\": {recipient}"),
        }
    }

    /// The year a title is for, if it is one.
    pub fn title_year(&self) -> Option<u16> {
        match self.kind {
            HonourKind::CulturalArea { year }
            | HonourKind::NewRural { year }
            | HonourKind::CulturalFamilies { year, .. } => Some(year),
            _ => None,
        }
    }

    /// May it be filed, beside the records stored (`stored`), on `today`? Texts must
    /// already be canonical.
    pub fn check(&self, tree: &UnitTree, stored: &[HonourRecord], today: Date) -> Result<(), HonourProblem> {
        let unit = tree.get(&self.unit).map_err(|_| HonourProblem::UnknownUnit(self.unit.to_string()))?;
        let latest = today.month().year();
        if let Some(year) = self.title_year()
            && !(2000..=latest).contains(&year)
        {
            return Err(HonourProblem::InvalidYear { latest });
        }
        if self.decision.day > today {
            return Err(HonourProblem::InvalidDecision);
        }
        match &self.kind {
            // A title: for an area once a year; for a commune, the standard once.
            HonourKind::CulturalArea { year } | HonourKind::NewRural { year } => {
                let fits = match self.kind {
                    HonourKind::NewRural { .. } => unit.level == UnitLevel::Commune,
                    _ => unit.is_area(),
                };
                if !fits {
                    return Err(HonourProblem::WrongUnit(unit.name.clone()));
                }
                let earlier = stored.iter().find(|r| {
                    r.withdrawn.is_none()
                        && r.honour.unit == self.unit
                        && r.honour.id != self.id
                        && match (&r.honour.kind, &self.kind) {
                            (HonourKind::NewRural { .. }, HonourKind::NewRural { .. }) => true,
                            (earlier, this) => earlier == this,
                        }
                });
                if let Some(r) = earlier {
                    let number = r.honour.decision.number.clone();
                    let year = r.honour.title_year().unwrap_or(*year);
                    return Err(HonourProblem::AlreadyRecognised { area: unit.name.clone(), year, number });
                }
            }
            HonourKind::CulturalFamilies { households, .. } => {
                if !(1..=MAX_HOUSEHOLDS).contains(households) {
                    return Err(HonourProblem::InvalidHouseholds);
                }
                if !matches!(unit.level, UnitLevel::Area | UnitLevel::Commune | UnitLevel::Ward) {
                    return Err(HonourProblem::WrongUnit(unit.name.clone()));
                }
            }
            HonourKind::Commendation { .. } | HonourKind::Exemplar { .. } => {}
        }
        Ok(())
    }

    /// Whether a report of the period counts it: a title for one of its years, anything
    /// else decided during it.
    pub fn falls_in(&self, period: ReportPeriod) -> bool {
        match self.title_year() {
            Some(year) => period.years().contains(&year),
            None => period.contains(self.decision.day.month()),
        }
    }
}

/// What a unit's honours of a period add up to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HonourCounts {
    /// Lượt khu dân cư được công nhận "Thôn / Tổ dân phố văn hóa".
    pub cultural_areas: u32,
    /// Lượt hộ được công nhận "Gia đình văn hóa".
    pub cultural_families: u64,
    pub giay_khen: u32,
    pub bang_khen: u32,
    /// Of the commendations, those to a person.
    pub to_persons: u32,
    pub exemplars: u32,
    /// Xã được công nhận đạt chuẩn nông thôn mới.
    #[serde(default)]
    pub new_rural: u32,
}

/// One count of [`HonourCounts`].
pub type HonourCountOf = fn(&HonourCounts) -> u64;

/// The rows of [`HonourCounts`] as a report names them: label, unit, count.
pub const HONOUR_ROWS: [(&str, &str, HonourCountOf); 7] = [
    ("Khu dân cư được công nhận \"Thôn, Tổ dân phố văn hóa\"", "lượt", |c| c.cultural_areas.into()),
    ("Hộ được công nhận \"Gia đình văn hóa\"", "lượt hộ", |c| c.cultural_families),
    ("Xã được công nhận đạt chuẩn nông thôn mới", "xã", |c| c.new_rural.into()),
    ("Giấy khen", "bản", |c| c.giay_khen.into()),
    ("Bằng khen", "bản", |c| c.bang_khen.into()),
    ("Trong đó khen cá nhân", "bản", |c| c.to_persons.into()),
    ("Điển hình \"Dân vận khéo\"", "điển hình", |c| c.exemplars.into()),
];

impl HonourCounts {
    fn add(&mut self, honour: &Honour) {
        match &honour.kind {
            HonourKind::CulturalArea { .. } => self.cultural_areas += 1,
            HonourKind::NewRural { .. } => self.new_rural += 1,
            HonourKind::CulturalFamilies { households, .. } => self.cultural_families += u64::from(*households),
            HonourKind::Commendation { form, recipient, .. } => {
                match form {
                    CommendationForm::GiayKhen => self.giay_khen += 1,
                    CommendationForm::BangKhen => self.bang_khen += 1,
                }
                self.to_persons += u32::from(!recipient.is_empty());
            }
            HonourKind::Exemplar { .. } => self.exemplars += 1,
        }
    }
}

/// One unit's honours of a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitHonours {
    pub unit: UnitId,
    pub name: String,
    pub counts: HonourCounts,
}

/// `GET /api/v1/units/{id}/honours` — the honours of a unit and its children for a
/// period, counted, and listed (withdrawn ones listed, not counted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HonourReport {
    pub period: ReportPeriod,
    pub unit: UnitHonours,
    pub children: Vec<UnitHonours>,
    /// The records of the period at or below the unit, the latest decision first.
    pub records: Vec<HonourRecord>,
}

/// Counts the honours at or below `unit` for the period, and each child's.
pub fn honour_report(tree: &UnitTree, unit: &UnitId, period: ReportPeriod, all: &[HonourRecord]) -> HonourReport {
    let name = |id: &UnitId| tree.get(id).map(|u| u.name.clone()).unwrap_or_default();
    let mut this = UnitHonours { unit: unit.clone(), name: name(unit), counts: HonourCounts::default() };
    let columns = crate::report_columns(tree, unit, period);
    let mut children: Vec<UnitHonours> = (columns.iter())
        .map(|(c, _)| {
            let name = crate::report::column_name(tree, unit, c);
            UnitHonours { unit: c.id.clone(), name, counts: HonourCounts::default() }
        })
        .collect();
    let position = crate::report::column_of(&columns);
    let mut records = Vec::new();
    // Each unit's reach, worked out once: a unit is honoured many times.
    let mut reaches: BTreeMap<&UnitId, Vec<UnitId>> = BTreeMap::new();
    for record in all.iter().filter(|r| r.honour.falls_in(period)) {
        let chain = reaches.entry(&record.honour.unit).or_insert_with(|| tree.reach_of(&record.honour.unit));
        if !chain.contains(unit) {
            continue;
        }
        if record.withdrawn.is_none() {
            if let Some(child) = chain.iter().find_map(|id| position.get(id)) {
                children[*child].counts.add(&record.honour);
            }
            this.counts.add(&record.honour);
        }
        records.push(record.clone());
    }
    records.sort_by_key(|r| std::cmp::Reverse((r.honour.decision.day, r.at_ms)));
    HonourReport { period, unit: this, children, records }
}

#[cfg(test)]
mod tests;
