//! A carrier's history (`GET /carriers/{mc}`), read from the tables the other rooms
//! write (calls, verifications, negotiations and their rounds, bookings, loads) through
//! `crate::db::schema`, so the carriers room imports none of them.
//!
//! Whose row is whose: a call carries the carrier's MC; a verification and a booking name
//! it; a negotiation names it, or was made on one of the carrier's calls without naming
//! another. Each list holds the latest [`LIST_CAP`] rows; the summary counts them all.

use super::{to_record, VerificationRecord};
use crate::carriers::history::{self as core, NegotiationFacts, LIST_CAP};
use crate::carriers::views::{
    BookingStatus, CarrierBooking, CarrierCall, CarrierHistory, CarrierNegotiation, CarrierVerification,
    NegotiationStatus,
};
use crate::db::rows::VerificationRow;
use crate::db::schema::{bookings, calls, loads, negotiation_rounds, negotiations, verifications};
use crate::db::{read_together, DbConnection};
use crate::error::AppResult;
use crate::time::rfc3339;
use crate::types::{round1, Money};
use diesel::dsl::{count_star, max, min};
use diesel::prelude::*;
use std::collections::{HashMap, HashSet};

/// How often something happened, and when first and last (epoch ms).
#[derive(Clone, Copy, Default)]
struct Span {
    count: i64,
    first: Option<i64>,
    last: Option<i64>,
}

impl Span {
    fn new((count, first, last): (i64, Option<i64>, Option<i64>)) -> Span {
        Span { count, first, last }
    }

    fn merge(self, o: Span) -> Span {
        let pick = |a: Option<i64>, b: Option<i64>, f: fn(i64, i64) -> i64| match (a, b) {
            (Some(a), Some(b)) => Some(f(a, b)),
            (a, b) => a.or(b),
        };
        Span {
            count: self.count + o.count,
            first: pick(self.first, o.first, i64::min),
            last: pick(self.last, o.last, i64::max),
        }
    }
}

/// The carrier's history, or `None` when nothing was ever recorded under this MC
/// (digits only, as normalised). One snapshot of the database (`read_together`).
pub fn history(conn: &mut DbConnection, mc: &str) -> AppResult<Option<CarrierHistory>> {
    read_together(conn, |conn| {
        let (calls, call_span) = calls_of(conn, mc)?;
        let (verifications, verification_span) = verifications_of(conn, mc)?;
        let negotiations = negotiations_of(conn, mc)?;
        let (bookings, booking_span, booked) = bookings_of(conn, mc)?;
        let negotiation_span = Span {
            count: negotiations.len() as i64,
            first: negotiations.iter().map(|n| n.created_at).min(),
            last: negotiations.iter().map(|n| n.updated_at).max(),
        };
        let seen = call_span.merge(verification_span).merge(negotiation_span).merge(booking_span);
        let (Some(first_seen), Some(last_seen)) = (seen.first, seen.last) else { return Ok(None) };

        let open: Vec<&str> =
            negotiations.iter().filter(|n| n.status() == NegotiationStatus::Open).map(|n| n.call_id.as_str()).collect();
        let over = calls_over(conn, &open)?;
        let facts: Vec<NegotiationFacts> = negotiations.iter().map(|n| n.facts(over.contains(&n.call_id))).collect();
        let summary = core::summarize(call_span.count, booked, &facts);
        let cap = negotiations.len().min(LIST_CAP as usize);
        let listed = negotiation_views(conn, &negotiations[..cap], &facts[..cap])?;
        // A call names its load, else the one it negotiated last (as the calls list does).
        let mut negotiated: HashMap<&str, &str> = HashMap::new();
        for n in negotiations.iter().rev() {
            negotiated.insert(&n.call_id, &n.load_id);
        }
        let calls = calls
            .into_iter()
            .map(|c| {
                let fallback = negotiated.get(c.0.as_str()).map(|l| l.to_string());
                CarrierCall {
                    started_at: rfc3339(c.1),
                    outcome: c.2,
                    sentiment: c.3,
                    load_id: c.4.or(fallback),
                    agreed_rate: c.5.map(Money),
                    call_id: c.0,
                }
            })
            .collect();
        Ok(Some(CarrierHistory {
            mc_number: mc.to_string(),
            carrier_name: carrier_name(conn, mc)?,
            first_seen: rfc3339(first_seen),
            last_seen: rfc3339(last_seen),
            summary,
            verifications: verifications.into_iter().map(verification_view).collect(),
            calls,
            calls_total: call_span.count,
            negotiations: listed,
            bookings,
        }))
    })
}

/// call id, time, outcome, sentiment, load id, agreed rate.
type CallRow = (String, i64, Option<String>, Option<String>, Option<String>, Option<i64>);

