//! The tail average beside the L2 optimum: a second test of the noise law's
//! two pictures, on the first seed's branches, which start where the
//! optimum at their lambda does (`optima`).
//!
//! If SGD fluctuates around the minimizer w* of J = C_0 + (lambda/2n)
//! sum |w|^2, averaging a branch's networks over its last epochs (w_bar,
//! Polyak's average, `run::average`) takes out much of the fluctuation:
//! w_bar is nearer w* than the branch's last network, the more so the
//! smaller the noise eta/m, and w_bar is nearer stationary, where
//! -grad C_0 = (lambda/n) w: cos(w_bar, -grad C_0) nearer 1 and
//! |grad C_0| / |(lambda/n) w_bar| nearer 1. If the noise alone holds the
//! size up, there is no such point for the average to approach.

use std::path::Path;

use serde::Serialize;

use super::fit::{self, Coefficient};
use super::optima::{self, OptimumResult};
use super::plan::Purpose;
use super::runner::{RunFiles, RunResult};
use crate::error::Result;
use crate::net::{Layer, Network, network2_json};
use crate::probes::FullGradient;

/// One weight layer of one branch: its last network and its tail average,
/// each beside the optimum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AveragedLayer {
    pub layer: Layer,
    /// |w_l - w*_l| / |w*_l| of the last network and of the tail average.
    pub last_distance: f64,
    pub average_distance: f64,
    /// cos(w_l, -grad_l C_0) of each (None where a vector is zero).
    pub last_cosine: Option<f64>,
    pub average_cosine: Option<f64>,
    /// |grad_l C_0| / |(lambda/n) w_l| of each: 1 at a stationary point of J.
    pub last_gradient_ratio: Option<f64>,
    pub average_gradient_ratio: Option<f64>,
}

/// One branch of the first seed, beside the optimum at its lambda.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AveragedBranch {
    pub lambda: f64,
    pub eta: f64,
    pub m: usize,
    /// Epochs in the average.
    pub epochs: usize,
    /// Every weight layer, w1 first.
    pub layers: Vec<AveragedLayer>,
}

impl AveragedBranch {
    /// eta/m: the step's noise, up to the gradients' own spread.
    pub fn ratio(&self) -> f64 {
        self.eta / self.m as f64
    }
}

/// Every branch of `runs` that kept a tail average, beside the optimum of
/// its lambda in `optima`, whose networks are read from `runs_dir`; by
/// lambda, then eta/m. A branch whose networks are missing is left out.
pub fn averaged_branches(
    runs: &[RunResult],
    optima: &[OptimumResult],
    runs_dir: &Path,
) -> Result<Vec<AveragedBranch>> {
    let mut branches = Vec::new();
    for optimum in optima {
        // Its network is read only if a branch of its own start kept an
        // average.
        let own_branch = |run: &&RunResult| {
            matches!(run.spec.purpose, Purpose::Branch { lambda, .. } if lambda == optimum.spec.lambda)
                && run.spec.seed == optimum.start_seed()
                && run.records.last().is_some_and(|r| r.tail_average.is_some())
        };
        if !runs.iter().any(|run| own_branch(&run)) {
            continue;
        }
        let optimum_net: Network<f64> =
            network2_json::load(&optima::network_path(runs_dir, &optimum.spec))?;
        for run in runs {
            let Purpose::Branch { lambda, eta, m } = run.spec.purpose else {
                continue;
            };
            let Some(last) = run.records.last() else {
                continue;
            };
            let (Some(average), Some(last_gradient)) = (&last.tail_average, &last.full_gradient)
            else {
                continue;
            };
            // The optimum from the branch's own parent.
            if lambda != optimum.spec.lambda || run.spec.seed != optimum.start_seed() {
                continue;
            }
            let files = RunFiles::new(runs_dir, &run.spec.name);
            if !(files.network.is_file() && files.average.is_file()) {
                continue;
            }
            let last_net: Network<f64> = network2_json::load(&files.network)?;
            let average_net: Network<f64> = network2_json::load(&files.average)?;
            let layers = (0..optimum_net.layers())
                .map(|l| AveragedLayer {
                    layer: Layer::Weights(l),
                    last_distance: distance(&last_net.weights[l], &optimum_net.weights[l]),
                    average_distance: distance(&average_net.weights[l], &optimum_net.weights[l]),
                    last_cosine: last_gradient.get(l).and_then(|g| g.cosine),
                    average_cosine: average.full_gradient.get(l).and_then(|g| g.cosine),
                    last_gradient_ratio: last_gradient.get(l).and_then(gradient_ratio),
                    average_gradient_ratio: average.full_gradient.get(l).and_then(gradient_ratio),
                })
                .collect();
            branches.push(AveragedBranch {
                lambda,
                eta,
                m,
                epochs: average.epochs,
                layers,
            });
        }
    }
    branches.sort_by(|a, b| {
        (a.lambda.total_cmp(&b.lambda))
            .then(a.ratio().total_cmp(&b.ratio()))
            .then(a.m.cmp(&b.m))
    });
    Ok(branches)
}

