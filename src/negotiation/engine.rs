//! The negotiation engine: pure, no I/O, no clock.
//!
//! The broker PAYS the carrier. The carrier asks for more than the posted
//! `loadboard_rate`; the broker wants to pay as little as possible and never more than the
//! load's ceiling (`max_rate`, else posted × (1 + max_markup)). Rounds are counted by the
//! service (SPEC §7): for a carrier offer `o` in round n, with `c_prev` our last counter
//! (at first the posted rate):
//! - `o ≤ c_prev`: accept at `o` (the carrier took our number, or asked for less);
//! - rounds 1–2: counter with `c_n`, rising from posted toward the ceiling on the concession
//!   schedule, rounded down to a speakable step; accept at `o` instead if `o ≤ c_n`;
//! - round 3: accept if `o ≤ ceiling`, else reject with the ceiling (rounded down) as the
//!   final offer, which stands.
//!
//! With pricing memory (SPEC §14, `memory.rs`), the counters of rounds 1 and 2 aim at what
//! the carrier's history says it needs instead of the schedule's share of the gap; every
//! other rule, and every clamp below, is the same. Without memory the answer is exactly §7.
//!
//! Guarantees (property-tested below): never agree above the ceiling; counters never go
//! down; never counter above the carrier's ask or below the posted rate; at most three
//! rounds; the same inputs give the same answer.

use super::memory::CarrierMemory;
use crate::types::Money;
use serde::Serialize;

pub const MAX_ROUNDS: u32 = 3;

#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// Ceiling above posted when the load has no `max_rate` (0.10 = 10%).
    pub max_markup: f64,
    /// Share of the posted-to-ceiling gap conceded by the counter of rounds 1, 2, 3.
    pub schedule: [f64; 3],
    /// Counters and final offers are rounded down to this step.
    pub step: Money,
    /// Extra share conceded when the pickup is urgent (within the urgency window).
    pub urgency_adjustment: f64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { max_markup: 0.10, schedule: [0.40, 0.75, 1.00], step: Money::dollars(5), urgency_adjustment: 0.0 }
    }
}

/// What the broker can pay on a load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Economics {
    pub posted: Money,
    pub ceiling: Money,
}

impl Economics {
    /// The ceiling is the load's `max_rate` when it has one, else posted × (1 + markup);
    /// never below posted.
    pub fn new(posted: Money, max_rate: Option<Money>, policy: &Policy) -> Economics {
        let ceiling = max_rate.unwrap_or_else(|| Money((posted.0 as f64 * (1.0 + policy.max_markup)).floor() as i64));
        Economics { posted, ceiling: ceiling.max(posted) }
    }
}

/// A round already played: the carrier's offer and our counter, if we countered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PastRound {
    pub offer: Money,
    pub counter: Option<Money>,
}

pub use crate::vocab::negotiation::Decision;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The carrier asked at or below our standing number.
    AtOrBelowOurNumber,
    /// The ask fits under this round's counter: we take it rather than counter higher.
    WithinThisRoundsCounter,
    /// Round 3 and the ask is within the ceiling.
    WithinCeiling,
    /// We meet the carrier part way.
    Countered,
    /// Round 3 and the ask is above the ceiling.
    AboveCeiling,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub decision: Decision,
    pub round: u32,
    pub counter: Option<Money>,
    pub agreed: Option<Money>,
    pub final_offer: Option<Money>,
    pub reason: Reason,
    /// What set the counter: the schedule, or the carrier's history.
    pub basis: Basis,
}

/// What a counter rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    Schedule,
    Memory,
}

impl Outcome {
    pub fn is_final(&self) -> bool {
        self.decision != Decision::Counter
    }
}

/// The counter for round `n` (1-based): posted + share × gap, rounded down to the step,
/// never below posted or below the previous counter.
pub fn counter_for_round(econ: Economics, policy: &Policy, round: u32, urgent: bool, previous: Money) -> Money {
    let idx = (round.clamp(1, MAX_ROUNDS) - 1) as usize;
    let mut share = policy.schedule[idx];
    if urgent {
        share = (share + policy.urgency_adjustment).min(1.0);
    }
    let gap = (econ.ceiling.0 - econ.posted.0).max(0);
    let raw = Money(econ.posted.0 + (gap as f64 * share).floor() as i64);
    raw.min(econ.ceiling).floor_to(policy.step).max(econ.posted).max(previous)
}

