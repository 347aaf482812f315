//! The negotiation room's rows and its one transaction: evaluating an offer. Rounds are
//! counted per `(call_id, load_id)`; a webhook retry gets the answer already given; a
//! closed negotiation is refused; otherwise the pure engine decides and the round, the
//! negotiation and an event are written together. The only place in the room that speaks
//! SQL.

mod memory;

use super::engine::{self, Decision, Economics, Outcome, PastRound, Policy, MAX_ROUNDS};
use super::memory::CarrierMemory;
use super::views::{AnswerFor, NegotiationAnswer, RoundAmounts};
use crate::config::NegotiationSettings;
use crate::db::schema::{loads, negotiation_rounds as rounds, negotiations};
use crate::db::{columns, Statement};
use crate::db::{to_ms, write_tx, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::loads::{LoadRow, LoadStatus};
use crate::types::Money;
use crate::vocab::negotiation::NegotiationStatus;
use chrono::Utc;
use diesel::prelude::*;
use serde_json::json;

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

impl NegotiationRow {
    /// Where it stands; an unknown spelling reads as open (rounds may remain).
    pub fn status(&self) -> NegotiationStatus {
        NegotiationStatus::parse(&self.status).unwrap_or(NegotiationStatus::Open)
    }
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

impl RoundRow {
    /// The answer this round gave.
    fn answer(&self, req: &Request, posted: Money) -> NegotiationAnswer {
        let amounts = RoundAmounts {
            counter: self.counter_cents.map(Money),
            agreed: self.agreed_cents.map(Money),
            final_offer: self.final_offer_cents.map(Money),
        };
        let to = AnswerFor { call_id: &req.call_id, load_id: &req.load_id, posted };
        NegotiationAnswer::of_round(
            Decision::from_stored(&self.decision),
            self.round as u32,
            amounts,
            self.message.clone(),
            to,
        )
    }
}

/// One offer to evaluate.
pub struct Request {
    pub call_id: String,
    pub load_id: String,
    pub offer: Money,
    pub mc_number: Option<String>,
}

impl Request {
    fn key(&self) -> (&str, &str) {
        (self.call_id.as_str(), self.load_id.as_str())
    }
    fn answer_for(&self, posted: Money) -> AnswerFor<'_> {
        AnswerFor { call_id: &self.call_id, load_id: &self.load_id, posted }
    }
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

/// Evaluates one offer in a transaction; a lost race for the same round (another request
/// wrote it first) is decided again, up to three times.
pub fn evaluate(
    conn: &mut DbConnection,
    req: &Request,
    settings: &NegotiationSettings,
) -> AppResult<NegotiationAnswer> {
    let policy = Policy::from(settings);
    let mut attempt = 0;
    loop {
        let now_ms = to_ms(Utc::now());
        match write_tx(conn, |c| evaluate_tx(c, req, &policy, settings, now_ms)) {
            Ok(a) => return Ok(a),
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
}

/// Reads the load and its negotiation, refusing loads that cannot be negotiated.
pub fn negotiable_load(conn: &mut DbConnection, load_id: &str, call_id: Option<&str>) -> AppResult<LoadRow> {
    let found: Option<LoadRow> = loads::table.find(load_id).select(columns::<LoadRow>()).row(conn).optional()?;
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

/// The steps of one evaluation, in one transaction.
fn evaluate_tx(
    conn: &mut DbConnection,
    req: &Request,
    policy: &Policy,
    settings: &NegotiationSettings,
    now_ms: i64,
) -> Result<NegotiationAnswer, TxError> {
    let (existing, played) = load_state(conn, req)?;
    // A retry is answered before the load's status is read, so a retry arriving after the
    // load was booked (by this call or another) still gets the answer the agent acted on.
    if let Some(answer) = retried(existing.as_ref(), &played, req, settings, now_ms) {
        return Ok(answer);
    }
    let load = negotiable_load(conn, &req.load_id, Some(&req.call_id))?;
    crate::calls::record::touch(conn, &req.call_id, req.mc_number.as_deref(), None, now_ms)?;
    let mc = match &req.mc_number {
        Some(mc) => Some(mc.clone()),
        None => crate::calls::record::carrier_mc(conn, &req.call_id)?,
    };
    // The economics are fixed when the negotiation opens, so an edit of the load
    // mid-call cannot move the goalposts.
    let (econ, lane_note) = match &existing {
        Some(n) => (Economics { posted: Money(n.posted_cents), ceiling: Money(n.ceiling_cents) }, None),
        None => opening_economics(conn, &load, policy, settings, now_ms)?,
    };
    if let Some(n) = &existing {
        if let Some(answer) = settled(conn, n, &played, req, econ, now_ms)? {
            return Ok(answer);
        }
    }
    let history: Vec<PastRound> =
        played.iter().map(|r| PastRound { offer: Money(r.offer_cents), counter: r.counter_cents.map(Money) }).collect();
    let urgent = {
        let until = load.pickup_at - now_ms;
        until > 0 && until <= settings.urgency_window_hours as i64 * 3_600_000
    };
    let memory = recall(conn, req, mc.as_deref(), &history, econ, settings, now_ms)?;
    let outcome = engine::decide(econ, policy, &history, req.offer, urgent, memory.as_ref()).ok_or_else(|| {
        AppError::conflict(ErrorCode::NegotiationClosed, "We've already gone three rounds on this load.")
    })?;
    let answer = NegotiationAnswer::of_outcome(&outcome, req.answer_for(econ.posted));
    let mut reason = engine::explain(&outcome, econ, policy, memory.as_ref());
    if let Some(note) = lane_note {
        reason = format!("{reason} {note}");
    }
    let written = Written { outcome: &outcome, message: &answer.message, reason: &reason, mc: mc.as_deref() };
    record_round(conn, req, &written, now_ms)?;
    let last_counter = outcome.counter.or_else(|| history.iter().rev().find_map(|r| r.counter)).map(|m| m.0);
    match existing {
        None => open_negotiation(conn, req, &written, econ, last_counter, now_ms)?,
        Some(_) => advance_negotiation(conn, req, &written, last_counter, now_ms)?,
    }
    crate::events::append(
        conn,
        "negotiation.round",
        Some(&req.call_id),
        json!({
            "load_id": req.load_id, "round": outcome.round as i32, "offer": req.offer, "decision": outcome.decision,
            "counter_offer": outcome.counter, "agreed_rate": outcome.agreed, "final_offer": outcome.final_offer,
        }),
        now_ms,
    )?;
    Ok(answer)
}

/// The negotiation so far: its row (none before the first round) and its rounds in order.
fn load_state(conn: &mut DbConnection, req: &Request) -> Result<(Option<NegotiationRow>, Vec<RoundRow>), TxError> {
    let key = req.key();
    let existing: Option<NegotiationRow> =
        negotiations::table.find(key).select(columns::<NegotiationRow>()).row(conn).optional()?;
    let played: Vec<RoundRow> = rounds::table
        .filter(rounds::call_id.eq(&req.call_id))
        .filter(rounds::load_id.eq(&req.load_id))
        .order(rounds::round.asc())
        .select(columns::<RoundRow>())
        .rows(conn)?;
    Ok((existing, played))
}

/// The economics of a negotiation that opens now: §7's ceiling, lowered by the lane's
/// agreed rates when `lane_ceiling` is on and the load has no `max_rate` (with a note for
/// the round's reason saying so).
fn opening_economics(
    conn: &mut DbConnection,
    load: &LoadRow,
    policy: &Policy,
    settings: &NegotiationSettings,
    now_ms: i64,
) -> Result<(Economics, Option<String>), TxError> {
    let econ = Economics::new(load.rate(), load.max_rate_cents.map(Money), policy);
    if !settings.lane_ceiling || load.max_rate_cents.is_some() {
        return Ok((econ, None));
    }
    let Some(lane) = memory::lane_rate(conn, load, window_start(settings, now_ms))? else { return Ok((econ, None)) };
    match lane.ceiling(load.miles.unwrap_or(0)).map(|c| c.max(econ.posted)) {
        Some(c) if c < econ.ceiling => {
            let note = format!(
                "Ceiling lowered from {} to {} by the lane's rates ({} agreements, at most ${:.2}/mi).",
                econ.ceiling.spoken(),
                c.spoken(),
                lane.agreements,
                lane.max_cents_per_mile / 100.0
            );
            Ok((Economics { ceiling: c, ..econ }, Some(note)))
        }
        _ => Ok((econ, None)),
    }
}

/// What memory says of the carrier, read only when it can matter: learning is on, the MC
/// is known, and this offer will be countered or weighed against a counter (rounds 1–2,
/// above our standing number).
fn recall(
    conn: &mut DbConnection,
    req: &Request,
    mc: Option<&str>,
    history: &[PastRound],
    econ: Economics,
    settings: &NegotiationSettings,
    now_ms: i64,
) -> Result<Option<CarrierMemory>, TxError> {
    let (Some(mc), true) = (mc, settings.learning) else { return Ok(None) };
    let c_prev = history.iter().rev().find_map(|r| r.counter).unwrap_or(econ.posted);
    if history.len() as u32 + 1 >= MAX_ROUNDS || req.offer <= c_prev {
        return Ok(None);
    }
    let past = memory::carrier_history(conn, mc, &req.call_id, window_start(settings, now_ms))?;
    Ok(CarrierMemory::learn(&past))
}

/// The oldest moment memory reads.
fn window_start(settings: &NegotiationSettings, now_ms: i64) -> i64 {
    now_ms - settings.memory_days as i64 * 86_400_000
}

/// What a round writes besides the request: the outcome, what the agent was told, why
/// (for the call story), and the carrier's MC as known now.
struct Written<'a> {
    outcome: &'a Outcome,
    message: &'a str,
    reason: &'a str,
    mc: Option<&'a str>,
}

/// A webhook retry: the same offer as the last round, within the retry window, gets the
/// last round's answer again.
fn retried(
    existing: Option<&NegotiationRow>,
    played: &[RoundRow],
    req: &Request,
    settings: &NegotiationSettings,
    now_ms: i64,
) -> Option<NegotiationAnswer> {
    let (last, n) = (played.last()?, existing?);
    let retry_ms = settings.retry_window_secs as i64 * 1000;
    (last.offer_cents == req.offer.0 && now_ms - last.created_at <= retry_ms)
        .then(|| last.answer(req, Money(n.posted_cents)))
}

/// An offer on a negotiation already agreed or rejected: the deal repeated, our standing
/// final offer taken, or a 409 saying it is closed. `None` while it is open.
fn settled(
    conn: &mut DbConnection,
    n: &NegotiationRow,
    played: &[RoundRow],
    req: &Request,
    econ: Economics,
    now_ms: i64,
) -> Result<Option<NegotiationAnswer>, TxError> {
    match n.status() {
        NegotiationStatus::Agreed if n.agreed_rate_cents == Some(req.offer.0) => {
            // The carrier repeats the agreed rate: the deal stands, no new round.
            let mut answer = played
                .last()
                .map(|r| r.answer(req, econ.posted))
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("agreed negotiation without rounds")))?;
            answer.decision = Decision::Accept;
            answer.agreed_rate = Some(req.offer);
            answer.message = format!("We're all set at {}.", req.offer.spoken());
            Ok(Some(answer))
        }
        NegotiationStatus::Rejected if n.final_offer_cents.is_some_and(|f| req.offer.0 <= f) => {
            Ok(Some(take_final_offer(conn, n, req, econ, now_ms)?))
        }
        NegotiationStatus::Agreed | NegotiationStatus::Rejected => Err(closed(n).into()),
        NegotiationStatus::Open => Ok(None),
    }
}

/// The carrier takes (or beats) our standing final offer: the negotiation is agreed.
fn take_final_offer(
    conn: &mut DbConnection,
    n: &NegotiationRow,
    req: &Request,
    econ: Economics,
    now_ms: i64,
) -> Result<NegotiationAnswer, TxError> {
    diesel::update(negotiations::table.find(req.key()))
        .set((
            negotiations::status.eq(NegotiationStatus::Agreed.as_str()),
            negotiations::agreed_rate_cents.eq(Some(req.offer.0)),
            negotiations::updated_at.eq(now_ms),
        ))
        .execute(conn)?;
    crate::events::append(
        conn,
        "negotiation.final_offer_accepted",
        Some(&req.call_id),
        json!({"load_id": req.load_id, "round": n.rounds, "agreed_rate": req.offer}),
        now_ms,
    )?;
    let amounts = RoundAmounts { counter: None, agreed: Some(req.offer), final_offer: n.final_offer_cents.map(Money) };
    let message = format!("Great, {} it is. We have a deal.", req.offer.spoken());
    Ok(NegotiationAnswer::of_round(Decision::Accept, n.rounds as u32, amounts, message, req.answer_for(econ.posted)))
}

/// The 409 for a closed negotiation, with its state beside the error.
fn closed(n: &NegotiationRow) -> AppError {
    let message = match (n.status(), n.agreed_rate_cents, n.final_offer_cents) {
        (NegotiationStatus::Agreed, Some(a), _) => format!("We already agreed on {} for this load.", Money(a).spoken()),
        (_, _, Some(f)) => {
            format!("We've gone {MAX_ROUNDS} rounds on this load; my final offer of {} stands.", Money(f).spoken())
        }
        _ => "This negotiation is closed.".to_string(),
    };
    let state = json!({
        "call_id": n.call_id,
        "load_id": n.load_id,
        "status": n.status,
        "rounds": n.rounds,
        "max_rounds": MAX_ROUNDS,
        "last_counter": n.last_counter_cents.map(Money),
        "agreed_rate": n.agreed_rate_cents.map(Money),
        "final_offer": n.final_offer_cents.map(Money),
        "loadboard_rate": Money(n.posted_cents),
    });
    AppError::conflict(ErrorCode::NegotiationClosed, message).with_extra("negotiation", state)
}

/// Where the negotiation stands after this outcome.
fn status_after(outcome: &Outcome) -> NegotiationStatus {
    match outcome.decision {
        Decision::Accept => NegotiationStatus::Agreed,
        Decision::Counter => NegotiationStatus::Open,
        Decision::Reject => NegotiationStatus::Rejected,
    }
}

/// Writes the round; a round already written by another request is a lost race.
fn record_round(conn: &mut DbConnection, req: &Request, w: &Written, now_ms: i64) -> Result<(), TxError> {
    let (outcome, message) = (w.outcome, w.message);
    diesel::insert_into(rounds::table)
        .values((
            rounds::call_id.eq(&req.call_id),
            rounds::load_id.eq(&req.load_id),
            rounds::round.eq(outcome.round as i32),
            rounds::offer_cents.eq(req.offer.0),
            rounds::decision.eq(outcome.decision.as_str()),
            rounds::counter_cents.eq(outcome.counter.map(|m| m.0)),
            rounds::agreed_cents.eq(outcome.agreed.map(|m| m.0)),
            rounds::final_offer_cents.eq(outcome.final_offer.map(|m| m.0)),
            rounds::message.eq(message),
            rounds::created_at.eq(now_ms),
            rounds::reason.eq(w.reason),
        ))
        .run(conn)?;
    Ok(())
}

/// The first round opens the negotiation, fixing its economics.
fn open_negotiation(
    conn: &mut DbConnection,
    req: &Request,
    w: &Written,
    econ: Economics,
    last_counter: Option<i64>,
    now_ms: i64,
) -> Result<(), TxError> {
    let outcome = w.outcome;
    diesel::insert_into(negotiations::table)
        .values((
            negotiations::call_id.eq(&req.call_id),
            negotiations::load_id.eq(&req.load_id),
            negotiations::mc_number.eq(w.mc),
            negotiations::status.eq(status_after(outcome).as_str()),
            negotiations::posted_cents.eq(econ.posted.0),
            negotiations::ceiling_cents.eq(econ.ceiling.0),
            negotiations::last_counter_cents.eq(last_counter),
            negotiations::agreed_rate_cents.eq(outcome.agreed.map(|m| m.0)),
            negotiations::final_offer_cents.eq(outcome.final_offer.map(|m| m.0)),
            negotiations::rounds.eq(outcome.round as i32),
            negotiations::created_at.eq(now_ms),
            negotiations::updated_at.eq(now_ms),
        ))
        .run(conn)?;
    Ok(())
}

/// A later round moves the negotiation on (and learns the MC when given now).
fn advance_negotiation(
    conn: &mut DbConnection,
    req: &Request,
    w: &Written,
    last_counter: Option<i64>,
    now_ms: i64,
) -> Result<(), TxError> {
    let outcome = w.outcome;
    diesel::update(negotiations::table.find(req.key()))
        .set((
            negotiations::status.eq(status_after(outcome).as_str()),
            negotiations::last_counter_cents.eq(last_counter),
            negotiations::agreed_rate_cents.eq(outcome.agreed.map(|m| m.0)),
            negotiations::final_offer_cents.eq(outcome.final_offer.map(|m| m.0)),
            negotiations::rounds.eq(outcome.round as i32),
            negotiations::updated_at.eq(now_ms),
        ))
        .execute(conn)?;
    if let Some(mc) = w.mc {
        diesel::update(negotiations::table.find(req.key())).set(negotiations::mc_number.eq(mc)).execute(conn)?;
    }
    Ok(())
}
