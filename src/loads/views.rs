//! The load room's requests and answers as the API shows them (SPEC §4, §6): the types
//! the handlers build and return, so the OpenAPI document describes what is really sent.
//! Request bodies are read leniently by `crate::parse::Fields`; their types here only
//! describe what is accepted.

use crate::parse::schema::{
    long_text, raw, read_sometimes, DateTimeInput, IdInput, LenientAmount, LenientCount, LenientNumber, McInput,
    TextInput, Timestamp, Usd,
};
use crate::types::Money;
use crate::vocab::LoadStatus;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType};
use utoipa::openapi::RefOr;
use utoipa::{IntoParams, ToSchema};

/// A load (SPEC §4). Times are in the place's own offset.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = Load)]
pub struct LoadView {
    pub load_id: String,
    /// "City, ST".
    pub origin: String,
    pub origin_city: String,
    /// Two-letter state code.
    pub origin_state: String,
    #[schema(required = true)]
    pub origin_latitude: Option<f64>,
    #[schema(required = true)]
    pub origin_longitude: Option<f64>,
    /// IANA time zone of the origin, e.g. `America/Chicago`.
    #[schema(value_type = String)]
    pub origin_timezone: &'static str,
    pub destination: String,
    pub destination_city: String,
    pub destination_state: String,
    #[schema(required = true)]
    pub destination_latitude: Option<f64>,
    #[schema(required = true)]
    pub destination_longitude: Option<f64>,
    #[schema(value_type = String)]
    pub destination_timezone: &'static str,
    /// Pickup, in the origin's offset.
    #[schema(value_type = Timestamp)]
    pub pickup_datetime: String,
    /// Delivery, in the destination's offset.
    #[schema(value_type = Option<Timestamp>, required = true)]
    pub delivery_datetime: Option<String>,
    /// Canonical when recognised: Dry Van, Reefer, Flatbed, Step Deck, Power Only, Conestoga, Box Truck, Hotshot, Tanker, Lowboy.
    pub equipment_type: String,
    /// What the carrier is offered.
    #[schema(value_type = Usd)]
    pub loadboard_rate: Money,
    /// The most the broker will pay: only for dashboard and admin readers, and only when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Usd, required = false)]
    pub max_rate: Option<Money>,
    #[schema(required = true)]
    pub notes: Option<String>,
    /// Pounds.
    #[schema(required = true)]
    pub weight: Option<i64>,
    #[schema(required = true)]
    pub commodity_type: Option<String>,
    #[schema(required = true)]
    pub num_of_pieces: Option<i64>,
    #[schema(required = true)]
    pub miles: Option<i64>,
    #[schema(required = true)]
    pub dimensions: Option<String>,
    pub status: LoadStatus,
    /// Why a cancelled load left the board: `withdrawn_by_sync` (a TMS snapshot no longer
    /// listed it); null otherwise.
    #[schema(required = true)]
    pub status_reason: Option<String>,
    /// `loadboard_rate / miles`, rounded to the cent; null without miles.
    #[schema(required = true)]
    pub rate_per_mile: Option<f64>,
}

#[derive(ToSchema)]
#[schema(example = json!({"origin": "Dallas, TX", "origin_radius_miles": 150, "equipment_type": "dry van", "pickup_date": "2026-11-24", "max_results": 3, "call_id": "call-8f2a", "mc_number": "MC-700010"}))]
pub struct SearchRequest {
    /// Free text: "Dallas, TX", "Dallas Texas", "dallas" (that city in any state), "TX", "Texas".
    pub origin: Option<TextInput>,
    /// Miles around the origin city (1 to 1000; 0 means none). Loads within it carry `deadhead_miles`.
    pub origin_radius_miles: Option<LenientNumber>,
    pub destination: Option<TextInput>,
    /// Miles around the destination city (1 to 1000; 0 means none).
    pub destination_radius_miles: Option<LenientNumber>,
    /// "dry van", "van", "53' dry van", "reefer", "refrigerated", "flat bed", "step deck", "power only"...
    pub equipment_type: Option<TextInput>,
    /// A date without a time means that day in the origin's time zone. Without it no pickup window applies.
    pub pickup_date: Option<DateTimeInput>,
    /// Hours from `pickup_date` (1 to 720, default 24).
    pub pickup_window_hours: Option<LenientNumber>,
    /// Default 3, honoured up to 100.
    pub max_results: Option<LenientCount>,
    /// The call (SPEC §12.1). Missing, blank or an unrendered template (`{{session.id}}`): the carrier's call in progress is found from `mc_number`, else a new id is issued; unattributed when neither is known. The answer says which id was used.
    pub call_id: Option<IdInput>,
    /// An alias of `call_id`.
    pub session_id: Option<IdInput>,
    /// An alias of `call_id`.
    pub run_id: Option<IdInput>,
    pub mc_number: Option<McInput>,
}

