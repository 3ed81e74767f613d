//! Báo cáo — figures of a unit for a period, rolled up from tally cells.
//!
//! Counters sum the months of the period; a level takes, per area, the latest month at
//! or before the period's end and sums the areas; a flag counts areas with "yes" and
//! areas that answered per year ("n có / m đã trả lời / tổng k"; over several years the
//! counts are in lượt); a ratio divides the rolled-up
//! numerator by the rolled-up denominator — never an average of ratios.

use crate::{
    Catalogue, IndicatorId, IndicatorKind, RegisterRollups, ReportPeriod, RollupChange, Unit, UnitId, UnitLevel,
    UnitTree,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// `yes` of the `answered` of `of` (areas × years): an area that has not answered
    /// is neither yes nor no.
    Flag {
        yes: u32,
        /// Absent from reports a phone kept before answers were counted: read as 0, and
        /// taken as at least `yes` wherever it is shown.
        #[serde(default)]
        answered: u32,
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
    pub period: ReportPeriod,
    /// The period in words, e.g. "6 tháng đầu năm 2025".
    pub period_name: String,
    pub unit: UnitFigures,
    pub children: Vec<UnitFigures>,
}

/// How many residential areas at or below the units read existed during the period: an
/// area a ward created after it, or closed before it, is not one of "m khu dân cư".
fn areas_in(tree: &UnitTree, reads: &[UnitId], period: ReportPeriod) -> usize {
    let (first, last) = (period.first_day(), period.last_day());
    let existed = |area: &Unit| area.valid_from.is_none_or(|f| f <= last) && area.valid_to.is_none_or(|t| t >= first);
    let mut areas: Vec<UnitId> = reads.iter().flat_map(|u| tree.areas_under(u)).collect();
    areas.sort();
    areas.dedup();
    areas.iter().filter(|id| tree.get(id).is_ok_and(existed)).count()
}

/// The counter totals and register rollups a report of a unit reads for the period: its
/// own and those of the units it carries on ([`UnitTree::carried`]), each read from the
/// store, added. Each entry counts once: it rolled up the tree it was entered under, and
/// only that tree. A unit carried on that ended before the period's end gives its counters
/// and the flags of its years, but no levels: levels are as of the period's end, when the
/// areas of today's map state them.
pub fn carried_sum(
    catalogue: &Catalogue,
    tree: &UnitTree,
    period: ReportPeriod,
    read: impl IntoIterator<Item = (UnitId, BTreeMap<IndicatorId, i64>, RegisterRollups)>,
) -> (BTreeMap<IndicatorId, i64>, RegisterRollups) {
    let is_level = |id: &IndicatorId| catalogue.get(id).is_ok_and(|i| i.kind == IndicatorKind::Level);
    let (mut totals, mut rollups) = (BTreeMap::new(), RegisterRollups::new());
    for (n, (unit, unit_totals, unit_rollups)) in read.into_iter().enumerate() {
        let ended = n > 0 && tree.get(&unit).is_ok_and(|u| u.valid_to.is_some_and(|last| last < period.last_day()));
        for (indicator, total) in unit_totals {
            *totals.entry(indicator).or_insert(0) += total;
        }
        for ((indicator, month), change) in unit_rollups {
            if !(ended && is_level(&indicator)) {
                *rollups.entry((indicator, month)).or_default() += change;
            }
        }
    }
    (totals, rollups)
}

/// The columns of a report of `unit`: each child, and each area of the units it carries
/// on ([`UnitTree::listed_under`]), with the units its figures are read from (itself,
/// then those it carries on). One that ended before the period's end and that another
/// column carries on (an area merged into another, or split) is that column's, not a
/// column of its own; one with a column of its own is read there only. So every entry
/// counts in one column, and the columns add up to the unit.
pub fn report_columns<'t>(tree: &'t UnitTree, unit: &UnitId, period: ReportPeriod) -> Vec<(&'t Unit, Vec<UnitId>)> {
    let children = tree.listed_under(unit);
    // An area reads only the areas it carries on that this report lists: one merged
    // into it from another ward counts in that ward's report, as its entries did.
    let listed: std::collections::BTreeSet<&UnitId> = children.iter().map(|c| &c.id).collect();
    let reads = |c: &Unit, carried: Vec<UnitId>| -> Vec<UnitId> {
        if c.is_area() { carried.into_iter().filter(|r| listed.contains(r)).collect() } else { carried }
    };
    // The children some sibling carries on, each found once.
    let carried: std::collections::BTreeSet<UnitId> =
        children.iter().flat_map(|s| reads(s, tree.carried(&s.id)).into_iter().skip(1)).collect();
    let ended = |c: &Unit| c.valid_to.is_some_and(|last| last < period.last_day());
    let own: Vec<&Unit> = children.iter().copied().filter(|c| !(ended(c) && carried.contains(&c.id))).collect();
    let own_ids: Vec<UnitId> = own.iter().map(|c| c.id.clone()).collect();
    own.into_iter().map(|c| (c, reads(c, tree.carried_but(&c.id, &own_ids)))).collect()
}

