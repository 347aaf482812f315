//! What a population run measured: one record per negotiation, the table by mode and by
//! first or repeat call, and its one-line reading.

use super::behaviour::{oracle_pays, shipper_pays};
use crate::types::Money;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

/// One simulated call's negotiation, as it went.
#[derive(Clone, Debug)]
pub struct Negotiation {
    /// The carrier (0-based) and which of its calls this was (0 = its first).
    pub carrier: usize,
    pub visit: usize,
    pub call_id: String,
    pub load_id: String,
    pub posted_cents: i64,
    pub need_cents: i64,
    /// The load's ceiling: `max_rate`, else posted × (1 + the policy's markup).
    pub ceiling_cents: i64,
    pub agreed_cents: Option<i64>,
    /// The service's round count when the negotiation ended.
    pub rounds: u32,
    /// The service's answers in order ("counter $2,250"), compared across modes.
    pub answers: Vec<String>,
    /// A request failed (5xx, transport, unexpected refusal or answer): left out of the table.
    pub broken: bool,
}

impl Negotiation {
    pub fn shipper_cents(&self) -> i64 {
        shipper_pays(self.posted_cents)
    }

    /// What the oracle pays, or `None` when it walks.
    pub fn oracle_cents(&self) -> Option<i64> {
        oracle_pays(self.posted_cents, self.need_cents, self.ceiling_cents)
    }

    /// Our margin: what the shipper pays less what we agreed; 0 when nothing was agreed.
    pub fn margin_cents(&self) -> i64 {
        self.agreed_cents.map_or(0, |a| self.shipper_cents() - a)
    }

    pub fn oracle_margin_cents(&self) -> i64 {
        self.oracle_cents().map_or(0, |p| self.shipper_cents() - p)
    }
}

/// The population played against one server.
#[derive(Debug)]
pub struct ModeRun {
    /// "memory on", "memory off", or the server's address.
    pub mode: String,
    pub negotiations: Vec<Negotiation>,
    /// Failed requests by kind ("evaluate 500 internal_error").
    pub errors: BTreeMap<String, usize>,
    pub elapsed: Duration,
}

impl ModeRun {
    pub fn failed(&self) -> bool {
        !self.errors.is_empty() || self.negotiations.iter().any(|n| n.broken)
    }
}

/// Which calls a row covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Calls {
    All,
    First,
    Repeat,
}

impl Calls {
    pub const ALL: [Calls; 3] = [Calls::All, Calls::First, Calls::Repeat];

    fn covers(self, n: &Negotiation) -> bool {
        match self {
            Calls::All => true,
            Calls::First => n.visit == 0,
            Calls::Repeat => n.visit > 0,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Calls::All => "all",
            Calls::First => "first call",
            Calls::Repeat => "repeat calls",
        }
    }
}

/// One line of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub mode: String,
    pub calls: Calls,
    pub negotiations: usize,
    /// Σ our margin / Σ the oracle's margin, in percent (`None` when the oracle made none).
    pub share_pct: Option<f64>,
    pub booked_pct: f64,
    /// Mean (agreed − posted) / posted over booked negotiations, in percent.
    pub premium_pct: Option<f64>,
    /// `None` for the oracle, which does not haggle.
    pub rounds: Option<f64>,
}

fn mean(xs: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = xs.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    (n > 0).then(|| sum / n as f64)
}

fn premium_pct(paid: i64, posted: i64) -> f64 {
    Money(paid).premium_over(Money(posted)).unwrap_or(0.0)
}

impl Row {
    /// The row of `mode` over the negotiations `calls` covers (broken ones left out).
    pub fn of(mode: &str, calls: Calls, all: &[Negotiation]) -> Row {
        let ns: Vec<&Negotiation> = all.iter().filter(|n| !n.broken && calls.covers(n)).collect();
        let ours: i64 = ns.iter().map(|n| n.margin_cents()).sum();
        let oracle: i64 = ns.iter().map(|n| n.oracle_margin_cents()).sum();
        let booked: Vec<&&Negotiation> = ns.iter().filter(|n| n.agreed_cents.is_some()).collect();
        Row {
            mode: mode.to_string(),
            calls,
            negotiations: ns.len(),
            share_pct: (oracle > 0).then(|| ours as f64 * 100.0 / oracle as f64),
            booked_pct: booked.len() as f64 * 100.0 / ns.len().max(1) as f64,
            premium_pct: mean(booked.iter().map(|n| premium_pct(n.agreed_cents.unwrap_or(0), n.posted_cents))),
            rounds: mean(ns.iter().map(|n| n.rounds as f64)),
        }
    }

