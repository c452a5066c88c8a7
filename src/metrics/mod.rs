//! The per-epoch record of a run and its writers.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::probes::WeightStats;

/// Everything measured at the end of one epoch (epoch 0: before training).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    pub epoch: usize,
    /// Fraction of the evaluation set classified correctly.
    pub eval_accuracy: f64,
    /// network2's total_cost on the evaluation set: data term + (lambda/2N) sum w^2.
    pub eval_cost: f64,
    /// The data term alone, (1/N) sum_x C_x.
    pub eval_data_cost: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_accuracy: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_cost: Option<f64>,
    pub weights: WeightStats,
    /// Per hidden layer: fraction of (example, neuron) pairs of the
    /// evaluation set with sigma'(z) < 0.01.
    pub saturation: Vec<f64>,
    /// Wall-clock seconds of this epoch's SGD steps (0 for epoch 0).
    pub seconds: f64,
}

/// All records as JSON lines, one per epoch.
pub fn to_json_lines(records: &[EpochRecord]) -> String {
    let mut text = String::new();
    for record in records {
        text.push_str(&serde_json::to_string(record).expect("a record serializes"));
        text.push('\n');
    }
    text
}

/// Write all records as JSON lines to `path`, replacing it atomically, so
/// that a reader (or a crash) never sees a half-written line.
pub fn write_json_lines(path: &Path, records: &[EpochRecord]) -> Result<()> {
    crate::output::write_atomic(path, to_json_lines(records).as_bytes())
}
