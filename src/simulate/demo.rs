//! `carrier-sales demo-data`: fills the configured database with a realistic stretch of
//! history through the same code paths as real traffic.
//!
//! It starts the application in-process on 127.0.0.1 (port 0, rate limit off, a generated
//! agent key), imports its own copies of the seed lanes as `DEMO-<seed>-<run>-...` loads
//! (so the live board is not consumed: the simulated carriers only take those), plays the
//! simulator against it, then moves each call back to its day: every row of a call (the
//! call, its verifications, searches, negotiations and rounds, booking, events, and the
//! load it booked) is shifted by the same offset, one UPDATE per table, in one transaction
//! per call. Times are integer epoch milliseconds on both backends, so the SQL is the same.
//! Demo loads left unbooked are withdrawn afterwards (removed when no negotiation refers
//! to them, else marked cancelled). Running it again adds another set.

use super::carrier::Rng;
use super::store;
use super::{run_tag, Report, SimOptions};
use crate::app::Application;
use crate::config::{Secret, Settings};
use anyhow::Context;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use serde_json::Value;

#[derive(Clone, Debug)]
pub struct DemoOptions {
    pub days: u32,
    /// Average calls per weekday-weighted day.
    pub calls_per_day: u32,
    pub seed: u64,
    pub concurrency: usize,
    pub progress: bool,
}

impl DemoOptions {
    pub fn new(days: u32, calls_per_day: u32, seed: u64) -> DemoOptions {
        DemoOptions { days, calls_per_day, seed, concurrency: 4, progress: false }
    }
}

/// What a demo-data run did.
#[derive(Debug)]
pub struct DemoReport {
    /// `DEMO-<seed>-<run>-`: the prefix of this run's load ids.
    pub load_prefix: String,
    pub call_prefix: String,
    pub loads_imported: usize,
    /// Calls per day, oldest first.
    pub days: Vec<(NaiveDate, usize)>,
    pub calls_backdated: usize,
    pub loads_removed: usize,
    pub loads_cancelled: usize,
    pub report: Report,
}

fn weekday_factor(d: Weekday) -> f64 {
    match d {
        Weekday::Mon => 1.15,
        Weekday::Tue => 1.1,
        Weekday::Wed => 1.05,
        Weekday::Thu => 1.0,
        Weekday::Fri => 0.95,
        Weekday::Sat => 0.45,
        Weekday::Sun => 0.3,
    }
}

/// When each call happened, oldest first: `days` days ending today (or yesterday when
/// today's business hours have not begun), weekday-weighted, 13:00-23:30 UTC (US business
/// hours), never later than ten minutes ago.
pub fn day_plan(days: u32, calls_per_day: u32, seed: u64, now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let mut rng = Rng::new(seed ^ 0xda7a_da7a);
    let today = now.date_naive();
    let today_start = today.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    let latest = now - Duration::minutes(10);
    let include_today = latest - today_start >= Duration::hours(14);
    let (first, last) = if include_today { (days as i64 - 1, 0) } else { (days as i64, 1) };
    let mut out = Vec::new();
    for ago in (last..=first).rev() {
        let date = today - Duration::days(ago);
        let start = date.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
        let n = ((calls_per_day as f64 * weekday_factor(date.weekday()) * rng.range(0.8, 1.2)).round() as usize).max(1);
        let lo = 13.0 * 3600.0;
        let hi = if ago == 0 { ((latest - start).num_seconds() as f64).min(23.5 * 3600.0) } else { 23.5 * 3600.0 };
        let mut day: Vec<DateTime<Utc>> =
            (0..n).map(|_| start + Duration::milliseconds((rng.range(lo, hi) * 1000.0) as i64)).collect();
        day.sort();
        out.extend(day);
    }
    out
}

