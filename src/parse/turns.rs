//! Transcripts: a list of turns, a JSON string of one, or "Agent: ..." lines.

use super::{is_no_value, MAX_TRANSCRIPT_LEN};
use serde::Serialize;
use serde_json::Value;

/// A turn of the transcript; roles are normalised to `agent` and `carrier`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Turn {
    /// `agent`, `carrier`, `unknown` or the platform's own label.
    pub role: String,
    pub content: String,
}

fn normalise_role(role: &str) -> String {
    match role.trim().to_ascii_lowercase().as_str() {
        "assistant" | "agent" | "ai" | "bot" | "broker" | "system" => "agent".into(),
        "user" | "carrier" | "caller" | "human" | "customer" | "driver" | "dispatcher" => "carrier".into(),
        "" => "unknown".into(),
        other => other.chars().take(20).collect(),
    }
}

/// A transcript as a string, a list of `{role, content}` turns, or a JSON string of that
/// list. A plain string of "Agent: ..." / "Carrier: ..." lines is split into turns.
pub fn transcript(v: &Value) -> Result<Option<Vec<Turn>>, String> {
    if is_no_value(v) {
        return Ok(None);
    }
    let turns = match v {
        Value::Array(items) => turns_from_list(items)?,
        Value::String(s) => {
            if s.chars().count() > MAX_TRANSCRIPT_LEN {
                return Err(format!("is longer than {MAX_TRANSCRIPT_LEN} characters"));
            }
            let t = s.trim();
            if t.starts_with('[') {
                match serde_json::from_str::<Value>(t) {
                    Ok(Value::Array(items)) => turns_from_list(&items)?,
                    _ => turns_from_text(t),
                }
            } else {
                turns_from_text(t)
            }
        }
        _ => return Err("must be a string or a list of {role, content} turns".into()),
    };
    let total: usize = turns.iter().map(|t| t.content.chars().count()).sum();
    if total > MAX_TRANSCRIPT_LEN {
        return Err(format!("is longer than {MAX_TRANSCRIPT_LEN} characters"));
    }
    Ok(if turns.is_empty() { None } else { Some(turns) })
}

fn turns_from_list(items: &[Value]) -> Result<Vec<Turn>, String> {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::Object(o) => {
                let role = o.get("role").or_else(|| o.get("speaker")).and_then(Value::as_str).unwrap_or("");
                let content = o
                    .get("content")
                    .or_else(|| o.get("text"))
                    .or_else(|| o.get("message"))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .trim();
                if !content.is_empty() {
                    out.push(Turn { role: normalise_role(role), content: content.to_string() });
                }
            }
            Value::String(s) if !s.trim().is_empty() => out.extend(turns_from_text(s)),
            Value::Null => {}
            _ => return Err(format!("turn {} is not a {{role, content}} object", i + 1)),
        }
    }
    Ok(out)
}

fn turns_from_text(s: &str) -> Vec<Turn> {
    let mut out: Vec<Turn> = Vec::new();
    for line in s.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let labelled = line.split_once(':').filter(|(label, _)| {
            let l = label.trim();
            !l.is_empty() && l.len() <= 20 && l.chars().all(|c| c.is_alphabetic() || c == ' ')
        });
        match labelled {
            Some((label, content)) => {
                out.push(Turn { role: normalise_role(label), content: content.trim().to_string() })
            }
            None => match out.last_mut() {
                Some(last) => {
                    last.content.push(' ');
                    last.content.push_str(line);
                }
                None => out.push(Turn { role: "unknown".into(), content: line.to_string() }),
            },
        }
    }
    out
}