fn calls_of(conn: &mut DbConnection, mc: &str) -> QueryResult<(Vec<CallRow>, Span)> {
    let rows = calls::table
        .filter(calls::mc_number.eq(mc))
        .order((calls::occurred_at.desc(), calls::call_id.desc()))
        .select((
            calls::call_id,
            calls::occurred_at,
            calls::outcome,
            calls::sentiment,
            calls::load_id,
            calls::agreed_rate_cents,
        ))
        .limit(LIST_CAP)
        .load(conn)?;
    let span = calls::table
        .filter(calls::mc_number.eq(mc))
        .select((count_star(), min(calls::occurred_at), max(calls::occurred_at)))
        .first(conn)?;
    Ok((rows, Span::new(span)))
}

fn verifications_of(conn: &mut DbConnection, mc: &str) -> QueryResult<(Vec<VerificationRecord>, Span)> {
    let rows: Vec<VerificationRow> = verifications::table
        .filter(verifications::mc_number.eq(mc))
        .order((verifications::created_at.desc(), verifications::id.desc()))
        .select(VerificationRow::as_select())
        .limit(LIST_CAP)
        .load(conn)?;
    let span = verifications::table
        .filter(verifications::mc_number.eq(mc))
        .select((count_star(), min(verifications::created_at), max(verifications::created_at)))
        .first(conn)?;
    Ok((rows.into_iter().map(to_record).collect(), Span::new(span)))
}

fn verification_view(v: VerificationRecord) -> CarrierVerification {
    CarrierVerification {
        call_id: v.call_id,
        checked_at: rfc3339(crate::db::to_ms(v.created_at)),
        eligible: v.eligible,
        status: v.status,
        reasons: v.reasons,
        warnings: v.warnings,
        source: v.source,
        stale: v.stale,
        legal_name: v.legal_name,
    }
}

/// A negotiation as its table holds it.
#[derive(Queryable, Selectable)]
#[diesel(table_name = negotiations)]
struct NegotiationRow {
    call_id: String,
    load_id: String,
    status: String,
    posted_cents: i64,
    last_counter_cents: Option<i64>,
    agreed_rate_cents: Option<i64>,
    final_offer_cents: Option<i64>,
    rounds: i32,
    created_at: i64,
    updated_at: i64,
}

impl NegotiationRow {
    /// A status this build does not write reads as still open.
    fn status(&self) -> NegotiationStatus {
        NegotiationStatus::parse(&self.status).unwrap_or(NegotiationStatus::Open)
    }

    fn facts(&self, call_over: bool) -> NegotiationFacts {
        NegotiationFacts {
            status: self.status(),
            rounds: self.rounds,
            posted: Money(self.posted_cents),
            agreed: self.agreed_rate_cents.map(Money),
            call_over,
        }
    }
}

/// Every negotiation of the carrier, latest first.
fn negotiations_of(conn: &mut DbConnection, mc: &str) -> QueryResult<Vec<NegotiationRow>> {
    negotiations::table
        .filter(negotiations::mc_number.eq(mc))
        .order((negotiations::created_at.desc(), negotiations::call_id.desc(), negotiations::load_id.desc()))
        .select(NegotiationRow::as_select())
        .load(conn)
}

/// Of these calls, those finalized or ended.
fn calls_over(conn: &mut DbConnection, call_ids: &[&str]) -> QueryResult<HashSet<String>> {
    let mut over = HashSet::new();
    // 500 at a time: one `IN` list per chunk.
    for chunk in call_ids.chunks(500) {
        let done: Vec<String> = calls::table
            .filter(calls::call_id.eq_any(chunk))
            .filter(calls::outcome.is_not_null().or(calls::ended_at.is_not_null()))
            .select(calls::call_id)
            .load(conn)?;
        over.extend(done);
    }
    Ok(over)
}

