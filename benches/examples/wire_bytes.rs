//! Bytes on the wire of protocol 2, as the app sends them (JSON, uncompressed) and as
//! the server answers: a volunteer's daily sync (one area, one month, ten indicators,
//! a level and a flag) and a 1.000-cell sync. Run by `cargo xtask bench`.

use domain::{
    Catalogue, CounterCell, Date, DeviceId, IndicatorId, Ledger, MemoryTally, Month, PROTOCOL, SyncRequest, UnitId,
    UnitTree,
};

/// A device id as the server issues them (`d-` and 24 hex digits).
const DEVICE: &str = "d-5f0c3a9e71b2d4c6a8e0f193";

fn daily(tree: &UnitTree, catalogue: &Catalogue) -> SyncRequest {
    let mut phone = Ledger::new(DeviceId::new(DEVICE).unwrap());
    let (area, day) = (UnitId::new("ntmk-to-11").unwrap(), Date::new(2026, 11, 18).unwrap());
    let now = 1_795_000_000_000;
    for (n, indicator) in catalogue.counter_ids().take(10).enumerate() {
        phone.add_amount(catalogue, tree, &area, indicator, day, 1_250 * (n as i64 + 1), "", now).unwrap();
    }
    let homes = IndicatorId::new("so_ho").unwrap();
    phone.set_level(catalogue, tree, &area, &homes, day, 190, "", now + 1).unwrap();
    let festival = IndicatorId::new("ngay_hoi_ddk").unwrap();
    phone.set_flag(catalogue, tree, &area, &festival, day, true, "", now + 2).unwrap();
    phone.outbox()
}

fn thousand(tree: &UnitTree, catalogue: &Catalogue) -> SyncRequest {
    let areas: Vec<_> = tree.units().filter(|u| u.is_area()).map(|u| u.id.clone()).collect();
    let counters: Vec<_> = catalogue.counter_ids().cloned().collect();
    let counters = (0..1_000)
        .map(|n| CounterCell {
            area: areas[n % areas.len()].clone(),
            indicator: counters[(n / areas.len()) % counters.len()].clone(),
            month: Month::new(
                2025 - (n / (areas.len() * counters.len() * 12)) as u16,
                (n / (areas.len() * counters.len())) as u8 % 12 + 1,
            )
            .unwrap(),
            inc: 125_000,
            dec: 2_000,
        })
        .collect();
    SyncRequest {
        protocol: PROTOCOL,
        device: DeviceId::new(DEVICE).unwrap(),
        entries: 1_000,
        counters,
        registers: vec![],
    }
}

fn main() {
    let (tree, catalogue) = (UnitTree::demo(), Catalogue::standard());
    println!("| sync (protocol {PROTOCOL}) | cells | request body | answer body |");
    println!("|---|---:|---:|---:|");
    for (name, request) in [("daily", daily(&tree, &catalogue)), ("1.000 cells", thousand(&tree, &catalogue))] {
        let mut server = MemoryTally::default();
        let mut answer = server.apply(&request, &tree, &catalogue).unwrap();
        answer.server_ms = 1_795_000_000_123;
        let (sent, heard) = (serde_json::to_vec(&request).unwrap(), serde_json::to_vec(&answer).unwrap());
        println!("| {name} | {} | {} B | {} B |", request.len(), sent.len(), heard.len());
    }
}
