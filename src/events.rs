//! The events outbox: every call event (verification, search, negotiation round, booking,
//! finalize) is a row, written in the same transaction as the change it reports. The live
//! dashboard stream reads rows by id, so every instance sees what every other one wrote.

use crate::db::schema::events;
use crate::db::DbConnection;
use diesel::prelude::*;
use serde_json::Value;

pub fn append(
    conn: &mut DbConnection,
    kind: &str,
    call_id: Option<&str>,
    payload: Value,
    now_ms: i64,
) -> QueryResult<()> {
    let payload = payload.to_string();
    // Every tool call appends an event: `per_backend!` finds its statement by type.
    crate::per_backend!(conn, c => diesel::insert_into(events::table)
        .values((
            events::kind.eq(kind),
            events::call_id.eq(call_id),
            events::payload_json.eq(&payload),
            events::created_at.eq(now_ms),
        ))
        .execute(c)?);
    Ok(())
}

use crate::app::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::broadcast;

/// One event as streamed to dashboards.
#[derive(Clone, Debug, Serialize)]
pub struct EventOut {
    pub id: i64,
    pub kind: String,
    pub call_id: Option<String>,
    pub at: String,
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
}

impl Default for EventHub {
    fn default() -> Self {
        EventHub { tx: broadcast::channel(1024).0 }
    }
}

const POLL_EVERY: Duration = Duration::from_millis(500);
const HEARTBEAT_EVERY: Duration = Duration::from_secs(15);
/// Outbox rows older than this are pruned; the domain tables keep the history.
const KEEP_EVENTS_MS: i64 = 3 * 24 * 3600 * 1000;

fn load_after(conn: &mut DbConnection, after: i64, limit: i64) -> QueryResult<Vec<EventOut>> {
    let rows: Vec<(i64, String, Option<String>, String, i64)> = events::table
        .filter(events::id.gt(after))
        .order(events::id.asc())
        .limit(limit)
        .select((events::id, events::kind, events::call_id, events::payload_json, events::created_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, call_id, payload, at)| EventOut {
            id,
            kind,
            call_id,
            at: crate::db::from_ms(at).to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
        })
        .collect())
}

fn max_id(conn: &mut DbConnection) -> QueryResult<i64> {
    Ok(events::table.select(diesel::dsl::max(events::id)).first::<Option<i64>>(conn)?.unwrap_or(0))
}

/// Runs until the application state is dropped.
pub fn spawn_poller(state: Weak<AppState>) {
    actix_web::rt::spawn(async move {
        let mut last_id: Option<i64> = None;
        let mut last_prune = std::time::Instant::now() - Duration::from_secs(3600);
        loop {
            tokio::time::sleep(POLL_EVERY).await;
            let Some(st) = state.upgrade() else { return };
            let listening = st.events.tx.receiver_count() > 0;
            let prune = last_prune.elapsed() > Duration::from_secs(3600);
            if !listening && !prune {
                // Nobody listens: the next listener starts from the newest row.
                last_id = None;
                continue;
            }
            let from = last_id;
            let result = web::block(move || -> QueryResult<(i64, Vec<EventOut>)> {
                let mut conn = st.pool.get().map_err(|e| diesel::result::Error::QueryBuilderError(e.into()))?;
                if prune {
                    let cutoff = crate::db::to_ms(chrono::Utc::now()) - KEEP_EVENTS_MS;
                    diesel::delete(events::table.filter(events::created_at.lt(cutoff))).execute(&mut conn)?;
                }
                let start = match from {
                    Some(id) => id,
                    None => max_id(&mut conn)?,
                };
                let new = if listening { load_after(&mut conn, start, 500)? } else { vec![] };
                let last = new.last().map(|e| e.id).unwrap_or(start);
                for e in new.iter() {
                    let _ = st.events.tx.send(Arc::new(e.clone()));
                }
                Ok((last, new))
            })
            .await;
            if prune {
                last_prune = std::time::Instant::now();
            }
            match result {
                Ok(Ok((last, _))) => last_id = Some(last),
                Ok(Err(e)) => log::debug!("event poll failed: {e}"),
                Err(e) => log::debug!("event poll task failed: {e}"),
            }
        }
    });
}

/// `GET /events`: Server-Sent Events, one message per call event, heartbeats between.
/// A reconnecting client (`Last-Event-ID`) first gets what it missed.
#[utoipa::path(
    get,
    path = "/api/v1/events",
    operation_id = "streamEvents",
    tag = "dashboard",
    summary = "Live call events (Server-Sent Events)",
    description = "Scope: dashboard (or admin). A stream that stays open: one message per call event (`id`, `event` = the kind, `data` = an `EventOut` JSON object) with `: heartbeat` comments every 15 s. A reconnecting client sending `Last-Event-ID` first gets what it missed.",
    params(("Last-Event-ID" = Option<i64>, Header, description = "The last event id seen, to resume after.")),
    responses(
        (status = 200, description = "The event stream (`text/event-stream`, never ends by itself); each `data` line is an `EventOut`.", body = String, content_type = "text/event-stream"),
    ),
    security(("x_api_key" = []), ("api_key" = []), ("bearer" = []), ("session_cookie" = []))
)]
pub async fn stream(req: HttpRequest, state: web::Data<AppState>) -> crate::error::AppResult<HttpResponse> {
    let rx = state.events.tx.subscribe();
    let resume: Option<i64> =
        req.headers().get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok());
    let backlog = match resume {
        Some(after) => {
            let st = state.clone();
            web::block(move || -> crate::error::AppResult<Vec<EventOut>> {
                let mut conn = st.pool.get()?;
                Ok(load_after(&mut conn, after, 500)?)
            })
            .await??
        }
        None => vec![],
    };
    let seen = backlog.last().map(|e| e.id).unwrap_or(0);
    let first = std::iter::once(": connected\nretry: 3000\n\n".to_string())
        .chain(backlog.iter().map(EventOut::sse))
        .collect::<String>();
    let heartbeat = tokio::time::interval_at(tokio::time::Instant::now() + HEARTBEAT_EVERY, HEARTBEAT_EVERY);
    let body = futures_util::stream::unfold(
        (Some(first), rx, heartbeat, seen),
        |(pending, mut rx, mut heartbeat, mut seen)| async move {
            if let Some(p) = pending {
                return Some((Ok::<_, actix_web::Error>(web::Bytes::from(p)), (None, rx, heartbeat, seen)));
            }
            loop {
                let chunk = tokio::select! {
                    r = rx.recv() => match r {
                        Ok(e) if e.id <= seen => continue,
                        Ok(e) => { seen = e.id; e.sse() }
                        Err(broadcast::error::RecvError::Lagged(n)) => format!(": skipped {n} events\n\n"),
                        Err(broadcast::error::RecvError::Closed) => return None,
                    },
                    _ = heartbeat.tick() => ": heartbeat\n\n".to_string(),
                };
                return Some((Ok(web::Bytes::from(chunk)), (None, rx, heartbeat, seen)));
            }
        },
    );
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body))
}