/// The name a column of a report of `of` shows: an area of a ward merged into `of` on
/// 1/7/2025 names its old ward ("Tổ 1 (Phường Đức Xuân cũ)"), since those wards' areas
/// often share names.
pub fn column_name(tree: &UnitTree, of: &UnitId, column: &Unit) -> String {
    match column.parent.as_ref().filter(|p| *p != of && column.is_area()).and_then(|p| tree.get(p).ok()) {
        Some(ward) => format!("{} ({} cũ)", column.name, ward.name),
        None => column.name.clone(),
    }
}

/// Each unit a column reads → the column's position: where a model or an honour of it
/// is counted.
pub fn column_of(columns: &[(&Unit, Vec<UnitId>)]) -> BTreeMap<UnitId, usize> {
    let reads = columns.iter().enumerate().flat_map(|(i, (_, reads))| reads.iter().map(move |r| (r.clone(), i)));
    reads.collect()
}

/// Computes a unit's figures from its counter totals over the period and its register
/// rollups up to the period's end (see [`crate::rollup`]), read from the unit and those it
/// carries on.
pub fn unit_figures(
    catalogue: &Catalogue,
    tree: &UnitTree,
    unit: &Unit,
    period: ReportPeriod,
    counter_totals: &BTreeMap<IndicatorId, i64>,
    rollups: &RegisterRollups,
) -> UnitFigures {
    column_figures(catalogue, tree, unit, &tree.carried(&unit.id), period, counter_totals, rollups)
}

