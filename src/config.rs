//! Settings: built-in defaults < optional `carrier-sales.toml` < environment.
//!
//! The environment names of SPEC §10 (`DATABASE_URL`, `PORT`, `API_KEYS`, ...) are the
//! contract operators rely on; every other setting also has a `CARRIER_SALES__SECTION__KEY`
//! form (e.g. `CARRIER_SALES__NEGOTIATION__MAX_MARKUP=0.12`). An environment variable set
//! to the empty string counts as unset. Everything is validated once, at start.

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;

/// A secret string whose `Debug`/`Display` never shows the value.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Development,
    Production,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// The header trusted proxies name the client in: `X-Forwarded-For` (an AWS load balancer,
/// most proxies) or `Fly-Client-IP` (Fly's proxy, which sets it whatever the client sent).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Default)]
pub enum ClientIpHeader {
    #[default]
    #[serde(rename = "x-forwarded-for")]
    XForwardedFor,
    #[serde(rename = "fly-client-ip")]
    FlyClientIp,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub env: Mode,
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub fmcsa: FmcsaSettings,
    pub negotiation: NegotiationSettings,
    pub loads: LoadsSettings,
    pub sales_reps: Vec<String>,
    pub log: LogSettings,
    pub retention: RetentionSettings,
    pub happyrobot: HappyRobotSettings,
    pub calls: CallsSettings,
    pub events: EventsSettings,
    pub webhooks: WebhooksSettings,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct CallsSettings {
    /// Largest finalize body, in KiB: transcripts run long.
    pub finalize_limit_kb: usize,
}

impl Default for CallsSettings {
    fn default() -> Self {
        CallsSettings { finalize_limit_kb: 1024 }
    }
}

/// The live dashboard feed (`GET /api/v1/events`).
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct EventsSettings {
    /// Open streams one key (or the sessions it signed in) may hold on one instance.
    pub max_streams_per_key: usize,
}

impl Default for EventsSettings {
    fn default() -> Self {
        EventsSettings { max_streams_per_key: 10 }
    }
}

/// Outbound webhooks (SPEC §13.1): how they are sent and retried.
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct WebhooksSettings {
    /// One attempt's budget, connect to last byte.
    pub timeout_ms: u64,
    /// The first retry's delay; each later one doubles it, for 24 hours.
    pub retry_base_secs: u64,
    /// Endpoints on loopback or private addresses (a TMS inside the VPC). Link-local and
    /// cloud-metadata addresses are refused whatever this says.
    pub allow_private: bool,
    /// How often each instance looks for deliveries that are due.
    pub poll_ms: u64,
}

impl Default for WebhooksSettings {
    fn default() -> Self {
        WebhooksSettings { timeout_ms: 5000, retry_base_secs: 10, allow_private: false, poll_ms: 1000 }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct RetentionSettings {
    /// `TRANSCRIPT_RETENTION_DAYS`: transcripts older than this are removed.
    pub transcript_days: u32,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        RetentionSettings { transcript_days: 90 }
    }
}

/// The voice platform: the test-call trigger for the dashboard's "Start a test call", and
/// which of the workspace's workflows are ours.
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct HappyRobotSettings {
    pub trigger_url: Option<String>,
    pub api_key: Option<Secret>,
    pub timeout_ms: u64,
    /// `HAPPYROBOT_ENVIRONMENT`: the environment a run is started in through the REST
    /// runs endpoint (`production`, `staging`, `development`).
    pub environment: String,
    /// `HAPPYROBOT_WORKFLOW_IDS`: the workflows (the platform's `use_case_id`) whose session
    /// events are ours. Session events are configured per workspace, so every workflow's
    /// sessions arrive; others are acknowledged and ignored. Empty: all are taken.
    pub workflow_ids: Vec<String>,
}

impl Default for HappyRobotSettings {
    fn default() -> Self {
        HappyRobotSettings {
            trigger_url: None,
            api_key: None,
            timeout_ms: 10_000,
            environment: "production".into(),
            workflow_ids: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    /// Largest accepted request body, in KiB (`BODY_LIMIT_KB`).
    pub body_limit_kb: usize,
    /// Worker threads; 0 = one per core.
    pub workers: usize,
    /// How long in-flight requests may take to finish on shutdown.
    pub shutdown_timeout_secs: u64,
    /// A request body must arrive within this many seconds, or the answer is 408.
    pub body_timeout_secs: u64,
    /// Open connections across all workers; beyond it the listener stops accepting.
    pub max_connections: usize,
    /// `TLS_CERT`/`TLS_KEY` (PEM) or `TLS_SELF_SIGNED=true`: serve HTTPS on HOST:PORT.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub tls_self_signed: bool,
    /// `WEB_DIR`: serve the dashboard from this directory instead of the embedded copy.
    pub web_dir: Option<PathBuf>,
    /// `TRUSTED_PROXIES`: address blocks of the proxies in front of us (Fly's, a load
    /// balancer's), whose forwarded client address, scheme and host are believed.
    pub trusted_proxies: Vec<String>,
    pub client_ip_header: ClientIpHeader,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct DatabaseSettings {
    pub url: Secret,
    pub pool_size: u32,
    /// How long a request waits for a pooled connection before a 503.
    pub acquire_timeout_ms: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct AuthSettings {
    /// Raw `API_KEYS` entries: `scope:key` or a bare key (all scopes).
    pub api_keys: Vec<Secret>,
    pub rate_limit_per_minute: u32,
    pub cors_origins: Vec<String>,
    pub session_ttl_hours: u32,
    pub metrics_token: Option<Secret>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct FmcsaSettings {
    pub web_key: Option<Secret>,
    pub base_url: String,
    pub timeout_ms: u64,
    /// `FMCSA_OFFLINE=true`: the offline snapshot is meant, even in production.
    pub offline: bool,
    pub cache_ttl_hours: u64,
    pub not_found_ttl_minutes: u64,
    /// Consecutive failures that open the circuit breaker, and how long it stays open.
    pub breaker_failures: u32,
    pub breaker_open_secs: u64,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default)]
pub struct NegotiationSettings {
    /// Ceiling above the posted rate when a load has no `max_rate` (0.10 = 10%).
    pub max_markup: f64,
    /// Share of the gap between posted rate and ceiling conceded by round (0..=1, rising).
    pub schedule: Vec<f64>,
    /// Counters are rounded down to this many dollars.
    pub step_usd: u32,
    /// Extra share of the gap conceded when pickup is within `urgency_window_hours`.
    pub urgency_adjustment: f64,
    pub urgency_window_hours: u32,
    /// An identical request within this many seconds is a webhook retry.
    pub retry_window_secs: u64,
    /// Pricing memory (SPEC §14): counters informed by the carrier's earlier negotiations.
    pub learning: bool,
    /// How far back memory reads, in days.
    pub memory_days: u32,
    /// Let the lane's agreed rates per mile lower the ceiling of loads without `max_rate`.
    pub lane_ceiling: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct LoadsSettings {
    /// `LOADS_FILE`: imported instead of the bundled seed on first start.
    pub file: Option<PathBuf>,
    /// In development, move past seed pickups forward at start-up.
    pub refresh_seed: Option<bool>,
    /// Largest import body, in KiB.
    pub import_limit_kb: usize,
    /// `LOADS_FEED_URL`: the TMS's list of loads, polled and applied as a snapshot.
    pub feed_url: Option<String>,
    /// How often the feed is polled.
    pub feed_interval_secs: u64,
}

impl Default for LoadsSettings {
    fn default() -> Self {
        LoadsSettings {
            file: None,
            refresh_seed: None,
            import_limit_kb: 16 * 1024,
            feed_url: None,
            feed_interval_secs: 300,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct LogSettings {
    pub format: LogFormat,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            env: Mode::Development,
            server: ServerSettings::default(),
            database: DatabaseSettings::default(),
            auth: AuthSettings::default(),
            fmcsa: FmcsaSettings::default(),
            negotiation: NegotiationSettings::default(),
            loads: LoadsSettings::default(),
            sales_reps: vec![
                "Dana Whitfield:+1-555-0100".into(),
                "Marcus Lee:ext 204".into(),
                "Priya Raman:+1-555-0142".into(),
            ],
            log: LogSettings::default(),
            retention: RetentionSettings::default(),
            happyrobot: HappyRobotSettings::default(),
            calls: CallsSettings::default(),
            events: EventsSettings::default(),
            webhooks: WebhooksSettings::default(),
        }
    }
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            host: "127.0.0.1".into(),
            port: 8080,
            body_limit_kb: 256,
            workers: 0,
            shutdown_timeout_secs: 20,
            body_timeout_secs: 15,
            max_connections: 10_000,
            tls_cert: None,
            tls_key: None,
            tls_self_signed: false,
            web_dir: None,
            trusted_proxies: vec![],
            client_ip_header: ClientIpHeader::default(),
        }
    }
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings { url: Secret::new("sqlite://data/carrier-sales.db"), pool_size: 8, acquire_timeout_ms: 5000 }
    }
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            api_keys: vec![],
            rate_limit_per_minute: 600,
            cors_origins: vec![],
            session_ttl_hours: 12,
            metrics_token: None,
        }
    }
}

impl Default for FmcsaSettings {
    fn default() -> Self {
        FmcsaSettings {
            web_key: None,
            base_url: "https://mobile.fmcsa.dot.gov/qc/services".into(),
            timeout_ms: 3000,
            offline: false,
            cache_ttl_hours: 24,
            not_found_ttl_minutes: 10,
            breaker_failures: 5,
            breaker_open_secs: 30,
        }
    }
}

impl Default for NegotiationSettings {
    fn default() -> Self {
        NegotiationSettings {
            max_markup: 0.10,
            schedule: vec![0.40, 0.75, 1.00],
            step_usd: 5,
            urgency_adjustment: 0.0,
            urgency_window_hours: 24,
            retry_window_secs: 10,
            learning: true,
            memory_days: 90,
            lane_ceiling: false,
        }
    }
}

impl NegotiationSettings {
    pub fn validate(&self) -> anyhow::Result<()> {
        let n = &self;
        if !(0.0..=1.0).contains(&n.max_markup) {
            bail!("negotiation.max_markup must be between 0 and 1 (0.10 = 10%)");
        }
        if n.schedule.len() != 3 {
            bail!("negotiation.schedule must have one share per round (3), e.g. 0.40,0.75,1.00");
        }
        if n.schedule.iter().any(|s| !(0.0..=1.0).contains(s)) || n.schedule.windows(2).any(|w| w[1] < w[0]) {
            bail!("negotiation.schedule shares must be between 0 and 1 and never decrease");
        }
        if n.step_usd == 0 {
            bail!("negotiation.step_usd must be at least 1");
        }
        if !(0.0..=1.0).contains(&n.urgency_adjustment) {
            bail!("negotiation.urgency_adjustment must be between 0 and 1");
        }
        if n.memory_days == 0 || n.memory_days > 3650 {
            bail!("negotiation.memory_days must be between 1 and 3650");
        }
        Ok(())
    }
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings { format: LogFormat::Text }
    }
}

/// SPEC §10 variable → settings key.
const ENV_NAMES: &[(&str, &str)] = &[
    ("DATABASE_URL", "database.url"),
    ("HOST", "server.host"),
    ("PORT", "server.port"),
    ("BODY_LIMIT_KB", "server.body_limit_kb"),
    ("CARRIER_SALES_ENV", "env"),
    ("FMCSA_WEB_KEY", "fmcsa.web_key"),
    ("FMCSA_BASE_URL", "fmcsa.base_url"),
    ("FMCSA_TIMEOUT_MS", "fmcsa.timeout_ms"),
    ("FMCSA_OFFLINE", "fmcsa.offline"),
    ("RATE_LIMIT_PER_MINUTE", "auth.rate_limit_per_minute"),
    ("METRICS_TOKEN", "auth.metrics_token"),
    ("DASHBOARD_SESSION_TTL_HOURS", "auth.session_ttl_hours"),
    ("LOG_FORMAT", "log.format"),
    ("LOADS_FILE", "loads.file"),
    ("LOADS_FEED_URL", "loads.feed_url"),
    ("TLS_CERT", "server.tls_cert"),
    ("TLS_KEY", "server.tls_key"),
    ("TLS_SELF_SIGNED", "server.tls_self_signed"),
    ("WEB_DIR", "server.web_dir"),
    ("TRANSCRIPT_RETENTION_DAYS", "retention.transcript_days"),
    ("HAPPYROBOT_TRIGGER_URL", "happyrobot.trigger_url"),
    ("HAPPYROBOT_API_KEY", "happyrobot.api_key"),
    ("HAPPYROBOT_ENVIRONMENT", "happyrobot.environment"),
];

/// SPEC §10 variables holding comma lists.
const ENV_LISTS: &[(&str, &str)] = &[
    ("API_KEYS", "auth.api_keys"),
    ("CORS_ORIGINS", "auth.cors_origins"),
    ("SALES_REPS", "sales_reps"),
    ("TRUSTED_PROXIES", "server.trusted_proxies"),
    ("HAPPYROBOT_WORKFLOW_IDS", "happyrobot.workflow_ids"),
];

fn env_value(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

impl Settings {
    /// Reads defaults, `carrier-sales.toml` (or the file named by `CARRIER_SALES_CONFIG`)
    /// and the environment, then validates.
    pub fn load() -> anyhow::Result<Settings> {
        let file = env_value("CARRIER_SALES_CONFIG").unwrap_or_else(|| "carrier-sales".into());
        let mut builder = config::Config::builder()
            .add_source(config::File::with_name(&file).required(env_value("CARRIER_SALES_CONFIG").is_some()))
            .add_source(
                config::Environment::with_prefix("CARRIER_SALES")
                    .prefix_separator("__")
                    .separator("__")
                    .ignore_empty(true)
                    .try_parsing(true)
                    .list_separator(",")
                    .with_list_parse_key("negotiation.schedule")
                    .with_list_parse_key("auth.api_keys")
                    .with_list_parse_key("auth.cors_origins")
                    .with_list_parse_key("sales_reps")
                    .with_list_parse_key("server.trusted_proxies"),
            );
        for (var, key) in ENV_NAMES {
            if let Some(v) = env_value(var) {
                builder = builder.set_override(*key, v.to_ascii_lowercase_if(key))?;
            }
        }
        for (var, key) in ENV_LISTS {
            if let Some(v) = env_value(var) {
                let items: Vec<String> = v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
                builder = builder.set_override(*key, items)?;
            }
        }
        let settings: Settings = builder
            .build()
            .context("reading configuration")?
            .try_deserialize()
            .context("configuration has an invalid value")?;
        settings.validate()?;
        Ok(settings)
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        if self.server.body_limit_kb == 0 {
            bail!("BODY_LIMIT_KB must be at least 1");
        }
        if let Some(dir) = &self.server.web_dir {
            if !dir.join("index.html").is_file() {
                bail!("WEB_DIR {} has no index.html: point it at a dashboard build (web/dist)", dir.display());
            }
        }
        if self.calls.finalize_limit_kb == 0 {
            bail!("CARRIER_SALES__CALLS__FINALIZE_LIMIT_KB must be at least 1");
        }
        if self.loads.import_limit_kb == 0 {
            bail!("CARRIER_SALES__LOADS__IMPORT_LIMIT_KB must be at least 1");
        }
        if self.server.body_timeout_secs == 0 {
            bail!("server.body_timeout_secs must be at least 1");
        }
        if self.server.max_connections == 0 {
            bail!("server.max_connections must be at least 1");
        }
        if self.events.max_streams_per_key == 0 {
            bail!("events.max_streams_per_key must be at least 1");
        }
        if let Some(url) = &self.loads.feed_url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                bail!("LOADS_FEED_URL must be an http(s) URL");
            }
        }
        if self.loads.feed_interval_secs == 0 {
            bail!("CARRIER_SALES__LOADS__FEED_INTERVAL_SECS must be at least 1");
        }
        if self.webhooks.timeout_ms < 100 {
            bail!("CARRIER_SALES__WEBHOOKS__TIMEOUT_MS must be at least 100");
        }
        if self.webhooks.retry_base_secs == 0 {
            bail!("CARRIER_SALES__WEBHOOKS__RETRY_BASE_SECS must be at least 1");
        }
        if !(100..=60_000).contains(&self.webhooks.poll_ms) {
            bail!("CARRIER_SALES__WEBHOOKS__POLL_MS must be from 100 to 60000");
        }
        if self.database.pool_size == 0 {
            bail!("database.pool_size must be at least 1");
        }
        crate::db::Backend::from_url(self.database.url.expose())?;
        crate::http::auth::parse_configured(&self.auth.api_keys)?;
        self.negotiation.validate()?;
        crate::http::client::Proxies::from_settings(&self.server)?;
        if self.server.tls_cert.is_some() != self.server.tls_key.is_some() {
            bail!("TLS_CERT and TLS_KEY go together");
        }
        if self.fmcsa.timeout_ms < 100 {
            bail!("FMCSA_TIMEOUT_MS must be at least 100");
        }
        if self.auth.session_ttl_hours == 0 {
            bail!("DASHBOARD_SESSION_TTL_HOURS must be at least 1");
        }
        for rep in &self.sales_reps {
            if !rep.contains(':') || rep.split(':').any(|p| p.trim().is_empty()) {
                bail!("SALES_REPS entries are `Name:+1-555-0100` or `Name:ext 204`; got `{rep}`");
            }
        }
        if let Some(url) = &self.happyrobot.trigger_url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                bail!("HAPPYROBOT_TRIGGER_URL must be an http(s) URL");
            }
            if self.happyrobot.api_key.is_none() {
                bail!("HAPPYROBOT_TRIGGER_URL is set but HAPPYROBOT_API_KEY is not");
            }
        }
        if !["production", "staging", "development"].contains(&self.happyrobot.environment.as_str()) {
            bail!("HAPPYROBOT_ENVIRONMENT must be production, staging or development");
        }
        if self.sales_reps.is_empty() {
            bail!("SALES_REPS must name at least one rep");
        }
        Ok(())
    }

    pub fn is_production(&self) -> bool {
        self.env == Mode::Production
    }
}

trait LowerIfEnum {
    fn to_ascii_lowercase_if(self, key: &str) -> String;
}

impl LowerIfEnum for String {
    /// Enum-valued settings are matched case-insensitively ("Production", "JSON").
    fn to_ascii_lowercase_if(self, key: &str) -> String {
        if ["env", "log.format", "fmcsa.offline", "server.tls_self_signed", "webhooks.allow_private"].contains(&key) {
            self.to_ascii_lowercase()
        } else {
            self
        }
    }
}
