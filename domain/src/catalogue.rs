//! Danh mục chỉ tiêu — the catalogue of indicators, grouped under the campaign's 5 contents.
//!
//! The standard catalogue is data (`data/catalogue.json`); each province adapts it with
//! changes of its own ([`CatalogueChange`]), filed in the store, without a release.

mod change;

pub use change::{
    AddedKind, CHANGE_ID_PREFIX, CatalogueChange, CatalogueChangeRecord, CatalogueChanged, CatalogueEdit,
    CatalogueProblem, NewIndicator, indicator_id_for,
};

use crate::{Date, DomainError, IndicatorId};
use serde::{Deserialize, Serialize};

/// Nội dung — one of the campaign's 5 contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Content {
    pub number: u8,
    /// Short heading for small screens.
    pub short: String,
    /// The content's official wording.
    pub title: String,
}

impl Content {
    /// "Nội dung 1. Phát triển kinh tế…", as a section heading.
    pub fn heading(&self) -> String {
        format!("Nội dung {}. {}", self.number, self.short)
    }
}

/// How an indicator is counted and rolled up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndicatorKind {
    /// Additive amounts entered as they happen; corrections are negative entries; sums.
    Counter,
    /// A baseline the area states; the latest value wins; sums across areas.
    Level,
    /// A yes/no fact of an area for a year; rolls up as "n of m areas".
    Flag,
    /// Numerator / denominator, recomputed at every level.
    Ratio { numerator: IndicatorId, denominator: IndicatorId },
}

impl IndicatorKind {
    /// Vietnamese name of the kind of value the indicator takes.
    pub fn value_name(&self) -> &'static str {
        match self {
            IndicatorKind::Counter => "số cộng dồn",
            IndicatorKind::Level => "số hiện có",
            IndicatorKind::Flag => "có/không",
            IndicatorKind::Ratio { .. } => "tỷ lệ (tự tính)",
        }
    }
}

/// Chỉ tiêu — what is counted. Read and written in the flat form of [`IndicatorRecord`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "IndicatorRecord", into = "IndicatorRecord")]
pub struct Indicator {
    pub id: IndicatorId,
    pub label: String,
    /// Unit of measure, e.g. "m²", "đồng", "hộ".
    pub unit: String,
    pub kind: IndicatorKind,
    /// The content (1–5) it belongs to; `None` for general baselines such as households.
    pub content: Option<u8>,
    /// Thôi dùng — the first day (of a month) it is no longer counted (a province retired
    /// it): entries of the months before still count and report; none after.
    pub retired: Option<Date>,
}

impl Indicator {
    /// Whether it is counted on `day` (not retired by then).
    pub fn in_use_on(&self, day: Date) -> bool {
        self.retired.is_none_or(|from| day < from)
    }
}

/// An indicator as the catalogue file writes it:
/// `{"id": "ty_le_ngo_co_den", "kind": "ratio", "numerator": "ngo_co_den", "denominator": "tong_so_ngo", …}`.
/// (A flat record rather than a tagged enum: far less code in the WASM app.)
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorRecord {
    pub id: IndicatorId,
    pub label: String,
    pub unit: String,
    pub kind: KindName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerator: Option<IndicatorId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<IndicatorId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub retired: Option<Date>,
}

/// The name of an [`IndicatorKind`] in the catalogue file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KindName {
    Counter,
    Level,
    Flag,
    Ratio,
}

impl TryFrom<IndicatorRecord> for Indicator {
    type Error = String;
    fn try_from(r: IndicatorRecord) -> Result<Self, String> {
        let kind = match (r.kind, r.numerator, r.denominator) {
            (KindName::Counter, None, None) => IndicatorKind::Counter,
            (KindName::Level, None, None) => IndicatorKind::Level,
            (KindName::Flag, None, None) => IndicatorKind::Flag,
            (KindName::Ratio, Some(numerator), Some(denominator)) => IndicatorKind::Ratio { numerator, denominator },
            _ => {
                return Err(format!("indicator {}: only a ratio has a numerator and a denominator", r.id));
            }
        };
        Ok(Indicator { id: r.id, label: r.label, unit: r.unit, kind, content: r.content, retired: r.retired })
    }
}

