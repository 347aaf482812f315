//! Sentences for the voice agent: plain words, amounts and times as a person says them
//! ("$2,150", "tomorrow at 8 AM Central"), pickup times in the origin's local time.

use crate::geo::Zone;
use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};

/// "8 AM", "8:30 AM", "12 PM".
pub fn clock(local: NaiveDateTime) -> String {
    let (h, m) = (local.hour(), local.minute());
    let (h12, ampm) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    if m == 0 {
        format!("{h12} {ampm}")
    } else {
        format!("{h12}:{m:02} {ampm}")
    }
}

/// "today at 3 PM Central", "tomorrow at 8 AM Eastern", "Thursday at 6:30 AM Pacific",
/// "on December 3 at 9 AM Mountain".
pub fn when_phrase(t: DateTime<Utc>, zone: Zone, now: DateTime<Utc>) -> String {
    let local = zone.to_local(t);
    let today = zone.to_local(now).date();
    let days = (local.date() - today).num_days();
    let day = match days {
        0 => "today".to_string(),
        1 => "tomorrow".to_string(),
        2..=6 => local.format("%A").to_string(),
        -1 => "yesterday".to_string(),
        _ => format!("on {} {}", local.format("%B"), local.day()),
    };
    format!("{day} at {} {}", clock(local), zone.spoken())
}

/// "1 load", "3 loads".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// "a Dry Van", "an Open Deck": the article follows the first letter.
pub fn with_article(noun: &str) -> String {
    let first = noun.chars().next().map(|c| c.to_ascii_lowercase());
    if matches!(first, Some('a' | 'e' | 'i' | 'o' | 'u')) {
        format!("an {noun}")
    } else {
        format!("a {noun}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn pickup_times_are_spoken_in_local_time() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 15, 0, 0).unwrap(); // Mon 9 AM Central
        let tomorrow_8 = Utc.with_ymd_and_hms(2026, 11, 24, 14, 0, 0).unwrap();
        assert_eq!(when_phrase(tomorrow_8, Zone::Central, now), "tomorrow at 8 AM Central");
        let today_330 = Utc.with_ymd_and_hms(2026, 11, 23, 21, 30, 0).unwrap();
        assert_eq!(when_phrase(today_330, Zone::Central, now), "today at 3:30 PM Central");
        let thu = Utc.with_ymd_and_hms(2026, 11, 26, 11, 0, 0).unwrap();
        assert_eq!(when_phrase(thu, Zone::Eastern, now), "Thursday at 6 AM Eastern");
        let later = Utc.with_ymd_and_hms(2026, 12, 3, 16, 0, 0).unwrap();
        assert_eq!(when_phrase(later, Zone::Mountain, now), "on December 3 at 9 AM Mountain");
    }

    #[test]
    fn articles_follow_the_sound() {
        assert_eq!(with_article("Dry Van"), "a Dry Van");
        assert_eq!(with_article("Reefer"), "a Reefer");
        assert_eq!(plural(1, "load", "loads"), "1 load");
        assert_eq!(plural(3, "load", "loads"), "3 loads");
    }
}
