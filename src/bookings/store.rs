//! The bookings room's rows and transactions: the handoff (the load moves
//! `available → booked` in one conditional update, so exactly one call wins it on both
//! backends and across instances; the rep comes from a rotation counter kept in the
//! database) and the cancel (the booking keeps its history, the load goes back on the
//! board). Each transaction is a list of named steps.

use super::handoff::{check_rate, summary, Handoff};
use super::views::{Booking, HandoffAnswer};
use super::Rep;
use crate::db::schema::{bookings, calls, loads, negotiations, rep_rotation};
use crate::db::{to_ms, write_tx, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::loads::model::LoadRow;
use crate::negotiation::NegotiationRow;
use crate::vocab::booking::BookingStatus;
use crate::vocab::LoadStatus;
use chrono::Utc;
use diesel::prelude::*;
use serde_json::json;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = bookings)]
pub struct BookingRow {
    pub booking_id: String,
    pub load_id: String,
    pub call_id: String,
    pub mc_number: String,
    pub carrier_name: Option<String>,
    pub rate_cents: i64,
    pub posted_cents: i64,
    pub rep_name: String,
    pub rep_contact: String,
    pub verification_pending: bool,
    pub status: String,
    pub summary: String,
    pub created_at: i64,
    pub cancelled_at: Option<i64>,
    pub cancel_reason: Option<String>,
    pub cancelled_by: Option<String>,
}

impl BookingRow {
    /// The stored status; text this service never writes reads as released.
    pub fn status(&self) -> BookingStatus {
        BookingStatus::parse(&self.status).unwrap_or(BookingStatus::Cancelled)
    }

    pub fn rep(&self) -> Rep {
        Rep { name: self.rep_name.clone(), contact: self.rep_contact.clone() }
    }
}

/// The load's active booking, if any (a load has at most one).
fn active_booking(conn: &mut DbConnection, load_id: &str) -> QueryResult<Option<BookingRow>> {
    bookings::table
        .filter(bookings::load_id.eq(load_id))
        .filter(bookings::status.eq(BookingStatus::Active.as_str()))
        .select(BookingRow::as_select())
        .first(conn)
        .optional()
}

/// The active booking this call made for this load, if any.
pub fn booking_of(conn: &mut DbConnection, call_id: &str, load_id: &str) -> AppResult<Option<BookingRow>> {
    Ok(active_booking(conn, load_id)?.filter(|b| b.call_id == call_id))
}

fn already_booked(load_id: &str) -> AppError {
    AppError::conflict(
        ErrorCode::LoadAlreadyBooked,
        format!("Load {load_id} was just booked by another carrier. Let me see what else I have."),
    )
    .with_field("load_id")
}

/// Books the load for the call, retrying once when a concurrent booking of the same
/// load hit the unique index first (the retry then sees that booking).
pub fn book(conn: &mut DbConnection, req: &Handoff, reps: &[Rep]) -> AppResult<HandoffAnswer> {
    let mut attempt = 0;
    loop {
        let now_ms = to_ms(Utc::now());
        match write_tx(conn, |c| handoff_tx(c, req, reps, now_ms)) {
            Err(AppError::Internal(e)) if attempt == 0 && is_unique_violation(&e) => attempt += 1,
            other => return other,
        }
    }
}

fn is_unique_violation(e: &anyhow::Error) -> bool {
    matches!(
        e.downcast_ref::<diesel::result::Error>(),
        Some(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _))
    )
}

