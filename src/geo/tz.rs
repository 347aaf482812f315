//! US time zones without a tz database: the US rules since 2007 (daylight time from the
//! second Sunday of March, 02:00 local, to the first Sunday of November, 02:00 local;
//! Energy Policy Act of 2005) cover every zone a US load can pick up in. Hawaii and
//! Puerto Rico (with the Virgin Islands) keep standard time all year; the Aleutians west
//! of 169°30′W keep Hawaii's standard offset but do observe daylight time (HST/HDT).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Zone {
    Eastern,
    Central,
    Mountain,
    /// Arizona (except the Navajo Nation) keeps standard time all year.
    Arizona,
    Pacific,
    Alaska,
    /// Adak and the western Aleutians: UTC−10 like Hawaii, but with daylight time.
    Aleutian,
    Hawaii,
    /// Puerto Rico and the US Virgin Islands: UTC−4 all year.
    Atlantic,
}

impl Zone {
    /// Maps an IANA zone name (as GeoNames gives it) to a US zone.
    pub fn from_iana(name: &str) -> Option<Zone> {
        let z = match name {
            "America/Phoenix" => Zone::Arizona,
            "Pacific/Honolulu" => Zone::Hawaii,
            "America/Indiana/Knox" | "America/Indiana/Tell_City" | "America/Menominee" => Zone::Central,
            "America/Boise" => Zone::Mountain,
            "America/Adak" => Zone::Aleutian,
            "America/Puerto_Rico" | "America/St_Thomas" => Zone::Atlantic,
            n if n.starts_with("America/Indiana/") || n.starts_with("America/Kentucky/") => Zone::Eastern,
            n if n.starts_with("America/North_Dakota/") => Zone::Central,
            "America/New_York" | "America/Detroit" => Zone::Eastern,
            "America/Chicago" => Zone::Central,
            "America/Denver" => Zone::Mountain,
            "America/Los_Angeles" => Zone::Pacific,
            "America/Anchorage" | "America/Juneau" | "America/Sitka" | "America/Nome" | "America/Yakutat"
            | "America/Metlakatla" => Zone::Alaska,
            _ => return None,
        };
        Some(z)
    }

    /// The zone most of a state is in; used when a place is not in the gazetteer.
    pub fn for_state(state: &str) -> Zone {
        match state {
            "CT" | "DE" | "DC" | "FL" | "GA" | "IN" | "KY" | "ME" | "MD" | "MA" | "MI" | "NH" | "NJ" | "NY" | "NC"
            | "OH" | "PA" | "RI" | "SC" | "VT" | "VA" | "WV" => Zone::Eastern,
            "PR" | "VI" => Zone::Atlantic,
            "CO" | "ID" | "MT" | "NM" | "UT" | "WY" => Zone::Mountain,
            "AZ" => Zone::Arizona,
            "CA" | "NV" | "OR" | "WA" => Zone::Pacific,
            "AK" => Zone::Alaska,
            "HI" => Zone::Hawaii,
            _ => Zone::Central,
        }
    }

    pub fn iana(self) -> &'static str {
        match self {
            Zone::Eastern => "America/New_York",
            Zone::Central => "America/Chicago",
            Zone::Mountain => "America/Denver",
            Zone::Arizona => "America/Phoenix",
            Zone::Pacific => "America/Los_Angeles",
            Zone::Alaska => "America/Anchorage",
            Zone::Aleutian => "America/Adak",
            Zone::Hawaii => "Pacific/Honolulu",
            Zone::Atlantic => "America/Puerto_Rico",
        }
    }

    /// What a person says: "Central", "Eastern"...
    pub fn spoken(self) -> &'static str {
        match self {
            Zone::Eastern => "Eastern",
            Zone::Central => "Central",
            Zone::Mountain | Zone::Arizona => "Mountain",
            Zone::Pacific => "Pacific",
            Zone::Alaska => "Alaska",
            Zone::Aleutian | Zone::Hawaii => "Hawaii",
            Zone::Atlantic => "Atlantic",
        }
    }

    fn standard_offset_hours(self) -> i64 {
        match self {
            Zone::Eastern => -5,
            Zone::Central => -6,
            Zone::Mountain | Zone::Arizona => -7,
            Zone::Pacific => -8,
            Zone::Alaska => -9,
            Zone::Aleutian | Zone::Hawaii => -10,
            Zone::Atlantic => -4,
        }
    }

    fn observes_dst(self) -> bool {
        !matches!(self, Zone::Arizona | Zone::Hawaii | Zone::Atlantic)
    }

    /// Is daylight time in force at this UTC instant?
    fn is_dst(self, t: DateTime<Utc>) -> bool {
        if !self.observes_dst() {
            return false;
        }
        let std = self.standard_offset_hours();
        let year = (t + Duration::hours(std)).year();
        // Starts 02:00 local standard time; ends 02:00 local daylight time (= 01:00 standard).
        let start = nth_sunday(year, 3, 2).and_hms_opt(2, 0, 0).expect("valid") - Duration::hours(std);
        let end = nth_sunday(year, 11, 1).and_hms_opt(1, 0, 0).expect("valid") - Duration::hours(std);
        let naive = t.naive_utc();
        naive >= start && naive < end
    }

    pub fn offset_hours_at(self, t: DateTime<Utc>) -> i64 {
        self.standard_offset_hours() + if self.is_dst(t) { 1 } else { 0 }
    }

    pub fn to_local(self, t: DateTime<Utc>) -> NaiveDateTime {
        (t + Duration::hours(self.offset_hours_at(t))).naive_utc()
    }

    /// Local wall time → UTC. In the spring-forward gap the time is read as standard
    /// time; in the repeated autumn hour, the first (daylight) reading wins.
    pub fn to_utc(self, local: NaiveDateTime) -> DateTime<Utc> {
        let std = self.standard_offset_hours();
        let as_dst = Utc.from_utc_datetime(&(local - Duration::hours(std + 1)));
        if self.observes_dst() && self.is_dst(as_dst) {
            return as_dst;
        }
        Utc.from_utc_datetime(&(local - Duration::hours(std)))
    }
}

