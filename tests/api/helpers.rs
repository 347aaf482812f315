//! Starts the real application on port 0 for each test: a temp SQLite file, or a fresh
//! PostgreSQL database when `TEST_DATABASE_URL` is set (each test isolated).

use carrier_sales::app::Application;
use carrier_sales::config::{Secret, Settings};
use diesel::connection::SimpleConnection;
use diesel::Connection;
use serde_json::Value;
use std::path::PathBuf;

pub const AGENT_KEY: &str = "agent-key-for-tests-0123456789";
pub const DASHBOARD_KEY: &str = "dashboard-key-for-tests-0123456789";
pub const ADMIN_KEY: &str = "admin-key-for-tests-0123456789";

pub enum TestDb {
    Sqlite { _dir: tempfile::TempDir, path: PathBuf },
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    pub fn create() -> (TestDb, String) {
        match std::env::var("TEST_DATABASE_URL").ok().filter(|v| !v.is_empty()) {
            Some(admin_url) => {
                let name = format!("cs_test_{}", carrier_sales::http::auth::random_hex(8));
                let mut conn = diesel::PgConnection::establish(&admin_url).expect("connect to TEST_DATABASE_URL");
                conn.batch_execute(&format!("CREATE DATABASE {name}")).expect("create test database");
                let (base, _) = admin_url.rsplit_once('/').expect("TEST_DATABASE_URL names a database");
                let url = format!("{base}/{name}");
                (TestDb::Postgres { admin_url, name }, url)
            }
            None => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("test.db");
                let url = format!("sqlite://{}", path.display());
                (TestDb::Sqlite { _dir: dir, path }, url)
            }
        }
    }
}

impl TestDb {
    /// The URL a second instance (or a restart) opens the same database with.
    pub fn url(&self) -> String {
        match self {
            TestDb::Sqlite { path, .. } => format!("sqlite://{}", path.display()),
            TestDb::Postgres { admin_url, name } => {
                let (base, _) = admin_url.rsplit_once('/').expect("TEST_DATABASE_URL names a database");
                format!("{base}/{name}")
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { admin_url, name } = self {
            if let Ok(mut conn) = diesel::PgConnection::establish(admin_url) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub app_state: actix_web::web::Data<carrier_sales::state::AppState>,
    pub load_index: actix_web::web::Data<carrier_sales::loads::index::LoadIndex>,
    pub fmcsa: actix_web::web::Data<carrier_sales::carriers::Fmcsa>,
    handle: actix_web::dev::ServerHandle,
    // Dropped last: the database outlives the server.
    pub db: TestDb,
    _seed_dir: tempfile::TempDir,
}

pub fn test_settings(db_url: &str, seed_file: Option<PathBuf>) -> Settings {
    let mut s = Settings::default();
    s.server.port = 0;
    s.server.workers = 2;
    s.server.shutdown_timeout_secs = 1;
    s.database.url = Secret::new(db_url);
    s.database.pool_size = 4;
    s.auth.api_keys = vec![
        Secret::new(format!("agent:{AGENT_KEY}")),
        Secret::new(format!("dashboard:{DASHBOARD_KEY}")),
        Secret::new(format!("admin:{ADMIN_KEY}")),
    ];
    s.loads.file = seed_file;
    s
}

/// An app with an empty load catalogue.
pub async fn spawn_app() -> TestApp {
    spawn_with(|_| {}).await
}

/// An app whose settings the test adjusts; the catalogue starts empty unless the test
/// sets `loads.file = None` (bundled seed).
pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let (db, db_url) = TestDb::create();
    let seed_dir = tempfile::tempdir().expect("temp dir");
    let empty = seed_dir.path().join("empty.json");
    std::fs::write(&empty, "[]").unwrap();
    let mut settings = test_settings(&db_url, Some(empty));
    adjust(&mut settings);
    let app = Application::build(settings).await.expect("app builds");
    let address = format!("{}://127.0.0.1:{}", app.scheme, app.port());
    let mut client = carrier_sales::http::tls::client_builder().redirect(reqwest::redirect::Policy::none());
    if let Some(pem) = &app.self_signed_pem {
        client = client.tls_certs_only([reqwest::Certificate::from_pem(pem.as_bytes()).unwrap()]);
    }
    let handle = app.server_handle();
    let app_state = app.state.clone();
    let (load_index, fmcsa) = (app.load_index.clone(), app.fmcsa.clone());
    actix_web::rt::spawn(app.run_until_stopped());
    TestApp { address, client: client.build().unwrap(), app_state, load_index, fmcsa, handle, db, _seed_dir: seed_dir }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        // Stop the server before the database goes away.
        actix_web::rt::spawn(async move { handle.stop(false).await });
    }
}

impl TestApp {
    /// Stops the server the way SIGTERM does: no new connections, in-flight requests finish.
    pub async fn stop_gracefully(&self) {
        self.handle.stop(true).await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn post_as(&self, key: &str, path: &str, body: &Value) -> reqwest::Response {
        self.client.post(self.url(path)).header("X-API-Key", key).json(body).send().await.expect("request")
    }

    pub async fn agent(&self, path: &str, body: &Value) -> reqwest::Response {
        self.post_as(AGENT_KEY, path, body).await
    }

    pub async fn admin(&self, path: &str, body: &Value) -> reqwest::Response {
        self.post_as(ADMIN_KEY, path, body).await
    }

    pub async fn get_as(&self, key: &str, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).header("X-API-Key", key).send().await.expect("request")
    }

    /// Runs SQL directly against the test database (to set up states the API guards).
    pub fn exec_sql(&self, sql: &str) {
        let mut conn = self.app_state.db.connection().expect("db connection");
        conn.batch_execute(sql).expect("sql runs");
    }

    /// Adds a load through the admin API and asserts it was stored.
    pub async fn add_load(&self, load: Value) {
        let res = self.admin("/api/v1/loads", &load).await;
        let status = res.status();
        let body: Value = res.json().await.unwrap();
        assert!(status.is_success(), "load not stored: {status} {body}");
    }
}

/// A load picking up `days` days from now at 08:00 local, with sensible defaults.
pub fn load(id: &str, origin: &str, destination: &str, equipment: &str, days: i64, rate: i64) -> Value {
    serde_json::json!({
        "load_id": id,
        "origin": origin,
        "destination": destination,
        "pickup_day_offset": days,
        "pickup_time": "08:00",
        "delivery_day_offset": days + 2,
        "delivery_time": "15:00",
        "equipment_type": equipment,
        "loadboard_rate": rate,
        "weight": 40000,
        "commodity_type": "Packaged foods",
        "num_of_pieces": 20,
        "dimensions": "53 ft",
        "notes": "Test load"
    })
}

pub async fn json(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, body)
}

/// Asserts the SPEC error shape and returns the code.
pub fn error_code(body: &Value) -> String {
    let e = &body["error"];
    assert!(e.is_object(), "no error object in {body}");
    assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "no message in {body}");
    e["code"].as_str().expect("code").to_string()
}

/// The `carrier-sales` binary, as an operator runs it: quiet, no `carrier-sales.toml` from
/// the working directory, no settings inherited from the test's environment.
pub fn bin() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_carrier-sales"));
    cmd.current_dir(std::env::temp_dir()).env("RUST_LOG", "off").env_remove("API_KEYS").env_remove("LOADS_FILE");
    cmd
}

/// Polls until `check` holds, for up to `within`.
pub async fn eventually<F: std::future::Future<Output = bool>>(
    within: std::time::Duration,
    mut check: impl FnMut() -> F,
) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    while tokio::time::Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    false
}
