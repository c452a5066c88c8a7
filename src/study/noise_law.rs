//! The noise law: what sets the size the weights settle at.
//!
//! Two pictures of SGD with L2 predict different things for branches that
//! start from a settled network and train on at another eta/m:
//!
//! - **the optimum, moved by noise**: SGD fluctuates around the minimizer
//!   w* of J = C_0 + (lambda/2n) sum |w|^2, and its fluctuations change
//!   |w_l|^2 in proportion to the noise of a step, eta/m (to first order):
//!   |w_l|^2 = |w*_l|^2 + B_l eta/m, so the intercept at eta/m -> 0 is the
//!   optimum's |w*_l|^2;
//! - **a balance of decay against noise**: the decay shrinks what the noise
//!   adds, and the size lives on the noise: at eta/m -> 0 it goes to (near) 0.
//!
//! Each branch trains `BRANCH_BURN_IN` relaxation times m/(eta*lambda)
//! epochs to forget its start, then its |w_l|^2 is averaged over
//! `BRANCH_AVERAGE` more. Per layer and lambda, the |w_l|^2 of every branch
//! and seed is fitted by a line in eta/m (least squares, 95% t intervals)
//! and its intercept set beside the optimum's |w*_l|^2 (`optima`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::fit;
use super::optima::OptimumResult;
use super::plan::{self, Purpose};
use super::runner::RunResult;
use super::summary;
use crate::metrics::EpochRecord;
use crate::net::Layer;

/// One (eta, m) of a lambda's branches, over its seeds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoisePoint {
    pub eta: f64,
    pub m: usize,
    /// |w_l|^2 averaged over the branch's last `BRANCH_AVERAGE` relaxation
    /// times, then over the seeds.
    pub size_sq: f64,
    pub seeds: usize,
    /// Its standard deviation over the seeds (None for one seed).
    pub seed_spread: Option<f64>,
    /// How far from still the averaged stretch is: the mean of its second
    /// half over the mean of its first, minus 1 (mean over the seeds).
    pub drift: f64,
}

impl NoisePoint {
    /// eta/m: the step's noise, up to the gradients' own spread.
    pub fn ratio(&self) -> f64 {
        self.eta / self.m as f64
    }
}

/// The noise law of one layer (or all weights) at one lambda.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoiseLaw {
    pub layer: Layer,
    pub lambda: f64,
    /// |w*_l|^2 at the L2 optimum from the first seed's settled network
    /// (None if it was not found).
    pub optimum_sq: Option<f64>,
    /// |w*_l|^2 where L-BFGS stopped from the other seeds' settled networks
    /// (the base lambda only): how much the optimum's size depends on its
    /// start.
    pub optimum_other_starts_sq: Vec<f64>,
    /// How far the optimum is from found: |grad J| where L-BFGS stopped,
    /// and the relative change of the layer's rms over its last tenth of
    /// iterations (None for all weights).
    pub optimum_grad_norm: Option<f64>,
    pub optimum_size_change: Option<f64>,
    /// The line's value at eta/m = 0, with its 95% interval.
    pub intercept_sq: f64,
    pub intercept_low: f64,
    pub intercept_high: f64,
    /// d|w_l|^2 / d(eta/m), with its 95% interval.
    pub slope: f64,
    pub slope_low: f64,
    pub slope_high: f64,
    /// The largest relative difference between the sizes of branches with
    /// the same eta/m and another eta and m: small if eta/m alone matters.
    pub equal_ratio_gap: Option<f64>,
    /// The parabola through the same sizes (None with fewer than three
    /// eta/m): where its curvature's interval leaves out 0, the line is
    /// misspecified and the parabola's intercept is the one decided on.
    pub parabola: Option<Parabola>,
    pub points: Vec<NoisePoint>,
}

/// |w|^2 = intercept + slope eta/m + curvature (eta/m)^2, least squares,
/// 95% intervals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Parabola {
    pub intercept_sq: f64,
    pub intercept_low: f64,
    pub intercept_high: f64,
    pub slope: f64,
    pub curvature: f64,
    pub curvature_low: f64,
    pub curvature_high: f64,
}

