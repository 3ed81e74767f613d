//! Ghi danh — enrolling a device: join codes (short enough to read out over the phone),
//! device labels, the wire types of enrolment, codes, devices and the audit trail, and
//! [`AccessError`], every refusal about who is calling. Randomness and hashing are the
//! server's (this crate does no I/O): it hands in random bytes.

use crate::{DeviceId, Forbidden, Role, Unit, UnitId};
use serde::{Deserialize, Serialize};

/// Letters and digits of a join code: no 0/O, 1/I/L, so nothing reads two ways.
pub const CODE_ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Characters of a join code (≈ 59 bits), shown in groups of four.
pub const CODE_LEN: usize = 12;
/// A code lasts this long unless the officer sets otherwise.
pub const DEFAULT_CODE_DAYS: u16 = 7;
/// The longest a code may last, and the most devices one code may enrol.
pub const MAX_CODE_DAYS: u16 = 90;
pub const MAX_CODE_USES: u16 = 200;
/// Longest device label, in characters.
pub const MAX_LABEL_CHARS: usize = 60;
/// One day, in milliseconds.
pub const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// Mã tham gia — a join code, normalised (upper case, no separators).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JoinCode(String);

impl JoinCode {
    /// A code from random bytes (rejection sampling: no letter more likely than another);
    /// `None` in the vanishing case that too few bytes were usable.
    pub fn from_random(bytes: &[u8; 32]) -> Option<JoinCode> {
        let limit = (256 / CODE_ALPHABET.len() * CODE_ALPHABET.len()) as u8;
        let code: String = bytes
            .iter()
            .filter(|b| **b < limit)
            .map(|b| CODE_ALPHABET[*b as usize % CODE_ALPHABET.len()] as char)
            .take(CODE_LEN)
            .collect();
        (code.len() == CODE_LEN).then_some(JoinCode(code))
    }

    /// Reads a typed code: case, spaces and dashes do not matter.
    pub fn parse(typed: &str) -> Result<JoinCode, AccessError> {
        let code: String =
            typed.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
        let known = code.bytes().all(|b| CODE_ALPHABET.contains(&b));
        if code.chars().count() == CODE_LEN && known { Ok(JoinCode(code)) } else { Err(AccessError::MalformedCode) }
    }

    /// `ABCD-EFGH-JKMN`, as shown and read out.
    pub fn grouped(&self) -> String {
        let groups: Vec<&str> = (0..CODE_LEN).step_by(4).map(|i| &self.0[i..i + 4]).collect();
        groups.join("-")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Tên thiết bị — the label an enrolled device goes by ("Trưởng ban Tổ 11"), the only
/// free text the server keeps. Trimmed, 1 to [`MAX_LABEL_CHARS`] characters, no control
/// characters.
pub fn check_label(label: &str) -> Result<String, AccessError> {
    let label = label.trim();
    let fine = !label.is_empty() && label.chars().count() <= MAX_LABEL_CHARS && !label.chars().any(char::is_control);
    if fine { Ok(label.to_string()) } else { Err(AccessError::InvalidLabel) }
}

/// `POST /api/v1/join` — a device redeems a join code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    /// As typed or scanned: `ABCD-EFGH-JKMN`, case and separators do not matter.
    pub code: String,
    /// What the device is called, e.g. "Trưởng ban Tổ 11". No names of households, no phone numbers.
    pub label: String,
    /// The app's version, shown to officers in the device list.
    #[serde(default)]
    pub app_version: String,
}

/// The answer to a join: the device's identity, its secret token (shown once, kept on the
/// phone) and what it may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Enrolment {
    pub device: DeviceId,
    /// `Authorization: Bearer <token>` on every later request.
    pub token: String,
    pub profile: Profile,
}

/// `POST /api/v1/me/successor` — the caller's device stops (it is revoked: nothing more
/// of it will ever land) and a new device of the same role and scope takes over. The
/// answer holds the new enrolment and every counter cell the server holds of the old
/// device, final, from which the phone computes what it still has to send
/// ([`crate::Ledger::succeed`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Succession {
    pub enrolment: Enrolment,
    pub cells: Vec<crate::CounterCell>,
}

