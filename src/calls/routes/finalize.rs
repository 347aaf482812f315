//! `POST /calls/finalize`: the end-of-call record the workflow posts after each call
//! (what it reads is [`crate::calls::finalize`], what it writes `store::finalize`).

use crate::calls::finalize::{by, FinalizeInput};
use crate::calls::views::FinalizeAnswer;
use crate::calls::{identity, intake, store};
use crate::db::{to_ms, write_tx};
use crate::error::AppResult;
use crate::http::body::RawBody;
use crate::parse::Fields;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde_json::Value;

#[utoipa::path(
    post,
    path = "/api/v1/calls/finalize",
    operation_id = "finalizeCall",
    tag = "agent",
    summary = "Record the call when it ends",
    description = "Scope: agent. Sent by the workflow after each call; upsert by `call_id` (a retried webhook never makes a second record; a later finalize wins field by field). A missing or unrendered `call_id` (`session_id` and `run_id` are aliases) is resolved from `mc_number` (the carrier's call of the last two hours), else a new call record is made under an issued id (SPEC §12.1). When `outcome` or `sentiment` is missing or not a label, the service classifies the call from what it recorded and the transcript, and says which it did.",
    request_body(content = crate::calls::views::FinalizeRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Recorded.", body = crate::calls::views::FinalizeAnswer),
        (status = 400, description = "`invalid_json`: not JSON even after repairing raw control characters and trailing commas; the body is kept and the answer carries its `rejected_id` (see `/webhooks/rejected`). `invalid_body`: not a JSON object.", body = crate::error::ErrorBody),
        (status = 413, description = "`payload_too_large`: the body is over `CARRIER_SALES__CALLS__FINALIZE_LIMIT_KB`.", body = crate::error::ErrorBody),
        (status = 422, description = "`invalid_value` naming the field (a `call_id` over 128 characters, `ended_at` before `started_at`, more than 3 rounds, a duration over a day, `extracted` not an object or over 64 KiB, a transcript over 200,000 characters...).", body = crate::error::ErrorBody),
    ),
)]
pub async fn finalize(state: web::Data<AppState>, req: HttpRequest, body: RawBody) -> AppResult<HttpResponse> {
    let value = intake::read(&state, &req, &body.0).await?;
    Ok(HttpResponse::Ok().json(record(&state, value).await?))
}

/// Records a finalize body (from the route, or replayed from a rejected one).
pub async fn record(state: &web::Data<AppState>, body: Value) -> AppResult<FinalizeAnswer> {
    let f = Fields::new(&body)?;
    // Read first, so a body that cannot be recorded is refused before anything else.
    let named = identity::named(&f)?;
    let mc = f.mc("mc_number")?;
    let mut input = FinalizeInput::read(&f, String::new())?;
    // Nothing is dropped: a finalize that names no call and no known caller is recorded
    // under a new id.
    input.call_id =
        identity::attribute_for(state, named, mc.as_ref().map(|m| m.as_str())).await?.unwrap_or_else(identity::issue);
    input.platform_session = f.id("session_id")?.filter(|s| !identity::is_unrendered(s) && *s != input.call_id);
    let done = state
        .db
        .write(move |conn| write_tx(conn, |c| store::finalize::finalize_tx(c, &input, to_ms(Utc::now()))))
        .await?;
    let l = done.labels;
    let conflict_note = if l.outcome_conflict {
        " The agent's outcome disagrees with what was recorded; it is flagged for review."
    } else {
        ""
    };
    Ok(FinalizeAnswer {
        call_id: done.call_id,
        outcome: l.outcome,
        sentiment: l.sentiment,
        classified_by: l.classified_by(),
        outcome_classified_by: by(l.outcome_by_agent),
        sentiment_classified_by: by(l.sentiment_by_agent),
        outcome_conflict: l.outcome_conflict,
        created: done.created,
        message: format!(
            "Call recorded as {} with {} sentiment.{conflict_note}",
            l.outcome.as_str().replace('_', " "),
            l.sentiment.as_str()
        ),
    })
}
