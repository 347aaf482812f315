//! The classifier's word lists, kept as data in `lexicon.txt` (compiled in) so they can be
//! tuned without touching the rules, and parsed once on first use.
//!
//! The file is part of the build, not input: the unit tests parse the shipped file and
//! reject malformed ones, so a broken list fails the test suite rather than a call.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

const SOURCE: &str = include_str!("lexicon.txt");

/// The sections `lexicon.txt` must hold, each present once and non-empty.
const SECTIONS: [&str; 8] = [
    "callback",
    "decline",
    "voicemail",
    "agent_disconnect",
    "carrier_disconnect",
    "sentiment",
    "negators",
    "modifiers",
];

/// A weighted sentiment term split into its words.
pub(super) type Term = (Vec<String>, f64);

/// An intensifier or diminisher: (word, factor, how many words before the term it may
/// stand).
pub(super) type Modifier = (String, f64, usize);

/// The parsed `lexicon.txt`; phrases are lower-case words separated by single spaces.
#[derive(Debug)]
pub(super) struct Lexicon {
    /// Ways carriers ask for, or promise, a follow-up call.
    pub(super) callback: Vec<String>,
    /// A carrier turning a pitched load down.
    pub(super) decline: Vec<String>,
    pub(super) voicemail: Vec<String>,
    /// What the agent says to a line that went quiet.
    pub(super) agent_disconnect: Vec<String>,
    /// What a carrier says as the line fails.
    pub(super) carrier_disconnect: Vec<String>,
    /// Longest phrase first, so it wins over its parts; equal lengths keep file order.
    pub(super) sentiment: Vec<Term>,
    /// Words that flip the sentiment of a term shortly after them in the same clause.
    pub(super) negators: Vec<String>,
    pub(super) modifiers: Vec<Modifier>,
}

/// The shipped lexicon, parsed on first use.
pub(super) fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(|| match Lexicon::parse(SOURCE) {
        Ok(lexicon) => lexicon,
        // Unreachable in a tested build: `shipped_lexicon_parses` parses this very text.
        Err(why) => panic!("src/calls/classify/lexicon.txt: {why}"),
    })
}

pub(super) fn is_negator(w: &str) -> bool {
    lexicon().negators.iter().any(|n| n == w)
}

/// A numbered non-comment line of the file.
type Line<'a> = (usize, &'a str);

impl Lexicon {
    pub(super) fn parse(source: &str) -> Result<Lexicon, String> {
        let sections = sections(source)?;
        let lines = |name: &str| sections.get(name).map(Vec::as_slice).unwrap_or_default();
        let terms: Vec<Term> = lines("sentiment").iter().map(|&l| term(l)).collect::<Result<_, _>>()?;
        let mut sentiment = unique(terms, |t| t.0.join(" "))?;
        sentiment.sort_by_key(|(parts, _)| std::cmp::Reverse(parts.len()));
        let negators: Vec<String> = lines("negators").iter().map(|&l| single_word(l)).collect::<Result<_, _>>()?;
        let modifiers: Vec<Modifier> = lines("modifiers").iter().map(|&l| modifier(l)).collect::<Result<_, _>>()?;
        Ok(Lexicon {
            callback: phrases(lines("callback"))?,
            decline: phrases(lines("decline"))?,
            voicemail: phrases(lines("voicemail"))?,
            agent_disconnect: phrases(lines("agent_disconnect"))?,
            carrier_disconnect: phrases(lines("carrier_disconnect"))?,
            sentiment,
            negators: unique(negators, String::clone)?,
            modifiers: unique(modifiers, |m| m.0.clone())?,
        })
    }
}

/// The entry lines of each section; every section of [`SECTIONS`] once and non-empty.
fn sections(source: &str) -> Result<BTreeMap<&str, Vec<Line<'_>>>, String> {
    let mut out: BTreeMap<&str, Vec<Line<'_>>> = BTreeMap::new();
    let mut current = None;
    for (i, raw) in source.lines().enumerate() {
        let (n, line) = (i + 1, raw.trim());
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if !SECTIONS.contains(&name) {
                return Err(format!("line {n}: unknown section [{name}]"));
            }
            if out.insert(name, Vec::new()).is_some() {
                return Err(format!("line {n}: section [{name}] appears twice"));
            }
            current = Some(name);
            continue;
        }
        let Some(name) = current else { return Err(format!("line {n}: `{line}` is before any [section]")) };
        out.entry(name).or_default().push((n, line));
    }
    match SECTIONS.iter().find(|s| out.get(*s).is_none_or(Vec::is_empty)) {
        Some(missing) => Err(format!("section [{missing}] is missing or empty")),
        None => Ok(out),
    }
}

/// Refuses a list in which two entries have the same key: a repeat is an editing slip,
/// and for weighted terms the second weight would silently never apply.
fn unique<T>(items: Vec<T>, key: impl Fn(&T) -> String) -> Result<Vec<T>, String> {
    let mut seen = HashSet::new();
    match items.iter().map(key).find(|k| !seen.insert(k.clone())) {
        Some(repeated) => Err(format!("`{repeated}` is listed twice in one section")),
        None => Ok(items),
    }
}

/// A phrase as transcripts are tokenised: lower-case letters and digits, words separated
/// by single spaces. Anything else could never match a transcript.
fn phrase((n, text): Line<'_>) -> Result<String, String> {
    let tokenised =
        text.split(' ').all(|w| !w.is_empty() && w.chars().all(char::is_alphanumeric) && w.to_lowercase() == w);
    if tokenised {
        Ok(text.to_string())
    } else {
        Err(format!("line {n}: `{text}` is not lower-case words separated by single spaces"))
    }
}

