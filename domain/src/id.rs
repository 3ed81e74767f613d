//! Identifiers of units, indicators and devices: short lowercase ASCII slugs.

use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest identifier accepted.
pub const MAX_ID_LEN: usize = 64;

fn check(raw: &str) -> Result<(), DomainError> {
    let ok = !raw.is_empty()
        && raw.len() <= MAX_ID_LEN
        && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok { Ok(()) } else { Err(DomainError::InvalidId(raw.chars().take(MAX_ID_LEN).collect())) }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Checks the slug form (`[a-z0-9_-]{1,64}`).
            pub fn new(raw: impl Into<String>) -> Result<Self, DomainError> {
                let raw = raw.into();
                check(&raw)?;
                Ok(Self(raw))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = DomainError;
            fn try_from(raw: String) -> Result<Self, DomainError> {
                Self::new(raw)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// Mã đơn vị — identifier of a unit of the administrative tree, our own (not an official code).
    UnitId
);
id_type!(
    /// Mã chỉ tiêu — identifier of an indicator in the catalogue.
    IndicatorId
);
id_type!(
    /// Mã thiết bị — identifier of one installation of the app on one phone.
    DeviceId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_accepted_and_others_refused() {
        assert!(UnitId::new("dx-to-8a").is_ok());
        assert!(UnitId::new("Tổ 8A").is_err());
        assert!(UnitId::new("").is_err());
        assert!(UnitId::new("a".repeat(65)).is_err());
        assert!(serde_json::from_str::<IndicatorId>("\"dat/hien\"").is_err());
    }
}
