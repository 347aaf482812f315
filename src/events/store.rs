//! The outbox table: appended in the transaction of the change it reports, read by id.

use super::EventOut;
use crate::db::schema::events;
use crate::db::DbConnection;
use crate::db::Statement;
use diesel::prelude::*;
use serde_json::Value;

/// Appends one event in the caller's transaction.
pub fn append(
    conn: &mut DbConnection,
    kind: &str,
    call_id: Option<&str>,
    payload: Value,
    now_ms: i64,
) -> QueryResult<()> {
    let payload = payload.to_string();
    diesel::insert_into(events::table)
        .values((
            events::kind.eq(kind),
            events::call_id.eq(call_id),
            events::payload_json.eq(&payload),
            events::created_at.eq(now_ms),
        ))
        .run(conn)?;
    Ok(())
}

/// Events with `after < id <= upto`, oldest first, at most `limit`.
pub(super) fn load_between(conn: &mut DbConnection, after: i64, upto: i64, limit: i64) -> QueryResult<Vec<EventOut>> {
    let rows: Vec<(i64, String, Option<String>, String, i64)> = events::table
        .filter(events::id.gt(after))
        .filter(events::id.le(upto))
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

/// The newest row's id (0 when there is none): where a new poller starts.
pub fn newest_id(conn: &mut DbConnection) -> QueryResult<i64> {
    Ok(events::table.select(diesel::dsl::max(events::id)).first::<Option<i64>>(conn)?.unwrap_or(0))
}

/// Removes events created before `cutoff_ms` (the stream only replays recent ones).
pub(super) fn prune(conn: &mut DbConnection, cutoff_ms: i64) -> QueryResult<usize> {
    diesel::delete(events::table.filter(events::created_at.lt(cutoff_ms))).execute(conn)
}
