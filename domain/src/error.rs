//! Domain errors: each has a stable machine-readable code and a Vietnamese message for the UI.

use crate::Month;
use crate::format::{self, AmountProblem};
use thiserror::Error;

/// The largest amount, written the Vietnamese way, for messages.
fn limit() -> String {
    format::group(crate::MAX_AMOUNT)
}

/// Why an input was refused. Nothing is changed when one of these is returned.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// The indicator's id: the catalogue has no label for it.
    #[error("unknown indicator `{0}`")]
    UnknownIndicator(String),
    /// An entry dated on or after the day its indicator was retired (`from`, dd/mm/yyyy).
    #[error("indicator `{label}` is retired from {from}")]
    RetiredIndicator { label: String, from: String },
    #[error("unknown unit `{0}`")]
    UnknownUnit(String),
    #[error("unit `{0}` is not a residential area")]
    NotAnArea(String),
    /// An entry for a month or year after the area closed (`last_day`, dd/mm/yyyy).
    #[error("the area `{name}` closed after {last_day}")]
    AreaClosed { name: String, last_day: String },
    #[error("indicator `{indicator}` takes {expected} values")]
    WrongKind { indicator: String, label: String, expected: &'static str },
    /// A device's cell whose corrections exceed its entries: `entered` (`inc`), `taken` (`dec`).
    #[error("entries would drive `{indicator}` in {month} below zero")]
    NegativeTotal { indicator: String, label: String, unit: String, month: Month, entered: u64, taken: u64 },
    /// A correction typed on the phone larger than what this device has entered for the
    /// cell (`available`, the cell's net before it).
    #[error("a correction of {correction} exceeds the {available} entered for `{indicator}` in {month}")]
    CorrectionTooLarge { indicator: String, label: String, unit: String, month: Month, correction: u64, available: u64 },
    #[error("invalid period `{0}`")]
    InvalidPeriod(String),
    #[error("invalid identifier `{0}`")]
    InvalidId(String),
    /// A typed date that is not day/month/year (trimmed, at most 20 characters).
    #[error("`{0}` is not a date")]
    MalformedDate(String),
    /// A total out of range (which the limits on cells rule out).
    #[error("invalid amount `{0}`")]
    InvalidAmount(String),
    /// Typed text that is not a well-formed whole number (trimmed, at most 40 characters).
    #[error("`{text}` is not a whole number ({problem:?})")]
    MalformedAmount { text: String, problem: AmountProblem },
    /// A typed number over `MAX_AMOUNT`.
    #[error("amount over the limit")]
    AmountTooLarge,
    /// An entry of 0, which changes nothing.
    #[error("an amount of zero changes nothing")]
    ZeroAmount,
    /// A device's counter cell whose entries or corrections would pass `MAX_AMOUNT`.
    #[error("the total of `{indicator}` in {month} would pass the limit")]
    TotalOverLimit { indicator: String, label: String, month: Month },
    /// A level over `MAX_AMOUNT`.
    #[error("a level of `{indicator}` over the limit")]
    LevelOverLimit { indicator: String, label: String },
    #[error("too many cells in one sync (at most {max})")]
    TooManyCells { max: usize },
    #[error("sync protocol version {0} is not supported")]
    UnsupportedProtocol(u32),
    #[error("a cell appears twice in one sync: `{0}`")]
    DuplicateCell(String),
    #[error("a register stamp is more than a day ahead of the server's clock")]
    StampInFuture,
}

impl DomainError {
    /// Recovers the error a wire type's `try_from` raised inside a deserialiser, from the
    /// message serde wraps it in (`invalid period `2025-13` at line 1 column 9`).
    pub fn from_serde_message(message: &str) -> Option<DomainError> {
        let quoted = |prefix: &str| {
            let rest = &message[message.find(prefix)? + prefix.len()..];
            Some(rest[..rest.find('`')?].to_string())
        };
        quoted("invalid period `")
            .map(DomainError::InvalidPeriod)
            .or_else(|| quoted("invalid identifier `").map(DomainError::InvalidId))
    }

