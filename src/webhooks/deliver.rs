//! The sender every instance runs: lease what is due, send it, record the attempt.
//!
//! A lease lasts one attempt's timeout plus a margin, so a delivery held by an instance
//! that died is picked up by another (or by this one restarted) within seconds. Two
//! instances never hold the same delivery at once; an instance that lost its lease (it
//! stalled past it) still logs its attempt but leaves the delivery alone. A receiver may
//! therefore, rarely, see an event twice: it dedupes by `X-CarrierSales-Event-Id`.

use super::address::{literal_ip, refusal, GuardedResolver};
use super::store::{self, Due, Outcome};
use crate::config::WebhooksSettings;
use crate::state::AppState;
use chrono::Utc;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

/// What follows an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// A 2xx: delivered.
    Done,
    /// Try again then (epoch ms).
    RetryAt(i64),
    /// The 24 hours are over.
    GiveUp,
}

/// After attempt number `attempt` (1 for the first) failed at `now_ms`: the next one
/// waits `base_secs`, doubling with each attempt, unless that falls after `retry_until`.
pub fn after_failure(attempt: i32, now_ms: i64, retry_until: i64, base_secs: u64) -> Next {
    let doublings = (attempt.max(1) - 1).min(30) as u32;
    let wait_ms = i64::try_from(base_secs).unwrap_or(i64::MAX).saturating_mul(1000).saturating_mul(1i64 << doublings);
    let at = now_ms.saturating_add(wait_ms);
    if at > retry_until {
        Next::GiveUp
    } else {
        Next::RetryAt(at)
    }
}

/// At most this many endpoints are sent to at once by one instance.
const BATCH: i64 = 16;

/// Starts this instance's sender; it stops when the app state is dropped.
pub fn spawn_sender(state: Weak<AppState>) {
    let Some(st) = state.upgrade() else { return };
    let settings = st.settings.webhooks.clone();
    drop(st);
    let client = match client(&settings) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            log::error!("webhooks: cannot build the HTTP client, nothing will be sent: {e:#}");
            return;
        }
    };
    actix_web::rt::spawn(async move {
        loop {
            let Some(st) = state.upgrade() else { return };
            let sent = match round(&st, &client, &settings).await {
                Ok(n) => n,
                Err(e) => {
                    log::warn!("webhooks: could not read the delivery queue: {e}");
                    0
                }
            };
            drop(st);
            if sent == 0 {
                tokio::time::sleep(Duration::from_millis(settings.poll_ms)).await;
            }
        }
    });
}

fn client(settings: &WebhooksSettings) -> anyhow::Result<reqwest::Client> {
    Ok(crate::http::tls::client_builder()
        .timeout(Duration::from_millis(settings.timeout_ms))
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(Arc::new(GuardedResolver { allow_private: settings.allow_private }))
        .user_agent(concat!("carrier-sales/", env!("CARGO_PKG_VERSION"), " (webhooks)"))
        .build()?)
}

/// One pass: lease the due heads, send them concurrently, record each attempt. How many
/// were sent (0 means nothing was due).
async fn round(st: &AppState, client: &reqwest::Client, settings: &WebhooksSettings) -> crate::error::AppResult<usize> {
    let now_ms = crate::db::to_ms(Utc::now());
    let seqs = st.db.read(move |c| store::due_heads(c, now_ms, BATCH).map_err(crate::error::AppError::from)).await?;
    if seqs.is_empty() {
        return Ok(0);
    }
    let token = crate::http::auth::random_hex(12);
    let lease_until = now_ms + settings.timeout_ms as i64 + 10_000;
    let held = token.clone();
    let due = st.db.write(move |c| Ok(store::claim(c, &seqs, &held, now_ms, lease_until)?)).await?;
    let sends = due.into_iter().map(|d| attempt(client, settings, d, &token));
    let outcomes = futures_util::future::join_all(sends).await;
    let n = outcomes.len();
    for outcome in outcomes {
        let id = outcome.delivery_id.clone();
        let kept = st.db.write(move |c| Ok(store::record(c, &outcome)?)).await?;
        if !kept {
            log::warn!("webhooks: delivery {id} was taken over by another sender while this one sent it");
        }
    }
    Ok(n)
}

