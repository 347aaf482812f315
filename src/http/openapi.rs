//! The API's own description: `GET /api/v1/openapi.json` (OpenAPI 3.1, generated with
//! utoipa from the `#[utoipa::path]` attributes on the handlers and the schema-only types
//! below) and `/docs`, a Swagger UI page served from files embedded in the binary, so it
//! works offline.
//!
//! Requests are read leniently (`crate::parse::Fields`), so the request schemas here say
//! what the server accepts, never less: amounts as numbers or strings such as `"$2,450"`,
//! ids as strings or numbers, unknown members allowed. Response schemas say exactly what
//! the handlers write: a member that can be null is nullable, one that can be left out is
//! not required, and extra members are allowed.

use crate::error::{AppError, ErrorCode};
use crate::http::resource;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde_json::json;
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, HeaderBuilder, OpenApi as OpenApiDoc, Ref, RefOr};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource(OPENAPI_PATH).route(web::get().to(openapi_json)))
        .service(resource("/docs").route(web::get().to(docs_page)))
        .service(resource("/docs/{file}").route(web::get().to(docs_file)));
}

/// The generated document, built once.
pub fn document() -> &'static OpenApiDoc {
    static DOC: OnceLock<OpenApiDoc> = OnceLock::new();
    DOC.get_or_init(ApiDoc::openapi)
}

/// The methods the document gives a route pattern (`/api/v1/loads/{load_id}`), as an
/// `Allow` header value; `None` for a route it does not describe.
pub fn allowed_methods(pattern: &str) -> Option<&'static str> {
    static ALLOWED: OnceLock<HashMap<String, String>> = OnceLock::new();
    ALLOWED
        .get_or_init(|| {
            document()
                .paths
                .paths
                .iter()
                .map(|(path, item)| {
                    let methods: Vec<&str> = [
                        ("GET", item.get.is_some()),
                        ("POST", item.post.is_some()),
                        ("PUT", item.put.is_some()),
                        ("PATCH", item.patch.is_some()),
                        ("DELETE", item.delete.is_some()),
                    ]
                    .into_iter()
                    .filter_map(|(m, present)| present.then_some(m))
                    .collect();
                    (path.clone(), methods.join(", "))
                })
                .collect()
        })
        .get(pattern)
        .map(String::as_str)
}

fn document_json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| document().to_json().expect("the OpenAPI document serialises"))
}

#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    operation_id = "getOpenApi",
    tag = "public",
    summary = "This API's OpenAPI 3.1 description",
    description = "Public: no key needed.",
    responses((status = 200, description = "The OpenAPI document.", body = Object, content_type = "application/json")),
    security(())
)]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(document_json())
}

/// Swagger UI needs inline styles (set by its React components); its scripts are all
/// files served from `/docs/`, so scripts stay `'self'` only.
pub const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; \
    frame-ancestors 'none'; form-action 'self'";

const DOCS_HTML: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>carrier-sales API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="stylesheet" href="/docs/index.css">
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js" charset="utf-8"></script>
<script src="/docs/swagger-ui-standalone-preset.js" charset="utf-8"></script>
<script src="/docs/swagger-initializer.js" charset="utf-8"></script>
</body>
</html>
"#;

fn swagger_config() -> Arc<utoipa_swagger_ui::Config<'static>> {
    static CONFIG: OnceLock<Arc<utoipa_swagger_ui::Config<'static>>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            Arc::new(
                utoipa_swagger_ui::Config::new([OPENAPI_PATH])
                    .use_base_layout()
                    // No badge from the public validator: the page loads nothing from elsewhere.
                    .validator_url("none")
                    .doc_expansion("list")
                    .default_models_expand_depth(0)
                    .persist_authorization(false),
            )
        })
        .clone()
}

#[utoipa::path(
    get,
    path = "/docs",
    operation_id = "getDocs",
    tag = "public",
    summary = "Human-readable API docs (Swagger UI, served offline)",
    description = "Public. The page and its scripts and styles are served from `/docs/`; nothing is loaded from other hosts.",
    responses((status = 200, description = "The docs page.", body = String, content_type = "text/html")),
    security(())
)]
pub async fn docs_page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, DOCS_CSP))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(DOCS_HTML)
}

/// The docs page's scripts, styles and icons (not in the document: static files).
pub async fn docs_file(path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let name = path.into_inner();
    let not_found = || AppError::not_found(ErrorCode::NotFound, format!("No file /docs/{name}."));
    if name == "index.html" {
        return Ok(docs_page().await);
    }
    let file = utoipa_swagger_ui::serve(&name, swagger_config())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("swagger ui file {name}: {e}")))?
        .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok()
        .content_type(file.content_type)
        .insert_header((header::CONTENT_SECURITY_POLICY, DOCS_CSP))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(file.bytes.into_owned()))
}

// ---------------------------------------------------------------------------------------
// The document.

const API_DESCRIPTION: &str = "The HTTPS tools of the brokerage's AI voice agent and the \
dashboard's API.\n\n\
**Authentication.** Every `/api/*` route except `POST`/`DELETE /api/v1/session` and this \
document needs an API key, sent as `X-API-Key: KEY`, `api-key: KEY` or `Authorization: Bearer \
KEY`, checked before the body is read: no key or a wrong key is a 401, a key without the \
route's scope a 403. Scopes: `agent` (the voice agent's tools), `dashboard` (reads), `admin` \
(dashboard reads plus load writes and booking cancellation). Dashboard and admin routes also \
accept the `cs_session` cookie set by `POST /api/v1/session`; agent routes never do. A \
request on the cookie that changes state (sign-in and sign-out included) is a 403 \
`cross_origin_refused` when its `Origin` is another origin or its `Sec-Fetch-Site` is \
`cross-site` or `same-site`. Each key \
is rate limited (429 with `Retry-After`).\n\n\
**Errors** always have the body `{\"error\": {\"code\", \"message\", \"field\"?}}` (`ErrorBody`), \
with 400 (unparseable JSON or a body that is not an object), 401, 403, 404, 405 (a method the \
route does not take), 409, 413 (body over the limit), 422 (a missing required field or an \
unusable value, naming `field`), 429 or 503; a few 409s add members beside `error`.\n\n\
**Leniency.** The voice platform's values are read leniently: numbers as strings \
(`\"$2,100.00\"`), `\"\"`/`\"null\"`/`\"N/A\"` as missing, `\"yes\"`/`\"Y\"`/`1` booleans, MC numbers \
as `MC-123456`/`mc 123456`/`MC#123456`, dates as RFC 3339, `2026-11-24`, `2026-11-24 08:00` or \
`Monday, November 24, 2026 08:00:00 AM UTC`. Unknown members are ignored; `Content-Type` may be \
missing or wrong.\n\n\
**Values in answers.** Money is a number of US dollars (`2150` or `2150.5`); times are RFC 3339 \
with an offset. Every response carries `X-Request-Id` (echoed when the request sent one).";

