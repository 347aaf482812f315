//! A carrier as FMCSA's QCMobile API describes it, read into plain types.
//!
//! QCMobile's `carrier` object (real bodies in `tests/fixtures/fmcsa/`, SPEC §6) uses terse
//! encodings. What each field means, per FMCSA's QCMobile documentation and the captured
//! responses:
//! - `allowedToOperate` "Y"/"N": FMCSA's own verdict that the entity may operate now
//!   (authority granted, insurance filed, no out-of-service order in effect).
//! - `statusCode`: the USDOT number's status, "A" active, "I" inactive.
//! - `commonAuthorityStatus`, `contractAuthorityStatus`, `brokerAuthorityStatus`: operating
//!   authority on the MC docket by kind, "A" active, "I" inactive, "N" never held.
//! - `bipdInsuranceOnFile`, `bipdRequiredAmount`, `cargoInsuranceOnFile`: strings in
//!   **thousands** of USD ("750" = $750,000, "0" = none). `bipdInsuranceRequired` is "Y",
//!   "N" or "u" (unknown); only "Y" makes the required amount binding.
//! - `safetyRating`: "S" Satisfactory, "C" Conditional, "U" Unsatisfactory, null = never
//!   rated (most carriers; not a fault).
//! - `oosDate`: the date of the carrier's out-of-service order, null when there is none.
//! - `mcs150Outdated` "Y": the biennial MCS-150 registration update is overdue.
//! - `dotNumber` is a number; null fields are sent as `null`, not left out.
//!
//! Reading is lenient (numbers as strings or numbers, any case, stray spaces) because the
//! same reader serves live answers, cached records and the bundled snapshot.

use crate::parse::schema::Usd;
use crate::types::Money;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// One kind of operating authority (common, contract, broker).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Authority {
    Active,
    Inactive,
    None,
}

impl Authority {
    fn from_code(code: Option<&str>) -> Authority {
        match code.map(str::to_ascii_uppercase).as_deref() {
            Some("A") => Authority::Active,
            Some("I") => Authority::Inactive,
            _ => Authority::None,
        }
    }

    pub fn is_active(self) -> bool {
        self == Authority::Active
    }
}

/// FMCSA's compliance-review safety rating (a carrier never rated has none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SafetyRating {
    Satisfactory,
    Conditional,
    Unsatisfactory,
}

/// The USDOT number's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OperatingStatus {
    Active,
    Inactive,
    Unknown,
}

/// The fields of a QCMobile carrier object that verification uses or shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Carrier {
    pub dot_number: Option<String>,
    pub legal_name: Option<String>,
    pub dba_name: Option<String>,
    pub allowed_to_operate: bool,
    /// The raw `statusCode` ("A", "I"), kept to show what FMCSA said.
    pub usdot_status: Option<String>,
    pub common: Authority,
    pub contract: Authority,
    pub broker: Authority,
    pub bipd_on_file: Option<Money>,
    pub bipd_required: bool,
    /// The amount FMCSA requires, when it gives one.
    pub bipd_required_amount: Option<Money>,
    pub cargo_on_file: Option<Money>,
    pub safety_rating: Option<SafetyRating>,
    pub safety_rating_date: Option<String>,
    pub oos_date: Option<String>,
    pub mcs150_outdated: bool,
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub phone: Option<String>,
    pub total_power_units: Option<i64>,
    pub total_drivers: Option<i64>,
}

/// A text field: trimmed, `null`/empty as `None`; numbers are read as their digits.
fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn flag(v: &Value, key: &str) -> bool {
    matches!(v.get(key), Some(Value::Bool(true))) || text(v, key).is_some_and(|s| s.eq_ignore_ascii_case("Y"))
}

/// An insurance amount in thousands of USD ("750" → $750,000).
fn thousands_usd(v: &Value, key: &str) -> Option<Money> {
    let raw = text(v, key)?;
    let n: f64 = raw.replace(',', "").parse().ok()?;
    (n.is_finite() && n >= 0.0).then(|| Money::dollars((n * 1000.0).round() as i64))
}

