//! The finalize transaction (`POST /calls/finalize`), in named steps: make sure the call
//! exists, write what the body carries, settle what can be derived (duration, the real
//! booking, the call's time), classify from the recorded facts, and keep the labels.

use crate::calls::classify::{Facts, VerificationFact};
use crate::calls::finalize::{Earlier, FinalizeInput, Finalized, Labels};
use crate::db::schema::{bookings, calls, negotiations, searches};
use crate::db::Statement;
use crate::db::{to_ms, DbConnection};
use crate::error::AppResult;
use crate::parse::Turn;
use crate::vocab::booking::BookingStatus;
use crate::vocab::negotiation::NegotiationStatus;
use diesel::prelude::*;
use serde_json::{json, Value};

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

impl CallChanges {
    fn of(input: &FinalizeInput) -> CallChanges {
        CallChanges {
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
        }
    }
}

/// What the call holds once the body's fields are written.
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

/// Records a finalize body on its call (run inside a write transaction).
pub fn finalize_tx(conn: &mut DbConnection, input: &FinalizeInput, now_ms: i64) -> AppResult<Finalized> {
    let created = ensure_call(conn, &input.call_id, now_ms)?;
    write_fields(conn, input, now_ms)?;
    let stored = stored(conn, &input.call_id)?;
    let duration = settle_duration(conn, &input.call_id, &stored)?;
    apply_booking(conn, &input.call_id)?;
    if let Some(s) = stored.started_at {
        let target = calls::table.find(&input.call_id);
        diesel::update(target).set(calls::occurred_at.eq(s)).run(conn)?;
    }
    let transcript: Vec<Turn> =
        stored.transcript_json.as_deref().and_then(|t| serde_json::from_str(t).ok()).unwrap_or_default();
    let facts = facts_for(conn, &input.call_id, stored.transferred, duration)?;
    let earlier = Earlier {
        outcome: stored.agent_outcome.then_some(stored.outcome).flatten(),
        sentiment: stored.agent_sentiment.then_some(stored.sentiment).flatten(),
    };
    let labels = Labels::decide(input, &earlier, &facts, &transcript);
    save_labels(conn, &input.call_id, &labels, now_ms)?;
    Ok(Finalized { call_id: input.call_id.clone(), labels, created })
}

/// Makes sure the call exists; true when it was not finalized before (a first finalize).
fn ensure_call(conn: &mut DbConnection, call_id: &str, now_ms: i64) -> AppResult<bool> {
    let existing: Option<i64> = calls::table.find(call_id).select(calls::first_seen_at).row(conn).optional()?;
    let previously_finalized: bool =
        calls::table.find(call_id).select(calls::finalized_at.is_not_null()).row(conn).optional()?.unwrap_or(false);
    if existing.is_none() {
        super::calls::touch(conn, call_id, None, None, now_ms)?;
    }
    Ok(!previously_finalized)
}

/// Writes every field the body carries (a later finalize wins field by field) and links
/// the platform session it names.
fn write_fields(conn: &mut DbConnection, input: &FinalizeInput, now_ms: i64) -> AppResult<()> {
    let target = calls::table.find(&input.call_id);
    diesel::update(target).set((&CallChanges::of(input), calls::updated_at.eq(now_ms))).execute(conn)?;
    if let Some(session) = &input.platform_session {
        super::sessions::link(conn, session, &input.call_id, now_ms)?;
    }
    Ok(())
}

fn stored(conn: &mut DbConnection, call_id: &str) -> AppResult<Stored> {
    Ok(calls::table
        .find(call_id)
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
        .row(conn)?)
}

/// The call's duration; derived from its two ends (which may come from different
/// requests: session event, finalize) and kept when it was missing.
fn settle_duration(conn: &mut DbConnection, call_id: &str, stored: &Stored) -> AppResult<Option<i64>> {
    if stored.duration_seconds.is_some() {
        return Ok(stored.duration_seconds);
    }
    let target = calls::table.find(call_id);
    let ended: Option<i64> = target.select(calls::ended_at).row(conn)?;
    let Some((s, e)) = stored.started_at.zip(ended) else { return Ok(None) };
    let duration = Some(((e - s) / 1000).max(0));
    diesel::update(target).set(calls::duration_seconds.eq(duration)).execute(conn)?;
    Ok(duration)
}

