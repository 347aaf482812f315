//! Load routes: the agent's search, and the dashboard/admin catalogue routes.

use super::import::{self, ImportReport};
use super::index::LoadIndex;
use super::model::{LoadRow, LoadStatus, LoadView};
use super::search::{self, Criteria, DEFAULT_WINDOW_HOURS};
use crate::db::schema::{loads, searches};
use crate::db::{to_ms, DbConnection, ReadCost};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::geo::{self, Place};
use crate::http::auth::Principal;
use crate::http::body::{JsonBody, RawBody};
use crate::paging::{decode_page_key, encode_page_key, page_limit};
use crate::parse::Fields;
use crate::state::AppState;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

const MAX_RESULTS_CAP: i64 = 100;

fn read_radius(f: &Fields, field: &str) -> AppResult<Option<f64>> {
    match f.number(field)? {
        None => Ok(None),
        Some(0.0) => Ok(None),
        Some(r) if !(1.0..=1000.0).contains(&r) => {
            Err(AppError::invalid(field, format!("`{field}` must be between 1 and 1000 miles.")))
        }
        Some(r) => Ok(Some(r)),
    }
}

fn read_criteria(f: &Fields) -> AppResult<Criteria> {
    let g = geo::gazetteer();
    let window_hours = match f.number("pickup_window_hours")? {
        None => DEFAULT_WINDOW_HOURS,
        Some(0.0) => DEFAULT_WINDOW_HOURS,
        Some(h) if !(1.0..=720.0).contains(&h) => {
            return Err(AppError::invalid("pickup_window_hours", "`pickup_window_hours` must be between 1 and 720."))
        }
        Some(h) => h,
    };
    let max_results = f.count("max_results", true)?.unwrap_or(3).min(MAX_RESULTS_CAP) as usize;
    Ok(Criteria {
        origin: f.text("origin")?.map(|t| g.resolve(&t)),
        origin_radius: read_radius(f, "origin_radius_miles")?,
        destination: f.text("destination")?.map(|t| g.resolve(&t)),
        destination_radius: read_radius(f, "destination_radius_miles")?,
        equipment: f.text("equipment_type")?.and_then(|e| search::equipment_wanted(&e)),
        pickup: f.when("pickup_date")?,
        window_hours,
        max_results,
    })
}

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
        rows.extend(fresh.into_iter().filter(|r| r.status == "available" && r.pickup_at > now_ms));
    }
    Ok(rows)
}

