//! Points in time in the many shapes platforms send them.

use super::{is_no_value, YEARS};
use crate::types::shorten;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

/// A point in time as the caller gave it: the zone may be missing, and then the
/// meaning depends on the place (a pickup date is that day in the origin's zone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    Instant(DateTime<Utc>),
    Local(NaiveDateTime),
    Date(NaiveDate),
}

impl When {
    /// The year as written (an instant's in UTC).
    pub fn year(self) -> i32 {
        match self {
            When::Instant(t) => t.year(),
            When::Local(n) => n.year(),
            When::Date(d) => d.year(),
        }
    }

    /// Resolves to UTC, reading zone-less values in the zone given by `offset_of`.
    pub fn to_utc(self, to_utc_local: impl Fn(NaiveDateTime) -> DateTime<Utc>) -> DateTime<Utc> {
        match self {
            When::Instant(t) => t,
            When::Local(n) => to_utc_local(n),
            When::Date(d) => to_utc_local(d.and_hms_opt(0, 0, 0).expect("midnight exists")),
        }
    }
}

/// RFC 3339, `2026-11-24`, `2026-11-24 08:00`, `2026-11-24T08:00:00`, epoch seconds or
/// milliseconds, and the platform's `Monday, November 24, 2026 08:00:00 AM UTC`.
pub fn when(v: &Value) -> Result<Option<When>, String> {
    if is_no_value(v) {
        return Ok(None);
    }
    match v {
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(-1.0);
            if x == 0.0 {
                return Ok(None);
            }
            let secs = if x > 1e12 { x / 1000.0 } else { x };
            if !(1e9..4e9).contains(&secs) {
                return Err("is not a plausible epoch timestamp".into());
            }
            Utc.timestamp_opt(secs as i64, 0).single().map(|t| Some(When::Instant(t))).ok_or("is out of range".into())
        }
        Value::String(s) => {
            let w = parse_when_str(s.trim()).ok_or_else(|| {
                format!(
                    "`{}` is not a date or time; use RFC 3339 (2026-11-24T08:00:00-06:00) or 2026-11-24",
                    shorten(s)
                )
            })?;
            if !YEARS.contains(&w.year()) {
                return Err(format!("`{}` is outside the years {} to {}", shorten(s), YEARS.start(), YEARS.end()));
            }
            Ok(Some(w))
        }
        _ => Err("must be a date or time string".into()),
    }
}

fn parse_when_str(s: &str) -> Option<When> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(When::Instant(t.with_timezone(&Utc)));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(When::Date(d));
    }
    for fmt in ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(When::Local(n));
        }
    }
    // "2026-11-24 08:00:00+00:00" / "2026-11-24 08:00:00 +0000"
    for fmt in ["%Y-%m-%d %H:%M:%S%:z", "%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M%:z"] {
        if let Ok(t) = DateTime::parse_from_str(s, fmt) {
            return Some(When::Instant(t.with_timezone(&Utc)));
        }
    }
    platform_datetime(s)
}

/// "Monday, November 24, 2026 08:00:00 AM UTC" (weekday optional, seconds optional,
/// zone UTC/GMT or a US abbreviation such as CST/CDT).
fn platform_datetime(s: &str) -> Option<When> {
    let body = match s.split_once(", ") {
        Some((first, rest)) if first.chars().all(|c| c.is_ascii_alphabetic()) && rest.contains(',') => rest,
        _ => s,
    };
    let (rest, zone) = body.rsplit_once(' ')?;
    let offset_hours = match zone.to_ascii_uppercase().as_str() {
        "UTC" | "GMT" | "Z" => 0,
        "EST" => -5,
        "EDT" => -4,
        "CST" => -6,
        "CDT" => -5,
        "MST" => -7,
        "MDT" => -6,
        "PST" => -8,
        "PDT" => -7,
        _ => return None,
    };
    let naive = ["%B %d, %Y %I:%M:%S %p", "%B %d, %Y %I:%M %p", "%b %d, %Y %I:%M:%S %p", "%b %d, %Y %I:%M %p"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(rest, f).ok())?;
    let offset = FixedOffset::east_opt(offset_hours * 3600)?;
    offset.from_local_datetime(&naive).single().map(|t| When::Instant(t.with_timezone(&Utc)))
}
