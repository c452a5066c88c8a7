//! The book's chapter-3 scripts as runs: what each one draws, trains and
//! scores, in its order, so that every run can start on its own (in
//! parallel) from the generators' state the script would have reached.
//!
//! Neither generator depends on the training: the numpy stream draws the
//! networks, the Python stream shuffles lists of known length. So a
//! script's later runs start from states computed by replaying the
//! earlier runs' draws and shuffles, without training them.

use serde::Serialize;
use serde_json::{Value, json};

use super::rng::{NumpyRandom, PythonRandom};
use crate::data::Mnist;
use crate::error::Result;
use crate::metrics::EpochRecord;
use crate::net::{Cost, Init, Network, Saturated};
use crate::run::{self, Config, EvalSet, Precision, Silent, Start};
use crate::train::{EpochOrder, Rearrange, Sgd, Unobserved, evaluate_scored};

/// The seed every script gives both `random.seed` and `np.random.seed`.
pub const BOOK_SEED: u32 = 12_345_678;

/// The mini-batch size m of every script.
const BATCH: usize = 10;

/// The learning rates of `multiple_eta.py`.
pub const MULTIPLE_ETAS: [f64; 3] = [0.025, 0.25, 2.5];

/// The training-set sizes N of `more_data.py`.
pub const MORE_DATA_SIZES: [usize; 9] = [100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000];

/// One of the book's published result files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Script {
    /// `weight_initialization.py` with 30 hidden neurons.
    WeightInitialization30,
    /// `weight_initialization.py` with 100 hidden neurons.
    WeightInitialization100,
    /// `overfitting.py` without L2 on 1,000 images.
    Overfitting,
    /// `overfitting.py` with L2 on 1,000 images.
    Regularized,
    /// `overfitting.py` without L2 on 50,000 images.
    OverfittingFull,
    /// `overfitting.py` with L2 on 50,000 images.
    RegularizedFull,
    /// `multiple_eta.py`.
    MultipleEta,
    /// `more_data.py`.
    MoreData,
}

impl Script {
    /// Every script, in the order of the book's chapter 3.
    pub const ALL: [Script; 8] = [
        Script::WeightInitialization30,
        Script::WeightInitialization100,
        Script::Overfitting,
        Script::Regularized,
        Script::OverfittingFull,
        Script::RegularizedFull,
        Script::MultipleEta,
        Script::MoreData,
    ];

    /// The file's name without `.json`: the script's one name, in files,
    /// reports and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Script::WeightInitialization30 => "weight_initialization_30",
            Script::WeightInitialization100 => "weight_initialization_100",
            Script::Overfitting => "overfitting",
            Script::Regularized => "regularized",
            Script::OverfittingFull => "overfitting_full",
            Script::RegularizedFull => "regularized_full",
            Script::MultipleEta => "multiple_eta",
            Script::MoreData => "more_data",
        }
    }

    /// The script whose [`name`](Script::name) is `name`, if any.
    pub fn from_name(name: &str) -> Option<Script> {
        Script::ALL.into_iter().find(|script| script.name() == name)
    }

    /// What the script runs, in a line.
    pub fn about(self) -> &'static str {
        match self {
            Script::WeightInitialization30 => {
                "`weight_initialization.py`, [784, 30, 10]: default against large init"
            }
            Script::WeightInitialization100 => "`weight_initialization.py`, [784, 100, 10]",
            Script::Overfitting => "`overfitting.py` without L2: 1,000 training images, 400 epochs",
            Script::Regularized => "`overfitting.py` with lambda 0.1 on the same 1,000 images",
            Script::OverfittingFull => "`overfitting.py` without L2 on all 50,000 training images",
            Script::RegularizedFull => {
                "`overfitting.py` with lambda 5 on all 50,000 training images"
            }
            Script::MultipleEta => "`multiple_eta.py`: eta 0.025, 0.25 and 2.5",
            Script::MoreData => "`more_data.py`: training sets of 100 to 50,000 images",
        }
    }

    /// Whether the script's arguments are recorded (not so for the two
    /// `_full` files: their runs use [`FullSetting::CLOSEST`]).
    pub fn arguments_recorded(self) -> bool {
        !matches!(self, Script::OverfittingFull | Script::RegularizedFull)
    }
}