    /// Every code [`DomainError::code`] can return, for API documentation.
    pub const CODES: &'static [&'static str] = &[
        "unknown_indicator",
        "retired_indicator",
        "unknown_unit",
        "not_an_area",
        "area_closed",
        "wrong_kind",
        "negative_total",
        "invalid_period",
        "invalid_id",
        "invalid_amount",
        "too_many_cells",
        "unsupported_protocol",
        "duplicate_cell",
        "stamp_in_future",
    ];

    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownIndicator(_) => "unknown_indicator",
            Self::RetiredIndicator { .. } => "retired_indicator",
            Self::UnknownUnit(_) => "unknown_unit",
            Self::NotAnArea(_) => "not_an_area",
            Self::AreaClosed { .. } => "area_closed",
            Self::WrongKind { .. } => "wrong_kind",
            Self::NegativeTotal { .. } | Self::CorrectionTooLarge { .. } => "negative_total",
            Self::InvalidPeriod(_) | Self::MalformedDate(_) => "invalid_period",
            Self::InvalidId(_) => "invalid_id",
            Self::InvalidAmount(_)
            | Self::MalformedAmount { .. }
            | Self::AmountTooLarge
            | Self::ZeroAmount
            | Self::TotalOverLimit { .. }
            | Self::LevelOverLimit { .. } => "invalid_amount",
            Self::TooManyCells { .. } => "too_many_cells",
            Self::UnsupportedProtocol(_) => "unsupported_protocol",
            Self::DuplicateCell(_) => "duplicate_cell",
            Self::StampInFuture => "stamp_in_future",
        }
    }

    /// Message shown to the user, in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::UnknownIndicator(_) => {
                "Chỉ tiêu này không có trong danh mục của ứng dụng; hãy tải lại ứng dụng để có danh mục mới.".into()
            }
            Self::RetiredIndicator { label, from } => {
                format!("Chỉ tiêu \"{label}\" thôi dùng từ ngày {from}: không ghi số liệu từ ngày đó.")
            }
            Self::UnknownUnit(id) => format!("Không tìm thấy đơn vị: {id}."),
            Self::NotAnArea(id) => {
                format!("Chỉ nhập số liệu cho khu dân cư (thôn, tổ dân phố); {id} không phải khu dân cư.")
            }
            Self::AreaClosed { name, last_day } => {
                format!("{name} đã giải thể sau ngày {last_day}: không ghi số liệu cho các tháng sau đó.")
            }
            Self::WrongKind { label, expected, .. } => format!("Chỉ tiêu \"{label}\" nhận giá trị kiểu {expected}."),
            Self::NegativeTotal { label, unit, month, entered, taken, .. } => format!(
                "Số bớt đi ({}) lớn hơn số máy này đã nhập ({}) cho \"{label}\" trong tháng {}: tổng không thể âm.",
                format::amount(bounded(*taken), unit),
                format::amount(bounded(*entered), unit),
                month_vi(*month),
            ),
            Self::CorrectionTooLarge { label, month, available: 0, .. } => format!(
                "Máy này chưa nhập số nào cho \"{label}\" trong tháng {} nên chưa có gì để bớt: \
                 số âm chỉ dùng để sửa số đã nhập nhầm.",
                month_vi(*month),
            ),
            Self::CorrectionTooLarge { label, unit, month, correction, available, .. } => format!(
                "Số điều chỉnh ({}) lớn hơn số máy này đã nhập cho \"{label}\" trong tháng {}: \
                 chỉ có thể bớt tối đa {}.",
                format::amount(-bounded(*correction), unit),
                month_vi(*month),
                format::amount(bounded(*available), unit),
            ),
            Self::InvalidPeriod(p) if p.is_empty() => {
                "Chưa chọn kỳ báo cáo (ví dụ 2025, 2025-H1, 2025-Q3, 2025-11 hoặc 2021..2025).".into()
            }
            Self::InvalidPeriod(p) => format!("Kỳ báo cáo không hợp lệ: {p}."),
            Self::InvalidId(id) => format!("Mã không hợp lệ: {id}."),
            Self::MalformedDate(text) if text.is_empty() => {
                "Chưa có ngày ghi: hãy viết ngày/tháng/năm, ví dụ 05/11/2026 hoặc 05.11.2026.".into()
            }
            Self::MalformedDate(text) => {
                format!("\"{text}\" không phải một ngày: hãy viết ngày/tháng/năm, ví dụ 05/11/2026 hoặc 05.11.2026.")
            }
            Self::InvalidAmount(_) => {
                format!("Tổng số liệu sẽ vượt giới hạn {}; hãy kiểm tra lại số vừa nhập.", limit())
            }
            Self::MalformedAmount { text, problem } => amount_problem_vi(text, *problem),
            Self::AmountTooLarge => format!("Số quá lớn: tối đa {}.", limit()),
            Self::ZeroAmount => "Số 0 không làm thay đổi gì: hãy nhập số cần cộng thêm, \
                                 hoặc số âm (ví dụ -20) để sửa số đã nhập nhầm."
                .into(),
            Self::TotalOverLimit { label, month, .. } => format!(
                "Tổng tháng {} của \"{label}\" trên máy này sẽ vượt giới hạn {}; hãy kiểm tra lại số vừa nhập.",
                month_vi(*month),
                limit(),
            ),
            Self::LevelOverLimit { label, .. } => {
                format!("Số hiện có của \"{label}\" vượt giới hạn {}; hãy kiểm tra lại số vừa nhập.", limit())
            }
            Self::TooManyCells { max } => {
                format!("Một lần đồng bộ gửi tối đa {max} ô số liệu; hãy đồng bộ lại.")
            }
            Self::UnsupportedProtocol(v) => {
                format!("Phiên bản ứng dụng không tương thích (giao thức {v}); hãy tải lại ứng dụng.")
            }
            Self::DuplicateCell(key) => {
                format!("Ô số liệu bị gửi trùng trong một lần đồng bộ: {key}.")
            }
            Self::StampInFuture => "Đồng hồ của điện thoại đang chạy nhanh hơn thực tế hơn một ngày. \
                                    Hãy chỉnh lại ngày giờ của điện thoại rồi đồng bộ lại."
                .into(),
        }
    }
}

