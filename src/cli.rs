//! The subcommands behind `carrier-sales --help`.

use crate::app::Application;
use crate::config::{LogFormat, Settings};
use crate::db;
use crate::http::auth::{self, Scope};
use anyhow::{bail, Context};
use chrono::Utc;

use std::io::Write;
use std::time::Duration;

/// One log line per event; `LOG_FORMAT=json` for log shippers. `RUST_LOG` filters.
pub fn init_logging(format: LogFormat) {
    let mut builder = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"));
    if format == LogFormat::Json {
        builder.format(|buf, record| {
            let line = serde_json::json!({
                "ts": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "level": record.level().as_str(),
                "target": record.target(),
                "msg": record.args().to_string(),
            });
            writeln!(buf, "{line}")
        });
    }
    let _ = builder.try_init();
}

pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let host = settings.server.host.clone();
    let mode = if settings.is_production() { "production" } else { "development" };
    let app = Application::build(settings).await?;
    log::info!(
        "carrier-sales {} ({mode} mode, {} database) listening on http://{host}:{}",
        env!("CARGO_PKG_VERSION"),
        app.state.db.backend().name(),
        app.port()
    );
    if let Some(key) = &app.dev_key {
        // Printed once, on stdout, so a developer can copy it; never logged.
        println!(
            "\n  Development API key (all scopes; valid until restart):\n\n    {key}\n\n  Dashboard: http://{host}:{}/  (sign in with this key)\n",
            app.port()
        );
    }
    app.run_until_stopped().await?;
    log::info!("stopped");
    Ok(())
}

fn open_db(settings: &Settings) -> anyhow::Result<db::PooledConn> {
    let database = db::Db::open(settings.database.url.expose(), 1, Duration::from_secs(10))?;
    let mut conn = database.connection().context("connecting to the database")?;
    db::migrate(&mut conn)?;
    Ok(conn)
}

/// Writes the OpenAPI document, as the server serves it but pretty-printed, to `out` or
/// stdout. The dashboard's types are generated from the copy in `web/src/lib/openapi.json`,
/// so the document can be written by a build without starting a server or a database.
pub fn openapi(out: Option<&std::path::Path>) -> anyhow::Result<()> {
    let mut text = crate::http::openapi::document().to_pretty_json().context("serialising the OpenAPI document")?;
    text.push('\n');
    match out {
        Some(path) => std::fs::write(path, text).with_context(|| format!("writing {}", path.display())),
        None => std::io::stdout().write_all(text.as_bytes()).context("writing the document to stdout"),
    }
}

pub fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let database = db::Db::open(settings.database.url.expose(), 1, Duration::from_secs(10))?;
    let mut conn = database.connection()?;
    let ran = db::migrate(&mut conn)?;
    println!("{ran} migration(s) applied to the {} database", database.backend().name());
    Ok(())
}

/// Imports a JSON array or CSV file of loads; prints counts and each rejected row.
pub fn import_loads(settings: &Settings, path: &std::path::Path) -> anyhow::Result<bool> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let records = crate::loads::import::records_from_bytes(&bytes)
        .map_err(|e| anyhow::anyhow!("{}", serde_json::json!(e.body())))?;
    let mut conn = open_db(settings)?;
    let report = crate::loads::import::import_records(&mut conn, &records, Utc::now(), false)
        .map_err(|e| anyhow::anyhow!("import failed: {e}"))?;
    println!("inserted={} updated={} rejected={}", report.inserted, report.updated, report.rejected_count);
    for r in &report.rejected {
        println!(
            "  row {}{}: {}{}",
            r.row,
            r.load_id.as_deref().map(|id| format!(" ({id})")).unwrap_or_default(),
            r.field.as_deref().map(|f| format!("[{f}] ")).unwrap_or_default(),
            r.reason
        );
    }
    if report.rejected_count > report.rejected.len() {
        println!("  ... and {} more rejected row(s)", report.rejected_count - report.rejected.len());
    }
    Ok(report.rejected_count == 0)
}

pub fn keys_create(settings: &Settings, name: &str, scope: &str) -> anyhow::Result<()> {
    let scope = Scope::parse(scope).context("--scope must be agent, dashboard or admin")?;
    let mut conn = open_db(settings)?;
    let (id, key) = auth::create_stored_key(&mut conn, name, scope)?;
    eprintln!("Created {} key {id} ({}). It is shown once; store it now:", scope.as_str(), name.trim());
    println!("{key}");
    Ok(())
}

pub fn keys_list(settings: &Settings) -> anyhow::Result<()> {
    let mut conn = open_db(settings)?;
    let rows = auth::store::list_keys(&mut conn)?;
    let fmt =
        |ms: Option<i64>| ms.map(|m| db::from_ms(m).format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or("-".into());
    println!("{:<18} {:<10} {:<24} {:<21} {:<21} status", "id", "scope", "name", "created", "last used");
    for k in rows {
        let status = if k.revoked_at.is_some() { "revoked" } else { "active" };
        let (created, used) = (fmt(Some(k.created_at)), fmt(k.last_used_at));
        println!("{:<18} {:<10} {:<24} {created:<21} {used:<21} {status}", k.id, k.scope, k.name);
    }
    Ok(())
}

pub fn keys_revoke(settings: &Settings, id: &str) -> anyhow::Result<()> {
    let mut conn = open_db(settings)?;
    let Some(ended) = auth::revoke_stored_key(&mut conn, id)? else {
        bail!("no active key with id {id}");
    };
    println!("revoked {id}");
    if ended > 0 {
        eprintln!("ended {ended} dashboard session(s) it had opened");
    }
    Ok(())
}

/// Exit 0 when the local server answers `/readyz` with 200 (for container health checks).
/// Speaks HTTPS when the server serves TLS itself (its certificate is not checked: this
/// only ever talks to the local process).
pub fn healthcheck(settings: &Settings) -> anyhow::Result<()> {
    let host = match settings.server.host.as_str() {
        "0.0.0.0" | "::" | "[::]" => "127.0.0.1",
        h => h,
    };
    let tls = settings.server.tls_self_signed || settings.server.tls_cert.is_some();
    let url = format!("{}://{host}:{}/readyz", if tls { "https" } else { "http" }, settings.server.port);
    actix_web::rt::System::new().block_on(async move {
        let client = crate::http::tls::client_builder()
            .timeout(Duration::from_secs(3))
            .tls_danger_accept_invalid_certs(tls)
            .build()?;
        let res = client.get(&url).send().await.with_context(|| format!("{url} did not answer"))?;
        if res.status() != 200 {
            bail!("/readyz answered {}", res.status());
        }
        Ok(())
    })
}
