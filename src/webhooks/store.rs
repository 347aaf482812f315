//! The endpoints, the delivery queue and its attempts.

use super::views::{Attempt, Delivery, DeliveryPage, DeliveryStatus, Endpoint};
use super::EventType;
use crate::db::schema::{webhook_attempts, webhook_deliveries, webhook_endpoints};
use crate::db::{write_tx, DbConnection, Statement};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::time::rfc3339;
use diesel::prelude::*;
use serde_json::{json, Value};
use std::collections::HashMap;

/// Retries stop this long after the event (or after a manual redelivery).
pub const RETRY_WINDOW_MS: i64 = 24 * 3600 * 1000;

/// An endpoint's event list as stored: space-separated, a space at each end, so that
/// `LIKE '% booking.created %'` finds its subscribers.
pub fn subscription(events: &[String]) -> String {
    format!(" {} ", events.join(" "))
}

fn events_of(stored: &str) -> Vec<String> {
    stored.split_whitespace().map(str::to_string).collect()
}

/// Queues `kind` for every live endpoint that takes it (see [`super::publish`]).
pub fn publish(
    conn: &mut DbConnection,
    kind: EventType,
    now_ms: i64,
    data: impl FnOnce(&mut DbConnection) -> AppResult<Value>,
) -> AppResult<usize> {
    let wanted = format!("% {} %", kind.as_str());
    let endpoints: Vec<String> = webhook_endpoints::table
        .filter(webhook_endpoints::deleted_at.is_null())
        .filter(webhook_endpoints::events.like(wanted).or(webhook_endpoints::events.like("% * %")))
        .select(webhook_endpoints::endpoint_id)
        .rows(conn)?;
    if endpoints.is_empty() {
        return Ok(0);
    }
    let event_id = format!("evt_{}", crate::http::auth::random_hex(12));
    let body = json!({
        "id": event_id,
        "type": kind.as_str(),
        "created_at": crate::db::from_ms(now_ms).to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": data(conn)?,
    })
    .to_string();
    let rows: Vec<_> = endpoints
        .iter()
        .map(|endpoint| {
            (
                webhook_deliveries::delivery_id.eq(format!("whd_{}", crate::http::auth::random_hex(12))),
                webhook_deliveries::endpoint_id.eq(endpoint),
                webhook_deliveries::event_id.eq(&event_id),
                webhook_deliveries::event_type.eq(kind.as_str()),
                webhook_deliveries::body.eq(&body),
                webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
                webhook_deliveries::created_at.eq(now_ms),
                webhook_deliveries::retry_until.eq(now_ms + RETRY_WINDOW_MS),
                webhook_deliveries::next_attempt_at.eq(now_ms),
            )
        })
        .collect();
    Ok(diesel::insert_into(webhook_deliveries::table).values(rows).run(conn)?)
}

/// A registered endpoint, as stored.
pub struct NewEndpoint {
    pub endpoint_id: String,
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
    pub secret: String,
    pub created_at: i64,
}

pub fn create_endpoint(conn: &mut DbConnection, e: &NewEndpoint) -> AppResult<()> {
    diesel::insert_into(webhook_endpoints::table)
        .values((
            webhook_endpoints::endpoint_id.eq(&e.endpoint_id),
            webhook_endpoints::url.eq(&e.url),
            webhook_endpoints::events.eq(subscription(&e.events)),
            webhook_endpoints::description.eq(&e.description),
            webhook_endpoints::secret.eq(&e.secret),
            webhook_endpoints::created_at.eq(e.created_at),
        ))
        .execute(conn)?;
    Ok(())
}

type EndpointRow = (String, String, String, Option<String>, i64);

