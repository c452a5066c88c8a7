//! Training: a run of epochs of SGD, measured after every epoch.

pub mod backprop;
mod config;
pub mod eval;
pub mod sgd;

use std::time::Instant;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use config::{Config, EvalSet, Precision, RunData};
pub use eval::{Evaluation, evaluate};
pub use sgd::{Hyper, Sgd};

use crate::error::{Error, Result};
use crate::kernels::Real;
use crate::metrics::EpochRecord;
use crate::net::{Network, network2_json};
use crate::probes::WeightStats;

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

/// Train as `config` says on `data`, measuring every epoch.
pub fn run<T: Real>(
    config: &Config,
    data: &RunData,
    observer: &mut dyn Observer,
) -> Result<Outcome<T>> {
    let (net, rng) = initial_network::<T>(config)?;
    let mut sgd = Sgd::new(
        net,
        &data.training,
        config.eta,
        config.lambda,
        config.batch,
        rng,
    );
    let mut records = Vec::with_capacity(config.epochs + 1);

    let record = measure(config, data, &sgd.net, 0, 0.0)?;
    observer.epoch_measured(&record)?;
    records.push(record);
    for epoch in 1..=config.epochs {
        observer.epoch_started(epoch, sgd.steps_per_epoch());
        let start = Instant::now();
        sgd.epoch(&data.training, &mut |steps| observer.steps_done(steps));
        let seconds = start.elapsed().as_secs_f64();
        let record = measure(config, data, &sgd.net, epoch, seconds)?;
        observer.epoch_measured(&record)?;
        records.push(record);
    }
    Ok(Outcome {
        net: sgd.net,
        records,
    })
}

/// The record of `net` after `epoch` epochs; an error if it diverged.
fn measure<T: Real>(
    config: &Config,
    data: &RunData,
    net: &Network<T>,
    epoch: usize,
    seconds: f64,
) -> Result<EpochRecord> {
    check_finite(net, epoch, config.eta)?;
    let eval = evaluate(net, &data.evaluation, config.lambda);
    let train = config
        .monitor_training
        .then(|| evaluate(net, &data.training, config.lambda));
    let diverged = |what: &str, value: f64| Error::Diverged {
        epoch,
        what: what.to_string(),
        value,
        eta: config.eta,
    };
    if !eval.total_cost.is_finite() {
        return Err(diverged("the evaluation cost", eval.total_cost));
    }
    Ok(EpochRecord {
        epoch,
        eval_accuracy: eval.accuracy(),
        eval_cost: eval.total_cost,
        eval_data_cost: eval.data_cost,
        train_accuracy: train.as_ref().map(Evaluation::accuracy),
        train_cost: train.as_ref().map(|t| t.total_cost),
        weights: WeightStats::of(net),
        saturation: eval.saturation,
        seconds,
    })
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
