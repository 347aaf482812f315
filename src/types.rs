//! Value types shared by every domain: money in integer cents, normalised MC numbers,
//! phone numbers in E.164.

use serde::{Serialize, Serializer};
use std::fmt;

/// US dollars as integer cents. Arithmetic never touches floats; floats appear only at
/// the JSON edge (amounts are USD numbers there).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(pub i64);

impl Money {
    pub const fn cents(c: i64) -> Self {
        Money(c)
    }
    pub const fn dollars(d: i64) -> Self {
        Money(d * 100)
    }
    /// From a float number of dollars, rounded to the cent.
    pub fn from_dollars_f64(d: f64) -> Self {
        Money((d * 100.0).round() as i64)
    }
    pub fn as_dollars(self) -> f64 {
        self.0 as f64 / 100.0
    }
    /// Rounded down to a multiple of `step` (e.g. $5), never below zero.
    pub fn floor_to(self, step: Money) -> Money {
        if step.0 <= 1 {
            return self;
        }
        Money(self.0.div_euclid(step.0) * step.0)
    }
    /// The premium of this rate over `posted` in percent, unrounded (`agreed / posted − 1`);
    /// none over a posted rate of zero or less. Every premium the API shows starts here,
    /// rounded with [`round1`] where it is shown.
    pub fn premium_over(self, posted: Money) -> Option<f64> {
        (posted.0 > 0).then(|| (self.0 - posted.0) as f64 * 100.0 / posted.0 as f64)
    }
    /// How a person says it: "$2,150", "$2,150.50" (cents only when there are some).
    pub fn spoken(self) -> String {
        let neg = self.0 < 0;
        let abs = self.0.unsigned_abs();
        let dollars = abs / 100;
        let cents = abs % 100;
        let grouped = group_digits(dollars);
        let sign = if neg { "-" } else { "" };
        if cents == 0 {
            format!("{sign}${grouped}")
        } else {
            format!("{sign}${grouped}.{cents:02}")
        }
    }
}

/// To one decimal, as every percentage of the API.
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.spoken())
    }
}

/// Amounts are USD numbers in JSON: 2150 or 2150.5.
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 100 == 0 {
            s.serialize_i64(self.0 / 100)
        } else {
            s.serialize_f64(self.as_dollars())
        }
    }
}

/// "1234567" → "1,234,567".
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// An MC (docket) number: digits only, no leading zeros ("MC-012345" → "12345").
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct McNumber(String);

