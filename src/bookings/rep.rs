//! The sales reps a booked call is transferred to (`SALES_REPS`).

/// A sales rep from `SALES_REPS`: `Name:+1-555-0100` or `Name:ext 204`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rep {
    pub name: String,
    pub contact: String,
}

impl Rep {
    pub fn parse(entry: &str) -> Option<Rep> {
        let (name, contact) = entry.split_once(':')?;
        let (name, contact) = (name.trim(), contact.trim());
        (!name.is_empty() && !contact.is_empty()).then(|| Rep { name: name.to_string(), contact: contact.to_string() })
    }

    /// The rep's phone in E.164 (`+1-555-0100` → `+15550100`), the number the voice
    /// platform's transfer dials. `None` for an extension, or a number the platform
    /// would not dial.
    pub fn transfer_to(&self) -> Option<String> {
        crate::types::e164(&self.contact)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bookings::views::RepView;

    #[test]
    fn reps_parse_phone_or_extension() {
        let view = |entry: &str| serde_json::to_value(RepView::from(&Rep::parse(entry).unwrap())).unwrap();
        assert_eq!(
            view("Dana Whitfield:+1-555-0100"),
            serde_json::json!({"name": "Dana Whitfield", "phone": "+1-555-0100"})
        );
        assert_eq!(view("Marcus Lee: ext 204"), serde_json::json!({"name": "Marcus Lee", "extension": "204"}));
        assert!(Rep::parse("nobody").is_none());
        let transfer = |entry: &str| Rep::parse(entry).unwrap().transfer_to();
        assert_eq!(transfer("Dana:+1-555-0100").as_deref(), Some("+15550100"));
        assert_eq!(transfer("Dana:(312) 555-2368").as_deref(), Some("+13125552368"));
        assert_eq!(transfer("Dana:+44 20 7946 0958").as_deref(), Some("+442079460958"));
        assert_eq!(transfer("Marcus: ext 204"), None);
        assert_eq!(transfer("Marcus:555-2368"), None, "no area code: not dialable");
        assert!(Rep::parse(":123").is_none());
    }
}
