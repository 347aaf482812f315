//! The load room's reads and writes: the search's re-read of its candidates and its
//! record, the catalogue pages, upserts and imports, the seed's weekly refresh, and the
//! index's reads. The only place in the room that speaks SQL.

pub mod sync;

use super::import::load_from_record;
use super::index::LoadIndex;
use super::model::{IndexRow, LoadRow, LoadStatus};
use super::search::{self, Criteria};
use super::views::{ImportReport, RejectedRow, SearchAnswer, SearchHit, Upserted};
use crate::db::schema::{loads, searches};
use crate::db::{columns, Statement};
use crate::db::{to_ms, write_tx, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::geo::Place;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde_json::{json, Map, Value};

/// Candidate rows for a search: the in-memory index scores every available load, then
/// the best few are read from the database, so a load booked a moment ago (here or on
/// another instance) is never offered and what is said about a load is current.
fn candidates(
    index: &LoadIndex,
    conn: &mut DbConnection,
    c: &Criteria,
    now: DateTime<Utc>,
    widen: bool,
    refresh: bool,
) -> AppResult<Vec<LoadRow>> {
    if refresh {
        index.refresh(conn, false)?;
    }
    let mut wider = c.clone();
    // Spares for loads the index still thinks available.
    wider.max_results = c.max_results + 10;
    let ids = index.snapshot().rank(&wider, widen, now);
    if ids.is_empty() {
        return Ok(vec![]);
    }
    // Looked up by key only; status and pickup are checked here. With them in the WHERE
    // clause SQLite's planner preferred the (status, pickup_at) index and walked every
    // available load: a search over 100k loads took 250 ms instead of 1 ms.
    // The best first, only as many as wanted: the spares are read only for loads that
    // turn out to be gone (usually none, so most searches read three rows, not thirteen).
    let now_ms = to_ms(now);
    let mut rows: Vec<LoadRow> = Vec::with_capacity(c.max_results);
    let mut next = 0;
    while rows.len() < c.max_results && next < ids.len() {
        let take = (c.max_results - rows.len()).min(ids.len() - next);
        let chunk = &ids[next..next + take];
        next += take;
        let fresh = reread(conn, chunk)?;
        rows.extend(fresh.into_iter().filter(|r| r.status == LoadStatus::Available.as_str() && r.pickup_at > now_ms));
    }
    Ok(rows)
}

/// Re-reads a search's candidates by primary key and nothing else (see `candidates`; a
/// test checks SQLite's plan). PostgreSQL takes the ids as one array parameter, so its
/// statement is prepared once; SQLite's `IN (?, ?, ?)` would be parsed anew for every
/// search (a tenth of a search's time), while a lookup per id reuses one statement.
fn reread(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<LoadRow>> {
    if !conn.is_sqlite() {
        return loads::table.filter(loads::load_id.eq_any(ids)).select(columns::<LoadRow>()).rows(conn);
    }
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        rows.extend(by_id(id).select(columns::<LoadRow>()).row(conn).optional()?);
    }
    Ok(rows)
}

fn by_id(id: &str) -> diesel::dsl::Filter<loads::table, diesel::dsl::Eq<loads::load_id, &str>> {
    loads::table.filter(loads::load_id.eq(id))
}

fn can_widen(c: &Criteria) -> bool {
    let city_without_radius =
        |p: &Option<Place>, r: Option<f64>| matches!(p, Some(Place::Cities { .. })) && r.is_none();
    city_without_radius(&c.origin, c.origin_radius) || city_without_radius(&c.destination, c.destination_radius)
}

/// A search's reads, together (one snapshot on SQLite): the matches for `criteria` and
/// what the agent says about them, serialized, with the ids offered. `refresh` first
/// brings the index up to date (not needed when it is fresh).
pub fn search(
    index: &LoadIndex,
    conn: &mut DbConnection,
    criteria: &Criteria,
    call_id: Option<String>,
    now: DateTime<Utc>,
    refresh: bool,
) -> AppResult<(Vec<u8>, Vec<String>)> {
    crate::db::read_together(conn, |conn| {
        let mut rows = candidates(index, conn, criteria, now, false, refresh)?;
        let mut widened = false;
        let mut ranked = search::rank(criteria, &rows, now, false);
        if ranked.is_empty() && can_widen(criteria) {
            rows = candidates(index, conn, criteria, now, true, false)?;
            ranked = search::rank(criteria, &rows, now, true);
            widened = !ranked.is_empty();
        }
        let hits: Vec<SearchHit> = ranked
            .iter()
            .map(|r| SearchHit {
                load: r.row.view(false),
                match_score: r.score,
                deadhead_miles: r.deadhead_miles,
                pitch: search::pitch(r, criteria.origin.as_ref(), now),
            })
            .collect();
        let message = match hits.first() {
            Some(first) => offer_message(criteria, widened, &first.pitch, hits.len()),
            None => empty_message(index, conn, criteria, now)?,
        };
        let ids: Vec<String> = hits.iter().map(|h| h.load.load_id.clone()).collect();
        // Serialized here, with the reads, straight from the structs (no JSON tree).
        let body = serde_json::to_vec(&SearchAnswer { total: hits.len(), loads: hits, widened, message, call_id })
            .map_err(anyhow::Error::from)?;
        Ok((body, ids))
    })
}

/// The first load's pitch, led by the widening when there was one, and how many more.
fn offer_message(criteria: &Criteria, widened: bool, pitch: &str, found: usize) -> String {
    let lead = if widened {
        format!(
            "Nothing leaves {} itself, but close by: ",
            criteria.origin.as_ref().map(Place::describe).unwrap_or_default()
        )
    } else {
        String::new()
    };
    let more = match found {
        1 => String::new(),
        n => format!(" I have {} more option{} if that one doesn't work.", n - 1, if n == 2 { "" } else { "s" }),
    };
    format!("{lead}{pitch}{more}")
}

/// When nothing fits, say so and offer what would: other equipment on the lane, or the
/// lane on other days.
fn empty_message(index: &LoadIndex, conn: &mut DbConnection, c: &Criteria, now: DateTime<Utc>) -> AppResult<String> {
    let wanted = search::describe(c);
    if let Some(Place::Unknown(text)) = &c.origin {
        return Ok(format!("I couldn't place \"{text}\". What's the nearest big city, and the state?"));
    }
    let mut relaxed = c.clone();
    relaxed.equipment = None;
    relaxed.pickup = None;
    relaxed.max_results = 50;
    let rows = candidates(index, conn, &relaxed, now, true, false)?;
    let others = search::rank(&relaxed, &rows, now, true);
    let mut types: Vec<&str> = others.iter().map(|r| r.row.equipment_type.as_str()).collect();
    types.sort();
    types.dedup();
    let when = if c.pickup.is_some() { " for that pickup day" } else { "" };
    Ok(if others.is_empty() {
        format!("I don't have any {wanted} right now{when}. Is there another lane or area you'd run?")
    } else if c.equipment.is_some() && !types.iter().any(|t| Some(t.to_string()) == c.equipment_label()) {
        format!(
            "I don't have any {wanted} right now. On that lane I do have {} freight. Would any of that work?",
            types.join(" and ")
        )
    } else {
        format!(
            "I don't have any {wanted}{when}. I do have {} on that lane on other days. Want to hear one?",
            crate::speech::plural(others.len(), "load", "loads")
        )
    })
}

/// What one search was, for the call and for unmet-demand reporting.
pub struct SearchRecord<'a> {
    pub call_id: Option<&'a str>,
    pub mc_number: Option<&'a str>,
    /// What was asked (the criteria members of the body, not the whole body).
    pub criteria: &'a Map<String, Value>,
    pub load_ids: &'a [String],
    pub now_ms: i64,
}

