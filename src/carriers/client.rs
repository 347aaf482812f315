//! The FMCSA QCMobile client (SPEC §6): `GET {base}/carriers/docket-number/{mc}` (content
//! is a list of `{_links, carrier}`) and `GET {base}/carriers/{dot}` (content is one
//! object), each with `?webKey=KEY`.
//!
//! QCMobile answers in more shapes than its documentation admits (bodies in
//! `tests/fixtures/fmcsa/`): an unknown carrier is HTTP 200 with `content: null` (or
//! `[]`); a bad key is HTTP 404 whose `content` is a plain string ("Webkey not found");
//! during maintenance it serves an HTML page with HTTP 200. Only a JSON `content` that is
//! null, a list or an object is an answer about the carrier; everything else means FMCSA
//! could not be asked, which the caller reports as `unavailable`, never `not_found`.
//!
//! Every request runs against a deadline: one attempt gets part of the time left and a
//! transient failure (timeout, connection error, 5xx, 429) is retried once if time
//! remains. The key lives only in the URL handed to reqwest: errors are built from the
//! endpoint's template, reqwest errors are stripped of their URL, and any text that
//! reaches a log goes through [`QcMobile::redact`].

use super::carrier::Carrier;
use super::eligibility::{self, Docket};
use super::query::{CarrierQuery, DotNumber, Lookup};
use crate::config::Secret;
use crate::types::McNumber;
use anyhow::Context;
use futures_util::future::join_all;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::Value;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// The first attempt's share of the time left, so a timed-out attempt leaves room for
/// the retry.
const FIRST_ATTEMPT_SHARE: f64 = 0.6;
/// Below this, a retry or a secondary lookup is not worth starting.
const MIN_ATTEMPT: Duration = Duration::from_millis(100);
/// Secondary lookups stop this much before the deadline, so the main answer survives
/// a secondary one that hangs.
const SECONDARY_MARGIN: Duration = Duration::from_millis(50);
/// QCMobile bodies are a few kB; anything far larger is not an answer.
const MAX_BODY_BYTES: u64 = 2 * 1024 * 1024;

/// The QCMobile endpoints used, with their path templates (what logs show).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Docket,
    Carrier,
    DocketNumbers,
}

impl Endpoint {
    pub fn template(self) -> &'static str {
        match self {
            Endpoint::Docket => "/carriers/docket-number/{mc}",
            Endpoint::Carrier => "/carriers/{dot}",
            Endpoint::DocketNumbers => "/carriers/{dot}/docket-numbers",
        }
    }

    fn path(self, id: &str) -> String {
        match self {
            Endpoint::Docket => format!("/carriers/docket-number/{id}"),
            Endpoint::Carrier => format!("/carriers/{id}"),
            Endpoint::DocketNumbers => format!("/carriers/{id}/docket-numbers"),
        }
    }
}

