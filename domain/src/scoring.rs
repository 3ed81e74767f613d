//! Phiếu chấm điểm — the scoring sheets a province's or a district's Front sets for the
//! models of its subtree: criteria, each with items and their maximum points, and a pass
//! mark (Bắc Kạn city's "Khu dân cư văn minh": 5 criteria, 23 items, 100 points).
//!
//! An area or a ward scores itself on the sheet ([`crate::ModelStep::SelfScore`]); the
//! inspection team scores it after inspecting ([`crate::ModelStep::Score`]). The total and
//! the verdict are computed here ([`ScoringSheet::total`]), never typed: once a sheet
//! applies to a model, its acceptance must follow the inspection's score
//! ([`crate::ModelEvent::check`]).
//!
//! A sheet is never edited: a new one for the same unit and content takes over for the
//! scores after it, and a score keeps naming the sheet it was given on.

use crate::{Catalogue, DeviceId, EventId, UnitId, UnitTree};
use serde::{Deserialize, Serialize};

/// The prefix of a sheet's id, made by the phone that sets it.
pub const SHEET_ID_PREFIX: &str = "pc-";

/// Longest name of a sheet, a criterion or an item, in characters.
pub const MAX_SHEET_TEXT: usize = 200;

/// Most criteria of a sheet, and most items of all its criteria together.
pub const MAX_CRITERIA: usize = 20;
pub const MAX_ITEMS: usize = 100;

/// Most points of one item.
pub const MAX_ITEM_POINTS: u16 = 100;

/// A scoring sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoringSheet {
    /// Its own id (`pc-…`), made by the phone that sets it: sending it again changes nothing.
    pub id: EventId,
    /// The unit whose models it scores: its subtree's (the nearest unit's sheet wins).
    pub unit: UnitId,
    /// The content whose models it scores, 1 to 5.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub content: u8,
    /// "Khu dân cư văn minh".
    pub name: String,
    pub criteria: Vec<Criterion>,
    /// The total a model needs to pass.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 65535))]
    pub pass_mark: u16,
}

/// Tiêu chí — one criterion and its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Criterion {
    pub name: String,
    pub items: Vec<ScoreItem>,
}

/// One item of a criterion, scored from 0 to `max`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoreItem {
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100))]
    pub max: u16,
}

/// A sheet as stored: who set it, when (the server's clock).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SheetRecord {
    pub sheet: ScoringSheet,
    pub by: DeviceId,
    pub at_ms: u64,
}

/// The answer to a sheet set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SheetFiled {
    pub record: SheetRecord,
    /// The same sheet was set before (a repeat): nothing changed now.
    pub repeated: bool,
}

/// The sheets that concern a caller of scope `scope`: set at or above it (they score its
/// models) or below it (its subtree's), in the order they were set.
pub fn sheets_seen_from(tree: &UnitTree, scope: &UnitId, all: Vec<SheetRecord>) -> Vec<SheetRecord> {
    let above = tree.self_and_ancestors(scope);
    let mut seen: Vec<SheetRecord> = all
        .into_iter()
        .filter(|r| above.contains(&r.sheet.unit) || tree.reach_of(&r.sheet.unit).contains(scope))
        .collect();
    seen.sort_by(|a, b| (a.at_ms, &a.sheet.id).cmp(&(b.at_ms, &b.sheet.id)));
    seen
}

/// A score on a sheet: the sheet's points, its maximum and pass mark, and the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Total {
    pub points: u32,
    pub max: u32,
    pub pass_mark: u16,
    pub passed: bool,
}

impl Total {
    /// "82/100 điểm (đạt từ 80): Đạt".
    pub fn describe(&self) -> String {
        let verdict = if self.passed { "Đạt" } else { "Không đạt" };
        format!("{}/{} điểm (đạt từ {}): {verdict}", self.points, self.max, self.pass_mark)
    }
}

