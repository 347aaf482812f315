//! `POST /negotiations/evaluate` and `GET /negotiations/policy`.

use super::engine::{self, Decision, Economics, PastRound, Policy, MAX_ROUNDS};
use crate::db::schema::{loads, negotiation_rounds as rounds, negotiations};
use crate::db::{to_ms, write_tx, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::http::body::JsonBody;
use crate::loads::model::{LoadRow, LoadStatus};
use crate::parse::Fields;
use crate::state::AppState;
use crate::types::Money;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

#[derive(Clone, Debug, Serialize)]
pub struct Answer {
    pub decision: Decision,
    pub round: u32,
    pub max_rounds: u32,
    pub rounds_remaining: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counter_offer: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreed_rate: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_offer: Option<Money>,
    #[serde(rename = "final")]
    pub is_final: bool,
    pub call_id: String,
    pub load_id: String,
    pub loadboard_rate: Money,
    pub message: String,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = negotiations)]
pub struct NegotiationRow {
    pub call_id: String,
    pub load_id: String,
    pub mc_number: Option<String>,
    pub status: String,
    pub posted_cents: i64,
    pub ceiling_cents: i64,
    pub last_counter_cents: Option<i64>,
    pub agreed_rate_cents: Option<i64>,
    pub final_offer_cents: Option<i64>,
    pub rounds: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = rounds)]
pub struct RoundRow {
    pub round: i32,
    pub offer_cents: i64,
    pub decision: String,
    pub counter_cents: Option<i64>,
    pub agreed_cents: Option<i64>,
    pub final_offer_cents: Option<i64>,
    pub message: String,
    pub created_at: i64,
}

fn message_for(outcome: &engine::Outcome) -> String {
    match outcome.decision {
        Decision::Accept => format!(
            "We have a deal at {}. Let me get you over to a rep to lock it in.",
            outcome.agreed.unwrap_or_default().spoken()
        ),
        Decision::Counter if outcome.round == 1 => {
            format!("I can do {} on that one.", outcome.counter.unwrap_or_default().spoken())
        }
        Decision::Counter => format!(
            "I can come up to {}, and that's getting close to my limit.",
            outcome.counter.unwrap_or_default().spoken()
        ),
        Decision::Reject => {
            format!("The best I can do is {}; that's my final offer.", outcome.final_offer.unwrap_or_default().spoken())
        }
    }
}

fn decision_from(s: &str) -> Decision {
    match s {
        "accept" => Decision::Accept,
        "reject" => Decision::Reject,
        _ => Decision::Counter,
    }
}

fn answer_from_round(r: &RoundRow, call_id: &str, load_id: &str, posted: Money) -> Answer {
    let decision = decision_from(&r.decision);
    let round = r.round as u32;
    Answer {
        decision,
        round,
        max_rounds: MAX_ROUNDS,
        rounds_remaining: if decision == Decision::Counter { MAX_ROUNDS - round } else { 0 },
        counter_offer: r.counter_cents.map(Money),
        agreed_rate: r.agreed_cents.map(Money),
        final_offer: r.final_offer_cents.map(Money),
        is_final: decision != Decision::Counter,
        call_id: call_id.to_string(),
        load_id: load_id.to_string(),
        loadboard_rate: posted,
        message: r.message.clone(),
    }
}

/// The negotiation's state for a 409 body.
fn closed_state(n: &NegotiationRow) -> serde_json::Value {
    json!({
        "call_id": n.call_id,
        "load_id": n.load_id,
        "status": n.status,
        "rounds": n.rounds,
        "max_rounds": MAX_ROUNDS,
        "last_counter": n.last_counter_cents.map(Money),
        "agreed_rate": n.agreed_rate_cents.map(Money),
        "final_offer": n.final_offer_cents.map(Money),
        "loadboard_rate": Money(n.posted_cents),
    })
}

enum TxError {
    App(Box<AppError>),
    /// Another request wrote the same round first; re-read and decide again.
    LostRace,
}

impl From<diesel::result::Error> for TxError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                TxError::LostRace
            }
            other => TxError::App(Box::new(other.into())),
        }
    }
}

impl From<AppError> for TxError {
    fn from(e: AppError) -> Self {
        TxError::App(Box::new(e))
    }
}

pub struct Request {
    pub call_id: String,
    pub load_id: String,
    pub offer: Money,
    pub mc_number: Option<String>,
}

