//! `POST /webhooks/happyrobot`: the voice platform's session events (CloudEvents 1.0,
//! `session.status_changed`, set in the workspace's settings: docs.happyrobot.ai,
//! "session status change" payload contract). The session's status, run and start and
//! end times (`data.status.updated_at`) are kept (`store::sessions`) and land on the
//! session's call: the call whose id is `data.session_id`, or the one a finalize linked
//! it to. A session is never counted as a call by itself. Events of other workflows of
//! the workspace (`data.use_case_id` not in `HAPPYROBOT_WORKFLOW_IDS`) are acknowledged
//! and ignored.

use crate::calls::store::sessions::{record_event, Change};
use crate::calls::views::{PlatformEventAnswer, PlatformEventIgnored, PlatformEventRecorded};
use crate::db::to_ms;
use crate::error::{AppError, AppResult};
use crate::http::body::RawBody;
use crate::parse::{self, Fields};
use crate::state::AppState;
use crate::vocab::session_status::SessionStatus;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde_json::Value;

fn status(v: Option<&Value>, field: &str) -> AppResult<Option<SessionStatus>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => match SessionStatus::parse(s) {
            Some(st) => Ok(Some(st)),
            None => {
                let all: Vec<&str> = SessionStatus::ALL.iter().map(|s| s.as_str()).collect();
                Err(AppError::invalid(field, format!("`{field}` must be one of {}.", all.join(", "))))
            }
        },
        Some(_) => Err(AppError::invalid(field, format!("`{field}` must be a status string."))),
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/webhooks/happyrobot",
    operation_id = "receivePlatformEvent",
    tag = "agent",
    summary = "The voice platform's session events",
    description = "Scope: agent. CloudEvents 1.0 `session.status_changed`: the session's status and start and end times (`data.status.updated_at`, else `time`) are kept and land on its call (the call whose id is `data.session_id`, at once or when that call appears, or the call a finalize linked with `session_id`); a session is never a call by itself. Other event types, and events of workflows not listed in `HAPPYROBOT_WORKFLOW_IDS` (`data.use_case_id`), are acknowledged with a 202 and ignored.",
    request_body(content = crate::calls::views::PlatformEvent, content_type = "application/json"),
    responses(
        (status = 200, description = "Recorded on the call.", body = crate::calls::views::PlatformEventRecorded),
        (status = 202, description = "Not a `session.status_changed` event: ignored.", body = crate::calls::views::PlatformEventIgnored),
        (status = 400, description = "`invalid_json`: not JSON even after repairing raw control characters and trailing commas; the body is kept and the answer carries its `rejected_id`. `invalid_body`: not a JSON object.", body = crate::error::ErrorBody),
        (status = 422, description = "`missing_field` (`type`, `data`, `data.session_id`, `data.status`, `data.status.current`) or `invalid_value` (an unknown status, an unreadable `time` or `data.status.updated_at`).", body = crate::error::ErrorBody),
    ),
)]
pub async fn session_event(state: web::Data<AppState>, req: HttpRequest, body: RawBody) -> AppResult<HttpResponse> {
    let value = crate::calls::intake::read(&state, &req, &body.0).await?;
    let answer = receive(&state, value).await?;
    Ok(HttpResponse::build(answer.status()).json(answer))
}

/// Records a session event (from the route, or replayed from a rejected body).
pub async fn receive(state: &web::Data<AppState>, body: Value) -> AppResult<PlatformEventAnswer> {
    let f = Fields::new(&body)?;
    let kind = f.text("type")?.ok_or_else(|| AppError::missing("type"))?;
    let ignored = |reason, use_case_id| {
        PlatformEventAnswer::Ignored(PlatformEventIgnored {
            accepted: true,
            ignored: true,
            kind: kind.clone(),
            reason,
            use_case_id,
        })
    };
    if kind != "session.status_changed" {
        return Ok(ignored(None, None));
    }
    let data = match f.raw("data") {
        Some(d @ Value::Object(_)) => d,
        Some(_) => return Err(AppError::invalid("data", "`data` must be an object.")),
        None => return Err(AppError::missing("data")),
    };
    let d = Fields::new(data)?;
    // Session events are set per workspace, so other workflows' sessions arrive too.
    let ours = &state.settings.happyrobot.workflow_ids;
    let workflow = d.id("use_case_id")?.or(d.id("workflow_id")?);
    if !ours.is_empty() && !workflow.as_ref().is_some_and(|w| ours.contains(w)) {
        return Ok(ignored(Some("other_workflow"), Some(workflow)));
    }
    let session_id = d.id("session_id")?.ok_or_else(|| AppError::missing("data.session_id"))?;
    let run_id = d.id("run_id")?;
    let st = d.raw("status").ok_or_else(|| AppError::missing("data.status"))?;
    let (previous, current) = statuses(st)?;
    let change = Change {
        session_id: session_id.clone(),
        run_id,
        use_case_id: workflow,
        current,
        at_ms: to_ms(changed_at(&f, st)?),
    };
    let call_id = state.db.write(move |conn| record_event(conn, &change, previous, to_ms(Utc::now()))).await?;
    Ok(PlatformEventAnswer::Recorded(PlatformEventRecorded { accepted: true, session_id, call_id, status: current }))
}

/// The previous and current statuses of `data.status` (`{previous, current}` or just the
/// current one).
fn statuses(st: &Value) -> AppResult<(Option<SessionStatus>, SessionStatus)> {
    let (previous, current) = match st {
        Value::Object(o) => {
            (status(o.get("previous"), "data.status.previous")?, status(o.get("current"), "data.status.current")?)
        }
        Value::String(_) => (None, status(Some(st), "data.status")?),
        _ => return Err(AppError::invalid("data.status", "`data.status` must be {previous, current}.")),
    };
    Ok((previous, current.ok_or_else(|| AppError::missing("data.status.current"))?))
}

/// When the status changed: `data.status.updated_at` where the platform sends it, else
/// the envelope's `time` (when the event was sent), else now.
fn changed_at(f: &Fields, st: &Value) -> AppResult<DateTime<Utc>> {
    let changed_at = match st {
        Value::Object(o) => o.get("updated_at").filter(|v| !parse::is_no_value(v)),
        _ => None,
    };
    let (field, raw_at) = match changed_at {
        Some(v) => ("data.status.updated_at", Some(v)),
        None => ("time", f.raw("time")),
    };
    Ok(match raw_at {
        Some(v) => parse::when(v)
            .map_err(|why| AppError::invalid(field, format!("`{field}` {why}.")))?
            .map(|w| w.to_utc(|n| n.and_utc()))
            .unwrap_or_else(Utc::now),
        None => Utc::now(),
    })
}
