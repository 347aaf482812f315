//! Lenient reading of what voice platforms really send (SPEC §3.2).
//!
//! The platform's extractor and templating turn numbers into strings ("$2,100.00"),
//! missing values into `""`, `"null"`, `"N/A"` or `0`, booleans into `"yes"`, and dates into
//! "Monday, November 24, 2026 08:00:00 AM UTC". Every tool endpoint reads its body through
//! [`Fields`], so the rules live here once: a value that is absent or "no value" is `None`;
//! a value that is present but cannot mean anything is a 422 naming the field.

use crate::error::{AppError, AppResult, ErrorCode};
use crate::types::{shorten, McNumber, Money};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

pub const MAX_ID_LEN: usize = 128;
pub const MAX_TEXT_LEN: usize = 200;
pub const MAX_TRANSCRIPT_LEN: usize = 200_000;
/// Larger amounts are typing accidents, not freight rates.
const MAX_AMOUNT_USD: f64 = 1_000_000.0;
/// Years a date may name. Nobody means a call in 1900 or a pickup in year 200000, and
/// chrono panics on arithmetic near its own limits (±262143): every date read here keeps
/// days of room on both sides for periods, pickup windows and time zones.
pub const YEARS: std::ops::RangeInclusive<i32> = 1970..=9999;

/// True for the spellings of "no value" that platforms send.
pub fn is_no_value(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => {
            let t = s.trim();
            t.is_empty()
                || ["null", "none", "n/a", "na", "nil", "undefined", "unknown", "-"]
                    .iter()
                    .any(|w| t.eq_ignore_ascii_case(w))
        }
        _ => false,
    }
}

/// A number from `2100`, `"2100"`, `"2,100"`, `"$2,100.00"`, `"2100.5"`, `"2100 USD"`.
pub fn number(v: &Value) -> Result<Option<f64>, String> {
    if is_no_value(v) {
        return Ok(None);
    }
    let n = match v {
        Value::Number(n) => n.as_f64().ok_or("is not a number")?,
        Value::String(s) => {
            let mut t = s.trim().to_string();
            for suffix in ["usd", "dollars", "dollar"] {
                if t.to_ascii_lowercase().ends_with(suffix) {
                    t.truncate(t.len() - suffix.len());
                }
            }
            let cleaned: String = t
                .trim()
                .trim_start_matches('$')
                .chars()
                .filter(|c| *c != ',' && *c != '_' && !c.is_whitespace())
                .collect();
            let cleaned = cleaned.strip_prefix("+$").or_else(|| cleaned.strip_prefix('+')).unwrap_or(&cleaned);
            let cleaned = cleaned.strip_prefix("-$").map(|r| format!("-{r}")).unwrap_or_else(|| cleaned.to_string());
            if cleaned.is_empty() || !cleaned.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-') {
                return Err(format!("`{}` is not a number", shorten(s)));
            }
            cleaned.parse::<f64>().map_err(|_| format!("`{}` is not a number", shorten(s)))?
        }
        Value::Bool(_) => return Err("is a boolean, not a number".into()),
        _ => return Err("is not a number".into()),
    };
    if !n.is_finite() {
        return Err("is not a finite number".into());
    }
    Ok(Some(n))
}

/// A USD amount, rounded half-up to the cent. `0` means "no value"; negatives are refused.
pub fn money(v: &Value) -> Result<Option<Money>, String> {
    match number(v)? {
        None => Ok(None),
        Some(0.0) => Ok(None),
        Some(n) if n < 0.0 => Err("must be a positive amount in USD".into()),
        Some(n) if n > MAX_AMOUNT_USD => Err("is larger than any freight rate".into()),
        Some(n) => Ok(Some(exact_cents(v).map(Money).unwrap_or_else(|| Money::from_dollars_f64(n)))),
    }
}

/// Cents from the decimal text itself ("2100.555" → 210056), avoiding float error.
fn exact_cents(v: &Value) -> Option<i64> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.chars().filter(|c| c.is_ascii_digit() || *c == '.').collect(),
        _ => return None,
    };
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    if int.is_empty() && frac.is_empty() || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let digits: Vec<i64> = frac.chars().map(|c| c as i64 - '0' as i64).collect();
    let cents = digits.first().copied().unwrap_or(0) * 10 + digits.get(1).copied().unwrap_or(0);
    let round_up = digits.get(2).is_some_and(|d| *d >= 5);
    Some(whole * 100 + cents + i64::from(round_up))
}

