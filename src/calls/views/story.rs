//! The call's story (`GET /calls/{call_id}`): the call with everything recorded about it,
//! the verifications, searches, negotiations and booking made during it, and one
//! timeline in time order. Built by `store::story` from the tables that hold them.

use super::SessionStatus;
use crate::parse::schema::{Timestamp, Usd};
use crate::types::Money;
use crate::vocab::negotiation::Decision;
use crate::vocab::verification::{VerificationSource, VerificationStatus};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

pub use crate::parse::Turn;

#[derive(Serialize, ToSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    Verification,
    Search,
    NegotiationRound,
    FinalOfferAccepted,
    Booking,
    BookingCancelled,
    SessionStatus,
    Finalize,
}

#[derive(Serialize, ToSchema)]
pub struct TimelineEntry {
    #[schema(value_type = Timestamp)]
    pub at: String,
    pub kind: TimelineKind,
    /// The event's details: a `VerificationRecord`, `SearchRecord`, `RoundRecord`, `Booking`, `{"previous", "current"}` session statuses, or the finalize labels.
    #[schema(value_type = Object)]
    pub data: TimelineData,
}

/// What a timeline entry carries, written as the record it names.
#[derive(Serialize, Clone)]
#[serde(untagged)]
pub enum TimelineData {
    Verification(VerificationRecord),
    Search(SearchRecord),
    Round(RoundRecord),
    FinalOfferAccepted(FinalOfferAccepted),
    Booking(StoryBooking),
    Session(SessionChange),
    Finalize(FinalizeLabels),
}

/// Round 3 ended on our final offer and the carrier took it afterwards.
#[derive(Serialize, Clone)]
pub struct FinalOfferAccepted {
    pub load_id: String,
    pub round: i32,
    pub agreed_rate: Option<Money>,
}

/// A change of the platform session's status.
#[derive(Serialize, Clone)]
pub struct SessionChange {
    pub previous: Option<SessionStatus>,
    pub current: String,
}

/// The labels a finalize left on the call.
#[derive(Serialize, Clone)]
pub struct FinalizeLabels {
    pub outcome: Option<String>,
    pub sentiment: Option<String>,
    pub classified_by: Option<String>,
    pub outcome_conflict: bool,
}

#[derive(Serialize, ToSchema, Clone)]
pub struct VerificationRecord {
    #[schema(required = true)]
    pub mc_number: Option<String>,
    #[schema(value_type = VerificationStatus)]
    pub status: String,
    #[schema(required = true)]
    pub eligible: Option<bool>,
    /// Stored as a JSON list; written as it was stored.
    #[schema(value_type = Vec<String>)]
    pub reasons: Value,
    #[schema(value_type = Vec<String>)]
    pub warnings: Value,
    #[schema(value_type = VerificationSource)]
    pub source: String,
    pub stale: bool,
    #[schema(required = true)]
    pub legal_name: Option<String>,
    #[schema(value_type = Timestamp)]
    pub checked_at: String,
}

#[derive(Serialize, ToSchema, Clone)]
pub struct SearchRecord {
    #[schema(value_type = Timestamp)]
    pub at: String,
    /// What was asked, as sent.
    #[schema(required = true, value_type = Option<Object>)]
    pub criteria: Value,
    #[schema(value_type = i64)]
    pub result_count: i32,
    #[schema(value_type = Vec<String>)]
    pub load_ids: Value,
}

#[derive(Serialize, ToSchema, Clone)]
pub struct RoundRecord {
    pub load_id: String,
    #[schema(value_type = i64)]
    pub round: i32,
    #[schema(value_type = Usd)]
    pub offer: Money,
    #[schema(value_type = Decision)]
    pub decision: String,
    #[schema(required = true, value_type = Option<Usd>)]
    pub counter_offer: Option<Money>,
    #[schema(required = true, value_type = Option<Usd>)]
    pub agreed_rate: Option<Money>,
    #[schema(required = true, value_type = Option<Usd>)]
    pub final_offer: Option<Money>,
    /// What the agent was told.
    pub message: String,
    /// Why our number was what it was: the schedule's share, or the carrier's history
    /// (pricing memory); for managers only, never said to the carrier. Null for rounds
    /// recorded before reasons were kept.
    #[schema(required = true)]
    pub why: Option<String>,
    #[schema(value_type = Timestamp)]
    pub at: String,
}

