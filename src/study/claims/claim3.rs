//! Claim 3: the decay tails off when the weights reach about 1/n_w (the
//! book: 1/sqrt(n_w)). Decided per layer from the settled size (see
//! `run::settle`), which does not depend on where the weights started; the
//! tail-off (first f >= 0.5) stays as a description only.

use serde::{Serialize, Serializer};

pub use noise::{NoiseMoves, NoiseTest, SizeSetBy, noise_test};

use super::{Claim, Decision, Measured, Missing, Threshold, Thresholds, Verdict};
use crate::metrics::EpochRecord;
use crate::net::{Init, Layer};
use crate::study::architecture::{Architecture, architecture};
use crate::study::equilibrium::{self, FitFamily, Predictor, SettledEntry, SizeFit, find_fit};
use crate::study::measures::{TailOff, tail_off};
use crate::study::noise_law::NoiseLaw;
use crate::study::plan::{self, Purpose};
use crate::study::summary::mean;
use crate::study::tail_average::{self, Stationarity};
use crate::theory;

/// A size law the settled size is compared with: the inverse of the
/// number its variant names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SizeLaw {
    /// The claim's 1/n_w.
    #[serde(rename = "1/n_w")]
    WeightCount,
    /// The book's 1/sqrt(n_w).
    #[serde(rename = "1/sqrt(n_w)")]
    SqrtWeightCount,
    /// N(0, 1/n_in)'s std, 1/sqrt(n_in).
    #[serde(rename = "1/sqrt(n_in)")]
    SqrtFanIn,
}

impl SizeLaw {
    /// Its reference size for a network of n_w weights and a layer of n_in
    /// inputs.
    pub fn reference(self, n_w: usize, n_in: usize) -> f64 {
        let sizes = theory::ReferenceSizes::for_weight_count(n_w);
        match self {
            SizeLaw::WeightCount => sizes.inv_n_w,
            SizeLaw::SqrtWeightCount => sizes.inv_sqrt_n_w,
            SizeLaw::SqrtFanIn => theory::inv_sqrt_n_in(n_in),
        }
    }

    /// The exponent of n_w it predicts for the all-weights rms (None for
    /// 1/sqrt(n_in), which is not a law of n_w).
    pub fn n_w_exponent(self) -> Option<f64> {
        match self {
            SizeLaw::WeightCount => Some(-1.0),
            SizeLaw::SqrtWeightCount => Some(-0.5),
            SizeLaw::SqrtFanIn => None,
        }
    }

    /// The exponents it predicts for the settled size against width and
    /// n_in (n_w ~ width * n_in).
    pub fn exponents(self) -> (f64, f64) {
        match self {
            SizeLaw::WeightCount => (-1.0, -1.0),
            SizeLaw::SqrtWeightCount => (-0.5, -0.5),
            SizeLaw::SqrtFanIn => (0.0, -0.5),
        }
    }
}

/// One hypothesis against one layer of the base runs.
#[derive(Debug, Clone, Serialize)]
pub struct HypothesisCheck {
    /// The law.
    pub hypothesis: SizeLaw,
    /// Its reference size for the layer.
    pub reference_size: f64,
    /// The settled size over the reference.
    pub size_over_reference: f64,
    /// Within the `SizeFactor` threshold of it, either way.
    pub size_within_factor: bool,
    /// The exponent of width it predicts.
    pub predicted_width_exponent: f64,
    /// The exponent of n_in it predicts.
    pub predicted_n_in_exponent: f64,
    /// Both predicted exponents inside the joint fit's 95% intervals (None
    /// without that fit).
    pub exponents_consistent: Option<bool>,
}

/// The three laws checked against one layer, by name. (`claims.json`
/// lists them in the order of [`SizeLaw::ALL`].)
#[derive(Debug, Clone)]
pub struct Hypotheses {
    /// The claim's 1/n_w.
    pub inv_n_w: HypothesisCheck,
    /// The book's 1/sqrt(n_w).
    pub inv_sqrt_n_w: HypothesisCheck,
    /// 1/sqrt(n_in).
    pub inv_sqrt_n_in: HypothesisCheck,
}

impl Hypotheses {
    /// The three checks, in the order of [`SizeLaw::ALL`].
    pub fn each(&self) -> [&HypothesisCheck; 3] {
        [&self.inv_n_w, &self.inv_sqrt_n_w, &self.inv_sqrt_n_in]
    }
}

