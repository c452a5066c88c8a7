//! Where the weights settle: every run's settled state per layer (the
//! `settled` table of `claims.json`) and the power laws fitted to the
//! settled sizes (its `fits`).
//!
//! A fit takes one point per configuration: the seeds of a configuration
//! are near-repeats, not independent draws, so their log sizes are
//! averaged first. Runs that did not settle are listed in the table and
//! left out of the fits.

use std::collections::BTreeMap;

use serde::Serialize;

use super::approach::approach;
use super::fit::{self, Fit};
use super::measures::rms as rms_of;
use super::plan::{self, Purpose};
use super::runner::RunResult;
use crate::net::{Init, Layer};
use crate::run::settle::Settling;

/// One run's settled state for one layer (or all weights).
#[derive(Debug, Clone, Serialize)]
pub struct SettledEntry {
    pub run: String,
    pub layer: Layer,
    pub init: Init,
    /// The hidden width (the study's networks have one hidden layer).
    pub width: usize,
    /// Inputs of the layer's neurons (of the first layer for "all").
    pub n_in: usize,
    /// Weights of the whole network.
    pub n_w: usize,
    pub eta: f64,
    pub lambda: f64,
    pub seed: u64,
    pub settled: bool,
    pub settled_epoch: Option<usize>,
    /// Mean rms over the settled epochs (the last rms if not settled).
    pub size: f64,
    /// The size the rms approaches, extrapolated past the last epoch
    /// (`approach`): free of the bias of stopping at the band's edge. Null
    /// if the run did not settle or shows no relaxation to extrapolate.
    pub size_extrapolated: Option<f64>,
    /// The first layer only: the same over its weights from live inputs,
    /// those not 0 in every training image (null for other layers, and
    /// for records written before it was measured).
    pub size_live_inputs: Option<f64>,
    /// The first layer only: its inputs that are 0 in every training image.
    pub blank_inputs: Option<usize>,
    /// Standard deviation of the rms over the settled epochs (null if the
    /// run did not settle).
    pub spread: Option<f64>,
    /// Epochs the run trained.
    pub epochs: usize,
    /// The layer's input norm over the evaluation set at the last epoch
    /// (null for "all").
    pub input_norm: Option<f64>,
    /// size * input_norm: constant across configurations if a layer settles
    /// at a fixed scale of its weighted inputs.
    pub size_times_input_norm: Option<f64>,
    /// Validation accuracy after the last epoch.
    pub final_accuracy: f64,
    /// Training collapsed: `final_accuracy` below `COLLAPSED_ACCURACY`.
    /// Kept in the table, left out of the fits.
    pub collapsed: bool,
}

/// A run whose validation accuracy ends below this has collapsed (the
/// regularization overwhelms the data: lambda 500 ends at about 88%); its
/// size says nothing about a network that learns, so it is left out of the
/// fits and the prefactor.
pub const COLLAPSED_ACCURACY: f64 = 0.90;

/// The runs whose weights can settle and be compared: all but the
/// decay-only ones, the noise law's branches (which have no probes, so no
/// offset fraction: `noise_law` measures them by relaxation times) and the
/// setups beyond the book's (other rules: each setup is compared within
/// itself, `Results::setup_view`).
fn compared(run: &RunResult) -> bool {
    !matches!(
        run.spec.purpose,
        Purpose::DecayOnly { .. } | Purpose::Branch { .. } | Purpose::Setup { .. }
    )
}

