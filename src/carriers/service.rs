//! One verification, start to finish: cache, circuit breaker, QCMobile (or the offline
//! snapshot), the rules, the spoken message, and the record of it.
//!
//! Time budget: the voice agent is waiting on the line, so the whole call answers
//! within `FMCSA_TIMEOUT_MS` whatever FMCSA does. The FMCSA part gets the budget less a
//! small reserve for the database work around it, is cut off by a timer at its
//! deadline, and a failure within it falls back to a stale cached answer or
//! `unavailable` (which lets the call go on; the booking is verified later).

use super::breaker::{Breaker, Permit};
use super::carrier::{Carrier, CarrierView};
use super::client::{FetchError, QcMobile};
use super::eligibility::{self, Finding, Reason, Status, Warning};
use super::messages;
use super::query::{CarrierQuery, Lookup};
use super::snapshot::Snapshot;
use super::store::{self, CacheEntry, CacheWrite};
use crate::config::FmcsaSettings;
use crate::error::AppResult;
use crate::parse::schema::Timestamp;
use crate::state::AppState;
use actix_web::web;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};
use utoipa::ToSchema;

/// Where an answer came from.
pub use crate::vocab::verification::VerificationSource as Source;

/// The answer of `POST /api/v1/fmcsa/verify` (SPEC §3.1).
// Also what the other rooms are handed after a verification.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Verification {
    /// The call this verification was recorded for: the one sent, or a new one (`[A-Za-z0-9_-]`, at most 64 characters) to pass to every later tool.
    // (Null only for a verification made outside a call, which the API never answers.)
    #[schema(value_type = String)]
    pub call_id: Option<String>,
    /// The MC docket, digits only (asked, or found for a USDOT query); else null.
    #[schema(required = true)]
    pub mc_number: Option<String>,
    /// Null when FMCSA could not be consulted (`unavailable`).
    #[schema(required = true)]
    pub eligible: Option<bool>,
    pub status: Status,
    /// Every failed rule, in SPEC §6 order.
    pub reasons: Vec<Reason>,
    /// Null when not found or unavailable.
    #[schema(required = true)]
    pub carrier: Option<CarrierView>,
    pub source: Source,
    pub warnings: Vec<Warning>,
    /// A cached answer past its time to live, served because FMCSA is down.
    pub stale: bool,
    /// When FMCSA (or the snapshot) was consulted.
    #[schema(value_type = Timestamp)]
    pub checked_at: String,
    /// What the agent can say.
    pub message: String,
    /// The USDOT number asked or found (stored with the record, not in the answer).
    #[serde(skip)]
    #[schema(ignore)]
    pub dot_number: Option<String>,
}

/// Builds the answer from what was found. `lookup` is `None` when FMCSA could not be
/// consulted and nothing usable was cached.
pub fn answer(
    query: &CarrierQuery,
    lookup: Option<&Lookup>,
    source: Source,
    stale: bool,
    checked_at: DateTime<Utc>,
) -> Verification {
    let carrier = match lookup {
        Some(Lookup::Found { carrier, .. }) => Carrier::from_qcmobile(carrier).ok(),
        _ => None,
    };
    let verdict = match (lookup, &carrier) {
        (Some(Lookup::NotFound), _) => Some(eligibility::judge(Finding::NotFound)),
        (Some(Lookup::Unresolved { .. }), _) => Some(eligibility::judge(Finding::UnresolvedDocket)),
        (Some(Lookup::Found { docket_records, .. }), Some(c)) => {
            Some(eligibility::judge(Finding::Carrier { carrier: c, ambiguous_docket: *docket_records > 1 }))
        }
        // Nothing consulted, or a record that cannot be read: no verdict.
        _ => None,
    };
    let (status, reasons, warnings) = match verdict {
        Some(v) => (v.status, v.reasons, v.warnings),
        None => (Status::Unavailable, vec![], vec![]),
    };
    let mc_number = match lookup {
        Some(Lookup::Found { mc_number, .. }) | Some(Lookup::Unresolved { mc_number, .. }) => mc_number.clone(),
        _ => None,
    }
    .or_else(|| query.mc().map(str::to_string));
    let dot_number = carrier.as_ref().and_then(|c| c.dot_number.clone()).or_else(|| query.dot().map(str::to_string));
    Verification {
        call_id: None,
        mc_number,
        eligible: status.eligible(),
        status,
        message: messages::message(status, &reasons, carrier.as_ref(), query),
        reasons,
        carrier: carrier.as_ref().map(Carrier::view),
        source,
        warnings,
        stale,
        checked_at: checked_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        dot_number,
    }
}

enum Backend {
    Live(QcMobile),
    Offline(Snapshot),
}

/// The FMCSA side of the service, built once at start-up and kept in `AppState`.
pub struct Fmcsa {
    backend: Backend,
    breaker: Mutex<Breaker>,
}

