//! Time as the API speaks it: RFC 3339 out (whole seconds, UTC), periods in (`from`/`to`
//! as RFC 3339 or a date). Storage keeps milliseconds since the epoch (`db::to_ms`).

use crate::db::from_ms;
use crate::error::{AppError, AppResult};
use crate::parse::{self, When};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

/// A stored time (ms since the epoch) as RFC 3339 in UTC, whole seconds.
pub fn rfc3339(ms: i64) -> String {
    from_ms(ms).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `from`/`to` query values: RFC 3339 or a date (a `to` date includes that whole day).
pub fn period_bound(raw: Option<&str>, field: &str, is_end: bool) -> AppResult<Option<DateTime<Utc>>> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(None) };
    let when = parse::when(&Value::String(raw.to_string()))
        .map_err(|why| AppError::invalid(field, format!("`{field}` {why}.")))?
        .ok_or_else(|| AppError::invalid(field, format!("`{field}` is empty.")))?;
    let out_of_range = || AppError::invalid(field, format!("`{field}` is outside the dates this service keeps."));
    Ok(Some(match when {
        When::Date(d) if is_end => d.succ_opt().ok_or_else(out_of_range)?.and_time(chrono::NaiveTime::MIN).and_utc(),
        w => w.to_utc(|n| n.and_utc()),
    }))
}
