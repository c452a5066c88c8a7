//! A study's runs, grouped by what they are for: the views the claims and
//! the report read.

use crate::metrics::EpochRecord;
use crate::net::Init;
use crate::theory;

use super::equilibrium;
use super::noise_law::{self, NoiseLaw};
use super::optima::OptimumResult;
use super::plan::{self, Plan, Purpose, SetupRole};
use super::runner::RunResult;
use super::tail_average::AveragedBranch;

/// A run with the gradient switched off.
#[derive(Debug, Clone, Copy)]
pub struct DecayOnlyRun<'a> {
    /// c = eta*lambda/n: the fraction of every weight one step removes.
    pub decay_per_step: f64,
    /// Its records, epoch 0 first.
    pub records: &'a [EpochRecord],
}

/// The results of a study, grouped by what they are for.
pub struct Results {
    pub plan: Plan,
    pub runs: Vec<RunResult>,
    /// The L2 optimum at each of the noise law's lambdas.
    pub optima: Vec<OptimumResult>,
    /// The first seed's branches, last network and tail average, beside
    /// the optimum.
    pub averaged: Vec<AveragedBranch>,
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
    /// lambda 5 (the base run) included, by increasing lambda, as claims 1
    /// and 3 show them run by run. (The sweeps run on every seed; the
    /// equilibrium fits average the seeds, as the other runs'.)
    pub fn sweep_runs(&self) -> Vec<&RunResult> {
        let first_seed = self.plan.seeds[0];
        let large_l2 = Purpose::Base {
            init: Init::Large,
            l2: true,
        };
        let mut sweep: Vec<&RunResult> = self
            .runs
            .iter()
            .filter(|r| {
                let of_sweep = matches!(r.spec.purpose, Purpose::LambdaSweep { .. })
                    || r.spec.purpose == large_l2;
                of_sweep && r.spec.seed == first_seed
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

    /// The decay-only runs.
    pub fn decay_only(&self) -> Vec<DecayOnlyRun<'_>> {
        self.runs
            .iter()
            .filter_map(|r| match r.spec.purpose {
                Purpose::DecayOnly { c } => Some(DecayOnlyRun {
                    decay_per_step: c,
                    records: &r.records,
                }),
                _ => None,
            })
            .collect()
    }

    /// Names of the runs trained again because their files were damaged.
    pub fn redone(&self) -> Vec<String> {
        self.names(|r| r.redone)
    }

    /// Names of the runs `matches` picks, in plan order.
    pub fn names(&self, matches: impl Fn(&RunResult) -> bool) -> Vec<String> {
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

    /// The noise law of every layer at every lambda its branches ran at.
    pub fn noise_laws(&self) -> Vec<NoiseLaw> {
        noise_law::noise_laws(&self.runs, &self.optima)
    }

    /// The study as the setup named `setup` sees it: its runs in the base
    /// runs' roles (`Purpose::Base`, `Purpose::DecayOnly`) and nothing
    /// else, so that each claim reads them as it reads network2's.
    pub fn setup_view(&self, setup: &str) -> Results {
        let runs = self
            .runs
            .iter()
            .filter_map(|run| {
                let Purpose::Setup { setup: of, role } = &run.spec.purpose else {
                    return None;
                };
                let purpose = match *role {
                    SetupRole::Base { init, l2 } => Purpose::Base { init, l2 },
                    SetupRole::DecayOnly { c } => Purpose::DecayOnly { c },
                };
                let mut spec = run.spec.clone();
                spec.purpose = purpose;
                (of == setup).then(|| RunResult {
                    spec,
                    ..run.clone()
                })
            })
            .collect();
        Results {
            plan: self.plan.clone(),
            runs,
            optima: Vec::new(),
            averaged: Vec::new(),
        }
    }

    /// Steps per epoch of the base runs.
    pub fn base_steps(&self) -> usize {
        theory::steps_per_epoch(self.plan.train_size, plan::BATCH)
    }
}

/// A study whose every run of `plan` recorded `records(spec)`, for tests.
#[cfg(test)]
pub(crate) fn of_plan(
    plan: Plan,
    records: impl Fn(&super::RunSpec) -> Vec<EpochRecord>,
) -> Results {
    let runs = plan
        .runs
        .iter()
        .map(|spec| RunResult {
            spec: spec.clone(),
            records: records(spec),
            reused: false,
            redone: false,
        })
        .collect();
    Results {
        plan,
        runs,
        optima: Vec::new(),
        averaged: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::synthetic::pure_decay;
    use crate::study::Mode;

    /// The full plan with two seeds, every run given the same records.
    fn two_seed_study() -> Results {
        let plan = Plan::new(Mode::Full, 2, 1).expect("a plan");
        let mut results = of_plan(plan, |_| pure_decay(1));
        for run in &mut results.runs {
            run.redone = run.spec.name.starts_with("decay-only");
        }
        results
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
