//! Webhook bodies we could not read (SPEC §12.2): kept as they came (at most
//! [`MAX_KEPT`], for the retention period), listed, and marked when an admin replays them.

use super::after_key;
use crate::calls::views::{RejectedPage, RejectedWebhook};
use crate::db::schema::rejected_webhooks;
use crate::db::{write_tx, DbConnection};
use crate::error::AppResult;
use crate::paging::split_page;
use crate::time::rfc3339;
use diesel::prelude::*;

/// At most this many rejected bodies are kept; the oldest go first.
pub const MAX_KEPT: i64 = 10_000;

#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = rejected_webhooks)]
pub struct Rejected {
    pub rejected_id: String,
    pub route: String,
    pub received_at: i64,
    pub error: String,
    pub error_line: i64,
    pub error_column: i64,
    pub body: String,
    pub request_id: Option<String>,
}

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = rejected_webhooks)]
struct Row {
    rejected_id: String,
    route: String,
    received_at: i64,
    error: String,
    error_line: i64,
    error_column: i64,
    body: String,
    request_id: Option<String>,
    replayed_at: Option<i64>,
    replay_call_id: Option<String>,
}

impl From<Row> for RejectedWebhook {
    fn from(r: Row) -> RejectedWebhook {
        RejectedWebhook {
            rejected_id: r.rejected_id,
            route: r.route,
            received_at: rfc3339(r.received_at),
            error: r.error,
            error_line: r.error_line,
            error_column: r.error_column,
            body: r.body,
            request_id: r.request_id,
            replayed_at: r.replayed_at.map(rfc3339),
            replay_call_id: r.replay_call_id,
        }
    }
}

/// Stores a rejected body, keeping at most [`MAX_KEPT`].
pub fn keep(conn: &mut DbConnection, r: &Rejected) -> AppResult<()> {
    write_tx(conn, |c| -> AppResult<()> {
        diesel::insert_into(rejected_webhooks::table).values(r).execute(c)?;
        let oldest_kept: Option<i64> = rejected_webhooks::table
            .order(rejected_webhooks::received_at.desc())
            .select(rejected_webhooks::received_at)
            .offset(MAX_KEPT - 1)
            .first(c)
            .optional()?;
        if let Some(at) = oldest_kept {
            diesel::delete(rejected_webhooks::table.filter(rejected_webhooks::received_at.lt(at))).execute(c)?;
        }
        Ok(())
    })
}

/// Removes rejected bodies older than the retention period (they may hold transcripts).
pub fn purge(conn: &mut DbConnection, retention_days: u32, now_ms: i64) -> QueryResult<usize> {
    let cutoff = now_ms - retention_days as i64 * 86_400_000;
    diesel::delete(rejected_webhooks::table.filter(rejected_webhooks::received_at.lt(cutoff))).execute(conn)
}

/// A page of rejected bodies, newest first: all, or only the replayed (`Some(true)`) or
/// open (`Some(false)`) ones; `open` counts those not replayed whatever the filter.
pub fn list_page(
    conn: &mut DbConnection,
    replayed: Option<bool>,
    limit: i64,
    after: Option<(i64, String)>,
) -> AppResult<RejectedPage> {
    let mut q = rejected_webhooks::table.into_boxed();
    match replayed {
        Some(true) => q = q.filter(rejected_webhooks::replayed_at.is_not_null()),
        Some(false) => q = q.filter(rejected_webhooks::replayed_at.is_null()),
        None => {}
    }
    let q = after_key!(q, rejected_webhooks::received_at, rejected_webhooks::rejected_id, after);
    let rows: Vec<Row> = q
        .order((rejected_webhooks::received_at.desc(), rejected_webhooks::rejected_id.desc()))
        .limit(limit + 1)
        .select(Row::as_select())
        .load(conn)?;
    let (rows, next_cursor) = split_page(rows, limit, |r| (r.received_at, &r.rejected_id));
    let open: i64 =
        rejected_webhooks::table.filter(rejected_webhooks::replayed_at.is_null()).count().get_result(conn)?;
    Ok(RejectedPage { rejected: rows.into_iter().map(RejectedWebhook::from).collect(), next_cursor, open })
}

/// The route a rejected body was posted to; `None` when there is no such body.
pub fn route_of(conn: &mut DbConnection, rejected_id: &str) -> AppResult<Option<String>> {
    Ok(rejected_webhooks::table.find(rejected_id).select(rejected_webhooks::route).first(conn).optional()?)
}

/// Marks a body replayed, with the call the replay landed on.
pub fn mark_replayed(
    conn: &mut DbConnection,
    rejected_id: &str,
    call_id: Option<String>,
    now_ms: i64,
) -> AppResult<()> {
    diesel::update(rejected_webhooks::table.find(rejected_id))
        .set((rejected_webhooks::replayed_at.eq(now_ms), rejected_webhooks::replay_call_id.eq(call_id)))
        .execute(conn)?;
    Ok(())
}