/// Copies of the bundled seed lanes with demo ids, pickups in the coming days and rates
/// jittered by a few percent.
fn demo_loads(prefix: &str, copies: usize, seed: u64) -> anyhow::Result<Vec<Value>> {
    let seed_records: Vec<Value> = serde_json::from_str(crate::loads::SEED_JSON).context("the bundled seed")?;
    let mut rng = Rng::new(seed ^ 0x10ad);
    let round25 = |x: f64| ((x / 25.0).round() as i64) * 25;
    let mut out = Vec::with_capacity(seed_records.len() * copies);
    for copy in 0..copies {
        for r in &seed_records {
            let mut r = r.clone();
            let id = r["load_id"].as_str().unwrap_or("L-0").trim_start_matches("L-").to_string();
            r["load_id"] = Value::String(format!("{prefix}{copy}-{id}"));
            // No same-day pickups (they may have passed); copies spread over three days.
            let pickup = r["pickup_day_offset"].as_i64().unwrap_or(1);
            let delivery = r["delivery_day_offset"].as_i64().unwrap_or(pickup);
            let shift = (copy % 3) as i64 + i64::from(pickup < 1);
            r["pickup_day_offset"] = (pickup + shift).into();
            r["delivery_day_offset"] = (delivery + shift).into();
            let factor = 1.0 + rng.range(-0.04, 0.04);
            let rate = round25(r["loadboard_rate"].as_f64().unwrap_or(2000.0) * factor).max(100);
            r["loadboard_rate"] = rate.into();
            if let Some(max) = r["max_rate"].as_f64() {
                r["max_rate"] = round25(max * factor).max(rate).into();
            }
            out.push(r);
        }
    }
    Ok(out)
}

/// Fills the database `settings` names; see the module doc.
pub async fn run(mut settings: Settings, opts: &DemoOptions) -> anyhow::Result<DemoReport> {
    anyhow::ensure!(opts.days >= 1, "--days must be at least 1");
    anyhow::ensure!(opts.calls_per_day >= 1, "--calls-per-day must be at least 1");
    let key = crate::http::auth::generate_key();
    serve_locally(&mut settings, &key);

    let stamp = run_tag();
    let load_prefix = format!("DEMO-{}-{stamp}-", opts.seed);
    let call_prefix = format!("demo-{}-{stamp}", opts.seed);
    let plan = day_plan(opts.days, opts.calls_per_day, opts.seed, Utc::now());
    let seed_len = super::carrier::seed_lanes().len().max(1);
    let copies = (plan.len() * 6 / 5).div_ceil(seed_len) + 1;

    let app = Application::build(settings).await?;
    let base_url = format!("http://127.0.0.1:{}", app.port());
    let handle = app.server_handle();
    let state = app.state.clone();
    let load_index = app.load_index.clone();
    actix_web::rt::spawn(app.run_until_stopped());

    let result = async {
        let records = demo_loads(&load_prefix, copies, opts.seed)?;
        let imported = state
            .db
            .write(move |conn| {
                let report = crate::loads::import::import_records(conn, &records, Utc::now(), false)?;
                if let Some(r) = report.rejected.first() {
                    log::warn!("{} demo load(s) rejected, e.g. row {}: {}", report.rejected.len(), r.row, r.reason);
                }
                Ok(report.inserted + report.updated)
            })
            .await
            .context("importing demo loads")?;
        // Loads written behind the API's back: the search index must see them now.
        load_index.mark_stale();

        let mut sim = SimOptions::new(base_url, key.clone(), plan.len(), opts.seed);
        sim.call_prefix = call_prefix.clone();
        sim.load_prefix = Some(load_prefix.clone());
        sim.concurrency = opts.concurrency.max(1);
        sim.progress = opts.progress;
        let report = super::run(&sim).await?;

        let shifts: Vec<(String, i64)> = report
            .records
            .iter()
            .map(|r| (r.call_id.clone(), crate::db::to_ms(plan[r.index]) - crate::db::to_ms(r.started_at)))
            .collect();
        let prefix = load_prefix.clone();
        let (shifted, removed, cancelled) = state
            .db
            .write(move |conn| {
                for (call_id, off) in &shifts {
                    store::shift_call(conn, call_id, *off)?;
                }
                let (removed, cancelled) = store::withdraw_unused(conn, &prefix, crate::db::to_ms(Utc::now()))?;
                Ok((shifts.len(), removed, cancelled))
            })
            .await
            .context("back-dating the demo calls")?;

        let days = calls_per_day(&plan);
        Ok(DemoReport {
            load_prefix: load_prefix.clone(),
            call_prefix: call_prefix.clone(),
            loads_imported: imported,
            days,
            calls_backdated: shifted,
            loads_removed: removed,
            loads_cancelled: cancelled,
            report,
        })
    }
    .await;
    handle.stop(true).await;
    result
}

