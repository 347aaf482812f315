//! Equipment types: the canonical names loads are stored under, and the ways carriers
//! and shippers say them.

/// Canonical equipment types and the ways carriers say them.
pub const EQUIPMENT_TYPES: &[&str] = &[
    "Dry Van",
    "Reefer",
    "Flatbed",
    "Step Deck",
    "Power Only",
    "Conestoga",
    "Box Truck",
    "Hotshot",
    "Tanker",
    "Lowboy",
];

/// "dry van", "van", "53' dry van" → Dry Van; "refrigerated" → Reefer; "flat bed" → Flatbed.
pub fn canonical_equipment(raw: &str) -> Option<&'static str> {
    let t: String = raw
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let has = |w: &str| t.contains(w);
    let word = |w: &str| t.split(' ').any(|x| x == w);
    let found = if has("reefer") || has("refrigerat") || has("temp control") || has("frozen") {
        "Reefer"
    } else if has("step deck") || has("stepdeck") || has("drop deck") || has("single drop") {
        "Step Deck"
    } else if has("conestoga") {
        "Conestoga"
    } else if has("lowboy") || has("low boy") || word("rgn") {
        "Lowboy"
    } else if has("hotshot") || has("hot shot") {
        "Hotshot"
    } else if has("flatbed") || has("flat bed") || word("flat") || word("flats") {
        "Flatbed"
    } else if has("power only") || has("poweronly") || word("po") {
        "Power Only"
    } else if has("box truck") || has("straight truck") || word("box") {
        "Box Truck"
    } else if word("tanker") || word("tank") {
        "Tanker"
    } else if word("van") || word("vans") || has("dry van") || word("dryvan") || word("dry") {
        "Dry Van"
    } else {
        return None;
    };
    Some(found)
}

/// The storage key for equipment: the canonical name, else the folded text.
pub fn equipment_key(raw: &str) -> String {
    canonical_equipment(raw).map(str::to_string).unwrap_or_else(|| raw.trim().to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equipment_synonyms_are_understood() {
        let cases = [
            ("dry van", "Dry Van"),
            ("Van", "Dry Van"),
            ("53' dry van", "Dry Van"),
            ("53 ft van", "Dry Van"),
            ("reefer", "Reefer"),
            ("Refrigerated", "Reefer"),
            ("reefer van", "Reefer"),
            ("flat bed", "Flatbed"),
            ("Flatbed", "Flatbed"),
            ("step deck", "Step Deck"),
            ("drop deck", "Step Deck"),
            ("power only", "Power Only"),
            ("Conestoga", "Conestoga"),
            ("26 ft box truck", "Box Truck"),
        ];
        for (raw, want) in cases {
            assert_eq!(canonical_equipment(raw), Some(want), "{raw}");
        }
        assert_eq!(canonical_equipment("spaceship"), None);
        assert_eq!(equipment_key("Car Hauler"), "car hauler");
    }
}
