//! Booking and handoff (SPEC §3.1 `calls/handoff`, §7.4): the agreed rate is checked
//! against the negotiation, the load moves `available → booked` in one conditional update
//! (exactly one winner under any concurrency, on both backends and across instances), a
//! sales rep is picked round-robin from a counter kept in the database, and the rep gets
//! a one-paragraph summary. An admin may release a booking whose transfer fell through.
//!
//! - [`routes`]: the two handlers and their OpenAPI paths;
//! - [`store`]: the booking row and the handoff and cancel transactions;
//! - [`views`]: the request and answer types;
//! - [`handoff`]: the pure rules (the rate check, the rep's summary);
//! - [`rep`]: the sales reps and the number a transfer dials.

pub mod handoff;
pub mod rep;
pub mod routes;
pub mod store;
pub mod views;

pub use rep::Rep;
pub use routes::configure;
