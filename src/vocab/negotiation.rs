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

/// What we answer to the carrier's offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Accept,
    Counter,
    Reject,
}

impl Decision {
    /// The spelling stored with each round and used as the telemetry label.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Accept => "accept",
            Decision::Counter => "counter",
            Decision::Reject => "reject",
        }
    }

    /// A stored round's decision; anything unknown reads as a counter (rounds remain).
    pub fn from_stored(s: &str) -> Decision {
        match s {
            "accept" => Decision::Accept,
            "reject" => Decision::Reject,
            _ => Decision::Counter,
        }
    }
}
