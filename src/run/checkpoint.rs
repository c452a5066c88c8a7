//! The whole state of a run between epochs, so that a run killed at any
//! moment can be finished later with the same bits as if it never stopped.
//!
//! Between epochs a run is: its configuration, the network, the generator's
//! position, and the records so far (everything else is rebuilt each epoch).
//! Weights are stored as f64 JSON numbers, which hold f32 and f64 values
//! exactly; the generator as its seed and its word position in the stream.

use std::path::Path;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::Config;
use crate::error::{Error, Result};
use crate::kernels::Real;
use crate::metrics::EpochRecord;
use crate::net::Network;

/// Bumped when the layout changes; older files are refused.
/// 2: epoch records hold their dynamics under "dynamics" (null at epoch 0).
const FORMAT: u32 = 2;

/// Everything a run needs to go on exactly where it stopped.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The layout's version (see `FORMAT`).
    pub format: u32,
    /// The run's configuration; a resumed run must have the same.
    pub config: Config,
    /// Epochs completed.
    pub epoch: usize,
    /// The network's weights, layer by layer, exactly (f32 widens without loss).
    pub weights: Vec<Vec<f64>>,
    /// Its biases, the same way.
    pub biases: Vec<Vec<f64>>,
    /// The generator's position: words of its stream consumed so far
    /// (a u128, as a decimal string).
    pub rng_word_pos: String,
    /// The records of the epochs completed, epoch 0 first.
    pub records: Vec<EpochRecord>,
}

impl Checkpoint {
    /// The state of a run after `records.len() - 1` epochs.
    pub fn capture<T: Real>(
        config: &Config,
        net: &Network<T>,
        rng: &ChaCha8Rng,
        records: &[EpochRecord],
    ) -> Checkpoint {
        let to_f64 = |v: &Vec<T>| v.iter().map(|x| x.as_f64()).collect();
        Checkpoint {
            format: FORMAT,
            config: config.clone(),
            epoch: records.len() - 1,
            weights: net.weights.iter().map(to_f64).collect(),
            biases: net.biases.iter().map(to_f64).collect(),
            rng_word_pos: rng.get_word_pos().to_string(),
            records: records.to_vec(),
        }
    }

    /// Written atomically to `path`.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_vec(self).expect("a checkpoint serializes");
        crate::output::write_atomic(path, &text)
    }

    /// Read from `path`, refusing other formats and malformed files.
    pub fn load(path: &Path) -> Result<Checkpoint> {
        let bad = |message: String| Error::bad_file(path, message);
        let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read: {e}")))?;
        let checkpoint: Checkpoint = serde_json::from_slice(&bytes)
            .map_err(|e| bad(format!("not a decaylab checkpoint ({e})")))?;
        if checkpoint.format != FORMAT {
            return Err(bad(format!(
                "checkpoint format {}; this version reads format {FORMAT}",
                checkpoint.format
            )));
        }
        if checkpoint.records.len() != checkpoint.epoch + 1 {
            return Err(bad(format!(
                "{} records for epoch {}; expected one per epoch from 0",
                checkpoint.records.len(),
                checkpoint.epoch
            )));
        }
        Ok(checkpoint)
    }

    /// Refuse to continue a run under another configuration. Only `epochs`
    /// may differ (it counts from the start, so a longer run can extend a
    /// shorter one).
    pub fn check_matches(&self, config: &Config, path: &Path) -> Result<()> {
        let mut stored = self.config.clone();
        stored.epochs = config.epochs;
        if &stored != config {
            let ours = serde_json::to_value(config).expect("serializes");
            let theirs = serde_json::to_value(&stored).expect("serializes");
            let differing: Vec<String> = ours
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, v)| theirs.get(k.as_str()) != Some(v))
                .map(|(k, v)| {
                    format!(
                        "{k}: checkpoint {}, flags {v}",
                        theirs.get(k.as_str()).cloned().unwrap_or_default()
                    )
                })
                .collect();
            return Err(Error::bad_file(
                path,
                format!(
                    "checkpoint of another run ({}); expected the same flags as the run that wrote it",
                    differing.join("; ")
                ),
            ));
        }
        Ok(())
    }

    /// The network and generator to continue from.
    pub fn restore<T: Real>(&self, path: &Path) -> Result<(Network<T>, ChaCha8Rng)> {
        let from_f64 = |v: &Vec<f64>| v.iter().map(|&x| T::from_f64(x)).collect();
        let net = Network::from_parts(
            self.config.sizes.clone(),
            self.weights.iter().map(from_f64).collect(),
            self.biases.iter().map(from_f64).collect(),
            self.config.cost,
        )
        .map_err(|e| Error::bad_file(path, e.to_string()))?;
        let word_pos: u128 = self.rng_word_pos.parse().map_err(|_| {
            Error::bad_file(
                path,
                format!(
                    "rng_word_pos \"{}\"; expected an integer",
                    self.rng_word_pos
                ),
            )
        })?;
        let mut rng = ChaCha8Rng::seed_from_u64(self.config.seed);
        rng.set_word_pos(word_pos);
        Ok((net, rng))
    }
}