/// Why a sheet or a score was refused, in Vietnamese. Nothing changes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetProblem {
    #[error("the id of a sheet must start with `pc-`")]
    InvalidId,
    #[error("invalid text")]
    InvalidText,
    #[error("no content {0}")]
    UnknownContent(u8),
    #[error("unknown unit `{0}`")]
    UnknownUnit(String),
    #[error("`{0}` is not a province or a district")]
    NotProvinceOrDistrict(String),
    #[error("a sheet needs criteria and items")]
    Shape,
    #[error("item points out of range")]
    ItemPoints,
    /// A line of the typed criteria that is neither a criterion nor an item with points.
    #[error("line {0} of the criteria does not fit")]
    Line(usize),
    #[error("pass mark out of range")]
    PassMark { max: u32 },
    #[error("sheet id reused for another sheet")]
    IdReused,
    #[error("unknown sheet `{0}`")]
    UnknownSheet(String),
    #[error("the sheet does not score this model")]
    NotThisModel { sheet: String },
    #[error("the score does not fit the sheet")]
    Points { items: usize },
    #[error("a point is above its item's maximum")]
    AboveMax { item: String, max: u16 },
}

impl SheetProblem {
    /// Every code [`SheetProblem::code`] can return, for API documentation.
    pub const CODES: &'static [&'static str] = &[
        "invalid_sheet_id",
        "invalid_sheet_text",
        "unknown_content",
        "unknown_unit",
        "sheet_unit_level",
        "invalid_sheet",
        "invalid_item_points",
        "invalid_pass_mark",
        "sheet_id_reused",
        "unknown_sheet",
        "sheet_not_for_model",
        "invalid_score",
        "score_above_max",
    ];

    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidId => "invalid_sheet_id",
            Self::InvalidText => "invalid_sheet_text",
            Self::UnknownContent(_) => "unknown_content",
            Self::UnknownUnit(_) => "unknown_unit",
            Self::NotProvinceOrDistrict(_) => "sheet_unit_level",
            Self::Shape => "invalid_sheet",
            Self::ItemPoints => "invalid_item_points",
            Self::Line(_) => "invalid_sheet",
            Self::PassMark { .. } => "invalid_pass_mark",
            Self::IdReused => "sheet_id_reused",
            Self::UnknownSheet(_) => "unknown_sheet",
            Self::NotThisModel { .. } => "sheet_not_for_model",
            Self::Points { .. } => "invalid_score",
            Self::AboveMax { .. } => "score_above_max",
        }
    }

    /// Conflicts with what is stored (409), rather than a request wrong in itself (422).
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::IdReused)
    }

    pub fn message_vi(&self) -> String {
        match self {
            Self::InvalidId => format!("Mã phiếu mới phải bắt đầu bằng \"{SHEET_ID_PREFIX}\"; hãy tải lại trang."),
            Self::InvalidText => format!(
                "Tên phiếu, tiêu chí và mục cần có chữ, không quá {MAX_SHEET_TEXT} ký tự, không bắt đầu bằng = + - @."
            ),
            Self::UnknownContent(n) => format!("Không có nội dung {n}; Cuộc vận động có 5 nội dung."),
            Self::UnknownUnit(id) => format!("Không tìm thấy đơn vị: {id}."),
            Self::NotProvinceOrDistrict(name) => {
                format!("Phiếu chấm điểm do cấp tỉnh hoặc cấp huyện lập; {name} không phải.")
            }
            Self::Shape => format!(
                "Phiếu cần từ 1 đến {MAX_CRITERIA} tiêu chí, mỗi tiêu chí có ít nhất một mục, \
                 cả phiếu không quá {MAX_ITEMS} mục."
            ),
            Self::ItemPoints => format!("Điểm tối đa của mỗi mục từ 1 đến {MAX_ITEM_POINTS}."),
            Self::Line(n) => format!(
                "Dòng {n}: mỗi mục viết \"- Tên mục: số điểm\" (ví dụ \"- Đường, ngõ sạch: 5\"), \
                 dưới một dòng tên tiêu chí; điểm từ 1 đến {MAX_ITEM_POINTS}."
            ),
            Self::PassMark { max } => format!("Điểm đạt phải từ 1 đến tổng điểm của phiếu ({max})."),
            Self::IdReused => "Phiếu này trùng mã với một phiếu khác; hãy tải lại trang rồi làm lại.".into(),
            Self::UnknownSheet(id) => format!("Không tìm thấy phiếu chấm điểm: {id}."),
            Self::NotThisModel { sheet } => {
                format!("Phiếu \"{sheet}\" không dùng để chấm mô hình này; hãy tải lại trang.")
            }
            Self::Points { items } => format!("Cần chấm đủ {items} mục của phiếu, mỗi mục một số điểm."),
            Self::AboveMax { item, max } => format!("Mục \"{item}\" tối đa {max} điểm."),
        }
    }
}

