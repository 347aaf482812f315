//! Webhook bodies we could not read (SPEC §12.2): listed for managers
//! (`GET /webhooks/rejected`), replayed corrected by an admin
//! (`POST /webhooks/rejected/{rejected_id}/replay`). They are stored by [`super::intake`].

use crate::db::schema::rejected_webhooks;
use crate::db::to_ms;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::http::body::JsonBody;
use crate::paging::{decode_page_key, encode_page_key, page_limit};
use crate::state::AppState;
use crate::time::rfc3339;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The routes whose bodies are kept, and what a replay of each runs.
pub const FINALIZE_ROUTE: &str = "/api/v1/calls/finalize";
pub const SESSION_EVENTS_ROUTE: &str = "/api/v1/webhooks/happyrobot";

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = rejected_webhooks)]
struct Row {
    rejected_id: String,
    route: String,
    received_at: i64,
    error: String,
    error_line: i64,
    error_column: i64,
    body: String,
    request_id: Option<String>,
    replayed_at: Option<i64>,
    replay_call_id: Option<String>,
}

/// A rejected body as the API shows it.
#[derive(Serialize)]
struct View {
    rejected_id: String,
    route: String,
    received_at: String,
    error: String,
    error_line: i64,
    error_column: i64,
    body: String,
    request_id: Option<String>,
    replayed_at: Option<String>,
    replay_call_id: Option<String>,
}

impl From<Row> for View {
    fn from(r: Row) -> View {
        View {
            rejected_id: r.rejected_id,
            route: r.route,
            received_at: rfc3339(r.received_at),
            error: r.error,
            error_line: r.error_line,
            error_column: r.error_column,
            body: r.body,
            request_id: r.request_id,
            replayed_at: r.replayed_at.map(rfc3339),
            replay_call_id: r.replay_call_id,
        }
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/webhooks/rejected",
    operation_id = "listRejectedWebhooks",
    tag = "dashboard",
    summary = "Webhook bodies we could not read",
    description = "Scope: dashboard (or admin). Bodies posted to `calls/finalize` or `webhooks/happyrobot` that were not JSON even after repair, newest first, with where they broke; `open` counts those not yet replayed.",
    params(crate::http::openapi::RejectedQuery, crate::http::openapi::PageQuery),
    responses(
        (status = 200, description = "A page of rejected bodies.", body = crate::http::openapi::RejectedPage),
        (status = 400, description = "`invalid_query`: the query string cannot be read.", body = crate::error::ErrorBody),
        (status = 422, description = "`invalid_value` on `status`, `limit` or `cursor`.", body = crate::error::ErrorBody),
    ),
    security(("x_api_key" = []), ("api_key" = []), ("bearer" = []), ("session_cookie" = []))
)]
pub async fn list(state: web::Data<AppState>, query: web::Query<ListQuery>) -> AppResult<HttpResponse> {
    let status = match query.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("all") => None,
        Some("open") => Some(false),
        Some("replayed") => Some(true),
        Some(_) => return Err(AppError::invalid("status", "`status` must be open, replayed or all.")),
    };
    let limit = page_limit(query.limit.as_deref())?;
    let after = decode_page_key(query.cursor.as_deref())?;
    let (rows, next, open) = state
        .db
        .read(move |conn| -> AppResult<(Vec<View>, Option<String>, i64)> {
            let mut q = rejected_webhooks::table.into_boxed();
            match status {
                Some(true) => q = q.filter(rejected_webhooks::replayed_at.is_not_null()),
                Some(false) => q = q.filter(rejected_webhooks::replayed_at.is_null()),
                None => {}
            }
            if let Some((at, id)) = after {
                q = q.filter(
                    rejected_webhooks::received_at
                        .lt(at)
                        .or(rejected_webhooks::received_at.eq(at).and(rejected_webhooks::rejected_id.lt(id))),
                );
            }
            let rows: Vec<Row> = q
                .order((rejected_webhooks::received_at.desc(), rejected_webhooks::rejected_id.desc()))
                .limit(limit + 1)
                .select(Row::as_select())
                .load(conn)?;
            let more = rows.len() as i64 > limit;
            let rows: Vec<Row> = rows.into_iter().take(limit as usize).collect();
            let next = if more { rows.last().map(|r| encode_page_key(r.received_at, &r.rejected_id)) } else { None };
            let open: i64 =
                rejected_webhooks::table.filter(rejected_webhooks::replayed_at.is_null()).count().get_result(conn)?;
            Ok((rows.into_iter().map(View::from).collect(), next, open))
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"rejected": rows, "next_cursor": next, "open": open})))
}

