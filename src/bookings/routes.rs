//! `POST /calls/handoff` (agent) and `POST /bookings/{booking_id}/cancel` (admin): read
//! the request, check the carrier, and hand the booking to the store.

use super::handoff::Handoff;
use super::store::{self, Release};
use super::views::{Booking, CancelRequest, HandoffAnswer, HandoffRequest};
use super::Rep;
use crate::carriers::{CarrierQuery, Status, VerificationRecord};
use crate::error::{AppError, AppResult, ErrorBody, ErrorCode};
use crate::http::auth::{require_admin, require_agent, Principal};
use crate::http::body::JsonBody;
use crate::http::resource;
use crate::parse::Fields;
use crate::state::AppState;
use crate::types::McNumber;
use actix_web::middleware::from_fn;
use actix_web::{web, HttpMessage, HttpRequest};
use chrono::Utc;
use serde_json::json;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/calls/handoff").route(web::post().to(handoff).wrap(from_fn(require_agent))))
        .service(resource("/bookings/{booking_id}/cancel").route(web::post().to(cancel).wrap(from_fn(require_admin))));
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(handoff, cancel))]
pub struct Api;

/// The carrier's standing for a handoff, as the rep will read it.
struct Standing {
    status: Status,
    legal_name: Option<String>,
    note: String,
    reasons: Vec<String>,
}

/// The carrier's standing for a handoff: the latest verification of the MC, or one made
/// on the spot (cache, snapshot or FMCSA within the time budget) when there is none, it
/// could not reach FMCSA, or it is older than the FMCSA cache lifetime.
async fn carrier_check(
    state: &web::Data<AppState>,
    fmcsa: &crate::carriers::Fmcsa,
    mc: &McNumber,
    call_id: &str,
) -> AppResult<Standing> {
    let key = mc.as_str().to_string();
    let latest = state
        .db
        .read(move |conn| -> AppResult<Option<VerificationRecord>> { crate::carriers::latest_verification(conn, &key) })
        .await?;
    let fresh_after = Utc::now() - chrono::Duration::hours(state.settings.fmcsa.cache_ttl_hours as i64);
    if let Some(v) = latest.filter(|v| v.status != Status::Unavailable && v.created_at > fresh_after) {
        let when = v.created_at.format("%b %-d %H:%M UTC");
        let note = format!(
            "FMCSA verification: {} ({}, {when}).",
            v.status.as_str().replace('_', " "),
            v.source.replace('_', " ")
        );
        return Ok(Standing { status: v.status, legal_name: v.legal_name, note, reasons: v.reasons });
    }
    let v = crate::carriers::verify(state, fmcsa, CarrierQuery::Mc(mc.clone()), Some(call_id.to_string())).await?;
    let note = match v.status {
        Status::Unavailable => "FMCSA could not be reached: VERIFICATION PENDING, check the carrier's authority and insurance before dispatch.".to_string(),
        s => format!("FMCSA verification: {} ({}, at handoff).", s.as_str().replace('_', " "), v.source.as_str().replace('_', " ")),
    };
    let reasons = v.reasons.iter().map(|r| r.code().to_string()).collect();
    Ok(Standing { status: v.status, legal_name: v.carrier.and_then(|c| c.legal_name), note, reasons })
}

/// An ineligible or unknown carrier is not booked: a 409 with the verdict beside it.
fn refuse_ineligible(mc: &McNumber, standing: &Standing) -> AppResult<()> {
    let message = match standing.status {
        Status::NotFound => format!("MC {mc} was not found with FMCSA, so I can't book this load."),
        Status::Ineligible => format!("MC {mc} is not eligible to haul for us right now, so I can't book this load."),
        Status::Eligible | Status::Unavailable => return Ok(()),
    };
    Err(AppError::conflict(ErrorCode::CarrierIneligible, message)
        .with_field("mc_number")
        .with_extra("verification", json!({"status": standing.status, "reasons": standing.reasons})))
}

