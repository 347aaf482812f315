//! Where a negotiation stands (SPEC §7), as stored in `negotiations.status` and shown on
//! the call story: open while rounds remain, agreed once a rate is accepted, rejected when
//! our final offer stands after round 3.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NegotiationStatus {
    Open,
    Agreed,
    Rejected,
}

impl NegotiationStatus {
    pub fn parse(s: &str) -> Option<NegotiationStatus> {
        match s {
            "open" => Some(NegotiationStatus::Open),
            "agreed" => Some(NegotiationStatus::Agreed),
            "rejected" => Some(NegotiationStatus::Rejected),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NegotiationStatus::Open => "open",
            NegotiationStatus::Agreed => "agreed",
            NegotiationStatus::Rejected => "rejected",
        }
    }
}