/// Which of network2's four monitors an `SGD` call turns on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Monitors {
    /// `monitor_evaluation_cost`: the cost on the evaluation set, L2 term included.
    pub evaluation_cost: bool,
    /// `monitor_evaluation_accuracy`: correct answers on the evaluation set.
    pub evaluation_accuracy: bool,
    /// `monitor_training_cost`: the cost on the training set, L2 term included.
    pub training_cost: bool,
    /// `monitor_training_accuracy`: correct answers on the training set.
    pub training_accuracy: bool,
}

impl Monitors {
    const ALL: Monitors = Monitors {
        evaluation_cost: true,
        evaluation_accuracy: true,
        training_cost: true,
        training_accuracy: true,
    };
    const NONE: Monitors = Monitors {
        evaluation_cost: false,
        evaluation_accuracy: false,
        training_cost: false,
        training_accuracy: false,
    };
}

/// The four lists an `SGD` call returns, one entry per epoch, each empty
/// where its monitor was off: costs are `total_cost`, accuracies counts of
/// correct answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SgdLists {
    /// `total_cost` on the evaluation set, per epoch.
    pub evaluation_cost: Vec<f64>,
    /// Correct answers on the evaluation set, per epoch.
    pub evaluation_accuracy: Vec<u64>,
    /// `total_cost` on the training set, per epoch.
    pub training_cost: Vec<f64>,
    /// Correct answers on the training set, per epoch.
    pub training_accuracy: Vec<u64>,
}

impl SgdLists {
    /// `[evaluation_cost, evaluation_accuracy, training_cost,
    /// training_accuracy]`, as the scripts write them.
    pub fn to_json(&self) -> Value {
        json!([
            self.evaluation_cost,
            self.evaluation_accuracy,
            self.training_cost,
            self.training_accuracy
        ])
    }
}

/// The arguments of `overfitting.py`'s `SGD` call beside N and lambda:
/// recorded for `overfitting` and `regularized`, tried for the `_full`
/// files (all 50,000 training images), whose call is not recorded.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FullSetting {
    /// The learning rate.
    pub eta: f64,
    /// Epochs trained.
    pub epochs: usize,
    /// The set scored each epoch.
    pub eval: EvalSet,
    /// How the network is drawn.
    pub start: FullStart,
}

/// How the network of a `_full` run is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FullStart {
    /// `Network(...)` then `large_weight_initializer()`, as `overfitting.py`.
    DefaultDiscardedThenLarge,
    /// `Network(...)`'s default draw, trained as is.
    Default,
    /// `large_weight_initializer()` as the first draw of the numpy stream.
    LargeFirst,
}

impl FullSetting {
    /// `overfitting.py`'s own arguments with N = 50,000 and 30 epochs: the
    /// closest to the published `_full` files of the settings tried (see
    /// the README's book section).
    pub const CLOSEST: FullSetting = FullSetting {
        eta: 0.5,
        epochs: 30,
        eval: EvalSet::Test,
        start: FullStart::DefaultDiscardedThenLarge,
    };

    /// The arguments `overfitting.py` records for `overfitting.json` and
    /// `regularized.json` (with N = 1,000).
    const BOOK: FullSetting = FullSetting {
        eta: 0.5,
        epochs: 400,
        eval: EvalSet::Test,
        start: FullStart::DefaultDiscardedThenLarge,
    };
}

/// One `SGD` call of a script, ready to start: its network and the
/// generators' state as the script reaches it.
#[derive(Clone)]
pub struct BookRun {
    /// The script whose call this is.
    pub script: Script,
    /// The run's name in its file: a key, a learning rate, a training-set size.
    pub label: String,
    /// How its network was drawn.
    pub init: Init,
    /// eta, lambda, n (the first n training images), epochs, the set
    /// evaluated; f64, probes on, network2's scoring.
    pub config: Config,
    /// The monitors the call turns on.
    pub monitors: Monitors,
    /// Score the validation set once, after the last epoch, as a
    /// percentage (`more_data.py`), instead of every epoch.
    pub final_percent_only: bool,
    net: Network<f64>,
    python: PythonRandom,
    /// The order of the training list when the call starts.
    first_order: Vec<usize>,
}

