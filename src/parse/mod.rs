//! Lenient reading of what voice platforms really send (SPEC §3.2).
//!
//! The platform's extractor and templating turn numbers into strings ("$2,100.00"),
//! missing values into `""`, `"null"`, `"N/A"` or `0`, booleans into `"yes"`, and dates into
//! "Monday, November 24, 2026 08:00:00 AM UTC". Every tool endpoint reads its body through
//! [`Fields`], so the rules live here once: a value that is absent or "no value" is `None`;
//! a value that is present but cannot mean anything is a 422 naming the field.

mod dates;
pub mod schema;
mod turns;
mod values;

pub use dates::{when, When};
pub use turns::{transcript, Turn};
pub use values::{boolean, count, id, is_no_value, mc, money, number, text};

use crate::error::{AppError, AppResult, ErrorCode};
use crate::types::{McNumber, Money};
use serde_json::{Map, Value};

pub const MAX_ID_LEN: usize = 128;
pub const MAX_TEXT_LEN: usize = 200;
pub const MAX_TRANSCRIPT_LEN: usize = 200_000;
/// Years a date may name. Nobody means a call in 1900 or a pickup in year 200000, and
/// chrono panics on arithmetic near its own limits (±262143): every date read here keeps
/// days of room on both sides for periods, pickup windows and time zones.
pub const YEARS: std::ops::RangeInclusive<i32> = 1970..=9999;

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
    use chrono::{NaiveDate, TimeZone, Utc};
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
        assert_eq!(err.body().error.field.as_deref(), Some("carrier_offer"));
        assert_eq!(err.body().error.code, ErrorCode::InvalidValue);
        assert_eq!(f.mc("mc_number").unwrap_err().body().error.field.as_deref(), Some("mc_number"));
        assert_eq!(f.required_id("load_id").unwrap_err().body().error.code, ErrorCode::MissingField);
        assert!(Fields::new(&json!([1, 2])).is_err());
    }
}
