//! The OpenAPI 3 description, generated from the handlers and the domain's wire types.

use crate::ApiError;
use crate::error::ErrorBody;
use domain::{AccessError, DomainError};
use utoipa::OpenApi;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{OpenApi as Document, RefOr};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sổ tay Mặt trận API",
        description = "Tallies of the campaign \"Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh\"."
    ),
    paths(
        super::sync::sync,
        super::report::report,
        super::units::list,
        super::units::catalogue,
        super::access::join,
        super::access::me,
        super::access::issue_code,
        super::access::list_codes,
        super::access::withdraw_code,
        super::access::list_devices,
        super::access::revoke_device,
        super::access::audit,
    ),
    components(schemas(ErrorBody)),
    modifiers(&DeviceToken)
)]
struct ApiDoc;

/// The `device_token` security scheme: `Authorization: Bearer <token>` from `POST /join`.
struct DeviceToken;

impl utoipa::Modify for DeviceToken {
    fn modify(&self, doc: &mut Document) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("The token a device receives once, from POST /api/v1/join."))
            .build();
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme("device_token", SecurityScheme::Http(scheme));
    }
}

/// The document, with the `ErrorCode` schema listing every error code the API returns.
pub fn openapi() -> Document {
    let mut doc = ApiDoc::openapi();
    let codes: Vec<&str> =
        DomainError::CODES.iter().chain(AccessError::CODES).chain(ApiError::CODES).copied().collect();
    let schema = ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .description(Some("Every value of `ErrorBody.code`."))
        .enum_values(Some(codes))
        .build();
    if let Some(components) = doc.components.as_mut() {
        components.schemas.insert("ErrorCode".into(), RefOr::T(Schema::Object(schema)));
    }
    doc
}