/// `GET /api/v1/devices/{id}/cells` — every counter cell the server holds of a revoked
/// device (final), for a phone of its scope that restores its backup under a new device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceCells {
    pub device: DeviceId,
    pub cells: Vec<crate::CounterCell>,
}

/// `GET /api/v1/me` — who the caller is and the units it may see (parents first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    pub device: DeviceId,
    pub label: String,
    pub role: Role,
    pub scope: UnitId,
    pub units: Vec<Unit>,
}

/// `POST /api/v1/codes` — an officer issues a join code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IssueCode {
    pub role: Role,
    /// The scope of the devices it enrols: an area for a volunteer, a commune or ward for an officer.
    pub unit: UnitId,
    /// Days it lasts (1 to 90; default 7).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 90))]
    pub valid_days: Option<u16>,
    /// Devices it may enrol (1 to 200; default 1).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 200))]
    pub uses: Option<u16>,
}

impl IssueCode {
    /// The days and uses asked for, defaults filled in, bounds checked.
    pub fn terms(&self) -> Result<(u16, u16), AccessError> {
        let days = self.valid_days.unwrap_or(DEFAULT_CODE_DAYS);
        let uses = self.uses.unwrap_or(1);
        if !(1..=MAX_CODE_DAYS).contains(&days) || !(1..=MAX_CODE_USES).contains(&uses) {
            return Err(AccessError::InvalidCodeTerms);
        }
        Ok((days, uses))
    }
}

/// A join code as an officer sees it later (the code itself is kept only as a hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeSummary {
    /// Our id of the code (not the code).
    pub id: String,
    pub role: Role,
    pub unit: UnitId,
    pub issued_by: DeviceId,
    pub issued_at_ms: u64,
    pub expires_at_ms: u64,
    pub uses_left: u16,
    pub withdrawn: bool,
}

impl CodeSummary {
    /// Whether the code may enrol a device at `now_ms`.
    pub fn check_usable(&self, now_ms: u64) -> Result<(), AccessError> {
        if self.withdrawn {
            Err(AccessError::CodeWithdrawn)
        } else if now_ms >= self.expires_at_ms {
            Err(AccessError::CodeExpired)
        } else if self.uses_left == 0 {
            Err(AccessError::CodeUsedUp)
        } else {
            Ok(())
        }
    }
}

/// The answer to issuing a code: the code once, in text, as a link and as a QR code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedCode {
    /// `ABCD-EFGH-JKMN`
    pub code: String,
    /// Opens the app's join screen with the code filled in.
    pub link: String,
    /// The link as a QR code, an SVG document.
    pub qr_svg: String,
    pub summary: CodeSummary,
}

/// A device as officers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceSummary {
    pub device: DeviceId,
    pub label: String,
    pub role: Role,
    pub scope: UnitId,
    pub enrolled_at_ms: u64,
    #[serde(default)]
    pub last_sync_ms: Option<u64>,
    #[serde(default)]
    pub app_version: String,
    #[serde(default)]
    pub revoked_at_ms: Option<u64>,
    /// When everything it counted was taken back (a void also revokes).
    #[serde(default)]
    pub voided_at_ms: Option<u64>,
    /// The device that took over from this one (`POST /api/v1/me/successor`, which also revokes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<DeviceId>,
}

/// The answer to voiding a device: the device as it is now, and how many of its cells and
/// register buckets this call removed (a repeat: 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Voided {
    pub device: DeviceSummary,
    pub removed: usize,
}

/// Nhật ký — one thing that happened to access or figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    pub at_ms: u64,
    /// The unit it concerns (a code's or device's scope); officers above it see it.
    pub unit: UnitId,
    /// Who did it (none: the provincial IT command line).
    #[serde(default)]
    pub actor: Option<DeviceId>,
    pub what: AuditWhat,
}

impl AuditEvent {
    /// The trail's entry of a sync by `device` (of `scope`) that changed something.
    pub fn of_sync(at_ms: u64, device: &DeviceId, scope: &UnitId, response: &crate::SyncResponse) -> Option<Self> {
        (response.changed > 0).then(|| AuditEvent {
            at_ms,
            unit: scope.clone(),
            actor: Some(device.clone()),
            what: AuditWhat::Synced {
                device: device.clone(),
                changed: response.changed,
                unchanged: response.unchanged,
            },
        })
    }