impl Parabola {
    /// Its curvature's interval leaves out 0.
    pub fn curved(&self) -> bool {
        self.curvature_low > 0.0 || self.curvature_high < 0.0
    }
}

/// The intercept a decision reads, and from which fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Intercept {
    pub value: f64,
    pub low: f64,
    pub high: f64,
    /// From the parabola (the line is curved), not the line.
    pub curved: bool,
}

impl NoiseLaw {
    /// The parabola if it is curved.
    pub fn curved_parabola(&self) -> Option<&Parabola> {
        self.parabola.as_ref().filter(|p| p.curved())
    }

    /// |w|^2 at eta/m as the decided fit gives it: the parabola where it
    /// is curved, else the line.
    pub fn at(&self, ratio: f64) -> f64 {
        match self.curved_parabola() {
            Some(p) => p.intercept_sq + p.slope * ratio + p.curvature * ratio * ratio,
            None => self.intercept_sq + self.slope * ratio,
        }
    }

    /// |w|^2 at eta/m -> 0 as the decided fit gives it.
    pub fn intercept(&self) -> Intercept {
        match self.curved_parabola() {
            Some(p) => Intercept {
                value: p.intercept_sq,
                low: p.intercept_low,
                high: p.intercept_high,
                curved: true,
            },
            None => Intercept {
                value: self.intercept_sq,
                low: self.intercept_low,
                high: self.intercept_high,
                curved: false,
            },
        }
    }
}

/// The mean of `values`, at least one (NaN for none).
fn mean(values: &[f64]) -> f64 {
    summary::mean(values).unwrap_or(f64::NAN)
}

/// |w_l|^2 of one record: rms^2 times the number of weights.
fn norm_sq(record: &EpochRecord, layer: Layer) -> f64 {
    let stats = match layer.index() {
        Some(l) => &record.weights.layers[l],
        None => &record.weights.all,
    };
    stats.rms * stats.rms * stats.count as f64
}

/// A branch's averaged |w_l|^2 and drift: the records after its burn-in
/// (None with fewer than two, which `branch_epochs` never gives).
fn branch_size(records: &[EpochRecord], burn_in: usize, layer: Layer) -> Option<(f64, f64)> {
    let averaged: Vec<f64> = records
        .get(burn_in + 1..)?
        .iter()
        .map(|r| norm_sq(r, layer))
        .collect();
    if averaged.len() < 2 {
        return None;
    }
    let half = averaged.len() / 2;
    let drift = mean(&averaged[half..]) / mean(&averaged[..half]) - 1.0;
    Some((mean(&averaged), drift))
}

