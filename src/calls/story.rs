//! Reads of other domains' records by call, for the call's story and classification.

use crate::db::schema::verifications;
use crate::db::DbConnection;
use crate::error::AppResult;
use diesel::prelude::*;
use serde_json::{json, Value};
use std::collections::HashMap;

type VerificationRow = (i64, String, Option<bool>, String, String, String, bool, Option<String>, Option<String>, i64);

fn view(r: &VerificationRow) -> Value {
    let (_, status, eligible, reasons, warnings, source, stale, legal_name, mc, at) = r;
    json!({
        "mc_number": mc,
        "status": status,
        "eligible": eligible,
        "reasons": serde_json::from_str::<Value>(reasons).unwrap_or(json!([])),
        "warnings": serde_json::from_str::<Value>(warnings).unwrap_or(json!([])),
        "source": source,
        "stale": stale,
        "legal_name": legal_name,
        "checked_at": crate::time::rfc3339(*at),
    })
}

fn rows(conn: &mut DbConnection, call_ids: &[&str]) -> AppResult<Vec<(Option<String>, VerificationRow)>> {
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        Option<String>,
        i64,
        String,
        Option<bool>,
        String,
        String,
        String,
        bool,
        Option<String>,
        Option<String>,
        i64,
    )> = verifications::table
        .filter(verifications::call_id.eq_any(call_ids))
        .order(verifications::id.asc())
        .select((
            verifications::call_id,
            verifications::id,
            verifications::status,
            verifications::eligible,
            verifications::reasons_json,
            verifications::warnings_json,
            verifications::source,
            verifications::stale,
            verifications::legal_name,
            verifications::mc_number,
            verifications::created_at,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.0, (r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10))).collect())
}

/// Every verification made during the call, oldest first, with its time.
pub fn verifications_for_call(conn: &mut DbConnection, call_id: &str) -> AppResult<Vec<(i64, Value)>> {
    Ok(rows(conn, &[call_id])?.iter().map(|(_, r)| (r.9, view(r))).collect())
}

/// The latest verification status of each call.
pub fn verification_status_for_calls(conn: &mut DbConnection, call_ids: &[&str]) -> AppResult<HashMap<String, String>> {
    let mut out = HashMap::new();
    for (call, r) in rows(conn, call_ids)? {
        if let Some(c) = call {
            out.insert(c, r.1.clone());
        }
    }
    Ok(out)
}

pub fn verification_status_for_call(conn: &mut DbConnection, call_id: &str) -> AppResult<Option<String>> {
    // One cached statement (an `IN` list is parsed on each call), and no ORDER BY … LIMIT:
    // with it PostgreSQL walked the primary key backwards through every verification
    // when the call had none. A call has a few; the latest is picked here.
    let all: Vec<(i64, String)> = crate::per_backend!(conn, c => verifications::table
        .filter(verifications::call_id.eq(call_id))
        .select((verifications::id, verifications::status))
        .load(c)?);
    Ok(all.into_iter().max_by_key(|(id, _)| *id).map(|(_, status)| status))
}