/// The listed negotiations with their lanes and the carrier's first and last asks.
fn negotiation_views(
    conn: &mut DbConnection,
    listed: &[NegotiationRow],
    facts: &[NegotiationFacts],
) -> QueryResult<Vec<CarrierNegotiation>> {
    let call_ids: Vec<&str> = listed.iter().map(|n| n.call_id.as_str()).collect::<HashSet<_>>().into_iter().collect();
    let offers: Vec<(String, String, i64)> = negotiation_rounds::table
        .filter(negotiation_rounds::call_id.eq_any(&call_ids))
        .order(negotiation_rounds::round.asc())
        .select((negotiation_rounds::call_id, negotiation_rounds::load_id, negotiation_rounds::offer_cents))
        .load(conn)?;
    let mut asks: HashMap<(&str, &str), (i64, i64)> = HashMap::new();
    for (call, load, offer) in &offers {
        asks.entry((call, load)).and_modify(|a| a.1 = *offer).or_insert((*offer, *offer));
    }
    let load_ids: Vec<&str> = listed.iter().map(|n| n.load_id.as_str()).collect();
    let lanes: HashMap<String, (String, String, String)> = loads::table
        .filter(loads::load_id.eq_any(&load_ids))
        .select((loads::load_id, loads::origin, loads::destination, loads::equipment_type))
        .load::<(String, String, String, String)>(conn)?
        .into_iter()
        .map(|(id, o, d, e)| (id, (o, d, e)))
        .collect();
    Ok(listed
        .iter()
        .zip(facts)
        .map(|(n, f)| {
            let ask = asks.get(&(n.call_id.as_str(), n.load_id.as_str()));
            let lane = lanes.get(&n.load_id);
            CarrierNegotiation {
                call_id: n.call_id.clone(),
                load_id: n.load_id.clone(),
                lane: lane.map(|(o, d, _)| format!("{o} → {d}")),
                equipment_type: lane.map(|(_, _, e)| e.clone()),
                started_at: rfc3339(n.created_at),
                loadboard_rate: Money(n.posted_cents),
                rounds: n.rounds,
                status: f.status,
                first_ask: ask.map(|a| Money(a.0)),
                last_ask: ask.map(|a| Money(a.1)),
                last_counter: n.last_counter_cents.map(Money),
                agreed_rate: n.agreed_rate_cents.map(Money),
                final_offer: n.final_offer_cents.map(Money),
                premium_pct: f.premium_pct().map(round1),
                walked_away: f.walked_away(),
            }
        })
        .collect())
}

/// booking id, load id, call id, rate, posted, status, time.
type BookingRow = (String, String, String, i64, i64, String, i64);

/// The latest bookings, when the carrier booked first and last, and how many still stand.
fn bookings_of(conn: &mut DbConnection, mc: &str) -> QueryResult<(Vec<CarrierBooking>, Span, i64)> {
    let rows: Vec<BookingRow> = bookings::table
        .filter(bookings::mc_number.eq(mc))
        .order((bookings::created_at.desc(), bookings::booking_id.desc()))
        .select((
            bookings::booking_id,
            bookings::load_id,
            bookings::call_id,
            bookings::rate_cents,
            bookings::posted_cents,
            bookings::status,
            bookings::created_at,
        ))
        .limit(LIST_CAP)
        .load(conn)?;
    let span = bookings::table
        .filter(bookings::mc_number.eq(mc))
        .select((count_star(), min(bookings::created_at), max(bookings::created_at)))
        .first(conn)?;
    let active: i64 = bookings::table
        .filter(bookings::mc_number.eq(mc))
        .filter(bookings::status.eq(BookingStatus::Active.as_str()))
        .count()
        .get_result(conn)?;
    let views = rows
        .into_iter()
        .map(|(booking_id, load_id, call_id, rate, posted, status, at)| CarrierBooking {
            booking_id,
            load_id,
            call_id,
            agreed_rate: Money(rate),
            loadboard_rate: Money(posted),
            premium_pct: Money(rate).premium_over(Money(posted)).map(round1),
            // Anything but a release leaves the booking in force.
            status: BookingStatus::parse(&status).unwrap_or(BookingStatus::Active),
            booked_at: rfc3339(at),
        })
        .collect();
    Ok((views, Span::new(span), active))
}

/// The latest name known: FMCSA's legal name from a verification, or the name on a call,
/// whichever was recorded last.
fn carrier_name(conn: &mut DbConnection, mc: &str) -> QueryResult<Option<String>> {
    let verified: Option<(Option<String>, i64)> = verifications::table
        .filter(verifications::mc_number.eq(mc))
        .filter(verifications::legal_name.is_not_null())
        .order((verifications::created_at.desc(), verifications::id.desc()))
        .select((verifications::legal_name, verifications::created_at))
        .first(conn)
        .optional()?;
    let called: Option<(Option<String>, i64)> = calls::table
        .filter(calls::mc_number.eq(mc))
        .filter(calls::carrier_name.is_not_null())
        .order((calls::occurred_at.desc(), calls::call_id.desc()))
        .select((calls::carrier_name, calls::occurred_at))
        .first(conn)
        .optional()?;
    Ok(match (verified, called) {
        (Some((name, v_at)), Some((_, c_at))) if v_at >= c_at => name.map(|n| crate::carriers::title_case(&n)),
        (_, Some((name, _))) => name,
        (Some((name, _)), None) => name.map(|n| crate::carriers::title_case(&n)),
        (None, None) => None,
    })
}
