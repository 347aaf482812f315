//! The voice platform's sessions, as its status events describe them, and how they land
//! on calls. A session is not a call by itself: the call's id is the one verify issued
//! (or the platform's session id, when a workflow passes it), so a session's status and
//! times are kept here and applied to the call whose id is the session's id, or to the
//! call a finalize linked it to (`session_id` beside `call_id`). Session events therefore
//! never count a call twice, in whichever order they and the tools arrive.

use crate::db::schema::{calls, platform_sessions};
use crate::db::DbConnection;
use crate::db::{columns, Statement};
use crate::vocab::session_status::SessionStatus;
use diesel::prelude::*;

/// One status change of a session.
pub struct Change {
    pub session_id: String,
    pub run_id: Option<String>,
    pub use_case_id: Option<String>,
    pub current: SessionStatus,
    pub at_ms: i64,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = platform_sessions)]
struct Session {
    run_id: Option<String>,
    status: Option<String>,
    started_at: Option<i64>,
    ended_at: Option<i64>,
}

fn ensure(conn: &mut DbConnection, session_id: &str, now_ms: i64) -> QueryResult<()> {
    diesel::insert_into(platform_sessions::table)
        .values((platform_sessions::session_id.eq(session_id), platform_sessions::updated_at.eq(now_ms)))
        .on_conflict(platform_sessions::session_id)
        .do_nothing()
        .run(conn)?;
    Ok(())
}

/// Records a status change; returns the call it landed on, if the session has one.
pub fn record(conn: &mut DbConnection, ch: &Change, now_ms: i64) -> QueryResult<Option<String>> {
    ensure(conn, &ch.session_id, now_ms)?;
    let target = platform_sessions::table.find(&ch.session_id);
    diesel::update(target)
        .set((platform_sessions::status.eq(ch.current.as_str()), platform_sessions::updated_at.eq(now_ms)))
        .execute(conn)?;
    if let Some(r) = &ch.run_id {
        diesel::update(target).set(platform_sessions::run_id.eq(r)).execute(conn)?;
    }
    if let Some(u) = &ch.use_case_id {
        diesel::update(target).set(platform_sessions::use_case_id.eq(u)).execute(conn)?;
    }
    if ch.current == SessionStatus::InProgress {
        diesel::update(target.filter(platform_sessions::started_at.is_null()))
            .set(platform_sessions::started_at.eq(ch.at_ms))
            .execute(conn)?;
    }
    if ch.current.is_terminal() {
        diesel::update(target.filter(platform_sessions::ended_at.is_null()))
            .set(platform_sessions::ended_at.eq(ch.at_ms))
            .execute(conn)?;
    }
    let linked: Option<String> = target.select(platform_sessions::call_id).first(conn)?;
    let call = match linked {
        Some(id) => Some(id),
        None => calls::table.find(&ch.session_id).select(calls::call_id).first(conn).optional()?,
    };
    if let Some(call_id) = &call {
        apply(conn, &ch.session_id, call_id, now_ms)?;
    }
    Ok(call)
}

/// Links a session to a call (a finalize that names both) and applies what is known of it.
pub fn link(conn: &mut DbConnection, session_id: &str, call_id: &str, now_ms: i64) -> QueryResult<()> {
    ensure(conn, session_id, now_ms)?;
    diesel::update(platform_sessions::table.find(session_id))
        .set(platform_sessions::call_id.eq(call_id))
        .execute(conn)?;
    apply(conn, session_id, call_id, now_ms).map(|_| ())
}

/// Puts the session's status, run and times on the call, never overwriting a start or an
/// end the call already has. Returns false when there is no such session.
pub fn apply(conn: &mut DbConnection, session_id: &str, call_id: &str, now_ms: i64) -> QueryResult<bool> {
    let found: Option<Session> =
        platform_sessions::table.find(session_id).select(columns::<Session>()).row(conn).optional()?;
    let Some(s) = found else {
        return Ok(false);
    };
    let target = calls::table.find(call_id);
    if let Some(status) = &s.status {
        diesel::update(target).set((calls::platform_status.eq(status), calls::updated_at.eq(now_ms))).execute(conn)?;
    }
    if let Some(r) = &s.run_id {
        diesel::update(target).set(calls::run_id.eq(r)).execute(conn)?;
    }
    if let Some(at) = s.started_at {
        diesel::update(target.filter(calls::started_at.is_null()))
            .set((calls::started_at.eq(at), calls::occurred_at.eq(at)))
            .execute(conn)?;
    }
    if let Some(at) = s.ended_at {
        diesel::update(target.filter(calls::ended_at.is_null())).set(calls::ended_at.eq(at)).execute(conn)?;
        let (started, ended, duration): (Option<i64>, Option<i64>, Option<i64>) =
            target.select((calls::started_at, calls::ended_at, calls::duration_seconds)).first(conn)?;
        if let (Some(s), Some(e), None) = (started, ended, duration) {
            diesel::update(target).set(calls::duration_seconds.eq((e - s).max(0) / 1000)).execute(conn)?;
        }
    }
    Ok(true)
}

/// Records a session event in one transaction and, when the session is a call's, appends
/// the live `call.session_status` event; others wait for their call.
pub fn record_event(
    conn: &mut DbConnection,
    change: &Change,
    previous: Option<SessionStatus>,
    now_ms: i64,
) -> crate::error::AppResult<Option<String>> {
    crate::db::write_tx(conn, |c| -> crate::error::AppResult<Option<String>> {
        let call = record(c, change, now_ms)?;
        if let Some(id) = &call {
            crate::events::append(
                c,
                "call.session_status",
                Some(id),
                serde_json::json!({"previous": previous, "current": change.current, "run_id": change.run_id}),
                now_ms,
            )?;
        }
        Ok(call)
    })
}