/// Records a search: the call, the event and the search row land together.
pub fn record_search(conn: &mut DbConnection, s: &SearchRecord) -> AppResult<()> {
    write_tx(conn, |conn| -> AppResult<()> {
        if let Some(c) = s.call_id {
            crate::calls::record::touch(conn, c, s.mc_number, None, s.now_ms)?;
        }
        crate::events::append(
            conn,
            "search",
            s.call_id,
            json!({"criteria": s.criteria, "result_count": s.load_ids.len(), "load_ids": s.load_ids}),
            s.now_ms,
        )?;
        let criteria_text = Value::Object(s.criteria.clone()).to_string();
        let ids_text = serde_json::to_string(s.load_ids).unwrap_or_default();
        diesel::insert_into(searches::table)
            .values((
                searches::call_id.eq(s.call_id),
                searches::mc_number.eq(s.mc_number),
                searches::criteria_json.eq(&criteria_text),
                searches::result_count.eq(s.load_ids.len() as i32),
                searches::load_ids_json.eq(&ids_text),
                searches::created_at.eq(s.now_ms),
            ))
            .run(conn)?;
        Ok(())
    })
}

/// One page of the catalogue by pickup time (then id), one row more than `limit` to tell
/// whether another page follows.
pub fn list(
    conn: &mut DbConnection,
    status: Option<LoadStatus>,
    after: Option<(i64, String)>,
    limit: i64,
) -> AppResult<Vec<LoadRow>> {
    let mut query = loads::table.select(LoadRow::as_select()).into_boxed();
    if let Some(s) = status {
        query = query.filter(loads::status.eq(s.as_str()));
    }
    if let Some((at, id)) = after {
        query = query.filter(loads::pickup_at.gt(at).or(loads::pickup_at.eq(at).and(loads::load_id.gt(id))));
    }
    Ok(query.order((loads::pickup_at.asc(), loads::load_id.asc())).limit(limit + 1).load(conn)?)
}

