//! The four claims on each setup beyond the book's, decided by the same
//! code as on network2's setup: each setup's runs, seen in the base runs'
//! roles ([`Results::setup_view`]), go through [`decide_all`]. Claim 3
//! needs the scaling grid and the noise law's branches, which only the
//! base setup has, so it is not decided for a setup. Claim 2 asks for a decay by a factor per epoch: for the rules
//! whose decay is no factor (L1, Adam with the penalty in its gradient) it
//! is not decided either, and the setup says why.

use serde::Serialize;

use super::{ClaimResult, Measured, Missing, Thresholds, decide_all};
use crate::metrics::EpochRecord;
use crate::net::Init;
use crate::study::Results;
use crate::study::equilibrium::settled_table;
use crate::study::plan::Setup;

/// Why claim 3 is not decided for a setup.
pub const NO_SIZE_RUNS: Missing =
    Missing("the scaling grid and the noise law's branches are run for the base setup only");

/// Why claim 2 is not decided for a setup whose decay is not a factor.
pub const NO_FACTOR_LAW: Missing = Missing("the rule's decay alone is not a factor per epoch");

/// One setup's claims.
#[derive(Debug, Clone)]
pub struct SetupClaims {
    /// The setup.
    pub setup: Setup,
    /// Claims 1 to 4, as for the base setup.
    pub claims: Vec<ClaimResult>,
    /// What its runs measured that the claims' table shows beside them.
    pub measured: SetupMeasures,
}

/// A setup's key numbers, read off its runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetupMeasures {
    /// The decay-only run's shrink rho in its first epoch, and the rule's
    /// law for it (None without a factor law).
    pub decay_only_shrink: Option<f64>,
    pub decay_law: Option<f64>,
    /// Validation accuracy after the last epoch, mean over seeds, of the
    /// large-init runs with the setup's penalty or decay.
    pub final_accuracy: Option<f64>,
    /// Epochs those runs trained.
    pub epochs: usize,
}

/// Every setup of the study's plan, its claims decided at `t`.
pub fn decide_setups(results: &Results, t: &Thresholds) -> Vec<SetupClaims> {
    results
        .plan
        .setups
        .iter()
        .map(|setup| decide_setup(results, setup, t))
        .collect()
}

fn decide_setup(results: &Results, setup: &Setup, t: &Thresholds) -> SetupClaims {
    let view = results.setup_view(&setup.name);
    let settled = settled_table(&view.runs);
    let measured = Measured {
        results: &view,
        settled: &settled,
        fits: &[],
        noise_laws: &[],
    };
    let decay_only = view.decay_only();
    let first_decay_epoch = decay_only.first().and_then(|run| run.records.get(1));
    let decay_law = first_decay_epoch.and_then(|r| r.predicted_shrink);
    let mut claims = decide_all(&measured, t);
    claims[2] = ClaimResult::Claim3(Box::new(Err(NO_SIZE_RUNS)));
    if decay_law.is_none() {
        claims[1] = ClaimResult::Claim2(Box::new(Err(NO_FACTOR_LAW)));
    }
    let large = view.base(Init::Large, true);
    SetupClaims {
        setup: setup.clone(),
        claims,
        measured: SetupMeasures {
            decay_only_shrink: first_decay_epoch.and_then(|r| r.shrink_ratio),
            decay_law,
            final_accuracy: mean_final_accuracy(&large),
            epochs: large.first().map_or(0, |r| r.len().saturating_sub(1)),
        },
    }
}

fn mean_final_accuracy(runs: &[&[EpochRecord]]) -> Option<f64> {
    let finals: Vec<f64> = runs
        .iter()
        .filter_map(|r| r.last().map(|e| e.eval_accuracy))
        .collect();
    (!finals.is_empty()).then(|| finals.iter().sum::<f64>() / finals.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::synthetic::pure_decay;
    use crate::study::claims::Verdict;
    use crate::study::plan::{Mode, Plan, Purpose, SetupRole, setup};
    use crate::study::results::of_plan;

    /// The quick plan with every run given `records`.
    fn study(records: Vec<EpochRecord>) -> Results {
        of_plan(Plan::new(Mode::Quick, 1, 1).unwrap(), |_| records.clone())
    }

    #[test]
    fn a_setup_sees_its_own_runs_in_the_base_roles_and_no_other() {
        let results = study(pure_decay(3));
        let view = results.setup_view("momentum");
        assert_eq!(view.runs.len(), 5, "four base roles and a decay-only run");
        assert!(
            view.runs
                .iter()
                .all(|r| r.spec.name.starts_with("setup-momentum-"))
        );
        assert_eq!(view.base(Init::Large, true).len(), 1);
        assert_eq!(view.decay_only().len(), 1);
        let in_setup_roles = results
            .runs
            .iter()
            .filter(|r| {
                matches!(
                    &r.spec.purpose,
                    Purpose::Setup {
                        role: SetupRole::DecayOnly { .. },
                        ..
                    }
                )
            })
            .count();
        assert_eq!(in_setup_roles, setup::built_in().len());
    }

    #[test]
    fn each_setup_is_decided_by_the_base_claims_and_claim_3_is_missing() {
        let results = study(pure_decay(12));
        let decided = decide_setups(&results, &Thresholds::default());
        assert_eq!(decided.len(), setup::built_in().len());
        for setup in &decided {
            let verdicts: Vec<Verdict> = setup.claims.iter().map(|c| c.header().verdict).collect();
            // Pure decay records: claim 1 holds on them whatever the setup.
            assert_eq!(verdicts[0], Verdict::Holds, "{}", setup.setup.name);
            assert!(
                matches!(&setup.claims[2], ClaimResult::Claim3(o) if o.as_ref().as_ref().err() == Some(&NO_SIZE_RUNS))
            );
            assert_eq!(setup.measured.epochs, 12);
        }
    }

    #[test]
    fn the_final_accuracy_is_the_mean_over_seeds() {
        let mut a = pure_decay(2);
        let mut b = pure_decay(2);
        a.last_mut().unwrap().eval_accuracy = 0.9;
        b.last_mut().unwrap().eval_accuracy = 0.8;
        let mean = mean_final_accuracy(&[&a, &b]).unwrap();
        assert!((mean - 0.85).abs() < 1e-12, "{mean}");
        assert_eq!(mean_final_accuracy(&[]), None);
    }

    #[test]
    fn a_setup_without_a_factor_law_leaves_claim_2_undecided() {
        let mut records = pure_decay(3);
        for r in &mut records {
            r.predicted_shrink = None;
        }
        let decided = decide_setups(&study(records), &Thresholds::default());
        for setup in &decided {
            assert!(
                matches!(&setup.claims[1], ClaimResult::Claim2(o) if o.as_ref().as_ref().err() == Some(&NO_FACTOR_LAW))
            );
            assert_eq!(setup.measured.decay_law, None);
        }
    }
}
