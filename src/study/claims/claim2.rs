//! Claim 2: the weights decay by exp(-eta*lambda/m) per epoch.

use serde::Serialize;

use super::*;
use crate::metrics::EpochRecord;

/// The gap between rho* = (1 - c)^S and exp(-eta*lambda/m) = exp(-c S) for
/// S steps: (rate ratio ln(rho*)/ln(exp(-cS)), relative per-epoch gap).
pub fn shrink_gap(c: f64, steps: usize) -> (f64, f64) {
    let rate_ratio = -(-c).ln_1p() / c;
    let gap = (steps as f64 * ((-c).ln_1p() + c)).exp_m1();
    (rate_ratio, gap)
}

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

/// The evidence of claim 2. `decay_only`: (c, S, records) of pure-decay
/// runs; `base`: the large+L2 base runs. None without either.
pub fn evidence(
    decay_only: &[(f64, usize, &[EpochRecord])],
    base: &[&[EpochRecord]],
    base_steps: usize,
) -> Option<Claim2Evidence> {
    if decay_only.is_empty() || base.is_empty() {
        return None;
    }
    // (a) Pure decay against the exact factor.
    let mut worst_pure: f64 = 0.0;
    let mut spot_checks = Vec::new();
    for &(c, _, records) in decay_only {
        let mut worst_run: f64 = 0.0;
        for r in records.iter().skip(1) {
            let predicted = r.predicted_shrink;
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
            exact: records.get(1).map(|r| r.predicted_shrink),
            asymptotic: records.get(1).map(|r| r.predicted_shrink_asymptotic),
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
        .find(|&&c| shrink_gap(c, base_steps).1.abs() > SHRINK_TOLERANCE)
        .copied();
    // (b) Real training, decay-dominated epochs.
    let mut deviations = Vec::new();
    let mut layer_ratios: Vec<Vec<f64>> = Vec::new();
    for records in base {
        let k = decay_dominated_epochs(records, None);
        for r in &records[1..=k] {
            if let Some(rho) = r.shrink_ratio {
                deviations.push((rho / r.predicted_shrink - 1.0).abs());
            }
            for (l, rho) in r.shrink_ratio_layers.iter().enumerate() {
                let Some(rho) = *rho else { continue };
                if layer_ratios.len() <= l {
                    layer_ratios.push(Vec::new());
                }
                layer_ratios[l].push(rho);
            }
        }
    }
    Some(Claim2Evidence {
        pure_decay_tolerance: PURE_DECAY_TOLERANCE,
        pure_decay_worst_relative_error: worst_pure,
        spot_checks,
        gap_table,
        gap_exceeds_tolerance_from: breaks_at,
        training_tolerance: SHRINK_TOLERANCE,
        training_mean_relative_deviation: mean(&deviations),
        rho_star: base[0].get(1).map(|r| r.predicted_shrink),
        exp_minus_eta_lambda_over_m: base[0].get(1).map(|r| r.predicted_shrink_asymptotic),
        training_mean_rho_per_layer: layer_ratios.iter().map(|v| mean(v)).collect(),
        base_steps,
    })
}

/// Fails if pure decay misses (1 - eta*lambda/n)^S by more than
/// `pure_tolerance`; else holds if real training's decay-dominated epochs
/// shrink within `shrink_tolerance` of it, partly otherwise.
pub fn decide_at(e: &Claim2Evidence, pure_tolerance: f64, shrink_tolerance: f64) -> Verdict {
    if e.pure_decay_worst_relative_error > pure_tolerance {
        Verdict::Fails
    } else {
        match e.training_mean_relative_deviation {
            Some(d) if d <= shrink_tolerance => Verdict::Holds,
            _ => Verdict::Partly,
        }
    }
}

pub fn decide(e: &Claim2Evidence) -> Verdict {
    decide_at(e, e.pure_decay_tolerance, e.training_tolerance)
}

/// The answer in two sentences: the pure decay's factor, and how close
/// exp(-eta*lambda/m) and training come to it.
pub fn answer(e: &Claim2Evidence) -> String {
    let error = e.pure_decay_worst_relative_error;
    let mut text = if error <= e.pure_decay_tolerance {
        format!(
            "With the gradient off, the weights shrink by (1 - eta*lambda/n)^S per epoch, to a relative {error:.0e} at worst."
        )
    } else {
        format!(
            "With the gradient off, the measured shrink per epoch is up to a relative {error:.1e} from (1 - eta*lambda/n)^S."
        )
    };
    if let (Some(rho), Some(exp)) = (e.rho_star, e.exp_minus_eta_lambda_over_m) {
        text.push_str(&format!(
            " For the base run that is {rho:.6}, and exp(-eta*lambda/m) = {exp:.6} is {:.1e} from it",
            (rho / exp - 1.0).abs()
        ));
        match e.training_mean_relative_deviation {
            Some(d) => text.push_str(&format!(
                "; in the decay-dominated epochs of training the measured shrink was on average {:.2}% from it.",
                100.0 * d
            )),
            None => text.push('.'),
        }
    }
    text
}

/// The explanation, from the evidence alone.
pub fn explain(e: &Claim2Evidence) -> String {
    let base_steps = e.base_steps;
    let mut explanation = format!(
        "With the gradient switched off, the measured shrink per epoch matched (1 - eta*lambda/n)^S to {:.1e} (relative, worst of {} runs from eta*lambda/n = 1e-6 to 0.5; threshold {:.0e}). ",
        e.pure_decay_worst_relative_error,
        e.spot_checks.len(),
        e.pure_decay_tolerance
    );
    if let (Some(a), Some(b)) = (e.rho_star, e.exp_minus_eta_lambda_over_m) {
        explanation.push_str(&format!(
            "For the base run (S = {base_steps} steps) rho* = {a:.6} and exp(-eta*lambda/m) = {b:.6}, {:.1e} apart. ",
            (a / b - 1.0).abs()
        ));
    }
    match e.gap_exceeds_tolerance_from {
        Some(c) => explanation.push_str(&format!(
            "The two differ by more than {:.0}% per epoch once eta*lambda/n reaches {c:e}: that is where \"eta*lambda << n\" stops holding. ",
            100.0 * e.training_tolerance
        )),
        None => explanation.push_str("The two stay within 1% per epoch over the whole range. "),
    }
    match e.training_mean_relative_deviation {
        Some(d) => explanation.push_str(&format!(
            "In real training, over the decay-dominated epochs, the shrink ratio of all weights differed from rho* by {:.2}% on average (threshold {:.0}%).",
            100.0 * d,
            100.0 * e.training_tolerance
        )),
        None => explanation.push_str("Real training had no decay-dominated epoch to compare."),
    }
    explanation
}

/// Claim 2, decided from its evidence.
pub fn claim2(
    decay_only: &[(f64, usize, &[EpochRecord])],
    base: &[&[EpochRecord]],
    base_steps: usize,
) -> ClaimResult {
    let statement = "Provided eta*lambda << n, the weights will decay by a factor of exp(-eta*lambda/m) per epoch.";
    let title = "Weights decay by exp(-eta*lambda/m) per epoch";
    let Some(e) = evidence(decay_only, base, base_steps) else {
        return inconclusive(2, title, statement, "no decay-only or base runs");
    };
    let mut caveats = Vec::new();
    if let Some(Some(m)) = e.training_mean_rho_per_layer.last()
        && *m > 1.0
    {
        caveats.push(format!(
            "The output layer's weights did not shrink in those epochs (mean rho = {m:.3}): the factor describes the decay term, not every layer."
        ));
    }
    ClaimResult {
        id: 2,
        title: title.into(),
        statement: statement.into(),
        verdict: decide(&e),
        about: "the decay term alone (a); all weights in training (b)".into(),
        evidence: Evidence::Claim2(Box::new(e.clone())),
        answer: answer(&e),
        explanation: explain(&e),
        going_on: None,
        caveats,
        sensitivity: vec![
            Sensitivity::of("PURE_DECAY_TOLERANCE", PURE_DECAY_TOLERANCE, |t| {
                decide_at(&e, t, SHRINK_TOLERANCE)
            }),
            Sensitivity::of("SHRINK_TOLERANCE", SHRINK_TOLERANCE, |t| {
                decide_at(&e, PURE_DECAY_TOLERANCE, t)
            }),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::claims::synthetic::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn claim2_needs_the_pure_decay_to_match() {
        let exact = pure_decay(3);
        let result = claim2(&[(1e-5, 5000, &exact)], &[&exact], 5000);
        assert_eq!(result.verdict, Verdict::Holds);
        // Shrink off by 0.1% in the decay-only run: the decay is not what was claimed.
        let rms: Vec<f64> = (0..=3).map(|e| (RHO * 1.001).powi(e)).collect();
        let off = synthetic_run(&rms, &[0.0; 4], &[0.9; 4], RHO);
        assert_eq!(
            claim2(&[(1e-5, 5000, &off)], &[&exact], 5000).verdict,
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
            claim2(&[(1e-5, 5000, &exact)], &[&slow], 5000).verdict,
            Verdict::Partly
        );
    }

    #[test]
    fn a_growing_output_layer_is_a_caveat() {
        let exact = pure_decay(3);
        let output_caveat = |base: &[EpochRecord]| {
            claim2(&[(1e-5, 5000, &exact)], &[base], 5000)
                .caveats
                .iter()
                .any(|c| c.starts_with("The output layer's weights did not shrink"))
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
        assert!(evidence(&[(1e-5, 5000, &exact)], &[], 5000).is_none());
        let mut e = evidence(&[(1e-5, 5000, &exact)], &[&exact], 5000).unwrap();
        // At a tolerance the verdict is still the one within it.
        e.pure_decay_worst_relative_error = 0.01;
        e.training_mean_relative_deviation = Some(0.02);
        assert_eq!(decide_at(&e, 0.01, 0.02), Verdict::Holds);
        assert_eq!(decide_at(&e, 0.01, 0.01), Verdict::Partly);
        assert_eq!(decide_at(&e, 0.005, 0.02), Verdict::Fails);
    }

    #[test]
    fn shrink_gap_grows_with_the_decay_per_step() {
        let (ratio, gap) = shrink_gap(1e-5, 5000);
        assert_abs_diff_eq!(ratio - 1.0, 5e-6, epsilon = 1e-9);
        assert!(gap < 0.0 && gap.abs() < 3e-7);
        assert!(shrink_gap(0.1, 5000).1 < -0.99);
    }
}
