//! The whole state of a run between epochs, so that a run killed at any
//! moment can be finished later with the same bits as if it never stopped.
//!
//! Between epochs a run is: its configuration, the network, the generator's
//! position, and the records so far (everything else is rebuilt each epoch).
//! Weights are stored as f64 JSON numbers, which hold f32 and f64 values
//! exactly; the generator as its seed and its word position in the stream.
//!
//! A checkpoint is two files: the state (`FILE`: configuration, network,
//! generator), replaced whole after every epoch, and the records
//! (`FILE.records.jsonl`, one JSON line per epoch), appended to. An epoch
//! thus costs the network's size plus its own record, and a long run's
//! writing grows linearly with its epochs. The log is written before the
//! state, so a run killed between the two leaves a log with a record more
//! than the state holds; reading takes the state's epochs and leaves the
//! rest.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::Config;
use crate::error::{Error, Result};
use crate::kernels::Real;
use crate::metrics::{EpochRecord, json_line};
use crate::net::Network;
use crate::output::Appender;
use crate::train::RuleMoments;

/// Bumped when the layout changes; older files are refused.
/// 2: epoch records hold their dynamics under "dynamics" (null at epoch 0).
/// 3: the records are kept in the log beside the state.
const FORMAT: u32 = 3;

/// The records' log beside the checkpoint at `path`: `FILE.records.jsonl`.
pub fn records_path(path: &Path) -> PathBuf {
    let mut name: OsString = path.file_name().unwrap_or_default().to_owned();
    name.push(".records.jsonl");
    path.with_file_name(name)
}

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
    /// The SHA-256 of the data directory's files the run trains on (see
    /// `Mnist::sha256`; None for the bundled files).
    #[serde(default)]
    pub data_sha256: Option<String>,
    /// The update rule's state between steps (momentum's velocity, Adam's
    /// moments), for the rules that keep one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_moments: Option<RuleMoments>,
    /// The records of the epochs completed, epoch 0 first (kept in the log
    /// beside the state, see [`records_path`]).
    #[serde(skip)]
    pub records: Vec<EpochRecord>,
}

impl Checkpoint {
    /// The state of a run after `epoch` epochs, its records left out
    /// (they go to the log).
    fn state<T: Real>(
        config: &Config,
        net: &Network<T>,
        rng: &ChaCha8Rng,
        rule_moments: Option<RuleMoments>,
        epoch: usize,
        data_sha256: Option<String>,
    ) -> Checkpoint {
        let to_f64 = |v: &Vec<T>| v.iter().map(|x| x.as_f64()).collect();
        Checkpoint {
            format: FORMAT,
            config: config.clone(),
            epoch,
            weights: net.weights.iter().map(to_f64).collect(),
            biases: net.biases.iter().map(to_f64).collect(),
            rng_word_pos: rng.get_word_pos().to_string(),
            data_sha256,
            rule_moments,
            records: Vec::new(),
        }
    }