fn nth_sunday(year: i32, month: u32, n: u32) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Sun, n as u8).expect("month has n Sundays")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn central_time_follows_us_daylight_rules() {
        // 2026: DST from Sun 8 March to Sun 1 November.
        assert_eq!(Zone::Central.offset_hours_at(utc(2026, 1, 15, 12, 0)), -6);
        assert_eq!(Zone::Central.offset_hours_at(utc(2026, 7, 1, 12, 0)), -5);
        assert_eq!(Zone::Central.offset_hours_at(utc(2026, 3, 8, 7, 59)), -6);
        assert_eq!(Zone::Central.offset_hours_at(utc(2026, 3, 8, 8, 0)), -5);
        assert_eq!(Zone::Central.offset_hours_at(utc(2026, 11, 1, 6, 59)), -5);
        assert_eq!(Zone::Central.offset_hours_at(utc(2026, 11, 1, 7, 0)), -6);
        assert_eq!(Zone::Arizona.offset_hours_at(utc(2026, 7, 1, 12, 0)), -7);
    }

    #[test]
    fn local_times_round_trip() {
        let local = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap().and_hms_opt(8, 0, 0).unwrap();
        let t = Zone::Central.to_utc(local);
        assert_eq!(t, utc(2026, 11, 24, 14, 0));
        assert_eq!(Zone::Central.to_local(t), local);
        let summer = NaiveDate::from_ymd_opt(2026, 7, 4).unwrap().and_hms_opt(8, 0, 0).unwrap();
        assert_eq!(Zone::Eastern.to_utc(summer), utc(2026, 7, 4, 12, 0));
    }

    #[test]
    fn iana_names_map_to_us_zones() {
        assert_eq!(Zone::from_iana("America/Indiana/Indianapolis"), Some(Zone::Eastern));
        assert_eq!(Zone::from_iana("America/Indiana/Knox"), Some(Zone::Central));
        assert_eq!(Zone::from_iana("America/Boise"), Some(Zone::Mountain));
        assert_eq!(Zone::from_iana("Europe/Paris"), None);
    }

    #[test]
    fn adak_keeps_hawaii_standard_time_with_us_daylight_time() {
        let adak = Zone::from_iana("America/Adak").unwrap();
        // Winter: HST, UTC−10. Summer: HDT, UTC−9 (Honolulu stays at −10).
        assert_eq!(adak.offset_hours_at(utc(2026, 1, 15, 12, 0)), -10);
        assert_eq!(adak.offset_hours_at(utc(2026, 7, 1, 12, 0)), -9);
        assert_eq!(Zone::Hawaii.offset_hours_at(utc(2026, 7, 1, 12, 0)), -10);
        // Daylight time starts at 02:00 HST on 8 March 2026 (12:00 UTC).
        assert_eq!(adak.offset_hours_at(utc(2026, 3, 8, 11, 59)), -10);
        assert_eq!(adak.offset_hours_at(utc(2026, 3, 8, 12, 0)), -9);
        let summer_8am = NaiveDate::from_ymd_opt(2026, 7, 4).unwrap().and_hms_opt(8, 0, 0).unwrap();
        assert_eq!(adak.to_utc(summer_8am), utc(2026, 7, 4, 17, 0));
        assert_eq!(adak.iana(), "America/Adak");
    }

    #[test]
    fn puerto_rico_keeps_atlantic_standard_time_all_year() {
        for zone in [Zone::from_iana("America/Puerto_Rico").unwrap(), Zone::for_state("PR"), Zone::for_state("VI")] {
            assert_eq!(zone.offset_hours_at(utc(2026, 1, 15, 12, 0)), -4);
            assert_eq!(zone.offset_hours_at(utc(2026, 7, 1, 12, 0)), -4);
        }
    }
}
