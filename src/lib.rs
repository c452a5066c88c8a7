//! decaylab: trains sigmoid networks on MNIST exactly as network2.py does
//! ("Neural Networks and Deep Learning", ch. 3) and measures how L2 weight
//! decay shapes the weights, epoch by epoch.
//!
//! The modules follow the data's path, each using only those before it:
//!
//! 1. `error`, `output`, `input`: typed errors; files written atomically
//!    or grown line by line; files read whole within a bound.
//! 2. `kernels`: the few dense operations a step needs, portable and vectorized.
//! 3. `data`: IDX files, the bundled MNIST, the split, pooling.
//! 4. `net`: the network (sizes, weights, biases), initialization, costs,
//!    network2's JSON files.
//! 5. `theory`: closed forms (the exact and asymptotic shrink per epoch).
//! 6. `train`: backprop, the SGD step, evaluation.
//! 7. `probes`: what a step and an epoch show (norm budget, displacements,
//!    weight statistics, histograms).
//! 8. `optimum`: the full-batch L2-regularized objective J = C_0 +
//!    (lambda/2n) sum |w|^2 and its minimizer (L-BFGS), the L2 optimum
//!    SGD's settled sizes are compared with.
//! 9. `metrics`: the per-epoch record and its files (JSON lines, CSV).
//! 10. `run`: one run from its `Config`: epochs, probes, checkpoints, the
//!     stop once the weights have settled.
//! 11. `book`: the book's chapter-3 scripts run as network2 runs them
//!     (its generators, shuffles and scoring), compared with the files the
//!     book published.
//! 12. `study`: the claims study (plan, runner, fits, verdicts).
//! 13. `report`: the study's report (HTML, Markdown, plots), and the book
//!     mode's figures.
//! 14. `cli`, `commands`: the command-line front end: the flags, the
//!     errors named by them and their exit codes, the console. Only here
//!     are flags known; the library names its settings in its own words.
//!
//! `tests/layers.rs` checks that no module uses one listed after it.

#![warn(missing_docs)]

pub mod book;
// The binary's front end (main.rs), not the library's API.
#[doc(hidden)]
pub mod cli;
#[doc(hidden)]
pub mod commands;
pub mod data;
pub mod error;
pub mod input;
pub mod kernels;
pub mod metrics;
pub mod net;
pub mod optimum;
pub mod output;
pub mod probes;
pub(crate) mod report;
pub mod run;
pub(crate) mod study;
pub mod theory;
pub mod train;

pub use error::{Error, Result, Setting};
