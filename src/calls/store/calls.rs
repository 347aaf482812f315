//! Call rows: the record each call id gets, the dashboard's filtered list and export, and
//! the transcript retention sweep.

use super::after_key;
use crate::calls::views::{CallPage, CallSummary};
use crate::db::schema::{calls, loads, negotiations};
use crate::db::DbConnection;
use crate::db::Statement;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::paging::split_page;
use crate::time::rfc3339;
use crate::types::Money;
use crate::vocab::session_status::SessionStatus;
use diesel::prelude::*;
use std::collections::HashMap;

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>);

/// The list's filters, read and normalised (labels as stored, MC numbers without `MC`,
/// periods in epoch milliseconds).
#[derive(Clone, Default)]
pub struct CallQuery {
    pub outcome: Option<String>,
    pub sentiment: Option<String>,
    pub mc: Option<String>,
    pub q: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = calls)]
pub struct CallRow {
    pub call_id: String,
    pub mc_number: Option<String>,
    pub carrier_name: Option<String>,
    pub load_id: Option<String>,
    pub started_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub duration_seconds: Option<i64>,
    pub outcome: Option<String>,
    pub sentiment: Option<String>,
    pub classified_by: Option<String>,
    pub outcome_conflict: bool,
    pub agreed_rate_cents: Option<i64>,
    pub initial_offer_cents: Option<i64>,
    pub negotiation_rounds: Option<i64>,
    pub transferred: Option<bool>,
    pub transcript_json: Option<String>,
    pub summary: Option<String>,
    pub extracted_json: Option<String>,
    pub carrier_phone: Option<String>,
    pub callback_at: Option<i64>,
    pub platform_status: Option<String>,
    pub run_id: Option<String>,
    pub first_seen_at: i64,
    pub occurred_at: i64,
    pub finalized_at: Option<i64>,
}

/// Makes sure the call exists; fills the carrier's MC and name when newly known.
pub fn touch(
    conn: &mut DbConnection,
    call_id: &str,
    mc_number: Option<&str>,
    carrier_name: Option<&str>,
    now_ms: i64,
) -> QueryResult<()> {
    let created = diesel::insert_into(calls::table)
        .values((
            calls::call_id.eq(call_id),
            calls::mc_number.eq(mc_number),
            calls::carrier_name.eq(carrier_name),
            calls::outcome_conflict.eq(false),
            calls::first_seen_at.eq(now_ms),
            calls::occurred_at.eq(now_ms),
            calls::updated_at.eq(now_ms),
        ))
        .on_conflict(calls::call_id)
        .do_nothing()
        .run(conn)?;
    // A platform session of the same id may have started before the call's first tool.
    if created > 0 {
        super::sessions::apply(conn, call_id, call_id, now_ms)?;
    }
    let target = calls::table.find(call_id);
    // A call made just now already holds the MC (and has no negotiation to fill).
    if let Some(mc) = mc_number.filter(|_| created == 0) {
        let changed = diesel::update(target.filter(calls::mc_number.is_null().or(calls::mc_number.ne(mc))))
            .set((calls::mc_number.eq(mc), calls::updated_at.eq(now_ms)))
            .run(conn)?;
        // The call's carrier is known from now on: so are its negotiations made before,
        // for pricing memory and the carrier page alike.
        if changed > 0 {
            diesel::update(negotiations::table.filter(negotiations::call_id.eq(call_id)))
                .filter(negotiations::mc_number.is_null())
                .set(negotiations::mc_number.eq(mc))
                .run(conn)?;
        }
    }
    if let Some(name) = carrier_name.filter(|_| created == 0) {
        diesel::update(target).set((calls::carrier_name.eq(name), calls::updated_at.eq(now_ms))).run(conn)?;
    }
    Ok(())
}

/// The MC the call is known by (from its verification or a tool), if any.
pub fn carrier_mc(conn: &mut DbConnection, call_id: &str) -> QueryResult<Option<String>> {
    let mc: Option<Option<String>> = calls::table.find(call_id).select(calls::mc_number).first(conn).optional()?;
    Ok(mc.flatten())
}

