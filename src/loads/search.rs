//! Load matching and ranking: pure functions over candidate rows (no I/O, `now` passed
//! in). A lane is matched by state, by city (a bare name matches that city in any state)
//! or by a radius around a city; when an exact city finds nothing, the caller may widen to
//! nearby cities so a carrier in Irving still hears about a load in Dallas.

use super::model::{canonical_equipment, equipment_key, LoadRow};
use crate::geo::{self, name_key, Place};
use crate::parse::When;
use crate::speech;
use crate::types::group_digits;
use chrono::{DateTime, Duration, Utc};

/// Radius used when an exact city has no loads and the search widens.
pub const WIDEN_RADIUS_MILES: f64 = 100.0;
pub const DEFAULT_WINDOW_HOURS: f64 = 24.0;

#[derive(Clone, Debug)]
pub struct Criteria {
    pub origin: Option<Place>,
    pub origin_radius: Option<f64>,
    pub destination: Option<Place>,
    pub destination_radius: Option<f64>,
    /// Storage key of the wanted equipment (canonical name or folded text).
    pub equipment: Option<String>,
    pub pickup: Option<When>,
    pub window_hours: f64,
    pub max_results: usize,
}

impl Criteria {
    pub fn equipment_label(&self) -> Option<String> {
        self.equipment.as_ref().map(|e| canonical_equipment(e).map(str::to_string).unwrap_or_else(|| e.clone()))
    }
}

pub fn equipment_wanted(raw: &str) -> Option<String> {
    let t = raw.trim().to_lowercase();
    if ["any", "all", "anything", "any equipment", "whatever"].contains(&t.as_str()) {
        return None;
    }
    Some(equipment_key(raw))
}

#[derive(Clone, Debug)]
pub struct Ranked<'a> {
    pub row: &'a LoadRow,
    pub score: f64,
    /// Miles from the requested origin city to the load's origin.
    pub deadhead_miles: Option<f64>,
}

/// How a load's place matches a requested place: `None` no match, `Some(distance)` match.
/// `same` says whether the load's place is the wanted one by name (the state for a state,
/// the city, in the wanted state if one was given, for a city): rows answer it by
/// comparing text, the in-memory index by comparing interned keys.
fn place_match(
    want: &Place,
    radius: Option<f64>,
    same: impl FnOnce() -> bool,
    (lat, lon): (Option<f64>, Option<f64>),
    miles: &mut impl FnMut(f64, f64, f64, f64) -> f64,
) -> Option<Option<f64>> {
    match want {
        Place::State(_) | Place::Unknown(_) => same().then_some(None),
        Place::Cities { matches, .. } => {
            let same_city = same();
            if radius.is_none() && !same_city {
                return None;
            }
            let distance = match (lat, lon) {
                (Some(la), Some(lo)) => matches
                    .iter()
                    .filter(|c| radius.is_none_or(|r| (c.lat - la).abs() * 69.0 <= r))
                    .map(|c| miles(c.lat, c.lon, la, lo))
                    .min_by(|a, b| a.total_cmp(b)),
                _ => None,
            };
            match radius {
                Some(r) if distance.is_some_and(|d| d <= r) => Some(distance),
                _ if same_city => Some(distance.or(Some(0.0))),
                _ => None,
            }
        }
    }
}

/// Whether a row's city and state are the wanted place by name (see [`place_match`]).
fn row_is(want: &Place, city: &str, state: &str) -> bool {
    match want {
        Place::State(code) => state == *code,
        Place::Cities { name, state: want_state, .. } => {
            // Cheap tests first: a full key comparison allocates.
            want_state.is_none_or(|s| s == state)
                && (city.eq_ignore_ascii_case(name)
                    || city.chars().next().map(|c| c.to_ascii_lowercase())
                        == name.chars().next().map(|c| c.to_ascii_lowercase())
                        && name_key(city) == name_key(name))
        }
        Place::Unknown(text) => name_key(city) == name_key(text),
    }
}

