//! An in-memory index of available loads, so a search ranks from memory instead of
//! loading thousands of rows per request.
//!
//! The index follows the table by `updated_at` (every change to a load sets it): each
//! refresh reads the rows changed since a few seconds before the previous refresh began,
//! the overlap covering other instances' clocks and transactions still committing. It may lag for up to
//! `MAX_AGE`, so it only proposes candidates: the search re-reads its top candidates from
//! the database and drops any that are no longer available. A booked load is never
//! returned, on any instance.
//!
//! Searches read an immutable [`Snapshot`]: one compact entry per load holding what the
//! ranking reads (pickup, coordinates, rate per mile, time zone; equipment, states and
//! city names interned to numbers), and the entries grouped by origin city, so a search
//! for "Dallas" scores Dallas loads only and a wider one scans ~100-byte entries instead
//! of chasing each row's strings. Scoring is `search::score`, the same rule the rows are
//! ranked by. Whole rows are not kept: the best few are read from the database. A refresh
//! that changed something builds a new snapshot off to the side and swaps it in; searches
//! never wait for one.

use super::model::IndexRow;
#[cfg(test)]
use super::model::LoadRow;
use super::search::{self, Criteria, Facts};
use crate::db::DbConnection;
use crate::error::AppResult;
use crate::geo::tz::Zone;
use crate::geo::{name_key, Place};
use chrono::{DateTime, Utc};
use std::cell::Cell;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// How stale the index may be before a search refreshes it.
const MAX_AGE: Duration = Duration::from_millis(500);
/// Re-read changes this much older than the newest one seen (other instances' clocks).
const OVERLAP_MS: i64 = 5_000;
/// Rows read per query when (re)loading the index.
const PAGE: i64 = 2_000;

/// An available load as the index keeps it between refreshes: what a snapshot is built
/// from (no whole row).
struct Held {
    load_id: String,
    updated_at: i64,
    pickup_at: i64,
    rate_per_mile: Option<f64>,
    origin: (Option<f64>, Option<f64>),
    destination: (Option<f64>, Option<f64>),
    zone: Zone,
    equipment: String,
    origin_state: String,
    destination_state: String,
    /// The cities' match keys ([`name_key`]), computed once when the row arrives.
    origin_key: String,
    destination_key: String,
}

impl Held {
    fn of(row: &IndexRow) -> Held {
        Held {
            load_id: row.load_id.clone(),
            updated_at: row.updated_at,
            pickup_at: row.pickup_at,
            rate_per_mile: row.rate_per_mile(),
            origin: (row.origin_lat, row.origin_lon),
            destination: (row.destination_lat, row.destination_lon),
            zone: row.origin_zone(),
            equipment: row.equipment.clone(),
            origin_state: row.origin_state.clone(),
            destination_state: row.destination_state.clone(),
            origin_key: name_key(&row.origin_city),
            destination_key: name_key(&row.destination_city),
        }
    }
}

#[derive(Default)]
struct SyncState {
    /// Wall-clock start of the previous refresh (epoch ms), `None` before the first.
    previous_start_ms: Option<i64>,
    synced_at: Option<Instant>,
    /// Every available load by id.
    available: HashMap<String, Arc<Held>>,
}

#[derive(Default)]
pub struct LoadIndex {
    snapshot: RwLock<Arc<Snapshot>>,
    sync: Mutex<SyncState>,
    stale: AtomicBool,
}

impl LoadIndex {
    /// This instance changed loads: the next search refreshes first.
    pub fn mark_stale(&self) {
        self.stale.store(true, Ordering::Release);
    }

    /// Whether a search may use the index as it is, without a refresh first: nothing
    /// changed here and the last refresh is recent (or one is running now).
    pub fn is_fresh(&self) -> bool {
        if self.stale.load(Ordering::Acquire) {
            return false;
        }
        match self.sync.try_lock() {
            Ok(sync) => sync.synced_at.is_some_and(|t| t.elapsed() < MAX_AGE),
            Err(std::sync::TryLockError::WouldBlock) => true,
            Err(std::sync::TryLockError::Poisoned(_)) => false,
        }
    }

