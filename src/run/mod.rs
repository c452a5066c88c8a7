//! A run: epochs of SGD from a `Config`, measured after every epoch, with
//! the probes attached, checkpointed and resumable, optionally stopped once
//! the weights have settled.
//!
//! This module sits above `train` (the step), `probes` (what a step and an
//! epoch show) and `metrics` (the per-epoch record): it is where they meet.

mod average;
pub mod checkpoint;
mod config;
mod measure;
mod precision;
pub mod schedule;
pub mod settle;

use std::path::Path;
use std::time::Instant;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use crate::train::Rearrange;
pub use checkpoint::{Checkpoint, CheckpointWriter};
pub use config::{Config, EvalSet, FullGradientAt, RunData};
pub use measure::decay_law;
pub use precision::{F32_SMALLEST_DECAY, Precision};

use crate::error::{Error, Result};
use crate::kernels::Real;
use crate::metrics::{EpochRecord, TailAverage};
use crate::net::{Network, network2_json};
use crate::probes::{EpochProbe, rms};
use crate::train::{EpochOrder, Sgd, Unobserved};
use average::TailSum;
use measure::{HistogramRanges, Measurer};

/// What a caller hears while a run goes on.
pub trait Observer {
    /// Epoch `epoch` (from 1) starts; it will take `steps` steps.
    fn epoch_started(&mut self, _epoch: usize, _steps: usize) {}
    /// `steps` steps of the current epoch are done.
    fn steps_done(&mut self, _steps: usize) {}
    /// An epoch was measured (epoch 0 first). An error stops the run.
    fn epoch_measured(&mut self, _record: &EpochRecord) -> Result<()> {
        Ok(())
    }
    /// Before epoch `epoch` (from 1) starts: what the run does next. A live
    /// front end pauses a run by waiting here.
    fn steer(&mut self, _epoch: usize) -> Steer {
        Steer::Go
    }
}

/// What an observer has a run do before its next epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Steer {
    /// Train the epoch as configured.
    Go,
    /// Train this epoch and the next with eta and lambda changed (the
    /// weights then move toward the new equilibrium); their records carry
    /// `learning_rate` and `lambda`.
    Retune {
        /// The learning rate of the epochs from this one on.
        eta: f64,
        /// The regularization parameter of the epochs from this one on.
        lambda: f64,
    },
    /// End the run here, as if its last epoch were done.
    Stop,
}

/// An observer that hears nothing.
pub struct Silent;
impl Observer for Silent {}

/// A finished run: the trained network and its records, epoch 0 first.
pub struct Outcome<T> {
    /// The network after the last epoch.
    pub net: Network<T>,
    /// One record per epoch, epoch 0 (before training) first.
    pub records: Vec<EpochRecord>,
    /// The tail average of the network, if the config asks for one
    /// (`Config::tail_average_from`; its measures are in the last record).
    pub average: Option<Network<T>>,
}

/// The network a run starts from, and the generator in the state after
/// drawing it: loaded from `config.load`, or drawn from `config.seed`.
pub fn initial_network<T: Real>(config: &Config) -> Result<(Network<T>, ChaCha8Rng)> {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let net = match &config.load {
        Some(path) => {
            let net: Network<T> = network2_json::load(path)?;
            if net.sizes() != config.sizes.as_slice() {
                return Err(Error::bad_file(
                    path,
                    format!(
                        "network has sizes {:?} but the run asks for {:?}",
                        net.sizes(),
                        config.sizes
                    ),
                ));
            }
            // A weight that fits in the file's f64 but not in T (e.g. 1e39
            // in f32) is the file's problem, not the training's.
            for (l, (w, b)) in net.weights.iter().zip(&net.biases).enumerate() {
                if let Some(v) = w.iter().chain(b).find(|v| !v.is_finite()) {
                    return Err(Error::bad_file(
                        path,
                        format!(
                            "layer {} holds {} in {}; expected finite values that fit the run's precision",
                            l + 1,
                            v.as_f64(),
                            T::NAME
                        ),
                    ));
                }
            }
            net
        }
        None => Network::new(&config.sizes, config.init, config.cost, &mut rng)
            .with_hidden(config.hidden),
    };
    Ok((net, rng))
}

/// Where a run keeps its state between epochs.
#[derive(Debug, Default)]
pub struct Persistence<'a> {
    /// Write a checkpoint here after every epoch.
    pub checkpoint: Option<&'a std::path::Path>,
    /// Continue from this checkpoint (read from the path given).
    pub resume: Option<(Checkpoint, &'a std::path::Path)>,
    /// The SHA-256 of the data directory's files (`Mnist::sha256`), kept
    /// in the checkpoint and checked on resuming.
    pub data_sha256: Option<String>,
}

/// Train as `config` says on `data`, measuring every epoch.
pub fn run<T: Real>(
    config: &Config,
    data: &RunData,
    observer: &mut dyn Observer,
) -> Result<Outcome<T>> {
    run_with(config, data, observer, Persistence::default())
}

