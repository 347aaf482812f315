//! [`Statement`]: how stores run a diesel statement, so the prepared statement is found
//! by the statement's type.
//!
//! Through the derived `MultiConnection` a statement is walked into SQL text on every
//! call before the prepared-statement cache is consulted: an insert took 2.1-2.7 µs
//! that way against 1.2-1.3 µs on the concrete connection. These methods run the same
//! statement on the concrete connection of whichever backend is open, so a statement
//! written once serves both.
//!
//! The rule for stores: a statement whose shape is fixed at compile time runs with
//! `.run`, `.rows`, `.row` or `.one` below. A query assembled at run time
//! (`into_boxed::<DbBackend>()`, filters added by the request) is typed on the
//! multi-backend and runs with diesel's own `execute`/`load`/`first` on
//! [`DbConnection`](super::DbConnection); so does anything outside a request's hot path
//! where the difference does not matter.

use super::DbConnection;
use diesel::dsl::Limit;
use diesel::query_dsl::methods::{ExecuteDsl, LimitDsl};
use diesel::query_dsl::LoadQuery;
use diesel::sqlite::Sqlite;
use diesel::{PgConnection, QueryResult, RunQueryDsl, Selectable, SqliteConnection};

/// Runs `$body` with `$c` bound to the concrete connection of either backend. Private to
/// `db/`: stores use [`Statement`].
macro_rules! on_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            DbConnection::Postgresql($c) => $body,
            DbConnection::Sqlite($c) => $body,
        }
    };
}
pub(crate) use on_backend;

/// The columns of a `Selectable` row as a plain tuple, for a statement run with
/// [`Statement`]: `Row::as_select()` ties a statement to one backend, these columns do not
/// (the row is read back by position, which its `Queryable` derive follows too).
pub fn columns<T: Selectable<Sqlite>>() -> T::SelectExpression {
    T::construct_selection()
}

/// Statement runners that find the prepared statement by type (see the module docs).
pub trait Statement: Sized {
    /// Executes an insert, update or delete; the number of rows it touched.
    fn run(self, conn: &mut DbConnection) -> QueryResult<usize>
    where
        Self: ExecuteDsl<PgConnection> + ExecuteDsl<SqliteConnection>,
    {
        on_backend!(conn, c => ExecuteDsl::execute(self, c))
    }

    /// Every row the query returns.
    fn rows<'q, U>(self, conn: &mut DbConnection) -> QueryResult<Vec<U>>
    where
        Self: LoadQuery<'q, PgConnection, U> + LoadQuery<'q, SqliteConnection, U>,
    {
        on_backend!(conn, c => RunQueryDsl::<_>::load(self, c))
    }

    /// The first row (the query limited to one); `NotFound` when there is none (use
    /// `.optional()`).
    fn row<'q, U>(self, conn: &mut DbConnection) -> QueryResult<U>
    where
        Self: LimitDsl,
        Limit<Self>: LoadQuery<'q, PgConnection, U> + LoadQuery<'q, SqliteConnection, U>,
    {
        on_backend!(conn, c => RunQueryDsl::<_>::get_result(LimitDsl::limit(self, 1), c))
    }

    /// The single row a query returns as it stands (a count, `RETURNING`).
    fn one<'q, U>(self, conn: &mut DbConnection) -> QueryResult<U>
    where
        Self: LoadQuery<'q, PgConnection, U> + LoadQuery<'q, SqliteConnection, U>,
    {
        on_backend!(conn, c => RunQueryDsl::<_>::get_result(self, c))
    }
}

impl<T> Statement for T {}
