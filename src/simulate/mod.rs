//! `carrier-sales simulate`: plays realistic carrier calls through the public HTTP API,
//! exactly as the voice agent would (session webhook, verify, search, up to three offers,
//! handoff, session webhook, end-of-call record), and prints latency per tool, outcomes
//! and one summary line, `booked=N lost=N avg_premium_pct=X`.
//!
//! Determinism. Every call draws its carrier (MC, lane, hidden reservation price, phrasing,
//! how messy its end-of-call record is) from its own SplitMix64 generator seeded with the
//! run's seed and the call's index, so what a call does depends only on the seed and on the
//! server's answers. The answers themselves depend on which loads are still available, so
//! calls that could compete for the same loads run in index order: a call's search may
//! only see loads within 100 miles (the search's widening radius) of the origins it asks
//! for, so each call holds a set of 1-degree map cells around those origins, and waits,
//! before its first search, until every earlier call sharing a cell has booked or given up.
//! Calls on distant lanes run side by side. With the same seed against the same initial
//! data, the summary line is therefore the same at any `--concurrency` (caveats: other
//! traffic on the same server, and a load whose pickup passes between two runs).
//!
//! The simulator never panics on a bad answer: a 5xx, a transport error or an unexpected
//! refusal ends that call (it is still closed with the webhook and finalize), is counted
//! and shown, and makes [`Report::failed`] true, which the CLI turns into exit code 1.

pub mod carrier;
pub mod demo;

use crate::error::ErrorCode;
use crate::geo::{self, Place};
use carrier::{Behaviour, Carrier, Expect, Lane, Rng, Transcript};
use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// What to run.
#[derive(Clone, Debug)]
pub struct SimOptions {
    /// The service, e.g. `http://127.0.0.1:8080` (no `/api/v1`).
    pub base_url: String,
    /// An agent-scope key (sent in the `api-key` header, as the platform does).
    pub api_key: String,
    pub calls: usize,
    pub concurrency: usize,
    pub seed: u64,
    /// Call ids are `<prefix>-<n>`; by default `sim-<seed>-<run tag>`, so a second run with
    /// the same seed against the same server does not collide with the first.
    pub call_prefix: String,
    /// Only loads whose id starts with this are considered (demo-data pitches its own loads).
    pub load_prefix: Option<String>,
    /// Draw a progress bar on stderr.
    pub progress: bool,
    pub request_timeout: Duration,
}

