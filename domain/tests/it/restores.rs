//! Restoring a backup, as a property against the reference model: an old phone records
//! and syncs (messages lost, repeated, reordered; answers lost), a backup of it is taken
//! at any moment (written to a file and read back), the old phone goes on recording and
//! syncing (or not), then stops — its device is revoked, by a successor or by the officer
//! (a lost phone) — and the backup is restored on a new phone, which records and syncs
//! more. Every counter total at every level then equals the sum of the entries that
//! survived, each counted once: every entry of the new phone, every entry in the backup,
//! and every entry of the old phone that the server had counted before it stopped. (An
//! entry the old phone neither synced nor had in the backup is lost with that phone.)
//! `MemoryTally` is the server.
//!
//! Both ways the old device stops give the restore the same thing: a successor asked with
//! the backup's token (the server reads the old device's cells in the write that revokes
//! it), or the officer revoked it (a lost phone) and the new phone, enrolled with a join
//! code, reads them afterwards. Either way its cells are final when read: nothing of a
//! revoked device lands, here as on the server.

use domain::enrol::{Enrolment, Profile};
use domain::{
    Backup, Catalogue, CounterKey, CounterState, Date, DeviceId, IndicatorId, Ledger, MemoryTally, Month,
    RegisterValue, Role, SyncRequest, UnitId, UnitTree,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Areas of one ward: a volunteer records for one area; two keep the test honest about
/// totals above the area.
pub(crate) const AREA: &str = "ntmk-to-11";
pub(crate) const COUNTERS: [&str; 2] = ["dat_hien", "tien_dan_gop"];

#[derive(Debug, Clone)]
pub(crate) enum Action {
    /// The phone records an amount (negative: a correction of its own entries).
    Record { indicator: usize, month: u8, amount: i64 },
    /// The phone states a level (households) for a month.
    Level { month: u8, value: u64 },
    /// The phone sends its outbox; the message joins the network.
    Send,
    /// The network delivers one in-flight message of this phone (maybe keeping a copy to
    /// repeat it); its answer arrives or is lost.
    Deliver { pick: usize, keep_copy: bool, answer_arrives: bool },
    /// The network drops one in-flight message of this phone.
    Drop { pick: usize },
}

pub(crate) fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        5 => (0..COUNTERS.len(), 1u8..=3, -40i64..200)
            .prop_map(|(indicator, month, amount)| Action::Record { indicator, month, amount }),
        1 => (1u8..=3, 0u64..500).prop_map(|(month, value)| Action::Level { month, value }),
        2 => Just(Action::Send),
        3 => (any::<usize>(), any::<bool>(), any::<bool>())
            .prop_map(|(pick, keep_copy, answer_arrives)| Action::Deliver { pick, keep_copy, answer_arrives }),
        1 => any::<usize>().prop_map(|pick| Action::Drop { pick }),
    ]
}

/// One phone of the model: its ledger, its messages in flight.
pub(crate) struct Phone {
    pub(crate) ledger: Ledger,
    pub(crate) in_flight: Vec<SyncRequest>,
}

struct World {
    tree: UnitTree,
    catalogue: Catalogue,
    server: MemoryTally,
    area: UnitId,
    clock_ms: u64,
    /// Whether the old device is revoked: its messages are refused from then on.
    old_stopped: bool,
    /// The reference model: every accepted entry of the old phone, with its seq and the
    /// state of its cell after it.
    old_entries: Vec<(u64, CounterKey, i64, CounterState)>,
    /// The reference model: every accepted entry of the new phone.
    new_entries: Vec<(CounterKey, i64)>,
    /// The reference model: what reached the server of the old device, per cell (the
    /// greatest state delivered).
    delivered_old: BTreeMap<CounterKey, CounterState>,
    /// The new phone's last level per month.
    new_levels: BTreeMap<Month, u64>,
}

