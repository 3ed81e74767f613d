//! Wards merge, split, rename and close their residential areas while phones keep
//! recording, some of them offline with the tree they knew. Whatever the sequence:
//! - a cell is refused exactly when no area takes it in its month (the area, or the one it
//!   merged into or was split into, still open then), checked against a reference model
//!   of the events;
//! - every total at every level equals the sum of the entries placed under that tree;
//! - a report's columns take each entry once and add up to the unit;
//! - each of today's areas reads exactly the areas that lead to it.
//!
//! Two of the demo's wards closed on 30/6/2025 and a ward of today's map, in a province of
//! its own that carries the demo's city on, carries them on, as the reorganisation of
//! 1/7/2025 did: it creates areas of its own, and the areas of all three merge into each
//! other's.

use domain::{
    AreaChange, AreaEvent, AreaPart, AreaRecord, Catalogue, CounterCell, Date, DeviceId, EventId, IndicatorId, Ledger,
    MemoryTally, Month, ReportPeriod, Unit, UnitId, UnitTree, carried_sum, report_columns,
};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

const COUNTERS: [&str; 2] = ["dat_hien", "tien_dan_gop"];
const DEVICES: usize = 3;
const YEAR: u16 = 2026;

#[derive(Debug, Clone)]
enum Action {
    /// A device records an amount for an area (picked among every area the server knows).
    Record { device: usize, area: usize, indicator: usize, month: u8, amount: i64 },
    /// A device sends its outbox and takes the answer.
    Send { device: usize },
    /// A ward changes an area from a day: 0 rename, 1 close, 2 merge into a sibling, 3 split,
    /// 4 today's ward creates one.
    Change { kind: u8, area: usize, sibling: usize, month: u8, day: u8 },
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        5 => (0..DEVICES, any::<usize>(), 0..COUNTERS.len(), 1u8..=12, -40i64..200)
            .prop_map(|(device, area, indicator, month, amount)| Action::Record { device, area, indicator, month, amount }),
        3 => (0..DEVICES).prop_map(|device| Action::Send { device }),
        2 => (0u8..5, any::<usize>(), any::<usize>(), 1u8..=12, 1u8..=28)
            .prop_map(|(kind, area, sibling, month, day)| Action::Change { kind, area, sibling, month, day }),
    ]
}

fn id(s: &str) -> UnitId {
    UnitId::new(s).unwrap()
}

/// The demo's units, Phường Đức Xuân and Phường Nguyễn Thị Minh Khai closed on 30/6/2025
/// and carried on by a ward of today's map.
fn first_units() -> Vec<Unit> {
    let merged = [id("p-duc-xuan"), id("p-nguyen-thi-minh-khai")];
    let mut units: Vec<Unit> = UnitTree::demo().units().cloned().collect();
    for unit in units.iter_mut().filter(|u| merged.contains(&u.id)) {
        unit.valid_to = Some(Date::new(2025, 6, 30).unwrap());
    }
    let first = Some(Date::new(2025, 7, 1).unwrap());
    let province = Unit::new(id("tinh-moi"), "Tỉnh Mới", domain::UnitLevel::Province, None);
    units.push(Unit { valid_from: first, succeeds: vec![id("tp-bac-kan")], ..province });
    let today = Unit::new(id("p-bac-kan-moi"), "Phường Bắc Kạn", domain::UnitLevel::Ward, Some(id("tinh-moi")));
    units.push(Unit { valid_from: first, succeeds: merged.to_vec(), ..today });
    units
}

/// The reference: what each accepted event did, read without the tree.
#[derive(Default)]
struct Reference {
    /// Area → its last day and the area that carries it on.
    ended: BTreeMap<UnitId, (Date, Option<UnitId>)>,
    /// Counter cell (device, area, indicator, month) → the value the server accepted last.
    accepted: BTreeMap<(DeviceId, UnitId, IndicatorId, Month), i64>,
}

impl Reference {
    /// The area that takes an entry of `area` on `day`: the area, or its successors in turn.
    fn taker(&self, area: &UnitId, day: Date) -> Option<UnitId> {
        match self.ended.get(area) {
            Some((last, next)) if day > *last => next.as_ref().and_then(|n| self.taker(n, day)),
            _ => Some(area.clone()),
        }
    }

    /// The area of today's map an area's figures are read under: its successors in turn.
    fn today(&self, area: &UnitId) -> UnitId {
        match self.ended.get(area) {
            Some((_, Some(next))) => self.today(next),
            _ => area.clone(),
        }
    }