impl SimOptions {
    pub fn new(base_url: impl Into<String>, api_key: impl Into<String>, calls: usize, seed: u64) -> SimOptions {
        SimOptions {
            base_url: {
                let url: String = base_url.into();
                url.trim_end_matches('/').trim_end_matches("/api/v1").trim_end_matches('/').to_string()
            },
            api_key: api_key.into(),
            calls,
            concurrency: 4,
            seed,
            call_prefix: format!("sim-{seed}-{}", run_tag()),
            load_prefix: None,
            progress: false,
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// A short stamp for ids made by this run: the time in base 36 ("lq3k9z").
pub fn run_tag() -> String {
    let mut n = Utc::now().timestamp_millis().max(0) as u64 / 100;
    let mut out = Vec::new();
    while n > 0 {
        out.push(b"0123456789abcdefghijklmnopqrstuvwxyz"[(n % 36) as usize]);
        n /= 36;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The agent tools, in the order a call uses them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tool {
    Webhook,
    Verify,
    Search,
    Evaluate,
    Handoff,
    Finalize,
}

impl Tool {
    pub const ALL: [Tool; 6] =
        [Tool::Webhook, Tool::Verify, Tool::Search, Tool::Evaluate, Tool::Handoff, Tool::Finalize];

    pub fn path(self) -> &'static str {
        match self {
            Tool::Webhook => "/api/v1/webhooks/happyrobot",
            Tool::Verify => "/api/v1/fmcsa/verify",
            Tool::Search => "/api/v1/loads/search",
            Tool::Evaluate => "/api/v1/negotiations/evaluate",
            Tool::Handoff => "/api/v1/calls/handoff",
            Tool::Finalize => "/api/v1/calls/finalize",
        }
    }

    pub fn name(self) -> &'static str {
        &self.path()["/api/v1/".len()..]
    }
}

#[derive(Debug, Default)]
struct Stats {
    latency_ms: BTreeMap<Tool, Vec<f64>>,
    failed: BTreeMap<Tool, usize>,
    /// "evaluate 500 internal_error" → count.
    errors: BTreeMap<String, usize>,
    server_errors: usize,
    transport_errors: usize,
    client_errors: usize,
    throttled: usize,
    /// Expected refusals (409 load_already_booked, ...) by code.
    refusals: BTreeMap<String, usize>,
}

/// A tool's answer: 2xx, or a refusal the caller said it expects.
enum Answer {
    Ok(Value),
    Refused { code: ErrorCode, message: String },
}

/// The call cannot go on (5xx, transport error, unexpected refusal); already counted.
#[derive(Debug)]
struct Broken;

struct Api {
    client: reqwest::Client,
    base: String,
    key: String,
    stats: Mutex<Stats>,
}

impl Api {
    fn stats(&self) -> std::sync::MutexGuard<'_, Stats> {
        self.stats.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn fail(&self, tool: Tool, what: String) {
        let mut s = self.stats();
        *s.failed.entry(tool).or_default() += 1;
        *s.errors.entry(format!("{} {what}", tool.name())).or_default() += 1;
    }

    /// POSTs `body`; 429s are waited out and retried (the request was not processed).
    async fn call(&self, tool: Tool, body: &Value, expected: &[ErrorCode]) -> Result<Answer, Broken> {
        let url = format!("{}{}", self.base, tool.path());
        for _attempt in 0..30 {
            let t0 = Instant::now();
            let sent = self.client.post(&url).header("api-key", &self.key).json(body).send().await;
            let res = match sent {
                Ok(r) => r,
                Err(e) => {
                    self.stats().transport_errors += 1;
                    let kind = if e.is_timeout() {
                        "timeout"
                    } else if e.is_connect() {
                        "connection refused or failed"
                    } else {
                        "transport error"
                    };
                    self.fail(tool, kind.to_string());
                    return Err(Broken);
                }
            };
            let status = res.status().as_u16();
            let retry_after = res
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let text = match res.text().await {
                Ok(t) => t,
                Err(_) => {
                    self.stats().transport_errors += 1;
                    self.fail(tool, format!("{status} body not read"));
                    return Err(Broken);
                }
            };
            let ms = t0.elapsed().as_secs_f64() * 1000.0;
            let parsed: Option<Value> = serde_json::from_str(&text).ok();
            if status == 429 {
                self.stats().throttled += 1;
                tokio::time::sleep(Duration::from_secs(retry_after.unwrap_or(1).clamp(1, 30))).await;
                continue;
            }
            self.stats().latency_ms.entry(tool).or_default().push(ms);
            if (200..300).contains(&status) {
                return match parsed {
                    Some(v) => Ok(Answer::Ok(v)),
                    None => {
                        self.stats().server_errors += 1;
                        self.fail(tool, format!("{status} answer is not JSON"));
                        Err(Broken)
                    }
                };
            }
            let code = parsed
                .as_ref()
                .and_then(|v| v["error"]["code"].as_str())
                .unwrap_or(if status >= 500 { "server_error" } else { "no_error_code" })
                .to_string();
            let message = parsed.as_ref().and_then(|v| v["error"]["message"].as_str()).unwrap_or("").to_string();
            if status >= 500 {
                self.stats().server_errors += 1;
                self.fail(tool, format!("{status} {code}"));
                return Err(Broken);
            }
            if let Some(&refusal) = expected.iter().find(|e| e.as_str() == code) {
                *self.stats().refusals.entry(format!("{} {status} {code}", tool.name())).or_default() += 1;
                return Ok(Answer::Refused { code: refusal, message });
            }
            self.stats().client_errors += 1;
            let field = parsed.as_ref().and_then(|v| v["error"]["field"].as_str()).map(|f| format!(" [{f}]"));
            self.fail(tool, format!("{status} {code}{}", field.unwrap_or_default()));
            return Err(Broken);
        }
        self.stats().client_errors += 1;
        self.fail(tool, "429 rate limited 30 times".to_string());
        Err(Broken)
    }
}

/// Keeps calls that could compete for the same loads in index order (see the module doc).
struct Turnstile {
    done: Vec<watch::Sender<bool>>,
    deps: Vec<Vec<usize>>,
}

/// Map cells (1 degree) a search from these origins could reach; `None` when a place
/// cannot be resolved (then the call is ordered against every other call).
fn region_cells(lanes: &[&Lane]) -> Option<BTreeSet<(i32, i32)>> {
    let margin = crate::loads::search::WIDEN_RADIUS_MILES + 15.0;
    let mut cells = BTreeSet::new();
    for lane in lanes {
        match geo::gazetteer().resolve(&lane.origin) {
            Place::Cities { matches, .. } if !matches.is_empty() => {
                for c in &matches {
                    let (la0, la1, lo0, lo1) = geo::bounding_box(c.lat, c.lon, margin);
                    for a in la0.floor() as i32..=la1.floor() as i32 {
                        for b in lo0.floor() as i32..=lo1.floor() as i32 {
                            cells.insert((a, b));
                        }
                    }
                }
            }
            _ => return None,
        }
    }
    Some(cells)
}

impl Turnstile {
    fn new(carriers: &[Carrier]) -> Turnstile {
        let mut last: HashMap<(i32, i32), usize> = HashMap::new();
        let mut last_global: Option<usize> = None;
        let mut deps = Vec::with_capacity(carriers.len());
        for (i, c) in carriers.iter().enumerate() {
            let lanes: Vec<&Lane> = std::iter::once(&c.lane).chain(c.alt_lane.as_ref()).collect();
            let mut d: BTreeSet<usize> = last_global.into_iter().collect();
            match region_cells(&lanes) {
                Some(cells) => {
                    for cell in cells {
                        if let Some(j) = last.insert(cell, i) {
                            d.insert(j);
                        }
                    }
                }
                None => {
                    d.extend(last.values().copied());
                    last.clear();
                    last_global = Some(i);
                }
            }
            deps.push(d.into_iter().collect());
        }
        Turnstile { done: (0..carriers.len()).map(|_| watch::channel(false).0).collect(), deps }
    }

    async fn wait(&self, index: usize) {
        for &j in &self.deps[index] {
            let mut rx = self.done[j].subscribe();
            let _ = rx.wait_for(|done| *done).await;
        }
    }
}

/// Lets later calls on the same lanes go on; released at the latest when dropped.
struct Gate<'a> {
    turnstile: &'a Turnstile,
    index: usize,
}

impl Gate<'_> {
    fn release(&self) {
        self.turnstile.done[self.index].send_replace(true);
    }
}

impl Drop for Gate<'_> {
    fn drop(&mut self) {
        self.release();
    }
}

