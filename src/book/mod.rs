//! Book mode: the chapter-3 figure scripts of "Neural Networks and Deep
//! Learning" (`fig/weight_initialization.py`, `overfitting.py`,
//! `multiple_eta.py`, `more_data.py`) run as network2.py runs them,
//! compared with the result files the book published, and measured with
//! decaylab's probes on the same runs.
//!
//! Where network2's semantics differ from decaylab's default mode:
//!
//! - the generators: numpy's legacy MT19937 draws the networks, Python's
//!   MT19937 shuffles (`rng`), both seeded 12345678 by every script;
//! - the shuffle: in place, each epoch shuffling the previous epoch's
//!   order, a later `SGD` call on the same list continuing it;
//! - the pixels: byte / 256 (`mnist.pkl.gz`'s float32, exact in f64);
//! - f64 arithmetic, and the cross-entropy's nan_to_num (`net::Saturated`);
//! - a network reused across a script's calls, its generators continuing.
//!
//! `scripts` plans each script's `SGD` calls so that every call can start on
//! its own; `published` holds the book's files and compares with them.

pub mod published;
pub mod rng;
pub mod scripts;

use rayon::prelude::*;
use serde_json::{Value, json};

pub use published::ListComparison;
pub use scripts::{BOOK_SEED, BookRun, BookRunResult, FullSetting, FullStart, Script, SgdLists};

use crate::error::Result;

/// One script's results: its runs, its file as the script writes it, and
/// the comparison with the published one.
#[derive(Debug, Clone)]
pub struct ScriptResult {
    /// The script run.
    pub script: Script,
    /// The seed of numpy's and Python's generators (the book's scripts use 12,345,678).
    pub seed: u32,
    /// Its `SGD` calls, in the script's order.
    pub runs: Vec<BookRunResult>,
    /// Our results in the structure of the published file.
    pub results: Value,
    /// Each published list against ours.
    pub comparison: Vec<ListComparison>,
}

impl ScriptResult {
    /// The JSON file written for the script: `results` (the published
    /// file's structure), `comparison`, and every run with its records.
    pub fn to_json(&self) -> Value {
        json!({
            "script": self.script.name(),
            "seed": self.seed,
            "results": self.results,
            "comparison": self.comparison,
            "runs": self.runs,
        })
    }
}

/// Run `scripts` with both generators seeded by `seed`: every `SGD` call
/// of every script side by side (each starts from its own state, so the
/// results do not depend on the number of threads).
pub fn run_scripts(scripts: &[Script], seed: u32) -> Result<Vec<ScriptResult>> {
    let mnist = scripts::book_mnist()?;
    let runs: Vec<BookRun> = scripts
        .iter()
        .flat_map(|&script| scripts::plan(script, seed))
        .collect();
    // The longest runs first, so that no thread is left with one at the end.
    let mut by_length: Vec<&BookRun> = runs.iter().collect();
    by_length.sort_by_key(|run| std::cmp::Reverse(work(run)));
    let finished: Vec<BookRunResult> = by_length
        .par_iter()
        .with_max_len(1)
        .map(|run| run.execute(&mnist))
        .collect::<Result<_>>()?;
    Ok(scripts
        .iter()
        .map(|&script| {
            let runs: Vec<BookRunResult> = runs
                .iter()
                .filter(|run| run.script == script)
                .map(|run| {
                    finished
                        .iter()
                        .find(|r| r.script == script && r.label == run.label)
                        .expect("every run finished")
                        .clone()
                })
                .collect();
            let results = scripts::results_json(script, &runs);
            let comparison = published::compare(script, &results);
            ScriptResult {
                script,
                seed,
                runs,
                results,
                comparison,
            }
        })
        .collect())
}

/// A run's work, roughly: examples trained times weights, plus the
/// examples scored every epoch (a forward pass, a third of a step).
fn work(run: &BookRun) -> usize {
    let config = &run.config;
    let n = config.train_size.unwrap_or(crate::data::TRAINING_SIZE);
    let scored = if run.final_percent_only {
        0
    } else {
        10_000 + if config.monitor_training { n } else { 0 }
    };
    config.epochs * (3 * n + scored) * config.weight_count()
}

/// The book's weight-initialization runs of [784, 30, 10], exactly as
/// `fig/weight_initialization.py` runs them with n = 30: 30 epochs from
/// network2's default initialization, then `large_weight_initializer()` on
/// the same network and 30 more (eta 0.1, lambda 5, m 10, validation
/// accuracy), both generators seeded `seed` (the book: [`BOOK_SEED`]).
/// Returns the two runs, default first, each with its per-epoch records
/// (decaylab's probes on).
pub fn weight_initialization_runs(seed: u32) -> Result<Vec<BookRunResult>> {
    let [result] = run_scripts(&[Script::WeightInitialization30], seed)?
        .try_into()
        .expect("one script asked, one result");
    Ok(result.runs)
}