/// What a search found and what the agent can say about it.
#[derive(Serialize, ToSchema)]
pub struct SearchAnswer {
    /// Best match first; empty when nothing fits (still a 200).
    pub loads: Vec<SearchHit>,
    #[schema(value_type = i64)]
    pub total: usize,
    /// True when nothing left the city itself and loads within 100 miles are offered instead.
    pub widened: bool,
    /// What the agent can say.
    pub message: String,
    /// The call the search was recorded for; null when neither a call nor an MC was given.
    #[schema(required = true)]
    pub call_id: Option<String>,
}

/// A load offered by a search: every `Load` member (never `max_rate`) plus the match.
#[derive(Serialize, ToSchema)]
pub struct SearchHit {
    #[serde(flatten)]
    pub load: LoadView,
    /// 0 to 1, best first.
    pub match_score: f64,
    /// Miles from the searched origin to the load's origin; only when a radius was given or the search widened.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = f64, required = false)]
    pub deadhead_miles: Option<f64>,
    /// One sentence the agent can say to pitch this load.
    pub pitch: String,
}

/// A page of the catalogue.
#[derive(Serialize, ToSchema)]
pub struct LoadPage {
    pub loads: Vec<LoadView>,
    /// Pass as `cursor` for the next page; null on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// The query of `GET /api/v1/loads`, read as text so a bad value is a 422 naming it.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LoadListQuery {
    /// `available`, `booked`, `cancelled` or `all` (default: every status).
    pub status: Option<String>,
    /// Page size, 1 to 500 (larger values are capped at 500); default 50.
    #[param(pattern = r"^[\s\u0085]*\+?[0-9]*[\s\u0085]*$")]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// One load record for `POST /api/v1/loads` or an import. Places must be a US city with
/// its state. Times are absolute (`pickup_datetime`, a zone-less value read in the origin's
/// zone) or relative to today (`pickup_day_offset` + `pickup_time`, local).
#[derive(ToSchema)]
#[schema(example = json!({"load_id": "L-1001", "origin": "Dallas, TX", "destination": "Atlanta, GA", "pickup_datetime": "2026-11-24T08:00:00-06:00", "delivery_datetime": "2026-11-25T15:00:00-05:00", "equipment_type": "Dry Van", "loadboard_rate": 2150, "max_rate": 2400, "notes": "No touch freight", "weight": 42000, "commodity_type": "Packaged foods", "num_of_pieces": 24, "miles": 781, "dimensions": "53 ft"}))]
pub struct LoadInput {
    pub load_id: IdInput,
    /// "Dallas, TX" (or give `origin_city` and `origin_state`). Required one way or the other.
    pub origin: Option<TextInput>,
    #[schema(schema_with = place_part)]
    pub origin_city: Option<String>,
    #[schema(schema_with = place_part)]
    pub origin_state: Option<String>,
    /// Required one way or the other, like `origin`.
    pub destination: Option<TextInput>,
    #[schema(schema_with = place_part)]
    pub destination_city: Option<String>,
    #[schema(schema_with = place_part)]
    pub destination_state: Option<String>,
    /// Required unless `pickup_day_offset` is given.
    pub pickup_datetime: Option<DateTimeInput>,
    #[schema(schema_with = day_offset)]
    pub pickup_day_offset: Option<String>,
    #[schema(schema_with = clock_time)]
    pub pickup_time: Option<String>,
    /// Not before the pickup.
    pub delivery_datetime: Option<DateTimeInput>,
    #[schema(schema_with = day_offset)]
    pub delivery_day_offset: Option<String>,
    #[schema(schema_with = clock_time)]
    pub delivery_time: Option<String>,
    pub equipment_type: TextInput,
    pub loadboard_rate: LenientAmount,
    /// Not below `loadboard_rate`.
    pub max_rate: Option<LenientAmount>,
    /// `available` (default) or `cancelled`; a booked load keeps its booking.
    pub status: Option<TextInput>,
    #[schema(schema_with = notes_text)]
    pub notes: Option<String>,
    /// Pounds.
    pub weight: Option<LenientCount>,
    pub commodity_type: Option<TextInput>,
    pub num_of_pieces: Option<LenientCount>,
    /// Estimated from the places when missing.
    pub miles: Option<LenientCount>,
    pub dimensions: Option<TextInput>,
}

/// Whether an upsert inserted the load or updated the one with its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = UpsertResult)]
pub enum Upserted {
    Inserted,
    Updated,
}

/// The answer of `POST /api/v1/loads`.
#[derive(Serialize, ToSchema)]
pub struct UpsertAnswer {
    pub result: Upserted,
    /// The load as stored, with `max_rate` when set.
    pub load: LoadView,
}

/// What an import did: counts, and the first rejected rows with their reasons.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ImportReport {
    #[schema(value_type = i64)]
    pub inserted: usize,
    #[schema(value_type = i64)]
    pub updated: usize,
    /// How many rows were rejected in all.
    #[schema(value_type = i64)]
    pub rejected_count: usize,
    /// The first 100 rejected rows, in file order.
    pub rejected: Vec<RejectedRow>,
}

/// A row an import could not take, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct RejectedRow {
    /// 1-based position in the file (data rows; a CSV header is not counted).
    #[schema(value_type = i64)]
    pub row: usize,
    #[schema(required = true)]
    pub load_id: Option<String>,
    #[schema(required = true)]
    pub field: Option<String>,
    pub reason: String,
}