impl Serialize for Hypotheses {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.each().serialize(serializer)
    }
}

/// What the base runs' settled state says about one layer.
#[derive(Debug, Clone, Serialize)]
pub struct LayerEquilibrium {
    /// The layer (or all weights).
    pub layer: Layer,
    pub n_in: usize,
    /// Seeds whose layer settled, of all seeds.
    pub settled_seeds: usize,
    pub seeds: usize,
    /// The settled size, averaged over the settled seeds (the last rms of
    /// the others if none settled).
    pub size: f64,
    /// The settled epoch, averaged over the settled seeds.
    pub settled_epoch: Option<f64>,
    /// The size laws checked against the layer.
    pub hypotheses: Hypotheses,
    /// Over the settled epochs: the shares of the decay's shrinkage of
    /// |w|^2 that the drift and the noise give back (they add to ~1).
    pub drift_share: Option<f64>,
    pub noise_share: Option<f64>,
    /// The noise term per settled epoch, measured, and as the full-batch
    /// gradient at the end predicts it.
    pub noise_measured: Option<f64>,
    pub noise_predicted: Option<f64>,
    /// cos(w, -grad C_0) at the end: 1 at the L2-regularized optimum.
    pub optimum_cosine: Option<f64>,
    /// |grad C_0| / |(lambda/n) w| at the end: 1 at the optimum.
    pub gradient_ratio: Option<f64>,
    /// Tail-off (first f >= 0.5), as a description: epoch and rms there.
    pub tail_off_epoch: Option<f64>,
    pub tail_off_size: Option<f64>,
}

/// rms(w) * input_norm of a layer over the configurations of the grid.
#[derive(Debug, Clone, Serialize)]
pub struct ScaleOfInputs {
    /// The weight layer.
    pub layer: Layer,
    pub min: f64,
    pub max: f64,
    pub configurations: usize,
    /// "LOW to HIGH": the n_in of those runs.
    pub n_in_range: String,
    pub n_in_min: usize,
    pub n_in_max: usize,
    /// The range of the settled sizes themselves over those runs.
    pub size_min: f64,
    pub size_max: f64,
}

/// The lambda sweep, for "lambda not too large".
#[derive(Debug, Clone, Serialize)]
pub struct SweepRow {
    pub lambda: f64,
    pub settled_size_w1: Option<f64>,
    pub final_accuracy: f64,
    pub collapsed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Claim3Evidence {
    pub size_factor: f64,
    /// The `OptimumMatch` and `BalanceShare` thresholds, for the words.
    pub optimum_match: f64,
    pub balance_share: f64,
    pub settled_band: f64,
    pub collapsed_accuracy: f64,
    pub n_w: usize,
    pub layers: Vec<LayerEquilibrium>,
    /// The fits the verdict and the text use (also in `claims.json`'s `fits`).
    pub grid_fits: Vec<SizeFit>,
    pub sweep_fits: Vec<SizeFit>,
    pub scale_of_inputs: Vec<ScaleOfInputs>,
    pub lambda_sweep: Vec<SweepRow>,
    /// The branches' sizes against eta/m, per layer and lambda, beside the
    /// optimum's (also `claims.json`'s `noise_law`).
    pub noise_laws: Vec<NoiseLaw>,
    /// eta/m of the base runs, where a law's share of the size is read.
    pub base_eta_over_m: f64,
    /// The all-weights rms against n_w as form and prefactor (also
    /// `claims.json`'s `architecture`).
    pub architecture: Architecture,
    /// The first seed's branches: how near stationary their last networks
    /// and tail averages are, per layer and lambda (empty without
    /// branches; the branches themselves are `claims.json`'s
    /// `tail_average`).
    pub stationarity: Vec<Stationarity>,
}

/// The records' per-layer quantity `value` over the settled epochs, summed.
fn settled_sum(
    records: &[EpochRecord],
    start: usize,
    value: impl Fn(&EpochRecord) -> Option<f64>,
) -> Option<f64> {
    records[start..].iter().map(value).sum()
}

/// A run as claim 3 reads it: its name (the settled table's `run`) and
/// records.
#[derive(Debug, Clone, Copy)]
pub struct NamedRun<'a> {
    /// The run's name.
    pub name: &'a str,
    /// Its records, epoch 0 first.
    pub records: &'a [EpochRecord],
}