/// Reads the load and its negotiation, refusing loads that cannot be negotiated.
pub fn negotiable_load(conn: &mut DbConnection, load_id: &str, call_id: Option<&str>) -> AppResult<LoadRow> {
    // The writer's hot path: `per_backend!` finds the statement by type.
    let found: Option<LoadRow> =
        crate::per_backend!(conn, c => loads::table.find(load_id).select(LoadRow::as_select()).first(c).optional()?);
    let load = found.ok_or_else(|| {
        AppError::not_found(ErrorCode::LoadNotFound, format!("No load with id {load_id}.")).with_field("load_id")
    })?;
    match load.status() {
        LoadStatus::Available => Ok(load),
        LoadStatus::Booked if load.booked_call_id.as_deref() == call_id => Err(AppError::conflict(
            ErrorCode::LoadAlreadyBooked,
            format!("Load {load_id} is already booked to you on this call; the rate is settled."),
        )
        .with_field("load_id")),
        LoadStatus::Booked => Err(AppError::conflict(
            ErrorCode::LoadAlreadyBooked,
            format!("Load {load_id} has just been booked by someone else."),
        )
        .with_field("load_id")),
        LoadStatus::Cancelled => {
            Err(AppError::conflict(ErrorCode::LoadNotAvailable, format!("Load {load_id} is no longer available."))
                .with_field("load_id"))
        }
    }
}

