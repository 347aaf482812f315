//! The metrics room's query parameters and answers (SPEC §9): what the summary and the
//! time series handlers serialise, with their OpenAPI schemas.

use crate::parse::schema::{Timestamp, Usd};
use crate::types::Money;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// The query string both routes read (`bucket` only by the time series).
#[derive(Deserialize)]
pub struct MetricsQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub bucket: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// RFC 3339 time or a date; default 30 days before `to`.
    pub from: Option<String>,
    /// RFC 3339 time or a date (a date includes that whole day); default just after now, so what was recorded a moment ago counts.
    pub to: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BucketQuery {
    /// `day` (default) or `hour` (periods of at most 31 days).
    pub bucket: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Period {
    #[schema(value_type = Timestamp)]
    pub from: String,
    #[schema(value_type = Timestamp)]
    pub to: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonCount {
    pub reason: String,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnmetDemand {
    #[schema(required = true)]
    pub origin: Option<String>,
    #[schema(required = true)]
    pub destination: Option<String>,
    #[schema(required = true)]
    pub equipment_type: Option<String>,
    pub count: i64,
}

/// The period's calls and how many got at least as far as each stage (a call booked at
/// the posted rate counts as pitched and negotiated too): never larger than the stage before.
#[derive(Debug, Serialize, ToSchema)]
pub struct Funnel {
    pub calls: i64,
    pub verified: i64,
    pub pitched: i64,
    pub negotiated: i64,
    pub booked: i64,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct SentimentCounts {
    pub positive: i64,
    pub neutral: i64,
    pub negative: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LaneFigures {
    pub origin: String,
    pub destination: String,
    pub negotiations: i64,
    pub bookings: i64,
    #[schema(value_type = Usd)]
    pub revenue: Money,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EquipmentFigures {
    pub equipment_type: String,
    pub negotiations: i64,
    pub bookings: i64,
}

/// KPIs for a period (SPEC §9).
#[derive(Debug, Serialize, ToSchema)]
pub struct MetricsSummary {
    pub period: Period,
    pub calls: i64,
    pub verifications: i64,
    pub carriers_verified: i64,
    /// Ineligible or not found.
    pub ineligible: i64,
    /// Share of decided verifications (0 to 1).
    pub ineligible_share: f64,
    /// Verifications with a verdict (FMCSA outages excluded): the share's denominator.
    pub verifications_decided: i64,
    pub top_ineligible_reasons: Vec<ReasonCount>,
    pub searches: i64,
    pub searches_no_match: i64,
    pub unmet_demand: Vec<UnmetDemand>,
    pub funnel: Funnel,
    /// Booked calls over calls (0 to 1).
    pub booking_rate: f64,
    #[schema(required = true)]
    pub avg_rounds_to_agreement: Option<f64>,
    #[schema(required = true, value_type = Option<Usd>)]
    pub avg_agreed_rate: Option<f64>,
    #[schema(required = true, value_type = Option<Usd>)]
    pub avg_posted_rate: Option<f64>,
    #[schema(required = true, value_type = Option<Usd>)]
    pub avg_premium_usd: Option<f64>,
    /// Percent above the posted rate.
    #[schema(required = true)]
    pub avg_premium_pct: Option<f64>,
    #[schema(value_type = Usd)]
    pub booked_revenue: Money,
    pub bookings: i64,
    pub bookings_cancelled: i64,
    /// Calls by outcome label, plus `unclassified`.
    pub outcomes: BTreeMap<String, i64>,
    /// Calls by sentiment, plus `unclassified`.
    pub sentiments: BTreeMap<String, i64>,
    /// Sentiment counts by outcome label.
    pub sentiment_by_outcome: BTreeMap<String, SentimentCounts>,
    pub top_lanes: Vec<LaneFigures>,
    pub top_equipment: Vec<EquipmentFigures>,
    #[schema(required = true)]
    pub avg_call_duration_seconds: Option<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(rename_all = "lowercase")]
pub enum Bucket {
    Day,
    Hour,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimePoint {
    /// The bucket's start (UTC day or hour).
    #[schema(value_type = Timestamp)]
    pub t: String,
    pub calls: i64,
    pub booked: i64,
    #[schema(value_type = Usd)]
    pub revenue: Money,
    pub negotiated: i64,
    #[schema(required = true)]
    pub avg_premium_pct: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Timeseries {
    pub bucket: Bucket,
    pub points: Vec<TimePoint>,
}