    /// Applies changes since the last refresh, when older than `MAX_AGE` (or `force`).
    /// A refresh already running elsewhere is not waited for.
    pub fn refresh(&self, conn: &mut DbConnection, force: bool) -> AppResult<()> {
        let must = force || self.stale.load(Ordering::Acquire);
        let mut sync = match self.sync.try_lock() {
            Ok(s) => s,
            Err(std::sync::TryLockError::WouldBlock) if !must => return Ok(()),
            Err(std::sync::TryLockError::WouldBlock) => self.sync.lock().unwrap_or_else(|p| p.into_inner()),
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
        };
        let stale = self.stale.swap(false, Ordering::AcqRel);
        if !force && !stale && sync.synced_at.is_some_and(|t| t.elapsed() < MAX_AGE) {
            return Ok(());
        }
        let started = Instant::now();
        let started_ms = crate::db::to_ms(chrono::Utc::now());
        let mut moved = false;
        let mut apply = |available: &mut HashMap<String, Arc<Held>>, rows: Vec<IndexRow>| {
            for row in rows {
                if row.status == super::model::LoadStatus::Available.as_str() {
                    // The overlap re-reads rows already held: only a real change rebuilds.
                    if available.get(&row.load_id).is_some_and(|held| held.updated_at == row.updated_at) {
                        continue;
                    }
                    available.insert(row.load_id.clone(), Arc::new(Held::of(&row)));
                    moved = true;
                } else {
                    moved |= available.remove(&row.load_id).is_some();
                }
            }
        };
        match sync.previous_start_ms {
            // Changes only: few rows, found through the updated_at index.
            Some(previous) => {
                let changed = super::store::changed_since(conn, previous.saturating_sub(OVERLAP_MS))?;
                apply(&mut sync.available, changed);
            }
            // The first load reads every row, in pages by key, so 100k rows are never
            // all held at once (and only the columns the ranking reads).
            None => {
                let mut after = String::new();
                loop {
                    let page = super::store::index_page(conn, &after, PAGE)?;
                    let full = page.len() as i64 == PAGE;
                    if let Some(last) = page.last() {
                        after = last.load_id.clone();
                    }
                    apply(&mut sync.available, page);
                    if !full {
                        break;
                    }
                }
            }
        }
        if moved || sync.previous_start_ms.is_none() {
            let snapshot = Arc::new(Snapshot::build(sync.available.values()));
            *self.snapshot.write().unwrap_or_else(|p| p.into_inner()) = snapshot;
        }
        sync.previous_start_ms = Some(started_ms);
        sync.synced_at = Some(started);
        Ok(())
    }

    /// The available loads as the index knows them now.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn len(&self) -> usize {
        self.snapshot().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One load as a search reads it. Missing coordinates and rates are NaN.
struct Entry {
    pickup_at: i64,
    origin_lat: f64,
    origin_lon: f64,
    destination_lat: f64,
    destination_lon: f64,
    rate_per_mile: f64,
    zone: Zone,
    equipment: u32,
    origin_state: u32,
    destination_state: u32,
    origin_key: u32,
    destination_key: u32,
    held: Arc<Held>,
}

/// An immutable view of the available loads (see the module comment).
#[derive(Default)]
pub struct Snapshot {
    entries: Vec<Entry>,
    /// Where each origin city's entries lie in `entries` (kept side by side).
    by_origin: HashMap<u32, Range<usize>>,
    /// Interned strings: equipment keys, state codes, city keys.
    symbols: HashMap<String, u32>,
}

/// A wanted place resolved against a snapshot's symbols (`None`: no load has it).
enum PlaceQuery {
    Any,
    State(Option<u32>),
    /// A city by key, in a state when one was asked (`Some(None)`: a state no load has);
    /// with a radius, the latitudes of the city's gazetteer entries and the radius.
    City {
        key: Option<u32>,
        state: Option<Option<u32>>,
        band: Option<(Vec<f64>, f64)>,
    },
    Unknown(Option<u32>),
}

impl PlaceQuery {
    /// Whether a load's place is this one by name: what `search::place_match` asks.
    fn same(&self, key: u32, state: u32) -> bool {
        match self {
            PlaceQuery::Any => true,
            PlaceQuery::State(id) => *id == Some(state),
            PlaceQuery::City { key: want, state: want_state, .. } => {
                want_state.is_none_or(|s| s == Some(state)) && *want == Some(key)
            }
            PlaceQuery::Unknown(want) => *want == Some(key),
        }
    }

