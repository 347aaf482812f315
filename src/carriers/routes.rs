//! The carriers room's routes: `POST /api/v1/fmcsa/verify` (agent scope: read the body
//! leniently, verify, answer) and `GET /api/v1/carriers/{mc}` (dashboard scope: the
//! carrier's history).

use super::query::{CarrierQuery, DotNumber};
use super::service::{self, Verification};
use super::views::{CarrierHistory, VerifyRequest};
use crate::error::{AppError, AppResult, ErrorBody, ErrorCode};
use crate::http::auth::{require_agent, require_dashboard};
use crate::http::body::JsonBody;
use crate::http::resource;
use crate::parse::Fields;
use crate::state::AppState;
use crate::types::McNumber;
use actix_web::middleware::from_fn;
use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/fmcsa/verify").route(web::post().to(verify).wrap(from_fn(require_agent))))
        .service(resource("/carriers/{mc}").route(web::get().to(history).wrap(from_fn(require_dashboard))));
}

/// The carriers room's operations, merged into the API document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(verify, history))]
pub struct Api;

/// The query a verify body asks: `mc_number` (any of the platform's spellings, SPEC
/// §3.2) or else `dot_number`. A present but meaningless value is a 422 naming its field,
/// even when the other one would do.
pub fn read_query(f: &Fields) -> AppResult<CarrierQuery> {
    let mc = f.mc("mc_number")?;
    let dot = match f.raw("dot_number") {
        None => None,
        Some(v) => {
            DotNumber::from_json(v).map_err(|why| AppError::invalid("dot_number", format!("`dot_number` {why}.")))?
        }
    };
    match (mc, dot) {
        (Some(mc), _) => Ok(CarrierQuery::Mc(mc)),
        (None, Some(dot)) => Ok(CarrierQuery::Dot(dot)),
        (None, None) => Err(AppError::missing("mc_number")),
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/fmcsa/verify",
    operation_id = "verifyCarrier",
    tag = "agent",
    summary = "May we book this carrier?",
    description = "Scope: agent. Checks the caller's MC (or USDOT) number with FMCSA QCMobile (or the offline snapshot) within `FMCSA_TIMEOUT_MS`. Every outcome is a 200: `eligible`, `ineligible` (every failed rule in `reasons`), `not_found`, or `unavailable` (FMCSA could not be reached: `eligible` is null, never reported as not found or ineligible). Recorded for the call's story and the handoff's check.",
    request_body(content = VerifyRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The verdict and what to say.", body = Verification),
        (status = 422, description = "`missing_field` on `mc_number` (neither number given), or `invalid_value` on `mc_number`, `dot_number` or `call_id`.", body = ErrorBody),
    ),
)]
pub async fn verify(
    state: web::Data<AppState>,
    fmcsa: web::Data<super::Fmcsa>,
    body: JsonBody,
) -> AppResult<web::Json<Verification>> {
    let f = Fields::new(&body.0)?;
    let query = read_query(&f)?;
    // Always a call id in the answer (SPEC §12.1): the agent passes it to every later tool.
    let call_id = crate::calls::record::named(&f)?.unwrap_or_else(crate::calls::record::issue);
    let verification = service::verify(&state, &fmcsa, query, Some(call_id)).await?;
    Ok(web::Json(verification))
}

#[utoipa::path(
    get,
    path = "/api/v1/carriers/{mc}",
    operation_id = "getCarrier",
    tag = "dashboard",
    summary = "A carrier's history",
    description = "Scope: dashboard (or admin). Everything recorded under one MC number: its calls, FMCSA verifications, negotiations (lane, asks, our counters, the premium agreed) and bookings, latest first (each list at most 100 rows), with a summary over its whole history (SPEC §14).",
    params(("mc" = String, Path, description = "The MC number in any spelling: `MC-123456`, `mc 123456`, `123456`.")),
    responses(
        (status = 200, description = "The carrier's history.", body = CarrierHistory),
        (status = 404, description = "`carrier_not_found` (field `mc`): no call, verification, negotiation or booking under that MC number.", body = ErrorBody),
        (status = 422, description = "`invalid_value` on `mc`: not an MC number.", body = ErrorBody),
    ),
)]
pub async fn history(state: web::Data<AppState>, path: web::Path<String>) -> AppResult<web::Json<CarrierHistory>> {
    let mc = McNumber::parse(&path.into_inner()).map_err(|why| AppError::invalid("mc", why))?;
    let digits = mc.as_str().to_string();
    let found = state.db.read(move |conn| super::store::history::history(conn, &digits)).await?;
    let not_found = || {
        AppError::not_found(ErrorCode::CarrierNotFound, format!("Nothing is recorded under MC {mc}.")).with_field("mc")
    };
    found.map(web::Json).ok_or_else(not_found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use serde_json::json;

    fn query(body: serde_json::Value) -> Result<CarrierQuery, (ErrorCode, Option<String>)> {
        let f = Fields::new(&body).unwrap();
        read_query(&f).map_err(|e| (e.code(), e.body().error.field))
    }

    #[test]
    fn mc_first_then_dot_and_errors_name_the_field() {
        assert_eq!(query(json!({"mc_number": "MC-001515"})).unwrap().cache_key(), "mc:1515");
        assert_eq!(query(json!({"mc_number": "", "dot_number": "158121"})).unwrap().cache_key(), "dot:158121");
        assert_eq!(query(json!({"mc_number": 1515, "dot_number": 158121})).unwrap().cache_key(), "mc:1515");
        let missing = query(json!({"call_id": "c1"})).unwrap_err();
        assert_eq!(missing, (ErrorCode::MissingField, Some("mc_number".into())));
        let bad = query(json!({"mc_number": "abc"})).unwrap_err();
        assert_eq!(bad, (ErrorCode::InvalidValue, Some("mc_number".into())));
        let bad = query(json!({"dot_number": "12ab"})).unwrap_err();
        assert_eq!(bad, (ErrorCode::InvalidValue, Some("dot_number".into())));
        let bad = query(json!({"mc_number": "1515", "dot_number": "x"})).unwrap_err();
        assert_eq!(bad.1.as_deref(), Some("dot_number"));
    }
}
