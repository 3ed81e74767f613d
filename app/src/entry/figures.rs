//! What the entry screen shows for an indicator of the chosen area: the area snapshot
//! (the last report plus this device's entries since; see `domain::AreaSnapshot`), or,
//! before any report arrived, this device's own entries.

use crate::session::Session;
use domain::{Indicator, IndicatorId, IndicatorKind, RegisterValue, ReportPeriod, UnitId, format};
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

/// The text shown for an indicator of the area.
pub fn area_text(session: &Session, area: &UnitId, indicator: &Indicator, period: ReportPeriod) -> String {
    const UNKNOWN: &str = "Chưa có số liệu";
    match &indicator.kind {
        IndicatorKind::Counter | IndicatorKind::Level => match amount(session, area, &indicator.id, period) {
            Some(v) => format::amount(v, &indicator.unit),
            None => UNKNOWN.into(),
        },
        IndicatorKind::Flag => match flag(session, area, indicator, period) {
            Some(true) => "Có".into(),
            Some(false) => "Không".into(),
            None => "Chưa trả lời".into(),
        },
        IndicatorKind::Ratio { numerator, denominator } => {
            match (amount(session, area, numerator, period), amount(session, area, denominator, period)) {
                (Some(n), Some(d)) => format::ratio(n, d),
                _ => "Chưa đủ số liệu".into(),
            }
        }
    }
}
