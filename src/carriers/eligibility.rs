//! Whether the brokerage may book a load with a carrier: pure rules over a parsed
//! [`Carrier`], no I/O and no clock (SPEC §6).
//!
//! A carrier is eligible only if it was found and FMCSA says all of:
//! 1. `allowedToOperate` = "Y" (else `NOT_ALLOWED_TO_OPERATE`);
//! 2. the USDOT number is active, `statusCode` = "A" (else `USDOT_INACTIVE`);
//! 3. common or contract carrier authority is active (else `NO_ACTIVE_CARRIER_AUTHORITY`,
//!    or `BROKER_ONLY_AUTHORITY` when broker authority is the only active one: a broker
//!    calling as a carrier could not legally haul the load);
//! 4. no out-of-service order (`oosDate` set → `OUT_OF_SERVICE`);
//! 5. BIPD (bodily injury and property damage) liability on file covers the required
//!    amount when FMCSA requires one (`bipdInsuranceRequired` = "Y"), else
//!    `INSURANCE_BELOW_REQUIRED`. Cargo insurance is not an FMCSA requirement for general
//!    freight ("0" is normal) and never blocks;
//! 6. the safety rating is not Unsatisfactory (else `UNSATISFACTORY_SAFETY_RATING`).
//!
//! Warnings inform the rep without blocking: `CONDITIONAL_SAFETY_RATING`,
//! `MCS150_OUTDATED`, `AMBIGUOUS_DOCKET` (several USDOT records share the MC docket and one
//! was chosen). When none of them can be chosen, `AMBIGUOUS_DOCKET` becomes a blocking
//! reason: a person has to confirm who is calling. Reasons and warnings are always
//! listed in this order, every failed rule at once, so metrics can count each.

use super::carrier::{Carrier, SafetyRating};
use crate::types::Money;
use serde::Serialize;
use utoipa::ToSchema;

/// A rule that failed, in SPEC §6 order (the derived `Ord` is that order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = ReasonCode, description = "A failed eligibility rule, in SPEC §6 order.")]
pub enum Reason {
    CarrierNotFound,
    NotAllowedToOperate,
    UsdotInactive,
    NoActiveCarrierAuthority,
    BrokerOnlyAuthority,
    OutOfService,
    InsuranceBelowRequired,
    UnsatisfactorySafetyRating,
    AmbiguousDocket,
}

/// Something the rep should know that does not block a booking, in SPEC §6 order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = WarningCode, description = "Something the rep should know that does not block a booking.")]
pub enum Warning {
    ConditionalSafetyRating,
    #[serde(rename = "MCS150_OUTDATED")]
    Mcs150Outdated,
    AmbiguousDocket,
}

impl Reason {
    pub fn code(self) -> &'static str {
        match self {
            Reason::CarrierNotFound => "CARRIER_NOT_FOUND",
            Reason::NotAllowedToOperate => "NOT_ALLOWED_TO_OPERATE",
            Reason::UsdotInactive => "USDOT_INACTIVE",
            Reason::NoActiveCarrierAuthority => "NO_ACTIVE_CARRIER_AUTHORITY",
            Reason::BrokerOnlyAuthority => "BROKER_ONLY_AUTHORITY",
            Reason::OutOfService => "OUT_OF_SERVICE",
            Reason::InsuranceBelowRequired => "INSURANCE_BELOW_REQUIRED",
            Reason::UnsatisfactorySafetyRating => "UNSATISFACTORY_SAFETY_RATING",
            Reason::AmbiguousDocket => "AMBIGUOUS_DOCKET",
        }
    }
}

impl Warning {
    pub fn code(self) -> &'static str {
        match self {
            Warning::ConditionalSafetyRating => "CONDITIONAL_SAFETY_RATING",
            Warning::Mcs150Outdated => "MCS150_OUTDATED",
            Warning::AmbiguousDocket => "AMBIGUOUS_DOCKET",
        }
    }
}

/// The outcome of one verification.
pub use crate::vocab::verification::VerificationStatus as Status;

/// What the lookup found, as the rules need it.
#[derive(Clone, Copy, Debug)]
pub enum Finding<'a> {
    NotFound,
    /// One carrier record; `ambiguous_docket` when it was chosen among several.
    Carrier {
        carrier: &'a Carrier,
        ambiguous_docket: bool,
    },
    /// Several records on the docket and none could be chosen.
    UnresolvedDocket,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub status: Status,
    pub reasons: Vec<Reason>,
    pub warnings: Vec<Warning>,
}

