//! Pricing memory (SPEC §14): what a carrier's earlier negotiations say about the premium
//! over the posted rate it needs, and what a lane has paid per mile. Pure: the store reads
//! the rows, this module learns from them, the engine uses what it learned.
//!
//! How a past negotiation is read. A carrier never asks below what it needs, and takes
//! any number of ours at or above it; so, as a share of that load's posted rate:
//! - its lowest ask, or the rate agreed, is an upper bound on its need (`high`);
//! - each counter or final offer of ours it did not take is a lower bound (`low`).
//!
//! Each negotiation gives one estimate of the premium it needed then: the middle of
//! `low..high` when both are known, else `high` (asking the posted rate says "no premium").
//! The carrier's premium is the mean of those estimates over the window, and its spread
//! combines how far they scatter (as the uncertainty of the mean) with the call-to-call
//! noise no history removes. Older negotiations than the window are not read at all.

use crate::types::Money;
use chrono::{DateTime, Utc};

/// Call-to-call variation of a carrier's need that history cannot remove (share of posted).
pub const CALL_NOISE: f64 = 0.015;
/// The scatter assumed while a carrier has a single negotiation on record.
pub const SINGLE_SCATTER: f64 = 0.03;
/// At most this many of a carrier's latest negotiations are read.
pub const MAX_NEGOTIATIONS: usize = 50;
/// Where the informed counters of rounds 1 and 2 sit, in spreads from the estimate.
pub const COUNTER_SPREADS: [f64; 2] = [-0.5, 0.5];
/// A lane needs this many agreements before its rates may lower a ceiling.
pub const LANE_MIN_AGREEMENTS: usize = 5;

/// One earlier negotiation of the carrier on one load, as the store read it.
#[derive(Clone, Debug, PartialEq)]
pub struct PastNegotiation {
    pub load_id: String,
    pub posted: Money,
    /// The carrier's asks, in round order.
    pub offers: Vec<Money>,
    /// Our counters, in round order.
    pub counters: Vec<Money>,
    /// The final offer of round 3, when we made one.
    pub final_offer: Option<Money>,
    /// The rate agreed, when there was a deal.
    pub agreed: Option<Money>,
    /// When it opened (epoch ms).
    pub at_ms: i64,
}

impl PastNegotiation {
    /// `(low, high)` bounds on the premium the carrier needed, as shares of posted
    /// (0.04 = 4% over posted); `None` when the negotiation says nothing usable.
    pub fn bounds(&self) -> Option<(Option<f64>, Option<f64>)> {
        if self.posted.0 <= 0 {
            return None;
        }
        let share = |m: Money| m.0 as f64 / self.posted.0 as f64 - 1.0;
        let high = self.offers.iter().copied().chain(self.agreed).min().map(share);
        let refused = |m: &Money| self.agreed.is_none_or(|a| *m < a);
        let low = self.counters.iter().chain(self.final_offer.iter()).filter(|m| refused(m)).max().map(|m| share(*m));
        match (low, high) {
            (Some(l), Some(h)) if l > h => None,
            (None, None) => None,
            bounds => Some(bounds),
        }
    }

    /// The premium this negotiation suggests: the middle of its bounds, else the upper
    /// bound. A walk-away with no ask on record says nothing.
    pub fn estimate(&self) -> Option<f64> {
        match self.bounds()? {
            (Some(l), Some(h)) => Some((l + h) / 2.0),
            (None, Some(h)) => Some(h),
            (Some(_), None) => None,
            (None, None) => None,
        }
    }
}