    /// A cheap test that keeps every load `search::place_match` could accept.
    fn may_fit(&self, key: u32, state: u32, lat: f64) -> bool {
        match self {
            PlaceQuery::City { band: Some((lats, r)), .. } => {
                self.same(key, state) || (!lat.is_nan() && lats.iter().any(|l| (l - lat).abs() * 69.0 <= *r))
            }
            _ => self.same(key, state),
        }
    }

    fn excludes_all(&self) -> bool {
        matches!(
            self,
            PlaceQuery::State(None) | PlaceQuery::Unknown(None) | PlaceQuery::City { key: None, band: None, .. }
        )
    }
}

fn known(v: f64) -> Option<f64> {
    (!v.is_nan()).then_some(v)
}

impl Snapshot {
    fn build<'a>(available: impl Iterator<Item = &'a Arc<Held>>) -> Snapshot {
        let mut s = Snapshot::default();
        // A city's loads side by side (by equipment within it): a search reads one run of
        // memory instead of hundreds of scattered entries, a cache miss each.
        let mut available: Vec<&Arc<Held>> = available.collect();
        available.sort_unstable_by(|a, b| (&a.origin_key, &a.equipment).cmp(&(&b.origin_key, &b.equipment)));
        for h in available {
            let entry = Entry {
                pickup_at: h.pickup_at,
                origin_lat: h.origin.0.unwrap_or(f64::NAN),
                origin_lon: h.origin.1.unwrap_or(f64::NAN),
                destination_lat: h.destination.0.unwrap_or(f64::NAN),
                destination_lon: h.destination.1.unwrap_or(f64::NAN),
                rate_per_mile: h.rate_per_mile.unwrap_or(f64::NAN),
                zone: h.zone,
                equipment: s.intern(&h.equipment),
                origin_state: s.intern(&h.origin_state),
                destination_state: s.intern(&h.destination_state),
                origin_key: s.intern(&h.origin_key),
                destination_key: s.intern(&h.destination_key),
                held: h.clone(),
            };
            let at = s.entries.len();
            s.by_origin.entry(entry.origin_key).or_insert(at..at).end = at + 1;
            s.entries.push(entry);
        }
        s
    }

    /// A snapshot of `rows` as a refresh would build it (tests).
    #[cfg(test)]
    pub fn from_rows(rows: &[LoadRow]) -> Snapshot {
        let held: Vec<Arc<Held>> = rows
            .iter()
            .map(|r| {
                Arc::new(Held::of(&IndexRow {
                    load_id: r.load_id.clone(),
                    status: r.status.clone(),
                    updated_at: r.updated_at,
                    pickup_at: r.pickup_at,
                    equipment: r.equipment.clone(),
                    loadboard_rate_cents: r.loadboard_rate_cents,
                    miles: r.miles,
                    origin_city: r.origin_city.clone(),
                    origin_state: r.origin_state.clone(),
                    origin_lat: r.origin_lat,
                    origin_lon: r.origin_lon,
                    origin_tz: r.origin_tz.clone(),
                    destination_city: r.destination_city.clone(),
                    destination_state: r.destination_state.clone(),
                    destination_lat: r.destination_lat,
                    destination_lon: r.destination_lon,
                }))
            })
            .collect();
        Snapshot::build(held.iter())
    }