    fn sum(&self, areas: &BTreeSet<UnitId>, month: Option<Month>) -> i64 {
        let picked =
            self.accepted.iter().filter(|((_, a, _, m), _)| areas.contains(a) && month.is_none_or(|x| x == *m));
        picked.map(|(_, v)| v).sum()
    }
}

struct World {
    first_tree: UnitTree,
    tree: UnitTree,
    catalogue: Catalogue,
    server: MemoryTally,
    devices: Vec<Ledger>,
    records: Vec<AreaRecord>,
    reference: Reference,
    clock_ms: u64,
    next_id: u32,
}

impl World {
    fn new() -> Self {
        let devices = (0..DEVICES).map(|d| Ledger::new(DeviceId::new(format!("phone-{d}")).unwrap())).collect();
        World {
            first_tree: UnitTree::new(first_units()).unwrap(),
            tree: UnitTree::new(first_units()).unwrap(),
            catalogue: Catalogue::standard(),
            server: MemoryTally::default(),
            devices,
            records: vec![],
            reference: Reference::default(),
            clock_ms: 1_790_000_000_000,
            next_id: 0,
        }
    }

    fn areas(&self) -> Vec<Unit> {
        self.tree.units().filter(|u| u.is_area()).cloned().collect()
    }

    fn run(&mut self, action: Action) {
        self.clock_ms += 7;
        match action {
            Action::Record { device, area, indicator, month, amount } => {
                let areas = self.areas();
                let area = areas[area % areas.len()].id.clone();
                // Two phones know only the tree they joined under; the third knows today's.
                let tree = if device == 2 { &self.tree } else { &self.first_tree };
                let indicator = IndicatorId::new(COUNTERS[indicator]).unwrap();
                let date = Date::new(YEAR, month, 15).unwrap();
                let ledger = &mut self.devices[device];
                let _ = ledger.add_amount(&self.catalogue, tree, &area, &indicator, date, amount, "", self.clock_ms);
            }
            Action::Send { device } => self.send(device),
            Action::Change { kind, area, sibling, month, day } => {
                let areas = self.areas();
                let area = &areas[area % areas.len()];
                // The areas of its ward, or of a ward merged with it.
                let home = |u: &Unit| u.parent.as_ref().map(|p| self.tree.home_of(p).clone());
                let siblings: Vec<&Unit> = areas.iter().filter(|u| home(u) == home(area) && u.id != area.id).collect();
                self.next_id += 1;
                let n = self.next_id;
                let target = if kind == 4 { id(&format!("kdc-moi-{n}")) } else { area.id.clone() };
                let change = match kind {
                    4 => AreaChange::Create { parent: id("p-bac-kan-moi"), name: format!("Tổ mới {n}") },
                    0 => AreaChange::Rename { name: format!("Tổ đổi {n}") },
                    1 => AreaChange::Close,
                    2 if !siblings.is_empty() => {
                        AreaChange::Merge { into: siblings[sibling % siblings.len()].id.clone() }
                    }
                    _ => AreaChange::Split {
                        parts: (0..2)
                            .map(|p| AreaPart { id: id(&format!("kdc-{n}-{p}")), name: format!("Tổ tách {n}-{p}") })
                            .collect(),
                    },
                };
                let event = AreaEvent {
                    id: EventId::new(format!("e-{n}")).unwrap(),
                    area: target,
                    effective: Date::new(YEAR, month, day).unwrap(),
                    change,
                };
                if event.check(&self.tree, Date::new(YEAR, 12, 7).unwrap()).is_err() {
                    return;
                }
                let last = event.effective.previous();
                match &event.change {
                    AreaChange::Close => {
                        self.reference.ended.insert(event.area.clone(), (last, None));
                    }
                    AreaChange::Merge { into } => {
                        self.reference.ended.insert(event.area.clone(), (last, Some(into.clone())));
                    }
                    AreaChange::Split { parts } => {
                        self.reference.ended.insert(event.area.clone(), (last, Some(parts[0].id.clone())));
                    }
                    _ => {}
                }
                let by = DeviceId::new("d-officer").unwrap();
                self.records.push(AreaRecord { event, by, at_ms: self.clock_ms });
                let units = domain::area::units_with(first_units(), &self.records, None);
                self.tree = UnitTree::new(units).unwrap();
            }
        }
    }

