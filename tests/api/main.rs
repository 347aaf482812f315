//! Black-box API tests: the real app on port 0, over HTTP. Runs on SQLite, and on
//! PostgreSQL when `TEST_DATABASE_URL` is set.

mod auth;
mod calls;
mod carrier_history;
mod carriers;
mod errors;
mod happyrobot_kit;
mod hardening;
mod helpers;
mod hostile;
mod identity;
mod live;
mod loads;
mod memory;
mod negotiation;
mod openapi;
mod operations;
mod ops;
mod production;
mod rejected;
mod sessions;
mod simulate;
mod startup;
mod sync;
mod web_contract;
mod webhooks;
