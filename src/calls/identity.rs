//! Which call a tool request belongs to (SPEC §12.1), decided here and nowhere else.
//!
//! The voice platform fills a tool's `call_id` from one of its variables or from what the
//! agent remembers. Either may fail: a variable can be missing, renamed or left
//! unrendered (`"{{session.id}}"`), and an agent can forget. So the call is, in order:
//! 1. the id the request names (`call_id`, or its aliases `session_id`, `run_id`), unless
//!    it is missing or an unrendered template;
//! 2. else, when the caller's MC is known, the carrier's call in progress: the call whose
//!    latest verification of that MC is the most recent of the last two hours and which
//!    is not finalized (or was finalized within the retry window, so a retried finalize
//!    lands on the same record); failing that, the carrier's most recently active
//!    unfinalized call of the last two hours that was never verified, so a chain that
//!    skipped verify still holds together;
//! 3. else a new id, issued here.
//!
//! `fmcsa/verify` never resolves: it answers the id it was given or a new one, and the
//! kit's prompt tells the agent to pass that id to every later tool.

use super::store::identity::{attribute, Found};
use crate::db::to_ms;
use crate::error::AppResult;
use crate::parse::Fields;
use crate::state::AppState;
use actix_web::web;
use chrono::Utc;

/// The names a request may give its call's id under, in order of preference.
pub const NAMES: [&str; 3] = ["call_id", "session_id", "run_id"];

/// True for a value the platform was meant to fill but sent as written: `{{session.id}}`,
/// `{{ run_id }}`, `{call_id}`.
pub fn is_unrendered(s: &str) -> bool {
    let t = s.trim();
    t.contains("{{") || t.contains("}}") || (t.len() >= 2 && t.starts_with('{') && t.ends_with('}'))
}

/// The call id the request names, from `call_id` or its aliases; `None` when every one of
/// them is missing (absent, null, blank, a no-value word or an unrendered template). A
/// value that is present but cannot be an id (too long, control characters) is a 422
/// naming its field.
pub fn named(f: &Fields) -> AppResult<Option<String>> {
    let mut found = None;
    // Every name is read (so each is validated), the first usable one wins.
    for name in NAMES {
        let id = f.id(name)?.filter(|id| !is_unrendered(id));
        if found.is_none() {
            found = id;
        }
    }
    Ok(found)
}

/// A new call id: `call_` and 24 hex digits (within `[A-Za-z0-9_-]{1,64}`).
pub fn issue() -> String {
    format!("call_{}", crate::http::auth::random_hex(12))
}

/// The call of a request naming `named` (if any) from a caller with `mc` (if known),
/// found by `store::identity::attribute`: no database work when the request names its call.
pub async fn attribute_for(
    state: &web::Data<AppState>,
    named: Option<String>,
    mc: Option<&str>,
) -> AppResult<Option<String>> {
    if named.is_some() || mc.is_none() {
        return Ok(named);
    }
    let st = state.clone();
    let mc = mc.map(str::to_string);
    let retry_window_ms = state.settings.negotiation.retry_window_secs as i64 * 1000;
    let found = st
        .db
        .read(move |conn| -> AppResult<Option<(String, Found)>> {
            Ok(attribute(conn, None, mc.as_deref(), to_ms(Utc::now()), retry_window_ms)?)
        })
        .await?;
    if let Some((id, how)) = &found {
        log::info!(
            "call_id missing: attributed to {id} ({})",
            if *how == Found::Issued { "issued" } else { "the carrier's call in progress" }
        );
    }
    Ok(found.map(|(id, _)| id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn named_in(body: Value) -> Result<Option<String>, Option<String>> {
        let f = Fields::new(&body).unwrap();
        named(&f).map_err(|e| match e {
            crate::error::AppError::Client { field, .. } => field,
            _ => None,
        })
    }

    #[test]
    fn every_form_of_a_missing_call_id_is_missing() {
        for v in [
            json!(null),
            json!(""),
            json!("   "),
            json!("null"),
            json!("None"),
            json!("N/A"),
            json!("undefined"),
            json!("{{session.id}}"),
            json!("{{ session.id }}"),
            json!("{{run_id}}"),
            json!("call-{{session.id}}"),
            json!("{{session.id"),
            json!("session.id}}"),
            json!("{call_id}"),
            json!(" {session_id} "),
        ] {
            assert_eq!(named_in(json!({ "call_id": v.clone() })), Ok(None), "{v}");
        }
        assert_eq!(named_in(json!({})), Ok(None));
    }

    #[test]
    fn a_real_id_is_kept_and_the_aliases_stand_in_for_call_id() {
        let cases = [
            (json!({"call_id": "ses_5b1e"}), Some("ses_5b1e")),
            (json!({"call_id": " abc-1 "}), Some("abc-1")),
            (json!({"call_id": 8812}), Some("8812")),
            (json!({"session_id": "ses_1"}), Some("ses_1")),
            (json!({"run_id": "run_1"}), Some("run_1")),
            (json!({"call_id": "{{session.id}}", "session_id": "ses_2"}), Some("ses_2")),
            (json!({"call_id": "", "session_id": "{{session.id}}", "run_id": "run_3"}), Some("run_3")),
            (json!({"call_id": "c1", "session_id": "ses_9", "run_id": "run_9"}), Some("c1")),
            // Braces inside an id that is not a template are the id.
            (json!({"call_id": "a{b}c"}), Some("a{b}c")),
        ];
        for (body, want) in cases {
            assert_eq!(named_in(body.clone()), Ok(want.map(str::to_string)), "{body}");
        }
    }

    #[test]
    fn a_present_value_that_cannot_be_an_id_names_its_field() {
        assert_eq!(named_in(json!({"call_id": "x".repeat(129)})), Err(Some("call_id".into())));
        assert_eq!(named_in(json!({"session_id": ["a"]})), Err(Some("session_id".into())));
        assert_eq!(named_in(json!({"call_id": "a\u{7}b"})), Err(Some("call_id".into())));
        // Validated even when an earlier name already gave the id.
        assert_eq!(named_in(json!({"call_id": "c1", "session_id": "s".repeat(129)})), Err(Some("session_id".into())));
        assert_eq!(named_in(json!({"call_id": "c1", "run_id": "{{".repeat(70)})), Err(Some("run_id".into())));
    }

    #[test]
    fn issued_ids_are_short_distinct_and_url_safe() {
        let a = issue();
        let b = issue();
        assert_ne!(a, b);
        for id in [a, b] {
            assert!(id.len() <= 64 && id.starts_with("call_"), "{id}");
            assert!(id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'), "{id}");
        }
    }
}
