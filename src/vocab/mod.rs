//! Shared vocabulary, below every domain: the statuses, kinds and names more than one
//! room speaks (a load's status, equipment types). Each is an enum or a table with one
//! spelling for storage and the API, so no room compares string literals of another.

pub mod booking;
pub mod call;
pub mod equipment;
pub mod negotiation;
pub mod session_status;
pub mod verification;

pub use call::{Outcome, Sentiment, VerificationFact};

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LoadStatus {
    Available,
    Booked,
    Cancelled,
}

impl LoadStatus {
    pub fn parse(s: &str) -> Option<LoadStatus> {
        match s.trim().to_ascii_lowercase().as_str() {
            "available" => Some(LoadStatus::Available),
            "booked" => Some(LoadStatus::Booked),
            "cancelled" | "canceled" => Some(LoadStatus::Cancelled),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            LoadStatus::Available => "available",
            LoadStatus::Booked => "booked",
            LoadStatus::Cancelled => "cancelled",
        }
    }
}
