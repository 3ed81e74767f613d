//! Register rollups: levels and flags rolled up on write, so that a report reads a few
//! items per unit instead of every area's registers.
//!
//! A level's figure at month E is, per area, the value stated for the latest month at or
//! before E, summed over the areas, with how many areas have stated one. Both are prefix
//! sums over months: a unit keeps, per indicator and month, how much the sum in effect
//! changes at that month (`amount`) and how much the number of areas with a value in
//! effect changes (`reporting`); the figure at E adds up every month up to E. Writing a
//! value at month m changes the area's value in effect from m until the area's next
//! stated month n: the change is added at m and taken back at n.
//!
//! A flag's figure counts the areas saying yes in a year (`amount`) and the areas that
//! have answered at all (`reporting`); its change sits at January of that year.
//!
//! ```
//! # use domain::{Bucket, RegisterState, RegisterValue, Stamp, Hlc, DeviceId, Month, register_moves};
//! # use std::collections::BTreeMap;
//! let state = |value| RegisterState {
//!     value: RegisterValue::Level(value),
//!     stamp: Stamp { hlc: Hlc { wall: 1, n: 0 }, device: DeviceId::new("d").unwrap() },
//! };
//! let month = |m| Month::new(2025, m).unwrap();
//! // The area stated 100 households in March and 90 in September.
//! let history = BTreeMap::from([(Bucket::Month(month(3)), state(100)), (Bucket::Month(month(9)), state(90))]);
//! // Stating 104 for June raises the sum in effect by 4 from June until September.
//! let moves = register_moves(&history, Bucket::Month(month(6)), &state(104));
//! assert_eq!(moves[0].0, month(6));
//! assert_eq!((moves[0].1.amount, moves[0].1.reporting), (4, 0));
//! assert_eq!(moves[1].0, month(9));
//! assert_eq!((moves[1].1.amount, moves[1].1.reporting), (-4, 0));
//! ```

use crate::{Bucket, IndicatorId, Month, RegisterState, RegisterValue};
use std::collections::BTreeMap;
use std::ops::{AddAssign, Bound};

/// One area's register of one indicator: every bucket it has a value for.
pub type RegisterHistory = BTreeMap<Bucket, RegisterState>;

/// How much a unit's register rollup changes at one month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RollupChange {
    /// Levels: the change of the sum in effect. Flags: the change of the areas saying yes.
    pub amount: i64,
    /// Levels: the change of the number of areas with a value in effect. Flags: the
    /// change of the areas that have answered, yes or no.
    pub reporting: i64,
}

impl RollupChange {
    pub fn is_zero(self) -> bool {
        self == RollupChange::default()
    }
}

impl AddAssign for RollupChange {
    fn add_assign(&mut self, other: RollupChange) {
        self.amount += other.amount;
        self.reporting += other.reporting;
    }
}

impl std::ops::Neg for RollupChange {
    type Output = RollupChange;
    fn neg(self) -> RollupChange {
        RollupChange { amount: -self.amount, reporting: -self.reporting }
    }
}

/// A unit's register rollups: (indicator, month) → the change at that month.
pub type RegisterRollups = BTreeMap<(IndicatorId, Month), RollupChange>;

/// How storing `next` at `bucket` of an area's `history` moves the area's rollups (and so
/// every ancestor's), by month. Zero moves are left out.
pub fn register_moves(history: &RegisterHistory, bucket: Bucket, next: &RegisterState) -> Vec<(Month, RollupChange)> {
    let moves = match (bucket, next.value) {
        (Bucket::Month(month), RegisterValue::Level(value)) => {
            let before = history.range(..=bucket).next_back().map(|(_, s)| level_of(s));
            let change =
                RollupChange { amount: as_amount(value) - before.unwrap_or(0), reporting: i64::from(before.is_none()) };
            let next_stated = history.range((Bound::Excluded(bucket), Bound::Unbounded)).next();
            let mut moves = vec![(month, change)];
            if let Some((Bucket::Month(later), _)) = next_stated {
                moves.push((*later, -change));
            }
            moves
        }
        (Bucket::Year(_), RegisterValue::Flag(yes)) => {
            let before = history.get(&bucket).map(|s| s.value == RegisterValue::Flag(true));
            let change = RollupChange {
                amount: i64::from(yes) - i64::from(before == Some(true)),
                reporting: i64::from(before.is_none()),
            };
            vec![(bucket.first_month(), change)]
        }
        // `SyncRequest::validate` admits levels by month and flags by year only.
        _ => vec![],
    };
    moves.into_iter().filter(|(_, change)| !change.is_zero()).collect()
}