/// The handoff in one transaction: a retried handoff answers its booking again; else the
/// load must be available, the rate agreed, and the load is taken, a rep picked, the
/// booking stored, the call marked transferred and the event recorded.
pub fn handoff_tx(conn: &mut DbConnection, req: &Handoff, reps: &[Rep], now_ms: i64) -> AppResult<HandoffAnswer> {
    if let Some(b) = active_booking(conn, &req.load_id)? {
        if b.call_id == req.call_id {
            // A retried handoff from the same call: the same booking.
            return Ok(HandoffAnswer::from(&b));
        }
        return Err(already_booked(&req.load_id));
    }
    let load = bookable_load(conn, &req.load_id)?;
    let negotiation: Option<NegotiationRow> = negotiations::table
        .find((&req.call_id, &req.load_id))
        .select(NegotiationRow::as_select())
        .first(conn)
        .optional()?;
    check_rate(negotiation.as_ref(), &load, req.agreed_rate)?;
    take_load(conn, req, now_ms)?;
    let rep = next_rep(conn, reps)?;
    let rounds = negotiation.as_ref().map(|n| n.rounds);
    let booking = new_booking(req, &load, rep, summary(req, &load, rounds, crate::db::from_ms(now_ms)), now_ms);
    insert_booking(conn, &booking)?;
    mark_call_transferred(conn, req, now_ms)?;
    crate::events::append(
        conn,
        "booking.created",
        Some(&req.call_id),
        json!({
            "booking_id": booking.booking_id, "load_id": booking.load_id, "mc_number": booking.mc_number,
            "agreed_rate": req.agreed_rate, "loadboard_rate": load.rate(), "rep": booking.rep_name,
            "verification_pending": booking.verification_pending,
        }),
        now_ms,
    )?;
    crate::webhooks::publish(conn, crate::webhooks::EventType::BookingCreated, now_ms, |_| {
        Ok(Booking::from(&booking))
    })?;
    crate::telemetry::telemetry().bookings.with_label_values(&["created"]).inc();
    Ok(HandoffAnswer::from(&booking))
}

/// The load, if it exists and is still on the board.
fn bookable_load(conn: &mut DbConnection, load_id: &str) -> AppResult<LoadRow> {
    let load: LoadRow =
        loads::table.find(load_id).select(LoadRow::as_select()).first(conn).optional()?.ok_or_else(|| {
            AppError::not_found(ErrorCode::LoadNotFound, format!("No load with id {load_id}.")).with_field("load_id")
        })?;
    match load.status() {
        LoadStatus::Available => Ok(load),
        LoadStatus::Booked => Err(already_booked(load_id)),
        LoadStatus::Cancelled => {
            Err(AppError::conflict(ErrorCode::LoadNotAvailable, format!("Load {load_id} is no longer available."))
                .with_field("load_id"))
        }
    }
}

/// The exactly-once step: only one conditional update can move the load.
fn take_load(conn: &mut DbConnection, req: &Handoff, now_ms: i64) -> AppResult<()> {
    let moved =
        diesel::update(loads::table.find(&req.load_id).filter(loads::status.eq(LoadStatus::Available.as_str())))
            .set((
                loads::status.eq(LoadStatus::Booked.as_str()),
                loads::booked_call_id.eq(&req.call_id),
                loads::updated_at.eq(now_ms),
            ))
            .execute(conn)?;
    if moved != 1 {
        return Err(already_booked(&req.load_id));
    }
    Ok(())
}

/// The next rep in the rotation; the counter lives in the database so the rotation is
/// fair across restarts and instances.
fn next_rep(conn: &mut DbConnection, reps: &[Rep]) -> QueryResult<Rep> {
    diesel::update(rep_rotation::table.find(1))
        .set(rep_rotation::next_index.eq(rep_rotation::next_index + 1))
        .execute(conn)?;
    let n: i64 = rep_rotation::table.find(1).select(rep_rotation::next_index).first(conn)?;
    Ok(reps[((n - 1).rem_euclid(reps.len() as i64)) as usize].clone())
}

fn new_booking(req: &Handoff, load: &LoadRow, rep: Rep, summary: String, now_ms: i64) -> BookingRow {
    BookingRow {
        booking_id: format!("BK-{}", crate::http::auth::random_hex(5).to_uppercase()),
        load_id: req.load_id.clone(),
        call_id: req.call_id.clone(),
        mc_number: req.mc_number.clone(),
        carrier_name: req.carrier_name.clone(),
        rate_cents: req.agreed_rate.0,
        posted_cents: load.loadboard_rate_cents,
        rep_name: rep.name,
        rep_contact: rep.contact,
        verification_pending: req.verification_pending,
        status: BookingStatus::Active.as_str().into(),
        summary,
        created_at: now_ms,
        cancelled_at: None,
        cancel_reason: None,
        cancelled_by: None,
    }
}

