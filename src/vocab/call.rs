//! The labels a call is classified with (outcome, sentiment, the verification fact), and the tolerant parsing of the spellings agents
//! and platforms send for them.

use serde::Serialize;

/// How a call ended, as the dashboard reports it (SPEC §3.1 `calls/finalize`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Booked,
    NegotiationFailed,
    CarrierDeclined,
    NoMatchingLoads,
    CarrierIneligible,
    CallbackRequested,
    Abandoned,
    Other,
}

impl Outcome {
    pub const ALL: [Outcome; 8] = [
        Outcome::Booked,
        Outcome::NegotiationFailed,
        Outcome::CarrierDeclined,
        Outcome::NoMatchingLoads,
        Outcome::CarrierIneligible,
        Outcome::CallbackRequested,
        Outcome::Abandoned,
        Outcome::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Booked => "booked",
            Outcome::NegotiationFailed => "negotiation_failed",
            Outcome::CarrierDeclined => "carrier_declined",
            Outcome::NoMatchingLoads => "no_matching_loads",
            Outcome::CarrierIneligible => "carrier_ineligible",
            Outcome::CallbackRequested => "callback_requested",
            Outcome::Abandoned => "abandoned",
            Outcome::Other => "other",
        }
    }

    /// Tolerant of how platforms template labels: "Booked", "negotiation failed",
    /// "Negotiation-Failed", " NO_MATCHING_LOADS " all parse; anything else is `None`.
    pub fn parse(s: &str) -> Option<Outcome> {
        let key = label_key(s);
        Outcome::ALL.into_iter().find(|o| o.as_str() == key)
    }
}

/// The carrier's mood over the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sentiment {
    Positive,
    Neutral,
    Negative,
}

impl Sentiment {
    pub const ALL: [Sentiment; 3] = [Sentiment::Positive, Sentiment::Neutral, Sentiment::Negative];

    pub fn as_str(self) -> &'static str {
        match self {
            Sentiment::Positive => "positive",
            Sentiment::Neutral => "neutral",
            Sentiment::Negative => "negative",
        }
    }

    /// Same tolerance as [`Outcome::parse`].
    pub fn parse(s: &str) -> Option<Sentiment> {
        let key = label_key(s);
        Sentiment::ALL.into_iter().find(|o| o.as_str() == key)
    }
}

/// The latest carrier verification recorded for the call (SPEC §3.1 `fmcsa/verify`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationFact {
    Eligible,
    Ineligible,
    NotFound,
    Unavailable,
}

impl VerificationFact {
    pub const ALL: [VerificationFact; 4] = [
        VerificationFact::Eligible,
        VerificationFact::Ineligible,
        VerificationFact::NotFound,
        VerificationFact::Unavailable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VerificationFact::Eligible => "eligible",
            VerificationFact::Ineligible => "ineligible",
            VerificationFact::NotFound => "not_found",
            VerificationFact::Unavailable => "unavailable",
        }
    }

    /// Same tolerance as [`Outcome::parse`].
    pub fn parse(s: &str) -> Option<VerificationFact> {
        let key = label_key(s);
        VerificationFact::ALL.into_iter().find(|v| v.as_str() == key)
    }
}

/// "Negotiation-Failed " → "negotiation_failed": case, spaces and dashes are how
/// templating varies, never what the label means.
fn label_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        if c == ' ' || c == '-' || c == '_' {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_parse_tolerantly() {
        let cases: &[(&str, Option<Outcome>)] = &[
            ("Booked", Some(Outcome::Booked)),
            ("negotiation failed", Some(Outcome::NegotiationFailed)),
            ("Negotiation-Failed", Some(Outcome::NegotiationFailed)),
            (" NO_MATCHING_LOADS ", Some(Outcome::NoMatchingLoads)),
            ("carrier  declined", Some(Outcome::CarrierDeclined)),
            ("Callback Requested", Some(Outcome::CallbackRequested)),
            ("other", Some(Outcome::Other)),
            ("", None),
            ("book", None),
            ("booked!", None),
            ("null", None),
            ("_booked", Some(Outcome::Booked)),
        ];
        for (input, want) in cases {
            assert_eq!(Outcome::parse(input), *want, "{input:?}");
        }
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
            assert_eq!(serde_json::to_value(o).unwrap(), serde_json::json!(o.as_str()));
        }
        for s in Sentiment::ALL {
            assert_eq!(Sentiment::parse(&s.as_str().to_uppercase()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), serde_json::json!(s.as_str()));
        }
        assert_eq!(Sentiment::parse(" Negative "), Some(Sentiment::Negative));
        assert_eq!(Sentiment::parse("mixed"), None);
        assert_eq!(VerificationFact::parse("Not Found"), Some(VerificationFact::NotFound));
    }
}
