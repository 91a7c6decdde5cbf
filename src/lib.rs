#![warn(unreachable_pub)]
//! bedflow: a discrete-event simulator of emergency flow through hospital beds.
//!
//! Data flows one way: TOML -> [`scenario`] (validation) -> [`model`] (typed,
//! immutable) -> [`engine`] (one replication) -> [`replicate`] (parallel,
//! replication order) -> [`stats`] -> [`output`] (CSV, JSON).

pub mod calendar;
pub mod calibrate;
pub mod cli;
pub mod compare;
pub mod decision;
pub mod dist;
pub mod engine;
mod files;
pub mod metric;
pub mod model;
pub mod output;
pub mod reduce;
pub mod replicate;
pub mod scenario;
pub mod serve;
pub mod stats;
pub mod summary;
pub mod terminal;
