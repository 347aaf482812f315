//! `POST /calls/finalize`: the end-of-call record the workflow posts after each call.
//!
//! Upsert by `call_id`: a retried webhook never makes a second record, and a later
//! finalize wins field by field where it carries a value. When the agent's outcome or
//! sentiment is missing or not a label, the service classifies the call from what it
//! recorded (verification, searches, negotiation, booking) and the transcript.

use super::classify::{self, Facts, Outcome, Sentiment, VerificationFact};
use crate::db::schema::{bookings, calls, negotiations, searches};
use crate::db::{to_ms, write_tx, DbConnection};
use crate::error::{AppError, AppResult};
use crate::http::body::RawBody;
use crate::parse::{Fields, Turn, When};
use crate::state::AppState;
use crate::types::Money;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};

/// What a finalize body carries, every field optional (the call's id is resolved by
/// [`super::identity`]).
#[derive(Debug, Default)]
pub struct FinalizeInput {
    pub call_id: String,
    pub mc_number: Option<String>,
    pub carrier_name: Option<String>,
    pub load_id: Option<String>,
    pub outcome_raw: Option<String>,
    pub sentiment_raw: Option<String>,
    pub agreed_rate: Option<Money>,
    pub initial_offer: Option<Money>,
    pub rounds: Option<i64>,
    pub transferred: Option<bool>,
    pub duration_seconds: Option<i64>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub transcript: Option<Vec<Turn>>,
    pub summary: Option<String>,
    pub carrier_phone: Option<String>,
    pub callback_at: Option<DateTime<Utc>>,
    pub extracted: Option<Value>,
    /// The platform's session named beside the call's id: its status events land here.
    pub platform_session: Option<String>,
}

const MAX_EXTRACTED_BYTES: usize = 64 * 1024;

fn utc(w: Option<When>) -> Option<DateTime<Utc>> {
    // Zone-less times from the platform are UTC.
    w.map(|w| w.to_utc(|n| n.and_utc()))
}

impl FinalizeInput {
    pub fn read(f: &Fields, call_id: String) -> AppResult<FinalizeInput> {
        let mut extracted = match f.raw("extracted") {
            None => None,
            Some(Value::Object(o)) => Some(Value::Object(o.clone())),
            // Templating sometimes sends the object as a JSON string.
            Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
                Ok(v @ Value::Object(_)) => Some(v),
                _ => return Err(AppError::invalid("extracted", "`extracted` must be a JSON object.")),
            },
            Some(_) => return Err(AppError::invalid("extracted", "`extracted` must be a JSON object.")),
        };
        // A key-value body builder cannot nest: `extracted.<name>` keys are folded in.
        for (name, value) in f.prefixed("extracted.") {
            if let Value::Object(o) = extracted.get_or_insert_with(|| Value::Object(Default::default())) {
                o.insert(name.to_string(), value.clone());
            }
        }
        if extracted.as_ref().is_some_and(|e| e.to_string().len() > MAX_EXTRACTED_BYTES) {
            return Err(AppError::invalid("extracted", "`extracted` is larger than 64 KiB."));
        }
        let duration = f.count("duration_seconds", true)?;
        if duration.is_some_and(|d| d > 24 * 3600) {
            return Err(AppError::invalid("duration_seconds", "`duration_seconds` is longer than a day."));
        }
        let rounds = f.count("negotiation_rounds", false)?;
        if rounds.is_some_and(|r| r > 3) {
            return Err(AppError::invalid("negotiation_rounds", "`negotiation_rounds` is at most 3."));
        }
        let started_at = utc(f.when("started_at")?);
        let ended_at = utc(f.when("ended_at")?);
        if let (Some(s), Some(e)) = (started_at, ended_at) {
            if e < s {
                return Err(AppError::invalid("ended_at", "`ended_at` is before `started_at`."));
            }
        }
        Ok(FinalizeInput {
            call_id,
            mc_number: f.mc("mc_number")?.map(|m| m.as_str().to_string()),
            carrier_name: f.text("carrier_name")?,
            load_id: f.id("load_id")?,
            outcome_raw: f.text("outcome")?,
            sentiment_raw: f.text("sentiment")?,
            agreed_rate: f.money("agreed_rate")?,
            initial_offer: f.money("initial_carrier_offer")?,
            rounds,
            transferred: f.boolean("transferred")?,
            duration_seconds: duration,
            started_at,
            ended_at,
            transcript: f.transcript("transcript")?,
            summary: f.long_text("summary", 10_000)?,
            carrier_phone: f.text("carrier_phone")?,
            callback_at: utc(f.when("callback_at")?),
            extracted,
            platform_session: None,
        })
    }
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = calls)]
struct CallChanges {
    mc_number: Option<String>,
    carrier_name: Option<String>,
    load_id: Option<String>,
    started_at: Option<i64>,
    ended_at: Option<i64>,
    duration_seconds: Option<i64>,
    agreed_rate_cents: Option<i64>,
    initial_offer_cents: Option<i64>,
    negotiation_rounds: Option<i64>,
    transferred: Option<bool>,
    transcript_json: Option<String>,
    summary: Option<String>,
    extracted_json: Option<String>,
    carrier_phone: Option<String>,
    callback_at: Option<i64>,
}

