//! The phone's stored ledger across app versions: each format's golden file is read by
//! today's app (migrated), today's is pinned, and what the app cannot read is refused
//! (so that it is never written over).

use domain::{
    Catalogue, Date, IndicatorId, LEDGER_FORMAT, Ledger, LedgerUnreadable, RefusedCell, SyncResponse, UnitId, UnitTree,
};

fn id<T: TryFrom<String>>(s: &str) -> T
where
    T::Error: std::fmt::Debug,
{
    T::try_from(s.to_string()).unwrap()
}

fn golden(file: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/golden/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The ledger of the format 1 golden file, built by today's code: two entries synced,
/// one correction waiting.
fn version_1_ledger() -> Ledger {
    let (cat, tree) = (Catalogue::standard(), UnitTree::demo());
    let area: UnitId = id("xh-na-ban");
    let mut ledger = Ledger::new(id("d-0001"));
    let day: Date = "2025-11-18".parse().unwrap();
    let money: IndicatorId = id("tien_dan_gop");
    ledger.add_amount(&cat, &tree, &area, &money, day, 640_000_000, "Hộ ông A góp", 1_763_424_000_000).unwrap();
    ledger.set_flag(&cat, &tree, &area, &id("ngay_hoi_ddk"), day, true, "", 1_763_424_000_001).unwrap();
    let sent = ledger.outbox();
    ledger.acknowledge(&sent);
    ledger.add_amount(&cat, &tree, &area, &money, day, -40_000_000, "nhập nhầm", 1_763_424_000_002).unwrap();
    ledger
}

#[test]
fn a_ledger_stored_by_format_1_is_read_and_migrated() {
    let read = Ledger::read(&golden("ledger_v1.json")).unwrap();
    assert_eq!(read, version_1_ledger());
    assert_eq!(read.format, LEDGER_FORMAT);
    assert_eq!(read.pending(), 1, "the correction still waits");
}

#[test]
fn the_format_2_ledger_is_stable() {
    let mut ledger = version_1_ledger();
    let (cat, tree) = (Catalogue::standard(), UnitTree::demo());
    let day: Date = "2025-11-19".parse().unwrap();
    ledger.add_amount(&cat, &tree, &id("xh-na-ban"), &id("ngay_cong"), day, 30, "", 1_763_510_400_000).unwrap();
    let sent = ledger.outbox();
    let refused =
        RefusedCell { cell: 1, code: "unknown_indicator".into(), message: "Chỉ tiêu đã bị bỏ.".into() };
    let answer = SyncResponse { refused: vec![refused], server_ms: 1_763_510_400_500, ..SyncResponse::default() };
    ledger.answer(&sent, &answer, 1_763_510_401_000);
    let path = "tests/golden/ledger_v2.json";
    let stored: serde_json::Value = serde_json::from_str(&golden("ledger_v2.json")).unwrap();
    assert_eq!(serde_json::to_value(&ledger).unwrap(), stored, "{path}: the stored form changed");
    assert_eq!(Ledger::read(&golden("ledger_v2.json")).unwrap(), ledger);
    assert_eq!((ledger.in_review(), ledger.pending()), (1, 0));
}

#[test]
fn a_ledger_the_app_cannot_read_is_refused() {
    assert_eq!(Ledger::read("{\"device\": 12"), Err(LedgerUnreadable::Corrupt));
    assert_eq!(Ledger::read("[1, 2]"), Err(LedgerUnreadable::Corrupt));
    let newer = golden("ledger_v1.json").replacen('{', "{ \"format\": 3,", 1);
    assert_eq!(Ledger::read(&newer), Err(LedgerUnreadable::Newer(3)));
    assert!(LedgerUnreadable::Newer(3).to_string().contains("phiên bản mới hơn"));
}
