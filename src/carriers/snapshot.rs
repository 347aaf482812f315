//! The offline FMCSA snapshot: `data/carriers.json`, embedded in the binary, answers
//! every verification when no `FMCSA_WEB_KEY` is configured (demos, development, CI).
//!
//! Each entry is `{"mc_number": "700010", "carrier": {QCMobile carrier object}}` with
//! QCMobile's own encodings, so the same reader and rules serve it as live answers
//! (`data/README.md` lists the demo MC numbers and the verdict each must get). A docket
//! with several entries (MC 700050) is settled the way the snapshot's generator assumes:
//! the one record that is active and allowed to operate, else nobody
//! ([`eligibility::choose_active`]).

use super::carrier::Carrier;
use super::eligibility;
use super::query::{CarrierQuery, Lookup};
use crate::types::McNumber;
use anyhow::{bail, Context};
use serde::Deserialize;
use serde_json::Value;

pub const SNAPSHOT_JSON: &str = include_str!("../../data/carriers.json");

#[derive(Deserialize)]
struct RawEntry {
    mc_number: String,
    carrier: Value,
}

struct Entry {
    mc_number: String,
    raw: Value,
    carrier: Carrier,
}

pub struct Snapshot {
    entries: Vec<Entry>,
}

impl Snapshot {
    /// The snapshot bundled in the binary.
    pub fn bundled() -> anyhow::Result<Snapshot> {
        Snapshot::parse(SNAPSHOT_JSON).context("the bundled data/carriers.json")
    }

    /// Reads and checks a snapshot: MC numbers already normalised, every carrier readable.
    pub fn parse(json: &str) -> anyhow::Result<Snapshot> {
        let raw: Vec<RawEntry> = serde_json::from_str(json).context("not a JSON array of entries")?;
        let mut entries = Vec::with_capacity(raw.len());
        for (i, e) in raw.into_iter().enumerate() {
            let mc = McNumber::parse(&e.mc_number).map_err(|why| anyhow::anyhow!("entry {i}: {why}"))?;
            if mc.as_str() != e.mc_number {
                bail!("entry {i}: mc_number `{}` is not normalised (digits, no leading zeros)", e.mc_number);
            }
            let carrier = Carrier::from_qcmobile(&e.carrier)
                .map_err(|why| anyhow::anyhow!("entry {i} (MC {}): {why}", e.mc_number))?;
            entries.push(Entry { mc_number: e.mc_number, raw: e.carrier, carrier });
        }
        Ok(Snapshot { entries })
    }

