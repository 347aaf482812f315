//! API keys, scopes and dashboard sessions (SPEC §5).
//!
//! A key arrives in `X-API-Key`, `api-key` (the voice platform's "API Key" option) or
//! `Authorization: Bearer`. Keys from `API_KEYS` live only in memory as SHA-256 digests and
//! are compared in constant time; keys made with `carrier-sales keys create` are stored as
//! digests in `api_keys`. Managers sign in once and then carry an HttpOnly session cookie,
//! accepted for dashboard and admin routes only, never for the agent's tools.
//! Authorisation runs as route middleware, before any body is read.

use crate::config::Secret;
use crate::error::{AppError, ErrorCode};
use crate::state::AppState;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use anyhow::bail;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub mod store;

pub use store::{create_stored_key, revoke_stored_key};

pub const SESSION_COOKIE: &str = "cs_session";
/// Sign-in attempts allowed per client address per minute.
pub const SIGN_INS_PER_MINUTE: u32 = 20;

/// Per-key rate limiting (GCRA, the `governor` crate). Limits are per instance.
pub type KeyLimiter = std::sync::Arc<governor::DefaultKeyedRateLimiter<String>>;

pub fn limiter(per_minute: u32) -> KeyLimiter {
    let n = std::num::NonZeroU32::new(per_minute.max(1)).expect("at least 1");
    std::sync::Arc::new(governor::RateLimiter::keyed(governor::Quota::per_minute(n)))
}

/// `Err(seconds to wait)` when `key` is over its limit.
pub fn check_rate(limiter: &KeyLimiter, key: &str) -> Result<(), u64> {
    use governor::clock::{Clock, DefaultClock};
    limiter.check_key(&key.to_string()).map_err(|not_until| {
        crate::telemetry::telemetry().rate_limited.inc();
        not_until.wait_time_from(DefaultClock::default().now()).as_secs_f64().ceil().max(1.0) as u64
    })
}

pub fn too_many_requests(wait_secs: u64) -> AppError {
    AppError::new(ErrorCode::RateLimited, format!("Too many requests for this key; try again in {wait_secs} s."))
        .with_retry_after(wait_secs)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Agent,
    Dashboard,
    Admin,
}

impl Scope {
    pub fn parse(s: &str) -> Option<Scope> {
        match s.trim().to_ascii_lowercase().as_str() {
            "agent" => Some(Scope::Agent),
            "dashboard" => Some(Scope::Dashboard),
            "admin" => Some(Scope::Admin),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Agent => "agent",
            Scope::Dashboard => "dashboard",
            Scope::Admin => "admin",
        }
    }
}

/// What a credential may do: one scope, or every scope for a bare `API_KEYS` entry.
/// An admin may also read what the dashboard reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    All,
    Only(Scope),
}

impl Grant {
    pub fn allows(self, needed: Scope) -> bool {
        match self {
            Grant::All => true,
            Grant::Only(have) => have == needed || (have == Scope::Admin && needed == Scope::Dashboard),
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Grant::All => "all",
            Grant::Only(s) => s.as_str(),
        }
    }
    /// The scope a dashboard session signed in with this grant carries.
    pub fn session_scope(self) -> Scope {
        match self {
            Grant::All | Grant::Only(Scope::Admin) => Scope::Admin,
            Grant::Only(s) => s,
        }
    }
}

/// Who is calling, stored in the request's extensions for handlers.
#[derive(Clone, Debug)]
pub struct Principal {
    pub grant: Grant,
    /// For logs and audit: "env key 1", "key ops-laptop", "key ops-laptop (session)".
    pub label: String,
    /// What the rate limit counts against: the key (a session counts against the key
    /// that signed it in).
    pub rate_key: String,
}

impl Principal {
    /// Dashboard and admin readers see broker-only fields such as `max_rate`.
    pub fn sees_broker_fields(&self) -> bool {
        self.grant.allows(Scope::Dashboard)
    }
}

pub struct ConfiguredKey {
    digest: [u8; 32],
    pub grant: Grant,
    pub label: String,
}

pub fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// Values that mean "someone forgot to set a real key".
pub fn is_placeholder(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.len() < 16
        || [
            "changeme",
            "change-me",
            "change_me",
            "placeholder",
            "example",
            "your-key",
            "your_key",
            "yourkey",
            "secret",
            "xxxx",
            "replace",
        ]
        .iter()
        .any(|p| k.contains(p))
}

/// Parses `API_KEYS` entries: `scope:key` or a bare key (all scopes).
pub fn parse_configured(entries: &[Secret]) -> anyhow::Result<Vec<ConfiguredKey>> {
    let mut out = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let raw = entry.expose().trim();
        let (grant, key) = match raw.split_once(':') {
            Some((scope, key)) => match Scope::parse(scope) {
                Some(s) => (Grant::Only(s), key.trim()),
                None => {
                    bail!("API_KEYS entry {} has an unknown scope; use agent:, dashboard:, admin: or a bare key", i + 1)
                }
            },
            None => (Grant::All, raw),
        };
        if key.is_empty() {
            bail!("API_KEYS entry {} has an empty key", i + 1);
        }
        out.push(ConfiguredKey { digest: digest(key), grant, label: format!("env key {} ({})", i + 1, grant.label()) });
    }
    Ok(out)
}

