//! SQLite's writer: one thread that owns one connection and runs every agent-tool write,
//! many requests to a transaction (group commit).
//!
//! SQLite takes one writer at a time. With a transaction per request, 32 concurrent
//! tool calls queued on a lock, each woke a thread, and each commit wrote its own copy
//! of the pages every request touches (the tail of `events`, the same index pages). Here
//! work queues on a channel instead; the thread takes whatever has arrived, runs it in
//! one `BEGIN IMMEDIATE` transaction with a savepoint per request (a request that fails
//! rolls back alone), commits once, and only then answers each caller. An answer
//! therefore still means "stored", and a lone request is committed at once: a batch is
//! what piled up while the previous one ran, plus, when others are writing too and the
//! thread has time to spare, what arrives in the next 200 µs (see [`should_linger`]).

use super::{DbConnection, SQLITE_WRITER};
use crate::error::{AppError, AppResult};
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// At most this many requests share a transaction, so none waits behind a long queue
/// for its commit.
const MAX_BATCH: usize = 64;
/// How long a batch waits for company (see [`should_linger`]).
const LINGER: Duration = Duration::from_micros(200);
/// Above this share of busy time the thread never waits.
const LINGER_BUSY_LIMIT: f64 = 0.75;
/// Requests waiting for the writer; beyond it callers wait to queue (back-pressure).
const QUEUE: usize = 1024;

/// One request's work, boxed for the queue.
trait Job: Send {
    /// Runs the work inside the open batch transaction, in a savepoint of its own;
    /// returns what to tell the caller once the batch's fate is known.
    fn run(self: Box<Self>, conn: &mut DbConnection) -> Box<dyn Reply>;
    /// The batch could not start: tell the caller without running.
    fn refuse(self: Box<Self>, why: &str);
}

trait Reply: Send {
    /// `committed` is the batch commit's result; work that failed on its own reports its
    /// own error either way.
    fn send(self: Box<Self>, committed: Result<(), &str>);
}

struct Work<F, T> {
    f: F,
    reply: oneshot::Sender<AppResult<T>>,
}

struct Answer<T> {
    result: AppResult<T>,
    reply: oneshot::Sender<AppResult<T>>,
}

impl<F, T> Job for Work<F, T>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    fn run(self: Box<Self>, conn: &mut DbConnection) -> Box<dyn Reply> {
        let Work { f, reply } = *self;
        let result = conn.transaction(f);
        Box::new(Answer { result, reply })
    }

    fn refuse(self: Box<Self>, why: &str) {
        let _ = self.reply.send(Err(AppError::Unavailable(why.to_string())));
    }
}

impl<T: Send> Reply for Answer<T> {
    fn send(self: Box<Self>, committed: Result<(), &str>) {
        let result = match (self.result, committed) {
            (Ok(_), Err(why)) => Err(AppError::Unavailable(why.to_string())),
            (result, _) => result,
        };
        let _ = self.reply.send(result);
    }
}

/// The handle requests use; cloning it is cheap. The thread ends when the last handle
/// is dropped.
#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Box<dyn Job>>,
    commits: Arc<AtomicU64>,
}

impl Writer {
    /// Starts the thread with its own connection, made by `connect` (again after a
    /// failure, so a broken connection never outlives its batch).
    pub fn start(connect: impl Fn() -> anyhow::Result<DbConnection> + Send + 'static) -> anyhow::Result<Writer> {
        let conn = connect()?;
        let (queue, jobs) = mpsc::channel(QUEUE);
        let commits = Arc::new(AtomicU64::new(0));
        let counted = commits.clone();
        std::thread::Builder::new().name("sqlite-writer".into()).spawn(move || serve(conn, jobs, connect, &counted))?;
        Ok(Writer { queue, commits })
    }

    /// Batches committed so far.
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Runs `f` on the writer's connection and answers once its batch is committed.
    /// `f` may read and write; its own `write_tx` calls become savepoints.
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Box::new(Work { f, reply }))
            .await
            .map_err(|_| AppError::Unavailable("the database writer has stopped".into()))?;
        answer.await.map_err(|_| AppError::Internal(anyhow::anyhow!("a database write was abandoned (panic)")))?
    }
}

