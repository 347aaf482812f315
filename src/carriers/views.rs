//! The carriers room's request and answer schemas for `POST /api/v1/fmcsa/verify`. The
//! body is read leniently by `crate::parse::Fields` (see [`super::routes::read_query`]),
//! so `VerifyRequest` only describes what is accepted; the answer is what
//! [`super::Verification`] serialises.

use super::{Reason, Warning};
use crate::parse::schema::{DotInput, IdInput, McInput, Timestamp, Usd};
use utoipa::ToSchema;

#[derive(ToSchema)]
#[schema(example = json!({"mc_number": "MC-700010", "call_id": "call-8f2a"}))]
pub struct VerifyRequest {
    /// Required unless `dot_number` is given.
    pub mc_number: Option<McInput>,
    /// Used when there is no `mc_number`.
    pub dot_number: Option<DotInput>,
    /// The call (SPEC §12.1). Missing, blank or an unrendered template (`{{session.id}}`): a new id is issued and answered; pass it to every later tool.
    pub call_id: Option<IdInput>,
    /// An alias of `call_id`.
    pub session_id: Option<IdInput>,
    /// An alias of `call_id`.
    pub run_id: Option<IdInput>,
}

pub use crate::vocab::verification::{VerificationSource, VerificationStatus};

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Authority {
    Active,
    Inactive,
    None,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum OperatingStatus {
    Active,
    Inactive,
    Unknown,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum SafetyRating {
    Satisfactory,
    Conditional,
    Unsatisfactory,
}

/// The carrier as FMCSA describes it, insurance in USD (not thousands).
#[derive(ToSchema)]
pub struct Carrier {
    #[schema(required = true)]
    pub legal_name: Option<String>,
    #[schema(required = true)]
    pub dba_name: Option<String>,
    #[schema(required = true)]
    pub dot_number: Option<String>,
    pub allowed_to_operate: bool,
    /// The USDOT number's status.
    pub operating_status: OperatingStatus,
    pub common_authority: Authority,
    pub contract_authority: Authority,
    pub broker_authority: Authority,
    #[schema(required = true)]
    pub bipd_insurance_on_file_usd: Option<Usd>,
    /// Null when FMCSA requires no BIPD insurance of this carrier.
    #[schema(required = true)]
    pub bipd_required_usd: Option<Usd>,
    #[schema(required = true)]
    pub cargo_insurance_on_file_usd: Option<Usd>,
    /// Null when never rated (most carriers; not a fault).
    #[schema(required = true)]
    pub safety_rating: Option<SafetyRating>,
    /// As FMCSA gives it, usually `YYYY-MM-DD`.
    #[schema(required = true)]
    pub safety_rating_date: Option<String>,
    /// The date of an out-of-service order, as FMCSA gives it; null when there is none.
    #[schema(required = true)]
    pub out_of_service_date: Option<String>,
    /// "4100 INDUSTRIAL PKWY, FORT WORTH, TX 76106".
    #[schema(required = true)]
    pub physical_address: Option<String>,
    #[schema(required = true)]
    pub physical_city: Option<String>,
    #[schema(required = true)]
    pub physical_state: Option<String>,
    /// Only when FMCSA has one.
    #[schema(required = false)]
    pub phone: String,
    #[schema(required = true)]
    pub total_power_units: Option<i64>,
    #[schema(required = true)]
    pub total_drivers: Option<i64>,
    /// The biennial MCS-150 update is overdue.
    pub mcs150_outdated: bool,
}

#[derive(ToSchema)]
pub struct Verification {
    /// The call this verification was recorded for: the one sent, or a new one (`[A-Za-z0-9_-]`, at most 64 characters) to pass to every later tool.
    pub call_id: String,
    /// The MC docket, digits only (asked, or found for a USDOT query); else null.
    #[schema(required = true)]
    pub mc_number: Option<String>,
    /// Null when FMCSA could not be consulted (`unavailable`).
    #[schema(required = true)]
    pub eligible: Option<bool>,
    pub status: VerificationStatus,
    /// Every failed rule, in SPEC §6 order.
    pub reasons: Vec<Reason>,
    /// Null when not found or unavailable.
    #[schema(required = true)]
    pub carrier: Option<Carrier>,
    pub source: VerificationSource,
    pub warnings: Vec<Warning>,
    /// A cached answer past its time to live, served because FMCSA is down.
    pub stale: bool,
    /// When FMCSA (or the snapshot) was consulted.
    pub checked_at: Timestamp,
    /// What the agent can say.
    pub message: String,
}
