//! The repeat callers (issue 21): who they are, what they need on a load, and how they
//! haggle. Pure: the HTTP side is `call.rs`.
//!
//! A carrier's need on a load is posted × (premium + ε): the premium is drawn once per
//! carrier from N(1.04, 0.06), ε per call from N(0, 0.01). It opens at need × (1 + U(0.05,
//! 0.25)), concedes U(0.3, 0.6) of the gap to our counter each round (never below its
//! need), and takes any counter or final offer at or above its need. A need at or below
//! the posted rate asks the posted rate. Amounts are integer cents on whole dollars (what
//! a carrier says on the phone); the need is rounded up to the dollar.

use crate::simulate::carrier::Rng;

/// The shipper pays this times the posted rate: the margin's basis.
pub const SHIPPER_FACTOR: f64 = 1.20;
/// The premium a carrier needs over posted: drawn once per carrier, N(mean, sd).
pub const PREMIUM_MEAN: f64 = 1.04;
pub const PREMIUM_SD: f64 = 0.06;
/// The per-call variation of the premium, N(0, sd).
pub const CALL_SD: f64 = 0.01;
/// The opening ask's markup over the need, U(lo, hi).
pub const ASK_MARKUP: (f64, f64) = (0.05, 0.25);
/// The share of the gap to our counter conceded each round, U(lo, hi).
pub const CONCESSION: (f64, f64) = (0.3, 0.6);

const CARRIER_SALT: u64 = 0x7e9e_a7ca_1100_0001;
const CALL_SALT: u64 = 0x7e9e_a7ca_1100_0002;