/// The counter for round `n` (1 or 2) aimed at the carrier's remembered premium, with
/// the same clamps as the schedule's: within the ceiling, rounded down to the step, never
/// below posted or the previous counter. Urgency concedes the same extra share of the gap.
pub fn informed_counter(
    econ: Economics,
    policy: &Policy,
    round: u32,
    urgent: bool,
    previous: Money,
    memory: &CarrierMemory,
) -> Money {
    let gap = (econ.ceiling.0 - econ.posted.0).max(0) as f64;
    let mut raw = econ.posted.0 as f64 * (1.0 + memory.target(round));
    if urgent {
        raw += gap * policy.urgency_adjustment;
    }
    let raw = if raw.is_finite() { Money(raw.floor() as i64) } else { econ.posted };
    raw.min(econ.ceiling).floor_to(policy.step).max(econ.posted).max(previous)
}

/// The final offer of round 3: the ceiling rounded down to the step, never below posted.
pub fn final_offer(econ: Economics, policy: &Policy) -> Money {
    econ.ceiling.floor_to(policy.step).max(econ.posted)
}

/// Decides the carrier's `offer` given the rounds already played (at most two) and what
/// memory says of the carrier (`None`: exactly §7). Returns `None` when three rounds have
/// been played: the negotiation is closed.
pub fn decide(
    econ: Economics,
    policy: &Policy,
    history: &[PastRound],
    offer: Money,
    urgent: bool,
    memory: Option<&CarrierMemory>,
) -> Option<Outcome> {
    let round = history.len() as u32 + 1;
    if round > MAX_ROUNDS {
        return None;
    }
    let c_prev = history.iter().rev().find_map(|r| r.counter).unwrap_or(econ.posted);
    let accept = |reason| Outcome {
        decision: Decision::Accept,
        round,
        counter: None,
        agreed: Some(offer),
        final_offer: None,
        reason,
        basis: Basis::Schedule,
    };
    if offer <= c_prev {
        return Some(accept(Reason::AtOrBelowOurNumber));
    }
    if round < MAX_ROUNDS {
        let (c_n, basis) = match memory {
            Some(m) => (informed_counter(econ, policy, round, urgent, c_prev, m), Basis::Memory),
            None => (counter_for_round(econ, policy, round, urgent, c_prev), Basis::Schedule),
        };
        if offer <= c_n {
            return Some(Outcome { basis, ..accept(Reason::WithinThisRoundsCounter) });
        }
        return Some(Outcome {
            decision: Decision::Counter,
            round,
            counter: Some(c_n),
            agreed: None,
            final_offer: None,
            reason: Reason::Countered,
            basis,
        });
    }
    if offer <= econ.ceiling {
        return Some(accept(Reason::WithinCeiling));
    }
    Some(Outcome {
        decision: Decision::Reject,
        round,
        counter: None,
        agreed: None,
        final_offer: Some(final_offer(econ, policy).max(c_prev)),
        reason: Reason::AboveCeiling,
        basis: Basis::Schedule,
    })
}

/// Why the outcome is what it is, in a sentence for the call story (never for the agent:
/// it may name the carrier's history).
pub fn explain(outcome: &Outcome, econ: Economics, policy: &Policy, memory: Option<&CarrierMemory>) -> String {
    let (posted, ceiling) = (econ.posted.spoken(), econ.ceiling.spoken());
    let amount = |m: Option<Money>| m.unwrap_or_default().spoken();
    match (outcome.reason, outcome.basis, memory) {
        (Reason::AtOrBelowOurNumber, ..) => {
            format!("The ask {} is at or below our standing number; accepted as asked.", amount(outcome.agreed))
        }
        (Reason::WithinCeiling, ..) => {
            format!("Round 3 and the ask {} is within the ceiling {ceiling}; accepted.", amount(outcome.agreed))
        }
        (Reason::AboveCeiling, ..) => {
            format!("Round 3 and the ask is above the ceiling {ceiling}; final offer {}.", amount(outcome.final_offer))
        }
        (Reason::WithinThisRoundsCounter | Reason::Countered, Basis::Memory, Some(m)) => {
            let what = if outcome.reason == Reason::Countered {
                format!("Countered {}.", amount(outcome.counter))
            } else {
                format!("The ask {} fits under this round's counter; accepted.", amount(outcome.agreed))
            };
            format!("{what} {}", m.reason(outcome.round))
        }
        (Reason::WithinThisRoundsCounter | Reason::Countered, ..) => {
            let idx = (outcome.round.clamp(1, MAX_ROUNDS) - 1) as usize;
            let share = (policy.schedule[idx] * 100.0).round();
            let what = if outcome.reason == Reason::Countered {
                format!("Countered {}", amount(outcome.counter))
            } else {
                format!("The ask {} fits under this round's counter; accepted", amount(outcome.agreed))
            };
            format!("{what}: round {} of the schedule, {share}% of the way from the posted {posted} to the ceiling {ceiling}.", outcome.round)
        }
    }
}

