//! Turning load records (JSON objects, CSV rows, the bundled seed) into stored loads.
//!
//! A record gives absolute times (`pickup_datetime`, RFC 3339 or a zone-less local time
//! read in the origin's zone) or times relative to the import day (`pickup_day_offset`
//! and `pickup_time`, local), which keeps the demo catalogue fresh. Places are resolved once
//! here, against the gazetteer, so search never parses text.

use super::model::{equipment_key, LoadRow, LoadStatus};
pub use super::store::{import_records, upsert};
pub use super::views::{ImportReport, RejectedRow, Upserted};
use crate::db::{to_ms, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::geo::{self, Place, Zone};
use crate::parse::Fields;
use crate::types::Money;
use anyhow::Context;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use serde_json::{Map, Value};

struct ResolvedPlace {
    label: String,
    city: String,
    state: String,
    lat: Option<f64>,
    lon: Option<f64>,
    zone: Zone,
}

fn resolve_place(f: &Fields, field: &str) -> AppResult<ResolvedPlace> {
    let text = match f.text(field)? {
        Some(t) => t,
        None => {
            // Structured form: origin_city + origin_state.
            let city = f.text(&format!("{field}_city"))?;
            let state = f.text(&format!("{field}_state"))?;
            match (city, state) {
                (Some(c), Some(s)) => format!("{c}, {s}"),
                _ => return Err(AppError::missing(field)),
            }
        }
    };
    let bad =
        || AppError::invalid(field, format!("`{field}` must be a US city with its state, such as \"Dallas, TX\"."));
    match geo::gazetteer().resolve(&text) {
        Place::Cities { name, state: Some(state), matches } => Ok(match matches.first() {
            Some(c) => ResolvedPlace {
                label: c.label(),
                city: c.name.clone(),
                state: c.state.to_string(),
                lat: Some(c.lat),
                lon: Some(c.lon),
                zone: c.zone,
            },
            None => ResolvedPlace {
                label: format!("{name}, {state}"),
                city: name,
                state: state.to_string(),
                lat: None,
                lon: None,
                zone: Zone::for_state(state),
            },
        }),
        Place::Cities { state: None, matches, .. } if matches.len() == 1 => {
            let c = &matches[0];
            Ok(ResolvedPlace {
                label: c.label(),
                city: c.name.clone(),
                state: c.state.to_string(),
                lat: Some(c.lat),
                lon: Some(c.lon),
                zone: c.zone,
            })
        }
        _ => Err(bad()),
    }
}

/// `HH:MM` (24 h) or `8:00 AM`.
fn parse_clock(f: &Fields, field: &str) -> AppResult<Option<NaiveTime>> {
    let Some(t) = f.text(field)? else {
        return Ok(None);
    };
    ["%H:%M", "%H:%M:%S", "%I:%M %p", "%I %p", "%I:%M%p"]
        .iter()
        .find_map(|fmt| NaiveTime::parse_from_str(&t.to_uppercase(), fmt).ok())
        .map(Some)
        .ok_or_else(|| AppError::invalid(field, format!("`{field}` must be a time such as 08:00.")))
}

fn resolve_time(f: &Fields, prefix: &str, zone: Zone, now: DateTime<Utc>) -> AppResult<Option<DateTime<Utc>>> {
    let abs = format!("{prefix}_datetime");
    if let Some(w) = f.when(&abs)? {
        return Ok(Some(w.to_utc(|n| zone.to_utc(n))));
    }
    let offset_field = format!("{prefix}_day_offset");
    let Some(offset) = f.count(&offset_field, false)? else {
        return Ok(None);
    };
    if offset > 365 {
        return Err(AppError::invalid(&offset_field, format!("`{offset_field}` must be at most 365 days.")));
    }
    let time = parse_clock(f, &format!("{prefix}_time"))?.unwrap_or(NaiveTime::from_hms_opt(8, 0, 0).expect("valid"));
    let day = zone.to_local(now).date() + Duration::days(offset);
    Ok(Some(zone.to_utc(day.and_time(time))))
}

/// Reads one entry of a list of loads (an import, a sync) into a load. An entry that is
/// not an object is named as such, not as a body that is not one.
pub fn load_from_record(record: &Value, now: DateTime<Utc>, is_seed: bool) -> AppResult<LoadRow> {
    if !record.is_object() {
        return Err(AppError::invalid("loads", "Each load must be a JSON object with its fields."));
    }
    load_from_fields(&Fields::new(record)?, now, is_seed)
}

/// Reads one load record. `now` anchors relative times; `is_seed` marks bundled demo rows.
pub fn load_from_fields(f: &Fields, now: DateTime<Utc>, is_seed: bool) -> AppResult<LoadRow> {
    let load_id = f.required_id("load_id")?;
    let origin = resolve_place(f, "origin")?;
    let destination = resolve_place(f, "destination")?;
    let pickup = resolve_time(f, "pickup", origin.zone, now)?.ok_or_else(|| AppError::missing("pickup_datetime"))?;
    let delivery = resolve_time(f, "delivery", destination.zone, now)?;
    if delivery.is_some_and(|d| d < pickup) {
        return Err(AppError::invalid("delivery_datetime", "`delivery_datetime` is before the pickup."));
    }
    let equipment_type = f.text("equipment_type")?.ok_or_else(|| AppError::missing("equipment_type"))?;
    let equipment = equipment_key(&equipment_type);
    let equipment_type =
        super::model::canonical_equipment(&equipment_type).map(str::to_string).unwrap_or(equipment_type);
    let rate = f.required_money("loadboard_rate")?;
    let max_rate = f.money("max_rate")?;
    if max_rate.is_some_and(|m| m < rate) {
        return Err(AppError::invalid("max_rate", "`max_rate` cannot be below `loadboard_rate`."));
    }
    let status = match f.text("status")? {
        None => LoadStatus::Available,
        Some(s) => match LoadStatus::parse(&s) {
            Some(LoadStatus::Booked) => {
                return Err(AppError::invalid("status", "A load is booked through a handoff, not by import."))
            }
            Some(st) => st,
            None => return Err(AppError::invalid("status", "`status` must be available or cancelled.")),
        },
    };
    let miles = match f.count("miles", true)? {
        Some(m) => Some(m),
        None => match (origin.lat, origin.lon, destination.lat, destination.lon) {
            (Some(a), Some(b), Some(c), Some(d)) => {
                Some((geo::miles_between(a, b, c, d) * geo::ROAD_FACTOR).round() as i64).filter(|m| *m > 0)
            }
            _ => None,
        },
    };
    let ts = to_ms(now);
    Ok(LoadRow {
        load_id,
        origin: origin.label,
        origin_city: origin.city,
        origin_state: origin.state,
        origin_lat: origin.lat,
        origin_lon: origin.lon,
        origin_tz: origin.zone.iana().to_string(),
        destination: destination.label,
        destination_city: destination.city,
        destination_state: destination.state,
        destination_lat: destination.lat,
        destination_lon: destination.lon,
        destination_tz: destination.zone.iana().to_string(),
        pickup_at: to_ms(pickup),
        delivery_at: delivery.map(to_ms),
        equipment_type,
        equipment,
        loadboard_rate_cents: rate.0,
        max_rate_cents: max_rate.map(|m: Money| m.0),
        notes: f.long_text("notes", 2000)?,
        weight_lb: f.count("weight", true)?,
        commodity_type: f.text("commodity_type")?,
        num_of_pieces: f.count("num_of_pieces", true)?,
        miles,
        dimensions: f.text("dimensions")?,
        status: status.as_str().to_string(),
        booked_call_id: None,
        is_seed,
        created_at: ts,
        updated_at: ts,
        status_reason: None,
    })
}

/// The most loads one import may hold, from the API, the CLI or `LOADS_FILE`: more than
/// any brokerage's board, few enough that a hostile file cannot exhaust memory (a 60 MB
/// array of zeros once took 7.4 GB to parse and answer).
pub const MAX_LOADS_PER_IMPORT: usize = 50_000;
/// How many rejected rows an answer lists; `rejected_count` counts them all.
pub const LISTED_REJECTIONS: usize = 100;

impl ImportReport {
    /// Counts a rejected row, listing it while the list is short.
    pub fn reject(&mut self, row: RejectedRow) {
        self.rejected_count += 1;
        if self.rejected.len() < LISTED_REJECTIONS {
            self.rejected.push(row);
        }
    }
}

fn too_many_loads() -> AppError {
    AppError::new(
        ErrorCode::TooManyLoads,
        format!("An import holds at most {MAX_LOADS_PER_IMPORT} loads; split the file and import each part."),
    )
    .with_field("loads")
}

/// Why a JSON body could not become records, beyond serde's own syntax errors.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
enum Refusal {
    #[default]
    None,
    TooMany,
    NotALoadList,
}

/// Reads a JSON array (or `{"loads": [...]}`) element by element and stops at the
/// first element past the cap, so an oversized array never sits in memory whole.
struct LoadList<'a>(&'a std::cell::Cell<Refusal>);

