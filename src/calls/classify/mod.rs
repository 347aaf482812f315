//! The service's own call classification (SPEC §8), used by `calls/finalize` when the
//! agent's outcome or sentiment is missing or not one of the labels, and to flag an agent
//! label that contradicts what the service recorded.
//!
//! Everything here is pure: the same facts and transcript always give the same answer, with
//! no I/O and no clock, so a stored classification can be recomputed and checked.
//!
//! # Outcome
//!
//! Recorded facts come first because they are what the service itself saw happen; the
//! transcript is a speech-to-text rendering of a phone call and is only consulted for what
//! the facts cannot tell. The rules, first match wins:
//!
//! 1. An active booking → `booked`. The booking is the business result; anything said
//!    around it (grumbling, a dropped line after the handoff) does not change it.
//! 2. Verification ineligible or not found → `carrier_ineligible`. Nothing else could have
//!    happened on the call, and §3.1 never books such a carrier. An FMCSA outage
//!    (`unavailable`) is not the carrier's fault and does not count.
//! 3. Searches ran, none returned a load, and nothing was negotiated →
//!    `no_matching_loads`. This is unmet demand, which the dashboard reports by lane.
//! 4. A negotiation ended in a round-3 reject and no negotiation reached agreement →
//!    `negotiation_failed`: price was the obstacle.
//! 5. No transcript at all: the facts above were all there was, so → `abandoned` for a
//!    call under 20 s and `other` otherwise (guessing further would be inventing).
//! 6. A transcript in which the carrier never speaks → `abandoned`.
//! 7. The carrier asks to be called back, or says it will call back → `callback_requested`.
//!    Either way the call ended with a follow-up pending rather than a "no", which is what
//!    a rep working the pipeline needs to know; a negated ask ("no need to call me back")
//!    does not count.
//! 8. A load was pitched (a search returned loads, or a negotiation started) and the
//!    carrier turned it down ("not interested", "I'll pass", "doesn't work for me", "no
//!    thanks", "already loaded", backing out), or a price was agreed but never booked and
//!    the line did not drop (the carrier walked away from its own deal):
//!    - mid-negotiation with no agreement → `negotiation_failed`, since walking away while
//!      haggling is a price failure just like a round-3 reject;
//!    - otherwise → `carrier_declined`.
//!
//!    Without a pitched load there is nothing to decline, so "forget it" on hold is not a
//!    decline.
//! 9. The call died: under 20 s with at most one carrier turn, a voicemail greeting, or the
//!    call ends on a disconnection ("are you still there?", "the call dropped", "you're
//!    breaking up") → `abandoned`.
//! 10. Everything else (payment questions, check calls, wrong numbers, asking for a human)
//!     → `other`.
//!
//! # Sentiment
//!
//! A lexicon scorer over the carrier's turns only: the agent is always polite, so its words
//! say nothing about the carrier. When no turn is labelled `carrier` (an unlabelled
//! transcript) the `unknown` turns are used, never the agent's. Words and phrases carry
//! weights (trucking talk included: "lowball", "cheap broker", "that works"; "deadhead" is
//! explicitly neutral); a negator up to three words earlier in the same clause flips and
//! dampens the weight ("not happy" is negative, "not bad" mildly positive); intensifiers
//! multiply and diminishers dampen; words before a "but" in the same sentence count half;
//! exclamation marks amplify a turn slightly. The sum is divided by the square root of the
//! number of carrier turns (one grumble in a long friendly call should not dominate, and a
//! long call should not win on volume alone) and squashed into -1..1. Nothing to go on
//! gives `neutral` with score 0.

mod lexicon;
mod phrases;
mod sentiment;
mod tokens;

pub use crate::vocab::call::{Outcome, Sentiment, VerificationFact};
pub use sentiment::{score_sentiment, SentimentScore};

use crate::parse::Turn;
use phrases::{asks_for_callback, declines, ends_disconnected, is_voicemail};
use tokens::words;

