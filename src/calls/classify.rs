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

use crate::parse::Turn;
use serde::Serialize;
use std::sync::OnceLock;

/// How a call ended, as the dashboard reports it (SPEC §3.1 `calls/finalize`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
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

/// The carrier's sentiment and the evidence size behind it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SentimentScore {
    pub sentiment: Sentiment,
    /// -1 (angry) ..= 1 (delighted), rounded to 3 decimals so stored values compare equal.
    pub score: f64,
    /// How many turns were scored (carrier turns, or unknown ones when none is labelled).
    pub carrier_turns: usize,
}

/// Scores at or beyond these are positive / negative; a polite "thanks" alone stays inside.
const POSITIVE_AT: f64 = 0.25;
const NEGATIVE_AT: f64 = -0.25;
/// Squashing constant: a normalised sum of ±2 maps to about ±0.7.
const SQUASH: f64 = 4.0;

pub fn score_sentiment(transcript: &[Turn]) -> SentimentScore {
    let turns = speaker_turns(transcript);
    if turns.is_empty() {
        return SentimentScore { sentiment: Sentiment::Neutral, score: 0.0, carrier_turns: 0 };
    }
    let total: f64 = turns.iter().map(|t| turn_valence(&t.content)).sum();
    let norm = total / (turns.len() as f64).sqrt();
    let score = (norm / (norm * norm + SQUASH).sqrt() * 1000.0).round() / 1000.0;
    let sentiment = if score >= POSITIVE_AT {
        Sentiment::Positive
    } else if score <= NEGATIVE_AT {
        Sentiment::Negative
    } else {
        Sentiment::Neutral
    };
    SentimentScore { sentiment, score, carrier_turns: turns.len() }
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

// ------------------------------------------------------------------ transcript phrases

/// Lower-case words with apostrophes dropped ("don't" → "dont") so phrase lists need one
/// spelling; punctuation and digits' separators split words.
fn words(text: &str) -> Vec<String> {
    tokens(text).0.into_iter().map(|w| w.text).collect::<Vec<_>>()
}

/// Start positions of `phrase` (space-separated words) in `ws`.
fn find_phrase<'a>(ws: &'a [String], phrase: &'a str) -> impl Iterator<Item = usize> + 'a {
    let parts: Vec<&str> = phrase.split(' ').collect();
    let n = parts.len();
    (0..ws.len().saturating_sub(n - 1)).filter(move |&i| ws[i..i + n].iter().zip(&parts).all(|(w, p)| w == p))
}

fn contains_any(ws: &[String], phrases: &[&str]) -> bool {
    phrases.iter().any(|p| find_phrase(ws, p).next().is_some())
}

/// Ways carriers ask for, or promise, a follow-up call. Bare "call me" is left out because
/// "you can call me Mike" is common.
const CALLBACK_PHRASES: &[&str] = &[
    "call me back",
    "call me later",
    "call me tomorrow",
    "call me in",
    "call me on",
    "call me at",
    "call me when",
    "call me if",
    "call me again",
    "call me this",
    "call me next",
    "give me a call",
    "give me a ring",
    "give me a shout",
    "gimme a call",
    "reach me",
    "call you back",
    "call back",
    "get back to you",
    "get back with you",
    "hit me back",
    "text me",
    "ring me",
    "try me later",
    "try me tomorrow",
    "touch base",
    "follow up with me",
    "circle back",
];

fn asks_for_callback(ws: &[String]) -> bool {
    CALLBACK_PHRASES.iter().any(|p| {
        // "no need to call me back" / "don't call me back" is the opposite of a request.
        find_phrase(ws, p).any(|at| !ws[at.saturating_sub(3)..at].iter().any(|w| is_negator(w)))
    })
}

/// A carrier turning a pitched load down, politely or not.
const DECLINE_PHRASES: &[&str] = &[
    "not interested",
    "no thanks",
    "no thank you",
    "ill pass",
    "i will pass",
    "gonna pass",
    "going to pass",
    "have to pass",
    "gotta pass",
    "pass on",
    "doesnt work for me",
    "that doesnt work",
    "wont work",
    "not gonna work",
    "not going to work",
    "not for me",
    "cant take",
    "no can do",
    "back out",
    "backing out",
    "pull out",
    "hold out",
    "too low",
    "too light",
    "too cheap",
    "dont go",
    "dont run",
    "dont haul",
    "dont do",
    "no way",
    "not worth",
    "got loaded",
    "already loaded",
    "already booked",
    "already got a load",
    "found something",
    "found a load",
    "im covered",
    "forget it",
    "never mind",
    "nevermind",
    "not doing",
    "not taking",
    "ill keep looking",
    "maybe next time",
    "not gonna cut it",
    "not going to cut it",
    "wont cut it",
    "doesnt cut it",
    "look elsewhere",
    "looking elsewhere",
    "wish i could",
    "keep me in mind",
    "not gonna happen",
    "no dice",
    "not this time",
    "not today",
    "have to decline",
    "cant do",
];

fn declines(ws: &[String]) -> bool {
    contains_any(ws, DECLINE_PHRASES)
}

const VOICEMAIL_PHRASES: &[&str] = &[
    "leave a message",
    "leave your message",
    "after the tone",
    "after the beep",
    "voicemail",
    "voice mail",
    "mailbox",
    "not available to take your call",
    "cant come to the phone",
    "cannot come to the phone",
];

fn is_voicemail(ws: &[String]) -> bool {
    contains_any(ws, VOICEMAIL_PHRASES)
}

/// What the agent says to a line that went quiet.
const AGENT_DISCONNECT_PHRASES: &[&str] = &[
    "are you still there",
    "still there",
    "got disconnected",
    "been disconnected",
    "were disconnected",
    "call dropped",
    "call has dropped",
    "call got dropped",
    "call was dropped",
    "lost you",
    "lost the connection",
    "lost connection",
    "cut off",
    "can you hear me",
];

/// What a carrier says as the line fails.
const CARRIER_DISCONNECT_PHRASES: &[&str] =
    &["breaking up", "cant hear you", "cannot hear you", "losing you", "bad signal", "no signal", "lost you"];

/// The call ends on a failed line: after the carrier's last words the agent is asking an
/// empty line whether anyone is there, or the carrier's last words were about the line.
/// Only the end counts: a mid-call "are you still there?" that got an answer is no hang-up.
fn ends_disconnected(transcript: &[Turn]) -> bool {
    let last_speaker = transcript.iter().rposition(is_speaker);
    let tail = &transcript[last_speaker.map_or(0, |i| i + 1)..];
    let agent_sees_drop = tail.iter().any(|t| contains_any(&words(&t.content), AGENT_DISCONNECT_PHRASES));
    let carrier_sees_drop =
        last_speaker.is_some_and(|i| contains_any(&words(&transcript[i].content), CARRIER_DISCONNECT_PHRASES));
    agent_sees_drop || carrier_sees_drop
}

// ------------------------------------------------------------------ sentiment lexicon

/// Weighted words and phrases (space-separated, apostrophes dropped). Longer phrases win
/// over their parts, so zero-weight entries shield neutral trucking terms and fixed
/// expressions from the generic words inside them ("dead head", "no problem", "wrong
/// number", "no thanks" is a decline, not gratitude).
const LEXICON: &[(&str, f64)] = &[
    // gratitude and agreement
    // A bare "thanks" is how every phone call ends; warmth needs more than that.
    ("thanks", 0.5),
    ("thank you", 0.5),
    ("thx", 0.5),
    ("thank you so much", 2.5),
    ("thanks so much", 2.5),
    ("thanks a lot", 1.5),
    ("thanks a ton", 2.0),
    ("thanks a bunch", 1.5),
    ("thanks anyway", 0.5),
    ("thank you anyway", 0.5),
    ("cant thank you enough", 3.0),
    ("appreciate", 1.5),
    ("appreciate it", 2.0),
    ("appreciate you", 2.0),
    ("appreciated", 1.5),
    ("grateful", 2.0),
    ("that works", 1.5),
    ("works for me", 1.5),
    ("thatll work", 1.5),
    ("lets do it", 1.0),
    ("deal", 0.5),
    ("no deal", -0.5),
    ("sounds good", 2.0),
    ("looks good", 1.5),
    ("good deal", 2.0),
    ("no problem", 0.5),
    ("not a problem", 0.5),
    ("no worries", 1.0),
    ("no hard feelings", 1.0),
    ("no complaints", 1.0),
    ("cant complain", 1.0),
    ("couldnt be happier", 3.0),
    ("exactly what i needed", 2.0),
    ("right on", 1.0),
    ("hell yeah", 2.0),
    ("heck yeah", 2.0),
    ("god bless", 1.5),
    ("made my day", 2.5),
    ("music to my ears", 2.5),
    ("you rock", 2.5),
    ("the best", 2.0),
    ("best you can do", -0.5),
    ("best you got", -0.5),
    ("no sweat", 1.0),
    ("take care", 0.5),
    ("have a blessed day", 1.0),
    // general positive
    ("good", 1.5),
    ("great", 2.0),
    ("awesome", 2.5),
    ("perfect", 2.0),
    ("excellent", 2.5),
    ("wonderful", 2.5),
    ("fantastic", 2.5),
    ("amazing", 2.5),
    ("outstanding", 2.5),
    ("love", 2.0),
    ("i like", 1.0),
    ("we like", 1.0),
    // "like" alone is mostly filler ("like twenty minutes"), so only its negated forms
    ("dont like", -1.5),
    ("dont really like", -1.5),
    ("didnt like", -1.5),
    ("do not like", -1.5),
    ("love it", 2.5),
    ("lovely", 2.0),
    ("nice", 1.5),
    ("cool", 1.0),
    ("sweet", 1.5),
    ("beautiful", 2.0),
    ("solid", 1.0),
    ("decent", 1.0),
    ("fair", 1.0),
    ("fair enough", 0.5),
    ("fine", 0.5),
    ("happy", 1.5),
    ("glad", 1.5),
    ("pleased", 1.5),
    ("excited", 2.0),
    ("helpful", 1.5),
    ("pleasure", 1.5),
    ("lifesaver", 2.5),
    ("smooth", 1.0),
    ("promising", 1.5),
    ("stoked", 2.0),
    ("thrilled", 2.5),
    ("delighted", 2.5),
    ("pleasant", 1.5),
    ("professional", 1.0),
    ("reliable", 1.0),
    ("enjoy", 1.0),
    ("legit", 1.0),
    // politeness that is not warmth
    ("have a good one", 0.5),
    ("have a good day", 0.5),
    ("have a great day", 1.0),
    ("good to go", 0.5),
    ("good morning", 0.0),
    ("good afternoon", 0.0),
    ("good evening", 0.0),
    ("good luck", 0.5),
    // "not a good time" means busy, not unhappy
    ("good time", 0.5),
    ("bad time", -0.5),
    ("all good", 0.5),
    ("im good", 0.0),
    ("no thanks", 0.0),
    ("no thank you", 0.0),
    ("not interested", 0.0),
    ("sorry", 0.0),
    ("my bad", 0.0),
    ("wrong number", 0.0),
    // rates and brokers
    ("lowball", -2.0),
    ("lowballing", -2.0),
    ("lowballed", -2.0),
    ("low ball", -2.0),
    ("low balling", -2.0),
    ("too low", -2.0),
    ("too light", -1.5),
    ("too cheap", -2.0),
    ("little light", -0.5),
    ("bit light", -0.5),
    ("kinda light", -0.5),
    ("pretty light", -1.0),
    ("cheap", -1.5),
    ("cheap broker", -2.5),
    ("cheap brokers", -2.5),
    ("cheapskate", -2.0),
    ("rip off", -2.5),
    ("ripoff", -2.5),
    ("ripping me off", -2.5),
    ("highway robbery", -3.0),
    ("robbery", -2.5),
    ("scam", -3.0),
    ("scammer", -3.0),
    ("scammers", -3.0),
    ("losing money", -1.5),
    ("lose money", -1.5),
    ("never budge", -1.5),
    ("thats a joke", -2.0),
    ("joke", -1.5),
    ("are you kidding", -2.0),
    ("you kidding", -2.0),
    ("kidding me", -2.0),
    ("waste of time", -2.5),
    ("waste of my time", -2.5),
    ("wasting my time", -2.5),
    ("on hold forever", -1.5),
    // general negative
    ("bad", -1.5),
    ("too bad", -1.0),
    ("terrible", -2.5),
    ("awful", -2.5),
    ("horrible", -2.5),
    ("worst", -2.5),
    ("worse", -1.5),
    ("ridiculous", -2.0),
    ("unbelievable", -1.5),
    ("unreal", -1.5),
    ("insane", -1.5),
    ("crazy", -1.0),
    ("garbage", -2.0),
    ("trash", -2.0),
    ("junk", -1.5),
    ("crap", -2.0),
    ("crappy", -2.0),
    ("sucks", -2.0),
    ("bs", -2.0),
    ("bullshit", -2.5),
    ("nonsense", -2.0),
    ("useless", -2.5),
    ("pointless", -2.0),
    ("stupid", -2.0),
    ("dumb", -2.0),
    ("hate", -2.5),
    ("annoying", -2.0),
    ("annoyed", -2.0),
    ("frustrated", -2.0),
    ("frustrating", -2.0),
    ("angry", -2.0),
    ("mad", -2.0),
    ("pissed", -2.5),
    ("upset", -2.0),
    ("disappointed", -2.0),
    ("disappointing", -2.0),
    ("unacceptable", -2.5),
    ("sick of", -2.0),
    ("tired of", -1.5),
    ("fed up", -2.0),
    ("screwed", -2.0),
    ("forget it", -1.5),
    ("forget about it", -1.5),
    ("whatever", -1.0),
    ("ugh", -1.5),
    ("pain", -1.5),
    ("stuck", -0.5),
    ("dead", -1.0),
    ("wrong", -1.0),
    ("weird", -0.5),
    ("confusing", -1.0),
    ("problem", -0.5),
    ("unfortunately", -0.5),
    ("shame", -1.0),
    ("no way", -1.0),
    ("hell no", -2.0),
    ("heck no", -1.5),
    ("seriously", -0.5),
    ("broke down", -1.0),
    ("stink", -2.0),
    ("stinks", -2.0),
    ("desperate", -1.5),
    ("impossible", -1.5),
    ("mess", -1.5),
    ("nightmare", -2.0),
    ("disaster", -2.0),
    ("driving me nuts", -2.0),
    ("driving me crazy", -2.0),
    ("nuts", -1.0),
    ("pathetic", -2.5),
    ("insult", -2.5),
    ("insulting", -2.5),
    ("offended", -2.0),
    ("rude", -2.0),
    ("disrespectful", -2.5),
    ("shady", -2.0),
    ("sketchy", -1.5),
    ("liar", -2.5),
    ("lying", -2.0),
    ("killing me", -1.5),
    ("brutal", -1.5),
    ("tough", -0.5),
    ("headache", -1.5),
    ("hassle", -1.5),
    ("jerk", -2.0),
    ("screw it", -1.5),
    ("cant believe", -1.0),
    ("are you serious", -1.5),
    ("give me a break", -1.5),
    ("come on", -0.5),
    // trucking terms that only look emotional
    ("deadhead", 0.0),
    ("dead head", 0.0),
    ("deadheading", 0.0),
    ("no touch", 0.0),
    ("hazmat", 0.0),
    ("detention", 0.0),
    ("lumper", 0.0),
    ("layover", 0.0),
    ("dry van", 0.0),
    ("power only", 0.0),
];

/// Tokens that flip the sentiment of a term shortly after them in the same clause.
const NEGATORS: &[&str] = &[
    "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "hardly", "barely", "without", "aint", "dont",
    "doesnt", "didnt", "isnt", "wasnt", "arent", "werent", "cant", "cannot", "wont", "wouldnt", "couldnt", "shouldnt",
    "havent", "hasnt", "hadnt",
];

fn is_negator(w: &str) -> bool {
    NEGATORS.contains(&w)
}

/// How far back (in words, same clause) a negator reaches.
const NEGATION_WINDOW: usize = 3;
/// Negated praise is clearly negative ("not happy"); negated complaint only mildly
/// positive ("not bad" is faint praise).
const NEGATED_POSITIVE: f64 = -0.75;
const NEGATED_NEGATIVE: f64 = -0.5;
/// "not bad at all", "not happy with that at all": the negation is emphatic.
const AT_ALL: f64 = 1.5;
/// Words before "but" in the same sentence are being taken back.
const BEFORE_BUT: f64 = 0.5;

/// (word, factor, how many words before the term it may stand). Short words that are
/// often something else ("so", "way", "real") must stand right before the term.
const MODIFIERS: &[(&str, f64, usize)] = &[
    ("really", 1.5, 2),
    ("very", 1.5, 2),
    ("so", 1.4, 1),
    ("super", 1.6, 1),
    ("extremely", 1.8, 2),
    ("absolutely", 1.7, 2),
    ("totally", 1.5, 2),
    ("truly", 1.5, 2),
    ("incredibly", 1.8, 2),
    ("completely", 1.5, 2),
    ("highly", 1.5, 1),
    ("freaking", 1.5, 1),
    ("way", 1.4, 1),
    ("real", 1.3, 1),
    ("pretty", 1.2, 1),
    ("total", 1.4, 1),
    ("complete", 1.4, 1),
    ("slightly", 0.5, 2),
    ("somewhat", 0.6, 2),
    ("kinda", 0.6, 2),
    ("sorta", 0.6, 2),
    ("fairly", 0.8, 1),
    ("mildly", 0.5, 2),
    // "a bit", "a little"
    ("bit", 0.5, 2),
    ("little", 0.5, 2),
];

/// A word of a turn with the clause and sentence it belongs to.
#[derive(Debug)]
struct Word {
    text: String,
    clause: usize,
    sentence: usize,
}

/// Words plus the turn's exclamation-mark count. Commas and the like end a clause (the
/// reach of a negation), `.`, `!`, `?` end a sentence (the reach of "but").
fn tokens(text: &str) -> (Vec<Word>, usize) {
    let mut out = Vec::new();
    let mut current = String::new();
    let (mut clause, mut sentence, mut bangs) = (0usize, 0usize, 0usize);
    let mut flush = |current: &mut String, clause: usize, sentence: usize| {
        if !current.is_empty() {
            out.push(Word { text: std::mem::take(current), clause, sentence });
        }
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            current.extend(c.to_lowercase());
        } else if matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '`') {
            // "don't" and "dont" are the same word on a phone transcript.
        } else {
            flush(&mut current, clause, sentence);
            match c {
                '!' | '?' | '.' => {
                    bangs += usize::from(c == '!');
                    clause += 1;
                    sentence += 1;
                }
                ',' | ';' | ':' | '\u{2014}' | '(' | ')' => clause += 1,
                _ => {}
            }
        }
    }
    flush(&mut current, clause, sentence);
    (out, bangs)
}

