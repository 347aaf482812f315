//! The transcript cues of the outcome rules: callbacks, declines, voicemail and a call
//! that ends on a failed line. The phrase lists live in `lexicon.txt`.

use super::is_speaker;
use super::lexicon::{is_negator, lexicon};
use super::tokens::{contains_any, find_phrase, words};
use crate::parse::Turn;

/// The carrier asks for, or promises, a follow-up call, not negated.
pub(super) fn asks_for_callback(ws: &[String]) -> bool {
    lexicon().callback.iter().any(|p| {
        // "no need to call me back" / "don't call me back" is the opposite of a request.
        find_phrase(ws, p).any(|at| !ws[at.saturating_sub(3)..at].iter().any(|w| is_negator(w)))
    })
}

/// A carrier turning a pitched load down, politely or not.
pub(super) fn declines(ws: &[String]) -> bool {
    contains_any(ws, &lexicon().decline)
}

/// A voicemail greeting answered instead of the carrier.
pub(super) fn is_voicemail(ws: &[String]) -> bool {
    contains_any(ws, &lexicon().voicemail)
}

/// The call ends on a failed line: after the carrier's last words the agent is asking an
/// empty line whether anyone is there, or the carrier's last words were about the line.
/// Only the end counts: a mid-call "are you still there?" that got an answer is no hang-up.
pub(super) fn ends_disconnected(transcript: &[Turn]) -> bool {
    let last_speaker = transcript.iter().rposition(is_speaker);
    let tail = &transcript[last_speaker.map_or(0, |i| i + 1)..];
    let agent_sees_drop = tail.iter().any(|t| contains_any(&words(&t.content), &lexicon().agent_disconnect));
    let carrier_sees_drop =
        last_speaker.is_some_and(|i| contains_any(&words(&transcript[i].content), &lexicon().carrier_disconnect));
    agent_sees_drop || carrier_sees_drop
}
