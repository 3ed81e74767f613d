//! Sao lưu — the backup file a volunteer exports from the "Máy này" page and imports on
//! a new phone: the enrolment (with the device's token) and the whole ledger, versioned
//! and checksummed.
//!
//! The file is JSON: `kind` ([`BACKUP_KIND`]), `format` ([`BACKUP_FORMAT`]),
//! `exported_ms`, `app_version`, `sha256`, `enrolment`, `ledger`. `sha256` is the SHA-256,
//! in lower-case hex, of the canonical JSON of every other field: object keys sorted (by
//! their UTF-8 bytes), no whitespace, strings as `serde_json` writes them (what Python's
//! `json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` writes too).
//! It is over the content, not the layout, so a file re-indented or with its keys
//! reordered still opens; a changed digit does not.
//!
//! A backup is never continued under its own device id: its ledger may be older than what
//! the server holds of that device. Restoring takes a new device and keeps only what the
//! server had not counted ([`Backup::restore`]; ARCHITECTURE.md, "Backups").

use crate::enrol::Enrolment;
use crate::{CounterCell, Date, Ledger, LedgerUnreadable, UnitId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// What a backup file says it is, so that no other JSON file is taken for one.
pub const BACKUP_KIND: &str = "sotay-mat-tran/sao-luu";

/// The backup file's format. 1: the first.
pub const BACKUP_FORMAT: u32 = 1;

/// Bản sao lưu — everything a phone needs to carry its work to another phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    /// When it was exported (ms since 1970, the phone's clock).
    pub exported_ms: u64,
    /// The version of the app that exported it.
    pub app_version: String,
    /// The enrolment of the device whose ledger this is, token included.
    pub enrolment: Enrolment,
    pub ledger: Ledger,
}

/// Why a file was not taken as a backup. Nothing on the phone changes when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackupProblem {
    /// Not JSON, or JSON that is not a backup of this app.
    #[error("Tệp này không phải là bản sao lưu của Sổ tay Mặt trận. Hãy chọn tệp sotay-….json đã xuất ở mục Máy này.")]
    Foreign,
    /// A backup of a later format than this version knows.
    #[error(
        "Bản sao lưu do một phiên bản mới hơn của ứng dụng tạo (định dạng {0}). Hãy tải lại trang để cập nhật \
         ứng dụng rồi khôi phục lại."
    )]
    Newer(u32),
    /// Its checksum does not match its content: changed or cut short since it was exported.
    #[error(
        "Bản sao lưu bị hỏng (mã kiểm tra không khớp): tệp đã bị sửa hoặc chép không trọn vẹn. Hãy dùng một \
         bản sao lưu khác."
    )]
    Corrupted,
    /// The ledger inside is of a later ledger format than this version knows.
    #[error(
        "Sổ ghi trong bản sao lưu do một phiên bản mới hơn của ứng dụng lưu (định dạng {0}). Hãy tải lại \
         trang để cập nhật ứng dụng rồi khôi phục lại."
    )]
    NewerLedger(u32),
    /// The checksum holds but the ledger inside cannot be read.
    #[error("Sổ ghi trong bản sao lưu không đọc được. Hãy dùng một bản sao lưu khác.")]
    UnreadableLedger,
    /// The new device (joined with a code) is not of the backup's area.
    #[error(
        "Mã tham gia vừa nhập là của {joined}, còn bản sao lưu là của {backup}. Hãy xin cán bộ phường, xã \
         mã tham gia của {backup}."
    )]
    OtherArea { backup: String, joined: String },
}

/// The file as written: the fields in this order.
#[derive(Serialize)]
struct Written<'a> {
    kind: &'a str,
    format: u32,
    exported_ms: u64,
    app_version: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    sha256: &'a str,
    enrolment: &'a Enrolment,
    ledger: &'a Ledger,
}

/// The file as read, once its kind, format and checksum are known good.
#[derive(Deserialize)]
struct Read {
    exported_ms: u64,
    app_version: String,
    enrolment: Enrolment,
    /// Read by [`Ledger::read`], which migrates older ledger formats.
    ledger: Value,
}

impl Backup {
    /// The backup file: JSON, indented, with its checksum.
    pub fn seal(&self) -> String {
        let written = |sha256| Written {
            kind: BACKUP_KIND,
            format: BACKUP_FORMAT,
            exported_ms: self.exported_ms,
            app_version: &self.app_version,
            sha256,
            enrolment: &self.enrolment,
            ledger: &self.ledger,
        };
        let body = serde_json::to_value(written("")).expect("a backup is plain data");
        let sum = checksum(&body);
        serde_json::to_string_pretty(&written(&sum)).expect("a backup is plain data")
    }

