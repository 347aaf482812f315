//! The queries behind a request's call (SPEC §12.1, rule 2 in [`crate::calls::identity`]):
//! the carrier's call in progress, found from its recent verifications and calls.

use crate::calls::identity::issue;
use crate::db::schema::{calls, verifications};
use crate::db::DbConnection;
use diesel::prelude::*;

/// How far back a carrier's call in progress is looked for.
pub const RESOLVE_WINDOW_MS: i64 = 2 * 3600 * 1000;

/// How many of a carrier's recent verifications are considered (each names a call).
const RECENT_VERIFICATIONS: i64 = 20;

/// How the call was found, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    Named,
    ByCarrier,
    Issued,
}

/// The call of a request naming `named` (if any) from a caller with `mc` (if known):
/// `None` only when both are missing.
pub fn attribute(
    conn: &mut DbConnection,
    named: Option<String>,
    mc: Option<&str>,
    now_ms: i64,
    retry_window_ms: i64,
) -> QueryResult<Option<(String, Found)>> {
    if let Some(id) = named {
        return Ok(Some((id, Found::Named)));
    }
    let Some(mc) = mc else { return Ok(None) };
    Ok(Some(match carriers_call(conn, mc, now_ms, retry_window_ms)? {
        Some(id) => (id, Found::ByCarrier),
        None => (issue(), Found::Issued),
    }))
}

/// The carrier's call in progress (rule 2 of [`crate::calls::identity`]), if any.
pub fn carriers_call(
    conn: &mut DbConnection,
    mc: &str,
    now_ms: i64,
    retry_window_ms: i64,
) -> QueryResult<Option<String>> {
    let since = now_ms - RESOLVE_WINDOW_MS;
    let finalized_long_ago = now_ms - retry_window_ms;
    let open = calls::finalized_at.is_null().or(calls::finalized_at.ge(finalized_long_ago));
    let verified: Vec<Option<String>> = verifications::table
        .filter(verifications::mc_number.eq(mc))
        .filter(verifications::created_at.ge(since))
        .filter(verifications::call_id.is_not_null())
        .order((verifications::created_at.desc(), verifications::id.desc()))
        .limit(RECENT_VERIFICATIONS)
        .select(verifications::call_id)
        .load(conn)?;
    let mut newest_first: Vec<String> = Vec::new();
    for id in verified.into_iter().flatten() {
        if !newest_first.contains(&id) {
            newest_first.push(id);
        }
    }
    if !newest_first.is_empty() {
        let still_open: Vec<String> =
            calls::table.filter(calls::call_id.eq_any(&newest_first)).filter(open).select(calls::call_id).load(conn)?;
        if let Some(id) = newest_first.into_iter().find(|id| still_open.contains(id)) {
            return Ok(Some(id));
        }
    }
    // Never verified: the carrier's latest activity (a search or a round that named its MC).
    let unverified =
        verifications::table.filter(verifications::call_id.eq(calls::call_id.nullable())).select(verifications::id);
    calls::table
        .filter(calls::mc_number.eq(mc))
        .filter(calls::updated_at.ge(since))
        .filter(open)
        .filter(diesel::dsl::not(diesel::dsl::exists(unverified)))
        .order((calls::updated_at.desc(), calls::call_id.desc()))
        .select(calls::call_id)
        .first(conn)
        .optional()
}
