//! Danh mục chỉ tiêu — the catalogue of indicators, grouped under the campaign's 5 contents.
//!
//! The catalogue is data (`data/catalogue.json`), so a province can adapt it without a release.

use crate::{DomainError, IndicatorId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

/// How an indicator is counted and rolled up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IndicatorKind {
    /// Additive amounts entered as they happen; corrections are negative entries; sums.
    Counter,
    /// A baseline the area states; the latest value wins; sums across areas.
    Level,
    /// A yes/no fact of an area for a year; rolls up as "n of m areas".
    Flag,
    /// Numerator / denominator, recomputed at every level.
    Ratio {
        numerator: IndicatorId,
        denominator: IndicatorId,
    },
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

/// Chỉ tiêu — what is counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Indicator {
    pub id: IndicatorId,
    pub label: String,
    /// Unit of measure, e.g. "m²", "đồng", "hộ".
    pub unit: String,
    #[serde(flatten)]
    pub kind: IndicatorKind,
    /// The content (1–5) it belongs to; `None` for general baselines such as households.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<u8>,
}

impl Indicator {
    pub fn is_money(&self) -> bool {
        self.unit == "đồng"
    }
}

/// The catalogue: contents and indicators, in display order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Catalogue {
    pub version: String,
    pub contents: Vec<Content>,
    pub indicators: Vec<Indicator>,
    #[serde(skip)]
    index: BTreeMap<IndicatorId, usize>,
}

impl Catalogue {
    /// Parses and checks a catalogue: unique ids, ratios naming level or counter indicators.
    pub fn from_json(json: &str) -> Result<Self, String> {
        let mut cat: Catalogue = serde_json::from_str(json).map_err(|e| e.to_string())?;
        for (i, ind) in cat.indicators.iter().enumerate() {
            if cat.index.insert(ind.id.clone(), i).is_some() {
                return Err(format!("indicator {} is listed twice", ind.id));
            }
        }
        for ind in &cat.indicators {
            if let IndicatorKind::Ratio {
                numerator,
                denominator,
            } = &ind.kind
            {
                for part in [numerator, denominator] {
                    match cat.get(part).map(|p| &p.kind) {
                        Ok(IndicatorKind::Counter | IndicatorKind::Level) => {}
                        _ => {
                            return Err(format!(
                                "ratio {} names {part}, not a counter or level",
                                ind.id
                            ));
                        }
                    }
                }
            }
        }
        Ok(cat)
    }

    /// The starting catalogue drawn from the seeds and Front reports (`DOMAIN.md`).
    pub fn standard() -> Self {
        Self::from_json(include_str!("../data/catalogue.json")).expect("catalogue.json is valid")
    }

    pub fn get(&self, id: &IndicatorId) -> Result<&Indicator, DomainError> {
        self.index
            .get(id)
            .map(|&i| &self.indicators[i])
            .ok_or_else(|| DomainError::UnknownIndicator(id.to_string()))
    }

    /// Indicators of one content (`None`: the general baselines), in catalogue order.
    pub fn of_content(&self, content: Option<u8>) -> impl Iterator<Item = &Indicator> {
        self.indicators.iter().filter(move |i| i.content == content)
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
        let ratio = cat
            .get(&IndicatorId::new("ty_le_ngo_co_den").unwrap())
            .unwrap();
        assert!(matches!(ratio.kind, IndicatorKind::Ratio { .. }));
    }

    #[test]
    fn a_ratio_of_a_flag_is_refused() {
        let json = r#"{"version":"x","contents":[],"indicators":[
            {"id":"a","label":"A","unit":"có/không","kind":"flag"},
            {"id":"r","label":"R","unit":"%","kind":"ratio","numerator":"a","denominator":"a"}]}"#;
        assert!(
            Catalogue::from_json(json)
                .unwrap_err()
                .contains("not a counter or level")
        );
    }
}
