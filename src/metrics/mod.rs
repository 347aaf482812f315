//! Business metrics for the dashboard (SPEC §9), computed with SQL aggregates on both
//! backends. Periods are `[from, to)`; a call's time is its `started_at`, else when it was
//! first seen. Default period: the last 30 days, up to and including now.
//!
//! Metrics shows every other room's data but imports none of them: [`store`] reads their
//! tables with its own SQL. [`period`] reads the period asked for, [`routes`] holds the
//! two handlers and [`views`] their answers.

pub mod period;
pub mod routes;
pub mod store;
pub mod views;

pub use routes::configure;