/// One load by id.
pub fn find(conn: &mut DbConnection, load_id: &str) -> AppResult<Option<LoadRow>> {
    Ok(loads::table.find(load_id).select(LoadRow::as_select()).first(conn).optional()?)
}

/// Inserts or updates one load. An update keeps the booking state: a booked load's
/// status and booking cannot be changed by an import.
pub fn upsert(conn: &mut DbConnection, mut row: LoadRow, status_given: bool) -> AppResult<Upserted> {
    let existing: Option<LoadRow> = find(conn, &row.load_id)?;
    match existing {
        None => {
            diesel::insert_into(loads::table).values(&row).execute(conn)?;
            Ok(Upserted::Inserted)
        }
        Some(old) => {
            let booked = old.status() == LoadStatus::Booked;
            if booked && status_given && row.status != old.status {
                return Err(AppError::conflict(
                    ErrorCode::LoadAlreadyBooked,
                    format!("Load {} is booked; cancel the booking before changing its status.", old.load_id),
                )
                .with_field("status"));
            }
            if booked || !status_given {
                row.status = old.status.clone();
            }
            row.booked_call_id = old.booked_call_id.clone();
            row.created_at = old.created_at;
            row.is_seed = old.is_seed && row.is_seed;
            diesel::update(loads::table.find(&old.load_id)).set(&row).execute(conn)?;
            if row.status != old.status {
                diesel::update(loads::table.find(&old.load_id))
                    .set(loads::status_reason.eq(None::<String>))
                    .execute(conn)?;
            }
            if old.status() == LoadStatus::Available && row.status() == LoadStatus::Cancelled {
                announce_withdrawal(conn, to_ms(Utc::now()), |_| Ok(row.clone()))?;
            }
            Ok(Upserted::Updated)
        }
    }
}

/// Announces a load that left the board without being booked: `load.withdrawn`, with
/// `max_rate` (its receivers are the brokerage's own systems). `row` gives the load as
/// stored, and is only called when some endpoint takes the event.
pub(crate) fn announce_withdrawal(
    conn: &mut DbConnection,
    now_ms: i64,
    row: impl FnOnce(&mut DbConnection) -> AppResult<LoadRow>,
) -> AppResult<usize> {
    crate::webhooks::publish(conn, crate::webhooks::EventType::LoadWithdrawn, now_ms, |c| Ok(row(c)?.view(true)))
}

/// Upserts one load in its own transaction and reads it back as stored; the index is
/// told to refresh before the next search.
pub fn upsert_one(
    conn: &mut DbConnection,
    index: &LoadIndex,
    row: LoadRow,
    status_given: bool,
) -> AppResult<(Upserted, LoadRow)> {
    let id = row.load_id.clone();
    let outcome = write_tx(conn, |c| upsert(c, row, status_given))?;
    index.mark_stale();
    let stored: LoadRow = loads::table.find(id).select(LoadRow::as_select()).first(conn)?;
    Ok((outcome, stored))
}