/// The facts the service recorded for a call, for the classifier.
pub fn facts_for(
    conn: &mut DbConnection,
    call_id: &str,
    transferred: Option<bool>,
    duration: Option<i64>,
) -> AppResult<Facts> {
    let booked: i64 = crate::per_backend!(conn, c => bookings::table
        .filter(bookings::call_id.eq(call_id))
        .filter(bookings::status.eq("active"))
        .count()
        .get_result(c)?);
    let search_counts: Vec<i32> = crate::per_backend!(conn, c => searches::table
        .filter(searches::call_id.eq(call_id))
        .select(searches::result_count)
        .load(c)?);
    let negs: Vec<(String, i32)> = crate::per_backend!(conn, c => negotiations::table
        .filter(negotiations::call_id.eq(call_id))
        .select((negotiations::status, negotiations::rounds))
        .load(c)?);
    let verification = super::story::verification_status_for_call(conn, call_id)?.map(|s| match s.as_str() {
        "eligible" => VerificationFact::Eligible,
        "ineligible" => VerificationFact::Ineligible,
        "not_found" => VerificationFact::NotFound,
        _ => VerificationFact::Unavailable,
    });
    Ok(Facts {
        booked: booked > 0,
        verification,
        searches: search_counts.len() as u32,
        searches_with_results: search_counts.iter().filter(|c| **c > 0).count() as u32,
        negotiation_rounds: negs.iter().map(|(_, r)| *r as u32).sum(),
        negotiation_rejected: negs.iter().any(|(s, _)| s == "rejected"),
        negotiation_agreed: negs.iter().any(|(s, _)| s == "agreed"),
        transferred: transferred.unwrap_or(false) || booked > 0,
        duration_seconds: duration,
    })
}

#[derive(Queryable)]
struct Stored {
    outcome: Option<String>,
    sentiment: Option<String>,
    transcript_json: Option<String>,
    transferred: Option<bool>,
    duration_seconds: Option<i64>,
    started_at: Option<i64>,
    agent_outcome: bool,
    agent_sentiment: bool,
}

pub struct Finalized {
    pub call_id: String,
    pub outcome: Outcome,
    pub sentiment: Sentiment,
    pub outcome_by_agent: bool,
    pub sentiment_by_agent: bool,
    pub outcome_conflict: bool,
    pub created: bool,
}

