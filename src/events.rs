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
    diesel::insert_into(events::table)
        .values((
            events::kind.eq(kind),
            events::call_id.eq(call_id),
            events::payload_json.eq(payload.to_string()),
            events::created_at.eq(now_ms),
        ))
        .execute(conn)?;
    Ok(())
}
