//! The backup file's format, pinned by a golden file: a backup exported by this version
//! must open in every later one, and the file this version writes must not change
//! without a new backup format. Changing `tests/golden/backup_v1.json` means a new
//! `BACKUP_FORMAT`.

use domain::enrol::{Enrolment, Profile};
use domain::{
    BACKUP_FORMAT, BACKUP_KIND, Backup, Catalogue, Date, DeviceId, IndicatorId, Ledger, RefusedCell, Role,
    SyncResponse, Unit, UnitId, UnitLevel, UnitTree,
};
use serde_json::Value;

const GOLDEN: &str = "backup_v1.json";

fn golden_text() -> String {
    let path = format!("{}/tests/golden/{GOLDEN}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn id<T: TryFrom<String>>(s: &str) -> T
where
    T::Error: std::fmt::Debug,
{
    T::try_from(s.to_string()).unwrap()
}

/// The backup the golden file holds: a volunteer of Tổ 11 with an amount (and its note),
/// a correction, a level and a flag, the first three synced, one set aside for review, and
/// one more amount not synced yet.
fn the_backup() -> Backup {
    let (cat, tree) = (Catalogue::standard(), UnitTree::demo());
    let device: DeviceId = id("d-5e1f00aa11bb22cc33dd44ee");
    let area: UnitId = id("ntmk-to-11");
    let ward: UnitId = id("p-nguyen-thi-minh-khai");
    let unit = |id_: &str, name: &str, level, parent: Option<&UnitId>| Unit::new(id(id_), name, level, parent.cloned());
    let profile = Profile {
        device: device.clone(),
        label: "Trưởng ban Tổ 11".into(),
        role: Role::Volunteer,
        scope: area.clone(),
        units: vec![
            unit("p-nguyen-thi-minh-khai", "Phường Nguyễn Thị Minh Khai", UnitLevel::Ward, None),
            unit("ntmk-to-11", "Tổ 11", UnitLevel::Area, Some(&ward)),
        ],
    };
    let mut ledger = Ledger::new(device.clone());
    let day: Date = "2025-11-18".parse().unwrap();
    let land: IndicatorId = id("dat_hien");
    ledger.add_amount(&cat, &tree, &area, &land, day, 120, "Hộ ông Hoàng Văn Tài hiến đất", 1_763_424_000_000).unwrap();
    ledger.add_amount(&cat, &tree, &area, &land, day, -20, "nhập nhầm", 1_763_424_000_001).unwrap();
    let sent = ledger.outbox();
    ledger.acknowledge(&sent);
    ledger.set_level(&cat, &tree, &area, &id("so_ho"), day, 190, "", 1_763_424_000_002).unwrap();
    ledger.set_flag(&cat, &tree, &area, &id("ngay_hoi_ddk"), day, true, "", 1_763_424_000_003).unwrap();
    let sent = ledger.outbox();
    let refused = RefusedCell {
        cell: 0,
        code: "stamp_in_future".into(),
        message: "Đồng hồ của điện thoại đang chạy nhanh hơn thực tế hơn một ngày.".into(),
    };
    let answer = SyncResponse { refused: vec![refused], server_ms: 1_763_424_000_004, ..SyncResponse::default() };
    ledger.answer(&sent, &answer, 1_763_424_000_005);
    ledger.add_amount(&cat, &tree, &area, &land, day, 15, "", 1_763_424_000_006).unwrap();
    Backup {
        exported_ms: 1_763_424_060_000,
        app_version: "7e075b3".into(),
        enrolment: Enrolment { device, token: "c2FtcGxlLXRva2VuLW5vdC1hLXJlYWwtb25l".into(), profile },
        ledger,
    }
}

#[test]
fn a_backup_exported_by_format_1_still_opens() {
    let opened = Backup::open(&golden_text()).unwrap_or_else(|e| panic!("{GOLDEN} no longer opens: {e}"));
    assert_eq!(opened, the_backup(), "{GOLDEN} opens to something else");
    assert_eq!((opened.ledger.pending(), opened.ledger.in_review()), (1, 1), "what waits, and what is set aside");
}

#[test]
fn the_backup_file_written_is_stable() {
    let golden: Value = serde_json::from_str(&golden_text()).unwrap();
    let written: Value = serde_json::from_str(&the_backup().seal()).unwrap();
    assert_eq!(written, golden, "{GOLDEN}: the file written changed (its checksum included)");
    assert_eq!(
        (golden["kind"].as_str(), golden["format"].as_u64()),
        (Some(BACKUP_KIND), Some(u64::from(BACKUP_FORMAT)))
    );
    let keys: Vec<&str> = golden.as_object().unwrap().keys().map(String::as_str).collect();
    for key in ["kind", "format", "exported_ms", "app_version", "sha256", "enrolment", "ledger"] {
        assert!(keys.contains(&key), "{GOLDEN} has `{key}`");
    }
}
