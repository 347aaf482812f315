//! The events outbox: every call event (verification, search, negotiation round, booking,
//! finalize) is a row, written in the same transaction as the change it reports. The live
//! dashboard stream reads rows by id, so every instance sees what every other one wrote.
//!
//! Ids are handed out when a row is inserted but become visible when its transaction
//! commits, so on PostgreSQL id 41 can appear after 42 has been read. The reader therefore
//! never moves past a missing id at once: it holds back at the first gap until the row
//! shows up or `GAP_GRACE` has passed (the id then belonged to a rolled-back transaction).

pub mod store;

use store::load_between;
pub use store::{append, newest_id};

use crate::error::{AppError, ErrorCode};
use crate::http::auth::{self, Principal};
use crate::parse::schema::{any_value, Timestamp};
use crate::state::AppState;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;
use utoipa::ToSchema;

/// One Server-Sent Event's `data` (its `event` field is `kind`, its `id` is `id`).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EventOut {
    pub id: i64,
    /// `verification`, `search`, `negotiation.round`, `negotiation.final_offer_accepted`, `booking.created`, `booking.cancelled`, `call.finalized`, `call.session_status`...
    pub kind: String,
    #[schema(required = true)]
    pub call_id: Option<String>,
    #[schema(value_type = Timestamp)]
    pub at: String,
    #[schema(schema_with = any_value)]
    pub payload: serde_json::Value,
}

impl EventOut {
    fn sse(&self) -> String {
        format!("id: {}\nevent: {}\ndata: {}\n\n", self.id, self.kind, serde_json::to_string(self).unwrap_or_default())
    }
}

/// Fans the outbox out to this instance's SSE clients. One poller per instance reads new
/// rows by id; a slow client only ever lags its own channel, never the API.
pub struct EventHub {
    tx: broadcast::Sender<Arc<EventOut>>,
    /// Every row with an id up to this has been sent (or given up on as rolled back).
    /// Raised before the rows are sent, so a stream that subscribes and then reads it
    /// finds each row either in its backlog or on its channel.
    settled: AtomicI64,
    health: Mutex<PollerHealth>,
    /// Open streams per key (what the rate limit counts against), on this instance.
    streams: Arc<Mutex<HashMap<String, usize>>>,
}

impl EventHub {
    /// A hub whose poller starts after `newest` (the newest row at start-up).
    pub fn new(newest: i64) -> Self {
        EventHub {
            tx: broadcast::channel(1024).0,
            settled: AtomicI64::new(newest),
            health: Mutex::new(PollerHealth::new(Instant::now())),
            streams: Arc::default(),
        }
    }

    /// How the poller is doing, for `/readyz` and `/metrics`.
    pub fn health(&self) -> PollerStatus {
        self.health.lock().unwrap_or_else(|e| e.into_inner()).status(Instant::now())
    }

    fn open_stream(&self, key: &str, cap: usize) -> Option<StreamSlot> {
        let mut open = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(key.to_string()).or_default();
        if *n >= cap {
            return None;
        }
        *n += 1;
        Some(StreamSlot { streams: self.streams.clone(), key: key.to_string() })
    }
}

/// One open stream counted against its key; released when the stream is dropped.
struct StreamSlot {
    streams: Arc<Mutex<HashMap<String, usize>>>,
    key: String,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.key);
            }
        }
    }
}

const POLL_EVERY: Duration = Duration::from_millis(500);
/// Each heartbeat also re-checks the stream's credential, and writing it is how a client
/// that went away is noticed (its slot in the per-key cap freed).
const HEARTBEAT_EVERY: Duration = Duration::from_secs(5);
/// How long a missing id may hold the feed back. Longer than any transaction that writes
/// an event should take; shorter than a manager would call the dashboard stuck.
const GAP_GRACE: Duration = Duration::from_secs(3);
/// Outbox rows older than this are pruned; the domain tables keep the history.
const KEEP_EVENTS_MS: i64 = 3 * 24 * 3600 * 1000;
/// Rows sent to a reconnecting client at most.
const BACKLOG_LIMIT: i64 = 500;

/// The reader's place in the outbox: which rows may go out now, in id order.
#[derive(Debug)]
pub struct Cursor {
    settled: i64,
    /// The first missing id and when it was first seen missing.
    gap: Option<(i64, Instant)>,
}

impl Cursor {
    pub fn new(settled: i64) -> Self {
        Cursor { settled, gap: None }
    }

