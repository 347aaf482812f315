//! The simulated carrier: a small seeded PRNG, who calls (MC number, lane, equipment),
//! how it haggles (a hidden reservation price), and how it talks (phone speech for the
//! transcript, platform-style messy values for the end-of-call record).
//!
//! Everything about a call is drawn up front from the call's own generator
//! ([`Rng::for_call`]), so a call's choices depend only on the run's seed and the call's
//! index, never on which other calls ran first.

use serde_json::{json, Value};
use std::sync::OnceLock;

/// SplitMix64: tiny, fast, and good enough to drive a simulation; the same seed gives the
/// same sequence on every platform.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The generator of call `index` in a run seeded with `seed`.
    pub fn for_call(seed: u64, index: usize) -> Rng {
        let mut r = Rng(seed ^ 0x6a09_e667_f3bc_c909);
        r.0 = r.0.wrapping_add((index as u64).wrapping_add(1).wrapping_mul(0xd1b5_4a32_d192_ed03));
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 1) % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An item with probability proportional to its weight.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u32 = items.iter().map(|(_, w)| *w).sum();
        let mut x = self.below(total as usize) as u32;
        for (item, w) in items {
            if x < *w {
                return item;
            }
            x -= w;
        }
        &items[items.len() - 1].0
    }
}

/// One lane of the bundled seed catalogue: where freight leaves from, goes to, on what.
#[derive(Clone, Debug)]
pub struct SeedLane {
    pub origin: String,
    pub destination: String,
    pub equipment: String,
}

/// The bundled seed catalogue's lanes (one per load, so busy origins come up more often).
pub fn seed_lanes() -> &'static [SeedLane] {
    static LANES: OnceLock<Vec<SeedLane>> = OnceLock::new();
    LANES.get_or_init(|| {
        let records: Vec<Value> = serde_json::from_str(crate::loads::SEED_JSON).unwrap_or_default();
        records
            .iter()
            .filter_map(|r| {
                Some(SeedLane {
                    origin: r.get("origin")?.as_str()?.to_string(),
                    destination: r.get("destination")?.as_str()?.to_string(),
                    equipment: r.get("equipment_type")?.as_str()?.to_string(),
                })
            })
            .collect()
    })
}

/// Cities more than 100 miles from every origin of the seed catalogue: lanes with no loads.
pub const NO_LOAD_ORIGINS: &[&str] = &[
    "Bismarck, ND",
    "Billings, MT",
    "Sioux Falls, SD",
    "Albuquerque, NM",
    "El Paso, TX",
    "Boise, ID",
    "Burlington, VT",
    "Duluth, MN",
];

const EQUIPMENT: &[&str] = &["Dry Van", "Reefer", "Flatbed", "Step Deck", "Power Only", "Conestoga", "Box Truck"];

/// The MC numbers of the offline FMCSA snapshot (data/README.md).
pub(super) const ELIGIBLE_MCS: &[u64] = &[
    700010, 700011, 700012, 700013, 700014, 700015, 700016, 700017, 700018, 700019, 700020, 700021, 700022, 700023,
    700024, 700025, 700026, 700027, 700028,
];
pub(super) const ELIGIBLE_WITH_WARNINGS: &[u64] = &[700030, 700031, 700032, 700050];
const INELIGIBLE_MCS: &[u64] = &[700040, 700041, 700042, 700043, 700044, 700045, 700046, 700047, 700049];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    Eligible,
    Ineligible,
    NotFound,
}

/// How the call goes apart from the price.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Hears the lane, negotiates, books or walks.
    Normal,
    /// Takes the posted rate when it covers its reservation.
    TakesPosted,
    /// Turns the first load down ("pickup's too early"), listens to the next.
    Picky,
    /// Wants to check with the driver and be called back.
    Callback,
    /// The line drops right after the greeting.
    Abandons,
}

