//! Golden vectors pin the wire format and the phone's storage format: an old phone must
//! keep syncing after an upgrade, and an upgraded app must read what the old one stored.
//! Changing one of these files means a new protocol version.

use domain::{
    Catalogue, CounterCell, Date, DeviceId, Hlc, IndicatorId, Ledger, RegisterCell, RegisterValue, Stamp, SyncRequest,
    SyncResponse, UnitId, UnitTree,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

fn assert_golden<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(file: &str, value: &T) {
    let path = format!("{}/tests/golden/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let parsed: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} no longer parses: {e}"));
    assert_eq!(&parsed, value, "{path} parses to something else");
    let golden: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_value(value).unwrap(), golden, "{path}: the serialised form changed");
}

fn id<T: TryFrom<String>>(s: &str) -> T
where
    T::Error: std::fmt::Debug,
{
    T::try_from(s.to_string()).unwrap()
}

#[test]
fn sync_request_v1_is_stable() {
    let device: DeviceId = id("d-7f3a9c01");
    let request = SyncRequest {
        protocol: 1,
        device: device.clone(),
        counters: vec![CounterCell {
            area: id("dx-to-8a"),
            indicator: id("dat_hien"),
            month: "2025-11".parse().unwrap(),
            inc: 8111,
            dec: 20,
        }],
        registers: vec![
            RegisterCell {
                area: id("dx-to-8a"),
                indicator: id("so_ho"),
                bucket: "2025-11".parse().unwrap(),
                value: RegisterValue::Level(190),
                stamp: Stamp { hlc: Hlc { wall: 1_763_424_000_000, n: 0 }, device: device.clone() },
            },
            RegisterCell {
                area: id("dx-to-8a"),
                indicator: id("ngay_hoi_ddk"),
                bucket: "2025".parse().unwrap(),
                value: RegisterValue::Flag(true),
                stamp: Stamp { hlc: Hlc { wall: 1_763_424_000_000, n: 1 }, device },
            },
        ],
    };
    assert_golden("sync_request_v1.json", &request);
    request.validate(&UnitTree::demo(), &Catalogue::standard()).unwrap();
}

#[test]
fn sync_response_v1_is_stable() {
    assert_golden("sync_response_v1.json", &SyncResponse { changed: 2, unchanged: 1 });
}

#[test]
fn a_ledger_stored_by_version_1_still_loads() {
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
    assert_golden("ledger_v1.json", &ledger);
}