/// How removing the value at `bucket` of an area's `history` moves the area's rollups:
/// the reverse of having stored it on the history without it (the area's value in effect
/// falls back to the month stated before, or to none). Zero moves are left out.
pub fn removal_moves(history: &RegisterHistory, bucket: Bucket) -> Vec<(Month, RollupChange)> {
    let mut without = history.clone();
    let Some(state) = without.remove(&bucket) else { return vec![] };
    register_moves(&without, bucket, &state).into_iter().map(|(month, change)| (month, -change)).collect()
}

fn level_of(state: &RegisterState) -> i64 {
    match state.value {
        RegisterValue::Level(v) => as_amount(v),
        RegisterValue::Flag(_) => 0,
    }
}

/// Levels are bounded by `MAX_AMOUNT` (10^13) on validation, far within `i64`.
fn as_amount(level: u64) -> i64 {
    i64::try_from(level).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DeviceId, Hlc, Stamp};

    fn state(value: RegisterValue) -> RegisterState {
        RegisterState { value, stamp: Stamp { hlc: Hlc { wall: 1, n: 0 }, device: DeviceId::new("d").unwrap() } }
    }

    fn month(m: u8) -> Month {
        Month::new(2025, m).unwrap()
    }

    #[test]
    fn a_first_level_reports_from_its_month_on() {
        let moves = register_moves(&RegisterHistory::new(), Bucket::Month(month(4)), &state(RegisterValue::Level(30)));
        assert_eq!(moves, vec![(month(4), RollupChange { amount: 30, reporting: 1 })]);
    }

    #[test]
    fn a_level_stated_before_the_first_reports_until_the_first() {
        let history = BTreeMap::from([(Bucket::Month(month(6)), state(RegisterValue::Level(50)))]);
        let moves = register_moves(&history, Bucket::Month(month(2)), &state(RegisterValue::Level(45)));
        assert_eq!(
            moves,
            vec![
                (month(2), RollupChange { amount: 45, reporting: 1 }),
                (month(6), RollupChange { amount: -45, reporting: -1 })
            ]
        );
    }

    #[test]
    fn rewriting_a_month_moves_only_the_difference() {
        let history = BTreeMap::from([(Bucket::Month(month(6)), state(RegisterValue::Level(50)))]);
        let moves = register_moves(&history, Bucket::Month(month(6)), &state(RegisterValue::Level(50)));
        assert!(moves.is_empty());
        let moves = register_moves(&history, Bucket::Month(month(6)), &state(RegisterValue::Level(47)));
        assert_eq!(moves, vec![(month(6), RollupChange { amount: -3, reporting: 0 })]);
    }

    #[test]
    fn flags_count_yes_and_answers_in_january_of_their_year() {
        let year = Bucket::Year(2025);
        let yes = register_moves(&RegisterHistory::new(), year, &state(RegisterValue::Flag(true)));
        assert_eq!(yes, vec![(month(1), RollupChange { amount: 1, reporting: 1 })]);
        // A first "no" is an answer too: it counts as answered, not as yes.
        let first_no = register_moves(&RegisterHistory::new(), year, &state(RegisterValue::Flag(false)));
        assert_eq!(first_no, vec![(month(1), RollupChange { amount: 0, reporting: 1 })]);
        let history = BTreeMap::from([(year, state(RegisterValue::Flag(true)))]);
        let no = register_moves(&history, year, &state(RegisterValue::Flag(false)));
        assert_eq!(no, vec![(month(1), RollupChange { amount: -1, reporting: 0 })]);
        assert!(register_moves(&history, year, &state(RegisterValue::Flag(true))).is_empty());
        assert_eq!(removal_moves(&history, year), vec![(month(1), RollupChange { amount: -1, reporting: -1 })]);
    }
}
