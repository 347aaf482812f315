//! The database side of verification: the FMCSA cache (`carriers`) and the record of
//! every verification (`verifications`); [`history`] reads a carrier's whole history.
//!
//! The cache lives in the database so it survives restarts and, on PostgreSQL, is shared
//! by every instance (SPEC §11). A row keeps what QCMobile said (the raw carrier object),
//! not a verdict, keyed `mc:<digits>` or `dot:<digits>`. Found carriers are fresh for
//! `cache_ttl_hours`, "not found" for `not_found_ttl_minutes` (a carrier may have just
//! registered), failures are never written. Expired rows stay: when FMCSA is down an
//! expired *found* row is served, flagged stale.

pub mod history;

use super::eligibility::Status;
use super::query::Lookup;
use super::service::Verification;
use crate::db::rows::VerificationRow;
use crate::db::schema::{carriers, verifications};
use crate::db::Statement;
use crate::db::{from_ms, to_ms, write_tx, DbConnection};
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

/// A cache row as read back.
#[derive(Clone, Debug, PartialEq)]
pub struct CacheEntry {
    pub lookup: Lookup,
    pub fetched_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl CacheEntry {
    pub fn is_fresh(&self, now: DateTime<Utc>) -> bool {
        self.expires_at > now
    }
}

/// A fresh FMCSA answer to keep.
#[derive(Clone, Debug)]
pub struct CacheWrite {
    pub key: String,
    pub lookup: Lookup,
    pub fetched_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = carriers, primary_key(lookup_key), treat_none_as_null = true)]
struct CarrierRow<'a> {
    lookup_key: &'a str,
    mc_number: Option<&'a str>,
    dot_number: Option<&'a str>,
    found: bool,
    record_json: String,
    legal_name: Option<&'a str>,
    fetched_at: i64,
    expires_at: i64,
}

/// The cache row for a key, if any (fresh or not). An unreadable row counts as absent.
pub fn cached(conn: &mut DbConnection, key: &str) -> AppResult<Option<CacheEntry>> {
    let row: Option<(String, i64, i64)> = carriers::table
        .find(key)
        .select((carriers::record_json, carriers::fetched_at, carriers::expires_at))
        .first(conn)
        .optional()?;
    Ok(row.and_then(|(json, fetched, expires)| match serde_json::from_str::<Lookup>(&json) {
        Ok(lookup) => Some(CacheEntry { lookup, fetched_at: from_ms(fetched), expires_at: from_ms(expires) }),
        Err(e) => {
            log::warn!("ignoring an unreadable FMCSA cache row: {e}");
            None
        }
    }))
}

fn save_cache(conn: &mut DbConnection, w: &CacheWrite) -> QueryResult<()> {
    let (mc, legal_name) = match &w.lookup {
        Lookup::Found { carrier, mc_number, .. } => (mc_number.as_deref(), carrier["legalName"].as_str()),
        Lookup::Unresolved { mc_number, .. } => (mc_number.as_deref(), None),
        Lookup::NotFound => (w.key.strip_prefix("mc:"), None),
    };
    let dot = match &w.lookup {
        Lookup::Found { carrier, .. } => match &carrier["dotNumber"] {
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::String(s) => Some(s.clone()),
            _ => None,
        },
        _ => w.key.strip_prefix("dot:").map(str::to_string),
    };
    let row = CarrierRow {
        lookup_key: &w.key,
        mc_number: mc,
        dot_number: dot.as_deref(),
        found: w.lookup.is_found(),
        record_json: serde_json::to_string(&w.lookup).unwrap_or_default(),
        legal_name,
        fetched_at: to_ms(w.fetched_at),
        expires_at: to_ms(w.expires_at),
    };
    // Instances racing on one key: the last FMCSA answer wins.
    diesel::insert_into(carriers::table)
        .values(&row)
        .on_conflict(carriers::lookup_key)
        .do_update()
        .set(&row)
        .run(conn)?;
    Ok(())
}

