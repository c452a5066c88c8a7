//! Claim 2: the weights decay by exp(-eta*lambda/m) per epoch.

use serde::Serialize;

use super::{Claim, Decision, Measured, Missing, Threshold, Thresholds, Verdict};
use crate::metrics::EpochRecord;
use crate::net::Init;
use crate::study::measures::{leading_epochs_below, shrink_deviations};
use crate::study::results::DecayOnlyRun;
use crate::study::summary::mean;
use crate::theory::shrink_gap;

/// One decay-only run.
#[derive(Debug, Clone, Serialize)]
pub struct SpotCheck {
    pub eta_lambda_over_n: f64,
    pub measured_shrink: Option<f64>,
    pub exact: Option<f64>,
    pub asymptotic: Option<f64>,
    pub max_relative_error: f64,
}

/// rho* against exp(-eta*lambda/m) at one decay fraction, for the base
/// run's steps per epoch.
#[derive(Debug, Clone, Serialize)]
pub struct GapRow {
    pub eta_lambda_over_n: f64,
    pub rate_ratio: f64,
    pub relative_gap_per_epoch: f64,
}

/// Everything claim 2 is decided on.
#[derive(Debug, Clone, Serialize)]
pub struct Claim2Evidence {
    pub pure_decay_tolerance: f64,
    pub pure_decay_worst_relative_error: f64,
    pub spot_checks: Vec<SpotCheck>,
    pub gap_table: Vec<GapRow>,
    pub gap_exceeds_tolerance_from: Option<f64>,
    pub training_tolerance: f64,
    pub training_mean_relative_deviation: Option<f64>,
    pub rho_star: Option<f64>,
    pub exp_minus_eta_lambda_over_m: Option<f64>,
    pub training_mean_rho_per_layer: Vec<Option<f64>>,
    /// S of the base run.
    pub base_steps: usize,
}

/// What claim 2's decision found.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim2Findings {
    /// Pure decay shrinks by (1 - eta*lambda/n)^S within the
    /// `PureDecayTolerance` threshold.
    pub pure_decay_exact: bool,
    /// Training's decay-dominated epochs shrink within the
    /// `ShrinkTolerance` threshold of rho* (None: no such epoch).
    pub training_within: Option<bool>,
    /// The output layer's weights grew on average in those epochs (rho > 1).
    pub output_layer_grows: bool,
}

/// Claim 2: "Provided eta*lambda << n, the weights will decay by a factor
/// of exp(-eta*lambda/m) per epoch."
#[derive(Debug, Clone)]
pub struct Claim2;

impl Claim for Claim2 {
    type Evidence = Claim2Evidence;
    type Findings = Claim2Findings;
    const ID: u8 = 2;
    const TITLE: &'static str = "Weights decay by $exp(-eta*lambda/m)$ per epoch";
    const STATEMENT: &'static str = "Provided $eta*lambda << n$, the weights will decay by a factor of $exp(-eta*lambda/m)$ per epoch.";
    const THRESHOLDS: &'static [Threshold] =
        &[Threshold::PureDecayTolerance, Threshold::ShrinkTolerance];

    fn evidence(m: &Measured, t: &Thresholds) -> Result<Claim2Evidence, Missing> {
        let r = m.results;
        evidence(
            &r.decay_only(),
            &r.base(Init::Large, true),
            r.base_steps(),
            t,
        )
        .ok_or(Missing("no decay-only or base runs"))
    }

    /// Fails if pure decay misses (1 - eta*lambda/n)^S by more than the
    /// `PureDecayTolerance`; else holds if real training's decay-dominated
    /// epochs shrink within the `ShrinkTolerance` of it, partly otherwise.
    fn decide(e: &Claim2Evidence, t: &Thresholds) -> Decision<Claim2Findings> {
        let pure_decay_exact = e.pure_decay_worst_relative_error <= t.pure_decay_tolerance;
        let training_within = e
            .training_mean_relative_deviation
            .map(|d| d <= t.shrink_tolerance);
        let verdict = match (pure_decay_exact, training_within) {
            (false, _) => Verdict::Fails,
            (true, Some(true)) => Verdict::Holds,
            (true, _) => Verdict::Partly,
        };
        Decision {
            verdict,
            findings: Claim2Findings {
                pure_decay_exact,
                training_within,
                output_layer_grows: e
                    .training_mean_rho_per_layer
                    .last()
                    .copied()
                    .flatten()
                    .is_some_and(|rho| rho > 1.0),
            },
        }
    }
}