/// The live endpoints, oldest first, with how their deliveries stand.
pub fn list_endpoints(conn: &mut DbConnection) -> QueryResult<Vec<Endpoint>> {
    let rows: Vec<EndpointRow> = webhook_endpoints::table
        .filter(webhook_endpoints::deleted_at.is_null())
        .order((webhook_endpoints::created_at.asc(), webhook_endpoints::endpoint_id.asc()))
        .select((
            webhook_endpoints::endpoint_id,
            webhook_endpoints::url,
            webhook_endpoints::events,
            webhook_endpoints::description,
            webhook_endpoints::created_at,
        ))
        .load(conn)?;
    let counts: Vec<(String, String, i64, Option<i64>)> = webhook_deliveries::table
        .inner_join(webhook_endpoints::table.on(webhook_endpoints::endpoint_id.eq(webhook_deliveries::endpoint_id)))
        .filter(webhook_endpoints::deleted_at.is_null())
        .group_by((webhook_deliveries::endpoint_id, webhook_deliveries::status))
        .select((
            webhook_deliveries::endpoint_id,
            webhook_deliveries::status,
            diesel::dsl::count_star(),
            diesel::dsl::max(webhook_deliveries::delivered_at),
        ))
        .load(conn)?;
    let mut by_endpoint: HashMap<String, Endpoint> = HashMap::new();
    let order: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    for (endpoint_id, url, events, description, created_at) in rows {
        let view = Endpoint {
            endpoint_id: endpoint_id.clone(),
            url,
            events: events_of(&events),
            description,
            created_at: rfc3339(created_at),
            pending: 0,
            failed: 0,
            succeeded: 0,
            last_success_at: None,
        };
        by_endpoint.insert(endpoint_id, view);
    }
    for (endpoint_id, status, n, last) in counts {
        let Some(e) = by_endpoint.get_mut(&endpoint_id) else { continue };
        match DeliveryStatus::parse(&status) {
            Some(DeliveryStatus::Pending) => e.pending = n,
            Some(DeliveryStatus::Failed) => e.failed = n,
            Some(DeliveryStatus::Succeeded) => {
                e.succeeded = n;
                e.last_success_at = last.map(rfc3339);
            }
            None => {}
        }
    }
    Ok(order.into_iter().filter_map(|id| by_endpoint.remove(&id)).collect())
}

fn endpoint_not_found(id: &str) -> AppError {
    AppError::not_found(ErrorCode::WebhookEndpointNotFound, format!("No webhook endpoint with id {id}."))
        .with_field("endpoint_id")
}

/// Deletes an endpoint: nothing more is queued for it, and what was waiting is marked
/// failed. Its deliveries stay listed.
pub fn delete_endpoint(conn: &mut DbConnection, id: &str, now_ms: i64) -> AppResult<()> {
    write_tx(conn, |c| -> AppResult<()> {
        let n = diesel::update(
            webhook_endpoints::table
                .filter(webhook_endpoints::endpoint_id.eq(id))
                .filter(webhook_endpoints::deleted_at.is_null()),
        )
        .set(webhook_endpoints::deleted_at.eq(Some(now_ms)))
        .execute(c)?;
        if n == 0 {
            return Err(endpoint_not_found(id));
        }
        diesel::update(
            webhook_deliveries::table
                .filter(webhook_deliveries::endpoint_id.eq(id))
                .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str())),
        )
        .set((
            webhook_deliveries::status.eq(DeliveryStatus::Failed.as_str()),
            webhook_deliveries::last_error.eq(Some("the endpoint was deleted")),
        ))
        .execute(c)?;
        Ok(())
    })
}

/// The head of each endpoint's queue that is due now: the oldest pending delivery nobody
/// holds, for endpoints with no delivery in flight. A read, so an idle poll never
/// queues for SQLite's writer.
pub fn due_heads(conn: &mut DbConnection, now_ms: i64, max: i64) -> QueryResult<Vec<i64>> {
    let busy: Vec<String> = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
        .filter(webhook_deliveries::lease_until.gt(now_ms))
        .select(webhook_deliveries::endpoint_id)
        .distinct()
        .load(conn)?;
    let heads: Vec<(String, Option<i64>)> = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
        .filter(webhook_deliveries::next_attempt_at.le(now_ms))
        .group_by(webhook_deliveries::endpoint_id)
        .select((webhook_deliveries::endpoint_id, diesel::dsl::min(webhook_deliveries::seq)))
        .load(conn)?;
    let mut seqs: Vec<i64> = heads.into_iter().filter(|(e, _)| !busy.contains(e)).filter_map(|(_, seq)| seq).collect();
    seqs.sort_unstable();
    seqs.truncate(max.max(0) as usize);
    Ok(seqs)
}

/// A delivery this instance holds, with where and how to send it.
#[derive(Debug, Clone, Queryable)]
pub struct Due {
    pub delivery_id: String,
    pub endpoint_id: String,
    pub event_id: String,
    pub event_type: String,
    pub body: String,
    pub attempts: i32,
    pub retry_until: i64,
    pub url: String,
    pub secret: String,
}

