//! Prometheus metrics (`GET /metrics`): requests by route and status with latency
//! histograms, FMCSA lookups by outcome, cache hits, the breaker state, negotiation
//! decisions, bookings, rate limiting, the database pool and SQLite's write batches.

use prometheus::core::Collector;
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};
use std::sync::OnceLock;

/// The values of `fmcsa_lookups_total`'s `outcome` label.
pub const FMCSA_OUTCOMES: [&str; 5] = ["found", "not_found", "error", "timeout", "breaker_open"];

pub struct Telemetry {
    registry: Registry,
    pub http_requests: IntCounterVec,
    pub http_duration: HistogramVec,
    pub fmcsa_lookups: IntCounterVec,
    pub fmcsa_cache_hits: IntCounter,
    pub fmcsa_breaker_open: IntGauge,
    pub negotiation_decisions: IntCounterVec,
    pub bookings: IntCounterVec,
    pub rate_limited: IntCounter,
    pub db_pool: IntGaugeVec,
    pub db_write_batch: Histogram,
    pub events_poller_healthy: IntGauge,
    pub events_poller_failures: IntCounter,
    pub events_poller_last_success_age: IntGauge,
    pub webhooks_repaired: IntCounterVec,
    pub webhooks_rejected: IntCounterVec,
    pub webhook_attempts: IntCounterVec,
    pub loads_feed_polls: IntCounterVec,
}

/// Registers `metric` and hands it back, so each field of [`Telemetry`] is made and
/// registered in one expression and none can be forgotten in the registry.
fn register<M: Collector + Clone + 'static>(registry: &Registry, metric: M) -> M {
    registry.register(Box::new(metric.clone())).expect("metric registered once");
    metric
}

fn counter(name: &str, help: &str) -> IntCounter {
    IntCounter::new(name, help).expect("valid metric")
}

fn counter_vec(name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric")
}

fn gauge(name: &str, help: &str) -> IntGauge {
    IntGauge::new(name, help).expect("valid metric")
}

fn gauge_vec(name: &str, help: &str, labels: &[&str]) -> IntGaugeVec {
    IntGaugeVec::new(Opts::new(name, help), labels).expect("valid metric")
}

fn http_duration() -> HistogramVec {
    // Buckets around what a voice agent notices: most answers well under 100 ms.
    HistogramVec::new(
        HistogramOpts::new("http_request_duration_seconds", "Time to answer, by route pattern and method")
            .buckets(vec![0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]),
        &["route", "method"],
    )
    .expect("valid metric")
}

fn fmcsa_lookups() -> IntCounterVec {
    let lookups = counter_vec(
        "fmcsa_lookups_total",
        "FMCSA lookups by outcome: found, not_found, error, timeout, breaker_open (not called)",
        &["outcome"],
    );
    // Every outcome is shown from the start, so a rate over it never begins at a gap.
    for outcome in FMCSA_OUTCOMES {
        lookups.with_label_values(&[outcome]);
    }
    lookups
}

fn db_write_batch() -> Histogram {
    Histogram::with_opts(
        HistogramOpts::new(
            "db_write_batch_size",
            "Requests committed together by SQLite's writer (one commit each batch)",
        )
        .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]),
    )
    .expect("valid metric")
}

fn webhook_attempts() -> IntCounterVec {
    counter_vec(
        "webhook_attempts_total",
        "Outbound webhook attempts by outcome: delivered, failed (to be retried), gave_up (after 24 hours)",
        &["outcome"],
    )
}

fn loads_feed_polls() -> IntCounterVec {
    counter_vec(
        "loads_feed_polls_total",
        "Polls of LOADS_FEED_URL by outcome: applied, not_modified (304), failed (nothing changed)",
        &["outcome"],
    )
}

fn build() -> Telemetry {
    let registry = Registry::new_custom(Some("carrier_sales".into()), None).expect("valid prefix");
    let r = &registry;
    Telemetry {
        http_requests: register(
            r,
            counter_vec(
                "http_requests_total",
                "HTTP requests by route pattern, method and status",
                &["route", "method", "status"],
            ),
        ),
        http_duration: register(r, http_duration()),
        fmcsa_lookups: register(r, fmcsa_lookups()),
        fmcsa_cache_hits: register(
            r,
            counter(
                "fmcsa_cache_hits_total",
                "Verifications answered from a fresh cached FMCSA answer, without calling FMCSA",
            ),
        ),
        fmcsa_breaker_open: register(
            r,
            gauge(
                "fmcsa_breaker_open",
                "1 while the FMCSA circuit breaker is open (lookups answered without calling FMCSA), else 0",
            ),
        ),
        negotiation_decisions: register(
            r,
            counter_vec("negotiation_decisions_total", "Negotiation answers by decision", &["decision"]),
        ),
        bookings: register(r, counter_vec("bookings_total", "Bookings created and cancelled", &["event"])),
        rate_limited: register(r, counter("rate_limited_total", "Requests refused by the rate limit")),
        db_pool: register(r, gauge_vec("db_pool_connections", "Database pool connections by state", &["state"])),
        db_write_batch: register(r, db_write_batch()),
        events_poller_healthy: register(
            r,
            gauge(
                "events_poller_healthy",
                "1 while the live-events poller reads the outbox; 0 after a failure or 30 s without a read",
            ),
        ),
        events_poller_failures: register(
            r,
            counter("events_poller_failures_total", "Failed reads of the events outbox"),
        ),
        events_poller_last_success_age: register(
            r,
            gauge(
                "events_poller_last_success_age_seconds",
                "Seconds since the live-events poller last read the outbox",
            ),
        ),
        webhooks_repaired: register(
            r,
            counter_vec(
                "webhooks_repaired_total",
                "Platform webhook bodies read after repairing raw control characters or trailing commas",
                &["route"],
            ),
        ),
        webhooks_rejected: register(
            r,
            counter_vec(
                "webhooks_rejected_total",
                "Platform webhook bodies that could not be read, kept for replay",
                &["route"],
            ),
        ),
        webhook_attempts: register(r, webhook_attempts()),
        loads_feed_polls: register(r, loads_feed_polls()),
        registry,
    }
}

pub fn telemetry() -> &'static Telemetry {
    static T: OnceLock<Telemetry> = OnceLock::new();
    T.get_or_init(build)
}

impl Telemetry {
    pub fn observe_request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.http_requests.with_label_values(&[route, method, &status.to_string()]).inc();
        self.http_duration.with_label_values(&[route, method]).observe(seconds);
    }

    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buf).expect("text encoding cannot fail");
        String::from_utf8(buf).unwrap_or_default()
    }
}
