//! Reading JSON bodies the forgiving way voice platforms need: any or no Content-Type,
//! a size limit (413), unparseable JSON as a 400 that says where it broke.

use crate::error::{AppError, ErrorCode};
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde_json::Value;
use std::time::Duration;

/// The request body parsed as JSON (not yet typed: see `crate::parse::Fields`).
pub struct JsonBody(pub Value);

/// The raw request body (imports: JSON or CSV).
pub struct RawBody(pub Bytes);

/// Which configured limit a resource's body has (`.app_data(BodyLimit::Finalize)`);
/// a resource without one has `BODY_LIMIT_KB`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyLimit {
    /// `CARRIER_SALES__CALLS__FINALIZE_LIMIT_KB`: transcripts run long.
    Finalize,
    /// `CARRIER_SALES__LOADS__IMPORT_LIMIT_KB`: a whole catalogue.
    Import,
}

/// Every route's body limit in bytes, from the settings.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimits {
    pub json: usize,
    pub finalize: usize,
    pub import: usize,
}

impl BodyLimits {
    pub fn from_settings(s: &crate::config::Settings) -> BodyLimits {
        BodyLimits {
            json: s.server.body_limit_kb.saturating_mul(1024),
            finalize: s.calls.finalize_limit_kb.saturating_mul(1024),
            import: s.loads.import_limit_kb.saturating_mul(1024),
        }
    }
}

fn limit_for(req: &HttpRequest) -> usize {
    let limits = match req.app_data::<web::Data<AppState>>() {
        Some(state) => state.body_limits,
        None => BodyLimits::from_settings(&crate::config::Settings::default()),
    };
    match req.app_data::<BodyLimit>() {
        None => limits.json,
        Some(BodyLimit::Finalize) => limits.finalize,
        Some(BodyLimit::Import) => limits.import,
    }
}

fn read_body(req: &HttpRequest, payload: &mut Payload) -> LocalBoxFuture<'static, Result<Bytes, AppError>> {
    let limit = limit_for(req);
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let timeout = match req.app_data::<web::Data<AppState>>() {
        Some(state) => state.settings.server.body_timeout_secs,
        None => crate::config::ServerSettings::default().body_timeout_secs,
    }
    .max(1);
    let mut payload = payload.take();
    Box::pin(async move {
        if declared.is_some_and(|n| n > limit) {
            return Err(too_large(limit));
        }
        // A client trickling its body (or never sending it) would otherwise hold the
        // connection and this buffer for as long as it likes: actix times out headers only.
        actix_web::rt::time::timeout(Duration::from_secs(timeout), read_all(&mut payload, declared, limit))
            .await
            .map_err(|_| {
                AppError::new(ErrorCode::RequestTimeout, format!("The request body did not arrive within {timeout} s."))
            })?
    })
}

async fn read_all(payload: &mut Payload, declared: Option<usize>, limit: usize) -> Result<Bytes, AppError> {
    let mut buf = BytesMut::with_capacity(declared.unwrap_or(1024).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| AppError::bad_request(ErrorCode::InvalidBody, format!("Could not read the body: {e}")))?;
        if buf.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

impl FromRequest for RawBody {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_body(req, payload);
        Box::pin(async move { body.await.map(RawBody) })
    }
}

fn too_large(limit: usize) -> AppError {
    AppError::new(ErrorCode::PayloadTooLarge, format!("The request body is larger than {} KiB.", limit / 1024))
}

impl FromRequest for JsonBody {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_body(req, payload);
        Box::pin(async move {
            let buf = body.await?;
            if buf.iter().all(u8::is_ascii_whitespace) {
                return Err(AppError::bad_request(
                    ErrorCode::InvalidJson,
                    "The request body is empty; send a JSON object.",
                ));
            }
            serde_json::from_slice(&buf).map(JsonBody).map_err(|e| {
                AppError::bad_request(ErrorCode::InvalidJson, format!("The request body is not valid JSON ({e})."))
            })
        })
    }
}
