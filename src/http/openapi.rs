//! The API's own description: `GET /api/v1/openapi.json` (OpenAPI 3.1, generated with
//! utoipa from the `#[utoipa::path]` attributes on the handlers and the types they answer
//! with) and `/docs`, a Swagger UI page served from files embedded in the binary, so it
//! works offline.
//!
//! Requests are read leniently (`crate::parse::Fields`), so the request schemas here say
//! what the server accepts, never less: amounts as numbers or strings such as `"$2,450"`,
//! ids as strings or numbers, unknown members allowed. Response schemas say exactly what
//! the handlers write: a member that can be null is nullable, one that can be left out is
//! not required, and extra members are allowed.

use crate::error::ErrorBody;
use crate::events::EventOut;
use crate::http::resource;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use std::collections::HashMap;
use std::sync::OnceLock;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, HeaderBuilder, OpenApi as OpenApiDoc, Ref, RefOr};
use utoipa::{Modify, OpenApi};

pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource(OPENAPI_PATH).route(web::get().to(openapi_json)))
        .service(resource("/docs").route(web::get().to(super::docs::docs_page)))
        .service(resource("/docs/{file}").route(web::get().to(super::docs::docs_file)));
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
        super::docs::docs_page,
        crate::http::session::sign_in,
        crate::http::session::current,
        crate::http::session::sign_out,
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
        doc.merge(crate::loads::routes::Api::openapi());
        doc.merge(crate::carriers::routes::Api::openapi());
        doc.merge(crate::negotiation::routes::Api::openapi());
        doc.merge(crate::bookings::routes::Api::openapi());
        doc.merge(crate::calls::routes::Api::openapi());
        doc.merge(crate::metrics::routes::Api::openapi());
        doc.merge(crate::webhooks::Api::openapi());
    }
}

/// Security schemes, each operation's credentials from its tags, shared error responses
/// and the `X-Request-Id` header on every response: what every operation has, added in
/// one place.
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
        add_security_schemes(components);
        add_shared_responses(components);
        for item in doc.paths.paths.values_mut() {
            for op in operations(item) {
                if op.security.is_none() {
                    op.security = security_for_tags(op.tags.as_deref().unwrap_or_default());
                }
                add_shared_answers(op);
            }
        }
    }
}

/// The credentials an operation takes, from its tags (SPEC §5): the agent's tools take an
/// API key in any of its three headers; dashboard and admin routes take the session
/// cookie too. An operation that says otherwise (the public ones, `/metrics`) keeps its
/// own `security(...)`.
fn security_for_tags(tags: &[String]) -> Option<Vec<SecurityRequirement>> {
    if tags.is_empty() || tags.iter().any(|t| t == "public") {
        return None;
    }
    let mut schemes = vec!["x_api_key", "api_key", "bearer"];
    if tags.iter().any(|t| t == "dashboard" || t == "admin") {
        schemes.push("session_cookie");
    }
    Some(schemes.into_iter().map(|name| SecurityRequirement::new(name, Vec::<String>::new())).collect())
}

/// The ways a client authenticates (SPEC §5).
fn add_security_schemes(components: &mut utoipa::openapi::Components) {
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
}

/// The error answers many operations share, declared once under `components/responses`.
fn add_shared_responses(components: &mut utoipa::openapi::Components) {
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
    let mut not_allowed = error_response("`method_not_allowed`: the route does not take this method.");
    not_allowed.headers.insert(
        "Allow".into(),
        HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::String))
            .description(Some("The methods the route takes, e.g. `GET, POST`."))
            .build(),
    );
    let bad_body = error_response(
        "`invalid_json` (the body is not JSON) or `invalid_body` (not UTF-8, or JSON that is not an object).",
    );
    let bad_query = error_response(
        "`invalid_query`: the query string cannot be read (e.g. a parameter given twice, or a value that is not text).",
    );
    let too_large = error_response(
        "`payload_too_large`: the body is over the route's limit (`BODY_LIMIT_KB` unless the route says otherwise).",
    );
    let shared = shared.into_iter().chain([
        ("MethodNotAllowed", not_allowed),
        ("BadBody", bad_body),
        ("BadQuery", bad_query),
        ("PayloadTooLarge", too_large),
    ]);
    for (name, mut response) in shared {
        response.headers.insert("X-Request-Id".into(), request_id_header());
        components.responses.insert(name.to_string(), RefOr::T(response));
    }
}

/// What every operation answers besides its own: the request id header, 408 for a body
/// that does not arrive, and the shared 401/403/429/500/503 where they apply.
fn add_shared_answers(op: &mut Operation) {
    let secured = is_secured(op);
    let responses = &mut op.responses.responses;
    for response in responses.values_mut() {
        if let RefOr::T(r) = response {
            r.headers.entry("X-Request-Id".into()).or_insert_with(request_id_header);
        }
    }
    let shared = |name: &str| RefOr::Ref(Ref::new(format!("#/components/responses/{name}")));
    responses.entry("405".to_string()).or_insert_with(|| shared("MethodNotAllowed"));
    let has_query = op
        .parameters
        .as_ref()
        .is_some_and(|ps| ps.iter().any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query)));
    if has_query {
        responses.entry("400".to_string()).or_insert_with(|| shared("BadQuery"));
    }
    if op.request_body.is_some() {
        for (status, name) in [("400", "BadBody"), ("408", "RequestTimeout"), ("413", "PayloadTooLarge")] {
            responses.entry(status.to_string()).or_insert_with(|| shared(name));
        }
    }
    for (status, name) in SECURED_ERRORS {
        if secured || status == "500" {
            responses.entry(status.to_string()).or_insert_with(|| shared(name));
        }
    }
}
