//! Hybrid logical clock: orders writes to level and flag registers across devices.

use crate::DeviceId;
use serde::{Deserialize, Serialize};

/// A hybrid logical clock reading: wall-clock milliseconds plus a counter for
/// writes within the same millisecond or while the wall clock runs behind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hlc {
    pub wall: u64,
    pub n: u32,
}

impl Hlc {
    /// The reading for a new local write at wall time `now_ms`; always greater than `self`.
    pub fn tick(self, now_ms: u64) -> Hlc {
        if now_ms > self.wall { Hlc { wall: now_ms, n: 0 } } else { Hlc { wall: self.wall, n: self.n + 1 } }
    }
}

impl Hlc {
    /// The receive rule: a clock that has seen the server's time `remote_ms` never stamps
    /// below it, however far behind the phone's own clock runs.
    pub fn observe(self, remote_ms: u64) -> Hlc {
        if remote_ms > self.wall { Hlc { wall: remote_ms, n: 0 } } else { self }
    }
}

/// When and by whom a register was written; the total order of last-writer-wins
/// (clock first, device id breaks ties).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stamp {
    pub hlc: Hlc,
    pub device: DeviceId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_always_moves_forward_even_when_the_wall_clock_goes_back() {
        let a = Hlc::default().tick(1_000);
        let b = a.tick(900);
        let c = b.tick(900);
        assert!(a < b && b < c);
        assert_eq!(c.tick(2_000), Hlc { wall: 2_000, n: 0 });
    }
}
