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

/// The slug form as a regular expression, for the API description.
pub const ID_PATTERN: &str = "^[a-z0-9_-]{1,64}$";

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $description:literal) => {
        $(#[$doc])*
        #[doc = $description]
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        /// A string of the slug form ([`ID_PATTERN`]).
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
                ObjectBuilder::new()
                    .schema_type(SchemaType::new(Type::String))
                    .description(Some($description))
                    .pattern(Some(ID_PATTERN))
                    .min_length(Some(1))
                    .max_length(Some(MAX_ID_LEN))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

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

id_type!(UnitId, "Mã đơn vị — identifier of a unit of the administrative tree, our own (not an official code).");
id_type!(IndicatorId, "Mã chỉ tiêu — identifier of an indicator in the catalogue.");
id_type!(DeviceId, "Mã thiết bị — identifier of one installation of the app on one phone.");
id_type!(ModelId, "Mã mô hình — identifier of one model an area or a ward registered, made where it was registered.");
id_type!(EventId, "Mã sự kiện — identifier of one change (of an area, say), made where the change was made.");

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
        assert_eq!(ID_PATTERN, format!("^[a-z0-9_-]{{1,{MAX_ID_LEN}}}$"), "the documented pattern is the check");
    }
}