impl From<Indicator> for IndicatorRecord {
    fn from(i: Indicator) -> Self {
        let (kind, numerator, denominator) = match i.kind {
            IndicatorKind::Counter => (KindName::Counter, None, None),
            IndicatorKind::Level => (KindName::Level, None, None),
            IndicatorKind::Flag => (KindName::Flag, None, None),
            IndicatorKind::Ratio { numerator, denominator } => (KindName::Ratio, Some(numerator), Some(denominator)),
        };
        IndicatorRecord {
            id: i.id,
            label: i.label,
            unit: i.unit,
            kind,
            numerator,
            denominator,
            content: i.content,
            retired: i.retired,
        }
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Indicator {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <IndicatorRecord as utoipa::PartialSchema>::schema()
    }
}

/// Named `Indicator` in the description, with the schemas the record refers to (`KindName`).
#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Indicator {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        <IndicatorRecord as utoipa::ToSchema>::schemas(schemas);
    }
}

/// The standard catalogue's table, written by `build.rs` from `data/catalogue.json`:
/// `VERSION`, `CONTENTS` (number, short, title) and `INDICATORS` (id, label, unit, kind,
/// numerator, denominator, content).
mod standard {
    use super::KindName;
    include!(concat!(env!("OUT_DIR"), "/standard_catalogue.rs"));
}

/// The catalogue: contents and indicators, in display order. Read as the server wrote it
/// (the standard one checked by [`Catalogue::checked`], each change by
/// [`CatalogueChange::check`]): the phone carries no code to check one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Catalogue {
    pub version: String,
    pub contents: Vec<Content>,
    pub indicators: Vec<Indicator>,
}

impl Catalogue {
    /// The counter indicators (amounts entered as they happen), in catalogue order.
    pub fn counter_ids(&self) -> impl Iterator<Item = &IndicatorId> {
        self.indicators.iter().filter(|i| i.kind == IndicatorKind::Counter).map(|i| &i.id)
    }

    /// Parses and checks a catalogue file (see [`Catalogue::checked`]).
    pub fn from_json(json: &str) -> Result<Self, String> {
        let cat: Catalogue = serde_json::from_str(json).map_err(|e| e.to_string())?;
        Self::checked(cat.version, cat.contents, cat.indicators)
    }

    /// A catalogue of these parts, checked: unique ids, ratios naming level or counter
    /// indicators.
    pub fn checked(version: String, contents: Vec<Content>, indicators: Vec<Indicator>) -> Result<Self, String> {
        let cat = Catalogue { version, contents, indicators };
        let mut seen = std::collections::BTreeSet::new();
        if let Some(twice) = cat.indicators.iter().find(|ind| !seen.insert(&ind.id)) {
            return Err(format!("indicator {} is listed twice", twice.id));
        }
        for ind in &cat.indicators {
            if let IndicatorKind::Ratio { numerator, denominator } = &ind.kind {
                for part in [numerator, denominator] {
                    match cat.get(part).map(|p| &p.kind) {
                        Ok(IndicatorKind::Counter | IndicatorKind::Level) => {}
                        _ => {
                            return Err(format!("ratio {} names {part}, not a counter or level", ind.id));
                        }
                    }
                }
            }
        }
        Ok(cat)
    }