impl Fmcsa {
    /// Live QCMobile when a web key is configured, else the bundled offline snapshot.
    pub fn from_settings(s: &FmcsaSettings) -> anyhow::Result<Fmcsa> {
        let key = s.web_key.clone().filter(|k| !k.expose().trim().is_empty());
        let backend = match key {
            Some(key) => Backend::Live(QcMobile::new(&s.base_url, key, Duration::from_millis(s.timeout_ms))?),
            None => Backend::Offline(Snapshot::bundled()?),
        };
        Ok(Fmcsa {
            backend,
            breaker: Mutex::new(Breaker::new(s.breaker_failures, Duration::from_secs(s.breaker_open_secs))),
        })
    }

    pub fn is_live(&self) -> bool {
        matches!(self.backend, Backend::Live(_))
    }

    /// One line for the start-up log: which source answers verifications.
    pub fn describe(&self) -> String {
        match &self.backend {
            Backend::Live(c) => format!(
                "carrier verification: FMCSA QCMobile live at {} (web key set)",
                c.base_url()
            ),
            Backend::Offline(s) => format!(
                "carrier verification: offline snapshot (data/carriers.json, {} records); set FMCSA_WEB_KEY for live FMCSA lookups",
                s.len()
            ),
        }
    }

    /// Sets the breaker gauge on `/metrics` from this instance's breaker. Read when
    /// scraped, since the breaker opens and closes with time as well as with lookups.
    pub fn publish_breaker_state(&self) {
        let open = self.is_live() && self.breaker().is_open(Instant::now());
        crate::telemetry::telemetry().fmcsa_breaker_open.set(i64::from(open));
    }

    fn breaker(&self) -> MutexGuard<'_, Breaker> {
        // The breaker holds no invariant a panic could break half-way.
        self.breaker.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The database work around the FMCSA call gets this share of the budget (at most 250 ms).
fn reserve(budget: Duration) -> Duration {
    (budget / 5).min(Duration::from_millis(250))
}

/// What the live path decided, before the answer is built.
struct Resolution {
    lookup: Option<Lookup>,
    source: Source,
    stale: bool,
    checked_at: DateTime<Utc>,
    cache: Option<CacheWrite>,
}

impl Resolution {
    fn from_cache(entry: CacheEntry, stale: bool) -> Resolution {
        Resolution {
            lookup: Some(entry.lookup),
            source: Source::Cache,
            stale,
            checked_at: entry.fetched_at,
            cache: None,
        }
    }