fn serve(
    mut conn: DbConnection,
    mut jobs: mpsc::Receiver<Box<dyn Job>>,
    connect: impl Fn() -> anyhow::Result<DbConnection>,
    commits: &AtomicU64,
) {
    let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_BATCH);
    let mut last = 0;
    // The share of its time the thread spent working, recently (moving average).
    let mut busy_share = 1.0f64;
    loop {
        let idle_from = Instant::now();
        let Some(first) = jobs.blocking_recv() else { break };
        batch.push(first);
        drain(&mut batch, &mut jobs);
        if should_linger(busy_share, batch.len(), last) {
            std::thread::sleep(LINGER);
            drain(&mut batch, &mut jobs);
        }
        let busy_from = Instant::now();
        last = batch.len();
        crate::telemetry::telemetry().db_write_batch.observe(batch.len() as f64);
        let healthy = {
            // Other writers in this process (imports, the retention sweep) use the same
            // lock, so they queue here rather than in SQLite's sleeping busy handler.
            let _lock = SQLITE_WRITER.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            commit_batch(&mut conn, &mut batch)
        };
        commits.fetch_add(1, Ordering::Relaxed);
        let busy = busy_from.elapsed().as_secs_f64();
        let idle = (busy_from - idle_from).as_secs_f64();
        busy_share = 0.8 * busy_share + 0.2 * (busy / (busy + idle).max(1e-9));
        if !healthy {
            match connect() {
                Ok(fresh) => conn = fresh,
                Err(e) => log::error!("database writer: cannot reopen the database: {e:#}"),
            }
        }
    }
}