/// The `settled` table: one entry per run (of those `compared`) and
/// weight layer, then one for all weights.
pub fn settled_table(runs: &[RunResult]) -> Vec<SettledEntry> {
    let mut table = Vec::new();
    for run in runs.iter().filter(|r| compared(r)) {
        let config = &run.spec.config;
        let layers = config.sizes.len() - 1;
        let last = run.records.last();
        let final_accuracy = last.map_or(f64::NAN, |r| r.eval_accuracy);
        for layer in Layer::each_then_all(layers) {
            let settling = Settling::of_records(&run.records, layer.index());
            let input_norm = layer.index().and_then(|l| last?.input_norm.get(l).copied());
            let live = (layer == Layer::FIRST)
                .then(|| Settling::of_live_inputs(&run.records))
                .flatten();
            let extrapolated = settling
                .settled
                .then(|| {
                    let rms: Vec<f64> = run
                        .records
                        .iter()
                        .map(|r| rms_of(r, layer.index()))
                        .collect();
                    approach(&rms)
                })
                .flatten();
            let blank_inputs = (layer == Layer::FIRST)
                .then(|| Some(last?.live_inputs?.blank))
                .flatten();
            table.push(SettledEntry {
                run: run.spec.name.clone(),
                layer,
                init: config.init,
                width: config.sizes[1],
                n_in: config.sizes[layer.index().unwrap_or(0)],
                n_w: config.weight_count(),
                eta: config.eta,
                lambda: config.lambda,
                seed: run.spec.seed,
                settled: settling.settled,
                settled_epoch: settling.settled_epoch,
                size: settling.size,
                size_extrapolated: extrapolated.map(|a| a.size),
                size_live_inputs: live.map(|l| l.size),
                blank_inputs,
                spread: settling.spread,
                epochs: settling.epochs,
                input_norm,
                size_times_input_norm: input_norm.map(|x| x * settling.size),
                final_accuracy,
                collapsed: final_accuracy < COLLAPSED_ACCURACY,
            });
        }
    }
    table
}

/// One fitted exponent and its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Exponent {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// A point's distance from the fit, in log size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Residual {
    /// The configuration: its first run's name without the seed.
    pub configuration: String,
    pub residual: f64,
}

/// log(size) of one layer fitted against the logs of some predictors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SizeFit {
    pub layer: Layer,
    pub response: &'static str,
    pub predictors: Vec<Predictor>,
    pub exponents: BTreeMap<Predictor, Exponent>,
    pub intercept: f64,
    pub r_squared: f64,
    pub method: &'static str,
    /// Configurations fitted (settled runs, seeds averaged).
    pub points: usize,
    /// Configurations left out because some run of theirs did not settle.
    pub unsettled: usize,
    /// Configurations left out because some run of theirs collapsed.
    pub collapsed: usize,
    pub residuals: Vec<Residual>,
}

/// How the fits weigh seeds.
pub const FIT_METHOD: &str =
    "least squares (QR), one point per configuration: its seeds' log sizes averaged";

/// A predictor of the settled size, read off an entry. (The variants are
/// in the alphabetical order of their names, the order `exponents` lists
/// them in.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Predictor {
    /// The learning rate eta.
    Eta,
    /// The rms length of the layer's input over the evaluation set.
    InputNorm,
    /// The regularization parameter lambda.
    Lambda,
    /// The inputs of one of the layer's neurons.
    NIn,
    /// n_w, the weights of the whole network.
    #[serde(rename = "n_w")]
    WeightCount,
    /// The hidden width.
    Width,
}

impl Predictor {
    /// The predictor's value for an entry, if it has one.
    fn value(self, e: &SettledEntry) -> Option<f64> {
        match self {
            Predictor::Eta => Some(e.eta),
            Predictor::InputNorm => e.input_norm,
            Predictor::Lambda => Some(e.lambda),
            Predictor::NIn => Some(e.n_in as f64),
            Predictor::Width => Some(e.width as f64),
            Predictor::WeightCount => Some(e.n_w as f64),
        }
    }
}

impl std::fmt::Display for Predictor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Predictor::Eta => "eta",
            Predictor::InputNorm => "input_norm",
            Predictor::Lambda => "lambda",
            Predictor::NIn => "n_in",
            Predictor::Width => "width",
            Predictor::WeightCount => "n_w",
        })
    }
}

/// Which family of runs a fit is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FitFamily {
    /// The scaling grid: (width, n_in) varied at the base eta and lambda.
    Grid,
    /// The sweeps: (eta, lambda) varied at the base sizes.
    Sweep,
}

impl SizeFit {
    /// Whether the fit is of `layer` against exactly `predictors`.
    pub fn is(&self, layer: Layer, predictors: &[Predictor]) -> bool {
        self.layer == layer && self.predictors == predictors
    }

