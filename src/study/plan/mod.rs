//! Which runs the claims study makes.

use serde::{Deserialize, Serialize};

use crate::data::TRAINING_SIZE;
use crate::net::Init;
use crate::run::{Config, FullGradientAt, Precision};
use crate::theory;

pub mod file;
pub mod setup;
pub use file::StudyFile;
pub use setup::{SETUP_EPOCHS, SETUP_EPOCHS_QUICK, Setup, SetupRole};

/// Full: the study as specified, every run on every seed. Quick: the same
/// experiments with one seed and fewer configurations, to run in about
/// half a minute. Deep: the full study for a cluster: each sweep run given
/// `SETTLE_RELAXATIONS` relaxation times whatever their length (so that
/// lambda 0.05 and 0.5 and eta 0.025 and 0.05 settle too), and branches
/// averaged over `DEEP_BRANCH_AVERAGE` relaxation times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Quick,
    Full,
    Deep,
}

/// The deep study's branches average their size over this many relaxation
/// times (the full study's: `BRANCH_AVERAGE`).
pub const DEEP_BRANCH_AVERAGE: f64 = 3.0;

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
    /// Default initialization at another lambda, trained until settled: the
    /// start of that lambda's branches (the noise law).
    NoiseParent { lambda: f64 },
    /// A branch of the noise law: the settled network of its parent run at
    /// `lambda`, trained on at learning rate `eta` and mini-batch size `m`.
    Branch { lambda: f64, eta: f64, m: usize },
    /// Fan-in against input scale: default initialization of [784/pool^2,
    /// 30, 10] on images pooled by `pool`, every input multiplied by
    /// `scale` (claim 4).
    InputScale { pool: usize, scale: f64 },
    /// A run of the setup named `setup` (beyond the book's) in one of the
    /// base setup's roles.
    Setup { setup: String, role: SetupRole },
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
            Purpose::NoiseParent { .. } => "noise-parent",
            Purpose::Branch { .. } => "branch",
            Purpose::InputScale { .. } => "input-scale",
            Purpose::Setup { .. } => "setup",
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
    /// The run whose last network this one starts from (`config.load` names
    /// its file, relative to the runs' directory); None for a fresh start.
    pub parent: Option<Box<RunSpec>>,
    /// Whether the run keeps its last network (`runs/NAME.net.json`): true
    /// for the runs other runs start from.
    pub saves_network: bool,
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
    /// The lambdas of the noise law's branches (none in quick mode).
    pub noise_lambdas: Vec<f64>,
    /// (pool, input scale c) of the fan-in runs (none in quick mode).
    pub input_scales: Vec<(usize, f64)>,
    /// The setups beyond the book's, each with its own base runs.
    pub setups: Vec<Setup>,
    /// Epochs of a setup's base runs.
    pub setup_epochs: usize,
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

/// A run with L2 can settle within the epoch cap if this many relaxation
/// times m/(eta*lambda) fit in it: 5 at the base (20 epochs each, cap 100).
pub const SETTLE_RELAXATIONS: f64 = 5.0;
/// A sweep run that cannot (lambda 0.05 and 0.5, eta 0.025 and 0.05, whose
/// relaxation times are 2,000, 200, 80 and 40 epochs) trains this long
/// only: enough for claim 1's first epochs; it is listed as not settled.
pub const UNSETTLED_EPOCHS: usize = 20;

/// Whether `SETTLE_RELAXATIONS` relaxation times of (eta, lambda, m) fit in
/// `cap` epochs.
pub fn can_settle(eta: f64, lambda: f64, m: usize, cap: usize) -> bool {
    SETTLE_RELAXATIONS * theory::relaxation_epochs(eta, lambda, m) <= cap as f64
}

/// The noise law: the lambdas its branches run at. At each, every seed's
/// settled network (the base default-init run at lambda 5, a
/// `NoiseParent` run at the others) is trained on at every (eta, m) of
/// `BRANCHES`.
const NOISE_LAMBDAS: [f64; 3] = [5.0, 15.0, 50.0];

/// (eta, m) of the branches: three learning rates (0.2 to 0.8) and three
/// mini-batch sizes (10 to 40), eta/m from 0.005 to 0.04, with equal
/// ratios reached two ways (0.01: 0.2/20 and 0.4/40; 0.02: 0.2/10 and
/// 0.4/20; 0.04: 0.4/10 and 0.8/20), so that eta/m can be told from eta
/// and m separately. The parent's own setting (0.1/10) is not among them:
/// its eta/m is reached twice. The cost of a branch in examples is
/// n/((eta/m) lambda) per relaxation time: the smallest eta/m is the
/// dearest. Every eta*lambda/n is above 1e-5, so every branch is f32.
pub const BRANCHES: [(f64, usize); 7] = [
    (0.2, 40),
    (0.2, 20),
    (0.4, 40),
    (0.2, 10),
    (0.4, 20),
    (0.4, 10),
    (0.8, 20),
];

