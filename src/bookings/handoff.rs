//! The pure rules of a handoff: whether the rate is the one the negotiation allows, and
//! the paragraph the rep reads. No database, no clock (`now` is passed in).

use crate::error::{AppError, AppResult, ErrorCode};
use crate::loads::model::LoadRow;
use crate::negotiation::NegotiationRow;
use crate::types::Money;
use crate::vocab::negotiation::NegotiationStatus::{self, Agreed, Rejected};
use chrono::{DateTime, Utc};

/// What the handoff asks to book, once the carrier's standing is known.
pub struct Handoff {
    pub call_id: String,
    pub load_id: String,
    pub mc_number: String,
    pub agreed_rate: Money,
    pub carrier_name: Option<String>,
    pub verification_pending: bool,
    /// How the carrier was verified, in words, for the rep.
    pub verification_note: String,
}

/// Checks the rate against what the negotiation allows for this call and load.
pub fn check_rate(n: Option<&NegotiationRow>, load: &LoadRow, rate: Money) -> AppResult<()> {
    let refuse = |allowed: String| {
        Err(AppError::conflict(
            ErrorCode::RateNotAgreed,
            format!("The rate {} is not what was agreed: {allowed}.", rate.spoken()),
        )
        .with_field("agreed_rate"))
    };
    match n {
        None if rate <= load.rate() => Ok(()),
        None => refuse(format!("without a negotiation the most is the posted {}", load.rate().spoken())),
        Some(n) => match (NegotiationStatus::parse(&n.status), n.agreed_rate_cents, n.final_offer_cents) {
            (Some(Agreed), Some(a), _) if rate.0 == a => Ok(()),
            (Some(Agreed), Some(a), _) => refuse(format!("the negotiation agreed {}", Money(a).spoken())),
            // Round 3 ended on our final offer; the carrier may take it.
            (Some(Rejected), _, Some(f)) if rate.0 <= f => Ok(()),
            (Some(Rejected), _, Some(f)) => refuse(format!("our final offer was {}", Money(f).spoken())),
            // Still open: the carrier may take our last counter without another round.
            _ => {
                let standing = Money(n.last_counter_cents.unwrap_or(n.posted_cents));
                if rate <= standing {
                    Ok(())
                } else {
                    refuse(format!("our last number was {}", standing.spoken()))
                }
            }
        },
    }
}

/// The agreed rate against the posted one, in words.
fn versus_posted(agreed: Money, posted: Money) -> String {
    let diff = agreed.0 - posted.0;
    if diff > 0 {
        format!(
            "{} above the posted {} ({:.1}%)",
            Money(diff).spoken(),
            posted.spoken(),
            diff as f64 * 100.0 / posted.0 as f64
        )
    } else if diff < 0 {
        format!("{} below the posted {}", Money(-diff).spoken(), posted.spoken())
    } else {
        format!("the posted rate of {}", posted.spoken())
    }
}

/// The one paragraph the rep gets: who, which load, when, at what rate, and how the
/// carrier was verified.
pub fn summary(req: &Handoff, load: &LoadRow, rounds: Option<i32>, now: DateTime<Utc>) -> String {
    let carrier = match &req.carrier_name {
        Some(name) => format!("{name} (MC {})", req.mc_number),
        None => format!("MC {}", req.mc_number),
    };
    let vs_posted = versus_posted(req.agreed_rate, load.rate());
    let negotiated = match rounds {
        Some(r) if r > 0 => format!(" after {} of negotiation", crate::speech::plural(r as usize, "round", "rounds")),
        _ => String::new(),
    };
    let miles = load.miles.map(|m| format!(", {m} miles")).unwrap_or_default();
    let pickup = crate::speech::when_phrase(load.pickup(), load.origin_zone(), now);
    let local = load.origin_zone().to_local(load.pickup()).format("%a %b %-d, %-I:%M %p");
    format!(
        "{carrier} agreed to haul load {} ({}, {} to {}{miles}), picking up {pickup} ({local} local), at {}: {vs_posted}{negotiated}. {} Call {}.",
        load.load_id,
        load.equipment_type,
        load.origin,
        load.destination,
        req.agreed_rate.spoken(),
        req.verification_note,
        req.call_id,
    )
}
