//! Which runs the claims study makes.

use serde::{Deserialize, Serialize};

use crate::data::TRAINING_SIZE;
use crate::net::Init;
use crate::run::{Config, FullGradientAt, Precision};

/// Full: the study as specified. Quick: the same experiments with one
/// seed and fewer configurations, to run in about half a minute.
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
    /// The base comparison: large or default initialization, with or without
    /// L2 (claims 1, 2b and 4).
    Base { init: Init, l2: bool },
    /// Large initialization at another lambda, eta 0.1 (claims 1 and 3).
    LambdaSweep { lambda: f64 },
    /// Large initialization at another eta, lambda 5 (claim 3).
    EtaSweep { eta: f64 },
    /// Large initialization at another (eta, lambda) with the base run's
    /// eta*lambda, so the same decay per epoch (claim 3).
    FixedProduct { eta: f64, lambda: f64 },
    /// Decay only, at decay fraction c = eta*lambda/n per step (claim 2a).
    DecayOnly { c: f64 },
    /// Another hidden width and input size (claim 3's scaling grid).
    Scaling {
        width: usize,
        pool: usize,
        init: Init,
    },
}

impl Purpose {
    /// The purpose's kind, as `kind` in its JSON and runs.csv's `purpose`.
    pub fn kind(&self) -> &'static str {
        match self {
            Purpose::Base { .. } => "base",
            Purpose::LambdaSweep { .. } => "lambda-sweep",
            Purpose::EtaSweep { .. } => "eta-sweep",
            Purpose::FixedProduct { .. } => "fixed-product",
            Purpose::DecayOnly { .. } => "decay-only",
            Purpose::Scaling { .. } => "scaling",
        }
    }
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
    /// n of every run but the decay-only ones.
    pub train_size: usize,
    /// Every run with L2 stops once all its layers have settled, or at
    /// this many epochs.
    pub epoch_cap: usize,
    /// Runs without L2 cannot settle (no decay): they train this long.
    pub no_l2_epochs: usize,
    pub lambdas: Vec<f64>,
    pub etas: Vec<f64>,
    /// (eta, lambda) pairs with eta*lambda = ETA*LAMBDA.
    pub fixed_products: Vec<(f64, f64)>,
    /// (hidden width, pool) of the scaling runs, large and default init.
    pub grid_large: Vec<(usize, usize)>,
    pub grid_default: Vec<(usize, usize)>,
    pub runs: Vec<RunSpec>,
}

/// The base hyperparameters of the study.
pub const ETA: f64 = 0.1;
pub const LAMBDA: f64 = 5.0;
pub const BATCH: usize = 10;
/// The base network's hidden width.
pub const WIDTH: usize = 30;
/// The base network's inputs: the 28 x 28 pixels of an MNIST image, unpooled.
pub const INPUTS: usize = 784;

/// The decay fractions c = eta*lambda/n per step of the decay-only runs,
/// which are also the rows of claim 2's table of rho* against
/// exp(-eta*lambda/m).
pub const DECAY_FRACTIONS: [f64; 7] = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 0.5];

/// Examples of the small decay-only runs, and their epochs.
const DECAY_ONLY_N: usize = 1_000;
const DECAY_ONLY_EPOCHS: usize = 2;

/// The scaling grid, (hidden width, pool): n_in = 784 / pool^2 and
/// n_w = width (n_in + 10). Three families of nearly equal n_w with
/// different (width, n_in) — about 8,000 (784 x 10, 196 x 39, 49 x 135)
/// and about 23,800 (784 x 30, the base run, 196 x 116, 49 x 404) — so
/// width and n_in can be told apart; and widths 10, 30, 100 at n_in 784,
/// and width 30 at every n_in.
const GRID_LARGE: [(usize, usize); 8] = [
    (10, 1),
    (100, 1),
    (30, 2),
    (39, 2),
    (116, 2),
    (30, 4),
    (135, 4),
    (404, 4),
];
const GRID_LARGE_QUICK: [(usize, usize); 2] = [(39, 2), (135, 4)];
/// Default initialization on part of the grid: a settled size should not
/// depend on where the weights started.
const GRID_DEFAULT: [(usize, usize); 3] = [(10, 1), (39, 2), (135, 4)];
const GRID_DEFAULT_QUICK: [(usize, usize); 1] = [(39, 2)];

fn init_name(init: Init) -> &'static str {
    match init {
        Init::Large => "large",
        Init::Default => "default",
    }
}

