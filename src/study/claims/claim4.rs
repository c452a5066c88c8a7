//! Claim 4: how the decay relates to N(0, 1/n_in) initialization.

use serde::{Serialize, Serializer};

use super::{Claim, Decision, Measured, Missing, Threshold, Thresholds, Verdict};
use crate::metrics::EpochRecord;
use crate::net::{Init, Layer};
use crate::run::settle::Settling;
use crate::study::approach::approach;
use crate::study::input_scale::{InputScaleLaw, ScaleFit, input_scale_law};
use crate::study::plan::Purpose;
use crate::study::summary::{SeedCurve, mean};
use crate::theory;

/// The first epoch from which `a` stays within `tolerance` below `b`.
pub fn catch_up_within(a: &[f64], b: &[f64], tolerance: f64) -> Option<usize> {
    let n = a.len().min(b.len());
    (0..n).find(|&e| (e..n).all(|k| a[k] >= b[k] - tolerance))
}

/// The base runs of the four kinds, one per seed.
pub struct BaseRuns<'a> {
    pub large_l2: Vec<&'a [EpochRecord]>,
    pub default_l2: Vec<&'a [EpochRecord]>,
    pub large_no_l2: Vec<&'a [EpochRecord]>,
    pub default_no_l2: Vec<&'a [EpochRecord]>,
}

/// A kind of base run large+L2 is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Comparator {
    /// Default init, no L2: the claim's N(0, 1/n_in).
    #[serde(rename = "default init, no L2 (the claim's N(0, 1/n_in))")]
    DefaultNoL2,
    /// Default init with L2.
    #[serde(rename = "default init with L2")]
    DefaultL2,
    /// Large init, no L2.
    #[serde(rename = "large init, no L2")]
    LargeNoL2,
}

/// How large+L2 compares with one other kind of base run.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The other kind.
    pub comparator: Comparator,
    /// Validation accuracy at the last epoch both have (mean over seeds).
    pub final_accuracy: f64,
    /// Validation accuracy at epochs 1 to `EarlyEpochs` (mean over seeds).
    pub early_accuracy: Vec<f64>,
    /// Saturation of the first hidden layer at epoch 0 and at the last
    /// epoch both have (mean over seeds).
    pub start_saturation: f64,
    pub final_saturation: f64,
    /// The first epoch from which large+L2 stays within one point below
    /// it (or above it) to the end of their common epochs.
    pub within_one_point_from: Option<usize>,
    /// The same with "one point" at half and at twice its value.
    pub within_half_a_point_from: Option<usize>,
    pub within_two_points_from: Option<usize>,
    /// Its validation accuracy per epoch (mean over seeds) to the last
    /// common epoch: what "within a point" is decided on at any point.
    #[serde(skip)]
    pub accuracy: Vec<f64>,
}

/// large+L2 against each other kind, by name. (`claims.json` lists them in
/// this order.)
#[derive(Debug, Clone)]
pub struct Comparisons {
    /// Against the claim's N(0, 1/n_in) without L2.
    pub default_no_l2: Comparison,
    /// Against default init with L2.
    pub default_l2: Comparison,
    /// Against large init without L2.
    pub large_no_l2: Comparison,
}

impl Comparisons {
    /// The three, in the order of `claims.json`.
    pub fn each(&self) -> [&Comparison; 3] {
        [&self.default_no_l2, &self.default_l2, &self.large_no_l2]
    }
}

impl Serialize for Comparisons {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.each().serialize(serializer)
    }
}

