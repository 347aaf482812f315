//! One call of a repeat caller through the HTTP API, as on a real call: the carrier gives
//! its MC (verify), hears a load, and haggles with up to three offers, taking our counter
//! or final offer when it covers its need (an evaluate at that amount). Never a handoff or
//! a finalize: nothing is booked, and memory reads negotiations (SPEC §14).

use super::behaviour::{Haggler, RepeatCarrier};
use super::table::Negotiation;
use crate::simulate::api::{Answer, Api, Broken};
use crate::simulate::call::cents;
use crate::simulate::Tool;
use serde_json::{json, Value};
use std::time::Duration;

/// A load the population may be offered, with the ceiling our policy puts on it.
#[derive(Clone, Debug)]
pub(super) struct BoardLoad {
    pub(super) id: String,
    pub(super) posted: i64,
    pub(super) ceiling: i64,
}

/// What every call of a run shares.
pub(super) struct Player<'a> {
    pub(super) api: &'a Api,
    /// Available loads, by id.
    pub(super) loads: &'a [BoardLoad],
    /// How long a carrier holding firm waits before repeating its offer, so the service
    /// does not take it for a webhook retry (the policy's retry window, and a little).
    pub(super) retry_wait: Duration,
    pub(super) seed: u64,
    pub(super) call_prefix: &'a str,
}

impl Player<'_> {
    /// The `visit`-th call (0-based) of `carrier`.
    pub(super) async fn play(&self, carrier: &RepeatCarrier, visit: usize) -> Negotiation {
        let mut rng = carrier.call_rng(self.seed, visit);
        let load = &self.loads[rng.below(self.loads.len())];
        let haggler = Haggler::draw(&mut rng, carrier.premium, load.posted);
        let mut n = Negotiation {
            carrier: carrier.index,
            visit,
            call_id: format!("{}-{:02}-{:03}", self.call_prefix, carrier.index, visit),
            load_id: load.id.clone(),
            posted_cents: load.posted,
            need_cents: haggler.need,
            ceiling_cents: load.ceiling,
            agreed_cents: None,
            rounds: 0,
            answers: Vec::new(),
            broken: false,
        };
        let played = async {
            self.verify(&n.call_id, carrier.mc).await?;
            self.haggle(&mut n, &haggler).await
        };
        n.broken = played.await.is_err();
        n
    }

    /// Counts an answer the population cannot go on from.
    fn unexpected(&self, what: String) -> Broken {
        *self.api.stats().errors.entry(what).or_default() += 1;
        Broken
    }

    async fn verify(&self, call_id: &str, mc: u64) -> Result<(), Broken> {
        let body = json!({"mc_number": format!("MC-{mc}"), "call_id": call_id});
        let Answer::Ok(v) = self.api.call(Tool::Verify, &body, &[]).await? else { return Err(Broken) };
        if v["eligible"] != json!(true) {
            let status = v["status"].as_str().unwrap_or("?");
            return Err(self.unexpected(format!("fmcsa/verify: MC {mc} is {status}, not eligible")));
        }
        Ok(())
    }

    async fn evaluate(&self, n: &Negotiation, offer: i64) -> Result<Value, Broken> {
        let body = json!({"call_id": n.call_id, "load_id": n.load_id, "carrier_offer": offer / 100});
        match self.api.call(Tool::Evaluate, &body, &[]).await? {
            Answer::Ok(v) => Ok(v),
            Answer::Refused { .. } => Err(Broken),
        }
    }

    /// Offers until a deal or a walk; `n` records the service's answers.
    async fn haggle(&self, n: &mut Negotiation, h: &Haggler) -> Result<(), Broken> {
        let mut offer = h.ask;
        let mut previous = None;
        // Three rounds, then at most our final offer taken: six is already one too many.
        for _ in 0..6 {
            if previous == Some(offer) {
                // Holding firm at its need: the same offer at once would be a retry.
                tokio::time::sleep(self.retry_wait).await;
            }
            let v = self.evaluate(n, offer).await?;
            previous = Some(offer);
            n.rounds = v["round"].as_u64().unwrap_or(0) as u32;
            let decision = v["decision"].as_str().unwrap_or("").to_string();
            let key = match decision.as_str() {
                "accept" => "agreed_rate",
                "counter" => "counter_offer",
                "reject" => "final_offer",
                other => return Err(self.unexpected(format!("evaluate: decision {other:?}"))),
            };
            let Some(amount) = cents(&v[key]) else {
                return Err(self.unexpected(format!("evaluate: {decision} without {key}")));
            };
            n.answers.push(format!("{decision} {} in round {}", crate::types::Money(amount), n.rounds));
            match decision.as_str() {
                "accept" => {
                    n.agreed_cents = Some(amount);
                    return Ok(());
                }
                "counter" if h.takes(amount) => offer = amount,
                "counter" => offer = h.next_offer(offer, amount, n.rounds),
                _ if h.takes(amount) => offer = amount,
                _ => return Ok(()),
            }
        }
        Err(self.unexpected("evaluate: no decision after six offers".into()))
    }
}