impl Plan {
    /// The plan for `mode` with `seeds` seeds from `seed_base` (seeds
    /// seed_base, seed_base + 1, ...; quick mode uses seed_base alone).
    /// None if the seeds do not fit in a u64.
    pub fn new(mode: Mode, seeds: usize, seed_base: u64) -> Option<Plan> {
        let count = match mode {
            Mode::Full => seeds as u64,
            Mode::Quick => 1,
        };
        let last = seed_base.checked_add(count.checked_sub(1)?)?;
        let seeds: Vec<u64> = (seed_base..=last).collect();
        let train_size = TRAINING_SIZE;
        let full = mode == Mode::Full;
        let epoch_cap = 100;
        let no_l2_epochs = if full { 60 } else { 30 };
        let lambdas = if full {
            vec![0.05, 0.5, 50.0, 500.0]
        } else {
            vec![50.0]
        };
        let etas = if full {
            vec![0.025, 0.05, 0.2, 0.4]
        } else {
            vec![0.4]
        };
        let fixed_products = if full {
            vec![(0.05, 10.0), (0.2, 2.5), (0.4, 1.25)]
        } else {
            vec![(0.2, 2.5)]
        };
        let grid_large = if full {
            GRID_LARGE.to_vec()
        } else {
            GRID_LARGE_QUICK.to_vec()
        };
        let grid_default = if full {
            GRID_DEFAULT.to_vec()
        } else {
            GRID_DEFAULT_QUICK.to_vec()
        };

        let base = Config {
            sizes: vec![784, WIDTH, 10],
            init: Init::Large,
            eta: ETA,
            lambda: LAMBDA,
            batch: BATCH,
            epochs: epoch_cap,
            train_size: Some(train_size),
            histogram_bins: 200,
            full_gradient: FullGradientAt::End,
            stop_when_settled: true,
            ..Config::default()
        };
        let mut plan = Plan {
            mode,
            seeds,
            train_size,
            epoch_cap,
            no_l2_epochs,
            lambdas,
            etas,
            fixed_products,
            grid_large,
            grid_default,
            runs: Vec::new(),
        };
        plan.runs = [
            plan.base_runs(&base),
            plan.sweep_runs(&base),
            plan.decay_only_runs(&base),
            plan.grid_runs(&base),
        ]
        .concat();
        // A training run is f32 unless f32 would round part of its decay
        // away (the lambda and eta sweeps' smallest c): what `train` picks
        // when no precision is asked for. The decay-only runs are f64 all.
        for run in plan.runs.iter_mut().filter(|run| !run.config.decay_only) {
            let c = run.config.eta * run.config.lambda / train_size as f64;
            run.config.precision = Precision::for_decay(c);
        }
        Some(plan)
    }

    /// The base runs: four kinds, every seed.
    fn base_runs(&self, base: &Config) -> Vec<RunSpec> {
        let mut runs = Vec::new();
        for &seed in &self.seeds {
            for (init, l2) in [
                (Init::Large, true),
                (Init::Default, true),
                (Init::Large, false),
                (Init::Default, false),
            ] {
                runs.push(RunSpec {
                    name: format!(
                        "base-{}-{}-s{seed}",
                        init_name(init),
                        if l2 { "l2" } else { "nol2" }
                    ),
                    purpose: Purpose::Base { init, l2 },
                    seed,
                    config: Config {
                        init,
                        lambda: if l2 { LAMBDA } else { 0.0 },
                        epochs: if l2 {
                            self.epoch_cap
                        } else {
                            self.no_l2_epochs
                        },
                        stop_when_settled: l2,
                        seed,
                        ..base.clone()
                    },
                });
            }
        }
        runs
    }

    /// The lambda and eta sweeps and the fixed-product series, on the first seed.
    fn sweep_runs(&self, base: &Config) -> Vec<RunSpec> {
        let mut runs = Vec::new();
        let sweep_seed = self.seeds[0];
        let sweep = |name: String, purpose: Purpose, eta: f64, lambda: f64| RunSpec {
            name,
            purpose,
            seed: sweep_seed,
            config: Config {
                eta,
                lambda,
                seed: sweep_seed,
                ..base.clone()
            },
        };
        for &lambda in &self.lambdas {
            let name = format!("lambda-{lambda}-s{sweep_seed}");
            runs.push(sweep(name, Purpose::LambdaSweep { lambda }, ETA, lambda));
        }
        for &eta in &self.etas {
            let name = format!("eta-{eta}-s{sweep_seed}");
            runs.push(sweep(name, Purpose::EtaSweep { eta }, eta, LAMBDA));
        }
        for &(eta, lambda) in &self.fixed_products {
            let name = format!("product-eta{eta}-lambda{lambda}-s{sweep_seed}");
            runs.push(sweep(
                name,
                Purpose::FixedProduct { eta, lambda },
                eta,
                lambda,
            ));
        }
        runs
    }

