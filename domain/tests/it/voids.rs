//! Voiding devices, as a property against the reference model: after any entries, syncs
//! (repeated, reordered, lost) and voids (repeated too), every counter total at every
//! level equals the sum of the entries of the devices never voided; no write of a voided
//! device survives in a register, and the register rollups agree with what is stored.

use domain::{
    Catalogue, Date, DeviceId, Figure, IndicatorId, Ledger, MemoryTally, Month, ReportPeriod, SyncRequest, UnitId,
    UnitTree, unit_figures,
};
use proptest::prelude::*;
use std::collections::BTreeSet;

const AREAS: [&str; 3] = ["dx-to-8a", "ntmk-to-11", "ntmk-to-13"];
const DEVICES: usize = 3;

#[derive(Debug, Clone)]
enum Action {
    Record { device: usize, area: usize, month: u8, amount: i64 },
    Level { device: usize, area: usize, month: u8, value: u64 },
    Send { device: usize },
    Deliver { pick: usize, keep_copy: bool },
    Void { device: usize },
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        4 => (0..DEVICES, 0..AREAS.len(), 1u8..=3, -40i64..200)
            .prop_map(|(device, area, month, amount)| Action::Record { device, area, month, amount }),
        2 => (0..DEVICES, 0..AREAS.len(), 1u8..=3, 0u64..500)
            .prop_map(|(device, area, month, value)| Action::Level { device, area, month, value }),
        2 => (0..DEVICES).prop_map(|device| Action::Send { device }),
        3 => (any::<usize>(), any::<bool>()).prop_map(|(pick, keep_copy)| Action::Deliver { pick, keep_copy }),
        1 => (0..DEVICES).prop_map(|device| Action::Void { device }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn after_voids_every_total_is_the_sum_of_the_entries_of_devices_not_voided(
        actions in prop::collection::vec(action(), 1..60),
    ) {
        let (tree, catalogue) = (UnitTree::demo(), Catalogue::standard());
        let land = IndicatorId::new("dat_hien").unwrap();
        let homes = IndicatorId::new("so_ho").unwrap();
        let mut server = MemoryTally::default();
        let mut phones: Vec<Ledger> =
            (0..DEVICES).map(|d| Ledger::new(DeviceId::new(format!("phone-{d}")).unwrap())).collect();
        let mut entries: Vec<(usize, UnitId, Month, i64)> = vec![];
        let mut in_flight: Vec<(usize, SyncRequest)> = vec![];
        let mut voided = BTreeSet::new();
        let mut clock = 1_700_000_000_000u64;
        for action in actions {
            clock += 7;
            match action {
                Action::Record { device, area, month, amount } => {
                    let area = UnitId::new(AREAS[area]).unwrap();
                    let date = Date::new(2025, month, 10).unwrap();
                    if phones[device].add_amount(&catalogue, &tree, &area, &land, date, amount, "", clock).is_ok() {
                        entries.push((device, area, date.month(), amount));
                    }
                }
                Action::Level { device, area, month, value } => {
                    let area = UnitId::new(AREAS[area]).unwrap();
                    let date = Date::new(2025, month, 1).unwrap();
                    phones[device].set_level(&catalogue, &tree, &area, &homes, date, value, "", clock).unwrap();
                }
                Action::Send { device } => {
                    let request = phones[device].outbox();
                    if !request.is_empty() {
                        in_flight.push((device, request));
                    }
                }
                Action::Deliver { pick, keep_copy } => {
                    if !in_flight.is_empty() {
                        let i = pick % in_flight.len();
                        let (device, request) = if keep_copy { in_flight[i].clone() } else { in_flight.swap_remove(i) };
                        server.apply(&request, &tree, &catalogue).unwrap();
                        phones[device].acknowledge(&request);
                    }
                }
                Action::Void { device } => {
                    server.void(&phones[device].device, &tree);
                    voided.insert(device);
                }
            }
        }
        // The network heals; voided devices keep sending, and count nothing.
        for (_, request) in in_flight.drain(..) {
            server.apply(&request, &tree, &catalogue).unwrap();
        }
        for phone in &phones {
            server.apply(&phone.outbox(), &tree, &catalogue).unwrap();
        }
        // A void repeated after everything changes nothing.
        let before = server.clone();
        for device in &voided {
            prop_assert_eq!(server.void(&phones[*device].device, &tree), 0);
        }
        prop_assert_eq!(&server, &before);

        for unit in tree.units() {
            let areas = tree.areas_under(&unit.id);
            for month in (1..=3).map(|m| Month::new(2025, m).unwrap()) {
                let want: i64 = entries
                    .iter()
                    .filter(|(d, a, m, _)| !voided.contains(d) && areas.contains(a) && *m == month)
                    .map(|e| e.3)
                    .sum();
                prop_assert_eq!(server.total(&unit.id, &land, month), want, "{} {}", unit.id, month);
            }
            // The rollups agree with the stored registers, and no voided write survives.
            for end in 1..=3u8 {
                let period: ReportPeriod = format!("2025-{end:02}").parse().unwrap();
                let figures = unit_figures(
                    &catalogue,
                    &tree,
                    unit,
                    period,
                    &server.counter_totals(&unit.id, period),
                    &server.register_rollups(&unit.id, period),
                );
                let (mut total, mut reporting) = (0, 0);
                for area in &areas {
                    let stated = server
                        .registers()
                        .filter(|(k, _)| &k.area == area && k.indicator == homes)
                        .filter(|(k, _)| k.bucket.first_month() <= Month::new(2025, end).unwrap())
                        .max_by_key(|(k, _)| k.bucket);
                    if let Some((_, state)) = stated
                        && let domain::RegisterValue::Level(v) = state.value {
                            total += v;
                            reporting += 1;
                        }
                }
                let want = Figure::Level { total, reporting, areas: u32::try_from(areas.len()).unwrap() };
                prop_assert_eq!(figures.figures[&homes], want, "{} {}", unit.id, period);
            }
        }
        for (_, state) in server.registers() {
            let device = phones.iter().position(|p| p.device == state.stamp.device).unwrap();
            prop_assert!(!voided.contains(&device), "a voided device's write survived");
        }
    }
}
