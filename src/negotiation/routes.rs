//! The negotiation routes (SPEC §7): the agent's offers and the dashboard's view of the
//! policy. Thin: each reads its request, calls the store (where the engine decides), and
//! returns a view.

use super::store::{self, Request};
use super::views::{EvaluateRequest, NegotiationAnswer, NegotiationPolicy};
use crate::error::ErrorBody;
use crate::error::{AppError, AppResult};
use crate::http::auth::{require_agent, require_dashboard};
use crate::http::body::JsonBody;
use crate::http::resource;
use crate::parse::Fields;
use crate::state::AppState;
use actix_web::middleware::from_fn;
use actix_web::{web, HttpResponse};

/// The negotiation routes in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(evaluate, policy))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/negotiations/evaluate").route(web::post().to(evaluate).wrap(from_fn(require_agent))))
        .service(resource("/negotiations/policy").route(web::get().to(policy).wrap(from_fn(require_dashboard))));
}

#[utoipa::path(
    post,
    path = "/api/v1/negotiations/evaluate",
    operation_id = "evaluateOffer",
    tag = "agent",
    summary = "Answer the carrier's rate",
    description = "Scope: agent. One round of at most three per `(call_id, load_id)`: accept, counter, or (round 3 above the ceiling) reject with a final offer that then stands. An identical offer within `CARRIER_SALES__NEGOTIATION__RETRY_WINDOW_SECS` (10 s) is a webhook retry and gets the same answer. No prior verification or future pickup is needed; booked or cancelled loads are refused.",
    request_body(content = EvaluateRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The decision and what to say.", body = NegotiationAnswer),
        (status = 404, description = "`load_not_found` (field `load_id`).", body = ErrorBody),
        (status = 409, description = "`load_already_booked` or `load_not_available` (field `load_id`); `negotiation_closed` (the deal is done or three rounds are over; the body adds `negotiation` with its state); `concurrent_offer` (another offer for this load is being evaluated).", body = ErrorBody),
        (status = 422, description = "`missing_field` or `invalid_value` on `call_id`, `load_id`, `carrier_offer` (e.g. negative) or `mc_number`.", body = ErrorBody),
    ),
)]
pub async fn evaluate(state: web::Data<AppState>, body: JsonBody) -> AppResult<HttpResponse> {
    let f = Fields::new(&body.0)?;
    let named = crate::calls::record::named(&f)?;
    let load_id = f.required_id("load_id")?;
    let offer = f.required_money("carrier_offer")?;
    let mc_number = f.mc("mc_number")?.map(|m| m.as_str().to_string());
    let call_id = crate::calls::record::attribute_for(&state, named, mc_number.as_deref())
        .await?
        .ok_or_else(|| AppError::missing("call_id"))?;
    let req = Request { call_id, load_id, offer, mc_number };
    let db = state.db.clone();
    let answer: NegotiationAnswer =
        db.write(move |conn| store::evaluate(conn, &req, &state.settings.negotiation)).await?;
    crate::telemetry::telemetry().negotiation_decisions.with_label_values(&[answer.decision.as_str()]).inc();
    Ok(HttpResponse::Ok().json(answer))
}

/// The policy in force, read-only (dashboard).
#[utoipa::path(
    get,
    path = "/api/v1/negotiations/policy",
    operation_id = "getNegotiationPolicy",
    tag = "dashboard",
    summary = "The negotiation policy in force",
    description = "Scope: dashboard (or admin). Read-only.",
    responses((status = 200, description = "The policy.", body = NegotiationPolicy)),
)]
pub async fn policy(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(NegotiationPolicy::from(&state.settings.negotiation))
}