    /// FMCSA gave nothing: an expired found carrier beats `unavailable`. An expired
    /// "not found" is not served: the carrier may have registered since.
    fn fallback(cached: Option<CacheEntry>) -> Resolution {
        match cached.filter(|c| c.lookup.is_found()) {
            Some(entry) => Resolution::from_cache(entry, true),
            None => {
                Resolution { lookup: None, source: Source::Fmcsa, stale: false, checked_at: Utc::now(), cache: None }
            }
        }
    }
}

async fn resolve_live(
    state: &web::Data<AppState>,
    fmcsa: &Fmcsa,
    client: &QcMobile,
    query: &CarrierQuery,
    started: Instant,
) -> AppResult<Resolution> {
    let settings = &state.settings.fmcsa;
    let budget = Duration::from_millis(settings.timeout_ms);
    let deadline = started + budget - reserve(budget);

    let key = query.cache_key();
    let cached = {
        let key = key.clone();
        state.db.read(move |conn| -> AppResult<Option<CacheEntry>> { store::cached(conn, &key) }).await?
    };
    let telemetry = crate::telemetry::telemetry();
    if let Some(entry) = cached.as_ref().filter(|c| c.is_fresh(Utc::now())) {
        telemetry.fmcsa_cache_hits.inc();
        return Ok(Resolution::from_cache(entry.clone(), false));
    }

    let permit = fmcsa.breaker().permit(Instant::now());
    if permit == Permit::Refused {
        log::debug!("FMCSA circuit breaker open: answering without calling FMCSA");
        telemetry.fmcsa_lookups.with_label_values(&["breaker_open"]).inc();
        return Ok(Resolution::fallback(cached));
    }
    let outcome =
        tokio::time::timeout_at(tokio::time::Instant::from_std(deadline), client.lookup(query, deadline)).await;
    let label = match &outcome {
        Ok(Ok(Lookup::NotFound)) => "not_found",
        Ok(Ok(_)) => "found",
        Ok(Err(FetchError::Timeout { .. } | FetchError::NoTime { .. })) | Err(_) => "timeout",
        Ok(Err(_)) => "error",
    };
    telemetry.fmcsa_lookups.with_label_values(&[label]).inc();
    let failure = match outcome {
        Ok(Ok(lookup)) => {
            fmcsa.breaker().success();
            let fetched_at = Utc::now();
            let ttl = if lookup.is_found() {
                chrono::Duration::hours(settings.cache_ttl_hours as i64)
            } else {
                chrono::Duration::minutes(settings.not_found_ttl_minutes as i64)
            };
            return Ok(Resolution {
                cache: Some(CacheWrite { key, lookup: lookup.clone(), fetched_at, expires_at: fetched_at + ttl }),
                lookup: Some(lookup),
                source: Source::Fmcsa,
                stale: false,
                checked_at: fetched_at,
            });
        }
        Ok(Err(e)) => e.to_string(),
        Err(_) => format!("FMCSA lookup cut off at the {} ms budget", (deadline - started).as_millis()),
    };
    let opened = fmcsa.breaker().failure(Instant::now());
    log::warn!(
        "{}; answering {}",
        client.redact(&failure),
        if cached.as_ref().is_some_and(|c| c.lookup.is_found()) { "from the stale cache" } else { "unavailable" }
    );
    if opened {
        log::warn!(
            "FMCSA circuit breaker open: the next {} s of lookups answer without calling FMCSA",
            settings.breaker_open_secs
        );
    }
    Ok(Resolution::fallback(cached))
}

/// Verifies a carrier and records the verification (for the dashboard, the handoff's
/// check and the call's story). Answers within `FMCSA_TIMEOUT_MS` plus the database's
/// own time; FMCSA trouble is an `unavailable` answer, never an error.
pub async fn verify(
    state: &web::Data<AppState>,
    fmcsa: &Fmcsa,
    query: CarrierQuery,
    call_id: Option<String>,
) -> AppResult<Verification> {
    let started = Instant::now();
    let resolution = match &fmcsa.backend {
        Backend::Offline(snapshot) => Resolution {
            lookup: Some(snapshot.lookup(&query)),
            source: Source::OfflineSnapshot,
            stale: false,
            checked_at: Utc::now(),
            cache: None,
        },
        Backend::Live(client) => resolve_live(state, fmcsa, client, &query, started).await?,
    };
    let mut verification =
        answer(&query, resolution.lookup.as_ref(), resolution.source, resolution.stale, resolution.checked_at);
    verification.call_id = call_id.clone();
    let recorded = verification.clone();
    state
        .db
        .write(move |conn| store::record(conn, &recorded, call_id.as_deref(), resolution.cache.as_ref(), Utc::now()))
        .await?;
    Ok(verification)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::McNumber;
    use serde_json::json;

    fn mc(s: &str) -> CarrierQuery {
        CarrierQuery::Mc(McNumber::parse(s).unwrap())
    }

    #[test]
    fn the_answer_has_exactly_the_spec_members() {
        let lookup = Lookup::Found {
            carrier: json!({"legalName": "A B LLC", "dotNumber": 5, "allowedToOperate": "Y",
                "statusCode": "A", "commonAuthorityStatus": "A", "bipdInsuranceRequired": "N",
                "phyCity": "DALLAS", "phyState": "TX"}),
            mc_number: Some("1515".into()),
            docket_records: 1,
        };
        let v = answer(&mc("1515"), Some(&lookup), Source::Fmcsa, false, Utc::now());
        let body = serde_json::to_value(&v).unwrap();
        let mut keys: Vec<&str> = body.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "call_id",
                "carrier",
                "checked_at",
                "eligible",
                "mc_number",
                "message",
                "reasons",
                "source",
                "stale",
                "status",
                "warnings"
            ]
        );
        assert_eq!(body["status"], "eligible");
        assert_eq!(body["eligible"], true);
        assert_eq!(body["mc_number"], "1515");
        assert_eq!(body["source"], "fmcsa");
        assert_eq!(v.dot_number.as_deref(), Some("5"));
        assert!(body["checked_at"].as_str().unwrap().ends_with('Z'));
    }

    #[test]
    fn nothing_consulted_is_unavailable_with_null_eligibility() {
        let v = answer(&mc("1515"), None, Source::Fmcsa, false, Utc::now());
        assert_eq!(v.status, Status::Unavailable);
        assert_eq!(v.eligible, None);
        assert!(v.reasons.is_empty() && v.carrier.is_none());
        assert_eq!(v.mc_number.as_deref(), Some("1515"));

        let nf = answer(&mc("1515"), Some(&Lookup::NotFound), Source::Cache, false, Utc::now());
        assert_eq!(nf.status, Status::NotFound);
        assert_eq!(nf.eligible, Some(false));
        assert_eq!(nf.reasons, vec![Reason::CarrierNotFound]);
    }

    #[test]
    fn the_reserve_leaves_most_of_the_budget_to_fmcsa() {
        assert_eq!(reserve(Duration::from_millis(3000)), Duration::from_millis(250));
        assert_eq!(reserve(Duration::from_millis(500)), Duration::from_millis(100));
    }
}