    fn send(&mut self, device: usize) {
        let request = self.devices[device].outbox();
        if request.is_empty() {
            return;
        }
        let answer = self.server.apply(&request, &self.tree, &self.catalogue).expect("a valid request");
        for (i, cell) in request.counters.iter().enumerate() {
            let refused = answer.refused.iter().any(|r| r.cell == i);
            let day = Date::first_of(cell.month);
            let taker = self.reference.taker(&cell.area, day);
            assert_eq!(refused, taker.is_none(), "{cell:?} on {day:?}: {:?}", answer.refused);
            if !refused {
                let key = (request.device.clone(), cell.area.clone(), cell.indicator.clone(), cell.month);
                self.reference.accepted.insert(key, CounterCell::state(cell).net());
            }
        }
        self.devices[device].answer(&request, &answer, self.clock_ms);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn reorganised_areas_count_every_entry_once(actions in prop::collection::vec(action(), 1..50)) {
        let mut world = World::new();
        for action in actions {
            world.run(action);
        }
        for device in 0..DEVICES {
            world.send(device);
        }
        let tree = &world.tree;
        let reference = &world.reference;
        let months: Vec<Month> = (1..=12).map(|m| Month::new(YEAR, m).unwrap()).collect();

        // Every level: the entries placed under it, each where it was entered.
        for unit in tree.units() {
            let areas: BTreeSet<UnitId> = tree.areas_under(&unit.id).into_iter().collect();
            for &month in &months {
                let total: i64 = COUNTERS.iter().map(|i| world.server.total(&unit.id, &IndicatorId::new(*i).unwrap(), month)).sum();
                prop_assert_eq!(total, reference.sum(&areas, Some(month)), "{} {}", unit.id, month);
            }
        }

        // A report's columns: each area read in one column; together, the unit.
        let periods: Vec<ReportPeriod> = ["2026", "2026-03", "2026-09", "2026-12"].iter().map(|p| p.parse().unwrap()).collect();
        for ward in tree.units().filter(|u| !u.is_area() && tree.listed_under(&u.id).iter().any(|c| c.is_area())) {
            // The ward's areas and those of the wards it carries on.
            let carried = tree.carried(&ward.id);
            let areas: BTreeSet<UnitId> = carried.iter().flat_map(|w| tree.areas_under(w)).collect();
            for &period in &periods {
                let mut seen = BTreeSet::new();
                let mut sum = 0;
                for (column, reads) in report_columns(tree, &ward.id, period) {
                    for read in &reads {
                        prop_assert!(seen.insert(read.clone()), "{} read twice in {}", read, period);
                    }
                    let parts = reads.iter().map(|u| (u.clone(), world.server.counter_totals(u, period), Default::default()));
                    let (totals, _) = carried_sum(&world.catalogue, tree, period, parts);
                    let column_sum: i64 = totals.values().sum();
                    let in_period = |m: &&Month| period.contains(**m);
                    let want: i64 = months.iter().filter(|m| in_period(m))
                        .map(|m| reference.sum(&reads.iter().cloned().collect(), Some(*m))).sum();
                    prop_assert_eq!(column_sum, want, "{} in {}", column.id, period);
                    sum += column_sum;
                }
                prop_assert_eq!(&seen, &areas, "every area of {} in a column for {}", ward.id, period);
                let ward_total: i64 =
                    carried.iter().map(|w| world.server.counter_totals(w, period).values().sum::<i64>()).sum();
                prop_assert_eq!(sum, ward_total, "{} in {}", ward.id, period);
                // The year's columns are today's areas (and those closed with no successor),
                // in the report of a ward of today's map.
                if period == periods[0] && tree.home_of(&ward.id) == &ward.id {
                    for (column, _) in report_columns(tree, &ward.id, period) {
                        prop_assert_eq!(reference.today(&column.id), column.id.clone());
                    }
                }
            }
        }

        // Each of today's areas reads exactly the areas whose successors lead to it.
        for area in tree.units().filter(|u| u.is_area() && u.valid_to.is_none()) {
            let carried: BTreeSet<UnitId> = tree.carried(&area.id).into_iter().collect();
            let leading: BTreeSet<UnitId> =
                tree.units().filter(|u| u.is_area() && reference.today(&u.id) == area.id).map(|u| u.id.clone()).collect();
            prop_assert_eq!(carried, leading, "{}", area.id);
        }
    }
}
