//! What the voice platform posts about a call (`calls/finalize`, `webhooks/happyrobot`),
//! read so that nothing it sent is lost (SPEC §12.2).
//!
//! A platform that builds a body from a raw JSON template pastes each value in as text,
//! so a transcript's line breaks arrive as raw control characters inside a string, and an
//! empty optional value can leave a trailing comma. Those two are repaired here (the
//! repair changes no value). Anything else that is not JSON (an unescaped quote inside a
//! transcript is the usual one) is not guessed at: the body is stored as it came, with
//! where it broke, and answered `400 invalid_json` with a `rejected_id`. Managers see the
//! stored bodies on the dashboard; an admin replays a corrected body
//! ([`super::rejected`]).

use crate::db::to_ms;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::http::observe::RequestId;
use crate::state::AppState;
use actix_web::{web, HttpMessage, HttpRequest};
use chrono::Utc;
use serde_json::Value;

pub use super::store::rejected::{keep, purge, Rejected};

/// The body with raw control characters inside strings escaped and trailing commas
/// before `}` or `]` dropped; `None` when there was nothing to repair. Values are never
/// changed: only bytes that make the text invalid JSON are touched.
pub fn repair(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() + 16);
    let mut changed = false;
    let mut in_string = false;
    let mut escaped = false;
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if in_string {
            if escaped {
                escaped = false;
                out.push(b);
            } else if b == b'\\' {
                escaped = true;
                out.push(b);
            } else if b == b'"' {
                in_string = false;
                out.push(b);
            } else if b < 0x20 {
                changed = true;
                match b {
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    other => out.extend_from_slice(format!("\\u{other:04x}").as_bytes()),
                }
            } else {
                out.push(b);
            }
        } else if b == b'"' {
            in_string = true;
            out.push(b);
        } else if b == b',' {
            let next = input[i + 1..].iter().find(|c| !c.is_ascii_whitespace());
            if matches!(next, Some(b'}') | Some(b']')) {
                changed = true;
            } else {
                out.push(b);
            }
        } else {
            out.push(b);
        }
        i += 1;
    }
    changed.then_some(out)
}

/// Where and why a body is not JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFailure {
    pub message: String,
    pub line: i64,
    pub column: i64,
}

/// The body as JSON, repaired if it needs it ([`repair`]); the failure of the original
/// text when even the repaired one cannot be read.
pub fn parse(body: &[u8]) -> Result<(Value, bool), ParseFailure> {
    match serde_json::from_slice::<Value>(body) {
        Ok(v) => Ok((v, false)),
        Err(original) => {
            if let Some(Ok(v)) = repair(body).map(|fixed| serde_json::from_slice::<Value>(&fixed)) {
                return Ok((v, true));
            }
            Err(ParseFailure {
                message: original.to_string(),
                line: original.line() as i64,
                column: original.column() as i64,
            })
        }
    }
}

/// Reads a platform webhook's body: parsed (repaired if need be), or kept as rejected and
/// answered `400 invalid_json` with its `rejected_id`.
pub async fn read(state: &web::Data<AppState>, req: &HttpRequest, body: &[u8]) -> AppResult<Value> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::bad_request(ErrorCode::InvalidJson, "The request body is empty; send a JSON object."));
    }
    let route = req.match_pattern().unwrap_or_else(|| req.path().to_string());
    let telemetry = crate::telemetry::telemetry();
    match parse(body) {
        Ok((value, repaired)) => {
            if repaired {
                telemetry.webhooks_repaired.with_label_values(&[&route]).inc();
                log::info!(
                    "{route}: repaired a body that was not valid JSON (raw control characters or a trailing comma)"
                );
            }
            Ok(value)
        }
        Err(failure) => {
            telemetry.webhooks_rejected.with_label_values(&[&route]).inc();
            let rejected = Rejected {
                rejected_id: format!("rej_{}", crate::http::auth::random_hex(10)),
                route: route.clone(),
                received_at: to_ms(Utc::now()),
                error: failure.message.clone(),
                error_line: failure.line,
                error_column: failure.column,
                body: String::from_utf8_lossy(body).into_owned(),
                request_id: req.extensions().get::<RequestId>().map(|r| r.0.clone()),
            };
            let id = rejected.rejected_id.clone();
            state.db.write(move |conn| keep(conn, &rejected)).await?;
            log::warn!("{route}: kept an unreadable body as {id} ({})", failure.message);
            Err(AppError::bad_request(
                ErrorCode::InvalidJson,
                format!(
                    "The request body is not valid JSON ({}). It was kept as {id}; an admin can replay it corrected.",
                    failure.message
                ),
            )
            .with_extra("rejected_id", Value::String(id)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parsed(text: &str) -> Result<(Value, bool), ParseFailure> {
        parse(text.as_bytes())
    }

    #[test]
    fn raw_line_breaks_and_tabs_inside_strings_are_escaped() {
        let body = "{\"call_id\": \"c1\", \"transcript\": \"Agent: MC number?\nCarrier: 700010.\r\n\tThanks\"}";
        let (v, repaired) = parsed(body).unwrap();
        assert!(repaired);
        assert_eq!(v["transcript"], "Agent: MC number?\nCarrier: 700010.\r\n\tThanks");
        assert_eq!(v["call_id"], "c1");
    }

    #[test]
    fn other_control_characters_become_unicode_escapes() {
        let (v, repaired) = parsed("{\"a\": \"x\u{1}y\"}").unwrap();
        assert!(repaired);
        assert_eq!(v["a"], "x\u{1}y");
    }

    #[test]
    fn trailing_commas_are_dropped_outside_strings_only() {
        let (v, repaired) = parsed("{\"a\": [1, 2, ], \"b\": {\"c\": \",}\", },\n}").unwrap();
        assert!(repaired);
        assert_eq!(v, json!({"a": [1, 2], "b": {"c": ",}"}}));
    }

    #[test]
    fn escaped_quotes_and_backslashes_keep_their_meaning() {
        let text = "{\"t\": \"she said \\\"ok\\\"\nthen \\\\\", \"u\": 1,}";
        let (v, repaired) = parsed(text).unwrap();
        assert!(repaired);
        assert_eq!(v["t"], "she said \"ok\"\nthen \\");
        assert_eq!(v["u"], 1);
    }

    #[test]
    fn valid_json_is_read_as_it_is() {
        let (v, repaired) = parsed("{\"a\": \"x\\ny\", \"b\": [1,2]}").unwrap();
        assert!(!repaired);
        assert_eq!(v, json!({"a": "x\ny", "b": [1, 2]}));
        assert_eq!(repair(b"{\"a\": [1, 2]}"), None);
    }

    #[test]
    fn unescaped_quotes_are_not_guessed_at() {
        let body = "{\"call_id\": \"c1\",\n \"transcript\": \"Carrier: I said \"no\" to that\"}";
        let failure = parsed(body).unwrap_err();
        assert_eq!(failure.line, 2, "{failure:?}");
        assert!(failure.column > 0, "{failure:?}");
        assert!(!failure.message.is_empty());
    }

    #[test]
    fn a_truncated_body_is_rejected_with_its_position() {
        let failure = parsed("{\"call_id\": \"c1\", \"outcome\": ").unwrap_err();
        assert_eq!(failure.line, 1);
    }
}
