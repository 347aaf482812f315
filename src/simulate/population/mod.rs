//! `carrier-sales simulate --population repeat`: the proof of pricing memory (SPEC §14,
//! issue 21). A population of repeat callers, each with a premium over posted it needs
//! (see `behaviour.rs`), calls again and again; each call verifies its MC, hears one of the
//! available loads and haggles through `negotiations/evaluate`, as on a real call. Its
//! margin is compared with an oracle's, which pays max(posted, need) when that is within
//! the load's ceiling and walks otherwise, the shipper paying 1.20 × posted.
//!
//! Without `--base-url` it starts two servers in-process, each on its own temporary SQLite
//! database with the bundled loads and the offline FMCSA snapshot, one with memory on and
//! one with memory off (`negotiation.learning`), and plays the same seeded population
//! against both at once. Calls run one at a time per server, round-robin (every carrier's
//! call j before any call j + 1), so memory always sees the earlier calls and histories
//! grow evenly; what each call draws depends only on the seed, the carrier and the call.
//! Same seed, same table.
//!
//! The ceiling is the load's `max_rate` (the dashboard-scope load list shows it), else
//! posted × (1 + the markup `GET /negotiations/policy` reports).

mod behaviour;
mod call;
mod table;

pub use behaviour::{normal, oracle_pays, shipper_pays, Haggler, RepeatCarrier};
pub use table::{Calls, ModeRun, Negotiation, PopulationReport, Row};

use super::api::{Api, Stats};
use super::call::cents;
use super::carrier::{ELIGIBLE_MCS, ELIGIBLE_WITH_WARNINGS};
use crate::app::Application;
use crate::config::{Secret, Settings};
use anyhow::Context;
use call::{BoardLoad, Player};
use indicatif::ProgressBar;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The size and seed of a population run.
#[derive(Clone, Debug)]
pub struct PopulationOptions {
    pub carriers: usize,
    pub calls_per_carrier: usize,
    pub seed: u64,
    /// Call ids are `<prefix>-<carrier>-<call>`; by default `pop-<seed>-<run tag>`.
    pub call_prefix: String,
    pub progress: bool,
}

impl PopulationOptions {
    pub fn new(carriers: usize, calls_per_carrier: usize, seed: u64) -> PopulationOptions {
        PopulationOptions {
            carriers,
            calls_per_carrier,
            seed,
            call_prefix: format!("pop-{seed}-{}", super::run_tag()),
            progress: false,
        }
    }
}

/// A server to play against, and its keys.
#[derive(Clone, Debug)]
pub struct Target {
    /// e.g. `http://127.0.0.1:8080` (no `/api/v1`).
    pub base_url: String,
    pub agent_key: String,
    /// Reads the policy and the loads' `max_rate` (dashboard or admin scope).
    pub dashboard_key: String,
}

/// The MCs the bundled FMCSA snapshot verifies as eligible: one per carrier.
pub fn eligible_mcs() -> Vec<u64> {
    ELIGIBLE_MCS.iter().chain(ELIGIBLE_WITH_WARNINGS).copied().collect()
}

fn check(opts: &PopulationOptions) -> anyhow::Result<()> {
    let most = eligible_mcs().len();
    anyhow::ensure!(
        (1..=most).contains(&opts.carriers),
        "--carriers must be 1 to {most} (the eligible MC numbers of the bundled FMCSA snapshot)"
    );
    anyhow::ensure!(opts.calls_per_carrier >= 1, "--calls-per-carrier must be at least 1");
    Ok(())
}

async fn get_json(api: &Api, key: &str, path: &str) -> anyhow::Result<Value> {
    let url = format!("{}{path}", api.base);
    let res = api.client.get(&url).header("api-key", key).send().await.with_context(|| format!("GET {url}"))?;
    let status = res.status();
    let body: Value = res.json().await.with_context(|| format!("GET {url}: the answer is not JSON"))?;
    anyhow::ensure!(status.is_success(), "GET {url} answered {status}: {}", body["error"]["message"]);
    Ok(body)
}

