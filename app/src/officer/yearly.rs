//! Một năm của một đơn vị — what the models and honours tabs share: a unit in reach and a
//! year chosen, and what the server answers for them, loaded again when either changes;
//! an answer for a unit or year no longer chosen is dropped.

use super::OfficerSession;
use super::unit_picker::UnitPicker;
use crate::api::ApiFailure;
use crate::{CollectAny, clock};
use domain::{ReportPeriod, UnitId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::future::Future;

/// The years a select offers: this one, then each back to the first the app takes (the
/// seeds' reports go back to 2009; a province's history before 1/7/2025 is read too).
pub fn year_options(this_year: u16) -> AnyView {
    (*domain::YEARS.start()..=this_year)
        .rev()
        .map(|y| view! { <option value=y.to_string()>{y.to_string()}</option> })
        .collect_any()
        .into_any()
}

/// The chosen unit and year, and the answer for them.
pub struct Yearly<T: Send + Sync + 'static> {
    pub unit: RwSignal<UnitId>,
    pub year: RwSignal<u16>,
    pub answer: RwSignal<Option<T>>,
    pub error: RwSignal<Option<String>>,
}

impl<T: Send + Sync + 'static> Clone for Yearly<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Yearly<T> {}

impl<T: Send + Sync + 'static> Yearly<T> {
    /// The officer's own unit, this year, nothing loaded yet.
    pub fn new(session: OfficerSession) -> Self {
        Yearly {
            unit: RwSignal::new(session.scope()),
            year: RwSignal::new(clock::today().month().year()),
            answer: RwSignal::new(None),
            error: RwSignal::new(None),
        }
    }

    /// The year chosen, as a period.
    fn period(self) -> Option<ReportPeriod> {
        self.year.try_get_untracked().and_then(|y| ReportPeriod::year(y).ok())
    }

    /// Loads the answer for the unit and year chosen (`fetch`), kept if they are still
    /// those (`of` tells which unit and period an answer is for).
    pub fn load<F, Fut>(self, session: OfficerSession, fetch: F, of: fn(&T) -> (&UnitId, ReportPeriod))
    where
        F: FnOnce(String, UnitId, ReportPeriod) -> Fut + 'static,
        Fut: Future<Output = Result<T, ApiFailure>> + 'static,
    {
        let (unit, Some(period)) = (self.unit.get_untracked(), self.period()) else { return };
        spawn_local(async move {
            match session.call(|token| fetch(token, unit, period)).await {
                Ok(fresh) => {
                    let (for_unit, for_period) = of(&fresh);
                    if self.unit.try_get_untracked().as_ref() == Some(for_unit) && self.period() == Some(for_period) {
                        self.answer.try_set(Some(fresh));
                        self.error.try_set(None);
                    }
                }
                Err(message) => {
                    self.error.try_set(Some(message));
                }
            }
        });
    }
}

/// The unit (those in reach above the areas) and the year; `on_change` runs after either
/// changed, the old answer cleared.
#[component]
pub fn UnitAndYear<T: Send + Sync + 'static>(
    session: OfficerSession,
    yearly: Yearly<T>,
    on_change: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let units = session.reach.with_untracked(|r| r.profile.units.iter().filter(|u| !u.is_area()).cloned().collect());
    let pick = move |id: UnitId| {
        yearly.unit.set(id);
        yearly.answer.set(None);
        on_change();
    };
    let this_year = clock::today().month().year();
    let years = year_options(this_year);
    view! {
        <UnitPicker label="Đơn vị" units=Signal::stored(units) chosen=yearly.unit on_pick=pick />
        <label class="pick">
            "Năm"
            <select on:change=move |ev| {
                if let Ok(y) = event_target_value(&ev).parse() {
                    yearly.year.set(y);
                    yearly.answer.set(None);
                    on_change();
                }
            }>{years}</select>
        </label>
    }
}
