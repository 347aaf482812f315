//! What pricing memory reads (SPEC §14): a carrier's earlier negotiations within the
//! window, and the rates a lane agreed. Two statements for a carrier (its negotiations,
//! then their rounds), one for a lane; both run inside the evaluation's transaction, and
//! only when a counter is to be made (or, for the lane, when a negotiation opens).

use crate::db::schema::{calls, loads, negotiation_rounds as rounds, negotiations};
use crate::db::DbConnection;
use crate::loads::LoadRow;
use crate::negotiation::memory::{PastNegotiation, MAX_NEGOTIATIONS};
use crate::types::Money;
use crate::vocab::negotiation::NegotiationStatus;
use diesel::prelude::*;

/// The carrier's negotiations on calls other than `except_call`, opened since `since_ms`,
/// latest first, at most [`MAX_NEGOTIATIONS`]. A negotiation belongs to the carrier when
/// it was made under its MC, or made without one on a call that later learned it.
pub fn carrier_history(
    conn: &mut DbConnection,
    mc: &str,
    except_call: &str,
    since_ms: i64,
) -> QueryResult<Vec<PastNegotiation>> {
    let calls_of_mc = calls::table.filter(calls::mc_number.eq(mc)).select(calls::call_id);
    type Head = (String, String, i64, Option<i64>, Option<i64>, i64);
    let heads: Vec<Head> = negotiations::table
        .filter(
            negotiations::mc_number
                .eq(mc)
                .or(negotiations::mc_number.is_null().and(negotiations::call_id.eq_any(calls_of_mc))),
        )
        .filter(negotiations::call_id.ne(except_call))
        .filter(negotiations::created_at.ge(since_ms))
        .order((negotiations::created_at.desc(), negotiations::load_id.asc()))
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
    let call_ids: Vec<&str> = heads.iter().map(|h| h.0.as_str()).collect();
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

/// The rates agreed on the load's lane (origin state, destination state, equipment)
/// since `since_ms`, each with the miles of its load.
pub fn lane_deals(conn: &mut DbConnection, load: &LoadRow, since_ms: i64) -> QueryResult<Vec<(Money, i64)>> {
    let rows: Vec<(Option<i64>, Option<i64>)> = negotiations::table
        .inner_join(loads::table.on(loads::load_id.eq(negotiations::load_id)))
        .filter(loads::origin_state.eq(&load.origin_state))
        .filter(loads::destination_state.eq(&load.destination_state))
        .filter(loads::equipment.eq(&load.equipment))
        .filter(negotiations::status.eq(NegotiationStatus::Agreed.as_str()))
        .filter(negotiations::created_at.ge(since_ms))
        .select((negotiations::agreed_rate_cents, loads::miles))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(rate, miles)| Some((Money(rate?), miles?))).collect())
}
