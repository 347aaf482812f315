//! The negotiation room's requests and answers as the API shows them (SPEC §7): the
//! answer to an offer (built from the engine's outcome or from a stored round) and the
//! policy in force. The request body is read leniently by `crate::parse::Fields`; its type
//! here only describes what is accepted.

use super::engine::{Decision, Outcome, MAX_ROUNDS};
use super::memory::{CALL_NOISE, COUNTER_SPREADS, LANE_MIN_AGREEMENTS, MAX_NEGOTIATIONS};
use crate::config::NegotiationSettings;
use crate::parse::schema::{IdInput, LenientAmount, McInput, Usd};
use crate::types::Money;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(ToSchema)]
#[schema(example = json!({"call_id": "call-8f2a", "load_id": "L-1001", "carrier_offer": "$2,450", "mc_number": "700010"}))]
pub struct EvaluateRequest {
    /// The call (SPEC §12.1). Missing, blank or an unrendered template (`{{session.id}}`): the carrier's call in progress is found from `mc_number`, else a new id is issued (without either, a 422 names `call_id`). The answer says which id was used.
    pub call_id: Option<IdInput>,
    /// An alias of `call_id`.
    pub session_id: Option<IdInput>,
    /// An alias of `call_id`.
    pub run_id: Option<IdInput>,
    pub load_id: IdInput,
    /// What the carrier asks, e.g. `2400` or `"$2,400"`.
    pub carrier_offer: LenientAmount,
    pub mc_number: Option<McInput>,
}

/// The answer to one offer: our decision, the numbers, and what the agent can say.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NegotiationAnswer {
    pub decision: Decision,
    #[schema(value_type = i64, minimum = 1)]
    pub round: u32,
    #[schema(value_type = i64)]
    pub max_rounds: u32,
    #[schema(value_type = i64)]
    pub rounds_remaining: u32,
    /// Our counter (decision `counter`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Usd, required = false)]
    pub counter_offer: Option<Money>,
    /// The rate agreed (decision `accept`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Usd, required = false)]
    pub agreed_rate: Option<Money>,
    /// Our final offer, which stands after round 3 (decision `reject`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Usd, required = false)]
    pub final_offer: Option<Money>,
    /// No further rounds: accepted, or our final offer stands.
    #[serde(rename = "final")]
    pub is_final: bool,
    pub call_id: String,
    pub load_id: String,
    #[schema(value_type = Usd)]
    pub loadboard_rate: Money,
    /// What the agent can say.
    pub message: String,
}

/// Which negotiation an answer belongs to, and its posted rate.
pub struct AnswerFor<'a> {
    pub call_id: &'a str,
    pub load_id: &'a str,
    pub posted: Money,
}

impl NegotiationAnswer {
    /// The answer the engine's outcome gives, with what the agent says.
    pub fn of_outcome(outcome: &Outcome, to: AnswerFor) -> NegotiationAnswer {
        NegotiationAnswer {
            decision: outcome.decision,
            round: outcome.round,
            max_rounds: MAX_ROUNDS,
            rounds_remaining: if outcome.is_final() { 0 } else { MAX_ROUNDS - outcome.round },
            counter_offer: outcome.counter,
            agreed_rate: outcome.agreed,
            final_offer: outcome.final_offer,
            is_final: outcome.is_final(),
            call_id: to.call_id.to_string(),
            load_id: to.load_id.to_string(),
            loadboard_rate: to.posted,
            message: message_for(outcome),
        }
    }

    /// The answer a stored round gave (a retry, or the deal repeated).
    pub fn of_round(decision: Decision, round: u32, amounts: RoundAmounts, message: String, to: AnswerFor) -> Self {
        NegotiationAnswer {
            decision,
            round,
            max_rounds: MAX_ROUNDS,
            rounds_remaining: if decision == Decision::Counter { MAX_ROUNDS - round } else { 0 },
            counter_offer: amounts.counter,
            agreed_rate: amounts.agreed,
            final_offer: amounts.final_offer,
            is_final: decision != Decision::Counter,
            call_id: to.call_id.to_string(),
            load_id: to.load_id.to_string(),
            loadboard_rate: to.posted,
            message,
        }
    }
}

/// The amounts a round named.
pub struct RoundAmounts {
    pub counter: Option<Money>,
    pub agreed: Option<Money>,
    pub final_offer: Option<Money>,
}

