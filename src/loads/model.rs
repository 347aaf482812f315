//! A load as stored and as shown. Storage uses cents and epoch milliseconds; the JSON
//! view uses SPEC §4 names, USD numbers and RFC 3339 times in the place's own offset.

use super::views::LoadView;
use crate::db::from_ms;
use crate::db::schema::loads;
use crate::geo::Zone;
use crate::types::Money;
use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use diesel::prelude::*;

pub use crate::vocab::equipment::{canonical_equipment, equipment_key, EQUIPMENT_TYPES};
pub use crate::vocab::LoadStatus;

#[derive(Clone, Debug, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = loads)]
pub struct LoadRow {
    pub load_id: String,
    pub origin: String,
    pub origin_city: String,
    pub origin_state: String,
    pub origin_lat: Option<f64>,
    pub origin_lon: Option<f64>,
    pub origin_tz: String,
    pub destination: String,
    pub destination_city: String,
    pub destination_state: String,
    pub destination_lat: Option<f64>,
    pub destination_lon: Option<f64>,
    pub destination_tz: String,
    pub pickup_at: i64,
    pub delivery_at: Option<i64>,
    pub equipment_type: String,
    pub equipment: String,
    pub loadboard_rate_cents: i64,
    pub max_rate_cents: Option<i64>,
    pub notes: Option<String>,
    pub weight_lb: Option<i64>,
    pub commodity_type: Option<String>,
    pub num_of_pieces: Option<i64>,
    pub miles: Option<i64>,
    pub dimensions: Option<String>,
    pub status: String,
    pub booked_call_id: Option<String>,
    pub is_seed: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// Why a cancelled load left the board: `withdrawn_by_sync` when a TMS snapshot no
    /// longer listed it. Written on its own (`skip_update`): a changeset would leave a
    /// `None` out instead of clearing it.
    #[diesel(skip_update)]
    pub status_reason: Option<String>,
}

/// What the search index reads of a load: the ranking's inputs and nothing a pitch or a
/// view needs (half the columns; with whole rows, indexing 10k loads from PostgreSQL made
/// cold start about 30 ms slower).
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = loads)]
pub struct IndexRow {
    pub load_id: String,
    pub status: String,
    pub updated_at: i64,
    pub pickup_at: i64,
    pub equipment: String,
    pub loadboard_rate_cents: i64,
    pub miles: Option<i64>,
    pub origin_city: String,
    pub origin_state: String,
    pub origin_lat: Option<f64>,
    pub origin_lon: Option<f64>,
    pub origin_tz: String,
    pub destination_city: String,
    pub destination_state: String,
    pub destination_lat: Option<f64>,
    pub destination_lon: Option<f64>,
}

impl IndexRow {
    pub fn origin_zone(&self) -> Zone {
        zone_of(&self.origin_tz, &self.origin_state)
    }
    pub fn rate_per_mile(&self) -> Option<f64> {
        rate_per_mile(self.loadboard_rate_cents, self.miles)
    }
}

/// Dollars per mile, to the cent; `None` without a distance.
fn rate_per_mile(rate_cents: i64, miles: Option<i64>) -> Option<f64> {
    miles.filter(|m| *m > 0).map(|m| ((rate_cents as f64 / 100.0 / m as f64) * 100.0).round() / 100.0)
}

fn zone_of(name: &str, state: &str) -> Zone {
    Zone::from_iana(name).unwrap_or_else(|| Zone::for_state(state))
}

fn local_rfc3339(ms: i64, zone: Zone) -> String {
    let t = from_ms(ms);
    let offset = FixedOffset::east_opt((zone.offset_hours_at(t) * 3600) as i32).expect("US offsets are valid");
    t.with_timezone(&offset).to_rfc3339_opts(SecondsFormat::Secs, false)
}

impl LoadRow {
    pub fn status(&self) -> LoadStatus {
        LoadStatus::parse(&self.status).unwrap_or(LoadStatus::Cancelled)
    }
    pub fn origin_zone(&self) -> Zone {
        zone_of(&self.origin_tz, &self.origin_state)
    }
    pub fn destination_zone(&self) -> Zone {
        zone_of(&self.destination_tz, &self.destination_state)
    }
    pub fn pickup(&self) -> DateTime<Utc> {
        from_ms(self.pickup_at)
    }
    pub fn rate(&self) -> Money {
        Money(self.loadboard_rate_cents)
    }
    pub fn rate_per_mile(&self) -> Option<f64> {
        rate_per_mile(self.loadboard_rate_cents, self.miles)
    }

    /// The SPEC §4 JSON view. `max_rate` only for dashboard/admin readers.
    pub fn view(&self, broker_fields: bool) -> LoadView {
        LoadView {
            load_id: self.load_id.clone(),
            origin: self.origin.clone(),
            origin_city: self.origin_city.clone(),
            origin_state: self.origin_state.clone(),
            origin_latitude: self.origin_lat,
            origin_longitude: self.origin_lon,
            origin_timezone: self.origin_zone().iana(),
            destination: self.destination.clone(),
            destination_city: self.destination_city.clone(),
            destination_state: self.destination_state.clone(),
            destination_latitude: self.destination_lat,
            destination_longitude: self.destination_lon,
            destination_timezone: self.destination_zone().iana(),
            pickup_datetime: local_rfc3339(self.pickup_at, self.origin_zone()),
            delivery_datetime: self.delivery_at.map(|d| local_rfc3339(d, self.destination_zone())),
            equipment_type: self.equipment_type.clone(),
            loadboard_rate: self.rate(),
            max_rate: if broker_fields { self.max_rate_cents.map(Money) } else { None },
            notes: self.notes.clone(),
            weight: self.weight_lb,
            commodity_type: self.commodity_type.clone(),
            num_of_pieces: self.num_of_pieces,
            miles: self.miles,
            dimensions: self.dimensions.clone(),
            status: self.status(),
            status_reason: self.status_reason.clone(),
            rate_per_mile: self.rate_per_mile(),
        }
    }
}
