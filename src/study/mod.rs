//! The claims study: plan the runs, run them, decide the four claims from
//! what they measured.
//!
//! The modules in the order the data pass through them (each uses only
//! those before it): `plan` (which runs), `shard` (which of them this
//! process trains), `runner` (train or read back), `summary` and
//! `measures` (means, and what the claims read off a run), `fit` and
//! `equilibrium` (settled sizes and their power laws), `results` (the runs
//! grouped by purpose), `claims` (evidence and decisions), `book_examples`
//! (the claims' measures on the book's own runs).

pub mod book_examples;
pub mod claims;
pub mod comments;
pub mod equilibrium;
pub mod fit;
pub mod measures;
pub mod plan;
pub mod results;
pub mod runner;
pub mod shard;
pub mod summary;
#[cfg(test)]
pub(crate) mod synthetic;

pub use plan::{Mode, Plan, RunSpec};
pub use results::Results;
pub use runner::RunResult;
