//! The demo's own writes: moving each simulated call back to its day across every table
//! that records it, and withdrawing the demo loads nobody took. Only `demo-data` uses it.

use crate::db::schema::{bookings, calls, events, loads, negotiation_rounds, negotiations, searches, verifications};
use crate::db::{write_tx, DbConnection};
use crate::vocab::LoadStatus;
use diesel::prelude::*;

/// Moves every row of one call by `offset_ms`, one UPDATE per table, in one transaction.
pub fn shift_call(conn: &mut DbConnection, call_id: &str, offset_ms: i64) -> QueryResult<()> {
    let off = offset_ms;
    write_tx(conn, |c| -> QueryResult<()> {
        diesel::update(calls::table.filter(calls::call_id.eq(call_id)))
            .set((
                calls::first_seen_at.eq(calls::first_seen_at + off),
                calls::occurred_at.eq(calls::occurred_at + off),
                calls::started_at.eq(calls::started_at + off),
                calls::ended_at.eq(calls::ended_at + off),
                calls::finalized_at.eq(calls::finalized_at + off),
                calls::updated_at.eq(calls::updated_at + off),
            ))
            .execute(c)?;
        diesel::update(verifications::table.filter(verifications::call_id.eq(call_id)))
            .set(verifications::created_at.eq(verifications::created_at + off))
            .execute(c)?;
        diesel::update(searches::table.filter(searches::call_id.eq(call_id)))
            .set(searches::created_at.eq(searches::created_at + off))
            .execute(c)?;
        diesel::update(negotiations::table.filter(negotiations::call_id.eq(call_id)))
            .set((
                negotiations::created_at.eq(negotiations::created_at + off),
                negotiations::updated_at.eq(negotiations::updated_at + off),
            ))
            .execute(c)?;
        diesel::update(negotiation_rounds::table.filter(negotiation_rounds::call_id.eq(call_id)))
            .set(negotiation_rounds::created_at.eq(negotiation_rounds::created_at + off))
            .execute(c)?;
        diesel::update(bookings::table.filter(bookings::call_id.eq(call_id)))
            .set(bookings::created_at.eq(bookings::created_at + off))
            .execute(c)?;
        diesel::update(events::table.filter(events::call_id.eq(call_id)))
            .set(events::created_at.eq(events::created_at + off))
            .execute(c)?;
        // The load it booked moves with it (pickup and delivery by whole days, keeping
        // their local times), so the board shows a past pickup.
        let days = (off as f64 / 86_400_000.0).round() as i64 * 86_400_000;
        diesel::update(loads::table.filter(loads::booked_call_id.eq(call_id)))
            .set((
                loads::pickup_at.eq(loads::pickup_at + days),
                loads::delivery_at.eq(loads::delivery_at + days),
                loads::created_at.eq(loads::created_at + off),
                loads::updated_at.eq(loads::updated_at + off),
            ))
            .execute(c)?;
        Ok(())
    })
}

/// Removes this run's unbooked demo loads that no negotiation refers to, and marks the
/// rest of its unbooked ones cancelled. Returns (removed, cancelled).
pub fn withdraw_unused(conn: &mut DbConnection, prefix: &str, now_ms: i64) -> QueryResult<(usize, usize)> {
    let like = format!("{prefix}%");
    write_tx(conn, |c| -> QueryResult<(usize, usize)> {
        let negotiated: Vec<String> = negotiations::table
            .filter(negotiations::load_id.like(&like))
            .select(negotiations::load_id)
            .distinct()
            .load(c)?;
        let removed = diesel::delete(
            loads::table
                .filter(loads::load_id.like(&like))
                .filter(loads::status.eq(LoadStatus::Available.as_str()))
                .filter(diesel::dsl::not(loads::load_id.eq_any(&negotiated))),
        )
        .execute(c)?;
        let cancelled = diesel::update(
            loads::table.filter(loads::load_id.like(&like)).filter(loads::status.eq(LoadStatus::Available.as_str())),
        )
        .set((loads::status.eq(LoadStatus::Cancelled.as_str()), loads::updated_at.eq(now_ms)))
        .execute(c)?;
        Ok((removed, cancelled))
    })
}
