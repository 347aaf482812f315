//! The calls room's requests and answers, with their OpenAPI schemas (the descriptions in
//! the document are these doc comments). Answers are the types the handlers write;
//! request bodies are read leniently by `crate::parse::Fields`, so their types here only
//! describe what is accepted.

pub mod story;

use crate::parse::schema::{
    any_value, read_sometimes, summary_text, DateTimeInput, ExtractedInput, IdInput, LenientAmount, LenientBool,
    LenientCount, McInput, TextInput, Timestamp, TranscriptInput, Usd,
};
use crate::types::Money;
pub use crate::vocab::session_status::SessionStatus;
use crate::vocab::verification::VerificationStatus;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::schema::Schema;
use utoipa::{IntoParams, ToSchema};

pub use crate::vocab::{Outcome, Sentiment};

pub use super::finalize::ClassifiedBy;

#[derive(ToSchema)]
#[schema(example = json!({"call_id": "call-8f2a", "mc_number": "MC-700010", "carrier_name": "Prairie Lantern Transport", "load_id": "L-1001", "outcome": "booked", "sentiment": "positive", "agreed_rate": "$2,300", "initial_carrier_offer": 2450, "negotiation_rounds": 2, "transferred": "yes", "duration_seconds": 312, "started_at": "Monday, November 24, 2026 08:00:00 AM UTC", "ended_at": "2026-11-24T08:05:12Z", "transcript": [{"role": "assistant", "content": "Can I get your MC number?"}, {"role": "user", "content": "MC 700010."}]}))]
pub struct FinalizeRequest {
    /// The call (SPEC §12.1). Missing, blank or an unrendered template (`{{session.id}}`): the carrier's call in progress is found from `mc_number`, else a new id is issued (a new call record is made under an issued id). The answer says which id was used.
    pub call_id: Option<IdInput>,
    /// An alias of `call_id`; beside a `call_id`, the platform's session id, which links that session's status events (start, end, status) to this call.
    pub session_id: Option<IdInput>,
    /// An alias of `call_id`.
    pub run_id: Option<IdInput>,
    pub mc_number: Option<McInput>,
    pub carrier_name: Option<TextInput>,
    pub load_id: Option<IdInput>,
    /// `booked`, `negotiation_failed`, `carrier_declined`, `no_matching_loads`, `carrier_ineligible`, `callback_requested`, `abandoned` or `other` (spelling and case are forgiven). Anything else, or nothing: the service classifies the call.
    pub outcome: Option<TextInput>,
    /// `positive`, `neutral` or `negative`; anything else, or nothing: the service scores the transcript.
    pub sentiment: Option<TextInput>,
    pub agreed_rate: Option<LenientAmount>,
    pub initial_carrier_offer: Option<LenientAmount>,
    /// 0 to 3.
    pub negotiation_rounds: Option<LenientCount>,
    pub transferred: Option<LenientBool>,
    /// At most a day (86,400).
    pub duration_seconds: Option<LenientCount>,
    /// Zone-less times are UTC.
    pub started_at: Option<DateTimeInput>,
    /// Not before `started_at`.
    pub ended_at: Option<DateTimeInput>,
    pub transcript: Option<TranscriptInput>,
    #[schema(schema_with = summary_text)]
    pub summary: Option<String>,
    pub carrier_phone: Option<TextInput>,
    pub callback_at: Option<DateTimeInput>,
    pub extracted: Option<ExtractedInput>,
}

/// The answer to a finalize.
#[derive(Serialize, ToSchema)]
pub struct FinalizeAnswer {
    pub call_id: String,
    #[schema(value_type = Outcome)]
    pub outcome: crate::calls::classify::Outcome,
    #[schema(value_type = Sentiment)]
    pub sentiment: crate::calls::classify::Sentiment,
    /// `agent` when both labels came from the agent.
    pub classified_by: ClassifiedBy,
    pub outcome_classified_by: ClassifiedBy,
    pub sentiment_classified_by: ClassifiedBy,
    /// The agent's outcome disagrees with what the service recorded (flagged for review).
    pub outcome_conflict: bool,
    /// False when this call was already finalized (a retried webhook updates the record).
    pub created: bool,
    pub message: String,
}

fn event_data() -> Schema {
    read_sometimes(
        "PlatformEventData",
        "Required for `session.status_changed` (a `PlatformEventData`); not read for other event types.",
    )
}

