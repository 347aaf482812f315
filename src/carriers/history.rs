//! A carrier's history in figures (SPEC §14): what managers read on the carrier page
//! before they trust (or chase) a carrier. Pure: the store reads the rows, this turns
//! them into the summary, so each rule is tested here without a database.
//!
//! - The premium of a deal is `agreed / posted − 1`: what the carrier got over the rate
//!   we posted, the figure the metrics average too.
//! - A negotiation is a walk-away when it ended without a deal: the carrier refused our
//!   final offer after round 3 (it stays `rejected` unless the offer is taken later), or
//!   the call is over (finalized or ended) while the negotiation was still open.

use super::views::{CarrierSummary, NegotiationStatus};
use crate::types::{round1, Money};

/// How many rows each list of the history holds at most, latest first.
pub const LIST_CAP: i64 = 100;

/// What the summary needs of one negotiation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NegotiationFacts {
    pub status: NegotiationStatus,
    pub rounds: i32,
    pub posted: Money,
    pub agreed: Option<Money>,
    /// The negotiation's call has been finalized or has ended.
    pub call_over: bool,
}

impl NegotiationFacts {
    pub fn walked_away(&self) -> bool {
        match self.status {
            NegotiationStatus::Rejected => true,
            NegotiationStatus::Open => self.call_over,
            NegotiationStatus::Agreed => false,
        }
    }

    /// The agreed rate over the posted one, in percent (unrounded); none without a deal.
    pub fn premium_pct(&self) -> Option<f64> {
        self.agreed.filter(|_| self.status == NegotiationStatus::Agreed)?.premium_over(self.posted)
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0u32), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / f64::from(n))
}

/// The summary over every call, booking and negotiation of the carrier.
pub fn summarize(calls: i64, booked: i64, negotiations: &[NegotiationFacts]) -> CarrierSummary {
    let count = |f: &dyn Fn(&NegotiationFacts) -> bool| negotiations.iter().filter(|n| f(n)).count() as i64;
    CarrierSummary {
        calls,
        negotiations: negotiations.len() as i64,
        agreed: count(&|n| n.status == NegotiationStatus::Agreed),
        booked,
        walked_away: count(&|n| n.walked_away()),
        average_premium_pct: mean(negotiations.iter().filter_map(NegotiationFacts::premium_pct)).map(round1),
        average_rounds: mean(negotiations.iter().map(|n| f64::from(n.rounds))).map(round2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn neg(
        status: NegotiationStatus,
        rounds: i32,
        posted: i64,
        agreed: Option<i64>,
        call_over: bool,
    ) -> NegotiationFacts {
        NegotiationFacts {
            status,
            rounds,
            posted: Money::dollars(posted),
            agreed: agreed.map(Money::dollars),
            call_over,
        }
    }

    #[test]
    fn a_carrier_without_negotiations_has_no_averages() {
        let s = summarize(2, 0, &[]);
        assert_eq!((s.calls, s.negotiations, s.agreed, s.booked, s.walked_away), (2, 0, 0, 0, 0));
        assert_eq!(s.average_premium_pct, None);
        assert_eq!(s.average_rounds, None);
    }

    #[test]
    fn the_premium_is_averaged_over_agreed_negotiations_only() {
        use NegotiationStatus::*;
        let negs = [
            neg(Agreed, 2, 2000, Some(2080), true),  // +4%
            neg(Agreed, 1, 1500, Some(1500), false), // 0%
            neg(Rejected, 3, 1800, None, true),
            neg(Open, 1, 1000, None, false),
        ];
        let s = summarize(4, 1, &negs);
        assert_eq!((s.negotiations, s.agreed, s.booked), (4, 2, 1));
        assert_eq!(s.average_premium_pct, Some(2.0));
        assert_eq!(s.average_rounds, Some(1.75));
        assert_eq!(negs[0].premium_pct().map(round1), Some(4.0));
        assert_eq!(negs[2].premium_pct(), None);
    }

    #[test]
    fn a_walk_away_is_a_refused_final_offer_or_an_open_negotiation_on_a_call_that_is_over() {
        use NegotiationStatus::*;
        assert!(neg(Rejected, 3, 2000, None, false).walked_away());
        assert!(neg(Open, 2, 2000, None, true).walked_away());
        assert!(!neg(Open, 2, 2000, None, false).walked_away(), "the call may still go on");
        assert!(!neg(Agreed, 2, 2000, Some(2100), true).walked_away());
        let s = summarize(3, 0, &[neg(Rejected, 3, 2000, None, true), neg(Open, 1, 2000, None, true)]);
        assert_eq!(s.walked_away, 2);
    }

    #[test]
    fn premiums_round_to_one_decimal_and_rounds_to_two() {
        use NegotiationStatus::*;
        // 2,150 over 2,000 is +7.5%; 2,063 over 2,000 is +3.15%: the mean is 5.325 → 5.3.
        let negs = [neg(Agreed, 1, 2000, Some(2150), true), neg(Agreed, 3, 2000, Some(2063), true)];
        let extra = neg(Open, 1, 2000, None, false);
        let s = summarize(3, 2, &[negs[0], negs[1], extra]);
        assert_eq!(s.average_premium_pct, Some(5.3));
        assert_eq!(s.average_rounds, Some(1.67));
        // An agreed rate below the posted one is a negative premium.
        assert_eq!(neg(Agreed, 1, 2000, Some(1900), true).premium_pct().map(round1), Some(-5.0));
        // A posted rate of zero has no premium.
        assert_eq!(neg(Agreed, 1, 0, Some(100), true).premium_pct(), None);
    }
}
