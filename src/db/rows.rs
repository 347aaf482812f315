//! Row types more than one room reads, written once: a room maps them to its own view.

use super::schema::verifications;
use diesel::prelude::*;

/// One stored verification, as every reader of the table selects it (the carriers room
/// for the handoff and the carrier page, the call story).
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = verifications)]
pub struct VerificationRow {
    pub id: i64,
    pub call_id: Option<String>,
    pub mc_number: Option<String>,
    pub dot_number: Option<String>,
    pub status: String,
    pub eligible: Option<bool>,
    /// A JSON list of reason codes.
    pub reasons_json: String,
    /// A JSON list of warning codes.
    pub warnings_json: String,
    pub source: String,
    pub stale: bool,
    pub legal_name: Option<String>,
    pub created_at: i64,
}
