//! Business metrics for the dashboard (SPEC §9), computed with SQL aggregates on both
//! backends. Periods are `[from, to)`; a call's time is its `started_at`, else when it was
//! first seen. Default period: the last 30 days, up to and including now.

pub mod queries;

use crate::error::{AppError, AppResult};
use crate::http::auth::require_dashboard;
use crate::http::resource;
use crate::state::AppState;
use crate::time::period_bound;
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

/// The period asked for, `[from, to)`. Without `to` it ends just after `now`'s
/// millisecond: a call acknowledged a moment ago carries that same millisecond (times are
/// stored in whole milliseconds) and is counted.
pub fn period(q: &PeriodQuery, now: DateTime<Utc>) -> AppResult<(DateTime<Utc>, DateTime<Utc>)> {
    let to = match period_bound(q.to.as_deref(), "to", true)? {
        Some(to) => to,
        None => crate::db::from_ms(crate::db::to_ms(now) + 1),
    };
    let from = match period_bound(q.from.as_deref(), "from", false)? {
        Some(from) => from,
        None => to
            .checked_sub_signed(Duration::days(30))
            .ok_or_else(|| AppError::invalid("to", "`to` is outside the dates this service keeps."))?,
    };
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
    let body = state.db.read(move |conn| -> AppResult<serde_json::Value> { queries::summary(conn, from, to) }).await?;
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
    let body = state
        .db
        .read(move |conn| -> AppResult<serde_json::Value> { queries::timeseries(conn, from, to, hourly) })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn query(from: Option<&str>, to: Option<&str>) -> PeriodQuery {
        PeriodQuery { from: from.map(str::to_string), to: to.map(str::to_string), bucket: None }
    }

    #[test]
    fn the_default_period_includes_a_call_from_this_very_millisecond() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 15, 0, 0).unwrap() + Duration::microseconds(123_456);
        let call_at = crate::db::to_ms(now);
        let (from, to) = period(&query(None, None), now).unwrap();
        assert!(crate::db::to_ms(from) <= call_at && call_at < crate::db::to_ms(to), "{from} .. {to}");
        assert_eq!(to - from, Duration::days(30));
        // With only `from`, the period still reaches now.
        let (_, to) = period(&query(Some("2026-11-01"), None), now).unwrap();
        assert!(call_at < crate::db::to_ms(to));
    }

    #[test]
    fn an_explicit_to_stays_exclusive() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 15, 0, 0).unwrap();
        let (_, to) = period(&query(None, Some("2026-11-20T00:00:00Z")), now).unwrap();
        assert_eq!(to, Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap());
        let (_, to) = period(&query(None, Some("2026-11-20")), now).unwrap();
        assert_eq!(to, Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap(), "a `to` date includes that day");
    }

    #[test]
    fn edge_dates_are_refused_naming_the_field() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 15, 0, 0).unwrap();
        for edge in ["+262142-12-31", "-262142-12-31", "-262143-01-01", "+262142-12-31T23:59:59Z"] {
            for (q, field) in [(query(Some(edge), None), "from"), (query(None, Some(edge)), "to")] {
                let err = period(&q, now).unwrap_err();
                assert_eq!(err.body()["error"]["field"], field, "{field}={edge}");
            }
        }
        assert!(period(&query(None, Some("9999-12-31T23:59:59Z")), now).is_ok());
        assert!(period(&query(Some("9999-12-31"), Some("9999-12-31")), now).is_ok());
    }
}