/// What the service recorded during the call.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// An active booking exists for the call.
    pub booked: bool,
    /// The latest verification of the call.
    pub verification: Option<VerificationFact>,
    pub searches: u32,
    pub searches_with_results: u32,
    /// Total rounds over all loads of the call.
    pub negotiation_rounds: u32,
    /// Some negotiation ended in a round-3 reject (final offer not taken).
    pub negotiation_rejected: bool,
    /// Some negotiation reached agreement.
    pub negotiation_agreed: bool,
    pub transferred: bool,
    pub duration_seconds: Option<i64>,
}

/// Below this a call with at most one carrier turn never got going.
const SHORT_CALL_SECONDS: i64 = 20;

impl Facts {
    /// Platforms send 0 for "unknown" (§3.2); a real call is never 0 s long.
    fn known_duration(&self) -> Option<i64> {
        self.duration_seconds.filter(|d| *d > 0)
    }

    fn is_short(&self) -> bool {
        self.known_duration().is_some_and(|d| d < SHORT_CALL_SECONDS)
    }

    fn load_pitched(&self) -> bool {
        self.searches_with_results > 0 || self.negotiation_rounds > 0
    }
}

/// The call's outcome from the recorded facts first and the transcript second (module docs
/// list the rules and their reasons).
pub fn classify_outcome(facts: &Facts, transcript: &[Turn]) -> Outcome {
    if facts.booked {
        return Outcome::Booked;
    }
    if matches!(facts.verification, Some(VerificationFact::Ineligible | VerificationFact::NotFound)) {
        return Outcome::CarrierIneligible;
    }
    if facts.searches > 0 && facts.searches_with_results == 0 && facts.negotiation_rounds == 0 {
        return Outcome::NoMatchingLoads;
    }
    if facts.negotiation_rejected && !facts.negotiation_agreed {
        return Outcome::NegotiationFailed;
    }
    if transcript.is_empty() {
        return if facts.is_short() { Outcome::Abandoned } else { Outcome::Other };
    }

    let speech: Vec<Vec<String>> = speaker_turns(transcript).iter().map(|t| words(&t.content)).collect();
    if speech.is_empty() {
        return Outcome::Abandoned;
    }
    if speech.iter().any(|w| asks_for_callback(w)) {
        return Outcome::CallbackRequested;
    }
    let disconnected = ends_disconnected(transcript);
    let walked_from_deal = facts.negotiation_agreed && !facts.booked && !facts.transferred && !disconnected;
    if facts.load_pitched() && (speech.iter().any(|w| declines(w)) || walked_from_deal) {
        return if facts.negotiation_rounds > 0 && !facts.negotiation_agreed {
            Outcome::NegotiationFailed
        } else {
            Outcome::CarrierDeclined
        };
    }
    let barely_spoke = facts.is_short() && speech.len() <= 1;
    if barely_spoke || disconnected || speech.iter().any(|w| is_voicemail(w)) {
        return Outcome::Abandoned;
    }
    Outcome::Other
}

/// True when the agent's label contradicts what the service recorded, as opposed to merely
/// differing from what the service would have chosen: the agent hears things the facts
/// cannot show, so only an impossibility is a conflict.
pub fn conflicts(agent: Outcome, facts: &Facts) -> bool {
    match agent {
        Outcome::Booked => !facts.booked,
        // A booking is the one fact no other label can coexist with.
        _ if facts.booked => true,
        Outcome::CarrierIneligible => facts.verification == Some(VerificationFact::Eligible),
        // Loads were good enough to haggle over, so they matched.
        Outcome::NoMatchingLoads => facts.negotiation_rounds > 0,
        Outcome::NegotiationFailed => facts.negotiation_rounds == 0,
        Outcome::CarrierDeclined | Outcome::CallbackRequested | Outcome::Abandoned | Outcome::Other => false,
    }
}