/// The evidence of claim 2. `decay_only`: the pure-decay runs; `base`: the
/// large+L2 base runs, of `base_steps` steps per epoch. None without
/// either.
pub fn evidence(
    decay_only: &[DecayOnlyRun],
    base: &[&[EpochRecord]],
    base_steps: usize,
    t: &Thresholds,
) -> Option<Claim2Evidence> {
    if decay_only.is_empty() || base.is_empty() {
        return None;
    }
    // (a) Pure decay against the exact factor.
    let mut worst_pure: f64 = 0.0;
    let mut spot_checks = Vec::new();
    for run in decay_only {
        let (c, records) = (run.decay_per_step, run.records);
        let mut worst_run: f64 = 0.0;
        for r in records.iter().skip(1) {
            let predicted = r.predicted_shrink.unwrap_or(f64::NAN);
            let mut ratios = vec![r.shrink_ratio];
            ratios.extend(&r.shrink_ratio_layers);
            for rho in ratios {
                let rho = rho.unwrap_or(f64::NAN);
                worst_run = worst_run.max(((rho - predicted) / predicted).abs());
            }
        }
        let worst_run = if worst_run.is_nan() {
            f64::INFINITY
        } else {
            worst_run
        };
        worst_pure = worst_pure.max(worst_run);
        spot_checks.push(SpotCheck {
            eta_lambda_over_n: c,
            measured_shrink: records.get(1).and_then(|r| r.shrink_ratio),
            exact: records.get(1).and_then(|r| r.predicted_shrink),
            asymptotic: records.get(1).and_then(|r| r.predicted_shrink_asymptotic),
            max_relative_error: worst_run,
        });
    }
    // Where "<<" stops holding, for the base run's S.
    let fractions = crate::study::plan::DECAY_FRACTIONS;
    let gap_table = fractions
        .iter()
        .map(|&c| {
            let (rate_ratio, gap) = shrink_gap(c, base_steps);
            GapRow {
                eta_lambda_over_n: c,
                rate_ratio,
                relative_gap_per_epoch: gap,
            }
        })
        .collect();
    let breaks_at = fractions
        .iter()
        .find(|&&c| shrink_gap(c, base_steps).1.abs() > t.shrink_tolerance)
        .copied();
    let training = training_shrink(base, t);
    Some(Claim2Evidence {
        pure_decay_tolerance: t.pure_decay_tolerance,
        pure_decay_worst_relative_error: worst_pure,
        spot_checks,
        gap_table,
        gap_exceeds_tolerance_from: breaks_at,
        training_tolerance: t.shrink_tolerance,
        training_mean_relative_deviation: training.mean_relative_deviation,
        rho_star: base[0].get(1).and_then(|r| r.predicted_shrink),
        exp_minus_eta_lambda_over_m: base[0].get(1).and_then(|r| r.predicted_shrink_asymptotic),
        training_mean_rho_per_layer: training.mean_rho_per_layer,
        base_steps,
    })
}

/// How real training's decay-dominated epochs shrank the weights against
/// the decay's own rho* (part (b) of claim 2).
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingShrink {
    /// Mean of |rho_e / rho* - 1| over the runs' decay-dominated epochs
    /// (None: no such epoch).
    pub mean_relative_deviation: Option<f64>,
    /// Per weight layer, the mean rho_e over those epochs.
    pub mean_rho_per_layer: Vec<Option<f64>>,
}

