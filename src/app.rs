//! Building and running the service: `Application::build(settings)` opens the database,
//! migrates, imports the seed, binds (port 0 allowed) and returns a server that tests and
//! production start the same way.

use crate::config::Settings;
use crate::db::{self, Backend, Pool};
use crate::error::{AppResult, ErrorCode};
use crate::http::auth::{self, ConfiguredKey};
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};
use anyhow::{bail, Context};
use chrono::Utc;
use diesel::prelude::*;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

/// Shared by every request handler.
pub struct AppState {
    pub pool: Pool,
    pub backend: Backend,
    pub settings: Arc<Settings>,
    pub keys: Arc<Vec<ConfiguredKey>>,
    /// Request body limits by route kind (`BODY_LIMIT_KB` and the finalize and import ones).
    pub body_limits: crate::http::body::BodyLimits,
    /// QCMobile client (or the offline snapshot) and the circuit breaker in front of it.
    pub fmcsa: crate::carriers::Fmcsa,
    pub events: crate::events::EventHub,
    /// Requests per key per minute (`RATE_LIMIT_PER_MINUTE`); `None` when off.
    pub limiter: Option<crate::http::auth::KeyLimiter>,
    /// Sign-in attempts per client address, against key guessing.
    pub sign_in_limiter: crate::http::auth::KeyLimiter,
    /// `TRUSTED_PROXIES`: who may tell us the client's address, scheme and host.
    pub proxies: crate::http::client::Proxies,
    /// Available loads in memory, for search.
    pub load_index: crate::loads::index::LoadIndex,
    /// SQLite's single writer (group commit); `None` on PostgreSQL.
    pub writer: Option<db::writer::Writer>,
}

impl AppState {
    /// Runs database work that may write, answering once it is stored: on SQLite on the
    /// writer thread, many requests to a commit; on PostgreSQL on a pooled connection in
    /// the blocking pool. `f` makes its own `write_tx` as before (on SQLite a savepoint).
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut db::DbConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        match &self.writer {
            Some(writer) => writer.run(f).await,
            None => {
                let pool = self.pool.clone();
                web::block(move || -> AppResult<T> { f(&mut *pool.get()?) }).await?
            }
        }
    }

    /// A read that may take a while (a search's ranking) followed by the write it leads
    /// to. On SQLite the read runs on a pooled connection, in parallel with other reads,
    /// and only `write` queues for the writer thread; on PostgreSQL both run on one
    /// pooled connection.
    pub async fn read_then_write<R, T, FR, FW>(&self, read: FR, write: FW) -> AppResult<T>
    where
        FR: FnOnce(&mut db::DbConnection) -> AppResult<R> + Send + 'static,
        FW: FnOnce(&mut db::DbConnection, R) -> AppResult<T> + Send + 'static,
        R: Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        match &self.writer {
            Some(writer) => {
                let got = web::block(move || -> AppResult<R> { read(&mut *pool.get()?) }).await??;
                writer.run(move |conn| write(conn, got)).await
            }
            None => {
                web::block(move || -> AppResult<T> {
                    let mut conn = pool.get()?;
                    let got = read(&mut conn)?;
                    write(&mut conn, got)
                })
                .await?
            }
        }
    }

    /// As [`read_then_write`](Self::read_then_write), for a read the caller knows to be
    /// short (a few primary-key lookups: no scan, no index rebuild). On SQLite, when a
    /// pooled connection is idle, it runs right here on the HTTP worker: WAL readers never
    /// wait for the writer, and skipping the blocking pool saves two thread switches,
    /// which cost more than the read itself. Otherwise (no idle connection, PostgreSQL's
    /// network round trips) it goes to the blocking pool as usual.
    pub async fn short_read_then_write<R, T, FR, FW>(&self, read: FR, write: FW) -> AppResult<T>
    where
        FR: FnOnce(&mut db::DbConnection) -> AppResult<R> + Send + 'static,
        FW: FnOnce(&mut db::DbConnection, R) -> AppResult<T> + Send + 'static,
        R: Send + 'static,
        T: Send + 'static,
    {
        if let Some(writer) = &self.writer {
            // `try_get` never waits: an exhausted pool sends the read to the blocking pool.
            if let Some(conn) = self.pool.try_get() {
                // A panic stays this request's 500, as it would on the blocking pool,
                // instead of taking the HTTP worker and its connections down with it.
                // The connection is dropped while unwinding, so the pool discards it
                // (`has_broken`) rather than reuse one left inside a transaction.
                let got = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
                    let mut conn = conn;
                    read(&mut conn)
                }))
                .map_err(|_| crate::error::AppError::Internal(anyhow::anyhow!("a database read panicked")))??;
                return writer.run(move |conn| write(conn, got)).await;
            }
        }
        self.read_then_write(read, write).await
    }
}

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
}

