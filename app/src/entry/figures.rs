//! What the entry screen shows for an indicator of the chosen area: the area snapshot
//! (the last report plus this device's entries since; see `domain::AreaSnapshot`), or,
//! before any report arrived, this device's own entries.

use crate::session::Session;
use domain::{Figure, Indicator, IndicatorId, IndicatorKind, RegisterValue, ReportPeriod, UnitId, format};
use leptos::prelude::*;

/// The area's counter total or register value, as far as the phone knows.
enum Known {
    Amount(i64),
    Register(Option<RegisterValue>),
}

fn known(
    session: &Session,
    area: &UnitId,
    indicator: &IndicatorId,
    kind: &IndicatorKind,
    period: ReportPeriod,
) -> Known {
    session.ledger.with(|ledger| {
        session.area_snapshot.with(|cached| {
            let snapshot =
                cached.as_ref().map(|c| &c.value).filter(|s| &s.report.unit.unit == area && s.report.period == period);
            match (kind, snapshot) {
                (IndicatorKind::Counter, Some(s)) => Known::Amount(s.counter(ledger, indicator)),
                (IndicatorKind::Counter, None) => Known::Amount(ledger.own_total(area, indicator, period)),
                (_, Some(s)) => Known::Register(s.register(ledger, indicator)),
                (_, None) => Known::Register(ledger.latest_register(area, indicator, period).map(|(_, s)| s.value)),
            }
        })
    })
}

/// The area's amount for a counter or level indicator, if known.
fn amount(session: &Session, area: &UnitId, indicator: &IndicatorId, period: ReportPeriod) -> Option<i64> {
    let kind = &session.fixed.catalogue.get(indicator).ok()?.kind;
    match known(session, area, indicator, kind, period) {
        Known::Amount(v) => Some(v),
        Known::Register(Some(RegisterValue::Level(v))) => i64::try_from(v).ok(),
        Known::Register(_) => None,
    }
}

/// The area's answer to a yes/no indicator, if anyone gave one.
pub fn flag(session: &Session, area: &UnitId, indicator: &Indicator, period: ReportPeriod) -> Option<bool> {
    match known(session, area, &indicator.id, &indicator.kind, period) {
        Known::Register(Some(RegisterValue::Flag(answer))) => Some(answer),
        _ => None,
    }
}

/// The text shown for an indicator of the area: its figure as one area's, in the words
/// the reports use (`format::figure`: "Chưa có số liệu", "Chưa trả lời", …).
pub fn area_text(session: &Session, area: &UnitId, indicator: &Indicator, period: ReportPeriod) -> String {
    let known = |id| amount(session, area, id, period);
    let figure = match &indicator.kind {
        IndicatorKind::Counter => Figure::Counter { total: known(&indicator.id).unwrap_or(0) },
        IndicatorKind::Level => {
            let stated = known(&indicator.id);
            let total = stated.and_then(|v| u64::try_from(v).ok()).unwrap_or(0);
            Figure::Level { total, reporting: u32::from(stated.is_some()), areas: 1 }
        }
        IndicatorKind::Flag => {
            let answer = flag(session, area, indicator, period);
            Figure::Flag { yes: u32::from(answer == Some(true)), answered: u32::from(answer.is_some()), of: 1 }
        }
        IndicatorKind::Ratio { numerator, denominator } => match (known(numerator), known(denominator)) {
            (Some(numerator), Some(denominator)) => Figure::Ratio { numerator, denominator },
            _ => Figure::Ratio { numerator: 0, denominator: 0 },
        },
    };
    format::figure(indicator, &figure, period)
}