#[derive(OpenApi)]
#[openapi(
    info(title = "carrier-sales API", description = API_DESCRIPTION),
    servers((url = "/", description = "This server")),
    paths(
        crate::http::healthz,
        crate::http::readyz,
        crate::http::prometheus_metrics,
        openapi_json,
        docs_page,
        crate::http::session::sign_in,
        crate::http::session::current,
        crate::http::session::sign_out,
        crate::loads::handlers::search,
        crate::loads::handlers::list,
        crate::loads::handlers::get,
        crate::loads::handlers::upsert,
        crate::loads::handlers::import_file,
        crate::carriers::handlers::verify,
        crate::negotiation::handlers::evaluate,
        crate::negotiation::handlers::policy,
        crate::bookings::handlers::handoff,
        crate::bookings::cancel::cancel,
        crate::metrics::summary,
        crate::metrics::timeseries,
        crate::events::stream,
    ),
    components(schemas(ErrorBody, EventOut)),
    modifiers(&Rooms, &Shared),
    tags(
        (name = "agent", description = "The voice agent's tools. Scope `agent`: an API key only, never the dashboard cookie."),
        (name = "dashboard", description = "Dashboard reads. Scope `dashboard` (an `admin` key or session may read too): an API key or the `cs_session` cookie."),
        (name = "admin", description = "Catalogue writes and booking cancellation. Scope `admin`: an API key or an admin `cs_session` cookie."),
        (name = "public", description = "No key needed."),
    )
)]
pub struct ApiDoc;

/// The rooms' own documents (paths and the schemas they name), merged in before
/// [`Shared`] adds what every operation has.
struct Rooms;

impl Modify for Rooms {
    fn modify(&self, doc: &mut OpenApiDoc) {
        doc.merge(crate::calls::routes::Api::openapi());
    }
}

/// Security schemes, shared error responses and the `X-Request-Id` header on every
/// response: what every operation has, added in one place.
struct Shared;

const SECURED_ERRORS: [(&str, &str); 5] = [
    ("401", "Unauthorized"),
    ("403", "Forbidden"),
    ("429", "TooManyRequests"),
    ("500", "InternalError"),
    ("503", "ServiceUnavailable"),
];

fn error_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build())
        .build()
}

fn request_id_header() -> utoipa::openapi::Header {
    HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::String))
        .description(Some("The request's id: echoed when the request sent a short printable one, else made here."))
        .build()
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.options.as_mut(),
        item.head.as_mut(),
        item.patch.as_mut(),
        item.trace.as_mut(),
    ]
    .into_iter()
    .flatten()
}

/// An operation needs a credential when it has security requirements and none is empty.
fn is_secured(op: &Operation) -> bool {
    op.security.as_ref().is_some_and(|reqs| {
        !reqs.is_empty()
            && reqs.iter().all(|r| serde_json::to_value(r).is_ok_and(|v| v.as_object().is_some_and(|o| !o.is_empty())))
    })
}

