//! The error body's schema for the OpenAPI document (`AppError` writes it).

use super::ErrorCode;
use utoipa::ToSchema;

/// Every error answer: `{"error": {"code", "message", "field"?}}`. A few 409s add members
/// beside `error` (`negotiation`, `verification`), a 502 adds `platform`, and a 400
/// `invalid_json` from `calls/finalize` or `webhooks/happyrobot` adds `rejected_id` (the
/// body was kept; see `GET /api/v1/webhooks/rejected`).
#[derive(ToSchema)]
#[schema(example = json!({"error": {"code": ErrorCode::LoadNotFound, "message": "No load with id L-9999.", "field": "load_id"}}))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(ToSchema)]
pub struct ErrorDetail {
    /// A stable snake_case code; `ErrorCode` lists every one.
    pub code: ErrorCode,
    /// A human sentence.
    pub message: String,
    /// The input at fault, when one is (left out otherwise).
    #[schema(required = false)]
    pub field: String,
}