/// [`unit_figures`] of a unit read from `reads` (a column of [`report_columns`]).
pub fn column_figures(
    catalogue: &Catalogue,
    tree: &UnitTree,
    unit: &Unit,
    reads: &[UnitId],
    period: ReportPeriod,
    counter_totals: &BTreeMap<IndicatorId, i64>,
    rollups: &RegisterRollups,
) -> UnitFigures {
    let area_count = u32::try_from(areas_in(tree, reads, period)).unwrap_or(u32::MAX);
    // Levels add up every month up to the end; flags count January of the period's years.
    let mut levels: BTreeMap<&IndicatorId, RollupChange> = BTreeMap::new();
    let mut flags: BTreeMap<&IndicatorId, RollupChange> = BTreeMap::new();
    for ((indicator, month), change) in rollups.iter().filter(|((_, m), _)| *m <= period.last()) {
        *levels.entry(indicator).or_default() += *change;
        if month.month() == 1 && period.years().contains(&month.year()) {
            *flags.entry(indicator).or_default() += *change;
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
                let level = levels.get(&indicator.id).copied().unwrap_or_default();
                Figure::Level {
                    total: u64::try_from(level.amount).unwrap_or(0),
                    reporting: u32::try_from(level.reporting).unwrap_or(0),
                    areas: area_count,
                }
            }
            IndicatorKind::Flag => {
                let flag = flags.get(&indicator.id).copied().unwrap_or_default();
                let yes = u32::try_from(flag.amount).unwrap_or(0);
                // At least the yes: rollups stored before answers were counted (before
                // 2026-12-01) hold none.
                let answered = u32::try_from(flag.reporting).unwrap_or(0).max(yes);
                Figure::Flag { yes, answered, of: area_count * years }
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
    use crate::{DeviceId, Hlc, MemoryTally, RegisterCell, RegisterValue, Stamp, SyncRequest};

    #[test]
    fn a_unit_counts_the_areas_that_existed_during_the_period() {
        use crate::{AreaChange, AreaEvent, AreaRecord, Date, EventId};
        let record = |n: u32, area: &str, effective: Date, change: AreaChange| AreaRecord {
            event: AreaEvent {
                id: EventId::new(format!("e-{n}")).unwrap(),
                area: UnitId::new(area).unwrap(),
                effective,
                change,
            },
            by: DeviceId::new("d-officer").unwrap(),
            at_ms: u64::from(n),
        };
        let day = |y, m, d| Date::new(y, m, d).unwrap();
        let ward = UnitId::new("x-xuat-hoa").unwrap();
        let create = AreaChange::Create { parent: ward.clone(), name: "Thôn Mới".into() };
        let events =
            [record(1, "kdc-moi", day(2026, 3, 1), create), record(2, "xh-na-ban", day(2026, 1, 1), AreaChange::Close)];
        let units = crate::area::units_with(UnitTree::demo().units().cloned().collect(), &events, None);
        let tree = UnitTree::new(units).unwrap();
        let unit = tree.get(&ward).unwrap();
        let areas = |period: &str| {
            let period: ReportPeriod = period.parse().unwrap();
            unit_figures(&Catalogue::standard(), &tree, unit, period, &BTreeMap::new(), &RegisterRollups::new()).areas
        };
        assert_eq!(areas("2025"), 2, "before: Tổng Nẻng and Nà Bản");
        assert_eq!(areas("2026-01"), 1, "Nà Bản closed, Thôn Mới not yet created");
        assert_eq!(areas("2026-Q1"), 2, "Tổng Nẻng and, from March, Thôn Mới");
        assert_eq!(areas("2026"), 2);
        assert_eq!(areas("2025..2026"), 3, "every area of the years");
    }

    fn reg(area: &str, ind: &str, bucket: &str, value: RegisterValue) -> RegisterCell {
        let stamp = Stamp { hlc: Hlc { wall: 1, n: 0 }, device: DeviceId::new("d").unwrap() };
        RegisterCell::new(&format!("{area}/{ind}/{bucket}").parse().unwrap(), &crate::RegisterState { value, stamp })
    }

    #[test]
    fn levels_take_the_latest_month_and_ratios_recompute() {
        let (tree, cat) = (UnitTree::demo(), Catalogue::standard());
        let ward = tree.get(&UnitId::new("p-nguyen-thi-minh-khai").unwrap()).unwrap().clone();
        let registers = vec![
            reg("ntmk-to-11", "tong_so_ngo", "2025-06", RegisterValue::Level(110)),
            reg("ntmk-to-11", "tong_so_ngo", "2025-01", RegisterValue::Level(100)),
            reg("ntmk-to-11", "tong_so_ngo", "2026-01", RegisterValue::Level(999)),
            reg("ntmk-to-13", "tong_so_ngo", "2024-12", RegisterValue::Level(80)),
            reg("ntmk-to-11", "ngo_co_den", "2025-03", RegisterValue::Level(100)),
            reg("ntmk-to-13", "ngo_co_den", "2025-03", RegisterValue::Level(78)),
            reg("ntmk-to-13", "ngay_hoi_ddk", "2025", RegisterValue::Flag(true)),
            reg("ntmk-to-15", "ngay_hoi_ddk", "2025", RegisterValue::Flag(false)),
            reg("ntmk-to-15", "ngay_hoi_ddk", "2026", RegisterValue::Flag(true)),
        ];
        let mut server = MemoryTally::default();
        let device = DeviceId::new("d").unwrap();
        let request = SyncRequest { protocol: crate::PROTOCOL, device, entries: 0, counters: vec![], registers };
        server.apply(&request, &tree, &cat).unwrap();
        let figures = |period| {
            let rollups = server.register_rollups(&ward.id, period);
            unit_figures(&cat, &tree, &ward, period, &BTreeMap::new(), &rollups)
        };
        let year = figures(ReportPeriod::year(2025).unwrap());
        let get = |id: &str| year.figures[&IndicatorId::new(id).unwrap()];
        assert_eq!(get("tong_so_ngo"), Figure::Level { total: 190, reporting: 2, areas: 3 });
        assert_eq!(get("ty_le_ngo_co_den"), Figure::Ratio { numerator: 178, denominator: 190 });
        // Tổ 13 said yes, tổ 15 no, tổ 11 nothing.
        assert_eq!(get("ngay_hoi_ddk"), Figure::Flag { yes: 1, answered: 2, of: 3 });
        let first_quarter = figures("2025-Q1".parse().unwrap());
        let get = |id: &str| first_quarter.figures[&IndicatorId::new(id).unwrap()];
        assert_eq!(get("tong_so_ngo"), Figure::Level { total: 180, reporting: 2, areas: 3 });
    }

    #[test]
    fn a_flag_rolled_up_before_answers_were_counted_still_counts_its_yes_as_answered() {
        let (tree, cat) = (UnitTree::demo(), Catalogue::standard());
        let ward = tree.get(&UnitId::new("p-nguyen-thi-minh-khai").unwrap()).unwrap().clone();
        let festival = IndicatorId::new("ngay_hoi_ddk").unwrap();
        let january = crate::Month::new(2025, 1).unwrap();
        let rollups = RegisterRollups::from([((festival.clone(), january), RollupChange { amount: 2, reporting: 0 })]);
        let period = ReportPeriod::year(2025).unwrap();
        let figures = unit_figures(&cat, &tree, &ward, period, &BTreeMap::new(), &rollups);
        assert_eq!(figures.figures[&festival], Figure::Flag { yes: 2, answered: 2, of: 3 });
    }
}