/// What the agent says for an outcome.
pub fn message_for(outcome: &Outcome) -> String {
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

/// The negotiation policy in force (read-only, for the dashboard).
#[derive(Serialize, ToSchema)]
pub struct NegotiationPolicy {
    #[schema(value_type = i64)]
    pub max_rounds: u32,
    /// Ceiling above the posted rate when a load has no `max_rate` (0.10 = 10%).
    pub max_markup: f64,
    pub max_markup_pct: f64,
    /// Share of the gap conceded by round.
    pub concession_schedule: Vec<f64>,
    /// Counters are rounded down to this many dollars.
    #[schema(value_type = i64)]
    pub rounding_step: u32,
    pub urgency_adjustment: f64,
    #[schema(value_type = i64)]
    pub urgency_window_hours: u32,
    #[schema(value_type = i64)]
    pub retry_window_secs: u64,
    #[schema(value_type = String)]
    pub ceiling_rule: &'static str,
    #[schema(value_type = Vec<String>)]
    pub rules: [&'static str; 3],
    /// Pricing memory (SPEC §14).
    pub memory: MemoryPolicy,
}

/// Whether and how counters learn from a carrier's earlier negotiations.
#[derive(Serialize, ToSchema)]
pub struct MemoryPolicy {
    /// `CARRIER_SALES__NEGOTIATION__LEARNING`.
    pub learning: bool,
    /// `CARRIER_SALES__NEGOTIATION__MEMORY_DAYS`: how far back it reads.
    #[schema(value_type = i64)]
    pub memory_days: u32,
    /// `CARRIER_SALES__NEGOTIATION__LANE_CEILING`: lane rates may lower the ceiling of
    /// loads without `max_rate`.
    pub lane_ceiling: bool,
    /// How it works, in sentences a broker can read.
    pub how: Vec<String>,
}

impl MemoryPolicy {
    fn of(s: &NegotiationSettings) -> MemoryPolicy {
        let mut how = vec![
            format!("Each earlier negotiation of the carrier (by MC, last {} days, latest {}) gives an estimate of the premium over posted it needed: between the highest number of ours it turned down and its lowest ask or the rate agreed.", s.memory_days, MAX_NEGOTIATIONS),
            format!("Their mean is the carrier's premium; its spread is how far they scatter over how many there are, plus {:.1} points of call-to-call noise.", CALL_NOISE * 100.0),
            format!("Round 1 counters at the premium minus {} spread and round 2 at the premium plus {} spread, within the same limits as the schedule: never below posted, our last counter or above the ceiling, rounded down to the step; round 3 and the final offer are unchanged.", -COUNTER_SPREADS[0], COUNTER_SPREADS[1]),
            "A carrier without history gets exactly the schedule. History is never said to the carrier: it only shows in the call story and the carrier page.".to_string(),
        ];
        if !s.learning {
            how.insert(0, "Off: every call gets the concession schedule.".to_string());
        }
        if s.lane_ceiling {
            how.push(format!("A load without max_rate on a lane with at least {LANE_MIN_AGREEMENTS} agreements in the window gets a ceiling no higher than the lane's highest agreed rate per mile times its miles (never below posted)."));
        }
        MemoryPolicy { learning: s.learning, memory_days: s.memory_days, lane_ceiling: s.lane_ceiling, how }
    }
}

impl From<&NegotiationSettings> for NegotiationPolicy {
    fn from(s: &NegotiationSettings) -> Self {
        NegotiationPolicy {
            max_rounds: MAX_ROUNDS,
            max_markup: s.max_markup,
            max_markup_pct: (s.max_markup * 1000.0).round() / 10.0,
            concession_schedule: s.schedule.clone(),
            rounding_step: s.step_usd,
            urgency_adjustment: s.urgency_adjustment,
            urgency_window_hours: s.urgency_window_hours,
            retry_window_secs: s.retry_window_secs,
            ceiling_rule: "the load's max_rate when set, else loadboard_rate × (1 + max_markup)",
            rules: [
                "An ask at or below our last number (or the posted rate) is accepted as asked.",
                "Rounds 1 and 2: counter on the concession schedule, rounded down to the step; an ask at or below that counter is accepted instead.",
                "Round 3: accept within the ceiling, otherwise the ceiling (rounded down) is the final offer and stands.",
            ],
            memory: MemoryPolicy::of(s),
        }
    }
}