    fn intern(&mut self, text: &str) -> u32 {
        if let Some(id) = self.symbols.get(text) {
            return *id;
        }
        let id = self.symbols.len() as u32;
        self.symbols.insert(text.to_string(), id);
        id
    }

    fn symbol(&self, text: &str) -> Option<u32> {
        self.symbols.get(text).copied()
    }

    fn resolve(&self, place: Option<&Place>, radius: Option<f64>) -> PlaceQuery {
        match place {
            None => PlaceQuery::Any,
            Some(Place::State(code)) => PlaceQuery::State(self.symbol(code)),
            Some(Place::Cities { name, state, matches }) => PlaceQuery::City {
                key: self.symbol(&name_key(name)),
                state: state.map(|s| self.symbol(s)),
                band: radius.map(|r| (matches.iter().map(|m| m.lat).collect(), r)),
            },
            Some(Place::Unknown(text)) => PlaceQuery::Unknown(self.symbol(&name_key(text))),
        }
    }

    /// The ids of the best `c.max_results` loads for `c`, best first, scored exactly as
    /// `search::rank` scores rows.
    pub fn rank(&self, c: &Criteria, widen: bool, now: DateTime<Utc>) -> Vec<String> {
        let radii = search::radii(c, widen);
        let now_ms = crate::db::to_ms(now);
        let equipment = match &c.equipment {
            None => None,
            Some(e) => match self.symbol(e) {
                Some(id) => Some(id),
                None => return vec![],
            },
        };
        let origin = self.resolve(c.origin.as_ref(), radii.0);
        let destination = self.resolve(c.destination.as_ref(), radii.1);
        if origin.excludes_all() || destination.excludes_all() {
            return vec![];
        }
        // The loads of one city share its coordinates: one distance serves them all.
        let last_miles: Cell<Option<([f64; 4], f64)>> = Cell::new(None);
        let miles = |a: f64, b: f64, c: f64, d: f64| match last_miles.get() {
            Some((at, m)) if at == [a, b, c, d] => m,
            _ => {
                let m = crate::geo::miles_between(a, b, c, d);
                last_miles.set(Some(([a, b, c, d], m)));
                m
            }
        };
        let score = |e: &'_ Entry| -> Option<f64> {
            if e.pickup_at <= now_ms
                || equipment.is_some_and(|id| e.equipment != id)
                || !origin.may_fit(e.origin_key, e.origin_state, e.origin_lat)
                || !destination.may_fit(e.destination_key, e.destination_state, e.destination_lat)
            {
                return None;
            }
            let facts = Facts {
                pickup_at: e.pickup_at,
                rate_per_mile: known(e.rate_per_mile),
                origin: (known(e.origin_lat), known(e.origin_lon)),
                destination: (known(e.destination_lat), known(e.destination_lon)),
                origin_is: |_: &Place| origin.same(e.origin_key, e.origin_state),
                destination_is: |_: &Place| destination.same(e.destination_key, e.destination_state),
                zone: || e.zone,
                miles,
            };
            search::score(c, radii, now, facts).map(|(s, _)| s)
        };
        // One city (or unplaced name), no radius: only that city's loads can match.
        let city: Option<&[Entry]> = match &origin {
            PlaceQuery::City { key: Some(key), band: None, .. } | PlaceQuery::Unknown(Some(key)) => {
                Some(self.by_origin.get(key).map_or(&[], |at| &self.entries[at.clone()]))
            }
            _ => None,
        };
        let candidates = city.unwrap_or(&self.entries);
        let scored = candidates.iter().filter_map(|e| score(e).map(|s| (e, s)));
        search::best(scored, c.max_results, |(e, s)| (*s, e.pickup_at, e.held.load_id.as_str()))
            .into_iter()
            .map(|(e, _)| e.held.load_id.clone())
            .collect()
    }
}