/// A whole non-negative count. With `zero_is_missing`, `0` means "no value".
pub fn count(v: &Value, zero_is_missing: bool) -> Result<Option<i64>, String> {
    match number(v)? {
        None => Ok(None),
        Some(n) if n < 0.0 => Err("must not be negative".into()),
        Some(n) if n.fract() != 0.0 => Err("must be a whole number".into()),
        Some(n) if n > 1e12 => Err("is too large".into()),
        Some(n) if n == 0.0 && zero_is_missing => Ok(None),
        Some(n) => Ok(Some(n as i64)),
    }
}

/// `true`, `"true"`, `"yes"`, `"Y"`, `1` and their negatives.
pub fn boolean(v: &Value) -> Result<Option<bool>, String> {
    if is_no_value(v) {
        return Ok(None);
    }
    match v {
        Value::Bool(b) => Ok(Some(*b)),
        Value::Number(n) => match n.as_f64() {
            Some(1.0) => Ok(Some(true)),
            Some(0.0) => Ok(Some(false)),
            _ => Err("is not a yes/no value".into()),
        },
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" | "t" => Ok(Some(true)),
            "false" | "no" | "n" | "0" | "f" => Ok(Some(false)),
            _ => Err(format!("`{}` is not a yes/no value", shorten(s))),
        },
        _ => Err("is not a yes/no value".into()),
    }
}

/// An identifier given as a string or a number; `0` means "no value".
pub fn id(v: &Value) -> Result<Option<String>, String> {
    if is_no_value(v) {
        return Ok(None);
    }
    let s = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => {
            if n.as_f64() == Some(0.0) {
                return Ok(None);
            }
            n.to_string()
        }
        _ => return Err("must be a string or a number".into()),
    };
    if s == "0" {
        return Ok(None);
    }
    if s.chars().count() > MAX_ID_LEN {
        return Err(format!("is longer than {MAX_ID_LEN} characters"));
    }
    if s.chars().any(|c| c.is_control()) {
        return Err("contains control characters".into());
    }
    Ok(Some(s))
}

/// A short text (names, places, equipment), trimmed, at most `max` characters.
pub fn text(v: &Value, max: usize) -> Result<Option<String>, String> {
    if is_no_value(v) {
        return Ok(None);
    }
    let s = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return Err("must be text".into()),
    };
    if s.chars().count() > max {
        return Err(format!("is longer than {max} characters"));
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err("contains control characters".into());
    }
    Ok(Some(s))
}

pub fn mc(v: &Value) -> Result<Option<McNumber>, String> {
    if is_no_value(v) {
        return Ok(None);
    }
    match v {
        Value::Number(n) if n.as_f64() == Some(0.0) => Ok(None),
        Value::Number(n) => McNumber::parse(&n.to_string()).map(Some),
        Value::String(s) => McNumber::parse(s).map(Some),
        _ => Err("must be an MC number such as MC-123456".into()),
    }
}

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

/// One turn of a conversation; roles are normalised to `agent` and `carrier`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Turn {
    pub role: String,
    pub content: String,
}

fn normalise_role(role: &str) -> String {
    match role.trim().to_ascii_lowercase().as_str() {
        "assistant" | "agent" | "ai" | "bot" | "broker" | "system" => "agent".into(),
        "user" | "carrier" | "caller" | "human" | "customer" | "driver" | "dispatcher" => "carrier".into(),
        "" => "unknown".into(),
        other => other.chars().take(20).collect(),
    }
}

/// A transcript as a string, a list of `{role, content}` turns, or a JSON string of that
/// list. A plain string of "Agent: ..." / "Carrier: ..." lines is split into turns.
pub fn transcript(v: &Value) -> Result<Option<Vec<Turn>>, String> {
    if is_no_value(v) {
        return Ok(None);
    }
    let turns = match v {
        Value::Array(items) => turns_from_list(items)?,
        Value::String(s) => {
            if s.chars().count() > MAX_TRANSCRIPT_LEN {
                return Err(format!("is longer than {MAX_TRANSCRIPT_LEN} characters"));
            }
            let t = s.trim();
            if t.starts_with('[') {
                match serde_json::from_str::<Value>(t) {
                    Ok(Value::Array(items)) => turns_from_list(&items)?,
                    _ => turns_from_text(t),
                }
            } else {
                turns_from_text(t)
            }
        }
        _ => return Err("must be a string or a list of {role, content} turns".into()),
    };
    let total: usize = turns.iter().map(|t| t.content.chars().count()).sum();
    if total > MAX_TRANSCRIPT_LEN {
        return Err(format!("is longer than {MAX_TRANSCRIPT_LEN} characters"));
    }
    Ok(if turns.is_empty() { None } else { Some(turns) })
}