/// The noise law of every layer and all weights at every lambda the
/// branches ran at, by increasing lambda; the optima matched by lambda,
/// the one from the first seed's network set beside the line.
pub fn noise_laws(runs: &[RunResult], optima: &[OptimumResult]) -> Vec<NoiseLaw> {
    // (lambda, layer) -> (eta, m) -> [(size, drift) per seed], in order;
    // the f64s by their bits.
    type Seeds = Vec<(f64, f64)>;
    type ByPoint = BTreeMap<(u64, usize), Seeds>;
    let mut grouped: BTreeMap<(u64, Layer), ByPoint> = BTreeMap::new();
    for run in runs {
        let Purpose::Branch { lambda, eta, m } = run.spec.purpose else {
            continue;
        };
        let (burn_in, _) = plan::branch_epochs(eta, lambda, m);
        let layers = run.spec.config.sizes.len() - 1;
        for layer in Layer::each_then_all(layers) {
            if let Some(size) = branch_size(&run.records, burn_in, layer) {
                grouped
                    .entry((lambda.to_bits(), layer))
                    .or_default()
                    .entry((eta.to_bits(), m))
                    .or_default()
                    .push(size);
            }
        }
    }
    let mut laws: Vec<NoiseLaw> = grouped
        .into_iter()
        .filter_map(|((lambda, layer), by_point)| {
            let lambda = f64::from_bits(lambda);
            let points: Vec<(NoisePoint, Vec<f64>)> = by_point
                .into_iter()
                .map(|((eta, m), seeds)| {
                    let sizes: Vec<f64> = seeds.iter().map(|s| s.0).collect();
                    let drifts: Vec<f64> = seeds.iter().map(|s| s.1).collect();
                    let point = NoisePoint {
                        eta: f64::from_bits(eta),
                        m,
                        size_sq: mean(&sizes),
                        seeds: sizes.len(),
                        seed_spread: summary::sample_std(&sizes),
                        drift: mean(&drifts),
                    };
                    (point, sizes)
                })
                .collect();
            let mut at_lambda: Vec<&OptimumResult> =
                optima.iter().filter(|o| o.spec.lambda == lambda).collect();
            at_lambda.sort_by_key(|o| o.start_seed());
            let optimum = at_lambda.first();
            let at_optimum = optimum.and_then(|o| o.layer(layer));
            let mut law = fit_law(layer, lambda, at_optimum.map(|l| l.norm_sq), points)?;
            law.optimum_grad_norm = at_optimum.and(optimum).map(|o| o.grad_norm);
            law.optimum_size_change = at_optimum.and_then(|l| l.size_change);
            law.optimum_other_starts_sq = (at_lambda.iter().skip(1))
                .filter_map(|o| o.layer(layer).map(|l| l.norm_sq))
                .collect();
            Some(law)
        })
        .collect();
    laws.sort_by(|a, b| a.lambda.total_cmp(&b.lambda).then(a.layer.cmp(&b.layer)));
    laws
}

/// The line through every seed's size of every point (None with fewer than
/// two distinct eta/m).
fn fit_law(
    layer: Layer,
    lambda: f64,
    optimum_sq: Option<f64>,
    points: Vec<(NoisePoint, Vec<f64>)>,
) -> Option<NoiseLaw> {
    let (rows, sizes): (Vec<Vec<f64>>, Vec<f64>) = points
        .iter()
        .flat_map(|(p, sizes)| sizes.iter().map(move |&s| (vec![p.ratio()], s)))
        .unzip();
    let line = fit::ols(&rows, &sizes)?;
    let (intercept, slope) = (line.coefficients[0], line.coefficients[1]);
    let squared: Vec<Vec<f64>> = rows.iter().map(|r| vec![r[0], r[0] * r[0]]).collect();
    let distinct = distinct(rows.iter().map(|r| r[0]).collect());
    let parabola = (distinct >= 3)
        .then(|| fit::ols(&squared, &sizes))
        .flatten()
        .map(|fit| {
            let [a, b, c] = [
                fit.coefficients[0],
                fit.coefficients[1],
                fit.coefficients[2],
            ];
            Parabola {
                intercept_sq: a.estimate,
                intercept_low: a.low,
                intercept_high: a.high,
                slope: b.estimate,
                curvature: c.estimate,
                curvature_low: c.low,
                curvature_high: c.high,
            }
        });
    let points: Vec<NoisePoint> = points.into_iter().map(|(p, _)| p).collect();
    Some(NoiseLaw {
        layer,
        lambda,
        optimum_sq,
        optimum_other_starts_sq: Vec::new(),
        optimum_grad_norm: None,
        optimum_size_change: None,
        intercept_sq: intercept.estimate,
        intercept_low: intercept.low,
        intercept_high: intercept.high,
        slope: slope.estimate,
        slope_low: slope.low,
        slope_high: slope.high,
        equal_ratio_gap: equal_ratio_gap(&points),
        parabola,
        points,
    })
}

/// Two eta/m are the same if they agree to 1e-9 of the second (0.1/10
/// and 0.2/20 differ by a rounding).
fn same_ratio(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs()
}

/// How many different values `ratios` holds (see `same_ratio`).
fn distinct(mut ratios: Vec<f64>) -> usize {
    ratios.sort_by(f64::total_cmp);
    ratios.dedup_by(|a, b| same_ratio(*a, *b));
    ratios.len()
}

