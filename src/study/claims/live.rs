//! Claims 1 and 2 decided on one run while it trains (the playground),
//! with the study's own measures, decisions and thresholds: what the page
//! says of the run on screen is what the study would say of it as a base
//! run of one seed.

use serde::Serialize;

use super::claim1::{self, Claim1};
use super::claim2::training_shrink;
use super::{Claim, Thresholds, Verdict};
use crate::metrics::EpochRecord;
use crate::study::measures::leading_epochs_below;

/// Claims 1 and 2 of one run, after its latest epoch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveClaims {
    /// Epochs trained so far.
    pub epochs: usize,
    /// Claim 1 (None before epoch 1, or without probes).
    pub claim1: Option<LiveClaim1>,
    /// Claim 2 (None before epoch 1).
    pub claim2: Option<LiveClaim2>,
}

/// Claim 1 on one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveClaim1 {
    /// The study's verdict; None while every epoch so far is
    /// decay-dominated and there are fewer than `threshold_epochs` of them
    /// (the next epochs decide).
    pub verdict: Option<Verdict>,
    /// The `DecayDominated` threshold of |f|.
    pub threshold_offset_fraction: f64,
    /// The `FirstEpochs` threshold.
    pub threshold_epochs: usize,
    /// K per weight layer: its leading epochs with |f| below the threshold.
    pub k_per_layer: Vec<usize>,
    /// Per weight layer, |gradient's move| / |decay's move| in epoch 1.
    pub gradient_over_decay_epoch1: Vec<Option<f64>>,
}

/// Claim 2 on one run: its decay-dominated epochs' shrink against rho*.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveClaim2 {
    /// K of all weights: the epochs the comparison is made on.
    pub decay_dominated_epochs: usize,
    /// Mean |rho_e / rho* - 1| over them (None: no such epoch).
    pub mean_relative_deviation: Option<f64>,
    /// The `ShrinkTolerance` threshold.
    pub tolerance: f64,
    /// Whether the mean is within the tolerance (None: no such epoch).
    pub within: Option<bool>,
    /// The rule's decay law for epoch 1 and its small-step limit: rho* =
    /// (1 - eta*lambda/n)^S and exp(-eta*lambda/m) for network2's rule,
    /// the only one decided live (`run::decay_law`).
    pub rho_star: Option<f64>,
    pub exp_minus_eta_lambda_over_m: Option<f64>,
}

/// Claims 1 and 2 of the run whose records (epoch 0 first) are `records`,
/// at the thresholds `t`.
pub fn decide(records: &[EpochRecord], t: &Thresholds) -> LiveClaims {
    let epochs = records.len().saturating_sub(1);
    let run = [records];
    let claim1 = claim1::evidence(&run, &[], &[], t).map(|e| {
        let decision = Claim1::decide(&e, t);
        let k_per_layer: Vec<usize> = decision.findings.layers.iter().map(|l| l.k_min).collect();
        let undecided = k_per_layer.iter().all(|&k| k == epochs) && epochs < t.first_epochs;
        LiveClaim1 {
            verdict: (!undecided).then_some(decision.verdict),
            threshold_offset_fraction: t.decay_dominated,
            threshold_epochs: t.first_epochs,
            k_per_layer,
            gradient_over_decay_epoch1: e
                .epoch_1_moves
                .iter()
                .map(|m| m.gradient_over_decay_displacement)
                .collect(),
        }
    });
    let claim2 = records.get(1).map(|first| {
        let shrink = training_shrink(&run, t);
        LiveClaim2 {
            decay_dominated_epochs: leading_epochs_below(records, None, t.decay_dominated),
            mean_relative_deviation: shrink.mean_relative_deviation,
            tolerance: t.shrink_tolerance,
            within: shrink
                .mean_relative_deviation
                .map(|d| d <= t.shrink_tolerance),
            rho_star: first.predicted_shrink,
            exp_minus_eta_lambda_over_m: first.predicted_shrink_asymptotic,
        }
    });
    LiveClaims {
        epochs,
        claim1,
        claim2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::synthetic::*;

    fn live(records: &[EpochRecord]) -> LiveClaims {
        decide(records, &Thresholds::default())
    }

    #[test]
    fn nothing_is_decided_before_the_first_epoch() {
        let live = live(&pure_decay(3)[..1]);
        assert_eq!(live.epochs, 0);
        assert_eq!(live.claim1, None);
        assert_eq!(live.claim2, None);
    }

    #[test]
    fn pure_decay_waits_for_the_first_epochs_then_holds() {
        let t = Thresholds::default();
        let early = live(&pure_decay(t.first_epochs - 1));
        let claim1 = early.claim1.expect("epoch 1 has probes");
        assert_eq!(claim1.verdict, None, "too few epochs to decide");
        assert_eq!(claim1.k_per_layer, vec![t.first_epochs - 1; 2]);
        let late = live(&pure_decay(t.first_epochs + 2));
        assert_eq!(late.claim1.unwrap().verdict, Some(Verdict::Holds));
        let claim2 = late.claim2.unwrap();
        assert_eq!(claim2.decay_dominated_epochs, t.first_epochs + 2);
        assert_eq!(claim2.within, Some(true));
        assert!(claim2.mean_relative_deviation.unwrap() < 1e-12);
    }

    #[test]
    fn weights_the_gradient_holds_up_fail_claim_1_and_leave_claim_2_unmeasured() {
        let live = live(&never_decays(5));
        assert_eq!(live.claim1.unwrap().verdict, Some(Verdict::Fails));
        let claim2 = live.claim2.unwrap();
        assert_eq!(claim2.decay_dominated_epochs, 0);
        assert_eq!(claim2.within, None);
    }
}
