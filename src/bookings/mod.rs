//! Booking and handoff (SPEC §3.1 `calls/handoff`, §7.4): the agreed rate is checked
//! against the negotiation, the load moves `available → booked` in one conditional update
//! (exactly one winner under any concurrency, on both backends and across instances), a
//! sales rep is picked round-robin from a counter kept in the database, and the rep gets
//! a one-paragraph summary.

pub mod cancel;
pub mod handlers;

use crate::http::auth::{require_admin, require_agent};
use crate::http::resource;
use actix_web::middleware::from_fn;
use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/calls/handoff").route(web::post().to(handlers::handoff).wrap(from_fn(require_agent))))
        .service(
            resource("/bookings/{booking_id}/cancel")
                .route(web::post().to(cancel::cancel).wrap(from_fn(require_admin))),
        );
}

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

    /// `{"name", "phone"}` or `{"name", "extension"}`.
    pub fn to_json(&self) -> serde_json::Value {
        let lower = self.contact.to_ascii_lowercase();
        match lower.strip_prefix("ext").map(|r| r.trim_start_matches(['.', ' ', ':'])) {
            Some(ext) => serde_json::json!({"name": self.name, "extension": ext.trim()}),
            None => serde_json::json!({"name": self.name, "phone": self.contact}),
        }
    }

    /// The rep's phone in E.164 (`+1-555-0100` → `+15550100`), the number the voice
    /// platform's transfer dials: its digits after a `+`; ten digits written without a
    /// country code are North American. `None` for an extension, which the platform
    /// cannot dial.
    pub fn transfer_to(&self) -> Option<String> {
        let c = self.contact.trim();
        if c.to_ascii_lowercase().starts_with("ext") {
            return None;
        }
        let digits: String = c.chars().filter(char::is_ascii_digit).collect();
        match (c.starts_with('+'), digits.len()) {
            (true, 7..=15) => Some(format!("+{digits}")),
            (false, 10) => Some(format!("+1{digits}")),
            (false, 11) if digits.starts_with('1') => Some(format!("+{digits}")),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reps_parse_phone_or_extension() {
        let r = Rep::parse("Dana Whitfield:+1-555-0100").unwrap();
        assert_eq!(r.to_json(), serde_json::json!({"name": "Dana Whitfield", "phone": "+1-555-0100"}));
        let r = Rep::parse("Marcus Lee: ext 204").unwrap();
        assert_eq!(r.to_json(), serde_json::json!({"name": "Marcus Lee", "extension": "204"}));
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
