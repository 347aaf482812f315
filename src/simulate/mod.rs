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
//! It also waits for every earlier call from the same MC: pricing memory (SPEC §14) shapes
//! the counters from the carrier's earlier negotiations. Calls on distant lanes from
//! different carriers run side by side. With the same seed against the same initial
//! data, the summary line is therefore the same at any `--concurrency` (caveats: other
//! traffic on the same server, and a load whose pickup passes between two runs).
//!
//! The simulator never panics on a bad answer: a 5xx, a transport error or an unexpected
//! refusal ends that call (it is still closed with the webhook and finalize), is counted
//! and shown, and makes [`Report::failed`] true, which the CLI turns into exit code 1.

mod api;
mod call;
pub mod carrier;
pub mod demo;
mod haggle;
pub mod population;
mod report;
mod script;
mod store;
mod turnstile;

pub use report::{Booked, CallRecord, Report};

use api::{Api, Stats};
use call::Ctx;
use carrier::{Carrier, Rng};
use chrono::Utc;
use futures_util::StreamExt;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use turnstile::Turnstile;

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

/// A seed from the clock, for runs not given one (printed, so they can be repeated).
pub fn clock_seed() -> u64 {
    Utc::now().timestamp_millis() as u64 % 1_000_000
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

/// Plays `opts.calls` calls and measures them.
pub async fn run(opts: &SimOptions) -> anyhow::Result<Report> {
    let client = crate::http::tls::client_builder()
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
        .map(|(i, c)| call::play_call(&ctx, c, i))
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
    let seed = seed.unwrap_or_else(clock_seed);
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