/// A load as the search answered it.
#[derive(Clone, Debug)]
struct Load {
    id: String,
    posted: i64,
    pitch: String,
}

/// A booking the simulator made.
#[derive(Clone, Debug)]
pub struct Booked {
    pub load_id: String,
    pub agreed_cents: i64,
    pub posted_cents: i64,
}

/// One simulated call, as it went.
#[derive(Clone, Debug)]
pub struct CallRecord {
    pub index: usize,
    pub call_id: String,
    /// When the call started (the in-progress webhook's time).
    pub started_at: DateTime<Utc>,
    pub duration_seconds: i64,
    /// The outcome the simulator played.
    pub played: &'static str,
    /// The outcome the service recorded (finalize's answer).
    pub recorded: Option<String>,
    /// A load was pitched to the carrier.
    pub pitched: bool,
    pub booking: Option<Booked>,
    /// Some request of this call failed (5xx, transport, unexpected refusal).
    pub broken: bool,
}

/// Everything a run measured.
#[derive(Debug)]
pub struct Report {
    pub base_url: String,
    pub seed: u64,
    pub concurrency: usize,
    pub elapsed: Duration,
    pub records: Vec<CallRecord>,
    latency_ms: BTreeMap<Tool, Vec<f64>>,
    failed: BTreeMap<Tool, usize>,
    pub errors: BTreeMap<String, usize>,
    pub server_errors: usize,
    pub transport_errors: usize,
    pub client_errors: usize,
    pub throttled: usize,
    pub refusals: BTreeMap<String, usize>,
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

impl Report {
    pub fn booked(&self) -> usize {
        self.records.iter().filter(|r| r.booking.is_some()).count()
    }

    /// Calls that were pitched a load and did not book one.
    pub fn lost(&self) -> usize {
        self.records.iter().filter(|r| r.pitched && r.booking.is_none()).count()
    }

    /// Mean of (agreed - posted) / posted over booked calls, in percent.
    pub fn avg_premium_pct(&self) -> f64 {
        let p: Vec<f64> = self
            .records
            .iter()
            .filter_map(|r| r.booking.as_ref())
            .map(|b| (b.agreed_cents - b.posted_cents) as f64 * 100.0 / b.posted_cents.max(1) as f64)
            .collect();
        if p.is_empty() {
            0.0
        } else {
            p.iter().sum::<f64>() / p.len() as f64
        }
    }