/// Re-reads a search's candidates by primary key and nothing else (see `candidates`; a
/// test checks SQLite's plan). PostgreSQL takes the ids as one array parameter, so its
/// statement is prepared once; SQLite's `IN (?, ?, ?)` would be parsed anew for every
/// search (a tenth of a search's time), while a lookup per id reuses one statement.
fn reread(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<LoadRow>> {
    match conn {
        DbConnection::Sqlite(c) => {
            let mut rows = Vec::with_capacity(ids.len());
            for id in ids {
                rows.extend(by_id(id).select(LoadRow::as_select()).first(c).optional()?);
            }
            Ok(rows)
        }
        DbConnection::Postgresql(c) => {
            loads::table.filter(loads::load_id.eq_any(ids)).select(LoadRow::as_select()).load(c)
        }
    }
}

fn by_id(id: &str) -> diesel::dsl::Filter<loads::table, diesel::dsl::Eq<loads::load_id, &str>> {
    loads::table.filter(loads::load_id.eq(id))
}

#[derive(Serialize)]
struct SearchHit {
    #[serde(flatten)]
    load: LoadView,
    match_score: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    deadhead_miles: Option<f64>,
    /// One sentence the agent can say to pitch this load.
    pitch: String,
}

fn can_widen(c: &Criteria) -> bool {
    let city_without_radius =
        |p: &Option<Place>, r: Option<f64>| matches!(p, Some(Place::Cities { .. })) && r.is_none();
    city_without_radius(&c.origin, c.origin_radius) || city_without_radius(&c.destination, c.destination_radius)
}

#[utoipa::path(
    post,
    path = "/api/v1/loads/search",
    operation_id = "searchLoads",
    tag = "agent",
    summary = "Find loads for a caller",
    description = "Scope: agent. Available loads with a future pickup that fit, best match first, each with a pitch the agent can say. Places are free text; a city given without a radius matches that city, and when nothing leaves it the search widens to 100 miles and says so (`widened`). An empty list with a helpful `message` when nothing fits (still 200). Every search is recorded with its `call_id`.",
    request_body(content = crate::http::openapi::SearchRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The matches (maybe none) and what to say.", body = crate::http::openapi::SearchAnswer),
        (status = 400, description = "`invalid_json` or `invalid_body`: the body is not a JSON object.", body = crate::http::openapi::ErrorBody),
        (status = 413, description = "`payload_too_large`: the body is over `BODY_LIMIT_KB`.", body = crate::http::openapi::ErrorBody),
        (status = 422, description = "`invalid_value` naming the field (a radius outside 1 to 1000, a window outside 1 to 720 hours, an unreadable date, a text over 200 characters, an MC that cannot be one).", body = crate::http::openapi::ErrorBody),
    ),
    security(("x_api_key" = []), ("api_key" = []), ("bearer" = []))
)]
pub async fn search(
    state: web::Data<AppState>,
    index: web::Data<LoadIndex>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    let f = Fields::new(&body.0)?;
    let criteria = read_criteria(&f)?;
    let named = crate::calls::record::named(&f)?;
    let mc = f.mc("mc_number")?;
    // Unattributed (null) only when neither the call nor the caller's MC is known.
    let call_id = crate::calls::record::attribute_for(&state, named, mc.as_ref().map(|m| m.as_str())).await?;
    let now = Utc::now();
    // What was asked, for unmet-demand reporting (not the whole body).
    let criteria_json: serde_json::Map<String, serde_json::Value> = [
        "origin",
        "origin_radius_miles",
        "destination",
        "destination_radius_miles",
        "equipment_type",
        "pickup_date",
        "pickup_window_hours",
    ]
    .iter()
    .filter_map(|k| f.raw(k).map(|v| (k.to_string(), v.clone())))
    .collect();
    // A fresh index needs no refresh, and then the read is a few primary-key lookups.
    let short = index.is_fresh();
    let read = {
        let index = index.clone();
        let call_id = call_id.clone();
        move |conn: &mut DbConnection| {
            crate::db::read_together(conn, |conn| answer(&index, conn, &criteria, call_id, now, !short))
        }
    };
    let now_ms = to_ms(now);
    // The call, the event and the search record land together.
    let record = move |conn: &mut DbConnection, (answer, ids): (Vec<u8>, Vec<String>)| {
        crate::db::write_tx(conn, |conn| -> AppResult<()> {
            if let Some(c) = &call_id {
                crate::calls::record::touch(conn, c, mc.as_ref().map(|m| m.as_str()), None, now_ms)?;
            }
            crate::events::append(
                conn,
                "search",
                call_id.as_deref(),
                json!({"criteria": criteria_json, "result_count": ids.len(), "load_ids": ids}),
                now_ms,
            )?;
            let criteria_text = serde_json::Value::Object(criteria_json.clone()).to_string();
            let ids_text = serde_json::to_string(&ids).unwrap_or_default();
            crate::per_backend!(conn, c => diesel::insert_into(searches::table)
                .values((
                    searches::call_id.eq(call_id.as_deref()),
                    searches::mc_number.eq(mc.as_ref().map(|m| m.as_str())),
                    searches::criteria_json.eq(&criteria_text),
                    searches::result_count.eq(ids.len() as i32),
                    searches::load_ids_json.eq(&ids_text),
                    searches::created_at.eq(now_ms),
                ))
                .execute(c)?);
            Ok(())
        })?;
        Ok(answer)
    };
    let cost = if short { ReadCost::Brief } else { ReadCost::Long };
    let answer = state.db.read_then_write(cost, read, record).await?;
    Ok(HttpResponse::Ok().insert_header(actix_web::http::header::ContentType::json()).body(answer))
}

/// The matches for `criteria` and what the agent says about them, with the ids offered.
fn answer(
    index: &LoadIndex,
    conn: &mut DbConnection,
    criteria: &Criteria,
    call_id: Option<String>,
    now: DateTime<Utc>,
    refresh: bool,
) -> AppResult<(Vec<u8>, Vec<String>)> {
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
        Some(first) => {
            let lead = if widened {
                format!(
                    "Nothing leaves {} itself, but close by: ",
                    criteria.origin.as_ref().map(Place::describe).unwrap_or_default()
                )
            } else {
                String::new()
            };
            let more = match hits.len() {
                1 => String::new(),
                n => {
                    format!(" I have {} more option{} if that one doesn't work.", n - 1, if n == 2 { "" } else { "s" })
                }
            };
            format!("{lead}{}{more}", first.pitch)
        }
        None => empty_message(index, conn, criteria, now)?,
    };
    let ids: Vec<String> = hits.iter().map(|h| h.load.load_id.clone()).collect();
    // Serialized here, with the reads, straight from the structs (no JSON tree).
    let body = serde_json::to_vec(&SearchAnswer { total: hits.len(), loads: hits, widened, message, call_id })
        .map_err(anyhow::Error::from)?;
    Ok((body, ids))
}