/// Over the groups of points with one eta/m (`same_ratio`) and at least two
/// (eta, m): the largest (max - min)/mean of their sizes.
fn equal_ratio_gap(points: &[NoisePoint]) -> Option<f64> {
    let mut groups: Vec<Vec<f64>> = Vec::new();
    let mut ratios: Vec<f64> = Vec::new();
    for p in points {
        match ratios.iter().position(|&r| same_ratio(p.ratio(), r)) {
            Some(i) => groups[i].push(p.size_sq),
            None => {
                ratios.push(p.ratio());
                groups.push(vec![p.size_sq]);
            }
        }
    }
    groups
        .iter()
        .filter(|g| g.len() >= 2)
        .map(|g| {
            let (lo, hi) = g
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &s| {
                    (lo.min(s), hi.max(s))
                });
            (hi - lo) / mean(g)
        })
        .reduce(f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::synthetic::synthetic_run;
    use crate::study::plan::{BRANCHES, RunSpec};
    use approx::assert_relative_eq;

    /// A branch at (lambda, eta, m) and `seed` whose |w|^2 (each layer 100
    /// weights) is `start` during the burn-in, then `settled`.
    fn branch(lambda: f64, eta: f64, m: usize, seed: u64, start: f64, settled: f64) -> RunResult {
        let (burn_in, total) = plan::branch_epochs(eta, lambda, m);
        let rms: Vec<f64> = (0..=total)
            .map(|e| {
                let size = if e <= burn_in { start } else { settled };
                (size / 100.0).sqrt()
            })
            .collect();
        let n = rms.len();
        let mut spec = RunSpec {
            name: format!("branch-{lambda}-{eta}-{m}-s{seed}"),
            purpose: Purpose::Branch { lambda, eta, m },
            seed,
            config: crate::run::Config::default(),
            parent: None,
            saves_network: false,
        };
        spec.config.sizes = vec![4, 3, 2];
        RunResult {
            spec,
            records: synthetic_run(&rms, &vec![1.0; n], &vec![0.9; n], 0.95),
            reused: false,
            redone: false,
        }
    }

    /// Branches on the study's grid at lambda 5 and 3 seeds, each settled
    /// at |w|^2 = 900 + 10,000 eta/m (+-1 by seed); the burn-in at 2,000.
    fn linear_branches() -> Vec<RunResult> {
        let mut runs = Vec::new();
        for seed in 0..3u64 {
            for &(eta, m) in &BRANCHES {
                let size = 900.0 + 1e4 * eta / m as f64 + seed as f64 - 1.0;
                runs.push(branch(5.0, eta, m, seed, 2_000.0, size));
            }
        }
        runs
    }

    #[test]
    fn the_line_through_the_branches_has_the_known_intercept_and_slope() {
        let laws = noise_laws(&linear_branches(), &[]);
        // w1, w2 and all weights (each layer of a synthetic run is 100
        // weights of the same rms; "all" is 100 weights too).
        assert_eq!(laws.len(), 3);
        let w1 = &laws[0];
        assert_eq!(
            (w1.layer, w1.lambda, w1.optimum_sq),
            (Layer::FIRST, 5.0, None)
        );
        assert_relative_eq!(w1.intercept_sq, 900.0, max_relative = 1e-9);
        assert_relative_eq!(w1.slope, 1e4, max_relative = 1e-9);
        assert!(w1.intercept_low < 900.0 && 900.0 < w1.intercept_high);
        assert!(w1.intercept_high - w1.intercept_low < 5.0);
        // The burn-in is left out: 2,000 would pull the line up.
        assert_eq!(w1.points.len(), BRANCHES.len());
        let base = w1
            .points
            .iter()
            .find(|p| p.eta == 0.2 && p.m == 20)
            .unwrap();
        assert_relative_eq!(base.size_sq, 1000.0, max_relative = 1e-9);
        assert_eq!(base.seeds, 3);
        assert_relative_eq!(base.seed_spread.unwrap(), 1.0, max_relative = 1e-9);
        // Equal eta/m, equal sizes: no gap; a still series: no drift.
        assert!(w1.equal_ratio_gap.unwrap() < 1e-9);
        assert!(base.drift.abs() < 1e-12);
        assert_relative_eq!(w1.at(0.01), 1000.0, max_relative = 1e-9);
    }

    #[test]
    fn a_curved_law_is_read_off_its_parabola() {
        // |w|^2 = 900 - 2e4 eta/m + 2e5 (eta/m)^2 (+-1 by seed): curved.
        let mut runs = Vec::new();
        for seed in 0..3u64 {
            for &(eta, m) in &BRANCHES {
                let r = eta / m as f64;
                let size = 900.0 - 2e4 * r + 2e5 * r * r + seed as f64 - 1.0;
                runs.push(branch(5.0, eta, m, seed, 2_000.0, size));
            }
        }
        let w1 = &noise_laws(&runs, &[])[0];
        let p = w1.parabola.unwrap();
        assert!(p.curved());
        assert_relative_eq!(p.intercept_sq, 900.0, max_relative = 1e-9);
        assert_relative_eq!(p.curvature, 2e5, max_relative = 1e-6);
        let decided = w1.intercept();
        assert!(decided.curved);
        assert_relative_eq!(decided.value, 900.0, max_relative = 1e-9);
        // The line misses it: it would put the intercept elsewhere.
        assert!((w1.intercept_sq - 900.0).abs() > 5.0);
        assert_relative_eq!(w1.at(0.01), 900.0 - 200.0 + 20.0, max_relative = 1e-9);
        // A straight law's parabola is not curved: the line is read.
        let straight = &noise_laws(&linear_branches(), &[])[0];
        assert!(!straight.parabola.unwrap().curved());
        assert!(!straight.intercept().curved);
    }

    #[test]
    fn a_parabola_takes_three_eta_over_m() {
        // The grid without eta/m = 0.04: three eta/m left, still a parabola;
        // without 0.02 as well: two, a line only.
        let runs_of = |keep: &dyn Fn(f64) -> bool| -> Vec<RunResult> {
            linear_branches()
                .into_iter()
                .filter(|r| {
                    let Purpose::Branch { eta, m, .. } = r.spec.purpose else {
                        unreachable!()
                    };
                    keep(eta / m as f64)
                })
                .collect()
        };
        let three = &noise_laws(&runs_of(&|r| r < 0.03), &[])[0];
        assert!(three.parabola.is_some());
        let two = &noise_laws(&runs_of(&|r| r < 0.015), &[])[0];
        assert!(two.parabola.is_none());
        assert_relative_eq!(two.intercept_sq, 900.0, max_relative = 1e-9);
    }

    #[test]
    fn ratios_equal_to_1e_9_count_once() {
        assert_eq!(distinct(vec![0.01, 0.005, 0.01, 0.02, 0.005]), 3);
        assert_eq!(distinct(vec![0.01, 0.01 * (1.0 + 1e-12), 0.02]), 2);
        assert_eq!(distinct(vec![0.01, 0.0101]), 2);
        // 1e-7 apart is apart; 1e-12 is not.
        assert!(!same_ratio(0.01 + 1e-9, 0.01));
        assert!(same_ratio(0.01 * (1.0 + 1e-12), 0.01));
        assert!(same_ratio(0.2 / 20.0, 0.1 / 10.0));
        assert_eq!(distinct(vec![]), 0);
    }

    #[test]
    fn curved_means_an_interval_that_leaves_out_0() {
        let parabola = |low: f64, high: f64| Parabola {
            intercept_sq: 1.0,
            intercept_low: 0.0,
            intercept_high: 2.0,
            slope: 0.0,
            curvature: (low + high) / 2.0,
            curvature_low: low,
            curvature_high: high,
        };
        assert!(parabola(1.0, 3.0).curved());
        assert!(parabola(-3.0, -1.0).curved());
        assert!(!parabola(-1.0, 1.0).curved());
        // An interval that ends at 0 holds it.
        assert!(!parabola(0.0, 1.0).curved());
        assert!(!parabola(-1.0, 0.0).curved());
    }

    #[test]
    fn a_branch_is_averaged_over_the_records_after_its_burn_in() {
        let records = synthetic_run(&[3.0, 2.0, 1.0, 1.0], &[1.0; 4], &[0.9; 4], 0.95);
        // Burn-in to epoch 1: epochs 2 and 3, rms 1 (|w|^2 = 100).
        let (size, drift) = branch_size(&records, 1, Layer::FIRST).unwrap();
        assert_relative_eq!(size, 100.0, max_relative = 1e-12);
        assert_eq!(drift, 0.0);
        // Burn-in to epoch 0: epochs 1 to 3, 400, 100, 100; halves 400 and 100.
        let (size, drift) = branch_size(&records, 0, Layer::FIRST).unwrap();
        assert_relative_eq!(size, 200.0, max_relative = 1e-12);
        assert_relative_eq!(drift, 100.0 / 400.0 - 1.0, max_relative = 1e-12);
        // One record left: no average.
        assert!(branch_size(&records, 2, Layer::FIRST).is_none());
    }

    #[test]
    fn the_optimum_of_the_lambda_is_set_beside_the_line() {
        use crate::study::optima::{OptimumLayer, OptimumResult, OptimumSpec};
        use crate::study::plan::RunSpec;
        let runs = linear_branches();
        let start = runs[0].spec.clone();
        let layer = |layer, norm_sq| OptimumLayer {
            layer,
            norm_sq,
            start_norm_sq: 1000.0,
            cosine: None,
            size_change: None,
        };
        let optimum_from = |seed: u64, lambda: f64, w1: f64| OptimumResult {
            spec: OptimumSpec {
                lambda,
                ..OptimumSpec::from_run(&RunSpec {
                    seed,
                    ..start.clone()
                })
            },
            iterations: 1,
            start_grad_norm: 1.0,
            grad_norm: 0.1,
            layers: vec![layer(Layer::FIRST, w1), layer(Layer::All, 1900.0)],
        };
        let optimum = |lambda, w1| optimum_from(start.seed, lambda, w1);
        // Lambda 15's first: the branches' lambda 5 must pick its own; and
        // a second start's comes before the first start's.
        let second_start = optimum_from(start.seed + 1, 5.0, 930.0);
        let laws = noise_laws(
            &runs,
            &[optimum(15.0, 450.0), second_start, optimum(5.0, 905.0)],
        );
        assert_eq!(laws[0].optimum_sq, Some(905.0));
        assert_eq!(laws[0].optimum_other_starts_sq, [930.0]);
        assert_eq!(laws[2].optimum_other_starts_sq, [1900.0]);
        assert_eq!(laws[1].optimum_sq, None, "no w2 in the optimum");
        assert_eq!(laws[2].optimum_sq, Some(1900.0));
        assert_eq!(laws[0].optimum_grad_norm, Some(0.1));
        assert_eq!(laws[1].optimum_grad_norm, None);
    }

    #[test]
    fn equal_ratios_apart_show_as_a_gap() {
        let mut runs = linear_branches();
        // (0.2, 20) settles 3% above (0.4, 40) at every seed.
        for run in runs.iter_mut() {
            if run.spec.purpose
                == (Purpose::Branch {
                    lambda: 5.0,
                    eta: 0.2,
                    m: 20,
                })
            {
                let Purpose::Branch { eta, m, .. } = run.spec.purpose else {
                    unreachable!()
                };
                let size = (900.0 + 1e4 * eta / m as f64 + run.spec.seed as f64 - 1.0) * 1.03;
                *run = branch(5.0, eta, m, run.spec.seed, 2_000.0, size);
            }
        }
        let gap = noise_laws(&runs, &[])[0].equal_ratio_gap.unwrap();
        // 1.03 against 1: (1.03 - 1) / 1.015.
        assert_relative_eq!(gap, 0.03 / 1.015, max_relative = 1e-9);
    }
}