fn evaluate_tx(
    conn: &mut DbConnection,
    req: &Request,
    policy: &Policy,
    settings: &crate::config::NegotiationSettings,
    now_ms: i64,
) -> Result<Answer, TxError> {
    let key = (req.call_id.as_str(), req.load_id.as_str());
    let existing: Option<NegotiationRow> = crate::per_backend!(conn, c => {
        negotiations::table.find(key).select(NegotiationRow::as_select()).first(c).optional()?
    });
    let played: Vec<RoundRow> = crate::per_backend!(conn, c => rounds::table
        .filter(rounds::call_id.eq(&req.call_id))
        .filter(rounds::load_id.eq(&req.load_id))
        .order(rounds::round.asc())
        .select(RoundRow::as_select())
        .load(c)?);

    // A webhook retry: the same offer as the last round, within the retry window. It is
    // answered before the load's status is read, so a retry arriving after the load was
    // booked (by this call or another) still gets the answer the agent already acted on.
    if let (Some(last), Some(n)) = (played.last(), &existing) {
        let retry_ms = settings.retry_window_secs as i64 * 1000;
        if last.offer_cents == req.offer.0 && now_ms - last.created_at <= retry_ms {
            return Ok(answer_from_round(last, &req.call_id, &req.load_id, Money(n.posted_cents)));
        }
    }

    let load = negotiable_load(conn, &req.load_id, Some(&req.call_id))?;
    crate::calls::record::touch(conn, &req.call_id, req.mc_number.as_deref(), None, now_ms)?;

    // The economics are fixed when the negotiation opens, so an edit of the load
    // mid-call cannot move the goalposts.
    let econ = match &existing {
        Some(n) => Economics { posted: Money(n.posted_cents), ceiling: Money(n.ceiling_cents) },
        None => Economics::new(load.rate(), load.max_rate_cents.map(Money), policy),
    };

    if let Some(n) = &existing {
        match n.status.as_str() {
            "agreed" if n.agreed_rate_cents == Some(req.offer.0) => {
                // The carrier repeats the agreed rate: the deal stands, no new round.
                let mut answer =
                    played
                        .last()
                        .map(|r| answer_from_round(r, &req.call_id, &req.load_id, econ.posted))
                        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("agreed negotiation without rounds")))?;
                answer.decision = Decision::Accept;
                answer.agreed_rate = Some(req.offer);
                answer.message = format!("We're all set at {}.", req.offer.spoken());
                return Ok(answer);
            }
            "rejected" if n.final_offer_cents.is_some_and(|f| req.offer.0 <= f) => {
                // The carrier takes (or beats) our standing final offer.
                diesel::update(negotiations::table.find(key))
                    .set((
                        negotiations::status.eq("agreed"),
                        negotiations::agreed_rate_cents.eq(Some(req.offer.0)),
                        negotiations::updated_at.eq(now_ms),
                    ))
                    .execute(conn)?;
                let message = format!("Great, {} it is. We have a deal.", req.offer.spoken());
                crate::events::append(
                    conn,
                    "negotiation.final_offer_accepted",
                    Some(&req.call_id),
                    json!({"load_id": req.load_id, "round": n.rounds, "agreed_rate": req.offer}),
                    now_ms,
                )?;
                return Ok(Answer {
                    decision: Decision::Accept,
                    round: n.rounds as u32,
                    max_rounds: MAX_ROUNDS,
                    rounds_remaining: 0,
                    counter_offer: None,
                    agreed_rate: Some(req.offer),
                    final_offer: n.final_offer_cents.map(Money),
                    is_final: true,
                    call_id: req.call_id.clone(),
                    load_id: req.load_id.clone(),
                    loadboard_rate: econ.posted,
                    message,
                });
            }
            "agreed" | "rejected" => {
                let message = match (n.status.as_str(), n.agreed_rate_cents, n.final_offer_cents) {
                    ("agreed", Some(a), _) => {
                        format!("We already agreed on {} for this load.", Money(a).spoken())
                    }
                    (_, _, Some(f)) => format!(
                        "We've gone {MAX_ROUNDS} rounds on this load; my final offer of {} stands.",
                        Money(f).spoken()
                    ),
                    _ => "This negotiation is closed.".to_string(),
                };
                return Err(AppError::conflict(ErrorCode::NegotiationClosed, message)
                    .with_extra("negotiation", closed_state(n))
                    .into());
            }
            _ => {}
        }
    }

    let history: Vec<PastRound> =
        played.iter().map(|r| PastRound { offer: Money(r.offer_cents), counter: r.counter_cents.map(Money) }).collect();
    let urgent = {
        let until = load.pickup_at - now_ms;
        until > 0 && until <= settings.urgency_window_hours as i64 * 3_600_000
    };
    let outcome = engine::decide(econ, policy, &history, req.offer, urgent).ok_or_else(|| {
        AppError::conflict(ErrorCode::NegotiationClosed, "We've already gone three rounds on this load.")
    })?;
    let message = message_for(&outcome);
    let round = outcome.round as i32;
    crate::per_backend!(conn, c => diesel::insert_into(rounds::table)
        .values((
            rounds::call_id.eq(&req.call_id),
            rounds::load_id.eq(&req.load_id),
            rounds::round.eq(round),
            rounds::offer_cents.eq(req.offer.0),
            rounds::decision.eq(match outcome.decision {
                Decision::Accept => "accept",
                Decision::Counter => "counter",
                Decision::Reject => "reject",
            }),
            rounds::counter_cents.eq(outcome.counter.map(|m| m.0)),
            rounds::agreed_cents.eq(outcome.agreed.map(|m| m.0)),
            rounds::final_offer_cents.eq(outcome.final_offer.map(|m| m.0)),
            rounds::message.eq(&message),
            rounds::created_at.eq(now_ms),
        ))
        .execute(c)?);
    let status = match outcome.decision {
        Decision::Accept => "agreed",
        Decision::Counter => "open",
        Decision::Reject => "rejected",
    };
    let last_counter = outcome.counter.or_else(|| history.iter().rev().find_map(|r| r.counter)).map(|m| m.0);
    match existing {
        None => {
            crate::per_backend!(conn, c => diesel::insert_into(negotiations::table)
                .values((
                    negotiations::call_id.eq(&req.call_id),
                    negotiations::load_id.eq(&req.load_id),
                    negotiations::mc_number.eq(req.mc_number.as_deref()),
                    negotiations::status.eq(status),
                    negotiations::posted_cents.eq(econ.posted.0),
                    negotiations::ceiling_cents.eq(econ.ceiling.0),
                    negotiations::last_counter_cents.eq(last_counter),
                    negotiations::agreed_rate_cents.eq(outcome.agreed.map(|m| m.0)),
                    negotiations::final_offer_cents.eq(outcome.final_offer.map(|m| m.0)),
                    negotiations::rounds.eq(round),
                    negotiations::created_at.eq(now_ms),
                    negotiations::updated_at.eq(now_ms),
                ))
                .execute(c)?);
        }
        Some(_) => {
            diesel::update(negotiations::table.find(key))
                .set((
                    negotiations::status.eq(status),
                    negotiations::last_counter_cents.eq(last_counter),
                    negotiations::agreed_rate_cents.eq(outcome.agreed.map(|m| m.0)),
                    negotiations::final_offer_cents.eq(outcome.final_offer.map(|m| m.0)),
                    negotiations::rounds.eq(round),
                    negotiations::updated_at.eq(now_ms),
                ))
                .execute(conn)?;
            if let Some(mc) = &req.mc_number {
                diesel::update(negotiations::table.find(key)).set(negotiations::mc_number.eq(mc)).execute(conn)?;
            }
        }
    }
    crate::events::append(
        conn,
        "negotiation.round",
        Some(&req.call_id),
        json!({
            "load_id": req.load_id, "round": round, "offer": req.offer, "decision": outcome.decision,
            "counter_offer": outcome.counter, "agreed_rate": outcome.agreed, "final_offer": outcome.final_offer,
        }),
        now_ms,
    )?;
    Ok(Answer {
        decision: outcome.decision,
        round: outcome.round,
        max_rounds: MAX_ROUNDS,
        rounds_remaining: if outcome.is_final() { 0 } else { MAX_ROUNDS - outcome.round },
        counter_offer: outcome.counter,
        agreed_rate: outcome.agreed,
        final_offer: outcome.final_offer,
        is_final: outcome.is_final(),
        call_id: req.call_id.clone(),
        load_id: req.load_id.clone(),
        loadboard_rate: econ.posted,
        message,
    })
}

