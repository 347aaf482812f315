//! Call records (SPEC §3.1 `calls/finalize`, §5 the dashboard's calls, §12 the voice
//! platform's webhooks). A call is one row keyed by `call_id`, created by whichever
//! request carrying that id comes first (verify, search, evaluate, handoff, finalize) and
//! enriched by the rest; the platform's session events land on it, and the dashboard
//! lists, exports and tells each call's story.
//!
//! Other rooms reach this one only through [`record`].

pub mod classify;
pub mod finalize;
pub mod identity;
pub mod intake;
pub mod record;
pub mod routes;
pub mod store;
pub mod views;

pub use routes::configure;
pub use store::purge_transcripts;
