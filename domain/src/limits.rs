//! Giới hạn — how much one device or one client may do, so that a stolen token or a
//! guessing script cannot run up the bill or wear codes down. Counted by the store (so
//! the limits hold across Lambda instances), decided here.

/// Cells one device may send in a day (its requests, repeats included): a busy area
/// sends tens; a phone back from weeks offline a few thousand.
pub const CELLS_PER_DEVICE_PER_DAY: u64 = 50_000;

/// A limit on attempts within a fixed window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// What is counted, part of the store key (`join`, `code`, `auth`, `successor`, `successor-unit`).
    pub name: &'static str,
    pub max: u64,
    pub window_ms: u64,
}

const HOUR_MS: u64 = 60 * 60 * 1000;

/// Join attempts from one client (address) in an hour.
pub const JOINS_PER_CLIENT: Limit = Limit { name: "join", max: 30, window_ms: HOUR_MS };
/// Join attempts with one typed code in an hour (a code read out wrong a few times is fine).
pub const JOINS_PER_CODE: Limit = Limit { name: "code", max: 10, window_ms: HOUR_MS };
/// Requests with a wrong token from one client in an hour.
pub const FAILED_AUTH_PER_CLIENT: Limit = Limit { name: "auth", max: 30, window_ms: HOUR_MS };
/// Successions (`POST /api/v1/me/successor`, each one a new device) from one client in an
/// hour: a phone goes backwards or restores a backup rarely.
pub const SUCCESSIONS_PER_CLIENT: Limit = Limit { name: "successor", max: 20, window_ms: HOUR_MS };
/// Successions within one scope in a day: each new token may succeed once, so this bounds
/// the chain of devices one stolen token can mint, from any number of addresses.
pub const SUCCESSIONS_PER_SCOPE: Limit = Limit { name: "successor-unit", max: 10, window_ms: 24 * HOUR_MS };

impl Limit {
    /// The start of the window `now_ms` falls in.
    pub fn window(self, now_ms: u64) -> u64 {
        now_ms - now_ms % self.window_ms
    }

    /// Whether the attempt that brought the window's count to `count` goes over.
    pub fn exceeded(self, count: u64) -> bool {
        count > self.max
    }

    /// Seconds until the window ends, for `Retry-After`.
    pub fn retry_after_s(self, now_ms: u64) -> u64 {
        (self.window(now_ms) + self.window_ms - now_ms).div_ceil(1000)
    }
}

/// A device's quota: the day it counts (days since 1970) and the cells sent that day.
pub type Quota = (u64, u64);

/// The quota after a sync of `cells` on `day`, from what was counted so far (`None`: no
/// sync yet); `None` when it would pass `max`, and the sync is refused.
pub fn charge(counted: Option<Quota>, day: u64, cells: u64, max: u64) -> Option<Quota> {
    let used = match counted {
        Some((counted_day, used)) if counted_day == day => used,
        _ => 0,
    };
    let after = used.checked_add(cells).filter(|after| *after <= max)?;
    Some((day, after))
}

/// The day (since 1970) of `now_ms`, the unit of the device quota.
pub fn day_of(now_ms: u64) -> u64 {
    now_ms / (24 * HOUR_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_fixed_and_the_limit_is_the_last_attempt_allowed() {
        let limit = Limit { name: "t", max: 2, window_ms: 1_000 };
        assert_eq!((limit.window(1_999), limit.window(2_000)), (1_000, 2_000));
        assert!(!limit.exceeded(2) && limit.exceeded(3));
        assert_eq!(limit.retry_after_s(2_001), 1);
        assert_eq!(day_of(86_400_000 * 3 + 5), 3);
    }

    #[test]
    fn a_quota_fills_within_a_day_and_starts_again_the_next() {
        assert_eq!(charge(None, 7, 10, 10), Some((7, 10)));
        assert_eq!(charge(Some((7, 4)), 7, 6, 10), Some((7, 10)));
        assert_eq!(charge(Some((7, 4)), 7, 7, 10), None);
        assert_eq!(charge(Some((7, 10)), 8, 10, 10), Some((8, 10)));
        assert_eq!(charge(None, 7, 11, 10), None);
        assert_eq!(charge(Some((7, u64::MAX)), 7, 1, u64::MAX), None);
    }
}
