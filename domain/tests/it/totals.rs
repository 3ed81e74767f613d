//! Every total at every level equals the sum of all entries, however sync messages are
//! duplicated, reordered or lost and acknowledgements go missing — checked against a
//! plain reference model: the list of every accepted entry.

use domain::{
    Catalogue, Date, DeviceId, Figure, IndicatorId, Ledger, MemoryTally, Month, ReportPeriod, SyncRequest, UnitId,
    UnitTree, unit_figures,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

const AREAS: [&str; 4] = ["dx-to-8a", "ntmk-to-11", "ntmk-to-13", "nt-khuoi-chang"];
const COUNTERS: [&str; 2] = ["dat_hien", "tien_dan_gop"];
const DEVICES: usize = 3;

#[derive(Debug, Clone)]
enum Action {
    /// A device records an amount (negative: a correction of its own entries).
    Record { device: usize, area: usize, indicator: usize, month: u8, amount: i64 },
    /// A device states a level (households) for a month.
    Level { device: usize, area: usize, month: u8, value: u64 },
    /// A device says whether the area held its festival this year.
    Flag { device: usize, area: usize, yes: bool },
    /// A device sends its outbox; the message joins the network.
    Send { device: usize },
    /// The network delivers one in-flight message (maybe keeping a copy to repeat it)
    /// and the answer reaches the sender or is lost.
    Deliver { pick: usize, keep_copy: bool, answer_arrives: bool },
    /// The network drops one in-flight message.
    Drop { pick: usize },
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        4 => (0..DEVICES, 0..AREAS.len(), 0..COUNTERS.len(), 1u8..=3, -40i64..200)
            .prop_map(|(device, area, indicator, month, amount)| Action::Record { device, area, indicator, month, amount }),
        1 => (0..DEVICES, 0..AREAS.len(), 1u8..=3, 0u64..500)
            .prop_map(|(device, area, month, value)| Action::Level { device, area, month, value }),
        1 => (0..DEVICES, 0..AREAS.len(), any::<bool>()).prop_map(|(device, area, yes)| Action::Flag { device, area, yes }),
        2 => (0..DEVICES).prop_map(|device| Action::Send { device }),
        3 => (any::<usize>(), any::<bool>(), any::<bool>())
            .prop_map(|(pick, keep_copy, answer_arrives)| Action::Deliver { pick, keep_copy, answer_arrives }),
        1 => any::<usize>().prop_map(|pick| Action::Drop { pick }),
    ]
}

fn festival() -> IndicatorId {
    IndicatorId::new("ngay_hoi_ddk").unwrap()
}

struct World {
    tree: UnitTree,
    catalogue: Catalogue,
    server: MemoryTally,
    devices: Vec<Ledger>,
    in_flight: Vec<(usize, SyncRequest)>,
    /// The reference model: every accepted amount entry.
    entries: Vec<(UnitId, IndicatorId, Month, i64)>,
    /// The reference model for levels: the last write per (area, month), in clock order.
    levels: BTreeMap<(UnitId, Month), (domain::Stamp, u64)>,
    /// The reference model for flags: the last write per area.
    flags: BTreeMap<UnitId, (domain::Stamp, bool)>,
    clock_ms: u64,
}

impl World {
    fn new() -> Self {
        let devices = (0..DEVICES).map(|d| Ledger::new(DeviceId::new(format!("phone-{d}")).unwrap())).collect();
        World {
            tree: UnitTree::demo(),
            catalogue: Catalogue::standard(),
            server: MemoryTally::default(),
            devices,
            in_flight: Vec::new(),
            entries: Vec::new(),
            levels: BTreeMap::new(),
            flags: BTreeMap::new(),
            clock_ms: 1_700_000_000_000,
        }
    }

