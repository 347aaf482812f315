//! Webhook bodies we could not read (SPEC §12.2): listed for managers
//! (`GET /webhooks/rejected`), replayed corrected by an admin
//! (`POST /webhooks/rejected/{rejected_id}/replay`). They are kept by
//! [`crate::calls::intake`].

use crate::calls::store;
use crate::calls::views::{PageQuery, RejectedQuery};
use crate::db::to_ms;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::http::body::JsonBody;
use crate::paging::{decode_page_key, page_limit};
use crate::state::AppState;
use crate::time::rfc3339;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde_json::Value;

/// The routes whose bodies are kept, and what a replay of each runs.
pub const FINALIZE_ROUTE: &str = "/api/v1/calls/finalize";
pub const SESSION_EVENTS_ROUTE: &str = "/api/v1/webhooks/happyrobot";

#[utoipa::path(
    get,
    path = "/api/v1/webhooks/rejected",
    operation_id = "listRejectedWebhooks",
    tag = "dashboard",
    summary = "Webhook bodies we could not read",
    description = "Scope: dashboard (or admin). Bodies posted to `calls/finalize` or `webhooks/happyrobot` that were not JSON even after repair, newest first, with where they broke; `open` counts those not yet replayed.",
    params(RejectedQuery, PageQuery),
    responses(
        (status = 200, description = "A page of rejected bodies.", body = crate::calls::views::RejectedPage),
        (status = 422, description = "`invalid_value` on `status`, `limit` or `cursor`.", body = crate::error::ErrorBody),
    ),
)]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<RejectedQuery>,
    page: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let replayed = match query.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("all") => None,
        Some("open") => Some(false),
        Some("replayed") => Some(true),
        Some(_) => return Err(AppError::invalid("status", "`status` must be open, replayed or all.")),
    };
    let limit = page_limit(page.limit.as_deref())?;
    let after = decode_page_key(page.cursor.as_deref())?;
    let page = state.db.read(move |conn| store::rejected::list_page(conn, replayed, limit, after)).await?;
    Ok(HttpResponse::Ok().json(page))
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
)]
pub async fn replay(state: web::Data<AppState>, path: web::Path<String>, body: JsonBody) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let key = id.clone();
    let route = state.db.read(move |conn| store::rejected::route_of(conn, &key)).await?.ok_or_else(|| {
        AppError::not_found(ErrorCode::RejectedNotFound, format!("No rejected webhook with id {id}."))
            .with_field("rejected_id")
    })?;
    let (status, mut answer) = run(&state, &route, body.0).await?;
    let call_id = answer.get("call_id").and_then(Value::as_str).map(str::to_string);
    let now_ms = to_ms(Utc::now());
    let key = id.clone();
    state.db.write(move |conn| store::rejected::mark_replayed(conn, &key, call_id, now_ms)).await?;
    if let Value::Object(o) = &mut answer {
        o.insert("rejected_id".into(), Value::String(id.clone()));
        o.insert("replayed_at".into(), Value::String(rfc3339(now_ms)));
    }
    log::info!("replayed rejected webhook {id} on {route}");
    Ok(HttpResponse::build(status).json(answer))
}

/// Processes a corrected body as its original route would; that route's status and
/// answer.
async fn run(state: &web::Data<AppState>, route: &str, body: Value) -> AppResult<(StatusCode, Value)> {
    let as_json = |v: Result<Value, serde_json::Error>| v.map_err(|e| AppError::Internal(e.into()));
    match route {
        FINALIZE_ROUTE => {
            let answer = super::finalize::record(state, body).await?;
            Ok((StatusCode::OK, as_json(serde_json::to_value(answer))?))
        }
        SESSION_EVENTS_ROUTE => {
            let answer = super::webhook::receive(state, body).await?;
            Ok((answer.status(), as_json(serde_json::to_value(answer))?))
        }
        other => Err(AppError::conflict(
            ErrorCode::ReplayUnsupported,
            format!("Bodies kept from {other} cannot be replayed by this version."),
        )
        .with_field("rejected_id")),
    }
}
