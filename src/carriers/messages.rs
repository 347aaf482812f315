//! What the voice agent says after a verification: one or two plain sentences per
//! outcome. An ineligible carrier hears the main reason in plain words, stated as what
//! FMCSA's records show (never as an accusation); `unavailable` lets the call go on, since
//! the booking is verified again before it is confirmed.

use super::carrier::Carrier;
use super::eligibility::{Reason, Status};
use super::query::CarrierQuery;

/// Words kept in capitals: entity suffixes and initialisms FMCSA prints in names.
const UPPER: &[&str] = &["LLC", "LLP", "LP", "PLLC", "PC", "USA", "US", "II", "III", "IV", "DBA", "UPS", "JB", "RV"];
/// Short words with no vowel that are abbreviations spoken as words ("Ft Worth").
const TITLE: &[&str] = &["ST", "MT", "FT", "PT", "DR", "JR", "SR", "MR", "MRS"];
/// Joining words lower-cased inside a name.
const SMALL: &[&str] = &["OF", "AND", "THE", "FOR", "AT", "ON", "IN", "DE", "LA", "DEL"];

/// "PRAIRIE LANTERN TRANSPORT LLC" → "Prairie Lantern Transport LLC";
/// "FORT WORTH" → "Fort Worth"; "J B HUNT TRANSPORT INC" → "J B Hunt Transport Inc".
pub fn title_case(name: &str) -> String {
    name.split_whitespace().enumerate().map(|(i, word)| title_word(word, i == 0)).collect::<Vec<_>>().join(" ")
}

fn title_word(word: &str, first: bool) -> String {
    let upper = word.to_uppercase();
    let letters: String = upper.chars().filter(|c| c.is_alphabetic()).collect();
    if UPPER.contains(&letters.as_str()) && letters.len() == upper.trim_end_matches([',', '.']).len() {
        return upper;
    }
    if !first && SMALL.contains(&upper.as_str()) {
        return upper.to_lowercase();
    }
    let no_vowel = !letters.is_empty() && !letters.chars().any(|c| "AEIOUY".contains(c));
    if no_vowel && letters.len() <= 4 && !TITLE.contains(&letters.as_str()) && letters.len() > 1 {
        return upper;
    }
    // Capitalise each run of letters that starts the word or follows a hyphen or slash.
    let mut out = String::with_capacity(word.len());
    let mut start = true;
    for ch in word.chars() {
        if ch.is_alphabetic() {
            if start {
                out.extend(ch.to_uppercase());
            } else {
                out.extend(ch.to_lowercase());
            }
            start = false;
        } else {
            out.push(ch);
            start = matches!(ch, '-' | '/' | '(' | '&');
        }
    }
    out
}

/// "out of Fort Worth, Texas", when FMCSA has the place.
fn place(c: &Carrier) -> Option<String> {
    let city = c.city.as_deref().map(title_case);
    let state = c.state.as_deref().map(|s| crate::geo::state_name(s).map(str::to_string).unwrap_or(s.to_string()));
    match (city, state) {
        (Some(city), Some(state)) => Some(format!("{city}, {state}")),
        (Some(city), None) => Some(city),
        (None, Some(state)) => Some(state),
        (None, None) => None,
    }
}

fn name_of(c: &Carrier) -> Option<String> {
    c.legal_name.as_deref().map(title_case)
}

/// The main reason, as a clause that can follow "but".
fn reason_words(r: Reason) -> &'static str {
    match r {
        Reason::NotAllowedToOperate => {
            "FMCSA's records show the company isn't authorized to operate right now"
        }
        Reason::UsdotInactive => "the USDOT number shows as inactive in FMCSA's records",
        Reason::NoActiveCarrierAuthority => {
            "I don't see active carrier operating authority on file with FMCSA"
        }
        Reason::BrokerOnlyAuthority => {
            "FMCSA shows only broker authority under that number, and we can only book freight with authorized motor carriers"
        }
        Reason::OutOfService => "FMCSA's records show an out-of-service order on file",
        Reason::InsuranceBelowRequired => {
            "the liability insurance on file with FMCSA is below the required amount"
        }
        Reason::UnsatisfactorySafetyRating => {
            "the current safety rating on file doesn't meet our requirements"
        }
        Reason::CarrierNotFound => "I couldn't find the company in FMCSA's records",
        Reason::AmbiguousDocket => {
            "more than one company is listed under that number, so one of our reps needs to confirm which one is yours"
        }
    }
}

