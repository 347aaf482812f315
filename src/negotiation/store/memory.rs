//! What pricing memory reads (SPEC §14): a carrier's earlier negotiations within the
//! window, and the rates a lane agreed. Two statements for a carrier (its negotiations,
//! then their rounds), one for a lane; both run inside the evaluation's transaction, and
//! only when a counter is to be made (or, for the lane, when a negotiation opens).

use crate::db::schema::{loads, negotiation_rounds as rounds, negotiations};
use crate::db::DbConnection;
use crate::loads::LoadRow;
use crate::negotiation::memory::{LaneRate, PastNegotiation, MAX_NEGOTIATIONS};
use crate::types::Money;
use crate::vocab::negotiation::NegotiationStatus;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Nullable};

/// The carrier's negotiations on calls other than `except_call`, opened since `since_ms`,
/// latest first, at most [`MAX_NEGOTIATIONS`]. A negotiation carries the MC known when it
/// was made (the tool's, else the call's verification), so one walk of the
/// `(mc_number, created_at)` index finds them, however long the carrier's history.
pub fn carrier_history(
    conn: &mut DbConnection,
    mc: &str,
    except_call: &str,
    since_ms: i64,
) -> QueryResult<Vec<PastNegotiation>> {
    type Head = (String, String, i64, Option<i64>, Option<i64>, i64);
    let heads: Vec<Head> = negotiations::table
        .filter(negotiations::mc_number.eq(mc))
        .filter(negotiations::call_id.ne(except_call))
        .filter(negotiations::created_at.ge(since_ms))
        .order((negotiations::created_at.desc(), negotiations::call_id.desc(), negotiations::load_id.desc()))
        .limit(MAX_NEGOTIATIONS as i64)
        .select((
            negotiations::call_id,
            negotiations::load_id,
            negotiations::posted_cents,
            negotiations::agreed_rate_cents,
            negotiations::final_offer_cents,
            negotiations::created_at,
        ))
        .load(conn)?;
    if heads.is_empty() {
        return Ok(Vec::new());
    }
    let mut call_ids: Vec<&str> = heads.iter().map(|h| h.0.as_str()).collect();
    call_ids.sort_unstable();
    call_ids.dedup();
    let played: Vec<(String, String, i64, Option<i64>)> = rounds::table
        .filter(rounds::call_id.eq_any(&call_ids))
        .order((rounds::call_id, rounds::load_id, rounds::round))
        .select((rounds::call_id, rounds::load_id, rounds::offer_cents, rounds::counter_cents))
        .load(conn)?;
    Ok(heads
        .into_iter()
        .map(|(call_id, load_id, posted, agreed, final_offer, at_ms)| {
            let mine = played.iter().filter(|r| r.0 == call_id && r.1 == load_id);
            let (offers, counters): (Vec<Money>, Vec<Option<Money>>) =
                mine.map(|r| (Money(r.2), r.3.map(Money))).unzip();
            PastNegotiation {
                load_id,
                posted: Money(posted),
                offers,
                counters: counters.into_iter().flatten().collect(),
                final_offer: final_offer.map(Money),
                agreed: agreed.map(Money),
                at_ms,
            }
        })
        .collect())
}

/// What the load's lane (origin state, destination state, equipment) agreed since
/// `since_ms`: how many agreements on loads with miles, and the most per mile; one
/// aggregate statement.
pub fn lane_rate(conn: &mut DbConnection, load: &LoadRow, since_ms: i64) -> QueryResult<Option<LaneRate>> {
    let (agreements, max_per_mile): (i64, Option<f64>) = negotiations::table
        .inner_join(loads::table.on(loads::load_id.eq(negotiations::load_id)))
        .filter(loads::origin_state.eq(&load.origin_state))
        .filter(loads::destination_state.eq(&load.destination_state))
        .filter(loads::equipment.eq(&load.equipment))
        .filter(loads::miles.gt(0))
        .filter(negotiations::status.eq(NegotiationStatus::Agreed.as_str()))
        .filter(negotiations::agreed_rate_cents.is_not_null())
        .filter(negotiations::created_at.ge(since_ms))
        .select(sql::<(BigInt, Nullable<Double>)>(
            "COUNT(*), MAX(CAST(negotiations.agreed_rate_cents AS DOUBLE PRECISION) / loads.miles)",
        ))
        .first(conn)?;
    Ok(max_per_mile.map(|m| LaneRate { agreements: agreements as usize, max_cents_per_mile: m }))
}