/// Where a run starts when it is given its network and the order of its
/// epochs instead of drawing them from `config.seed` (the book's scripts).
pub struct Start<T> {
    /// The network to train, already drawn.
    pub net: Network<T>,
    /// Rearranges the previous epoch's order into the next one's.
    pub rearrange: Box<dyn Rearrange>,
    /// The order of the n training examples before the first epoch.
    pub first_order: Vec<usize>,
}

/// [`run`] from `start`: its network, its epochs ordered as it says.
pub fn run_from<T: Real>(
    config: &Config,
    data: &RunData,
    start: Start<T>,
    observer: &mut dyn Observer,
) -> Result<Outcome<T>> {
    let order = EpochOrder::Rearranged {
        next: start.rearrange,
        first: start.first_order,
    };
    let sgd = Sgd::new(start.net, config.hyper(data), config.batch, order);
    train_epochs(
        config,
        data,
        sgd,
        Vec::new(),
        observer,
        Persistence::default(),
    )
}

/// [`run`], checkpointing after every epoch and/or resuming a checkpoint.
pub fn run_with<T: Real>(
    config: &Config,
    data: &RunData,
    observer: &mut dyn Observer,
    persistence: Persistence,
) -> Result<Outcome<T>> {
    let (net, rng, records) = match &persistence.resume {
        Some((checkpoint, path)) => {
            checkpoint.check_matches(config, path)?;
            checkpoint.check_data(persistence.data_sha256.as_deref(), path)?;
            let (net, rng) = checkpoint.restore::<T>(path)?;
            (net, rng, checkpoint.records.clone())
        }
        None => {
            let (net, rng) = initial_network::<T>(config)?;
            (net, rng, Vec::new())
        }
    };
    let order = EpochOrder::Shuffled(rng);
    let sgd = Sgd::new(net, config.hyper(data), config.batch, order);
    train_epochs(config, data, sgd, records, observer, persistence)
}

/// The epochs of a run after `records` (none: from epoch 0), measured.
fn train_epochs<T: Real>(
    config: &Config,
    data: &RunData,
    mut sgd: Sgd<T>,
    mut records: Vec<EpochRecord>,
    observer: &mut dyn Observer,
    persistence: Persistence,
) -> Result<Outcome<T>> {
    sgd = sgd.with_rule(config.rule);
    if config.decay_only {
        sgd = sgd.decay_only();
    }
    if let Some((checkpoint, path)) = &persistence.resume
        && config.rule.has_state()
    {
        restore_rule_state(&mut sgd, checkpoint, path)?;
    }
    let mut probe = config.probes.then(|| EpochProbe::new(&sgd.net));
    let histogram_ranges = config.probes.then(|| histogram_ranges(&records, &sgd.net));
    let mut measurer = Measurer::new(config, data, histogram_ranges.as_ref());
    // Set once a live front end has changed eta or lambda.
    let mut retuned = false;
    let mut checkpoint = persistence
        .checkpoint
        .map(|path| CheckpointWriter::new(path, persistence.data_sha256.clone()));
    let mut save = |sgd: &Sgd<T>, records: &[EpochRecord]| -> Result<()> {
        match (&mut checkpoint, sgd.rng()) {
            (Some(writer), Some(rng)) => {
                writer.save(config, &sgd.net, rng, sgd.rule_moments(), records)
            }
            // A checkpoint holds the generator's position; epochs ordered
            // by the caller have none to hold.
            (Some(_), None) => Err(Error::Internal(
                "a run whose epochs its caller orders cannot be checkpointed".into(),
            )),
            (None, _) => Ok(()),
        }
    };

    if records.is_empty() {
        // Epoch 0 has no steps, so no dynamics.
        records.push(measurer.measure(&sgd.net, 0, 0.0, None, None)?);
        save(&sgd, &records)?;
    }
    for record in &records {
        observer.epoch_measured(record)?;
    }
    // eta after the halvings the records hold (a resumed run's).
    let halvings = records
        .iter()
        .filter(|r| r.schedule_event == Some(schedule::ScheduleEvent::Halved))
        .count();
    sgd.hyper.eta = config.eta * 0.5f64.powi(halvings as i32);
    let first_epoch = records.len();
    let mut tail = config
        .tail_average_from
        .map(|from| TailSum::new(&sgd.net, from));
    if tail.as_ref().is_some_and(|t| first_epoch > t.from_epoch) {
        // The sums are not in a checkpoint; no front end resumes such a run.
        return Err(Error::Internal(
            "a run keeping a tail average cannot resume past its first averaged epoch".into(),
        ));
    }
    for epoch in first_epoch..=config.epochs {
        if config.stop_when_settled && settle::every_layer_settled(&records) {
            break;
        }
        match observer.steer(epoch) {
            Steer::Go => {}
            Steer::Stop => break,
            Steer::Retune { eta, lambda } => {
                sgd.hyper.eta = eta;
                sgd.hyper.lambda = lambda;
                measurer.retune(eta, lambda);
                retuned = true;
            }
        }
        observer.epoch_started(epoch, sgd.steps_per_epoch());
        let mut progress = |steps| observer.steps_done(steps);
        let start = Instant::now();
        let dynamics = match &mut probe {
            Some(probe) => {
                let before = sgd.net.weights.clone();
                probe.start_epoch();
                sgd.epoch(&data.training, probe, &mut progress);
                Some(probe.finish(&before, &sgd.net))
            }
            None => {
                sgd.epoch(&data.training, &mut Unobserved, &mut progress);
                None
            }
        };
        let seconds = start.elapsed().as_secs_f64();
        let mut record = measurer.measure(&sgd.net, epoch, seconds, dynamics, records.last())?;
        if !config.schedule.is_constant() || retuned {
            record.learning_rate = Some(sgd.hyper.eta);
        }
        if retuned {
            record.lambda = Some(sgd.hyper.lambda);
        }
        records.push(record);
        let event = schedule_event(config, &records);
        if let Some(last) = records.last_mut() {
            last.schedule_event = event;
        }
        if event == Some(schedule::ScheduleEvent::Halved) {
            sgd.hyper.eta /= 2.0;
        }
        if let Some(tail) = &mut tail {
            tail.add(&sgd.net, epoch);
        }
        save(&sgd, &records)?;
        observer.epoch_measured(records.last().expect("just pushed"))?;
        if event == Some(schedule::ScheduleEvent::Stopped) {
            break;
        }
    }
    let average = tail.as_ref().and_then(|t| t.mean(&sgd.net));
    if after_the_last_epoch(
        config,
        &measurer,
        &sgd.net,
        tail.as_ref(),
        average.as_ref(),
        &mut records,
    ) {
        save(&sgd, &records)?;
    }
    Ok(Outcome {
        net: sgd.net,
        records,
        average,
    })
}

