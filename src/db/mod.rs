//! The database layer: one diesel `MultiConnection` over SQLite (embedded default) and
//! PostgreSQL (several instances behind a load balancer), an r2d2 pool that picks the
//! backend from the URL scheme, and embedded migrations run at start-up.

pub mod handle;
pub mod rows;
pub mod schema;
pub mod statement;
pub mod writer;

pub use handle::{Db, ReadCost};
pub use statement::{columns, Statement};

use anyhow::{anyhow, bail, Context};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

impl DbConnection {
    /// True on SQLite, for the few statements whose best form differs by backend (say
    /// why where it is asked); everything else is written once for both.
    pub fn is_sqlite(&self) -> bool {
        matches!(self, DbConnection::Sqlite(_))
    }
}

pub type Pool = r2d2::Pool<ConnectionManager>;
/// The backend type of [`DbConnection`], for boxed queries.
pub type DbBackend = <DbConnection as diesel::Connection>::Backend;
pub type PooledConn = r2d2::PooledConnection<ConnectionManager>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Backend {
    /// `sqlite://path`, `sqlite:path` or a bare path → SQLite; `postgres://` or
    /// `postgresql://` → PostgreSQL; any other scheme is refused (never a new empty file).
    pub fn from_url(url: &str) -> anyhow::Result<Backend> {
        let url = url.trim();
        if url.is_empty() {
            bail!("DATABASE_URL is empty");
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Backend::Postgres(url.to_string()));
        }
        let path = if let Some(rest) = url.strip_prefix("sqlite://") {
            rest
        } else if let Some(rest) = url.strip_prefix("sqlite:") {
            rest
        } else if let Some((scheme, _)) = url.split_once("://") {
            bail!("DATABASE_URL has an unsupported scheme `{scheme}://`; use sqlite://path or postgres://...");
        } else {
            url
        };
        let path = path.split('?').next().unwrap_or(path);
        if path.is_empty() || path == ":memory:" {
            bail!("DATABASE_URL must name a SQLite file (an in-memory database is not shared by the pool)");
        }
        Ok(Backend::Sqlite(PathBuf::from(path)))
    }

    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }
}

/// r2d2 manager that establishes the backend named by the URL explicitly (a derived
/// `MultiConnection::establish` would try each backend and hide the real error).
#[derive(Debug)]
pub struct ConnectionManager {
    backend: Backend,
}

/// SQLite: wait for locks rather than fail, WAL so readers never block the writer. (A
/// memory-mapped file was measured and dropped: each checkpoint grows the file, and every
/// connection then unmapped and faulted it in again; search throughput fell 15-30%.)
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;";

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match &self.backend {
            Backend::Sqlite(path) => {
                let path = path.to_str().ok_or_else(|| {
                    r2d2::Error::ConnectionError(ConnectionError::BadConnection("path is not UTF-8".into()))
                })?;
                let mut c = diesel::SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
                c.batch_execute(SQLITE_PRAGMAS).map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(c))
            }
            Backend::Postgres(url) => {
                // Initialise OpenSSL (libpq's TLS) before libpq does, with
                // OPENSSL_INIT_NO_ATEXIT. Otherwise OpenSSL frees its global state in an
                // atexit handler, and a process exiting while a pool thread is still in
                // a TLS handshake (a second instance that cannot bind its port, a failed
                // start) crashed on the way out: 4 exits in 300 segfaulted. The memory
                // goes back to the OS with the process anyway. Runs once.
                openssl_sys::init();
                let c = diesel::PgConnection::establish(url).map_err(r2d2::Error::ConnectionError)?;
                Ok(DbConnection::Postgresql(c))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1").map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || statement::on_backend!(conn, c => r2d2::R2D2Connection::is_broken(c))
    }
}

/// Builds the pool, creating the SQLite file's folder when needed.
pub fn connect(url: &str, size: u32, acquire_timeout: Duration) -> anyhow::Result<(Pool, Backend)> {
    let backend = Backend::from_url(url)?;
    if let Backend::Sqlite(path) = &backend {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
    }
    let pool = r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(acquire_timeout)
        .test_on_check_out(false)
        .build(ConnectionManager { backend: backend.clone() })
        .map_err(|e| anyhow!("cannot open the {} database: {e}", backend.name()))?;
    Ok((pool, backend))
}

/// SQLite's writer thread (see [`writer`]); PostgreSQL takes concurrent writers itself
/// and has none.
pub fn start_writer(backend: &Backend) -> anyhow::Result<Option<writer::Writer>> {
    match backend {
        Backend::Sqlite(_) => {
            let manager = ConnectionManager { backend: backend.clone() };
            let w = writer::Writer::start(move || {
                let mut conn = manager.connect().map_err(|e| anyhow!("opening the database: {e}"))?;
                // The batch's savepoints keep their undo pages in a statement journal. A
                // batch of fifteen requests outgrows the 64 KiB SQLite keeps in memory, so
                // every commit created, wrote and deleted a temporary file: a fifth of the
                // writer's time under load. In memory it stays (a batch is at most 64
                // requests, a few MB).
                conn.batch_execute("PRAGMA temp_store = MEMORY")?;
                Ok(conn)
            })?;
            Ok(Some(w))
        }
        Backend::Postgres(_) => Ok(None),
    }
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
/// Arbitrary but fixed: every instance takes the same advisory lock around migrations.
const MIGRATION_LOCK_KEY: i64 = 0x0063_6172_7269_6572;

/// Runs pending migrations; returns how many ran. Instances starting together wait for
/// each other instead of racing: an advisory lock on PostgreSQL, the write lock on SQLite.
pub fn migrate(conn: &mut DbConnection) -> anyhow::Result<usize> {
    match conn {
        DbConnection::Sqlite(_) => {
            // One immediate transaction (each migration a savepoint in it): a second
            // process starting on the same file waits, then finds nothing pending.
            write_tx(conn, |conn| {
                let DbConnection::Sqlite(c) = conn else { unreachable!("backend cannot change") };
                let done = c.run_pending_migrations(SQLITE_MIGRATIONS).map_err(|e| anyhow!("migration failed: {e}"))?;
                Ok(done.len())
            })
        }
        DbConnection::Postgresql(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
            let result = c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len());
            c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))?;
            result.map_err(|e| anyhow!("migration failed: {e}"))
        }
    }
}