/// What the carrier says it wants.
#[derive(Clone, Debug)]
pub struct Lane {
    /// As said on the phone and sent to search: "Dallas, TX", "Dallas Texas", "dallas".
    pub origin: String,
    /// The place the lane was drawn from, "City, ST" (for the region key).
    pub origin_place: String,
    pub destination: Option<String>,
    /// As said: "53' dry van", "reefer", ...; `None` when the carrier does not say.
    pub equipment: Option<String>,
}

/// A simulated caller, drawn entirely from its call's generator.
#[derive(Clone, Debug)]
pub struct Carrier {
    pub mc: u64,
    pub expect: Expect,
    /// The MC as the platform passes it to verify: "MC-700010", "mc 700010", 700010, ...
    pub mc_field: Value,
    pub lane: Lane,
    /// Asked for when the first lane has nothing.
    pub alt_lane: Option<Lane>,
    pub behaviour: Behaviour,
    /// Hidden reservation premium over the posted rate (-2% .. +15%).
    pub reservation_pct: f64,
    /// How far above its reservation the opening ask sits (3% .. 12%).
    pub ask_markup: f64,
    /// Share of the (ask - reservation) gap kept in the second offer.
    pub second_keep: f64,
    /// $25 steps above the reservation held in the third offer.
    pub third_hold: i64,
    /// Takes a good counter by saying the number (a new evaluate) rather than "deal".
    pub accept_counter_via_evaluate: bool,
    pub persona: Persona,
    pub style: Style,
}

/// Voice quirks: names and phrasing choices.
#[derive(Clone, Debug)]
pub struct Persona {
    pub name: &'static str,
    pub amounts_in_words: bool,
    pub greeting: usize,
    pub mood_positive: bool,
}

/// How messy the end-of-call record is, as the platform's extractor produces it.
#[derive(Clone, Debug)]
pub struct Style {
    pub outcome_missing: bool,
    pub outcome_case: usize,
    pub sentiment_missing: bool,
    pub numbers_as_strings: usize,
    pub transcript_as_string: bool,
    pub send_ended_at: bool,
    pub duration_zero: bool,
    pub mc_in_finalize: usize,
    pub offer_style: usize,
    pub call_length_factor: f64,
}

const NAMES: &[&str] = &["Mike", "Rosa", "Dwayne", "Karen", "Luis", "Tammy", "Earl", "Priya", "Jake", "Denise"];

fn state_name(code: &str) -> &str {
    crate::geo::state_name(code).unwrap_or(code)
}

/// "Dallas, TX" said as a carrier would: "Dallas, TX", "Dallas Texas", "dallas", "Dallas, Texas".
fn spoken_place(rng: &mut Rng, place: &str) -> String {
    let (city, state) = place.split_once(", ").unwrap_or((place, ""));
    match rng.weighted(&[(0, 40), (1, 25), (2, 15), (3, 10), (4, 10)]) {
        0 => place.to_string(),
        1 => format!("{city} {}", state_name(state)),
        2 => city.to_lowercase(),
        3 => format!("{city}, {}", state_name(state)),
        _ => format!("{city} {state}"),
    }
}

fn spoken_equipment(rng: &mut Rng, equipment: &str) -> String {
    let options: &[&str] = match equipment {
        "Dry Van" => &["dry van", "53' dry van", "van", "53 foot van"],
        "Reefer" => &["reefer", "refrigerated", "53' reefer"],
        "Flatbed" => &["flatbed", "flat bed", "48' flatbed"],
        "Step Deck" => &["step deck", "stepdeck", "drop deck"],
        "Power Only" => &["power only"],
        "Conestoga" => &["conestoga"],
        "Box Truck" => &["box truck", "26' box truck"],
        other => return other.to_lowercase(),
    };
    rng.pick(options).to_string()
}

