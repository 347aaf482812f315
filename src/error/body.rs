//! The error body `AppError` writes, and its schema in the OpenAPI document.

use super::ErrorCode;
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// Every error answer: `{"error": {"code", "message", "field"?}}`. A few 409s add members
/// beside `error` (`negotiation`, `verification`), a 502 adds `platform`, and a 400
/// `invalid_json` from `calls/finalize` or `webhooks/happyrobot` adds `rejected_id` (the
/// body was kept; see `GET /api/v1/webhooks/rejected`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"error": {"code": ErrorCode::LoadNotFound, "message": "No load with id L-9999.", "field": "load_id"}}))]
pub struct ErrorBody {
    pub error: ErrorDetail,
    /// The members beside `error`; the responses that add one describe it (response
    /// schemas allow extra members).
    #[serde(flatten)]
    #[schema(ignore)]
    pub extra: Map<String, Value>,
}

// Members in alphabetical order: the order they have always had on the wire. (A plain
// comment: the document gives the schema no description.)
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable snake_case code; `ErrorCode` lists every one.
    pub code: ErrorCode,
    /// The input at fault, when one is (left out otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, required = false)]
    pub field: Option<String>,
    /// A human sentence.
    pub message: String,
}
