//! The calls API for the dashboard: a filtered, paginated list, a call's full story in
//! time order, and a CSV export with the same filters.

use crate::db::schema::{bookings, calls, loads, negotiation_rounds, negotiations, searches};
use crate::db::{to_ms, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::paging::{decode_page_key, encode_page_key, page_limit};
use crate::parse::{self, Turn};
use crate::state::AppState;
use crate::time::{period_bound, rfc3339};
use crate::types::{McNumber, Money};
use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>);

#[derive(Deserialize, Default, Clone)]
pub struct CallFilter {
    pub outcome: Option<String>,
    pub sentiment: Option<String>,
    pub mc_number: Option<String>,
    pub q: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

struct ParsedFilter {
    outcome: Option<String>,
    sentiment: Option<String>,
    mc: Option<String>,
    q: Option<String>,
    from: Option<i64>,
    to: Option<i64>,
}

fn parse_filter(f: &CallFilter) -> AppResult<ParsedFilter> {
    let nonempty = |s: &Option<String>| s.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
    let outcome = match nonempty(&f.outcome) {
        None => None,
        Some(o) => Some(
            super::classify::Outcome::parse(&o)
                .map(|o| o.as_str().to_string())
                .ok_or_else(|| AppError::invalid("outcome", "`outcome` is not one of the outcome labels."))?,
        ),
    };
    let sentiment = match nonempty(&f.sentiment) {
        None => None,
        Some(s) => Some(
            super::classify::Sentiment::parse(&s)
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
    Ok(ParsedFilter {
        outcome,
        sentiment,
        mc,
        q,
        from: period_bound(f.from.as_deref(), "from", false)?.map(to_ms),
        to: period_bound(f.to.as_deref(), "to", true)?.map(to_ms),
    })
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

#[derive(Serialize, Clone)]
pub struct CallSummary {
    pub call_id: String,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub duration_seconds: Option<i64>,
    pub mc_number: Option<String>,
    pub carrier_name: Option<String>,
    pub load_id: Option<String>,
    pub lane: Option<String>,
    pub outcome: Option<String>,
    pub sentiment: Option<String>,
    pub classified_by: Option<String>,
    pub outcome_conflict: bool,
    pub agreed_rate: Option<Money>,
    pub loadboard_rate: Option<Money>,
    pub initial_carrier_offer: Option<Money>,
    pub negotiation_rounds: Option<i64>,
    pub transferred: Option<bool>,
    pub verification_status: Option<String>,
    pub platform_status: Option<String>,
}

/// Enriches a page of call rows with their lane, posted rate, rounds and verification.
fn summaries(conn: &mut DbConnection, rows: &[CallRow]) -> AppResult<Vec<CallSummary>> {
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
    let lanes: HashMap<String, (String, String, i64)> = loads::table
        .filter(loads::load_id.eq_any(&load_ids))
        .select((loads::load_id, loads::origin, loads::destination, loads::loadboard_rate_cents))
        .load::<(String, String, String, i64)>(conn)?
        .into_iter()
        .map(|(id, o, d, r)| (id, (o, d, r)))
        .collect();
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
            }
        })
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

fn filtered(p: &ParsedFilter) -> calls::BoxedQuery<'static, crate::db::DbBackend> {
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

#[utoipa::path(
    get,
    path = "/api/v1/calls",
    operation_id = "listCalls",
    tag = "dashboard",
    summary = "Calls, newest first",
    description = "Scope: dashboard (or admin). Filtered and paginated; no default period.",
    params(crate::http::openapi::CallFilterQuery, crate::http::openapi::PageQuery),
    responses(
        (status = 200, description = "A page of calls.", body = crate::http::openapi::CallPage),
        (status = 400, description = "`invalid_query`: the query string cannot be read (e.g. a parameter given twice).", body = crate::error::ErrorBody),
        (status = 422, description = "`invalid_value` on `outcome`, `sentiment`, `mc_number`, `q`, `from`, `to`, `limit` or `cursor`.", body = crate::error::ErrorBody),
    ),
    security(("x_api_key" = []), ("api_key" = []), ("bearer" = []), ("session_cookie" = []))
)]
pub async fn list(state: web::Data<AppState>, query: web::Query<CallFilter>) -> AppResult<HttpResponse> {
    let p = parse_filter(&query)?;
    let limit = page_limit(query.limit.as_deref())?;
    let after = decode_page_key(query.cursor.as_deref())?;
    let page = state
        .db
        .read(move |conn| -> AppResult<(Vec<CallSummary>, Option<String>)> {
            let mut q = filtered(&p);
            if let Some((at, id)) = after {
                q = q.filter(calls::occurred_at.lt(at).or(calls::occurred_at.eq(at).and(calls::call_id.lt(id))));
            }
            let rows: Vec<CallRow> = q
                .order((calls::occurred_at.desc(), calls::call_id.desc()))
                .limit(limit + 1)
                .select(CallRow::as_select())
                .load(conn)?;
            let more = rows.len() as i64 > limit;
            let rows = &rows[..rows.len().min(limit as usize)];
            let next = if more { rows.last().map(|r| encode_page_key(r.occurred_at, &r.call_id)) } else { None };
            Ok((summaries(conn, rows)?, next))
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"calls": page.0, "next_cursor": page.1})))
}

