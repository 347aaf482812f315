//! Building and running the service: `Application::build(settings)` opens the database,
//! migrates, imports the seed, binds (port 0 allowed) and returns a server that tests and
//! production start the same way.

use crate::carriers::Fmcsa;
use crate::config::Settings;
use crate::db::{self, Db};
use crate::error::ErrorCode;
use crate::http::auth;
use crate::loads::index::LoadIndex;
use crate::state::AppState;
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};
use anyhow::{bail, Context};
use chrono::Utc;

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

pub struct Application {
    port: u16,
    /// "https" when the binary serves TLS itself.
    pub scheme: &'static str,
    /// The self-signed certificate made at start (`TLS_SELF_SIGNED`), in PEM.
    pub self_signed_pem: Option<String>,
    server: Server,
    /// The key generated for a development run without `API_KEYS`.
    pub dev_key: Option<String>,
    pub state: web::Data<AppState>,
    pub load_index: web::Data<LoadIndex>,
    pub fmcsa: web::Data<Fmcsa>,
}

/// Everything that must be true before the listener opens.
pub struct Prepared {
    pub state: AppState,
    pub fmcsa: Fmcsa,
    pub load_index: LoadIndex,
    pub dev_key: Option<String>,
}

/// Opens the pool, migrates, imports the seed, checks keys: blocking work.
pub fn prepare(settings: Settings) -> anyhow::Result<Prepared> {
    let has_fmcsa_key = settings.fmcsa.web_key.as_ref().is_some_and(|k| !k.expose().trim().is_empty());
    if settings.is_production() && !has_fmcsa_key && !settings.fmcsa.offline {
        bail!("refusing to start in production without FMCSA_WEB_KEY: carriers would be verified against the bundled demo snapshot, not FMCSA. Set FMCSA_WEB_KEY to your QCMobile web key, or FMCSA_OFFLINE=true if the demo snapshot is really meant");
    }
    let proxies = crate::http::client::Proxies::from_settings(&settings.server)?;
    let fmcsa = crate::carriers::Fmcsa::from_settings(&settings.fmcsa)?;
    log::info!("{}", fmcsa.describe());
    let mut database = Db::open(
        settings.database.url.expose(),
        settings.database.pool_size,
        Duration::from_millis(settings.database.acquire_timeout_ms),
    )?;
    let mut conn = database.connection().context("connecting to the database")?;
    let ran = db::migrate(&mut conn)?;
    if ran > 0 {
        log::info!("applied {ran} database migration(s)");
    }
    let now = Utc::now();
    let refresh = settings.loads.refresh_seed.unwrap_or(!settings.is_production());
    db::once_at_start(&mut conn, |conn| {
        crate::loads::seed_if_empty(conn, settings.loads.file.as_deref(), now)?;
        if refresh {
            let moved = crate::loads::refresh_seed(conn, now)?;
            if moved > 0 {
                log::info!("moved {moved} past seed load pickup(s) forward by whole weeks");
            }
        }
        Ok(())
    })?;

    let load_index = LoadIndex::default();
    load_index.refresh(&mut conn, true).map_err(|e| anyhow::anyhow!("loading the load index: {e}"))?;
    let mut keys = auth::parse_configured(&settings.auth.api_keys)?;
    let stored = auth::store::active_key_count(&mut conn)?;
    let mut dev_key = None;
    if settings.is_production() {
        if keys.is_empty() && stored == 0 {
            bail!("refusing to start in production without an API key: set API_KEYS (e.g. agent:<key>,dashboard:<key>) or create one with `carrier-sales keys create`");
        }
        if settings.auth.api_keys.iter().any(|k| auth::is_placeholder(k.expose().rsplit(':').next().unwrap_or(""))) {
            bail!("refusing to start in production with a placeholder API key: use keys of at least 16 random characters (`carrier-sales keys create` makes one)");
        }
    } else if keys.is_empty() && stored == 0 {
        let key = auth::generate_key();
        keys.extend(auth::parse_configured(&[crate::config::Secret::new(key.clone())])?);
        dev_key = Some(key);
    }
    let newest_event = crate::events::newest_id(&mut conn)?;
    drop(conn);
    database.start_writer()?;
    let body_limits = crate::http::body::BodyLimits::from_settings(&settings);
    let rate_limit = settings.auth.rate_limit_per_minute;
    Ok(Prepared {
        state: AppState {
            db: database,
            settings: Arc::new(settings),
            keys: Arc::new(keys),
            body_limits,
            events: crate::events::EventHub::new(newest_event),
            limiter: (rate_limit > 0).then(|| crate::http::auth::limiter(rate_limit)),
            sign_in_limiter: crate::http::auth::limiter(crate::http::auth::SIGN_INS_PER_MINUTE),
            proxies,
        },
        fmcsa,
        load_index,
        dev_key,
    })
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let prepared =
            actix_web::rt::task::spawn_blocking(move || prepare(settings)).await.context("start-up task")??;
        let Prepared { state, fmcsa, load_index, dev_key } = prepared;
        let settings = state.settings.clone();
        let listener = TcpListener::bind((settings.server.host.as_str(), settings.server.port))
            .with_context(|| format!("binding {}:{}", settings.server.host, settings.server.port))?;
        let port = listener.local_addr()?.port();
        let data = web::Data::new(state);
        let fmcsa = web::Data::new(fmcsa);
        let load_index = web::Data::new(load_index);
        crate::events::spawn_poller(Arc::downgrade(&data.clone().into_inner()));
        spawn_maintenance(Arc::downgrade(&data.clone().into_inner()));
        crate::webhooks::spawn_sender(Arc::downgrade(&data.clone().into_inner()));
        crate::loads::feed::spawn_poller(Arc::downgrade(&data.clone().into_inner()), load_index.clone());
        let app_data = data.clone();
        let (fmcsa_data, index_data) = (fmcsa.clone(), load_index.clone());
        let cors_origins = settings.auth.cors_origins.clone();
        let mut server = HttpServer::new(move || {
            // CORS is closed unless CORS_ORIGINS names the origins allowed to call the API.
            let mut cors = actix_cors::Cors::default()
                .allowed_methods(["GET", "POST", "DELETE"])
                .allowed_headers(["content-type", "x-api-key", "api-key", "authorization", "x-request-id"])
                .expose_headers(["x-request-id", "retry-after"])
                .max_age(3600);
            for origin in &cors_origins {
                cors = cors.allowed_origin(origin);
            }
            App::new()
                .app_data(app_data.clone())
                .app_data(fmcsa_data.clone())
                .app_data(index_data.clone())
                .app_data(web::QueryConfig::default().error_handler(|e, _| {
                    crate::error::AppError::bad_request(
                        ErrorCode::InvalidQuery,
                        format!("The query string is invalid: {e}"),
                    )
                    .into()
                }))
                .app_data(web::PathConfig::default().error_handler(|e, _| {
                    crate::error::AppError::bad_request(ErrorCode::InvalidPath, format!("The path is invalid: {e}"))
                        .into()
                }))
                .wrap(actix_web::middleware::Condition::new(!cors_origins.is_empty(), cors))
                .wrap(from_fn(crate::http::observe::observe))
                .configure(crate::http::configure)
        })
        .shutdown_timeout(settings.server.shutdown_timeout_secs);
        // actix counts connections per worker; the setting is for the whole process.
        let workers = match settings.server.workers {
            0 => std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            n => n,
        };
        server = server.workers(workers).max_connections(settings.server.max_connections.div_ceil(workers).max(1));
        let tls = crate::http::tls::load(&settings.server)?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let mut self_signed_pem = None;
        let server = match tls {
            Some(t) => {
                log::info!("serving HTTPS; certificate SHA-256 fingerprint {}", t.fingerprint);
                self_signed_pem = t.self_signed_pem;
                server.listen_rustls_0_23(listener, t.config)?.run()
            }
            None => server.listen(listener)?.run(),
        };
        Ok(Application { port, server, dev_key, state: data, load_index, fmcsa, scheme, self_signed_pem })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn server_handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Hourly house-keeping: transcripts (and rejected webhook bodies) past
/// `TRANSCRIPT_RETENTION_DAYS` are removed.
fn spawn_maintenance(state: std::sync::Weak<AppState>) {
    actix_web::rt::spawn(async move {
        loop {
            let Some(st) = state.upgrade() else { return };
            let days = st.settings.retention.transcript_days;
            let result = st
                .db
                .write(move |conn| -> crate::error::AppResult<usize> {
                    let now_ms = db::to_ms(Utc::now());
                    // Rejected webhook bodies may hold transcripts too.
                    let rejected = crate::calls::intake::purge(conn, days, now_ms)?;
                    Ok(crate::calls::purge_transcripts(conn, days, now_ms)? + rejected)
                })
                .await;
            match result {
                Ok(n) if n > 0 => log::info!("removed {n} transcript(s) or rejected bodies older than {days} days"),
                Ok(_) => {}
                Err(e) => log::warn!("transcript retention failed: {e:#}"),
            }
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    });
}