#[utoipa::path(
    post,
    path = "/api/v1/webhooks/rejected/{rejected_id}/replay",
    operation_id = "replayRejectedWebhook",
    tag = "admin",
    summary = "Replay a rejected webhook, corrected",
    description = "Scope: admin. The body is the corrected JSON body of the original route; it is processed exactly as that route would process it, and on success the rejected entry is marked replayed (with the call it landed on). The answer is the route's own answer plus `rejected_id` and `replayed_at`. Replaying again is allowed (both routes are upserts).",
    params(("rejected_id" = String, Path, description = "The id from the `400 invalid_json` answer or the list.")),
    request_body(content = Object, content_type = "application/json", description = "The corrected body of the original route (`calls/finalize` or `webhooks/happyrobot`)."),
    responses(
        (status = 200, description = "Processed; the route's answer plus `rejected_id` and `replayed_at`.", body = Object),
        (status = 202, description = "A session event the route acknowledges and ignores; marked replayed.", body = Object),
        (status = 400, description = "`invalid_json` or `invalid_body`: the corrected body is still not a JSON object (nothing is stored).", body = crate::error::ErrorBody),
        (status = 404, description = "`rejected_not_found` (field `rejected_id`).", body = crate::error::ErrorBody),
        (status = 413, description = "`payload_too_large`: over `CARRIER_SALES__CALLS__FINALIZE_LIMIT_KB`.", body = crate::error::ErrorBody),
        (status = 422, description = "What the original route answers to the corrected body (e.g. `invalid_value` naming the field); the entry stays open.", body = crate::error::ErrorBody),
    ),
    security(("x_api_key" = []), ("api_key" = []), ("bearer" = []), ("session_cookie" = []))
)]
pub async fn replay(state: web::Data<AppState>, path: web::Path<String>, body: JsonBody) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let st = state.clone();
    let key = id.clone();
    let route: String = st
        .db
        .read(move |conn| -> AppResult<Option<String>> {
            Ok(rejected_webhooks::table.find(&key).select(rejected_webhooks::route).first(conn).optional()?)
        })
        .await?
        .ok_or_else(|| {
            AppError::not_found(ErrorCode::RejectedNotFound, format!("No rejected webhook with id {id}."))
                .with_field("rejected_id")
        })?;
    let (status, mut answer) = match route.as_str() {
        FINALIZE_ROUTE => super::finalize::record(&state, body.0).await?,
        SESSION_EVENTS_ROUTE => super::webhook::receive(&state, body.0).await?,
        other => {
            return Err(AppError::conflict(
                ErrorCode::ReplayUnsupported,
                format!("Bodies kept from {other} cannot be replayed by this version."),
            )
            .with_field("rejected_id"))
        }
    };
    let call_id = answer.get("call_id").and_then(Value::as_str).map(str::to_string);
    let now_ms = to_ms(Utc::now());
    let key = id.clone();
    state
        .db
        .write(move |conn| -> AppResult<()> {
            diesel::update(rejected_webhooks::table.find(&key))
                .set((rejected_webhooks::replayed_at.eq(now_ms), rejected_webhooks::replay_call_id.eq(call_id)))
                .execute(conn)?;
            Ok(())
        })
        .await?;
    if let Value::Object(o) = &mut answer {
        o.insert("rejected_id".into(), Value::String(id.clone()));
        o.insert("replayed_at".into(), Value::String(rfc3339(now_ms)));
    }
    log::info!("replayed rejected webhook {id} on {route}");
    Ok(HttpResponse::build(status).json(answer))
}

/// The answer a route gives, for [`replay`] to pass on.
pub type RouteAnswer = (StatusCode, Value);