fn closeness(distance: Option<f64>, radius: Option<f64>) -> f64 {
    match distance {
        None => 1.0,
        Some(d) => (1.0 - d / radius.unwrap_or(50.0).max(50.0)).clamp(0.0, 1.0),
    }
}

/// What the ranking reads of an available load with a pickup ahead that carries the
/// wanted equipment, wherever the load is kept.
pub struct Facts<S1, S2, Z, M> {
    pub pickup_at: i64,
    pub rate_per_mile: Option<f64>,
    pub origin: (Option<f64>, Option<f64>),
    pub destination: (Option<f64>, Option<f64>),
    /// Whether the origin (destination) is a wanted place by name: see [`place_match`].
    pub origin_is: S1,
    pub destination_is: S2,
    /// The origin's time zone, asked only when a pickup window applies.
    pub zone: Z,
    /// Great-circle miles between two points ([`geo::miles_between`], or a memo of it).
    pub miles: M,
}

/// A load's score for `c` (and its deadhead from the asked origin), `None` when it does
/// not fit: the one scoring rule behind both [`rank`] and the in-memory index.
pub fn score<S1, S2, Z, M>(
    c: &Criteria,
    (o_radius, d_radius): (Option<f64>, Option<f64>),
    now: DateTime<Utc>,
    mut f: Facts<S1, S2, Z, M>,
) -> Option<(f64, Option<f64>)>
where
    S1: FnOnce(&Place) -> bool,
    S2: FnOnce(&Place) -> bool,
    Z: FnOnce() -> crate::geo::tz::Zone,
    M: FnMut(f64, f64, f64, f64) -> f64,
{
    let origin = match &c.origin {
        None => None,
        Some(p) => Some(place_match(p, o_radius, || (f.origin_is)(p), f.origin, &mut f.miles)?),
    };
    let dest = match &c.destination {
        None => None,
        Some(p) => Some(place_match(p, d_radius, || (f.destination_is)(p), f.destination, &mut f.miles)?),
    };
    let pickup_part = match c.pickup {
        Some(w) => {
            let pickup = crate::db::from_ms(f.pickup_at);
            let zone = (f.zone)();
            let start = w.to_utc(|n| zone.to_utc(n));
            // Dates are read within years 1970..=9999 (parse::YEARS); checked all the same.
            let end = start.checked_add_signed(Duration::minutes((c.window_hours * 60.0) as i64))?;
            if pickup < start || pickup >= end {
                return None;
            }
            1.0 - (pickup - start).num_minutes() as f64 / (end - start).num_minutes().max(1) as f64
        }
        None => (1.0 - minutes_until(f.pickup_at, now) as f64 / (14.0 * 24.0 * 60.0)).clamp(0.0, 1.0),
    };
    let origin_part = origin.map_or(0.5, |d| closeness(d, o_radius));
    let dest_part = dest.map_or(0.5, |d| closeness(d, d_radius));
    let rate_part = f.rate_per_mile.map_or(0.5, |rpm| ((rpm - 1.5) / 2.5).clamp(0.0, 1.0));
    let score = 40.0 * origin_part + 25.0 * dest_part + 20.0 * pickup_part + 15.0 * rate_part;
    let deadhead = match &c.origin {
        Some(Place::Cities { .. }) => origin.flatten().map(|d| d.round()),
        _ => None,
    };
    Some(((score * 10.0).round() / 10.0, deadhead))
}

/// Whole minutes from `now` to `at_ms` (epoch ms), truncated toward zero as chrono's
/// `num_minutes` does, without building a date for each load.
fn minutes_until(at_ms: i64, now: DateTime<Utc>) -> i64 {
    // In nanoseconds, as chrono subtracts; i64 holds them until 2262.
    let ns = now.timestamp_nanos_opt().and_then(|now_ns| at_ms.checked_mul(1_000_000)?.checked_sub(now_ns));
    match ns {
        Some(ns) => ns / 60_000_000_000,
        None => (crate::db::from_ms(at_ms) - now).num_minutes(),
    }
}

