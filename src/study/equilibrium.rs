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
/// decay-only ones and the noise law's branches (which have no probes, so
/// no offset fraction: `noise_law` measures them by relaxation times).
fn compared(run: &RunResult) -> bool {
    !matches!(
        run.spec.purpose,
        Purpose::DecayOnly { .. } | Purpose::Branch { .. }
    )
}

/// The `settled` table: one entry per run (but the decay-only ones) and
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
mod tests {
    use super::*;
    use approx::{abs_diff_eq, assert_abs_diff_eq};

    /// An entry of configuration `config`, seed `seed`.
    fn entry(config: &str, seed: u64, width: usize, n_in: usize, size: f64) -> SettledEntry {
        SettledEntry {
            run: format!("{config}-s{seed}"),
            layer: Layer::FIRST,
            init: Init::Large,
            width,
            n_in,
            n_w: width * (n_in + 10),
            eta: 0.1,
            lambda: 5.0,
            seed,
            settled: true,
            settled_epoch: Some(40),
            size,
            size_extrapolated: None,
            size_live_inputs: None,
            blank_inputs: None,
            spread: Some(0.0),
            epochs: 50,
            input_norm: Some(9.0),
            size_times_input_norm: Some(9.0 * size),
            final_accuracy: 0.95,
            collapsed: false,
        }
    }

    #[test]
    fn the_first_layers_live_inputs_settle_over_its_epochs() {
        use crate::probes::LiveInputs;
        use crate::study::synthetic::synthetic_run;
        let f: Vec<f64> = (0..=30).map(|e| 1.0 - (-(e as f64) / 4.0).exp()).collect();
        let rms: Vec<f64> = (0..=30).map(|e| 1.0 + e as f64).collect();
        let mut records = synthetic_run(&rms, &f, &[0.96; 31], 0.95);
        for (e, r) in records.iter_mut().enumerate() {
            r.live_inputs = Some(LiveInputs {
                blank: 3,
                rms: 2.0 * rms[e],
            });
        }
        let plan = plan::Plan::new(plan::Mode::Quick, 1, 1).expect("a plan");
        let run = |records: Vec<crate::metrics::EpochRecord>| RunResult {
            spec: plan.runs[0].clone(),
            records,
            reused: false,
            redone: false,
        };
        let table = settled_table(&[run(records.clone())]);
        let [w1, w2, all] = &table[..] else {
            panic!("three entries: {table:?}")
        };
        assert!(w1.settled);
        assert_abs_diff_eq!(w1.size_live_inputs.unwrap(), 2.0 * w1.size, epsilon = 1e-12);
        assert_eq!(w1.blank_inputs, Some(3));
        for other in [w2, all] {
            assert_eq!((other.size_live_inputs, other.blank_inputs), (None, None));
        }
        // The live size is over the first layer's settled epochs.
        let live = Settling::of_live_inputs(&records).unwrap();
        assert_eq!(live.settled_epoch, w1.settled_epoch);
        // One record without them (written before they were measured): none.
        records[5].live_inputs = None;
        assert_eq!(Settling::of_live_inputs(&records), None);
        assert_eq!(settled_table(&[run(records)])[0].size_live_inputs, None);
    }

