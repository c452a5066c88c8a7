//! The claims study: plan the runs, run them, decide the
//! four claims from what they measured.

pub mod book_examples;
pub mod claims;
pub mod equilibrium;
pub mod fit;
pub mod plan;
pub mod runner;
pub mod shard;
pub mod summary;

use serde::Serialize;

use crate::data::TRAINING_SIZE;
use crate::metrics::EpochRecord;
use crate::net::Init;
use crate::theory;
use claims::ClaimResult;
pub use plan::{Mode, Plan, Purpose, RunSpec};
pub use runner::RunResult;

/// The results of a study, grouped by what they are for.
pub struct Results {
    pub plan: Plan,
    pub runs: Vec<RunResult>,
}

impl Results {
    fn records(&self, matches: impl Fn(&Purpose) -> bool) -> Vec<&[EpochRecord]> {
        self.runs
            .iter()
            .filter(|r| matches(&r.spec.purpose))
            .map(|r| r.records.as_slice())
            .collect()
    }

    /// Base runs of one kind, one per seed.
    pub fn base(&self, init: Init, l2: bool) -> Vec<&[EpochRecord]> {
        self.records(|p| *p == Purpose::Base { init, l2 })
    }

    /// The base run's layer sizes.
    pub fn base_sizes(&self) -> Vec<usize> {
        self.runs
            .iter()
            .find(|r| matches!(r.spec.purpose, Purpose::Base { .. }))
            .map(|r| r.spec.config.sizes.clone())
            .unwrap_or_default()
    }

    /// The lambda sweep: the large-init runs with L2 of the first seed,
    /// lambda 5 (the base run) included, by increasing lambda.
    fn sweep_runs(&self) -> Vec<&RunResult> {
        let first_seed = self.plan.seeds[0];
        let large_l2 = Purpose::Base {
            init: Init::Large,
            l2: true,
        };
        let mut sweep: Vec<&RunResult> = self
            .runs
            .iter()
            .filter(|r| {
                matches!(r.spec.purpose, Purpose::LambdaSweep { .. })
                    || (r.spec.purpose == large_l2 && r.spec.seed == first_seed)
            })
            .collect();
        sweep.sort_by(|a, b| a.spec.config.lambda.total_cmp(&b.spec.config.lambda));
        sweep
    }

    /// (lambda, records) of the lambda sweep, by increasing lambda.
    pub fn lambda_sweep(&self) -> Vec<(f64, &[EpochRecord])> {
        self.sweep_runs()
            .into_iter()
            .map(|r| (r.spec.config.lambda, r.records.as_slice()))
            .collect()
    }

    /// (c, S, records) of the decay-only runs.
    pub fn decay_only(&self) -> Vec<(f64, usize, &[EpochRecord])> {
        self.runs
            .iter()
            .filter_map(|r| match r.spec.purpose {
                Purpose::DecayOnly { c } => {
                    let n = r.spec.config.train_size.unwrap_or(TRAINING_SIZE);
                    Some((
                        c,
                        theory::steps_per_epoch(n, r.spec.config.batch),
                        r.records.as_slice(),
                    ))
                }
                _ => None,
            })
            .collect()
    }

    /// Names of the runs trained again because their files were damaged.
    pub fn redone(&self) -> Vec<String> {
        self.names(|r| r.redone)
    }

    /// Names of the runs `matches` picks, in plan order.
    fn names(&self, matches: impl Fn(&RunResult) -> bool) -> Vec<String> {
        self.runs
            .iter()
            .filter(|r| matches(r))
            .map(|r| r.spec.name.clone())
            .collect()
    }

    /// Every run's settled state (`claims.json`'s `settled`).
    pub fn settled(&self) -> Vec<equilibrium::SettledEntry> {
        equilibrium::settled_table(&self.runs)
    }

