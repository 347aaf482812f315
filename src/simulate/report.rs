//! What a run measured, and the summary the CLI prints.

use super::Tool;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::time::Duration;

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
    pub(super) latency_ms: BTreeMap<Tool, Vec<f64>>,
    pub(super) failed: BTreeMap<Tool, usize>,
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
        self.render_latency(&mut out);
        let _ = writeln!(out);
        self.render_outcomes(&mut out);
        let _ = writeln!(out);
        self.render_problems(&mut out);
        let _ = writeln!(out);
        let _ = write!(out, "{}", self.summary_line());
        out
    }

    /// What ran against what, then client-side latency and failures per tool.
    fn render_latency(&self, out: &mut String) {
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
    }

    /// Outcomes as played and as recorded, and the first calls where the two differ.
    fn render_outcomes(&self, out: &mut String) {
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
    }

    /// Rate limiting, expected refusals and errors.
    fn render_problems(&self, out: &mut String) {
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
    }
}