/// Spreadsheet programs run cells that start with these; a leading quote keeps them text.
fn csv_safe(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/calls/export.csv",
    operation_id = "exportCallsCsv",
    tag = "dashboard",
    summary = "Calls as CSV",
    description = "Scope: dashboard (or admin). The list's filters and columns, newest first, up to 100,000 rows; amounts in USD with two decimals. Cells that a spreadsheet would run as formulas start with `'`.",
    params(crate::http::openapi::CallFilterQuery),
    responses(
        (status = 200, description = "A CSV file with a header row.", body = String, content_type = "text/csv",
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"calls.csv\"`"))),
        (status = 400, description = "`invalid_query`: the query string cannot be read (e.g. a parameter given twice).", body = crate::error::ErrorBody),
        (status = 422, description = "`invalid_value` on `outcome`, `sentiment`, `mc_number`, `q`, `from` or `to`.", body = crate::error::ErrorBody),
    ),
    security(("x_api_key" = []), ("api_key" = []), ("bearer" = []), ("session_cookie" = []))
)]
pub async fn export_csv(state: web::Data<AppState>, query: web::Query<CallFilter>) -> AppResult<HttpResponse> {
    let p = parse_filter(&query)?;
    let body = state
        .db
        .read(move |conn| -> AppResult<Vec<u8>> {
            let rows: Vec<CallRow> = filtered(&p)
                .order((calls::occurred_at.desc(), calls::call_id.desc()))
                .limit(100_000)
                .select(CallRow::as_select())
                .load(conn)?;
            let mut w = csv::Writer::from_writer(Vec::new());
            let header = [
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
            w.write_record(header).map_err(|e| AppError::Internal(e.into()))?;
            let opt = |v: Option<String>| v.map(|s| csv_safe(&s)).unwrap_or_default();
            let money = |m: Option<Money>| m.map(|m| format!("{:.2}", m.as_dollars())).unwrap_or_default();
            for chunk in rows.chunks(500) {
                for s in summaries(conn, chunk)? {
                    w.write_record([
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
                    ])
                    .map_err(|e| AppError::Internal(e.into()))?;
                }
            }
            w.into_inner().map_err(|e| AppError::Internal(anyhow::anyhow!("csv: {e}")))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", "attachment; filename=\"calls.csv\""))
        .body(body))
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
        (status = 200, description = "The call's story.", body = crate::http::openapi::CallStory),
        (status = 404, description = "`call_not_found` (field `call_id`).", body = crate::error::ErrorBody),
        (status = 422, description = "`invalid_value`: `call_id` is longer than 128 characters.", body = crate::error::ErrorBody),
    ),
    security(("x_api_key" = []), ("api_key" = []), ("bearer" = []), ("session_cookie" = []))
)]
pub async fn detail(state: web::Data<AppState>, path: web::Path<String>) -> AppResult<HttpResponse> {
    let call_id = path.into_inner();
    if call_id.chars().count() > parse::MAX_ID_LEN {
        return Err(AppError::invalid("call_id", "`call_id` is longer than 128 characters."));
    }
    let story = state
        .db
        .read(move |conn| -> AppResult<Value> {
            let row: CallRow =
                calls::table.find(&call_id).select(CallRow::as_select()).first(conn).optional()?.ok_or_else(|| {
                    AppError::not_found(ErrorCode::CallNotFound, format!("No call with id {call_id}."))
                        .with_field("call_id")
                })?;
            story(conn, row)
        })
        .await?;
    Ok(HttpResponse::Ok().json(story))
}