impl World {
    fn new() -> Self {
        World {
            tree: UnitTree::demo(),
            catalogue: Catalogue::standard(),
            server: MemoryTally::default(),
            area: UnitId::new(AREA).unwrap(),
            clock_ms: 1_700_000_000_000,
            old_stopped: false,
            old_entries: Vec::new(),
            new_entries: Vec::new(),
            delivered_old: BTreeMap::new(),
            new_levels: BTreeMap::new(),
        }
    }

    /// Runs one action on a phone; `old` tells which one it is.
    fn run(&mut self, phone: &mut Phone, old: bool, action: Action) {
        self.clock_ms += 7;
        match action {
            Action::Record { indicator, month, amount } => {
                let indicator = IndicatorId::new(COUNTERS[indicator]).unwrap();
                let date = Date::new(2025, month, 15).unwrap();
                let (tree, cat, area) = (&self.tree, &self.catalogue, &self.area);
                let Ok(entry) =
                    phone.ledger.add_amount(cat, tree, area, &indicator, date, amount, "Hộ ông A", self.clock_ms)
                else {
                    return;
                };
                let (seq, key) =
                    (entry.seq, CounterKey { area: area.clone(), indicator: indicator.clone(), month: date.month() });
                if old {
                    let state = phone.ledger.outbox().counters.iter().find(|c| c.key() == key).unwrap().state();
                    self.old_entries.push((seq, key, amount, state));
                } else {
                    self.new_entries.push((key, amount));
                }
            }
            Action::Level { month, value } => {
                let date = Date::new(2025, month, 1).unwrap();
                let homes = IndicatorId::new("so_ho").unwrap();
                let (tree, cat, area) = (&self.tree, &self.catalogue, &self.area);
                phone.ledger.set_level(cat, tree, area, &homes, date, value, "", self.clock_ms).unwrap();
                if !old {
                    self.new_levels.insert(date.month(), value);
                }
            }
            Action::Send => {
                let request = phone.ledger.outbox();
                if !request.is_empty() {
                    phone.in_flight.push(request);
                }
            }
            Action::Deliver { pick, keep_copy, answer_arrives } => {
                if phone.in_flight.is_empty() {
                    return;
                }
                let i = pick % phone.in_flight.len();
                let request = if keep_copy { phone.in_flight[i].clone() } else { phone.in_flight.swap_remove(i) };
                if old && self.old_stopped {
                    // The server refuses a revoked device: nothing lands.
                    return;
                }
                self.deliver(phone, old, &request, answer_arrives);
            }
            Action::Drop { pick } => {
                if !phone.in_flight.is_empty() {
                    let i = pick % phone.in_flight.len();
                    phone.in_flight.swap_remove(i);
                }
            }
        }
    }

    fn deliver(&mut self, phone: &mut Phone, old: bool, request: &SyncRequest, answer_arrives: bool) {
        let answer = self.server.apply(request, &self.tree, &self.catalogue).expect("valid request");
        assert!(answer.refused.is_empty(), "nothing of a phone's own area is refused");
        if old {
            for cell in &request.counters {
                let seen = self.delivered_old.entry(cell.key()).or_default();
                *seen = seen.merge(cell.state());
            }
        }
        if answer_arrives {
            let answered = phone.ledger.answer(request, &answer, self.clock_ms);
            assert!(old || !answered.behind, "a restored device never finds the server ahead of it");
        }
    }

    /// An enrolment of `device` in the area, as the server answers a join or a successor.
    fn enrolment(&self, device: &DeviceId) -> Enrolment {
        let caller = domain::Caller { device: device.clone(), role: Role::Volunteer, scope: self.area.clone() };
        let profile = Profile {
            device: device.clone(),
            label: "Trưởng ban Tổ 11".into(),
            role: Role::Volunteer,
            scope: self.area.clone(),
            units: domain::visible_units(&caller, &self.tree),
        };
        Enrolment { device: device.clone(), token: format!("token-of-{device}"), profile }
    }

    /// The expected net total of a cell: the entries that survived, each once.
    fn expected(&self, key: &CounterKey, backup_last_seq: u64) -> i64 {
        let counted =
            |key: &CounterKey, after: CounterState| self.delivered_old.get(key).is_some_and(|held| held.covers(after));
        let old: i64 = (self.old_entries.iter())
            .filter(|(seq, k, _, after)| k == key && (*seq <= backup_last_seq || counted(k, *after)))
            .map(|e| e.2)
            .sum();
        let new: i64 = self.new_entries.iter().filter(|(k, _)| k == key).map(|e| e.1).sum();
        old + new
    }
}

