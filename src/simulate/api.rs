//! Talking to the service: every tool request of a simulated call goes through [`Api`],
//! which times it, waits out rate limits and counts what failed.

use super::Tool;
use crate::error::ErrorCode;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
pub(super) struct Stats {
    pub(super) latency_ms: BTreeMap<Tool, Vec<f64>>,
    pub(super) failed: BTreeMap<Tool, usize>,
    /// "evaluate 500 internal_error" → count.
    pub(super) errors: BTreeMap<String, usize>,
    pub(super) server_errors: usize,
    pub(super) transport_errors: usize,
    pub(super) client_errors: usize,
    pub(super) throttled: usize,
    /// Expected refusals (409 load_already_booked, ...) by code.
    pub(super) refusals: BTreeMap<String, usize>,
}

/// A tool's answer: 2xx, or a refusal the caller said it expects.
pub(super) enum Answer {
    Ok(Value),
    Refused { code: ErrorCode, message: String },
}

/// The call cannot go on (5xx, transport error, unexpected refusal); already counted.
#[derive(Debug)]
pub(super) struct Broken;

pub(super) struct Api {
    pub(super) client: reqwest::Client,
    pub(super) base: String,
    pub(super) key: String,
    pub(super) stats: Mutex<Stats>,
}

impl Api {
    pub(super) fn stats(&self) -> std::sync::MutexGuard<'_, Stats> {
        self.stats.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn fail(&self, tool: Tool, what: String) {
        let mut s = self.stats();
        *s.failed.entry(tool).or_default() += 1;
        *s.errors.entry(format!("{} {what}", tool.name())).or_default() += 1;
    }

    /// POSTs `body`; 429s are waited out and retried (the request was not processed).
    pub(super) async fn call(&self, tool: Tool, body: &Value, expected: &[ErrorCode]) -> Result<Answer, Broken> {
        let url = format!("{}{}", self.base, tool.path());
        for _attempt in 0..30 {
            let t0 = Instant::now();
            let sent = self.client.post(&url).header("api-key", &self.key).json(body).send().await;
            let res = match sent {
                Ok(r) => r,
                Err(e) => {
                    self.stats().transport_errors += 1;
                    let kind = if e.is_timeout() {
                        "timeout"
                    } else if e.is_connect() {
                        "connection refused or failed"
                    } else {
                        "transport error"
                    };
                    self.fail(tool, kind.to_string());
                    return Err(Broken);
                }
            };
            let status = res.status().as_u16();
            let retry_after = res
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let text = match res.text().await {
                Ok(t) => t,
                Err(_) => {
                    self.stats().transport_errors += 1;
                    self.fail(tool, format!("{status} body not read"));
                    return Err(Broken);
                }
            };
            let ms = t0.elapsed().as_secs_f64() * 1000.0;
            let parsed: Option<Value> = serde_json::from_str(&text).ok();
            if status == 429 {
                self.stats().throttled += 1;
                tokio::time::sleep(Duration::from_secs(retry_after.unwrap_or(1).clamp(1, 30))).await;
                continue;
            }
            self.stats().latency_ms.entry(tool).or_default().push(ms);
            if (200..300).contains(&status) {
                return match parsed {
                    Some(v) => Ok(Answer::Ok(v)),
                    None => {
                        self.stats().server_errors += 1;
                        self.fail(tool, format!("{status} answer is not JSON"));
                        Err(Broken)
                    }
                };
            }
            let code = parsed
                .as_ref()
                .and_then(|v| v["error"]["code"].as_str())
                .unwrap_or(if status >= 500 { "server_error" } else { "no_error_code" })
                .to_string();
            let message = parsed.as_ref().and_then(|v| v["error"]["message"].as_str()).unwrap_or("").to_string();
            if status >= 500 {
                self.stats().server_errors += 1;
                self.fail(tool, format!("{status} {code}"));
                return Err(Broken);
            }
            if let Some(&refusal) = expected.iter().find(|e| e.as_str() == code) {
                *self.stats().refusals.entry(format!("{} {status} {code}", tool.name())).or_default() += 1;
                return Ok(Answer::Refused { code: refusal, message });
            }
            self.stats().client_errors += 1;
            let field = parsed.as_ref().and_then(|v| v["error"]["field"].as_str()).map(|f| format!(" [{f}]"));
            self.fail(tool, format!("{status} {code}{}", field.unwrap_or_default()));
            return Err(Broken);
        }
        self.stats().client_errors += 1;
        self.fail(tool, "429 rate limited 30 times".to_string());
        Err(Broken)
    }
}
