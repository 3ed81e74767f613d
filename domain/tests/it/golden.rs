//! Golden vectors pin the wire format and the phone's storage format: an old phone must
//! keep syncing after an upgrade, and an upgraded app must read what the old one stored.
//! Changing one of these files means a new protocol version.

use domain::{
    Catalogue, CounterCell, DeviceId, Hlc, RegisterCell, RegisterValue, Stamp, SyncRequest, SyncResponse, UnitTree,
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
        entries: 0,
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

/// The request of protocol 2 has protocol 1's shape; its answer is per cell (see the response).
#[test]
fn sync_request_v2_is_stable() {
    use domain::{Action, Caller, Role, authorize};
    let device: DeviceId = id("d-7f3a9c01");
    let cell = |area: &str, inc, dec| CounterCell {
        area: id(area),
        indicator: id("dat_hien"),
        month: "2025-11".parse().unwrap(),
        inc,
        dec,
    };
    let request = SyncRequest {
        protocol: 2,
        device: device.clone(),
        entries: 12,
        counters: vec![cell("dx-to-8a", 8111, 20), cell("ntmk-to-11", 50, 0)],
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
                stamp: Stamp { hlc: Hlc { wall: 1_763_424_000_000, n: 1 }, device: device.clone() },
            },
        ],
    };
    assert_golden("sync_request_v2.json", &request);
    // From the volunteer of Tổ 8A, the cell of Tổ 11 is the one refused (as in the response).
    let (tree, catalogue) = (UnitTree::demo(), Catalogue::standard());
    let caller = Caller { device, role: Role::Volunteer, scope: id("dx-to-8a") };
    let may_write = |area: &domain::UnitId| {
        authorize(&caller, Action::WriteCells, area, &tree).map_err(|f| ("forbidden", f.message_vi()))
    };
    let (accepted, refused) = request.sort(&tree, &catalogue, 1_763_424_200_000, may_write);
    assert_eq!(accepted.len(), 3);
    assert_eq!((refused.len(), refused[0].cell, refused[0].code.as_str()), (1, 1, "forbidden"));
}

/// A refused cell, stored states the request did not cover (a counter and a register),
/// and the server's clock.
#[test]
fn sync_response_v2_is_stable() {
    use domain::{Ahead, RefusedCell};
    let device: DeviceId = id("d-7f3a9c01");
    let response = SyncResponse {
        changed: 1,
        unchanged: 2,
        refused: vec![RefusedCell {
            cell: 1,
            code: "forbidden".into(),
            message: "Trưởng ban công tác Mặt trận không được gửi số liệu ở đơn vị này.".into(),
        }],
        ahead: Ahead {
            counters: vec![CounterCell {
                area: id("dx-to-8a"),
                indicator: id("dat_hien"),
                month: "2025-11".parse().unwrap(),
                inc: 8200,
                dec: 20,
            }],
            registers: vec![RegisterCell {
                area: id("dx-to-8a"),
                indicator: id("so_ho"),
                bucket: "2025-11".parse().unwrap(),
                value: RegisterValue::Level(195),
                stamp: Stamp { hlc: Hlc { wall: 1_763_424_100_000, n: 0 }, device },
            }],
        },
        server_ms: 1_763_424_200_000,
        entries: 14,
        catalogue: "2025.1+3".into(),
    };
    assert_golden("sync_response_v2.json", &response);
}

/// A phone of protocol 1 reads an answer of protocol 2: what it knows is there, the rest
/// it does not read. (Its `SyncResponse` had these two fields and refused no unknown one.)
#[test]
fn a_phone_of_protocol_1_reads_an_answer_of_protocol_2() {
    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct ResponseV1 {
        changed: usize,
        unchanged: usize,
    }
    let path = format!("{}/tests/golden/sync_response_v2.json", env!("CARGO_MANIFEST_DIR"));
    let read: ResponseV1 = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(read, ResponseV1 { changed: 1, unchanged: 2 });
}

/// The answer to `POST /api/v1/me/successor`: the new device and the old one's cells.
#[test]
fn succession_v2_is_stable() {
    use domain::enrol::{Enrolment, Profile, Succession};
    use domain::{Role, Unit, UnitLevel};
    let device: DeviceId = id("d-5e21b0c4a9d3f0e177c2b6a8");
    let unit = |unit: &str, name: &str, level, parent: &str| Unit::new(id(unit), name, level, Some(id(parent)));
    let cell = |indicator: &str, month: &str, inc, dec| CounterCell {
        area: id("dx-to-8a"),
        indicator: id(indicator),
        month: month.parse().unwrap(),
        inc,
        dec,
    };
    let succession = Succession {
        enrolment: Enrolment {
            device: device.clone(),
            token: format!("{device}.9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
            profile: Profile {
                device,
                label: "Trưởng ban Tổ 8A".into(),
                role: Role::Volunteer,
                scope: id("dx-to-8a"),
                units: vec![
                    unit("p-duc-xuan", "Phường Đức Xuân", UnitLevel::Ward, "tp-bac-kan"),
                    unit("dx-to-8a", "Tổ 8A", UnitLevel::Area, "p-duc-xuan"),
                ],
            },
        },
        cells: vec![cell("dat_hien", "2025-11", 8200, 20), cell("ngay_cong", "2025-10", 36, 0)],
    };
    assert_golden("succession_v2.json", &succession);
}
