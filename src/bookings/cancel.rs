//! `POST /bookings/{booking_id}/cancel` (admin): releases a booking when the transfer
//! fell through. The load goes back on the board; the booking keeps its history (who,
//! when, why) and shows as cancelled on the call's story and in the metrics.

use super::handlers::{booking_view, BookingRow};
use crate::db::schema::{bookings, loads};
use crate::db::{to_ms, write_tx};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::http::auth::Principal;
use crate::http::body::JsonBody;
use crate::parse::Fields;
use crate::state::AppState;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use chrono::Utc;
use diesel::prelude::*;
use serde_json::json;

#[utoipa::path(
    post,
    path = "/api/v1/bookings/{booking_id}/cancel",
    operation_id = "cancelBooking",
    tag = "admin",
    summary = "Release a booking",
    description = "Scope: admin. For a transfer that fell through: the load is available again and the booking keeps its history (who, when, why). Cancelling a cancelled booking answers it again.",
    params(("booking_id" = String, Path, description = "The booking's id, e.g. `BK-1A2B3C4D5E`.")),
    request_body(content = crate::http::openapi::CancelRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The booking, now cancelled.", body = crate::http::openapi::Booking),
        (status = 400, description = "`invalid_json` or `invalid_body`: the body is not a JSON object.", body = crate::http::openapi::ErrorBody),
        (status = 404, description = "`booking_not_found` (field `booking_id`).", body = crate::http::openapi::ErrorBody),
        (status = 413, description = "`payload_too_large`: the body is over `BODY_LIMIT_KB`.", body = crate::http::openapi::ErrorBody),
        (status = 422, description = "`missing_field` or `invalid_value` on `reason`.", body = crate::http::openapi::ErrorBody),
    ),
    security(("x_api_key" = []), ("api_key" = []), ("bearer" = []), ("session_cookie" = []))
)]
pub async fn cancel(
    req: HttpRequest,
    state: web::Data<AppState>,
    index: web::Data<crate::loads::index::LoadIndex>,
    path: web::Path<String>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    let booking_id = path.into_inner();
    let f = Fields::new(&body.0)?;
    let reason = f.long_text("reason", 500)?.ok_or_else(|| AppError::missing("reason"))?;
    let who = req.extensions().get::<Principal>().map(|p| p.label.clone()).unwrap_or_else(|| "admin".into());
    let view = state
        .db
        .write(move |conn| -> AppResult<serde_json::Value> {
            write_tx(conn, |c| -> AppResult<serde_json::Value> {
                let now_ms = to_ms(Utc::now());
                let b: BookingRow =
                    bookings::table.find(&booking_id).select(BookingRow::as_select()).first(c).optional()?.ok_or_else(
                        || {
                            AppError::not_found(ErrorCode::BookingNotFound, format!("No booking with id {booking_id}."))
                                .with_field("booking_id")
                        },
                    )?;
                if b.status == "cancelled" {
                    // A retried cancel: the booking is already released.
                    return Ok(booking_view(&b));
                }
                diesel::update(bookings::table.find(&booking_id))
                    .set((
                        bookings::status.eq("cancelled"),
                        bookings::cancelled_at.eq(Some(now_ms)),
                        bookings::cancel_reason.eq(Some(&reason)),
                        bookings::cancelled_by.eq(Some(&who)),
                    ))
                    .execute(c)?;
                diesel::update(
                    loads::table
                        .find(&b.load_id)
                        .filter(loads::status.eq("booked"))
                        .filter(loads::booked_call_id.eq(&b.call_id)),
                )
                .set((
                    loads::status.eq("available"),
                    loads::booked_call_id.eq(None::<String>),
                    loads::updated_at.eq(now_ms),
                ))
                .execute(c)?;
                crate::events::append(
                    c,
                    "booking.cancelled",
                    Some(&b.call_id),
                    json!({"booking_id": b.booking_id, "load_id": b.load_id, "reason": reason, "by": who}),
                    now_ms,
                )?;
                let updated: BookingRow = bookings::table.find(&booking_id).select(BookingRow::as_select()).first(c)?;
                crate::telemetry::telemetry().bookings.with_label_values(&["cancelled"]).inc();
                Ok(booking_view(&updated))
            })
        })
        .await?;
    index.mark_stale();
    Ok(HttpResponse::Ok().json(view))
}