    /// The family of runs the fit is over, known by its first predictor.
    pub fn family(&self) -> FitFamily {
        match self.predictors.first() {
            Some(Predictor::Eta | Predictor::Lambda) => FitFamily::Sweep,
            _ => FitFamily::Grid,
        }
    }

    /// The fitted exponent of `predictor`, if it is one of the fit's.
    pub fn exponent(&self, predictor: Predictor) -> Option<Exponent> {
        self.exponents.get(&predictor).copied()
    }
}

/// The fit of `layer` against exactly `predictors` among `fits`.
pub fn find_fit<'a>(
    fits: &'a [SizeFit],
    layer: Layer,
    predictors: &[Predictor],
) -> Option<&'a SizeFit> {
    fits.iter().find(|f| f.is(layer, predictors))
}

/// One fit of a family: its predictors, and the family's other varied
/// quantities, held at the study's base value so that they do not leak into
/// the fitted exponents (a fit against lambda alone takes only the runs at
/// the base eta).
struct FitSpec {
    predictors: &'static [Predictor],
    held: &'static [Predictor],
}

impl Predictor {
    /// The study's base value, for the predictors a fit can hold fixed.
    fn base_value(self) -> Option<f64> {
        match self {
            Predictor::Eta => Some(plan::ETA),
            Predictor::Lambda => Some(plan::LAMBDA),
            Predictor::Width => Some(plan::WIDTH as f64),
            Predictor::NIn => Some(plan::INPUTS as f64),
            Predictor::WeightCount => Some((plan::WIDTH * (plan::INPUTS + 10)) as f64),
            Predictor::InputNorm => None,
        }
    }
}

/// Which runs a family of fits takes.
struct Family {
    /// Runs whose configuration differs only in what the predictors say.
    member: fn(&RunResult) -> bool,
    fits: &'static [FitSpec],
}

/// Large initialization at the base eta and lambda, every (width, n_in).
pub fn grid_member(run: &RunResult) -> bool {
    let c = &run.spec.config;
    c.init == Init::Large
        && c.eta == plan::ETA
        && c.lambda == plan::LAMBDA
        && matches!(
            run.spec.purpose,
            Purpose::Base { .. } | Purpose::Scaling { .. }
        )
}

/// Large initialization, the base sizes, every (eta, lambda) with L2.
fn sweep_member(run: &RunResult) -> bool {
    let c = &run.spec.config;
    c.init == Init::Large
        && c.lambda > 0.0
        && c.sizes == [plan::INPUTS, plan::WIDTH, 10]
        && matches!(
            run.spec.purpose,
            Purpose::Base { .. }
                | Purpose::LambdaSweep { .. }
                | Purpose::EtaSweep { .. }
                | Purpose::FixedProduct { .. }
        )
}

const FAMILIES: [Family; 2] = [
    Family {
        member: grid_member,
        fits: &[
            FitSpec {
                predictors: &[Predictor::Width],
                held: &[Predictor::NIn],
            },
            FitSpec {
                predictors: &[Predictor::NIn],
                held: &[Predictor::Width],
            },
            FitSpec {
                predictors: &[Predictor::Width, Predictor::NIn],
                held: &[],
            },
            FitSpec {
                predictors: &[Predictor::InputNorm],
                held: &[Predictor::Width],
            },
            FitSpec {
                predictors: &[Predictor::WeightCount],
                held: &[],
            },
        ],
    },
    Family {
        member: sweep_member,
        fits: &[
            FitSpec {
                predictors: &[Predictor::Lambda],
                held: &[Predictor::Eta],
            },
            FitSpec {
                predictors: &[Predictor::Eta],
                held: &[Predictor::Lambda],
            },
            FitSpec {
                predictors: &[Predictor::Eta, Predictor::Lambda],
                held: &[],
            },
        ],
    },
];

/// The configuration a run belongs to: its name without the seed.
pub fn configuration(name: &str) -> &str {
    name.rsplit_once("-s").map_or(name, |(c, _)| c)
}

