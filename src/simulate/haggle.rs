//! The carrier's side of the haggling: up to three offers following its strategy, and
//! what it does with the agent's counter or final offer.

use super::api::{Answer, Broken};
use super::call::{cents, text, Call, Haggle, Load};
use super::carrier::{Behaviour, Carrier};
use crate::error::ErrorCode;
use serde_json::Value;

/// A refused offer: a closed negotiation means the carrier walks; a load that is booked
/// or no longer available means it is gone and the next one may be pitched.
fn after_refusal(code: ErrorCode) -> Haggle {
    if code == ErrorCode::NegotiationClosed {
        Haggle::Walk
    } else {
        Haggle::Gone
    }
}

/// How the carrier words its offer `i` of `n`.
fn offer_words(c: &Carrier, i: usize, n: usize, offer: i64) -> String {
    let said = c.say_amount(offer);
    match (i, n) {
        (_, 1) => format!("{said} works for me. I'll take it."),
        (0, _) => format!("I'd need {said} for that one."),
        (1, _) => format!("Meet me at {said} and we've got a deal."),
        _ => format!("{said}, that's about as low as I can go."),
    }
}

impl Call<'_> {
    /// Up to three offers, following the carrier's strategy.
    pub(super) async fn negotiate(&mut self, load: &Load) -> Result<Haggle, Broken> {
        let c = self.carrier;
        let reservation = c.reservation(load.posted);
        let plan: Vec<i64> = if c.behaviour == Behaviour::TakesPosted && reservation <= load.posted {
            vec![load.posted]
        } else {
            c.offers(load.posted).to_vec()
        };
        for (i, &offer) in plan.iter().enumerate() {
            self.offers.push(offer);
            self.tr.carrier(offer_words(c, i, plan.len(), offer));
            let v = match self.evaluate(load, offer).await? {
                Answer::Ok(v) => v,
                Answer::Refused { code, message } => {
                    self.tr.agent(message);
                    return Ok(after_refusal(code));
                }
            };
            self.rounds = v["round"].as_u64().unwrap_or(i as u64 + 1) as u32;
            if let Some(end) = self.hear_answer(load, &v, offer, reservation).await? {
                return Ok(end);
            }
        }
        self.tr.carrier("Yeah, I can't go any lower than that. I'll pass.");
        Ok(Haggle::Walk)
    }

    /// The carrier's reaction to the agent's answer `v` to `offer`; `None` means it makes
    /// its next offer.
    async fn hear_answer(
        &mut self,
        load: &Load,
        v: &Value,
        offer: i64,
        reservation: i64,
    ) -> Result<Option<Haggle>, Broken> {
        let message = text(v, "message");
        match v["decision"].as_str().unwrap_or("") {
            "accept" => {
                self.tr.agent(message);
                Ok(Some(Haggle::Deal(cents(&v["agreed_rate"]).unwrap_or(offer))))
            }
            "counter" => {
                self.tr.agent(message);
                let counter = cents(&v["counter_offer"]).unwrap_or(0);
                if counter >= reservation && counter > 0 {
                    return self.take_counter(load, counter).await.map(Some);
                }
                Ok(None)
            }
            "reject" => {
                self.tr.agent(message);
                let last = cents(&v["final_offer"]).unwrap_or(0);
                self.hear_final_offer(load, last, reservation).await.map(Some)
            }
            _ => Ok(Some(Haggle::Walk)),
        }
    }

    /// A counter the carrier can live with: agreed on the spot, or (for carriers that do
    /// so) offered back through evaluate so the service records the agreement.
    async fn take_counter(&mut self, load: &Load, counter: i64) -> Result<Haggle, Broken> {
        let said = self.carrier.say_amount(counter);
        if !self.carrier.accept_counter_via_evaluate {
            self.tr.carrier(format!("Yeah, {said} works. Let's do it."));
            return Ok(Haggle::Deal(counter));
        }
        self.tr.carrier(format!("Alright, I can do {said}."));
        self.offers.push(counter);
        self.settle(load, counter, true).await
    }

    /// The agent's last word after round 3: taken when the carrier can live with it.
    async fn hear_final_offer(&mut self, load: &Load, last: i64, reservation: i64) -> Result<Haggle, Broken> {
        let c = self.carrier;
        if last >= reservation && last > 0 {
            self.tr.carrier(format!("Fine. {} it is, I'll take it.", c.say_amount(last)));
            self.offers.push(last);
            return self.settle(load, last, false).await;
        }
        self.tr.carrier(if c.persona.mood_positive {
            "I can't make that work for that money. I'll pass, thanks anyway."
        } else {
            "That's way too cheap for that run. I'll pass."
        });
        Ok(Haggle::Walk)
    }

    /// Offers `amount` the agent already named; anything but an accept ends the haggling.
    /// `gone_when_refused`: a refusal other than a closed negotiation means the load is gone.
    async fn settle(&mut self, load: &Load, amount: i64, gone_when_refused: bool) -> Result<Haggle, Broken> {
        match self.evaluate(load, amount).await? {
            Answer::Ok(v) => {
                self.tr.agent(text(&v, "message"));
                Ok(if v["decision"] == "accept" {
                    Haggle::Deal(cents(&v["agreed_rate"]).unwrap_or(amount))
                } else {
                    Haggle::Walk
                })
            }
            Answer::Refused { code, message } => {
                self.tr.agent(message);
                Ok(if gone_when_refused { after_refusal(code) } else { Haggle::Walk })
            }
        }
    }
}
