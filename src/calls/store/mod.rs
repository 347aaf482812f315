//! The calls room's rows, queries and transactions: the only place in `calls/` that
//! writes SQL. The call story also reads the verifications, searches, negotiations and
//! bookings of a call here, from their tables (`crate::db::schema`), so the calls room
//! never imports the rooms that write them.

pub mod calls;
pub mod finalize;
pub mod identity;
pub mod rejected;
pub mod sessions;
pub mod story;

pub use calls::{purge_transcripts, touch};

/// Narrows a query to the rows after a page key, in `(at desc, id desc)` order: the
/// keyset paging every list of this room shares (see `crate::paging`).
macro_rules! after_key {
    ($query:expr, $at:expr, $id:expr, $key:expr) => {
        match $key {
            Some((at, id)) => $query.filter($at.lt(at).or($at.eq(at).and($id.lt(id)))),
            None => $query,
        }
    };
}
pub(crate) use after_key;