/// Removes transcripts of calls older than the retention period; the rest of each call
/// record stays. Returns how many transcripts were removed.
pub fn purge_transcripts(conn: &mut DbConnection, retention_days: u32, now_ms: i64) -> QueryResult<usize> {
    let cutoff = now_ms - retention_days as i64 * 86_400_000;
    diesel::update(calls::table.filter(calls::occurred_at.lt(cutoff)).filter(calls::transcript_json.is_not_null()))
        .set((calls::transcript_json.eq(None::<String>), calls::updated_at.eq(now_ms)))
        .execute(conn)
}

/// The call, or `404 call_not_found`.
pub fn find(conn: &mut DbConnection, call_id: &str) -> AppResult<CallRow> {
    calls::table.find(call_id).select(CallRow::as_select()).first(conn).optional()?.ok_or_else(|| {
        AppError::not_found(ErrorCode::CallNotFound, format!("No call with id {call_id}.")).with_field("call_id")
    })
}

/// A page of the list, newest first, after the page key `after`.
pub fn list_page(
    conn: &mut DbConnection,
    p: &CallQuery,
    limit: i64,
    after: Option<(i64, String)>,
) -> AppResult<CallPage> {
    let q = after_key!(filtered(p), calls::occurred_at, calls::call_id, after);
    let rows: Vec<CallRow> = q
        .order((calls::occurred_at.desc(), calls::call_id.desc()))
        .limit(limit + 1)
        .select(CallRow::as_select())
        .load(conn)?;
    let (rows, next_cursor) = split_page(rows, limit, |r| (r.occurred_at, &r.call_id));
    Ok(CallPage { calls: summaries(conn, &rows)?, next_cursor })
}

/// The list's rows for the CSV export: newest first, at most 100,000.
pub fn export(conn: &mut DbConnection, p: &CallQuery) -> AppResult<Vec<CallSummary>> {
    let rows: Vec<CallRow> = filtered(p)
        .order((calls::occurred_at.desc(), calls::call_id.desc()))
        .limit(100_000)
        .select(CallRow::as_select())
        .load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    // Enriched 500 at a time: each chunk is one `IN` list per table.
    for chunk in rows.chunks(500) {
        out.extend(summaries(conn, chunk)?);
    }
    Ok(out)
}

/// Enriches a page of call rows with their lane, posted rate, rounds and verification.
pub fn summaries(conn: &mut DbConnection, rows: &[CallRow]) -> AppResult<Vec<CallSummary>> {
    let now_ms = crate::db::to_ms(chrono::Utc::now());
    let ids: Vec<&str> = rows.iter().map(|r| r.call_id.as_str()).collect();
    // The load of the call: the one it names, else the one it negotiated last.
    let negs: Vec<(String, String, i32, i64)> = negotiations::table
        .filter(negotiations::call_id.eq_any(&ids))
        .select((negotiations::call_id, negotiations::load_id, negotiations::rounds, negotiations::updated_at))
        .order(negotiations::updated_at.asc())
        .load(conn)?;
    let mut rounds: HashMap<&str, i64> = HashMap::new();
    let mut last_load: HashMap<&str, &str> = HashMap::new();
    for (call, load, r, _) in &negs {
        *rounds.entry(call.as_str()).or_default() += *r as i64;
        last_load.insert(call.as_str(), load.as_str());
    }
    let load_of = |r: &CallRow| r.load_id.clone().or_else(|| last_load.get(r.call_id.as_str()).map(|s| s.to_string()));
    let load_ids: Vec<String> = rows.iter().filter_map(load_of).collect();
    let lanes = lanes(conn, &load_ids)?;
    let verification = super::story::verification_status_for_calls(conn, &ids)?;
    Ok(rows
        .iter()
        .map(|r| {
            let load = load_of(r);
            let lane = load.as_ref().and_then(|l| lanes.get(l));
            CallSummary {
                call_id: r.call_id.clone(),
                started_at: rfc3339(r.occurred_at),
                ended_at: r.ended_at.map(rfc3339),
                duration_seconds: r.duration_seconds,
                mc_number: r.mc_number.clone(),
                carrier_name: r.carrier_name.clone(),
                load_id: load.clone(),
                lane: lane.map(|(o, d, _)| format!("{o} → {d}")),
                outcome: r.outcome.clone(),
                sentiment: r.sentiment.clone(),
                classified_by: r.classified_by.clone(),
                outcome_conflict: r.outcome_conflict,
                agreed_rate: r.agreed_rate_cents.map(Money),
                loadboard_rate: lane.map(|(_, _, c)| Money(*c)),
                initial_carrier_offer: r.initial_offer_cents.map(Money),
                negotiation_rounds: r.negotiation_rounds.or_else(|| rounds.get(r.call_id.as_str()).copied()),
                transferred: r.transferred,
                verification_status: verification.get(&r.call_id).cloned(),
                platform_status: r.platform_status.clone(),
                premium_usd: premium(r.agreed_rate_cents, lane).map(|(usd, _)| usd),
                premium_pct: premium(r.agreed_rate_cents, lane).map(|(_, pct)| pct),
                in_progress: in_progress(r, now_ms),
            }
        })
        .collect())
}

