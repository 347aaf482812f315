//! The call's story, read from the tables of the rooms that wrote it (verifications,
//! searches, negotiations, bookings) by SQL here, and the verification facts the list and
//! the classifier use.

use super::calls::{summaries, CallRow};
use crate::calls::views::story::{
    CallDetail, CallStory, FinalOfferAccepted, FinalizeLabels, NegotiationRecord, RoundRecord, SearchRecord,
    SessionChange, StoryBooking, StoryRep, TimelineData, TimelineEntry, TimelineKind, VerificationRecord,
};
use crate::calls::views::CallSummary;
use crate::db::rows::VerificationRow;
use crate::db::schema::{bookings, negotiation_rounds, negotiations, searches, verifications};
use crate::db::DbConnection;
use crate::db::Statement;
use crate::error::AppResult;
use crate::time::rfc3339;
use crate::types::Money;
use crate::vocab::negotiation::NegotiationStatus;
use crate::vocab::session_status::SessionStatus;
use diesel::prelude::*;
use serde_json::{json, Value};
use std::collections::HashMap;

/// What happened during the call, with its time, in the order it was read (a stable
/// sort by time keeps that order for events of the same millisecond).
type Timeline = Vec<(i64, TimelineKind, TimelineData)>;

/// The call's story: the call, what was recorded during it, and one timeline.
pub fn story(conn: &mut DbConnection, row: CallRow) -> AppResult<CallStory> {
    let summary = summaries(conn, std::slice::from_ref(&row))?.remove(0);
    let mut timeline: Timeline = Vec::new();
    let verifications = verifications_for_call(conn, &row.call_id)?;
    for (at, v) in &verifications {
        timeline.push((*at, TimelineKind::Verification, TimelineData::Verification(v.clone())));
    }
    let searches = searches_for_call(conn, &row.call_id)?;
    for (at, s) in &searches {
        timeline.push((*at, TimelineKind::Search, TimelineData::Search(s.clone())));
    }
    let negotiations = negotiations_for_call(conn, &row.call_id, &mut timeline)?;
    let booking = bookings_for_call(conn, &row.call_id, &mut timeline)?;
    session_and_finalize(&row, &mut timeline);
    timeline.sort_by_key(|(at, ..)| *at);
    Ok(CallStory {
        call: detail(summary, row),
        timeline: timeline.into_iter().map(|(at, kind, data)| TimelineEntry { at: rfc3339(at), kind, data }).collect(),
        verification: verifications.last().map(|(_, v)| v.clone()),
        searches: searches.into_iter().map(|(_, s)| s).collect(),
        negotiations,
        booking,
    })
}

/// The list's members of the call plus its details.
fn detail(s: CallSummary, row: CallRow) -> CallDetail {
    CallDetail {
        call: s,
        transcript: row.transcript_json.as_deref().and_then(|t| serde_json::from_str(t).ok()),
        summary: row.summary,
        extracted: row
            .extracted_json
            .as_deref()
            .and_then(|e| serde_json::from_str::<Value>(e).ok())
            .unwrap_or(Value::Null),
        carrier_phone: row.carrier_phone,
        callback_at: row.callback_at.map(rfc3339),
        run_id: row.run_id,
        first_seen_at: rfc3339(row.first_seen_at),
    }
}

/// The platform session's start and end, and the finalize, as timeline entries.
fn session_and_finalize(row: &CallRow, timeline: &mut Timeline) {
    let session = |previous: Option<SessionStatus>, current: &str| {
        TimelineData::Session(SessionChange { previous, current: current.to_string() })
    };
    if let Some(at) = row.started_at {
        timeline.push((at, TimelineKind::SessionStatus, session(None, SessionStatus::InProgress.as_str())));
    }
    if let (Some(at), Some(status)) = (row.ended_at, row.platform_status.as_ref()) {
        timeline.push((at, TimelineKind::SessionStatus, session(Some(SessionStatus::InProgress), status)));
    }
    if let Some(at) = row.finalized_at {
        let labels = FinalizeLabels {
            outcome: row.outcome.clone(),
            sentiment: row.sentiment.clone(),
            classified_by: row.classified_by.clone(),
            outcome_conflict: row.outcome_conflict,
        };
        timeline.push((at, TimelineKind::Finalize, TimelineData::Finalize(labels)));
    }
}