fn turns_from_list(items: &[Value]) -> Result<Vec<Turn>, String> {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::Object(o) => {
                let role = o.get("role").or_else(|| o.get("speaker")).and_then(Value::as_str).unwrap_or("");
                let content = o
                    .get("content")
                    .or_else(|| o.get("text"))
                    .or_else(|| o.get("message"))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .trim();
                if !content.is_empty() {
                    out.push(Turn { role: normalise_role(role), content: content.to_string() });
                }
            }
            Value::String(s) if !s.trim().is_empty() => out.extend(turns_from_text(s)),
            Value::Null => {}
            _ => return Err(format!("turn {} is not a {{role, content}} object", i + 1)),
        }
    }
    Ok(out)
}

fn turns_from_text(s: &str) -> Vec<Turn> {
    let mut out: Vec<Turn> = Vec::new();
    for line in s.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let labelled = line.split_once(':').filter(|(label, _)| {
            let l = label.trim();
            !l.is_empty() && l.len() <= 20 && l.chars().all(|c| c.is_alphabetic() || c == ' ')
        });
        match labelled {
            Some((label, content)) => {
                out.push(Turn { role: normalise_role(label), content: content.trim().to_string() })
            }
            None => match out.last_mut() {
                Some(last) => {
                    last.content.push(' ');
                    last.content.push_str(line);
                }
                None => out.push(Turn { role: "unknown".into(), content: line.to_string() }),
            },
        }
    }
    out
}