/// The body of `POST /api/v1/loads/import` as JSON.
pub struct ImportJson;
impl utoipa::PartialSchema for ImportJson {
    fn schema() -> RefOr<Schema> {
        raw(json!({
            "oneOf": [
                {"type": "array", "items": {"type": ["object", "array", "string", "number", "boolean", "null"]}},
                {"type": "object", "required": ["loads"], "properties": {"loads": {"type": "array", "items": {"type": ["object", "array", "string", "number", "boolean", "null"]}}}}
            ],
            "description": "A JSON array of load records (each a `LoadInput`), or `{\"loads\": [...]}`. Records that are not valid loads do not fail the import: each is reported in `rejected` with its reason."
        }))
    }
}
impl ToSchema for ImportJson {}

/// The body of `POST /api/v1/loads/import` as CSV: any text (a body that starts with `[` or
/// `{` is read as JSON whatever its `Content-Type`).
pub struct ImportCsv;
impl utoipa::PartialSchema for ImportCsv {
    fn schema() -> RefOr<Schema> {
        let mut schema = ObjectBuilder::new().schema_type(SchemaType::AnyValue).build();
        schema.description = Some(
            "CSV text with a header row naming the `LoadInput` columns, `load_id` among them; one load per row. \
             A body starting with `[` or `{` is read as JSON instead."
                .into(),
        );
        RefOr::T(Schema::Object(schema))
    }
}
impl ToSchema for ImportCsv {}

fn notes_text() -> Schema {
    long_text(2000, false, "Free notes for the carrier, at most 2,000 characters.")
}

fn place_part() -> Schema {
    read_sometimes("TextInput", "Read only when the place itself (`origin` or `destination`) is not given.")
}

fn day_offset() -> Schema {
    read_sometimes(
        "LenientCount",
        "Days from today (0 to 365), local to the place; read only when the matching `_datetime` is not given.",
    )
}

fn clock_time() -> Schema {
    read_sometimes(
        "TextInput",
        "`08:00` or `8:00 AM` (default 08:00); read only with the matching `_day_offset`, when no `_datetime` is given.",
    )
}

/// `POST /api/v1/loads/sync`.
#[derive(ToSchema)]
#[schema(example = json!({"mode": "snapshot", "loads": [{"load_id": "TMS-1042", "origin": "Dallas, TX", "destination": "Atlanta, GA", "pickup_datetime": "2026-12-08T08:00:00-06:00", "equipment_type": "Dry Van", "loadboard_rate": 2150}]}))]
#[allow(dead_code)] // read field by field (lenient parsing); here for the document
pub struct SyncRequest {
    /// `snapshot`: the list is the whole board, every available load not in it is
    /// withdrawn; `delta`: only the loads given change.
    pub mode: SyncMode,
    /// Loads in the shape `POST /loads` takes (`LoadInput`, as `GET /loads` answers
    /// them). An entry that is not a valid load does not fail the sync: it is reported in
    /// `rejected` by position.
    #[schema(schema_with = any_entries)]
    pub loads: Vec<serde_json::Value>,
}

fn any_entries() -> Schema {
    let entries =
        json!({"type": "array", "items": {"type": ["object", "array", "string", "number", "boolean", "null"]}});
    serde_json::from_value(entries).expect("a valid schema")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncMode {
    Snapshot,
    Delta,
}

/// What a sync did. Applying the same list again changes nothing (`unchanged`).
#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema)]
pub struct SyncReport {
    #[schema(value_type = i64)]
    pub inserted: usize,
    #[schema(value_type = i64)]
    pub updated: usize,
    /// Available loads taken off the board: not in a snapshot, or listed as cancelled.
    #[schema(value_type = i64)]
    pub withdrawn: usize,
    /// Listed loads already as given, and booked loads (never touched by a sync).
    #[schema(value_type = i64)]
    pub unchanged: usize,
    /// The loads that could not be read (the first 100), by position in the list.
    pub rejected: Vec<SyncRejected>,
}

/// A listed load a sync could not take, and why.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SyncRejected {
    /// 0-based position in `loads`.
    #[schema(value_type = i64)]
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_id: Option<String>,
    #[schema(required = true)]
    pub field: Option<String>,
    pub message: String,
}

/// The TMS feed (`LOADS_FEED_URL`) as every instance sees it, and the last sync.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct SyncStatus {
    /// The feed polled, or null when `LOADS_FEED_URL` is not set.
    #[schema(required = true)]
    pub feed_url: Option<String>,
    #[schema(required = true)]
    pub interval_secs: Option<u64>,
    #[schema(required = true, value_type = Option<Timestamp>)]
    pub last_attempt_at: Option<String>,
    /// The last poll that was applied, or answered 304 (nothing changed).
    #[schema(required = true, value_type = Option<Timestamp>)]
    pub last_success_at: Option<String>,
    /// Why the last poll failed; null when it did not.
    #[schema(required = true)]
    pub last_error: Option<String>,
    pub consecutive_failures: i32,
    /// What the feed's last applied snapshot did.
    #[schema(required = true)]
    pub last_report: Option<SyncReport>,
}