/// One run of the lambda sweep.
#[derive(Debug, Clone, Copy)]
pub struct SweepRun<'a> {
    /// Its lambda.
    pub lambda: f64,
    /// The run.
    pub run: NamedRun<'a>,
}

/// The runs claim 3 reads, by purpose.
#[derive(Debug, Clone)]
pub struct Claim3Runs<'a> {
    /// The large+L2 base runs, one per seed.
    pub base: Vec<NamedRun<'a>>,
    /// The base network's layer sizes.
    pub sizes: Vec<usize>,
    /// The names of the scaling grid's runs (large init, base eta and
    /// lambda).
    pub grid: Vec<&'a str>,
    /// The large-init lambda sweep, lambda 5 included.
    pub sweep: Vec<SweepRun<'a>>,
}

/// One hypothesis checked against a layer's settled `size`.
fn check(
    law: SizeLaw,
    size: f64,
    n_w: usize,
    n_in: usize,
    grid_joint: Option<&SizeFit>,
    t: &Thresholds,
) -> HypothesisCheck {
    let reference = law.reference(n_w, n_in);
    let ratio = size / reference;
    let (width_exponent, n_in_exponent) = law.exponents();
    HypothesisCheck {
        hypothesis: law,
        reference_size: reference,
        size_over_reference: ratio,
        size_within_factor: (1.0 / t.size_factor..=t.size_factor).contains(&ratio),
        predicted_width_exponent: width_exponent,
        predicted_n_in_exponent: n_in_exponent,
        exponents_consistent: grid_joint.map(|f| {
            let inside = |p: Predictor, value: f64| {
                f.exponent(p)
                    .is_some_and(|e| e.low <= value && value <= e.high)
            };
            inside(Predictor::Width, width_exponent) && inside(Predictor::NIn, n_in_exponent)
        }),
    }
}

