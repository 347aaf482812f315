#!/usr/bin/env python3
"""Generate data/carriers.json, the offline FMCSA snapshot, and validate it.

    python3 data/tools/gen_carriers.py           # generate + validate
    python3 data/tools/gen_carriers.py --check   # validate the existing file only
    python3 data/tools/gen_carriers.py --table   # print the demo MC table (markdown)

Every carrier is INVENTED for demos: names, MC numbers (700001-700099), USDOT
numbers (9,1xx,xxx: a range FMCSA has not reached), street addresses. Cities and
ZIP codes are real places so addresses look normal. No EINs are invented
(`ein` is null throughout).

Each entry is {"mc_number": "700010", "carrier": {...}} where the carrier object
has exactly the keys and value encodings of a QCMobile `carrier` object (see
shared/fixtures/fmcsa/): Y/N flags, "A"/"I"/"N" authority statuses, insurance
amounts as strings in thousands of USD, dates "YYYY-MM-DD" or null, null
fields present as null.

The expected verdict of each demo MC is computed here with the rules of
SPEC section 6 and checked against what the entry was written to show.
Standard library only; deterministic (fixed seed).
"""
import argparse
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, ".."))
OUT = os.path.join(DATA, "carriers.json")
# In CI and on developer machines shared/ sits beside the repository.
FIXTURE_DIRS = [
    os.path.normpath(os.path.join(DATA, "..", "..", "shared", "fixtures", "fmcsa")),
    os.path.normpath(os.path.join(DATA, "..", "shared", "fixtures", "fmcsa")),
]
SEED = 700001

# The exact key set of a QCMobile `carrier` object (53 keys, as in the fixtures).
CARRIER_KEYS = [
    "allowedToOperate", "bipdInsuranceOnFile", "bipdInsuranceRequired",
    "bipdRequiredAmount", "bondInsuranceOnFile", "bondInsuranceRequired",
    "brokerAuthorityStatus", "cargoInsuranceOnFile", "cargoInsuranceRequired",
    "carrierOperation", "censusTypeId", "commonAuthorityStatus",
    "contractAuthorityStatus", "crashTotal", "dbaName", "dotNumber", "driverInsp",
    "driverOosInsp", "driverOosRate", "driverOosRateNationalAverage", "ein",
    "fatalCrash", "hazmatInsp", "hazmatOosInsp", "hazmatOosRate",
    "hazmatOosRateNationalAverage", "injCrash", "isPassengerCarrier", "issScore",
    "legalName", "mcs150Outdated", "oosDate", "oosRateNationalAverageYear",
    "phyCity", "phyCountry", "phyState", "phyStreet", "phyZipcode", "reviewDate",
    "reviewType", "safetyRating", "safetyRatingDate", "safetyReviewDate",
    "safetyReviewType", "snapshotDate", "statusCode", "totalDrivers",
    "totalPowerUnits", "towawayCrash", "vehicleInsp", "vehicleOosInsp",
    "vehicleOosRate", "vehicleOosRateNationalAverage",
]

REASON_ORDER = [
    "CARRIER_NOT_FOUND", "NOT_ALLOWED_TO_OPERATE", "USDOT_INACTIVE",
    "NO_ACTIVE_CARRIER_AUTHORITY", "BROKER_ONLY_AUTHORITY", "OUT_OF_SERVICE",
    "INSURANCE_BELOW_REQUIRED", "UNSATISFACTORY_SAFETY_RATING",
]
WARNING_ORDER = ["CONDITIONAL_SAFETY_RATING", "MCS150_OUTDATED", "AMBIGUOUS_DOCKET"]

# ---------------------------------------------------------------------------
# The demo carriers.
#   mc, dot, legal name, dba, street, city, state, zip, drivers, power units,
#   overrides (QCMobile fields that differ from a clean, eligible carrier),
#   expected reasons, expected warnings, what it demonstrates
# ---------------------------------------------------------------------------
S_RATED = lambda date, review: {  # noqa: E731 - small helper for a rated carrier
    "safetyRating": "S", "safetyRatingDate": date, "reviewDate": review,
    "reviewType": "C", "safetyReviewDate": review, "safetyReviewType": "C",
}

