//! carrier-sales: the backend and dashboard behind a freight brokerage's AI voice agent.
//!
//! Domain folders own their handlers, queries and pure logic (`loads/`); `http/` wires
//! them; `db/` is the one database layer over SQLite and PostgreSQL.

pub mod app;
pub mod bookings;
pub mod calls;
pub mod carriers;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod events;
pub mod geo;
pub mod http;
pub mod kit;
pub mod loads;
pub mod metrics;
pub mod negotiation;
pub mod paging;
pub mod parse;
pub mod simulate;
pub mod speech;
pub mod state;
pub mod telemetry;
pub mod time;
pub mod types;
pub mod vocab;
pub mod webhooks;