/// Why QCMobile gave no answer. The text names the endpoint template, never a URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("FMCSA {endpoint}: no answer within {ms} ms")]
    Timeout { endpoint: &'static str, ms: u128 },
    #[error("FMCSA {endpoint}: connection failed ({detail})")]
    Transport { endpoint: &'static str, detail: String },
    #[error("FMCSA {endpoint}: HTTP {status} (server error)")]
    Server { endpoint: &'static str, status: u16 },
    #[error("FMCSA {endpoint}: request refused with HTTP {status} ({message})")]
    Rejected { endpoint: &'static str, status: u16, message: String },
    #[error("FMCSA {endpoint}: maintenance page (HTTP {status}, HTML instead of JSON)")]
    Maintenance { endpoint: &'static str, status: u16 },
    #[error("FMCSA {endpoint}: HTTP {status} redirect, not followed (check FMCSA_BASE_URL)")]
    Redirected { endpoint: &'static str, status: u16 },
    #[error("FMCSA {endpoint}: unusable answer ({detail})")]
    Malformed { endpoint: &'static str, detail: String },
    #[error("FMCSA {endpoint}: no time left in the lookup budget")]
    NoTime { endpoint: &'static str },
}

impl FetchError {
    /// Worth one retry: the next attempt may well succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, FetchError::Timeout { .. } | FetchError::Transport { .. } | FetchError::Server { .. })
    }
}

/// Reads one QCMobile HTTP answer into its `content` (null, a list or an object).
pub fn classify(endpoint: Endpoint, status: u16, content_type: Option<&str>, body: &[u8]) -> Result<Value, FetchError> {
    let endpoint_label = endpoint.template();
    if status >= 500 || status == 429 {
        return Err(FetchError::Server { endpoint: endpoint_label, status });
    }
    if (300..400).contains(&status) {
        return Err(FetchError::Redirected { endpoint: endpoint_label, status });
    }
    let Ok(json) = serde_json::from_slice::<Value>(body) else {
        let html = content_type.is_some_and(|c| c.to_ascii_lowercase().contains("html"))
            || body.trim_ascii_start().starts_with(b"<");
        return Err(if html {
            FetchError::Maintenance { endpoint: endpoint_label, status }
        } else {
            FetchError::Malformed {
                endpoint: endpoint_label,
                detail: format!("HTTP {status} with a body that is not JSON"),
            }
        });
    };
    match json.get("content") {
        // QCMobile's way of refusing: "Webkey not found" and the like.
        Some(Value::String(msg)) => {
            Err(FetchError::Rejected { endpoint: endpoint_label, status, message: crate::types::shorten(msg) })
        }
        _ if !(200..300).contains(&status) => {
            Err(FetchError::Rejected { endpoint: endpoint_label, status, message: "no usable content".into() })
        }
        Some(c @ (Value::Null | Value::Array(_) | Value::Object(_))) => Ok(c.clone()),
        Some(_) => Err(FetchError::Malformed {
            endpoint: endpoint_label,
            detail: "`content` is neither a list, an object nor null".into(),
        }),
        None => Err(FetchError::Malformed { endpoint: endpoint_label, detail: "no `content` member".into() }),
    }
}

/// The carrier objects in a `content`: a list of `{_links, carrier}` (docket lookup),
/// one such object (USDOT lookup), or bare carrier objects. Each comes back with its
/// parsed form; records naming no carrier are skipped, but if every record is
/// unreadable the answer is not trusted as "not found".
pub fn carrier_records(endpoint: Endpoint, content: &Value) -> Result<Vec<(Value, Carrier)>, FetchError> {
    let items: Vec<&Value> = match content {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => vec![content],
        _ => vec![],
    };
    let total = items.len();
    let records: Vec<(Value, Carrier)> = items
        .into_iter()
        .filter_map(|item| {
            let raw = match item.get("carrier") {
                Some(c) => c,
                None => item,
            };
            Carrier::from_qcmobile(raw).ok().map(|parsed| (raw.clone(), parsed))
        })
        .collect();
    if total > 0 && records.is_empty() {
        return Err(FetchError::Malformed {
            endpoint: endpoint.template(),
            detail: format!("{total} record(s), none naming a carrier"),
        });
    }
    Ok(records)
}

/// The dockets in a `/carriers/{dot}/docket-numbers` content.
pub fn dockets(content: &Value) -> Vec<Docket> {
    let Value::Array(items) = content else {
        return vec![];
    };
    items
        .iter()
        .filter_map(|item| {
            let number = match item.get("docketNumber")? {
                Value::Number(n) => n.to_string(),
                Value::String(s) => s.trim().to_string(),
                _ => return None,
            };
            let number = number.trim_start_matches('0').to_string();
            let prefix = item.get("prefix").and_then(Value::as_str).unwrap_or("MC").trim().to_ascii_uppercase();
            (!number.is_empty()).then_some(Docket { prefix, number })
        })
        .collect()
}

pub struct QcMobile {
    /// Built off the start-up path (loading the system's root certificates takes
    /// ~150 ms): a background thread starts on it at once, and a lookup arriving
    /// before it is done waits for it.
    http: Arc<OnceLock<Result<reqwest::Client, String>>>,
    timeout: Duration,
    base_url: String,
    web_key: Secret,
}

fn build_http(timeout: Duration) -> Result<reqwest::Client, String> {
    crate::http::tls::client_builder()
        .connect_timeout(timeout)
        .timeout(timeout)
        .pool_idle_timeout(Duration::from_secs(60))
        .user_agent(concat!("carrier-sales/", env!("CARGO_PKG_VERSION")))
        // A redirect would carry the web key (in the URL, or a `Referer`) to whatever host
        // it names, and that host's answer would be taken for FMCSA's.
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        .build()
        .map_err(|e| format!("building the HTTP client: {e}"))
}

impl QcMobile {
    /// `timeout` caps any single request (connect included); each lookup also runs
    /// against its own deadline.
    pub fn new(base_url: &str, web_key: Secret, timeout: Duration) -> anyhow::Result<QcMobile> {
        let base_url = base_url.trim().trim_end_matches('/').to_string();
        let parsed =
            reqwest::Url::parse(&base_url).with_context(|| format!("FMCSA_BASE_URL `{base_url}` is not a URL"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            anyhow::bail!("FMCSA_BASE_URL must be an http(s) URL, got `{base_url}`");
        }
        let http = Arc::new(OnceLock::new());
        let warm = http.clone();
        std::thread::Builder::new()
            .name("fmcsa-client".into())
            .spawn(move || {
                warm.get_or_init(|| build_http(timeout));
            })
            .context("starting the FMCSA client thread")?;
        Ok(QcMobile { http, timeout, base_url, web_key })
    }

    fn http(&self, endpoint: Endpoint) -> Result<&reqwest::Client, FetchError> {
        self.http
            .get_or_init(|| build_http(self.timeout))
            .as_ref()
            .map_err(|detail| FetchError::Transport { endpoint: endpoint.template(), detail: detail.clone() })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Removes the web key from any text (an error chain, a server message).
    pub fn redact(&self, text: &str) -> String {
        let key = self.web_key.expose();
        if key.is_empty() {
            text.to_string()
        } else {
            text.replace(key, "[redacted]")
        }
    }

    /// The URL as logs may show it: the endpoint template and a redacted key.
    pub fn loggable_url(&self, endpoint: Endpoint) -> String {
        format!("{}{}?webKey=[redacted]", self.base_url, endpoint.template())
    }

    fn url(&self, endpoint: Endpoint, id: &str) -> Result<reqwest::Url, FetchError> {
        let mut url = reqwest::Url::parse(&format!("{}{}", self.base_url, endpoint.path(id))).map_err(|_| {
            FetchError::Malformed { endpoint: endpoint.template(), detail: "the request URL could not be built".into() }
        })?;
        url.query_pairs_mut().append_pair("webKey", self.web_key.expose());
        Ok(url)
    }

    fn transport_error(&self, endpoint: Endpoint, e: reqwest::Error, limit: Duration) -> FetchError {
        if e.is_timeout() {
            return FetchError::Timeout { endpoint: endpoint.template(), ms: limit.as_millis() };
        }
        // reqwest's own text carries the URL (and so the key): drop it, keep the causes.
        let e = e.without_url();
        let mut detail = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            detail.push_str(": ");
            detail.push_str(&s.to_string());
            source = s.source();
        }
        FetchError::Transport { endpoint: endpoint.template(), detail: self.redact(&detail) }
    }

    /// One HTTP exchange, cut off after `limit`.
    async fn attempt(&self, endpoint: Endpoint, id: &str, limit: Duration) -> Result<Value, FetchError> {
        let url = self.url(endpoint, id)?;
        log::debug!("FMCSA GET {}", self.loggable_url(endpoint));
        let exchange = async {
            let resp = self
                .http(endpoint)?
                .get(url)
                .header(ACCEPT, "application/json")
                .timeout(limit)
                .send()
                .await
                .map_err(|e| self.transport_error(endpoint, e, limit))?;
            let status = resp.status().as_u16();
            if resp.content_length().is_some_and(|n| n > MAX_BODY_BYTES) {
                return Err(FetchError::Malformed {
                    endpoint: endpoint.template(),
                    detail: format!("HTTP {status} with an oversized body"),
                });
            }
            let content_type = resp.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
            let body = resp.bytes().await.map_err(|e| self.transport_error(endpoint, e, limit))?;
            classify(endpoint, status, content_type.as_deref(), &body).map_err(|e| match e {
                FetchError::Rejected { endpoint, status, message } => {
                    FetchError::Rejected { endpoint, status, message: self.redact(&message) }
                }
                other => other,
            })
        };
        match tokio::time::timeout(limit, exchange).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::Timeout { endpoint: endpoint.template(), ms: limit.as_millis() }),
        }
    }

    /// A GET within `deadline`. A main lookup (`retry`) always makes its first attempt
    /// and retries a transient failure once if time remains; a secondary one makes a
    /// single attempt, and only when a useful slice of time is left.
    async fn get(&self, endpoint: Endpoint, id: &str, deadline: Instant, retry: bool) -> Result<Value, FetchError> {
        let mut failed: Option<FetchError> = None;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let floor = if retry && failed.is_none() { Duration::ZERO } else { MIN_ATTEMPT };
            if left.is_zero() || left < floor {
                return Err(failed.unwrap_or(FetchError::NoTime { endpoint: endpoint.template() }));
            }
            let first = failed.is_none();
            // Keep time for the retry unless the budget is too small to hold one anyway.
            let limit = if retry && first && left.mul_f64(1.0 - FIRST_ATTEMPT_SHARE) >= MIN_ATTEMPT {
                left.mul_f64(FIRST_ATTEMPT_SHARE)
            } else {
                left
            };
            match self.attempt(endpoint, id, limit).await {
                Ok(content) => return Ok(content),
                Err(e) if retry && first && e.is_transient() => {
                    log::info!("{e}; retrying once");
                    failed = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The lookup a verification needs, finished by `deadline`.
    pub async fn lookup(&self, query: &CarrierQuery, deadline: Instant) -> Result<Lookup, FetchError> {
        match query {
            CarrierQuery::Mc(mc) => self.by_docket(mc, deadline).await,
            CarrierQuery::Dot(dot) => self.by_dot(dot, deadline).await,
        }
    }

    async fn by_docket(&self, mc: &McNumber, deadline: Instant) -> Result<Lookup, FetchError> {
        let content = self.get(Endpoint::Docket, mc.as_str(), deadline, true).await?;
        let mut records = carrier_records(Endpoint::Docket, &content)?;
        let mc_number = Some(mc.as_str().to_string());
        match records.len() {
            0 => Ok(Lookup::NotFound),
            1 => Ok(Lookup::Found { carrier: records.remove(0).0, mc_number, docket_records: 1 }),
            n => {
                // Several USDOT records on one docket: ask each which dockets it holds.
                let secondary_deadline = deadline.checked_sub(SECONDARY_MARGIN).unwrap_or(deadline);
                let answers = join_all(records.iter().map(|(_, c)| async move {
                    match c.dot_number.as_deref() {
                        Some(dot) => self.docket_numbers(dot, secondary_deadline).await.map(Some),
                        // A record without a USDOT number cannot be asked: it holds nothing.
                        None => Ok(None),
                    }
                }))
                .await;
                let lists: Vec<Option<Vec<Docket>>> =
                    answers.iter().map(|a| a.as_ref().ok().and_then(Clone::clone)).collect();
                match eligibility::choose_by_docket(&lists, mc.as_str()) {
                    Some(i) => Ok(Lookup::Found { carrier: records.swap_remove(i).0, mc_number, docket_records: n }),
                    // Nobody chosen because FMCSA did not answer is not a verdict: the
                    // docket is only ambiguous when every record could be asked.
                    None => match answers.into_iter().find_map(Result::err) {
                        Some(e) => Err(e),
                        None => Ok(Lookup::Unresolved { mc_number, docket_records: n }),
                    },
                }
            }
        }
    }

    async fn by_dot(&self, dot: &DotNumber, deadline: Instant) -> Result<Lookup, FetchError> {
        let content = self.get(Endpoint::Carrier, dot.as_str(), deadline, true).await?;
        let mut records = carrier_records(Endpoint::Carrier, &content)?;
        if records.is_empty() {
            return Ok(Lookup::NotFound);
        }
        let i = records.iter().position(|(_, c)| c.dot_number.as_deref() == Some(dot.as_str())).unwrap_or(0);
        let carrier = records.swap_remove(i).0;
        // The MC docket lets the call's later steps find this verification by MC.
        let secondary_deadline = deadline.checked_sub(SECONDARY_MARGIN).unwrap_or(deadline);
        let mc_number = self
            .docket_numbers(dot.as_str(), secondary_deadline)
            .await
            .ok()
            .and_then(|list| list.into_iter().find(|d| d.prefix == "MC").map(|d| d.number));
        Ok(Lookup::Found { carrier, mc_number, docket_records: 1 })
    }

    /// A secondary lookup: one attempt.
    async fn docket_numbers(&self, dot: &str, deadline: Instant) -> Result<Vec<Docket>, FetchError> {
        self.get(Endpoint::DocketNumbers, dot, deadline, false).await.map(|content| dockets(&content)).inspect_err(
            |e| {
                log::info!("{e}; going on without it");
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/tests/fixtures/fmcsa/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
    }

    #[test]
    fn every_fixture_kind_is_classified() {
        let json_ct = Some("application/json");
        // A docket lookup: content is a list of {_links, carrier}.
        let content =
            classify(Endpoint::Docket, 200, json_ct, &fixture("carrier_by_docket_mc1515_active_multi_authority.json"))
                .unwrap();
        let records = carrier_records(Endpoint::Docket, &content).unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].1.dot_number.as_deref(), Some("44110"));

        // A USDOT lookup: content is one object.
        let content = classify(Endpoint::Carrier, 200, json_ct, &fixture("carrier_by_dot_158121_active.json")).unwrap();
        let records = carrier_records(Endpoint::Carrier, &content).unwrap();
        assert_eq!(records[0].1.legal_name.as_deref(), Some("VERIHA TRUCKING INC"));

        // Unknown carrier: 200 with content null, or an empty list.
        let content = classify(Endpoint::Carrier, 200, json_ct, &fixture("carrier_by_dot_not_found_200.json")).unwrap();
        assert!(carrier_records(Endpoint::Carrier, &content).unwrap().is_empty());
        let content = classify(Endpoint::Docket, 200, json_ct, br#"{"content": []}"#).unwrap();
        assert!(carrier_records(Endpoint::Docket, &content).unwrap().is_empty());

        // Bad key: 404 with a string content. Refused, never "not found".
        let err = classify(Endpoint::Docket, 404, json_ct, &fixture("error_404_webkey_not_found.json")).unwrap_err();
        assert!(
            matches!(&err, FetchError::Rejected { status: 404, message, .. } if message == "Webkey not found"),
            "{err:?}"
        );
        assert!(!err.is_transient());

        // Maintenance: 200 with an HTML page, with or without a content type.
        let page = b"<!DOCTYPE html><html><body>System maintenance</body></html>";
        for ct in [Some("text/html; charset=utf-8"), None] {
            let err = classify(Endpoint::Docket, 200, ct, page).unwrap_err();
            assert!(matches!(err, FetchError::Maintenance { status: 200, .. }), "{err:?}");
        }

        // Server errors and rate limits are transient.
        for status in [500, 502, 503, 504, 429] {
            let err = classify(Endpoint::Docket, status, None, b"oops").unwrap_err();
            assert!(err.is_transient(), "{status}");
        }

        // Other shapes are not answers.
        for body in [&br#"{"retrievalDate": "x"}"#[..], br#"{"content": 5}"#, b"plain text"] {
            let err = classify(Endpoint::Docket, 200, json_ct, body).unwrap_err();
            assert!(matches!(err, FetchError::Malformed { .. }), "{err:?}");
        }
        // A redirect is never followed nor read, whatever its body says.
        let err = classify(Endpoint::Docket, 302, json_ct, br#"{"content": []}"#).unwrap_err();
        assert!(matches!(err, FetchError::Redirected { status: 302, .. }), "{err:?}");
        assert!(!err.is_transient());
        let err = classify(Endpoint::Docket, 404, json_ct, br#"{"content": null}"#).unwrap_err();
        assert!(matches!(err, FetchError::Rejected { status: 404, .. }));
    }

    #[test]
    fn records_without_a_carrier_are_not_taken_for_not_found() {
        let content = json!([{"_links": {}}]);
        assert!(carrier_records(Endpoint::Docket, &content).is_err());
        let content = json!([{"_links": {}, "carrier": {"legalName": "A", "dotNumber": 1}}, {"x": 1}]);
        assert_eq!(carrier_records(Endpoint::Docket, &content).unwrap().len(), 1);
    }

    #[test]
    fn docket_numbers_are_read() {
        let body = fixture("subresource_docket_numbers_44110.json");
        let content = classify(Endpoint::DocketNumbers, 200, None, &body).unwrap();
        assert_eq!(dockets(&content), vec![Docket { prefix: "MC".into(), number: "1515".into() }]);
        assert!(dockets(&Value::Null).is_empty());
    }

    #[test]
    fn the_key_never_appears_in_what_may_be_logged() {
        let c = QcMobile::new(
            "https://mobile.fmcsa.dot.gov/qc/services/",
            Secret::new("K3Y-very-secret"),
            Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(
            c.loggable_url(Endpoint::Docket),
            "https://mobile.fmcsa.dot.gov/qc/services/carriers/docket-number/{mc}?webKey=[redacted]"
        );
        assert_eq!(c.redact("bad url https://x/?webKey=K3Y-very-secret"), "bad url https://x/?webKey=[redacted]");
        let url = c.url(Endpoint::Docket, "1515").unwrap();
        assert_eq!(
            url.as_str(),
            "https://mobile.fmcsa.dot.gov/qc/services/carriers/docket-number/1515?webKey=K3Y-very-secret"
        );
        assert!(QcMobile::new("ftp://x", Secret::new("k"), Duration::from_secs(1)).is_err());
        assert!(QcMobile::new("not a url", Secret::new("k"), Duration::from_secs(1)).is_err());
    }
}
