//! `GET /metrics/summary` and `GET /metrics/timeseries` (dashboard scope).

use super::period::{period, MAX_HOURLY_DAYS};
use super::store;
use super::views::{BucketQuery, MetricsQuery, MetricsSummary, PeriodQuery, Timeseries};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::auth::require_dashboard;
use crate::http::resource;
use crate::state::AppState;
use actix_web::middleware::from_fn;
use actix_web::web;
use chrono::{Duration, Utc};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/metrics/summary").route(web::get().to(summary).wrap(from_fn(require_dashboard))))
        .service(resource("/metrics/timeseries").route(web::get().to(timeseries).wrap(from_fn(require_dashboard))));
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(summary, timeseries))]
pub struct Api;

#[utoipa::path(
    get,
    path = "/api/v1/metrics/summary",
    operation_id = "getMetricsSummary",
    tag = "dashboard",
    summary = "KPIs for a period",
    description = "Scope: dashboard (or admin). Periods are `[from, to)`, default the last 30 days, at most ten years.",
    params(PeriodQuery),
    responses(
        (status = 200, description = "The period's figures.", body = MetricsSummary),
        (status = 422, description = "`invalid_value` on `from` or `to` (unreadable, `from` not before `to`, longer than ten years).", body = ErrorBody),
    ),
)]
async fn summary(state: web::Data<AppState>, q: web::Query<MetricsQuery>) -> AppResult<web::Json<MetricsSummary>> {
    let (from, to) = period(&q, Utc::now())?;
    let body = state.db.read(move |conn| store::summary(conn, from, to)).await?;
    Ok(web::Json(body))
}

/// Hourly (`hour`) or daily (`day`, the default) buckets.
fn hourly(bucket: Option<&str>) -> AppResult<bool> {
    match bucket.map(str::trim).filter(|b| !b.is_empty()) {
        None | Some("day") => Ok(false),
        Some("hour") => Ok(true),
        Some(_) => Err(AppError::invalid("bucket", "`bucket` must be day or hour.")),
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/metrics/timeseries",
    operation_id = "getMetricsTimeseries",
    tag = "dashboard",
    summary = "Figures by day or hour",
    description = "Scope: dashboard (or admin). Buckets aligned to UTC days or hours over `[from, to)`, default the last 30 days; hourly buckets cover at most 31 days.",
    params(PeriodQuery, BucketQuery),
    responses(
        (status = 200, description = "One point per bucket.", body = Timeseries),
        (status = 422, description = "`invalid_value` on `from`, `to` or `bucket`.", body = ErrorBody),
    ),
)]
async fn timeseries(state: web::Data<AppState>, q: web::Query<MetricsQuery>) -> AppResult<web::Json<Timeseries>> {
    let (from, to) = period(&q, Utc::now())?;
    let hourly = hourly(q.bucket.as_deref())?;
    if hourly && to - from > Duration::days(MAX_HOURLY_DAYS) {
        return Err(AppError::invalid("bucket", "Hourly buckets cover at most 31 days; use bucket=day."));
    }
    let body = state.db.read(move |conn| store::timeseries(conn, from, to, hourly)).await?;
    Ok(web::Json(body))
}
