//! One simulated call: the carrier and what it heard and said, the tool requests it
//! makes, and the end-of-call record it sends.

use super::api::{Answer, Api, Broken};
use super::carrier::{Carrier, Lane, Rng, Transcript};
use super::report::{Booked, CallRecord};
use super::turnstile::{Gate, Turnstile};
use super::{SimOptions, Tool};
use crate::error::ErrorCode;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

/// A load as the search answered it.
#[derive(Clone, Debug)]
pub(super) struct Load {
    pub(super) id: String,
    pub(super) posted: i64,
    pub(super) pitch: String,
}

/// What every call of a run shares.
pub(super) struct Ctx<'a> {
    pub(super) opts: &'a SimOptions,
    pub(super) api: &'a Api,
    pub(super) turnstile: &'a Turnstile,
}

/// A call in progress: the carrier, what it has heard and said, and what it got.
pub(super) struct Call<'a> {
    pub(super) ctx: &'a Ctx<'a>,
    pub(super) carrier: &'a Carrier,
    pub(super) call_id: String,
    pub(super) tr: Transcript,
    pub(super) mc: String,
    pub(super) carrier_name: Option<String>,
    pub(super) pitched: bool,
    pub(super) booking: Option<Booked>,
    pub(super) negotiated_load: Option<String>,
    pub(super) offers: Vec<i64>,
    pub(super) rounds: u32,
    pub(super) searched_lane: Option<Lane>,
}

/// How a negotiation over one load ended.
pub(super) enum Haggle {
    Deal(i64),
    Walk,
    Gone,
}

/// Cents from a dollar amount the service answered as a number or a "$2,150" string.
pub(super) fn cents(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_f64().map(|d| (d * 100.0).round() as i64),
        Value::String(s) => {
            s.trim().trim_start_matches('$').replace(',', "").parse::<f64>().ok().map(|d| (d * 100.0).round() as i64)
        }
        _ => None,
    }
}

/// A string field of an answer, empty when absent.
pub(super) fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or("").to_string()
}

impl<'a> Call<'a> {
    pub(super) async fn post(&self, tool: Tool, body: Value, expected: &[ErrorCode]) -> Result<Answer, Broken> {
        self.ctx.api.call(tool, &body, expected).await
    }

    pub(super) fn lane_words(&self, lane: &Lane) -> String {
        let equipment = lane.equipment.as_deref().map(|e| format!(" with a {e}")).unwrap_or_default();
        let dest = lane.destination.as_deref().map(|d| format!(", looking to head to {d}")).unwrap_or_default();
        match self.carrier.persona.greeting % 3 {
            0 => format!("I'm empty in {}{equipment}{dest}.", lane.origin),
            1 => format!("Got a truck sitting in {}{equipment}{dest}. What do you have?", lane.origin),
            _ => format!("Looking for something out of {}{equipment}{dest}.", lane.origin),
        }
    }