/// A finished `SGD` call of a script.
#[derive(Debug, Clone, Serialize)]
pub struct BookRunResult {
    /// The script whose call this was.
    pub script: Script,
    /// The run's name in its file.
    pub label: String,
    /// How its network was drawn.
    pub init: Init,
    /// What it was trained with.
    pub config: Config,
    /// The monitors the call turned on.
    pub monitors: Monitors,
    /// The four lists the call returned, as network2 returns them.
    pub lists: SgdLists,
    /// `more_data.py`: the validation accuracy in percent after the last
    /// epoch (correct answers / 100).
    pub final_percent: Option<f64>,
    /// decaylab's measurements, one per epoch (epoch 0 = before training);
    /// none for the `more_data.py` runs, which score only their end.
    pub records: Vec<EpochRecord>,
}

/// Rearranges the training list before each epoch as network2's `SGD`
/// does: Python 2's `random.shuffle` of the previous epoch's order.
struct PythonShuffle(PythonRandom);

impl Rearrange for PythonShuffle {
    fn next_epoch(&mut self, order: &mut [usize]) {
        self.0.shuffle(order);
    }
}

/// The two generators as a script leaves them between its calls.
struct Generators {
    numpy: NumpyRandom,
    python: PythonRandom,
}

impl Generators {
    fn seeded(seed: u32) -> Generators {
        Generators {
            numpy: NumpyRandom::seeded(seed),
            python: PythonRandom::seeded(u64::from(seed)),
        }
    }

    /// A network drawn as network2's initializers draw it: every layer's
    /// biases b^l = randn(n_l, 1), layer by layer, then every layer's
    /// weights w^l = randn(n_l, n_(l-1)), divided by sqrt(n_(l-1)) for the
    /// default initialization.
    fn draw(&mut self, sizes: &[usize], init: Init) -> Network<f64> {
        let biases = sizes[1..]
            .iter()
            .map(|&n_out| self.numpy.randn(n_out, 1))
            .collect();
        let weights = sizes
            .windows(2)
            .map(|pair| {
                let (n_in, n_out) = (pair[0], pair[1]);
                let mut w = self.numpy.randn(n_out, n_in);
                if init == Init::Default {
                    let root = (n_in as f64).sqrt();
                    w.iter_mut().for_each(|w| *w /= root);
                }
                w
            })
            .collect();
        Network::from_parts(sizes.to_vec(), weights, biases, Cost::CrossEntropy)
            .expect("drawn in the shapes of `sizes`")
    }

    /// What `epochs` epochs of `SGD` do to the Python stream and to the
    /// training list `order`: one shuffle each.
    fn replay_shuffles(&mut self, order: &mut [usize], epochs: usize) {
        for _ in 0..epochs {
            self.python.shuffle(order);
        }
    }
}

/// The arguments of one `SGD` call that vary between the scripts.
struct Call {
    eta: f64,
    lambda: f64,
    /// n: the call trains on the first n training images.
    n: usize,
    epochs: usize,
    eval: EvalSet,
    monitors: Monitors,
}

impl Call {
    /// The run's configuration: m = 10, cross-entropy, f64 arithmetic,
    /// decaylab's probes on, costs scored as network2 scores them.
    fn config(&self, sizes: &[usize], init: Init, seed: u32) -> Config {
        Config {
            sizes: sizes.to_vec(),
            cost: Cost::CrossEntropy,
            init,
            eta: self.eta,
            lambda: self.lambda,
            batch: BATCH,
            epochs: self.epochs,
            seed: u64::from(seed),
            train_size: Some(self.n),
            eval: self.eval,
            monitor_training: self.monitors.training_cost || self.monitors.training_accuracy,
            precision: Precision::F64,
            probes: true,
            saturated: Saturated::NanToNum,
            ..Config::default()
        }
    }
}

/// Where a call starts: its network (drawn with `init`), and the Python
/// generator and the training list as the script leaves them.
struct CallStart {
    init: Init,
    net: Network<f64>,
    python: PythonRandom,
    first_order: Vec<usize>,
}