/// A branch first trains this many relaxation times m/(eta*lambda), to
/// forget its parent's eta/m (|w|^2 relaxes at twice the decay's rate, so
/// e^-3 of the parent's offset is left) ...
pub const BRANCH_BURN_IN: f64 = 1.5;
/// ... then this many more, over which its size is averaged.
pub const BRANCH_AVERAGE: f64 = 1.0;
/// Epochs at least, of the burn-in and of the average: at lambda 50 a
/// relaxation time is under an epoch, and a size is measured once per
/// epoch.
pub const BRANCH_MIN_BURN_IN: usize = 2;
pub const BRANCH_MIN_AVERAGE: usize = 4;

/// The base runs' four kinds (init, with L2), network2's and every setup's.
pub const BASE_ROLES: [(Init, bool); 4] = [
    (Init::Large, true),
    (Init::Default, true),
    (Init::Large, false),
    (Init::Default, false),
];

/// Epochs of a branch at (eta, lambda, m): (burn-in, total).
pub fn branch_epochs(eta: f64, lambda: f64, m: usize) -> (usize, usize) {
    let tau = theory::relaxation_epochs(eta, lambda, m);
    let burn_in = ((BRANCH_BURN_IN * tau).ceil() as usize).max(BRANCH_MIN_BURN_IN);
    let average = ((BRANCH_AVERAGE * tau).ceil() as usize).max(BRANCH_MIN_AVERAGE);
    (burn_in, burn_in + average)
}

/// Epochs of a deep study's branch at (eta, lambda, m): (burn-in, total),
/// the burn-in as [`branch_epochs`]', then `DEEP_BRANCH_AVERAGE` relaxation
/// times averaged.
pub fn deep_branch_epochs(eta: f64, lambda: f64, m: usize) -> (usize, usize) {
    let (burn_in, _) = branch_epochs(eta, lambda, m);
    let tau = theory::relaxation_epochs(eta, lambda, m);
    let average = ((DEEP_BRANCH_AVERAGE * tau).ceil() as usize).max(BRANCH_MIN_AVERAGE);
    (burn_in, burn_in + average)
}

/// Fan-in against input scale, (pool, c): the first layer of [n_in, 30,
/// 10], default initialization, the base eta, lambda and m, on images
/// pooled by `pool` (n_in = 784/pool^2) with every input x -> c x. At n_in
/// 784, c = 0.5 and 2 (c = 1 is the base default-init run) change the
/// inputs' norm |x| alone; pooled to n_in 196 and 49, c is the unpooled
/// images' rms |x| over the pooled ones' (training set: 9.384 against
/// 4.335 and 1.861), so n_in changes alone at the base |x|. A size set by
/// |x| goes as c^-1 in the first and stays in the second; one set by the
/// fan-in, as 1/sqrt(n_in), the other way round.
pub const INPUT_SCALES: [(usize, f64); 4] = [(1, 0.5), (1, 2.0), (2, 2.165), (4, 5.043)];