/// [`TrainingShrink`] of `runs`, each over its leading epochs with |f|
/// below the `DecayDominated` threshold of `t`.
pub fn training_shrink(runs: &[&[EpochRecord]], t: &Thresholds) -> TrainingShrink {
    let mut deviations = Vec::new();
    let mut layer_ratios: Vec<Vec<f64>> = Vec::new();
    for records in runs {
        let k = leading_epochs_below(records, None, t.decay_dominated);
        deviations.extend(shrink_deviations(records, k));
        for r in &records[1..=k] {
            for (l, rho) in r.shrink_ratio_layers.iter().enumerate() {
                let Some(rho) = *rho else { continue };
                if layer_ratios.len() <= l {
                    layer_ratios.push(Vec::new());
                }
                layer_ratios[l].push(rho);
            }
        }
    }
    TrainingShrink {
        mean_relative_deviation: mean(&deviations),
        mean_rho_per_layer: layer_ratios.iter().map(|v| mean(v)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::synthetic::*;
    use crate::study::claims::decided;

    /// A decay-only run of c = 1e-5 over S = 5000 steps.
    fn decay_only(records: &[EpochRecord]) -> Vec<DecayOnlyRun<'_>> {
        vec![DecayOnlyRun {
            decay_per_step: 1e-5,
            records,
        }]
    }

    fn evidence(
        decay: &[DecayOnlyRun],
        base: &[&[EpochRecord]],
        steps: usize,
    ) -> Option<Claim2Evidence> {
        super::evidence(decay, base, steps, &Thresholds::default())
    }

    /// Claim 2 decided on these runs at the study's thresholds.
    fn claim2(
        decay: &[DecayOnlyRun],
        base: &[&[EpochRecord]],
        steps: usize,
    ) -> Decision<Claim2Findings> {
        decided::<Claim2>(
            evidence(decay, base, steps).unwrap(),
            &Thresholds::default(),
        )
        .decision
    }

    fn decide_at(e: &Claim2Evidence, pure: f64, shrink: f64) -> Verdict {
        let t = Thresholds::default()
            .with(Threshold::PureDecayTolerance, pure)
            .with(Threshold::ShrinkTolerance, shrink);
        Claim2::decide(e, &t).verdict
    }

    #[test]
    fn claim2_needs_the_pure_decay_to_match() {
        let exact = pure_decay(3);
        let result = claim2(&decay_only(&exact), &[&exact], 5000);
        assert_eq!(result.verdict, Verdict::Holds);
        // Shrink off by 0.1% in the decay-only run: the decay is not what was claimed.
        let rms: Vec<f64> = (0..=3).map(|e| (RHO * 1.001).powi(e)).collect();
        let off = synthetic_run(&rms, &[0.0; 4], &[0.9; 4], RHO);
        assert_eq!(
            claim2(&decay_only(&off), &[&exact], 5000).verdict,
            Verdict::Fails
        );
        // Exact pure decay but training that shrinks 3% slower: only partly.
        let slow = synthetic_run(
            &(0..=3).map(|e| (RHO * 1.03).powi(e)).collect::<Vec<_>>(),
            &[0.0; 4],
            &[0.9; 4],
            RHO,
        );
        assert_eq!(
            claim2(&decay_only(&exact), &[&slow], 5000).verdict,
            Verdict::Partly
        );
    }

    #[test]
    fn a_growing_output_layer_is_a_caveat() {
        let exact = pure_decay(3);
        let output_caveat = |base: &[EpochRecord]| {
            claim2(&decay_only(&exact), &[base], 5000)
                .findings
                .output_layer_grows
        };
        let grows = synthetic_run(
            &(0..=3).map(|e| 1.01f64.powi(e)).collect::<Vec<_>>(),
            &[0.0; 4],
            &[0.9; 4],
            RHO,
        );
        assert!(output_caveat(&grows));
        let unchanged = synthetic_run(&[1.0; 4], &[0.0; 4], &[0.9; 4], RHO);
        assert!(!output_caveat(&unchanged));
        assert!(!output_caveat(&exact));
    }

    #[test]
    fn evidence_needs_pure_decay_and_base_runs() {
        let exact = pure_decay(3);
        assert!(evidence(&[], &[&exact], 5000).is_none());
        assert!(evidence(&decay_only(&exact), &[], 5000).is_none());
        let mut e = evidence(&decay_only(&exact), &[&exact], 5000).unwrap();
        // At a tolerance the verdict is still the one within it.
        e.pure_decay_worst_relative_error = 0.01;
        e.training_mean_relative_deviation = Some(0.02);
        assert_eq!(decide_at(&e, 0.01, 0.02), Verdict::Holds);
        assert_eq!(decide_at(&e, 0.01, 0.01), Verdict::Partly);
        assert_eq!(decide_at(&e, 0.005, 0.02), Verdict::Fails);
    }
}
