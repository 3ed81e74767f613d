//! The OpenAPI 3 description, generated from the handlers and the domain's wire types.
//!
//! Each handler's `responses(...)` names the statuses special to it; the description of
//! an error answer starts with the codes it may carry, then a colon and prose
//! (`"forbidden, wrong_device: …"`), and its schema lists exactly those codes. What every
//! operation of a kind may answer is added here once ([`Refusals`]): a 401 and a 429 to
//! every operation that needs a device token, a 400, 413 and 415 to every one with a JSON
//! body, and a 500 to every one that reads the store.

use crate::error::{ErrorBody, ErrorCode};
use axum::Json;
use utoipa::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{AdditionalProperties, AllOfBuilder, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{Content, OpenApi as Document, Ref, RefOr, Response};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sổ tay Mặt trận API",
        description = "Tallies of the campaign \"Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh\"."
    ),
    paths(
        super::health::health,
        document,
        super::sync::sync,
        super::report::report,
        super::report::report_xlsx,
        super::report::report_csv,
        super::units::list,
        super::catalogue::catalogue,
        super::catalogue::change_catalogue,
        super::areas::change,
        super::models::step,
        super::models::list,
        super::honours::record,
        super::honours::withdraw,
        super::honours::list,
        super::sheets::set,
        super::sheets::list,
        super::access::join,
        super::access::me,
        super::access::issue_code,
        super::access::list_codes,
        super::access::withdraw_code,
        super::access::list_devices,
        super::access::revoke_device,
        super::access::void_device,
        super::access::audit,
        super::succession::succeed,
        super::succession::device_cells,
    ),
    components(schemas(ErrorBody, ErrorCode)),
    modifiers(&DeviceToken, &Refusals, &ExternallyTagged)
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

/// The answers every operation of a kind may give, added to each (see the module doc).
struct Refusals;

/// What a device token may be refused for.
const UNAUTHENTICATED: &str =
    "unauthenticated, invalid_token, device_revoked: no token, an unknown one, or a revoked device";

/// When a client has sent too many wrong tokens.
const TOO_MANY_WRONG_TOKENS: &str =
    "too_many_attempts: too many wrong tokens from this client; wait as `Retry-After` says";

impl utoipa::Modify for Refusals {
    fn modify(&self, doc: &mut Document) {
        for item in doc.paths.paths.values_mut() {
            let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch];
            for operation in operations.into_iter().flatten() {
                let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
                let has_body = operation.request_body.is_some();
                if secured {
                    add_refusal(operation, "401", UNAUTHENTICATED);
                    add_refusal(operation, "429", TOO_MANY_WRONG_TOKENS);
                }
                if has_body {
                    add_refusal(operation, "400", "malformed_json: the body is not JSON of the described shape");
                    add_refusal(operation, "413", "payload_too_large: the body is over 1 MiB");
                    add_refusal(operation, "415", "unsupported_media_type: the body is not `application/json`");
                }
                if secured || has_body {
                    add_refusal(operation, "500", "internal: the store failed; the same request may be retried");
                }
                for (status, response) in operation.responses.responses.iter_mut() {
                    let refusal = status.parse::<u16>().is_ok_and(|status| status >= 400);
                    if let (true, RefOr::T(response)) = (refusal, response) {
                        narrow_to_codes(response);
                    }
                }
            }
        }
    }
}

/// Adds an error answer unless the handler describes that status itself.
fn add_refusal(operation: &mut Operation, status: &str, description: &str) {
    let response = Response::new(description);
    operation.responses.responses.entry(status.to_string()).or_insert(RefOr::T(response));
}

/// The codes an error answer's description starts with (before its first colon).
pub fn codes_of(description: &str) -> Vec<&str> {
    let head = description.split(':').next().unwrap_or_default();
    head.split(',').map(str::trim).filter(|code| !code.is_empty()).collect()
}

/// An `ErrorBody` whose `code` is one of the codes the description names.
fn narrow_to_codes(response: &mut Response) {
    let codes = codes_of(&response.description);
    let code = ObjectBuilder::new().schema_type(SchemaType::new(Type::String)).enum_values(Some(codes));
    let only_these = ObjectBuilder::new().property("code", code);
    let schema = AllOfBuilder::new().item(Ref::from_schema_name("ErrorBody")).item(only_these).build();
    response.content = [("application/json".to_string(), Content::new(Some(Schema::AllOf(schema))))].into();
}

/// serde's externally tagged enums (`{"level": 120}`, `{"counter": {"total": 5}}`): each
/// variant is an object of its one key and no other, as serde reads and writes them.
struct ExternallyTagged;

impl utoipa::Modify for ExternallyTagged {
    fn modify(&self, doc: &mut Document) {
        let Some(components) = doc.components.as_mut() else { return };
        for schema in components.schemas.values_mut() {
            let RefOr::T(Schema::OneOf(one_of)) = schema else { continue };
            for variant in &mut one_of.items {
                if let RefOr::T(Schema::Object(object)) = variant
                    && object.properties.len() == 1
                    && object.required.len() == 1
                    && object.properties.contains_key(&object.required[0])
                {
                    object.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
                }
            }
        }
    }
}

/// The document.
pub fn openapi() -> Document {
    ApiDoc::openapi()
}

/// This description, as JSON.
#[utoipa::path(get, path = "/api/openapi.json", tag = "description",
    responses((status = 200, description = "This OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn document() -> Json<Document> {
    Json(openapi())
}