#[utoipa::path(
    post,
    path = "/api/v1/negotiations/evaluate",
    operation_id = "evaluateOffer",
    tag = "agent",
    summary = "Answer the carrier's rate",
    description = "Scope: agent. One round of at most three per `(call_id, load_id)`: accept, counter, or (round 3 above the ceiling) reject with a final offer that then stands. An identical offer within `CARRIER_SALES__NEGOTIATION__RETRY_WINDOW_SECS` (10 s) is a webhook retry and gets the same answer. No prior verification or future pickup is needed; booked or cancelled loads are refused.",
    request_body(content = crate::http::openapi::EvaluateRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The decision and what to say.", body = crate::http::openapi::NegotiationAnswer),
        (status = 400, description = "`invalid_json` or `invalid_body`: the body is not a JSON object.", body = crate::http::openapi::ErrorBody),
        (status = 404, description = "`load_not_found` (field `load_id`).", body = crate::http::openapi::ErrorBody),
        (status = 409, description = "`load_already_booked` or `load_not_available` (field `load_id`); `negotiation_closed` (the deal is done or three rounds are over; the body adds `negotiation` with its state); `concurrent_offer` (another offer for this load is being evaluated).", body = crate::http::openapi::ErrorBody),
        (status = 413, description = "`payload_too_large`: the body is over `BODY_LIMIT_KB`.", body = crate::http::openapi::ErrorBody),
        (status = 422, description = "`missing_field` or `invalid_value` on `call_id`, `load_id`, `carrier_offer` (e.g. negative) or `mc_number`.", body = crate::http::openapi::ErrorBody),
    ),
    security(("x_api_key" = []), ("api_key" = []), ("bearer" = []))
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
    let answer = db
        .write(move |conn| -> AppResult<Answer> {
            let policy = Policy::from(&state.settings.negotiation);
            let mut attempt = 0;
            loop {
                let now_ms = to_ms(Utc::now());
                match write_tx(conn, |c| evaluate_tx(c, &req, &policy, &state.settings.negotiation, now_ms)) {
                    Ok(a) => {
                        let decision = match a.decision {
                            Decision::Accept => "accept",
                            Decision::Counter => "counter",
                            Decision::Reject => "reject",
                        };
                        crate::telemetry::telemetry().negotiation_decisions.with_label_values(&[decision]).inc();
                        return Ok(a);
                    }
                    Err(TxError::App(e)) => return Err(*e),
                    Err(TxError::LostRace) if attempt < 3 => attempt += 1,
                    Err(TxError::LostRace) => {
                        return Err(AppError::conflict(
                            ErrorCode::ConcurrentOffer,
                            "Another offer for this load is being evaluated; try again.",
                        ))
                    }
                }
            }
        })
        .await?;
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
    responses((status = 200, description = "The policy.", body = crate::http::openapi::NegotiationPolicy)),
    security(("x_api_key" = []), ("api_key" = []), ("bearer" = []), ("session_cookie" = []))
)]
pub async fn policy(state: web::Data<AppState>) -> HttpResponse {
    let s = &state.settings.negotiation;
    HttpResponse::Ok().json(json!({
        "max_rounds": MAX_ROUNDS,
        "max_markup": s.max_markup,
        "max_markup_pct": (s.max_markup * 1000.0).round() / 10.0,
        "concession_schedule": s.schedule,
        "rounding_step": s.step_usd,
        "urgency_adjustment": s.urgency_adjustment,
        "urgency_window_hours": s.urgency_window_hours,
        "retry_window_secs": s.retry_window_secs,
        "ceiling_rule": "the load's max_rate when set, else loadboard_rate × (1 + max_markup)",
        "rules": [
            "An ask at or below our last number (or the posted rate) is accepted as asked.",
            "Rounds 1 and 2: counter on the concession schedule, rounded down to the step; an ask at or below that counter is accepted instead.",
            "Round 3: accept within the ceiling, otherwise the ceiling (rounded down) is the final offer and stands.",
        ],
    }))
}