    pub fn settled(&self) -> i64 {
        self.settled
    }

    /// Of `rows` (read after `settled`, ascending), those that may be sent now: up to the
    /// first missing id, or past it once it has been missing for `GAP_GRACE`.
    pub fn advance<T>(&mut self, rows: Vec<T>, id: impl Fn(&T) -> i64, now: Instant) -> Vec<T> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let row_id = id(&row);
            if row_id <= self.settled {
                continue;
            }
            let missing = self.settled + 1;
            if row_id > missing {
                let since = match self.gap {
                    Some((at, since)) if at == missing => since,
                    _ => {
                        self.gap = Some((missing, now));
                        now
                    }
                };
                if now.duration_since(since) < GAP_GRACE {
                    break;
                }
            }
            self.settled = row_id;
            out.push(row);
        }
        out
    }
}

/// The poller's record of its own failures: a dead live feed must be visible (logs,
/// `/metrics`, `/readyz`) without one log line every half second.
#[derive(Debug)]
pub struct PollerHealth {
    last_success: Instant,
    consecutive_failures: u64,
}

/// What `/readyz` and `/metrics` report about the live feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollerStatus {
    pub healthy: bool,
    pub consecutive_failures: u64,
    pub last_success_age: Duration,
}

/// A poll failure is logged on the first, then once per this many in a row (30 s).
const LOG_FAILURE_EVERY: u64 = 60;
/// A poller that has not succeeded for this long is unhealthy even without an error (stuck).
const STALE_AFTER: Duration = Duration::from_secs(30);

impl PollerHealth {
    pub fn new(now: Instant) -> Self {
        PollerHealth { last_success: now, consecutive_failures: 0 }
    }

    /// Records a failure; `true` when this one should be logged.
    pub fn failed(&mut self) -> bool {
        self.consecutive_failures += 1;
        (self.consecutive_failures - 1).is_multiple_of(LOG_FAILURE_EVERY)
    }

    /// Records a success; the number of failures it ends, if any.
    pub fn succeeded(&mut self, now: Instant) -> Option<u64> {
        self.last_success = now;
        let ended = std::mem::take(&mut self.consecutive_failures);
        (ended > 0).then_some(ended)
    }

    pub fn status(&self, now: Instant) -> PollerStatus {
        let age = now.saturating_duration_since(self.last_success);
        PollerStatus {
            healthy: self.consecutive_failures == 0 && age < STALE_AFTER,
            consecutive_failures: self.consecutive_failures,
            last_success_age: age,
        }
    }
}

/// Runs until the application state is dropped. It reads even when nobody listens, so
/// that its place stays current for the next stream and a broken feed shows at once.
pub fn spawn_poller(state: Weak<AppState>) {
    actix_web::rt::spawn(async move {
        let mut cursor = match state.upgrade() {
            Some(st) => Cursor::new(st.events.settled.load(Ordering::SeqCst)),
            None => return,
        };
        let mut last_prune = Instant::now() - Duration::from_secs(3600);
        loop {
            tokio::time::sleep(POLL_EVERY).await;
            let Some(st) = state.upgrade() else { return };
            let prune = last_prune.elapsed() > Duration::from_secs(3600);
            let from = cursor.settled();
            let result = st
                .db
                .read(move |conn| -> anyhow::Result<Vec<EventOut>> {
                    if prune {
                        store::prune(conn, crate::db::to_ms(chrono::Utc::now()) - KEEP_EVENTS_MS)?;
                    }
                    Ok(load_between(conn, from, i64::MAX, 500)?)
                })
                .await;
            // The health gauges are read from `health` when `/metrics` is rendered.
            let telemetry = crate::telemetry::telemetry();
            match result {
                Ok(rows) => {
                    if prune {
                        last_prune = Instant::now();
                    }
                    let ready = cursor.advance(rows, |e| e.id, Instant::now());
                    st.events.settled.store(cursor.settled(), Ordering::SeqCst);
                    for e in ready {
                        // No receivers is not an error: nobody is watching right now.
                        let _ = st.events.tx.send(Arc::new(e));
                    }
                    let recovered =
                        st.events.health.lock().unwrap_or_else(|e| e.into_inner()).succeeded(Instant::now());
                    if let Some(n) = recovered {
                        log::warn!("live events: reading the outbox works again after {n} failed attempt(s)");
                    }
                }
                Err(e) => {
                    telemetry.events_poller_failures.inc();
                    let (log_it, n) = {
                        let mut h = st.events.health.lock().unwrap_or_else(|e| e.into_inner());
                        (h.failed(), h.consecutive_failures)
                    };
                    if log_it && n == 1 {
                        log::warn!("live events: reading the outbox failed, dashboards get no live events: {e:#}");
                    } else if log_it {
                        log::error!("live events: reading the outbox has failed {n} times in a row: {e:#}");
                    }
                }
            }
        }
    });
}

