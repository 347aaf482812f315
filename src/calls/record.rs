//! The small interface other rooms use to record what happened to a call: find or issue
//! the call's id from what the request named (SPEC §12.1), and make sure the call exists.
//! Carriers, loads, negotiation and bookings reach the calls room through this module
//! only; the architecture test holds them to it.

pub use super::identity::{attribute_for, issue, named};
pub use super::store::calls::{carrier_mc, touch};
