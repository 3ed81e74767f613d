//! The OpenAPI 3 description, generated from the handlers and the domain's wire types.

use crate::ApiError;
use crate::error::ErrorBody;
use domain::DomainError;
use utoipa::OpenApi;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{OpenApi as Document, RefOr};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sổ tay Mặt trận API",
        description = "Tallies of the campaign \"Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh\"."
    ),
    paths(super::sync::sync, super::report::report, super::units::list, super::units::catalogue),
    components(schemas(ErrorBody))
)]
struct ApiDoc;

/// The document, with the `ErrorCode` schema listing every error code the API returns.
pub fn openapi() -> Document {
    let mut doc = ApiDoc::openapi();
    let codes: Vec<&str> = DomainError::CODES.iter().chain(ApiError::CODES).copied().collect();
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
