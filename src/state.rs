//! What request handlers share, below every domain: the database, the settings, the
//! event hub and the HTTP gate's state. A domain's own state (the FMCSA client, the load
//! index) is registered on its own (`web::Data<Fmcsa>`, `web::Data<LoadIndex>`), so no
//! domain reaches another's through this struct.

use crate::config::Settings;
use crate::db::Db;
use crate::http::auth::{ConfiguredKey, KeyLimiter};
use std::sync::Arc;

pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub keys: Arc<Vec<ConfiguredKey>>,
    /// Request body limits by route kind (`BODY_LIMIT_KB` and the finalize and import ones).
    pub body_limits: crate::http::body::BodyLimits,
    pub events: crate::events::EventHub,
    /// Requests per key per minute (`RATE_LIMIT_PER_MINUTE`); `None` when off.
    pub limiter: Option<KeyLimiter>,
    /// Sign-in attempts per client address, against key guessing.
    pub sign_in_limiter: KeyLimiter,
    /// `TRUSTED_PROXIES`: who may tell us the client's address, scheme and host.
    pub proxies: crate::http::client::Proxies,
}