fn layer_equilibrium(
    base: &[NamedRun],
    settled: &[SettledEntry],
    layer: Layer,
    n_w: usize,
    grid_joint: Option<&SizeFit>,
    t: &Thresholds,
) -> LayerEquilibrium {
    // Each base run with its own entry of the settled table, by name.
    let runs: Vec<(&NamedRun, &SettledEntry)> = base
        .iter()
        .filter_map(|run| {
            let entry = settled
                .iter()
                .find(|e| e.layer == layer && e.run == run.name)?;
            Some((run, entry))
        })
        .collect();
    let entries: Vec<&SettledEntry> = runs.iter().map(|(_, e)| *e).collect();
    let settled_entries: Vec<&&SettledEntry> = entries.iter().filter(|e| e.settled).collect();
    let size = mean(&settled_entries.iter().map(|e| e.size).collect::<Vec<_>>())
        .or_else(|| mean(&entries.iter().map(|e| e.size).collect::<Vec<_>>()))
        .unwrap_or(f64::NAN);
    let n_in = entries.first().map_or(0, |e| e.n_in);
    let check = |law| check(law, size, n_w, n_in, grid_joint, t);
    let hypotheses = Hypotheses {
        inv_n_w: check(SizeLaw::WeightCount),
        inv_sqrt_n_w: check(SizeLaw::SqrtWeightCount),
        inv_sqrt_n_in: check(SizeLaw::SqrtFanIn),
    };
    let layer_index = layer.index();
    // The budget over each settled run's settled epochs, and its end state.
    let terms = |r: &EpochRecord| {
        let d = r.dynamics.as_ref()?;
        let terms = match layer_index {
            Some(l) => d.budget.layers.get(l)?,
            None => &d.budget.all,
        };
        Some((terms.decay, terms.drift, terms.noise))
    };
    let (mut decay, mut drift, mut noise, mut epochs) = (0.0, 0.0, 0.0, 0usize);
    let (mut predicted, mut cosines, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for (run, entry) in &runs {
        let records = run.records;
        let Some(start) = entry.settled_epoch else {
            continue;
        };
        decay += settled_sum(records, start, |r| terms(r).map(|t| t.0)).unwrap_or(0.0);
        drift += settled_sum(records, start, |r| terms(r).map(|t| t.1)).unwrap_or(0.0);
        noise += settled_sum(records, start, |r| terms(r).map(|t| t.2)).unwrap_or(0.0);
        epochs += records.len() - start;
        let end = layer_index.and_then(|l| records.last()?.full_gradient.as_ref()?.get(l).copied());
        if let Some(g) = end {
            predicted.push(g.predicted_noise);
            cosines.extend(g.cosine);
            if g.decay_gradient > 0.0 {
                ratios.push(g.data_gradient / g.decay_gradient);
            }
        }
    }
    let share = |x: f64| (decay < 0.0).then(|| x / -decay);
    let tails: Vec<TailOff> = base
        .iter()
        .filter_map(|r| tail_off(r.records, layer_index))
        .collect();
    LayerEquilibrium {
        layer,
        n_in,
        settled_seeds: settled_entries.len(),
        seeds: entries.len(),
        size,
        settled_epoch: mean(
            &settled_entries
                .iter()
                .filter_map(|e| e.settled_epoch.map(|s| s as f64))
                .collect::<Vec<_>>(),
        ),
        hypotheses,
        drift_share: share(drift),
        noise_share: share(noise),
        noise_measured: (epochs > 0).then(|| noise / epochs as f64),
        noise_predicted: mean(&predicted),
        optimum_cosine: mean(&cosines),
        gradient_ratio: mean(&ratios),
        tail_off_epoch: mean(&tails.iter().map(|t| t.at).collect::<Vec<_>>()),
        tail_off_size: mean(&tails.iter().map(|t| t.size).collect::<Vec<_>>()),
    }
}

/// Everything claim 3 is decided on: the base runs' settled state per
/// layer against the size laws, the fits of the grid and the sweeps, the
/// scale of the inputs over the grid and the lambda sweep.
pub fn evidence(
    runs: &Claim3Runs,
    settled: &[SettledEntry],
    fits: &[SizeFit],
    noise_laws: &[NoiseLaw],
    t: &Thresholds,
) -> Claim3Evidence {
    let n_w = crate::net::weight_count(&runs.sizes).unwrap_or(0);
    let layers = runs.sizes.len().saturating_sub(1);
    let of_family = |family| -> Vec<SizeFit> {
        fits.iter()
            .filter(|f| f.family() == family)
            .cloned()
            .collect()
    };
    let (grid_fits, sweep_fits) = (of_family(FitFamily::Grid), of_family(FitFamily::Sweep));
    let layer_results = Layer::each_then_all(layers)
        .map(|layer| {
            let joint = find_fit(&grid_fits, layer, &[Predictor::Width, Predictor::NIn]);
            layer_equilibrium(&runs.base, settled, layer, n_w, joint, t)
        })
        .collect();
    let scale_of_inputs = (0..layers)
        .filter_map(|l| scale_of_inputs(settled, Layer::Weights(l), &runs.grid))
        .collect();
    let lambda_sweep = runs
        .sweep
        .iter()
        .map(|s| {
            let last = s.run.records.last().map_or(0.0, |r| r.eval_accuracy);
            SweepRow {
                lambda: s.lambda,
                settled_size_w1: settled
                    .iter()
                    .find(|e| e.run == s.run.name && e.layer == Layer::FIRST && e.settled)
                    .map(|e| e.size),
                final_accuracy: last,
                collapsed: last < t.collapsed_accuracy,
            }
        })
        .collect();
    Claim3Evidence {
        size_factor: t.size_factor,
        optimum_match: t.optimum_match,
        balance_share: t.balance_share,
        settled_band: crate::run::settle::SETTLED_BAND,
        collapsed_accuracy: t.collapsed_accuracy,
        n_w,
        layers: layer_results,
        grid_fits,
        sweep_fits,
        scale_of_inputs,
        lambda_sweep,
        noise_laws: noise_laws.to_vec(),
        base_eta_over_m: plan::ETA / plan::BATCH as f64,
        architecture: architecture(settled, fits, &runs.grid),
        stationarity: Vec::new(),
    }
}

/// rms(w) * input_norm of `layer` over the settled runs of the grid; None
/// without one.
fn scale_of_inputs(settled: &[SettledEntry], layer: Layer, grid: &[&str]) -> Option<ScaleOfInputs> {
    let runs: Vec<&SettledEntry> = settled
        .iter()
        .filter(|e| e.layer == layer && e.settled && grid.contains(&e.run.as_str()))
        .collect();
    let values: Vec<f64> = runs
        .iter()
        .filter_map(|e| e.size_times_input_norm)
        .collect();
    let n_in = runs.iter().map(|e| e.n_in);
    let (n_in_min, n_in_max) = (n_in.clone().min().unwrap_or(0), n_in.max().unwrap_or(0));
    let sizes = runs.iter().map(|e| e.size);
    let size_min = sizes.clone().fold(f64::INFINITY, f64::min);
    let size_max = sizes.fold(f64::NEG_INFINITY, f64::max);
    (!values.is_empty()).then(|| ScaleOfInputs {
        size_min,
        size_max,
        n_in_range: format!("{n_in_min} to {n_in_max}"),
        n_in_min,
        n_in_max,
        layer,
        min: values.iter().copied().fold(f64::INFINITY, f64::min),
        max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        configurations: values.len(),
    })
}

/// The scale of the inputs says something about how the size follows the
/// input once it spans at least this many settled runs of different n_in.
pub const SCALE_OF_INPUTS_RUNS: usize = 3;

/// Claim 3's test of the claim on one weight layer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayerTest {
    /// The weight layer.
    pub layer: Layer,
    /// Its settled size is within the `SizeFactor` of 1/n_w.
    pub around_inv_n_w: bool,
    /// The grid's exponents are 1/n_w's (None without the joint fit).
    pub exponents_of_inv_n_w: Option<bool>,
}