/// One layer at one lambda over its branches: how near stationary the last
/// networks and the tail averages are, and how that changes with eta/m.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stationarity {
    pub layer: Layer,
    pub lambda: f64,
    /// The smallest eta/m of the branches, and there (the mean over its
    /// branches) the gradient ratio |grad C_0| / |(lambda/n) w| and cos(w,
    /// -grad C_0) of the last networks and of the tail averages.
    pub smallest_ratio: f64,
    pub last_gradient_ratio: f64,
    pub average_gradient_ratio: f64,
    pub last_cosine: f64,
    pub average_cosine: f64,
    /// b of |ratio - 1| = A (eta/m)^b over the tail averages of every
    /// branch (least squares in logs, 95% t interval): b > 0 where the
    /// averages come nearer stationary as the noise falls, toward a point
    /// where the data term balances the decay (None: too few branches, or
    /// eta/m does not vary).
    pub exponent: Option<Coefficient>,
}

/// The stationarity of every layer at every lambda of `branches`, by
/// lambda then layer.
pub fn stationarity(branches: &[AveragedBranch]) -> Vec<Stationarity> {
    let mut lambdas: Vec<f64> = branches.iter().map(|b| b.lambda).collect();
    lambdas.sort_by(f64::total_cmp);
    lambdas.dedup();
    let mut out = Vec::new();
    for lambda in lambdas {
        let at: Vec<&AveragedBranch> = branches.iter().filter(|b| b.lambda == lambda).collect();
        let layers = at.iter().map(|b| b.layers.len()).min().unwrap_or(0);
        let smallest = at.iter().map(|b| b.ratio()).fold(f64::INFINITY, f64::min);
        for l in 0..layers {
            let rows: Vec<(f64, &AveragedLayer)> =
                at.iter().map(|b| (b.ratio(), &b.layers[l])).collect();
            let mean_at_smallest = |value: &dyn Fn(&AveragedLayer) -> Option<f64>| {
                let values: Vec<f64> = (rows.iter())
                    .filter(|(r, _)| *r == smallest)
                    .filter_map(|(_, layer)| value(layer))
                    .collect();
                values.iter().sum::<f64>() / values.len() as f64
            };
            let points: Vec<(f64, f64)> = rows
                .iter()
                .filter_map(|(r, layer)| {
                    let excess = (layer.average_gradient_ratio? - 1.0).abs();
                    (excess > 0.0).then(|| (r.ln(), excess.ln()))
                })
                .collect();
            let x: Vec<Vec<f64>> = points.iter().map(|p| vec![p.0]).collect();
            let y: Vec<f64> = points.iter().map(|p| p.1).collect();
            out.push(Stationarity {
                layer: Layer::Weights(l),
                lambda,
                smallest_ratio: smallest,
                last_gradient_ratio: mean_at_smallest(&|a| a.last_gradient_ratio),
                average_gradient_ratio: mean_at_smallest(&|a| a.average_gradient_ratio),
                last_cosine: mean_at_smallest(&|a| a.last_cosine),
                average_cosine: mean_at_smallest(&|a| a.average_cosine),
                exponent: fit::ols(&x, &y).map(|f| f.coefficients[1]),
            });
        }
    }
    out
}

