//! What the entry screen shows for an indicator of the chosen area: the last report
//! from the server plus what this device recorded since, each entry counted once.

use crate::session::Session;
use domain::{Figure, Indicator, IndicatorKind, RegisterValue, ReportPeriod, UnitId, format};
use leptos::prelude::*;

/// The area's amount for a counter or level indicator, if known.
pub fn area_amount(
    session: &Session,
    area: &UnitId,
    indicator: &Indicator,
    period: ReportPeriod,
) -> Option<i64> {
    let reported = session.area_report.with(|cached| {
        let cached = cached
            .as_ref()
            .filter(|c| &c.report.unit.unit == area && c.report.period == period)?;
        let figure = *cached.report.unit.figures.get(&indicator.id)?;
        Some((
            figure,
            cached
                .own_acked
                .get(indicator.id.as_str())
                .copied()
                .unwrap_or(0),
        ))
    });
    match indicator.kind {
        IndicatorKind::Counter => {
            let own_now = session
                .ledger
                .with(|l| l.own_total(area, &indicator.id, period));
            match reported {
                Some((Figure::Counter { total }, own_then)) => Some(total - own_then + own_now),
                _ => Some(own_now),
            }
        }
        IndicatorKind::Level => {
            match session
                .ledger
                .with(|l| l.unsynced_register(area, &indicator.id, period))
            {
                Some(RegisterValue::Level(v)) => i64::try_from(v).ok(),
                _ => match reported {
                    Some((
                        Figure::Level {
                            total, reporting, ..
                        },
                        _,
                    )) if reporting > 0 => i64::try_from(total).ok(),
                    _ => None,
                },
            }
        }
        _ => None,
    }
}

/// The area's flag for the year, if known.
pub fn area_flag(
    session: &Session,
    area: &UnitId,
    indicator: &Indicator,
    period: ReportPeriod,
) -> Option<bool> {
    if let Some(RegisterValue::Flag(v)) = session
        .ledger
        .with(|l| l.unsynced_register(area, &indicator.id, period))
    {
        return Some(v);
    }
    session.area_report.with(|cached| {
        let cached = cached
            .as_ref()
            .filter(|c| &c.report.unit.unit == area && c.report.period == period)?;
        match cached.report.unit.figures.get(&indicator.id)? {
            Figure::Flag { yes, .. } => Some(*yes > 0),
            _ => None,
        }
    })
}

/// The text shown for an indicator of the area.
pub fn area_text(
    session: &Session,
    area: &UnitId,
    indicator: &Indicator,
    period: ReportPeriod,
) -> String {
    match &indicator.kind {
        IndicatorKind::Counter | IndicatorKind::Level => {
            match area_amount(session, area, indicator, period) {
                Some(v) => format::amount(v, &indicator.unit),
                None => "Chưa có số liệu".into(),
            }
        }
        IndicatorKind::Flag => match area_flag(session, area, indicator, period) {
            Some(true) => "Có".into(),
            Some(false) => "Không".into(),
            None => "Chưa có số liệu".into(),
        },
        IndicatorKind::Ratio {
            numerator,
            denominator,
        } => {
            let part = |id| {
                let ind = session.catalogue.with_value(|c| c.get(id).cloned()).ok()?;
                area_amount(session, area, &ind, period)
            };
            match (part(numerator), part(denominator)) {
                (Some(n), Some(d)) => format::ratio(n, d),
                _ => "Chưa đủ số liệu".into(),
            }
        }
    }
}