/// What claim 3's decision found.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim3Findings {
    /// Per weight layer: the claim's size and exponents.
    pub layers: Vec<LayerTest>,
    /// The laws whose exponents the first layer's joint fit contains, and
    /// those it excludes (neither without the fit).
    pub laws_consistent: Vec<SizeLaw>,
    /// See `laws_consistent`.
    pub laws_excluded: Vec<SizeLaw>,
    /// What sets each layer's size at each of the noise law's lambdas
    /// (empty without branches).
    pub noise: Vec<NoiseTest>,
    /// The form: the laws of n_w (1/n_w, 1/sqrt(n_w)) whose exponent (-1,
    /// -1/2) the all-weights fit against n_w holds in its 95% interval
    /// (empty without the fit).
    pub form_laws: Vec<SizeLaw>,
    /// The prefactor rms sqrt(n_w) at the base lambda is within the
    /// `SizeFactor` of 1, the book's 1/sqrt(n_w) itself (None: not
    /// measured).
    pub prefactor_near_one: Option<bool>,
    /// The grid's first layer spans enough settled runs of different n_in
    /// to compare the size with the scale of its input.
    pub scale_of_inputs_compared: bool,
    /// The lambdas of the sweep at which training collapsed.
    pub collapsed_lambdas: Vec<f64>,
    /// Per layer and lambda of the branches: whether the tail averages
    /// come nearer stationary as eta/m falls (empty without branches).
    pub averages: Vec<AverageTest>,
}

/// The tail averages' test of one layer at one lambda.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AverageTest {
    pub layer: Layer,
    pub lambda: f64,
    /// The excess of the averages' gradient ratio over 1 falls with eta/m:
    /// its exponent's 95% interval lies above 0 (None: not fitted). What
    /// SGD fluctuating around a stationary point of J shows; the snapshot
    /// alone cannot.
    pub toward_stationary: Option<bool>,
}

/// Claim 3: "Supposing lambda is not too large, the weight decay will tail
/// off when the weights are down to a size around 1/n_w."
#[derive(Debug, Clone)]
pub struct Claim3;

