//! The outermost middleware: request ids, one access-log line per request, security
//! headers, and the JSON error shape for anything that escaped as a plain actix error.

use crate::error::{AppError, ErrorCode};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::HttpMessage;
use std::time::Instant;

#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// An incoming id is echoed when it is short and printable; otherwise we make one.
fn incoming_id(req: &ServiceRequest) -> Option<String> {
    let v = req.headers().get("x-request-id")?.to_str().ok()?.trim();
    (!v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_graphic())).then(|| v.to_string())
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

const HSTS: &str = "max-age=31536000; includeSubDomains";

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let id = incoming_id(&req).unwrap_or_else(|| crate::http::auth::random_hex(8));
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = method_label(req.method());
    // Inner layers turn their errors into responses; an Err here is only possible from
    // the framework itself, and actix renders it through the error's ResponseError.
    let mut res = match next.call(req).await {
        Ok(res) => res.map_into_boxed_body(),
        Err(e) => {
            log::warn!(target: "access", "id={id} {method} failed before a response: {e}");
            return Err(e);
        }
    };
    res = json_errors(res);
    if res.status() == StatusCode::REQUEST_TIMEOUT {
        // The rest of a late body may still come; the connection cannot be reused.
        res.response_mut().head_mut().set_connection_type(actix_web::http::ConnectionType::Close);
    }

    // Served over our own TLS (TLS_CERT/TLS_KEY or TLS_SELF_SIGNED): pin HTTPS. Never over
    // plain HTTP, where the header means nothing (RFC 6797 §7.2).
    let over_tls = res.request().app_config().secure();
    let headers = res.headers_mut();
    if over_tls {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        headers.insert(HeaderName::from_static("x-request-id"), v);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    }

    let pattern = res.request().match_pattern();
    let status = res.status().as_u16();
    let secs = started.elapsed().as_secs_f64();
    let path = res.request().path();
    log::info!(target: "access", "id={id} {method} {} {status} {:.1}ms", pattern.as_deref().unwrap_or(clip(path)), secs * 1000.0);
    // Unmatched paths share one label so scanners cannot blow up the metric's cardinality.
    let label =
        pattern.unwrap_or_else(|| if path.starts_with("/api") { "unmatched".into() } else { "dashboard".into() });
    crate::telemetry::telemetry().observe_request(&label, method, status, secs);
    Ok(res)
}

/// The method as a metric label and log field. HTTP allows any token as a method, so one
/// taken as sent would let anyone add label values (and memory) to `/metrics` without end.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// An unmatched path as logged: long enough to recognise, short enough to keep log lines
/// bounded (the request line itself may run to tens of kilobytes).
fn clip(path: &str) -> &str {
    const MAX: usize = 200;
    if path.len() <= MAX {
        return path;
    }
    let mut end = MAX;
    while !path.is_char_boundary(end) {
        end -= 1;
    }
    &path[..end]
}

/// actix answers some failures itself (a panic-free 404/405 from routing, a bad header)
/// with a plain-text body; give those the SPEC error shape too.
fn json_errors(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/event-stream"));
    if is_json {
        return res;
    }
    let err = match status {
        StatusCode::NOT_FOUND => AppError::not_found(ErrorCode::NotFound, "No such route."),
        StatusCode::METHOD_NOT_ALLOWED => {
            AppError::new(ErrorCode::MethodNotAllowed, "This route does not accept that method.")
        }
        StatusCode::PAYLOAD_TOO_LARGE => AppError::new(ErrorCode::PayloadTooLarge, "The request body is too large."),
        s if s.is_server_error() => AppError::Internal(anyhow::anyhow!("unhandled {s} from the framework")),
        s => AppError::new(ErrorCode::BadRequest, s.canonical_reason().unwrap_or("Bad request.").to_string())
            .with_status(s),
    };
    let (req, old) = res.into_parts();
    let mut new = actix_web::ResponseError::error_response(&err);
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.headers_mut().insert(name.clone(), value.clone());
        }
    }
    ServiceResponse::new(req, new)
}