fn searches_for_call(conn: &mut DbConnection, call_id: &str) -> AppResult<Vec<(i64, SearchRecord)>> {
    let rows: Vec<(i64, String, i32, String)> = searches::table
        .filter(searches::call_id.eq(call_id))
        .order(searches::id.asc())
        .select((searches::created_at, searches::criteria_json, searches::result_count, searches::load_ids_json))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(at, criteria, count, ids)| {
            let record = SearchRecord {
                at: rfc3339(at),
                criteria: serde_json::from_str::<Value>(&criteria).unwrap_or(Value::Null),
                result_count: count,
                load_ids: serde_json::from_str::<Value>(&ids).unwrap_or(json!([])),
            };
            (at, record)
        })
        .collect())
}

type NegRow = (String, String, i64, Option<i64>, Option<i64>, i32, i64);
type RoundRow = (String, i32, i64, String, Option<i64>, Option<i64>, Option<i64>, String, i64, Option<String>);

fn round_rows(conn: &mut DbConnection, call_id: &str) -> QueryResult<Vec<RoundRow>> {
    negotiation_rounds::table
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
            negotiation_rounds::reason,
        ))
        .load(conn)
}

/// The call's negotiations with their rounds; each round (and a final offer taken after
/// round 3) goes on the timeline.
fn negotiations_for_call(
    conn: &mut DbConnection,
    call_id: &str,
    timeline: &mut Timeline,
) -> AppResult<Vec<NegotiationRecord>> {
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
    let rounds = round_rows(conn, call_id)?;
    let mut out = Vec::new();
    for (load_id, status, posted, agreed, final_offer, n_rounds, updated) in negs {
        let mut items = Vec::new();
        for (l, round, offer, decision, counter, agreed_r, final_r, message, at, why) in rounds.iter().cloned() {
            if l != load_id {
                continue;
            }
            let item = RoundRecord {
                load_id: l,
                round,
                offer: Money(offer),
                decision,
                counter_offer: counter.map(Money),
                agreed_rate: agreed_r.map(Money),
                final_offer: final_r.map(Money),
                message,
                why,
                at: rfc3339(at),
            };
            timeline.push((at, TimelineKind::NegotiationRound, TimelineData::Round(item.clone())));
            items.push(item);
        }
        // Round 3 ended on our final offer and the carrier took it afterwards.
        let last_was_reject = rounds.iter().rev().find(|r| r.0 == load_id).is_some_and(|r| r.3 == "reject");
        if NegotiationStatus::parse(&status) == Some(NegotiationStatus::Agreed) && last_was_reject {
            let taken =
                FinalOfferAccepted { load_id: load_id.clone(), round: n_rounds, agreed_rate: agreed.map(Money) };
            timeline.push((updated, TimelineKind::FinalOfferAccepted, TimelineData::FinalOfferAccepted(taken)));
        }
        out.push(NegotiationRecord {
            load_id,
            status,
            loadboard_rate: Money(posted),
            agreed_rate: agreed.map(Money),
            final_offer: final_offer.map(Money),
            rounds: items,
        });
    }
    Ok(out)
}

/// A booking as the bookings table holds it.
#[derive(Queryable, Selectable)]
#[diesel(table_name = bookings)]
struct BookingRow {
    booking_id: String,
    load_id: String,
    call_id: String,
    mc_number: String,
    carrier_name: Option<String>,
    rate_cents: i64,
    posted_cents: i64,
    rep_name: String,
    rep_contact: String,
    verification_pending: bool,
    status: String,
    summary: String,
    created_at: i64,
    cancelled_at: Option<i64>,
    cancel_reason: Option<String>,
    cancelled_by: Option<String>,
}