/// Typed access to a JSON object body; every accessor names the field in its error.
pub struct Fields<'a> {
    obj: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    pub fn new(body: &'a Value) -> AppResult<Self> {
        match body {
            Value::Object(obj) => Ok(Fields { obj }),
            _ => Err(AppError::bad_request(ErrorCode::InvalidBody, "The request body must be a JSON object.")),
        }
    }

    pub fn raw(&self, name: &str) -> Option<&'a Value> {
        self.obj.get(name).filter(|v| !is_no_value(v))
    }

    /// The members named `<prefix><name>` (with a value), as `(name, value)`.
    pub fn prefixed(&self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a Value)> + 'a {
        self.obj.iter().filter_map(move |(k, v)| {
            k.strip_prefix(prefix).filter(|n| !n.is_empty() && !is_no_value(v)).map(|n| (n, v))
        })
    }

    fn read<T>(&self, name: &str, f: impl FnOnce(&Value) -> Result<Option<T>, String>) -> AppResult<Option<T>> {
        match self.obj.get(name) {
            None => Ok(None),
            Some(v) => f(v).map_err(|why| AppError::invalid(name, format!("`{name}` {why}."))),
        }
    }

    pub fn id(&self, name: &str) -> AppResult<Option<String>> {
        self.read(name, id)
    }
    pub fn required_id(&self, name: &str) -> AppResult<String> {
        self.id(name)?.ok_or_else(|| AppError::missing(name))
    }
    pub fn text(&self, name: &str) -> AppResult<Option<String>> {
        self.read(name, |v| text(v, MAX_TEXT_LEN))
    }
    pub fn long_text(&self, name: &str, max: usize) -> AppResult<Option<String>> {
        self.read(name, |v| text(v, max))
    }
    pub fn money(&self, name: &str) -> AppResult<Option<Money>> {
        self.read(name, money)
    }
    pub fn required_money(&self, name: &str) -> AppResult<Money> {
        self.money(name)?.ok_or_else(|| AppError::missing(name))
    }
    pub fn count(&self, name: &str, zero_is_missing: bool) -> AppResult<Option<i64>> {
        self.read(name, |v| count(v, zero_is_missing))
    }
    pub fn number(&self, name: &str) -> AppResult<Option<f64>> {
        self.read(name, number)
    }
    pub fn boolean(&self, name: &str) -> AppResult<Option<bool>> {
        self.read(name, boolean)
    }
    pub fn mc(&self, name: &str) -> AppResult<Option<McNumber>> {
        self.read(name, mc)
    }
    pub fn when(&self, name: &str) -> AppResult<Option<When>> {
        self.read(name, when)
    }
    pub fn transcript(&self, name: &str) -> AppResult<Option<Vec<Turn>>> {
        self.read(name, transcript)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn money_of(d: i64, c: i64) -> Option<Money> {
        Some(Money::cents(d * 100 + c))
    }

    /// Every value form SPEC §3.2 lists, with what it must become.
    #[test]
    fn every_platform_value_form_is_read() {
        // numbers and amounts
        let amounts: &[(Value, Result<Option<Money>, ()>)] = &[
            (json!(2100), Ok(money_of(2100, 0))),
            (json!("2100"), Ok(money_of(2100, 0))),
            (json!("2,100"), Ok(money_of(2100, 0))),
            (json!("$2,100.00"), Ok(money_of(2100, 0))),
            (json!("2100.5"), Ok(money_of(2100, 50))),
            (json!(2100.555), Ok(money_of(2100, 56))),
            (json!("2100 USD"), Ok(money_of(2100, 0))),
            (json!(" $ 2,100 "), Ok(money_of(2100, 0))),
            (json!(0), Ok(None)),
            (json!("0"), Ok(None)),
            (json!(""), Ok(None)),
            (json!(null), Ok(None)),
            (json!("null"), Ok(None)),
            (json!("none"), Ok(None)),
            (json!("N/A"), Ok(None)),
            (json!(-5), Err(())),
            (json!("-5"), Err(())),
            (json!("abc"), Err(())),
            (json!("NaN"), Err(())),
            (json!("1e400"), Err(())),
            (json!(true), Err(())),
            (json!([2100]), Err(())),
            (json!(5_000_000_000.0), Err(())),
        ];
        for (input, expected) in amounts {
            assert_eq!(money(input).map_err(|_| ()), *expected, "amount {input}");
        }

        // booleans
        let bools: &[(Value, Result<Option<bool>, ()>)] = &[
            (json!(true), Ok(Some(true))),
            (json!("true"), Ok(Some(true))),
            (json!("yes"), Ok(Some(true))),
            (json!("Y"), Ok(Some(true))),
            (json!(1), Ok(Some(true))),
            (json!("1"), Ok(Some(true))),
            (json!(false), Ok(Some(false))),
            (json!("false"), Ok(Some(false))),
            (json!("no"), Ok(Some(false))),
            (json!("N"), Ok(Some(false))),
            (json!(0), Ok(Some(false))),
            (json!(""), Ok(None)),
            (json!("maybe"), Err(())),
            (json!(2), Err(())),
        ];
        for (input, expected) in bools {
            assert_eq!(boolean(input).map_err(|_| ()), *expected, "bool {input}");
        }

        // MC numbers
        let mcs: &[(Value, Result<Option<&str>, ()>)] = &[
            (json!(123456), Ok(Some("123456"))),
            (json!("123456"), Ok(Some("123456"))),
            (json!("MC123456"), Ok(Some("123456"))),
            (json!("MC-123456"), Ok(Some("123456"))),
            (json!("mc 123456"), Ok(Some("123456"))),
            (json!("MC#123456"), Ok(Some("123456"))),
            (json!("  MC-123456  "), Ok(Some("123456"))),
            (json!("MC 001515"), Ok(Some("1515"))),
            (json!(0), Ok(None)),
            (json!(""), Ok(None)),
            (json!("abc"), Err(())),
            (json!("one five one five"), Err(())),
            (json!(true), Err(())),
        ];
        for (input, expected) in mcs {
            let got = mc(input).map(|o| o.map(|m| m.as_str().to_string())).map_err(|_| ());
            assert_eq!(got, expected.map(|o| o.map(String::from)), "mc {input}");
        }

        // ids as strings or numbers; 0 is no value; 128 chars at most
        assert_eq!(id(&json!("ses_1")).unwrap(), Some("ses_1".into()));
        assert_eq!(id(&json!(98765)).unwrap(), Some("98765".into()));
        assert_eq!(id(&json!(0)).unwrap(), None);
        assert_eq!(id(&json!("null")).unwrap(), None);
        assert!(id(&json!("x".repeat(129))).is_err());
        assert!(id(&json!("x".repeat(128))).is_ok());
        assert!(id(&json!({"a": 1})).is_err());

        // short texts: 200 chars at most
        assert_eq!(text(&json!("  Dry Van "), MAX_TEXT_LEN).unwrap(), Some("Dry Van".into()));
        assert!(text(&json!("v".repeat(201)), MAX_TEXT_LEN).is_err());
        assert_eq!(text(&json!("N/A"), MAX_TEXT_LEN).unwrap(), None);

        // counts
        assert_eq!(count(&json!("2"), false).unwrap(), Some(2));
        assert_eq!(count(&json!(0), true).unwrap(), None);
        assert_eq!(count(&json!(0), false).unwrap(), Some(0));
        assert!(count(&json!(2.5), false).is_err());
        assert!(count(&json!(-1), false).is_err());

        // datetimes
        let nov24_8 = Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let cases: &[(Value, Option<When>)] = &[
            (json!("2026-11-24T08:00:00Z"), Some(When::Instant(nov24_8))),
            (json!("2026-11-24T02:00:00-06:00"), Some(When::Instant(nov24_8))),
            (json!("2026-11-24"), Some(When::Date(d))),
            (json!("2026-11-24 08:00"), Some(When::Local(d.and_hms_opt(8, 0, 0).unwrap()))),
            (json!("2026-11-24T08:00:00"), Some(When::Local(d.and_hms_opt(8, 0, 0).unwrap()))),
            (json!("Monday, November 24, 2026 08:00:00 AM UTC"), Some(When::Instant(nov24_8))),
            (
                json!("Saturday, November 21, 2026 03:01:44 PM UTC"),
                Some(When::Instant(Utc.with_ymd_and_hms(2026, 11, 21, 15, 1, 44).unwrap())),
            ),
            (json!("November 24, 2026 02:00 AM CST"), Some(When::Instant(nov24_8))),
            (json!(nov24_8.timestamp()), Some(When::Instant(nov24_8))),
            (json!(""), None),
        ];
        for (input, expected) in cases {
            assert_eq!(when(input).unwrap(), *expected, "when {input}");
        }
        assert!(when(&json!("next tuesday")).is_err());
        // Dates nobody means, up to chrono's limits: refused, never a panic downstream.
        for edge in [
            "+262142-12-31",
            "-262142-12-31",
            "-262143-01-01",
            "+262142-12-31T23:59:59Z",
            "+10000-01-01",
            "1969-12-31",
            "0000-01-01 08:00",
        ] {
            assert!(when(&json!(edge)).is_err(), "{edge}");
        }
        assert!(when(&json!("9999-12-31T23:59:59Z")).unwrap().is_some());
        assert!(when(&json!("1970-01-01")).unwrap().is_some());
        assert!(when(&json!("2026-13-45")).is_err());

        // transcripts: string, list of turns, JSON string of that list
        let list = json!([{"role": "assistant", "content": "MC number?"}, {"role": "user", "content": "MC 1515."}]);
        let expected = vec![
            Turn { role: "agent".into(), content: "MC number?".into() },
            Turn { role: "carrier".into(), content: "MC 1515.".into() },
        ];
        assert_eq!(transcript(&list).unwrap(), Some(expected.clone()));
        assert_eq!(transcript(&json!(list.to_string())).unwrap(), Some(expected.clone()));
        assert_eq!(transcript(&json!("Agent: MC number?\nCarrier: MC 1515.")).unwrap(), Some(expected));
        assert_eq!(
            transcript(&json!("just some words")).unwrap(),
            Some(vec![Turn { role: "unknown".into(), content: "just some words".into() }])
        );
        assert_eq!(transcript(&json!("")).unwrap(), None);
        assert!(transcript(&json!("x".repeat(MAX_TRANSCRIPT_LEN + 1))).is_err());
        assert!(transcript(&json!(42)).is_err());
    }

    #[test]
    fn fields_name_the_field_in_errors() {
        let body = json!({"carrier_offer": "-5", "mc_number": "abc", "extra": {"ignored": true}});
        let f = Fields::new(&body).unwrap();
        let err = f.money("carrier_offer").unwrap_err();
        assert_eq!(err.body()["error"]["field"], "carrier_offer");
        assert_eq!(err.body()["error"]["code"], ErrorCode::InvalidValue.as_str());
        assert_eq!(f.mc("mc_number").unwrap_err().body()["error"]["field"], "mc_number");
        assert_eq!(f.required_id("load_id").unwrap_err().body()["error"]["code"], ErrorCode::MissingField.as_str());
        assert!(Fields::new(&json!([1, 2])).is_err());
    }
}