/// One layer's weight scale after training.
#[derive(Debug, Clone, Serialize)]
pub struct LayerScale {
    /// The weight layer.
    pub layer: Layer,
    pub inv_sqrt_n_in: f64,
    /// std of the layer's weights, over its settled epochs (the last epoch
    /// where not settled), mean over seeds: large+L2 and default+L2.
    pub settled_std_large_l2: f64,
    pub settled_std_default_l2: f64,
    pub large_over_default: f64,
    /// The same of the rms each run approaches, extrapolated past its stop
    /// (`study::approach`), mean over seeds: without the bias of stopping
    /// at the band's edge, which lies on the side each start came from.
    /// Null if some run shows no relaxation to extrapolate.
    pub extrapolated_large_over_default: Option<f64>,
    pub large_over_inv_sqrt_n_in: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Claim4Evidence {
    pub one_point: f64,
    pub early_epochs: usize,
    pub saturation_gap: f64,
    pub init_factor: f64,
    pub same_scale: f64,
    /// The last epoch all four kinds have.
    pub common_epochs: usize,
    pub large_l2_final_accuracy: f64,
    /// large+L2's accuracy at epochs 1 to `EarlyEpochs`.
    pub large_l2_early_accuracy: Vec<f64>,
    pub large_l2_start_saturation: f64,
    pub large_l2_final_saturation: f64,
    pub comparisons: Comparisons,
    pub layers: Vec<LayerScale>,
    /// large+L2's validation accuracy per epoch (mean over seeds) to the
    /// last common epoch.
    #[serde(skip)]
    pub large_l2_accuracy: Vec<f64>,
    /// Fan-in against input scale: the first layer's settled size against
    /// |x| and n_in (null without the fan-in runs: quick mode).
    pub input_scale: Option<InputScaleLaw>,
    pub exponent_tolerance: f64,
}

/// What sets the first layer's settled size, from the fan-in runs'
/// exponents a (of |x|) and b (of n_in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScaleSetBy {
    /// a = -1 and b = 0 within the `ExponentTolerance`: the layer settles
    /// at a fixed scale of its weighted inputs, rms ~ 1/|x|.
    InputNorm,
    /// a = 0 and b = -1/2 within it: rms ~ 1/sqrt(n_in), N(0, 1/n_in)'s law.
    FanIn,
    /// Neither pair of exponents.
    Neither,
}

/// The exponents (a, b) each picture predicts.
pub const INPUT_NORM_EXPONENTS: (f64, f64) = (-1.0, 0.0);
pub const FAN_IN_EXPONENTS: (f64, f64) = (0.0, -0.5);

/// Which picture `fit`'s exponents are, within `tolerance` each.
pub fn scale_set_by(fit: &ScaleFit, tolerance: f64) -> ScaleSetBy {
    let is = |(a, b): (f64, f64)| {
        (fit.input_norm.value - a).abs() <= tolerance && (fit.n_in.value - b).abs() <= tolerance
    };
    if is(INPUT_NORM_EXPONENTS) {
        ScaleSetBy::InputNorm
    } else if is(FAN_IN_EXPONENTS) {
        ScaleSetBy::FanIn
    } else {
        ScaleSetBy::Neither
    }
}

/// The mean over seeds of each run's weight std of layer `l`, over its
/// settled epochs (or at its last epoch if it did not settle).
fn settled_std(runs: &[&[EpochRecord]], l: usize) -> f64 {
    let per_run: Vec<f64> = runs
        .iter()
        .map(|r| {
            let start = Settling::of_records(r, Some(l))
                .settled_epoch
                .unwrap_or(r.len() - 1);
            mean(
                &r[start..]
                    .iter()
                    .map(|e| e.weights.layers[l].std)
                    .collect::<Vec<_>>(),
            )
            .unwrap_or(f64::NAN)
        })
        .collect();
    mean(&per_run).unwrap_or(f64::NAN)
}

/// The mean over seeds of the rms each run's layer `l` approaches,
/// extrapolated past its last epoch; None if some run did not settle or
/// shows no relaxation.
fn extrapolated_rms(runs: &[&[EpochRecord]], l: usize) -> Option<f64> {
    let each: Option<Vec<f64>> = runs
        .iter()
        .map(|r| {
            if !Settling::of_records(r, Some(l)).settled {
                return None;
            }
            let rms: Vec<f64> = r.iter().map(|e| e.weights.layers[l].rms).collect();
            approach(&rms).map(|a| a.size)
        })
        .collect();
    mean(&each?)
}