/// Examples of the small decay-only runs, and their epochs.
pub const DECAY_ONLY_N: usize = 1_000;
pub const DECAY_ONLY_EPOCHS: usize = 2;

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
    /// seed_base, seed_base + 1, ...; quick mode uses seed_base alone) and
    /// the built-in setups beyond the book's. None if the seeds do not fit
    /// in a u64.
    pub fn new(mode: Mode, seeds: usize, seed_base: u64) -> Option<Plan> {
        Plan::with_setups(mode, seeds, seed_base, setup::built_in(), None)
    }

    /// The plan as [`Plan::new`]'s, with `setups` beyond the book's, their
    /// base runs `setup_epochs` long (None: `SETUP_EPOCHS`, quick
    /// `SETUP_EPOCHS_QUICK`).
    pub fn with_setups(
        mode: Mode,
        seeds: usize,
        seed_base: u64,
        setups: Vec<Setup>,
        setup_epochs: Option<usize>,
    ) -> Option<Plan> {
        let count = match mode {
            Mode::Full | Mode::Deep => seeds as u64,
            Mode::Quick => 1,
        };
        let last = seed_base.checked_add(count.checked_sub(1)?)?;
        let seeds: Vec<u64> = (seed_base..=last).collect();
        let train_size = TRAINING_SIZE;
        let full = mode != Mode::Quick;
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
        let noise_lambdas = if full {
            NOISE_LAMBDAS.to_vec()
        } else {
            Vec::new()
        };
        let input_scales = if full {
            INPUT_SCALES.to_vec()
        } else {
            Vec::new()
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
            noise_lambdas,
            input_scales,
            setups,
            setup_epochs: setup_epochs.unwrap_or(if full {
                SETUP_EPOCHS
            } else {
                SETUP_EPOCHS_QUICK
            }),
            runs: Vec::new(),
        };
        plan.runs = [
            plan.base_runs(&base),
            plan.sweep_runs(&base),
            plan.noise_parent_runs(&base),
            plan.decay_only_runs(&base),
            plan.grid_runs(&base),
            plan.input_scale_runs(&base),
            plan.setup_runs(&base),
        ]
        .concat();
        let parents = plan.noise_parent_names();
        for run in plan.runs.iter_mut() {
            run.saves_network = parents.contains(&run.name);
        }
        // A training run is f32 unless f32 would round part of its decay
        // away (the lambda and eta sweeps' smallest c): what `train` picks
        // when no precision is asked for. The decay-only runs are f64 all.
        for run in plan.runs.iter_mut().filter(|run| !run.config.decay_only) {
            run.config.precision = precision_of(&run.config);
        }
        // The branches last: they carry their parents as set above.
        let branches = plan.branch_runs(&base);
        plan.runs.extend(branches);
        Some(plan)
    }

    /// The name of the base run of `init`, with or without L2, at `seed`.
    fn base_name(init: Init, l2: bool, seed: u64) -> String {
        format!(
            "base-{}-{}-s{seed}",
            init_name(init),
            if l2 { "l2" } else { "nol2" }
        )
    }

    /// The name of the run the branches at `lambda` and `seed` start from.
    fn noise_parent_name(lambda: f64, seed: u64) -> String {
        if lambda == LAMBDA {
            Plan::base_name(Init::Default, true, seed)
        } else {
            format!("noise-parent-lambda{lambda}-s{seed}")
        }
    }

    /// The run the branches at `lambda` and `seed` start from.
    pub fn noise_parent(&self, lambda: f64, seed: u64) -> Option<&RunSpec> {
        let name = Plan::noise_parent_name(lambda, seed);
        self.runs.iter().find(|r| r.name == name)
    }

    /// The runs the branches start from, every seed and noise lambda.
    fn noise_parent_names(&self) -> Vec<String> {
        self.seeds
            .iter()
            .flat_map(|&seed| {
                self.noise_lambdas
                    .iter()
                    .map(move |&lambda| Plan::noise_parent_name(lambda, seed))
            })
            .collect()
    }

    /// The noise law's parents at lambdas other than the base one (whose
    /// parent is the base default-init run), every seed.
    fn noise_parent_runs(&self, base: &Config) -> Vec<RunSpec> {
        let mut runs = Vec::new();
        for &seed in &self.seeds {
            for &lambda in self.noise_lambdas.iter().filter(|&&l| l != LAMBDA) {
                runs.push(RunSpec {
                    name: Plan::noise_parent_name(lambda, seed),
                    purpose: Purpose::NoiseParent { lambda },
                    seed,
                    config: Config {
                        init: Init::Default,
                        lambda,
                        seed,
                        ..base.clone()
                    },
                    parent: None,
                    saves_network: false,
                });
            }
        }
        runs
    }

    /// The branches: every seed, noise lambda and (eta, m) of `BRANCHES`,
    /// each from its parent's last network, for `branch_epochs` epochs
    /// without probes (the weights' sizes need none).
    fn branch_runs(&self, base: &Config) -> Vec<RunSpec> {
        let mut runs = Vec::new();
        for &seed in &self.seeds {
            for &lambda in &self.noise_lambdas {
                let Some(parent) = self.noise_parent(lambda, seed) else {
                    continue;
                };
                let parent_name = &parent.name;
                // The first seed's branches start where the optimum at
                // their lambda does (`optima`): they keep their last
                // network and its tail average over the epochs whose size
                // is averaged, each with its full gradient, to be set
                // beside the optimum (`tail_average`).
                let beside_optimum = seed == self.seeds[0];
                for &(eta, m) in &BRANCHES {
                    let (burn_in, epochs) = match self.mode {
                        Mode::Deep => deep_branch_epochs(eta, lambda, m),
                        Mode::Full | Mode::Quick => branch_epochs(eta, lambda, m),
                    };
                    let mut config = Config {
                        eta,
                        lambda,
                        batch: m,
                        epochs,
                        seed,
                        load: Some(format!("{parent_name}.net.json").into()),
                        probes: false,
                        full_gradient: if beside_optimum {
                            FullGradientAt::End
                        } else {
                            FullGradientAt::Never
                        },
                        stop_when_settled: false,
                        tail_average_from: beside_optimum.then_some(burn_in + 1),
                        ..base.clone()
                    };
                    config.precision = precision_of(&config);
                    runs.push(RunSpec {
                        name: format!("branch-lambda{lambda}-eta{eta}-m{m}-s{seed}"),
                        purpose: Purpose::Branch { lambda, eta, m },
                        seed,
                        config,
                        parent: Some(Box::new(parent.clone())),
                        saves_network: beside_optimum,
                    });
                }
            }
        }
        runs
    }

    /// The base runs: four kinds (`BASE_ROLES`), every seed.
    fn base_runs(&self, base: &Config) -> Vec<RunSpec> {
        let mut runs = Vec::new();
        for &seed in &self.seeds {
            for (init, l2) in BASE_ROLES {
                runs.push(RunSpec {
                    name: Plan::base_name(init, l2, seed),
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
                    parent: None,
                    saves_network: false,
                });
            }
        }
        runs
    }

    /// The lambda and eta sweeps and the fixed-product series, every seed.
    fn sweep_runs(&self, base: &Config) -> Vec<RunSpec> {
        let mut runs = Vec::new();
        for &sweep_seed in &self.seeds {
            let sweep = |name: String, purpose: Purpose, eta: f64, lambda: f64| RunSpec {
                name,
                purpose,
                seed: sweep_seed,
                config: Config {
                    eta,
                    lambda,
                    seed: sweep_seed,
                    epochs: self.sweep_epochs(eta, lambda),
                    ..base.clone()
                },
                parent: None,
                saves_network: false,
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
        }
        runs
    }

    /// The cap of a sweep run at (eta, lambda): the plan's cap where
    /// `SETTLE_RELAXATIONS` relaxation times fit in it; beyond it,
    /// `UNSETTLED_EPOCHS` (for claim 1), or in the deep study as many
    /// epochs as those relaxation times take.
    fn sweep_epochs(&self, eta: f64, lambda: f64) -> usize {
        if can_settle(eta, lambda, BATCH, self.epoch_cap) {
            self.epoch_cap
        } else if self.mode == Mode::Deep {
            (SETTLE_RELAXATIONS * theory::relaxation_epochs(eta, lambda, BATCH)).ceil() as usize
        } else {
            UNSETTLED_EPOCHS
        }
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
                    lambda: c * DECAY_ONLY_N as f64 / ETA,
                    ..self.decay_only_config(base)
                },
                parent: None,
                saves_network: false,
            });
        }
        runs
    }

    /// A decay-only run's configuration: [49, 10, 10] on n = 1,000 pooled
    /// images, `DECAY_ONLY_EPOCHS` epochs in f64, the first seed, the base
    /// eta and lambda (which the caller sets).
    fn decay_only_config(&self, base: &Config) -> Config {
        Config {
            sizes: vec![49, 10, 10],
            pool: 4,
            train_size: Some(DECAY_ONLY_N),
            epochs: DECAY_ONLY_EPOCHS,
            decay_only: true,
            full_gradient: FullGradientAt::Never,
            stop_when_settled: false,
            precision: Precision::F64,
            seed: self.seeds[0],
            ..base.clone()
        }
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
                        parent: None,
                        saves_network: false,
                    });
                }
            }
        }
        runs
    }

    /// The fan-in runs: every seed and (pool, c) of `input_scales`.
    fn input_scale_runs(&self, base: &Config) -> Vec<RunSpec> {
        let mut runs = Vec::new();
        for &seed in &self.seeds {
            for &(pool, scale) in &self.input_scales {
                let n_in = INPUTS / (pool * pool);
                runs.push(RunSpec {
                    name: format!("input-in{n_in}-x{scale}-s{seed}"),
                    purpose: Purpose::InputScale { pool, scale },
                    seed,
                    config: Config {
                        sizes: vec![n_in, WIDTH, 10],
                        pool,
                        input_scale: scale,
                        init: Init::Default,
                        seed,
                        ..base.clone()
                    },
                    parent: None,
                    saves_network: false,
                });
            }
        }
        runs
    }
}

/// f32 unless f32 would round part of the decay away: what `train` picks
/// when no precision is asked for (see `Precision::for_decay`).
fn precision_of(config: &Config) -> Precision {
    let n = config.train_size.unwrap_or(TRAINING_SIZE);
    Precision::for_decay(config.decay_per_step(n))
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
mod tests;