fn phrases(lines: &[Line<'_>]) -> Result<Vec<String>, String> {
    unique(lines.iter().map(|&l| phrase(l)).collect::<Result<_, _>>()?, String::clone)
}

fn single_word(line: Line<'_>) -> Result<String, String> {
    let word = phrase(line)?;
    match word.contains(' ') {
        true => Err(format!("line {}: `{word}` must be a single word", line.0)),
        false => Ok(word),
    }
}

/// `line` as a phrase followed by `count` space-separated values.
fn with_values(line: Line<'_>, count: usize) -> Result<(String, Vec<&str>), String> {
    let (n, text) = line;
    let mut parts: Vec<&str> = text.rsplitn(count + 1, ' ').collect();
    if parts.len() != count + 1 {
        return Err(format!("line {n}: `{text}` needs {count} value(s) after the phrase"));
    }
    let phrase_text = parts.pop().unwrap_or_default();
    parts.reverse();
    Ok((phrase((n, phrase_text))?, parts))
}

fn finite(n: usize, value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("line {n}: `{value}` is not a number")),
    }
}

/// `phrase weight`.
fn term(line: Line<'_>) -> Result<Term, String> {
    let (text, values) = with_values(line, 1)?;
    let weight = finite(line.0, values[0])?;
    Ok((text.split(' ').map(str::to_string).collect(), weight))
}

/// `word factor reach`: a positive factor and a reach of at least one word.
fn modifier(line: Line<'_>) -> Result<Modifier, String> {
    let n = line.0;
    let (word, values) = with_values(line, 2)?;
    if word.contains(' ') {
        return Err(format!("line {n}: modifier `{word}` must be a single word"));
    }
    let factor = finite(n, values[0])?;
    let reach = values[1].parse::<usize>().ok().filter(|r| *r > 0);
    match reach {
        Some(reach) if factor > 0.0 => Ok((word, factor, reach)),
        _ => Err(format!("line {n}: a modifier needs a positive factor and a reach of at least 1")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One entry in every section, valid.
    fn minimal() -> String {
        "[callback]\ncall me back\n[decline]\nno thanks\n[voicemail]\nleave a message\n\
         [agent_disconnect]\nstill there\n[carrier_disconnect]\nbreaking up\n\
         [sentiment]\nthanks 0.5\nthank you so much 2.5\n[negators]\nnot\n[modifiers]\nreally 1.5 2\n"
            .to_string()
    }

    #[test]
    fn shipped_lexicon_parses() {
        let l = Lexicon::parse(SOURCE).expect("lexicon.txt parses");
        let sizes = [
            l.callback.len(),
            l.decline.len(),
            l.voicemail.len(),
            l.agent_disconnect.len(),
            l.carrier_disconnect.len(),
            l.sentiment.len(),
            l.negators.len(),
            l.modifiers.len(),
        ];
        assert_eq!(sizes, [28, 59, 10, 14, 7, 244, 28, 25]);
        assert!(l.sentiment.windows(2).all(|p| p[0].0.len() >= p[1].0.len()), "longest phrase first");
        let weight = |p: &str| l.sentiment.iter().find(|(w, _)| w.join(" ") == p).map(|t| t.1);
        assert_eq!(weight("thanks"), Some(0.5));
        assert_eq!(weight("cheap broker"), Some(-2.5));
        assert_eq!(weight("deadhead"), Some(0.0));
        assert_eq!(l.modifiers.iter().find(|m| m.0 == "so"), Some(&("so".to_string(), 1.4, 1)));
        assert_eq!(l.callback.first().map(String::as_str), Some("call me back"));
        assert!(is_negator("dont") && !is_negator("do"));
    }

    #[test]
    fn minimal_lexicon_parses() {
        let l = Lexicon::parse(&minimal()).expect("minimal parses");
        assert_eq!(l.sentiment[0], (vec!["thank".to_string(), "you".into(), "so".into(), "much".into()], 2.5));
        assert_eq!(l.modifiers, vec![("really".to_string(), 1.5, 2)]);
    }

    #[test]
    fn malformed_lexicons_are_refused() {
        let cases: Vec<(&str, String)> = vec![
            ("empty file", String::new()),
            ("only comments", "# nothing\n\n".into()),
            ("empty section", minimal().replace("not\n", "")),
            ("missing section", minimal().replace("[voicemail]\nleave a message\n", "")),
            ("unknown section", minimal() + "[greetings]\nhello\n"),
            ("repeated section", minimal() + "[negators]\nnever\n"),
            ("entry before a section", format!("thanks 0.5\n{}", minimal())),
            ("missing weight", minimal().replace("thanks 0.5", "thanks")),
            ("weight not a number", minimal().replace("thanks 0.5", "thanks good")),
            ("weight not finite", minimal().replace("thanks 0.5", "thanks NaN")),
            ("apostrophe", minimal().replace("no thanks", "don't")),
            ("upper case", minimal().replace("call me back", "Call me back")),
            ("double space", minimal().replace("call me back", "call me  back")),
            ("repeated phrase", minimal().replace("no thanks\n", "no thanks\nno thanks\n")),
            ("repeated term", minimal().replace("thanks 0.5\n", "thanks 0.5\nthanks 1.0\n")),
            ("phrase as negator", minimal().replace("not\n", "not at all\n")),
            ("modifier without reach", minimal().replace("really 1.5 2", "really 1.5")),
            ("modifier reach zero", minimal().replace("really 1.5 2", "really 1.5 0")),
            ("modifier factor zero", minimal().replace("really 1.5 2", "really 0 2")),
        ];
        for (name, source) in cases {
            assert!(Lexicon::parse(&source).is_err(), "{name} was accepted");
        }
    }
}