/// What a stream re-checks while open: the credential it was opened with.
enum Credential {
    Key(String),
    Session(String),
}

impl Credential {
    /// The credential `auth` accepted for this request: a key header wins over the cookie.
    fn of(req: &HttpRequest) -> Option<Credential> {
        let sreq = actix_web::dev::ServiceRequest::from_request(req.clone());
        if let Some(key) = auth::presented_key(&sreq) {
            return Some(Credential::Key(key));
        }
        req.cookie(auth::SESSION_COOKIE).map(|c| Credential::Session(c.value().to_string()))
    }

    /// `Ok(false)` once the session has ended or the key was revoked.
    fn still_valid(&self, state: &AppState, conn: &mut crate::db::DbConnection) -> Result<bool, AppError> {
        Ok(match self {
            Credential::Key(key) => auth::authenticate_key(state, conn, key)?.is_some(),
            Credential::Session(token) => auth::authenticate_session(state, conn, token)?.is_some(),
        })
    }
}

/// `GET /events`: Server-Sent Events, one message per call event, heartbeats between.
/// A reconnecting client (`Last-Event-ID`) first gets what it missed.
#[utoipa::path(
    get,
    path = "/api/v1/events",
    operation_id = "streamEvents",
    tag = "dashboard",
    summary = "Live call events (Server-Sent Events)",
    description = "Scope: dashboard (or admin). A stream that stays open: one message per call event (`id`, `event` = the kind, `data` = an `EventOut` JSON object) with `: heartbeat` comments every 5 s. A reconnecting client sending `Last-Event-ID` first gets what it missed. The stream ends when its session ends or its key is revoked (checked at each heartbeat). At most `CARRIER_SALES__EVENTS__MAX_STREAMS_PER_KEY` streams per key on one instance.",
    params(("Last-Event-ID" = Option<i64>, Header, description = "The last event id seen, to resume after.")),
    responses(
        (status = 200, description = "The event stream (`text/event-stream`, never ends by itself); each `data` line is an `EventOut`.", body = String, content_type = "text/event-stream"),
        (status = 429, description = "`too_many_streams`: this key already has `CARRIER_SALES__EVENTS__MAX_STREAMS_PER_KEY` streams open.", body = crate::error::ErrorBody),
    ),
)]
pub async fn stream(req: HttpRequest, state: web::Data<AppState>) -> crate::error::AppResult<HttpResponse> {
    let key = req.extensions().get::<Principal>().map(|p| p.rate_key.clone()).unwrap_or_default();
    let cap = state.settings.events.max_streams_per_key;
    let slot = state.events.open_stream(&key, cap).ok_or_else(|| {
        AppError::new(
            ErrorCode::TooManyStreams,
            format!("This key already has {cap} live event streams open; close one first."),
        )
    })?;
    let credential = Credential::of(&req);
    let rx = state.events.tx.subscribe();
    // Read after subscribing: what the poller settles from now on arrives on `rx`.
    let settled = state.events.settled.load(Ordering::SeqCst);
    let resume: Option<i64> =
        req.headers().get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok());
    let backlog = match resume {
        Some(after) => {
            state
                .db
                .read(move |conn| -> crate::error::AppResult<Vec<EventOut>> {
                    Ok(load_between(conn, after, settled, BACKLOG_LIMIT)?)
                })
                .await?
        }
        None => vec![],
    };
    let seen = backlog.last().map(|e| e.id).into_iter().chain(resume).max().unwrap_or(0);
    let first = std::iter::once(": connected\nretry: 3000\n\n".to_string())
        .chain(backlog.iter().map(EventOut::sse))
        .collect::<String>();
    let heartbeat = tokio::time::interval_at(tokio::time::Instant::now() + HEARTBEAT_EVERY, HEARTBEAT_EVERY);
    let open = OpenStream { rx, heartbeat, seen, credential, state, _slot: slot };
    let body = futures_util::stream::unfold((Some(first), open), |(pending, mut s)| async move {
        if let Some(p) = pending {
            return Some((Ok::<_, actix_web::Error>(web::Bytes::from(p)), (None, s)));
        }
        loop {
            let chunk = tokio::select! {
                r = s.rx.recv() => match r {
                    Ok(e) if e.id <= s.seen => continue,
                    Ok(e) => { s.seen = e.id; e.sse() }
                    Err(broadcast::error::RecvError::Lagged(n)) => format!(": skipped {n} events\n\n"),
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = s.heartbeat.tick() => {
                    if s.signed_out().await {
                        return None;
                    }
                    ": heartbeat\n\n".to_string()
                }
            };
            return Some((Ok(web::Bytes::from(chunk)), (None, s)));
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body))
}

struct OpenStream {
    rx: broadcast::Receiver<Arc<EventOut>>,
    heartbeat: tokio::time::Interval,
    seen: i64,
    credential: Option<Credential>,
    state: web::Data<AppState>,
    _slot: StreamSlot,
}

impl OpenStream {
    /// The session ended or the key was revoked. A database hiccup is not a sign-out:
    /// the stream stays and the next check decides.
    async fn signed_out(&mut self) -> bool {
        let Some(credential) = self.credential.take() else { return false };
        let state = self.state.clone();
        let db = state.db.clone();
        let (credential, valid) = match db
            .read(move |conn| -> Result<_, AppError> {
                let valid = credential.still_valid(&state, conn);
                Ok((credential, valid))
            })
            .await
        {
            Ok(done) => done,
            Err(_) => return false,
        };
        self.credential = Some(credential);
        match valid {
            Ok(valid) => !valid,
            Err(e) => {
                log::debug!("live events: re-checking a stream's credential failed: {e}");
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_after_a_missing_id_wait_for_it() {
        let t0 = Instant::now();
        let mut c = Cursor::new(10);
        // 11 is not committed yet: 12 must wait.
        assert_eq!(c.advance(vec![12, 13], |i| *i, t0), Vec::<i64>::new());
        assert_eq!(c.settled(), 10);
        // 11 commits within the grace period: everything goes, in order.
        assert_eq!(c.advance(vec![11, 12, 13], |i| *i, t0 + Duration::from_secs(1)), vec![11, 12, 13]);
        assert_eq!(c.settled(), 13);
    }

    #[test]
    fn a_missing_id_is_given_up_after_the_grace_period() {
        let t0 = Instant::now();
        let mut c = Cursor::new(0);
        assert_eq!(c.advance(vec![1, 3, 4], |i| *i, t0), vec![1]);
        assert_eq!(c.advance(vec![3, 4], |i| *i, t0 + Duration::from_secs(1)), Vec::<i64>::new());
        // 2 was rolled back: after the grace period the reader moves past it.
        assert_eq!(c.advance(vec![3, 4, 6], |i| *i, t0 + GAP_GRACE), vec![3, 4]);
        // A new gap (5) gets its own grace period.
        assert_eq!(c.settled(), 4);
        assert_eq!(c.advance(vec![6], |i| *i, t0 + GAP_GRACE + Duration::from_secs(1)), Vec::<i64>::new());
        assert_eq!(c.advance(vec![6], |i| *i, t0 + GAP_GRACE * 2 + Duration::from_secs(1)), vec![6]);
    }

    #[test]
    fn poller_failures_are_logged_first_then_periodically_and_reported() {
        let t0 = Instant::now();
        let mut h = PollerHealth::new(t0);
        assert!(h.status(t0).healthy);
        assert!(h.failed(), "the first failure is logged");
        let logged = (0..LOG_FAILURE_EVERY * 2).filter(|_| h.failed()).count();
        assert_eq!(logged, 2, "then once per {LOG_FAILURE_EVERY}");
        let s = h.status(t0);
        assert!(!s.healthy);
        assert_eq!(s.consecutive_failures, LOG_FAILURE_EVERY * 2 + 1);
        assert_eq!(h.succeeded(t0), Some(LOG_FAILURE_EVERY * 2 + 1));
        assert!(h.status(t0).healthy);
        assert_eq!(h.succeeded(t0), None);
        // No success for a long while is unhealthy even without an error: a stuck poller.
        assert!(!h.status(t0 + STALE_AFTER).healthy);
    }
}