impl McNumber {
    /// Accepts `123456`, `"MC123456"`, `"MC-123456"`, `"mc 123456"`, `"MC#123456"`.
    pub fn parse(raw: &str) -> Result<McNumber, String> {
        let t = raw.trim();
        let upper = t.to_ascii_uppercase();
        let rest = upper.strip_prefix("MC").unwrap_or(&upper);
        let rest = rest.trim_start_matches(|c: char| c == '#' || c == '-' || c == ':' || c == '.' || c.is_whitespace());
        let digits: String = rest.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("`{}` is not an MC number; expected digits such as MC-123456.", shorten(t)));
        }
        let trimmed = digits.trim_start_matches('0');
        if trimmed.is_empty() {
            return Err("An MC number cannot be zero.".into());
        }
        if trimmed.len() > 8 {
            return Err("An MC number has at most 8 digits.".into());
        }
        Ok(McNumber(trimmed.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for McNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Shortens user input before echoing it in an error message.
pub fn shorten(s: &str) -> String {
    if s.chars().count() <= 40 {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(40).collect();
        out.push('…');
        out
    }
}

/// A phone number in E.164 (`+13125552368`), the form a voice platform dials:
/// `+1 (312) 555-2368`, `312-555-2368` and `+44 20 7946 0958` are read; ten digits without
/// a country code are North American. `None` for anything a platform cannot dial (see
/// [`e164_checked`] for why).
pub fn e164(raw: &str) -> Option<String> {
    e164_checked(raw).ok()
}

/// [`e164`] with the reason a number is refused, worded to follow the field's name
/// (`` `phone_number` is a fictional ... ``). Impossible North American numbers (area
/// code or exchange starting with 0 or 1) and 555-0100 to 555-0199, which are reserved for
/// fiction and which platforms refuse to dial, are refused.
pub fn e164_checked(raw: &str) -> Result<String, &'static str> {
    if !raw.chars().all(|c| c.is_ascii_digit() || "+-() .".contains(c)) || raw.matches('+').count() > 1 {
        return Err("must be a phone number such as +1 312 555 2368");
    }
    if raw.contains('+') && !raw.trim_start().starts_with('+') {
        return Err("may have a + only at the start");
    }
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let international = raw.trim_start().starts_with('+');
    let full = match (international, digits.len()) {
        (false, 10) => format!("1{digits}"),
        (false, 11) if digits.starts_with('1') => digits,
        (false, _) => return Err("needs its country code, e.g. +1 312 555 2368"),
        (true, 8..=15) => digits,
        (true, _) => return Err("must have 8 to 15 digits"),
    };
    if full.len() == 11 && full.starts_with('1') {
        let b = full.as_bytes();
        // North American area codes and exchanges never start with 0 or 1.
        if b[1] < b'2' || b[4] < b'2' {
            return Err("is not a North American number that exists (area code and exchange start with 2 to 9)");
        }
        if &full[4..8] == "5550" && b[8] == b'1' {
            return Err("is a fictional 555-01xx number, which the voice platform refuses to dial");
        }
    }
    Ok(format!("+{full}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_become_e164_or_nothing() {
        for (raw, want) in [
            ("+1 (312) 555-2368", "+13125552368"),
            ("312-555-2368", "+13125552368"),
            ("1 312 555 2368", "+13125552368"),
            ("+44 20 7946 0958", "+442079460958"),
            ("+1-555-0100", "+15550100"),
        ] {
            assert_eq!(e164(raw).as_deref(), Some(want), "{raw}");
        }
        for raw in ["+1 555 010 0100", "312 555 0142", "+1 212 055 2368", "555-2368", "ext 204", "1+312", "+12"] {
            assert_eq!(e164(raw), None, "{raw}");
        }
    }

    #[test]
    fn money_is_spoken_naturally() {
        assert_eq!(Money::dollars(2150).spoken(), "$2,150");
        assert_eq!(Money::cents(215050).spoken(), "$2,150.50");
        assert_eq!(Money::dollars(950).spoken(), "$950");
        assert_eq!(Money::dollars(1_234_567).spoken(), "$1,234,567");
        assert_eq!(Money::cents(5).spoken(), "$0.05");
    }

    #[test]
    fn money_floors_to_step() {
        assert_eq!(Money::dollars(2253).floor_to(Money::dollars(5)), Money::dollars(2250));
        assert_eq!(Money::cents(225499).floor_to(Money::dollars(5)), Money::dollars(2250));
        assert_eq!(Money::dollars(2255).floor_to(Money::dollars(5)), Money::dollars(2255));
    }

    #[test]
    fn money_serialises_as_usd_number() {
        assert_eq!(serde_json::to_string(&Money::dollars(2150)).unwrap(), "2150");
        assert_eq!(serde_json::to_string(&Money::cents(215050)).unwrap(), "2150.5");
    }

    #[test]
    fn mc_numbers_normalise() {
        for raw in ["123456", "MC123456", "MC-123456", "mc 123456", "MC#123456", "  MC 0123456 ", "Mc: 123456"] {
            assert_eq!(McNumber::parse(raw).unwrap().as_str(), "123456", "{raw}");
        }
        for bad in ["abc", "", "MC", "0", "MC-", "DOT 123", "123456789012", "12a34"] {
            assert!(McNumber::parse(bad).is_err(), "{bad}");
        }
    }
    #[test]
    fn phone_numbers_become_e164() {
        for (raw, want) in [
            ("+1 (312) 555-2368", "+13125552368"),
            ("312-555-2368", "+13125552368"),
            ("1 312 555 2368", "+13125552368"),
            ("+44 20 7946 0958", "+442079460958"),
        ] {
            assert_eq!(e164(raw).as_deref(), Some(want), "{raw}");
        }
        for raw in
            ["+1 555 010 0100", "312 555 0142", "+1 212 055 2368", "555-2368", "+1 312 555 2368 ext 4", "1+312", "+12"]
        {
            assert!(e164(raw).is_none(), "{raw}");
            assert!(e164_checked(raw).is_err(), "{raw}");
        }
    }
}
