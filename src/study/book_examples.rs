//! The claims read off the book's own examples: the runs of chapter 3's
//! weight-initialization figure ([784, 30, 10], eta 0.1, lambda 5, m 10,
//! 30 epochs, default init and then large init on the same network, as
//! network2.py runs them), which the problem asks to check ("argue that
//! these conditions are all satisfied in the examples graphed in this
//! section"). They train 30 epochs, so they may stop before settling.

use std::path::Path;

use serde::Serialize;

use crate::book::{self, BOOK_SEED, Script};
use crate::error::Result;
use crate::metrics::EpochRecord;
use crate::net::Init;
use crate::run::settle::Settling;
use crate::study::claims::Thresholds;
use crate::study::measures::{leading_epochs_below, offset_fraction, shrink_deviations, tail_off};
use crate::study::runner;
use crate::study::summary::mean;
use crate::theory;

/// One book run, measured as the study measures its own.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BookExample {
    pub run: String,
    pub init: Init,
    pub epochs: usize,
    /// Claim 1: leading decay-dominated epochs (all weights), and f_1.
    #[serde(rename = "K")]
    pub k: usize,
    pub f_1: Option<f64>,
    /// Claim 2: mean |rho_e / rho* - 1| over those epochs.
    pub shrink_deviation: Option<f64>,
    /// Claim 3: the tail-off epoch (all weights), and per layer the
    /// settled epoch (None if not settled by the end) and the last rms.
    pub tail_off_epoch: Option<usize>,
    pub settled_epoch_per_layer: Vec<Option<usize>>,
    pub final_rms_per_layer: Vec<f64>,
    /// The references of claim 3 and 4, per layer: 1/sqrt(n_in).
    pub inv_sqrt_n_in_per_layer: Vec<f64>,
    pub inv_sqrt_n_w: f64,
    pub inv_n_w: f64,
    /// Claim 4: validation accuracy at the last epoch (a fraction).
    pub final_accuracy: f64,
}

/// The measures of one run of `sizes`, from its records (epoch 0 first).
pub fn example(run: &str, init: Init, sizes: &[usize], records: &[EpochRecord]) -> BookExample {
    let layers = sizes.len() - 1;
    let k = leading_epochs_below(records, None, Thresholds::default().decay_dominated);
    let deviations = shrink_deviations(records, k);
    let n_w = crate::net::weight_count(sizes).unwrap_or(0);
    let references = theory::ReferenceSizes::for_weight_count(n_w);
    let last = records.last();
    BookExample {
        run: run.into(),
        init,
        epochs: records.len().saturating_sub(1),
        k,
        f_1: records.get(1).and_then(|r| offset_fraction(r, None)),
        shrink_deviation: mean(&deviations),
        tail_off_epoch: tail_off(records, None).map(|t| t.epoch),
        settled_epoch_per_layer: (0..layers)
            .map(|l| Settling::of_records(records, Some(l)).settled_epoch)
            .collect(),
        final_rms_per_layer: (0..layers)
            .map(|l| last.map_or(f64::NAN, |r| r.weights.layers[l].rms))
            .collect(),
        inv_sqrt_n_in_per_layer: sizes[..layers]
            .iter()
            .map(|&n_in| theory::inv_sqrt_n_in(n_in))
            .collect(),
        inv_sqrt_n_w: references.inv_sqrt_n_w,
        inv_n_w: references.inv_n_w,
        final_accuracy: last.map_or(f64::NAN, |r| r.eval_accuracy),
    }
}

/// The book's two weight-initialization runs (default init first) as
/// examples: read back from `runs_dir` where both are finished with the
/// configuration the book's script gives them, as the study's runs are;
/// else trained and stored there when `may_train`; else None.
pub fn book_examples(runs_dir: &Path, may_train: bool) -> Result<Option<Vec<BookExample>>> {
    let planned = book::scripts::plan(Script::WeightInitialization30, BOOK_SEED);
    let stored: Option<Vec<(String, Init, Vec<EpochRecord>)>> = planned
        .iter()
        .map(|run| {
            let files = runner::RunFiles::new(runs_dir, &stored_name(&run.label));
            let records = files.stored_records()?;
            (files.stored_config()? == run.config && records.len() == run.config.epochs + 1)
                .then(|| (run.label.clone(), run.init, records))
        })
        .collect();
    let runs = match stored {
        Some(runs) => runs,
        None if !may_train => return Ok(None),
        None => {
            let trained = book::weight_initialization_runs(BOOK_SEED)?;
            for run in &trained {
                runner::RunFiles::new(runs_dir, &stored_name(&run.label))
                    .store(&run.records, &run.config)?;
            }
            trained
                .into_iter()
                .map(|run| (run.label, run.init, run.records))
                .collect()
        }
    };
    let sizes = planned
        .first()
        .map(|run| run.config.sizes.clone())
        .unwrap_or_default();
    Ok(Some(
        runs.iter()
            .map(|(label, init, records)| example(label, *init, &sizes, records))
            .collect(),
    ))
}

/// The name a book run is stored under in a study's `runs/`.
fn stored_name(label: &str) -> String {
    format!("book-{label}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::synthetic::synthetic_run;

    #[test]
    fn the_measures_come_from_the_records() {
        // f: 0, 0.05, 0.05, 0.3, 0.6, 0.9: two decay-dominated epochs, the
        // tail-off at epoch 4; the shrink is rho* exactly in epoch 1.
        let rms = [1.0, 0.95, 0.9, 0.88, 0.87, 0.87];
        let run = synthetic_run(&rms, &[0.0, 0.05, 0.05, 0.3, 0.6, 0.9], &[0.9; 6], 0.95);
        let e = example("large", Init::Large, &[4, 3, 2], &run);
        assert_eq!((e.epochs, e.k, e.tail_off_epoch), (5, 2, Some(4)));
        assert_eq!(e.f_1, Some(0.05));
        let deviation = ((0.95f64 / 0.95 - 1.0).abs() + (0.9f64 / 0.95 / 0.95 - 1.0).abs()) / 2.0;
        approx::assert_relative_eq!(e.shrink_deviation.unwrap(), deviation, epsilon = 1e-12);
        assert_eq!(e.settled_epoch_per_layer, [None, None]);
        assert_eq!(e.final_rms_per_layer, [0.87, 0.87]);
        approx::assert_relative_eq!(e.inv_sqrt_n_in_per_layer[1], 1.0 / 3f64.sqrt());
        assert_eq!(e.inv_n_w, 1.0 / 18.0);
    }
}
