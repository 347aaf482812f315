//! Every `code` the service can answer, in one type: a handler cannot invent a code (the
//! constructors of `AppError` take an `ErrorCode`, never a string), and the OpenAPI
//! document and the README's table are listed from `ErrorCode::ALL`.
//!
//! Each code answers one status, the status clients and the README see; the first line of
//! a variant's doc comment is its meaning in the README.

use actix_web::http::StatusCode;

/// Declares `ErrorCode` from one table, so the variants, `ALL`, the spellings, the statuses
/// and the meanings cannot drift apart.
macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])+ $variant:ident = ($status:ident, $code:literal), )+) => {
        /// A stable snake_case error code: `{"error": {"code", "message", "field"?}}`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl ErrorCode {
            /// Every code, in the README's order (by status).
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The spelling clients see (the same as its serde form).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)+
                }
            }

            /// The status this code is answered with.
            pub const fn status(self) -> StatusCode {
                match self {
                    $(ErrorCode::$variant => StatusCode::$status,)+
                }
            }

            /// When the code is used: the variant's doc comment.
            pub fn meaning(self) -> String {
                let lines: &[&str] = match self {
                    $(ErrorCode::$variant => &[$($doc),+],)+
                };
                lines.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ")
            }
        }
    };
}

error_codes! {
    /// The request body is empty or not valid JSON (a kept webhook body adds `rejected_id`).
    InvalidJson = (BAD_REQUEST, "invalid_json"),
    /// The body could not be read, is not a JSON object, or an import file is not UTF-8.
    InvalidBody = (BAD_REQUEST, "invalid_body"),
    /// A loads import in CSV whose header or a row cannot be read.
    InvalidCsv = (BAD_REQUEST, "invalid_csv"),
    /// The query string does not fit the route.
    InvalidQuery = (BAD_REQUEST, "invalid_query"),
    /// A path segment does not fit the route.
    InvalidPath = (BAD_REQUEST, "invalid_path"),
    /// Another client error actix answered itself (a bad header...); its own 4xx status is kept.
    BadRequest = (BAD_REQUEST, "bad_request"),
    /// No API key (nor, where the dashboard may call, a session) was sent to a route that needs one.
    MissingApiKey = (UNAUTHORIZED, "missing_api_key"),
    /// The API key sent is not valid (unknown or revoked).
    InvalidApiKey = (UNAUTHORIZED, "invalid_api_key"),
    /// `/metrics` without its bearer token.
    Unauthorized = (UNAUTHORIZED, "unauthorized"),
    /// The key or session lacks the scope the route needs (or the key cannot open the dashboard).
    Forbidden = (FORBIDDEN, "forbidden"),
    /// A signed-in browser tried to change data from another origin.
    CrossOriginRefused = (FORBIDDEN, "cross_origin_refused"),
    /// No such route or file.
    NotFound = (NOT_FOUND, "not_found"),
    /// No load with that `load_id`.
    LoadNotFound = (NOT_FOUND, "load_not_found"),
    /// No call with that `call_id`.
    CallNotFound = (NOT_FOUND, "call_not_found"),
    /// No booking with that `booking_id`.
    BookingNotFound = (NOT_FOUND, "booking_not_found"),
    /// Nothing was ever recorded under that MC number (no call, verification, negotiation or booking).
    CarrierNotFound = (NOT_FOUND, "carrier_not_found"),
    /// No rejected webhook with that `rejected_id`.
    RejectedNotFound = (NOT_FOUND, "rejected_not_found"),
    /// No webhook endpoint with that `endpoint_id` (or it was deleted).
    WebhookEndpointNotFound = (NOT_FOUND, "webhook_endpoint_not_found"),
    /// No webhook delivery with that `delivery_id`.
    WebhookDeliveryNotFound = (NOT_FOUND, "webhook_delivery_not_found"),
    /// Test calls need `HAPPYROBOT_TRIGGER_URL` and `HAPPYROBOT_API_KEY`.
    TestCallsNotConfigured = (NOT_FOUND, "test_calls_not_configured"),
    /// The route does not accept that method (the answer carries `Allow`).
    MethodNotAllowed = (METHOD_NOT_ALLOWED, "method_not_allowed"),
    /// The request body did not arrive in time.
    RequestTimeout = (REQUEST_TIMEOUT, "request_timeout"),
    /// The load is booked (to this call already, or to another carrier); an import cannot change its status.
    LoadAlreadyBooked = (CONFLICT, "load_already_booked"),
    /// The load is no longer available (cancelled).
    LoadNotAvailable = (CONFLICT, "load_not_available"),
    /// The negotiation on this load is over (the body adds `negotiation`).
    NegotiationClosed = (CONFLICT, "negotiation_closed"),
    /// Another offer for the same load is being evaluated; retry.
    ConcurrentOffer = (CONFLICT, "concurrent_offer"),
    /// A handoff's rate is not the one the negotiation agreed.
    RateNotAgreed = (CONFLICT, "rate_not_agreed"),
    /// A handoff for a carrier FMCSA says is ineligible (the body adds `verification`).
    CarrierIneligible = (CONFLICT, "carrier_ineligible"),
    /// A rejected webhook from a route this version cannot replay.
    ReplayUnsupported = (CONFLICT, "replay_unsupported"),
    /// The delivery is being sent right now; redeliver once that attempt is over.
    DeliveryInFlight = (CONFLICT, "delivery_in_flight"),
    /// The delivery's endpoint was deleted; nothing can be sent to it.
    WebhookEndpointDeleted = (CONFLICT, "webhook_endpoint_deleted"),
    /// The request body is larger than the route accepts.
    PayloadTooLarge = (PAYLOAD_TOO_LARGE, "payload_too_large"),
    /// A required field is missing (`field` names it).
    MissingField = (UNPROCESSABLE_ENTITY, "missing_field"),
    /// A field is present but unusable (`field` names it).
    InvalidValue = (UNPROCESSABLE_ENTITY, "invalid_value"),
    /// An import holds more loads than allowed.
    TooManyLoads = (UNPROCESSABLE_ENTITY, "too_many_loads"),
    /// Too many requests for this key (the answer carries `Retry-After`).
    RateLimited = (TOO_MANY_REQUESTS, "rate_limited"),
    /// This key already has the most live event streams allowed.
    TooManyStreams = (TOO_MANY_REQUESTS, "too_many_streams"),
    /// A failure on our side; the cause is logged, never sent.
    InternalError = (INTERNAL_SERVER_ERROR, "internal_error"),
    /// The voice platform refused a test call (the body adds `platform`).
    PlatformRefused = (BAD_GATEWAY, "platform_refused"),
    /// The voice platform's trigger URL answered with a redirect, never followed.
    PlatformRedirected = (BAD_GATEWAY, "platform_redirected"),
    /// A dependency (the database) is down for a moment; retry.
    ServiceUnavailable = (SERVICE_UNAVAILABLE, "service_unavailable"),
    /// `/readyz`: the database does not answer.
    DatabaseUnavailable = (SERVICE_UNAVAILABLE, "database_unavailable"),
    /// The voice platform could not be reached or did not answer in time.
    PlatformUnavailable = (SERVICE_UNAVAILABLE, "platform_unavailable"),
    /// This binary was built without the dashboard.
    DashboardNotBuilt = (SERVICE_UNAVAILABLE, "dashboard_not_built"),
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;
    use std::collections::BTreeSet;

    #[test]
    fn every_code_is_spelled_once_and_as_serde_spells_it() {
        let spellings: BTreeSet<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(spellings.len(), ErrorCode::ALL.len(), "two variants share a spelling");
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
            assert!(code.status().is_client_error() || code.status().is_server_error(), "{code}");
            assert!(!code.meaning().is_empty(), "{code}");
        }
        let statuses: Vec<u16> = ErrorCode::ALL.iter().map(|c| c.status().as_u16()).collect();
        assert!(statuses.is_sorted(), "ALL is in status order, as the README lists it");
    }

    /// The README's table of error codes, as `ErrorCode::ALL` would write it.
    fn readme_table() -> Vec<String> {
        let mut rows = vec!["| code | status | meaning |".to_string(), "|---|---|---|".to_string()];
        for code in ErrorCode::ALL {
            let meaning = code.meaning().replace('|', "\\|");
            rows.push(format!("| `{code}` | {} | {meaning} |", code.status().as_u16()));
        }
        rows
    }

    #[test]
    fn readme_lists_every_error_code_from_the_enum() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        let found: Vec<String> = readme
            .lines()
            .skip_while(|l| l.trim() != "| code | status | meaning |")
            .take_while(|l| l.starts_with('|'))
            .map(str::to_string)
            .collect();
        let expected = readme_table();
        assert!(
            found == expected,
            "README.md's table of error codes differs from ErrorCode::ALL; it should read:\n\n{}\n",
            expected.join("\n")
        );
    }
}