DEMO = [
    # ---- eligible, no warnings -------------------------------------------
    dict(mc="700010", dot=9100010, name="PRAIRIE LANTERN TRANSPORT LLC", dba=None,
         street="4100 INDUSTRIAL PKWY", city="FORT WORTH", state="TX", zip="76106",
         drivers=42, units=38, over=S_RATED("2019-05-14", "2019-05-09"),
         purpose="main demo carrier (DFW dry van fleet), Satisfactory rating"),
    dict(mc="700011", dot=9100011, name="MAGNOLIA CROSSWIND LOGISTICS INC",
         dba="CROSSWIND FREIGHT", street="1875 COMMERCE DR", city="ATLANTA", state="GA",
         zip="30336", drivers=12, units=11, over={},
         purpose="eligible, not rated (safetyRating null), has a DBA name"),
    dict(mc="700012", dot=9100012, name="COPPER MESA HAULERS LLC", dba=None,
         street="3300 W LOGISTICS WAY", city="PHOENIX", state="AZ", zip="85043",
         drivers=6, units=6,
         over={"bipdInsuranceOnFile": "750", "cargoInsuranceOnFile": "0"},
         purpose="eligible; BIPD on file exactly equals required ($750k); cargo insurance \"0\""),
    dict(mc="700013", dot=9100013, name="RIVERBEND REEFER EXPRESS LLC", dba=None,
         street="5150 DISTRIBUTION DR", city="MEMPHIS", state="TN", zip="38118",
         drivers=65, units=58, over=dict(S_RATED("2021-03-02", "2021-02-24"),
                                         contractAuthorityStatus="A"),
         purpose="eligible reefer fleet, Satisfactory, common + contract authority"),
    dict(mc="700014", dot=9100014, name="KESTREL RIDGE FREIGHT LLC", dba=None,
         street="2200 S FREIGHT RD", city="SALT LAKE CITY", state="UT", zip="84104",
         drivers=9, units=8, over={},
         purpose="eligible, not rated"),
    dict(mc="700015", dot=9100015, name="OWL CREEK FLATBED INC", dba=None,
         street="900 STEELWORKS AVE", city="BIRMINGHAM", state="AL", zip="35207",
         drivers=27, units=25, over=S_RATED("2017-10-19", "2017-10-12"),
         purpose="eligible flatbed fleet, Satisfactory"),
    dict(mc="700016", dot=9100016, name="SIERRA BLUEJAY TRUCKING LLC", dba=None,
         street="2741 S ORCHARD AVE", city="FRESNO", state="CA", zip="93706",
         drivers=4, units=4, over={"cargoInsuranceOnFile": "0"},
         purpose="eligible small reefer carrier, not rated, cargo insurance \"0\""),
    dict(mc="700017", dot=9100017, name="HARBOR GULL CARTAGE LLC", dba="HARBOR GULL",
         street="150 TERMINAL WAY", city="NEWARK", state="NJ", zip="07105",
         drivers=15, units=14, over={},
         purpose="eligible port/drayage carrier, not rated"),
    dict(mc="700018", dot=9100018, name="CORNFIELD COMET EXPRESS INC", dba=None,
         street="6400 NE TRUCKERS LN", city="DES MOINES", state="IA", zip="50313",
         drivers=31, units=29, over=S_RATED("2016-06-21", "2016-06-15"),
         purpose="eligible, Satisfactory"),
    dict(mc="700019", dot=9100019, name="TUMBLEWEED TANDEM LINES LLC", dba=None,
         street="12 BORDER PLAZA DR", city="LAREDO", state="TX", zip="78045",
         drivers=1, units=1, over={},
         purpose="eligible owner-operator (1 truck), not rated"),
    dict(mc="700020", dot=9100020, name="BUCKEYE LAMPLIGHTER TRANSPORT LLC", dba=None,
         street="3900 GATEWAY BLVD", city="COLUMBUS", state="OH", zip="43207",
         drivers=54, units=50,
         over=dict(S_RATED("2020-01-28", "2020-01-22"), brokerAuthorityStatus="A",
                   bondInsuranceOnFile="75", bondInsuranceRequired="Y"),
         purpose="eligible: carrier AND broker authority active (not broker-only)"),
    dict(mc="700021", dot=9100021, name="CASCADE OTTER FREIGHT INC", dba=None,
         street="1800 PORT OF TACOMA RD", city="TACOMA", state="WA", zip="98421",
         drivers=18, units=16, over={},
         purpose="eligible, not rated"),
    dict(mc="700022", dot=9100022, name="SWEETGUM POWER LOGISTICS LLC", dba=None,
         street="2600 WESTINGHOUSE PARK DR", city="CHARLOTTE", state="NC", zip="28208",
         drivers=22, units=22,
         over={"commonAuthorityStatus": "N", "contractAuthorityStatus": "A"},
         purpose="eligible on CONTRACT authority only (common \"N\")"),
    dict(mc="700023", dot=9100023, name="RED FOX ROLLING STOCK LLC", dba=None,
         street="7700 E FRONT ST", city="KANSAS CITY", state="MO", zip="64120",
         drivers=36, units=33, over=S_RATED("2022-04-06", "2022-03-30"),
         purpose="eligible, Satisfactory"),
    dict(mc="700024", dot=9100024, name="JUNIPER HOLLOW CARRIERS LLC", dba=None,
         street="450 E GLENDALE AVE", city="RENO", state="NV", zip="89502",
         drivers=11, units=10,
         over={"bipdInsuranceOnFile": "5000", "bipdRequiredAmount": "5000",
               "hazmatInsp": 6},
         purpose="eligible hazmat carrier: $5M BIPD required and on file"),
    dict(mc="700025", dot=9100025, name="BAYOU HERON TRANSPORT LLC", dba=None,
         street="8800 CLINTON DR", city="HOUSTON", state="TX", zip="77029",
         drivers=8, units=7, over={"cargoInsuranceOnFile": "0"},
         purpose="eligible, not rated, cargo insurance \"0\""),
    dict(mc="700026", dot=9100026, name="GOLDEN WHEAT EXPRESS LLC", dba=None,
         street="3100 N GRAIN ELEVATOR RD", city="WICHITA", state="KS", zip="67219",
         drivers=19, units=19, over=S_RATED("2018-08-30", "2018-08-23"),
         purpose="eligible, Satisfactory"),
    dict(mc="700027", dot=9100027, name="TIDEWATER KITE LOGISTICS LLC", dba=None,
         street="5500 VIRGINIA BEACH BLVD", city="NORFOLK", state="VA", zip="23502",
         drivers=5, units=5, over={},
         purpose="eligible, not rated"),
    dict(mc="700028", dot=9100028, name="SAWTOOTH MARMOT TRANSPORT LLC", dba=None,
         street="10 W TRUCK STOP LN", city="BOISE", state="ID", zip="83709",
         drivers=3, units=3, over={},
         purpose="eligible, not rated"),
    # ---- eligible with warnings ------------------------------------------
    dict(mc="700030", dot=9100030, name="TIN CUP CARRIERS LLC", dba=None,
         street="5200 BRIGHTON BLVD", city="DENVER", state="CO", zip="80216",
         drivers=14, units=13,
         over={"safetyRating": "C", "safetyRatingDate": "2025-08-12",
               "reviewDate": "2025-08-04", "reviewType": "C",
               "safetyReviewDate": "2025-08-04", "safetyReviewType": "C"},
         warnings=["CONDITIONAL_SAFETY_RATING"],
         purpose="eligible with warning: Conditional safety rating"),
    dict(mc="700031", dot=9100031, name="OLD MILL ROAD TRANSPORT INC", dba=None,
         street="6000 JONESTOWN RD", city="HARRISBURG", state="PA", zip="17111",
         drivers=7, units=7, over={"mcs150Outdated": "Y"},
         warnings=["MCS150_OUTDATED"],
         purpose="eligible with warning: MCS-150 biennial update overdue"),
    dict(mc="700032", dot=9100032, name="THISTLE DOWN TRANSPORT LLC", dba=None,
         street="4300 POPLAR LEVEL RD", city="LOUISVILLE", state="KY", zip="40213",
         drivers=10, units=9,
         over={"safetyRating": "C", "safetyRatingDate": "2024-02-20",
               "reviewDate": "2024-02-13", "reviewType": "C",
               "safetyReviewDate": "2024-02-13", "safetyReviewType": "C",
               "mcs150Outdated": "Y"},
         warnings=["CONDITIONAL_SAFETY_RATING", "MCS150_OUTDATED"],
         purpose="eligible with two warnings: Conditional rating and MCS-150 outdated"),
    # ---- ineligible, exactly one failed rule each --------------------------
    dict(mc="700040", dot=9100040, name="GRAVEL CREEK HAULING LLC", dba=None,
         street="1500 LEHIGH ST", city="ALLENTOWN", state="PA", zip="18109",
         drivers=4, units=4, over={"allowedToOperate": "N"},
         reasons=["NOT_ALLOWED_TO_OPERATE"],
         purpose="ineligible: allowedToOperate \"N\""),
    dict(mc="700041", dot=9100041, name="DUSTY ROSE FREIGHT LLC", dba=None,
         street="2900 S MERIDIAN AVE", city="OKLAHOMA CITY", state="OK", zip="73129",
         drivers=2, units=2, over={"statusCode": "I"},
         reasons=["USDOT_INACTIVE"],
         purpose="ineligible: USDOT status inactive (statusCode \"I\")"),
    dict(mc="700042", dot=9100042, name="PINE KNOT EXPRESS LLC", dba=None,
         street="7400 PHILIPS HWY", city="JACKSONVILLE", state="FL", zip="32256",
         drivers=3, units=3,
         over={"commonAuthorityStatus": "I", "contractAuthorityStatus": "N",
               "brokerAuthorityStatus": "N"},
         reasons=["NO_ACTIVE_CARRIER_AUTHORITY"],
         purpose="ineligible: common authority inactive, no contract or broker authority"),
    dict(mc="700043", dot=9100043, name="SILVER SPUR LOGISTICS LLC", dba=None,
         street="1717 MAIN ST STE 400", city="DALLAS", state="TX", zip="75201",
         drivers=0, units=0,
         over={"commonAuthorityStatus": "N", "contractAuthorityStatus": "N",
               "brokerAuthorityStatus": "A", "bipdInsuranceOnFile": "0",
               "bipdInsuranceRequired": "N", "bipdRequiredAmount": "0",
               "bondInsuranceOnFile": "75", "bondInsuranceRequired": "Y",
               "cargoInsuranceOnFile": "0"},
         reasons=["BROKER_ONLY_AUTHORITY"],
         purpose="ineligible: a freight broker calling as a carrier (only broker authority active; $75k bond, no BIPD required)"),
    dict(mc="700044", dot=9100044, name="NIGHTJAR ROAD LINES INC", dba=None,
         street="2500 S HIGH SCHOOL RD", city="INDIANAPOLIS", state="IN", zip="46241",
         drivers=16, units=15, over={"oosDate": "2026-10-27"},
         reasons=["OUT_OF_SERVICE"], bad_record=True,
         purpose="ineligible: out-of-service order dated 2026-10-27"),
    dict(mc="700045", dot=9100045, name="LAZY RIVER TRUCKING LLC", dba=None,
         street="400 BRAMPTON RD", city="SAVANNAH", state="GA", zip="31408",
         drivers=5, units=5, over={"bipdInsuranceOnFile": "0"},
         reasons=["INSURANCE_BELOW_REQUIRED"],
         purpose="ineligible: no BIPD insurance on file (\"0\" of \"750\" required)"),
    dict(mc="700046", dot=9100046, name="BLUE FLAME TANK LINES LLC", dba=None,
         street="3200 SPINDLETOP AVE", city="BEAUMONT", state="TX", zip="77705",
         drivers=12, units=12,
         over={"bipdInsuranceOnFile": "1000", "bipdRequiredAmount": "5000",
               "hazmatInsp": 14, "hazmatOosInsp": 1},
         reasons=["INSURANCE_BELOW_REQUIRED"],
         purpose="ineligible: hazmat carrier with $1M BIPD on file, $5M required"),
    dict(mc="700047", dot=9100047, name="CROOKED FENCE CARRIERS LLC", dba=None,
         street="2100 N PACKER RD", city="SPRINGFIELD", state="MO", zip="65803",
         drivers=9, units=9,
         over={"safetyRating": "U", "safetyRatingDate": "2026-09-30",
               "reviewDate": "2026-09-22", "reviewType": "C",
               "safetyReviewDate": "2026-09-22", "safetyReviewType": "C"},
         reasons=["UNSATISFACTORY_SAFETY_RATING"], bad_record=True,
         purpose="ineligible: Unsatisfactory safety rating"),
    # ---- ineligible, several rules at once (authority revoked) -------------
    dict(mc="700049", dot=9100049, name="HOLLOW OAK FREIGHT SYSTEMS INC", dba="HOLLOW OAK",
         street="4800 E CRAIG RD", city="LAS VEGAS", state="NV", zip="89115",
         drivers=6, units=5,
         over={"allowedToOperate": "N", "statusCode": "I",
               "commonAuthorityStatus": "I", "contractAuthorityStatus": "I",
               "brokerAuthorityStatus": "N", "bipdInsuranceOnFile": "0",
               "cargoInsuranceOnFile": "0", "mcs150Outdated": "Y"},
         reasons=["NOT_ALLOWED_TO_OPERATE", "USDOT_INACTIVE",
                  "NO_ACTIVE_CARRIER_AUTHORITY", "INSURANCE_BELOW_REQUIRED"],
         warnings=["MCS150_OUTDATED"], bad_record=True,
         purpose="ineligible on four rules: authority revoked, not allowed, USDOT inactive, no BIPD"),
    # ---- ambiguous docket: two USDOT records on MC 700050 ------------------
    dict(mc="700050", dot=9100050, name="TWIN PINES TRANSPORT LLC", dba=None,
         street="1200 CUMBERLAND BEND", city="NASHVILLE", state="TN", zip="37228",
         drivers=20, units=18, over={},
         warnings=["AMBIGUOUS_DOCKET"],
         purpose="ambiguous docket, record 1 of 2: the active carrier, chosen"),
    dict(mc="700050", dot=9100051, name="TWIN PINES TRUCKING CO", dba=None,
         street="88 DICKERSON PIKE", city="NASHVILLE", state="TN", zip="37207",
         drivers=0, units=0,
         over={"allowedToOperate": "N", "statusCode": "I",
               "commonAuthorityStatus": "I", "contractAuthorityStatus": "N",
               "brokerAuthorityStatus": "N", "bipdInsuranceOnFile": "0",
               "cargoInsuranceOnFile": "0", "mcs150Outdated": "Y"},
         reasons=["NOT_ALLOWED_TO_OPERATE", "USDOT_INACTIVE",
                  "NO_ACTIVE_CARRIER_AUTHORITY", "INSURANCE_BELOW_REQUIRED"],
         warnings=["MCS150_OUTDATED"], ambiguous_loser=True, bad_record=True,
         purpose="ambiguous docket, record 2 of 2: an older, inactive USDOT record on the same docket (not chosen)"),
]