    /// The pure-decay runs, one per decay fraction.
    fn decay_only_runs(&self, base: &Config) -> Vec<RunSpec> {
        let mut runs = Vec::new();
        for &c in &DECAY_FRACTIONS {
            runs.push(RunSpec {
                name: format!("decay-only-c{c:e}"),
                purpose: Purpose::DecayOnly { c },
                seed: self.seeds[0],
                config: Config {
                    sizes: vec![49, 10, 10],
                    pool: 4,
                    train_size: Some(DECAY_ONLY_N),
                    lambda: c * DECAY_ONLY_N as f64 / ETA,
                    epochs: DECAY_ONLY_EPOCHS,
                    decay_only: true,
                    full_gradient: FullGradientAt::Never,
                    stop_when_settled: false,
                    precision: Precision::F64,
                    seed: self.seeds[0],
                    ..base.clone()
                },
            });
        }
        runs
    }

    /// The scaling grid, every seed.
    fn grid_runs(&self, base: &Config) -> Vec<RunSpec> {
        let mut runs = Vec::new();
        for &seed in &self.seeds {
            for (init, grid) in [
                (Init::Large, &self.grid_large),
                (Init::Default, &self.grid_default),
            ] {
                for &(width, pool) in grid {
                    let n_in = 784 / (pool * pool);
                    runs.push(RunSpec {
                        name: format!("scale-{}-w{width}-in{n_in}-s{seed}", init_name(init)),
                        purpose: Purpose::Scaling { width, pool, init },
                        seed,
                        config: Config {
                            sizes: vec![n_in, width, 10],
                            pool,
                            init,
                            seed,
                            ..base.clone()
                        },
                    });
                }
            }
        }
        runs
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
    use approx::{abs_diff_eq, assert_abs_diff_eq};

    /// The plan's decay-only runs, in plan order.
    fn decay_only(plan: &Plan) -> impl Iterator<Item = &RunSpec> {
        plan.runs
            .iter()
            .filter(|r| matches!(r.purpose, Purpose::DecayOnly { .. }))
    }

    #[test]
    fn full_plan_has_the_specified_runs() {
        let plan = Plan::new(Mode::Full, 3, 1).unwrap();
        let count =
            |f: &dyn Fn(&Purpose) -> bool| plan.runs.iter().filter(|r| f(&r.purpose)).count();
        assert_eq!(count(&|p| matches!(p, Purpose::Base { .. })), 12);
        assert_eq!(count(&|p| matches!(p, Purpose::LambdaSweep { .. })), 4);
        assert_eq!(count(&|p| matches!(p, Purpose::EtaSweep { .. })), 4);
        assert_eq!(count(&|p| matches!(p, Purpose::FixedProduct { .. })), 3);
        assert_eq!(count(&|p| matches!(p, Purpose::Scaling { .. })), 33);
        assert_eq!(count(&|p| matches!(p, Purpose::DecayOnly { .. })), 7);
        assert_eq!(plan.seeds, [1, 2, 3]);
        // Every fixed-product pair has the base run's eta*lambda.
        for &(eta, lambda) in &plan.fixed_products {
            assert_abs_diff_eq!(eta * lambda, ETA * LAMBDA, epsilon = 1e-12);
        }
        // The n_w families: within 4% of their first member.
        let n_w = |(width, pool): (usize, usize)| width * (784 / (pool * pool) + 10);
        for family in [[(10, 1), (39, 2), (135, 4)], [(30, 1), (116, 2), (404, 4)]] {
            for member in family {
                let ratio = n_w(member) as f64 / n_w(family[0]) as f64;
                assert!(
                    abs_diff_eq!(ratio, 1.0, epsilon = 0.04),
                    "{member:?}: {ratio}"
                );
            }
        }
        // Names are unique, and every configuration is valid.
        let mut names: Vec<&str> = plan.runs.iter().map(|r| r.name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), plan.runs.len());
        for run in &plan.runs {
            run.config.validate().unwrap();
        }
        // f64 for the sweeps whose c = eta*lambda/n is below 1e-5 (lambda
        // 0.05 and 0.5, eta 0.025 and 0.05), f32 for every other training run.
        let f64_runs: Vec<&str> = plan
            .runs
            .iter()
            .filter(|r| !r.config.decay_only && r.config.precision == Precision::F64)
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(
            f64_runs,
            [
                "lambda-0.05-s1",
                "lambda-0.5-s1",
                "eta-0.025-s1",
                "eta-0.05-s1"
            ]
        );
        // Decay-only runs sweep eta*lambda/n from 1e-6 to 0.5.
        for run in decay_only(&plan) {
            let Purpose::DecayOnly { c } = run.purpose else {
                unreachable!()
            };
            let n = run.config.train_size.unwrap() as f64;
            assert_abs_diff_eq!(
                run.config.eta * run.config.lambda / n,
                c,
                epsilon = 1e-12 * c
            );
        }
    }