/// What the carrier's history says: the premium it likely needs and how sure we are.
#[derive(Clone, Debug, PartialEq)]
pub struct CarrierMemory {
    /// Estimated premium over posted (0.042 = 4.2%).
    pub premium: f64,
    /// Its uncertainty, in the same unit (one standard deviation).
    pub spread: f64,
    /// How many negotiations it rests on.
    pub negotiations: usize,
    /// The latest agreement on record, for the reason a round gives.
    pub last_deal: Option<LastDeal>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LastDeal {
    pub load_id: String,
    pub rate: Money,
    pub at_ms: i64,
}

impl CarrierMemory {
    /// Learns from the carrier's earlier negotiations (any order); `None` when none of
    /// them says anything, so the call gets exactly the §7 policy.
    pub fn learn(past: &[PastNegotiation]) -> Option<CarrierMemory> {
        let mut latest: Vec<&PastNegotiation> = past.iter().collect();
        latest.sort_by(|a, b| b.at_ms.cmp(&a.at_ms).then_with(|| a.load_id.cmp(&b.load_id)));
        latest.truncate(MAX_NEGOTIATIONS);
        let estimates: Vec<f64> = latest.iter().filter_map(|n| n.estimate()).filter(|x| x.is_finite()).collect();
        if estimates.is_empty() {
            return None;
        }
        let n = estimates.len() as f64;
        let mean = estimates.iter().sum::<f64>() / n;
        let scatter_sq = if estimates.len() < 2 {
            SINGLE_SCATTER * SINGLE_SCATTER
        } else {
            estimates.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)
        };
        let spread = (scatter_sq / n + CALL_NOISE * CALL_NOISE).sqrt();
        let last_deal = latest
            .iter()
            .find_map(|p| p.agreed.map(|rate| LastDeal { load_id: p.load_id.clone(), rate, at_ms: p.at_ms }));
        Some(CarrierMemory { premium: mean, spread, negotiations: estimates.len(), last_deal })
    }

    /// The premium the counter of `round` (1 or 2) aims at.
    pub fn target(&self, round: u32) -> f64 {
        let k = COUNTER_SPREADS[(round.clamp(1, 2) - 1) as usize];
        self.premium + k * self.spread
    }

    /// Why an informed counter is what it is, for the call story (never for the agent).
    pub fn reason(&self, round: u32) -> String {
        let side = if round <= 1 { "a little under" } else { "a little over" };
        let mut s = format!(
            "Carrier history: {} earlier negotiation{} put its premium near {} (± {:.1} pts); round {round} counters {side} it.",
            self.negotiations,
            if self.negotiations == 1 { "" } else { "s" },
            signed_pct(self.premium),
            self.spread * 100.0,
        );
        if let Some(d) = &self.last_deal {
            s.push_str(&format!(" Last deal: {} on {} on {}.", d.rate.spoken(), d.load_id, day(d.at_ms)));
        }
        s
    }
}

/// What a lane (origin state, destination state, equipment) has paid per mile.
#[derive(Clone, Debug, PartialEq)]
pub struct LaneRate {
    /// Agreements on loads with known miles, within the window.
    pub agreements: usize,
    /// The highest agreed rate per mile, in cents.
    pub max_cents_per_mile: f64,
}

impl LaneRate {
    /// The ceiling this lane allows on a load of `miles`: the most it has ever agreed per
    /// mile, when it has enough agreements; `None` otherwise.
    pub fn ceiling(&self, miles: i64) -> Option<Money> {
        (self.agreements >= LANE_MIN_AGREEMENTS && miles > 0)
            .then(|| Money((self.max_cents_per_mile * miles as f64).floor() as i64))
    }
}

/// "+4.2%", "-1.0%".
pub fn signed_pct(share: f64) -> String {
    format!("{:+.1}%", share * 100.0)
}