/// The in-process server the demo plays against: local, plain HTTP, no rate limit, and
/// `key` as an agent key.
fn serve_locally(settings: &mut Settings, key: &str) {
    settings.auth.api_keys.push(Secret::new(format!("agent:{key}")));
    settings.auth.rate_limit_per_minute = 0;
    settings.server.host = "127.0.0.1".into();
    settings.server.port = 0;
    settings.server.tls_cert = None;
    settings.server.tls_key = None;
    settings.server.tls_self_signed = false;
    if settings.server.workers == 0 {
        settings.server.workers = 2;
    }
}

/// How many calls the plan puts on each day, in order.
fn calls_per_day(plan: &[DateTime<Utc>]) -> Vec<(NaiveDate, usize)> {
    let mut days: Vec<(NaiveDate, usize)> = Vec::new();
    for t in plan {
        match days.last_mut() {
            Some((d, n)) if *d == t.date_naive() => *n += 1,
            _ => days.push((t.date_naive(), 1)),
        }
    }
    days
}

impl DemoReport {
    pub fn render(&self, database: &str) -> String {
        let r = &self.report;
        let (first, last) = (self.days.first().map(|d| d.0), self.days.last().map(|d| d.0));
        let busiest = self.days.iter().map(|d| d.1).max().unwrap_or(0);
        let quietest = self.days.iter().map(|d| d.1).min().unwrap_or(0);
        format!(
            "{}\n\nDemo data written to the {database} database:\n\
             - imported {} demo loads ({}*) through the load import\n\
             - simulated {} calls through the HTTP API (call ids {}-NNNN): {}\n\
             - backdated {} calls over {} days ({} to {}, {quietest} to {busiest} calls a day) with their \
             verifications, searches, negotiations, bookings and events\n\
             - withdrew the unused demo loads: {} removed, {} negotiated but not booked marked cancelled",
            r.render(),
            self.loads_imported,
            self.load_prefix,
            r.records.len(),
            self.call_prefix,
            r.summary_line(),
            self.calls_backdated,
            self.days.len(),
            first.map(|d| d.to_string()).unwrap_or_default(),
            last.map(|d| d.to_string()).unwrap_or_default(),
            self.loads_removed,
            self.loads_cancelled,
        )
    }
}

/// `carrier-sales demo-data`: quiet server logs, a progress bar, and what it did.
pub async fn command(
    settings: Settings,
    days: u32,
    calls_per_day: Option<u32>,
    seed: Option<u64>,
) -> anyhow::Result<()> {
    if std::env::var_os("RUST_LOG").is_none() {
        // One log line per request would bury the progress bar.
        log::set_max_level(log::LevelFilter::Warn);
    }
    let seed = seed.unwrap_or_else(|| Utc::now().timestamp_millis() as u64 % 1_000_000);
    let database = crate::db::Backend::from_url(settings.database.url.expose())?.name();
    let mut opts = DemoOptions::new(days, calls_per_day.unwrap_or(12), seed);
    opts.progress = true;
    eprintln!("Filling the {database} database with {days} days of demo calls (seed {seed})...");
    let report = run(settings, &opts).await?;
    println!("{}", report.render(database));
    if report.report.failed() {
        anyhow::bail!("some simulated requests failed; see the errors above");
    }
    Ok(())
}