    /// The units the event is filed under: its unit and every ancestor, so an officer
    /// reads a whole scope's trail at once; a sync's, which happen daily in every area,
    /// under its area only (one write unit a sync; a ward's trail reads its areas). A unit
    /// no longer in the tree files under itself.
    pub fn filed_under(&self, tree: &crate::UnitTree) -> Vec<UnitId> {
        let chain = tree.self_and_ancestors(&self.unit);
        if chain.is_empty() || matches!(self.what, AuditWhat::Synced { .. }) { vec![self.unit.clone()] } else { chain }
    }
}

/// What an [`AuditEvent`] records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuditWhat {
    CodeIssued {
        code: String,
        role: Role,
    },
    CodeWithdrawn {
        code: String,
    },
    Enrolled {
        device: DeviceId,
        label: String,
        role: Role,
        code: String,
    },
    Revoked {
        device: DeviceId,
    },
    /// Everything the device counted was taken back.
    Voided {
        device: DeviceId,
    },
    Synced {
        device: DeviceId,
        changed: usize,
        unchanged: usize,
    },
    /// Device `from` stopped (revoked) and device `to`, of the same role, scope and label,
    /// took over from it.
    Succeeded {
        from: DeviceId,
        to: DeviceId,
    },
    /// A residential area was created, renamed or closed.
    AreaChanged {
        event: crate::AreaEvent,
    },
    /// A model took a step (was registered, inspected, accepted…).
    ModelStep {
        event: crate::ModelEvent,
    },
    /// A title, commendation or exemplar was recorded.
    HonourRecorded {
        honour: crate::Honour,
    },
    /// A wrong one was withdrawn.
    HonourWithdrawn {
        id: crate::EventId,
    },
    /// A scoring sheet was set.
    SheetSet {
        sheet: crate::ScoringSheet,
    },
    /// The province's catalogue was changed.
    CatalogueChanged {
        change: crate::CatalogueChange,
    },
    /// Provincial IT loaded the province from a release of the units' dataset: the units
    /// it added (how many), and those it stored anew as the release has them now.
    UnitsLoaded {
        dataset: String,
        added: usize,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        changed: Vec<crate::Unit>,
    },
}

/// Why a caller, a token or a code was refused. Nothing changes when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("no bearer token")]
    Unauthenticated,
    #[error("unknown or malformed token")]
    InvalidToken,
    #[error("the device was revoked")]
    Revoked,
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error("the sync names another device")]
    WrongDevice,
    #[error("malformed join code")]
    MalformedCode,
    #[error("unknown join code")]
    UnknownCode,
    #[error("join code expired")]
    CodeExpired,
    #[error("join code used up")]
    CodeUsedUp,
    #[error("join code withdrawn")]
    CodeWithdrawn,
    #[error("invalid validity or uses of a code")]
    InvalidCodeTerms,
    #[error("role {0:?} cannot have this unit as its scope")]
    RoleDoesNotFit(Role),
    #[error("invalid device label")]
    InvalidLabel,
    #[error("unknown device")]
    UnknownDevice,
    #[error("unknown code id")]
    UnknownCodeId,
    #[error("too many attempts; retry in {retry_after_s} s")]
    TooManyAttempts { retry_after_s: u64 },
    #[error("the device's daily quota of cells is used up")]
    QuotaExceeded,
    #[error("the device is not revoked: its cells are not final")]
    NotRevoked,
}

/// The HTTP family of a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// 401: the caller is not known (no token, a wrong one, a revoked device).
    Unauthenticated,
    /// 403: known, but not allowed.
    Forbidden,
    /// 404: no such thing in the caller's reach.
    NotFound,
    /// 409: not in the state the request needs.
    Conflict,
    /// 422: the request itself is wrong.
    Invalid,
    /// 429: too many, try later.
    TooMany,
}

