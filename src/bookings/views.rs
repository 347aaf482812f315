//! The bookings room's requests and answers, with their OpenAPI schemas: the handoff's
//! body and answer, the cancel body, and a booking as the dashboard shows it. Request
//! bodies are read leniently by `crate::parse::Fields`, so their types only describe what
//! is accepted; the answers are what the handlers serialise.

use super::store::BookingRow;
use super::Rep;
use crate::parse::schema::{long_text, IdInput, LenientAmount, McInput, TextInput, Timestamp, Usd};
use crate::types::Money;
use crate::vocab::booking::BookingStatus;
use serde::Serialize;
use utoipa::openapi::schema::Schema;
use utoipa::ToSchema;

#[derive(ToSchema)]
#[schema(example = json!({"call_id": "call-8f2a", "load_id": "L-1001", "mc_number": "MC-700010", "agreed_rate": 2300}))]
pub struct HandoffRequest {
    /// The call (SPEC §12.1). Missing, blank or an unrendered template (`{{session.id}}`): the carrier's call in progress is found from `mc_number`, else a new id is issued (without either, a 422 names `call_id`). The answer says which id was used.
    pub call_id: Option<IdInput>,
    /// An alias of `call_id`.
    pub session_id: Option<IdInput>,
    /// An alias of `call_id`.
    pub run_id: Option<IdInput>,
    pub load_id: IdInput,
    pub mc_number: McInput,
    /// The negotiated rate (or at most the posted rate without a negotiation).
    pub agreed_rate: LenientAmount,
    /// Defaults to FMCSA's legal name.
    pub carrier_name: Option<TextInput>,
}

/// A sales rep: a phone number or an extension.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = Rep)]
pub struct RepView {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, value_type = String)]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, value_type = String)]
    pub extension: Option<String>,
}

impl From<&Rep> for RepView {
    /// `Name:ext 204` shows the extension (`204`), anything else the contact as written.
    fn from(rep: &Rep) -> RepView {
        let lower = rep.contact.to_ascii_lowercase();
        let extension = lower.strip_prefix("ext").map(|r| r.trim_start_matches(['.', ' ', ':']).trim().to_string());
        RepView { name: rep.name.clone(), phone: extension.is_none().then(|| rep.contact.clone()), extension }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HandoffAnswer {
    /// Always true.
    pub transferred: bool,
    pub booking_id: String,
    pub load_id: String,
    pub call_id: String,
    pub mc_number: String,
    #[schema(value_type = Usd)]
    pub agreed_rate: Money,
    pub rep: RepView,
    /// The rep's phone in E.164 (e.g. `+13125552368`) for the voice platform's transfer; null when the rep has an extension only.
    #[schema(required = true)]
    pub transfer_to: Option<String>,
    /// FMCSA could not be reached: the rep must check the carrier before dispatch.
    pub verification_pending: bool,
    /// One paragraph for the rep.
    pub summary: String,
    /// What the agent can say.
    pub message: String,
}

impl From<&BookingRow> for HandoffAnswer {
    fn from(b: &BookingRow) -> HandoffAnswer {
        let rep = b.rep();
        HandoffAnswer {
            transferred: true,
            booking_id: b.booking_id.clone(),
            load_id: b.load_id.clone(),
            call_id: b.call_id.clone(),
            mc_number: b.mc_number.clone(),
            agreed_rate: Money(b.rate_cents),
            rep: RepView::from(&rep),
            transfer_to: rep.transfer_to(),
            verification_pending: b.verification_pending,
            summary: b.summary.clone(),
            message: format!(
                "Perfect. I'm transferring you to {} now to get the rate confirmation out. Please hold for just a moment.",
                b.rep_name
            ),
        }
    }
}

fn reason_text() -> Schema {
    long_text(500, true, "Why the booking is released (at most 500 characters); kept with the booking.")
}

#[derive(ToSchema)]
#[schema(example = json!({"reason": "The carrier fell through on the rate confirmation."}))]
pub struct CancelRequest {
    #[schema(schema_with = reason_text)]
    pub reason: String,
}

// A booking as the dashboard shows it (a plain comment: the document gives the schema
// no description).
#[derive(Debug, Serialize, ToSchema)]
pub struct Booking {
    pub booking_id: String,
    pub load_id: String,
    pub call_id: String,
    pub mc_number: String,
    #[schema(required = true)]
    pub carrier_name: Option<String>,
    #[schema(value_type = Usd)]
    pub agreed_rate: Money,
    #[schema(value_type = Usd)]
    pub loadboard_rate: Money,
    pub rep: RepView,
    pub status: BookingStatus,
    pub verification_pending: bool,
    pub summary: String,
    #[schema(value_type = Timestamp)]
    pub created_at: String,
    #[schema(required = true, value_type = Option<Timestamp>)]
    pub cancelled_at: Option<String>,
    #[schema(required = true)]
    pub cancel_reason: Option<String>,
    /// Which key cancelled it.
    #[schema(required = true)]
    pub cancelled_by: Option<String>,
}

impl From<&BookingRow> for Booking {
    fn from(b: &BookingRow) -> Booking {
        Booking {
            booking_id: b.booking_id.clone(),
            load_id: b.load_id.clone(),
            call_id: b.call_id.clone(),
            mc_number: b.mc_number.clone(),
            carrier_name: b.carrier_name.clone(),
            agreed_rate: Money(b.rate_cents),
            loadboard_rate: Money(b.posted_cents),
            rep: RepView::from(&b.rep()),
            status: b.status(),
            verification_pending: b.verification_pending,
            summary: b.summary.clone(),
            created_at: crate::time::rfc3339(b.created_at),
            cancelled_at: b.cancelled_at.map(crate::time::rfc3339),
            cancel_reason: b.cancel_reason.clone(),
            cancelled_by: b.cancelled_by.clone(),
        }
    }
}