#[derive(Insertable)]
#[diesel(table_name = verifications)]
struct NewVerification<'a> {
    call_id: Option<&'a str>,
    mc_number: Option<&'a str>,
    dot_number: Option<&'a str>,
    status: &'a str,
    eligible: Option<bool>,
    reasons_json: String,
    warnings_json: String,
    source: &'a str,
    stale: bool,
    legal_name: Option<&'a str>,
    created_at: i64,
}

/// Writes one verification (and the cache row it refreshed, if any) in one transaction,
/// creates or enriches the call when there is a `call_id`, and puts a `verification`
/// event in the outbox for the live dashboard.
pub fn record(
    conn: &mut DbConnection,
    v: &Verification,
    call_id: Option<&str>,
    cache: Option<&CacheWrite>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let now_ms = to_ms(now);
    let legal_name = v.carrier.as_ref().and_then(|c| c.legal_name.as_deref());
    let dot = v.dot_number.as_deref();
    let reasons = serde_json::to_string(&v.reasons).unwrap_or_default();
    let warnings = serde_json::to_string(&v.warnings).unwrap_or_default();
    write_tx(conn, |conn| -> AppResult<()> {
        if let Some(w) = cache {
            save_cache(conn, w)?;
        }
        diesel::insert_into(verifications::table)
            .values(NewVerification {
                call_id,
                mc_number: v.mc_number.as_deref(),
                dot_number: dot,
                status: v.status.as_str(),
                eligible: v.eligible,
                reasons_json: reasons.clone(),
                warnings_json: warnings.clone(),
                source: v.source.as_str(),
                stale: v.stale,
                legal_name,
                created_at: now_ms,
            })
            .run(conn)?;
        if let Some(call_id) = call_id {
            let name = legal_name.map(super::messages::title_case);
            crate::calls::record::touch(conn, call_id, v.mc_number.as_deref(), name.as_deref(), now_ms)?;
        }
        crate::events::append(
            conn,
            "verification",
            call_id,
            json!({
                "mc_number": v.mc_number, "dot_number": dot, "status": v.status,
                "eligible": v.eligible, "reasons": v.reasons, "warnings": v.warnings,
                "source": v.source, "stale": v.stale, "legal_name": legal_name,
            }),
            now_ms,
        )?;
        Ok(())
    })
}

/// A stored verification, for the handoff's check and the dashboard.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VerificationRecord {
    pub id: i64,
    pub call_id: Option<String>,
    pub mc_number: Option<String>,
    pub dot_number: Option<String>,
    pub status: Status,
    pub eligible: Option<bool>,
    pub reasons: Vec<String>,
    pub warnings: Vec<String>,
    pub source: String,
    pub stale: bool,
    pub legal_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub(super) fn to_record(r: VerificationRow) -> VerificationRecord {
    let list = |s: &str| serde_json::from_str::<Vec<String>>(s).unwrap_or_default();
    VerificationRecord {
        id: r.id,
        // A status this build does not know can only mean "not settled".
        status: Status::parse(&r.status).unwrap_or(Status::Unavailable),
        reasons: list(&r.reasons_json),
        warnings: list(&r.warnings_json),
        created_at: from_ms(r.created_at),
        call_id: r.call_id,
        mc_number: r.mc_number,
        dot_number: r.dot_number,
        eligible: r.eligible,
        source: r.source,
        stale: r.stale,
        legal_name: r.legal_name,
    }
}

/// The most recent verification of an MC number (digits only, as normalised).
pub fn latest_verification(conn: &mut DbConnection, mc_number: &str) -> AppResult<Option<VerificationRecord>> {
    let row: Option<VerificationRow> = verifications::table
        .filter(verifications::mc_number.eq(mc_number))
        .order((verifications::created_at.desc(), verifications::id.desc()))
        .select(VerificationRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(to_record))
}