/// Everything claim 4 is decided on, "within a point" at the thresholds
/// `t`; None without all four kinds of run.
pub fn evidence(runs: &BaseRuns, sizes: &[usize], t: &Thresholds) -> Option<Claim4Evidence> {
    let kinds = [
        &runs.large_l2,
        &runs.default_l2,
        &runs.large_no_l2,
        &runs.default_no_l2,
    ];
    if kinds.iter().any(|k| k.is_empty()) {
        return None;
    }
    let accuracy = |runs: &[&[EpochRecord]]| SeedCurve::of(runs, |r| r.eval_accuracy).mean;
    let saturation = |runs: &[&[EpochRecord]]| {
        SeedCurve::of(runs, |r| r.saturation.first().copied().unwrap_or(0.0)).mean
    };
    let common = kinds
        .iter()
        .flat_map(|k| k.iter().map(|r| r.len()))
        .min()?
        .checked_sub(1)?;
    let large_accuracy = accuracy(&runs.large_l2);
    // Epochs 1 to `EarlyEpochs`, as far as every kind has them.
    let early = 1..=t.early_epochs.min(common);
    let compare = |comparator, other: &[&[EpochRecord]]| {
        let acc = accuracy(other);
        let within =
            |tolerance| catch_up_within(&large_accuracy[..=common], &acc[..=common], tolerance);
        let saturation = saturation(other);
        Comparison {
            comparator,
            final_accuracy: acc[common],
            early_accuracy: acc[early.clone()].to_vec(),
            start_saturation: saturation[0],
            final_saturation: saturation[common],
            within_one_point_from: within(t.one_point),
            within_half_a_point_from: within(t.one_point / 2.0),
            within_two_points_from: within(t.one_point * 2.0),
            accuracy: acc[..=common].to_vec(),
        }
    };
    let comparisons = Comparisons {
        default_no_l2: compare(Comparator::DefaultNoL2, &runs.default_no_l2),
        default_l2: compare(Comparator::DefaultL2, &runs.default_l2),
        large_no_l2: compare(Comparator::LargeNoL2, &runs.large_no_l2),
    };
    let layers = (0..sizes.len() - 1)
        .map(|l| {
            let inv_sqrt_n_in = theory::inv_sqrt_n_in(sizes[l]);
            let large = settled_std(&runs.large_l2, l);
            let default = settled_std(&runs.default_l2, l);
            LayerScale {
                layer: Layer::Weights(l),
                inv_sqrt_n_in,
                settled_std_large_l2: large,
                settled_std_default_l2: default,
                large_over_default: large / default,
                extrapolated_large_over_default: extrapolated_rms(&runs.large_l2, l)
                    .zip(extrapolated_rms(&runs.default_l2, l))
                    .map(|(large, default)| large / default),
                large_over_inv_sqrt_n_in: large / inv_sqrt_n_in,
            }
        })
        .collect();
    let large_saturation = saturation(&runs.large_l2);
    Some(Claim4Evidence {
        one_point: t.one_point,
        early_epochs: t.early_epochs,
        saturation_gap: t.saturation_gap,
        init_factor: t.init_factor,
        same_scale: t.same_scale,
        common_epochs: common,
        large_l2_final_accuracy: large_accuracy[common],
        large_l2_early_accuracy: large_accuracy[early].to_vec(),
        large_l2_start_saturation: large_saturation[0],
        large_l2_final_saturation: large_saturation[common],
        comparisons,
        layers,
        large_l2_accuracy: large_accuracy[..=common].to_vec(),
        input_scale: None,
        exponent_tolerance: t.exponent_tolerance,
    })
}