/// The available loads (ordered by id) with their ceilings, and the policy's retry window.
async fn read_board(api: &Api, key: &str) -> anyhow::Result<(Vec<BoardLoad>, Duration)> {
    let policy = get_json(api, key, "/api/v1/negotiations/policy").await?;
    let markup = policy["max_markup"].as_f64().context("the policy has no max_markup")?;
    let retry = Duration::from_millis(policy["retry_window_secs"].as_u64().unwrap_or(10) * 1000 + 20);
    let mut loads = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/api/v1/loads?status=available&limit=500".to_string();
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = get_json(api, key, &path).await?;
        for l in page["loads"].as_array().into_iter().flatten() {
            let (Some(id), Some(posted)) = (l["load_id"].as_str(), cents(&l["loadboard_rate"])) else { continue };
            let ceiling = cents(&l["max_rate"]).unwrap_or((posted as f64 * (1.0 + markup)).round() as i64);
            loads.push(BoardLoad { id: id.to_string(), posted, ceiling });
        }
        cursor = page["next_cursor"].as_str().map(str::to_string);
        if cursor.is_none() {
            break;
        }
    }
    anyhow::ensure!(!loads.is_empty(), "the server has no available loads to negotiate");
    loads.sort_by(|a, b| a.id.cmp(&b.id));
    Ok((loads, retry))
}

/// Plays the population against one server; `mode` labels its rows.
pub async fn play(target: &Target, mode: &str, opts: &PopulationOptions, bar: &ProgressBar) -> anyhow::Result<ModeRun> {
    check(opts)?;
    let api = Api {
        client: crate::http::tls::client_builder()
            .timeout(Duration::from_secs(30))
            .user_agent(concat!("carrier-sales-simulate/", env!("CARGO_PKG_VERSION")))
            .build()?,
        base: target.base_url.trim_end_matches('/').trim_end_matches("/api/v1").to_string(),
        key: target.agent_key.clone(),
        stats: Mutex::new(Stats::default()),
    };
    let t0 = Instant::now();
    let (loads, retry_wait) = read_board(&api, &target.dashboard_key).await?;
    let player = Player { api: &api, loads: &loads, retry_wait, seed: opts.seed, call_prefix: &opts.call_prefix };
    let mcs = eligible_mcs();
    let carriers: Vec<RepeatCarrier> = (0..opts.carriers).map(|i| RepeatCarrier::draw(opts.seed, i, mcs[i])).collect();
    let mut negotiations = Vec::with_capacity(opts.carriers * opts.calls_per_carrier);
    for visit in 0..opts.calls_per_carrier {
        for carrier in &carriers {
            negotiations.push(player.play(carrier, visit).await);
            bar.inc(1);
        }
    }
    let errors = std::mem::take(&mut api.stats().errors);
    Ok(ModeRun { mode: mode.to_string(), negotiations, errors, elapsed: t0.elapsed() })
}

/// A server started in-process on its own temporary SQLite database.
struct LocalServer {
    base_url: String,
    handle: actix_web::dev::ServerHandle,
    dir: PathBuf,
}

/// Starts a server with `base`'s negotiation policy, memory on or off, the bundled loads,
/// the offline FMCSA snapshot, and `keys` (agent, dashboard).
async fn start_local(base: &Settings, learning: bool, keys: &(String, String)) -> anyhow::Result<LocalServer> {
    let tag = format!("{}-{}", super::run_tag(), crate::http::auth::random_hex(4));
    let dir = std::env::temp_dir().join(format!("carrier-sales-population-{tag}"));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut s = Settings { negotiation: base.negotiation.clone(), ..Settings::default() };
    s.negotiation.learning = learning;
    // A carrier holding firm repeats its offer at once; no webhook retries here.
    s.negotiation.retry_window_secs = 0;
    s.database.url = Secret::new(format!("sqlite://{}", dir.join("population.db").display()));
    s.auth.api_keys = vec![Secret::new(format!("agent:{}", keys.0)), Secret::new(format!("dashboard:{}", keys.1))];
    s.auth.rate_limit_per_minute = 0;
    s.fmcsa.web_key = None;
    s.loads.file = None;
    s.server.host = "127.0.0.1".into();
    s.server.port = 0;
    s.server.workers = 1;
    s.server.shutdown_timeout_secs = 1;
    let app = match Application::build(s).await {
        Ok(app) => app,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(e);
        }
    };
    let server = LocalServer { base_url: format!("http://127.0.0.1:{}", app.port()), handle: app.server_handle(), dir };
    actix_web::rt::spawn(app.run_until_stopped());
    Ok(server)
}