/// Imports records, each good row applied and each bad one reported with its reason.
/// Rows are written in transactions of a few hundred.
pub fn import_records(
    conn: &mut DbConnection,
    records: &[Value],
    now: DateTime<Utc>,
    is_seed: bool,
) -> AppResult<ImportReport> {
    let mut report = ImportReport::default();
    for (chunk_no, chunk) in records.chunks(500).enumerate() {
        write_tx(conn, |conn| -> AppResult<()> {
            for (i, record) in chunk.iter().enumerate() {
                let row_no = chunk_no * 500 + i + 1;
                let load_id = record.get("load_id").and_then(|v| crate::parse::id(v).ok().flatten());
                let status_given = record.get("status").is_some_and(|v| !crate::parse::is_no_value(v));
                let outcome = load_from_record(record, now, is_seed).and_then(|row| upsert(conn, row, status_given));
                match outcome {
                    Ok(Upserted::Inserted) => report.inserted += 1,
                    Ok(Upserted::Updated) => report.updated += 1,
                    Err(AppError::Client { message, field, .. }) => {
                        report.reject(RejectedRow { row: row_no, load_id, field, reason: message })
                    }
                    Err(other) => return Err(other),
                }
            }
            Ok(())
        })?;
    }
    Ok(report)
}

/// How many loads there are, of any status.
pub fn count(conn: &mut DbConnection) -> AppResult<i64> {
    Ok(loads::table.count().get_result(conn)?)
}

/// Development only: bundled seed loads still available whose pickup has passed move
/// forward by whole weeks, keeping their weekday, local time and lane.
pub fn refresh_seed(conn: &mut DbConnection, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let now_ms = to_ms(now);
    write_tx(conn, |conn| -> anyhow::Result<usize> {
        let stale: Vec<(String, i64, Option<i64>)> = loads::table
            .filter(loads::is_seed.eq(true))
            .filter(loads::status.eq(LoadStatus::Available.as_str()))
            .filter(loads::pickup_at.le(now_ms))
            .select((loads::load_id, loads::pickup_at, loads::delivery_at))
            .load(conn)?;
        let week = Duration::weeks(1).num_milliseconds();
        for (id, pickup, delivery) in &stale {
            let weeks = (now_ms - pickup) / week + 1;
            let shift = weeks * week;
            diesel::update(loads::table.find(id))
                .set((
                    loads::pickup_at.eq(pickup + shift),
                    loads::delivery_at.eq(delivery.map(|d| d + shift)),
                    loads::updated_at.eq(now_ms),
                ))
                .execute(conn)?;
        }
        Ok(stale.len())
    })
}

/// The index's catch-up: every load changed at or after `since_ms`, found through the
/// updated_at index.
pub fn changed_since(conn: &mut DbConnection, since_ms: i64) -> QueryResult<Vec<IndexRow>> {
    loads::table.filter(loads::updated_at.ge(since_ms)).select(IndexRow::as_select()).load(conn)
}

/// The index's first load, a page at a time by key: the `limit` loads after `after`.
pub fn index_page(conn: &mut DbConnection, after: &str, limit: i64) -> QueryResult<Vec<IndexRow>> {
    loads::table
        .filter(loads::load_id.gt(after))
        .order(loads::load_id.asc())
        .limit(limit)
        .select(IndexRow::as_select())
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite's plan for the candidates' re-read must be a primary-key lookup, not a walk
    /// over an index of every available load.
    #[test]
    fn candidates_are_reread_by_primary_key_on_sqlite() {
        let query = by_id("L-1").select(loads::load_id);
        let plan = crate::db::sqlite_plan(&diesel::debug_query::<diesel::sqlite::Sqlite, _>(&query).to_string());
        assert!(plan.iter().any(|step| step.contains("sqlite_autoindex_loads_1")), "plan: {plan:?}");
        assert!(!plan.iter().any(|step| step.contains("SCAN")), "plan: {plan:?}");
    }
}
