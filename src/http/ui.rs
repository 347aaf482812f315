//! The dashboard: the Svelte build (`web/dist`) embedded in the binary. Hashed assets are
//! cached for a year; every other GET outside `/api` falls back to `index.html` so the
//! single-page app's own routes survive a reload.

use crate::error::AppError;
use actix_web::http::{header, Method};
use actix_web::{HttpRequest, HttpResponse};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "web/dist"]
struct Assets;

pub async fn serve(req: HttpRequest) -> Result<HttpResponse, AppError> {
    let path = req.path();
    if path == "/api" || path.starts_with("/api/") {
        return Err(AppError::not_found("not_found", format!("No route {path}.")));
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Err(AppError::new(
            actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "Only GET is served here.",
        ));
    }
    let wanted = path.trim_start_matches('/');
    if let Some(file) = (!wanted.is_empty()).then(|| Assets::get(wanted)).flatten() {
        let immutable = wanted.starts_with("assets/");
        return Ok(HttpResponse::Ok()
            .content_type(file.metadata.mimetype())
            .insert_header((
                header::CACHE_CONTROL,
                if immutable { "public, max-age=31536000, immutable" } else { "public, max-age=3600" },
            ))
            .body(file.data.into_owned()));
    }
    // A missing asset is a 404, not the app shell.
    if wanted.starts_with("assets/") || wanted.rsplit('/').next().is_some_and(|last| last.contains('.')) {
        return Err(AppError::not_found("not_found", format!("No file {path}.")));
    }
    match Assets::get("index.html") {
        Some(index) => Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .body(index.data.into_owned())),
        None => Err(AppError::new(
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            "dashboard_not_built",
            "This binary was built without the dashboard; run `make build`.",
        )),
    }
}
