//! `POST /calls/finalize`: the end-of-call record the workflow posts after each call.
//!
//! Upsert by `call_id`: a retried webhook never makes a second record, and a later
//! finalize wins field by field where it carries a value. When the agent's outcome or
//! sentiment is missing or not a label, the service classifies the call from what it
//! recorded (verification, searches, negotiation, booking) and the transcript.
//!
//! This is the finalize's core: what a body says ([`FinalizeInput`]) and which labels win
//! ([`Labels::decide`]); the transaction is `store::finalize`, the route `routes::finalize`.

use super::classify::{self, Facts, Outcome, Sentiment};
use crate::error::{AppError, AppResult};
use crate::parse::{Fields, Turn, When};
use crate::types::Money;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// What a finalize body carries, every field optional (the call's id is resolved by
/// [`super::identity`]).
#[derive(Debug, Default)]
pub struct FinalizeInput {
    pub call_id: String,
    pub mc_number: Option<String>,
    pub carrier_name: Option<String>,
    pub load_id: Option<String>,
    pub outcome_raw: Option<String>,
    pub sentiment_raw: Option<String>,
    pub agreed_rate: Option<Money>,
    pub initial_offer: Option<Money>,
    pub rounds: Option<i64>,
    pub transferred: Option<bool>,
    pub duration_seconds: Option<i64>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub transcript: Option<Vec<Turn>>,
    pub summary: Option<String>,
    pub carrier_phone: Option<String>,
    pub callback_at: Option<DateTime<Utc>>,
    pub extracted: Option<Value>,
    /// The platform's session named beside the call's id: its status events land here.
    pub platform_session: Option<String>,
}

const MAX_EXTRACTED_BYTES: usize = 64 * 1024;

fn utc(w: Option<When>) -> Option<DateTime<Utc>> {
    // Zone-less times from the platform are UTC.
    w.map(|w| w.to_utc(|n| n.and_utc()))
}

impl FinalizeInput {
    pub fn read(f: &Fields, call_id: String) -> AppResult<FinalizeInput> {
        let mut extracted = match f.raw("extracted") {
            None => None,
            Some(Value::Object(o)) => Some(Value::Object(o.clone())),
            // Templating sometimes sends the object as a JSON string.
            Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
                Ok(v @ Value::Object(_)) => Some(v),
                _ => return Err(AppError::invalid("extracted", "`extracted` must be a JSON object.")),
            },
            Some(_) => return Err(AppError::invalid("extracted", "`extracted` must be a JSON object.")),
        };
        // A key-value body builder cannot nest: `extracted.<name>` keys are folded in.
        for (name, value) in f.prefixed("extracted.") {
            if let Value::Object(o) = extracted.get_or_insert_with(|| Value::Object(Default::default())) {
                o.insert(name.to_string(), value.clone());
            }
        }
        if extracted.as_ref().is_some_and(|e| e.to_string().len() > MAX_EXTRACTED_BYTES) {
            return Err(AppError::invalid("extracted", "`extracted` is larger than 64 KiB."));
        }
        let duration = f.count("duration_seconds", true)?;
        if duration.is_some_and(|d| d > 24 * 3600) {
            return Err(AppError::invalid("duration_seconds", "`duration_seconds` is longer than a day."));
        }
        let rounds = f.count("negotiation_rounds", false)?;
        if rounds.is_some_and(|r| r > 3) {
            return Err(AppError::invalid("negotiation_rounds", "`negotiation_rounds` is at most 3."));
        }
        let started_at = utc(f.when("started_at")?);
        let ended_at = utc(f.when("ended_at")?);
        if let (Some(s), Some(e)) = (started_at, ended_at) {
            if e < s {
                return Err(AppError::invalid("ended_at", "`ended_at` is before `started_at`."));
            }
        }
        Ok(FinalizeInput {
            call_id,
            mc_number: f.mc("mc_number")?.map(|m| m.as_str().to_string()),
            carrier_name: f.text("carrier_name")?,
            load_id: f.id("load_id")?,
            outcome_raw: f.text("outcome")?,
            sentiment_raw: f.text("sentiment")?,
            agreed_rate: f.money("agreed_rate")?,
            initial_offer: f.money("initial_carrier_offer")?,
            rounds,
            transferred: f.boolean("transferred")?,
            duration_seconds: duration,
            started_at,
            ended_at,
            transcript: f.transcript("transcript")?,
            summary: f.long_text("summary", 10_000)?,
            carrier_phone: f.text("carrier_phone")?,
            callback_at: utc(f.when("callback_at")?),
            extracted,
            platform_session: None,
        })
    }
}

/// The labels an earlier finalize's agent gave the call (kept when a later finalize
/// sends none).
pub struct Earlier {
    pub outcome: Option<String>,
    pub sentiment: Option<String>,
}

/// The call's outcome and sentiment, and who gave each.
#[derive(Clone, Copy)]
pub struct Labels {
    pub outcome: Outcome,
    pub sentiment: Sentiment,
    pub outcome_by_agent: bool,
    pub sentiment_by_agent: bool,
    /// The agent's outcome disagrees with what the service recorded.
    pub outcome_conflict: bool,
}

impl Labels {
    /// The agent's labels win when they are labels; a later finalize without one keeps
    /// an earlier agent label; the rest is classified from the facts and the transcript.
    pub fn decide(input: &FinalizeInput, earlier: &Earlier, facts: &Facts, transcript: &[Turn]) -> Labels {
        let agent_outcome = input
            .outcome_raw
            .as_deref()
            .and_then(Outcome::parse)
            .or_else(|| earlier.outcome.as_deref().and_then(Outcome::parse));
        let agent_sentiment = input
            .sentiment_raw
            .as_deref()
            .and_then(Sentiment::parse)
            .or_else(|| earlier.sentiment.as_deref().and_then(Sentiment::parse));
        Labels {
            outcome: agent_outcome.unwrap_or_else(|| classify::classify_outcome(facts, transcript)),
            sentiment: agent_sentiment.unwrap_or_else(|| classify::score_sentiment(transcript).sentiment),
            outcome_by_agent: agent_outcome.is_some(),
            sentiment_by_agent: agent_sentiment.is_some(),
            outcome_conflict: agent_outcome.is_some_and(|o| classify::conflicts(o, facts)),
        }
    }

    /// `agent` when both labels came from the agent, else `service`.
    pub fn classified_by(&self) -> ClassifiedBy {
        by(self.outcome_by_agent && self.sentiment_by_agent)
    }
}

// Who gave a label: the agent (the workflow's AI Classify node) or the service's own
// classifier. (A plain comment: the document gives the schema no description.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ClassifiedBy {
    Agent,
    Service,
}

impl ClassifiedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            ClassifiedBy::Agent => "agent",
            ClassifiedBy::Service => "service",
        }
    }
}

/// Who gave a label.
pub fn by(agent: bool) -> ClassifiedBy {
    if agent {
        ClassifiedBy::Agent
    } else {
        ClassifiedBy::Service
    }
}

/// A recorded finalize.
pub struct Finalized {
    pub call_id: String,
    pub labels: Labels,
    /// False when the call was already finalized (a retried webhook updates the record).
    pub created: bool,
}