impl BookRun {
    /// The call of `script` named `label`, with the arguments `call`,
    /// from `start`; both generators seeded `seed`.
    fn new(script: Script, label: String, call: &Call, start: CallStart, seed: u32) -> BookRun {
        BookRun {
            script,
            label,
            init: start.init,
            config: call.config(start.net.sizes(), start.init, seed),
            monitors: call.monitors,
            // more_data.py scores its runs once, after the last epoch.
            final_percent_only: script == Script::MoreData,
            net: start.net,
            python: start.python,
            first_order: start.first_order,
        }
    }
}

/// n, the size of network2's training list.
const N: usize = crate::data::TRAINING_SIZE;

/// The `SGD` calls of `script`, its generators seeded by `seed`, each with
/// the state it starts from.
pub fn plan(script: Script, seed: u32) -> Vec<BookRun> {
    match script {
        Script::WeightInitialization30 => weight_initialization(script, 30, seed),
        Script::WeightInitialization100 => weight_initialization(script, 100, seed),
        Script::Overfitting => vec![overfitting(script, 1000, 0.0, FullSetting::BOOK, seed)],
        Script::Regularized => vec![overfitting(script, 1000, 0.1, FullSetting::BOOK, seed)],
        Script::OverfittingFull => vec![full(script, 0.0, FullSetting::CLOSEST, seed)],
        Script::RegularizedFull => vec![full(script, 5.0, FullSetting::CLOSEST, seed)],
        Script::MultipleEta => multiple_eta(seed),
        Script::MoreData => more_data(seed),
    }
}

/// `weight_initialization.py` with n = `hidden`: `Network([784, hidden,
/// 10])`, SGD for 30 epochs (eta 0.1, lambda 5, validation accuracy
/// monitored), then `large_weight_initializer()` on the same network and
/// the same call again, on the list the first one left shuffled.
fn weight_initialization(script: Script, hidden: usize, seed: u32) -> Vec<BookRun> {
    let sizes = [784, hidden, 10];
    let epochs = 30;
    let monitors = Monitors {
        evaluation_accuracy: true,
        ..Monitors::NONE
    };
    let mut generators = Generators::seeded(seed);
    let mut order: Vec<usize> = (0..N).collect();
    let mut runs = Vec::new();
    for (label, init) in [
        ("default_weight_initialization", Init::Default),
        ("large_weight_initialization", Init::Large),
    ] {
        let call = Call {
            eta: 0.1,
            lambda: 5.0,
            n: N,
            epochs,
            eval: EvalSet::Validation,
            monitors,
        };
        let start = CallStart {
            init,
            net: generators.draw(&sizes, init),
            python: generators.python.clone(),
            first_order: order.clone(),
        };
        runs.push(BookRun::new(script, label.to_string(), &call, start, seed));
        generators.replay_shuffles(&mut order, epochs);
    }
    runs
}

/// `overfitting.py`'s `run_network` with `n` training images and
/// `lambda`: `Network([784, 30, 10])` (its default draw discarded),
/// `large_weight_initializer()`, all four monitors on, as `setting` says
/// (the book's: eta 0.5, 400 epochs, the test set).
fn overfitting(script: Script, n: usize, lambda: f64, setting: FullSetting, seed: u32) -> BookRun {
    let sizes = [784, 30, 10];
    let mut generators = Generators::seeded(seed);
    let (net, init) = match setting.start {
        FullStart::DefaultDiscardedThenLarge => {
            generators.draw(&sizes, Init::Default);
            (generators.draw(&sizes, Init::Large), Init::Large)
        }
        FullStart::Default => (generators.draw(&sizes, Init::Default), Init::Default),
        FullStart::LargeFirst => (generators.draw(&sizes, Init::Large), Init::Large),
    };
    let call = Call {
        eta: setting.eta,
        lambda,
        n,
        epochs: setting.epochs,
        eval: setting.eval,
        monitors: Monitors::ALL,
    };
    let start = CallStart {
        init,
        net,
        python: generators.python,
        first_order: (0..n).collect(),
    };
    BookRun::new(script, script.name().to_string(), &call, start, seed)
}