type Entry = (Vec<&'static str>, f64);

/// The lexicon split into words, longest phrase first so it wins over its parts.
fn lexicon() -> &'static [Entry] {
    static SPLIT: OnceLock<Vec<Entry>> = OnceLock::new();
    SPLIT.get_or_init(|| {
        let mut entries: Vec<Entry> = LEXICON.iter().map(|(p, w)| (p.split(' ').collect(), *w)).collect();
        entries.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        entries
    })
}

/// One turn's signed valence: matched lexicon terms adjusted for negation, modifiers,
/// "but" and exclamation marks.
fn turn_valence(text: &str) -> f64 {
    let (ws, bangs) = tokens(text);
    // Words used up by a matched phrase ("no" in "no problem") do not modify other terms.
    let mut in_phrase = vec![false; ws.len()];
    let mut hits: Vec<(usize, usize, f64)> = Vec::new();
    let mut i = 0;
    while i < ws.len() {
        let hit = lexicon().iter().find(|(parts, _)| {
            i + parts.len() <= ws.len()
                && ws[i..i + parts.len()].iter().zip(parts).all(|(w, p)| w.text == *p && w.clause == ws[i].clause)
        });
        match hit {
            Some((parts, weight)) => {
                let end = i + parts.len();
                if parts.len() > 1 {
                    in_phrase[i..end].iter_mut().for_each(|b| *b = true);
                }
                hits.push((i, end, *weight));
                i = end;
            }
            None => i += 1,
        }
    }

    let mut sum = 0.0;
    for &(start, end, weight) in &hits {
        if weight == 0.0 {
            continue;
        }
        let clause = ws[start].clause;
        let mut value = weight;
        let mut negated = false;
        for back in 1..=NEGATION_WINDOW.min(start) {
            let w = &ws[start - back];
            if w.clause != clause || in_phrase[start - back] {
                break;
            }
            if is_negator(&w.text) {
                negated = true;
            }
            if let Some((_, factor, reach)) = MODIFIERS.iter().find(|(m, _, _)| *m == w.text) {
                if back <= *reach {
                    value *= factor;
                }
            }
            // "kind of", "sort of"
            if w.text == "of" && start - back > 0 {
                let before = &ws[start - back - 1].text;
                if before == "kind" || before == "sort" {
                    value *= 0.6;
                }
            }
        }
        if negated {
            value *= if weight > 0.0 { NEGATED_POSITIVE } else { NEGATED_NEGATIVE };
            let emphatic = ws[end..]
                .windows(2)
                .take(5)
                .take_while(|p| p[0].clause == clause)
                .any(|p| p[0].text == "at" && p[1].text == "all" && p[1].clause == clause);
            if emphatic {
                value *= AT_ALL;
            }
        }
        let taken_back = ws[end..].iter().take_while(|w| w.sentence == ws[start].sentence).any(|w| w.text == "but");
        if taken_back {
            value *= BEFORE_BUT;
        }
        sum += value;
    }
    sum * (1.0 + 0.1 * bangs.min(3) as f64)
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
            serde_json::from_str(include_str!("classify_examples.json")).expect("classify_examples.json parses");
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
