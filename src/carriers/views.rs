//! The carriers room's request and answer schemas: `POST /api/v1/fmcsa/verify` and
//! `GET /api/v1/carriers/{mc}`. The verify body is read leniently by
//! `crate::parse::Fields` (see [`super::routes::read_query`]), so `VerifyRequest` only
//! describes what is accepted; its answer, [`Verification`], is the service's own type. A
//! carrier's history is written as the types at the end of this file.

use super::{Reason, Warning};
use crate::parse::schema::{DotInput, IdInput, McInput, Timestamp, Usd};
use crate::types::Money;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(ToSchema)]
#[schema(example = json!({"mc_number": "MC-700010", "call_id": "call-8f2a"}))]
pub struct VerifyRequest {
    /// Required unless `dot_number` is given.
    pub mc_number: Option<McInput>,
    /// Used when there is no `mc_number`.
    pub dot_number: Option<DotInput>,
    /// The call (SPEC §12.1). Missing, blank or an unrendered template (`{{session.id}}`): a new id is issued and answered; pass it to every later tool.
    pub call_id: Option<IdInput>,
    /// An alias of `call_id`.
    pub session_id: Option<IdInput>,
    /// An alias of `call_id`.
    pub run_id: Option<IdInput>,
}

pub use super::carrier::{Authority, CarrierView as Carrier, OperatingStatus, SafetyRating};
pub use super::service::Verification;
pub use crate::vocab::verification::{VerificationSource, VerificationStatus};

// ------------------------------------------------------------- a carrier's history

pub use crate::vocab::booking::BookingStatus;
pub use crate::vocab::negotiation::NegotiationStatus;
pub use crate::vocab::{Outcome, Sentiment};

/// Everything the brokerage has recorded about one carrier (`GET /carriers/{mc}`, SPEC
/// §14): its calls, verifications, negotiations and bookings, latest first, each list
/// capped at [`super::history::LIST_CAP`] rows, and a summary over all of them.
#[derive(Serialize, ToSchema)]
pub struct CarrierHistory {
    /// The MC docket, digits only.
    pub mc_number: String,
    /// The latest name known: from FMCSA's latest verification, else from a call.
    #[schema(required = true)]
    pub carrier_name: Option<String>,
    /// The carrier's first call, verification, negotiation or booking.
    #[schema(value_type = Timestamp)]
    pub first_seen: String,
    /// The carrier's latest call, verification, negotiation round or booking.
    #[schema(value_type = Timestamp)]
    pub last_seen: String,
    pub summary: CarrierSummary,
    pub verifications: Vec<CarrierVerification>,
    /// The latest calls (at most 100); `calls_total` counts them all.
    pub calls: Vec<CarrierCall>,
    pub calls_total: i64,
    /// The latest negotiations (at most 100); `summary.negotiations` counts them all.
    pub negotiations: Vec<CarrierNegotiation>,
    /// The latest bookings (at most 100), released ones included.
    pub bookings: Vec<CarrierBooking>,
}

/// The carrier's figures over its whole history.
#[derive(Serialize, ToSchema, Clone, Debug, PartialEq)]
pub struct CarrierSummary {
    pub calls: i64,
    pub negotiations: i64,
    /// Negotiations that reached a rate (whether booked or not).
    pub agreed: i64,
    /// Bookings still in force (released ones are not counted).
    pub booked: i64,
    /// Negotiations that ended without a deal: our final offer refused, or the call over
    /// with the negotiation still open.
    pub walked_away: i64,
    /// The mean of `agreed_rate / loadboard_rate − 1` over agreed negotiations, in percent
    /// to one decimal; null when none was agreed.
    #[schema(required = true)]
    pub average_premium_pct: Option<f64>,
    /// Rounds per negotiation, to two decimals; null when there was none.
    #[schema(required = true)]
    pub average_rounds: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct CarrierVerification {
    /// The call it was made for, when one was named.
    #[schema(required = true)]
    pub call_id: Option<String>,
    #[schema(value_type = Timestamp)]
    pub checked_at: String,
    /// Null when FMCSA could not be consulted.
    #[schema(required = true)]
    pub eligible: Option<bool>,
    #[schema(value_type = VerificationStatus)]
    pub status: super::Status,
    /// Every failed rule, as recorded.
    #[schema(value_type = Vec<Reason>)]
    pub reasons: Vec<String>,
    #[schema(value_type = Vec<Warning>)]
    pub warnings: Vec<String>,
    #[schema(value_type = VerificationSource)]
    pub source: String,
    pub stale: bool,
    /// FMCSA's legal name at the time.
    #[schema(required = true)]
    pub legal_name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CarrierCall {
    pub call_id: String,
    /// The call's start, else when it was first seen.
    #[schema(value_type = Timestamp)]
    pub started_at: String,
    /// Null until the call is finalized.
    #[schema(required = true, value_type = Option<Outcome>)]
    pub outcome: Option<String>,
    #[schema(required = true, value_type = Option<Sentiment>)]
    pub sentiment: Option<String>,
    /// The load the call names, else the one it negotiated last.
    #[schema(required = true)]
    pub load_id: Option<String>,
    #[schema(required = true, value_type = Option<Usd>)]
    pub agreed_rate: Option<Money>,
}

#[derive(Serialize, ToSchema)]
pub struct CarrierNegotiation {
    pub call_id: String,
    pub load_id: String,
    /// "Dallas, TX → Atlanta, GA"; null when the load is gone from the board.
    #[schema(required = true)]
    pub lane: Option<String>,
    #[schema(required = true)]
    pub equipment_type: Option<String>,
    /// When the first offer was evaluated.
    #[schema(value_type = Timestamp)]
    pub started_at: String,
    /// The posted rate when it started.
    #[schema(value_type = Usd)]
    pub loadboard_rate: Money,
    #[schema(value_type = i64)]
    pub rounds: i32,
    pub status: NegotiationStatus,
    /// The carrier's first offer.
    #[schema(required = true, value_type = Option<Usd>)]
    pub first_ask: Option<Money>,
    /// The carrier's latest offer.
    #[schema(required = true, value_type = Option<Usd>)]
    pub last_ask: Option<Money>,
    /// Our latest counter-offer.
    #[schema(required = true, value_type = Option<Usd>)]
    pub last_counter: Option<Money>,
    #[schema(required = true, value_type = Option<Usd>)]
    pub agreed_rate: Option<Money>,
    /// Our final offer after round 3, when it came to that.
    #[schema(required = true, value_type = Option<Usd>)]
    pub final_offer: Option<Money>,
    /// `agreed_rate / loadboard_rate − 1` in percent, to one decimal; null without a deal.
    #[schema(required = true)]
    pub premium_pct: Option<f64>,
    /// Ended without a deal (see `CarrierSummary.walked_away`).
    pub walked_away: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CarrierBooking {
    pub booking_id: String,
    pub load_id: String,
    pub call_id: String,
    #[schema(value_type = Usd)]
    pub agreed_rate: Money,
    #[schema(value_type = Usd)]
    pub loadboard_rate: Money,
    /// `agreed_rate / loadboard_rate − 1` in percent, to one decimal.
    #[schema(required = true)]
    pub premium_pct: Option<f64>,
    pub status: BookingStatus,
    #[schema(value_type = Timestamp)]
    pub booked_at: String,
}
