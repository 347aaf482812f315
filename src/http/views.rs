//! The answers of the routes `http/` serves itself: health, readiness and the dashboard
//! session (the live events' `data` is `crate::events::EventOut`).
//!
//! Members are declared in alphabetical order: the order these answers have always had
//! on the wire.

use super::auth::{Grant, Scope};
use crate::db::Backend;
use crate::parse::schema::{long_text, Timestamp};
use serde::Serialize;
use utoipa::openapi::schema::Schema;
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    Ok,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: HealthStatus,
    /// The service's version.
    pub version: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReadyStatus {
    Ready,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DatabaseBackend {
    Sqlite,
    Postgres,
}

impl From<&Backend> for DatabaseBackend {
    fn from(b: &Backend) -> Self {
        match b {
            Backend::Sqlite(_) => DatabaseBackend::Sqlite,
            Backend::Postgres(_) => DatabaseBackend::Postgres,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    pub database: DatabaseBackend,
    pub live_events: LiveEvents,
    pub status: ReadyStatus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LiveEventsStatus {
    Ok,
    Degraded,
}

/// The live dashboard feed. `degraded` does not fail readiness: the agent's tools and the
/// API still work, only live updates are late.
#[derive(Debug, Serialize, ToSchema)]
pub struct LiveEvents {
    /// Failed reads in a row.
    pub consecutive_failures: u64,
    /// Seconds since the outbox was last read.
    pub last_read_secs_ago: u64,
    pub status: LiveEventsStatus,
}

/// The scope a dashboard session carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SessionScope {
    Dashboard,
    Admin,
}

impl SessionScope {
    /// The scope of a session opened with this grant; `None` when it cannot open the
    /// dashboard (an agent key).
    pub fn of(grant: Grant) -> Option<SessionScope> {
        match grant.session_scope() {
            Scope::Dashboard => Some(SessionScope::Dashboard),
            Scope::Admin => Some(SessionScope::Admin),
            Scope::Agent => None,
        }
    }
}

impl From<SessionScope> for Scope {
    fn from(s: SessionScope) -> Self {
        match s {
            SessionScope::Dashboard => Scope::Dashboard,
            SessionScope::Admin => Scope::Admin,
        }
    }
}

#[derive(ToSchema)]
#[schema(example = json!({"api_key": "cs_0123456789abcdef0123456789abcdef0123456789abcdef"}))]
pub struct SignInRequest {
    #[schema(schema_with = api_key_text)]
    pub api_key: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignedIn {
    /// When the session cookie expires.
    #[schema(value_type = Timestamp)]
    pub expires_at: String,
    pub scope: SessionScope,
    pub signed_in: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    /// `admin` for an admin key or session (and for an all-scopes key).
    pub scope: SessionScope,
    pub signed_in: bool,
}

fn api_key_text() -> Schema {
    long_text(512, true, "A dashboard- or admin-scope API key (at most 512 characters).")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_keep_their_wire_spelling() {
        let ready = Readiness {
            database: DatabaseBackend::Postgres,
            live_events: LiveEvents {
                consecutive_failures: 2,
                last_read_secs_ago: 7,
                status: LiveEventsStatus::Degraded,
            },
            status: ReadyStatus::Ready,
        };
        assert_eq!(
            serde_json::to_string(&ready).unwrap(),
            r#"{"database":"postgres","live_events":{"consecutive_failures":2,"last_read_secs_ago":7,"status":"degraded"},"status":"ready"}"#
        );
        let info = SessionInfo { scope: SessionScope::Admin, signed_in: true };
        assert_eq!(serde_json::to_string(&info).unwrap(), r#"{"scope":"admin","signed_in":true}"#);
    }

    #[test]
    fn only_a_grant_that_opens_the_dashboard_has_a_session_scope() {
        assert_eq!(SessionScope::of(Grant::All), Some(SessionScope::Admin));
        assert_eq!(SessionScope::of(Grant::Only(Scope::Admin)), Some(SessionScope::Admin));
        assert_eq!(SessionScope::of(Grant::Only(Scope::Dashboard)), Some(SessionScope::Dashboard));
        assert_eq!(SessionScope::of(Grant::Only(Scope::Agent)), None);
    }
}