#[utoipa::path(
    post,
    path = "/api/v1/calls/handoff",
    operation_id = "handoffCall",
    tag = "agent",
    summary = "Book the load and transfer to a rep",
    description = "Scope: agent. Checks the carrier (the latest verification, or one made on the spot) and the rate against the negotiation, books the load exactly once, and picks a sales rep. When FMCSA is unavailable the booking goes ahead flagged `verification_pending`. A retried handoff from the same call for the same load returns the same booking.",
    request_body(content = HandoffRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Booked; transfer the caller to the rep.", body = HandoffAnswer),
        (status = 404, description = "`load_not_found` (field `load_id`).", body = ErrorBody),
        (status = 409, description = "`load_already_booked` or `load_not_available` (field `load_id`); `rate_not_agreed` (field `agreed_rate`): not what the negotiation agreed, or above the posted rate without one; `carrier_ineligible` (field `mc_number`): the carrier is ineligible or not found (the body adds `verification` with `status` and `reasons`).", body = ErrorBody),
        (status = 422, description = "`missing_field` or `invalid_value` on `call_id`, `load_id`, `mc_number`, `agreed_rate` or `carrier_name`.", body = ErrorBody),
    ),
)]
pub async fn handoff(
    state: web::Data<AppState>,
    fmcsa: web::Data<crate::carriers::Fmcsa>,
    index: web::Data<crate::loads::index::LoadIndex>,
    body: JsonBody,
) -> AppResult<web::Json<HandoffAnswer>> {
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
    let (call, load) = (call_id.clone(), load_id.clone());
    if let Some(b) = state.db.read(move |conn| store::booking_of(conn, &call, &load)).await? {
        return Ok(web::Json(HandoffAnswer::from(&b)));
    }
    let standing = carrier_check(&state, &fmcsa, &mc, &call_id).await?;
    refuse_ineligible(&mc, &standing)?;
    let req = Handoff {
        call_id,
        load_id,
        mc_number: mc.as_str().to_string(),
        agreed_rate,
        carrier_name: carrier_name.or_else(|| standing.legal_name.map(|n| crate::carriers::title_case(&n))),
        verification_pending: standing.status == Status::Unavailable,
        verification_note: standing.note,
    };
    let reps: Vec<Rep> = state.settings.sales_reps.iter().filter_map(|r| Rep::parse(r)).collect();
    let booked = state.db.write(move |conn| store::book(conn, &req, &reps)).await;
    index.mark_stale();
    Ok(web::Json(booked?))
}

#[utoipa::path(
    post,
    path = "/api/v1/bookings/{booking_id}/cancel",
    operation_id = "cancelBooking",
    tag = "admin",
    summary = "Release a booking",
    description = "Scope: admin. For a transfer that fell through: the load is available again and the booking keeps its history (who, when, why). Cancelling a cancelled booking answers it again.",
    params(("booking_id" = String, Path, description = "The booking's id, e.g. `BK-1A2B3C4D5E`.")),
    request_body(content = CancelRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The booking, now cancelled.", body = Booking),
        (status = 404, description = "`booking_not_found` (field `booking_id`).", body = ErrorBody),
        (status = 422, description = "`missing_field` or `invalid_value` on `reason`.", body = ErrorBody),
    ),
)]
pub async fn cancel(
    req: HttpRequest,
    state: web::Data<AppState>,
    index: web::Data<crate::loads::index::LoadIndex>,
    path: web::Path<String>,
    body: JsonBody,
) -> AppResult<web::Json<Booking>> {
    let f = Fields::new(&body.0)?;
    let reason = f.long_text("reason", 500)?.ok_or_else(|| AppError::missing("reason"))?;
    let by = req.extensions().get::<Principal>().map(|p| p.label.clone()).unwrap_or_else(|| "admin".into());
    let release = Release { booking_id: path.into_inner(), reason, by };
    let view = state.db.write(move |conn| store::cancel(conn, &release)).await?;
    index.mark_stale();
    Ok(web::Json(view))
}