NOT_FOUND_MC = "799999"


# ---------------------------------------------------------------------------
def ratio(oos, insp):
    """OOS rate in percent, as QCMobile sends it (integer 0 when no inspections)."""
    if insp == 0:
        return 0
    r = oos * 100.0 / insp
    return int(r) if r == int(r) else r


def make_carrier(rng, d):
    units = d["units"]
    bad = d.get("bad_record", False)
    # inspections and crashes roughly proportional to the fleet
    vehicle_insp = max(0, int(units * rng.uniform(1.5, 4.0))) if units else 0
    driver_insp = max(0, int(vehicle_insp * rng.uniform(1.4, 2.2))) if units else 0
    v_oos_share = rng.uniform(0.25, 0.45) if bad else rng.uniform(0.04, 0.18)
    d_oos_share = rng.uniform(0.10, 0.25) if bad else rng.uniform(0.0, 0.06)
    vehicle_oos = int(round(vehicle_insp * v_oos_share))
    driver_oos = int(round(driver_insp * d_oos_share))
    fatal = 0
    inj = rng.randint(0, max(0, units // 15)) if units else 0
    tow = rng.randint(0, max(0, units // 8)) if units else 0
    hazmat_insp = 0
    c = {
        "allowedToOperate": "Y",
        "bipdInsuranceOnFile": "1000",
        "bipdInsuranceRequired": "Y",
        "bipdRequiredAmount": "750",
        "bondInsuranceOnFile": "0",
        "bondInsuranceRequired": "u",
        "brokerAuthorityStatus": "N",
        "cargoInsuranceOnFile": "100",
        "cargoInsuranceRequired": "u",
        "carrierOperation": {"carrierOperationCode": "A", "carrierOperationDesc": "Interstate"},
        "censusTypeId": {"censusType": "C", "censusTypeDesc": "CARRIER", "censusTypeId": 1},
        "commonAuthorityStatus": "A",
        "contractAuthorityStatus": "N",
        "crashTotal": fatal + inj + tow,
        "dbaName": d["dba"],
        "dotNumber": d["dot"],
        "driverInsp": driver_insp,
        "driverOosInsp": driver_oos,
        "driverOosRate": ratio(driver_oos, driver_insp),
        # national averages: the constants QCMobile sends (see the fixtures)
        "driverOosRateNationalAverage": "5.51",
        "ein": None,
        "fatalCrash": fatal,
        "hazmatInsp": hazmat_insp,
        "hazmatOosInsp": 0,
        "hazmatOosRate": 0,
        "hazmatOosRateNationalAverage": "4.5",
        "injCrash": inj,
        "isPassengerCarrier": "N",
        "issScore": None,
        "legalName": d["name"],
        "mcs150Outdated": "N",
        "oosDate": None,
        "oosRateNationalAverageYear": "2009-2010",
        "phyCity": d["city"],
        "phyCountry": "US",
        "phyState": d["state"],
        "phyStreet": d["street"],
        "phyZipcode": d["zip"],
        "reviewDate": None,
        "reviewType": None,
        "safetyRating": None,
        "safetyRatingDate": None,
        "safetyReviewDate": None,
        "safetyReviewType": None,
        "snapshotDate": None,
        "statusCode": "A",
        "totalDrivers": d["drivers"],
        "totalPowerUnits": units,
        "towawayCrash": tow,
        "vehicleInsp": vehicle_insp,
        "vehicleOosInsp": vehicle_oos,
        "vehicleOosRate": ratio(vehicle_oos, vehicle_insp),
        "vehicleOosRateNationalAverage": "20.72",
    }
    c.update(d["over"])
    c["hazmatOosRate"] = ratio(c["hazmatOosInsp"], c["hazmatInsp"])
    return {k: c[k] for k in sorted(c)}


def build():
    rng = random.Random(SEED)
    entries = [{"mc_number": d["mc"], "carrier": make_carrier(rng, d)} for d in DEMO]
    entries.sort(key=lambda e: (int(e["mc_number"]), e["carrier"]["dotNumber"]))
    return entries


# ---------------------------------------------------------------------------
# Reference verdict (SPEC section 6), used to check the snapshot says what the
# README table promises. The service has its own implementation; this one only
# guards the data.
# ---------------------------------------------------------------------------
def rules(c):
    reasons, warnings = [], []
    if c["allowedToOperate"] != "Y":
        reasons.append("NOT_ALLOWED_TO_OPERATE")
    if c["statusCode"] != "A":
        reasons.append("USDOT_INACTIVE")
    if c["commonAuthorityStatus"] != "A" and c["contractAuthorityStatus"] != "A":
        reasons.append("BROKER_ONLY_AUTHORITY" if c["brokerAuthorityStatus"] == "A"
                       else "NO_ACTIVE_CARRIER_AUTHORITY")
    if c["oosDate"]:
        reasons.append("OUT_OF_SERVICE")
    if c["bipdInsuranceRequired"] == "Y" and \
            int(c["bipdInsuranceOnFile"] or 0) < int(c["bipdRequiredAmount"] or 0):
        reasons.append("INSURANCE_BELOW_REQUIRED")
    if c["safetyRating"] == "U":
        reasons.append("UNSATISFACTORY_SAFETY_RATING")
    if c["safetyRating"] == "C":
        warnings.append("CONDITIONAL_SAFETY_RATING")
    if c["mcs150Outdated"] == "Y":
        warnings.append("MCS150_OUTDATED")
    return reasons, warnings


def verdict(entries, mc):
    """(status, reasons, warnings, chosen carrier) for one MC of the snapshot."""
    mc = str(int(mc))
    cands = [e["carrier"] for e in entries if e["mc_number"] == mc]
    if not cands:
        return "not_found", ["CARRIER_NOT_FOUND"], [], None
    extra = []
    if len(cands) > 1:
        active = [c for c in cands if c["statusCode"] == "A" and c["allowedToOperate"] == "Y"]
        if len(active) != 1:
            return "ineligible", ["AMBIGUOUS_DOCKET"], [], None
        cands, extra = active, ["AMBIGUOUS_DOCKET"]
    reasons, warnings = rules(cands[0])
    return ("ineligible" if reasons else "eligible"), reasons, warnings + extra, cands[0]


def fixture_keys():
    for d in FIXTURE_DIRS:
        p = os.path.join(d, "carrier_by_dot_158121_active.json")
        if os.path.exists(p):
            with open(p, encoding="utf-8") as f:
                return sorted(json.load(f)["content"]["carrier"].keys()), p
    return None, None


def validate(entries):
    errs = []
    keys, src = fixture_keys()
    if keys is not None and keys != sorted(CARRIER_KEYS):
        errs.append(f"CARRIER_KEYS differ from the fixture {src}: "
                    f"{sorted(set(keys) ^ set(CARRIER_KEYS))}")
    if len(entries) < 30:
        errs.append(f"only {len(entries)} entries (< 30)")
    flags = {"allowedToOperate": "YN", "mcs150Outdated": "YN", "isPassengerCarrier": "YN",
             "statusCode": "AI", "commonAuthorityStatus": "AIN",
             "contractAuthorityStatus": "AIN", "brokerAuthorityStatus": "AIN",
             "bipdInsuranceRequired": "YNu", "bondInsuranceRequired": "YNu",
             "cargoInsuranceRequired": "YNu"}
    dots = set()
    for e in entries:
        mc, c = e.get("mc_number"), e.get("carrier")
        tag = f"MC {mc}"
        if set(e) != {"mc_number", "carrier"}:
            errs.append(f"{tag}: entry keys {sorted(e)}")
            continue
        if not (isinstance(mc, str) and mc.isdigit() and 700001 <= int(mc) <= 700099
                and mc == str(int(mc))):
            errs.append(f"{tag}: mc_number must be digits in 700001..700099")
        if sorted(c) != sorted(CARRIER_KEYS):
            errs.append(f"{tag}: carrier keys differ: {sorted(set(c) ^ set(CARRIER_KEYS))}")
            continue
        for k, allowed in flags.items():
            if c[k] not in list(allowed):
                errs.append(f"{tag}: {k}={c[k]!r}")
        if c["safetyRating"] not in ("S", "C", "U", None):
            errs.append(f"{tag}: safetyRating={c['safetyRating']!r}")
        if (c["safetyRating"] is None) != (c["safetyRatingDate"] is None):
            errs.append(f"{tag}: safetyRating and safetyRatingDate disagree")
        for k in ("bipdInsuranceOnFile", "bipdRequiredAmount", "bondInsuranceOnFile",
                  "cargoInsuranceOnFile"):
            if not (isinstance(c[k], str) and c[k].isdigit()):
                errs.append(f"{tag}: {k} must be a string of digits (thousands of USD)")
        if not (isinstance(c["dotNumber"], int) and 1_000_000 <= c["dotNumber"] <= 9_999_999):
            errs.append(f"{tag}: dotNumber must be a 7-digit number")
        if c["dotNumber"] in dots:
            errs.append(f"{tag}: duplicate dotNumber {c['dotNumber']}")
        dots.add(c["dotNumber"])
        if c["crashTotal"] != c["fatalCrash"] + c["injCrash"] + c["towawayCrash"]:
            errs.append(f"{tag}: crashTotal is not the sum of its parts")
        for k in ("oosDate", "safetyRatingDate", "reviewDate", "safetyReviewDate"):
            v = c[k]
            if v is not None and not (isinstance(v, str) and len(v) == 10 and v[4] == "-"):
                errs.append(f"{tag}: {k} must be YYYY-MM-DD or null")
        for k in ("legalName", "phyCity", "phyStreet"):
            if c[k] != c[k].upper():
                errs.append(f"{tag}: {k} should be upper case like FMCSA data")
    # each demo MC gives what its row in DEMO (and the README) promises
    for d in DEMO:
        if d.get("ambiguous_loser"):
            continue
        status, reasons, warnings, chosen = verdict(entries, d["mc"])
        want_r = d.get("reasons", [])
        want_w = d.get("warnings", [])
        want_status = "ineligible" if want_r else "eligible"
        if (status, reasons, warnings) != (want_status, want_r, want_w):
            errs.append(f"MC {d['mc']}: verdict {status} {reasons} {warnings}, "
                        f"expected {want_status} {want_r} {want_w}")
        if chosen is not None and chosen["dotNumber"] != d["dot"]:
            errs.append(f"MC {d['mc']}: chose DOT {chosen['dotNumber']}, expected {d['dot']}")
        for r in reasons:
            if r not in REASON_ORDER and r != "AMBIGUOUS_DOCKET":
                errs.append(f"MC {d['mc']}: unknown reason {r}")
        if reasons != sorted(reasons, key=REASON_ORDER.index):
            errs.append(f"MC {d['mc']}: reasons not in section 6 order")
    if verdict(entries, NOT_FOUND_MC)[0] != "not_found":
        errs.append(f"MC {NOT_FOUND_MC} must not be in the snapshot")
    # coverage: every reason code and warning is demonstrated
    shown = set()
    for d in DEMO:
        shown.update(d.get("reasons", []))
        shown.update(d.get("warnings", []))
    missing = (set(REASON_ORDER) - {"CARRIER_NOT_FOUND"} | set(WARNING_ORDER)) - shown
    if missing:
        errs.append(f"no demo carrier shows {sorted(missing)}")
    n_eligible = sum(1 for d in DEMO if not d.get("reasons") and not d.get("warnings"))
    if n_eligible < 12:
        errs.append(f"only {n_eligible} clean eligible carriers (< 12)")
    return errs


def table(entries):
    rows = ["| MC | USDOT | legal name | city | expected status | reasons | warnings | demonstrates |",
            "|---|---|---|---|---|---|---|---|"]
    for d in DEMO:
        if d.get("ambiguous_loser"):
            status, reasons, warnings = "(not chosen)", d["reasons"], d["warnings"]
        else:
            status, reasons, warnings, _ = verdict(entries, d["mc"])
        rows.append(f"| {d['mc']} | {d['dot']} | {d['name']} | {d['city'].title()}, {d['state']} "
                    f"| {status} | {', '.join(reasons) or '-'} | {', '.join(warnings) or '-'} "
                    f"| {d['purpose']} |")
    rows.append(f"| {NOT_FOUND_MC} | - | (not in the snapshot) | - | not_found | CARRIER_NOT_FOUND "
                f"| - | any MC number absent from the snapshot |")
    return "\n".join(rows)


def main():
    ap = argparse.ArgumentParser(description="Generate and validate data/carriers.json")
    ap.add_argument("--check", action="store_true", help="validate the existing file only")
    ap.add_argument("--table", action="store_true", help="print the demo MC table (markdown)")
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()
    if args.check or args.table:
        with open(args.out, encoding="utf-8") as f:
            entries = json.load(f)
    else:
        entries = build()
    errs = validate(entries)
    if errs:
        print("carriers.json validation FAILED:", file=sys.stderr)
        for e in errs:
            print("  " + e, file=sys.stderr)
        return 1
    if args.table:
        print(table(entries))
        return 0
    if not args.check:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(entries, f, indent=2, ensure_ascii=False)
            f.write("\n")
        print(f"wrote {os.path.normpath(args.out)}", file=sys.stderr)
    print(f"ok: {len(entries)} entries, {len({e['mc_number'] for e in entries})} MC numbers",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
