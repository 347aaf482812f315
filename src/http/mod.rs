//! HTTP wiring: middleware order, public routes, and each domain's `configure`.

pub mod auth;
pub mod body;
pub mod client;
pub mod docs;
pub mod observe;
pub mod openapi;
pub mod session;
pub mod tls;
pub mod ui;
pub mod views;

use crate::error::{AppError, ErrorCode};
use crate::state::AppState;
use actix_web::middleware::from_fn;
use actix_web::{web, HttpResponse, Resource};

/// A resource whose unsupported methods answer 405 in the JSON error shape.
pub fn resource(path: &str) -> Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

/// 405 with the `Allow` header (RFC 9110 §15.5.6): the methods the OpenAPI document gives
/// the matched route, GET for the few undocumented pages (`/docs`).
async fn method_not_allowed(req: actix_web::HttpRequest) -> HttpResponse {
    let allowed = req.match_pattern().and_then(|p| openapi::allowed_methods(&p)).unwrap_or("GET");
    let mut res = actix_web::ResponseError::error_response(&AppError::new(
        ErrorCode::MethodNotAllowed,
        format!("This route accepts {allowed} only."),
    ));
    res.headers_mut()
        .insert(actix_web::http::header::ALLOW, actix_web::http::header::HeaderValue::from_static(allowed));
    res
}

async fn api_not_found(req: actix_web::HttpRequest) -> Result<HttpResponse, AppError> {
    Err(AppError::not_found(ErrorCode::NotFound, format!("No route {}.", req.path())))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(openapi::configure)
        .service(resource("/healthz").route(web::get().to(healthz)))
        .service(resource("/metrics").route(web::get().to(prometheus_metrics)))
        .service(resource("/readyz").route(web::get().to(readyz)))
        .service(
            web::scope("/api/v1")
                .configure(session::configure)
                .configure(crate::loads::configure)
                .configure(crate::carriers::configure)
                .configure(crate::negotiation::configure)
                .configure(crate::bookings::configure)
                .configure(crate::calls::configure)
                .configure(crate::metrics::configure)
                .configure(crate::webhooks::configure)
                .service(
                    resource("/events")
                        .route(web::get().to(crate::events::stream).wrap(from_fn(auth::require_dashboard))),
                )
                .default_service(web::to(api_not_found)),
        )
        .default_service(web::to(ui::serve));
}

/// The process is up (the listener opens only after migrations and the seed import).
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "getHealth",
    tag = "public",
    summary = "Liveness",
    description = "Public. The process is up; the listener opens only after migrations and the seed import.",
    responses((status = 200, description = "Alive.", body = views::Health)),
    security(())
)]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(views::Health { status: views::HealthStatus::Ok, version: env!("CARGO_PKG_VERSION") })
}

/// The database answers (and, for SQLite, its file is still there).
#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "getReadiness",
    tag = "public",
    summary = "Readiness",
    description = "Public. The database answers (and, for SQLite, its file is still there). `live_events` says whether the live dashboard feed reads the outbox; `degraded` is reported without failing readiness.",
    responses(
        (status = 200, description = "Ready.", body = views::Readiness),
        (status = 503, description = "`database_unavailable`: the database is not reachable.", body = crate::error::ErrorBody),
    ),
    security(())
)]
async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let database = views::DatabaseBackend::from(state.db.backend());
    let events = state.events.health();
    match state.db.check_ready().await {
        Ok(()) => Ok(HttpResponse::Ok().json(views::Readiness {
            database,
            live_events: live_events(&events),
            status: views::ReadyStatus::Ready,
        })),
        Err(e) => {
            log::warn!("readiness check failed: {e:#}");
            Err(AppError::new(ErrorCode::DatabaseUnavailable, "The database is not reachable."))
        }
    }
}

/// A dead live feed leaves the API working (so readiness holds) but must not go unnoticed.
fn live_events(h: &crate::events::PollerStatus) -> views::LiveEvents {
    views::LiveEvents {
        consecutive_failures: h.consecutive_failures,
        last_read_secs_ago: h.last_success_age.as_secs(),
        status: if h.healthy { views::LiveEventsStatus::Ok } else { views::LiveEventsStatus::Degraded },
    }
}

/// Prometheus text format; behind `Authorization: Bearer METRICS_TOKEN` when that is set.
#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "getPrometheusMetrics",
    tag = "public",
    summary = "Prometheus metrics",
    description = "Public unless `METRICS_TOKEN` is set; then it needs `Authorization: Bearer METRICS_TOKEN` (not an API key). Per-route request counts and latency histograms, FMCSA call outcomes and cache hits, negotiation decisions, bookings, database pool.",
    responses(
        (status = 200, description = "Prometheus text exposition format 0.0.4.", body = String, content_type = "text/plain"),
        (status = 401, description = "`unauthorized`: `METRICS_TOKEN` is set and the bearer token does not match.", body = crate::error::ErrorBody),
    ),
    security((), ("metrics_token" = []))
)]
async fn prometheus_metrics(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    fmcsa: web::Data<crate::carriers::Fmcsa>,
) -> Result<HttpResponse, AppError> {
    if let Some(token) = state.settings.auth.metrics_token.as_ref().filter(|t| !t.is_empty()) {
        use subtle::ConstantTimeEq;
        let given = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        let ok: bool = auth::digest(given).ct_eq(&auth::digest(token.expose())).into();
        if !ok {
            return Err(AppError::unauthorized("Send the metrics token as Authorization: Bearer <METRICS_TOKEN>."));
        }
    }
    let t = crate::telemetry::telemetry();
    let (idle, open, max) = state.db.pool_state();
    t.db_pool.with_label_values(&["idle"]).set(i64::from(idle));
    t.db_pool.with_label_values(&["in_use"]).set(i64::from(open - idle));
    t.db_pool.with_label_values(&["max"]).set(i64::from(max));
    fmcsa.publish_breaker_state();
    let events = state.events.health();
    t.events_poller_healthy.set(i64::from(events.healthy));
    t.events_poller_last_success_age.set(events.last_success_age.as_secs() as i64);
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(t.render()))
}