/// `11/2025`.
fn month_vi(month: Month) -> String {
    format!("{}/{}", month.month(), month.year())
}

/// An amount of a cell, bounded by `MAX_AMOUNT` wherever it is shown.
fn bounded(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// What was understood of a typed amount, and how to type it.
fn amount_problem_vi(text: &str, problem: AmountProblem) -> String {
    const THOUSANDS: &str = "dấu chấm chỉ dùng để tách hàng nghìn (ví dụ 1.000 hoặc 12.500.000)";
    const NO_DECIMALS: &str = "Số lẻ không nhập được; hãy đổi sang đơn vị nhỏ hơn hoặc làm tròn.";
    match problem {
        AmountProblem::Empty => "Chưa nhập số.".into(),
        AmountProblem::NoDigits => {
            format!("\"{text}\" chưa có chữ số nào: hãy nhập một số nguyên, ví dụ 8.111 hoặc -20.")
        }
        AmountProblem::NotANumber => format!(
            "\"{text}\" không phải là số: chỉ nhập chữ số, dấu chấm tách hàng nghìn \
             và dấu trừ cho số điều chỉnh (ví dụ 8.111 hoặc -20)."
        ),
        AmountProblem::DecimalDot => format!("\"{text}\" không phải số nguyên: {THOUSANDS}. {NO_DECIMALS}"),
        AmountProblem::HectareDot => {
            format!("\"{text}\": số héc-ta viết phần lẻ sau dấu phẩy (1,25), không dùng dấu chấm.")
        }
        AmountProblem::DecimalComma => {
            format!("\"{text}\" không phải số nguyên: dấu phẩy là dấu thập phân, còn {THOUSANDS}. {NO_DECIMALS}")
        }
        AmountProblem::DotGrouping => format!(
            "\"{text}\" có dấu chấm đặt sai chỗ: dấu chấm chỉ dùng để tách hàng nghìn, \
             nên sau mỗi dấu chấm có đúng 3 chữ số (ví dụ 1.000 hoặc 12.500.000)."
        ),
        AmountProblem::SpaceGrouping => format!(
            "\"{text}\" có dấu cách đặt sai chỗ: khi tách hàng nghìn bằng dấu cách, \
             sau mỗi dấu cách phải có đúng 3 chữ số (ví dụ 12 500 000)."
        ),
        AmountProblem::MixedSeparators => format!(
            "\"{text}\" dùng lẫn dấu chấm và dấu cách: hãy tách hàng nghìn bằng một loại dấu, ví dụ 12.500.000."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_raised_inside_serde_are_recovered() {
        let err = serde_json::from_str::<crate::Month>("\"2025-13\"").unwrap_err().to_string();
        assert_eq!(DomainError::from_serde_message(&err), Some(DomainError::InvalidPeriod("2025-13".into())));
        let err = serde_json::from_str::<crate::UnitId>("\"Tổ 8A\"").unwrap_err().to_string();
        assert_eq!(DomainError::from_serde_message(&err).unwrap().code(), "invalid_id");
        assert_eq!(DomainError::from_serde_message("expected `,` at line 1"), None);
    }
}