/// A normal draw (Box–Muller) from the simulator's generator.
pub fn normal(rng: &mut Rng, mean: f64, sd: f64) -> f64 {
    let u1 = 1.0 - rng.unit(); // in (0, 1]: ln is finite
    let u2 = rng.unit();
    mean + sd * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Cents rounded up to a whole dollar (a hair of float error is not a dollar more).
fn ceil_dollar(cents: f64) -> i64 {
    ((cents / 100.0 - 1e-6).ceil() as i64) * 100
}

/// A repeat caller: its MC and the premium over posted it needs, drawn once.
#[derive(Clone, Debug)]
pub struct RepeatCarrier {
    pub index: usize,
    pub mc: u64,
    pub premium: f64,
}

impl RepeatCarrier {
    /// Carrier `index` of a population seeded with `seed`.
    pub fn draw(seed: u64, index: usize, mc: u64) -> RepeatCarrier {
        let mut rng = Rng::for_call(seed ^ CARRIER_SALT, index);
        RepeatCarrier { index, mc, premium: normal(&mut rng, PREMIUM_MEAN, PREMIUM_SD) }
    }

    /// The generator of this carrier's call number `visit` (0 = its first call): the same
    /// whichever server the population plays against.
    pub fn call_rng(&self, seed: u64, visit: usize) -> Rng {
        Rng::for_call(seed ^ CALL_SALT ^ (self.index as u64).wrapping_mul(0x9e37_79b9), visit)
    }
}

/// One call's haggler: what the carrier needs on this load and how it will concede, all
/// drawn before the first offer.
#[derive(Clone, Debug, PartialEq)]
pub struct Haggler {
    pub posted: i64,
    pub need: i64,
    pub ask: i64,
    concessions: [f64; 3],
}

impl Haggler {
    /// The haggler of a call on a load posted at `posted` cents.
    pub fn draw(rng: &mut Rng, premium: f64, posted: i64) -> Haggler {
        let epsilon = normal(rng, 0.0, CALL_SD);
        let markup = rng.range(ASK_MARKUP.0, ASK_MARKUP.1);
        let concessions = [(); 3].map(|_| rng.range(CONCESSION.0, CONCESSION.1));
        Haggler::new(posted, ceil_dollar(posted as f64 * (premium + epsilon)), markup, concessions)
    }

    pub fn new(posted: i64, need: i64, markup: f64, concessions: [f64; 3]) -> Haggler {
        let need = need.max(100);
        let ask = if need <= posted { posted } else { ceil_dollar(need as f64 * (1.0 + markup)) };
        Haggler { posted, need, ask, concessions }
    }

    /// It takes any counter or final offer at or above its need.
    pub fn takes(&self, amount: i64) -> bool {
        amount >= self.need
    }

    /// Its next offer after our counter `counter` to its offer `last` in round `round`
    /// (1-based): `last` less its share of the gap, never below its need nor above `last`.
    pub fn next_offer(&self, last: i64, counter: i64, round: u32) -> i64 {
        let share = self.concessions[(round.max(1) as usize - 1).min(2)];
        let gap = (last - counter).max(0) as f64;
        ceil_dollar(last as f64 - share * gap).max(self.need).min(last)
    }
}

/// What the oracle pays for a load: max(posted, need) when that is within the ceiling,
/// else it walks (`None`).
pub fn oracle_pays(posted: i64, need: i64, ceiling: i64) -> Option<i64> {
    let pays = posted.max(need);
    (pays <= ceiling).then_some(pays)
}

/// What the shipper pays for a load posted at `posted` cents.
pub fn shipper_pays(posted: i64) -> i64 {
    (posted as f64 * SHIPPER_FACTOR).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hagglers() -> impl Iterator<Item = Haggler> {
        (0..2000).map(|i| {
            let carrier = RepeatCarrier::draw(11, i % 23, 700_010);
            let posted = [57_500, 212_500, 377_500][i % 3];
            Haggler::draw(&mut carrier.call_rng(11, i), carrier.premium, posted)
        })
    }

    #[test]
    fn a_need_at_or_below_posted_asks_posted() {
        let h = Haggler::new(200_000, 198_000, 0.2, [0.5; 3]);
        assert_eq!(h.ask, 200_000);
        let h = Haggler::new(200_000, 200_000, 0.2, [0.5; 3]);
        assert_eq!(h.ask, 200_000);
        let h = Haggler::new(200_000, 210_000, 0.1, [0.5; 3]);
        assert_eq!(h.ask, 231_000);
        let mut asked_posted = 0;
        for h in hagglers() {
            assert_eq!(h.ask == h.posted, h.need <= h.posted, "{h:?}");
            asked_posted += (h.ask == h.posted) as usize;
        }
        // About a quarter of needs fall at or below posted with premiums around 1.04 ± 0.06.
        assert!((200..900).contains(&asked_posted), "{asked_posted}");
    }

    #[test]
    fn concessions_close_part_of_the_gap_and_never_go_below_the_need() {
        let h = Haggler::new(200_000, 210_000, 0.2, [0.5, 0.3, 0.6]);
        assert_eq!(h.next_offer(250_000, 220_000, 1), 235_000);
        assert_eq!(h.next_offer(250_000, 220_000, 2), 241_000);
        // The gap to a counter far below: held at the need.
        assert_eq!(h.next_offer(212_000, 180_000, 3), 210_000);
        assert_eq!(h.next_offer(210_000, 180_000, 3), 210_000);
        for h in hagglers() {
            let mut offer = h.ask;
            for round in 1..=3 {
                let counter = h.posted + (offer - h.posted) / 3;
                let next = h.next_offer(offer, counter, round);
                assert!(next >= h.need && next <= offer && next % 100 == 0, "{h:?} {offer} -> {next}");
                offer = next;
            }
        }
    }

    #[test]
    fn counters_at_or_above_the_need_are_taken() {
        let h = Haggler::new(200_000, 210_000, 0.2, [0.5; 3]);
        assert!(h.takes(210_000));
        assert!(h.takes(215_000));
        assert!(!h.takes(209_900));
    }

    #[test]
    fn premiums_and_asks_follow_the_issue_s_distributions() {
        let premiums: Vec<f64> = (0..4000).map(|i| RepeatCarrier::draw(5, i, 700_010).premium).collect();
        let mean = premiums.iter().sum::<f64>() / premiums.len() as f64;
        let sd = (premiums.iter().map(|p| (p - mean).powi(2)).sum::<f64>() / premiums.len() as f64).sqrt();
        assert!((mean - PREMIUM_MEAN).abs() < 0.005, "{mean}");
        assert!((sd - PREMIUM_SD).abs() < 0.005, "{sd}");
        for h in hagglers().filter(|h| h.need > h.posted) {
            let markup = h.ask as f64 / h.need as f64 - 1.0;
            assert!((0.049..=0.251).contains(&markup), "{h:?}");
        }
        // The same carrier and call draw the same haggler.
        let c = RepeatCarrier::draw(5, 3, 700_013);
        assert_eq!(
            Haggler::draw(&mut c.call_rng(5, 2), c.premium, 100_000),
            Haggler::draw(&mut c.call_rng(5, 2), c.premium, 100_000)
        );
    }

    #[test]
    fn the_oracle_pays_the_need_or_posted_within_the_ceiling() {
        assert_eq!(oracle_pays(200_000, 190_000, 220_000), Some(200_000));
        assert_eq!(oracle_pays(200_000, 215_000, 220_000), Some(215_000));
        assert_eq!(oracle_pays(200_000, 220_000, 220_000), Some(220_000));
        assert_eq!(oracle_pays(200_000, 220_100, 220_000), None);
        assert_eq!(shipper_pays(200_000), 240_000);
    }
}