fn insert_booking(conn: &mut DbConnection, b: &BookingRow) -> QueryResult<usize> {
    diesel::insert_into(bookings::table)
        .values((
            bookings::booking_id.eq(&b.booking_id),
            bookings::load_id.eq(&b.load_id),
            bookings::call_id.eq(&b.call_id),
            bookings::mc_number.eq(&b.mc_number),
            bookings::carrier_name.eq(&b.carrier_name),
            bookings::rate_cents.eq(b.rate_cents),
            bookings::posted_cents.eq(b.posted_cents),
            bookings::rep_name.eq(&b.rep_name),
            bookings::rep_contact.eq(&b.rep_contact),
            bookings::verification_pending.eq(b.verification_pending),
            bookings::status.eq(&b.status),
            bookings::summary.eq(&b.summary),
            bookings::created_at.eq(b.created_at),
        ))
        .execute(conn)
}

/// The call now names the load, the agreed rate and the transfer.
fn mark_call_transferred(conn: &mut DbConnection, req: &Handoff, now_ms: i64) -> QueryResult<usize> {
    crate::calls::record::touch(conn, &req.call_id, Some(&req.mc_number), req.carrier_name.as_deref(), now_ms)?;
    diesel::update(calls::table.find(&req.call_id))
        .set((
            calls::load_id.eq(&req.load_id),
            calls::agreed_rate_cents.eq(Some(req.agreed_rate.0)),
            calls::transferred.eq(Some(true)),
            calls::updated_at.eq(now_ms),
        ))
        .execute(conn)
}

/// Who cancels a booking and why.
pub struct Release {
    pub booking_id: String,
    pub reason: String,
    pub by: String,
}

/// Releases a booking in one transaction: the booking is marked cancelled (a retried
/// cancel answers it as it is), the load goes back on the board if this booking still
/// holds it, and the event is recorded.
pub fn cancel(conn: &mut DbConnection, release: &Release) -> AppResult<Booking> {
    write_tx(conn, |c| -> AppResult<Booking> {
        let now_ms = to_ms(Utc::now());
        let id = &release.booking_id;
        let b: BookingRow =
            bookings::table.find(id).select(BookingRow::as_select()).first(c).optional()?.ok_or_else(|| {
                AppError::not_found(ErrorCode::BookingNotFound, format!("No booking with id {id}."))
                    .with_field("booking_id")
            })?;
        if b.status() == BookingStatus::Cancelled {
            // A retried cancel: the booking is already released.
            return Ok(Booking::from(&b));
        }
        mark_cancelled(c, release, now_ms)?;
        release_load(c, &b, now_ms)?;
        crate::events::append(
            c,
            "booking.cancelled",
            Some(&b.call_id),
            json!({"booking_id": b.booking_id, "load_id": b.load_id, "reason": release.reason, "by": release.by}),
            now_ms,
        )?;
        let updated: BookingRow = bookings::table.find(id).select(BookingRow::as_select()).first(c)?;
        let released = Booking::from(&updated);
        crate::webhooks::publish(c, crate::webhooks::EventType::BookingReleased, now_ms, |_| Ok(&released))?;
        crate::telemetry::telemetry().bookings.with_label_values(&["cancelled"]).inc();
        Ok(released)
    })
}

fn mark_cancelled(conn: &mut DbConnection, release: &Release, now_ms: i64) -> QueryResult<usize> {
    diesel::update(bookings::table.find(&release.booking_id))
        .set((
            bookings::status.eq(BookingStatus::Cancelled.as_str()),
            bookings::cancelled_at.eq(Some(now_ms)),
            bookings::cancel_reason.eq(Some(&release.reason)),
            bookings::cancelled_by.eq(Some(&release.by)),
        ))
        .execute(conn)
}

/// The load goes back on the board, unless it is no longer this booking's.
fn release_load(conn: &mut DbConnection, b: &BookingRow, now_ms: i64) -> QueryResult<usize> {
    diesel::update(
        loads::table
            .find(&b.load_id)
            .filter(loads::status.eq(LoadStatus::Booked.as_str()))
            .filter(loads::booked_call_id.eq(&b.call_id)),
    )
    .set((
        loads::status.eq(LoadStatus::Available.as_str()),
        loads::booked_call_id.eq(None::<String>),
        loads::updated_at.eq(now_ms),
    ))
    .execute(conn)
}
