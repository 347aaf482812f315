//! What a verification asks (an MC docket or a USDOT number) and what a lookup found,
//! in the form both sources (QCMobile, the offline snapshot) produce and the cache keeps.

use crate::types::{shorten, McNumber};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// A USDOT number: 1 to 8 digits, no leading zeros.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct DotNumber(String);

impl DotNumber {
    /// Digits only (spaces around are fine); FMCSA issues at most 8 digits.
    pub fn parse(raw: &str) -> Result<DotNumber, String> {
        let t = raw.trim();
        if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("`{}` is not a USDOT number; expected digits only, such as 158121", shorten(t)));
        }
        let digits = t.trim_start_matches('0');
        if digits.is_empty() {
            return Err("cannot be zero".into());
        }
        if digits.len() > 8 {
            return Err("has at most 8 digits".into());
        }
        Ok(DotNumber(digits.to_string()))
    }

    /// A JSON value as the voice platform sends it: a number or a string of digits;
    /// the "no value" spellings and `0` are absent.
    pub fn from_json(v: &Value) -> Result<Option<DotNumber>, String> {
        if crate::parse::is_no_value(v) {
            return Ok(None);
        }
        match v {
            Value::Number(n) if n.as_f64() == Some(0.0) => Ok(None),
            Value::Number(n) if n.is_u64() => DotNumber::parse(&n.to_string()).map(Some),
            Value::Number(_) => Err("must be a whole USDOT number such as 158121".into()),
            Value::String(s) if s.trim() == "0" => Ok(None),
            Value::String(s) => DotNumber::parse(s).map(Some),
            _ => Err("must be a USDOT number such as 158121".into()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DotNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One verification request: by MC docket (the usual) or by USDOT number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CarrierQuery {
    Mc(McNumber),
    Dot(DotNumber),
}

impl CarrierQuery {
    /// The cache row's key: `mc:123456` or `dot:158121`.
    pub fn cache_key(&self) -> String {
        match self {
            CarrierQuery::Mc(m) => format!("mc:{m}"),
            CarrierQuery::Dot(d) => format!("dot:{d}"),
        }
    }

    /// "MC 123456", "USDOT number 158121": how the agent says it back.
    pub fn spoken(&self) -> String {
        match self {
            CarrierQuery::Mc(m) => format!("MC {m}"),
            CarrierQuery::Dot(d) => format!("USDOT number {d}"),
        }
    }

    pub fn mc(&self) -> Option<&str> {
        match self {
            CarrierQuery::Mc(m) => Some(m.as_str()),
            CarrierQuery::Dot(_) => None,
        }
    }

    pub fn dot(&self) -> Option<&str> {
        match self {
            CarrierQuery::Mc(_) => None,
            CarrierQuery::Dot(d) => Some(d.as_str()),
        }
    }
}

/// What a lookup found. The raw QCMobile carrier object is kept (not a verdict), so a
/// cached answer is judged by the rules in force when it is served.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Lookup {
    Found {
        /// The QCMobile `carrier` object.
        carrier: Value,
        /// The MC docket (asked, or found for a USDOT query), digits only.
        mc_number: Option<String>,
        /// Records the docket lookup returned; above 1 the docket was ambiguous and
        /// this one was chosen.
        docket_records: usize,
    },
    /// Several records on the docket and none could be chosen.
    Unresolved {
        mc_number: Option<String>,
        docket_records: usize,
    },
    NotFound,
}

impl Lookup {
    pub fn is_found(&self) -> bool {
        !matches!(self, Lookup::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dot_numbers_are_digits_only() {
        let ok: &[(Value, Option<&str>)] = &[
            (json!(158121), Some("158121")),
            (json!("158121"), Some("158121")),
            (json!(" 0158121 "), Some("158121")),
            (json!(0), None),
            (json!("0"), None),
            (json!(""), None),
            (json!(null), None),
            (json!("N/A"), None),
        ];
        for (v, want) in ok {
            let got = DotNumber::from_json(v).unwrap();
            assert_eq!(got.as_ref().map(DotNumber::as_str), *want, "{v}");
        }
        for bad in [
            json!("DOT 158121"),
            json!("abc"),
            json!("158-121"),
            json!(1581.5),
            json!(-5),
            json!("123456789"),
            json!(true),
            json!([1]),
        ] {
            assert!(DotNumber::from_json(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn lookups_round_trip_through_the_cache_form() {
        let found =
            Lookup::Found { carrier: json!({"legalName": "X"}), mc_number: Some("1515".into()), docket_records: 2 };
        for l in [found, Lookup::Unresolved { mc_number: Some("1".into()), docket_records: 3 }, Lookup::NotFound] {
            let text = serde_json::to_string(&l).unwrap();
            assert_eq!(serde_json::from_str::<Lookup>(&text).unwrap(), l);
        }
    }
}