impl From<BookingRow> for StoryBooking {
    fn from(b: BookingRow) -> StoryBooking {
        StoryBooking {
            rep: StoryRep::new(&b.rep_name, &b.rep_contact),
            booking_id: b.booking_id,
            load_id: b.load_id,
            call_id: b.call_id,
            mc_number: b.mc_number,
            carrier_name: b.carrier_name,
            agreed_rate: Money(b.rate_cents),
            loadboard_rate: Money(b.posted_cents),
            status: b.status,
            verification_pending: b.verification_pending,
            summary: b.summary,
            created_at: rfc3339(b.created_at),
            cancelled_at: b.cancelled_at.map(rfc3339),
            cancel_reason: b.cancel_reason,
            cancelled_by: b.cancelled_by,
        }
    }
}

/// The call's bookings on the timeline (and their cancellations); the latest one.
fn bookings_for_call(
    conn: &mut DbConnection,
    call_id: &str,
    timeline: &mut Timeline,
) -> AppResult<Option<StoryBooking>> {
    let rows: Vec<BookingRow> = bookings::table
        .filter(bookings::call_id.eq(call_id))
        .order(bookings::created_at.asc())
        .select(BookingRow::as_select())
        .load(conn)?;
    let mut latest = None;
    for row in rows {
        let (created, cancelled) = (row.created_at, row.cancelled_at);
        let b = StoryBooking::from(row);
        timeline.push((created, TimelineKind::Booking, TimelineData::Booking(b.clone())));
        if let Some(at) = cancelled {
            timeline.push((at, TimelineKind::BookingCancelled, TimelineData::Booking(b.clone())));
        }
        latest = Some(b);
    }
    Ok(latest)
}

fn verification_view(r: &VerificationRow) -> VerificationRecord {
    VerificationRecord {
        mc_number: r.mc_number.clone(),
        status: r.status.clone(),
        eligible: r.eligible,
        reasons: serde_json::from_str::<Value>(&r.reasons_json).unwrap_or(json!([])),
        warnings: serde_json::from_str::<Value>(&r.warnings_json).unwrap_or(json!([])),
        source: r.source.clone(),
        stale: r.stale,
        legal_name: r.legal_name.clone(),
        checked_at: rfc3339(r.created_at),
    }
}

fn verification_rows(conn: &mut DbConnection, call_ids: &[&str]) -> AppResult<Vec<VerificationRow>> {
    Ok(verifications::table
        .filter(verifications::call_id.eq_any(call_ids))
        .order(verifications::id.asc())
        .select(VerificationRow::as_select())
        .load(conn)?)
}

/// Every verification made during the call, oldest first, with its time.
pub fn verifications_for_call(conn: &mut DbConnection, call_id: &str) -> AppResult<Vec<(i64, VerificationRecord)>> {
    Ok(verification_rows(conn, &[call_id])?.iter().map(|r| (r.created_at, verification_view(r))).collect())
}

/// The latest verification status of each call.
pub fn verification_status_for_calls(conn: &mut DbConnection, call_ids: &[&str]) -> AppResult<HashMap<String, String>> {
    let mut out = HashMap::new();
    for r in verification_rows(conn, call_ids)? {
        if let Some(c) = r.call_id {
            out.insert(c, r.status);
        }
    }
    Ok(out)
}

/// The latest verification status of one call.
pub fn verification_status_for_call(conn: &mut DbConnection, call_id: &str) -> AppResult<Option<String>> {
    // One cached statement (an `IN` list is parsed on each call), and no ORDER BY … LIMIT:
    // with it PostgreSQL walked the primary key backwards through every verification
    // when the call had none. A call has a few; the latest is picked here.
    let all: Vec<(i64, String)> = verifications::table
        .filter(verifications::call_id.eq(call_id))
        .select((verifications::id, verifications::status))
        .rows(conn)?;
    Ok(all.into_iter().max_by_key(|(id, _)| *id).map(|(_, status)| status))
}
