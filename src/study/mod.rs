//! The claims study: plan the runs, run them, decide the four claims from
//! what they measured.
//!
//! The modules in the order the data pass through them (each uses only
//! those before it): `plan` (which runs), `shard` (which of them this
//! process trains), `runner` (train or read back), `optima` (the L2
//! optimum at the noise law's lambdas, from finished runs), `summary` and
//! `measures` (means, and what the claims read off a run), `fit` and
//! `equilibrium` (settled sizes and their power laws), `architecture` (the
//! all-weights rms against n_w as form and prefactor), `noise_law` (the
//! branches' sizes against eta/m, beside the optimum), `tail_average` (the
//! branches' averaged networks beside the optimum), `results` (the runs
//! grouped by purpose), `claims` (evidence and decisions), `book_examples`
//! (the claims' measures on the book's own runs).

pub mod approach;
pub mod architecture;
pub mod book_examples;
pub mod claims;
pub mod comments;
pub mod equilibrium;
pub mod fit;
pub mod input_scale;
pub mod measures;
pub mod noise_law;
pub mod optima;
pub mod plan;
pub mod results;
pub mod runner;
pub mod shard;
pub mod summary;
pub mod tail_average;

pub use plan::{Mode, Plan, RunSpec};
pub use results::Results;
pub use runner::RunResult;