fn whole(v: &Value, key: &str) -> Option<i64> {
    match v.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl Carrier {
    /// Reads a QCMobile `carrier` object. Fails only when it is not an object or names
    /// no carrier at all (neither a legal name nor a USDOT number).
    pub fn from_qcmobile(v: &Value) -> Result<Carrier, String> {
        if !v.is_object() {
            return Err("the carrier record is not a JSON object".into());
        }
        let dot_number = text(v, "dotNumber")
            .map(|d| d.trim_start_matches('0').to_string())
            .filter(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
        let legal_name = text(v, "legalName");
        if dot_number.is_none() && legal_name.is_none() {
            return Err("the carrier record has neither a legal name nor a USDOT number".into());
        }
        let safety_rating = match text(v, "safetyRating").map(|s| s.to_ascii_uppercase()).as_deref() {
            Some("S") => Some(SafetyRating::Satisfactory),
            Some("C") => Some(SafetyRating::Conditional),
            Some("U") => Some(SafetyRating::Unsatisfactory),
            _ => None,
        };
        Ok(Carrier {
            dot_number,
            legal_name,
            dba_name: text(v, "dbaName"),
            allowed_to_operate: flag(v, "allowedToOperate"),
            usdot_status: text(v, "statusCode").map(|s| s.to_ascii_uppercase()),
            common: Authority::from_code(text(v, "commonAuthorityStatus").as_deref()),
            contract: Authority::from_code(text(v, "contractAuthorityStatus").as_deref()),
            broker: Authority::from_code(text(v, "brokerAuthorityStatus").as_deref()),
            bipd_on_file: thousands_usd(v, "bipdInsuranceOnFile"),
            bipd_required: flag(v, "bipdInsuranceRequired"),
            bipd_required_amount: thousands_usd(v, "bipdRequiredAmount").filter(|m| m.0 > 0),
            cargo_on_file: thousands_usd(v, "cargoInsuranceOnFile"),
            safety_rating,
            safety_rating_date: text(v, "safetyRatingDate"),
            oos_date: text(v, "oosDate"),
            mcs150_outdated: flag(v, "mcs150Outdated"),
            street: text(v, "phyStreet"),
            city: text(v, "phyCity"),
            state: text(v, "phyState").map(|s| s.to_ascii_uppercase()),
            zip: text(v, "phyZipcode"),
            phone: text(v, "telephone").or_else(|| text(v, "phone")),
            total_power_units: whole(v, "totalPowerUnits"),
            total_drivers: whole(v, "totalDrivers"),
        })
    }

    /// USDOT status "A". Anything else (inactive, missing) is not active.
    pub fn usdot_active(&self) -> bool {
        self.usdot_status.as_deref() == Some("A")
    }

    /// "4100 INDUSTRIAL PKWY, FORT WORTH, TX 76106", as FMCSA spells it.
    pub fn physical_address(&self) -> Option<String> {
        let state_zip = match (&self.state, &self.zip) {
            (Some(s), Some(z)) => Some(format!("{s} {z}")),
            (Some(s), None) => Some(s.clone()),
            (None, Some(z)) => Some(z.clone()),
            (None, None) => None,
        };
        let parts: Vec<String> = [self.street.clone(), self.city.clone(), state_zip].into_iter().flatten().collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    /// What the API shows about the carrier (SPEC §3.1 `carrier`).
    pub fn view(&self) -> CarrierView {
        CarrierView {
            legal_name: self.legal_name.clone(),
            dba_name: self.dba_name.clone(),
            dot_number: self.dot_number.clone(),
            allowed_to_operate: self.allowed_to_operate,
            operating_status: match self.usdot_status.as_deref() {
                Some("A") => OperatingStatus::Active,
                Some("I") => OperatingStatus::Inactive,
                _ => OperatingStatus::Unknown,
            },
            common_authority: self.common,
            contract_authority: self.contract,
            broker_authority: self.broker,
            bipd_insurance_on_file_usd: self.bipd_on_file,
            bipd_required_usd: if self.bipd_required { self.bipd_required_amount } else { None },
            cargo_insurance_on_file_usd: self.cargo_on_file,
            safety_rating: self.safety_rating,
            safety_rating_date: self.safety_rating_date.clone(),
            out_of_service_date: self.oos_date.clone(),
            physical_address: self.physical_address(),
            physical_city: self.city.clone(),
            physical_state: self.state.clone(),
            phone: self.phone.clone(),
            total_power_units: self.total_power_units,
            total_drivers: self.total_drivers,
            mcs150_outdated: self.mcs150_outdated,
        }
    }
}

/// The carrier as FMCSA describes it (the `carrier` member of a verification answer):
/// insurance in USD (not thousands), statuses in words.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[schema(as = Carrier)]
pub struct CarrierView {
    #[schema(required = true)]
    pub legal_name: Option<String>,
    #[schema(required = true)]
    pub dba_name: Option<String>,
    #[schema(required = true)]
    pub dot_number: Option<String>,
    pub allowed_to_operate: bool,
    pub operating_status: OperatingStatus,
    pub common_authority: Authority,
    pub contract_authority: Authority,
    pub broker_authority: Authority,
    #[schema(required = true, value_type = Option<Usd>)]
    pub bipd_insurance_on_file_usd: Option<Money>,
    /// Null when FMCSA requires no BIPD insurance of this carrier.
    #[schema(required = true, value_type = Option<Usd>)]
    pub bipd_required_usd: Option<Money>,
    #[schema(required = true, value_type = Option<Usd>)]
    pub cargo_insurance_on_file_usd: Option<Money>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, value_type = String)]
    pub phone: Option<String>,
    #[schema(required = true)]
    pub total_power_units: Option<i64>,
    #[schema(required = true)]
    pub total_drivers: Option<i64>,
    /// The biennial MCS-150 update is overdue.
    pub mcs150_outdated: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture(name: &str) -> Value {
        let path = format!("{}/tests/fixtures/fmcsa/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).unwrap()
    }

    #[test]
    fn reads_a_real_qcmobile_carrier_object() {
        let body = fixture("carrier_by_dot_158121_active.json");
        let c = Carrier::from_qcmobile(&body["content"]["carrier"]).unwrap();
        assert_eq!(c.dot_number.as_deref(), Some("158121"));
        assert_eq!(c.legal_name.as_deref(), Some("VERIHA TRUCKING INC"));
        assert_eq!(c.dba_name, None);
        assert!(c.allowed_to_operate);
        assert!(c.usdot_active());
        assert_eq!(c.common, Authority::Active);
        assert_eq!(c.contract, Authority::Active);
        assert_eq!(c.broker, Authority::None);
        assert_eq!(c.bipd_on_file, Some(Money::dollars(1_000_000)));
        assert!(c.bipd_required);
        assert_eq!(c.bipd_required_amount, Some(Money::dollars(750_000)));
        assert_eq!(c.cargo_on_file, Some(Money::dollars(0)));
        assert_eq!(c.safety_rating, Some(SafetyRating::Satisfactory));
        assert_eq!(c.oos_date, None);
        assert!(!c.mcs150_outdated);
        assert_eq!(c.physical_address().as_deref(), Some("2830 CLEVELAND AVE, MARINETTE, WI 54143"));
        assert_eq!(c.total_power_units, Some(213));
    }

    #[test]
    fn reads_the_constructed_out_of_service_carrier() {
        let body = fixture("carrier_by_dot_CONSTRUCTED_out_of_service.json");
        let c = Carrier::from_qcmobile(&body["content"]["carrier"]).unwrap();
        assert!(!c.allowed_to_operate);
        assert_eq!(c.usdot_status.as_deref(), Some("I"));
        assert_eq!(c.oos_date.as_deref(), Some("2024-11-02"));
        assert_eq!(c.safety_rating, Some(SafetyRating::Unsatisfactory));
        assert_eq!(c.dba_name.as_deref(), Some("SFX"));
    }

    #[test]
    fn encodings_are_read_leniently() {
        let c = Carrier::from_qcmobile(&json!({
            "dotNumber": "0044110", "legalName": "  X LLC ", "allowedToOperate": "y",
            "statusCode": "a", "commonAuthorityStatus": "a", "bipdInsuranceOnFile": 1000,
            "bipdInsuranceRequired": "u", "bipdRequiredAmount": "0", "safetyRating": "c",
            "totalPowerUnits": "7"
        }))
        .unwrap();
        assert_eq!(c.dot_number.as_deref(), Some("44110"));
        assert_eq!(c.legal_name.as_deref(), Some("X LLC"));
        assert!(c.allowed_to_operate && c.usdot_active());
        assert_eq!(c.common, Authority::Active);
        assert_eq!(c.contract, Authority::None);
        assert_eq!(c.bipd_on_file, Some(Money::dollars(1_000_000)));
        assert!(!c.bipd_required);
        assert_eq!(c.bipd_required_amount, None);
        assert_eq!(c.safety_rating, Some(SafetyRating::Conditional));
        assert_eq!(c.total_power_units, Some(7));
        assert_eq!(c.view().bipd_required_usd, None);
        assert_eq!(c.view().operating_status, OperatingStatus::Active);
    }

    #[test]
    fn a_record_naming_no_carrier_is_refused() {
        assert!(Carrier::from_qcmobile(&json!("Webkey not found")).is_err());
        assert!(Carrier::from_qcmobile(&json!({"allowedToOperate": "Y"})).is_err());
    }

    #[test]
    fn the_view_speaks_usd_and_words() {
        let body = fixture("carrier_by_docket_mc1515_active_multi_authority.json");
        let c = Carrier::from_qcmobile(&body["content"][0]["carrier"]).unwrap();
        let v = serde_json::to_value(c.view()).unwrap();
        assert_eq!(v["legal_name"], "GREYHOUND LINES INC");
        assert_eq!(v["dba_name"], "BOLT BUS");
        assert_eq!(v["dot_number"], "44110");
        assert_eq!(v["bipd_insurance_on_file_usd"], 5_000_000);
        assert_eq!(v["bipd_required_usd"], 5_000_000);
        assert_eq!(v["cargo_insurance_on_file_usd"], 0);
        assert_eq!(v["common_authority"], "active");
        assert_eq!(v["broker_authority"], "inactive");
        assert_eq!(v["safety_rating"], "satisfactory");
        assert_eq!(v["operating_status"], "active");
        assert!(v.get("phone").is_none());
    }
}