/// A `_full` file's run: `overfitting.py` on all 50,000 images with
/// `lambda` and the arguments of `setting` (the settings tried are in
/// `examples/book_full_search.rs`).
pub fn full(script: Script, lambda: f64, setting: FullSetting, seed: u32) -> BookRun {
    overfitting(script, N, lambda, setting, seed)
}

/// `multiple_eta.py`: for each eta, a new `Network([784, 30, 10])` (drawn
/// from the continuing numpy stream), SGD for 30 epochs with lambda 5 on
/// the one training list (each call continues its shuffles), only the
/// training cost monitored.
fn multiple_eta(seed: u32) -> Vec<BookRun> {
    let sizes = [784, 30, 10];
    let epochs = 30;
    let monitors = Monitors {
        training_cost: true,
        ..Monitors::NONE
    };
    let mut generators = Generators::seeded(seed);
    let mut order: Vec<usize> = (0..N).collect();
    let mut runs = Vec::new();
    for eta in MULTIPLE_ETAS {
        let call = Call {
            eta,
            lambda: 5.0,
            n: N,
            epochs,
            eval: EvalSet::Validation,
            monitors,
        };
        let start = CallStart {
            init: Init::Default,
            net: generators.draw(&sizes, Init::Default),
            python: generators.python.clone(),
            first_order: order.clone(),
        };
        let label = format!("eta {eta}");
        runs.push(BookRun::new(Script::MultipleEta, label, &call, start, seed));
        generators.replay_shuffles(&mut order, epochs);
    }
    runs
}

/// `more_data.py`: `Network([784, 30, 10])` (default draw discarded); for
/// each N, `large_weight_initializer()` and SGD on `training_data[:N]` (a
/// new list in the original order) for 1,500,000 // N epochs with eta 0.5
/// and lambda = N * 0.0001, no monitors; then the validation accuracy.
fn more_data(seed: u32) -> Vec<BookRun> {
    let sizes = [784, 30, 10];
    let mut generators = Generators::seeded(seed);
    generators.draw(&sizes, Init::Default);
    let mut runs = Vec::new();
    for n in MORE_DATA_SIZES {
        let epochs = 1_500_000 / n;
        let call = Call {
            eta: 0.5,
            lambda: n as f64 * 0.0001,
            n,
            epochs,
            eval: EvalSet::Validation,
            monitors: Monitors::NONE,
        };
        let mut order: Vec<usize> = (0..n).collect();
        let start = CallStart {
            init: Init::Large,
            net: generators.draw(&sizes, Init::Large),
            python: generators.python.clone(),
            first_order: order.clone(),
        };
        let label = format!("N {n}");
        runs.push(BookRun::new(Script::MoreData, label, &call, start, seed));
        generators.replay_shuffles(&mut order, epochs);
    }
    runs
}

/// The bundled MNIST as the book's `mnist.pkl.gz` holds it: pixels p / 256.
pub fn book_mnist() -> Result<Mnist> {
    let mnist = Mnist::bundled()?;
    Ok(Mnist {
        training: mnist.training.book_scaled(),
        validation: mnist.validation.book_scaled(),
        test: mnist.test.book_scaled(),
        sha256: mnist.sha256,
    })
}

