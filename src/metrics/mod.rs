//! Business metrics for the dashboard (SPEC §9), computed with SQL aggregates on both
//! backends. Periods are `[from, to)`; a call's time is its `started_at`, else when it was
//! first seen. Default period: the last 30 days.

pub mod queries;

use crate::app::AppState;
use crate::calls::handlers::period_bound;
use crate::error::{AppError, AppResult};
use crate::http::auth::require_dashboard;
use crate::http::resource;
use actix_web::middleware::from_fn;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/metrics/summary").route(web::get().to(summary).wrap(from_fn(require_dashboard))))
        .service(resource("/metrics/timeseries").route(web::get().to(timeseries).wrap(from_fn(require_dashboard))));
}

#[derive(Deserialize)]
pub struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
    bucket: Option<String>,
}

/// Longest period a time series may cover in hourly buckets.
const MAX_HOURLY_DAYS: i64 = 31;
const MAX_DAYS: i64 = 3660;

pub fn period(q: &PeriodQuery, now: DateTime<Utc>) -> AppResult<(DateTime<Utc>, DateTime<Utc>)> {
    let to = period_bound(q.to.as_deref(), "to", true)?.unwrap_or(now);
    let from = period_bound(q.from.as_deref(), "from", false)?.unwrap_or(to - Duration::days(30));
    if from >= to {
        return Err(AppError::invalid("from", "`from` must be before `to`."));
    }
    if to - from > Duration::days(MAX_DAYS) {
        return Err(AppError::invalid("from", "The period is longer than ten years."));
    }
    Ok((from, to))
}

#[utoipa::path(
    get,
    path = "/api/v1/metrics/summary",
    operation_id = "getMetricsSummary",
    tag = "dashboard",
    summary = "KPIs for a period",
    description = "Scope: dashboard (or admin). Periods are `[from, to)`, default the last 30 days, at most ten years.",
    params(crate::http::openapi::PeriodQuery),
    responses(
        (status = 200, description = "The period's figures.", body = crate::http::openapi::MetricsSummary),
        (status = 400, description = "`invalid_query`: the query string cannot be read (e.g. a parameter given twice).", body = crate::http::openapi::ErrorBody),
        (status = 422, description = "`invalid_value` on `from` or `to` (unreadable, `from` not before `to`, longer than ten years).", body = crate::http::openapi::ErrorBody),
    ),
    security(("x_api_key" = []), ("api_key" = []), ("bearer" = []), ("session_cookie" = []))
)]
async fn summary(state: web::Data<AppState>, q: web::Query<PeriodQuery>) -> AppResult<HttpResponse> {
    let (from, to) = period(&q, Utc::now())?;
    let body = web::block(move || -> AppResult<serde_json::Value> {
        let mut conn = state.pool.get()?;
        queries::summary(&mut conn, from, to)
    })
    .await??;
    Ok(HttpResponse::Ok().json(body))
}

#[utoipa::path(
    get,
    path = "/api/v1/metrics/timeseries",
    operation_id = "getMetricsTimeseries",
    tag = "dashboard",
    summary = "Figures by day or hour",
    description = "Scope: dashboard (or admin). Buckets aligned to UTC days or hours over `[from, to)`, default the last 30 days; hourly buckets cover at most 31 days.",
    params(crate::http::openapi::PeriodQuery, crate::http::openapi::BucketQuery),
    responses(
        (status = 200, description = "One point per bucket.", body = crate::http::openapi::Timeseries),
        (status = 400, description = "`invalid_query`: the query string cannot be read (e.g. a parameter given twice).", body = crate::http::openapi::ErrorBody),
        (status = 422, description = "`invalid_value` on `from`, `to` or `bucket`.", body = crate::http::openapi::ErrorBody),
    ),
    security(("x_api_key" = []), ("api_key" = []), ("bearer" = []), ("session_cookie" = []))
)]
async fn timeseries(state: web::Data<AppState>, q: web::Query<PeriodQuery>) -> AppResult<HttpResponse> {
    let (from, to) = period(&q, Utc::now())?;
    let hourly = match q.bucket.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        None | Some("day") => false,
        Some("hour") => true,
        Some(_) => return Err(AppError::invalid("bucket", "`bucket` must be day or hour.")),
    };
    if hourly && to - from > Duration::days(MAX_HOURLY_DAYS) {
        return Err(AppError::invalid("bucket", "Hourly buckets cover at most 31 days; use bucket=day."));
    }
    let body = web::block(move || -> AppResult<serde_json::Value> {
        let mut conn = state.pool.get()?;
        queries::timeseries(&mut conn, from, to, hourly)
    })
    .await??;
    Ok(HttpResponse::Ok().json(body))
}