    /// Reads a backup file. Refused: a file that is not JSON or not a backup, of a newer
    /// format, whose checksum does not match, or whose ledger this version cannot read
    /// (an older ledger format is migrated, as [`Ledger::read`] does).
    pub fn open(text: &str) -> Result<Backup, BackupProblem> {
        // A file cut short is still recognisably ours: corrupted, not foreign.
        let cut = |_| if text.contains(BACKUP_KIND) { BackupProblem::Corrupted } else { BackupProblem::Foreign };
        let mut value: Value = serde_json::from_str(text).map_err(cut)?;
        let object = value.as_object_mut().ok_or(BackupProblem::Foreign)?;
        if object.get("kind").and_then(Value::as_str) != Some(BACKUP_KIND) {
            return Err(BackupProblem::Foreign);
        }
        let format = object.get("format").and_then(Value::as_u64).ok_or(BackupProblem::Corrupted)?;
        if format > u64::from(BACKUP_FORMAT) {
            return Err(BackupProblem::Newer(u32::try_from(format).unwrap_or(u32::MAX)));
        }
        let sum = object.remove("sha256");
        if sum.as_ref().and_then(Value::as_str) != Some(checksum(&value).as_str()) {
            return Err(BackupProblem::Corrupted);
        }
        let read: Read = serde_json::from_value(value).map_err(|_| BackupProblem::Corrupted)?;
        let ledger = Ledger::read(&read.ledger.to_string()).map_err(|e| match e {
            LedgerUnreadable::Newer(format) => BackupProblem::NewerLedger(format),
            LedgerUnreadable::Corrupt => BackupProblem::UnreadableLedger,
        })?;
        if ledger.device != read.enrolment.device {
            // A checksum over a ledger of another device than the token: not ours to restore.
            return Err(BackupProblem::Corrupted);
        }
        Ok(Backup { exported_ms: read.exported_ms, app_version: read.app_version, enrolment: read.enrolment, ledger })
    }

    /// The name the file is downloaded as: `sotay-<area>-<yyyy-mm-dd>.json`.
    pub fn file_name(&self, today: Date) -> String {
        format!("sotay-{}-{today}.json", self.enrolment.profile.scope)
    }

    /// The area of the backup.
    pub fn area(&self) -> &UnitId {
        &self.enrolment.profile.scope
    }

    /// The ledger a new device continues with, after the backup's device stopped: the
    /// backup's entries, and as cells only what the server had not counted of the old
    /// device. `successor` is the new device's enrolment (from `POST /api/v1/me/successor`
    /// with the backup's token, or from a join code when the old device was revoked);
    /// `held`, every counter cell the server holds of the old device, read after it stopped.
    /// Refused if the new device is not of the backup's area.
    pub fn restore(&self, successor: &Enrolment, held: &[CounterCell]) -> Result<Ledger, BackupProblem> {
        let (backup, joined) = (&self.enrolment.profile, &successor.profile);
        if backup.scope != joined.scope || backup.role != joined.role {
            let name = |profile: &crate::enrol::Profile| {
                let unit = profile.units.iter().find(|u| u.id == profile.scope);
                unit.map_or_else(|| profile.scope.to_string(), |u| u.name.clone())
            };
            return Err(BackupProblem::OtherArea { backup: name(backup), joined: name(joined) });
        }
        Ok(self.ledger.succeed(held, successor.device.clone()))
    }
}

