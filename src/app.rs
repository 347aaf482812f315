//! Building and running the service: `Application::build(settings)` opens the database,
//! migrates, imports the seed, binds (port 0 allowed) and returns a server that tests and
//! production start the same way.

use crate::config::Settings;
use crate::db::{self, Backend, Pool};
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
    pub body_limit: usize,
}

pub struct Application {
    port: u16,
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
    crate::loads::seed_if_empty(&mut conn, settings.loads.file.as_deref(), now)?;
    let refresh = settings
        .loads
        .refresh_seed
        .unwrap_or(!settings.is_production());
    if refresh {
        let moved = crate::loads::refresh_seed(&mut conn, now)?;
        if moved > 0 {
            log::info!("moved {moved} past seed load pickup(s) forward by whole weeks");
        }
    }

    let mut keys = auth::parse_configured(&settings.auth.api_keys)?;
    let stored: i64 = db::schema::api_keys::table
        .filter(db::schema::api_keys::revoked_at.is_null())
        .count()
        .get_result(&mut conn)?;
    let mut dev_key = None;
    if settings.is_production() {
        if keys.is_empty() && stored == 0 {
            bail!("refusing to start in production without an API key: set API_KEYS (e.g. agent:<key>,dashboard:<key>) or create one with `carrier-sales keys create`");
        }
        if settings
            .auth
            .api_keys
            .iter()
            .any(|k| auth::is_placeholder(k.expose().rsplit(':').next().unwrap_or("")))
        {
            bail!("refusing to start in production with a placeholder API key: use keys of at least 16 random characters (`carrier-sales keys create` makes one)");
        }
    } else if keys.is_empty() && stored == 0 {
        let key = auth::generate_key();
        keys.extend(auth::parse_configured(&[crate::config::Secret::new(
            key.clone(),
        )])?);
        dev_key = Some(key);
    }
    drop(conn);
    let body_limit = settings.server.body_limit_kb * 1024;
    Ok(Prepared {
        state: AppState {
            pool,
            backend,
            settings: Arc::new(settings),
            keys: Arc::new(keys),
            body_limit,
        },
        dev_key,
    })
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let prepared = actix_web::rt::task::spawn_blocking(move || prepare(settings))
            .await
            .context("start-up task")??;
        let Prepared { state, dev_key } = prepared;
        let settings = state.settings.clone();
        let listener = TcpListener::bind((settings.server.host.as_str(), settings.server.port))
            .with_context(|| {
                format!("binding {}:{}", settings.server.host, settings.server.port)
            })?;
        let port = listener.local_addr()?.port();
        let data = web::Data::new(state);
        let app_data = data.clone();
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(app_data.clone())
                .app_data(web::QueryConfig::default().error_handler(|e, _| {
                    crate::error::AppError::bad_request(
                        "invalid_query",
                        format!("The query string is invalid: {e}"),
                    )
                    .into()
                }))
                .app_data(web::PathConfig::default().error_handler(|e, _| {
                    crate::error::AppError::bad_request(
                        "invalid_path",
                        format!("The path is invalid: {e}"),
                    )
                    .into()
                }))
                .wrap(from_fn(crate::http::observe::observe))
                .configure(crate::http::configure)
        })
        .shutdown_timeout(settings.server.shutdown_timeout_secs);
        if settings.server.workers > 0 {
            server = server.workers(settings.server.workers);
        }
        let server = server.listen(listener)?.run();
        Ok(Application {
            port,
            server,
            dev_key,
            state: data,
        })
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
