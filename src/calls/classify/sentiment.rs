//! The carrier's sentiment: a lexicon scorer over the carrier's turns (module docs of
//! [`super`] describe it). The weighted terms, negators and modifiers live in
//! `lexicon.txt`.

use super::lexicon::{is_negator, lexicon};
use super::speaker_turns;
use super::tokens::tokens;
use super::Sentiment;
use crate::parse::Turn;
use serde::Serialize;

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

/// One turn's signed valence: matched lexicon terms adjusted for negation, modifiers,
/// "but" and exclamation marks.
fn turn_valence(text: &str) -> f64 {
    let (ws, bangs) = tokens(text);
    // Words used up by a matched phrase ("no" in "no problem") do not modify other terms.
    let mut in_phrase = vec![false; ws.len()];
    let mut hits: Vec<(usize, usize, f64)> = Vec::new();
    let mut i = 0;
    while i < ws.len() {
        let hit = lexicon().sentiment.iter().find(|(parts, _)| {
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
            if let Some((_, factor, reach)) = lexicon().modifiers.iter().find(|(m, _, _)| *m == w.text) {
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