    /// `booked=N lost=N avg_premium_pct=X`: the same for the same seed and initial data.
    pub fn summary_line(&self) -> String {
        format!("booked={} lost={} avg_premium_pct={:.1}", self.booked(), self.lost(), self.avg_premium_pct())
    }

    /// A 5xx, a transport error or an unexpected refusal happened.
    pub fn failed(&self) -> bool {
        self.server_errors + self.transport_errors + self.client_errors > 0
    }

    /// Outcomes as the service recorded them ("(none)" when finalize failed).
    pub fn recorded_outcomes(&self) -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for r in &self.records {
            *m.entry(r.recorded.clone().unwrap_or_else(|| "(not recorded)".into())).or_default() += 1;
        }
        m
    }

    /// The whole printed summary; its last line is [`Report::summary_line`].
    pub fn render(&self) -> String {
        let mut out = String::new();
        let n = self.records.len();
        let secs = self.elapsed.as_secs_f64();
        let _ = writeln!(
            out,
            "Simulated {n} call{} against {} (seed {}, concurrency {}) in {secs:.1} s",
            if n == 1 { "" } else { "s" },
            self.base_url,
            self.seed,
            self.concurrency
        );
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<24} {:>8} {:>9} {:>9} {:>7}",
            "tool (client-side)", "requests", "p50 ms", "p99 ms", "failed"
        );
        for tool in Tool::ALL {
            let mut v = self.latency_ms.get(&tool).cloned().unwrap_or_default();
            v.sort_by(f64::total_cmp);
            let fmt = |x: Option<f64>| x.map(|x| format!("{x:.1}")).unwrap_or_else(|| "-".into());
            let _ = writeln!(
                out,
                "{:<24} {:>8} {:>9} {:>9} {:>7}",
                tool.name(),
                v.len(),
                fmt(percentile(&v, 0.50)),
                fmt(percentile(&v, 0.99)),
                self.failed.get(&tool).copied().unwrap_or(0)
            );
        }
        let _ = writeln!(out);
        let played: BTreeMap<&str, usize> = self.records.iter().fold(BTreeMap::new(), |mut m, r| {
            *m.entry(r.played).or_default() += 1;
            m
        });
        let recorded = self.recorded_outcomes();
        let _ = writeln!(out, "{:<24} {:>8} {:>9}", "outcome", "played", "recorded");
        let names: BTreeSet<&str> = played.keys().copied().chain(recorded.keys().map(String::as_str)).collect();
        for name in names {
            let _ = writeln!(
                out,
                "{name:<24} {:>8} {:>9}",
                played.get(name).copied().unwrap_or(0),
                recorded.get(name).copied().unwrap_or(0)
            );
        }
        let differ: Vec<&CallRecord> =
            self.records.iter().filter(|r| r.recorded.as_deref().is_some_and(|o| o != r.played)).collect();
        if !differ.is_empty() {
            let _ = writeln!(out, "recorded differently from how they were played: {}", differ.len());
            for r in differ.iter().take(5) {
                let _ = writeln!(
                    out,
                    "  {}: played {}, recorded {}",
                    r.call_id,
                    r.played,
                    r.recorded.as_deref().unwrap_or("-")
                );
            }
        }
        let _ = writeln!(out);
        if self.throttled > 0 {
            let _ = writeln!(out, "rate limited (429, waited and retried): {}", self.throttled);
        }
        for (what, k) in &self.refusals {
            let _ = writeln!(out, "expected refusal {what}: {k}");
        }
        if self.errors.is_empty() {
            let _ = writeln!(out, "errors: none");
        } else {
            let _ = writeln!(
                out,
                "errors: {} server (5xx), {} transport, {} unexpected refusals",
                self.server_errors, self.transport_errors, self.client_errors
            );
            for (what, k) in &self.errors {
                let _ = writeln!(out, "  {what}: {k}");
            }
        }
        let _ = writeln!(out);
        let _ = write!(out, "{}", self.summary_line());
        out
    }
}

struct Ctx<'a> {
    opts: &'a SimOptions,
    api: &'a Api,
    turnstile: &'a Turnstile,
}

/// A call in progress: the carrier, what it has heard and said, and what it got.
struct Call<'a> {
    ctx: &'a Ctx<'a>,
    carrier: &'a Carrier,
    call_id: String,
    tr: Transcript,
    mc: String,
    carrier_name: Option<String>,
    pitched: bool,
    booking: Option<Booked>,
    negotiated_load: Option<String>,
    offers: Vec<i64>,
    rounds: u32,
    searched_lane: Option<Lane>,
}

