//! A carrier verification's verdict and where it came from, as the verify answer, the
//! call list and the call story show them (SPEC §6).

use utoipa::ToSchema;

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum VerificationStatus {
    Eligible,
    Ineligible,
    NotFound,
    Unavailable,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum VerificationSource {
    Fmcsa,
    Cache,
    OfflineSnapshot,
}
