//! Loads from the TMS (SPEC §13.2): a snapshot (the whole board) or a delta applied to the
//! catalogue, and the polled feed's state.
//!
//! The TMS is the source of truth for what is on the board, with one exception: a booked
//! load is ours (a carrier is on the phone with a rep about it), so a sync never touches
//! one. A load the TMS lists without a status is available; one it lists as cancelled,
//! or a snapshot no longer lists, is withdrawn (`cancelled`, reason `withdrawn_by_sync`,
//! event `load.withdrawn`). Applying the same list twice changes nothing the second time.

use super::super::import::load_from_record;
use super::super::model::{LoadRow, LoadStatus};
use super::super::views::{SyncMode, SyncRejected, SyncReport};
use super::{announce_withdrawal, find};
use crate::db::schema::{load_feed, loads};
use crate::db::{write_tx, DbConnection};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::Value;
use std::collections::HashSet;

/// Why a sync withdrew a load.
pub const WITHDRAWN_BY_SYNC: &str = "withdrawn_by_sync";

/// Rows per transaction, as imports do: other writers get the database between chunks.
const CHUNK: usize = 500;

/// What one listed load came to.
enum Synced {
    Inserted,
    Updated,
    Withdrawn,
    Unchanged,
}

/// Applies `records` (each a load in `POST /loads`' shape). A snapshot in which no load
/// can be read is refused whole: applied, it would withdraw the entire board.
pub fn apply(conn: &mut DbConnection, mode: SyncMode, records: &[Value], now: DateTime<Utc>) -> AppResult<SyncReport> {
    if records.is_empty() {
        return Err(AppError::invalid("loads", "The list of loads is empty; a sync needs at least one load."));
    }
    let mut rows = Vec::with_capacity(records.len());
    let mut report = SyncReport::default();
    // Every id the list names, readable or not: a load whose entry is broken this time is
    // not withdrawn for it.
    let mut listed: HashSet<String> = HashSet::new();
    for (index, record) in records.iter().enumerate() {
        let load_id = record.get("load_id").and_then(|v| crate::parse::id(v).ok().flatten());
        if let Some(id) = &load_id {
            listed.insert(id.clone());
        }
        // `GET /loads` says `booked` of our booked loads; a TMS echoing it back means "on
        // the board" (and a booked load is not touched anyway).
        let mut record = record.clone();
        if let Some(o) = record.as_object_mut() {
            if o.get("status").and_then(Value::as_str).is_some_and(|s| s.trim().eq_ignore_ascii_case("booked")) {
                o.remove("status");
            }
        }
        let status_given = record.get("status").is_some_and(|v| !crate::parse::is_no_value(v));
        match load_from_record(&record, now, false) {
            Ok(row) => rows.push((row, status_given)),
            Err(AppError::Client { message, field, .. }) => {
                if report.rejected.len() < 100 {
                    report.rejected.push(SyncRejected { index, load_id, field, message });
                }
            }
            Err(other) => return Err(other),
        }
    }
    if mode == SyncMode::Snapshot && rows.is_empty() {
        return Err(AppError::invalid(
            "loads",
            format!("No load in the snapshot could be read ({} rejected); nothing was applied.", records.len()),
        ));
    }
    let now_ms = crate::db::to_ms(now);
    for chunk in rows.chunks(CHUNK) {
        write_tx(conn, |c| -> AppResult<()> {
            for (row, status_given) in chunk {
                match sync_one(c, row.clone(), *status_given, now_ms)? {
                    Synced::Inserted => report.inserted += 1,
                    Synced::Updated => report.updated += 1,
                    Synced::Withdrawn => report.withdrawn += 1,
                    Synced::Unchanged => report.unchanged += 1,
                }
            }
            Ok(())
        })?;
    }
    if mode == SyncMode::Snapshot {
        report.withdrawn += withdraw_unlisted(conn, &listed, now_ms)?;
    }
    Ok(report)
}