/// Everything that must be true before the listener opens.
pub struct Prepared {
    pub state: AppState,
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
    let (pool, backend) = db::connect(
        settings.database.url.expose(),
        settings.database.pool_size,
        Duration::from_millis(settings.database.acquire_timeout_ms),
    )?;
    let mut conn = pool.get().context("connecting to the database")?;
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

    let load_index = crate::loads::index::LoadIndex::default();
    load_index.refresh(&mut conn, true).map_err(|e| anyhow::anyhow!("loading the load index: {e}"))?;
    let mut keys = auth::parse_configured(&settings.auth.api_keys)?;
    let stored: i64 =
        db::schema::api_keys::table.filter(db::schema::api_keys::revoked_at.is_null()).count().get_result(&mut conn)?;
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
    let writer = db::start_writer(&backend)?;
    let body_limits = crate::http::body::BodyLimits::from_settings(&settings);
    let rate_limit = settings.auth.rate_limit_per_minute;
    Ok(Prepared {
        state: AppState {
            pool,
            backend,
            settings: Arc::new(settings),
            keys: Arc::new(keys),
            body_limits,
            fmcsa,
            events: crate::events::EventHub::new(newest_event),
            limiter: (rate_limit > 0).then(|| crate::http::auth::limiter(rate_limit)),
            sign_in_limiter: crate::http::auth::limiter(crate::http::auth::SIGN_INS_PER_MINUTE),
            proxies,
            load_index,
            writer,
        },
        dev_key,
    })
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let prepared =
            actix_web::rt::task::spawn_blocking(move || prepare(settings)).await.context("start-up task")??;
        let Prepared { state, dev_key } = prepared;
        let settings = state.settings.clone();
        let listener = TcpListener::bind((settings.server.host.as_str(), settings.server.port))
            .with_context(|| format!("binding {}:{}", settings.server.host, settings.server.port))?;
        let port = listener.local_addr()?.port();
        let data = web::Data::new(state);
        crate::events::spawn_poller(Arc::downgrade(&data.clone().into_inner()));
        spawn_maintenance(Arc::downgrade(&data.clone().into_inner()));
        let app_data = data.clone();
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
        Ok(Application { port, server, dev_key, state: data, scheme, self_signed_pem })
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
            let result = web::block(move || -> anyhow::Result<usize> {
                let mut conn = st.pool.get()?;
                let now_ms = db::to_ms(Utc::now());
                // Rejected webhook bodies may hold transcripts too.
                let rejected = crate::calls::intake::purge(&mut conn, days, now_ms)?;
                Ok(crate::calls::purge_transcripts(&mut conn, days, now_ms)? + rejected)
            })
            .await;
            match result {
                Ok(Ok(n)) if n > 0 => log::info!("removed {n} transcript(s) or rejected bodies older than {days} days"),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => log::warn!("transcript retention failed: {e:#}"),
                Err(e) => log::warn!("transcript retention task failed: {e}"),
            }
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    });
}
