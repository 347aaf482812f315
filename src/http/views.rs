//! The schemas of the routes `http/` serves itself: health, readiness, the dashboard
//! session, and the live events' data.

use crate::parse::schema::{any_value, long_text, Timestamp};
use utoipa::openapi::schema::Schema;
use utoipa::ToSchema;

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum HealthStatus {
    Ok,
}

#[derive(ToSchema)]
pub struct Health {
    pub status: HealthStatus,
    /// The service's version.
    pub version: String,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum ReadyStatus {
    Ready,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum DatabaseBackend {
    Sqlite,
    Postgres,
}

#[derive(ToSchema)]
pub struct Readiness {
    pub status: ReadyStatus,
    pub database: DatabaseBackend,
    pub live_events: LiveEvents,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum LiveEventsStatus {
    Ok,
    Degraded,
}

/// The live dashboard feed. `degraded` does not fail readiness: the agent's tools and the
/// API still work, only live updates are late.
#[derive(ToSchema)]
pub struct LiveEvents {
    pub status: LiveEventsStatus,
    /// Seconds since the outbox was last read.
    pub last_read_secs_ago: u64,
    /// Failed reads in a row.
    pub consecutive_failures: u64,
}

/// The scope a dashboard session carries.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum SessionScope {
    Dashboard,
    Admin,
}

#[derive(ToSchema)]
#[schema(example = json!({"api_key": "cs_0123456789abcdef0123456789abcdef0123456789abcdef"}))]
pub struct SignInRequest {
    #[schema(schema_with = api_key_text)]
    pub api_key: String,
}

#[derive(ToSchema)]
pub struct SignedIn {
    pub signed_in: bool,
    pub scope: SessionScope,
    /// When the session cookie expires.
    #[schema(value_type = Timestamp)]
    pub expires_at: String,
}

#[derive(ToSchema)]
pub struct SessionInfo {
    pub signed_in: bool,
    /// `admin` for an admin key or session (and for an all-scopes key).
    pub scope: SessionScope,
}

/// One Server-Sent Event's `data` (its `event` field is `kind`, its `id` is `id`).
#[derive(ToSchema)]
pub struct EventOut {
    pub id: i64,
    /// `verification`, `search`, `negotiation.round`, `negotiation.final_offer_accepted`, `booking.created`, `booking.cancelled`, `call.finalized`, `call.session_status`...
    pub kind: String,
    #[schema(required = true)]
    pub call_id: Option<String>,
    pub at: Timestamp,
    #[schema(schema_with = any_value)]
    pub payload: serde_json::Value,
}

fn api_key_text() -> Schema {
    long_text(512, true, "A dashboard- or admin-scope API key (at most 512 characters).")
}