/// What claim 4's decision found. What N(0, 1/n_in) does is start the
/// weights small enough that the hidden layer is not saturated, so the
/// first epochs learn fast: L2 emulates that if large+L2 learns as fast in
/// the early epochs, or ends no more saturated. The other findings
/// describe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claim4Findings {
    /// large+L2 is within the `OnePoint` threshold below default init
    /// without L2 at every one of the `EarlyEpochs` epochs.
    pub early_speed_emulated: bool,
    /// large+L2 is ahead of large init without L2 by more than `OnePoint`
    /// at one of the early epochs at least: L2 itself speeds them.
    pub l2_speeds_early: bool,
    /// large+L2's final saturation is no higher than default init without
    /// L2's at the same epoch, within the `SaturationGap`.
    pub saturation_emulated: bool,
    /// large+L2 comes within the `OnePoint` threshold below the claim's
    /// comparator (default init, no L2) and stays there (a description:
    /// the endpoint).
    pub catches_up: bool,
    /// Every layer of large+L2 settles at default+L2's size, within the
    /// `SameScale` factor (the extrapolated sizes where there are, the
    /// settled stds elsewhere): L2 erases the start.
    pub start_erased: bool,
    /// Every layer of large+L2 ends within the `InitFactor` of
    /// 1/sqrt(n_in).
    pub at_init_scale: bool,
    /// What sets the first layer's settled size (None without the fan-in
    /// runs).
    pub first_layer_set_by: Option<ScaleSetBy>,
}

/// Claim 4: "How does this relate to weight initialization using N(0,
/// 1/n_in)? Perhaps L2 cuts the weights and in doing so emulates the
/// effects of N(0, 1/n_in) initialization."
#[derive(Debug, Clone)]
pub struct Claim4;

