//! The conversation script of a call, from the agent's greeting to the booking (or not).

use super::api::{Answer, Broken};
use super::call::{text, Call, Haggle, Load};
use super::carrier::{Behaviour, Expect};
use super::turnstile::Gate;
use super::Tool;
use serde_json::json;

impl Call<'_> {
    /// The conversation up to the booking (or not); returns the outcome played.
    pub(super) async fn converse(&mut self, gate: &Gate<'_>) -> Result<&'static str, Broken> {
        if !self.greet() {
            return Ok("abandoned");
        }
        if let Some(ended) = self.verify().await? {
            return Ok(ended);
        }
        let Some(loads) = self.find_loads(gate).await? else { return Ok("no_matching_loads") };
        self.pitched = true;
        self.pitch(&loads).await
    }

    /// The agent's greeting and the carrier's first words; `false` when the line drops.
    fn greet(&mut self) -> bool {
        let c = self.carrier;
        self.tr.agent(match c.persona.greeting {
            0 => "Acme Logistics, this is the carrier desk. Can I get your MC number?",
            1 => "Thanks for calling Acme Logistics. Who do I have, and what's your MC number?",
            2 => "Acme Logistics carrier sales, how can I help? Can I start with your MC?",
            _ => "Hi, thanks for calling Acme Logistics. What's your MC number?",
        });
        if c.behaviour == Behaviour::Abandons {
            self.tr.carrier("Yeah hi, this is... hello? You're breaking up on me.");
            self.tr.agent("Sorry, are you still there?");
            return false;
        }
        self.tr.carrier(format!("Hey, this is {}. Sure, it's {}.", c.persona.name, c.say_mc()));
        true
    }

    /// Verifies the carrier's MC; `Some(outcome)` when the call ends on the answer.
    async fn verify(&mut self) -> Result<Option<&'static str>, Broken> {
        let c = self.carrier;
        self.tr.agent("Give me one second while I pull that up.");
        self.tr.pause(4.0);
        let v = match self.post(Tool::Verify, json!({"mc_number": c.mc_field, "call_id": self.call_id}), &[]).await? {
            Answer::Ok(v) => v,
            Answer::Refused { .. } => return Err(Broken),
        };
        if let Some(mc) = v["mc_number"].as_str() {
            self.mc = mc.to_string();
        }
        self.carrier_name = v["carrier"]["legal_name"].as_str().map(str::to_string);
        self.tr.agent(text(&v, "message"));
        match v["status"].as_str().unwrap_or("") {
            "ineligible" | "not_found" => {
                self.tr.carrier(match c.expect {
                    Expect::NotFound => "Huh. That's the number on my authority. I'll double check and call back.",
                    _ if c.persona.mood_positive => "Alright, I understand. I'll get that sorted out.",
                    _ => "Are you serious? That's ridiculous, we've been running for years.",
                });
                Ok(Some("carrier_ineligible"))
            }
            _ => Ok(None),
        }
    }

    /// Searches the carrier's lane (and its other lane when that finds nothing), once the
    /// turnstile lets this call search; `None` when nothing was found.
    async fn find_loads(&mut self, gate: &Gate<'_>) -> Result<Option<Vec<Load>>, Broken> {
        let c = self.carrier;
        self.tr.agent("What lane are you looking for today, and what are you running?");
        let lane_said = self.lane_words(&c.lane);
        self.tr.carrier(lane_said);
        self.ctx.turnstile.wait(gate.index).await;
        let (mut loads, mut message) = self.search(&c.lane).await?;
        if loads.is_empty() {
            if let Some(alt) = &c.alt_lane {
                self.tr.agent(message);
                self.tr.carrier(format!("Okay. What about out of {}?", alt.origin));
                (loads, message) = self.search(alt).await?;
            }
        }
        if loads.is_empty() {
            self.tr.agent(message);
            self.tr.carrier("Alright, no worries. I'll check back with you later.");
            return Ok(None);
        }
        Ok(Some(loads))
    }

    /// The agent pitches the loads in turn until one is booked or the carrier is done.
    async fn pitch(&mut self, loads: &[Load]) -> Result<&'static str, Broken> {
        let c = self.carrier;
        for (i, load) in loads.iter().enumerate() {
            self.tr.agent(load.pitch.clone());
            if i == 0 && c.behaviour == Behaviour::Picky {
                if loads.len() > 1 {
                    self.tr.carrier("Nah, that pickup doesn't work for me. What else you got?");
                    continue;
                }
                self.tr.carrier("Nah, that doesn't work for me. I'll pass, thanks.");
                return Ok("carrier_declined");
            }
            if c.behaviour == Behaviour::Callback {
                self.tr.carrier("Let me run that by my driver and call you back in about an hour.");
                self.tr.agent("Sounds good. Call us back on this line and ask for the carrier desk.");
                return Ok("callback_requested");
            }
            match self.negotiate(load).await? {
                Haggle::Deal(rate) => {
                    if self.handoff(load, rate).await? {
                        self.tr.carrier(if c.persona.mood_positive {
                            "Awesome, appreciate it. Thanks a lot!"
                        } else {
                            "Okay. Thanks."
                        });
                        return Ok("booked");
                    }
                }
                Haggle::Walk => return Ok("negotiation_failed"),
                Haggle::Gone => {}
            }
        }
        self.tr.carrier("Alright, I'll pass for now. Not interested in anything else today.");
        Ok("carrier_declined")
    }
}
