//! The load catalogue: import (bundled seed, `LOADS_FILE`, admin API), search for the
//! voice agent, and the catalogue routes for the dashboard.

pub mod handlers;
pub mod import;
pub mod index;
pub mod model;
pub mod search;

use crate::db::schema::loads;
use crate::db::{to_ms, write_tx, DbConnection};
use crate::http::auth::{require_admin, require_agent, require_any, require_dashboard};
use crate::http::body::BodyLimit;
use crate::http::resource;
use actix_web::middleware::from_fn;
use actix_web::web;
use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

/// The bundled seed catalogue (pickups relative to the import day).
pub const SEED_JSON: &str = include_str!("../../data/loads.json");

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/loads/search").route(web::post().to(handlers::search).wrap(from_fn(require_agent))))
        .service(
            resource("/loads/import")
                .app_data(BodyLimit::Import)
                .route(web::post().to(handlers::import_file).wrap(from_fn(require_admin))),
        )
        .service(
            resource("/loads")
                .route(web::get().to(handlers::list).wrap(from_fn(require_dashboard)))
                .route(web::post().to(handlers::upsert).wrap(from_fn(require_admin))),
        )
        .service(resource("/loads/{load_id}").route(web::get().to(handlers::get).wrap(from_fn(require_any))));
}

/// On first start (no loads at all) imports `LOADS_FILE` or the bundled seed.
pub fn seed_if_empty(
    conn: &mut DbConnection,
    file: Option<&std::path::Path>,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<import::ImportReport>> {
    let count: i64 = loads::table.count().get_result(conn)?;
    if count > 0 {
        return Ok(None);
    }
    let (bytes, is_seed, source) = match file {
        Some(path) => (
            std::fs::read(path).with_context(|| format!("reading LOADS_FILE {}", path.display()))?,
            false,
            path.display().to_string(),
        ),
        None => (SEED_JSON.as_bytes().to_vec(), true, "the bundled seed".to_string()),
    };
    let records = import::records_from_bytes(&bytes).map_err(|e| anyhow::anyhow!("{source}: {}", e.body()))?;
    let report =
        import::import_records(conn, &records, now, is_seed).map_err(|e| anyhow::anyhow!("importing {source}: {e}"))?;
    log::info!(
        "imported {} loads from {source} ({} rejected)",
        report.inserted + report.updated,
        report.rejected_count
    );
    for r in &report.rejected {
        log::warn!("load row {} ({:?}) rejected: {}", r.row, r.load_id, r.reason);
    }
    Ok(Some(report))
}

/// Development only: bundled seed loads still available whose pickup has passed move
/// forward by whole weeks, keeping their weekday, local time and lane.
pub fn refresh_seed(conn: &mut DbConnection, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let now_ms = to_ms(now);
    write_tx(conn, |conn| -> anyhow::Result<usize> {
        let stale: Vec<(String, i64, Option<i64>)> = loads::table
            .filter(loads::is_seed.eq(true))
            .filter(loads::status.eq("available"))
            .filter(loads::pickup_at.le(now_ms))
            .select((loads::load_id, loads::pickup_at, loads::delivery_at))
            .load(conn)?;
        let week = Duration::weeks(1).num_milliseconds();
        for (id, pickup, delivery) in &stale {
            let weeks = (now_ms - pickup) / week + 1;
            let shift = weeks * week;
            diesel::update(loads::table.find(id))
                .set((
                    loads::pickup_at.eq(pickup + shift),
                    loads::delivery_at.eq(delivery.map(|d| d + shift)),
                    loads::updated_at.eq(now_ms),
                ))
                .execute(conn)?;
        }
        Ok(stale.len())
    })
}