    /// The loads found (only this run's own with a load prefix) and what the agent says
    /// when there are none.
    pub(super) async fn search(&mut self, lane: &Lane) -> Result<(Vec<Load>, String), Broken> {
        let mut body = json!({
            "origin": lane.origin,
            "call_id": self.call_id,
            "mc_number": self.mc,
            "max_results": if self.ctx.opts.load_prefix.is_some() { json!(10) } else { json!("3") },
        });
        if let Some(e) = &lane.equipment {
            body["equipment_type"] = json!(e);
        }
        if let Some(d) = &lane.destination {
            body["destination"] = json!(d);
        }
        self.searched_lane = Some(lane.clone());
        self.tr.pause(5.0);
        let Answer::Ok(v) = self.post(Tool::Search, body, &[]).await? else { return Err(Broken) };
        let loads: Vec<Load> = v["loads"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|l| {
                        Some(Load {
                            id: l["load_id"].as_str()?.to_string(),
                            posted: cents(&l["loadboard_rate"])?,
                            pitch: match text(l, "pitch") {
                                p if p.is_empty() => format!("I have load {} available.", text(l, "load_id")),
                                p => p,
                            },
                        })
                    })
                    .filter(|l| self.ctx.opts.load_prefix.as_deref().is_none_or(|p| l.id.starts_with(p)))
                    .take(3)
                    .collect()
            })
            .unwrap_or_default();
        let message = if loads.is_empty() && v["total"].as_u64().unwrap_or(0) > 0 {
            // Everything found is someone else's (demo-data keeps to its own loads).
            "I don't have anything that fits right now. Is there another lane or area you'd run?".to_string()
        } else {
            text(&v, "message")
        };
        Ok((loads, message))
    }

    pub(super) async fn evaluate(&mut self, load: &Load, offer: i64) -> Result<Answer, Broken> {
        self.negotiated_load = Some(load.id.clone());
        let body = json!({
            "call_id": self.call_id,
            "load_id": load.id,
            "carrier_offer": self.carrier.offer_value(offer),
            "mc_number": self.mc,
        });
        self.tr.pause(1.5);
        self.post(
            Tool::Evaluate,
            body,
            &[ErrorCode::LoadAlreadyBooked, ErrorCode::LoadNotAvailable, ErrorCode::NegotiationClosed],
        )
        .await
    }

    /// Books the load; `Ok(false)` when someone else got it first.
    pub(super) async fn handoff(&mut self, load: &Load, rate: i64) -> Result<bool, Broken> {
        let body = json!({
            "call_id": self.call_id,
            "load_id": load.id,
            "mc_number": self.carrier.mc_field,
            "agreed_rate": self.carrier.offer_value(rate),
        });
        self.tr.pause(2.0);
        match self.post(Tool::Handoff, body, &[ErrorCode::LoadAlreadyBooked, ErrorCode::LoadNotAvailable]).await? {
            Answer::Ok(v) => {
                self.tr.agent(text(&v, "message"));
                self.booking = Some(Booked {
                    load_id: load.id.clone(),
                    agreed_cents: cents(&v["agreed_rate"]).unwrap_or(rate),
                    posted_cents: load.posted,
                });
                Ok(true)
            }
            Answer::Refused { message, .. } => {
                self.tr.agent(format!("{message} Let me see what else I have."));
                Ok(false)
            }
        }
    }

    fn sentiment(&self, outcome: &str) -> &'static str {
        let happy = self.carrier.persona.mood_positive;
        match outcome {
            "booked" if happy => "positive",
            "negotiation_failed" | "carrier_ineligible" if !happy => "negative",
            _ => "neutral",
        }
    }

    fn finalize_body(&self, played: &str, started: DateTime<Utc>, duration: i64) -> Value {
        let c = self.carrier;
        let st = &c.style;
        let platform_date = |t: DateTime<Utc>| t.format("%A, %B %-d, %Y %I:%M:%S %p UTC").to_string();
        let ended = started + chrono::Duration::seconds(duration);
        let transferred = self.booking.is_some();
        let transcript = if st.transcript_as_string { json!(self.tr.to_json().to_string()) } else { self.tr.to_json() };
        let lane = self.searched_lane.as_ref();
        let mut body = json!({
            "call_id": self.call_id,
            "mc_number": c.mc_for_finalize(),
            "carrier_name": self.carrier_name.clone().unwrap_or_default(),
            "load_id": self.booking.as_ref().map(|b| b.load_id.clone()).or(self.negotiated_load.clone()).unwrap_or_default(),
            "outcome": c.outcome_label(played),
            "sentiment": c.sentiment_label(self.sentiment(played)),
            "agreed_rate": c.extracted_amount(self.booking.as_ref().map(|b| b.agreed_cents)),
            "initial_carrier_offer": c.extracted_amount(self.offers.first().copied()),
            "negotiation_rounds": if self.rounds == 0 { json!("") } else if st.numbers_as_strings == 2 { json!(self.rounds) } else { json!(self.rounds.to_string()) },
            "transferred": match (transferred, st.numbers_as_strings % 2) {
                (true, 0) => json!("true"),
                (true, _) => json!("yes"),
                (false, 0) => json!("false"),
                (false, _) => json!(""),
            },
            "duration_seconds": if st.duration_zero { json!(0) } else if st.numbers_as_strings == 1 { json!(duration.to_string()) } else { json!(duration) },
            "started_at": platform_date(started),
            "transcript": transcript,
            "extracted": {
                "equipment": lane.and_then(|l| l.equipment.clone()).unwrap_or_default(),
                "current_location": lane.map(|l| l.origin.clone()).unwrap_or_default(),
                "counter_offers_made": self.offers.iter().map(|o| (o / 100).to_string()).collect::<Vec<_>>(),
                "notes_from_carrier": "",
            },
        });
        if st.send_ended_at {
            body["ended_at"] = json!(platform_date(ended));
        }
        body
    }
}

