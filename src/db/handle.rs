//! [`Db`]: the one way request handlers, background tasks and tools reach the database.
//!
//! It owns the pool, knows the backend and, on SQLite, the single writer thread. Stores
//! hand it closures over a connection; which thread runs them, and how writes are
//! batched, is decided here and nowhere else:
//! - [`Db::read`]: a pooled connection on the blocking pool (never the HTTP worker).
//! - [`Db::write`]: on SQLite the writer thread (many requests to a commit); on
//!   PostgreSQL a pooled connection on the blocking pool.
//! - [`Db::read_then_write`]: a read, then the write it leads to; a [`ReadCost::Brief`]
//!   read on SQLite may run right on the HTTP worker.
//! - [`Db::connection`]: a pooled connection for code already off the HTTP workers
//!   (start-up, the command line, tools).

use super::writer::Writer;
use super::{Backend, DbConnection, Pool, PooledConn};
use crate::error::{AppError, AppResult};
use actix_web::error::BlockingError;
use actix_web::web;
use diesel::r2d2::PoolError;
use std::time::Duration;

/// How long a read before a write may take, which decides where it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadCost {
    /// A few primary-key lookups: no scan, no rebuild of an in-memory index.
    Brief,
    /// Anything else (a ranking, a refresh).
    Long,
}

#[derive(Clone)]
pub struct Db {
    pool: Pool,
    backend: Backend,
    /// SQLite's single writer (group commit); `None` on PostgreSQL and until
    /// [`start_writer`](Db::start_writer).
    writer: Option<Writer>,
}

impl Db {
    /// Opens the pool for `url` (creating a SQLite file's folder); the writer starts later,
    /// after migrations, with [`start_writer`](Db::start_writer).
    pub fn open(url: &str, size: u32, acquire_timeout: Duration) -> anyhow::Result<Db> {
        let (pool, backend) = super::connect(url, size, acquire_timeout)?;
        Ok(Db { pool, backend, writer: None })
    }

    /// Starts SQLite's writer thread; PostgreSQL takes concurrent writers itself.
    pub fn start_writer(&mut self) -> anyhow::Result<()> {
        if self.writer.is_none() {
            self.writer = super::start_writer(&self.backend)?;
        }
        Ok(())
    }

    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// A pooled connection, waiting up to the acquire timeout. Blocking: for start-up, the
    /// command line and code already on the blocking pool.
    pub fn connection(&self) -> Result<PooledConn, PoolError> {
        self.pool.get()
    }

    /// Runs `f` on a pooled connection in the blocking pool.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<PoolError> + From<BlockingError> + Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || f(&mut *pool.get()?)).await?
    }

    /// Runs database work that may write, answering once it is stored: on SQLite on the
    /// writer thread, many requests to a commit; on PostgreSQL on a pooled connection in
    /// the blocking pool. `f` makes its own `write_tx` (on SQLite a savepoint).
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        match &self.writer {
            Some(writer) => writer.run(f).await,
            None => self.read(f).await,
        }
    }

    /// A read followed by the write it leads to. On SQLite the read runs on a pooled
    /// connection, in parallel with other reads, and only `write` queues for the writer
    /// thread; on PostgreSQL both run on one pooled connection.
    ///
    /// A [`ReadCost::Brief`] read on SQLite runs right here on the HTTP worker when a
    /// pooled connection is idle: WAL readers never wait for the writer, and skipping the
    /// blocking pool saves two thread switches, which cost more than the read itself.
    pub async fn read_then_write<R, T, FR, FW>(&self, cost: ReadCost, read: FR, write: FW) -> AppResult<T>
    where
        FR: FnOnce(&mut DbConnection) -> AppResult<R> + Send + 'static,
        FW: FnOnce(&mut DbConnection, R) -> AppResult<T> + Send + 'static,
        R: Send + 'static,
        T: Send + 'static,
    {
        let Some(writer) = &self.writer else {
            return self
                .read(move |conn| {
                    let got = read(conn)?;
                    write(conn, got)
                })
                .await;
        };
        // `try_get` never waits: an exhausted pool sends a brief read to the blocking pool
        // too. A long read goes there without looking.
        let idle = match cost {
            ReadCost::Brief => self.pool.try_get(),
            ReadCost::Long => None,
        };
        let got = match idle {
            Some(conn) => read_here(conn, read)?,
            None => self.read(read).await?,
        };
        writer.run(move |conn| write(conn, got)).await
    }
}

impl Db {
    /// Readiness: a round trip to the database, and for SQLite the file must still be
    /// where we opened it.
    pub async fn check_ready(&self) -> anyhow::Result<()> {
        let backend = self.backend.clone();
        self.read(move |conn| super::check_ready(conn, &backend)).await
    }

    /// Idle, open and maximum pool connections, for the metrics.
    pub fn pool_state(&self) -> (u32, u32, u32) {
        let state = self.pool.state();
        (state.idle_connections, state.connections, self.pool.max_size())
    }
}

/// Runs `read` on the calling thread. A panic stays this request's 500, as it would on the
/// blocking pool, instead of taking the HTTP worker and its connections down with it. The
/// connection is dropped while unwinding, so the pool discards it (`has_broken`) rather
/// than reuse one left inside a transaction.
fn read_here<R>(conn: PooledConn, read: impl FnOnce(&mut DbConnection) -> AppResult<R>) -> AppResult<R> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let mut conn = conn;
        read(&mut conn)
    }))
    .map_err(|_| AppError::Internal(anyhow::anyhow!("a database read panicked")))?
}