/// Moves waiting jobs into `batch`, up to [`MAX_BATCH`].
fn drain(batch: &mut Vec<Box<dyn Job>>, jobs: &mut mpsc::Receiver<Box<dyn Job>>) {
    while batch.len() < MAX_BATCH {
        match jobs.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
}

/// Whether to wait [`LINGER`] for more jobs before committing: only when others write at
/// the same time (this batch or the last had company) and the thread has time to spare.
/// A commit costs the same for one job as for twenty, so when the work per job is small
/// (a search's record) waiting a moment turns many commits into one. When the thread is
/// the bottleneck (negotiation rounds) jobs pile up by themselves and waiting would only
/// idle it.
fn should_linger(busy_share: f64, batch: usize, last: usize) -> bool {
    busy_share < LINGER_BUSY_LIMIT && (batch > 1 || last > 1) && batch < MAX_BATCH
}

/// Runs and commits one batch, answering every caller; false when the connection should
/// be replaced (a failed commit or a panic left its transaction state unknown).
fn commit_batch(conn: &mut DbConnection, batch: &mut Vec<Box<dyn Job>>) -> bool {
    let DbConnection::Sqlite(c) = conn else { unreachable!("the writer is SQLite's") };
    if let Err(e) = AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE") {
        let why = format!("the database is busy: {e}");
        log::warn!("database writer: {why}");
        batch.drain(..).for_each(|job| job.refuse(&why));
        return false;
    }
    let mut replies = Vec::with_capacity(batch.len());
    let mut jobs = batch.drain(..);
    while let Some(job) = jobs.next() {
        match catch_unwind(AssertUnwindSafe(|| job.run(conn))) {
            Ok(reply) => replies.push(reply),
            Err(_) => {
                // The panicking caller's answer is dropped (it reports the panic); the
                // rest of the batch is rolled back with the connection.
                let why = "a request in the same write batch failed; nothing was stored";
                replies.into_iter().for_each(|r| r.send(Err(why)));
                jobs.for_each(|job| job.refuse(why));
                return false;
            }
        }
    }
    drop(jobs);
    let DbConnection::Sqlite(c) = conn else { unreachable!("the writer is SQLite's") };
    match <AnsiTransactionManager as TransactionManager<SqliteConnection>>::commit_transaction(c) {
        Ok(()) => {
            replies.into_iter().for_each(|r| r.send(Ok(())));
            true
        }
        Err(e) => {
            let why = format!("the database could not store the change: {e}");
            log::error!("database writer: {why}");
            let _ = <AnsiTransactionManager as TransactionManager<SqliteConnection>>::rollback_transaction(c);
            replies.into_iter().for_each(|r| r.send(Err(&why)));
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{connect, migrate, schema::events};
    use futures_util::future::join_all;

    #[derive(diesel::QueryableByName)]
    struct TempStore {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        temp_store: i32,
    }

    /// The writer keeps its savepoints' undo pages in memory (temp_store = MEMORY, 2):
    /// a batch never spills them to a temporary file. Pooled readers keep the default.
    #[tokio::test]
    async fn the_writer_keeps_its_statement_journal_in_memory() {
        let (_dir, writer, pool) = fixture();
        let on_writer = writer
            .run(|conn| Ok(diesel::sql_query("PRAGMA temp_store").get_result::<TempStore>(conn)?.temp_store))
            .await
            .expect("pragma");
        assert_eq!(on_writer, 2);
        let on_reader = diesel::sql_query("PRAGMA temp_store")
            .get_result::<TempStore>(&mut pool.get().expect("conn"))
            .expect("pragma")
            .temp_store;
        assert_eq!(on_reader, 0);
    }

    /// A batch waits for company only when others write too and the thread is not the
    /// bottleneck; a lone request never waits, and a full batch never does.
    #[test]
    fn a_batch_waits_for_company_only_when_it_helps() {
        assert!(should_linger(0.3, 2, 0), "company now, time to spare");
        assert!(should_linger(0.3, 1, 5), "company in the last batch");
        assert!(!should_linger(0.3, 1, 1), "a lone writer commits at once");
        assert!(!should_linger(0.3, 1, 0));
        assert!(!should_linger(0.9, 12, 12), "a busy writer never idles");
        assert!(!should_linger(0.3, MAX_BATCH, 3), "a full batch goes");
    }

    /// A writer over a fresh migrated file, and a pool to look at it from outside.
    fn fixture() -> (tempfile::TempDir, Writer, crate::db::Pool) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let (pool, backend) = connect(&url, 2, Duration::from_secs(5)).expect("pool");
        migrate(&mut pool.get().expect("conn")).expect("migrations");
        let writer = crate::db::start_writer(&backend).expect("writer").expect("SQLite has a writer");
        (dir, writer, pool)
    }

    fn add_event(writer: &Writer, kind: String, fail: bool) -> impl std::future::Future<Output = AppResult<()>> + '_ {
        writer.run(move |c| {
            crate::events::append(c, &kind, None, serde_json::json!({}), 0)?;
            if fail {
                return Err(AppError::invalid("kind", "refused after writing"));
            }
            Ok(())
        })
    }

    fn stored(pool: &crate::db::Pool) -> Vec<String> {
        let mut kinds: Vec<String> =
            events::table.select(events::kind).load(&mut *pool.get().expect("conn")).expect("events");
        kinds.sort();
        kinds
    }

    #[tokio::test]
    async fn requests_share_a_commit_and_a_failing_one_rolls_back_alone() {
        let (_dir, writer, pool) = fixture();
        // Hold the write lock so the requests pile up behind the first and share commits.
        let lock = SQLITE_WRITER.lock().unwrap_or_else(|p| p.into_inner());
        let pending = join_all((0..40).map(|i| add_event(&writer, format!("e{i:02}"), i % 4 == 3)));
        let release = async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            drop(lock);
        };
        let (results, ()) = tokio::join!(pending, release);

        for (i, r) in results.iter().enumerate() {
            assert_eq!(r.is_ok(), i % 4 != 3, "request {i}: {:?}", r.as_ref().err());
        }
        let wanted: Vec<String> = (0..40).filter(|i| i % 4 != 3).map(|i| format!("e{i:02}")).collect();
        assert_eq!(stored(&pool), wanted);
        assert!(writer.commits() < 40, "40 requests took {} commits", writer.commits());
    }

    #[tokio::test]
    async fn an_answer_means_the_write_is_visible_to_every_connection() {
        let (_dir, writer, pool) = fixture();
        for i in 0..5 {
            add_event(&writer, format!("e{i}"), false).await.expect("stored");
            assert_eq!(stored(&pool).len(), i + 1);
        }
    }

    #[tokio::test]
    async fn a_panic_fails_its_batch_and_the_writer_carries_on() {
        let (_dir, writer, pool) = fixture();
        let lock = SQLITE_WRITER.lock().unwrap_or_else(|p| p.into_inner());
        let before = add_event(&writer, "before".into(), false);
        let panics = writer.run(|c| -> AppResult<()> {
            crate::events::append(c, "doomed", None, serde_json::json!({}), 0)?;
            panic!("a bug in a handler");
        });
        let release = async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            drop(lock);
        };
        let (before, panics, ()) = tokio::join!(before, panics, release);
        assert!(panics.is_err());
        // `before` was either committed alone or rolled back with the panic: never half.
        let kinds = stored(&pool);
        assert!(!kinds.contains(&"doomed".to_string()), "{kinds:?}");
        assert_eq!(before.is_ok(), kinds.contains(&"before".to_string()));

        add_event(&writer, "after".into(), false).await.expect("the writer still works");
        assert!(stored(&pool).contains(&"after".to_string()));
    }
}
