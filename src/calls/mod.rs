//! Call records. A call is one row keyed by `call_id`, created by whichever request
//! carrying that id comes first (verify, search, evaluate, handoff, finalize) and enriched
//! by the rest.

pub mod classify;
pub mod finalize;
pub mod handlers;
pub mod identity;
pub mod intake;
pub mod record;
pub mod rejected;
pub mod sessions;
pub mod story;
pub mod test_call;
pub mod webhook;

use crate::db::schema::calls;
use crate::db::DbConnection;
use crate::http::auth::{require_admin, require_agent, require_dashboard};
use crate::http::resource;
use actix_web::middleware::from_fn;
use actix_web::web;
use diesel::prelude::*;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/calls/finalize")
            // A 200 000-character transcript (up to 4 bytes a character) plus extracted data.
            .app_data(crate::http::body::BodyLimit::Finalize)
            .route(web::post().to(finalize::finalize).wrap(from_fn(require_agent))),
    )
    .service(
        resource("/webhooks/happyrobot").route(web::post().to(webhook::session_event).wrap(from_fn(require_agent))),
    )
    .service(resource("/webhooks/rejected").route(web::get().to(rejected::list).wrap(from_fn(require_dashboard))))
    .service(
        resource("/webhooks/rejected/{rejected_id}/replay")
            .app_data(crate::http::body::BodyLimit::Finalize)
            .route(web::post().to(rejected::replay).wrap(from_fn(require_admin))),
    )
    .service(resource("/calls").route(web::get().to(handlers::list).wrap(from_fn(require_dashboard))))
    .service(
        resource("/calls/test")
            .route(web::get().to(test_call::status).wrap(from_fn(require_dashboard)))
            .route(web::post().to(test_call::start).wrap(from_fn(require_dashboard))),
    )
    // Registered before `{call_id}` so it is not read as a call id.
    .service(resource("/calls/export.csv").route(web::get().to(handlers::export_csv).wrap(from_fn(require_dashboard))))
    .service(resource("/calls/{call_id}").route(web::get().to(handlers::detail).wrap(from_fn(require_dashboard))));
}

/// Makes sure the call exists; fills the carrier's MC and name when newly known.
pub fn touch(
    conn: &mut DbConnection,
    call_id: &str,
    mc_number: Option<&str>,
    carrier_name: Option<&str>,
    now_ms: i64,
) -> QueryResult<()> {
    let created = crate::per_backend!(conn, c => {
        diesel::insert_into(calls::table)
            .values((
                calls::call_id.eq(call_id),
                calls::mc_number.eq(mc_number),
                calls::carrier_name.eq(carrier_name),
                calls::outcome_conflict.eq(false),
                calls::first_seen_at.eq(now_ms),
                calls::occurred_at.eq(now_ms),
                calls::updated_at.eq(now_ms),
            ))
            .on_conflict(calls::call_id)
            .do_nothing()
            .execute(c)?
    });
    // A platform session of the same id may have started before the call's first tool.
    if created > 0 {
        sessions::apply(conn, call_id, call_id, now_ms)?;
    }
    if mc_number.is_some() || carrier_name.is_some() {
        let target = calls::table.find(call_id);
        if let Some(mc) = mc_number {
            crate::per_backend!(conn, c => diesel::update(target)
                .set((calls::mc_number.eq(mc), calls::updated_at.eq(now_ms)))
                .execute(c)?);
        }
        if let Some(name) = carrier_name {
            crate::per_backend!(conn, c => diesel::update(target)
                .set((calls::carrier_name.eq(name), calls::updated_at.eq(now_ms)))
                .execute(c)?);
        }
    }
    Ok(())
}

/// Removes transcripts of calls older than the retention period; the rest of each call
/// record stays. Returns how many transcripts were removed.
pub fn purge_transcripts(conn: &mut DbConnection, retention_days: u32, now_ms: i64) -> QueryResult<usize> {
    let cutoff = now_ms - retention_days as i64 * 86_400_000;
    diesel::update(calls::table.filter(calls::occurred_at.lt(cutoff)).filter(calls::transcript_json.is_not_null()))
        .set((calls::transcript_json.eq(None::<String>), calls::updated_at.eq(now_ms)))
        .execute(conn)
}
