//! HTTP wiring: middleware order, public routes, and each domain's `configure`.

pub mod auth;
pub mod body;
pub mod observe;
pub mod session;
pub mod ui;

use crate::app::AppState;
use crate::error::AppError;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse, Resource};
use serde_json::json;

/// A resource whose unsupported methods answer 405 in the JSON error shape.
pub fn resource(path: &str) -> Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

async fn method_not_allowed() -> Result<HttpResponse, AppError> {
    Err(AppError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This route does not accept that method.",
    ))
}

async fn api_not_found(req: actix_web::HttpRequest) -> Result<HttpResponse, AppError> {
    Err(AppError::not_found(
        "not_found",
        format!("No route {}.", req.path()),
    ))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/healthz").route(web::get().to(healthz)))
        .service(resource("/readyz").route(web::get().to(readyz)))
        .service(
            web::scope("/api/v1")
                .configure(session::configure)
                .configure(crate::loads::configure)
                .configure(crate::negotiation::configure)
                .configure(crate::bookings::configure)
                .default_service(web::to(api_not_found)),
        )
        .default_service(web::to(ui::serve));
}

/// The process is up (the listener opens only after migrations and the seed import).
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

/// The database answers (and, for SQLite, its file is still there).
async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let backend = state.backend.name();
    let result = web::block(move || -> anyhow::Result<()> {
        let mut conn = state.pool.get()?;
        crate::db::check_ready(&mut conn, &state.backend)
    })
    .await?;
    match result {
        Ok(()) => Ok(HttpResponse::Ok().json(json!({"status": "ready", "database": backend}))),
        Err(e) => {
            log::warn!("readiness check failed: {e:#}");
            Err(AppError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "database_unavailable",
                "The database is not reachable.",
            ))
        }
    }
}