/// A resumed run of a rule that keeps state between steps continues from
/// the state its checkpoint (read from `path`) holds.
fn restore_rule_state<T: Real>(
    sgd: &mut Sgd<T>,
    checkpoint: &Checkpoint,
    path: &Path,
) -> Result<()> {
    let moments = checkpoint.rule_moments.as_ref().ok_or_else(|| {
        Error::bad_file(
            path,
            "no state of the update rule (a velocity, Adam's moments); expected the checkpoint of a run of this rule",
        )
    })?;
    sgd.restore_rule_moments(moments)
        .map_err(|e| Error::bad_file(path, format!("the update rule's state: {e}")))
}

/// The histograms' bins, fixed by the weights of epoch 0: a resumed run
/// takes them from its epoch-0 record.
fn histogram_ranges<T: Real>(records: &[EpochRecord], net: &Network<T>) -> HistogramRanges {
    match records.first().and_then(|r| r.histograms.as_ref()) {
        Some(h) => HistogramRanges {
            all: h.all.range,
            layers: h.layers.iter().map(|l| l.range).collect(),
        },
        None => HistogramRanges::of(net),
    }
}

/// What the schedule or early stopping does after the last of `records`.
fn schedule_event(config: &Config, records: &[EpochRecord]) -> Option<schedule::ScheduleEvent> {
    match (config.schedule, config.early_stop) {
        (schedule::Schedule::Halve, patience) => schedule::decide(
            records,
            patience.unwrap_or(schedule::SCHEDULE_PATIENCE),
            true,
        ),
        (schedule::Schedule::Constant, Some(patience)) => {
            schedule::decide(records, patience, false)
        }
        (schedule::Schedule::Constant, None) => None,
    }
}

/// The measures taken once after the last epoch, into the last record:
/// the full-batch gradient at `net` (with `FullGradientAt::End`) and the
/// tail `average` with the full-batch gradient at it. Whether the record
/// changed.
fn after_the_last_epoch<T: Real>(
    config: &Config,
    measurer: &Measurer,
    net: &Network<T>,
    tail: Option<&TailSum>,
    average: Option<&Network<T>>,
    records: &mut [EpochRecord],
) -> bool {
    let Some(last) = records.last_mut() else {
        return false;
    };
    let mut changed = false;
    if config.full_gradient == FullGradientAt::End && last.full_gradient.is_none() {
        last.full_gradient = Some(measurer.full_gradient(net));
        changed = true;
    }
    if let (Some(tail), Some(average)) = (tail, average) {
        last.tail_average = Some(TailAverage {
            from_epoch: tail.from_epoch,
            epochs: tail.epochs(),
            rms: average.weights.iter().map(|w| rms(w)).collect(),
            full_gradient: measurer.full_gradient(average),
        });
        changed = true;
    }
    changed
}