    /// The oracle's row over the same negotiations: it books whatever it can pay.
    pub fn oracle(calls: Calls, all: &[Negotiation]) -> Row {
        let ns: Vec<&Negotiation> = all.iter().filter(|n| !n.broken && calls.covers(n)).collect();
        let paid: Vec<(i64, i64)> = ns.iter().filter_map(|n| Some((n.oracle_cents()?, n.posted_cents))).collect();
        Row {
            mode: "oracle".into(),
            calls,
            negotiations: ns.len(),
            share_pct: Some(100.0),
            booked_pct: paid.len() as f64 * 100.0 / ns.len().max(1) as f64,
            premium_pct: mean(paid.iter().map(|&(p, posted)| premium_pct(p, posted))),
            rounds: None,
        }
    }
}

/// Everything a population run measured.
#[derive(Debug)]
pub struct PopulationReport {
    pub seed: u64,
    pub carriers: usize,
    pub calls_per_carrier: usize,
    /// Memory on first, then memory off (one run against `--base-url`).
    pub runs: Vec<ModeRun>,
    pub elapsed: Duration,
}

fn pct(x: Option<f64>) -> String {
    x.map_or("-".into(), |v| format!("{v:.1}%"))
}

impl PopulationReport {
    pub fn failed(&self) -> bool {
        self.runs.iter().any(ModeRun::failed)
    }

