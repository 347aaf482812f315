//! Rate negotiation (SPEC §7): the pure engine decides; this module counts rounds in the
//! database per `(call_id, load_id)`, recognises webhook retries, and keeps the final
//! offer standing after round 3.

pub mod engine;
pub mod handlers;

pub use handlers::NegotiationRow;

use crate::config::NegotiationSettings;
use crate::http::auth::{require_agent, require_dashboard};
use crate::http::resource;
use crate::types::Money;
use actix_web::middleware::from_fn;
use actix_web::web;
use engine::Policy;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/negotiations/evaluate").route(web::post().to(handlers::evaluate).wrap(from_fn(require_agent))),
    )
    .service(resource("/negotiations/policy").route(web::get().to(handlers::policy).wrap(from_fn(require_dashboard))));
}

impl From<&NegotiationSettings> for Policy {
    fn from(s: &NegotiationSettings) -> Self {
        let sched = |i: usize| s.schedule.get(i).copied().unwrap_or(1.0);
        Policy {
            max_markup: s.max_markup,
            schedule: [sched(0), sched(1), sched(2)],
            step: Money::dollars(s.step_usd as i64),
            urgency_adjustment: s.urgency_adjustment,
        }
    }
}