impl AccessError {
    /// Every code [`AccessError::code`] can return, for API documentation.
    pub const CODES: &'static [&'static str] = &[
        "unauthenticated",
        "invalid_token",
        "device_revoked",
        "forbidden",
        "wrong_device",
        "malformed_code",
        "unknown_code",
        "code_expired",
        "code_used_up",
        "code_withdrawn",
        "invalid_code_terms",
        "role_does_not_fit",
        "invalid_label",
        "unknown_device",
        "unknown_code_id",
        "too_many_attempts",
        "quota_exceeded",
        "device_not_revoked",
    ];

    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidToken => "invalid_token",
            Self::Revoked => "device_revoked",
            Self::Forbidden(_) => "forbidden",
            Self::WrongDevice => "wrong_device",
            Self::MalformedCode => "malformed_code",
            Self::UnknownCode => "unknown_code",
            Self::CodeExpired => "code_expired",
            Self::CodeUsedUp => "code_used_up",
            Self::CodeWithdrawn => "code_withdrawn",
            Self::InvalidCodeTerms => "invalid_code_terms",
            Self::RoleDoesNotFit(_) => "role_does_not_fit",
            Self::InvalidLabel => "invalid_label",
            Self::UnknownDevice => "unknown_device",
            Self::UnknownCodeId => "unknown_code_id",
            Self::TooManyAttempts { .. } => "too_many_attempts",
            Self::QuotaExceeded => "quota_exceeded",
            Self::NotRevoked => "device_not_revoked",
        }
    }

    pub fn refusal(&self) -> Refusal {
        match self {
            Self::Unauthenticated | Self::InvalidToken | Self::Revoked => Refusal::Unauthenticated,
            Self::Forbidden(_) | Self::WrongDevice => Refusal::Forbidden,
            Self::UnknownDevice | Self::UnknownCodeId => Refusal::NotFound,
            Self::TooManyAttempts { .. } | Self::QuotaExceeded => Refusal::TooMany,
            Self::NotRevoked => Refusal::Conflict,
            _ => Refusal::Invalid,
        }
    }

    /// Message shown to the user, in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::Unauthenticated => {
                "Máy này chưa được ghi danh: hãy nhập mã tham gia do cán bộ phường, xã cấp.".into()
            }
            Self::InvalidToken => {
                "Máy chủ không nhận ra máy này (mã truy cập không đúng). Hãy xin mã tham gia mới để ghi danh lại."
                    .into()
            }
            Self::Revoked => "Máy này đã bị thu hồi quyền truy cập. Số liệu chưa gửi vẫn còn trên máy; \
                              hãy liên hệ cán bộ phường, xã để được cấp mã tham gia mới."
                .into(),
            Self::Forbidden(f) => f.message_vi(),
            Self::WrongDevice => "Yêu cầu đồng bộ ghi tên một máy khác với máy đang gửi.".into(),
            Self::MalformedCode => {
                format!("Mã tham gia gồm {CODE_LEN} chữ và số (ví dụ ABCD-EFGH-JKMN), không có chữ O, I, L và số 0, 1.")
            }
            Self::UnknownCode => "Mã tham gia không đúng. Hãy kiểm tra lại từng chữ hoặc xin mã mới.".into(),
            Self::CodeExpired => "Mã tham gia đã hết hạn. Hãy xin cán bộ phường, xã một mã mới.".into(),
            Self::CodeUsedUp => "Mã tham gia đã được dùng hết lượt. Hãy xin cán bộ phường, xã một mã mới.".into(),
            Self::CodeWithdrawn => "Mã tham gia đã bị thu hồi. Hãy xin cán bộ phường, xã một mã mới.".into(),
            Self::InvalidCodeTerms => {
                format!("Thời hạn của mã từ 1 đến {MAX_CODE_DAYS} ngày, số lượt dùng từ 1 đến {MAX_CODE_USES}.")
            }
            Self::RoleDoesNotFit(role) => format!("Không cấp được mã cho {} ở đơn vị này.", role.name_vi()),
            Self::InvalidLabel => {
                format!("Tên thiết bị cần từ 1 đến {MAX_LABEL_CHARS} ký tự, ví dụ \"Trưởng ban Tổ 11\".")
            }
            Self::UnknownDevice => "Không tìm thấy thiết bị này.".into(),
            Self::UnknownCodeId => "Không tìm thấy mã tham gia này.".into(),
            Self::TooManyAttempts { retry_after_s } => {
                format!("Đã thử quá nhiều lần. Hãy đợi khoảng {} phút rồi thử lại.", retry_after_s.div_ceil(60).max(1))
            }
            Self::QuotaExceeded => format!(
                "Máy này đã gửi quá {} ô số liệu trong hôm nay. Số liệu vẫn nằm trên máy; ngày mai ứng dụng sẽ tự gửi tiếp.",
                crate::format::group(crate::limits::CELLS_PER_DEVICE_PER_DAY)
            ),
            Self::NotRevoked => "Thiết bị này vẫn đang hoạt động nên số liệu của nó chưa chốt. Chỉ khôi phục \
                                 được bản sao lưu của một thiết bị đã bị thu hồi: hãy nhờ cán bộ phường, xã \
                                 thu hồi thiết bị cũ (mục Thiết bị) rồi thử lại."
                .into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_code_reads_back_however_it_is_typed() {
        let code = JoinCode::from_random(&[7; 32]).unwrap();
        let grouped = code.grouped();
        assert_eq!(grouped.len(), CODE_LEN + 2);
        assert_eq!(JoinCode::parse(&grouped).unwrap(), code);
        assert_eq!(JoinCode::parse(&grouped.to_lowercase().replace('-', " ")).unwrap(), code);
        assert_eq!(JoinCode::parse("ABCD-EFGH-JKM0"), Err(AccessError::MalformedCode), "0 is not in the alphabet");
        assert_eq!(JoinCode::parse("ABCD-EFGH"), Err(AccessError::MalformedCode));
        assert_eq!(JoinCode::parse("ẠBCD-EFGH-JKMN"), Err(AccessError::MalformedCode));
    }

    proptest! {
        #[test]
        fn codes_use_only_the_alphabet(bytes in proptest::array::uniform32(0u8..)) {
            if let Some(code) = JoinCode::from_random(&bytes) {
                prop_assert!(code.as_str().bytes().all(|b| CODE_ALPHABET.contains(&b)));
                prop_assert_eq!(JoinCode::parse(&code.grouped()).unwrap(), code);
            }
        }
    }

    #[test]
    fn labels_are_trimmed_and_bounded() {
        assert_eq!(check_label("  Trưởng ban Tổ 11 ").unwrap(), "Trưởng ban Tổ 11");
        assert_eq!(check_label("   "), Err(AccessError::InvalidLabel));
        assert_eq!(check_label(&"ă".repeat(61)), Err(AccessError::InvalidLabel));
        assert_eq!(check_label("Tổ\n11"), Err(AccessError::InvalidLabel));
    }

    #[test]
    fn a_code_is_usable_until_withdrawn_expired_or_used_up() {
        let code = CodeSummary {
            id: "c-1".into(),
            role: Role::Volunteer,
            unit: UnitId::new("ntmk-to-11").unwrap(),
            issued_by: DeviceId::new("d-officer").unwrap(),
            issued_at_ms: 0,
            expires_at_ms: DAY_MS,
            uses_left: 1,
            withdrawn: false,
        };
        assert_eq!(code.check_usable(DAY_MS - 1), Ok(()));
        assert_eq!(code.check_usable(DAY_MS), Err(AccessError::CodeExpired));
        assert_eq!(CodeSummary { uses_left: 0, ..code.clone() }.check_usable(0), Err(AccessError::CodeUsedUp));
        assert_eq!(CodeSummary { withdrawn: true, ..code }.check_usable(0), Err(AccessError::CodeWithdrawn));
    }

    #[test]
    fn code_terms_have_defaults_and_bounds() {
        let ask = |valid_days, uses| IssueCode {
            role: Role::Volunteer,
            unit: UnitId::new("ntmk-to-11").unwrap(),
            valid_days,
            uses,
        };
        assert_eq!(ask(None, None).terms(), Ok((7, 1)));
        assert_eq!(ask(Some(30), Some(20)).terms(), Ok((30, 20)));
        assert_eq!(ask(Some(0), None).terms(), Err(AccessError::InvalidCodeTerms));
        assert_eq!(ask(None, Some(201)).terms(), Err(AccessError::InvalidCodeTerms));
    }

    #[test]
    fn every_code_is_listed_once() {
        let mut codes = AccessError::CODES.to_vec();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), AccessError::CODES.len());
    }
}