fn sync_one(conn: &mut DbConnection, mut row: LoadRow, status_given: bool, now_ms: i64) -> AppResult<Synced> {
    let Some(old) = find(conn, &row.load_id)? else {
        diesel::insert_into(loads::table).values(&row).execute(conn)?;
        return Ok(Synced::Inserted);
    };
    if old.status() == LoadStatus::Booked {
        return Ok(Synced::Unchanged);
    }
    if !status_given {
        row.status = LoadStatus::Available.as_str().to_string();
    }
    let withdrawing = old.status() == LoadStatus::Available && row.status() == LoadStatus::Cancelled;
    row.status_reason = if withdrawing {
        Some(WITHDRAWN_BY_SYNC.to_string())
    } else if row.status == old.status {
        old.status_reason.clone()
    } else {
        None
    };
    row.booked_call_id = None;
    row.created_at = old.created_at;
    row.updated_at = old.updated_at;
    row.is_seed = old.is_seed;
    if row == old {
        return Ok(Synced::Unchanged);
    }
    row.updated_at = now_ms;
    row.is_seed = false;
    diesel::update(loads::table.find(&old.load_id)).set(&row).execute(conn)?;
    diesel::update(loads::table.find(&old.load_id)).set(loads::status_reason.eq(&row.status_reason)).execute(conn)?;
    if withdrawing {
        announce_withdrawal(conn, now_ms, |_| Ok(row.clone()))?;
        return Ok(Synced::Withdrawn);
    }
    Ok(Synced::Updated)
}

/// Withdraws every available load a snapshot does not list; how many.
fn withdraw_unlisted(conn: &mut DbConnection, listed: &HashSet<String>, now_ms: i64) -> AppResult<usize> {
    let available: Vec<String> =
        loads::table.filter(loads::status.eq(LoadStatus::Available.as_str())).select(loads::load_id).load(conn)?;
    let gone: Vec<String> = available.into_iter().filter(|id| !listed.contains(id)).collect();
    let mut withdrawn = 0;
    for chunk in gone.chunks(CHUNK) {
        write_tx(conn, |c| -> AppResult<()> {
            for id in chunk {
                // Only if still available: a load booked meanwhile stays booked, and a
                // second instance applying the same snapshot withdraws (and announces) it
                // once.
                let n = diesel::update(loads::table.find(id).filter(loads::status.eq(LoadStatus::Available.as_str())))
                    .set((
                        loads::status.eq(LoadStatus::Cancelled.as_str()),
                        loads::status_reason.eq(Some(WITHDRAWN_BY_SYNC)),
                        loads::updated_at.eq(now_ms),
                    ))
                    .execute(c)?;
                if n == 1 {
                    withdrawn += 1;
                    announce_withdrawal(c, now_ms, |c| {
                        find(c, id)?.ok_or_else(|| AppError::Internal(anyhow::anyhow!("load {id} vanished")))
                    })?;
                }
            }
            Ok(())
        })?;
    }
    Ok(withdrawn)
}

/// The feed's state as stored (one row per feed URL).
#[derive(Debug, Default, Clone, Queryable)]
pub struct FeedRow {
    pub url: String,
    pub etag: Option<String>,
    pub last_attempt_at: Option<i64>,
    pub last_success_at: Option<i64>,
    pub last_error: Option<String>,
    pub consecutive_failures: i32,
    pub last_report: Option<String>,
}

pub fn feed_state(conn: &mut DbConnection, url: &str) -> QueryResult<Option<FeedRow>> {
    load_feed::table.find(url).first(conn).optional()
}

/// What one poll of the feed came to.
pub enum Polled<'a> {
    /// Applied (the report), with the answer's ETag.
    Applied(&'a SyncReport, Option<&'a str>),
    /// `304 Not Modified`.
    NotModified,
    Failed(&'a str),
}

/// Records a poll of the feed at `now_ms`.
pub fn record_poll(conn: &mut DbConnection, url: &str, polled: Polled, now_ms: i64) -> QueryResult<()> {
    write_tx(conn, |c| {
        let old = feed_state(c, url)?.unwrap_or_default();
        let mut row = FeedRow { url: url.to_string(), last_attempt_at: Some(now_ms), ..old };
        match polled {
            Polled::Applied(report, etag) => {
                row.etag = etag.map(str::to_string);
                row.last_success_at = Some(now_ms);
                row.last_error = None;
                row.consecutive_failures = 0;
                row.last_report = serde_json::to_string(report).ok();
            }
            Polled::NotModified => {
                row.last_success_at = Some(now_ms);
                row.last_error = None;
                row.consecutive_failures = 0;
            }
            Polled::Failed(why) => {
                row.last_error = Some(why.to_string());
                row.consecutive_failures = row.consecutive_failures.saturating_add(1);
            }
        }
        diesel::delete(load_feed::table.find(url)).execute(c)?;
        diesel::insert_into(load_feed::table)
            .values((
                load_feed::url.eq(&row.url),
                load_feed::etag.eq(&row.etag),
                load_feed::last_attempt_at.eq(row.last_attempt_at),
                load_feed::last_success_at.eq(row.last_success_at),
                load_feed::last_error.eq(&row.last_error),
                load_feed::consecutive_failures.eq(row.consecutive_failures),
                load_feed::last_report.eq(&row.last_report),
            ))
            .execute(c)?;
        Ok(())
    })
}
