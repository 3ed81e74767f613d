//! Báo cáo — figures of a unit for a period, rolled up from tally cells.
//!
//! Counters sum the months of the period; a level takes, per area, the latest month at
//! or before the period's end and sums the areas; a flag counts areas with "yes" per
//! year ("n of m"; over several years the count is in lượt); a ratio divides the rolled-up
//! numerator by the rolled-up denominator — never an average of ratios.

use crate::{
    Bucket, Catalogue, IndicatorId, IndicatorKind, RegisterKey, RegisterState, RegisterValue, ReportPeriod, Unit,
    UnitId, UnitLevel, UnitTree,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The figure of one indicator for one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    Counter {
        total: i64,
    },
    /// `reporting` of `areas` residential areas have stated a value.
    Level {
        total: u64,
        reporting: u32,
        areas: u32,
    },
    /// `yes` of `of` (areas × years).
    Flag {
        yes: u32,
        of: u32,
    },
    Ratio {
        numerator: i64,
        denominator: i64,
    },
}

impl Figure {
    /// The amount a ratio takes from this figure.
    fn amount(self) -> i64 {
        match self {
            Figure::Counter { total } => total,
            Figure::Level { total, .. } => i64::try_from(total).unwrap_or(i64::MAX),
            Figure::Flag { yes, .. } => i64::from(yes),
            Figure::Ratio { .. } => 0,
        }
    }
}

/// One unit's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitFigures {
    pub unit: UnitId,
    pub name: String,
    pub level: UnitLevel,
    /// Residential areas at or below the unit.
    pub areas: u32,
    pub figures: BTreeMap<IndicatorId, Figure>,
}

/// `GET /api/v1/units/{id}/report` — a unit's figures and each child's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2025"))]
    pub period: ReportPeriod,
    /// The period in words, e.g. "6 tháng đầu năm 2025".
    pub period_name: String,
    pub unit: UnitFigures,
    pub children: Vec<UnitFigures>,
}

/// Computes a unit's figures from its counter totals and the registers of its areas.
pub fn unit_figures(
    catalogue: &Catalogue,
    tree: &UnitTree,
    unit: &Unit,
    period: ReportPeriod,
    counter_totals: &BTreeMap<IndicatorId, i64>,
    registers: &[(RegisterKey, RegisterState)],
) -> UnitFigures {
    let areas: BTreeSet<UnitId> = tree.areas_under(&unit.id).into_iter().collect();
    let area_count = u32::try_from(areas.len()).unwrap_or(u32::MAX);
    // Per (indicator, area): the latest level bucket within reach, and flags per year.
    let mut levels: BTreeMap<(&IndicatorId, &UnitId), (Bucket, u64)> = BTreeMap::new();
    let mut flags_yes: BTreeMap<&IndicatorId, u32> = BTreeMap::new();
    for (key, state) in registers.iter().filter(|(k, _)| areas.contains(&k.area)) {
        match (key.bucket, state.value) {
            (Bucket::Month(m), RegisterValue::Level(v)) if m <= period.last() => {
                let slot = levels.entry((&key.indicator, &key.area)).or_insert((key.bucket, v));
                if key.bucket >= slot.0 {
                    *slot = (key.bucket, v);
                }
            }
            (Bucket::Year(y), RegisterValue::Flag(true)) if period.years().contains(&y) => {
                *flags_yes.entry(&key.indicator).or_default() += 1;
            }
            _ => {}
        }
    }
    let years = u32::from(period.last().year() - period.first().year() + 1);
    let mut figures = BTreeMap::new();
    for indicator in &catalogue.indicators {
        let figure = match &indicator.kind {
            IndicatorKind::Counter => {
                Figure::Counter { total: counter_totals.get(&indicator.id).copied().unwrap_or(0) }
            }
            IndicatorKind::Level => {
                let values: Vec<u64> =
                    levels.iter().filter(|((ind, _), _)| *ind == &indicator.id).map(|(_, (_, v))| *v).collect();
                Figure::Level {
                    total: values.iter().sum(),
                    reporting: u32::try_from(values.len()).unwrap_or(u32::MAX),
                    areas: area_count,
                }
            }
            IndicatorKind::Flag => {
                Figure::Flag { yes: flags_yes.get(&indicator.id).copied().unwrap_or(0), of: area_count * years }
            }
            IndicatorKind::Ratio { .. } => continue,
        };
        figures.insert(indicator.id.clone(), figure);
    }
    for indicator in &catalogue.indicators {
        if let IndicatorKind::Ratio { numerator, denominator } = &indicator.kind {
            let part = |id: &IndicatorId| figures.get(id).map_or(0, |f: &Figure| f.amount());
            let ratio = Figure::Ratio { numerator: part(numerator), denominator: part(denominator) };
            figures.insert(indicator.id.clone(), ratio);
        }
    }
    UnitFigures { unit: unit.id.clone(), name: unit.name.clone(), level: unit.level, areas: area_count, figures }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DeviceId, Hlc, Stamp};

    fn reg(area: &str, ind: &str, bucket: &str, value: RegisterValue) -> (RegisterKey, RegisterState) {
        let key: RegisterKey = format!("{area}/{ind}/{bucket}").parse().unwrap();
        (key, RegisterState { value, stamp: Stamp { hlc: Hlc::default(), device: DeviceId::new("d").unwrap() } })
    }

    #[test]
    fn levels_take_the_latest_month_and_ratios_recompute() {
        let (tree, cat) = (UnitTree::demo(), Catalogue::standard());
        let ward = tree.get(&UnitId::new("p-nguyen-thi-minh-khai").unwrap()).unwrap().clone();
        let registers = vec![
            reg("ntmk-to-11", "tong_so_ngo", "2025-01", RegisterValue::Level(100)),
            reg("ntmk-to-11", "tong_so_ngo", "2025-06", RegisterValue::Level(110)),
            reg("ntmk-to-11", "tong_so_ngo", "2026-01", RegisterValue::Level(999)),
            reg("ntmk-to-13", "tong_so_ngo", "2024-12", RegisterValue::Level(80)),
            reg("ntmk-to-11", "ngo_co_den", "2025-03", RegisterValue::Level(100)),
            reg("ntmk-to-13", "ngo_co_den", "2025-03", RegisterValue::Level(78)),
            reg("ntmk-to-13", "ngay_hoi_ddk", "2025", RegisterValue::Flag(true)),
            reg("ntmk-to-15", "ngay_hoi_ddk", "2025", RegisterValue::Flag(false)),
        ];
        let f = unit_figures(&cat, &tree, &ward, ReportPeriod::year(2025).unwrap(), &BTreeMap::new(), &registers);
        let get = |id: &str| f.figures[&IndicatorId::new(id).unwrap()];
        assert_eq!(get("tong_so_ngo"), Figure::Level { total: 190, reporting: 2, areas: 3 });
        assert_eq!(get("ty_le_ngo_co_den"), Figure::Ratio { numerator: 178, denominator: 190 });
        assert_eq!(get("ngay_hoi_ddk"), Figure::Flag { yes: 1, of: 3 });
    }
}