impl Modify for Shared {
    fn modify(&self, doc: &mut OpenApiDoc) {
        let components = doc.components.get_or_insert_with(Default::default);
        let header_key =
            |name: &str, what: &str| SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(name, what)));
        components.add_security_scheme("x_api_key", header_key("X-API-Key", "An API key in the `X-API-Key` header."));
        components.add_security_scheme(
            "api_key",
            header_key("api-key", "An API key in the `api-key` header (the voice platform's \"API Key\" option)."),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API key as `Authorization: Bearer KEY`."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::http::auth::SESSION_COOKIE,
                "The dashboard's HttpOnly session cookie from `POST /api/v1/session` (dashboard and admin routes only).",
            ))),
        );
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "`Authorization: Bearer METRICS_TOKEN`, needed by `/metrics` only when `METRICS_TOKEN` is set.",
                    ))
                    .build(),
            ),
        );

        let mut too_many = error_response(
            "`rate_limited`: too many requests for this key (`RATE_LIMIT_PER_MINUTE`); wait `Retry-After` seconds.",
        );
        too_many.headers.insert(
            "Retry-After".into(),
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)))
                .description(Some("Seconds to wait before trying again."))
                .build(),
        );
        let shared: [(&str, Response); 6] = [
            (
                "Unauthorized",
                error_response(
                    "`missing_api_key` (no key or session cookie sent) or `invalid_api_key` (a key that is not valid).",
                ),
            ),
            (
                "Forbidden",
                error_response("`forbidden`: the key or session does not have this route's scope; `cross_origin_refused`: a write on the session cookie from another origin."),
            ),
            ("TooManyRequests", too_many),
            ("InternalError", error_response("`internal_error`: an unexpected failure, logged with the request id.")),
            (
                "RequestTimeout",
                error_response(
                    "`request_timeout`: the body did not arrive within `CARRIER_SALES__SERVER__BODY_TIMEOUT_SECS`; the connection is closed.",
                ),
            ),
            (
                "ServiceUnavailable",
                error_response("`service_unavailable`: the database could not be reached in time; try again shortly."),
            ),
        ];
        for (name, mut response) in shared {
            response.headers.insert("X-Request-Id".into(), request_id_header());
            components.responses.insert(name.to_string(), RefOr::T(response));
        }

        for item in doc.paths.paths.values_mut() {
            for op in operations(item) {
                let secured = is_secured(op);
                let responses = &mut op.responses.responses;
                for response in responses.values_mut() {
                    if let RefOr::T(r) = response {
                        r.headers.entry("X-Request-Id".into()).or_insert_with(request_id_header);
                    }
                }
                if op.request_body.is_some() {
                    responses
                        .entry("408".to_string())
                        .or_insert_with(|| RefOr::Ref(Ref::new("#/components/responses/RequestTimeout")));
                }
                for (status, name) in SECURED_ERRORS {
                    if secured || status == "500" {
                        responses
                            .entry(status.to_string())
                            .or_insert_with(|| RefOr::Ref(Ref::new(format!("#/components/responses/{name}"))));
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Schemas written by hand: the lenient input scalars and a few shared values.

fn raw(v: serde_json::Value) -> RefOr<Schema> {
    RefOr::T(serde_json::from_value(v).expect("a valid schema"))
}

macro_rules! raw_schema {
    ($(#[$doc:meta])* $name:ident = $json:tt) => {
        $(#[$doc])*
        pub struct $name;
        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                raw(json!($json))
            }
        }
        impl ToSchema for $name {}
    };
}

raw_schema!(
    /// A USD amount in a request.
    LenientAmount = {
        "type": ["number", "string"],
        "minimum": 0,
        "maximum": 1_000_000,
        "description": "US dollars: a number (`2450`, `2450.5`) or a string such as `\"2450\"`, `\"2,450\"`, `\"$2,450.00\"` or `\"2450 USD\"`; rounded to the cent. `0`, `\"\"`, `\"null\"`, `\"none\"` and `\"N/A\"` mean no value. Negative or above 1,000,000 is a 422.",
        "examples": [2450, "$2,450"]
    }
);

raw_schema!(
    /// A whole count in a request.
    LenientCount = {
        "type": ["integer", "string"],
        "minimum": 0,
        "description": "A whole number, as a number or a string (`3`, `\"3\"`, `\"1,200\"`). `\"\"`, `\"null\"` and `\"N/A\"` mean no value.",
        "examples": [3, "3"]
    }
);

raw_schema!(
    /// A number in a request.
    LenientNumber = {
        "type": ["number", "string"],
        "description": "A number, as a number or a string (`150`, `\"150\"`). `0`, `\"\"`, `\"null\"` and `\"N/A\"` mean no value.",
        "examples": [150, "150"]
    }
);

raw_schema!(
    /// A yes/no value in a request.
    LenientBool = {
        "type": ["boolean", "string", "integer"],
        "description": "`true`, `\"true\"`, `\"yes\"`, `\"Y\"`, `1` and their negatives (`false`, `\"no\"`, `\"N\"`, `0`); `\"\"` and `\"null\"` mean no value.",
        "examples": [true, "yes"]
    }
);

raw_schema!(
    /// An identifier in a request.
    IdInput = {
        "type": ["string", "number"],
        "maxLength": 128,
        "description": "An id as a string or a number, at most 128 characters. `0`, `\"\"`, `\"null\"` and `\"N/A\"` mean no value.",
        "examples": ["call-8f2a", "L-1001"]
    }
);

raw_schema!(
    /// A short text in a request.
    TextInput = {
        "type": ["string", "number"],
        "maxLength": 200,
        "description": "Text, at most 200 characters (a number is read as its digits). `\"\"`, `\"null\"`, `\"none\"` and `\"N/A\"` mean no value."
    }
);

raw_schema!(
    /// An MC (docket) number in a request.
    McInput = {
        "type": ["string", "integer"],
        "description": "An MC number in any of the platform's spellings: `123456`, `\"123456\"`, `\"MC123456\"`, `\"MC-123456\"`, `\"mc 123456\"`, `\"MC#123456\"` (at most 8 digits). `0`, `\"\"` and `\"null\"` mean no value; a value that cannot be an MC number is a 422.",
        "examples": ["MC-700010", 700010]
    }
);

raw_schema!(
    /// A USDOT number in a request.
    DotInput = {
        "type": ["string", "integer"],
        "description": "A USDOT number: digits only, at most 8, as a number or a string. `0`, `\"\"` and `\"null\"` mean no value.",
        "examples": ["9100010", 9100010]
    }
);

raw_schema!(
    /// A date or time in a request.
    DateTimeInput = {
        "type": ["string", "number"],
        "description": "RFC 3339 (`2026-11-24T08:00:00-06:00`), a date (`2026-11-24`), a local time (`2026-11-24 08:00`, `2026-11-24T08:00:00`), the platform's `Monday, November 24, 2026 08:00:00 AM UTC`, or epoch seconds or milliseconds. `\"\"` and `\"null\"` mean no value.",
        "examples": ["2026-11-24", "2026-11-24T08:00:00-06:00"]
    }
);

raw_schema!(
    /// A transcript in a request.
    TranscriptInput = {
        "oneOf": [
            {"type": "string", "maxLength": 200_000, "description": "Plain text; `Agent: ...` / `Carrier: ...` lines become turns. A JSON string holding a list of turns is read as that list."},
            {"type": "array", "items": {"type": ["object", "string", "null"], "description": "A `{\"role\", \"content\"}` turn (also `speaker`, `text`, `message`) or a line of text."}}
        ],
        "description": "The call's transcript, at most 200,000 characters. Roles are normalised to `agent` and `carrier`."
    }
);

raw_schema!(
    /// The `extracted` member of a finalize body.
    ExtractedInput = {
        "type": ["object", "string"],
        "description": "What the platform's extraction produced: a JSON object, or a string holding one; at most 64 KiB. Stored and shown on the call."
    }
);

raw_schema!(
    /// US dollars in an answer.
    Usd = {
        "type": "number",
        "description": "US dollars (2150 or 2150.5).",
        "examples": [2150]
    }
);

raw_schema!(
    /// A point in time in an answer.
    Timestamp = {
        "type": "string",
        "format": "date-time",
        "description": "RFC 3339 with an offset (`2026-11-24T08:00:00-06:00`, `2026-11-22T03:37:00Z`).",
        "examples": ["2026-11-24T08:00:00-06:00"]
    }
);

raw_schema!(
    /// The body of `POST /api/v1/loads/import` as JSON.
    ImportJson = {
        "oneOf": [
            {"type": "array", "items": {"type": ["object", "array", "string", "number", "boolean", "null"]}},
            {"type": "object", "required": ["loads"], "properties": {"loads": {"type": "array", "items": {"type": ["object", "array", "string", "number", "boolean", "null"]}}}}
        ],
        "description": "A JSON array of load records (each a `LoadInput`), or `{\"loads\": [...]}`. Records that are not valid loads do not fail the import: each is reported in `rejected` with its reason."
    }
);

/// The body of `POST /api/v1/loads/import` as CSV: any text (a body that starts with `[` or
/// `{` is read as JSON whatever its `Content-Type`).
pub struct ImportCsv;
impl utoipa::PartialSchema for ImportCsv {
    fn schema() -> RefOr<Schema> {
        let mut schema = ObjectBuilder::new().schema_type(SchemaType::AnyValue).build();
        schema.description = Some(
            "CSV text with a header row naming the `LoadInput` columns, `load_id` among them; one load per row. \
             A body starting with `[` or `{` is read as JSON instead."
                .into(),
        );
        RefOr::T(Schema::Object(schema))
    }
}
impl ToSchema for ImportCsv {}

fn long_text(max: usize, required: bool, description: &str) -> Schema {
    let types: &[&str] = if required { &["string", "number"] } else { &["string", "number", "null"] };
    serde_json::from_value(json!({"type": types, "maxLength": max, "description": description}))
        .expect("a valid schema")
}

fn api_key_text() -> Schema {
    long_text(512, true, "A dashboard- or admin-scope API key (at most 512 characters).")
}

fn notes_text() -> Schema {
    long_text(2000, false, "Free notes for the carrier, at most 2,000 characters.")
}

pub(crate) fn summary_text() -> Schema {
    long_text(10_000, false, "The agent's summary of the call, at most 10,000 characters.")
}

fn reason_text() -> Schema {
    long_text(500, true, "Why the booking is released (at most 500 characters); kept with the booking.")
}

pub(crate) fn any_value() -> Schema {
    Schema::Object(ObjectBuilder::new().schema_type(SchemaType::AnyValue).build())
}

/// A member the server reads only in some cases (and ignores otherwise): its usual form,
/// but any value is taken when it is not read, so the schema does not narrow it.
pub(crate) fn read_sometimes(usual: &str, description: &str) -> Schema {
    Schema::AnyOf(
        AnyOfBuilder::new().item(Ref::from_schema_name(usual)).item(any_value()).description(Some(description)).build(),
    )
}

fn place_part() -> Schema {
    read_sometimes("TextInput", "Read only when the place itself (`origin` or `destination`) is not given.")
}

fn day_offset() -> Schema {
    read_sometimes(
        "LenientCount",
        "Days from today (0 to 365), local to the place; read only when the matching `_datetime` is not given.",
    )
}

fn clock_time() -> Schema {
    read_sometimes(
        "TextInput",
        "`08:00` or `8:00 AM` (default 08:00); read only with the matching `_day_offset`, when no `_datetime` is given.",
    )
}

// ---------------------------------------------------------------------------------------
// Errors.

/// Every error answer: `{"error": {"code", "message", "field"?}}`. A few 409s add members
/// beside `error` (`negotiation`, `verification`), a 502 adds `platform`, and a 400
/// `invalid_json` from `calls/finalize` or `webhooks/happyrobot` adds `rejected_id` (the
/// body was kept; see `GET /api/v1/webhooks/rejected`).
#[derive(ToSchema)]
#[schema(example = json!({"error": {"code": ErrorCode::LoadNotFound, "message": "No load with id L-9999.", "field": "load_id"}}))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(ToSchema)]
pub struct ErrorDetail {
    /// A stable snake_case code; `ErrorCode` lists every one.
    pub code: ErrorCode,
    /// A human sentence.
    pub message: String,
    /// The input at fault, when one is (left out otherwise).
    #[schema(required = false)]
    pub field: String,
}

// ---------------------------------------------------------------------------------------
// Operations.

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum HealthStatus {
    Ok,
}

#[derive(ToSchema)]
pub struct Health {
    pub status: HealthStatus,
    /// The service's version.
    pub version: String,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum ReadyStatus {
    Ready,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum DatabaseBackend {
    Sqlite,
    Postgres,
}

#[derive(ToSchema)]
pub struct Readiness {
    pub status: ReadyStatus,
    pub database: DatabaseBackend,
    pub live_events: LiveEvents,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum LiveEventsStatus {
    Ok,
    Degraded,
}

/// The live dashboard feed. `degraded` does not fail readiness: the agent's tools and the
/// API still work, only live updates are late.
#[derive(ToSchema)]
pub struct LiveEvents {
    pub status: LiveEventsStatus,
    /// Seconds since the outbox was last read.
    pub last_read_secs_ago: u64,
    /// Failed reads in a row.
    pub consecutive_failures: u64,
}

/// The scope a dashboard session carries.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum SessionScope {
    Dashboard,
    Admin,
}

#[derive(ToSchema)]
#[schema(example = json!({"api_key": "cs_0123456789abcdef0123456789abcdef0123456789abcdef"}))]
pub struct SignInRequest {
    #[schema(schema_with = api_key_text)]
    pub api_key: String,
}

#[derive(ToSchema)]
pub struct SignedIn {
    pub signed_in: bool,
    pub scope: SessionScope,
    /// When the session cookie expires.
    #[schema(value_type = Timestamp)]
    pub expires_at: String,
}

#[derive(ToSchema)]
pub struct SessionInfo {
    pub signed_in: bool,
    /// `admin` for an admin key or session (and for an all-scopes key).
    pub scope: SessionScope,
}

// Loads.

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum LoadStatus {
    Available,
    Booked,
    Cancelled,
}

/// A load (SPEC §4). Times are in the place's own offset.
#[derive(ToSchema)]
pub struct Load {
    pub load_id: String,
    /// "City, ST".
    pub origin: String,
    pub origin_city: String,
    /// Two-letter state code.
    pub origin_state: String,
    #[schema(required = true)]
    pub origin_latitude: Option<f64>,
    #[schema(required = true)]
    pub origin_longitude: Option<f64>,
    /// IANA time zone of the origin, e.g. `America/Chicago`.
    pub origin_timezone: String,
    pub destination: String,
    pub destination_city: String,
    pub destination_state: String,
    #[schema(required = true)]
    pub destination_latitude: Option<f64>,
    #[schema(required = true)]
    pub destination_longitude: Option<f64>,
    pub destination_timezone: String,
    /// Pickup, in the origin's offset.
    pub pickup_datetime: Timestamp,
    /// Delivery, in the destination's offset.
    #[schema(required = true)]
    pub delivery_datetime: Option<Timestamp>,
    /// Canonical when recognised: Dry Van, Reefer, Flatbed, Step Deck, Power Only, Conestoga, Box Truck, Hotshot, Tanker, Lowboy.
    pub equipment_type: String,
    /// What the carrier is offered.
    pub loadboard_rate: Usd,
    /// The most the broker will pay: only for dashboard and admin readers, and only when set.
    #[schema(required = false)]
    pub max_rate: Usd,
    #[schema(required = true)]
    pub notes: Option<String>,
    /// Pounds.
    #[schema(required = true)]
    pub weight: Option<i64>,
    #[schema(required = true)]
    pub commodity_type: Option<String>,
    #[schema(required = true)]
    pub num_of_pieces: Option<i64>,
    #[schema(required = true)]
    pub miles: Option<i64>,
    #[schema(required = true)]
    pub dimensions: Option<String>,
    pub status: LoadStatus,
    /// `loadboard_rate / miles`, rounded to the cent; null without miles.
    #[schema(required = true)]
    pub rate_per_mile: Option<f64>,
}

#[derive(ToSchema)]
#[schema(example = json!({"origin": "Dallas, TX", "origin_radius_miles": 150, "equipment_type": "dry van", "pickup_date": "2026-11-24", "max_results": 3, "call_id": "call-8f2a", "mc_number": "MC-700010"}))]
pub struct SearchRequest {
    /// Free text: "Dallas, TX", "Dallas Texas", "dallas" (that city in any state), "TX", "Texas".
    pub origin: Option<TextInput>,
    /// Miles around the origin city (1 to 1000; 0 means none). Loads within it carry `deadhead_miles`.
    pub origin_radius_miles: Option<LenientNumber>,
    pub destination: Option<TextInput>,
    /// Miles around the destination city (1 to 1000; 0 means none).
    pub destination_radius_miles: Option<LenientNumber>,
    /// "dry van", "van", "53' dry van", "reefer", "refrigerated", "flat bed", "step deck", "power only"...
    pub equipment_type: Option<TextInput>,
    /// A date without a time means that day in the origin's time zone. Without it no pickup window applies.
    pub pickup_date: Option<DateTimeInput>,
    /// Hours from `pickup_date` (1 to 720, default 24).
    pub pickup_window_hours: Option<LenientNumber>,
    /// Default 3, honoured up to 100.
    pub max_results: Option<LenientCount>,
    /// The call (SPEC §12.1). Missing, blank or an unrendered template (`{{session.id}}`): the carrier's call in progress is found from `mc_number`, else a new id is issued; unattributed when neither is known. The answer says which id was used.
    pub call_id: Option<IdInput>,
    /// An alias of `call_id`.
    pub session_id: Option<IdInput>,
    /// An alias of `call_id`.
    pub run_id: Option<IdInput>,
    pub mc_number: Option<McInput>,
}

#[derive(ToSchema)]
pub struct SearchAnswer {
    /// Best match first; empty when nothing fits (still a 200).
    pub loads: Vec<SearchHit>,
    pub total: i64,
    /// True when nothing left the city itself and loads within 100 miles are offered instead.
    pub widened: bool,
    /// What the agent can say.
    pub message: String,
    /// The call the search was recorded for; null when neither a call nor an MC was given.
    #[schema(required = true)]
    pub call_id: Option<String>,
}

/// A load offered by a search: every `Load` member (never `max_rate`) plus the match.
#[derive(ToSchema)]
pub struct SearchHit {
    pub load_id: String,
    pub origin: String,
    pub origin_city: String,
    pub origin_state: String,
    #[schema(required = true)]
    pub origin_latitude: Option<f64>,
    #[schema(required = true)]
    pub origin_longitude: Option<f64>,
    pub origin_timezone: String,
    pub destination: String,
    pub destination_city: String,
    pub destination_state: String,
    #[schema(required = true)]
    pub destination_latitude: Option<f64>,
    #[schema(required = true)]
    pub destination_longitude: Option<f64>,
    pub destination_timezone: String,
    pub pickup_datetime: Timestamp,
    #[schema(required = true)]
    pub delivery_datetime: Option<Timestamp>,
    pub equipment_type: String,
    pub loadboard_rate: Usd,
    #[schema(required = true)]
    pub notes: Option<String>,
    #[schema(required = true)]
    pub weight: Option<i64>,
    #[schema(required = true)]
    pub commodity_type: Option<String>,
    #[schema(required = true)]
    pub num_of_pieces: Option<i64>,
    #[schema(required = true)]
    pub miles: Option<i64>,
    #[schema(required = true)]
    pub dimensions: Option<String>,
    pub status: LoadStatus,
    #[schema(required = true)]
    pub rate_per_mile: Option<f64>,
    /// 0 to 1, best first.
    pub match_score: f64,
    /// Miles from the searched origin to the load's origin; only when a radius was given or the search widened.
    #[schema(required = false)]
    pub deadhead_miles: f64,
    /// One sentence the agent can say to pitch this load.
    pub pitch: String,
}

#[derive(ToSchema)]
pub struct LoadPage {
    pub loads: Vec<Load>,
    /// Pass as `cursor` for the next page; null on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// One load record for `POST /api/v1/loads` or an import. Places must be a US city with
/// its state. Times are absolute (`pickup_datetime`, a zone-less value read in the origin's
/// zone) or relative to today (`pickup_day_offset` + `pickup_time`, local).
#[derive(ToSchema)]
#[schema(example = json!({"load_id": "L-1001", "origin": "Dallas, TX", "destination": "Atlanta, GA", "pickup_datetime": "2026-11-24T08:00:00-06:00", "delivery_datetime": "2026-11-25T15:00:00-05:00", "equipment_type": "Dry Van", "loadboard_rate": 2150, "max_rate": 2400, "notes": "No touch freight", "weight": 42000, "commodity_type": "Packaged foods", "num_of_pieces": 24, "miles": 781, "dimensions": "53 ft"}))]
pub struct LoadInput {
    pub load_id: IdInput,
    /// "Dallas, TX" (or give `origin_city` and `origin_state`). Required one way or the other.
    pub origin: Option<TextInput>,
    #[schema(schema_with = place_part)]
    pub origin_city: Option<String>,
    #[schema(schema_with = place_part)]
    pub origin_state: Option<String>,
    /// Required one way or the other, like `origin`.
    pub destination: Option<TextInput>,
    #[schema(schema_with = place_part)]
    pub destination_city: Option<String>,
    #[schema(schema_with = place_part)]
    pub destination_state: Option<String>,
    /// Required unless `pickup_day_offset` is given.
    pub pickup_datetime: Option<DateTimeInput>,
    #[schema(schema_with = day_offset)]
    pub pickup_day_offset: Option<String>,
    #[schema(schema_with = clock_time)]
    pub pickup_time: Option<String>,
    /// Not before the pickup.
    pub delivery_datetime: Option<DateTimeInput>,
    #[schema(schema_with = day_offset)]
    pub delivery_day_offset: Option<String>,
    #[schema(schema_with = clock_time)]
    pub delivery_time: Option<String>,
    pub equipment_type: TextInput,
    pub loadboard_rate: LenientAmount,
    /// Not below `loadboard_rate`.
    pub max_rate: Option<LenientAmount>,
    /// `available` (default) or `cancelled`; a booked load keeps its booking.
    pub status: Option<TextInput>,
    #[schema(schema_with = notes_text)]
    pub notes: Option<String>,
    /// Pounds.
    pub weight: Option<LenientCount>,
    pub commodity_type: Option<TextInput>,
    pub num_of_pieces: Option<LenientCount>,
    /// Estimated from the places when missing.
    pub miles: Option<LenientCount>,
    pub dimensions: Option<TextInput>,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum UpsertResult {
    Inserted,
    Updated,
}

#[derive(ToSchema)]
pub struct UpsertAnswer {
    pub result: UpsertResult,
    /// The load as stored, with `max_rate` when set.
    pub load: Load,
}

#[derive(ToSchema)]
pub struct ImportReport {
    pub inserted: i64,
    pub updated: i64,
    /// How many rows were rejected in all.
    pub rejected_count: i64,
    /// The first 100 rejected rows, in file order.
    pub rejected: Vec<RejectedRow>,
}

#[derive(ToSchema)]
pub struct RejectedRow {
    /// 1-based position in the file (data rows; a CSV header is not counted).
    pub row: i64,
    #[schema(required = true)]
    pub load_id: Option<String>,
    #[schema(required = true)]
    pub field: Option<String>,
    pub reason: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LoadListQuery {
    /// `available`, `booked`, `cancelled` or `all` (default: every status).
    pub status: Option<String>,
    /// Page size, 1 to 500 (larger values are capped at 500); default 50.
    #[param(pattern = r"^[\s\u0085]*\+?[0-9]*[\s\u0085]*$")]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

// Carriers.

#[derive(ToSchema)]
#[schema(example = json!({"mc_number": "MC-700010", "call_id": "call-8f2a"}))]
pub struct VerifyRequest {
    /// Required unless `dot_number` is given.
    pub mc_number: Option<McInput>,
    /// Used when there is no `mc_number`.
    pub dot_number: Option<DotInput>,
    /// The call (SPEC §12.1). Missing, blank or an unrendered template (`{{session.id}}`): a new id is issued and answered; pass it to every later tool.
    pub call_id: Option<IdInput>,
    /// An alias of `call_id`.
    pub session_id: Option<IdInput>,
    /// An alias of `call_id`.
    pub run_id: Option<IdInput>,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum VerificationStatus {
    Eligible,
    Ineligible,
    NotFound,
    Unavailable,
}

/// A failed eligibility rule, in SPEC §6 order.
#[derive(ToSchema)]
#[schema(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReasonCode {
    CarrierNotFound,
    NotAllowedToOperate,
    UsdotInactive,
    NoActiveCarrierAuthority,
    BrokerOnlyAuthority,
    OutOfService,
    InsuranceBelowRequired,
    UnsatisfactorySafetyRating,
    AmbiguousDocket,
}

/// Something the rep should know that does not block a booking.
#[derive(ToSchema)]
pub enum WarningCode {
    #[schema(rename = "CONDITIONAL_SAFETY_RATING")]
    ConditionalSafetyRating,
    #[schema(rename = "MCS150_OUTDATED")]
    Mcs150Outdated,
    #[schema(rename = "AMBIGUOUS_DOCKET")]
    AmbiguousDocket,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum VerificationSource {
    Fmcsa,
    Cache,
    OfflineSnapshot,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Authority {
    Active,
    Inactive,
    None,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum OperatingStatus {
    Active,
    Inactive,
    Unknown,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum SafetyRating {
    Satisfactory,
    Conditional,
    Unsatisfactory,
}

/// The carrier as FMCSA describes it, insurance in USD (not thousands).
#[derive(ToSchema)]
pub struct Carrier {
    #[schema(required = true)]
    pub legal_name: Option<String>,
    #[schema(required = true)]
    pub dba_name: Option<String>,
    #[schema(required = true)]
    pub dot_number: Option<String>,
    pub allowed_to_operate: bool,
    /// The USDOT number's status.
    pub operating_status: OperatingStatus,
    pub common_authority: Authority,
    pub contract_authority: Authority,
    pub broker_authority: Authority,
    #[schema(required = true)]
    pub bipd_insurance_on_file_usd: Option<Usd>,
    /// Null when FMCSA requires no BIPD insurance of this carrier.
    #[schema(required = true)]
    pub bipd_required_usd: Option<Usd>,
    #[schema(required = true)]
    pub cargo_insurance_on_file_usd: Option<Usd>,
    /// Null when never rated (most carriers; not a fault).
    #[schema(required = true)]
    pub safety_rating: Option<SafetyRating>,
    /// As FMCSA gives it, usually `YYYY-MM-DD`.
    #[schema(required = true)]
    pub safety_rating_date: Option<String>,
    /// The date of an out-of-service order, as FMCSA gives it; null when there is none.
    #[schema(required = true)]
    pub out_of_service_date: Option<String>,
    /// "4100 INDUSTRIAL PKWY, FORT WORTH, TX 76106".
    #[schema(required = true)]
    pub physical_address: Option<String>,
    #[schema(required = true)]
    pub physical_city: Option<String>,
    #[schema(required = true)]
    pub physical_state: Option<String>,
    /// Only when FMCSA has one.
    #[schema(required = false)]
    pub phone: String,
    #[schema(required = true)]
    pub total_power_units: Option<i64>,
    #[schema(required = true)]
    pub total_drivers: Option<i64>,
    /// The biennial MCS-150 update is overdue.
    pub mcs150_outdated: bool,
}

#[derive(ToSchema)]
pub struct Verification {
    /// The call this verification was recorded for: the one sent, or a new one (`[A-Za-z0-9_-]`, at most 64 characters) to pass to every later tool.
    pub call_id: String,
    /// The MC docket, digits only (asked, or found for a USDOT query); else null.
    #[schema(required = true)]
    pub mc_number: Option<String>,
    /// Null when FMCSA could not be consulted (`unavailable`).
    #[schema(required = true)]
    pub eligible: Option<bool>,
    pub status: VerificationStatus,
    /// Every failed rule, in SPEC §6 order.
    pub reasons: Vec<ReasonCode>,
    /// Null when not found or unavailable.
    #[schema(required = true)]
    pub carrier: Option<Carrier>,
    pub source: VerificationSource,
    pub warnings: Vec<WarningCode>,
    /// A cached answer past its time to live, served because FMCSA is down.
    pub stale: bool,
    /// When FMCSA (or the snapshot) was consulted.
    pub checked_at: Timestamp,
    /// What the agent can say.
    pub message: String,
}

// Negotiation.

#[derive(ToSchema)]
#[schema(example = json!({"call_id": "call-8f2a", "load_id": "L-1001", "carrier_offer": "$2,450", "mc_number": "700010"}))]
pub struct EvaluateRequest {
    /// The call (SPEC §12.1). Missing, blank or an unrendered template (`{{session.id}}`): the carrier's call in progress is found from `mc_number`, else a new id is issued (without either, a 422 names `call_id`). The answer says which id was used.
    pub call_id: Option<IdInput>,
    /// An alias of `call_id`.
    pub session_id: Option<IdInput>,
    /// An alias of `call_id`.
    pub run_id: Option<IdInput>,
    pub load_id: IdInput,
    /// What the carrier asks, e.g. `2400` or `"$2,400"`.
    pub carrier_offer: LenientAmount,
    pub mc_number: Option<McInput>,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Decision {
    Accept,
    Counter,
    Reject,
}

#[derive(ToSchema)]
pub struct NegotiationAnswer {
    pub decision: Decision,
    #[schema(minimum = 1)]
    pub round: i64,
    pub max_rounds: i64,
    pub rounds_remaining: i64,
    /// Our counter (decision `counter`).
    #[schema(required = false)]
    pub counter_offer: Usd,
    /// The rate agreed (decision `accept`).
    #[schema(required = false)]
    pub agreed_rate: Usd,
    /// Our final offer, which stands after round 3 (decision `reject`).
    #[schema(required = false)]
    pub final_offer: Usd,
    /// No further rounds: accepted, or our final offer stands.
    #[schema(rename = "final")]
    pub is_final: bool,
    pub call_id: String,
    pub load_id: String,
    pub loadboard_rate: Usd,
    /// What the agent can say.
    pub message: String,
}

#[derive(ToSchema)]
pub struct NegotiationPolicy {
    pub max_rounds: i64,
    /// Ceiling above the posted rate when a load has no `max_rate` (0.10 = 10%).
    pub max_markup: f64,
    pub max_markup_pct: f64,
    /// Share of the gap conceded by round.
    pub concession_schedule: Vec<f64>,
    /// Counters are rounded down to this many dollars.
    pub rounding_step: i64,
    pub urgency_adjustment: f64,
    pub urgency_window_hours: i64,
    pub retry_window_secs: i64,
    pub ceiling_rule: String,
    pub rules: Vec<String>,
}

// Bookings.

#[derive(ToSchema)]
#[schema(example = json!({"call_id": "call-8f2a", "load_id": "L-1001", "mc_number": "MC-700010", "agreed_rate": 2300}))]
pub struct HandoffRequest {
    /// The call (SPEC §12.1). Missing, blank or an unrendered template (`{{session.id}}`): the carrier's call in progress is found from `mc_number`, else a new id is issued (without either, a 422 names `call_id`). The answer says which id was used.
    pub call_id: Option<IdInput>,
    /// An alias of `call_id`.
    pub session_id: Option<IdInput>,
    /// An alias of `call_id`.
    pub run_id: Option<IdInput>,
    pub load_id: IdInput,
    pub mc_number: McInput,
    /// The negotiated rate (or at most the posted rate without a negotiation).
    pub agreed_rate: LenientAmount,
    /// Defaults to FMCSA's legal name.
    pub carrier_name: Option<TextInput>,
}

/// A sales rep: a phone number or an extension.
#[derive(ToSchema)]
pub struct Rep {
    pub name: String,
    #[schema(required = false)]
    pub phone: String,
    #[schema(required = false)]
    pub extension: String,
}

#[derive(ToSchema)]
pub struct HandoffAnswer {
    /// Always true.
    pub transferred: bool,
    pub booking_id: String,
    pub load_id: String,
    pub call_id: String,
    pub mc_number: String,
    pub agreed_rate: Usd,
    pub rep: Rep,
    /// The rep's phone in E.164 (e.g. `+13125552368`) for the voice platform's transfer; null when the rep has an extension only.
    #[schema(required = true)]
    pub transfer_to: Option<String>,
    /// FMCSA could not be reached: the rep must check the carrier before dispatch.
    pub verification_pending: bool,
    /// One paragraph for the rep.
    pub summary: String,
    /// What the agent can say.
    pub message: String,
}

#[derive(ToSchema)]
#[schema(example = json!({"reason": "The carrier fell through on the rate confirmation."}))]
pub struct CancelRequest {
    #[schema(schema_with = reason_text)]
    pub reason: String,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum BookingStatus {
    Active,
    Cancelled,
}

#[derive(ToSchema)]
pub struct Booking {
    pub booking_id: String,
    pub load_id: String,
    pub call_id: String,
    pub mc_number: String,
    #[schema(required = true)]
    pub carrier_name: Option<String>,
    pub agreed_rate: Usd,
    pub loadboard_rate: Usd,
    pub rep: Rep,
    pub status: BookingStatus,
    pub verification_pending: bool,
    pub summary: String,
    pub created_at: Timestamp,
    #[schema(required = true)]
    pub cancelled_at: Option<Timestamp>,
    #[schema(required = true)]
    pub cancel_reason: Option<String>,
    /// Which key cancelled it.
    #[schema(required = true)]
    pub cancelled_by: Option<String>,
}

// Metrics.

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// RFC 3339 time or a date; default 30 days before `to`.
    pub from: Option<String>,
    /// RFC 3339 time or a date (a date includes that whole day); default just after now, so what was recorded a moment ago counts.
    pub to: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BucketQuery {
    /// `day` (default) or `hour` (periods of at most 31 days).
    pub bucket: Option<String>,
}

#[derive(ToSchema)]
pub struct Period {
    pub from: Timestamp,
    pub to: Timestamp,
}

#[derive(ToSchema)]
pub struct ReasonCount {
    pub reason: String,
    pub count: i64,
}

#[derive(ToSchema)]
pub struct UnmetDemand {
    #[schema(required = true)]
    pub origin: Option<String>,
    #[schema(required = true)]
    pub destination: Option<String>,
    #[schema(required = true)]
    pub equipment_type: Option<String>,
    pub count: i64,
}

/// The period's calls and how many got at least as far as each stage (a call booked at
/// the posted rate counts as pitched and negotiated too): never larger than the stage before.
#[derive(ToSchema)]
pub struct Funnel {
    pub calls: i64,
    pub verified: i64,
    pub pitched: i64,
    pub negotiated: i64,
    pub booked: i64,
}

#[derive(ToSchema)]
pub struct SentimentCounts {
    pub positive: i64,
    pub neutral: i64,
    pub negative: i64,
}

#[derive(ToSchema)]
pub struct LaneFigures {
    pub origin: String,
    pub destination: String,
    pub negotiations: i64,
    pub bookings: i64,
    pub revenue: Usd,
}

#[derive(ToSchema)]
pub struct EquipmentFigures {
    pub equipment_type: String,
    pub negotiations: i64,
    pub bookings: i64,
}

/// KPIs for a period (SPEC §9).
#[derive(ToSchema)]
pub struct MetricsSummary {
    pub period: Period,
    pub calls: i64,
    pub verifications: i64,
    pub carriers_verified: i64,
    /// Ineligible or not found.
    pub ineligible: i64,
    /// Share of decided verifications (0 to 1).
    pub ineligible_share: f64,
    pub top_ineligible_reasons: Vec<ReasonCount>,
    pub searches: i64,
    pub searches_no_match: i64,
    pub unmet_demand: Vec<UnmetDemand>,
    pub funnel: Funnel,
    /// Booked calls over calls (0 to 1).
    pub booking_rate: f64,
    #[schema(required = true)]
    pub avg_rounds_to_agreement: Option<f64>,
    #[schema(required = true)]
    pub avg_agreed_rate: Option<Usd>,
    #[schema(required = true)]
    pub avg_posted_rate: Option<Usd>,
    #[schema(required = true)]
    pub avg_premium_usd: Option<Usd>,
    /// Percent above the posted rate.
    #[schema(required = true)]
    pub avg_premium_pct: Option<f64>,
    pub booked_revenue: Usd,
    pub bookings: i64,
    pub bookings_cancelled: i64,
    /// Calls by outcome label, plus `unclassified`.
    pub outcomes: BTreeMap<String, i64>,
    /// Calls by sentiment, plus `unclassified`.
    pub sentiments: BTreeMap<String, i64>,
    /// Sentiment counts by outcome label.
    pub sentiment_by_outcome: BTreeMap<String, SentimentCounts>,
    pub top_lanes: Vec<LaneFigures>,
    pub top_equipment: Vec<EquipmentFigures>,
    #[schema(required = true)]
    pub avg_call_duration_seconds: Option<f64>,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Bucket {
    Day,
    Hour,
}

#[derive(ToSchema)]
pub struct TimePoint {
    /// The bucket's start (UTC day or hour).
    pub t: Timestamp,
    pub calls: i64,
    pub booked: i64,
    pub revenue: Usd,
    pub negotiated: i64,
    #[schema(required = true)]
    pub avg_premium_pct: Option<f64>,
}

#[derive(ToSchema)]
pub struct Timeseries {
    pub bucket: Bucket,
    pub points: Vec<TimePoint>,
}

/// One Server-Sent Event's `data` (its `event` field is `kind`, its `id` is `id`).
#[derive(ToSchema)]
pub struct EventOut {
    pub id: i64,
    /// `verification`, `search`, `negotiation.round`, `negotiation.final_offer_accepted`, `booking.created`, `booking.cancelled`, `call.finalized`, `call.session_status`...
    pub kind: String,
    #[schema(required = true)]
    pub call_id: Option<String>,
    pub at: Timestamp,
    #[schema(schema_with = any_value)]
    pub payload: serde_json::Value,
}
