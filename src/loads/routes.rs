//! The load routes: the agent's search, and the dashboard/admin catalogue routes
//! (SPEC §4, §6). Thin: each reads its request, calls the search core and the store, and
//! returns a view.

use super::import;
use super::index::LoadIndex;
use super::model::{LoadRow, LoadStatus};
use super::search::{self, Criteria, DEFAULT_WINDOW_HOURS};
use super::store::{self, SearchRecord};
use super::views::{
    ImportCsv, ImportJson, ImportReport, LoadInput, LoadListQuery, LoadPage, LoadView, SearchAnswer, SearchRequest,
    SyncMode, SyncReport, SyncRequest, SyncStatus, UpsertAnswer, Upserted,
};
use crate::db::{to_ms, DbConnection, ReadCost};
use crate::error::ErrorBody;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::geo;
use crate::http::auth::{require_admin, require_agent, require_any, require_dashboard, Principal};
use crate::http::body::{BodyLimit, JsonBody, RawBody};
use crate::http::resource;
use crate::paging::{decode_page_key, encode_page_key, page_limit};
use crate::parse::Fields;
use crate::state::AppState;
use actix_web::middleware::from_fn;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use chrono::Utc;

/// The load routes in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(search, list, get, upsert, import_file, sync, sync_status))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/loads/search").route(web::post().to(search).wrap(from_fn(require_agent))))
        .service(
            resource("/loads/import")
                .app_data(BodyLimit::Import)
                .route(web::post().to(import_file).wrap(from_fn(require_admin))),
        )
        .service(
            resource("/loads/sync")
                .app_data(BodyLimit::Import)
                .route(web::get().to(sync_status).wrap(from_fn(require_dashboard)))
                .route(web::post().to(sync).wrap(from_fn(require_admin))),
        )
        .service(
            resource("/loads")
                .route(web::get().to(list).wrap(from_fn(require_dashboard)))
                .route(web::post().to(upsert).wrap(from_fn(require_admin))),
        )
        .service(resource("/loads/{load_id}").route(web::get().to(get).wrap(from_fn(require_any))));
}

const MAX_RESULTS_CAP: i64 = 100;

/// The members of a search body that say what was asked (recorded for unmet demand).
const CRITERIA_MEMBERS: [&str; 7] = [
    "origin",
    "origin_radius_miles",
    "destination",
    "destination_radius_miles",
    "equipment_type",
    "pickup_date",
    "pickup_window_hours",
];

/// A radius in miles: none when missing or 0, else 1 to 1000.
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

/// What the caller asked for, read leniently; places are resolved here, once.
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

#[utoipa::path(
    post,
    path = "/api/v1/loads/search",
    operation_id = "searchLoads",
    tag = "agent",
    summary = "Find loads for a caller",
    description = "Scope: agent. Available loads with a future pickup that fit, best match first, each with a pitch the agent can say. Places are free text; a city given without a radius matches that city, and when nothing leaves it the search widens to 100 miles and says so (`widened`). An empty list with a helpful `message` when nothing fits (still 200). Every search is recorded with its `call_id`.",
    request_body(content = SearchRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The matches (maybe none) and what to say.", body = SearchAnswer),
        (status = 422, description = "`invalid_value` naming the field (a radius outside 1 to 1000, a window outside 1 to 720 hours, an unreadable date, a text over 200 characters, an MC that cannot be one).", body = ErrorBody),
    ),
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
    let criteria_json: serde_json::Map<String, serde_json::Value> =
        CRITERIA_MEMBERS.iter().filter_map(|k| f.raw(k).map(|v| (k.to_string(), v.clone()))).collect();
    // A fresh index needs no refresh, and then the read is a few primary-key lookups.
    let short = index.is_fresh();
    let read = {
        let index = index.clone();
        let call_id = call_id.clone();
        move |conn: &mut DbConnection| store::search(&index, conn, &criteria, call_id, now, !short)
    };
    let now_ms = to_ms(now);
    let record = move |conn: &mut DbConnection, (answer, ids): (Vec<u8>, Vec<String>)| {
        let mc_number = mc.as_ref().map(|m| m.as_str());
        let s =
            SearchRecord { call_id: call_id.as_deref(), mc_number, criteria: &criteria_json, load_ids: &ids, now_ms };
        store::record_search(conn, &s)?;
        Ok(answer)
    };
    let cost = if short { ReadCost::Brief } else { ReadCost::Long };
    let answer = state.db.read_then_write(cost, read, record).await?;
    Ok(HttpResponse::Ok().insert_header(actix_web::http::header::ContentType::json()).body(answer))
}

