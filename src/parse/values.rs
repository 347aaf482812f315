//! Values as platforms spell them: numbers, amounts, counts, booleans, identifiers,
//! short texts and MC numbers.

use super::MAX_ID_LEN;
use crate::types::{shorten, McNumber, Money};
use serde_json::Value;

/// Larger amounts are typing accidents, not freight rates.
const MAX_AMOUNT_USD: f64 = 1_000_000.0;

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
