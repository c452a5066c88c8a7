//! Training: a run of epochs of SGD, measured after every epoch.

pub mod backprop;
pub mod checkpoint;
mod config;
pub mod eval;
mod reference;
pub mod sgd;

use std::time::Instant;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use checkpoint::Checkpoint;
pub use config::{Config, EvalSet, Precision, RunData};
pub use eval::{Evaluation, evaluate};
pub use sgd::{Hyper, Sgd, StepObserver, Unobserved};

use crate::error::{Error, Result};
use crate::kernels::Real;
use crate::metrics::{EpochRecord, Histograms};
use crate::net::{Network, network2_json};
use crate::probes::{EpochDynamics, EpochProbe, Histogram, WeightStats, histogram};
use crate::theory;

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
}

/// An observer that hears nothing.
pub struct Silent;
impl Observer for Silent {}

/// A finished run: the trained network and its records, epoch 0 first.
pub struct Outcome<T> {
    pub net: Network<T>,
    pub records: Vec<EpochRecord>,
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
            net
        }
        None => Network::new(&config.sizes, config.init, config.cost, &mut rng),
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
}

/// Train as `config` says on `data`, measuring every epoch.
pub fn run<T: Real>(
    config: &Config,
    data: &RunData,
    observer: &mut dyn Observer,
) -> Result<Outcome<T>> {
    run_with(config, data, observer, Persistence::default())
}

/// [`run`], checkpointing after every epoch and/or resuming a checkpoint.
pub fn run_with<T: Real>(
    config: &Config,
    data: &RunData,
    observer: &mut dyn Observer,
    persistence: Persistence,
) -> Result<Outcome<T>> {
    let (net, rng, mut records) = match &persistence.resume {
        Some((checkpoint, path)) => {
            checkpoint.check_matches(config, path)?;
            let (net, rng) = checkpoint.restore::<T>(path)?;
            (net, rng, checkpoint.records.clone())
        }
        None => {
            let (net, rng) = initial_network::<T>(config)?;
            (net, rng, Vec::with_capacity(config.epochs + 1))
        }
    };
    let mut sgd = Sgd::new(
        net,
        &data.training,
        config.eta,
        config.lambda,
        config.batch,
        rng,
    );
    if config.decay_only {
        sgd = sgd.decay_only();
    }
    let mut probe = config.probes.then(|| EpochProbe::new(&sgd.net));
    // Histogram bins are fixed by the weights of epoch 0: a resumed run takes
    // them from its epoch-0 record.
    let histogram_ranges =
        config.probes.then(
            || match records.first().and_then(|r| r.histograms.as_ref()) {
                Some(h) => HistogramRanges {
                    all: h.all.range,
                    layers: h.layers.iter().map(|l| l.range).collect(),
                },
                None => HistogramRanges::of(&sgd.net),
            },
        );
    let measurer = Measurer {
        config,
        data,
        histogram_ranges: histogram_ranges.as_ref(),
    };
    let save = |sgd: &Sgd<T>, records: &[EpochRecord]| -> Result<()> {
        match persistence.checkpoint {
            Some(path) => Checkpoint::capture(config, &sgd.net, &sgd.rng, records).save(path),
            None => Ok(()),
        }
    };

    if records.is_empty() {
        let dynamics = config
            .probes
            .then(|| EpochDynamics::before_training(sgd.net.layers()));
        records.push(measurer.measure(&sgd.net, 0, 0.0, dynamics, None)?);
        save(&sgd, &records)?;
    }
    for record in &records {
        observer.epoch_measured(record)?;
    }
    let first_epoch = records.len();
    for epoch in first_epoch..=config.epochs {
        if config.stop_at_equilibrium && at_equilibrium(&records) {
            break;
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
        let record = measurer.measure(&sgd.net, epoch, seconds, dynamics, records.last())?;
        records.push(record);
        save(&sgd, &records)?;
        observer.epoch_measured(records.last().expect("just pushed"))?;
    }
    Ok(Outcome {
        net: sgd.net,
        records,
    })
}

/// Offset fraction at which the decay counts as balanced by the gradient,
/// and for how many epochs in a row, for `Config::stop_at_equilibrium`.
pub const EQUILIBRIUM_OFFSET: f64 = 0.9;
pub const EQUILIBRIUM_EPOCHS: usize = 3;

fn at_equilibrium(records: &[EpochRecord]) -> bool {
    records.len() > EQUILIBRIUM_EPOCHS
        && records[records.len() - EQUILIBRIUM_EPOCHS..]
            .iter()
            .all(|r| {
                r.dynamics
                    .as_ref()
                    .and_then(|d| d.offset_fraction)
                    .is_some_and(|f| f >= EQUILIBRIUM_OFFSET)
            })
}

/// The histogram range of every layer and of all weights, fixed for a run
/// from the weights it starts with.
struct HistogramRanges {
    all: f64,
    layers: Vec<f64>,
}

impl HistogramRanges {
    fn of<T: Real>(net: &Network<T>) -> HistogramRanges {
        let stats = WeightStats::of(net);
        HistogramRanges {
            all: histogram::range_for(stats.all.rms),
            layers: stats
                .layers
                .iter()
                .map(|s| histogram::range_for(s.rms))
                .collect(),
        }
    }
}

/// Turns the state after an epoch into its record.
struct Measurer<'a> {
    config: &'a Config,
    data: &'a RunData,
    histogram_ranges: Option<&'a HistogramRanges>,
}