/// Takes `seqs` for this instance until `lease_until` (each only if still pending, due
/// and unheld: another instance may have taken it since it was read) and returns them.
pub fn claim(
    conn: &mut DbConnection,
    seqs: &[i64],
    token: &str,
    now_ms: i64,
    lease_until: i64,
) -> QueryResult<Vec<Due>> {
    write_tx(conn, |c| {
        for seq in seqs {
            diesel::update(
                webhook_deliveries::table
                    .filter(webhook_deliveries::seq.eq(seq))
                    .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
                    .filter(webhook_deliveries::next_attempt_at.le(now_ms))
                    .filter(webhook_deliveries::lease_until.le(now_ms)),
            )
            .set((webhook_deliveries::lease_until.eq(lease_until), webhook_deliveries::lease_token.eq(Some(token))))
            .execute(c)?;
        }
        webhook_deliveries::table
            .inner_join(webhook_endpoints::table.on(webhook_endpoints::endpoint_id.eq(webhook_deliveries::endpoint_id)))
            .filter(webhook_deliveries::lease_token.eq(token))
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
            .order(webhook_deliveries::seq.asc())
            .select((
                webhook_deliveries::delivery_id,
                webhook_deliveries::endpoint_id,
                webhook_deliveries::event_id,
                webhook_deliveries::event_type,
                webhook_deliveries::body,
                webhook_deliveries::attempts,
                webhook_deliveries::retry_until,
                webhook_endpoints::url,
                webhook_endpoints::secret,
            ))
            .load(c)
    })
}

/// What one attempt came to, and what happens next.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub delivery_id: String,
    pub lease_token: String,
    pub attempt: i32,
    pub at_ms: i64,
    pub status_code: Option<i32>,
    pub latency_ms: i64,
    pub error: Option<String>,
    pub next: super::deliver::Next,
}

/// Logs the attempt and moves the delivery on, if this instance still holds it.
pub fn record(conn: &mut DbConnection, o: &Outcome) -> QueryResult<bool> {
    use super::deliver::Next;
    write_tx(conn, |c| {
        diesel::insert_into(webhook_attempts::table)
            .values((
                webhook_attempts::delivery_id.eq(&o.delivery_id),
                webhook_attempts::attempt.eq(o.attempt),
                webhook_attempts::at.eq(o.at_ms),
                webhook_attempts::status_code.eq(o.status_code),
                webhook_attempts::latency_ms.eq(o.latency_ms),
                webhook_attempts::error.eq(&o.error),
            ))
            .on_conflict_do_nothing()
            .run(c)?;
        let (status, next_at, delivered) = match o.next {
            Next::Done => (DeliveryStatus::Succeeded, o.at_ms, Some(o.at_ms)),
            Next::RetryAt(at) => (DeliveryStatus::Pending, at, None),
            Next::GiveUp => (DeliveryStatus::Failed, o.at_ms, None),
        };
        let n = diesel::update(
            webhook_deliveries::table
                .filter(webhook_deliveries::delivery_id.eq(&o.delivery_id))
                .filter(webhook_deliveries::lease_token.eq(&o.lease_token)),
        )
        .set((
            webhook_deliveries::status.eq(status.as_str()),
            webhook_deliveries::attempts.eq(o.attempt),
            webhook_deliveries::next_attempt_at.eq(next_at),
            webhook_deliveries::lease_until.eq(0),
            webhook_deliveries::lease_token.eq(None::<String>),
            webhook_deliveries::last_status_code.eq(o.status_code),
            webhook_deliveries::last_error.eq(&o.error),
            webhook_deliveries::delivered_at.eq(delivered),
        ))
        .execute(c)?;
        Ok(n == 1)
    })
}

type DeliveryRow = (i64, String, String, String, String, String, i64, i64, Option<i64>);

fn delivery_columns() -> (
    webhook_deliveries::seq,
    webhook_deliveries::delivery_id,
    webhook_deliveries::endpoint_id,
    webhook_deliveries::event_id,
    webhook_deliveries::event_type,
    webhook_deliveries::status,
    webhook_deliveries::created_at,
    webhook_deliveries::next_attempt_at,
    webhook_deliveries::delivered_at,
) {
    use webhook_deliveries::*;
    (seq, delivery_id, endpoint_id, event_id, event_type, status, created_at, next_attempt_at, delivered_at)
}

