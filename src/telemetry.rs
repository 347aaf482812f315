//! Prometheus metrics (`GET /metrics`): requests by route and status with latency
//! histograms, FMCSA lookups by outcome, cache hits, the breaker state, negotiation
//! decisions, bookings, rate limiting, the database pool and SQLite's write batches.

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
}

fn build() -> Telemetry {
    let registry = Registry::new_custom(Some("carrier_sales".into()), None).expect("valid prefix");
    let http_requests = IntCounterVec::new(
        Opts::new("http_requests_total", "HTTP requests by route pattern, method and status"),
        &["route", "method", "status"],
    )
    .expect("valid metric");
    // Buckets around what a voice agent notices: most answers well under 100 ms.
    let http_duration = HistogramVec::new(
        HistogramOpts::new("http_request_duration_seconds", "Time to answer, by route pattern and method")
            .buckets(vec![0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]),
        &["route", "method"],
    )
    .expect("valid metric");
    let fmcsa_lookups = IntCounterVec::new(
        Opts::new(
            "fmcsa_lookups_total",
            "FMCSA lookups by outcome: found, not_found, error, timeout, breaker_open (not called)",
        ),
        &["outcome"],
    )
    .expect("valid metric");
    // Every outcome is shown from the start, so a rate over it never begins at a gap.
    for outcome in FMCSA_OUTCOMES {
        fmcsa_lookups.with_label_values(&[outcome]);
    }
    let fmcsa_cache_hits = IntCounter::new(
        "fmcsa_cache_hits_total",
        "Verifications answered from a fresh cached FMCSA answer, without calling FMCSA",
    )
    .expect("valid");
    let fmcsa_breaker_open = IntGauge::new(
        "fmcsa_breaker_open",
        "1 while the FMCSA circuit breaker is open (lookups answered without calling FMCSA), else 0",
    )
    .expect("valid metric");
    let negotiation_decisions =
        IntCounterVec::new(Opts::new("negotiation_decisions_total", "Negotiation answers by decision"), &["decision"])
            .expect("valid metric");
    let bookings =
        IntCounterVec::new(Opts::new("bookings_total", "Bookings created and cancelled"), &["event"]).expect("valid");
    let rate_limited = IntCounter::new("rate_limited_total", "Requests refused by the rate limit").expect("valid");
    let db_pool = IntGaugeVec::new(Opts::new("db_pool_connections", "Database pool connections by state"), &["state"])
        .expect("valid metric");
    let db_write_batch = Histogram::with_opts(
        HistogramOpts::new(
            "db_write_batch_size",
            "Requests committed together by SQLite's writer (one commit each batch)",
        )
        .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]),
    )
    .expect("valid metric");
    let events_poller_healthy = IntGauge::new(
        "events_poller_healthy",
        "1 while the live-events poller reads the outbox; 0 after a failure or 30 s without a read",
    )
    .expect("valid metric");
    let events_poller_failures =
        IntCounter::new("events_poller_failures_total", "Failed reads of the events outbox").expect("valid metric");
    let events_poller_last_success_age = IntGauge::new(
        "events_poller_last_success_age_seconds",
        "Seconds since the live-events poller last read the outbox",
    )
    .expect("valid metric");
    let webhooks_repaired = IntCounterVec::new(
        Opts::new(
            "webhooks_repaired_total",
            "Platform webhook bodies read after repairing raw control characters or trailing commas",
        ),
        &["route"],
    )
    .expect("valid metric");
    let webhooks_rejected = IntCounterVec::new(
        Opts::new("webhooks_rejected_total", "Platform webhook bodies that could not be read, kept for replay"),
        &["route"],
    )
    .expect("valid metric");
    for m in [
        Box::new(http_requests.clone()) as Box<dyn prometheus::core::Collector>,
        Box::new(http_duration.clone()),
        Box::new(fmcsa_lookups.clone()),
        Box::new(fmcsa_cache_hits.clone()),
        Box::new(fmcsa_breaker_open.clone()),
        Box::new(negotiation_decisions.clone()),
        Box::new(bookings.clone()),
        Box::new(rate_limited.clone()),
        Box::new(db_pool.clone()),
        Box::new(db_write_batch.clone()),
        Box::new(events_poller_healthy.clone()),
        Box::new(events_poller_failures.clone()),
        Box::new(events_poller_last_success_age.clone()),
        Box::new(webhooks_repaired.clone()),
        Box::new(webhooks_rejected.clone()),
    ] {
        registry.register(m).expect("metric registered once");
    }
    Telemetry {
        registry,
        http_requests,
        http_duration,
        fmcsa_lookups,
        fmcsa_cache_hits,
        fmcsa_breaker_open,
        negotiation_decisions,
        bookings,
        rate_limited,
        db_pool,
        db_write_batch,
        events_poller_healthy,
        events_poller_failures,
        events_poller_last_success_age,
        webhooks_repaired,
        webhooks_rejected,
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
