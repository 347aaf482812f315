//! The load catalogue (SPEC §4, §6): import (bundled seed, `LOADS_FILE`, admin API),
//! search for the voice agent, and the catalogue routes for the dashboard.
//!
//! `routes` reads requests and returns `views`; `store` holds every query; `search` and
//! `index` rank from memory; `import` reads load records; `model` is the stored row.

pub mod feed;
pub mod import;
pub mod index;
pub mod model;
pub mod routes;
pub mod search;
pub mod store;
pub mod views;

pub use import::{seed_if_empty, SEED_JSON};
pub use index::LoadIndex;
pub use model::{LoadRow, LoadStatus};
pub use routes::configure;
pub use store::refresh_seed;