/// Every fit of every family, per layer and for all weights.
pub fn size_fits(runs: &[RunResult], table: &[SettledEntry]) -> Vec<SizeFit> {
    // The table's layers in its order: w1, w2, ..., all.
    let mut labels: Vec<Layer> = Vec::new();
    for entry in table {
        if !labels.contains(&entry.layer) {
            labels.push(entry.layer);
        }
    }
    let mut fits = Vec::new();
    for family in &FAMILIES {
        let names: Vec<&str> = runs
            .iter()
            .filter(|r| (family.member)(r))
            .map(|r| r.spec.name.as_str())
            .collect();
        for &label in &labels {
            let entries: Vec<&SettledEntry> = table
                .iter()
                .filter(|e| e.layer == label && names.contains(&e.run.as_str()))
                .collect();
            for spec in family.fits {
                let at_base = |e: &&&SettledEntry| {
                    spec.held
                        .iter()
                        .all(|&p| p.value(e).is_some() && p.value(e) == p.base_value())
                };
                let held: Vec<&SettledEntry> = entries.iter().filter(at_base).copied().collect();
                if let Some(fit) = fit_layer(label, &held, spec.predictors) {
                    fits.push(fit);
                }
            }
        }
    }
    fits
}

/// The seeds of one configuration, before they are averaged.
struct Seeds {
    log_sizes: Vec<f64>,
    log_predictors: Vec<Vec<f64>>,
    /// Every seed settled (and has every predictor).
    all_settled: bool,
    /// Some seed collapsed.
    collapsed: bool,
}

/// log(size) against the logs of `predictors`, one point per
/// configuration; None if the points do not determine the fit.
fn fit_layer(label: Layer, entries: &[&SettledEntry], predictors: &[Predictor]) -> Option<SizeFit> {
    let mut groups: BTreeMap<&str, Seeds> = BTreeMap::new();
    for entry in entries {
        let logs: Option<Vec<f64>> = predictors
            .iter()
            .map(|p| p.value(entry).filter(|v| *v > 0.0).map(f64::ln))
            .collect();
        let group = groups.entry(configuration(&entry.run)).or_insert(Seeds {
            log_sizes: Vec::new(),
            log_predictors: Vec::new(),
            all_settled: true,
            collapsed: false,
        });
        group.all_settled &= entry.settled && logs.is_some();
        group.collapsed |= entry.collapsed;
        group.log_sizes.push(entry.size.ln());
        group.log_predictors.extend(logs);
    }
    let collapsed = groups.values().filter(|g| g.collapsed).count();
    let unsettled = groups
        .values()
        .filter(|g| !g.collapsed && !g.all_settled)
        .count();
    let fitted: Vec<(&str, f64, Vec<f64>)> = groups
        .iter()
        .filter(|(_, g)| g.all_settled && !g.collapsed)
        .map(|(name, g)| {
            let k = g.log_sizes.len() as f64;
            let mean_x = (0..predictors.len())
                .map(|j| g.log_predictors.iter().map(|row| row[j]).sum::<f64>() / k)
                .collect();
            (*name, g.log_sizes.iter().sum::<f64>() / k, mean_x)
        })
        .collect();
    let rows: Vec<Vec<f64>> = fitted.iter().map(|(_, _, x)| x.clone()).collect();
    let y: Vec<f64> = fitted.iter().map(|(_, y, _)| *y).collect();
    let Fit {
        coefficients,
        r_squared,
        points,
    } = fit::ols(&rows, &y)?;
    let residuals = fitted
        .iter()
        .map(|(name, y, x)| {
            let predicted = coefficients[0].estimate
                + x.iter()
                    .zip(&coefficients[1..])
                    .map(|(x, b)| x * b.estimate)
                    .sum::<f64>();
            Residual {
                configuration: name.to_string(),
                residual: y - predicted,
            }
        })
        .collect();
    Some(SizeFit {
        layer: label,
        response: "size",
        predictors: predictors.to_vec(),
        exponents: predictors
            .iter()
            .zip(&coefficients[1..])
            .map(|(p, b)| {
                let exponent = Exponent {
                    value: b.estimate,
                    low: b.low,
                    high: b.high,
                };
                (*p, exponent)
            })
            .collect(),
        intercept: coefficients[0].estimate,
        r_squared,
        method: FIT_METHOD,
        points,
        unsettled,
        collapsed,
        residuals,
    })
}

#[cfg(test)]
mod tests;
