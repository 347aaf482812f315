//! The calls API for the dashboard: a filtered, paginated list, a call's full story in
//! time order, and a CSV export with the same filters.

use crate::calls::classify::{Outcome, Sentiment};
use crate::calls::store;
use crate::calls::store::calls::CallQuery;
use crate::calls::views::{CallFilter, CallSummary, PageQuery};
use crate::db::to_ms;
use crate::error::{AppError, AppResult};
use crate::paging::{decode_page_key, page_limit};
use crate::parse;
use crate::state::AppState;
use crate::time::period_bound;
use crate::types::{McNumber, Money};
use actix_web::{web, HttpResponse};

/// The list's filters, checked: each bad value is a 422 naming its parameter.
fn parse_filter(f: &CallFilter) -> AppResult<CallQuery> {
    let nonempty = |s: &Option<String>| s.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
    let outcome = match nonempty(&f.outcome) {
        None => None,
        Some(o) => Some(
            Outcome::parse(&o)
                .map(|o| o.as_str().to_string())
                .ok_or_else(|| AppError::invalid("outcome", "`outcome` is not one of the outcome labels."))?,
        ),
    };
    let sentiment = match nonempty(&f.sentiment) {
        None => None,
        Some(s) => Some(
            Sentiment::parse(&s)
                .map(|s| s.as_str().to_string())
                .ok_or_else(|| AppError::invalid("sentiment", "`sentiment` must be positive, neutral or negative."))?,
        ),
    };
    let mc = match nonempty(&f.mc_number) {
        None => None,
        Some(m) => Some(McNumber::parse(&m).map_err(|e| AppError::invalid("mc_number", e))?.as_str().to_string()),
    };
    let q = nonempty(&f.q);
    if q.as_ref().is_some_and(|q| q.chars().count() > parse::MAX_TEXT_LEN) {
        return Err(AppError::invalid("q", "`q` is longer than 200 characters."));
    }
    Ok(CallQuery {
        outcome,
        sentiment,
        mc,
        q,
        from: period_bound(f.from.as_deref(), "from", false)?.map(to_ms),
        to: period_bound(f.to.as_deref(), "to", true)?.map(to_ms),
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/calls",
    operation_id = "listCalls",
    tag = "dashboard",
    summary = "Calls, newest first",
    description = "Scope: dashboard (or admin). Filtered and paginated; no default period.",
    params(CallFilter, PageQuery),
    responses(
        (status = 200, description = "A page of calls.", body = crate::calls::views::CallPage),
        (status = 422, description = "`invalid_value` on `outcome`, `sentiment`, `mc_number`, `q`, `from`, `to`, `limit` or `cursor`.", body = crate::error::ErrorBody),
    ),
)]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<CallFilter>,
    page: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let p = parse_filter(&query)?;
    let limit = page_limit(page.limit.as_deref())?;
    let after = decode_page_key(page.cursor.as_deref())?;
    let page = state.db.read(move |conn| store::calls::list_page(conn, &p, limit, after)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Spreadsheet programs run cells that start with these; a leading quote keeps them text.
fn csv_safe(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

const CSV_HEADER: [&str; 19] = [
    "call_id",
    "started_at",
    "ended_at",
    "duration_seconds",
    "mc_number",
    "carrier_name",
    "load_id",
    "lane",
    "outcome",
    "sentiment",
    "classified_by",
    "outcome_conflict",
    "agreed_rate",
    "loadboard_rate",
    "initial_carrier_offer",
    "negotiation_rounds",
    "transferred",
    "verification_status",
    "platform_status",
];

/// A call as a CSV row: amounts in USD with two decimals, cells a spreadsheet would run
/// made text.
fn csv_row(s: CallSummary) -> [String; 19] {
    let opt = |v: Option<String>| v.map(|s| csv_safe(&s)).unwrap_or_default();
    let money = |m: Option<Money>| m.map(|m| format!("{:.2}", m.as_dollars())).unwrap_or_default();
    [
        csv_safe(&s.call_id),
        s.started_at,
        s.ended_at.unwrap_or_default(),
        s.duration_seconds.map(|d| d.to_string()).unwrap_or_default(),
        opt(s.mc_number),
        opt(s.carrier_name),
        opt(s.load_id),
        opt(s.lane),
        opt(s.outcome),
        opt(s.sentiment),
        opt(s.classified_by),
        s.outcome_conflict.to_string(),
        money(s.agreed_rate),
        money(s.loadboard_rate),
        money(s.initial_carrier_offer),
        s.negotiation_rounds.map(|r| r.to_string()).unwrap_or_default(),
        s.transferred.map(|t| t.to_string()).unwrap_or_default(),
        opt(s.verification_status),
        opt(s.platform_status),
    ]
}

fn csv_body(rows: Vec<CallSummary>) -> AppResult<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER).map_err(|e| AppError::Internal(e.into()))?;
    for s in rows {
        w.write_record(csv_row(s)).map_err(|e| AppError::Internal(e.into()))?;
    }
    w.into_inner().map_err(|e| AppError::Internal(anyhow::anyhow!("csv: {e}")))
}

#[utoipa::path(
    get,
    path = "/api/v1/calls/export.csv",
    operation_id = "exportCallsCsv",
    tag = "dashboard",
    summary = "Calls as CSV",
    description = "Scope: dashboard (or admin). The list's filters and columns, newest first, up to 100,000 rows; amounts in USD with two decimals. Cells that a spreadsheet would run as formulas start with `'`.",
    params(CallFilter),
    responses(
        (status = 200, description = "A CSV file with a header row.", body = String, content_type = "text/csv",
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"calls.csv\"`"))),
        (status = 422, description = "`invalid_value` on `outcome`, `sentiment`, `mc_number`, `q`, `from` or `to`.", body = crate::error::ErrorBody),
    ),
)]
pub async fn export_csv(state: web::Data<AppState>, query: web::Query<CallFilter>) -> AppResult<HttpResponse> {
    let p = parse_filter(&query)?;
    let rows = state.db.read(move |conn| store::calls::export(conn, &p)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", "attachment; filename=\"calls.csv\""))
        .body(csv_body(rows)?))
}

#[utoipa::path(
    get,
    path = "/api/v1/calls/{call_id}",
    operation_id = "getCall",
    tag = "dashboard",
    summary = "A call's full story",
    description = "Scope: dashboard (or admin). The call with its verifications, searches, negotiation rounds, booking and transcript, and one timeline in time order.",
    params(("call_id" = String, Path, description = "The call's id (at most 128 characters).")),
    responses(
        (status = 200, description = "The call's story.", body = crate::calls::views::story::CallStory),
        (status = 404, description = "`call_not_found` (field `call_id`).", body = crate::error::ErrorBody),
        (status = 422, description = "`invalid_value`: `call_id` is longer than 128 characters.", body = crate::error::ErrorBody),
    ),
)]
pub async fn detail(state: web::Data<AppState>, path: web::Path<String>) -> AppResult<HttpResponse> {
    let call_id = path.into_inner();
    if call_id.chars().count() > parse::MAX_ID_LEN {
        return Err(AppError::invalid("call_id", "`call_id` is longer than 128 characters."));
    }
    let story = state
        .db
        .read(move |conn| {
            let row = store::calls::find(conn, &call_id)?;
            store::story::story(conn, row)
        })
        .await?;
    Ok(HttpResponse::Ok().json(story))
}