impl Measurer<'_> {
    /// The record of `net` after `epoch` epochs; an error if it diverged.
    fn measure<T: Real>(
        &self,
        net: &Network<T>,
        epoch: usize,
        seconds: f64,
        dynamics: Option<EpochDynamics>,
        previous: Option<&EpochRecord>,
    ) -> Result<EpochRecord> {
        let config = self.config;
        check_finite(net, epoch, config.eta)?;
        let eval = evaluate(net, &self.data.evaluation, config.lambda);
        let train = config
            .monitor_training
            .then(|| evaluate(net, &self.data.training, config.lambda));
        if !eval.total_cost.is_finite() {
            return Err(Error::Diverged {
                epoch,
                what: "the evaluation cost".to_string(),
                value: eval.total_cost,
                eta: config.eta,
            });
        }
        let weights = WeightStats::of(net);
        let (shrink_ratio, shrink_ratio_layers) = match previous {
            Some(p) => (
                Some(weights.all.rms / p.weights.all.rms),
                weights
                    .layers
                    .iter()
                    .zip(&p.weights.layers)
                    .map(|(now, before)| now.rms / before.rms)
                    .collect(),
            ),
            None => (None, Vec::new()),
        };
        let n = self.data.training.len();
        let bins = config.histogram_bins;
        let histograms = self.histogram_ranges.map(|ranges| Histograms {
            all: Histogram::of(&net.weights.concat(), ranges.all, bins),
            layers: net
                .weights
                .iter()
                .zip(&ranges.layers)
                .map(|(w, &range)| Histogram::of(w, range, bins))
                .collect(),
        });
        Ok(EpochRecord {
            epoch,
            eval_accuracy: eval.accuracy(),
            eval_cost: eval.total_cost,
            eval_data_cost: eval.data_cost,
            train_accuracy: train.as_ref().map(Evaluation::accuracy),
            train_cost: train.as_ref().map(|t| t.total_cost),
            weights,
            shrink_ratio,
            shrink_ratio_layers,
            predicted_shrink: theory::exact_shrink(config.eta, config.lambda, n, config.batch),
            predicted_shrink_asymptotic: theory::asymptotic_shrink(
                config.eta,
                config.lambda,
                config.batch,
            ),
            dynamics,
            saturation: eval.saturation,
            histograms,
            seconds,
        })
    }
}

/// An error naming the first layer whose weights or biases are NaN or infinite.
fn check_finite<T: Real>(net: &Network<T>, epoch: usize, eta: f64) -> Result<()> {
    for l in 0..net.layers() {
        for (kind, values) in [("weight", &net.weights[l]), ("bias", &net.biases[l])] {
            if let Some(v) = values.iter().find(|v| !v.is_finite()) {
                return Err(Error::Diverged {
                    epoch,
                    what: format!("a {kind} of layer {} (w^{})", l + 1, l + 1),
                    value: v.as_f64(),
                    eta,
                });
            }
        }
    }
    Ok(())
}