fn lane_from(rng: &mut Rng, seed: &SeedLane) -> Lane {
    let equipment = if rng.chance(0.85) { seed.equipment.clone() } else { rng.pick(EQUIPMENT).to_string() };
    let say_equipment = rng.chance(0.93);
    let destination = if rng.chance(0.2) {
        let (city, state) = seed.destination.split_once(", ").unwrap_or((&seed.destination, ""));
        Some(if rng.chance(0.5) { state_name(state).to_string() } else { format!("{city}, {state}") })
    } else {
        None
    };
    Lane {
        origin: spoken_place(rng, &seed.origin),
        origin_place: seed.origin.clone(),
        destination,
        equipment: say_equipment.then(|| spoken_equipment(rng, &equipment)),
    }
}

fn mc_field(rng: &mut Rng, mc: u64) -> Value {
    match rng.below(7) {
        0 => json!(format!("MC-{mc}")),
        1 => json!(format!("mc {mc}")),
        2 => json!(mc),
        3 => json!(format!("MC{mc}")),
        4 => json!(mc.to_string()),
        5 => json!(format!("MC#{mc}")),
        _ => json!(format!(" MC {mc} ")),
    }
}

impl Carrier {
    /// Draws a caller from its call's generator.
    pub fn generate(rng: &mut Rng) -> Carrier {
        let expect = *rng.weighted(&[(Expect::Eligible, 78), (Expect::Ineligible, 15), (Expect::NotFound, 7)]);
        let mc = match expect {
            Expect::Eligible if rng.chance(0.12) => *rng.pick(ELIGIBLE_WITH_WARNINGS),
            Expect::Eligible => *rng.pick(ELIGIBLE_MCS),
            Expect::Ineligible => *rng.pick(INELIGIBLE_MCS),
            Expect::NotFound => 799_900 + rng.below(100) as u64,
        };
        let mc_field = mc_field(rng, mc);
        let lanes = seed_lanes();
        let lane = if lanes.is_empty() || rng.chance(0.1) {
            let place = *rng.pick(NO_LOAD_ORIGINS);
            let equipment = rng.pick(EQUIPMENT).to_string();
            let mut l =
                lane_from(rng, &SeedLane { origin: place.to_string(), destination: "Chicago, IL".into(), equipment });
            l.destination = None;
            l
        } else {
            let seed = rng.pick(lanes).clone();
            lane_from(rng, &seed)
        };
        let alt_lane = if rng.chance(0.35) && !lanes.is_empty() {
            let seed = rng.pick(lanes).clone();
            Some(lane_from(rng, &seed))
        } else {
            None
        };
        let behaviour = *rng.weighted(&[
            (Behaviour::Normal, 70),
            (Behaviour::TakesPosted, 11),
            (Behaviour::Picky, 10),
            (Behaviour::Callback, 6),
            (Behaviour::Abandons, 3),
        ]);
        Carrier {
            mc,
            expect,
            mc_field,
            lane,
            alt_lane,
            behaviour,
            reservation_pct: rng.range(-0.02, 0.15),
            ask_markup: rng.range(0.03, 0.12),
            second_keep: rng.range(0.3, 0.55),
            third_hold: *rng.pick(&[0, 0, 1, 2]),
            accept_counter_via_evaluate: rng.chance(0.8),
            persona: Persona {
                name: NAMES[rng.below(NAMES.len())],
                amounts_in_words: rng.chance(0.7),
                greeting: rng.below(4),
                mood_positive: rng.chance(0.6),
            },
            style: Style {
                outcome_missing: rng.chance(0.12),
                outcome_case: rng.below(5),
                sentiment_missing: rng.chance(0.35),
                numbers_as_strings: rng.below(4),
                transcript_as_string: rng.chance(0.2),
                send_ended_at: rng.chance(0.5),
                duration_zero: rng.chance(0.3),
                mc_in_finalize: rng.below(4),
                offer_style: rng.below(4),
                call_length_factor: rng.range(1.1, 1.6),
            },
        }
    }

    /// The lowest rate this carrier hauls `posted` for, on the $25 grid.
    pub fn reservation(&self, posted_cents: i64) -> i64 {
        ceil_to(posted_cents as f64 * (1.0 + self.reservation_pct), 2500)
    }