/// A new random key: `cs_` and 48 hex characters (192 bits).
pub fn generate_key() -> String {
    format!("cs_{}", random_hex(24))
}

pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the OS random source is available");
    hex(&buf)
}

pub(crate) fn presented_key(req: &ServiceRequest) -> Option<String> {
    let h = req.headers();
    let direct = ["x-api-key", "api-key"]
        .iter()
        .find_map(|name| h.get(*name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty()));
    if let Some(k) = direct {
        return Some(k.to_string());
    }
    let auth = h.get("authorization")?.to_str().ok()?.trim();
    let (scheme, token) = auth.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim().to_string())
}

/// Resolves a presented key: configured keys first (constant-time over all of them),
/// then keys stored in the database.
pub fn authenticate_key(
    state: &AppState,
    conn: &mut crate::db::DbConnection,
    key: &str,
) -> Result<Option<Principal>, AppError> {
    let d = digest(key);
    match configured_key(state, &d) {
        Some(p) => Ok(Some(p)),
        None => stored_key(conn, &d),
    }
}

/// A key from `API_KEYS`: resolved in memory (constant-time over all of them), so the
/// request needs no database connection and no trip to the blocking pool.
/// `d` is the presented key's [`digest`].
fn configured_key(state: &AppState, d: &[u8; 32]) -> Option<Principal> {
    let mut found: Option<&ConfiguredKey> = None;
    for k in state.keys.iter() {
        if bool::from(k.digest.ct_eq(d)) {
            found = Some(k);
        }
    }
    found.map(|k| Principal { grant: k.grant, label: k.label.clone(), rate_key: k.label.clone() })
}

/// A key made with `carrier-sales keys` (stored hashed, revocable): a database read.
fn stored_key(conn: &mut crate::db::DbConnection, d: &[u8; 32]) -> Result<Option<Principal>, AppError> {
    stored_key_by_hash(conn, &hex(d), true)
}

/// The stored, unrevoked key whose digest is `key_hash` (hex). `touch` records its use:
/// informational, so at most once a minute per key.
fn stored_key_by_hash(
    conn: &mut crate::db::DbConnection,
    key_hash: &str,
    touch: bool,
) -> Result<Option<Principal>, AppError> {
    let Some(key) = store::active_key(conn, key_hash)? else {
        return Ok(None);
    };
    let now = crate::db::to_ms(chrono::Utc::now());
    if touch && key.last_used_at.is_none_or(|t| now - t > 60_000) {
        store::touch_key(conn, &key.id, now)?;
    }
    Ok(Some(Principal {
        grant: stored_grant(&key.scope),
        label: format!("key {}", key.name),
        rate_key: format!("key {}", key.id),
    }))
}

/// A dashboard session is good while it has not expired and the key that opened it is
/// still in this process's `API_KEYS` or stored and not revoked. The session and the
/// stored key are read from the shared database on every request (nothing is cached), so
/// revoking or removing the key ends the session at its next request, on every instance.
/// The session carries its key's scope as it is now.
pub(crate) fn authenticate_session(
    state: &AppState,
    conn: &mut crate::db::DbConnection,
    token: &str,
) -> Result<Option<Principal>, AppError> {
    let now = crate::db::to_ms(chrono::Utc::now());
    let key_hash = store::session_key(conn, &hex(&digest(token)), now)?;
    let Some(key_hash) = key_hash else {
        return Ok(None);
    };
    let key = match unhex_digest(&key_hash).and_then(|d| configured_key(state, &d)) {
        Some(p) => p,
        None => match stored_key_by_hash(conn, &key_hash, false)? {
            Some(p) => p,
            None => return Ok(None),
        },
    };
    Ok(Some(Principal {
        grant: Grant::Only(key.grant.session_scope()),
        label: format!("{} (session)", key.label),
        rate_key: key.rate_key,
    }))
}

fn stored_grant(scope: &str) -> Grant {
    Scope::parse(scope).map(Grant::Only).unwrap_or(Grant::Only(Scope::Agent))
}

/// The inverse of [`hex`] for a [`digest`]; `None` for anything else.
fn unhex_digest(s: &str) -> Option<[u8; 32]> {
    let bytes = s.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks(2).enumerate() {
        let digit = |c: u8| char::from(c).to_digit(16);
        out[i] = u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok()?;
    }
    Some(out)
}