/// A page of deliveries, newest first, each with its attempts.
pub fn list_deliveries(
    conn: &mut DbConnection,
    endpoint: Option<&str>,
    status: Option<DeliveryStatus>,
    limit: i64,
    after: Option<(i64, String)>,
) -> QueryResult<DeliveryPage> {
    let mut q = webhook_deliveries::table.select(delivery_columns()).into_boxed::<crate::db::DbBackend>();
    if let Some(e) = endpoint {
        q = q.filter(webhook_deliveries::endpoint_id.eq(e.to_string()));
    }
    if let Some(s) = status {
        q = q.filter(webhook_deliveries::status.eq(s.as_str()));
    }
    if let Some((seq, _)) = after {
        q = q.filter(webhook_deliveries::seq.lt(seq));
    }
    let rows: Vec<DeliveryRow> = q.order(webhook_deliveries::seq.desc()).limit(limit + 1).load(conn)?;
    let (rows, next_cursor) = crate::paging::split_page(rows, limit, |r| (r.0, r.1.as_str()));
    let deliveries = with_attempts(conn, rows)?;
    Ok(DeliveryPage { deliveries, next_cursor })
}

type AttemptRow = (String, i32, i64, Option<i32>, i64, Option<String>);

fn with_attempts(conn: &mut DbConnection, rows: Vec<DeliveryRow>) -> QueryResult<Vec<Delivery>> {
    let ids: Vec<&String> = rows.iter().map(|r| &r.1).collect();
    let attempts: Vec<AttemptRow> = webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq_any(ids))
        .order((webhook_attempts::delivery_id.asc(), webhook_attempts::attempt.asc()))
        .select((
            webhook_attempts::delivery_id,
            webhook_attempts::attempt,
            webhook_attempts::at,
            webhook_attempts::status_code,
            webhook_attempts::latency_ms,
            webhook_attempts::error,
        ))
        .load(conn)?;
    let mut by_delivery: HashMap<String, Vec<Attempt>> = HashMap::new();
    for (id, attempt, at, status_code, latency_ms, error) in attempts {
        by_delivery.entry(id).or_default().push(Attempt { attempt, at: rfc3339(at), status_code, latency_ms, error });
    }
    Ok(rows
        .into_iter()
        .filter_map(|(_, delivery_id, endpoint_id, event_id, event_type, status, created_at, next_at, delivered)| {
            let status = DeliveryStatus::parse(&status)?;
            Some(Delivery {
                attempts: by_delivery.remove(&delivery_id).unwrap_or_default(),
                delivery_id,
                endpoint_id,
                event_id,
                event_type: EventType::parse(&event_type)?,
                status,
                created_at: rfc3339(created_at),
                next_attempt_at: (status == DeliveryStatus::Pending).then(|| rfc3339(next_at)),
                delivered_at: delivered.map(rfc3339),
            })
        })
        .collect())
}

/// Sends a delivery again from now, with a fresh 24 hours of retries, whatever became
/// of it: its attempts so far stay in its log.
pub fn redeliver(conn: &mut DbConnection, id: &str, now_ms: i64) -> AppResult<Delivery> {
    write_tx(conn, |c| -> AppResult<Delivery> {
        let found: Option<(i64, Option<i64>)> = webhook_deliveries::table
            .inner_join(webhook_endpoints::table.on(webhook_endpoints::endpoint_id.eq(webhook_deliveries::endpoint_id)))
            .filter(webhook_deliveries::delivery_id.eq(id))
            .select((webhook_deliveries::lease_until, webhook_endpoints::deleted_at))
            .first(c)
            .optional()?;
        let Some((lease_until, deleted_at)) = found else {
            return Err(AppError::not_found(
                ErrorCode::WebhookDeliveryNotFound,
                format!("No webhook delivery with id {id}."),
            )
            .with_field("delivery_id"));
        };
        if deleted_at.is_some() {
            return Err(AppError::conflict(
                ErrorCode::WebhookEndpointDeleted,
                "This delivery's endpoint was deleted; register it again to receive new events.",
            )
            .with_field("delivery_id"));
        }
        if lease_until > now_ms {
            return Err(AppError::conflict(
                ErrorCode::DeliveryInFlight,
                "This delivery is being sent right now; look again in a few seconds.",
            )
            .with_field("delivery_id"));
        }
        diesel::update(webhook_deliveries::table.filter(webhook_deliveries::delivery_id.eq(id)))
            .set((
                webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
                webhook_deliveries::next_attempt_at.eq(now_ms),
                webhook_deliveries::retry_until.eq(now_ms + RETRY_WINDOW_MS),
                webhook_deliveries::delivered_at.eq(None::<i64>),
            ))
            .execute(c)?;
        let row: DeliveryRow = webhook_deliveries::table
            .filter(webhook_deliveries::delivery_id.eq(id))
            .select(delivery_columns())
            .first(c)?;
        with_attempts(c, vec![row])?
            .pop()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a delivery row that cannot be read")))
    })
}
