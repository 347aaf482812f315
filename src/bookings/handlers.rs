//! `POST /calls/handoff`.

use super::Rep;
use crate::carriers::{CarrierQuery, Status, VerificationRecord};
use crate::db::schema::{bookings, calls, loads, negotiations, rep_rotation};
use crate::db::{to_ms, write_tx, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::http::body::JsonBody;
use crate::loads::model::{LoadRow, LoadStatus};
use crate::negotiation::NegotiationRow;
use crate::parse::Fields;
use crate::state::AppState;
use crate::types::Money;
use actix_web::{web, HttpResponse};
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

pub struct HandoffRequest {
    pub call_id: String,
    pub load_id: String,
    pub mc_number: String,
    pub agreed_rate: Money,
    pub carrier_name: Option<String>,
    pub verification_pending: bool,
    /// How the carrier was verified, in words, for the rep.
    pub verification_note: String,
}

/// A booking as the dashboard shows it.
pub fn booking_view(b: &BookingRow) -> serde_json::Value {
    let rep = Rep { name: b.rep_name.clone(), contact: b.rep_contact.clone() };
    json!({
        "booking_id": b.booking_id,
        "load_id": b.load_id,
        "call_id": b.call_id,
        "mc_number": b.mc_number,
        "carrier_name": b.carrier_name,
        "agreed_rate": Money(b.rate_cents),
        "loadboard_rate": Money(b.posted_cents),
        "rep": rep.to_json(),
        "status": b.status,
        "verification_pending": b.verification_pending,
        "summary": b.summary,
        "created_at": crate::time::rfc3339(b.created_at),
        "cancelled_at": b.cancelled_at.map(crate::time::rfc3339),
        "cancel_reason": b.cancel_reason,
        "cancelled_by": b.cancelled_by,
    })
}

fn answer(b: &BookingRow) -> serde_json::Value {
    let rep = Rep { name: b.rep_name.clone(), contact: b.rep_contact.clone() };
    json!({
        "transferred": true,
        "booking_id": b.booking_id,
        "load_id": b.load_id,
        "call_id": b.call_id,
        "mc_number": b.mc_number,
        "agreed_rate": Money(b.rate_cents),
        "rep": rep.to_json(),
        "transfer_to": rep.transfer_to(),
        "verification_pending": b.verification_pending,
        "summary": b.summary,
        "message": format!(
            "Perfect. I'm transferring you to {} now to get the rate confirmation out. Please hold for just a moment.",
            b.rep_name
        ),
    })
}

/// Checks the rate against what the negotiation allows for this call and load.
fn check_rate(n: Option<&NegotiationRow>, load: &LoadRow, rate: Money) -> AppResult<()> {
    let refuse = |allowed: String| {
        Err(AppError::conflict(
            ErrorCode::RateNotAgreed,
            format!("The rate {} is not what was agreed: {allowed}.", rate.spoken()),
        )
        .with_field("agreed_rate"))
    };
    match n {
        None if rate <= load.rate() => Ok(()),
        None => refuse(format!("without a negotiation the most is the posted {}", load.rate().spoken())),
        Some(n) => match (n.status.as_str(), n.agreed_rate_cents, n.final_offer_cents) {
            ("agreed", Some(a), _) if rate.0 == a => Ok(()),
            ("agreed", Some(a), _) => refuse(format!("the negotiation agreed {}", Money(a).spoken())),
            // Round 3 ended on our final offer; the carrier may take it.
            ("rejected", _, Some(f)) if rate.0 <= f => Ok(()),
            ("rejected", _, Some(f)) => refuse(format!("our final offer was {}", Money(f).spoken())),
            // Still open: the carrier may take our last counter without another round.
            _ => {
                let standing = Money(n.last_counter_cents.unwrap_or(n.posted_cents));
                if rate <= standing {
                    Ok(())
                } else {
                    refuse(format!("our last number was {}", standing.spoken()))
                }
            }
        },
    }
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

fn summary(req: &HandoffRequest, load: &LoadRow, rounds: Option<i32>, now: chrono::DateTime<Utc>) -> String {
    let carrier = match &req.carrier_name {
        Some(name) => format!("{name} (MC {})", req.mc_number),
        None => format!("MC {}", req.mc_number),
    };
    let posted = load.rate();
    let diff = req.agreed_rate.0 - posted.0;
    let vs_posted = if diff > 0 {
        format!(
            "{} above the posted {} ({:.1}%)",
            Money(diff).spoken(),
            posted.spoken(),
            diff as f64 * 100.0 / posted.0 as f64
        )
    } else if diff < 0 {
        format!("{} below the posted {}", Money(-diff).spoken(), posted.spoken())
    } else {
        format!("the posted rate of {}", posted.spoken())
    };
    let negotiated = match rounds {
        Some(r) if r > 0 => format!(" after {} of negotiation", crate::speech::plural(r as usize, "round", "rounds")),
        _ => String::new(),
    };
    let miles = load.miles.map(|m| format!(", {m} miles")).unwrap_or_default();
    let pickup = crate::speech::when_phrase(load.pickup(), load.origin_zone(), now);
    let local = load.origin_zone().to_local(load.pickup()).format("%a %b %-d, %-I:%M %p");
    format!(
        "{carrier} agreed to haul load {} ({}, {} to {}{miles}), picking up {pickup} ({local} local), at {}: {vs_posted}{negotiated}. {} Call {}.",
        load.load_id,
        load.equipment_type,
        load.origin,
        load.destination,
        req.agreed_rate.spoken(),
        req.verification_note,
        req.call_id,
    )
}

pub fn handoff_tx(
    conn: &mut DbConnection,
    req: &HandoffRequest,
    reps: &[Rep],
    now_ms: i64,
) -> AppResult<serde_json::Value> {
    if let Some(b) = active_booking(conn, &req.load_id)? {
        if b.call_id == req.call_id {
            // A retried handoff from the same call: the same booking.
            return Ok(answer(&b));
        }
        return Err(already_booked(&req.load_id));
    }
    let load: LoadRow =
        loads::table.find(&req.load_id).select(LoadRow::as_select()).first(conn).optional()?.ok_or_else(|| {
            AppError::not_found(ErrorCode::LoadNotFound, format!("No load with id {}.", req.load_id))
                .with_field("load_id")
        })?;
    match load.status() {
        LoadStatus::Available => {}
        LoadStatus::Booked => return Err(already_booked(&req.load_id)),
        LoadStatus::Cancelled => {
            return Err(AppError::conflict(
                ErrorCode::LoadNotAvailable,
                format!("Load {} is no longer available.", req.load_id),
            )
            .with_field("load_id"))
        }
    }
    let negotiation: Option<NegotiationRow> = negotiations::table
        .find((&req.call_id, &req.load_id))
        .select(NegotiationRow::as_select())
        .first(conn)
        .optional()?;
    check_rate(negotiation.as_ref(), &load, req.agreed_rate)?;

    // The exactly-once step: only one conditional update can move the load.
    let moved = diesel::update(loads::table.find(&req.load_id).filter(loads::status.eq("available")))
        .set((loads::status.eq("booked"), loads::booked_call_id.eq(&req.call_id), loads::updated_at.eq(now_ms)))
        .execute(conn)?;
    if moved != 1 {
        return Err(already_booked(&req.load_id));
    }
    let rep = next_rep(conn, reps)?;
    let now = crate::db::from_ms(now_ms);
    let booking = BookingRow {
        booking_id: format!("BK-{}", crate::http::auth::random_hex(5).to_uppercase()),
        load_id: req.load_id.clone(),
        call_id: req.call_id.clone(),
        mc_number: req.mc_number.clone(),
        carrier_name: req.carrier_name.clone(),
        rate_cents: req.agreed_rate.0,
        posted_cents: load.loadboard_rate_cents,
        rep_name: rep.name.clone(),
        rep_contact: rep.contact.clone(),
        verification_pending: req.verification_pending,
        status: "active".into(),
        summary: summary(req, &load, negotiation.as_ref().map(|n| n.rounds), now),
        created_at: now_ms,
        cancelled_at: None,
        cancel_reason: None,
        cancelled_by: None,
    };
    diesel::insert_into(bookings::table)
        .values((
            bookings::booking_id.eq(&booking.booking_id),
            bookings::load_id.eq(&booking.load_id),
            bookings::call_id.eq(&booking.call_id),
            bookings::mc_number.eq(&booking.mc_number),
            bookings::carrier_name.eq(&booking.carrier_name),
            bookings::rate_cents.eq(booking.rate_cents),
            bookings::posted_cents.eq(booking.posted_cents),
            bookings::rep_name.eq(&booking.rep_name),
            bookings::rep_contact.eq(&booking.rep_contact),
            bookings::verification_pending.eq(booking.verification_pending),
            bookings::status.eq("active"),
            bookings::summary.eq(&booking.summary),
            bookings::created_at.eq(now_ms),
        ))
        .execute(conn)?;
    crate::calls::record::touch(conn, &req.call_id, Some(&req.mc_number), req.carrier_name.as_deref(), now_ms)?;
    diesel::update(calls::table.find(&req.call_id))
        .set((
            calls::load_id.eq(&req.load_id),
            calls::agreed_rate_cents.eq(Some(req.agreed_rate.0)),
            calls::transferred.eq(Some(true)),
            calls::updated_at.eq(now_ms),
        ))
        .execute(conn)?;
    crate::events::append(
        conn,
        "booking.created",
        Some(&req.call_id),
        json!({
            "booking_id": booking.booking_id, "load_id": booking.load_id, "mc_number": booking.mc_number,
            "agreed_rate": req.agreed_rate, "loadboard_rate": load.rate(), "rep": rep.name,
            "verification_pending": booking.verification_pending,
        }),
        now_ms,
    )?;
    crate::telemetry::telemetry().bookings.with_label_values(&["created"]).inc();
    Ok(answer(&booking))
}

fn already_booked(load_id: &str) -> AppError {
    AppError::conflict(
        ErrorCode::LoadAlreadyBooked,
        format!("Load {load_id} was just booked by another carrier. Let me see what else I have."),
    )
    .with_field("load_id")
}

/// The load's active booking, if any (a load has at most one).
fn active_booking(conn: &mut DbConnection, load_id: &str) -> QueryResult<Option<BookingRow>> {
    bookings::table
        .filter(bookings::load_id.eq(load_id))
        .filter(bookings::status.eq("active"))
        .select(BookingRow::as_select())
        .first(conn)
        .optional()
}

/// The active booking this call made for this load, if any.
async fn booking_of(state: &web::Data<AppState>, call_id: &str, load_id: &str) -> AppResult<Option<BookingRow>> {
    let st = state.clone();
    let (call_id, load_id) = (call_id.to_string(), load_id.to_string());
    st.db
        .read(move |conn| -> AppResult<Option<BookingRow>> {
            Ok(active_booking(conn, &load_id)?.filter(|b| b.call_id == call_id))
        })
        .await
}

/// The carrier's standing for a handoff: the latest verification of the MC, or one made
/// on the spot (cache, snapshot or FMCSA within the time budget) when there is none or
/// the latest could not reach FMCSA.
async fn carrier_check(
    state: &web::Data<AppState>,
    fmcsa: &crate::carriers::Fmcsa,
    mc: &crate::types::McNumber,
    call_id: &str,
) -> AppResult<(Status, Option<String>, String, Vec<String>)> {
    let st = state.clone();
    let key = mc.as_str().to_string();
    let latest = st
        .db
        .read(move |conn| -> AppResult<Option<VerificationRecord>> { crate::carriers::latest_verification(conn, &key) })
        .await?;
    // A verdict older than the FMCSA cache lifetime is checked again.
    let fresh_after = Utc::now() - chrono::Duration::hours(state.settings.fmcsa.cache_ttl_hours as i64);
    if let Some(v) = latest.filter(|v| v.status != Status::Unavailable && v.created_at > fresh_after) {
        let when = v.created_at.format("%b %-d %H:%M UTC");
        let note = format!(
            "FMCSA verification: {} ({}, {when}).",
            v.status.as_str().replace('_', " "),
            v.source.replace('_', " ")
        );
        return Ok((v.status, v.legal_name, note, v.reasons));
    }
    let v = crate::carriers::verify(state, fmcsa, CarrierQuery::Mc(mc.clone()), Some(call_id.to_string())).await?;
    let note = match v.status {
        Status::Unavailable => "FMCSA could not be reached: VERIFICATION PENDING, check the carrier's authority and insurance before dispatch.".to_string(),
        s => format!("FMCSA verification: {} ({}, at handoff).", s.as_str().replace('_', " "), v.source.as_str().replace('_', " ")),
    };
    let reasons = v.reasons.iter().map(|r| r.code().to_string()).collect();
    Ok((v.status, v.carrier.and_then(|c| c.legal_name), note, reasons))
}

#[utoipa::path(
    post,
    path = "/api/v1/calls/handoff",
    operation_id = "handoffCall",
    tag = "agent",
    summary = "Book the load and transfer to a rep",
    description = "Scope: agent. Checks the carrier (the latest verification, or one made on the spot) and the rate against the negotiation, books the load exactly once, and picks a sales rep. When FMCSA is unavailable the booking goes ahead flagged `verification_pending`. A retried handoff from the same call for the same load returns the same booking.",
    request_body(content = crate::http::openapi::HandoffRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Booked; transfer the caller to the rep.", body = crate::http::openapi::HandoffAnswer),
        (status = 400, description = "`invalid_json` or `invalid_body`: the body is not a JSON object.", body = crate::http::openapi::ErrorBody),
        (status = 404, description = "`load_not_found` (field `load_id`).", body = crate::http::openapi::ErrorBody),
        (status = 409, description = "`load_already_booked` or `load_not_available` (field `load_id`); `rate_not_agreed` (field `agreed_rate`): not what the negotiation agreed, or above the posted rate without one; `carrier_ineligible` (field `mc_number`): the carrier is ineligible or not found (the body adds `verification` with `status` and `reasons`).", body = crate::http::openapi::ErrorBody),
        (status = 413, description = "`payload_too_large`: the body is over `BODY_LIMIT_KB`.", body = crate::http::openapi::ErrorBody),
        (status = 422, description = "`missing_field` or `invalid_value` on `call_id`, `load_id`, `mc_number`, `agreed_rate` or `carrier_name`.", body = crate::http::openapi::ErrorBody),
    ),
    security(("x_api_key" = []), ("api_key" = []), ("bearer" = []))
)]
pub async fn handoff(
    state: web::Data<AppState>,
    fmcsa: web::Data<crate::carriers::Fmcsa>,
    index: web::Data<crate::loads::index::LoadIndex>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    let f = Fields::new(&body.0)?;
    let named = crate::calls::record::named(&f)?;
    let load_id = f.required_id("load_id")?;
    let mc = f.mc("mc_number")?;
    let agreed_rate = f.required_money("agreed_rate")?;
    let carrier_name = f.text("carrier_name")?;
    let call_id = crate::calls::record::attribute_for(&state, named, mc.as_ref().map(|m| m.as_str()))
        .await?
        .ok_or_else(|| AppError::missing("call_id"))?;
    let mc = mc.ok_or_else(|| AppError::missing("mc_number"))?;

    // A retried handoff gets the booking it made, whatever the carrier's standing has
    // become since: the caller is already being transferred on the strength of it.
    if let Some(b) = booking_of(&state, &call_id, &load_id).await? {
        return Ok(HttpResponse::Ok().json(answer(&b)));
    }
    let (status, legal_name, verification_note, reasons) = carrier_check(&state, &fmcsa, &mc, &call_id).await?;
    if matches!(status, Status::Ineligible | Status::NotFound) {
        let message = if status == Status::NotFound {
            format!("MC {mc} was not found with FMCSA, so I can't book this load.")
        } else {
            format!("MC {mc} is not eligible to haul for us right now, so I can't book this load.")
        };
        return Err(AppError::conflict(ErrorCode::CarrierIneligible, message)
            .with_field("mc_number")
            .with_extra("verification", json!({"status": status, "reasons": reasons})));
    }
    let req = HandoffRequest {
        call_id,
        load_id,
        mc_number: mc.as_str().to_string(),
        agreed_rate,
        carrier_name: carrier_name.or_else(|| legal_name.map(|n| crate::carriers::messages::title_case(&n))),
        verification_pending: status == Status::Unavailable,
        verification_note,
    };
    let reps: Vec<Rep> = state.settings.sales_reps.iter().filter_map(|r| Rep::parse(r)).collect();
    let db = state.db.clone();
    let answer = db
        .write(move |conn| -> AppResult<serde_json::Value> {
            let mut attempt = 0;
            loop {
                let now_ms = to_ms(Utc::now());
                match write_tx(conn, |c| handoff_tx(c, &req, &reps, now_ms)) {
                    // A concurrent booking of the same load hit the unique index first.
                    Err(AppError::Internal(e)) if attempt == 0 && is_unique_violation(&e) => attempt += 1,
                    other => {
                        index.mark_stale();
                        return other;
                    }
                }
            }
        })
        .await?;
    Ok(HttpResponse::Ok().json(answer))
}

fn is_unique_violation(e: &anyhow::Error) -> bool {
    matches!(
        e.downcast_ref::<diesel::result::Error>(),
        Some(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _))
    )
}