    #[test]
    fn seeds_start_at_the_base_and_must_fit() {
        assert_eq!(Plan::new(Mode::Full, 2, 4).unwrap().seeds, [4, 5]);
        assert_eq!(Plan::new(Mode::Quick, 3, 7).unwrap().seeds, [7]);
        assert!(Plan::new(Mode::Full, 2, u64::MAX).is_none());
        assert!(Plan::new(Mode::Full, 1, u64::MAX).is_some());
    }

    #[test]
    fn every_run_is_configured_as_its_purpose_says() {
        let plan = Plan::new(Mode::Full, 2, 7).unwrap();
        for run in &plan.runs {
            let c = &run.config;
            assert_eq!(c.seed, run.seed, "{}", run.name);
            let l2 = c.lambda > 0.0;
            if !matches!(run.purpose, Purpose::DecayOnly { .. }) {
                assert_eq!(c.train_size, Some(plan.train_size), "{}", run.name);
                assert_eq!(c.batch, BATCH, "{}", run.name);
                let decay = c.eta * c.lambda / plan.train_size as f64;
                assert_eq!(c.precision, Precision::for_decay(decay), "{}", run.name);
                assert_eq!(c.full_gradient, FullGradientAt::End, "{}", run.name);
                assert!(!c.decay_only, "{}", run.name);
                // Runs with L2 stop once settled, at the cap at the latest.
                assert_eq!(c.stop_when_settled, l2, "{}", run.name);
                let epochs = if l2 {
                    plan.epoch_cap
                } else {
                    plan.no_l2_epochs
                };
                assert_eq!(c.epochs, epochs, "{}", run.name);
            }
            match run.purpose {
                Purpose::Base { init, l2: with_l2 } => {
                    assert_eq!((c.init, l2, c.pool), (init, with_l2, 1));
                    assert_eq!(c.sizes, [784, WIDTH, 10]);
                }
                Purpose::LambdaSweep { lambda } => {
                    assert_eq!((c.eta, c.lambda, run.seed), (ETA, lambda, 7));
                }
                Purpose::EtaSweep { eta } => {
                    assert_eq!((c.eta, c.lambda, run.seed), (eta, LAMBDA, 7));
                }
                Purpose::FixedProduct { eta, lambda } => {
                    assert_eq!((c.eta, c.lambda, run.seed), (eta, lambda, 7));
                }
                Purpose::DecayOnly { .. } => {
                    assert_eq!((c.sizes.as_slice(), c.pool), ([49, 10, 10].as_slice(), 4));
                    assert_eq!(
                        (c.train_size, c.epochs),
                        (Some(DECAY_ONLY_N), DECAY_ONLY_EPOCHS)
                    );
                    assert!(c.decay_only && !c.stop_when_settled);
                    assert_eq!(c.full_gradient, FullGradientAt::Never);
                    assert_eq!(c.precision, Precision::F64);
                }
                Purpose::Scaling { width, pool, init } => {
                    assert_eq!(c.sizes, [784 / (pool * pool), width, 10]);
                    assert_eq!((c.pool, c.init), (pool, init));
                }
            }
        }
        assert_eq!(decay_only(&plan).count(), DECAY_FRACTIONS.len());
    }

    #[test]
    fn cost_is_epochs_of_the_base_network_on_the_whole_training_set() {
        let plan = Plan::new(Mode::Quick, 1, 1).unwrap();
        let base = &plan.runs[0].config;
        assert_abs_diff_eq!(relative_cost(base), base.epochs as f64, epsilon = 1e-12);
        let decay_only = decay_only(&plan).next().unwrap();
        // [49, 10, 10]: 590 weights, 1,000 examples, 2 epochs, at 2% of the work.
        let expected = 0.02 * 590.0 * 1_000.0 / (23_820.0 * 50_000.0) * 2.0;
        assert_abs_diff_eq!(relative_cost(&decay_only.config), expected, epsilon = 1e-15);
    }

    #[test]
    fn a_purposes_kind_is_its_json_tag() {
        let plan = Plan::new(Mode::Full, 1, 1).expect("a plan");
        for spec in &plan.runs {
            let json = serde_json::to_value(&spec.purpose).unwrap();
            assert_eq!(json["kind"], spec.purpose.kind(), "{}", spec.name);
        }
    }
}