/// Every failed rule of one carrier record, in order.
pub fn reasons(c: &Carrier) -> Vec<Reason> {
    let mut out = Vec::new();
    if !c.allowed_to_operate {
        out.push(Reason::NotAllowedToOperate);
    }
    if !c.usdot_active() {
        out.push(Reason::UsdotInactive);
    }
    if !c.common.is_active() && !c.contract.is_active() {
        out.push(if c.broker.is_active() { Reason::BrokerOnlyAuthority } else { Reason::NoActiveCarrierAuthority });
    }
    if c.oos_date.is_some() {
        out.push(Reason::OutOfService);
    }
    if insurance_below_required(c) {
        out.push(Reason::InsuranceBelowRequired);
    }
    if c.safety_rating == Some(SafetyRating::Unsatisfactory) {
        out.push(Reason::UnsatisfactorySafetyRating);
    }
    out
}

/// BIPD on file must reach the required amount when FMCSA requires BIPD cover. When it
/// is required but FMCSA gives no amount, some cover must be on file.
fn insurance_below_required(c: &Carrier) -> bool {
    if !c.bipd_required {
        return false;
    }
    let on_file = c.bipd_on_file.unwrap_or(Money(0));
    match c.bipd_required_amount {
        Some(required) => on_file < required,
        None => on_file.0 <= 0,
    }
}

/// The non-blocking observations about one carrier record, in order.
pub fn warnings(c: &Carrier) -> Vec<Warning> {
    let mut out = Vec::new();
    if c.safety_rating == Some(SafetyRating::Conditional) {
        out.push(Warning::ConditionalSafetyRating);
    }
    if c.mcs150_outdated {
        out.push(Warning::Mcs150Outdated);
    }
    out
}

/// The verdict on a lookup's finding.
pub fn judge(finding: Finding<'_>) -> Verdict {
    match finding {
        Finding::NotFound => {
            Verdict { status: Status::NotFound, reasons: vec![Reason::CarrierNotFound], warnings: vec![] }
        }
        Finding::UnresolvedDocket => {
            Verdict { status: Status::Ineligible, reasons: vec![Reason::AmbiguousDocket], warnings: vec![] }
        }
        Finding::Carrier { carrier, ambiguous_docket } => {
            let reasons = reasons(carrier);
            let mut warnings = warnings(carrier);
            if ambiguous_docket {
                warnings.push(Warning::AmbiguousDocket);
            }
            Verdict {
                status: if reasons.is_empty() { Status::Eligible } else { Status::Ineligible },
                reasons,
                warnings,
            }
        }
    }
}

/// A docket a USDOT record holds, from QCMobile's `/carriers/{dot}/docket-numbers`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Docket {
    /// "MC" (motor carrier), "FF" (freight forwarder) or "MX" (Mexican carrier).
    pub prefix: String,
    pub number: String,
}

/// Several records on one docket lookup: keep the one whose own docket list holds this
/// MC docket. `dockets[i]` is `None` when record i's list could not be read. Exactly
/// one match → its index; none or several → `None` (a person has to decide).
pub fn choose_by_docket(dockets: &[Option<Vec<Docket>>], mc: &str) -> Option<usize> {
    let matches: Vec<usize> = dockets
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            d.as_ref().is_some_and(|list| list.iter().any(|k| k.prefix.eq_ignore_ascii_case("MC") && k.number == mc))
        })
        .map(|(i, _)| i)
        .collect();
    match matches.as_slice() {
        [only] => Some(*only),
        _ => None,
    }
}