enum Haggle {
    Deal(i64),
    Walk,
    Gone,
}

fn cents(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_f64().map(|d| (d * 100.0).round() as i64),
        Value::String(s) => {
            s.trim().trim_start_matches('$').replace(',', "").parse::<f64>().ok().map(|d| (d * 100.0).round() as i64)
        }
        _ => None,
    }
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or("").to_string()
}

impl<'a> Call<'a> {
    async fn post(&self, tool: Tool, body: Value, expected: &[ErrorCode]) -> Result<Answer, Broken> {
        self.ctx.api.call(tool, &body, expected).await
    }

    fn lane_words(&self, lane: &Lane) -> String {
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
    async fn search(&mut self, lane: &Lane) -> Result<(Vec<Load>, String), Broken> {
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

    async fn evaluate(&mut self, load: &Load, offer: i64) -> Result<Answer, Broken> {
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

    /// Up to three offers, following the carrier's strategy.
    async fn negotiate(&mut self, load: &Load) -> Result<Haggle, Broken> {
        let c = self.carrier;
        let reservation = c.reservation(load.posted);
        let plan: Vec<i64> = if c.behaviour == Behaviour::TakesPosted && reservation <= load.posted {
            vec![load.posted]
        } else {
            c.offers(load.posted).to_vec()
        };
        for (i, &offer) in plan.iter().enumerate() {
            self.offers.push(offer);
            let said = c.say_amount(offer);
            self.tr.carrier(match (i, plan.len()) {
                (_, 1) => format!("{said} works for me. I'll take it."),
                (0, _) => format!("I'd need {said} for that one."),
                (1, _) => format!("Meet me at {said} and we've got a deal."),
                _ => format!("{said}, that's about as low as I can go."),
            });
            let v = match self.evaluate(load, offer).await? {
                Answer::Ok(v) => v,
                Answer::Refused { code, message } => {
                    self.tr.agent(message);
                    return Ok(if code == ErrorCode::NegotiationClosed { Haggle::Walk } else { Haggle::Gone });
                }
            };
            self.rounds = v["round"].as_u64().unwrap_or(i as u64 + 1) as u32;
            let message = text(&v, "message");
            match v["decision"].as_str().unwrap_or("") {
                "accept" => {
                    self.tr.agent(message);
                    return Ok(Haggle::Deal(cents(&v["agreed_rate"]).unwrap_or(offer)));
                }
                "counter" => {
                    self.tr.agent(message);
                    let counter = cents(&v["counter_offer"]).unwrap_or(0);
                    if counter >= reservation && counter > 0 {
                        let said = c.say_amount(counter);
                        if !c.accept_counter_via_evaluate {
                            self.tr.carrier(format!("Yeah, {said} works. Let's do it."));
                            return Ok(Haggle::Deal(counter));
                        }
                        self.tr.carrier(format!("Alright, I can do {said}."));
                        self.offers.push(counter);
                        return match self.evaluate(load, counter).await? {
                            Answer::Ok(v) if v["decision"] == "accept" => {
                                self.tr.agent(text(&v, "message"));
                                Ok(Haggle::Deal(cents(&v["agreed_rate"]).unwrap_or(counter)))
                            }
                            Answer::Ok(v) => {
                                self.tr.agent(text(&v, "message"));
                                Ok(Haggle::Walk)
                            }
                            Answer::Refused { code, message } => {
                                self.tr.agent(message);
                                Ok(if code == ErrorCode::NegotiationClosed { Haggle::Walk } else { Haggle::Gone })
                            }
                        };
                    }
                }
                "reject" => {
                    self.tr.agent(message);
                    let last = cents(&v["final_offer"]).unwrap_or(0);
                    if last >= reservation && last > 0 {
                        self.tr.carrier(format!("Fine. {} it is, I'll take it.", c.say_amount(last)));
                        self.offers.push(last);
                        return match self.evaluate(load, last).await? {
                            Answer::Ok(v) if v["decision"] == "accept" => {
                                self.tr.agent(text(&v, "message"));
                                Ok(Haggle::Deal(cents(&v["agreed_rate"]).unwrap_or(last)))
                            }
                            Answer::Ok(v) => {
                                self.tr.agent(text(&v, "message"));
                                Ok(Haggle::Walk)
                            }
                            Answer::Refused { message, .. } => {
                                self.tr.agent(message);
                                Ok(Haggle::Walk)
                            }
                        };
                    }
                    self.tr.carrier(if c.persona.mood_positive {
                        "I can't make that work for that money. I'll pass, thanks anyway."
                    } else {
                        "That's way too cheap for that run. I'll pass."
                    });
                    return Ok(Haggle::Walk);
                }
                _ => return Ok(Haggle::Walk),
            }
        }
        self.tr.carrier("Yeah, I can't go any lower than that. I'll pass.");
        Ok(Haggle::Walk)
    }

    /// Books the load; `Ok(false)` when someone else got it first.
    async fn handoff(&mut self, load: &Load, rate: i64) -> Result<bool, Broken> {
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

    /// The conversation up to the booking (or not); returns the outcome played.
    async fn converse(&mut self, gate: &Gate<'_>) -> Result<&'static str, Broken> {
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
            return Ok("abandoned");
        }
        self.tr.carrier(format!("Hey, this is {}. Sure, it's {}.", c.persona.name, c.say_mc()));
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
                return Ok("carrier_ineligible");
            }
            _ => {}
        }
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
            return Ok("no_matching_loads");
        }
        self.pitched = true;
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

async fn play_call(ctx: &Ctx<'_>, carrier: &Carrier, index: usize) -> CallRecord {
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

/// Plays `opts.calls` calls and measures them.
pub async fn run(opts: &SimOptions) -> anyhow::Result<Report> {
    let client = reqwest::Client::builder()
        .timeout(opts.request_timeout)
        .user_agent(concat!("carrier-sales-simulate/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let api = Api {
        client,
        base: opts.base_url.trim_end_matches('/').to_string(),
        key: opts.api_key.clone(),
        stats: Mutex::new(Stats::default()),
    };
    let carriers: Vec<Carrier> = (0..opts.calls).map(|i| Carrier::generate(&mut Rng::for_call(opts.seed, i))).collect();
    let turnstile = Turnstile::new(&carriers);
    let ctx = Ctx { opts, api: &api, turnstile: &turnstile };
    let bar =
        if opts.progress { indicatif::ProgressBar::new(opts.calls as u64) } else { indicatif::ProgressBar::hidden() };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {elapsed_precise} [{bar:32}] {pos}/{len} calls  {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let t0 = Instant::now();
    let mut booked = 0usize;
    let mut errors = 0usize;
    let mut records: Vec<CallRecord> = futures_util::stream::iter(carriers.iter().enumerate())
        .map(|(i, c)| play_call(&ctx, c, i))
        .buffer_unordered(opts.concurrency.max(1))
        .inspect(|r| {
            booked += r.booking.is_some() as usize;
            errors += r.broken as usize;
            bar.set_message(format!("booked {booked}, errors {errors}"));
            bar.inc(1);
        })
        .collect()
        .await;
    bar.finish_and_clear();
    records.sort_by_key(|r| r.index);
    let stats = std::mem::take(&mut *api.stats());
    Ok(Report {
        base_url: opts.base_url.clone(),
        seed: opts.seed,
        concurrency: opts.concurrency.max(1),
        elapsed: t0.elapsed(),
        records,
        latency_ms: stats.latency_ms,
        failed: stats.failed,
        errors: stats.errors,
        server_errors: stats.server_errors,
        transport_errors: stats.transport_errors,
        client_errors: stats.client_errors,
        throttled: stats.throttled,
        refusals: stats.refusals,
    })
}

/// `carrier-sales simulate`: runs, prints the summary on stdout; `Ok(false)` when any
/// request failed (5xx, transport error, unexpected refusal), for a non-zero exit.
pub async fn command(
    base_url: String,
    api_key: String,
    calls: usize,
    concurrency: usize,
    seed: Option<u64>,
) -> anyhow::Result<bool> {
    let seed = seed.unwrap_or_else(|| Utc::now().timestamp_millis() as u64 % 1_000_000);
    let mut opts = SimOptions::new(base_url, api_key, calls, seed);
    opts.concurrency = concurrency.max(1);
    opts.progress = true;
    if !opts.base_url.starts_with("http://") && !opts.base_url.starts_with("https://") {
        anyhow::bail!("--base-url must start with http:// or https://");
    }
    eprintln!("Simulating {calls} calls against {} (seed {seed}; call ids {}-NNNN)", opts.base_url, opts.call_prefix);
    let report = run(&opts).await?;
    println!("{}", report.render());
    Ok(!report.failed())
}
