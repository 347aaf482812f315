//! Transcript text as the classifier sees it: lower-case words with their clause and
//! sentence, and phrase matching over them.

/// A word of a turn with the clause and sentence it belongs to.
#[derive(Debug)]
pub(super) struct Word {
    pub(super) text: String,
    pub(super) clause: usize,
    pub(super) sentence: usize,
}

/// Words plus the turn's exclamation-mark count. Commas and the like end a clause (the
/// reach of a negation), `.`, `!`, `?` end a sentence (the reach of "but").
pub(super) fn tokens(text: &str) -> (Vec<Word>, usize) {
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

/// Lower-case words with apostrophes dropped ("don't" → "dont") so phrase lists need one
/// spelling; punctuation and digits' separators split words.
pub(super) fn words(text: &str) -> Vec<String> {
    tokens(text).0.into_iter().map(|w| w.text).collect::<Vec<_>>()
}

/// Start positions of `phrase` (space-separated words) in `ws`.
pub(super) fn find_phrase<'a>(ws: &'a [String], phrase: &'a str) -> impl Iterator<Item = usize> + 'a {
    let parts: Vec<&str> = phrase.split(' ').collect();
    let n = parts.len();
    (0..ws.len().saturating_sub(n - 1)).filter(move |&i| ws[i..i + n].iter().zip(&parts).all(|(w, p)| w == p))
}

/// Some phrase of `phrases` occurs in `ws`.
pub(super) fn contains_any(ws: &[String], phrases: &[String]) -> bool {
    phrases.iter().any(|p| find_phrase(ws, p).next().is_some())
}