#[derive(Serialize)]
struct SearchAnswer {
    loads: Vec<SearchHit>,
    total: usize,
    widened: bool,
    message: String,
    /// The call this search was recorded for (SPEC §12.1); null when unattributed.
    call_id: Option<String>,
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

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/loads",
    operation_id = "listLoads",
    tag = "dashboard",
    summary = "The load catalogue",
    description = "Scope: dashboard (or admin). Every load by pickup time, paginated; `max_rate` included when set.",
    params(crate::http::openapi::LoadListQuery),
    responses(
        (status = 200, description = "A page of loads.", body = crate::http::openapi::LoadPage),
        (status = 400, description = "`invalid_query`: the query string cannot be read (e.g. a parameter given twice).", body = crate::http::openapi::ErrorBody),
        (status = 422, description = "`invalid_value` on `status`, `limit` or `cursor`.", body = crate::http::openapi::ErrorBody),
    ),
    security(("x_api_key" = []), ("api_key" = []), ("bearer" = []), ("session_cookie" = []))
)]
pub async fn list(req: HttpRequest, state: web::Data<AppState>, q: web::Query<ListQuery>) -> AppResult<HttpResponse> {
    let broker = req.extensions().get::<Principal>().is_some_and(Principal::sees_broker_fields);
    let limit = page_limit(q.limit.as_deref())?;
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty() && *s != "all") {
        None => None,
        Some(s) => Some(
            LoadStatus::parse(s)
                .ok_or_else(|| AppError::invalid("status", "`status` must be available, booked or cancelled."))?,
        ),
    };
    let after = decode_page_key(q.cursor.as_deref())?;
    let rows = state
        .db
        .read(move |conn| -> AppResult<Vec<LoadRow>> {
            let mut query = loads::table.select(LoadRow::as_select()).into_boxed();
            if let Some(s) = status {
                query = query.filter(loads::status.eq(s.as_str()));
            }
            if let Some((at, id)) = after {
                query = query.filter(loads::pickup_at.gt(at).or(loads::pickup_at.eq(at).and(loads::load_id.gt(id))));
            }
            Ok(query.order((loads::pickup_at.asc(), loads::load_id.asc())).limit(limit + 1).load(conn)?)
        })
        .await?;
    let more = rows.len() as i64 > limit;
    let page = &rows[..rows.len().min(limit as usize)];
    let next_cursor = if more { page.last().map(|r| encode_page_key(r.pickup_at, &r.load_id)) } else { None };
    let views: Vec<LoadView> = page.iter().map(|r| r.view(broker)).collect();
    Ok(HttpResponse::Ok().json(json!({"loads": views, "next_cursor": next_cursor})))
}