impl BookRun {
    /// Train this run on `mnist` (from [`book_mnist`]) and collect what
    /// its script records.
    pub fn execute(&self, mnist: &Mnist) -> Result<BookRunResult> {
        let data = self.config.select_data(mnist)?;
        let rearrange = Box::new(PythonShuffle(self.python.clone()));
        let mut result = BookRunResult {
            script: self.script,
            label: self.label.clone(),
            init: self.init,
            config: self.config.clone(),
            monitors: self.monitors,
            lists: SgdLists::default(),
            final_percent: None,
            records: Vec::new(),
        };
        let config = &self.config;
        if self.final_percent_only {
            // No monitors: nothing is scored before the end (the smallest
            // N trains 15,000 epochs), so the run's own loop, which
            // measures every epoch, is not used.
            let order = EpochOrder::Rearranged {
                next: rearrange,
                first: self.first_order.clone(),
            };
            let hyper = config.hyper(&data);
            let mut sgd = Sgd::new(self.net.clone(), hyper, config.batch, order);
            for _ in 0..config.epochs {
                sgd.epoch(&data.training, &mut Unobserved, &mut |_| {});
            }
            let scored =
                evaluate_scored(&sgd.net, &data.evaluation, config.lambda, config.saturated);
            // network2: net.accuracy(validation_data) / 100.0
            result.final_percent = Some(scored.correct as f64 / 100.0);
            return Ok(result);
        }
        let start = Start {
            net: self.net.clone(),
            rearrange,
            first_order: self.first_order.clone(),
        };
        let outcome = run::run_from::<f64>(config, &data, start, &mut Silent)?;
        // Fractions back to counts: correct / count * count, exact after rounding.
        let count = |fraction: f64, of: usize| (fraction * of as f64).round() as u64;
        let (n_eval, n_train) = (data.evaluation.len(), data.training.len());
        let trained = &outcome.records[1..];
        let lists = &mut result.lists;
        for record in trained {
            if self.monitors.evaluation_cost {
                lists.evaluation_cost.push(record.eval_cost);
            }
            if self.monitors.evaluation_accuracy {
                lists
                    .evaluation_accuracy
                    .push(count(record.eval_accuracy, n_eval));
            }
            if self.monitors.training_cost {
                lists
                    .training_cost
                    .push(record.train_cost.expect("monitored"));
            }
            if self.monitors.training_accuracy {
                let accuracy = record.train_accuracy.expect("monitored");
                lists.training_accuracy.push(count(accuracy, n_train));
            }
        }
        result.records = outcome.records;
        Ok(result)
    }
}

/// A script's results in the structure of its published file.
pub fn results_json(script: Script, runs: &[BookRunResult]) -> Value {
    match script {
        Script::WeightInitialization30 | Script::WeightInitialization100 => {
            let mut object = serde_json::Map::new();
            for run in runs {
                object.insert(run.label.clone(), run.lists.to_json());
            }
            Value::Object(object)
        }
        Script::MultipleEta => Value::Array(runs.iter().map(|r| r.lists.to_json()).collect()),
        Script::MoreData => json!(runs.iter().map(|r| r.final_percent).collect::<Vec<_>>()),
        _ => runs[0].lists.to_json(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_are_drawn_as_numpy_draws_them() {
        // np.random.seed(12345678); Network([784, 30, 10]) then
        // large_weight_initializer(), values computed once with numpy 2.
        let mut generators = Generators::seeded(BOOK_SEED);
        let default = generators.draw(&[784, 30, 10], Init::Default);
        assert_eq!(default.biases[0][0], 0.5537081891302397);
        assert_eq!(default.biases[1][9], 0.37817419993694434);
        assert_eq!(default.weights[0][0], -0.019073529346169987);
        assert_eq!(default.weights[1][9 * 30 + 29], 0.2860300505271562);
        let large = generators.draw(&[784, 30, 10], Init::Large);
        assert_eq!(large.biases[0][0], 0.2820399154551225);
        assert_eq!(large.weights[0][0], 0.19638864101660927);
        assert_eq!(large.weights[1][9 * 30 + 29], -0.5363509873081054);
    }

    #[test]
    fn later_calls_start_where_the_script_leaves_the_generators() {
        let runs = plan(Script::WeightInitialization30, BOOK_SEED);
        let mut python = PythonRandom::seeded(u64::from(BOOK_SEED));
        let mut order: Vec<usize> = (0..N).collect();
        for _ in 0..30 {
            python.shuffle(&mut order);
        }
        assert_eq!(runs[1].first_order, order);
        assert_eq!(runs[1].python.clone().random(), python.random());
        // more_data: each N starts from its slice in the original order.
        let runs = plan(Script::MoreData, BOOK_SEED);
        assert_eq!(runs[1].first_order, (0..200).collect::<Vec<_>>());
        assert_eq!(runs[1].config.epochs, 7500);
        assert_eq!(runs[1].config.lambda, 200.0 * 0.0001);
    }
}
