//! Which runs the claims study makes.

use serde::{Deserialize, Serialize};

use crate::data::TRAINING_SIZE;
use crate::net::Init;
use crate::run::{Config, FullGradientAt, Precision};

/// Full: the study as specified. Quick: the same experiments shrunk (fewer
/// examples, epochs, seeds and widths) to run in about half a minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Quick,
    Full,
}

/// What a run is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Purpose {
    /// The base comparison: large or default initialization, with or without L2.
    Base { init: Init, l2: bool },
    /// Large initialization at another lambda (lambda 5 is the base run).
    LambdaSweep { lambda: f64 },
    /// Decay only, at decay fraction c = eta*lambda/n per step (claim 2a).
    DecayOnly { c: f64 },
    /// Tail-off size against hidden width and input size (claim 3).
    Scaling { width: usize, pool: usize },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSpec {
    /// File-name-safe, unique, says what the run is.
    pub name: String,
    pub purpose: Purpose,
    pub seed: u64,
    pub config: Config,
}

/// The study's parameters, as the report prints them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Plan {
    pub mode: Mode,
    pub seeds: Vec<u64>,
    /// n of the base, sweep and scaling runs.
    pub train_size: usize,
    pub base_epochs: usize,
    pub lambdas: Vec<f64>,
    pub widths: Vec<usize>,
    pub pools: Vec<usize>,
    pub scaling_max_epochs: usize,
    pub decay_fractions: Vec<f64>,
    pub runs: Vec<RunSpec>,
}

/// The base hyperparameters of the study.
pub const ETA: f64 = 0.1;
pub const LAMBDA: f64 = 5.0;
pub const BATCH: usize = 10;

/// The decay fractions c = eta*lambda/n per step of the decay-only runs,
/// which are also the rows of claim 2's table of rho* against
/// exp(-eta*lambda/m).
pub const DECAY_FRACTIONS: [f64; 7] = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 0.5];

/// Examples of the small decay-only runs, and their epochs.
const DECAY_ONLY_N: usize = 1_000;
const DECAY_ONLY_EPOCHS: usize = 2;

impl Plan {
    /// The plan for `mode` with `seeds` seeds. Quick mode keeps what the
    /// dynamics depend on (n = 50,000 examples, so as many steps per epoch,
    /// and enough epochs for the base run to tail off, at about epoch 23)
    /// and cuts the rest: one seed, three lambdas, a 2 x 2 scaling grid.
    pub fn new(mode: Mode, seeds: usize) -> Plan {
        let seeds: Vec<u64> = match mode {
            Mode::Full => (1..=seeds as u64).collect(),
            Mode::Quick => vec![1],
        };
        let train_size = TRAINING_SIZE;
        let (base_epochs, widths, pools, lambdas, scaling_max_epochs) = match mode {
            Mode::Full => (
                30,
                vec![10, 20, 30, 60, 100],
                vec![1, 2, 4],
                vec![0.05, 0.5, 5.0, 50.0, 500.0],
                60,
            ),
            Mode::Quick => (25, vec![30, 100], vec![1, 2], vec![0.5, 5.0, 50.0], 30),
        };
        let scaling_seeds = seeds.clone();
        let decay_fractions = DECAY_FRACTIONS.to_vec();

        let base = Config {
            sizes: vec![784, 30, 10],
            init: Init::Large,
            eta: ETA,
            lambda: LAMBDA,
            batch: BATCH,
            epochs: base_epochs,
            train_size: Some(train_size),
            histogram_bins: 200,
            full_gradient: FullGradientAt::End,
            ..Config::default()
        };
        let mut runs = Vec::new();
        for &seed in &seeds {
            for (init, l2) in [
                (Init::Large, true),
                (Init::Default, true),
                (Init::Large, false),
                (Init::Default, false),
            ] {
                let init_name = match init {
                    Init::Large => "large",
                    Init::Default => "default",
                };
                runs.push(RunSpec {
                    name: format!(
                        "base-{init_name}-{}-s{seed}",
                        if l2 { "l2" } else { "nol2" }
                    ),
                    purpose: Purpose::Base { init, l2 },
                    seed,
                    config: Config {
                        init,
                        lambda: if l2 { LAMBDA } else { 0.0 },
                        seed,
                        ..base.clone()
                    },
                });
            }
        }
        let sweep_seed = seeds[0];
        for &lambda in lambdas.iter().filter(|&&l| l != LAMBDA) {
            runs.push(RunSpec {
                name: format!("lambda-{lambda}-s{sweep_seed}"),
                purpose: Purpose::LambdaSweep { lambda },
                seed: sweep_seed,
                config: Config {
                    lambda,
                    seed: sweep_seed,
                    ..base.clone()
                },
            });
        }
        for &c in &decay_fractions {
            runs.push(RunSpec {
                name: format!("decay-only-c{c:e}"),
                purpose: Purpose::DecayOnly { c },
                seed: sweep_seed,
                config: Config {
                    sizes: vec![49, 10, 10],
                    pool: 4,
                    train_size: Some(DECAY_ONLY_N),
                    lambda: c * DECAY_ONLY_N as f64 / ETA,
                    epochs: DECAY_ONLY_EPOCHS,
                    decay_only: true,
                    full_gradient: FullGradientAt::Never,
                    precision: Precision::F64,
                    seed: sweep_seed,
                    ..base.clone()
                },
            });
        }
        for &seed in &scaling_seeds {
            for &pool in &pools {
                for &width in &widths {
                    let n_in = 784 / (pool * pool);
                    runs.push(RunSpec {
                        name: format!("scale-w{width}-in{n_in}-s{seed}"),
                        purpose: Purpose::Scaling { width, pool },
                        seed,
                        config: Config {
                            sizes: vec![n_in, width, 10],
                            pool,
                            epochs: scaling_max_epochs,
                            stop_when_settled: true,
                            seed,
                            ..base.clone()
                        },
                    });
                }
            }
        }
        Plan {
            mode,
            seeds,
            train_size,
            base_epochs,
            lambdas,
            widths,
            pools,
            scaling_max_epochs,
            decay_fractions,
            runs,
        }
    }