/// How the old device stops, and what the restore reads of it.
#[derive(Debug, Clone, Copy)]
enum Stop {
    /// The backup's device still takes requests: the new phone first sends the backup's
    /// cells under that device (states of its own history, harmless to the server's max),
    /// then asks for a successor, which revokes it and reads its cells in the same write.
    Successor,
    /// The officer revoked it (a lost phone); the new phone, enrolled with a join code,
    /// reads its cells afterwards.
    Revoked,
}

fn run_scenario(
    before: Vec<Action>,
    after_backup: Vec<Action>,
    land_before_stop: Vec<bool>,
    stop: Stop,
    on_new: Vec<(bool, Action)>,
) -> Result<(), TestCaseError> {
    let mut world = World::new();
    let old_id = DeviceId::new("d-old").unwrap();
    let mut old = Phone { ledger: Ledger::new(old_id.clone()), in_flight: Vec::new() };
    for action in before {
        world.run(&mut old, true, action);
    }
    // The backup, as the file the phone exports.
    let backup = Backup {
        exported_ms: world.clock_ms,
        app_version: "test".into(),
        enrolment: world.enrolment(&old_id),
        ledger: old.ledger.clone(),
    };
    let file = backup.seal();
    let backup_last_seq = old.ledger.entries().last().map_or(0, |e| e.seq);
    for action in after_backup {
        world.run(&mut old, true, action);
    }
    // Messages in flight when the device stops land before it, or are refused after.
    for land in land_before_stop {
        let Some(request) = old.in_flight.pop() else { break };
        if land {
            world.deliver(&mut old, true, &request, false);
        }
    }
    // The new phone opens the file.
    let mut opened = Backup::open(&file).expect("the backup opens");
    if let Stop::Successor = stop {
        let mut replay = Phone { ledger: opened.ledger, in_flight: Vec::new() };
        while !replay.ledger.outbox().is_empty() {
            let request = replay.ledger.outbox();
            world.deliver(&mut replay, true, &request, true);
        }
        opened.ledger = replay.ledger;
    }
    world.old_stopped = true;
    let held = world.server.device_cells(&old_id);
    let successor = world.enrolment(&DeviceId::new("d-new").unwrap());
    let mut new = Phone { ledger: opened.restore(&successor, &held).expect("the same area"), in_flight: Vec::new() };
    prop_assert_eq!(new.ledger.entries(), backup.ledger.entries(), "the backup's entries come along");
    if new.ledger.outbox().counters.iter().any(|c| c.dec > c.inc) {
        // KNOWN LIMIT, the lost-phone path only: the backup holds a correction whose entries
        // the server had counted, so the new device would start that cell below zero, which
        // the server refuses (`negative_total`) — see
        // `a_lost_phones_pending_correction_of_counted_entries_is_refused` below.
        prop_assert!(matches!(stop, Stop::Revoked), "the successor path never starts a cell below zero");
        return Ok(());
    }
    for (on_old, action) in on_new {
        if on_old {
            world.run(&mut old, true, action);
        } else {
            world.run(&mut new, false, action);
        }
    }
    // The network heals: the new phone's late messages arrive, then it syncs until it has
    // nothing left; the old phone's are refused.
    for request in std::mem::take(&mut new.in_flight) {
        world.deliver(&mut new, false, &request, true);
    }
    let request = new.ledger.outbox();
    world.deliver(&mut new, false, &request, true);
    prop_assert_eq!(new.ledger.pending(), 0);

    let land = IndicatorId::new("dat_hien").unwrap();
    let money = IndicatorId::new("tien_dan_gop").unwrap();
    for unit in world.tree.units() {
        let areas = world.tree.areas_under(&unit.id);
        for indicator in [&land, &money] {
            for month in (1..=3).map(|m| Month::new(2025, m).unwrap()) {
                let key = CounterKey { area: world.area.clone(), indicator: indicator.clone(), month };
                let want = if areas.contains(&world.area) { world.expected(&key, backup_last_seq) } else { 0 };
                prop_assert_eq!(
                    world.server.total(&unit.id, indicator, month),
                    want,
                    "{} {} {}",
                    unit.id,
                    indicator,
                    month
                );
            }
        }
    }
    // The new phone's levels land: none is swallowed by a write of the old device.
    for (month, value) in &world.new_levels {
        let stored = (world.server.registers())
            .find(|(k, _)| k.area == world.area && k.bucket.to_string() == month.to_string())
            .map(|(_, s)| s.value);
        prop_assert_eq!(stored, Some(RegisterValue::Level(*value)), "households in {}", month);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn after_a_restore_every_total_counts_each_surviving_entry_once(
        before in prop::collection::vec(action(), 0..30),
        after_backup in prop::collection::vec(action(), 0..20),
        land_before_stop in prop::collection::vec(any::<bool>(), 0..4),
        stop in prop_oneof![Just(Stop::Successor), Just(Stop::Revoked)],
        on_new in prop::collection::vec((prop::bool::weighted(0.2), action()), 0..30),
    ) {
        run_scenario(before, after_backup, land_before_stop, stop, on_new)?;
    }
}

/// The hard case, spelled out: the backup is made while offline, the old phone then syncs
/// those very entries, is lost (the officer revokes it), and the backup is restored on a
/// new phone, which records more. Nothing is counted twice; the new entries count.
#[test]
fn a_backup_made_offline_and_synced_afterwards_is_not_counted_twice() {
    let record = |amount| Action::Record { indicator: 0, month: 2, amount };
    let deliver = Action::Deliver { pick: 0, keep_copy: false, answer_arrives: true };
    let before = vec![record(120), Action::Send, deliver.clone(), record(30), record(-10)];
    let after_backup = vec![Action::Send, deliver.clone(), record(5)];
    let on_new = vec![(false, record(40)), (false, Action::Send), (false, deliver)];
    run_scenario(before, after_backup, vec![], Stop::Revoked, on_new).unwrap();
}

/// The limit of the lost-phone path, pinned until the server lets a successor inherit its
/// predecessor's cells: the old phone synced an entry, then recorded a correction of it
/// offline and exported; restored under a new device after the officer revoked the old one,
/// the correction alone would be a cell below zero, which the server refuses. It waits in
/// "Cần xem lại" and the total stays without it. (The successor path sends the backup under
/// its own device first, so it never meets this.)
#[test]
fn a_lost_phones_pending_correction_of_counted_entries_is_refused() {
    let (tree, cat) = (UnitTree::demo(), Catalogue::standard());
    let area = UnitId::new(AREA).unwrap();
    let land = IndicatorId::new("dat_hien").unwrap();
    let day = Date::new(2025, 2, 15).unwrap();
    let mut server = MemoryTally::default();
    let mut old = Ledger::new(DeviceId::new("d-old").unwrap());
    old.add_amount(&cat, &tree, &area, &land, day, 120, "", 1).unwrap();
    let sent = old.outbox();
    old.acknowledge(&sent);
    server.apply(&sent, &tree, &cat).unwrap();
    old.add_amount(&cat, &tree, &area, &land, day, -20, "nhập nhầm", 2).unwrap();
    let world = World::new();
    let backup =
        Backup { exported_ms: 3, app_version: "test".into(), enrolment: world.enrolment(&old.device), ledger: old };
    let held = server.device_cells(&backup.ledger.device);
    let mut new = backup.restore(&world.enrolment(&DeviceId::new("d-new").unwrap()), &held).unwrap();
    let request = new.outbox();
    let answer = server.apply(&request, &tree, &cat).unwrap();
    assert_eq!(answer.refused.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), ["negative_total"]);
    new.answer(&request, &answer, 4);
    assert_eq!((new.in_review(), server.total(&area, &land, day.month())), (1, 120), "100 would be right");
}