impl ScoringSheet {
    /// Its items, criterion after criterion: the order of a score's points.
    pub fn items(&self) -> impl Iterator<Item = &ScoreItem> {
        self.criteria.iter().flat_map(|c| &c.items)
    }

    /// The most points a model can get.
    pub fn max(&self) -> u32 {
        self.items().map(|i| u32::from(i.max)).sum()
    }

    /// The same sheet with every name made canonical ([`crate::text::canonical`]).
    pub fn canonical(mut self) -> Result<Self, SheetProblem> {
        let text = |typed: &str| {
            crate::text::canonical(typed, MAX_SHEET_TEXT)
                .filter(|t| t.chars().any(char::is_alphanumeric))
                .ok_or(SheetProblem::InvalidText)
        };
        self.name = text(&self.name)?;
        for criterion in &mut self.criteria {
            criterion.name = text(&criterion.name)?;
            for item in &mut criterion.items {
                item.name = text(&item.name)?;
            }
        }
        Ok(self)
    }

    /// May it be set? Names must already be canonical.
    pub fn check(&self, tree: &UnitTree, catalogue: &Catalogue) -> Result<(), SheetProblem> {
        if !self.id.as_str().starts_with(SHEET_ID_PREFIX) {
            return Err(SheetProblem::InvalidId);
        }
        if !catalogue.contents.iter().any(|c| c.number == self.content) {
            return Err(SheetProblem::UnknownContent(self.content));
        }
        let unit = tree.get(&self.unit).map_err(|_| SheetProblem::UnknownUnit(self.unit.to_string()))?;
        if !matches!(unit.level, crate::UnitLevel::Province | crate::UnitLevel::District) {
            return Err(SheetProblem::NotProvinceOrDistrict(unit.name.clone()));
        }
        let items = self.items().count();
        if self.criteria.is_empty()
            || self.criteria.len() > MAX_CRITERIA
            || self.criteria.iter().any(|c| c.items.is_empty())
            || items > MAX_ITEMS
        {
            return Err(SheetProblem::Shape);
        }
        if self.items().any(|i| i.max == 0 || i.max > MAX_ITEM_POINTS) {
            return Err(SheetProblem::ItemPoints);
        }
        if self.pass_mark == 0 || u32::from(self.pass_mark) > self.max() {
            return Err(SheetProblem::PassMark { max: self.max() });
        }
        Ok(())
    }

    /// The total and verdict of `points`, one per item in order, each within its item's
    /// maximum.
    pub fn total(&self, points: &[u16]) -> Result<Total, SheetProblem> {
        let items = self.items().count();
        if points.len() != items {
            return Err(SheetProblem::Points { items });
        }
        let mut sum = 0u32;
        for (item, &got) in self.items().zip(points) {
            if got > item.max {
                return Err(SheetProblem::AboveMax { item: item.name.clone(), max: item.max });
            }
            sum += u32::from(got);
        }
        Ok(Total { points: sum, max: self.max(), pass_mark: self.pass_mark, passed: sum >= u32::from(self.pass_mark) })
    }