    /// The offers it will make in rounds 1..3 when the broker's counters stay below its
    /// reservation: strictly decreasing, the last at or a little above the reservation.
    pub fn offers(&self, posted_cents: i64) -> [i64; 3] {
        let r = self.reservation(posted_cents);
        let steps = ((r as f64 * self.ask_markup) / 2500.0).round().max(3.0) as i64;
        let first = r + steps * 2500;
        let second_steps = ((steps as f64 * self.second_keep).floor() as i64).clamp(2, steps - 1);
        let second = r + second_steps * 2500;
        let third = r + self.third_hold.min(second_steps - 1) * 2500;
        [first, second, third]
    }

    /// The MC as the end-of-call extractor fills it.
    pub fn mc_for_finalize(&self) -> Value {
        match self.style.mc_in_finalize {
            0 => json!(format!("MC {}", self.mc)),
            1 => json!(self.mc.to_string()),
            2 => json!(format!("MC-{}", self.mc)),
            _ => json!(""),
        }
    }

    /// An amount as the platform templates it into a tool call.
    pub fn offer_value(&self, cents: i64) -> Value {
        let dollars = cents / 100;
        match self.style.offer_style {
            0 => json!(dollars),
            1 => json!(dollars.to_string()),
            2 => json!(crate::types::group_digits(dollars as u64)),
            _ => json!(format!("${}.00", crate::types::group_digits(dollars as u64))),
        }
    }

    /// A number as the extractor writes it: "2,350", "2350", 2350 or "$2,350".
    pub fn extracted_amount(&self, cents: Option<i64>) -> Value {
        let Some(c) = cents else { return json!("") };
        let d = c / 100;
        match self.style.numbers_as_strings {
            0 => json!(crate::types::group_digits(d as u64)),
            1 => json!(d.to_string()),
            2 => json!(d),
            _ => json!(format!("${}", crate::types::group_digits(d as u64))),
        }
    }

    /// The outcome label as the platform's classifier writes it, or "" when it gave none.
    pub fn outcome_label(&self, outcome: &str) -> Value {
        if self.style.outcome_missing {
            return json!("");
        }
        let words = outcome.replace('_', " ");
        json!(match self.style.outcome_case {
            0 => title_case(&words),
            1 => outcome.to_string(),
            2 => outcome.to_uppercase(),
            3 => capitalised(&words),
            _ => title_case(&words).replace(' ', "-"),
        })
    }

    pub fn sentiment_label(&self, sentiment: &str) -> Value {
        if self.style.sentiment_missing {
            return json!("");
        }
        json!(if self.style.outcome_case.is_multiple_of(2) { capitalised(sentiment) } else { sentiment.to_string() })
    }

    /// An amount as the carrier says it on the phone.
    pub fn say_amount(&self, cents: i64) -> String {
        if self.persona.amounts_in_words {
            spoken_amount(cents)
        } else {
            crate::types::Money(cents).spoken()
        }
    }

    /// The MC said digit by digit: "seven zero zero zero one zero".
    pub fn say_mc(&self) -> String {
        let digits: Vec<&str> = self.mc.to_string().chars().map(digit_word).collect();
        format!("MC {}", digits.join(" "))
    }
}

fn ceil_to(cents: f64, step: i64) -> i64 {
    ((cents / step as f64).ceil() as i64) * step
}

fn title_case(s: &str) -> String {
    s.split(' ').map(capitalised).collect::<Vec<_>>().join(" ")
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn digit_word(c: char) -> &'static str {
    match c {
        '0' => "zero",
        '1' => "one",
        '2' => "two",
        '3' => "three",
        '4' => "four",
        '5' => "five",
        '6' => "six",
        '7' => "seven",
        '8' => "eight",
        _ => "nine",
    }
}

/// 0..=99 in words: "twenty-three".
fn words_under_100(n: u64) -> String {
    const ONES: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
    match n {
        0..=19 => ONES[n as usize].to_string(),
        _ if n.is_multiple_of(10) => TENS[(n / 10) as usize].to_string(),
        _ => format!("{}-{}", TENS[(n / 10) as usize], ONES[(n % 10) as usize]),
    }
}