/// Keeps the best `n` of `items`, best first: higher score, then sooner pickup, then load
/// id. `key` gives an item's (score, pickup_at, load_id). Only the best `n` are ever held
/// (no list of every candidate): an item is compared with the worst kept and, when
/// better, put in its place.
pub fn best<T>(items: impl IntoIterator<Item = T>, n: usize, key: impl Fn(&T) -> (f64, i64, &str)) -> Vec<T> {
    let best_first = |a: &T, b: &T| {
        let (sa, pa, ia) = key(a);
        let (sb, pb, ib) = key(b);
        sb.total_cmp(&sa).then(pa.cmp(&pb)).then_with(|| ia.cmp(ib))
    };
    let mut kept: Vec<T> = Vec::with_capacity(n.min(128) + 1);
    if n == 0 {
        return kept;
    }
    for item in items {
        if kept.len() == n && kept.last().is_some_and(|worst| best_first(&item, worst).is_ge()) {
            continue;
        }
        let at = kept.partition_point(|k| best_first(k, &item).is_lt());
        kept.insert(at, item);
        kept.truncate(n);
    }
    kept
}

/// Filters and ranks candidate rows, best first. `widen` applies [`WIDEN_RADIUS_MILES`]
/// to a city given without a radius.
pub fn rank<'a>(
    c: &Criteria,
    rows: impl IntoIterator<Item = &'a LoadRow>,
    now: DateTime<Utc>,
    widen: bool,
) -> Vec<Ranked<'a>> {
    let radii = radii(c, widen);
    let now_ms = crate::db::to_ms(now);
    let out: Vec<Ranked> = rows
        .into_iter()
        .filter(|r| r.pickup_at > now_ms && r.status == "available")
        .filter(|r| c.equipment.as_ref().is_none_or(|e| &r.equipment == e))
        .filter_map(|r| {
            let facts = Facts {
                pickup_at: r.pickup_at,
                rate_per_mile: r.rate_per_mile(),
                origin: (r.origin_lat, r.origin_lon),
                destination: (r.destination_lat, r.destination_lon),
                origin_is: |p: &Place| row_is(p, &r.origin_city, &r.origin_state),
                destination_is: |p: &Place| row_is(p, &r.destination_city, &r.destination_state),
                zone: || r.origin_zone(),
                miles: geo::miles_between,
            };
            let (score, deadhead_miles) = score(c, radii, now, facts)?;
            Some(Ranked { row: r, score, deadhead_miles })
        })
        .collect();
    best(out, c.max_results, |r| (r.score, r.row.pickup_at, r.row.load_id.as_str()))
}

/// The origin and destination radii a ranking applies: as asked, or [`WIDEN_RADIUS_MILES`]
/// for a city given without one when the search widens.
pub fn radii(c: &Criteria, widen: bool) -> (Option<f64>, Option<f64>) {
    let widened = |r: Option<f64>| r.or(widen.then_some(WIDEN_RADIUS_MILES));
    (widened(c.origin_radius), widened(c.destination_radius))
}

/// One sentence pitching a load: "I have a Dry Van from Dallas, TX to Atlanta, GA picking
/// up tomorrow at 8 AM Central, 781 miles, paying $2,150."
pub fn pitch(r: &Ranked, asked_origin: Option<&Place>, now: DateTime<Utc>) -> String {
    let row = r.row;
    let when = speech::when_phrase(row.pickup(), row.origin_zone(), now);
    let miles = row.miles.map(|m| format!(", {} miles", group_digits(m.unsigned_abs()))).unwrap_or_default();
    let near = match (asked_origin, r.deadhead_miles) {
        (Some(p @ Place::Cities { .. }), Some(d)) if d >= 10.0 => {
            format!(" (about {} miles from {})", d as i64, p.describe())
        }
        _ => String::new(),
    };
    format!(
        "I have {} from {}{} to {} picking up {}{}, paying {}.",
        speech::with_article(&row.equipment_type),
        row.origin,
        near,
        row.destination,
        when,
        miles,
        row.rate().spoken()
    )
}