/// "Nov 28".
fn day(at_ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(at_ms).map(|t| t.format("%b %-d").to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn past(
        posted: i64,
        offers: &[i64],
        counters: &[i64],
        agreed: Option<i64>,
        final_offer: Option<i64>,
    ) -> PastNegotiation {
        PastNegotiation {
            load_id: "L-1".into(),
            posted: Money::dollars(posted),
            offers: offers.iter().map(|&d| Money::dollars(d)).collect(),
            counters: counters.iter().map(|&d| Money::dollars(d)).collect(),
            final_offer: final_offer.map(Money::dollars),
            agreed: agreed.map(Money::dollars),
            at_ms: 1_700_000_000_000,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn bounds_read_asks_as_upper_and_refused_counters_as_lower() {
        // Took our first counter: need ≤ 2080, nothing below known.
        let took = past(2000, &[2400, 2080], &[2080], Some(2080), None);
        let (lo, hi) = took.bounds().unwrap();
        assert!(lo.is_none() && close(hi.unwrap(), 0.04));
        assert!(close(took.estimate().unwrap(), 0.04));
        // Refused 2080, then asked 2120 and we took it: 4% < need ≤ 6%.
        let between = past(2000, &[2400, 2120], &[2080], Some(2120), None);
        let (lo, hi) = between.bounds().unwrap();
        assert!(close(lo.unwrap(), 0.04) && close(hi.unwrap(), 0.06));
        assert!(close(between.estimate().unwrap(), 0.05));
        // Walked away from the final offer 2200 after asking 2300 at least: 10% < need ≤ 15%.
        let walked = past(2000, &[2400, 2350, 2300], &[2080, 2150], None, Some(2200));
        assert!(close(walked.estimate().unwrap(), 0.125));
        // Asked the posted rate: no premium.
        assert!(close(past(2000, &[2000], &[], Some(2000), None).estimate().unwrap(), 0.0));
        // Nothing asked at all: nothing learned.
        assert_eq!(past(2000, &[], &[], None, None).estimate(), None);
    }

    #[test]
    fn memory_averages_and_narrows_with_history() {
        assert_eq!(CarrierMemory::learn(&[]), None);
        let one = CarrierMemory::learn(&[past(2000, &[2400, 2080], &[2080], Some(2080), None)]).unwrap();
        assert!(close(one.premium, 0.04));
        assert!(close(one.spread, (SINGLE_SCATTER.powi(2) + CALL_NOISE.powi(2)).sqrt()));
        let many: Vec<PastNegotiation> = (0..8)
            .map(|i| past(2000, &[2400, 2080 + 10 * (i % 2)], &[2080], Some(2080 + 10 * (i % 2)), None))
            .collect();
        let m = CarrierMemory::learn(&many).unwrap();
        // Half took our $2,080 (4%), half refused it and got $2,090 agreed (4% to 4.5%: 4.25%).
        assert!(close(m.premium, 0.04125), "{}", m.premium);
        assert!(m.spread < one.spread && m.spread >= CALL_NOISE);
        assert!(m.target(1) < m.premium && m.target(2) > m.premium);
        assert_eq!(m.negotiations, 8);
    }

    #[test]
    fn only_the_latest_negotiations_count_and_the_last_deal_is_named() {
        let mut all: Vec<PastNegotiation> = (0..(MAX_NEGOTIATIONS as i64 + 10))
            .map(|i| {
                let mut p = past(2000, &[2100], &[], Some(2100), None);
                p.at_ms += i;
                p.load_id = format!("L-{i}");
                p
            })
            .collect();
        // The oldest ten say "no premium"; they fall outside the latest MAX_NEGOTIATIONS.
        for p in all.iter_mut().take(10) {
            p.offers = vec![Money::dollars(2000)];
            p.agreed = Some(Money::dollars(2000));
        }
        let m = CarrierMemory::learn(&all).unwrap();
        assert!(close(m.premium, 0.05));
        assert_eq!(m.negotiations, MAX_NEGOTIATIONS);
        let last = m.last_deal.clone().unwrap();
        assert_eq!(last.load_id, format!("L-{}", MAX_NEGOTIATIONS + 9));
        assert!(m.reason(1).contains("Last deal: $2,100 on L-59 on Nov 14"), "{}", m.reason(1));
        assert!(m.reason(1).contains("+5.0%"));
    }

    #[test]
    fn lane_rates_need_enough_agreements_to_set_a_ceiling() {
        let lane = LaneRate { agreements: LANE_MIN_AGREEMENTS, max_cents_per_mile: 240.0 };
        assert_eq!(lane.ceiling(1000), Some(Money::dollars(2400)));
        assert_eq!(lane.ceiling(0), None);
        let thin = LaneRate { agreements: LANE_MIN_AGREEMENTS - 1, ..lane };
        assert_eq!(thin.ceiling(1000), None);
    }
}
