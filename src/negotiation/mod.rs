//! Rate negotiation (SPEC §7): the pure engine decides; the store counts rounds in the
//! database per `(call_id, load_id)`, recognises webhook retries, and keeps the final
//! offer standing after round 3.
//!
//! `routes` reads requests and returns `views`; `store` holds the rows and the evaluation
//! transaction; `engine` is the decision itself.

pub mod engine;
pub mod memory;
pub mod routes;
pub mod store;
pub mod views;

pub use engine::Decision;
pub use routes::configure;
pub use store::NegotiationRow;