impl LocalServer {
    async fn stop(self) {
        self.handle.stop(true).await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn progress_bar(opts: &PopulationOptions, runs: usize) -> ProgressBar {
    if !opts.progress {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new((opts.carriers * opts.calls_per_carrier * runs) as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {elapsed_precise} [{bar:32}] {pos}/{len} calls")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

/// Plays the population against two in-process servers, memory on and memory off, at once.
pub async fn run_local(base: &Settings, opts: &PopulationOptions) -> anyhow::Result<PopulationReport> {
    check(opts)?;
    let keys = (crate::http::auth::generate_key(), crate::http::auth::generate_key());
    let t0 = Instant::now();
    let on = start_local(base, true, &keys).await?;
    let off = match start_local(base, false, &keys).await {
        Ok(off) => off,
        Err(e) => {
            on.stop().await;
            return Err(e);
        }
    };
    let target = |s: &LocalServer| Target {
        base_url: s.base_url.clone(),
        agent_key: keys.0.clone(),
        dashboard_key: keys.1.clone(),
    };
    let bar = progress_bar(opts, 2);
    let (t_on, t_off) = (target(&on), target(&off));
    let played =
        futures_util::future::join(play(&t_on, "memory on", opts, &bar), play(&t_off, "memory off", opts, &bar)).await;
    bar.finish_and_clear();
    on.stop().await;
    off.stop().await;
    let runs = vec![played.0?, played.1?];
    Ok(PopulationReport {
        seed: opts.seed,
        carriers: opts.carriers,
        calls_per_carrier: opts.calls_per_carrier,
        runs,
        elapsed: t0.elapsed(),
    })
}

/// Plays the population against `target` only.
pub async fn run_against(target: &Target, opts: &PopulationOptions) -> anyhow::Result<PopulationReport> {
    let t0 = Instant::now();
    let bar = progress_bar(opts, 1);
    let run = play(target, &target.base_url, opts, &bar).await;
    bar.finish_and_clear();
    Ok(PopulationReport {
        seed: opts.seed,
        carriers: opts.carriers,
        calls_per_carrier: opts.calls_per_carrier,
        runs: vec![run?],
        elapsed: t0.elapsed(),
    })
}

/// `carrier-sales simulate --population repeat`: prints the table; `Ok(false)` when a
/// request failed, for a non-zero exit.
pub async fn command(settings: Settings, target: Option<Target>, mut opts: PopulationOptions) -> anyhow::Result<bool> {
    if std::env::var_os("RUST_LOG").is_none() {
        // One log line per request would bury the progress bar.
        log::set_max_level(log::LevelFilter::Warn);
    }
    opts.progress = true;
    let what = format!("{} carriers x {} calls", opts.carriers, opts.calls_per_carrier);
    let report = match &target {
        Some(t) => {
            eprintln!("Repeat callers ({what}, seed {}) against {}", opts.seed, t.base_url);
            run_against(t, &opts).await?
        }
        None => {
            eprintln!("Repeat callers ({what}, seed {}) against two in-process servers, memory on and off", opts.seed);
            run_local(&settings, &opts).await?
        }
    };
    println!("{}", report.render());
    eprintln!("{:.1} s", report.elapsed.as_secs_f64());
    Ok(!report.failed())
}