/// Sends one delivery once.
async fn attempt(client: &reqwest::Client, settings: &WebhooksSettings, d: Due, lease_token: &str) -> Outcome {
    let attempt = d.attempts + 1;
    let started = Instant::now();
    let at_ms = crate::db::to_ms(Utc::now());
    let result = send(client, settings, &d).await;
    let latency_ms = started.elapsed().as_millis() as i64;
    let (status_code, error) = match result {
        Ok(code) if (200..300).contains(&code) => (Some(code), None),
        Ok(code) => (Some(code), Some(format!("the receiver answered HTTP {code}"))),
        Err(e) => (None, Some(e)),
    };
    let t = crate::telemetry::telemetry();
    let next = match &error {
        None => {
            t.webhook_attempts.with_label_values(&["delivered"]).inc();
            log::info!("webhooks: {} {} → {} delivered ({latency_ms} ms)", d.event_type, d.event_id, d.endpoint_id);
            Next::Done
        }
        Some(why) => {
            let next = after_failure(attempt, at_ms, d.retry_until, settings.retry_base_secs);
            let (label, then) = match next {
                Next::GiveUp => ("gave_up", "giving up after 24 hours".to_string()),
                Next::RetryAt(at) => ("failed", format!("retry at {}", crate::time::rfc3339(at))),
                Next::Done => ("delivered", String::new()),
            };
            t.webhook_attempts.with_label_values(&[label]).inc();
            log::warn!(
                "webhooks: {} {} → {} attempt {attempt} failed: {why}; {then}",
                d.event_type,
                d.event_id,
                d.endpoint_id
            );
            next
        }
    };
    Outcome {
        delivery_id: d.delivery_id,
        lease_token: lease_token.to_string(),
        attempt,
        at_ms,
        status_code,
        latency_ms,
        error,
        next,
    }
}

/// POSTs the body, signed; the receiver's status, or why there was none.
async fn send(client: &reqwest::Client, settings: &WebhooksSettings, d: &Due) -> Result<i32, String> {
    let url = reqwest::Url::parse(&d.url).map_err(|e| format!("the endpoint URL cannot be read: {e}"))?;
    if let Some(ip) = literal_ip(&url) {
        if let Some(why) = refusal(ip, settings.allow_private) {
            return Err(format!("refused: {why}"));
        }
    }
    let signature = super::sign::signature(&d.secret, Utc::now().timestamp(), d.body.as_bytes());
    let sent = client
        .post(url)
        .header("content-type", "application/json")
        .header("x-carriersales-signature", signature)
        .header("x-carriersales-event-id", &d.event_id)
        .header("x-carriersales-event-type", &d.event_type)
        .header("x-carriersales-delivery-id", &d.delivery_id)
        .body(d.body.clone())
        .send()
        .await;
    match sent {
        Ok(res) => Ok(i32::from(res.status().as_u16())),
        Err(e) if e.is_timeout() => Err(format!("no answer within {} ms", settings.timeout_ms)),
        Err(e) => Err(crate::http::tls::error_chain(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    #[test]
    fn retries_double_from_the_base() {
        let until = 24 * HOUR;
        assert_eq!(after_failure(1, 0, until, 10), Next::RetryAt(10_000));
        assert_eq!(after_failure(2, 0, until, 10), Next::RetryAt(20_000));
        assert_eq!(after_failure(3, 1_000, until, 10), Next::RetryAt(41_000));
        assert_eq!(after_failure(5, 0, until, 1), Next::RetryAt(16_000));
    }

    #[test]
    fn retries_stop_after_the_window() {
        // Attempts at 0, 10, 30, 70 s ... the wait reaches 24 hours at the 14th.
        let until = 24 * HOUR;
        let (mut now, mut attempt) = (0i64, 1);
        while let Next::RetryAt(at) = after_failure(attempt, now, until, 10) {
            assert!(at > now && at <= until);
            now = at;
            attempt += 1;
        }
        assert_eq!(attempt, 14, "13 retries fit in 24 hours at a 10 s base");
        assert_eq!(after_failure(attempt, now, until, 10), Next::GiveUp);
        assert_eq!(after_failure(1, until, until, 10), Next::GiveUp);
    }

    #[test]
    fn huge_attempt_counts_do_not_overflow() {
        assert_eq!(after_failure(i32::MAX, 0, i64::MAX, u64::MAX), Next::RetryAt(i64::MAX));
    }
}
