//! A carrier verification's verdict and where it came from, as the verify answer, the
//! call list and the call story show them (SPEC §6).

use serde::Serialize;
use utoipa::ToSchema;

/// The outcome of one verification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    Eligible,
    Ineligible,
    NotFound,
    /// FMCSA could not be asked or refused us: never a verdict about the carrier.
    Unavailable,
}

impl VerificationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationStatus::Eligible => "eligible",
            VerificationStatus::Ineligible => "ineligible",
            VerificationStatus::NotFound => "not_found",
            VerificationStatus::Unavailable => "unavailable",
        }
    }

    pub fn parse(s: &str) -> Option<VerificationStatus> {
        use VerificationStatus::*;
        [Eligible, Ineligible, NotFound, Unavailable].into_iter().find(|st| st.as_str() == s)
    }

    /// `eligible` in the answer: true, false, or null when nothing could be checked.
    pub fn eligible(self) -> Option<bool> {
        match self {
            VerificationStatus::Eligible => Some(true),
            VerificationStatus::Ineligible | VerificationStatus::NotFound => Some(false),
            VerificationStatus::Unavailable => None,
        }
    }
}

/// Where a verification's answer came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VerificationSource {
    Fmcsa,
    Cache,
    OfflineSnapshot,
}

impl VerificationSource {
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationSource::Fmcsa => "fmcsa",
            VerificationSource::Cache => "cache",
            VerificationSource::OfflineSnapshot => "offline_snapshot",
        }
    }
}
