//! Carrier verification against FMCSA (SPEC §3.1 `fmcsa/verify`, §6).
//!
//! Before a load is pitched the agent checks the caller's MC number (or USDOT number):
//! may the brokerage legally tender freight to this carrier? FMCSA's QCMobile API is the
//! source of truth; the rules are FMCSA's fields read as a broker's compliance team
//! would (see [`eligibility`] for each rule and [`carrier`] for what each field means).
//!
//! - [`client`]: the QCMobile HTTP client (deadline, one retry, every response shape);
//! - [`eligibility`]: the pure rules, reason codes and warnings in SPEC §6 order;
//! - [`snapshot`]: the embedded offline snapshot used when no `FMCSA_WEB_KEY` is set;
//! - [`breaker`]: the circuit breaker that stops calling an FMCSA that is down;
//! - [`store`]: the database cache (shared by instances) and the verification records;
//! - [`service`]: one verification end to end, within the `FMCSA_TIMEOUT_MS` budget;
//! - [`messages`]: what the agent says for each outcome;
//! - [`history`]: a carrier's history in figures (the summary, premiums, walk-aways),
//!   read by [`store::history`] for `GET /carriers/{mc}`;
//! - [`routes`]: `POST /fmcsa/verify`, `GET /carriers/{mc}` and their OpenAPI paths;
//!   [`views`]: their schemas.
//!
//! Other modules use [`verify`] (a fresh verification, recorded) and
//! [`latest_verification`] (the last one recorded for an MC).

pub mod breaker;
pub mod carrier;
pub mod client;
pub mod eligibility;
pub mod history;
pub mod messages;
pub mod query;
pub mod routes;
pub mod service;
pub mod snapshot;
pub mod store;
pub mod views;

pub use eligibility::{Reason, Status, Warning};
pub use messages::title_case;
pub use query::{CarrierQuery, DotNumber, Lookup};
pub use service::{verify, Fmcsa, Source, Verification};
pub use store::{latest_verification, VerificationRecord};

pub use routes::configure;