/// The sentence for one outcome. `carrier` is the record judged, when there is one.
pub fn message(status: Status, reasons: &[Reason], carrier: Option<&Carrier>, query: &CarrierQuery) -> String {
    match status {
        Status::Eligible => {
            let who = carrier.and_then(name_of);
            let from = carrier.and_then(place);
            match (who, from) {
                (Some(who), Some(from)) => format!(
                    "Thanks, I have you as {who} out of {from}, and you're all set to work with us."
                ),
                (Some(who), None) => {
                    format!("Thanks, I have you as {who}, and you're all set to work with us.")
                }
                _ => "Thanks, you're verified and all set to work with us.".into(),
            }
        }
        Status::Ineligible if reasons == [Reason::AmbiguousDocket] => format!(
            "I see more than one company listed under {}, so one of our reps needs to confirm which one is yours before we can book a load. Thanks for your patience.",
            query.spoken()
        ),
        Status::Ineligible => {
            let main = reasons
                .first()
                .map(|r| reason_words(*r))
                .unwrap_or("FMCSA's records don't let us book with the company right now");
            let found = match carrier.and_then(name_of) {
                Some(name) => format!("I found {name}"),
                None => format!("I found {}", query.spoken()),
            };
            format!(
                "Thanks for bearing with me. {found}, but {main}, so I'm not able to book a load with you today. If that's changed recently, our carrier team will be glad to take another look."
            )
        }
        Status::NotFound => format!(
            "I couldn't find {} in FMCSA's records. Could you double-check the number and read it to me again?",
            query.spoken()
        ),
        Status::Unavailable => "I can't reach the FMCSA system right now, so I'll finish verifying your authority a little later. Let's keep going; the booking will be confirmed once that check goes through.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::carriers::carrier::Carrier;
    use crate::carriers::query::DotNumber;
    use crate::types::McNumber;
    use serde_json::json;

    #[test]
    fn names_and_places_are_title_cased() {
        let cases = [
            ("PRAIRIE LANTERN TRANSPORT LLC", "Prairie Lantern Transport LLC"),
            ("GREYHOUND LINES INC", "Greyhound Lines Inc"),
            ("HOLLOW OAK FREIGHT SYSTEMS INC", "Hollow Oak Freight Systems Inc"),
            ("FORT WORTH", "Fort Worth"),
            ("SALT LAKE CITY", "Salt Lake City"),
            ("ST LOUIS", "St Louis"),
            ("J B HUNT TRANSPORT SERVICES INC", "J B Hunt Transport Services Inc"),
            ("SMITH-JONES TRUCKING CO", "Smith-Jones Trucking Co"),
            ("LAND OF THE FREE LLC", "Land of the Free LLC"),
            ("THE A&B GROUP", "The A&B Group"),
            ("TFX 53 EXPRESS", "TFX 53 Express"),
        ];
        for (raw, want) in cases {
            assert_eq!(title_case(raw), want, "{raw}");
        }
    }

    fn carrier(v: serde_json::Value) -> Carrier {
        Carrier::from_qcmobile(&v).unwrap()
    }

    #[test]
    fn each_outcome_has_its_own_sentence() {
        let mc = CarrierQuery::Mc(McNumber::parse("700010").unwrap());
        let prairie = carrier(json!({
            "legalName": "PRAIRIE LANTERN TRANSPORT LLC", "phyCity": "FORT WORTH", "phyState": "TX"
        }));
        assert_eq!(
            message(Status::Eligible, &[], Some(&prairie), &mc),
            "Thanks, I have you as Prairie Lantern Transport LLC out of Fort Worth, Texas, and you're all set to work with us."
        );

        let gravel = carrier(json!({"legalName": "GRAVEL CREEK HAULING LLC"}));
        let said =
            message(Status::Ineligible, &[Reason::NotAllowedToOperate, Reason::UsdotInactive], Some(&gravel), &mc);
        assert!(said.contains("Gravel Creek Hauling LLC"), "{said}");
        assert!(said.contains("isn't authorized to operate"), "{said}");
        assert!(!said.contains("inactive"), "only the main reason: {said}");

        let said = message(Status::Ineligible, &[Reason::AmbiguousDocket], None, &mc);
        assert!(said.contains("more than one company listed under MC 700010"), "{said}");

        let dot = CarrierQuery::Dot(DotNumber::parse("123").unwrap());
        let said = message(Status::NotFound, &[Reason::CarrierNotFound], None, &dot);
        assert!(said.contains("USDOT number 123") && said.contains("double-check"), "{said}");

        let said = message(Status::Unavailable, &[], None, &mc);
        assert!(said.starts_with("I can't reach the FMCSA system right now"), "{said}");

        // Every reason has words of its own, without markdown.
        let all = [
            Reason::NotAllowedToOperate,
            Reason::UsdotInactive,
            Reason::NoActiveCarrierAuthority,
            Reason::BrokerOnlyAuthority,
            Reason::OutOfService,
            Reason::InsuranceBelowRequired,
            Reason::UnsatisfactorySafetyRating,
        ];
        let said: Vec<String> = all.iter().map(|r| message(Status::Ineligible, &[*r], Some(&gravel), &mc)).collect();
        for (i, a) in said.iter().enumerate() {
            assert!(!a.contains('*') && !a.contains('`'), "{a}");
            for b in &said[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
