//! An in-memory index of available loads, so a search ranks from memory instead of
//! loading thousands of rows per request.
//!
//! The index follows the table by `updated_at` (every change to a load sets it): each
//! refresh reads the rows changed since a few seconds before the previous refresh began,
//! the overlap covering other instances' clocks and transactions still committing. It may lag for up to
//! `MAX_AGE`, so it only proposes candidates: the search re-reads its top candidates from
//! the database and drops any that are no longer available. A booked load is never
//! returned, on any instance.

use super::model::LoadRow;
use crate::db::schema::loads;
use crate::db::DbConnection;
use crate::error::AppResult;
use diesel::prelude::*;
use std::collections::HashMap;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

/// How stale the index may be before a search refreshes it.
const MAX_AGE: Duration = Duration::from_millis(500);
/// Re-read changes this much older than the newest one seen (other instances' clocks).
const OVERLAP_MS: i64 = 5_000;

#[derive(Default)]
struct SyncState {
    /// Wall-clock start of the previous refresh (epoch ms), `None` before the first.
    previous_start_ms: Option<i64>,
    synced_at: Option<Instant>,
}

impl LoadIndex {
    /// This instance changed loads: the next search refreshes first.
    pub fn mark_stale(&self) {
        self.stale.store(true, std::sync::atomic::Ordering::Release);
    }
}

#[derive(Default)]
pub struct LoadIndex {
    available: RwLock<HashMap<String, LoadRow>>,
    sync: Mutex<SyncState>,
    stale: std::sync::atomic::AtomicBool,
}

impl LoadIndex {
    /// Applies changes since the last refresh, when older than `MAX_AGE` (or `force`).
    /// A refresh already running elsewhere is not waited for.
    pub fn refresh(&self, conn: &mut DbConnection, force: bool) -> AppResult<()> {
        let must = force || self.stale.load(std::sync::atomic::Ordering::Acquire);
        let mut sync = match self.sync.try_lock() {
            Ok(s) => s,
            Err(std::sync::TryLockError::WouldBlock) if !must => return Ok(()),
            Err(std::sync::TryLockError::WouldBlock) => self.sync.lock().unwrap_or_else(|p| p.into_inner()),
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
        };
        let stale = self.stale.swap(false, std::sync::atomic::Ordering::AcqRel);
        if !force && !stale && sync.synced_at.is_some_and(|t| t.elapsed() < MAX_AGE) {
            return Ok(());
        }
        let started = Instant::now();
        let started_ms = crate::db::to_ms(chrono::Utc::now());
        let mut query = loads::table.select(LoadRow::as_select()).into_boxed();
        if let Some(previous) = sync.previous_start_ms {
            query = query.filter(loads::updated_at.ge(previous.saturating_sub(OVERLAP_MS)));
        }
        let changed: Vec<LoadRow> = query.load(conn)?;
        if !changed.is_empty() {
            let mut map = self.available.write().unwrap_or_else(|p| p.into_inner());
            for row in changed {
                if row.status == "available" {
                    map.insert(row.load_id.clone(), row);
                } else {
                    map.remove(&row.load_id);
                }
            }
        }
        sync.previous_start_ms = Some(started_ms);
        sync.synced_at = Some(started);
        Ok(())
    }

    /// Runs `f` over the available loads as the index knows them.
    pub fn read<R>(&self, f: impl FnOnce(&mut dyn Iterator<Item = &LoadRow>) -> R) -> R {
        let map = self.available.read().unwrap_or_else(|p| p.into_inner());
        f(&mut map.values())
    }

    pub fn len(&self) -> usize {
        self.available.read().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
