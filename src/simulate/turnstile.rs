//! Ordering of calls that could compete for the same loads, or whose carrier's earlier
//! negotiations pricing memory reads (see the module doc of [`super`]): a call waits
//! before its first search until every earlier call sharing a map cell or its MC has
//! booked or given up.

use super::carrier::{Carrier, Lane};
use crate::geo::{self, Place};
use std::collections::{BTreeSet, HashMap};
use tokio::sync::watch;

/// Keeps calls that could compete for the same loads, or that come from the same MC, in
/// index order (see the module doc).
pub(super) struct Turnstile {
    done: Vec<watch::Sender<bool>>,
    deps: Vec<Vec<usize>>,
}

/// Map cells (1 degree) a search from these origins could reach; `None` when a place
/// cannot be resolved (then the call is ordered against every other call).
fn region_cells(lanes: &[&Lane]) -> Option<BTreeSet<(i32, i32)>> {
    let margin = crate::loads::search::WIDEN_RADIUS_MILES + 15.0;
    let mut cells = BTreeSet::new();
    for lane in lanes {
        match geo::gazetteer().resolve(&lane.origin) {
            Place::Cities { matches, .. } if !matches.is_empty() => {
                for c in &matches {
                    let (la0, la1, lo0, lo1) = geo::bounding_box(c.lat, c.lon, margin);
                    for a in la0.floor() as i32..=la1.floor() as i32 {
                        for b in lo0.floor() as i32..=lo1.floor() as i32 {
                            cells.insert((a, b));
                        }
                    }
                }
            }
            _ => return None,
        }
    }
    Some(cells)
}

impl Turnstile {
    pub(super) fn new(carriers: &[Carrier]) -> Turnstile {
        let mut last: HashMap<(i32, i32), usize> = HashMap::new();
        let mut last_global: Option<usize> = None;
        // Memory (SPEC §14) counters from the MC's earlier negotiations: those come first.
        let mut last_of_mc: HashMap<u64, usize> = HashMap::new();
        let mut deps = Vec::with_capacity(carriers.len());
        for (i, c) in carriers.iter().enumerate() {
            let lanes: Vec<&Lane> = std::iter::once(&c.lane).chain(c.alt_lane.as_ref()).collect();
            let mut d: BTreeSet<usize> = last_global.into_iter().chain(last_of_mc.insert(c.mc, i)).collect();
            match region_cells(&lanes) {
                Some(cells) => {
                    for cell in cells {
                        if let Some(j) = last.insert(cell, i) {
                            d.insert(j);
                        }
                    }
                }
                None => {
                    d.extend(last.values().copied());
                    last.clear();
                    last_global = Some(i);
                }
            }
            deps.push(d.into_iter().collect());
        }
        Turnstile { done: (0..carriers.len()).map(|_| watch::channel(false).0).collect(), deps }
    }

    pub(super) async fn wait(&self, index: usize) {
        for &j in &self.deps[index] {
            let mut rx = self.done[j].subscribe();
            let _ = rx.wait_for(|done| *done).await;
        }
    }
}

/// Lets later calls on the same lanes go on; released at the latest when dropped.
pub(super) struct Gate<'a> {
    pub(super) turnstile: &'a Turnstile,
    pub(super) index: usize,
}

impl Gate<'_> {
    pub(super) fn release(&self) {
        self.turnstile.done[self.index].send_replace(true);
    }
}

impl Drop for Gate<'_> {
    fn drop(&mut self) {
        self.release();
    }
}