    /// Read from `path` and the log beside it, refusing other formats and
    /// malformed files.
    pub fn load(path: &Path) -> Result<Checkpoint> {
        let bad = |message: String| Error::bad_file(path, message);
        let limit = crate::input::whole_file_limit();
        let bytes = crate::input::read_bounded(path, "a decaylab checkpoint", limit)?;
        let mut checkpoint: Checkpoint = serde_json::from_slice(&bytes)
            .map_err(|e| bad(format!("not a decaylab checkpoint ({e})")))?;
        if checkpoint.format != FORMAT {
            return Err(bad(format!(
                "checkpoint format {}; this version reads format {FORMAT}",
                checkpoint.format
            )));
        }
        checkpoint.records = read_records(&records_path(path), checkpoint.epoch)?;
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

    /// Refuse to continue on data other than the run started on: the data
    /// directory's files (`data_sha256`, as `Mnist::sha256` gives it) must
    /// hold what they held.
    pub fn check_data(&self, data_sha256: Option<&str>, path: &Path) -> Result<()> {
        if self.data_sha256.as_deref() == data_sha256 {
            return Ok(());
        }
        let describe = |sum: Option<&str>| match sum {
            Some(sum) => format!("files of SHA-256 {sum}"),
            None => "the bundled MNIST".to_string(),
        };
        Err(Error::bad_file(
            path,
            format!(
                "checkpoint of a run on {}, but the data given now is {} (were the files replaced?); expected the data the run started on",
                describe(self.data_sha256.as_deref()),
                describe(data_sha256)
            ),
        ))
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

/// The first `epoch + 1` records of the log at `path`, epoch 0 first; lines
/// after them (a run killed between its log and its state) are left.
fn read_records(path: &Path, epoch: usize) -> Result<Vec<EpochRecord>> {
    let bad = |message: String| Error::bad_file(path, message);
    let limit = crate::input::whole_file_limit();
    let what = "the checkpoint's records, written beside it";
    let text = crate::input::read_text_bounded(path, what, limit)?;
    let mut records = Vec::with_capacity(epoch + 1);
    // Only lines ended by a newline are whole.
    for (i, line) in text.split_inclusive('\n').take(epoch + 1).enumerate() {
        let Some(line) = line.strip_suffix('\n') else {
            break;
        };
        let record: EpochRecord = serde_json::from_str(line)
            .map_err(|e| bad(format!("line {}: not an epoch record ({e})", i + 1)))?;
        if record.epoch != i {
            return Err(bad(format!(
                "line {} holds epoch {}; expected epoch {i}",
                i + 1,
                record.epoch
            )));
        }
        records.push(record);
    }
    if records.len() != epoch + 1 {
        return Err(bad(format!(
            "{} whole records; the checkpoint is at epoch {epoch}, expected one per epoch from 0",
            records.len()
        )));
    }
    Ok(records)
}

/// Writes a run's checkpoint after each epoch, as the module says: the
/// records appended to the log (the last one written again if it changed
/// since, as the end's full gradient changes it), then the state.
pub struct CheckpointWriter {
    path: PathBuf,
    /// The data's SHA-256, stored with the state.
    data_sha256: Option<String>,
    log: Option<Appender>,
    /// Records in the log.
    written: usize,
    /// The last of them as written.
    last_line: String,
}

impl CheckpointWriter {
    /// A writer of the checkpoint at `path` of a run on the data whose
    /// SHA-256 is `data_sha256` (nothing is written yet).
    pub fn new(path: &Path, data_sha256: Option<String>) -> CheckpointWriter {
        CheckpointWriter {
            path: path.to_path_buf(),
            data_sha256,
            log: None,
            written: 0,
            last_line: String::new(),
        }
    }

    /// Save the run after `records.len() - 1` epochs; `records` holds those
    /// saved before and those since.
    pub fn save<T: Real>(
        &mut self,
        config: &Config,
        net: &Network<T>,
        rng: &ChaCha8Rng,
        rule_moments: Option<RuleMoments>,
        records: &[EpochRecord],
    ) -> Result<()> {
        // Each record is serialized once: the new ones here, the last one
        // written again only to see whether it changed.
        let lines: Vec<String> = records[self.written..].iter().map(json_line).collect();
        let log = match &mut self.log {
            None => self.log.insert(Appender::start(
                &records_path(&self.path),
                lines.concat().as_bytes(),
            )?),
            Some(log) => {
                if let Some(last) = records[..self.written].last() {
                    let line = json_line(last);
                    if line != self.last_line {
                        log.replace_last(line.as_bytes())?;
                        self.last_line = line;
                    }
                }
                for line in &lines {
                    log.append(line.as_bytes())?;
                }
                log
            }
        };
        log.sync()?;
        self.written = records.len();
        if let Some(line) = lines.into_iter().last() {
            self.last_line = line;
        }
        let epoch = records.len() - 1;
        let state = Checkpoint::state(
            config,
            net,
            rng,
            rule_moments,
            epoch,
            self.data_sha256.clone(),
        );
        let text = serde_json::to_vec(&state).expect("a checkpoint serializes");
        crate::output::write_atomic(&self.path, &text)
    }
}