/// Whether the reader may see broker-only members (`max_rate`).
fn sees_broker_fields(req: &HttpRequest) -> bool {
    req.extensions().get::<Principal>().is_some_and(Principal::sees_broker_fields)
}

#[utoipa::path(
    get,
    path = "/api/v1/loads",
    operation_id = "listLoads",
    tag = "dashboard",
    summary = "The load catalogue",
    description = "Scope: dashboard (or admin). Every load by pickup time, paginated; `max_rate` included when set.",
    params(LoadListQuery),
    responses(
        (status = 200, description = "A page of loads.", body = LoadPage),
        (status = 422, description = "`invalid_value` on `status`, `limit` or `cursor`.", body = ErrorBody),
    ),
)]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<LoadListQuery>,
) -> AppResult<HttpResponse> {
    let broker = sees_broker_fields(&req);
    let limit = page_limit(q.limit.as_deref())?;
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty() && *s != "all") {
        None => None,
        Some(s) => Some(
            LoadStatus::parse(s)
                .ok_or_else(|| AppError::invalid("status", "`status` must be available, booked or cancelled."))?,
        ),
    };
    let after = decode_page_key(q.cursor.as_deref())?;
    let rows: Vec<LoadRow> = state.db.read(move |conn| store::list(conn, status, after, limit)).await?;
    let more = rows.len() as i64 > limit;
    let page = &rows[..rows.len().min(limit as usize)];
    let next_cursor = if more { page.last().map(|r| encode_page_key(r.pickup_at, &r.load_id)) } else { None };
    let loads: Vec<LoadView> = page.iter().map(|r| r.view(broker)).collect();
    Ok(HttpResponse::Ok().json(LoadPage { loads, next_cursor }))
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
        (status = 200, description = "The load.", body = LoadView),
        (status = 404, description = "`load_not_found` (field `load_id`).", body = ErrorBody),
        (status = 422, description = "`invalid_value`: `load_id` is longer than 128 characters.", body = ErrorBody),
    ),
)]
pub async fn get(req: HttpRequest, state: web::Data<AppState>, path: web::Path<String>) -> AppResult<HttpResponse> {
    let broker = sees_broker_fields(&req);
    let id = path.into_inner();
    if id.chars().count() > crate::parse::MAX_ID_LEN {
        return Err(AppError::invalid("load_id", "`load_id` is longer than 128 characters."));
    }
    let lookup = id.clone();
    let row = state.db.read(move |conn| store::find(conn, &lookup)).await?;
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
    request_body(content = LoadInput, content_type = "application/json"),
    responses(
        (status = 200, description = "Updated.", body = UpsertAnswer),
        (status = 201, description = "Inserted.", body = UpsertAnswer),
        (status = 409, description = "`load_already_booked` (field `status`): a booked load's status cannot be changed here; cancel the booking first.", body = ErrorBody),
        (status = 422, description = "`missing_field` or `invalid_value` naming the field (a place that is not a US city with its state, a delivery before the pickup, `max_rate` below `loadboard_rate`, status `booked`...).", body = ErrorBody),
    ),
)]
pub async fn upsert(
    state: web::Data<AppState>,
    index: web::Data<LoadIndex>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    let f = Fields::new(&body.0)?;
    let row = import::load_from_fields(&f, Utc::now(), false)?;
    let status_given = f.text("status")?.is_some();
    let (result, row) = state.db.write(move |conn| store::upsert_one(conn, &index, row, status_given)).await?;
    let status = match result {
        Upserted::Inserted => actix_web::http::StatusCode::CREATED,
        Upserted::Updated => actix_web::http::StatusCode::OK,
    };
    Ok(HttpResponse::build(status).json(UpsertAnswer { result, load: row.view(true) }))
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
        content((ImportJson = "application/json"), (ImportCsv = "text/csv"))
    ),
    responses(
        (status = 200, description = "What was imported and what was rejected.", body = ImportReport),
        (status = 400, description = "`invalid_json`, `invalid_csv` (no header naming `load_id`, an unreadable row) or `invalid_body` (not UTF-8, not an array or object).", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: the body is over the import limit (16 MiB by default).", body = ErrorBody),
        (status = 422, description = "`invalid_value` (field `loads`): no loads in the file, or `loads` is not an array; `too_many_loads` (field `loads`): more than 50,000 loads.", body = ErrorBody),
    ),
)]
pub async fn import_file(
    state: web::Data<AppState>,
    index: web::Data<LoadIndex>,
    body: RawBody,
) -> AppResult<HttpResponse> {
    // Parsing megabytes is blocking work: off the HTTP worker, like the writes.
    let records = actix_web::rt::task::spawn_blocking(move || import::records_from_bytes(&body.0))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("blocking task failed: {e}")))??;
    if records.is_empty() {
        return Err(AppError::invalid("loads", "The import file has no loads."));
    }
    let report: ImportReport = state
        .db
        .write(move |conn| {
            let report = store::import_records(conn, &records, Utc::now(), false);
            index.mark_stale();
            report
        })
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