    fn run(&mut self, action: Action) {
        self.clock_ms += 7;
        match action {
            Action::Record { device, area, indicator, month, amount } => {
                let (area, indicator) =
                    (UnitId::new(AREAS[area]).unwrap(), IndicatorId::new(COUNTERS[indicator]).unwrap());
                let date = Date::new(2025, month, 15).unwrap();
                let ledger = &mut self.devices[device];
                let accepted = ledger
                    .add_amount(&self.catalogue, &self.tree, &area, &indicator, date, amount, "", self.clock_ms)
                    .is_ok();
                if accepted {
                    self.entries.push((area, indicator, date.month(), amount));
                }
            }
            Action::Level { device, area, month, value } => {
                let area = UnitId::new(AREAS[area]).unwrap();
                let date = Date::new(2025, month, 1).unwrap();
                let homes = IndicatorId::new("so_ho").unwrap();
                // Devices' wall clocks disagree a little; the stamp decides.
                let now = self.clock_ms - device as u64 * 3;
                let ledger = &mut self.devices[device];
                ledger.set_level(&self.catalogue, &self.tree, &area, &homes, date, value, "", now).unwrap();
                let request = ledger.outbox();
                let cell = request
                    .registers
                    .iter()
                    .find(|c| c.area == area && c.bucket.to_string() == date.month().to_string())
                    .unwrap();
                let stamp = cell.stamp.clone();
                let slot = self.levels.entry((area, date.month())).or_insert((stamp.clone(), value));
                if stamp >= slot.0 {
                    *slot = (stamp, value);
                }
            }
            Action::Flag { device, area, yes } => {
                let area = UnitId::new(AREAS[area]).unwrap();
                let date = Date::new(2025, 5, 1).unwrap();
                let now = self.clock_ms - device as u64 * 3;
                let ledger = &mut self.devices[device];
                ledger.set_flag(&self.catalogue, &self.tree, &area, &festival(), date, yes, "", now).unwrap();
                let request = ledger.outbox();
                let cell = request.registers.iter().find(|c| c.area == area && c.indicator == festival()).unwrap();
                let slot = self.flags.entry(area).or_insert((cell.stamp.clone(), yes));
                if cell.stamp >= slot.0 {
                    *slot = (cell.stamp.clone(), yes);
                }
            }
            Action::Send { device } => {
                let request = self.devices[device].outbox();
                if !request.is_empty() {
                    self.in_flight.push((device, request));
                }
            }
            Action::Deliver { pick, keep_copy, answer_arrives } => {
                if self.in_flight.is_empty() {
                    return;
                }
                let i = pick % self.in_flight.len();
                let (device, request) =
                    if keep_copy { self.in_flight[i].clone() } else { self.in_flight.swap_remove(i) };
                self.server.apply(&request, &self.tree, &self.catalogue).expect("valid request");
                if answer_arrives {
                    self.devices[device].acknowledge(&request);
                }
            }
            Action::Drop { pick } => {
                if !self.in_flight.is_empty() {
                    let i = pick % self.in_flight.len();
                    self.in_flight.swap_remove(i);
                }
            }
        }
    }

    /// The network heals: late messages arrive, then every device syncs until it has nothing left.
    fn settle(&mut self) {
        for (device, request) in std::mem::take(&mut self.in_flight) {
            self.server.apply(&request, &self.tree, &self.catalogue).unwrap();
            self.devices[device].acknowledge(&request);
        }
        for ledger in &mut self.devices {
            let request = ledger.outbox();
            self.server.apply(&request, &self.tree, &self.catalogue).unwrap();
            ledger.acknowledge(&request);
            assert_eq!(ledger.pending(), 0);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn totals_at_every_level_equal_the_sum_of_all_entries(actions in prop::collection::vec(action(), 1..60)) {
        let mut world = World::new();
        for action in actions {
            world.run(action);
        }
        world.settle();
        let units: Vec<UnitId> = world.tree.units().map(|u| u.id.clone()).collect();
        for unit in &units {
            let areas = world.tree.areas_under(unit);
            for indicator in COUNTERS.map(|i| IndicatorId::new(i).unwrap()) {
                for month in (1..=3).map(|m| Month::new(2025, m).unwrap()) {
                    let expected: i64 = world
                        .entries
                        .iter()
                        .filter(|(a, i, m, _)| areas.contains(a) && *i == indicator && *m == month)
                        .map(|e| e.3)
                        .sum();
                    prop_assert_eq!(world.server.total(unit, &indicator, month), expected, "{} {} {}", unit, indicator, month);
                }
            }
            // Levels: per area the last write of the latest month up to each period end;
            // flags: the areas whose last write says yes, and the areas that answered.
            let unit_ref = world.tree.get(unit).unwrap().clone();
            for end in 1..=3 {
                let period: ReportPeriod = format!("2025-{end:02}").parse().unwrap();
                let totals = world.server.counter_totals(unit, period);
                let rollups = world.server.register_rollups(unit, period);
                let figures = unit_figures(&world.catalogue, &world.tree, &unit_ref, period, &totals, &rollups);
                let (mut homes, mut reporting) = (0, 0);
                for area in &areas {
                    let stated = world.levels.iter().filter(|((a, m), _)| a == area && m.month() <= end);
                    if let Some((_, (_, value))) = stated.max_by_key(|((_, m), _)| *m) {
                        homes += value;
                        reporting += 1;
                    }
                }
                let areas_count = u32::try_from(areas.len()).unwrap();
                let want = Figure::Level { total: homes, reporting, areas: areas_count };
                prop_assert_eq!(figures.figures[&IndicatorId::new("so_ho").unwrap()], want, "{} {}", unit, period);
                let answers = world.flags.iter().filter(|(a, _)| areas.contains(a));
                let answered = u32::try_from(answers.clone().count()).unwrap();
                let yes = u32::try_from(answers.filter(|(_, (_, yes))| *yes).count()).unwrap();
                let want = Figure::Flag { yes, answered, of: areas_count };
                prop_assert_eq!(figures.figures[&festival()], want, "{} {}", unit, period);
            }
        }
    }
}