/// What we searched for, in words: "Reefer loads out of Dallas, TX to Georgia".
pub fn describe(c: &Criteria) -> String {
    let mut s = match c.equipment_label() {
        Some(e) => format!("{e} loads"),
        None => "loads".to_string(),
    };
    if let Some(o) = &c.origin {
        s.push_str(&format!(" out of {}", o.describe()));
    }
    if let Some(d) = &c.destination {
        s.push_str(&format!(" going to {}", d.describe()));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::gazetteer;
    use chrono::TimeZone;

    fn row(id: &str, origin: &str, dest: &str, equipment: &str, hours_ahead: i64, rate: i64, miles: i64) -> LoadRow {
        let g = gazetteer();
        let (oc, os) = origin.split_once(", ").unwrap();
        let (dc, ds) = dest.split_once(", ").unwrap();
        let o = g.city(oc, os).unwrap();
        let d = g.city(dc, ds).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 15, 0, 0).unwrap();
        LoadRow {
            load_id: id.into(),
            origin: o.label(),
            origin_city: o.name.clone(),
            origin_state: o.state.into(),
            origin_lat: Some(o.lat),
            origin_lon: Some(o.lon),
            origin_tz: o.zone.iana().into(),
            destination: d.label(),
            destination_city: d.name.clone(),
            destination_state: d.state.into(),
            destination_lat: Some(d.lat),
            destination_lon: Some(d.lon),
            destination_tz: d.zone.iana().into(),
            pickup_at: crate::db::to_ms(now + Duration::hours(hours_ahead)),
            delivery_at: None,
            equipment_type: equipment.into(),
            equipment: equipment_key(equipment),
            loadboard_rate_cents: rate * 100,
            max_rate_cents: None,
            notes: None,
            weight_lb: None,
            commodity_type: None,
            num_of_pieces: None,
            miles: Some(miles),
            dimensions: None,
            status: "available".into(),
            booked_call_id: None,
            is_seed: false,
            created_at: 0,
            updated_at: 0,
            status_reason: None,
        }
    }

    fn criteria(origin: Option<&str>, dest: Option<&str>, equipment: Option<&str>) -> Criteria {
        Criteria {
            origin: origin.map(|o| gazetteer().resolve(o)),
            origin_radius: None,
            destination: dest.map(|d| gazetteer().resolve(d)),
            destination_radius: None,
            equipment: equipment.and_then(equipment_wanted),
            pickup: None,
            window_hours: DEFAULT_WINDOW_HOURS,
            max_results: 10,
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 15, 0, 0).unwrap()
    }

    fn ids(r: &[Ranked]) -> Vec<String> {
        r.iter().map(|x| x.row.load_id.clone()).collect()
    }

    /// The in-memory index ranks exactly as the rows are ranked (same loads, same
    /// order), for every kind of place, radius, equipment and widening.
    #[test]
    fn the_index_ranks_exactly_as_the_rows() {
        let cities = [
            "Dallas, TX",
            "Fort Worth, TX",
            "Irving, TX",
            "Houston, TX",
            "Chicago, IL",
            "Atlanta, GA",
            "St. Louis, MO",
            "Fort Wayne, IN",
            "Denver, CO",
            "Los Angeles, CA",
        ];
        let equipment = ["Dry Van", "Reefer", "Flatbed"];
        let mut rows = Vec::new();
        for (i, o) in cities.iter().enumerate() {
            for (j, d) in cities.iter().enumerate().filter(|(j, _)| *j != i) {
                let hours = (i * 7 + j * 5) as i64 % 90 - 10; // some already past
                rows.push(row(&format!("L{i}-{j}"), o, d, equipment[(i + j) % 3], hours, 1500 + 37 * j as i64, 400));
            }
        }
        let mut odd = row("ODD", "Dallas, TX", "Atlanta, GA", "Dry Van", 5, 2000, 781);
        odd.origin_city = "DALLAS".into(); // the same city, spelled otherwise
        odd.origin_lat = None;
        odd.origin_lon = None;
        rows.push(odd);
        let snapshot = crate::loads::index::Snapshot::from_rows(&rows);
        let places = [
            None,
            Some("Dallas, TX"),
            Some("dallas"),
            Some("Texas"),
            Some("TX"),
            Some("Fort Worth"),
            Some("Saint Louis, MO"),
            Some("Nowhere Ville"),
            Some("Ft. Wayne"),
            Some("Plano, TX"),
        ];
        let mut checked = 0;
        for origin in places {
            for dest in [None, Some("Atlanta, GA"), Some("Georgia"), Some("Chicago")] {
                for eq in [None, Some("dry van"), Some("reefer"), Some("hopper")] {
                    for radius in [None, Some(50.0), Some(400.0)] {
                        for (widen, day) in [(false, None), (true, None), (false, Some(24)), (true, Some(25))] {
                            let mut c = criteria(origin, dest, eq);
                            c.pickup = day.map(|d| When::Date(chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap()));
                            c.origin_radius = radius;
                            c.destination_radius = radius.map(|r| r / 2.0);
                            c.max_results = 500;
                            let all = ids(&rank(&c, &rows, now(), widen));
                            let via_index = snapshot.rank(&c, widen, now());
                            assert_eq!(
                                all, via_index,
                                "{origin:?} → {dest:?}, {eq:?}, radius {radius:?}, widen {widen}, day {day:?}"
                            );
                            checked += !all.is_empty() as usize;
                        }
                    }
                }
            }
        }
        assert!(checked > 100, "too few searches found anything ({checked}) to prove the point");
    }

    #[test]
    fn only_the_best_are_kept_in_order() {
        let rows: Vec<LoadRow> = (0..40)
            .map(|i| row(&format!("R{i:02}"), "Dallas, TX", "Houston, TX", "Dry Van", 30, 600 + i * 20, 240))
            .collect();
        let mut c = criteria(Some("Dallas, TX"), None, None);
        let every = rank(&c, &rows, now(), false);
        c.max_results = 3;
        let best = rank(&c, &rows, now(), false);
        assert_eq!(ids(&best), ids(&every[..3]));
        assert!(best.windows(2).all(|w| w[0].score >= w[1].score));
    }

    proptest::proptest! {
        /// `best` keeps what a full sort would put first, in the same order, whatever
        /// order the items arrive in (scores and pickups repeat, ids never do).
        #[test]
        fn best_is_the_head_of_a_full_sort(
            items in proptest::collection::vec((0u8..6, 0i64..4), 0..60),
            n in 0usize..12,
        ) {
            let items: Vec<(f64, i64, String)> =
                items.into_iter().enumerate().map(|(i, (s, p))| (f64::from(s) / 2.0, p, format!("L{:02}", 59 - i))).collect();
            let mut sorted = items.clone();
            sorted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then_with(|| a.2.cmp(&b.2)));
            sorted.truncate(n);
            proptest::prop_assert_eq!(best(items, n, |x| (x.0, x.1, x.2.as_str())), sorted);
        }

        /// Whole minutes to a pickup, computed on integers, agree with chrono's.
        #[test]
        fn minutes_until_agrees_with_chrono(at_ms in 1_600_000_000_000i64..1_900_000_000_000, now_ns in 1_600_000_000_000_000_000i64..1_900_000_000_000_000_000) {
            let now = DateTime::<Utc>::from_timestamp_nanos(now_ns);
            proptest::prop_assert_eq!(minutes_until(at_ms, now), (crate::db::from_ms(at_ms) - now).num_minutes());
        }
    }

    #[test]
    fn minutes_until_truncates_toward_zero_at_the_edges() {
        let now = DateTime::<Utc>::from_timestamp_nanos(1_700_000_000_000_000_001);
        for delta_ms in [-120_000, -60_001, -60_000, -59_999, -1, 0, 1, 59_999, 60_000, 60_001, 120_000] {
            let at = 1_700_000_000_000 + delta_ms;
            assert_eq!(minutes_until(at, now), (crate::db::from_ms(at) - now).num_minutes(), "{delta_ms} ms");
        }
    }

    #[test]
    fn lane_matches_by_city_state_and_name() {
        let rows = vec![
            row("A", "Dallas, TX", "Atlanta, GA", "Dry Van", 20, 2150, 781),
            row("B", "Fort Worth, TX", "Atlanta, GA", "Dry Van", 20, 2150, 800),
            row("C", "Chicago, IL", "Atlanta, GA", "Dry Van", 20, 2000, 716),
        ];
        assert_eq!(ids(&rank(&criteria(Some("Dallas, TX"), None, None), &rows, now(), false)), ["A"]);
        assert_eq!(ids(&rank(&criteria(Some("dallas"), None, None), &rows, now(), false)), ["A"]);
        let mut texas = ids(&rank(&criteria(Some("Texas"), None, None), &rows, now(), false));
        texas.sort();
        assert_eq!(texas, ["A", "B"]);
        assert_eq!(rank(&criteria(None, Some("GA"), None), &rows, now(), false).len(), 3);
        // Widening finds Fort Worth for Dallas, nearer first.
        let widened = rank(&criteria(Some("Dallas, TX"), None, None), &rows, now(), true);
        assert_eq!(ids(&widened), ["A", "B"]);
        assert!(widened[1].deadhead_miles.unwrap() > 20.0);
    }

    #[test]
    fn radius_search_reports_deadhead() {
        let rows = vec![row("B", "Fort Worth, TX", "Atlanta, GA", "Dry Van", 20, 2150, 800)];
        let mut c = criteria(Some("Dallas, TX"), None, None);
        c.origin_radius = Some(50.0);
        let r = rank(&c, &rows, now(), false);
        assert_eq!(r.len(), 1);
        let d = r[0].deadhead_miles.unwrap();
        assert!((25.0..40.0).contains(&d), "{d}");
        c.origin_radius = Some(10.0);
        assert!(rank(&c, &rows, now(), false).is_empty());
    }

    #[test]
    fn equipment_window_and_status_filter() {
        let mut booked = row("X", "Dallas, TX", "Atlanta, GA", "Dry Van", 20, 2150, 781);
        booked.status = "booked".into();
        let past = row("P", "Dallas, TX", "Atlanta, GA", "Dry Van", -2, 2150, 781);
        let rows = vec![
            booked,
            past,
            row("R", "Dallas, TX", "Atlanta, GA", "Reefer", 20, 2500, 781),
            row("V", "Dallas, TX", "Atlanta, GA", "Dry Van", 60, 2150, 781),
        ];
        assert_eq!(ids(&rank(&criteria(Some("Dallas, TX"), None, Some("refrigerated")), &rows, now(), false)), ["R"]);
        assert_eq!(ids(&rank(&criteria(Some("Dallas, TX"), None, Some("53' dry van")), &rows, now(), false)), ["V"]);
        let mut c = criteria(Some("Dallas, TX"), None, None);
        // Tomorrow (Nov 24) in Dallas: R picks up Nov 24 11:00 UTC = 5 AM Central.
        c.pickup = Some(When::Date(chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()));
        assert_eq!(ids(&rank(&c, &rows, now(), false)), ["R"]);
    }

    #[test]
    fn ranking_prefers_closer_sooner_better_paid() {
        let rows = vec![
            row("LATE", "Dallas, TX", "Atlanta, GA", "Dry Van", 200, 2150, 781),
            row("SOON", "Dallas, TX", "Atlanta, GA", "Dry Van", 10, 2150, 781),
        ];
        let r = rank(&criteria(Some("Dallas, TX"), None, None), &rows, now(), false);
        assert_eq!(ids(&r), ["SOON", "LATE"]);
        assert!(r[0].score > r[1].score);
        assert!(r.iter().all(|x| (0.0..=100.0).contains(&x.score)));
    }

    #[test]
    fn pitch_is_a_spoken_sentence() {
        let rows = vec![row("A", "Dallas, TX", "Atlanta, GA", "Dry Van", 23, 2150, 781)];
        let c = criteria(Some("Dallas, TX"), None, None);
        let r = rank(&c, &rows, now(), false);
        assert_eq!(
            pitch(&r[0], c.origin.as_ref(), now()),
            "I have a Dry Van from Dallas, TX to Atlanta, GA picking up tomorrow at 8 AM Central, 781 miles, paying $2,150."
        );
    }
}