impl Claim for Claim3 {
    type Evidence = Claim3Evidence;
    type Findings = Claim3Findings;
    const ID: u8 = 3;
    const TITLE: &'static str = "Decay tails off when the weights reach about $1/n_w$";
    const STATEMENT: &'static str = "Supposing lambda is not too large, the weight decay will tail off when the weights are down to a size around $1/n_w$, where $n_w$ is the total number of weights in the network.";
    const THRESHOLDS: &'static [Threshold] = &[
        Threshold::SizeFactor,
        Threshold::CollapsedAccuracy,
        Threshold::OptimumMatch,
        Threshold::BalanceShare,
        Threshold::EqualRatioTolerance,
    ];

    fn evidence(m: &Measured, t: &Thresholds) -> Result<Claim3Evidence, Missing> {
        let r = m.results;
        let large_l2 = Purpose::Base {
            init: Init::Large,
            l2: true,
        };
        fn named(run: &crate::study::RunResult) -> NamedRun<'_> {
            NamedRun {
                name: run.spec.name.as_str(),
                records: run.records.as_slice(),
            }
        }
        let runs = Claim3Runs {
            base: r
                .runs
                .iter()
                .filter(|run| run.spec.purpose == large_l2)
                .map(named)
                .collect(),
            sizes: r.base_sizes(),
            grid: r
                .runs
                .iter()
                .filter(|run| equilibrium::grid_member(run))
                .map(|run| run.spec.name.as_str())
                .collect(),
            sweep: r
                .sweep_runs()
                .into_iter()
                .map(|run| SweepRun {
                    lambda: run.spec.config.lambda,
                    run: named(run),
                })
                .collect(),
        };
        let mut e = evidence(&runs, m.settled, m.fits, m.noise_laws, t);
        e.stationarity = tail_average::stationarity(&r.averaged);
        Ok(e)
    }

    /// Per weight layer, whether the settled size is within the
    /// `SizeFactor` of 1/n_w and whether the grid's exponents are those
    /// 1/n_w predicts; holds if both hold for every layer, partly if either
    /// holds for some layer, fails otherwise; inconclusive if no layer of
    /// any base run settled.
    fn decide(e: &Claim3Evidence, t: &Thresholds) -> Decision<Claim3Findings> {
        let weight_layers: Vec<&LayerEquilibrium> =
            e.layers.iter().filter(|l| l.layer != Layer::All).collect();
        let layers: Vec<LayerTest> = weight_layers
            .iter()
            .map(|l| LayerTest {
                layer: l.layer,
                around_inv_n_w: (1.0 / t.size_factor..=t.size_factor)
                    .contains(&l.hypotheses.inv_n_w.size_over_reference),
                exponents_of_inv_n_w: l.hypotheses.inv_n_w.exponents_consistent,
            })
            .collect();
        let verdict = if layers.is_empty() || weight_layers.iter().all(|l| l.settled_seeds == 0) {
            Verdict::Inconclusive
        } else if layers
            .iter()
            .all(|l| l.around_inv_n_w && l.exponents_of_inv_n_w == Some(true))
        {
            Verdict::Holds
        } else if layers
            .iter()
            .any(|l| l.around_inv_n_w || l.exponents_of_inv_n_w == Some(true))
        {
            Verdict::Partly
        } else {
            Verdict::Fails
        };
        let first = e.layers.first();
        let laws = |consistent: bool| -> Vec<SizeLaw> {
            first.map_or(Vec::new(), |l| {
                l.hypotheses
                    .each()
                    .into_iter()
                    .filter(|h| h.exponents_consistent == Some(consistent))
                    .map(|h| h.hypothesis)
                    .collect()
            })
        };
        Decision {
            verdict,
            findings: Claim3Findings {
                layers,
                laws_consistent: laws(true),
                laws_excluded: laws(false),
                form_laws: e.architecture.n_w_exponent.map_or(Vec::new(), |b| {
                    [SizeLaw::WeightCount, SizeLaw::SqrtWeightCount]
                        .into_iter()
                        .filter(|law| {
                            law.n_w_exponent()
                                .is_some_and(|x| (b.low..=b.high).contains(&x))
                        })
                        .collect()
                }),
                prefactor_near_one: e
                    .architecture
                    .base_prefactor()
                    .map(|a| (1.0 / t.size_factor..=t.size_factor).contains(&a)),
                noise: e
                    .noise_laws
                    .iter()
                    .map(|law| noise_test(law, e.base_eta_over_m, t))
                    .collect(),
                scale_of_inputs_compared: e.scale_of_inputs.first().is_some_and(|s| {
                    s.configurations >= SCALE_OF_INPUTS_RUNS && s.n_in_min < s.n_in_max
                }),
                collapsed_lambdas: e
                    .lambda_sweep
                    .iter()
                    .filter(|r| r.final_accuracy < t.collapsed_accuracy)
                    .map(|r| r.lambda)
                    .collect(),
                averages: e
                    .stationarity
                    .iter()
                    .map(|s| AverageTest {
                        layer: s.layer,
                        lambda: s.lambda,
                        toward_stationary: s.exponent.map(|b| b.low > 0.0),
                    })
                    .collect(),
            },
        }
    }
}

mod noise;
#[cfg(test)]
mod tests;