/// |w - w*| / |w*| (0 for two zero vectors).
pub fn distance(w: &[f64], optimum: &[f64]) -> f64 {
    let apart: f64 = w.iter().zip(optimum).map(|(a, b)| (a - b) * (a - b)).sum();
    let size: f64 = optimum.iter().map(|b| b * b).sum();
    if size > 0.0 {
        (apart / size).sqrt()
    } else {
        apart.sqrt()
    }
}

/// |grad C_0| / |(lambda/n) w| (None where the decay's gradient is 0).
fn gradient_ratio(g: &FullGradient) -> Option<f64> {
    (g.decay_gradient > 0.0).then(|| g.data_gradient / g.decay_gradient)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_distance_is_relative_to_the_optimums_size() {
        assert_eq!(distance(&[3.0, 4.0], &[3.0, 4.0]), 0.0);
        assert!((distance(&[0.0, 0.0], &[3.0, 4.0]) - 1.0).abs() < 1e-15);
        assert!((distance(&[6.0, 8.0], &[3.0, 4.0]) - 1.0).abs() < 1e-15);
        assert!((distance(&[3.0, 0.0], &[0.0, 0.0]) - 3.0).abs() < 1e-15);
    }

    fn branch(eta: f64, m: usize, ratio: f64) -> AveragedBranch {
        AveragedBranch {
            lambda: 5.0,
            eta,
            m,
            epochs: 4,
            layers: vec![AveragedLayer {
                layer: Layer::Weights(0),
                last_distance: 0.3,
                average_distance: 0.2,
                last_cosine: Some(0.05),
                average_cosine: Some(0.5),
                last_gradient_ratio: Some(20.0),
                average_gradient_ratio: Some(ratio),
            }],
        }
    }

    #[test]
    fn the_exponent_is_that_of_the_ratios_excess_over_1() {
        // |ratio - 1| = 100 (eta/m)^1.5 exactly, at four eta/m (two of
        // them twice): b = 1.5 with a zero-width interval.
        let at = |eta: f64, m: usize| branch(eta, m, 1.0 + 100.0 * (eta / m as f64).powf(1.5));
        let branches = [
            at(0.2, 40),
            at(0.2, 20),
            at(0.4, 40),
            at(0.2, 10),
            at(0.8, 20),
        ];
        let s = stationarity(&branches);
        assert_eq!(s.len(), 1);
        let b = s[0].exponent.unwrap();
        assert!((b.estimate - 1.5).abs() < 1e-9, "{b:?}");
        assert!(b.low > 1.4 && b.high < 1.6, "{b:?}");
        assert_eq!(s[0].smallest_ratio, 0.005);
        assert!((s[0].average_gradient_ratio - (1.0 + 100.0 * 0.005f64.powf(1.5))).abs() < 1e-12);
        assert_eq!(s[0].last_gradient_ratio, 20.0);
    }

    #[test]
    fn averages_no_nearer_stationary_at_less_noise_give_no_positive_exponent() {
        // The excess grows as the noise falls: b < 0.
        let at = |eta: f64, m: usize| branch(eta, m, 1.0 + 0.01 / (eta / m as f64));
        let branches = [at(0.2, 40), at(0.2, 20), at(0.2, 10), at(0.8, 20)];
        let b = stationarity(&branches)[0].exponent.unwrap();
        assert!(b.high < 0.0, "{b:?}");
    }

    #[test]
    fn the_gradient_ratio_is_1_where_the_data_term_balances_the_decay() {
        let g = FullGradient {
            data_gradient: 0.5,
            decay_gradient: 0.5,
            cosine: Some(1.0),
            predicted_noise: 0.0,
            predicted_noise_from_spread: 0.0,
        };
        assert_eq!(gradient_ratio(&g), Some(1.0));
        let none = FullGradient {
            decay_gradient: 0.0,
            ..g
        };
        assert_eq!(gradient_ratio(&none), None);
    }
}
