//! The outbound webhooks API's request and answer types.

use super::EventType;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// `POST /webhooks/endpoints`.
#[derive(ToSchema)]
#[schema(example = json!({"url": "https://tms.example.com/hooks/carrier-sales", "events": ["booking.created", "load.withdrawn"], "description": "TMS"}))]
#[allow(dead_code)] // read field by field (lenient parsing); here for the document
pub struct CreateEndpoint {
    /// `https://` (in development `http://` too); never a link-local or metadata address,
    /// nor a private one unless `CARRIER_SALES__WEBHOOKS__ALLOW_PRIVATE=true`.
    pub url: String,
    /// Event types, or `["*"]` for all of them (a comma-separated string is read too).
    pub events: Vec<String>,
    /// What the endpoint is, for the dashboard (at most 200 characters).
    pub description: Option<String>,
}

/// An endpoint, as listed (never with its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct Endpoint {
    pub endpoint_id: String,
    pub url: String,
    /// The types it takes; `["*"]` for all.
    pub events: Vec<String>,
    #[schema(required = true)]
    pub description: Option<String>,
    #[schema(value_type = crate::parse::schema::Timestamp)]
    pub created_at: String,
    /// Deliveries waiting for their first or next attempt.
    pub pending: i64,
    /// Deliveries that gave up after 24 hours of retries.
    pub failed: i64,
    pub succeeded: i64,
    /// When the last delivery to it succeeded.
    #[schema(required = true, value_type = Option<crate::parse::schema::Timestamp>)]
    pub last_success_at: Option<String>,
}

/// The answer to a registration: the endpoint and, this once, its signing secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointCreated {
    pub endpoint_id: String,
    pub url: String,
    pub events: Vec<String>,
    #[schema(required = true)]
    pub description: Option<String>,
    /// The key of `X-CarrierSales-Signature` (HMAC-SHA256 of `"<t>.<raw body>"`). Shown
    /// only in this answer: keep it in the receiver's configuration.
    pub secret: String,
    #[schema(value_type = crate::parse::schema::Timestamp)]
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointList {
    pub endpoints: Vec<Endpoint>,
    /// Every event type an endpoint can take.
    pub event_types: Vec<EventType>,
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its first attempt or its next retry.
    Pending,
    /// A receiver answered 2xx.
    Succeeded,
    /// Retried for 24 hours without a 2xx (or its endpoint was deleted).
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Succeeded => "succeeded",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryStatus> {
        [DeliveryStatus::Pending, DeliveryStatus::Succeeded, DeliveryStatus::Failed]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// One try at sending a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct Attempt {
    /// 1 for the first.
    pub attempt: i32,
    #[schema(value_type = crate::parse::schema::Timestamp)]
    pub at: String,
    /// The receiver's HTTP status; `null` when none came back (refused, unreachable, timed out).
    #[schema(required = true)]
    pub status_code: Option<i32>,
    pub latency_ms: i64,
    /// What went wrong; `null` on a 2xx.
    #[schema(required = true)]
    pub error: Option<String>,
}

/// One event on its way to one endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    pub delivery_id: String,
    pub endpoint_id: String,
    /// The same for every endpoint that takes the event: receivers dedupe by it.
    pub event_id: String,
    pub event_type: EventType,
    pub status: DeliveryStatus,
    #[schema(value_type = crate::parse::schema::Timestamp)]
    pub created_at: String,
    /// When the next attempt is due (pending only).
    #[schema(required = true, value_type = Option<crate::parse::schema::Timestamp>)]
    pub next_attempt_at: Option<String>,
    #[schema(required = true, value_type = Option<crate::parse::schema::Timestamp>)]
    pub delivered_at: Option<String>,
    /// Every attempt so far, oldest first.
    pub attempts: Vec<Attempt>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryPage {
    pub deliveries: Vec<Delivery>,
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// The deliveries list's filter, as it arrives.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only this endpoint's deliveries.
    pub endpoint_id: Option<String>,
    /// `pending`, `succeeded`, `failed`, or `all` (default).
    pub status: Option<String>,
}
