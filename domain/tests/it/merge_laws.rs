//! The merge laws of counter and register cells, as properties.

use domain::{CounterState, DeviceId, Hlc, RegisterState, RegisterValue, Stamp};
use proptest::prelude::*;

fn counter() -> impl Strategy<Value = CounterState> {
    (0u64..1_000_000, 0u64..1_000_000).prop_map(|(inc, dec)| CounterState { inc, dec })
}

/// Registers whose value is determined by their stamp, as in practice: a device never
/// issues the same stamp twice.
fn register() -> impl Strategy<Value = RegisterState> {
    (0u64..5, 0u32..3, 0usize..3).prop_map(|(wall, n, d)| RegisterState {
        value: RegisterValue::Level(wall * 100 + u64::from(n) * 10 + d as u64),
        stamp: Stamp { hlc: Hlc { wall, n }, device: DeviceId::new(["a", "b", "c"][d]).unwrap() },
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn counter_merge_is_commutative_associative_idempotent(a in counter(), b in counter(), c in counter()) {
        prop_assert_eq!(a.merge(b), b.merge(a));
        prop_assert_eq!(a.merge(b).merge(c), a.merge(b.merge(c)));
        prop_assert_eq!(a.merge(a), a);
        prop_assert!(a.merge(b).covers(a) && a.merge(b).covers(b));
    }

    #[test]
    fn register_merge_is_commutative_associative_idempotent(a in register(), b in register(), c in register()) {
        prop_assert_eq!(a.clone().merge(b.clone()), b.clone().merge(a.clone()));
        prop_assert_eq!(a.clone().merge(b.clone()).merge(c.clone()), a.clone().merge(b.clone().merge(c)));
        prop_assert_eq!(a.clone().merge(a.clone()), a);
    }
}
