//! `POST /bookings/{booking_id}/cancel` (admin): releases a booking when the transfer
//! fell through. The load goes back on the board; the booking keeps its history (who,
//! when, why) and shows as cancelled on the call's story and in the metrics.

use super::handlers::{booking_view, BookingRow};
use crate::app::AppState;
use crate::db::schema::{bookings, loads};
use crate::db::{to_ms, write_tx};
use crate::error::{AppError, AppResult};
use crate::http::auth::Principal;
use crate::http::body::JsonBody;
use crate::parse::Fields;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use chrono::Utc;
use diesel::prelude::*;
use serde_json::json;

pub async fn cancel(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    let booking_id = path.into_inner();
    let f = Fields::new(&body.0)?;
    let reason = f.long_text("reason", 500)?.ok_or_else(|| AppError::missing("reason"))?;
    let who = req.extensions().get::<Principal>().map(|p| p.label.clone()).unwrap_or_else(|| "admin".into());
    let view = web::block(move || -> AppResult<serde_json::Value> {
        let mut conn = state.pool.get()?;
        write_tx(&mut conn, |c| -> AppResult<serde_json::Value> {
            let now_ms = to_ms(Utc::now());
            let b: BookingRow =
                bookings::table.find(&booking_id).select(BookingRow::as_select()).first(c).optional()?.ok_or_else(
                    || {
                        AppError::not_found("booking_not_found", format!("No booking with id {booking_id}."))
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
    .await??;
    Ok(HttpResponse::Ok().json(view))
}
