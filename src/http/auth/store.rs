//! The credentials kept in the database: stored API keys (`carrier-sales keys`, only
//! their digests) and dashboard sessions. The only SQL of the HTTP gate.

use super::{digest, generate_key, hex, random_hex, Scope};
use crate::db::schema::{api_keys, dashboard_sessions};
use crate::db::{to_ms, DbConnection};
use anyhow::bail;
use diesel::prelude::*;

/// A stored key that has not been revoked.
#[derive(Queryable)]
pub struct ActiveKey {
    pub id: String,
    pub name: String,
    pub scope: String,
    pub last_used_at: Option<i64>,
}

/// A stored key as `carrier-sales keys list` shows it.
#[derive(Queryable)]
pub struct KeyListing {
    pub id: String,
    pub name: String,
    pub scope: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// Stores a new key's digest; returns `(id, key)`. The key itself is never stored.
pub fn create_stored_key(conn: &mut DbConnection, name: &str, scope: Scope) -> anyhow::Result<(String, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        bail!("a key name must be 1 to 100 characters");
    }
    let key = generate_key();
    let id = format!("key_{}", random_hex(6));
    diesel::insert_into(api_keys::table)
        .values((
            api_keys::id.eq(&id),
            api_keys::name.eq(name),
            api_keys::scope.eq(scope.as_str()),
            api_keys::key_hash.eq(hex(&digest(&key))),
            api_keys::created_at.eq(to_ms(chrono::Utc::now())),
        ))
        .execute(conn)?;
    Ok((id, key))
}

/// Revokes a stored key and ends the dashboard sessions it opened; returns how many
/// sessions ended, or `None` when no active key has this id. (A session is refused once
/// its key is revoked in any case; deleting it keeps the table honest.)
pub fn revoke_stored_key(conn: &mut DbConnection, id: &str) -> anyhow::Result<Option<usize>> {
    conn.transaction(|conn| {
        let key_hash: Option<String> = api_keys::table
            .filter(api_keys::id.eq(id))
            .filter(api_keys::revoked_at.is_null())
            .select(api_keys::key_hash)
            .first(conn)
            .optional()?;
        let Some(key_hash) = key_hash else {
            return Ok(None);
        };
        diesel::update(api_keys::table.filter(api_keys::id.eq(id)))
            .set(api_keys::revoked_at.eq(Some(to_ms(chrono::Utc::now()))))
            .execute(conn)?;
        let ended = diesel::delete(dashboard_sessions::table.filter(dashboard_sessions::key_hash.eq(&key_hash)))
            .execute(conn)?;
        Ok(Some(ended))
    })
}

/// The unrevoked key whose digest is `key_hash` (hex).
pub fn active_key(conn: &mut DbConnection, key_hash: &str) -> QueryResult<Option<ActiveKey>> {
    api_keys::table
        .filter(api_keys::key_hash.eq(key_hash))
        .filter(api_keys::revoked_at.is_null())
        .select((api_keys::id, api_keys::name, api_keys::scope, api_keys::last_used_at))
        .first(conn)
        .optional()
}

/// Records that key `id` was used at `now_ms`.
pub fn touch_key(conn: &mut DbConnection, id: &str, now_ms: i64) -> QueryResult<()> {
    diesel::update(api_keys::table.filter(api_keys::id.eq(id)))
        .set(api_keys::last_used_at.eq(Some(now_ms)))
        .execute(conn)?;
    Ok(())
}

/// How many stored keys are active (start-up refuses production with none at all).
pub fn active_key_count(conn: &mut DbConnection) -> QueryResult<i64> {
    api_keys::table.filter(api_keys::revoked_at.is_null()).count().get_result(conn)
}

/// Every stored key, oldest first.
pub fn list_keys(conn: &mut DbConnection) -> QueryResult<Vec<KeyListing>> {
    api_keys::table
        .select((
            api_keys::id,
            api_keys::name,
            api_keys::scope,
            api_keys::created_at,
            api_keys::last_used_at,
            api_keys::revoked_at,
        ))
        .order(api_keys::created_at.asc())
        .load(conn)
}

/// The digest of the key that opened the unexpired session whose token digest is
/// `token_hash`.
pub fn session_key(conn: &mut DbConnection, token_hash: &str, now_ms: i64) -> QueryResult<Option<String>> {
    dashboard_sessions::table
        .filter(dashboard_sessions::token_hash.eq(token_hash))
        .filter(dashboard_sessions::expires_at.gt(now_ms))
        .select(dashboard_sessions::key_hash)
        .first(conn)
        .optional()
}

/// A new dashboard session (expired ones are cleared on the way).
pub struct NewSession<'a> {
    pub token_hash: String,
    pub scope: Scope,
    pub key_label: &'a str,
    pub key_hash: &'a str,
    pub created_at: i64,
    pub expires_at: i64,
}

pub fn open_session(conn: &mut DbConnection, s: &NewSession) -> QueryResult<()> {
    diesel::delete(dashboard_sessions::table.filter(dashboard_sessions::expires_at.le(s.created_at))).execute(conn)?;
    diesel::insert_into(dashboard_sessions::table)
        .values((
            dashboard_sessions::token_hash.eq(&s.token_hash),
            dashboard_sessions::scope.eq(s.scope.as_str()),
            dashboard_sessions::key_label.eq(s.key_label),
            dashboard_sessions::key_hash.eq(s.key_hash),
            dashboard_sessions::created_at.eq(s.created_at),
            dashboard_sessions::expires_at.eq(s.expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Ends the session whose token digest is `token_hash`, if any.
pub fn close_session(conn: &mut DbConnection, token_hash: &str) -> QueryResult<()> {
    diesel::delete(dashboard_sessions::table.filter(dashboard_sessions::token_hash.eq(token_hash))).execute(conn)?;
    Ok(())
}