fn event_time() -> Schema {
    read_sometimes("DateTimeInput", "When the status changed (default: now); not read for other event types.")
}

/// A CloudEvents 1.0 `session.status_changed` event from the voice platform. Other event
/// types are acknowledged with a 202 and ignored. Other CloudEvents members are ignored.
#[derive(ToSchema)]
#[schema(example = json!({"specversion": "1.0", "type": "session.status_changed", "source": "happyrobot", "id": "evt-1", "time": "2026-11-24T08:00:00Z", "data": {"session_id": "call-8f2a", "run_id": "run-1", "status": {"previous": "queued", "current": "in-progress"}}}))]
pub struct PlatformEvent {
    /// `session.status_changed`; any other type is ignored (202).
    #[schema(rename = "type")]
    pub kind: TextInput,
    #[schema(schema_with = event_data)]
    pub data: Option<String>,
    #[schema(schema_with = event_time)]
    pub time: Option<String>,
}

#[derive(ToSchema)]
pub struct PlatformEventData {
    /// The platform's session id: the call's `call_id`.
    pub session_id: IdInput,
    pub run_id: Option<IdInput>,
    /// The workflow the session belongs to; compared with `HAPPYROBOT_WORKFLOW_IDS` when that is set.
    pub use_case_id: Option<IdInput>,
    /// `{"previous", "current", "updated_at"?}` or just the current status. Statuses: queued, in-progress, completed, busy, missed, canceled, failed, voicemail.
    #[schema(value_type = Value)]
    pub status: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct PlatformEventRecorded {
    pub accepted: bool,
    pub session_id: String,
    /// The call the session landed on; null while no call has that id or is linked to it (the session is kept and lands when one appears).
    #[schema(required = true)]
    pub call_id: Option<String>,
    pub status: SessionStatus,
}

#[derive(Serialize, ToSchema)]
pub struct PlatformEventIgnored {
    pub accepted: bool,
    pub ignored: bool,
    /// The event type that was ignored.
    #[serde(rename = "type")]
    pub kind: String,
    /// `other_workflow` when the event is of a workflow not listed in `HAPPYROBOT_WORKFLOW_IDS`; absent for other event types.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, value_type = String)]
    pub reason: Option<&'static str>,
    /// The ignored event's `data.use_case_id` (with `other_workflow`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, value_type = Option<String>)]
    pub use_case_id: Option<Option<String>>,
}

/// The calls list's and export's filters, as they arrive (each is checked by the route,
/// so a bad value is a 422 naming it, not a 400 from the extractor).
#[derive(Deserialize, IntoParams, Default, Clone)]
#[into_params(parameter_in = Query)]
pub struct CallFilter {
    /// One of the outcome labels.
    pub outcome: Option<String>,
    /// `positive`, `neutral` or `negative`.
    pub sentiment: Option<String>,
    /// An MC number in any spelling.
    pub mc_number: Option<String>,
    /// Text found in the carrier's name, the call id or the MC number (at most 200 characters).
    pub q: Option<String>,
    /// RFC 3339 time or a date; calls from then on (a call's time is its start, else when it was first seen).
    pub from: Option<String>,
    /// RFC 3339 time or a date (a date includes that whole day); calls before then.
    pub to: Option<String>,
}

pub use crate::paging::PageQuery;

/// A call in the list.
#[derive(Serialize, ToSchema, Clone)]
pub struct CallSummary {
    pub call_id: String,
    /// The call's start, else when it was first seen.
    #[schema(value_type = Timestamp)]
    pub started_at: String,
    #[schema(required = true, value_type = Option<Timestamp>)]
    pub ended_at: Option<String>,
    #[schema(required = true)]
    pub duration_seconds: Option<i64>,
    #[schema(required = true)]
    pub mc_number: Option<String>,
    #[schema(required = true)]
    pub carrier_name: Option<String>,
    /// The load the call names, else the one it negotiated last.
    #[schema(required = true)]
    pub load_id: Option<String>,
    /// "Dallas, TX → Atlanta, GA".
    #[schema(required = true)]
    pub lane: Option<String>,
    /// Null until the call is finalized.
    #[schema(required = true, value_type = Option<Outcome>)]
    pub outcome: Option<String>,
    #[schema(required = true, value_type = Option<Sentiment>)]
    pub sentiment: Option<String>,
    #[schema(required = true, value_type = Option<ClassifiedBy>)]
    pub classified_by: Option<String>,
    pub outcome_conflict: bool,
    #[schema(required = true, value_type = Option<Usd>)]
    pub agreed_rate: Option<Money>,
    #[schema(required = true, value_type = Option<Usd>)]
    pub loadboard_rate: Option<Money>,
    #[schema(required = true, value_type = Option<Usd>)]
    pub initial_carrier_offer: Option<Money>,
    #[schema(required = true)]
    pub negotiation_rounds: Option<i64>,
    #[schema(required = true)]
    pub transferred: Option<bool>,
    /// The latest verification's status during the call.
    #[schema(required = true, value_type = Option<VerificationStatus>)]
    pub verification_status: Option<String>,
    /// The voice platform's last session status.
    #[schema(required = true, value_type = Option<SessionStatus>)]
    pub platform_status: Option<String>,
    /// `agreed_rate` − `loadboard_rate`, when both are known.
    #[schema(required = true, value_type = Option<Usd>)]
    pub premium_usd: Option<Money>,
    /// The premium as a percentage of the posted rate, to one decimal.
    #[schema(required = true)]
    pub premium_pct: Option<f64>,
    /// The call is still going on: no outcome and no end yet, and the platform's session is
    /// live (or, with no word from the platform, the call began within the hour).
    pub in_progress: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CallPage {
    pub calls: Vec<CallSummary>,
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// The rejected list's filter, as it arrives.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RejectedQuery {
    /// `open` (not yet replayed), `replayed` or `all` (default).
    pub status: Option<String>,
}

/// A webhook body that could not be read, kept as it came.
#[derive(Serialize, ToSchema)]
pub struct RejectedWebhook {
    pub rejected_id: String,
    /// The route it was posted to, e.g. `/api/v1/calls/finalize`.
    pub route: String,
    pub received_at: String,
    /// Why it could not be read, with the position.
    pub error: String,
    /// The 1-based line and column where reading failed.
    pub error_line: i64,
    pub error_column: i64,
    /// The body as received (invalid UTF-8 replaced).
    pub body: String,
    #[schema(required = true)]
    pub request_id: Option<String>,
    /// When an admin replayed it corrected; null while open.
    #[schema(required = true)]
    pub replayed_at: Option<String>,
    /// The call the replay landed on.
    #[schema(required = true)]
    pub replay_call_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RejectedPage {
    pub rejected: Vec<RejectedWebhook>,
    #[schema(required = true)]
    pub next_cursor: Option<String>,
    /// How many are not yet replayed (whatever the filter).
    pub open: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TestCallStatus {
    /// Whether `HAPPYROBOT_TRIGGER_URL` is set (the dashboard shows its button).
    pub enabled: bool,
}

#[derive(ToSchema)]
#[schema(example = json!({"phone_number": "+1 555 010 0100", "note": "demo"}))]
pub struct TestCallRequest {
    /// The phone the test run calls, e.g. `+1 312 555 2368` (sent to the platform as E.164; 555-01xx fiction numbers are refused).
    pub phone_number: Option<TextInput>,
    pub note: Option<TextInput>,
}

#[derive(Serialize, ToSchema)]
pub struct TestCallStarted {
    pub started: bool,
    /// The platform's run id (`run_id`, else the first of `queued_run_ids`).
    #[schema(required = true)]
    pub run_id: Option<String>,
    /// The platform's answer: its JSON, or `{"body": "..."}`.
    #[schema(schema_with = any_value)]
    pub platform: Value,
}

/// What `webhooks/happyrobot` answers: recorded (200) or acknowledged and ignored (202).
#[derive(Serialize)]
#[serde(untagged)]
pub enum PlatformEventAnswer {
    Recorded(PlatformEventRecorded),
    Ignored(PlatformEventIgnored),
}

impl PlatformEventAnswer {
    pub fn status(&self) -> actix_web::http::StatusCode {
        match self {
            PlatformEventAnswer::Recorded(_) => actix_web::http::StatusCode::OK,
            PlatformEventAnswer::Ignored(_) => actix_web::http::StatusCode::ACCEPTED,
        }
    }
}