/// What was really booked wins over what the platform extracted from the conversation.
fn apply_booking(conn: &mut DbConnection, call_id: &str) -> AppResult<()> {
    let booked: Option<(String, i64)> = bookings::table
        .filter(bookings::call_id.eq(call_id))
        .filter(bookings::status.eq(BookingStatus::Active.as_str()))
        .select((bookings::load_id, bookings::rate_cents))
        .row(conn)
        .optional()?;
    if let Some((load_id, rate)) = booked {
        diesel::update(calls::table.find(call_id))
            .set((
                calls::load_id.eq(Some(load_id)),
                calls::agreed_rate_cents.eq(Some(rate)),
                calls::transferred.eq(Some(true)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Keeps the labels on the call and appends the live `call.finalized` event.
fn save_labels(conn: &mut DbConnection, call_id: &str, labels: &Labels, now_ms: i64) -> AppResult<()> {
    let target = calls::table.find(call_id);
    let classified_by = labels.classified_by();
    diesel::update(target)
        .set((
            calls::outcome.eq(labels.outcome.as_str()),
            calls::sentiment.eq(labels.sentiment.as_str()),
            calls::classified_by.eq(classified_by.as_str()),
            calls::outcome_by_agent.eq(labels.outcome_by_agent),
            calls::sentiment_by_agent.eq(labels.sentiment_by_agent),
            calls::outcome_conflict.eq(labels.outcome_conflict),
            calls::finalized_at.eq(Some(now_ms)),
        ))
        .run(conn)?;
    crate::events::append(
        conn,
        "call.finalized",
        Some(call_id),
        json!({"outcome": labels.outcome, "sentiment": labels.sentiment, "classified_by": classified_by, "outcome_conflict": labels.outcome_conflict}),
        now_ms,
    )?;
    crate::webhooks::publish(conn, crate::webhooks::EventType::CallFinalized, now_ms, |c| {
        let row = super::calls::find(c, call_id)?;
        super::calls::summaries(c, std::slice::from_ref(&row))?
            .pop()
            .ok_or_else(|| crate::error::AppError::Internal(anyhow::anyhow!("call {call_id} has no summary")))
    })?;
    Ok(())
}

/// The facts the service recorded for a call, for the classifier.
pub fn facts_for(
    conn: &mut DbConnection,
    call_id: &str,
    transferred: Option<bool>,
    duration: Option<i64>,
) -> AppResult<Facts> {
    let booked: i64 = bookings::table
        .filter(bookings::call_id.eq(call_id))
        .filter(bookings::status.eq(BookingStatus::Active.as_str()))
        .count()
        .one(conn)?;
    let search_counts: Vec<i32> =
        searches::table.filter(searches::call_id.eq(call_id)).select(searches::result_count).rows(conn)?;
    let negs: Vec<(String, i32)> = negotiations::table
        .filter(negotiations::call_id.eq(call_id))
        .select((negotiations::status, negotiations::rounds))
        .rows(conn)?;
    let verification = super::story::verification_status_for_call(conn, call_id)?
        .map(|s| VerificationFact::parse(&s).unwrap_or(VerificationFact::Unavailable));
    Ok(Facts {
        booked: booked > 0,
        verification,
        searches: search_counts.len() as u32,
        searches_with_results: search_counts.iter().filter(|c| **c > 0).count() as u32,
        negotiation_rounds: negs.iter().map(|(_, r)| *r as u32).sum(),
        negotiation_rejected: negs
            .iter()
            .any(|(s, _)| NegotiationStatus::parse(s) == Some(NegotiationStatus::Rejected)),
        negotiation_agreed: negs.iter().any(|(s, _)| NegotiationStatus::parse(s) == Some(NegotiationStatus::Agreed)),
        transferred: transferred.unwrap_or(false) || booked > 0,
        duration_seconds: duration,
    })
}
