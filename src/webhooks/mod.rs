//! Outbound webhooks (SPEC §13.1): the brokerage's own systems (its TMS, the reps' chat, a
//! data warehouse) hear at once what happened here. (Webhooks the voice platform sends
//! us are the calls room's business.)
//!
//! - A room that changes something calls [`publish`] inside the transaction of that
//!   change: one delivery row per endpoint that takes the event, with the body fixed then
//!   (`{"id", "type", "created_at", "data"}`, `data` being the view the API returns).
//!   Nothing is sent from a request, and nothing is lost with it: a stored delivery is
//!   sent even if this instance dies the next moment.
//! - Every instance runs the sender ([`spawn_sender`]): it leases the oldest due delivery
//!   of each endpoint (so two instances never send the same one at the same moment, and
//!   an endpoint gets its events in order as far as retries allow), signs it ([`sign`]),
//!   checks the address it resolves to ([`address`]) and records the attempt. A 2xx ends
//!   it; anything else is retried after `RETRY_BASE_SECS`, doubling, for 24 hours.
//! - Admins register and delete endpoints; managers see every delivery and its attempts;
//!   an admin can send one again ([`routes`]).
//!
//! This room sits below the domains, as the events outbox does: it knows event types
//! and JSON, never a domain's types.

pub mod address;
mod deliver;
pub mod routes;
pub mod sign;
pub mod store;
pub mod views;

pub use deliver::spawn_sender;
pub use routes::{configure, Api};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What an endpoint can subscribe to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum EventType {
    /// A load was booked at handoff (held or not); `data` is the booking.
    #[serde(rename = "booking.created")]
    BookingCreated,
    /// A rep confirmed a held booking; `data` is the booking.
    #[serde(rename = "booking.confirmed")]
    BookingConfirmed,
    /// A booking was released (by a manager, or its hold expired); `data` is the booking
    /// with `cancel_reason`.
    #[serde(rename = "booking.released")]
    BookingReleased,
    /// The voice platform finalized a call; `data` is the call as the calls list shows it.
    #[serde(rename = "call.finalized")]
    CallFinalized,
    /// A carrier is owed a callback; `data` is the callback.
    #[serde(rename = "callback.requested")]
    CallbackRequested,
    /// A load left the board without being booked; `data` is the load.
    #[serde(rename = "load.withdrawn")]
    LoadWithdrawn,
}

impl EventType {
    pub const ALL: [EventType; 6] = [
        EventType::BookingCreated,
        EventType::BookingConfirmed,
        EventType::BookingReleased,
        EventType::CallFinalized,
        EventType::CallbackRequested,
        EventType::LoadWithdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::BookingCreated => "booking.created",
            EventType::BookingConfirmed => "booking.confirmed",
            EventType::BookingReleased => "booking.released",
            EventType::CallFinalized => "call.finalized",
            EventType::CallbackRequested => "callback.requested",
            EventType::LoadWithdrawn => "load.withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Queues a `kind` event for every endpoint that takes it, in the caller's transaction.
/// `data` builds the event's view (it may read, e.g. the call as the list shows it) and
/// runs only when some endpoint wants the event, so a deployment without endpoints pays
/// one small indexed read.
pub fn publish<T: Serialize>(
    conn: &mut crate::db::DbConnection,
    kind: EventType,
    now_ms: i64,
    data: impl FnOnce(&mut crate::db::DbConnection) -> crate::error::AppResult<T>,
) -> crate::error::AppResult<usize> {
    store::publish(conn, kind, now_ms, |c| {
        let view = data(c)?;
        serde_json::to_value(view).map_err(|e| crate::error::AppError::Internal(e.into()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_are_spelled_as_the_spec_lists_them() {
        for t in EventType::ALL {
            assert_eq!(serde_json::to_value(t).unwrap(), serde_json::json!(t.as_str()));
            assert_eq!(EventType::parse(t.as_str()), Some(t));
        }
        assert_eq!(EventType::parse("booking.cancelled"), None);
    }
}