impl From<&crate::config::NegotiationSettings> for Policy {
    fn from(s: &crate::config::NegotiationSettings) -> Self {
        let sched = |i: usize| s.schedule.get(i).copied().unwrap_or(1.0);
        Policy {
            max_markup: s.max_markup,
            schedule: [sched(0), sched(1), sched(2)],
            step: Money::dollars(s.step_usd as i64),
            urgency_adjustment: s.urgency_adjustment,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn econ(posted: i64, ceiling: i64) -> Economics {
        Economics { posted: Money::dollars(posted), ceiling: Money::dollars(ceiling) }
    }

    fn d(x: i64) -> Money {
        Money::dollars(x)
    }

    /// Posted $2,000, ceiling $2,200 (10%): counters $2,080 (40%), $2,150 (75%).
    #[test]
    fn each_branch_of_the_rules() {
        let p = Policy::default();
        let e = Economics::new(d(2000), None, &p);
        assert_eq!(e.ceiling, d(2200));
        // (history, offer, decision, counter, agreed, final offer)
        type Case<'a> = (&'a [PastRound], i64, Decision, Option<i64>, Option<i64>, Option<i64>);
        let cases: &[Case] = &[
            // asking at or below posted: accept at the ask
            (&[], 2000, Decision::Accept, None, Some(2000), None),
            (&[], 1900, Decision::Accept, None, Some(1900), None),
            // round 1 above posted: counter at 40% of the gap
            (&[], 2400, Decision::Counter, Some(2080), None, None),
            // round 1 ask below this round's counter: take the ask
            (&[], 2050, Decision::Accept, None, Some(2050), None),
            // round 2: counter at 75%
            (&[PastRound { offer: d(2400), counter: Some(d(2080)) }], 2300, Decision::Counter, Some(2150), None, None),
            // round 2: the carrier takes our counter
            (&[PastRound { offer: d(2400), counter: Some(d(2080)) }], 2080, Decision::Accept, None, Some(2080), None),
            // round 3: within ceiling → accept
            (
                &[
                    PastRound { offer: d(2400), counter: Some(d(2080)) },
                    PastRound { offer: d(2300), counter: Some(d(2150)) },
                ],
                2200,
                Decision::Accept,
                None,
                Some(2200),
                None,
            ),
            // round 3: above ceiling → reject with the final offer
            (
                &[
                    PastRound { offer: d(2400), counter: Some(d(2080)) },
                    PastRound { offer: d(2300), counter: Some(d(2150)) },
                ],
                2250,
                Decision::Reject,
                None,
                None,
                Some(2200),
            ),
        ];
        for (history, offer, decision, counter, agreed, final_offer) in cases {
            let o = decide(e, &p, history, d(*offer), false, None).unwrap();
            assert_eq!(o.decision, *decision, "offer {offer} after {history:?}");
            assert_eq!(o.counter, counter.map(d), "offer {offer}");
            assert_eq!(o.agreed, agreed.map(d), "offer {offer}");
            assert_eq!(o.final_offer, final_offer.map(d), "offer {offer}");
            assert_eq!(o.round, history.len() as u32 + 1);
        }
        // A fourth round does not exist.
        let three = [PastRound { offer: d(2400), counter: Some(d(2080)) }; 3];
        assert!(decide(e, &p, &three, d(2100), false, None).is_none());
    }

    #[test]
    fn max_rate_overrides_markup_and_counters_round_down() {
        let p = Policy::default();
        let e = Economics::new(d(2153), Some(d(2420)), &p);
        assert_eq!(e.ceiling, d(2420));
        // 2153 + 0.4 × 267 = 2259.8 → $2,255
        assert_eq!(counter_for_round(e, &p, 1, false, e.posted), d(2255));
        assert_eq!(final_offer(e, &p), d(2420));
        // With no room at all, the counter stays at posted (never below it).
        let flat = Economics::new(d(2153), Some(d(2153)), &p);
        assert_eq!(counter_for_round(flat, &p, 1, false, flat.posted), d(2153));
        assert_eq!(final_offer(flat, &p), d(2153));
    }

    #[test]
    fn urgency_concedes_more_sooner() {
        let p = Policy { urgency_adjustment: 0.2, ..Policy::default() };
        let e = econ(2000, 2200);
        assert_eq!(counter_for_round(e, &p, 1, true, e.posted), d(2120)); // 60%
        assert_eq!(counter_for_round(e, &p, 3, true, e.posted), d(2200)); // capped at 100%
    }

    fn policy_strategy() -> impl Strategy<Value = Policy> {
        (
            0.0f64..0.5,
            0.0f64..1.0,
            0.0f64..1.0,
            0.0f64..1.0,
            prop::sample::select(vec![1i64, 5, 10, 25, 50]),
            0.0f64..0.5,
        )
            .prop_map(|(markup, a, b, c, step, urgency)| {
                let mut s = [a, b, c];
                s.sort_by(|x, y| x.total_cmp(y));
                Policy { max_markup: markup, schedule: s, step: Money::dollars(step), urgency_adjustment: urgency }
            })
    }

    fn memory_strategy() -> impl Strategy<Value = CarrierMemory> {
        (-0.5f64..1.0, 0.0f64..0.3, 1usize..60).prop_map(|(premium, spread, negotiations)| CarrierMemory {
            premium,
            spread,
            negotiations,
            last_deal: None,
        })
    }

    /// Memory moves the counters of rounds 1 and 2 only; acceptance within our number,
    /// round 3 and the final offer are §7's.
    #[test]
    fn memory_aims_the_counters_at_the_carriers_premium() {
        let p = Policy::default();
        let e = econ(2000, 2200);
        let m = CarrierMemory { premium: 0.02, spread: 0.02, negotiations: 5, last_deal: None };
        // Round 1 aims at 2% − ½ × 2% = 1% → $2,020 (the schedule says $2,080).
        let o = decide(e, &p, &[], d(2400), false, Some(&m)).unwrap();
        assert_eq!((o.decision, o.counter, o.basis), (Decision::Counter, Some(d(2020)), Basis::Memory));
        assert!(explain(&o, e, &p, Some(&m)).contains("Carrier history: 5 earlier negotiations"));
        // Round 2 aims at 3% → $2,060.
        let h = [PastRound { offer: d(2400), counter: Some(d(2020)) }];
        assert_eq!(decide(e, &p, &h, d(2300), false, Some(&m)).unwrap().counter, Some(d(2060)));
        // A carrier remembered far above the ceiling is countered at the ceiling, not above.
        let dear = CarrierMemory { premium: 0.5, ..m.clone() };
        assert_eq!(decide(e, &p, &[], d(2400), false, Some(&dear)).unwrap().counter, Some(d(2200)));
        // One remembered below posted is countered at posted.
        let cheap = CarrierMemory { premium: -0.2, ..m.clone() };
        assert_eq!(decide(e, &p, &[], d(2400), false, Some(&cheap)).unwrap().counter, Some(d(2000)));
        // Round 3 is the same with or without memory.
        let two = [h[0], PastRound { offer: d(2300), counter: Some(d(2060)) }];
        assert_eq!(decide(e, &p, &two, d(2250), false, Some(&m)), decide(e, &p, &two, d(2250), false, None));
        // Without memory, the schedule and its explanation.
        let plain = decide(e, &p, &[], d(2400), false, None).unwrap();
        assert_eq!((plain.counter, plain.basis), (Some(d(2080)), Basis::Schedule));
        assert!(explain(&plain, e, &p, None).contains("40% of the way from the posted $2,000 to the ceiling $2,200"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Plays a whole negotiation with random offers and checks every invariant of
        /// SPEC §7.2 at each step.
        #[test]
        fn negotiation_invariants_hold(
            policy in policy_strategy(),
            posted_cents in 50_000i64..1_000_000,
            max_rate_extra in prop::option::of(0i64..300_000),
            offers in prop::collection::vec(0i64..1_500_000, 1..6),
            urgent in any::<bool>(),
            memory in prop::option::of(memory_strategy()),
        ) {
            let memory = memory.as_ref();
            let posted = Money(posted_cents);
            let econ = Economics::new(posted, max_rate_extra.map(|x| Money(posted_cents + x)), &policy);
            prop_assert!(econ.ceiling >= econ.posted);
            let mut history: Vec<PastRound> = Vec::new();
            let mut last_counter: Option<Money> = None;
            for &o in &offers {
                let offer = Money(o);
                let Some(out) = decide(econ, &policy, &history, offer, urgent, memory) else {
                    // Only after three rounds.
                    prop_assert_eq!(history.len(), 3);
                    break;
                };
                // Same inputs, same answer.
                prop_assert_eq!(decide(econ, &policy, &history, offer, urgent, memory), Some(out));
                prop_assert!(out.round <= MAX_ROUNDS);
                if let Some(agreed) = out.agreed {
                    prop_assert!(agreed <= econ.ceiling, "agreed {agreed:?} above ceiling {:?}", econ.ceiling);
                    prop_assert_eq!(agreed, offer);
                }
                if let Some(c) = out.counter {
                    prop_assert!(c <= offer, "counter above the carrier's ask");
                    prop_assert!(c >= econ.posted, "counter below posted");
                    prop_assert!(c <= econ.ceiling, "counter above ceiling");
                    if let Some(prev) = last_counter {
                        prop_assert!(c >= prev, "counter went down");
                    }
                    last_counter = Some(c);
                }
                if let Some(f) = out.final_offer {
                    prop_assert!(f <= econ.ceiling && f >= econ.posted);
                    prop_assert!(last_counter.is_none_or(|prev| f >= prev));
                }
                history.push(PastRound { offer, counter: out.counter });
                if out.is_final() {
                    break;
                }
            }
            prop_assert!(history.len() <= 3);
        }
    }
}