pub use crate::vocab::negotiation::NegotiationStatus;

#[derive(Serialize, ToSchema)]
pub struct NegotiationRecord {
    pub load_id: String,
    #[schema(value_type = NegotiationStatus)]
    pub status: String,
    #[schema(value_type = Usd)]
    pub loadboard_rate: Money,
    #[schema(required = true, value_type = Option<Usd>)]
    pub agreed_rate: Option<Money>,
    #[schema(required = true, value_type = Option<Usd>)]
    pub final_offer: Option<Money>,
    pub rounds: Vec<RoundRecord>,
}

/// The booking's rep: a phone or an extension (as `SALES_REPS` names it).
#[derive(Serialize, Clone)]
pub struct StoryRep {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
}

impl StoryRep {
    /// `Name:+1-555-0100` → a phone, `Name:ext 204` → extension `204`.
    pub fn new(name: &str, contact: &str) -> StoryRep {
        let lower = contact.to_ascii_lowercase();
        match lower.strip_prefix("ext").map(|r| r.trim_start_matches(['.', ' ', ':'])) {
            Some(ext) => StoryRep { name: name.to_string(), phone: None, extension: Some(ext.trim().to_string()) },
            None => StoryRep { name: name.to_string(), phone: Some(contact.to_string()), extension: None },
        }
    }
}

/// A booking of the call, written as the `Booking` schema describes it.
#[derive(Serialize, Clone)]
pub struct StoryBooking {
    pub booking_id: String,
    pub load_id: String,
    pub call_id: String,
    pub mc_number: String,
    pub carrier_name: Option<String>,
    pub agreed_rate: Money,
    pub loadboard_rate: Money,
    pub rep: StoryRep,
    pub status: String,
    pub verification_pending: bool,
    pub summary: String,
    pub created_at: String,
    pub cancelled_at: Option<String>,
    pub cancel_reason: Option<String>,
    pub cancelled_by: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CallStory {
    pub call: CallDetail,
    /// Everything that happened, oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// The latest verification during the call.
    #[schema(required = true)]
    pub verification: Option<VerificationRecord>,
    pub searches: Vec<SearchRecord>,
    pub negotiations: Vec<NegotiationRecord>,
    /// The call's latest booking.
    #[schema(required = true, schema_with = booking_or_null)]
    pub booking: Option<StoryBooking>,
}

/// A call with everything recorded about it: the list's members plus the details.
#[derive(Serialize, ToSchema)]
pub struct CallDetail {
    /// Everything the calls list shows of the call.
    #[serde(flatten)]
    pub call: super::CallSummary,
    #[schema(required = true, value_type = Option<Vec<Turn>>)]
    pub transcript: Option<Vec<crate::parse::Turn>>,
    /// The agent's summary.
    #[schema(required = true)]
    pub summary: Option<String>,
    /// What the platform extracted, as sent.
    #[schema(required = true, value_type = Option<Object>)]
    pub extracted: Value,
    #[schema(required = true)]
    pub carrier_phone: Option<String>,
    #[schema(required = true, value_type = Option<Timestamp>)]
    pub callback_at: Option<String>,
    #[schema(required = true)]
    pub run_id: Option<String>,
    #[schema(value_type = Timestamp)]
    pub first_seen_at: String,
}

/// The bookings room's `Booking` schema, named rather than imported: the story reads the
/// booking with its own SQL and writes it in that shape.
fn booking_or_null() -> utoipa::openapi::schema::Schema {
    utoipa::openapi::schema::OneOfBuilder::new()
        .item(utoipa::openapi::Ref::from_schema_name("Booking"))
        .item(utoipa::openapi::schema::Object::builder().schema_type(utoipa::openapi::schema::Type::Null))
        .description(Some("The call's latest booking."))
        .into()
}