/// The agreed rate over the posted one, in dollars and as a percentage (one decimal).
fn premium(agreed_cents: Option<i64>, lane: Option<&(String, String, i64)>) -> Option<(Money, f64)> {
    let (agreed, posted) = (agreed_cents?, lane?.2);
    let pct = Money(agreed).premium_over(Money(posted))?;
    Some((Money(agreed - posted), crate::types::round1(pct)))
}

/// How long a call with no word from the platform counts as going on after it began.
const IN_PROGRESS_WITHOUT_PLATFORM_MS: i64 = 60 * 60 * 1000;

/// No outcome and no end yet, and the platform's session is live; with no word from the
/// platform, a call that began within the hour.
fn in_progress(r: &CallRow, now_ms: i64) -> bool {
    if r.outcome.is_some() || r.ended_at.is_some() {
        return false;
    }
    match r.platform_status.as_deref().and_then(SessionStatus::parse) {
        Some(status) => !status.is_terminal(),
        None => now_ms - r.occurred_at < IN_PROGRESS_WITHOUT_PLATFORM_MS,
    }
}

/// Each load's origin, destination and posted rate.
fn lanes(conn: &mut DbConnection, load_ids: &[String]) -> QueryResult<HashMap<String, (String, String, i64)>> {
    Ok(loads::table
        .filter(loads::load_id.eq_any(load_ids))
        .select((loads::load_id, loads::origin, loads::destination, loads::loadboard_rate_cents))
        .load::<(String, String, String, i64)>(conn)?
        .into_iter()
        .map(|(id, o, d, r)| (id, (o, d, r)))
        .collect())
}

/// Named explicitly in each `LIKE ... ESCAPE`: SQLite has no default escape character.
const LIKE_ESCAPE: char = '\\';

/// `text` as a LIKE pattern that matches only itself: platform ids such as `ses_5b1e…`
/// carry `_`, a wildcard to LIKE.
fn like_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_') || c == LIKE_ESCAPE {
            out.push(LIKE_ESCAPE);
        }
        out.push(c);
    }
    out
}

fn filtered(p: &CallQuery) -> calls::BoxedQuery<'static, crate::db::DbBackend> {
    let mut q = calls::table.into_boxed();
    if let Some(o) = &p.outcome {
        q = q.filter(calls::outcome.eq(o.clone()));
    }
    if let Some(s) = &p.sentiment {
        q = q.filter(calls::sentiment.eq(s.clone()));
    }
    if let Some(m) = &p.mc {
        q = q.filter(calls::mc_number.eq(m.clone()));
    }
    if let Some(text) = &p.q {
        let pattern = format!("%{}%", like_literal(&text.to_lowercase()));
        q = q.filter(
            lower(calls::carrier_name.nullable())
                .like(pattern.clone())
                .escape(LIKE_ESCAPE)
                .or(lower(calls::call_id.nullable()).like(pattern.clone()).escape(LIKE_ESCAPE))
                .or(calls::mc_number.like(pattern).escape(LIKE_ESCAPE)),
        );
    }
    if let Some(from) = p.from {
        q = q.filter(calls::occurred_at.ge(from));
    }
    if let Some(to) = p.to {
        q = q.filter(calls::occurred_at.lt(to));
    }
    q
}