    /// The rows: each run's all / first / repeat calls, then the oracle's.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows: Vec<Row> =
            self.runs.iter().flat_map(|r| Calls::ALL.map(|c| Row::of(&r.mode, c, &r.negotiations))).collect();
        if let Some(first) = self.runs.first() {
            rows.extend(Calls::ALL.map(|c| Row::oracle(c, &first.negotiations)));
        }
        rows
    }

    /// First calls whose answers were the same in every run, and how many first calls
    /// there were (`None` with a single run).
    pub fn first_calls_identical(&self) -> Option<(usize, usize)> {
        let [a, b] = &self.runs[..] else { return None };
        let firsts = |r: &ModeRun| -> BTreeMap<usize, Vec<String>> {
            r.negotiations.iter().filter(|n| n.visit == 0).map(|n| (n.carrier, n.answers.clone())).collect()
        };
        let (fa, fb) = (firsts(a), firsts(b));
        let same = fa.iter().filter(|(c, answers)| fb.get(c) == Some(answers)).count();
        Some((same, fa.len().max(fb.len())))
    }

    /// The table (Markdown), then what it says.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("| mode | calls | negotiations | share of oracle margin | booked | avg premium over posted | avg rounds |\n");
        out.push_str("|---|---|--:|--:|--:|--:|--:|\n");
        for r in self.rows() {
            let premium = r.premium_pct.map_or("-".into(), |p| format!("{p:+.1}%"));
            let rounds = r.rounds.map_or("-".into(), |x| format!("{x:.2}"));
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {:.1}% | {premium} | {rounds} |",
                r.mode,
                r.calls.label(),
                r.negotiations,
                pct(r.share_pct),
                r.booked_pct
            );
        }
        for run in self.runs.iter().filter(|r| r.failed()) {
            let broken = run.negotiations.iter().filter(|n| n.broken).count();
            let _ = writeln!(out, "\n{}: {broken} call(s) broken, left out of the table:", run.mode);
            for (what, n) in &run.errors {
                let _ = writeln!(out, "- {what}: {n}");
            }
        }
        let _ = write!(out, "\n{}", self.reading());
        out
    }

    /// One line: memory on against off on repeat calls, and whether first calls agreed.
    pub fn reading(&self) -> String {
        let rows = self.rows();
        let repeat = |mode: &str| rows.iter().find(|r| r.mode == mode && r.calls == Calls::Repeat);
        let (Some(on), Some(off)) = (repeat("memory on"), repeat("memory off")) else {
            let all = &rows[0];
            return format!(
                "{} negotiations kept {} of the oracle's margin and booked {:.1}%.",
                all.negotiations,
                pct(all.share_pct),
                all.booked_pct
            );
        };
        // (+ 0.0 turns a rounded -0.0 into 0.0: "+0.0 points", never "-0.0")
        let points = |a: Option<f64>, b: Option<f64>| {
            a.zip(b).map_or("-".into(), |(a, b)| format!("{:+.1}", ((a - b) * 10.0).round() / 10.0 + 0.0))
        };
        let (same, firsts) = self.first_calls_identical().unwrap_or((0, 0));
        format!(
            "On repeat calls memory keeps {} of the oracle's margin against {} without ({} points) and books \
             {:.1}% against {:.1}% ({} points); first calls answered identically with memory on and off: {same} of {firsts}.",
            pct(on.share_pct),
            pct(off.share_pct),
            points(on.share_pct, off.share_pct),
            on.booked_pct,
            off.booked_pct,
            points(Some(on.booked_pct), Some(off.booked_pct)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn negotiation(carrier: usize, visit: usize, need: i64, agreed: Option<i64>) -> Negotiation {
        Negotiation {
            carrier,
            visit,
            call_id: format!("c{carrier}-{visit}"),
            load_id: "L-1".into(),
            posted_cents: 100_000,
            need_cents: need,
            ceiling_cents: 110_000,
            agreed_cents: agreed,
            rounds: 2,
            answers: vec![format!("{agreed:?}")],
            broken: false,
        }
    }

    fn run(mode: &str, agreed: i64) -> ModeRun {
        let negotiations = vec![
            // The oracle pays 104,000 (margin 16,000); we agree at `agreed`.
            negotiation(0, 0, 104_000, Some(104_000)),
            negotiation(0, 1, 104_000, Some(agreed)),
            // Beyond the ceiling: nobody books, no margin either way.
            negotiation(1, 0, 115_000, None),
            negotiation(1, 1, 115_000, None),
        ];
        ModeRun { mode: mode.into(), negotiations, errors: BTreeMap::new(), elapsed: Duration::ZERO }
    }

    #[test]
    fn shares_are_margins_summed_over_the_oracle_s_and_calls_split_first_from_repeat() {
        let r = run("memory on", 108_000);
        let all = Row::of("memory on", Calls::All, &r.negotiations);
        // (16,000 + 12,000) / (16,000 + 16,000)
        assert_eq!(all.share_pct, Some(87.5));
        assert_eq!((all.negotiations, all.booked_pct), (4, 50.0));
        assert_eq!(all.premium_pct, Some(6.0));
        let repeat = Row::of("memory on", Calls::Repeat, &r.negotiations);
        assert_eq!((repeat.negotiations, repeat.share_pct), (2, Some(75.0)));
        let oracle = Row::oracle(Calls::All, &r.negotiations);
        assert_eq!((oracle.booked_pct, oracle.premium_pct, oracle.rounds), (50.0, Some(4.0), None));
    }

    #[test]
    fn the_reading_compares_repeat_calls_and_first_calls_across_modes() {
        let report = PopulationReport {
            seed: 1,
            carriers: 2,
            calls_per_carrier: 2,
            runs: vec![run("memory on", 104_000), run("memory off", 108_000)],
            elapsed: Duration::ZERO,
        };
        assert_eq!(report.first_calls_identical(), Some((2, 2)));
        let reading = report.reading();
        assert!(
            reading.contains("keeps 100.0% of the oracle's margin against 75.0% without (+25.0 points)"),
            "{reading}"
        );
        assert!(reading.contains("books 50.0% against 50.0% (+0.0 points)"), "{reading}");
        assert!(report.render().contains("| memory off | repeat calls | 2 | 75.0% | 50.0% | +8.0% | 2.00 |"));
        assert!(!report.failed());
    }
}