/// The credentials that need the database (a stored key, a dashboard session), looked
/// up on the blocking pool.
async fn stored_credentials(
    state: web::Data<AppState>,
    key: Option<[u8; 32]>,
    cookie: Option<String>,
) -> Result<Option<Principal>, AppError> {
    let db = state.db.clone();
    db.read(move |conn| -> Result<Option<Principal>, AppError> {
        if let Some(d) = key {
            return match stored_key(conn, &d)? {
                Some(p) => Ok(Some(p)),
                None => Err(AppError::new(ErrorCode::InvalidApiKey, "The API key is not valid.")),
            };
        }
        match cookie {
            Some(token) => authenticate_session(&state, conn, &token),
            None => Ok(None),
        }
    })
    .await
}

async fn authorize<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
    needed: &'static [Scope],
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().expect("app state is registered").clone();
    let cookie = needed
        .iter()
        .any(|s| *s != Scope::Agent)
        .then(|| req.cookie(SESSION_COOKIE).map(|c| c.value().to_string()))
        .flatten();
    let key = presented_key(&req).map(|k| digest(&k));
    let configured = key.as_ref().and_then(|d| configured_key(&state, d));
    let outcome = match configured {
        Some(p) => Ok(Some(p)),
        None => stored_credentials(state.clone(), key, cookie).await,
    };

    let principal = match outcome {
        Ok(Some(p)) => p,
        Ok(None) => {
            let e = AppError::new(
                ErrorCode::MissingApiKey,
                "Send an API key in the X-API-Key, api-key or Authorization: Bearer header.",
            );
            return Ok(req.error_response(e).map_into_right_body());
        }
        Err(e) => return Ok(req.error_response(e).map_into_right_body()),
    };
    // A cookie rides along with whatever a browser sends; a key is sent on purpose.
    if key.is_none() {
        if let Err(e) = state.proxies.refuse_cross_origin(req.request(), &state.settings.auth.cors_origins) {
            return Ok(req.error_response(e).map_into_right_body());
        }
    }
    if !needed.iter().any(|s| principal.grant.allows(*s)) {
        let names: Vec<&str> = needed.iter().map(|s| s.as_str()).collect();
        let e = AppError::forbidden(format!("This route needs the `{}` scope.", names.join("` or `")));
        return Ok(req.error_response(e).map_into_right_body());
    }
    if let Some(l) = req.app_data::<web::Data<AppState>>().and_then(|s| s.limiter.clone()) {
        if let Err(wait) = check_rate(&l, &principal.rate_key) {
            return Ok(req.error_response(too_many_requests(wait)).map_into_right_body());
        }
    }
    req.extensions_mut().insert(principal);
    next.call(req).await.map(ServiceResponse::map_into_left_body)
}

pub async fn require_agent<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    authorize(req, next, &[Scope::Agent]).await
}

pub async fn require_dashboard<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    authorize(req, next, &[Scope::Dashboard]).await
}

pub async fn require_admin<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    authorize(req, next, &[Scope::Admin]).await
}

/// Either an agent or a dashboard reader (load lookups by id serve both).
pub async fn require_any<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    authorize(req, next, &[Scope::Agent, Scope::Dashboard]).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lowercase_two_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff, 0x10]), "000fa5ff10");
        assert_eq!(hex(&[]), "");
        let d = digest("k");
        assert_eq!(hex(&d).len(), 64);
        assert_eq!(unhex_digest(&hex(&d)), Some(d));
        assert_eq!(unhex_digest(""), None);
        assert_eq!(unhex_digest(&"g".repeat(64)), None);
    }

    #[test]
    fn configured_keys_parse_with_scopes() {
        let keys =
            parse_configured(&[Secret::new("agent:abc"), Secret::new("plainkey"), Secret::new("admin: k2 ")]).unwrap();
        assert_eq!(keys[0].grant, Grant::Only(Scope::Agent));
        assert_eq!(keys[1].grant, Grant::All);
        assert_eq!(keys[2].grant, Grant::Only(Scope::Admin));
        assert_eq!(keys[2].digest, digest("k2"));
        assert!(parse_configured(&[Secret::new("agnet:abc")]).is_err());
        assert!(parse_configured(&[Secret::new("agent:")]).is_err());
    }

    #[test]
    fn grants_follow_scope_rules() {
        assert!(Grant::All.allows(Scope::Agent));
        assert!(Grant::Only(Scope::Admin).allows(Scope::Dashboard));
        assert!(!Grant::Only(Scope::Dashboard).allows(Scope::Admin));
        assert!(!Grant::Only(Scope::Agent).allows(Scope::Dashboard));
        assert!(!Grant::Only(Scope::Dashboard).allows(Scope::Agent));
    }

    #[test]
    fn generated_keys_are_long_and_url_safe() {
        let k = generate_key();
        assert!(k.len() >= 32);
        assert!(k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
        assert_ne!(k, generate_key());
        assert!(!is_placeholder(&k));
        assert!(is_placeholder("changeme-please-1234"));
        assert!(is_placeholder("short"));
    }
}
