//! Turning the state after an epoch into its record: evaluation, weight
//! statistics, shrink ratios against the theory, histograms.

use crate::error::{Divergence, Error, Result};
use crate::kernels::Real;
use crate::metrics::{EpochRecord, Histograms};
use crate::net::Network;
use crate::probes::{
    EpochDynamics, FullGradient, Histogram, LiveInputs, WeightStats, gradient, histogram,
};
use crate::theory;
use crate::train::{Evaluation, Optimizer, Regularization, Rule, evaluate_scored};

use super::{Config, FullGradientAt, RunData};

/// The histogram range of every layer and of all weights, fixed for a run
/// from the weights it starts with.
pub(super) struct HistogramRanges {
    pub(super) all: f64,
    pub(super) layers: Vec<f64>,
}

impl HistogramRanges {
    pub(super) fn of<T: Real>(net: &Network<T>) -> HistogramRanges {
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
pub(super) struct Measurer<'a> {
    config: &'a Config,
    /// eta and lambda of the epoch's steps: the config's, until a live
    /// front end retunes them ([`super::Steer::Retune`]).
    eta: f64,
    lambda: f64,
    data: &'a RunData,
    histogram_ranges: Option<&'a HistogramRanges>,
    /// The inputs that are not 0 in every training image, increasing.
    live_inputs: Vec<u32>,
}

impl<'a> Measurer<'a> {
    pub(super) fn new(
        config: &'a Config,
        data: &'a RunData,
        histogram_ranges: Option<&'a HistogramRanges>,
    ) -> Measurer<'a> {
        let training = &data.training;
        let every_example: Vec<usize> = (0..training.len()).collect();
        let mut live_inputs = vec![0; training.inputs()];
        let live = training.nonzero_inputs(&every_example, &mut live_inputs);
        live_inputs.truncate(live);
        Measurer {
            config,
            eta: config.eta,
            lambda: config.lambda,
            data,
            histogram_ranges,
            live_inputs,
        }
    }
}

impl Measurer<'_> {
    /// Measures the epochs after this with eta and lambda changed.
    pub(super) fn retune(&mut self, eta: f64, lambda: f64) {
        self.eta = eta;
        self.lambda = lambda;
    }

    /// The record of `net` after `epoch` epochs; an error if it diverged.
    pub(super) fn measure<T: Real>(
        &self,
        net: &Network<T>,
        epoch: usize,
        seconds: f64,
        dynamics: Option<EpochDynamics>,
        previous: Option<&EpochRecord>,
    ) -> Result<EpochRecord> {
        let config = self.config;
        let (eta, lambda) = (self.eta, self.lambda);
        check_finite(net, epoch, eta)?;
        let score = |data| evaluate_scored(net, data, lambda, config.saturated);
        let eval = score(&self.data.evaluation);
        let train = config.monitor_training.then(|| score(&self.data.training));
        if !eval.total_cost.is_finite() {
            return Err(Error::Diverged(Divergence {
                epoch,
                what: "the evaluation cost".to_string(),
                value: eval.total_cost,
                eta,
            }));
        }
        let weights = WeightStats::of(net);
        // rho_e = rms_e / rms_(e-1), undefined (null) at epoch 0 and once
        // the weights are all zero.
        let ratio = |now: f64, before: f64| (before > 0.0).then(|| now / before);
        let (shrink_ratio, shrink_ratio_layers) = match previous {
            Some(p) => (
                ratio(weights.all.rms, p.weights.all.rms),
                weights
                    .layers
                    .iter()
                    .zip(&p.weights.layers)
                    .map(|(now, before)| ratio(now.rms, before.rms))
                    .collect(),
            ),
            None => (None, vec![None; weights.layers.len()]),
        };
        let n = self.data.training.len();
        let (predicted_shrink, predicted_shrink_asymptotic) =
            decay_law(&config.rule, (eta, lambda), n, config.batch, epoch).unzip();
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
            live_inputs: Some(LiveInputs::of(
                &net.weights[0],
                self.data.training.inputs(),
                &self.live_inputs,
            )),
            shrink_ratio,
            shrink_ratio_layers,
            predicted_shrink,
            predicted_shrink_asymptotic,
            dynamics,
            saturation: eval.saturation,
            input_norm: eval.input_norm,
            preactivation_rms: eval.preactivation_rms,
            weighted_input_rms: eval.weighted_input_rms,
            full_gradient: (config.full_gradient == FullGradientAt::Every)
                .then(|| self.full_gradient(net)),
            learning_rate: None,
            lambda: None,
            schedule_event: None,
            tail_average: None,
            histograms,
            seconds,
        })
    }
}

impl Measurer<'_> {
    /// The full-batch gradient of `net` on the run's training set.
    pub(super) fn full_gradient<T: Real>(&self, net: &Network<T>) -> Vec<FullGradient> {
        let config = self.config;
        gradient::full_gradient(
            net,
            &self.data.training,
            self.eta,
            self.lambda,
            config.batch,
        )
    }
}

/// An error naming the first layer whose weights or biases are NaN or infinite.
fn check_finite<T: Real>(net: &Network<T>, epoch: usize, eta: f64) -> Result<()> {
    for l in 0..net.layers() {
        for (kind, values) in [("weight", &net.weights[l]), ("bias", &net.biases[l])] {
            if let Some(v) = values.iter().find(|v| !v.is_finite()) {
                return Err(Error::Diverged(Divergence {
                    epoch,
                    what: format!("a {kind} of layer {} (w^{})", l + 1, l + 1),
                    value: v.as_f64(),
                    eta,
                }));
            }
        }
    }
    Ok(())
}

/// The factor by which `rule`'s decay alone shrinks the weights in epoch
/// `epoch` (from 1) of S = ceil(n/m) steps, and its limit for small steps:
/// (rho*, asymptotic). None for the rules whose decay is not a factor: L1 takes
/// a fixed amount off |w| each step, and Adam with the penalty in its
/// gradient takes about eta ([`theory::l1_decay`], [`theory::adam_l2_decay`]).
///
/// - network2's SGD with L2: (1 - eta*lambda/n)^S and exp(-eta*lambda/m).
/// - momentum with L2: from rest (every run starts at v = 0),
///   [`theory::momentum_decay_in_epoch`], and exp(-eta*lambda/(m (1 -
///   mu))) (its limit once the velocity has built up).
/// - SGDW and AdamW: (1 - eta D)^S and exp(-eta D S).
pub fn decay_law(
    rule: &Rule,
    (eta, lambda): (f64, f64),
    n: usize,
    m: usize,
    epoch: usize,
) -> Option<(f64, f64)> {
    let steps = theory::steps_per_epoch(n, m);
    match (rule.optimizer, rule.regularization) {
        (Optimizer::Sgd, Regularization::L2) => Some((
            theory::exact_shrink(eta, lambda, n, m),
            theory::asymptotic_shrink(eta, lambda, m),
        )),
        (Optimizer::Momentum { mu }, Regularization::L2) => Some((
            theory::momentum_decay_in_epoch(eta * lambda / n as f64, mu, steps, epoch.max(1)),
            theory::momentum_asymptotic_decay(eta, lambda, m, mu),
        )),
        (Optimizer::Sgdw { weight_decay }, _) | (Optimizer::AdamW { weight_decay, .. }, _) => {
            Some((
                theory::decoupled_decay(eta, weight_decay, steps),
                (-eta * weight_decay * steps as f64).exp(),
            ))
        }
        (Optimizer::Sgd | Optimizer::Momentum { .. }, Regularization::L1)
        | (Optimizer::Adam { .. }, _) => None,
    }
}
