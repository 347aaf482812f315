//! A booking's status: `active` from the handoff until an admin releases it, then
//! `cancelled` for good (the row keeps its history). Stored as this text in
//! `bookings.status`; the metrics and the call story read the same spelling.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(rename_all = "lowercase")]
pub enum BookingStatus {
    Active,
    Cancelled,
}

impl BookingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Active => "active",
            BookingStatus::Cancelled => "cancelled",
        }
    }

    /// The stored spelling back; `None` for text this service never writes.
    pub fn parse(s: &str) -> Option<BookingStatus> {
        match s {
            "active" => Some(BookingStatus::Active),
            "cancelled" => Some(BookingStatus::Cancelled),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_spelling_round_trips() {
        for s in [BookingStatus::Active, BookingStatus::Cancelled] {
            assert_eq!(BookingStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(BookingStatus::parse("booked"), None);
    }
}
