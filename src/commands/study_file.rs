//! The study file at the command line: `claims --print-config` writes
//! the built-in study's, `claims --config FILE` reads one into a plan.

use std::path::Path;

use super::failure::{Failure, Outcome};
use crate::error::Error;
use crate::study::plan::{Purpose, StudyFile};
use crate::study::{Mode, Plan};

/// The first lines of a study file `--print-config` writes.
const HEADER: &str = "\
# A decaylab study: `decaylab claims --config FILE` runs it.
# mode: quick, full or deep; setup_epochs: the epochs of each setup's
# base runs. Each [[setup]] is a setup beyond the book's:
# name, eta, lambda (0 for sgdw and adamw), optimizer (kind = sgd,
# momentum (mu), sgdw (weight_decay), adam (beta1, beta2, eps) or adamw
# (the same and weight_decay)), and optionally regularization (l2, l1),
# cost (cross-entropy, quadratic, log-likelihood), activation (sigmoid,
# tanh). The base setup (network2's) is always run.
";

/// Print the study file of the built-in study of `mode` with `seeds`
/// seeds (at most `max_seeds`) from `seed_base`.
pub(super) fn print(mode: Mode, seeds: usize, seed_base: u64, max_seeds: usize) -> Outcome {
    if !(1..=max_seeds).contains(&seeds) {
        return Err(Failure::flag(
            "--seeds",
            format!("{seeds}; expected 1 to {max_seeds} seeds"),
        ));
    }
    let file = StudyFile::built_in(mode, seeds, seed_base);
    let text = file.to_toml().map_err(|why| {
        Failure::flag(
            "--seed-base",
            format!(
                "{seed_base}: {why}; expected at most {} in a study file",
                i64::MAX
            ),
        )
    })?;
    print!("{HEADER}\n{text}");
    Ok(())
}

/// Study files are a few kilobytes; this bounds what is read.
const LIMIT: u64 = 1 << 20;

/// The plan of the study file at `path` (at most `max_seeds` seeds), or
/// an error naming the file and what is wrong in it: its key, its setup,
/// or the setting of a setup's run that cannot train.
pub(super) fn plan(path: &Path, max_seeds: usize) -> Outcome<Plan> {
    let bad = |message: String| Failure::Library(Error::bad_file(path, message));
    let text = crate::input::read_text_bounded(path, "a study file", LIMIT)?;
    let file = StudyFile::parse(&text).map_err(bad)?;
    if file.seeds > max_seeds {
        return Err(bad(format!(
            "seeds = {}; expected 1 to {max_seeds}",
            file.seeds
        )));
    }
    let plan = file.plan().ok_or_else(|| {
        bad(format!(
            "seed_base = {} with seeds = {}; expected seeds that fit in 64 bits",
            file.seed_base, file.seeds
        ))
    })?;
    for run in &plan.runs {
        if let Purpose::Setup { setup, .. } = &run.purpose {
            let n = run.config.train_size.unwrap_or(plan.train_size);
            let checked = run.config.validate().and(run.config.check_decay(n));
            checked.map_err(|e| bad(format!("setup {setup}: {e}")))?;
        }
    }
    Ok(plan)
}