/// Start-up work that must happen once even when several instances start together on
/// one database (the seed import: two replicas of a first deploy both find the table
/// empty). PostgreSQL runs `f` under the migrations' advisory lock, so the second
/// instance waits and then finds the loads there; SQLite runs it in one immediate
/// transaction, which another process cannot enter until it commits.
pub fn once_at_start<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    match conn {
        DbConnection::Sqlite(_) => write_tx(conn, f),
        DbConnection::Postgresql(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
            let result = f(conn);
            let DbConnection::Postgresql(c) = conn else { unreachable!("backend cannot change") };
            // Unlock even when `f` failed: the session (and its lock) may live on in the pool.
            let unlocked = c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"));
            let value = result?;
            unlocked?;
            Ok(value)
        }
    }
}

static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Several reads as one: on SQLite inside one deferred transaction, so they share one
/// snapshot, one set of file locks and one check of the page cache (each autocommit
/// statement would take its locks again and, when the writer has committed meanwhile,
/// throw its cached pages away). PostgreSQL runs `f` as it is: a transaction there costs
/// two round trips.
pub fn read_together<T, E>(conn: &mut DbConnection, f: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Sqlite(_) => conn.transaction(f),
        DbConnection::Postgresql(_) => f(conn),
    }
}

/// A write transaction. On SQLite it is `BEGIN IMMEDIATE`, so a transaction that reads
/// then writes takes the write lock up front and waits (busy_timeout) instead of failing
/// on a lock upgrade.
pub fn write_tx<T, E>(conn: &mut DbConnection, f: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    if let DbConnection::Sqlite(c) = conn {
        let nested = AnsiTransactionManager::transaction_manager_status_mut(c)
            .transaction_depth()
            .map(|d| d.is_some())
            .unwrap_or(false);
        if nested {
            return conn.transaction(f);
        }
        // One writer at a time inside the process: waiting on a mutex is far cheaper than
        // SQLite's busy handler, which sleeps and retries (hundreds of ms under load).
        let _writer = SQLITE_WRITER.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
        let result = f(conn);
        let DbConnection::Sqlite(c) = conn else { unreachable!("backend cannot change") };
        return match result {
            Ok(v) => {
                <AnsiTransactionManager as TransactionManager<diesel::SqliteConnection>>::commit_transaction(c)?;
                Ok(v)
            }
            Err(e) => {
                let _ =
                    <AnsiTransactionManager as TransactionManager<diesel::SqliteConnection>>::rollback_transaction(c);
                Err(e)
            }
        };
    }
    conn.transaction(f)
}

/// Readiness: a round trip to the database, and for SQLite the file must still be
/// where we opened it (a deleted or unmounted file would silently lose every write).
pub fn check_ready(conn: &mut DbConnection, backend: &Backend) -> anyhow::Result<()> {
    if let Backend::Sqlite(path) = backend {
        if !Path::new(path).exists() {
            bail!("the SQLite file {} is gone", path.display());
        }
    }
    conn.batch_execute("SELECT 1").context("database did not answer")?;
    Ok(())
}

/// Milliseconds since the Unix epoch, the storage form of every timestamp.
pub fn to_ms(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn from_ms(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// SQLite's query plan for `sql` (as `debug_query` prints it, binds dropped) over a fresh
/// database with every migration applied: one line per step.
#[cfg(test)]
pub fn sqlite_plan(sql: &str) -> Vec<String> {
    #[derive(QueryableByName)]
    struct Step {
        #[diesel(sql_type = diesel::sql_types::Text)]
        detail: String,
    }
    let mut c = diesel::SqliteConnection::establish(":memory:").expect("in-memory SQLite");
    c.run_pending_migrations(SQLITE_MIGRATIONS).expect("migrations");
    let sql = sql.split(" -- binds:").next().unwrap_or(sql).replace('?', "'x'");
    diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
        .load::<Step>(&mut c)
        .expect("a plan")
        .into_iter()
        .map(|s| s.detail)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_is_chosen_by_scheme() {
        assert_eq!(Backend::from_url("sqlite://data/x.db").unwrap(), Backend::Sqlite("data/x.db".into()));
        assert_eq!(Backend::from_url("sqlite:///tmp/x.db").unwrap(), Backend::Sqlite("/tmp/x.db".into()));
        assert_eq!(Backend::from_url("data/x.db").unwrap(), Backend::Sqlite("data/x.db".into()));
        assert!(matches!(Backend::from_url("postgres://u@h/db").unwrap(), Backend::Postgres(_)));
        assert!(matches!(Backend::from_url("postgresql://u@h/db").unwrap(), Backend::Postgres(_)));
        assert!(Backend::from_url("mysql://u@h/db").is_err());
        assert!(Backend::from_url("sqlite://:memory:").is_err());
        assert!(Backend::from_url("").is_err());
    }
}