    /// Bắc Kạn city's sheet for "Khu dân cư văn minh" (5 criteria, 23 items, 100 points,
    /// pass from 80), set at `unit` for content 2: the demo's, and a starting point.
    pub fn khu_dan_cu_van_minh(id: EventId, unit: UnitId) -> ScoringSheet {
        let criterion = |name: &str, items: &[(&str, u16)]| Criterion {
            name: name.into(),
            items: items.iter().map(|&(name, max)| ScoreItem { name: name.into(), max }).collect(),
        };
        ScoringSheet {
            id,
            unit,
            content: 2,
            name: "Khu dân cư văn minh".into(),
            pass_mark: 80,
            criteria: vec![
                criterion(
                    "Đời sống kinh tế ổn định, từng bước phát triển",
                    &[
                        ("Không có hộ đói, hộ nghèo giảm so với năm trước", 6),
                        ("Hộ có nhà ở kiên cố, bán kiên cố", 4),
                        ("Hộ dùng nước sạch, nước hợp vệ sinh", 4),
                        ("Có mô hình phát triển kinh tế, giúp nhau giảm nghèo", 4),
                        ("Người trong độ tuổi lao động có việc làm", 2),
                    ],
                ),
                criterion(
                    "Đời sống văn hóa, tinh thần lành mạnh, phong phú",
                    &[
                        ("Có quy ước văn hóa được phê duyệt và thực hiện", 5),
                        ("Tỷ lệ hộ đạt \"Gia đình văn hóa\" từ 80% trở lên", 5),
                        ("Thực hiện nếp sống văn minh trong việc cưới, việc tang, lễ hội", 4),
                        ("Duy trì sinh hoạt văn hóa, văn nghệ, thể thao", 3),
                        ("Trẻ em trong độ tuổi đến trường, không có trẻ bỏ học", 3),
                    ],
                ),
                criterion(
                    "Môi trường cảnh quan sạch đẹp",
                    &[
                        ("Đường, ngõ sạch, có đèn chiếu sáng", 5),
                        ("Rác thải được thu gom, xử lý đúng quy định", 5),
                        ("Có cây xanh, đường hoa", 4),
                        ("Hộ có công trình vệ sinh hợp vệ sinh", 3),
                        ("Nhân dân tham gia tổng vệ sinh định kỳ", 3),
                    ],
                ),
                criterion(
                    "Chấp hành chủ trương của Đảng, pháp luật của Nhà nước",
                    &[
                        ("Không có tội phạm, tệ nạn xã hội", 5),
                        ("Hòa giải thành các vụ việc ở cơ sở", 4),
                        ("Có tổ tự quản an ninh trật tự hoạt động", 4),
                        ("Không có khiếu kiện đông người, vượt cấp", 4),
                        ("Có camera an ninh, đèn chiếu sáng nơi công cộng", 3),
                    ],
                ),
                criterion(
                    "Tinh thần đoàn kết, tương trợ trong cộng đồng",
                    &[
                        ("Tổ chức Ngày hội Đại đoàn kết toàn dân tộc", 7),
                        ("Tham gia ủng hộ các quỹ, giúp đỡ hộ khó khăn", 7),
                        ("Nhân dân đóng góp xây dựng công trình chung", 6),
                    ],
                ),
            ],
        }
    }
}

/// Criteria as an officer types them: a criterion's name on a line, then its items, one
/// per line, as "- name: points" ("- Đường, ngõ sạch: 5"; "+", "*", "•" also start an
/// item, and "5 điểm" is read as 5). Blank lines are skipped.
pub fn criteria_from_text(typed: &str) -> Result<Vec<Criterion>, SheetProblem> {
    let mut criteria: Vec<Criterion> = vec![];
    for (n, line) in typed.lines().enumerate().map(|(i, l)| (i + 1, l.trim())) {
        if line.is_empty() {
            continue;
        }
        let Some(item) = line.strip_prefix(['-', '+', '*', '•', '–']) else {
            criteria.push(Criterion { name: line.into(), items: vec![] });
            continue;
        };
        let (name, points) = item.rsplit_once(':').ok_or(SheetProblem::Line(n))?;
        let points = points.trim().trim_end_matches("điểm").trim();
        let max =
            points.parse::<u16>().ok().filter(|p| (1..=MAX_ITEM_POINTS).contains(p)).ok_or(SheetProblem::Line(n))?;
        let criterion = criteria.last_mut().ok_or(SheetProblem::Line(n))?;
        criterion.items.push(ScoreItem { name: name.trim().into(), max });
    }
    Ok(criteria)
}

/// The criteria as [`criteria_from_text`] reads them.
pub fn criteria_as_text(criteria: &[Criterion]) -> String {
    let mut text = String::new();
    for criterion in criteria {
        text.push_str(&criterion.name);
        text.push('\n');
        for item in &criterion.items {
            text.push_str(&format!("- {}: {}\n", item.name, item.max));
        }
    }
    text
}

/// The sheet that scores a model of `content` registered by `unit` now: among the sheets
/// of its content set at the unit or above it, the nearest unit's, and of those the one
/// set last.
pub fn sheet_for<'a>(
    tree: &UnitTree,
    sheets: &'a [SheetRecord],
    unit: &UnitId,
    content: u8,
) -> Option<&'a ScoringSheet> {
    // A model of a unit before a reorganisation is scored on the sheets of the units that
    // carry it on too.
    let chain = tree.reach_of(unit);
    sheets
        .iter()
        .filter(|r| r.sheet.content == content)
        .filter_map(|r| chain.iter().position(|u| *u == r.sheet.unit).map(|depth| (depth, r)))
        .min_by(|(da, a), (db, b)| da.cmp(db).then(b.at_ms.cmp(&a.at_ms)).then(b.sheet.id.cmp(&a.sheet.id)))
        .map(|(_, r)| &r.sheet)
}

#[cfg(test)]
mod tests;