/// The SHA-256, in lower-case hex, of the canonical JSON of `value`.
fn checksum(value: &Value) -> String {
    let mut text = String::new();
    canonical(value, &mut text);
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// `value` as JSON with object keys sorted and no whitespace, whatever order a parser
/// or serde_json's features keep keys in.
fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrol::Profile;
    use crate::{Caller, Catalogue, DeviceId, IndicatorId, LEDGER_FORMAT, Role, UnitTree, visible_units};

    fn backup() -> Backup {
        let (cat, tree) = (Catalogue::standard(), UnitTree::demo());
        let device = DeviceId::new("d-0001").unwrap();
        let area = UnitId::new("ntmk-to-11").unwrap();
        let caller = Caller { device: device.clone(), role: Role::Volunteer, scope: area.clone() };
        let profile = Profile {
            device: device.clone(),
            label: "Trưởng ban Tổ 11".into(),
            role: Role::Volunteer,
            scope: area.clone(),
            units: visible_units(&caller, &tree),
        };
        let mut ledger = Ledger::new(device.clone());
        let land = IndicatorId::new("dat_hien").unwrap();
        let day: Date = "2025-11-18".parse().unwrap();
        ledger.add_amount(&cat, &tree, &area, &land, day, 120, "Hộ ông A hiến đất", 1_763_424_000_000).unwrap();
        Backup {
            exported_ms: 1_763_424_100_000,
            app_version: "d952baf".into(),
            enrolment: Enrolment { device, token: "t0k3n".into(), profile },
            ledger,
        }
    }

    /// The file as JSON, changed by `edit`, its checksum made right again.
    fn resealed(edit: impl FnOnce(&mut Value)) -> String {
        let mut value: Value = serde_json::from_str(&backup().seal()).unwrap();
        edit(&mut value);
        let object = value.as_object_mut().unwrap();
        object.remove("sha256");
        let sum = checksum(&Value::Object(object.clone()));
        object.insert("sha256".into(), sum.into());
        value.to_string()
    }

    #[test]
    fn a_sealed_backup_opens_to_itself() {
        let backup = backup();
        assert_eq!(Backup::open(&backup.seal()), Ok(backup));
    }

    #[test]
    fn the_checksum_is_over_the_content_not_the_layout() {
        let value: Value = serde_json::from_str(&backup().seal()).unwrap();
        // Compact, and with the keys in another order than written.
        let compact = value.to_string();
        assert_eq!(Backup::open(&compact), Ok(backup()));
        let object = value.as_object().unwrap();
        let mut reversed: Vec<(&String, &Value)> = object.iter().collect();
        reversed.reverse();
        let reordered = format!(
            "{{{}}}",
            reversed
                .iter()
                .map(|(k, v)| format!("{}: {v}", Value::String((*k).clone())))
                .collect::<Vec<_>>()
                .join(",\n")
        );
        assert_eq!(Backup::open(&reordered), Ok(backup()));
    }

    #[test]
    fn a_file_that_is_not_a_backup_is_foreign() {
        for text in ["", "not json", "[1, 2]", "{}", r#"{"kind": "other", "format": 1}"#, r#"{"device": "d-0001"}"#] {
            assert_eq!(Backup::open(text), Err(BackupProblem::Foreign), "{text}");
        }
        // A ledger on its own is not a backup.
        assert_eq!(Backup::open(&serde_json::to_string(&backup().ledger).unwrap()), Err(BackupProblem::Foreign));
    }

    #[test]
    fn a_backup_of_a_newer_format_is_refused_as_such() {
        let newer = resealed(|v| v["format"] = 2.into());
        assert_eq!(Backup::open(&newer), Err(BackupProblem::Newer(2)));
        assert!(BackupProblem::Newer(2).to_string().contains("phiên bản mới hơn"));
    }

    #[test]
    fn a_changed_digit_or_a_missing_checksum_is_corruption() {
        let sealed = backup().seal();
        let changed = sealed.replacen("120", "121", 1);
        assert_ne!(changed, sealed);
        assert_eq!(Backup::open(&changed), Err(BackupProblem::Corrupted));
        let mut value: Value = serde_json::from_str(&sealed).unwrap();
        value.as_object_mut().unwrap().remove("sha256");
        assert_eq!(Backup::open(&value.to_string()), Err(BackupProblem::Corrupted));
        let cut = &sealed[..sealed.len() / 2];
        assert_eq!(Backup::open(cut), Err(BackupProblem::Corrupted), "a file cut short");
    }

    #[test]
    fn a_ledger_of_an_older_format_is_migrated_and_a_newer_one_refused() {
        let older = resealed(|v| {
            v["ledger"].as_object_mut().unwrap().remove("format");
        });
        let opened = Backup::open(&older).unwrap();
        assert_eq!(opened.ledger.format, LEDGER_FORMAT);
        assert_eq!(opened.ledger.entries(), backup().ledger.entries());
        let newer = resealed(|v| v["ledger"]["format"] = (LEDGER_FORMAT + 1).into());
        assert_eq!(Backup::open(&newer), Err(BackupProblem::NewerLedger(LEDGER_FORMAT + 1)));
        let unreadable = resealed(|v| v["ledger"]["entries"] = "none".into());
        assert_eq!(Backup::open(&unreadable), Err(BackupProblem::UnreadableLedger));
    }

    #[test]
    fn a_ledger_of_another_device_than_the_token_is_refused() {
        let swapped = resealed(|v| v["ledger"]["device"] = "d-0002".into());
        assert_eq!(Backup::open(&swapped), Err(BackupProblem::Corrupted));
    }

    #[test]
    fn restoring_keeps_only_what_the_server_had_not_counted() {
        let backup = backup();
        let mut successor = backup.enrolment.clone();
        successor.device = DeviceId::new("d-0002").unwrap();
        let held = backup.ledger.outbox().counters;
        let next = backup.restore(&successor, &held).unwrap();
        assert_eq!((next.device.as_str(), next.pending(), next.entries().len()), ("d-0002", 0, 1));
        let next = backup.restore(&successor, &[]).unwrap();
        assert_eq!(next.outbox().counters[0].inc, 120, "nothing counted: everything goes");
    }

    #[test]
    fn restoring_under_a_device_of_another_area_is_refused() {
        let backup = backup();
        let mut other = backup.enrolment.clone();
        other.device = DeviceId::new("d-0003").unwrap();
        other.profile.scope = UnitId::new("ntmk-to-13").unwrap();
        let refused = backup.restore(&other, &[]).unwrap_err();
        assert_eq!(refused, BackupProblem::OtherArea { backup: "Tổ 11".into(), joined: "Tổ 13".into() });
    }

    #[test]
    fn the_file_is_named_by_area_and_day() {
        assert_eq!(backup().file_name("2026-03-07".parse().unwrap()), "sotay-ntmk-to-11-2026-03-07.json");
    }
}