/// Several records on one docket in the offline snapshot (which has no docket lists):
/// keep the one that is active and allowed to operate, when exactly one is (an old,
/// inactive USDOT record left on the docket is the usual second record).
pub fn choose_active(carriers: &[Carrier]) -> Option<usize> {
    let live: Vec<usize> =
        carriers.iter().enumerate().filter(|(_, c)| c.allowed_to_operate && c.usdot_active()).map(|(i, _)| i).collect();
    match live.as_slice() {
        [only] => Some(*only),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::carriers::carrier::Authority;
    use Reason::*;
    use Warning::*;

    /// An eligible general-freight carrier; each case below changes one thing.
    fn good() -> Carrier {
        Carrier {
            dot_number: Some("9100010".into()),
            legal_name: Some("PRAIRIE LANTERN TRANSPORT LLC".into()),
            dba_name: None,
            allowed_to_operate: true,
            usdot_status: Some("A".into()),
            common: Authority::Active,
            contract: Authority::None,
            broker: Authority::None,
            bipd_on_file: Some(Money::dollars(1_000_000)),
            bipd_required: true,
            bipd_required_amount: Some(Money::dollars(750_000)),
            cargo_on_file: Some(Money::dollars(0)),
            safety_rating: Some(SafetyRating::Satisfactory),
            safety_rating_date: None,
            oos_date: None,
            mcs150_outdated: false,
            street: None,
            city: Some("FORT WORTH".into()),
            state: Some("TX".into()),
            zip: None,
            phone: None,
            total_power_units: Some(38),
            total_drivers: Some(42),
        }
    }

    fn with(f: impl FnOnce(&mut Carrier)) -> Carrier {
        let mut c = good();
        f(&mut c);
        c
    }

    #[test]
    fn each_rule_yields_its_reason_or_warning() {
        let cases: Vec<(&str, Carrier, Vec<Reason>, Vec<Warning>)> = vec![
            ("eligible as is", good(), vec![], vec![]),
            ("not allowed to operate", with(|c| c.allowed_to_operate = false), vec![NotAllowedToOperate], vec![]),
            ("USDOT inactive", with(|c| c.usdot_status = Some("I".into())), vec![UsdotInactive], vec![]),
            ("USDOT status missing", with(|c| c.usdot_status = None), vec![UsdotInactive], vec![]),
            (
                "common authority inactive, nothing else",
                with(|c| c.common = Authority::Inactive),
                vec![NoActiveCarrierAuthority],
                vec![],
            ),
            (
                "contract authority alone suffices",
                with(|c| {
                    c.common = Authority::None;
                    c.contract = Authority::Active
                }),
                vec![],
                vec![],
            ),
            (
                "broker authority only",
                with(|c| {
                    c.common = Authority::None;
                    c.broker = Authority::Active
                }),
                vec![BrokerOnlyAuthority],
                vec![],
            ),
            ("carrier and broker authority", with(|c| c.broker = Authority::Active), vec![], vec![]),
            ("out-of-service order", with(|c| c.oos_date = Some("2026-10-27".into())), vec![OutOfService], vec![]),
            (
                "no BIPD on file (\"0\" of \"750\")",
                with(|c| c.bipd_on_file = Some(Money(0))),
                vec![InsuranceBelowRequired],
                vec![],
            ),
            ("BIPD on file unknown", with(|c| c.bipd_on_file = None), vec![InsuranceBelowRequired], vec![]),
            (
                "some BIPD but not enough ($1M of $5M)",
                with(|c| c.bipd_required_amount = Some(Money::dollars(5_000_000))),
                vec![InsuranceBelowRequired],
                vec![],
            ),
            (
                "BIPD exactly the required amount",
                with(|c| c.bipd_on_file = Some(Money::dollars(750_000))),
                vec![],
                vec![],
            ),
            (
                "BIPD not required (\"N\" or \"u\")",
                with(|c| {
                    c.bipd_required = false;
                    c.bipd_on_file = Some(Money(0))
                }),
                vec![],
                vec![],
            ),
            (
                "BIPD required with no amount given, none on file",
                with(|c| {
                    c.bipd_required_amount = None;
                    c.bipd_on_file = Some(Money(0))
                }),
                vec![InsuranceBelowRequired],
                vec![],
            ),
            ("cargo insurance \"0\" never blocks", with(|c| c.cargo_on_file = Some(Money(0))), vec![], vec![]),
            (
                "unsatisfactory rating",
                with(|c| c.safety_rating = Some(SafetyRating::Unsatisfactory)),
                vec![UnsatisfactorySafetyRating],
                vec![],
            ),
            ("never rated is fine", with(|c| c.safety_rating = None), vec![], vec![]),
            (
                "conditional rating warns",
                with(|c| c.safety_rating = Some(SafetyRating::Conditional)),
                vec![],
                vec![ConditionalSafetyRating],
            ),
            ("MCS-150 outdated warns", with(|c| c.mcs150_outdated = true), vec![], vec![Mcs150Outdated]),
            (
                "every rule at once, in SPEC order",
                with(|c| {
                    c.allowed_to_operate = false;
                    c.usdot_status = Some("I".into());
                    c.common = Authority::Inactive;
                    c.broker = Authority::Active;
                    c.oos_date = Some("2024-11-02".into());
                    c.bipd_on_file = Some(Money(0));
                    c.safety_rating = Some(SafetyRating::Unsatisfactory);
                    c.mcs150_outdated = true;
                }),
                vec![
                    NotAllowedToOperate,
                    UsdotInactive,
                    BrokerOnlyAuthority,
                    OutOfService,
                    InsuranceBelowRequired,
                    UnsatisfactorySafetyRating,
                ],
                vec![Mcs150Outdated],
            ),
        ];
        for (name, carrier, want_reasons, want_warnings) in cases {
            let v = judge(Finding::Carrier { carrier: &carrier, ambiguous_docket: false });
            assert_eq!(v.reasons, want_reasons, "{name}");
            assert_eq!(v.warnings, want_warnings, "{name}");
            let want_status = if want_reasons.is_empty() { Status::Eligible } else { Status::Ineligible };
            assert_eq!(v.status, want_status, "{name}");
        }
    }

    #[test]
    fn not_found_and_ambiguous_dockets() {
        let v = judge(Finding::NotFound);
        assert_eq!(v.status, Status::NotFound);
        assert_eq!(v.reasons, vec![CarrierNotFound]);
        assert_eq!(v.status.eligible(), Some(false));

        let c = with(|c| c.safety_rating = Some(SafetyRating::Conditional));
        let chosen = judge(Finding::Carrier { carrier: &c, ambiguous_docket: true });
        assert_eq!(chosen.status, Status::Eligible);
        assert_eq!(chosen.warnings, vec![ConditionalSafetyRating, Warning::AmbiguousDocket]);

        let v = judge(Finding::UnresolvedDocket);
        assert_eq!(v.status, Status::Ineligible);
        assert_eq!(v.reasons, vec![Reason::AmbiguousDocket]);
        assert_eq!(Status::Unavailable.eligible(), None);
    }

    #[test]
    fn codes_are_the_spec_spellings_in_spec_order() {
        let all = [
            CarrierNotFound,
            NotAllowedToOperate,
            UsdotInactive,
            NoActiveCarrierAuthority,
            BrokerOnlyAuthority,
            OutOfService,
            InsuranceBelowRequired,
            UnsatisfactorySafetyRating,
            Reason::AmbiguousDocket,
        ];
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        for r in all {
            assert_eq!(serde_json::to_value(r).unwrap(), r.code());
        }
        for w in [ConditionalSafetyRating, Mcs150Outdated, Warning::AmbiguousDocket] {
            assert_eq!(serde_json::to_value(w).unwrap(), w.code());
        }
        assert_eq!(Mcs150Outdated.code(), "MCS150_OUTDATED");
        for s in [Status::Eligible, Status::Ineligible, Status::NotFound, Status::Unavailable] {
            assert_eq!(Status::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }

    fn mc(n: &str) -> Docket {
        Docket { prefix: "MC".into(), number: n.into() }
    }

    #[test]
    fn the_record_holding_the_mc_docket_is_chosen() {
        let ff = Docket { prefix: "FF".into(), number: "424242".into() };
        assert_eq!(choose_by_docket(&[Some(vec![ff.clone()]), Some(vec![mc("424242")])], "424242"), Some(1));
        assert_eq!(choose_by_docket(&[None, Some(vec![mc("1"), mc("424242")])], "424242"), Some(1));
        // Both hold it, or neither can be read: nobody is chosen.
        assert_eq!(choose_by_docket(&[Some(vec![mc("424242")]), Some(vec![mc("424242")])], "424242"), None);
        assert_eq!(choose_by_docket(&[None, None], "424242"), None);
        assert_eq!(choose_by_docket(&[Some(vec![ff])], "424242"), None);
    }

    #[test]
    fn the_only_active_allowed_record_is_chosen() {
        let old = with(|c| {
            c.allowed_to_operate = false;
            c.usdot_status = Some("I".into())
        });
        assert_eq!(choose_active(&[good(), old.clone()]), Some(0));
        assert_eq!(choose_active(&[old.clone(), good()]), Some(1));
        assert_eq!(choose_active(&[good(), good()]), None);
        assert_eq!(choose_active(&[old.clone(), old]), None);
    }
}
