//! The period a metrics request covers: `[from, to)`, by default the last 30 days up to
//! and including now, at most ten years; hourly buckets cover at most 31 days.

use super::views::MetricsQuery;
use crate::error::{AppError, AppResult};
use crate::time::period_bound;
use chrono::{DateTime, Duration, Utc};

/// Longest period a time series may cover in hourly buckets.
pub const MAX_HOURLY_DAYS: i64 = 31;
const MAX_DAYS: i64 = 3660;

/// The period asked for, `[from, to)`. Without `to` it ends just after `now`'s
/// millisecond: a call acknowledged a moment ago carries that same millisecond (times are
/// stored in whole milliseconds) and is counted.
pub fn period(q: &MetricsQuery, now: DateTime<Utc>) -> AppResult<(DateTime<Utc>, DateTime<Utc>)> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn query(from: Option<&str>, to: Option<&str>) -> MetricsQuery {
        MetricsQuery { from: from.map(str::to_string), to: to.map(str::to_string), bucket: None }
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
                assert_eq!(err.body().error.field.as_deref(), Some(field), "{field}={edge}");
            }
        }
        assert!(period(&query(None, Some("9999-12-31T23:59:59Z")), now).is_ok());
        assert!(period(&query(Some("9999-12-31"), Some("9999-12-31")), now).is_ok());
    }
}