impl Claim for Claim4 {
    type Evidence = Claim4Evidence;
    type Findings = Claim4Findings;
    const ID: u8 = 4;
    const TITLE: &'static str = "L2 from a large start emulates $N(0, 1/n_in)$ initialization";
    const STATEMENT: &'static str = "How does this relate to weight initialization using $N(0, 1/n_in)$, where $n_in$ is the number of inputs to a neuron (no regularization)? Perhaps L2 cuts the weights and in doing so emulates the effects of $N(0, 1/n_in)$ initialization.";
    const THRESHOLDS: &'static [Threshold] = &[
        Threshold::OnePoint,
        Threshold::EarlyEpochs,
        Threshold::SaturationGap,
        Threshold::InitFactor,
        Threshold::SameScale,
        Threshold::ExponentTolerance,
    ];

    fn evidence(m: &Measured, t: &Thresholds) -> Result<Claim4Evidence, Missing> {
        let r = m.results;
        let runs = BaseRuns {
            large_l2: r.base(Init::Large, true),
            default_l2: r.base(Init::Default, true),
            large_no_l2: r.base(Init::Large, false),
            default_no_l2: r.base(Init::Default, false),
        };
        let mut e = evidence(&runs, &r.base_sizes(), t).ok_or(Missing("base runs missing"))?;
        let default_l2 = Purpose::Base {
            init: Init::Default,
            l2: true,
        };
        let fan_in_runs: Vec<&str> = r
            .runs
            .iter()
            .filter(|run| {
                run.spec.purpose == default_l2
                    || matches!(run.spec.purpose, Purpose::InputScale { .. })
            })
            .map(|run| run.spec.name.as_str())
            .collect();
        // None without the fan-in runs (quick mode): the base run alone.
        e.input_scale = input_scale_law(m.settled, &fan_in_runs);
        Ok(e)
    }

    /// On what N(0, 1/n_in) changes: holds if large+L2 learns as fast as
    /// default init without L2 in the early epochs and ends no more
    /// saturated; partly if one of the two, or if neither but the first
    /// layer's settled size follows the fan-in as N(0, 1/n_in)'s does;
    /// fails otherwise. The endpoint accuracy and the settled stds are
    /// described, not decided on.
    fn decide(e: &Claim4Evidence, t: &Thresholds) -> Decision<Claim4Findings> {
        let within = |ratio: f64, factor: f64| (1.0 / factor..=factor).contains(&ratio);
        let early = e.large_l2_early_accuracy.iter().enumerate();
        let default_early = &e.comparisons.default_no_l2.early_accuracy;
        let large_no_l2_early = &e.comparisons.large_no_l2.early_accuracy;
        let findings = Claim4Findings {
            early_speed_emulated: early
                .clone()
                .all(|(k, &a)| a >= default_early[k] - t.one_point),
            l2_speeds_early: early
                .clone()
                .any(|(k, &a)| a > large_no_l2_early[k] + t.one_point),
            saturation_emulated: e.large_l2_final_saturation
                <= e.comparisons.default_no_l2.final_saturation + t.saturation_gap,
            catches_up: catch_up_within(
                &e.large_l2_accuracy,
                &e.comparisons.default_no_l2.accuracy,
                t.one_point,
            )
            .is_some(),
            start_erased: e.layers.iter().all(|l| {
                let ratio = l.extrapolated_large_over_default;
                within(ratio.unwrap_or(l.large_over_default), t.same_scale)
            }),
            at_init_scale: e
                .layers
                .iter()
                .all(|l| within(l.large_over_inv_sqrt_n_in, t.init_factor)),
            first_layer_set_by: e
                .input_scale
                .as_ref()
                .map(|law| scale_set_by(&law.live, t.exponent_tolerance)),
        };
        let shares_fan_in_law = findings.first_layer_set_by == Some(ScaleSetBy::FanIn);
        let verdict = match (findings.early_speed_emulated, findings.saturation_emulated) {
            (true, true) => Verdict::Holds,
            (true, false) | (false, true) => Verdict::Partly,
            (false, false) if shares_fan_in_law => Verdict::Partly,
            (false, false) => Verdict::Fails,
        };
        Decision { verdict, findings }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::synthetic::*;
    use approx::assert_abs_diff_eq;

    fn evidence(runs: &BaseRuns, sizes: &[usize]) -> Option<Claim4Evidence> {
        super::evidence(runs, sizes, &Thresholds::default())
    }

    #[test]
    fn the_first_layers_law_is_the_picture_whose_exponents_both_match() {
        let fit = |a: f64, b: f64| {
            let exponent = |value: f64| crate::study::equilibrium::Exponent {
                value,
                low: value - 0.1,
                high: value + 0.1,
            };
            ScaleFit {
                input_norm: exponent(a),
                n_in: exponent(b),
                residual_rms: 0.01,
            }
        };
        let t = 0.15;
        assert_eq!(scale_set_by(&fit(-0.9, 0.1), t), ScaleSetBy::InputNorm);
        assert_eq!(scale_set_by(&fit(-1.14, -0.14), t), ScaleSetBy::InputNorm);
        assert_eq!(scale_set_by(&fit(0.1, -0.45), t), ScaleSetBy::FanIn);
        // One exponent of each, or between: neither.
        assert_eq!(scale_set_by(&fit(-1.0, -0.5), t), ScaleSetBy::Neither);
        assert_eq!(scale_set_by(&fit(-0.5, -0.2), t), ScaleSetBy::Neither);
        // Just outside the tolerance, on either side.
        assert_eq!(scale_set_by(&fit(-0.84, 0.0), t), ScaleSetBy::Neither);
        assert_eq!(scale_set_by(&fit(-1.0, 0.16), t), ScaleSetBy::Neither);
        assert_eq!(scale_set_by(&fit(0.0, -0.66), t), ScaleSetBy::Neither);
    }

    #[test]
    fn claim4_describes_catch_up_and_scale() {
        let sizes = [784, 30, 10];
        let acc_default = [0.1, 0.90, 0.93, 0.95, 0.96, 0.96];
        let acc_large = [0.1, 0.80, 0.88, 0.93, 0.955, 0.96];
        let acc_no_l2 = [0.1, 0.80, 0.85, 0.88, 0.90, 0.91];
        let f = [1.0; 6];
        // std = rms in the synthetic runs.
        let default = synthetic_run(&[0.036; 6], &f, &acc_default, RHO);
        let large = synthetic_run(&[1.0; 6], &f, &acc_large, RHO);
        let no_l2 = synthetic_run(&[1.0; 6], &f, &acc_no_l2, RHO);
        let findings = |large: &[EpochRecord]| {
            let runs = BaseRuns {
                large_l2: vec![large],
                default_l2: vec![&default],
                large_no_l2: vec![&no_l2],
                default_no_l2: vec![&default],
            };
            let e = evidence(&runs, &sizes).unwrap();
            let found = Claim4::decide(&e, &Thresholds::default()).findings;
            (e, found)
        };
        let (e, found) = findings(&large);
        // Within one point of default from epoch 4 on (epoch 3: 0.93 vs 0.95).
        assert_eq!(e.comparisons.default_no_l2.within_one_point_from, Some(4));
        assert_eq!(e.comparisons.large_no_l2.within_one_point_from, Some(0));
        assert!(found.catches_up);
        // The early epochs 1 to 3: 0.80, 0.88, 0.93 against 0.90, 0.93, 0.95.
        assert_eq!(e.large_l2_early_accuracy, [0.80, 0.88, 0.93]);
        assert_eq!(
            e.comparisons.default_no_l2.early_accuracy,
            [0.90, 0.93, 0.95]
        );
        assert!(!found.early_speed_emulated);
        // Ahead of large without L2 by 3 and 5 points at epochs 2 and 3.
        assert!(found.l2_speeds_early);
        // Std 1 is 28 times 1/sqrt(784), and 28 times default+L2's 0.036.
        assert_abs_diff_eq!(e.layers[0].large_over_inv_sqrt_n_in, 28.0, epsilon = 1e-9);
        assert!(!found.at_init_scale && !found.start_erased);
        // Every layer near its 1/sqrt(n_in): 1/sqrt(784) = 0.036, 1/sqrt(30) = 0.18.
        let mut small = synthetic_run(&[0.04; 6], &f, &acc_large, RHO);
        small.iter_mut().for_each(|r| r.weights.layers[1].std = 0.2);
        assert!(findings(&small).1.at_init_scale);
        // The first layer alone at its scale is not enough.
        let first_only = synthetic_run(&[0.04; 6], &f, &acc_large, RHO);
        assert!(!findings(&first_only).1.at_init_scale);
        // Never catching up, but settling where default+L2 settles.
        let slow_but_same = synthetic_run(&[0.036; 6], &f, &acc_no_l2, RHO);
        let (e, found) = findings(&slow_but_same);
        assert_eq!(e.comparisons.default_no_l2.within_one_point_from, None);
        assert!(!found.catches_up && found.start_erased && !found.l2_speeds_early);
    }

    #[test]
    fn the_verdict_is_on_early_speed_saturation_and_the_fan_in_law() {
        let sizes = [784, 30, 10];
        let f = [1.0; 6];
        let fast = [0.1, 0.90, 0.93, 0.95, 0.96, 0.96];
        let slow = [0.1, 0.80, 0.88, 0.93, 0.955, 0.96];
        // A run whose first hidden layer's saturation is `saturation` at
        // every epoch.
        let run = |accuracy: &[f64], saturation: f64| {
            let mut records = synthetic_run(&[0.1; 6], &f, accuracy, RHO);
            records
                .iter_mut()
                .for_each(|r| r.saturation = vec![saturation]);
            records
        };
        let default = run(&fast, 0.40);
        let decide_with = |large: &[EpochRecord], law: Option<ScaleSetBy>| {
            let runs = BaseRuns {
                large_l2: vec![large],
                default_l2: vec![&default],
                large_no_l2: vec![large],
                default_no_l2: vec![&default],
            };
            let mut e = evidence(&runs, &sizes).unwrap();
            e.input_scale = law.map(|law| {
                let (a, b) = match law {
                    ScaleSetBy::InputNorm => INPUT_NORM_EXPONENTS,
                    ScaleSetBy::FanIn => FAN_IN_EXPONENTS,
                    ScaleSetBy::Neither => (-0.5, -0.25),
                };
                let exponent = |value| crate::study::equilibrium::Exponent {
                    value,
                    low: value,
                    high: value,
                };
                let fit = ScaleFit {
                    input_norm: exponent(a),
                    n_in: exponent(b),
                    residual_rms: 0.0,
                };
                InputScaleLaw {
                    live: fit,
                    all_inputs: fit,
                    points: Vec::new(),
                    left_out: 0,
                }
            });
            Claim4::decide(&e, &Thresholds::default())
        };
        // As fast early, and no more saturated (0.44 is within 5 points of 0.40).
        let d = decide_with(&run(&fast, 0.44), None);
        assert!(d.findings.early_speed_emulated && d.findings.saturation_emulated);
        assert_eq!(d.verdict, Verdict::Holds);
        // Slow early, no more saturated: partly.
        let d = decide_with(&run(&slow, 0.30), None);
        assert!(!d.findings.early_speed_emulated && d.findings.saturation_emulated);
        assert_eq!(d.verdict, Verdict::Partly);
        // As fast early, more saturated (0.46: 6 points above): partly.
        let d = decide_with(&run(&fast, 0.46), None);
        assert!(d.findings.early_speed_emulated && !d.findings.saturation_emulated);
        assert_eq!(d.verdict, Verdict::Partly);
        // Neither: fails, unless the first layer follows the fan-in law.
        let neither = run(&slow, 0.60);
        assert_eq!(decide_with(&neither, None).verdict, Verdict::Fails);
        assert_eq!(
            decide_with(&neither, Some(ScaleSetBy::Neither)).verdict,
            Verdict::Fails
        );
        assert_eq!(
            decide_with(&neither, Some(ScaleSetBy::InputNorm)).verdict,
            Verdict::Fails
        );
        let d = decide_with(&neither, Some(ScaleSetBy::FanIn));
        assert_eq!(d.findings.first_layer_set_by, Some(ScaleSetBy::FanIn));
        assert_eq!(d.verdict, Verdict::Partly);
    }

    #[test]
    fn half_and_twice_a_point_and_a_settled_std_below_the_default_one() {
        let sizes = [784, 30, 10];
        let f = [1.0; 6];
        let default = synthetic_run(&[0.036; 6], &f, &[0.1, 0.9, 0.93, 0.95, 0.96, 0.96], RHO);
        // Below default by 0.1, 0.03, 0.015, 0.007 and 0.002 from epoch 1.
        let large = synthetic_run(&[1.0; 6], &f, &[0.1, 0.8, 0.9, 0.935, 0.953, 0.958], RHO);
        let with_large = |large: &[EpochRecord]| {
            let runs = BaseRuns {
                large_l2: vec![large],
                default_l2: vec![&default],
                large_no_l2: vec![large],
                default_no_l2: vec![&default],
            };
            evidence(&runs, &sizes).unwrap()
        };
        let e = with_large(&large);
        let c = &e.comparisons.default_no_l2;
        assert_eq!(
            (
                c.within_half_a_point_from,
                c.within_one_point_from,
                c.within_two_points_from
            ),
            (Some(5), Some(4), Some(3))
        );
        // Never catching up, settled at 0.95 times default+L2's std: within
        // SAME_SCALE below it, so the start is erased.
        let slow = synthetic_run(&[0.036 * 0.95; 6], &f, &[0.1; 6], RHO);
        let e = with_large(&slow);
        assert_abs_diff_eq!(e.layers[0].large_over_default, 0.95, epsilon = 1e-12);
        assert_eq!(e.comparisons.default_no_l2.within_two_points_from, None);
        assert!(
            Claim4::decide(&e, &Thresholds::default())
                .findings
                .start_erased
        );
    }
}