    /// The claim-3 evidence from the settled table and its fits.
    pub fn claim3_evidence(
        &self,
        settled: &[equilibrium::SettledEntry],
        fits: &[equilibrium::SizeFit],
    ) -> claims::Claim3Evidence {
        let large_l2 = Purpose::Base {
            init: Init::Large,
            l2: true,
        };
        let base_runs = self.names(|r| r.spec.purpose == large_l2);
        let grid = self.names(equilibrium::grid_member);
        let sweep: Vec<(f64, &[EpochRecord], String)> = self
            .sweep_runs()
            .into_iter()
            .map(|r| {
                (
                    r.spec.config.lambda,
                    r.records.as_slice(),
                    r.spec.name.clone(),
                )
            })
            .collect();
        claims::claim3::evidence(
            &self.base(Init::Large, true),
            &base_runs,
            &self.base_sizes(),
            settled,
            fits,
            &grid,
            &sweep,
        )
    }

    /// Steps per epoch of the base runs.
    pub fn base_steps(&self) -> usize {
        theory::steps_per_epoch(self.plan.train_size, plan::BATCH)
    }

    /// Decide the four claims, given the settled table and its fits.
    pub fn claims(
        &self,
        settled: &[equilibrium::SettledEntry],
        fits: &[equilibrium::SizeFit],
    ) -> Vec<ClaimResult> {
        let large = self.base(Init::Large, true);
        let default = self.base(Init::Default, true);
        let no_l2 = self.base(Init::Large, false);
        let sweep = self.lambda_sweep();
        let sizes = self.base_sizes();
        vec![
            claims::claim1(&large, &default, &sweep),
            claims::claim2(&self.decay_only(), &large, self.base_steps()),
            claims::claim3(&self.claim3_evidence(settled, fits)),
            claims::claim4(
                &claims::claim4::BaseRuns {
                    large_l2: large.clone(),
                    default_l2: default.clone(),
                    large_no_l2: no_l2,
                    default_no_l2: self.base(Init::Default, false),
                },
                &sizes,
            ),
        ]
    }
}

/// `claims.json`.
#[derive(Serialize)]
pub struct ClaimsFile<'a> {
    pub claims: &'a [ClaimResult],
    /// Every run's settled state per layer and for all weights.
    pub settled: &'a [equilibrium::SettledEntry],
    /// Power laws of the settled sizes.
    pub fits: &'a [equilibrium::SizeFit],
    /// The book's own weight-initialization runs, measured (`--book`).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub book_examples: &'a [book_examples::BookExample],
    pub mode: Mode,
    pub seeds: &'a [u64],
    pub runs: Vec<&'a str>,
    pub seconds: f64,
    pub jobs: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::claims::synthetic::pure_decay;

    /// The full plan with two seeds, every run given the same records.
    fn two_seed_study() -> Results {
        let plan = Plan::new(Mode::Full, 2, 1).expect("a plan");
        let runs = plan
            .runs
            .iter()
            .map(|spec| RunResult {
                spec: spec.clone(),
                records: pure_decay(1),
                reused: false,
                redone: spec.name.starts_with("decay-only"),
            })
            .collect();
        Results { plan, runs }
    }

    #[test]
    fn the_lambda_sweep_holds_the_first_seeds_runs_by_increasing_lambda() {
        let results = two_seed_study();
        let sweep = results.sweep_runs();
        let lambdas: Vec<f64> = results.lambda_sweep().iter().map(|s| s.0).collect();
        assert_eq!(lambdas, [0.05, 0.5, plan::LAMBDA, 50.0, 500.0]);
        assert!(
            sweep.iter().all(|r| r.spec.seed == 1),
            "{:?}",
            sweep.iter().map(|r| &r.spec.name).collect::<Vec<_>>()
        );
        assert_eq!(
            sweep
                .iter()
                .filter(|r| matches!(r.spec.purpose, Purpose::Base { .. }))
                .count(),
            1
        );
    }

    #[test]
    fn the_runs_trained_again_are_named_in_plan_order() {
        let results = two_seed_study();
        let decay_only: Vec<String> = results
            .plan
            .runs
            .iter()
            .filter(|r| matches!(r.purpose, Purpose::DecayOnly { .. }))
            .map(|r| r.name.clone())
            .collect();
        assert!(!decay_only.is_empty());
        assert_eq!(results.redone(), decay_only);
    }
}