pub fn finalize_tx(conn: &mut DbConnection, input: &FinalizeInput, now_ms: i64) -> AppResult<Finalized> {
    // A hot write: its statements go through `per_backend!` (cached by type).
    let existing: Option<i64> = crate::per_backend!(conn, c => {
        calls::table.find(&input.call_id).select(calls::first_seen_at).first(c).optional()?
    });
    let previously_finalized: bool = crate::per_backend!(conn, c => calls::table
        .find(&input.call_id)
        .select(calls::finalized_at.is_not_null())
        .first(c)
        .optional()?)
    .unwrap_or(false);
    let created = !previously_finalized;
    if existing.is_none() {
        super::touch(conn, &input.call_id, None, None, now_ms)?;
    }
    let changes = CallChanges {
        mc_number: input.mc_number.clone(),
        carrier_name: input.carrier_name.clone(),
        load_id: input.load_id.clone(),
        started_at: input.started_at.map(to_ms),
        ended_at: input.ended_at.map(to_ms),
        duration_seconds: input.duration_seconds,
        agreed_rate_cents: input.agreed_rate.map(|m| m.0),
        initial_offer_cents: input.initial_offer.map(|m| m.0),
        negotiation_rounds: input.rounds,
        transferred: input.transferred,
        transcript_json: input.transcript.as_ref().map(|t| serde_json::to_string(t).unwrap_or_default()),
        summary: input.summary.clone(),
        extracted_json: input.extracted.as_ref().map(Value::to_string),
        carrier_phone: input.carrier_phone.clone(),
        callback_at: input.callback_at.map(to_ms),
    };
    let target = calls::table.find(&input.call_id);
    diesel::update(target).set((&changes, calls::updated_at.eq(now_ms))).execute(conn)?;
    if let Some(session) = &input.platform_session {
        super::sessions::link(conn, session, &input.call_id, now_ms)?;
    }

    let stored: Stored = crate::per_backend!(conn, c => target
        .select((
            calls::outcome,
            calls::sentiment,
            calls::transcript_json,
            calls::transferred,
            calls::duration_seconds,
            calls::started_at,
            calls::outcome_by_agent,
            calls::sentiment_by_agent,
        ))
        .first(c)?);
    // A duration can be derived from the two ends.
    let mut duration = stored.duration_seconds;
    if duration.is_none() {
        // The two ends may come from different requests (session event, finalize).
        let ended: Option<i64> = crate::per_backend!(conn, c => target.select(calls::ended_at).first(c)?);
        if let (Some(s), Some(e)) = (stored.started_at, ended) {
            duration = Some(((e - s) / 1000).max(0));
            diesel::update(target).set(calls::duration_seconds.eq(duration)).execute(conn)?;
        }
    }
    // What was really booked wins over what the platform extracted from the conversation.
    let booked: Option<(String, i64)> = crate::per_backend!(conn, c => bookings::table
        .filter(bookings::call_id.eq(&input.call_id))
        .filter(bookings::status.eq("active"))
        .select((bookings::load_id, bookings::rate_cents))
        .first(c)
        .optional()?);
    if let Some((load_id, rate)) = booked {
        diesel::update(target)
            .set((
                calls::load_id.eq(Some(load_id)),
                calls::agreed_rate_cents.eq(Some(rate)),
                calls::transferred.eq(Some(true)),
            ))
            .execute(conn)?;
    }
    if let Some(s) = stored.started_at {
        crate::per_backend!(conn, c => diesel::update(target).set(calls::occurred_at.eq(s)).execute(c)?);
    }

    let transcript: Vec<Turn> =
        stored.transcript_json.as_deref().and_then(|t| serde_json::from_str(t).ok()).unwrap_or_default();
    let facts = facts_for(conn, &input.call_id, stored.transferred, duration)?;

    // The agent's labels win when they are labels; a later finalize without one keeps
    // an earlier agent label.
    let agent_outcome = input
        .outcome_raw
        .as_deref()
        .and_then(Outcome::parse)
        .or_else(|| stored.agent_outcome.then(|| stored.outcome.as_deref().and_then(Outcome::parse)).flatten());
    let agent_sentiment =
        input.sentiment_raw.as_deref().and_then(Sentiment::parse).or_else(|| {
            stored.agent_sentiment.then(|| stored.sentiment.as_deref().and_then(Sentiment::parse)).flatten()
        });
    let outcome = agent_outcome.unwrap_or_else(|| classify::classify_outcome(&facts, &transcript));
    let sentiment = agent_sentiment.unwrap_or_else(|| classify::score_sentiment(&transcript).sentiment);
    let conflict = agent_outcome.is_some_and(|o| classify::conflicts(o, &facts));
    let classified_by = if agent_outcome.is_some() && agent_sentiment.is_some() { "agent" } else { "service" };
    crate::per_backend!(conn, c => diesel::update(target)
        .set((
            calls::outcome.eq(outcome.as_str()),
            calls::sentiment.eq(sentiment.as_str()),
            calls::classified_by.eq(classified_by),
            calls::outcome_by_agent.eq(agent_outcome.is_some()),
            calls::sentiment_by_agent.eq(agent_sentiment.is_some()),
            calls::outcome_conflict.eq(conflict),
            calls::finalized_at.eq(Some(now_ms)),
        ))
        .execute(c)?);
    crate::events::append(
        conn,
        "call.finalized",
        Some(&input.call_id),
        json!({"outcome": outcome, "sentiment": sentiment, "classified_by": classified_by, "outcome_conflict": conflict}),
        now_ms,
    )?;
    Ok(Finalized {
        call_id: input.call_id.clone(),
        outcome,
        sentiment,
        outcome_by_agent: agent_outcome.is_some(),
        sentiment_by_agent: agent_sentiment.is_some(),
        outcome_conflict: conflict,
        created,
    })
}