#[utoipa::path(
    get,
    path = "/api/v1/loads/{load_id}",
    operation_id = "getLoad",
    tags = ["agent", "dashboard"],
    summary = "One load",
    description = "Scope: agent or dashboard (or admin). Agents never see `max_rate`; dashboard and admin readers do when it is set. Dashboard routes also take the session cookie.",
    params(("load_id" = String, Path, description = "The load's id (at most 128 characters).")),
    responses(
        (status = 200, description = "The load.", body = crate::http::openapi::Load),
        (status = 404, description = "`load_not_found` (field `load_id`).", body = crate::http::openapi::ErrorBody),
        (status = 422, description = "`invalid_value`: `load_id` is longer than 128 characters.", body = crate::http::openapi::ErrorBody),
    ),
    security(("x_api_key" = []), ("api_key" = []), ("bearer" = []), ("session_cookie" = []))
)]
pub async fn get(req: HttpRequest, state: web::Data<AppState>, path: web::Path<String>) -> AppResult<HttpResponse> {
    let broker = req.extensions().get::<Principal>().is_some_and(Principal::sees_broker_fields);
    let id = path.into_inner();
    if id.chars().count() > crate::parse::MAX_ID_LEN {
        return Err(AppError::invalid("load_id", "`load_id` is longer than 128 characters."));
    }
    let lookup = id.clone();
    let row = state
        .db
        .read(move |conn| -> AppResult<Option<LoadRow>> {
            Ok(loads::table.find(lookup).select(LoadRow::as_select()).first(conn).optional()?)
        })
        .await?;
    match row {
        Some(r) => Ok(HttpResponse::Ok().json(r.view(broker))),
        None => {
            Err(AppError::not_found(ErrorCode::LoadNotFound, format!("No load with id {id}.")).with_field("load_id"))
        }
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/loads",
    operation_id = "upsertLoad",
    tag = "admin",
    summary = "Create or update one load",
    description = "Scope: admin. Inserts the load or updates the one with that `load_id`; a booked load keeps its booking and status.",
    request_body(content = crate::http::openapi::LoadInput, content_type = "application/json"),
    responses(
        (status = 200, description = "Updated.", body = crate::http::openapi::UpsertAnswer),
        (status = 201, description = "Inserted.", body = crate::http::openapi::UpsertAnswer),
        (status = 400, description = "`invalid_json` or `invalid_body`: the body is not a JSON object.", body = crate::http::openapi::ErrorBody),
        (status = 409, description = "`load_already_booked` (field `status`): a booked load's status cannot be changed here; cancel the booking first.", body = crate::http::openapi::ErrorBody),
        (status = 413, description = "`payload_too_large`: the body is over `BODY_LIMIT_KB`.", body = crate::http::openapi::ErrorBody),
        (status = 422, description = "`missing_field` or `invalid_value` naming the field (a place that is not a US city with its state, a delivery before the pickup, `max_rate` below `loadboard_rate`, status `booked`...).", body = crate::http::openapi::ErrorBody),
    ),
    security(("x_api_key" = []), ("api_key" = []), ("bearer" = []), ("session_cookie" = []))
)]
pub async fn upsert(
    state: web::Data<AppState>,
    index: web::Data<LoadIndex>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    let f = Fields::new(&body.0)?;
    let row = import::load_from_fields(&f, Utc::now(), false)?;
    let status_given = f.text("status")?.is_some();
    let (outcome, row) = state
        .db
        .write(move |conn| -> AppResult<_> {
            let id = row.load_id.clone();
            let outcome = crate::db::write_tx(conn, |c| import::upsert(c, row, status_given))?;
            index.mark_stale();
            let stored: LoadRow = loads::table.find(id).select(LoadRow::as_select()).first(conn)?;
            Ok((outcome, stored))
        })
        .await?;
    let status = match outcome {
        import::Upserted::Inserted => actix_web::http::StatusCode::CREATED,
        import::Upserted::Updated => actix_web::http::StatusCode::OK,
    };
    Ok(HttpResponse::build(status).json(json!({"result": outcome, "load": row.view(true)})))
}

#[utoipa::path(
    post,
    path = "/api/v1/loads/import",
    operation_id = "importLoads",
    tag = "admin",
    summary = "Import loads (JSON or CSV)",
    description = "Scope: admin. A JSON array of load records, `{\"loads\": [...]}`, or CSV with a header row naming the `LoadInput` columns (including `load_id`); at most 50,000 loads, bodies up to `CARRIER_SALES__LOADS__IMPORT_LIMIT_KB` (16 MiB by default). Each good row is inserted or updated; each bad one is counted in `rejected_count`, and the first 100 are listed with their reasons.",
    request_body(
        description = "JSON (array or `{\"loads\": [...]}`) or CSV text. The body is told apart by its first character, whatever the `Content-Type`.",
        content((crate::http::openapi::ImportJson = "application/json"), (crate::http::openapi::ImportCsv = "text/csv"))
    ),
    responses(
        (status = 200, description = "What was imported and what was rejected.", body = crate::http::openapi::ImportReport),
        (status = 400, description = "`invalid_json`, `invalid_csv` (no header naming `load_id`, an unreadable row) or `invalid_body` (not UTF-8, not an array or object).", body = crate::http::openapi::ErrorBody),
        (status = 413, description = "`payload_too_large`: the body is over the import limit (16 MiB by default).", body = crate::http::openapi::ErrorBody),
        (status = 422, description = "`invalid_value` (field `loads`): no loads in the file, or `loads` is not an array; `too_many_loads` (field `loads`): more than 50,000 loads.", body = crate::http::openapi::ErrorBody),
    ),
    security(("x_api_key" = []), ("api_key" = []), ("bearer" = []), ("session_cookie" = []))
)]
pub async fn import_file(
    state: web::Data<AppState>,
    index: web::Data<LoadIndex>,
    body: RawBody,
) -> AppResult<HttpResponse> {
    // Parsing megabytes is blocking work: off the HTTP worker, like the writes.
    let records = web::block(move || import::records_from_bytes(&body.0)).await??;
    if records.is_empty() {
        return Err(AppError::invalid("loads", "The import file has no loads."));
    }
    let report: ImportReport = state
        .db
        .write(move |conn| {
            let report = import::import_records(conn, &records, Utc::now(), false);
            index.mark_stale();
            report
        })
        .await?;
    Ok(HttpResponse::Ok().json(report))
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
