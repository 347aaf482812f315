//! A circuit breaker in front of QCMobile, so a voice call never waits on an FMCSA that
//! is down: after `breaker_failures` consecutive failed lookups the breaker opens and
//! lookups answer at once (stale cache or `unavailable`) for `breaker_open_secs`; then
//! one trial lookup is let through (half-open). Its success closes the breaker, its
//! failure opens it again.
//!
//! The state is per instance, in memory: losing it costs one probe per instance, and
//! FMCSA's health is the same for every instance anyway. The clock is passed in.

use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Closed {
        failures: u32,
    },
    Open {
        until: Instant,
    },
    /// A trial lookup has been allowed since `since` and has not reported yet.
    HalfOpen {
        since: Instant,
    },
}

/// Whether a lookup may call FMCSA now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permit {
    Go,
    /// The one lookup allowed while half-open.
    Trial,
    Refused,
}

#[derive(Debug)]
pub struct Breaker {
    /// Consecutive failures that open it; 0 never opens.
    threshold: u32,
    open_for: Duration,
    state: State,
}

impl Breaker {
    pub fn new(threshold: u32, open_for: Duration) -> Breaker {
        Breaker { threshold, open_for, state: State::Closed { failures: 0 } }
    }

    pub fn permit(&mut self, now: Instant) -> Permit {
        match self.state {
            State::Closed { .. } => Permit::Go,
            State::Open { until } if now < until => Permit::Refused,
            // A trial that never reported (its request was cancelled) must not keep the
            // breaker shut forever: after another cool-down, try again.
            State::HalfOpen { since } if now.duration_since(since) < self.open_for => Permit::Refused,
            State::Open { .. } | State::HalfOpen { .. } => {
                self.state = State::HalfOpen { since: now };
                Permit::Trial
            }
        }
    }

    pub fn success(&mut self) {
        self.state = State::Closed { failures: 0 };
    }

    /// Records a failed lookup; true when this failure opened the breaker.
    pub fn failure(&mut self, now: Instant) -> bool {
        let open = State::Open { until: now + self.open_for };
        match self.state {
            State::Closed { failures } => {
                let failures = failures.saturating_add(1);
                if self.threshold > 0 && failures >= self.threshold {
                    self.state = open;
                    true
                } else {
                    self.state = State::Closed { failures };
                    false
                }
            }
            State::HalfOpen { .. } => {
                self.state = open;
                true
            }
            // A lookup let through before the breaker opened finished late.
            State::Open { .. } => false,
        }
    }

    pub fn is_open(&self, now: Instant) -> bool {
        matches!(self.state, State::Open { until } if now < until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COOL: Duration = Duration::from_secs(30);

    #[test]
    fn opens_after_consecutive_failures_only() {
        let t0 = Instant::now();
        let mut b = Breaker::new(3, COOL);
        assert!(!b.failure(t0));
        assert!(!b.failure(t0));
        b.success(); // a success resets the count
        assert!(!b.failure(t0));
        assert!(!b.failure(t0));
        assert_eq!(b.permit(t0), Permit::Go);
        assert!(b.failure(t0));
        assert!(b.is_open(t0));
        assert_eq!(b.permit(t0 + Duration::from_secs(29)), Permit::Refused);
    }

    #[test]
    fn half_open_lets_one_trial_through() {
        let t0 = Instant::now();
        let mut b = Breaker::new(1, COOL);
        assert!(b.failure(t0));
        let later = t0 + COOL;
        assert_eq!(b.permit(later), Permit::Trial);
        assert_eq!(b.permit(later), Permit::Refused, "only one trial at a time");
        b.success();
        assert_eq!(b.permit(later), Permit::Go);
    }

    #[test]
    fn a_failed_trial_opens_it_again() {
        let t0 = Instant::now();
        let mut b = Breaker::new(2, COOL);
        b.failure(t0);
        b.failure(t0);
        let later = t0 + COOL;
        assert_eq!(b.permit(later), Permit::Trial);
        assert!(b.failure(later));
        assert_eq!(b.permit(later + Duration::from_secs(1)), Permit::Refused);
        assert_eq!(b.permit(later + COOL), Permit::Trial);
    }

    #[test]
    fn a_trial_that_never_reports_is_retried_after_a_cool_down() {
        let t0 = Instant::now();
        let mut b = Breaker::new(1, COOL);
        b.failure(t0);
        assert_eq!(b.permit(t0 + COOL), Permit::Trial);
        assert_eq!(b.permit(t0 + COOL + COOL), Permit::Trial);
    }

    #[test]
    fn a_zero_threshold_never_opens() {
        let t0 = Instant::now();
        let mut b = Breaker::new(0, COOL);
        for _ in 0..100 {
            assert!(!b.failure(t0));
        }
        assert_eq!(b.permit(t0), Permit::Go);
    }
}