fn session_event(call_id: &str, run_id: &str, previous: &str, current: &str, at: DateTime<Utc>, n: u32) -> Value {
    json!({
        "specversion": "1.0",
        "type": "session.status_changed",
        "source": "happyrobot",
        "id": format!("evt_{call_id}_{n}"),
        "time": at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "datacontenttype": "application/json",
        "data": {
            "run_id": run_id,
            "session_id": call_id,
            "use_case_id": "uc_inbound_carrier_sales",
            "version_id": "ver_12",
            "status": {"previous": previous, "current": current},
            "org": {"name": "Acme Logistics"},
            "use_case": {"name": "Inbound carrier sales", "version": 12}
        }
    })
}

pub(super) async fn play_call(ctx: &Ctx<'_>, carrier: &Carrier, index: usize) -> CallRecord {
    let gate = Gate { turnstile: ctx.turnstile, index };
    let call_id = format!("{}-{:04}", ctx.opts.call_prefix, index + 1);
    let run_id = format!("run_{:016x}", Rng::for_call(ctx.opts.seed ^ 0x5eed, index).next_u64());
    let started = Utc::now();
    let mut call = Call {
        ctx,
        carrier,
        call_id: call_id.clone(),
        tr: Transcript::default(),
        mc: carrier.mc.to_string(),
        carrier_name: None,
        pitched: false,
        booking: None,
        negotiated_load: None,
        offers: Vec::new(),
        rounds: 0,
        searched_lane: None,
    };
    let opened =
        ctx.api.call(Tool::Webhook, &session_event(&call_id, &run_id, "queued", "in-progress", started, 1), &[]).await;
    let mut broken = opened.is_err();
    let played = match call.converse(&gate).await {
        Ok(o) => o,
        Err(Broken) => {
            broken = true;
            call.tr.agent("Sorry, my system is having trouble right now. Can I have a rep call you right back?");
            call.tr.carrier("Sure, call me back.");
            "callback_requested"
        }
    };
    // A call that never searched did not wait: it does now, so that the order holds
    // through it (a later call waits for this one only, not for the ones before).
    ctx.turnstile.wait(index).await;
    gate.release();
    drop(gate);
    let duration = (call.tr.seconds * carrier.style.call_length_factor).round().max(8.0) as i64;
    let ended = started + chrono::Duration::seconds(duration);
    let closed =
        ctx.api.call(Tool::Webhook, &session_event(&call_id, &run_id, "in-progress", "completed", ended, 2), &[]).await;
    broken |= closed.is_err();
    let recorded = match ctx.api.call(Tool::Finalize, &call.finalize_body(played, started, duration), &[]).await {
        Ok(Answer::Ok(v)) => v["outcome"].as_str().map(str::to_string),
        _ => {
            broken = true;
            None
        }
    };
    CallRecord {
        index,
        call_id,
        started_at: started,
        duration_seconds: duration,
        played,
        recorded,
        pitched: call.pitched,
        booking: call.booking,
        broken,
    }
}