#[utoipa::path(
    post,
    path = "/api/v1/loads/sync",
    operation_id = "syncLoads",
    tag = "admin",
    summary = "Apply the TMS's loads (snapshot or delta)",
    description = "Scope: admin. Upserts every load given (the shape `POST /loads` takes, as `GET /loads` answers it). In `snapshot` mode every available load not in the list is withdrawn (`status: cancelled`, `status_reason: withdrawn_by_sync`, event `load.withdrawn`). Booked loads are never touched. A listed load without a status is available. Idempotent: the same list again answers everything `unchanged`. An empty list, or a snapshot none of whose loads can be read, is refused and nothing is applied. Bodies up to `CARRIER_SALES__LOADS__IMPORT_LIMIT_KB`.",
    request_body(content = SyncRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "What the sync did; unreadable loads listed by position.", body = SyncReport),
        (status = 413, description = "`payload_too_large`: the body is over the import limit (16 MiB by default).", body = ErrorBody),
        (status = 422, description = "`missing_field` or `invalid_value` on `mode` (snapshot or delta) or `loads` (not a list, empty, more than 50,000, or a snapshot with no readable load).", body = ErrorBody),
    ),
)]
pub async fn sync(state: web::Data<AppState>, index: web::Data<LoadIndex>, body: JsonBody) -> AppResult<HttpResponse> {
    let f = Fields::new(&body.0)?;
    let mode = match f.text("mode")?.map(|m| m.to_ascii_lowercase()) {
        None => return Err(AppError::missing("mode")),
        Some(m) if m == "snapshot" => SyncMode::Snapshot,
        Some(m) if m == "delta" => SyncMode::Delta,
        Some(_) => return Err(AppError::invalid("mode", "`mode` must be snapshot or delta.")),
    };
    let records = match f.raw("loads") {
        None | Some(serde_json::Value::Null) => return Err(AppError::missing("loads")),
        Some(serde_json::Value::Array(items)) => items.clone(),
        Some(_) => return Err(AppError::invalid("loads", "`loads` must be a list of loads.")),
    };
    if records.len() > import::MAX_LOADS_PER_IMPORT {
        return Err(AppError::new(
            ErrorCode::TooManyLoads,
            format!("A sync takes at most {} loads; this one has {}.", import::MAX_LOADS_PER_IMPORT, records.len()),
        )
        .with_field("loads"));
    }
    let report = state
        .db
        .write(move |conn| {
            let report = store::sync::apply(conn, mode, &records, Utc::now());
            index.mark_stale();
            report
        })
        .await?;
    log::info!(
        "loads sync ({mode:?}): {} inserted, {} updated, {} withdrawn, {} unchanged, {} rejected",
        report.inserted,
        report.updated,
        report.withdrawn,
        report.unchanged,
        report.rejected.len()
    );
    Ok(HttpResponse::Ok().json(report))
}

#[utoipa::path(
    get,
    path = "/api/v1/loads/sync",
    operation_id = "getLoadSyncStatus",
    tag = "dashboard",
    summary = "How the TMS feed is doing",
    description = "Scope: dashboard (or admin). `LOADS_FEED_URL` and its interval, the last poll, the last successful one (applied, or 304), why the last one failed and how many failed in a row, and what the last applied snapshot did. All null when no feed is set.",
    responses((status = 200, description = "The feed's state.", body = SyncStatus)),
)]
pub async fn sync_status(state: web::Data<AppState>) -> AppResult<web::Json<SyncStatus>> {
    let loads = &state.settings.loads;
    let Some(url) = loads.feed_url.clone() else {
        return Ok(web::Json(SyncStatus::default()));
    };
    let key = url.clone();
    let row =
        state.db.read(move |c| store::sync::feed_state(c, &key).map_err(AppError::from)).await?.unwrap_or_default();
    let at = |ms: Option<i64>| ms.map(crate::time::rfc3339);
    Ok(web::Json(SyncStatus {
        feed_url: Some(url),
        interval_secs: Some(loads.feed_interval_secs),
        last_attempt_at: at(row.last_attempt_at),
        last_success_at: at(row.last_success_at),
        last_error: row.last_error,
        consecutive_failures: row.consecutive_failures,
        last_report: row.last_report.and_then(|r| serde_json::from_str(&r).ok()),
    }))
}