    /// Runs with this purpose, in plan order.
    pub fn runs_for<'a>(
        &'a self,
        matches: impl Fn(&Purpose) -> bool + 'a,
    ) -> impl Iterator<Item = &'a RunSpec> + 'a {
        self.runs.iter().filter(move |r| matches(&r.purpose))
    }
}

/// Work of one epoch of a run relative to [784, 30, 10] on 50,000 examples,
/// to start the longest runs first.
pub fn relative_cost(config: &Config) -> f64 {
    let weights = config.weight_count() as f64;
    let n = config.train_size.unwrap_or(TRAINING_SIZE) as f64;
    let per_epoch = if config.decay_only { 0.02 } else { 1.0 } * weights * n
        / (23_820.0 * TRAINING_SIZE as f64);
    per_epoch * config.epochs as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_plan_has_the_specified_runs() {
        let plan = Plan::new(Mode::Full, 3);
        let count =
            |f: &dyn Fn(&Purpose) -> bool| plan.runs.iter().filter(|r| f(&r.purpose)).count();
        assert_eq!(count(&|p| matches!(p, Purpose::Base { .. })), 12);
        assert_eq!(count(&|p| matches!(p, Purpose::LambdaSweep { .. })), 4);
        assert_eq!(count(&|p| matches!(p, Purpose::Scaling { .. })), 45);
        assert_eq!(count(&|p| matches!(p, Purpose::DecayOnly { .. })), 7);
        // Names are unique, and every configuration is valid.
        let mut names: Vec<&str> = plan.runs.iter().map(|r| r.name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), plan.runs.len());
        for run in &plan.runs {
            run.config.validate().unwrap();
        }
        // Decay-only runs sweep eta*lambda/n from 1e-6 to 0.5.
        for run in plan.runs_for(|p| matches!(p, Purpose::DecayOnly { .. })) {
            let Purpose::DecayOnly { c } = run.purpose else {
                unreachable!()
            };
            let n = run.config.train_size.unwrap() as f64;
            assert!((run.config.eta * run.config.lambda / n - c).abs() <= 1e-12 * c);
        }
    }
}
