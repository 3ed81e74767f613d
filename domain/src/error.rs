//! Domain errors: each has a stable machine-readable code and a Vietnamese message for the UI.

use thiserror::Error;

/// Why an input was refused. Nothing is changed when one of these is returned.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("unknown indicator `{0}`")]
    UnknownIndicator(String),
    #[error("unknown unit `{0}`")]
    UnknownUnit(String),
    #[error("unit `{0}` is not a residential area")]
    NotAnArea(String),
    #[error("indicator `{indicator}` takes {expected} values")]
    WrongKind { indicator: String, expected: &'static str },
    #[error("entries would drive `{indicator}` below zero")]
    NegativeTotal { indicator: String },
    #[error("invalid period `{0}`")]
    InvalidPeriod(String),
    #[error("invalid identifier `{0}`")]
    InvalidId(String),
    #[error("invalid amount `{0}`")]
    InvalidAmount(String),
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
        "unknown_unit",
        "not_an_area",
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
            Self::UnknownUnit(_) => "unknown_unit",
            Self::NotAnArea(_) => "not_an_area",
            Self::WrongKind { .. } => "wrong_kind",
            Self::NegativeTotal { .. } => "negative_total",
            Self::InvalidPeriod(_) => "invalid_period",
            Self::InvalidId(_) => "invalid_id",
            Self::InvalidAmount(_) => "invalid_amount",
            Self::TooManyCells { .. } => "too_many_cells",
            Self::UnsupportedProtocol(_) => "unsupported_protocol",
            Self::DuplicateCell(_) => "duplicate_cell",
            Self::StampInFuture => "stamp_in_future",
        }
    }

    /// Message shown to the user, in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::UnknownIndicator(id) => format!("Chỉ tiêu không có trong danh mục: {id}."),
            Self::UnknownUnit(id) => format!("Không tìm thấy đơn vị: {id}."),
            Self::NotAnArea(id) => {
                format!("Chỉ nhập số liệu cho khu dân cư (thôn, tổ dân phố); {id} không phải khu dân cư.")
            }
            Self::WrongKind { indicator, expected } => {
                format!("Chỉ tiêu {indicator} nhận giá trị kiểu {expected}.")
            }
            Self::NegativeTotal { indicator } => {
                format!("Số điều chỉnh vượt quá số đã nhập của chỉ tiêu {indicator}: tổng không thể âm.")
            }
            Self::InvalidPeriod(p) if p.is_empty() => {
                "Chưa chọn kỳ báo cáo (ví dụ 2025, 2025-H1, 2025-Q3, 2025-11 hoặc 2021..2025).".into()
            }
            Self::InvalidPeriod(p) => format!("Kỳ báo cáo không hợp lệ: {p}."),
            Self::InvalidId(id) => format!("Mã không hợp lệ: {id}."),
            Self::InvalidAmount(a) => {
                format!("Số liệu không hợp lệ: {a}. Hãy nhập một số nguyên, ví dụ 8.111.")
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