    /// The starting catalogue drawn from the seeds and Front reports (`DOMAIN.md`), as
    /// `data/catalogue.json` writes it (built from the table `build.rs` makes of it).
    pub fn standard() -> Self {
        let id = |s: &str| IndicatorId::new(s).ok();
        let contents = (standard::CONTENTS.iter())
            .map(|&(number, short, title)| Content { number, short: short.into(), title: title.into() })
            .collect();
        let indicators =
            standard::INDICATORS.iter().map(|&(ind, label, unit, kind, numerator, denominator, content)| {
                let record = IndicatorRecord {
                    id: id(ind)?,
                    label: label.into(),
                    unit: unit.into(),
                    kind,
                    numerator: numerator.and_then(id),
                    denominator: denominator.and_then(id),
                    content,
                    retired: None,
                };
                Indicator::try_from(record).ok()
            });
        // No `expect` on a `Result`: its error's `Debug` would be in the app's WASM.
        match indicators.collect::<Option<Vec<_>>>().map(|i| Self::checked(standard::VERSION.into(), contents, i)) {
            Some(Ok(catalogue)) => catalogue,
            _ => panic!("data/catalogue.json is a valid catalogue"),
        }
    }

    /// The indicator of this id (a catalogue holds a few hundred at most: looked for in
    /// turn, with no index to build on the phone).
    pub fn get(&self, id: &IndicatorId) -> Result<&Indicator, DomainError> {
        self.indicators.iter().find(|i| &i.id == id).ok_or_else(|| DomainError::UnknownIndicator(id.to_string()))
    }

    /// Indicators of one content (`None`: the general baselines), in catalogue order.
    pub fn of_content(&self, content: Option<u8>) -> impl Iterator<Item = &Indicator> {
        self.indicators.iter().filter(move |i| i.content == content)
    }

    /// Indicators of one content counted on `day`: what the entry screen offers, and the
    /// rows of a report of a period starting then (a retired one reports for the periods
    /// before it was retired).
    pub fn of_content_on(&self, content: Option<u8>, day: Date) -> impl Iterator<Item = &Indicator> {
        self.of_content(content).filter(move |i| i.in_use_on(day))
    }

    /// The indicator, if it is counted on `day`: an entry dated after it was retired is
    /// refused, naming the day.
    pub fn get_on(&self, id: &IndicatorId, day: Date) -> Result<&Indicator, DomainError> {
        let indicator = self.get(id)?;
        match indicator.retired {
            Some(from) if day >= from => {
                Err(DomainError::RetiredIndicator { label: indicator.label.clone(), from: from.to_vietnamese() })
            }
            _ => Ok(indicator),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_catalogue_covers_five_contents() {
        let cat = Catalogue::standard();
        assert_eq!(cat.contents.len(), 5);
        for n in 1..=5 {
            assert!(cat.of_content(Some(n)).count() > 0, "content {n}");
        }
        let ratio = cat.get(&IndicatorId::new("ty_le_ngo_co_den").unwrap()).unwrap();
        assert!(matches!(ratio.kind, IndicatorKind::Ratio { .. }));
    }

    #[test]
    fn the_standard_catalogue_is_its_file() {
        let file = Catalogue::from_json(include_str!("../data/catalogue.json")).unwrap();
        assert_eq!(Catalogue::standard(), file);
        assert_eq!(file.indicators.len(), 35);
    }

    #[test]
    fn the_catalogue_round_trips_through_its_file_form() {
        let cat = Catalogue::standard();
        let again = Catalogue::from_json(&serde_json::to_string(&cat).unwrap()).unwrap();
        assert_eq!(again, cat);
        let odd = r#"{"version":"x","contents":[],"indicators":[
            {"id":"a","label":"A","unit":"hộ","kind":"level","numerator":"a"}]}"#;
        assert!(Catalogue::from_json(odd).unwrap_err().contains("only a ratio"));
    }

    #[test]
    fn a_ratio_of_a_flag_is_refused() {
        let json = r#"{"version":"x","contents":[],"indicators":[
            {"id":"a","label":"A","unit":"có/không","kind":"flag"},
            {"id":"r","label":"R","unit":"%","kind":"ratio","numerator":"a","denominator":"a"}]}"#;
        assert!(Catalogue::from_json(json).unwrap_err().contains("not a counter or level"));
    }
}