impl<'de> serde::de::Visitor<'de> for LoadList<'_> {
    type Value = Vec<Value>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON array of loads or {\"loads\": [...]}")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Value>, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = seq.next_element::<Value>()? {
            if out.len() == MAX_LOADS_PER_IMPORT {
                self.0.set(Refusal::TooMany);
                return Err(serde::de::Error::custom("too many loads"));
            }
            out.push(item);
        }
        Ok(out)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Vec<Value>, A::Error> {
        let mut loads = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == "loads" && loads.is_none() {
                loads = Some(map.next_value_seed(ListOnly(self.0))?);
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        loads.ok_or_else(|| {
            self.0.set(Refusal::NotALoadList);
            serde::de::Error::custom("no loads")
        })
    }
}

/// The value of `"loads"`: an array, nothing else.
struct ListOnly<'a>(&'a std::cell::Cell<Refusal>);

impl<'de> serde::de::DeserializeSeed<'de> for ListOnly<'_> {
    type Value = Vec<Value>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Vec<Value>, D::Error> {
        let refusal = self.0;
        d.deserialize_any(LoadList(refusal)).inspect_err(|_| {
            if refusal.get() == Refusal::None {
                refusal.set(Refusal::NotALoadList);
            }
        })
    }
}

/// The records of an import body: a JSON array, `{"loads": [...]}`, or CSV with a header;
/// at most [`MAX_LOADS_PER_IMPORT`] of them.
pub fn records_from_bytes(bytes: &[u8]) -> AppResult<Vec<Value>> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| AppError::bad_request(ErrorCode::InvalidBody, "The import file is not UTF-8 text."))?
        .trim_start_matches('\u{feff}');
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        let refusal = std::cell::Cell::new(Refusal::None);
        let mut de = serde_json::Deserializer::from_str(trimmed);
        let parsed =
            serde::Deserializer::deserialize_any(&mut de, LoadList(&refusal)).and_then(|v| de.end().map(|_| v));
        return parsed.map_err(|e| match refusal.get() {
            Refusal::TooMany => too_many_loads(),
            Refusal::NotALoadList => AppError::invalid("loads", "Send a JSON array of loads or {\"loads\": [...]}."),
            Refusal::None => {
                AppError::bad_request(ErrorCode::InvalidJson, format!("The import file is not valid JSON ({e})."))
            }
        });
    }
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| AppError::bad_request(ErrorCode::InvalidCsv, format!("The CSV header cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    if !headers.iter().any(|h| h == "load_id") {
        return Err(AppError::bad_request(
            ErrorCode::InvalidCsv,
            "The CSV header must name the columns, including load_id.",
        ));
    }
    let mut out = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        if i == MAX_LOADS_PER_IMPORT {
            return Err(too_many_loads());
        }
        let rec = rec.map_err(|e| {
            AppError::bad_request(ErrorCode::InvalidCsv, format!("CSV row {} cannot be read: {e}", i + 1))
        })?;
        let mut obj = Map::new();
        for (h, v) in headers.iter().zip(rec.iter()) {
            obj.insert(h.clone(), Value::String(v.to_string()));
        }
        out.push(Value::Object(obj));
    }
    Ok(out)
}

/// The bundled seed catalogue (pickups relative to the import day).
pub const SEED_JSON: &str = include_str!("../../data/loads.json");

/// On first start (no loads at all) imports `LOADS_FILE` or the bundled seed.
pub fn seed_if_empty(
    conn: &mut DbConnection,
    file: Option<&std::path::Path>,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<ImportReport>> {
    if super::store::count(conn)? > 0 {
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
    let records =
        records_from_bytes(&bytes).map_err(|e| anyhow::anyhow!("{source}: {}", serde_json::json!(e.body())))?;
    let report =
        import_records(conn, &records, now, is_seed).map_err(|e| anyhow::anyhow!("importing {source}: {e}"))?;
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