/// The carrier's turns; when the transcript labels nobody as carrier (plain text without
/// speaker labels), the unlabelled turns are the best guess. Agent turns never count.
fn speaker_turns(transcript: &[Turn]) -> Vec<&Turn> {
    let carrier: Vec<&Turn> = transcript.iter().filter(|t| t.role == "carrier").collect();
    if !carrier.is_empty() {
        return carrier;
    }
    transcript.iter().filter(|t| t.role == "unknown").collect()
}

fn is_speaker(t: &Turn) -> bool {
    t.role == "carrier" || t.role == "unknown"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(role: &str, content: &str) -> Turn {
        Turn { role: role.into(), content: content.into() }
    }

    fn carrier(lines: &[&str]) -> Vec<Turn> {
        lines.iter().map(|l| turn("carrier", l)).collect()
    }

    fn valence(text: &str) -> f64 {
        score_sentiment(&carrier(&[text])).score
    }

    #[test]
    fn outcome_rules_in_order() {
        let pitched = Facts {
            verification: Some(VerificationFact::Eligible),
            searches: 1,
            searches_with_results: 1,
            duration_seconds: Some(150),
            ..Facts::default()
        };
        let talk = |lines: &[&str]| -> Vec<Turn> {
            let mut t = vec![turn("agent", "I have Dallas to Atlanta paying $2,150.")];
            t.extend(carrier(lines));
            t
        };
        let cases: Vec<(&str, Facts, Vec<Turn>, Outcome)> = vec![
            (
                "booking beats everything said",
                Facts { booked: true, negotiation_rejected: true, ..pitched.clone() },
                talk(&["Not interested, call me back."]),
                Outcome::Booked,
            ),
            (
                "ineligible beats a failed search",
                Facts { verification: Some(VerificationFact::Ineligible), searches_with_results: 0, ..pitched.clone() },
                talk(&["Call me back."]),
                Outcome::CarrierIneligible,
            ),
            (
                "not found counts as ineligible",
                Facts { verification: Some(VerificationFact::NotFound), ..Facts::default() },
                vec![],
                Outcome::CarrierIneligible,
            ),
            (
                "unavailable verification is not the carrier's fault",
                Facts { verification: Some(VerificationFact::Unavailable), ..pitched.clone() },
                talk(&["No thanks."]),
                Outcome::CarrierDeclined,
            ),
            (
                "empty searches without negotiation",
                Facts { searches: 2, searches_with_results: 0, ..pitched.clone() },
                talk(&["Give me a call back if something opens up."]),
                Outcome::NoMatchingLoads,
            ),
            (
                "empty later search after a negotiation is not no-match",
                Facts { searches_with_results: 0, negotiation_rounds: 1, ..pitched.clone() },
                talk(&["Too low, I'll pass."]),
                Outcome::NegotiationFailed,
            ),
            (
                "round-3 reject",
                Facts { negotiation_rounds: 3, negotiation_rejected: true, ..pitched.clone() },
                talk(&["Call me back if it goes up."]),
                Outcome::NegotiationFailed,
            ),
            (
                "reject on one load, agreed on another, then backed out",
                Facts {
                    negotiation_rounds: 4,
                    negotiation_rejected: true,
                    negotiation_agreed: true,
                    ..pitched.clone()
                },
                talk(&["Actually I have to back out, sorry."]),
                Outcome::CarrierDeclined,
            ),
            (
                "carrier will call back",
                pitched.clone(),
                talk(&["Let me check with my driver and I'll call you back."]),
                Outcome::CallbackRequested,
            ),
            (
                "carrier asks to be called",
                pitched.clone(),
                talk(&["I'm driving, can you give me a call tomorrow?"]),
                Outcome::CallbackRequested,
            ),
            (
                "a refused callback is no callback",
                pitched.clone(),
                talk(&["Not interested, don't call me back."]),
                Outcome::CarrierDeclined,
            ),
            (
                "declined without negotiating",
                pitched.clone(),
                talk(&["That doesn't work for me."]),
                Outcome::CarrierDeclined,
            ),
            (
                "walked away mid-negotiation",
                Facts { negotiation_rounds: 2, ..pitched.clone() },
                talk(&["Nah, that's too low, I'm gonna pass."]),
                Outcome::NegotiationFailed,
            ),
            (
                "agreed but never booked",
                Facts { negotiation_rounds: 1, negotiation_agreed: true, ..pitched.clone() },
                talk(&["Hold on, let me think."]),
                Outcome::CarrierDeclined,
            ),
            (
                "agreed, then the line dropped",
                Facts { negotiation_rounds: 1, negotiation_agreed: true, ..pitched.clone() },
                {
                    let mut t = talk(&["Okay deal."]);
                    t.push(turn("agent", "Hello? Are you still there?"));
                    t
                },
                Outcome::Abandoned,
            ),
            (
                "no load pitched, nothing to decline",
                Facts { duration_seconds: Some(40), ..Facts::default() },
                vec![
                    turn("agent", "Can I get your MC number?"),
                    turn("carrier", "Forget it."),
                    turn("agent", "Are you still there?"),
                ],
                Outcome::Abandoned,
            ),
            (
                "agent only",
                Facts::default(),
                vec![turn("agent", "Acme Logistics, can I get your MC number?")],
                Outcome::Abandoned,
            ),
            (
                "very short call",
                Facts { duration_seconds: Some(11), ..Facts::default() },
                vec![turn("agent", "Acme Logistics?"), turn("carrier", "Hello?")],
                Outcome::Abandoned,
            ),
            (
                "duration 0 means unknown, not short",
                Facts { duration_seconds: Some(0), ..Facts::default() },
                vec![turn("carrier", "Calling about a payment.")],
                Outcome::Other,
            ),
            (
                "voicemail",
                Facts::default(),
                vec![turn("carrier", "You've reached Big Dog Trucking, leave a message after the tone.")],
                Outcome::Abandoned,
            ),
            ("carrier loses the line", pitched.clone(), talk(&["Sorry, you're breaking up."]), Outcome::Abandoned),
            (
                "answered still-there is not a hang-up",
                pitched.clone(),
                vec![turn("agent", "Are you still there?"), turn("carrier", "Yeah, I'm here, go ahead.")],
                Outcome::Other,
            ),
            (
                "no transcript, short",
                Facts { duration_seconds: Some(8), ..Facts::default() },
                vec![],
                Outcome::Abandoned,
            ),
            ("no transcript, nothing known", pitched.clone(), vec![], Outcome::Other),
            (
                "unlabelled turns speak for the carrier",
                pitched.clone(),
                vec![turn("unknown", "Nah, not interested.")],
                Outcome::CarrierDeclined,
            ),
            (
                "the agent's words are not the carrier's",
                pitched.clone(),
                vec![
                    turn("agent", "No thanks needed. I'll call you back if it changes."),
                    turn("carrier", "Okay, what's the weight?"),
                ],
                Outcome::Other,
            ),
        ];
        for (name, facts, transcript, want) in cases {
            assert_eq!(classify_outcome(&facts, &transcript), want, "{name}");
        }
    }

    #[test]
    fn conflicts_only_on_contradictions() {
        let booked = Facts {
            booked: true,
            verification: Some(VerificationFact::Eligible),
            negotiation_rounds: 2,
            ..Facts::default()
        };
        let eligible = Facts { verification: Some(VerificationFact::Eligible), ..Facts::default() };
        let cases: &[(Outcome, &Facts, bool)] = &[
            (Outcome::Booked, &booked, false),
            (Outcome::Booked, &eligible, true),
            (Outcome::NoMatchingLoads, &booked, true),
            (Outcome::Abandoned, &booked, true),
            (Outcome::CarrierIneligible, &eligible, true),
            (Outcome::CarrierIneligible, &Facts::default(), false),
            (Outcome::NoMatchingLoads, &Facts { negotiation_rounds: 1, ..Facts::default() }, true),
            (Outcome::NoMatchingLoads, &eligible, false),
            (Outcome::NegotiationFailed, &eligible, true),
            (Outcome::CarrierDeclined, &eligible, false),
            (Outcome::CallbackRequested, &eligible, false),
            (Outcome::Other, &eligible, false),
        ];
        for (agent, facts, want) in cases {
            assert_eq!(conflicts(*agent, facts), *want, "{agent:?} vs {facts:?}");
        }
    }

    #[test]
    fn negation_flips_and_dampens() {
        assert!(valence("not happy") < 0.0);
        assert!(valence("I don't like it, not good") < 0.0);
        assert!(valence("I'm never happy with these rates") < 0.0);
        let not_bad = valence("not bad");
        assert!(not_bad > 0.0 && not_bad < valence("good"), "{not_bad}");
        assert!(valence("not bad at all") > not_bad);
        assert!(valence("not happy with that rate at all") < valence("not happy"));
        // A comma ends the negation's reach.
        assert!(valence("no, that's great") > 0.0);
        // Fixed expressions are not negations.
        assert!(valence("no problem") > 0.0);
        assert!(valence("no worries, thanks") > 0.0);
        assert_eq!(valence("no thanks"), 0.0);
        assert_eq!(valence("it's a no touch load with some deadhead"), 0.0);
    }

    #[test]
    fn modifiers_scale() {
        let base = valence("appreciate it");
        assert!(valence("really appreciate it") > base);
        assert!(valence("I absolutely appreciate it") > base);
        assert!(valence("annoying") < valence("a bit annoying"));
        assert!(valence("a bit annoying") < 0.0);
        assert!(valence("kind of annoying") > valence("annoying"));
        assert!(valence("super helpful") > valence("helpful"));
        assert!(valence("way too low") < valence("too low"));
        assert!(valence("that works!") > valence("that works"));
        assert_eq!(valence("!!!"), 0.0);
        // Taken back by "but".
        assert!(valence("great rate, but I'm loaded") < valence("great rate"));
    }

    #[test]
    fn trucking_vocabulary() {
        for neg in
            ["the rate is too low", "you're a cheap broker", "that's a lowball", "waste of time", "this is a scam"]
        {
            assert!(valence(neg) < 0.0, "{neg}");
        }
        for pos in ["that works", "sounds good", "appreciate it"] {
            assert!(valence(pos) > 0.0, "{pos}");
        }
        assert_eq!(valence("lot of deadhead on that one"), 0.0);
    }

    #[test]
    fn only_the_carrier_counts() {
        let empty = score_sentiment(&[]);
        assert_eq!((empty.sentiment, empty.score, empty.carrier_turns), (Sentiment::Neutral, 0.0, 0));
        let agent_only = score_sentiment(&[turn("agent", "Awesome, thank you so much!")]);
        assert_eq!(agent_only.sentiment, Sentiment::Neutral);
        assert_eq!(agent_only.carrier_turns, 0);
        let mixed = vec![
            turn("agent", "Great, wonderful, perfect!"),
            turn("carrier", "This is ridiculous."),
            turn("unknown", "Thank you so much!"),
        ];
        let s = score_sentiment(&mixed);
        assert_eq!((s.sentiment, s.carrier_turns), (Sentiment::Negative, 1));
        let unlabelled = score_sentiment(&[
            turn("agent", "Terrible news, sorry."),
            turn("unknown", "That sounds good, appreciate it."),
        ]);
        assert_eq!((unlabelled.sentiment, unlabelled.carrier_turns), (Sentiment::Positive, 1));
        let nothing = score_sentiment(&carrier(&["MC one two three.", "Dallas, dry van."]));
        assert_eq!((nothing.sentiment, nothing.score), (Sentiment::Neutral, 0.0));
    }

    #[derive(serde::Deserialize)]
    struct FactsJson {
        booked: bool,
        verification: Option<String>,
        searches: u32,
        searches_with_results: u32,
        negotiation_rounds: u32,
        negotiation_rejected: bool,
        negotiation_agreed: bool,
        transferred: bool,
        duration_seconds: Option<i64>,
    }

    #[derive(serde::Deserialize)]
    struct Example {
        name: String,
        facts: FactsJson,
        transcript: Vec<Turn>,
        outcome: String,
        sentiment: String,
    }

    fn examples() -> Vec<(String, Facts, Vec<Turn>, Outcome, Sentiment)> {
        let raw: Vec<Example> =
            serde_json::from_str(include_str!("../classify_examples.json")).expect("classify_examples.json parses");
        raw.into_iter()
            .map(|e| {
                let f = e.facts;
                let facts = Facts {
                    booked: f.booked,
                    verification: f
                        .verification
                        .map(|v| VerificationFact::parse(&v).unwrap_or_else(|| panic!("{}: {v}", e.name))),
                    searches: f.searches,
                    searches_with_results: f.searches_with_results,
                    negotiation_rounds: f.negotiation_rounds,
                    negotiation_rejected: f.negotiation_rejected,
                    negotiation_agreed: f.negotiation_agreed,
                    transferred: f.transferred,
                    duration_seconds: f.duration_seconds,
                };
                let outcome = Outcome::parse(&e.outcome).expect("outcome label");
                let sentiment = Sentiment::parse(&e.sentiment).expect("sentiment label");
                (e.name, facts, e.transcript, outcome, sentiment)
            })
            .collect()
    }

    #[test]
    fn labelled_examples_accuracy() {
        let examples = examples();
        assert!(examples.len() >= 48, "only {} examples", examples.len());
        for o in Outcome::ALL {
            let n = examples.iter().filter(|e| e.3 == o).count();
            assert!(n >= 4, "{} examples labelled {}", n, o.as_str());
        }
        for s in Sentiment::ALL {
            let n = examples.iter().filter(|e| e.4 == s).count();
            assert!(n >= 10, "{} examples labelled {}", n, s.as_str());
        }
        let (mut outcome_ok, mut sentiment_ok) = (0usize, 0usize);
        for (name, facts, transcript, outcome, sentiment) in &examples {
            let got_outcome = classify_outcome(facts, transcript);
            let got = score_sentiment(transcript);
            if got_outcome == *outcome {
                outcome_ok += 1;
            } else {
                println!("outcome miss   {name}: labelled {}, classified {}", outcome.as_str(), got_outcome.as_str());
            }
            if got.sentiment == *sentiment {
                sentiment_ok += 1;
            } else {
                println!(
                    "sentiment miss {name}: labelled {}, scored {} ({:+.3})",
                    sentiment.as_str(),
                    got.sentiment.as_str(),
                    got.score
                );
            }
        }
        let n = examples.len() as f64;
        let (outcome_acc, sentiment_acc) = (outcome_ok as f64 / n, sentiment_ok as f64 / n);
        println!(
            "{} labelled calls: outcome accuracy {:.3} ({outcome_ok}), sentiment accuracy {:.3} ({sentiment_ok})",
            examples.len(),
            outcome_acc,
            sentiment_acc
        );
        assert!(outcome_acc >= 0.95, "outcome accuracy {outcome_acc:.3}");
        assert!(sentiment_acc >= 0.85, "sentiment accuracy {sentiment_acc:.3}");
    }

    #[test]
    fn deterministic() {
        for (_, facts, transcript, _, _) in examples() {
            let first = (classify_outcome(&facts, &transcript), score_sentiment(&transcript));
            for _ in 0..3 {
                let again = (classify_outcome(&facts, &transcript), score_sentiment(&transcript));
                assert_eq!(first.0, again.0);
                assert_eq!(first.1.sentiment, again.1.sentiment);
                assert_eq!(first.1.score.to_bits(), again.1.score.to_bits());
                assert_eq!(first.1.carrier_turns, again.1.carrier_turns);
            }
        }
    }
}