fn story(conn: &mut DbConnection, row: CallRow) -> AppResult<Value> {
    let summary = summaries(conn, std::slice::from_ref(&row))?.remove(0);
    let call_id = row.call_id.as_str();
    let mut timeline: Vec<(i64, &'static str, Value)> = Vec::new();

    let verifications = super::story::verifications_for_call(conn, call_id)?;
    for (at, v) in &verifications {
        timeline.push((*at, "verification", v.clone()));
    }

    let search_rows: Vec<(i64, String, i32, String)> = searches::table
        .filter(searches::call_id.eq(call_id))
        .order(searches::id.asc())
        .select((searches::created_at, searches::criteria_json, searches::result_count, searches::load_ids_json))
        .load(conn)?;
    let searches_json: Vec<Value> = search_rows
        .iter()
        .map(|(at, criteria, count, ids)| {
            json!({
                "at": rfc3339(*at),
                "criteria": serde_json::from_str::<Value>(criteria).unwrap_or(Value::Null),
                "result_count": count,
                "load_ids": serde_json::from_str::<Value>(ids).unwrap_or(json!([])),
            })
        })
        .collect();
    for (s, (at, ..)) in searches_json.iter().zip(&search_rows) {
        timeline.push((*at, "search", s.clone()));
    }

    type NegRow = (String, String, i64, Option<i64>, Option<i64>, i32, i64);
    let negs: Vec<NegRow> = negotiations::table
        .filter(negotiations::call_id.eq(call_id))
        .order(negotiations::created_at.asc())
        .select((
            negotiations::load_id,
            negotiations::status,
            negotiations::posted_cents,
            negotiations::agreed_rate_cents,
            negotiations::final_offer_cents,
            negotiations::rounds,
            negotiations::updated_at,
        ))
        .load(conn)?;
    type RoundRow = (String, i32, i64, String, Option<i64>, Option<i64>, Option<i64>, String, i64);
    let rounds: Vec<RoundRow> = negotiation_rounds::table
        .filter(negotiation_rounds::call_id.eq(call_id))
        .order((negotiation_rounds::created_at.asc(), negotiation_rounds::round.asc()))
        .select((
            negotiation_rounds::load_id,
            negotiation_rounds::round,
            negotiation_rounds::offer_cents,
            negotiation_rounds::decision,
            negotiation_rounds::counter_cents,
            negotiation_rounds::agreed_cents,
            negotiation_rounds::final_offer_cents,
            negotiation_rounds::message,
            negotiation_rounds::created_at,
        ))
        .load(conn)?;
    let mut negotiations_json = Vec::new();
    for (load_id, status, posted, agreed, final_offer, n_rounds, updated) in &negs {
        let mut items = Vec::new();
        for (l, round, offer, decision, counter, agreed_r, final_r, message, at) in &rounds {
            if l != load_id {
                continue;
            }
            let item = json!({
                "load_id": l, "round": round, "offer": Money(*offer), "decision": decision,
                "counter_offer": counter.map(Money), "agreed_rate": agreed_r.map(Money),
                "final_offer": final_r.map(Money), "message": message, "at": rfc3339(*at),
            });
            timeline.push((*at, "negotiation_round", item.clone()));
            items.push(item);
        }
        // Round 3 ended on our final offer and the carrier took it afterwards.
        let last_was_reject = rounds.iter().rev().find(|r| &r.0 == load_id).is_some_and(|r| r.3 == "reject");
        if status == "agreed" && last_was_reject {
            timeline.push((
                *updated,
                "final_offer_accepted",
                json!({"load_id": load_id, "round": n_rounds, "agreed_rate": agreed.map(Money)}),
            ));
        }
        negotiations_json.push(json!({
            "load_id": load_id, "status": status, "loadboard_rate": Money(*posted),
            "agreed_rate": agreed.map(Money), "final_offer": final_offer.map(Money), "rounds": items,
        }));
    }

    let booking_rows: Vec<crate::bookings::handlers::BookingRow> = bookings::table
        .filter(bookings::call_id.eq(call_id))
        .order(bookings::created_at.asc())
        .select(crate::bookings::handlers::BookingRow::as_select())
        .load(conn)?;
    let mut booking_json = Value::Null;
    for b in &booking_rows {
        let j = crate::bookings::handlers::booking_view(b);
        timeline.push((b.created_at, "booking", j.clone()));
        if let Some(at) = b.cancelled_at {
            timeline.push((at, "booking_cancelled", j.clone()));
        }
        booking_json = j;
    }

    if let Some(at) = row.started_at {
        timeline.push((at, "session_status", json!({"previous": null, "current": "in-progress"})));
    }
    if let (Some(at), Some(status)) = (row.ended_at, row.platform_status.as_ref()) {
        timeline.push((at, "session_status", json!({"previous": "in-progress", "current": status})));
    }
    if let Some(at) = row.finalized_at {
        timeline.push((
            at,
            "finalize",
            json!({
                "outcome": row.outcome, "sentiment": row.sentiment,
                "classified_by": row.classified_by, "outcome_conflict": row.outcome_conflict,
            }),
        ));
    }
    timeline.sort_by_key(|(at, ..)| *at);

    let transcript: Option<Vec<Turn>> = row.transcript_json.as_deref().and_then(|t| serde_json::from_str(t).ok());
    let mut call = serde_json::to_value(&summary).unwrap_or(json!({}));
    if let Value::Object(o) = &mut call {
        o.insert("transcript".into(), json!(transcript));
        o.insert("summary".into(), json!(row.summary));
        o.insert(
            "extracted".into(),
            row.extracted_json.as_deref().and_then(|e| serde_json::from_str::<Value>(e).ok()).unwrap_or(Value::Null),
        );
        o.insert("carrier_phone".into(), json!(row.carrier_phone));
        o.insert("callback_at".into(), json!(row.callback_at.map(rfc3339)));
        o.insert("run_id".into(), json!(row.run_id));
        o.insert("first_seen_at".into(), json!(rfc3339(row.first_seen_at)));
    }
    Ok(json!({
        "call": call,
        "timeline": timeline.into_iter().map(|(at, kind, data)| json!({"at": rfc3339(at), "kind": kind, "data": data})).collect::<Vec<_>>(),
        "verification": verifications.last().map(|(_, v)| v.clone()),
        "searches": searches_json,
        "negotiations": negotiations_json,
        "booking": booking_json,
    }))
}