#[utoipa::path(
    post,
    path = "/api/v1/calls/finalize",
    operation_id = "finalizeCall",
    tag = "agent",
    summary = "Record the call when it ends",
    description = "Scope: agent. Sent by the workflow after each call; upsert by `call_id` (a retried webhook never makes a second record; a later finalize wins field by field). A missing or unrendered `call_id` (`session_id` and `run_id` are aliases) is resolved from `mc_number` (the carrier's call of the last two hours), else a new call record is made under an issued id (SPEC §12.1). When `outcome` or `sentiment` is missing or not a label, the service classifies the call from what it recorded and the transcript, and says which it did.",
    request_body(content = crate::http::openapi::FinalizeRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Recorded.", body = crate::http::openapi::FinalizeAnswer),
        (status = 400, description = "`invalid_json`: not JSON even after repairing raw control characters and trailing commas; the body is kept and the answer carries its `rejected_id` (see `/webhooks/rejected`). `invalid_body`: not a JSON object.", body = crate::error::ErrorBody),
        (status = 413, description = "`payload_too_large`: the body is over `CARRIER_SALES__CALLS__FINALIZE_LIMIT_KB`.", body = crate::error::ErrorBody),
        (status = 422, description = "`invalid_value` naming the field (a `call_id` over 128 characters, `ended_at` before `started_at`, more than 3 rounds, a duration over a day, `extracted` not an object or over 64 KiB, a transcript over 200,000 characters...).", body = crate::error::ErrorBody),
    ),
    security(("x_api_key" = []), ("api_key" = []), ("bearer" = []))
)]
pub async fn finalize(state: web::Data<AppState>, req: HttpRequest, body: RawBody) -> AppResult<HttpResponse> {
    let value = super::intake::read(&state, &req, &body.0).await?;
    let (status, answer) = record(&state, value).await?;
    Ok(HttpResponse::build(status).json(answer))
}

/// Records a finalize body (from the route, or replayed from a rejected one).
pub async fn record(state: &web::Data<AppState>, body: Value) -> AppResult<super::rejected::RouteAnswer> {
    let f = Fields::new(&body)?;
    // Read first, so a body that cannot be recorded is refused before anything else.
    let named = super::identity::named(&f)?;
    let mc = f.mc("mc_number")?;
    let mut input = FinalizeInput::read(&f, String::new())?;
    // Nothing is dropped: a finalize that names no call and no known caller is recorded
    // under a new id.
    input.call_id = super::identity::attribute_for(state, named, mc.as_ref().map(|m| m.as_str()))
        .await?
        .unwrap_or_else(super::identity::issue);
    input.platform_session = f.id("session_id")?.filter(|s| !super::identity::is_unrendered(s) && *s != input.call_id);
    let done = state.db.write(move |conn| write_tx(conn, |c| finalize_tx(c, &input, to_ms(Utc::now())))).await?;
    let by = |agent: bool| if agent { "agent" } else { "service" };
    let classified_by = if done.outcome_by_agent && done.sentiment_by_agent { "agent" } else { "service" };
    let conflict_note = if done.outcome_conflict {
        " The agent's outcome disagrees with what was recorded; it is flagged for review."
    } else {
        ""
    };
    Ok((
        StatusCode::OK,
        json!({
            "call_id": done.call_id,
            "outcome": done.outcome,
            "sentiment": done.sentiment,
            "classified_by": classified_by,
            "outcome_classified_by": by(done.outcome_by_agent),
            "sentiment_classified_by": by(done.sentiment_by_agent),
            "outcome_conflict": done.outcome_conflict,
            "created": done.created,
            "message": format!(
                "Call recorded as {} with {} sentiment.{conflict_note}",
                done.outcome.as_str().replace('_', " "),
                done.sentiment.as_str()
            ),
        }),
    ))
}