    /// Carrier records in the snapshot.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn lookup(&self, query: &CarrierQuery) -> Lookup {
        match query {
            CarrierQuery::Mc(mc) => {
                let on_docket: Vec<&Entry> = self.entries.iter().filter(|e| e.mc_number == mc.as_str()).collect();
                let mc_number = Some(mc.as_str().to_string());
                let chosen = match on_docket.len() {
                    0 => return Lookup::NotFound,
                    1 => Some(0),
                    _ => {
                        let carriers: Vec<Carrier> = on_docket.iter().map(|e| e.carrier.clone()).collect();
                        eligibility::choose_active(&carriers)
                    }
                };
                match chosen {
                    Some(i) => {
                        Lookup::Found { carrier: on_docket[i].raw.clone(), mc_number, docket_records: on_docket.len() }
                    }
                    None => Lookup::Unresolved { mc_number, docket_records: on_docket.len() },
                }
            }
            CarrierQuery::Dot(dot) => self
                .entries
                .iter()
                .find(|e| e.carrier.dot_number.as_deref() == Some(dot.as_str()))
                .map(|e| Lookup::Found {
                    carrier: e.raw.clone(),
                    mc_number: Some(e.mc_number.clone()),
                    docket_records: 1,
                })
                .unwrap_or(Lookup::NotFound),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::carriers::eligibility::{judge, Finding, Status};
    use crate::carriers::query::DotNumber;

    fn verdict_of(s: &Snapshot, mc: &str) -> (Status, Vec<&'static str>, Vec<&'static str>) {
        let q = CarrierQuery::Mc(McNumber::parse(mc).unwrap());
        let lookup = s.lookup(&q);
        let carrier;
        let finding = match &lookup {
            Lookup::NotFound => Finding::NotFound,
            Lookup::Unresolved { .. } => Finding::UnresolvedDocket,
            Lookup::Found { carrier: raw, docket_records, .. } => {
                carrier = Carrier::from_qcmobile(raw).unwrap();
                Finding::Carrier { carrier: &carrier, ambiguous_docket: *docket_records > 1 }
            }
        };
        let v = judge(finding);
        (v.status, v.reasons.iter().map(|r| r.code()).collect(), v.warnings.iter().map(|w| w.code()).collect())
    }

    /// The demo MC table of `data/README.md`, row by row.
    #[test]
    fn every_demo_mc_gets_its_documented_verdict() {
        let s = Snapshot::bundled().unwrap();
        assert_eq!(s.len(), 33);
        for mc in 700010..=700028 {
            let (status, reasons, warnings) = verdict_of(&s, &mc.to_string());
            assert_eq!(status, Status::Eligible, "MC {mc}: {reasons:?}");
            assert!(warnings.is_empty(), "MC {mc}: {warnings:?}");
        }
        let table: &[(&str, Status, &[&str], &[&str])] = &[
            ("700030", Status::Eligible, &[], &["CONDITIONAL_SAFETY_RATING"]),
            ("700031", Status::Eligible, &[], &["MCS150_OUTDATED"]),
            ("700032", Status::Eligible, &[], &["CONDITIONAL_SAFETY_RATING", "MCS150_OUTDATED"]),
            ("700040", Status::Ineligible, &["NOT_ALLOWED_TO_OPERATE"], &[]),
            ("700041", Status::Ineligible, &["USDOT_INACTIVE"], &[]),
            ("700042", Status::Ineligible, &["NO_ACTIVE_CARRIER_AUTHORITY"], &[]),
            ("700043", Status::Ineligible, &["BROKER_ONLY_AUTHORITY"], &[]),
            ("700044", Status::Ineligible, &["OUT_OF_SERVICE"], &[]),
            ("700045", Status::Ineligible, &["INSURANCE_BELOW_REQUIRED"], &[]),
            ("700046", Status::Ineligible, &["INSURANCE_BELOW_REQUIRED"], &[]),
            ("700047", Status::Ineligible, &["UNSATISFACTORY_SAFETY_RATING"], &[]),
            (
                "700049",
                Status::Ineligible,
                &[
                    "NOT_ALLOWED_TO_OPERATE",
                    "USDOT_INACTIVE",
                    "NO_ACTIVE_CARRIER_AUTHORITY",
                    "INSURANCE_BELOW_REQUIRED",
                ],
                &["MCS150_OUTDATED"],
            ),
            ("700050", Status::Eligible, &[], &["AMBIGUOUS_DOCKET"]),
            ("799999", Status::NotFound, &["CARRIER_NOT_FOUND"], &[]),
        ];
        for (mc, status, reasons, warnings) in table {
            let got = verdict_of(&s, mc);
            assert_eq!(got, (*status, reasons.to_vec(), warnings.to_vec()), "MC {mc}");
        }
    }

    #[test]
    fn the_active_record_of_the_ambiguous_docket_is_chosen() {
        let s = Snapshot::bundled().unwrap();
        let q = CarrierQuery::Mc(McNumber::parse("700050").unwrap());
        match s.lookup(&q) {
            Lookup::Found { carrier, docket_records, .. } => {
                assert_eq!(carrier["dotNumber"], 9100050);
                assert_eq!(docket_records, 2);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn usdot_queries_find_the_record_and_its_mc() {
        let s = Snapshot::bundled().unwrap();
        let q = CarrierQuery::Dot(DotNumber::parse("9100010").unwrap());
        match s.lookup(&q) {
            Lookup::Found { mc_number, .. } => assert_eq!(mc_number.as_deref(), Some("700010")),
            other => panic!("{other:?}"),
        }
        let q = CarrierQuery::Dot(DotNumber::parse("1").unwrap());
        assert_eq!(s.lookup(&q), Lookup::NotFound);
    }

    #[test]
    fn a_malformed_snapshot_is_refused() {
        assert!(Snapshot::parse("{}").is_err());
        assert!(Snapshot::parse(r#"[{"mc_number": "MC-1", "carrier": {"legalName": "A"}}]"#).is_err());
        assert!(Snapshot::parse(r#"[{"mc_number": "1", "carrier": {}}]"#).is_err());
        assert_eq!(Snapshot::parse(r#"[{"mc_number": "1", "carrier": {"legalName": "A"}}]"#).unwrap().len(), 1);
    }
}