/// How truckers say rates: 2350 → "twenty-three fifty", 2400 → "twenty-four hundred",
/// 3000 → "three thousand", 905 → "nine oh five". Cents are dropped; past $9,999 digits.
pub fn spoken_amount(cents: i64) -> String {
    let d = (cents / 100).max(0) as u64;
    if !(100..10_000).contains(&d) {
        return crate::types::Money(cents).spoken();
    }
    let (hi, lo) = (d / 100, d % 100);
    match lo {
        0 if hi.is_multiple_of(10) => format!("{} thousand", words_under_100(hi / 10)),
        0 => format!("{} hundred", words_under_100(hi)),
        1..=9 => format!("{} oh {}", words_under_100(hi), words_under_100(lo)),
        _ => format!("{} {}", words_under_100(hi), words_under_100(lo)),
    }
}

/// The conversation as the platform records it, and how long it took.
#[derive(Clone, Debug, Default)]
pub struct Transcript {
    pub turns: Vec<(&'static str, String)>,
    pub seconds: f64,
}

impl Transcript {
    /// The agent's turn (speaks at about 2.6 words a second, after a short pause).
    pub fn agent(&mut self, text: impl Into<String>) {
        let text = text.into();
        if text.trim().is_empty() {
            return;
        }
        self.seconds += 1.2 + text.split_whitespace().count() as f64 / 2.6;
        // Two things the agent says in a row are one turn.
        match self.turns.last_mut() {
            Some(("assistant", last)) => {
                last.push(' ');
                last.push_str(&text);
            }
            _ => self.turns.push(("assistant", text)),
        }
    }

    pub fn carrier(&mut self, text: impl Into<String>) {
        let text = text.into();
        self.seconds += 1.5 + text.split_whitespace().count() as f64 / 2.3;
        self.turns.push(("user", text));
    }

    /// Time spent on hold or thinking (tool calls, checking with dispatch).
    pub fn pause(&mut self, seconds: f64) {
        self.seconds += seconds;
    }

    pub fn to_json(&self) -> Value {
        Value::Array(self.turns.iter().map(|(role, content)| json!({"role": role, "content": content})).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_is_stable_and_calls_are_independent() {
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        // The reference SplitMix64 output for seed 0.
        assert_eq!(Rng::new(0).next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_ne!(Rng::for_call(42, 0).next_u64(), Rng::for_call(42, 1).next_u64());
        let mut r = Rng::new(7);
        for _ in 0..1000 {
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
            assert!(r.below(3) < 3);
        }
    }

    #[test]
    fn amounts_are_said_like_a_trucker() {
        assert_eq!(spoken_amount(235_000), "twenty-three fifty");
        assert_eq!(spoken_amount(240_000), "twenty-four hundred");
        assert_eq!(spoken_amount(300_000), "three thousand");
        assert_eq!(spoken_amount(187_500), "eighteen seventy-five");
        assert_eq!(spoken_amount(90_500), "nine oh five");
        assert_eq!(spoken_amount(1_250_000), "$12,500");
    }

    #[test]
    fn offers_fall_to_the_reservation_and_never_below() {
        for seed in 0..500 {
            let mut rng = Rng::for_call(seed, 3);
            let c = Carrier::generate(&mut rng);
            for posted in [85_000, 215_000, 387_500] {
                let r = c.reservation(posted);
                let [a, b, d] = c.offers(posted);
                assert!(a > b && b > d && d >= r, "{a} {b} {d} {r}");
                assert_eq!(r % 2500, 0);
                assert!(r as f64 >= posted as f64 * 0.98 - 1.0);
            }
        }
    }

    #[test]
    fn the_seed_catalogue_gives_lanes() {
        let lanes = seed_lanes();
        assert!(lanes.len() >= 100);
        assert!(lanes.iter().any(|l| l.origin == "Dallas, TX"));
    }
}