    #[test]
    fn known_exponents_are_recovered_from_one_point_per_configuration() {
        // size = 6 n_in^-0.5 width^0.1, three seeds per configuration whose
        // sizes wobble by a factor exp(+-0.01) around it.
        let mut entries = Vec::new();
        for (c, (width, n_in)) in [
            (10, 784),
            (39, 196),
            (135, 49),
            (30, 784),
            (116, 196),
            (30, 49),
        ]
        .into_iter()
        .enumerate()
        {
            let size = 6.0 * (n_in as f64).powf(-0.5) * (width as f64).powf(0.1);
            let wobble = 0.002 * (c as f64 - 2.5);
            for (seed, d) in [(1, -0.01), (2, 0.0), (3, 0.01)] {
                entries.push(entry(
                    &format!("c{c}"),
                    seed,
                    width,
                    n_in,
                    size * (d + wobble).exp(),
                ));
            }
        }
        let refs: Vec<&SettledEntry> = entries.iter().collect();
        let fit = fit_layer(Layer::FIRST, &refs, &[Predictor::Width, Predictor::NIn]).unwrap();
        assert_eq!(fit.points, 6, "one point per configuration, not per seed");
        let n_in = fit.exponents[&Predictor::NIn];
        let width = fit.exponents[&Predictor::Width];
        assert!(abs_diff_eq!(n_in.value, -0.5, epsilon = 0.01), "{n_in:?}");
        assert!(n_in.low < -0.5 && -0.5 < n_in.high);
        assert!(abs_diff_eq!(width.value, 0.1, epsilon = 0.02), "{width:?}");
        assert_abs_diff_eq!(fit.intercept, 6f64.ln(), epsilon = 0.1);
        assert_eq!(fit.residuals.len(), 6);
        // The seeds' spread does not narrow the interval: 18 runs as 18
        // points would give a smaller one.
        let per_run: Vec<SettledEntry> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| SettledEntry {
                run: format!("r{i}-s1"),
                ..e.clone()
            })
            .collect();
        let refs: Vec<&SettledEntry> = per_run.iter().collect();
        let naive = fit_layer(Layer::FIRST, &refs, &[Predictor::Width, Predictor::NIn]).unwrap();
        assert_eq!(naive.points, 18);
        let width_of =
            |f: &SizeFit| f.exponents[&Predictor::NIn].high - f.exponents[&Predictor::NIn].low;
        assert!(width_of(&naive) < width_of(&fit));
    }

    #[test]
    fn a_configuration_with_an_unsettled_run_is_left_out_and_counted() {
        let mut entries: Vec<SettledEntry> = [(10, 784), (39, 196), (135, 49), (30, 784)]
            .into_iter()
            .enumerate()
            .map(|(c, (w, n))| entry(&format!("c{c}"), 1, w, n, (n as f64).powf(-0.5)))
            .collect();
        entries[1].settled = false;
        let refs: Vec<&SettledEntry> = entries.iter().collect();
        let fit = fit_layer(Layer::FIRST, &refs, &[Predictor::NIn]).unwrap();
        assert_eq!((fit.points, fit.unsettled), (3, 1));
        assert_abs_diff_eq!(fit.exponents[&Predictor::NIn].value, -0.5, epsilon = 1e-9);
        // An exact power law leaves no residual.
        let names: Vec<&str> = fit
            .residuals
            .iter()
            .map(|r| r.configuration.as_str())
            .collect();
        assert_eq!(names, ["c0", "c2", "c3"]);
        for r in &fit.residuals {
            assert_abs_diff_eq!(r.residual, 0.0, epsilon = 1e-12);
        }
    }

    #[test]
    fn a_configuration_with_a_collapsed_run_is_left_out_and_counted_apart() {
        let mut entries: Vec<SettledEntry> = [(10, 784), (39, 196), (135, 49), (30, 784)]
            .into_iter()
            .enumerate()
            .map(|(c, (w, n))| entry(&format!("c{c}"), 1, w, n, (n as f64).powf(-0.5)))
            .collect();
        // Settled, but at a size far off the law: it would pull the fit.
        entries[2].collapsed = true;
        entries[2].size = 10.0;
        let refs: Vec<&SettledEntry> = entries.iter().collect();
        let fit = fit_layer(Layer::FIRST, &refs, &[Predictor::NIn]).unwrap();
        assert_eq!((fit.points, fit.unsettled, fit.collapsed), (3, 0, 1));
        assert_abs_diff_eq!(fit.exponents[&Predictor::NIn].value, -0.5, epsilon = 1e-9);
    }

    #[test]
    fn a_configuration_without_a_positive_predictor_is_left_out() {
        // size = 2 / input norm, one configuration's input norm 0 (no log).
        let entries: Vec<SettledEntry> = [3.0, 0.0, 9.0, 27.0]
            .into_iter()
            .enumerate()
            .map(|(c, norm)| SettledEntry {
                input_norm: Some(norm),
                ..entry(&format!("c{c}"), 1, 30, 784, 2.0 / norm.max(1.0))
            })
            .collect();
        let refs: Vec<&SettledEntry> = entries.iter().collect();
        let fit = fit_layer(Layer::FIRST, &refs, &[Predictor::InputNorm]).unwrap();
        assert_eq!((fit.points, fit.unsettled), (3, 1));
        assert_abs_diff_eq!(
            fit.exponents[&Predictor::InputNorm].value,
            -1.0,
            epsilon = 1e-9
        );
        // A residual is the measured log size less the fitted one.
        let mut off = entries.clone();
        off[3].size *= 2f64.exp();
        let refs: Vec<&SettledEntry> = off.iter().collect();
        let fit = fit_layer(Layer::FIRST, &refs, &[Predictor::InputNorm]).unwrap();
        let sum: f64 = fit.residuals.iter().map(|r| r.residual).sum();
        assert_abs_diff_eq!(sum, 0.0, epsilon = 1e-9);
        assert!(fit.residuals[2].residual > 0.0, "{:?}", fit.residuals);
    }

    #[test]
    fn configurations_are_names_without_the_seed() {
        assert_eq!(
            configuration("scale-large-w39-in196-s12"),
            "scale-large-w39-in196"
        );
        assert_eq!(configuration("base-large-l2-s1"), "base-large-l2");
    }
}
