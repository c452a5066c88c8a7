//! The command line: one clap struct per subcommand, and the values its
//! flags take (the library's enums, named as the flags spell them).

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::book::Script;
use crate::data::DataSource;
use crate::net::{Activation, Cost, Init, Saturated};
use crate::run::schedule::Schedule;
use crate::run::{Config, EvalSet, FullGradientAt, Precision};
use crate::train::{Regularization, Rule};

#[derive(Debug, Parser)]
#[command(
    name = "decaylab",
    version,
    about = "Train sigmoid networks on MNIST as network2.py does, and measure how L2 weight decay shapes the weights."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The claims study: run the experiments that decide the four claims
    /// about weight decay and write a report (HTML, Markdown, JSON).
    Claims(ClaimsArgs),
    /// Train one network by SGD with L2 regularization:
    /// w -> (1 - eta*lambda/n) w - (eta/m) sum_x dC_x/dw.
    #[command(allow_negative_numbers = true)]
    Train(Box<TrainArgs>),
    /// Time full training epochs (50,000 examples, one thread): the median
    /// of several after a warm-up epoch.
    Bench(BenchArgs),
    /// Per-layer statistics of a saved network (network2 JSON) beside
    /// 1/sqrt(n_in), 1/sqrt(n_w) and 1/n_w.
    Inspect(InspectArgs),
    /// Reproduce the book's chapter-3 results: run a figure script as
    /// network2.py runs it, compare with the published file, and measure
    /// the runs with the probes.
    #[command(allow_negative_numbers = true)]
    Book(BookArgs),
    /// The L2 optimum: minimize the full-batch objective J = C_0 +
    /// (lambda/2n) sum |w|^2 (biases not decayed) from a saved network by
    /// L-BFGS, and show per layer how far it is from stationary.
    #[command(allow_negative_numbers = true)]
    Optimum(OptimumArgs),
    /// The playground: a page that trains a network live and shows the
    /// weights decay epoch by epoch (claims 1 and 2 decided as it goes),
    /// for a classroom. Everything it needs comes from the binary.
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The port to listen on (0: a free one, printed on start).
    #[arg(short, long, default_value_t = 0)]
    pub port: u16,
    /// The address to listen on. The default serves this machine only;
    /// another (0.0.0.0: every network the machine is on) lets anyone who
    /// can reach it train networks here, as many at once as it has cores.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// Open the page in the default browser once the server is up.
    #[arg(long)]
    pub open: bool,
}

/// `decaylab train`'s arguments from its flags (`--eta 0.5 ...`): the
/// playground's runs take the same path as the command's.
pub fn train_args(flags: &[String]) -> Result<TrainArgs, clap::Error> {
    let line = ["decaylab", "train"]
        .into_iter()
        .map(String::from)
        .chain(flags.iter().cloned());
    match Cli::try_parse_from(line)?.command {
        Command::Train(args) => Ok(*args),
        _ => Err(clap::Error::raw(
            clap::error::ErrorKind::InvalidSubcommand,
            "expected the flags of train",
        )),
    }
}

#[derive(Debug, Args)]
pub struct BookArgs {
    /// The published file to reproduce.
    #[arg(
        value_name = "NAME",
        value_parser = script_parser(),
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    pub name: Option<Script>,
    /// All eight files, their runs side by side.
    #[arg(long)]
    pub all: bool,
    /// Output directory: NAME.json, NAME.svg, comparison.md, book.md.
    #[arg(short, long, value_name = "DIR", default_value = "book")]
    pub out: PathBuf,
    /// Runs side by side (default: all cores). Results do not depend on it.
    #[arg(short, long)]
    pub jobs: Option<usize>,
    /// Seed both generators with S instead of the scripts' 12345678; the
    /// comparison is still shown, but does not decide the exit status.
    #[arg(long, value_name = "S", value_parser = parse_seed)]
    pub seed: Option<u32>,
}

/// A script by its name (`Script::name`), each name described in --help.
fn script_parser() -> impl TypedValueParser<Value = Script> {
    let names = Script::ALL.map(|script| PossibleValue::new(script.name()).help(script.about()));
    PossibleValuesParser::new(names)
        .map(|name| Script::from_name(&name).expect("clap accepts only the scripts' names"))
}

/// A seed for np.random.seed and random.seed: an integer from 0 to 2^32 - 1.
fn parse_seed(text: &str) -> Result<u32, String> {
    text.parse().map_err(|_| {
        format!(
            "{text:?}; expected an integer from 0 to {} (np.random.seed takes 32 bits)",
            u32::MAX
        )
    })
}

/// The first seed of a study: an integer from 0 to 2^64 - 1 (a negative
/// one is read as a value, to be refused as out of range, not as a flag).
fn parse_seed_base(text: &str) -> Result<u64, String> {
    text.parse()
        .map_err(|_| format!("{text:?}; expected an integer from 0 to {}", u64::MAX))
}

#[derive(Debug, Args)]
pub struct ClaimsArgs {
    /// Output directory: report.html, report.md, claims.json, plots/ and
    /// runs/. If it holds an earlier study, its finished runs (same
    /// configuration) are reused and only the rest are run.
    #[arg(short, long, value_name = "DIR", default_value = "report")]
    pub out: PathBuf,
    /// Shrink the experiments (one seed, one run per sweep, three scaling
    /// runs) to finish in about half a minute; the report says so.
    #[arg(long, conflicts_with = "deep")]
    pub quick: bool,
    /// The full study for a cluster: each sweep run trained for five
    /// relaxation times m/(eta*lambda) however long (lambda 0.05: up to
    /// 10,000 epochs), and
    /// the noise law's branches averaged over three relaxation times, not
    /// one. Hours of CPU: shard it (--shard).
    #[arg(long)]
    pub deep: bool,
    /// Seeds per configuration (full mode; --quick uses one).
    #[arg(long, default_value_t = 3)]
    pub seeds: usize,
    /// The first seed: the runs use seeds S, S+1, ... (--quick: S alone),
    /// so the verdicts can be checked on fresh seeds (--seed-base 4). The
    /// default 1 counts the seeds from 1, none of them train's default 0;
    /// it was fixed before any run and nothing is tuned on it.
    #[arg(long, value_name = "S", default_value_t = 1, allow_negative_numbers = true, value_parser = parse_seed_base)]
    pub seed_base: u64,
    /// Trainings run side by side (default: all cores). Results do not
    /// depend on it.
    #[arg(short, long)]
    pub jobs: Option<usize>,
    /// Overlay per-epoch validation accuracies from a JSON file written by
    /// network2-based scripts: {"name": [eval_costs, eval_accuracies,
    /// train_costs, train_accuracies]}, accuracies as counts out of 10,000.
    #[arg(long, value_name = "FILE")]
    pub reference: Option<PathBuf>,
    /// Also run the book's own examples (chapter 3's weight-initialization
    /// runs, as network2.py runs them) with the probes, and read the claims
    /// off them beside the study's runs.
    #[arg(long)]
    pub book: bool,
    /// Run only shard I of N (1-based) of the study's runs, into the same
    /// DIR, and write no report: for a Slurm job array or a Kubernetes
    /// indexed Job sharing DIR. Run k of the plan (0-based) is in shard
    /// k mod N + 1. "auto" takes I and N from SLURM_ARRAY_TASK_ID,
    /// SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_STEP and
    /// SLURM_ARRAY_TASK_COUNT, or I from JOB_COMPLETION_INDEX with
    /// --shard-count N.
    #[arg(long, value_name = "I/N|auto")]
    pub shard: Option<String>,
    /// N for --shard auto under Kubernetes (JOB_COMPLETION_INDEX); refused
    /// elsewhere.
    #[arg(long, value_name = "N", requires = "shard")]
    pub shard_count: Option<usize>,
    /// Train nothing: write the report from the finished runs in DIR, or
    /// say which runs are missing.
    #[arg(long, conflicts_with = "shard")]
    pub report_only: bool,
    /// Run the study a study file (TOML) describes: its mode, seeds and
    /// setups beyond the book's. --print-config writes one to start from.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["quick", "deep", "seeds", "seed_base"])]
    pub config: Option<PathBuf>,
    /// Print the study file of the study the other flags describe (the
    /// built-in setups beyond the book's included) and exit.
    #[arg(long, conflicts_with_all = ["config", "report_only", "shard", "reference", "book"])]
    pub print_config: bool,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// A network in network2.py's JSON format (e.g. from `train --save`).
    pub net: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Layer sizes; the first must be 784, 196 or 49 (pool 1, 2 or 4).
    #[arg(long, value_delimiter = ',', default_value = "784,30,10")]
    pub sizes: Vec<usize>,
    /// Mini-batch size m.
    #[arg(long, default_value_t = 10)]
    pub batch: usize,
    #[arg(long, value_enum, default_value_t = PrecisionArg::F32)]
    pub precision: PrecisionArg,
    /// Measure with the probes on (norm budget, displacements, gradient signal).
    #[arg(long)]
    pub probes: bool,
    /// Epochs measured after the warm-up epoch.
    #[arg(long, default_value_t = 5)]
    pub epochs: usize,
    /// Print one JSON object instead of a sentence.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Layer sizes n_0,n_1,...,n_L; n_0 must be the number of pixels
    /// (784, or 196 / 49 with --pool 2 / 4); n_L = 10 digits.
    #[arg(long, value_delimiter = ',', default_value = "784,30,10")]
    pub sizes: Vec<usize>,

    /// Cost C: cross-entropy (output error a - y), quadratic (output error
    /// (a - y) sigma'(z)) or log-likelihood (C_x = -ln a_y with a softmax
    /// output layer; output error a - y).
    #[arg(long, value_enum, default_value_t = CostArg::CrossEntropy)]
    pub cost: CostArg,

    /// The hidden neurons: sigmoid (network2's) or tanh, tanh(z) = 2
    /// sigma(2z) - 1. The output layer stays sigmoid (softmax with the
    /// log-likelihood): the costs read its outputs as probabilities.
    #[arg(long, value_enum, default_value_t = ActivationArg::Sigmoid)]
    pub activation: ActivationArg,

    /// Weight initialization: large = N(0, 1) for every weight (the
    /// "standard Gaussian"); default = N(0, 1/n_in), n_in the inputs of the
    /// neuron. Biases are N(0, 1) in both.
    #[arg(long, value_enum, default_value_t = InitArg::Default)]
    pub init: InitArg,

    /// Learning rate eta.
    #[arg(long, default_value_t = 0.1)]
    pub eta: f64,

    /// Regularization parameter lambda: each step multiplies the weights by
    /// 1 - eta*lambda/n before the gradient step (0 = no regularization).
    /// [default: 5; 0 with the decoupled rules, sgdw and adamw, whose
    /// decay is --weight-decay]
    #[arg(long = "lambda", value_name = "LAMBDA")]
    pub lambda: Option<f64>,

    /// The update rule: sgd (network2's), momentum (the book's
    /// momentum-based gradient descent, the penalty inside the velocity),
    /// sgdw (SGD with decoupled weight decay), adam (the penalty in the
    /// gradient, as torch.optim.Adam's weight_decay), adamw (decoupled, as
    /// torch.optim.AdamW). Biases are never decayed.
    #[arg(long, value_enum, default_value_t = OptimizerArg::Sgd)]
    pub optimizer: OptimizerArg,

    /// Momentum's coefficient mu in [0, 1) (--optimizer momentum; default 0.9).
    #[arg(long, value_name = "MU")]
    pub momentum: Option<f64>,

    /// The decoupled weight decay D: each step takes eta*D of every weight
    /// (--optimizer sgdw or adamw; PyTorch's weight_decay). Default 5/n,
    /// network2's lambda/n at lambda 5: sgdw then is network2's rule.
    #[arg(long, value_name = "D")]
    pub weight_decay: Option<f64>,

    /// Adam's first-moment decay (--optimizer adam or adamw; default 0.9).
    #[arg(long)]
    pub beta1: Option<f64>,

    /// Adam's second-moment decay (--optimizer adam or adamw; default 0.999).
    #[arg(long)]
    pub beta2: Option<f64>,

    /// Adam's eps, added to the root of the second moment (--optimizer adam
    /// or adamw; default 1e-8).
    #[arg(long)]
    pub adam_eps: Option<f64>,

    /// The penalty taken through the gradient: l2, (lambda/2n) sum w^2, or
    /// l1, (lambda/n) sum |w| (with sgd, momentum or adam).
    #[arg(long, value_enum, default_value_t = RegularizationArg::L2)]
    pub regularization: RegularizationArg,

    /// Mini-batch size m (the last batch of an epoch holds what is left).
    #[arg(long, default_value_t = 10)]
    pub batch: usize,

    /// Number of epochs, each one pass over the n training examples.
    #[arg(long, default_value_t = 30)]
    pub epochs: usize,

    /// Seed of the generator that draws the initial weights and shuffles
    /// every epoch: the same seed gives the same bits. Any fixed default
    /// would do; 0 is not one of the study's default seeds (1 to 3).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Train on the first N training examples only (n = N; default all 50,000).
    #[arg(long, value_name = "N")]
    pub train_size: Option<usize>,

    /// Read the four MNIST-named IDX files (gzip or raw) from DIR instead of
    /// the bundled MNIST; Fashion-MNIST works as is.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,

    /// Average-pool the images over POOL x POOL squares: 1 (28x28 = 784
    /// inputs), 2 (14x14 = 196) or 4 (7x7 = 49).
    #[arg(long, default_value_t = 1)]
    pub pool: usize,

    /// Multiply every input (after pooling) by C: x -> C x, which changes
    /// the inputs' norm |x| and not their number n_in.
    #[arg(long, value_name = "C", default_value_t = 1.0)]
    pub input_scale: f64,

    /// The set scored every epoch: validation (last 10,000 of the train
    /// file) or test (the t10k file).
    #[arg(long, value_enum, default_value_t = EvalArg::Validation)]
    pub eval: EvalArg,

    /// Also score the training set every epoch (costs about half an epoch).
    #[arg(long)]
    pub monitor_training: bool,

    /// Floating-point precision of the network and its arithmetic. Without
    /// it: f32, or f64 where eta*lambda/n is below 1e-5, which f32 cannot
    /// apply (each step's decay is rounded to the nearest f32: at 1e-7
    /// about 4% of it is lost, at 1e-8 all of it). Given as f32 there, it
    /// is honoured with a warning
    #[arg(long, value_enum)]
    pub precision: Option<PrecisionArg>,

    /// Write one JSON line per epoch (epoch 0 = before training) to FILE.
    #[arg(long, value_name = "FILE")]
    pub metrics: Option<PathBuf>,

    /// Write the same measurements as CSV, one flat row per epoch
    /// (histograms left out), for spreadsheets and pandas.
    #[arg(long, value_name = "FILE")]
    pub metrics_csv: Option<PathBuf>,

    /// Switch the gradient term off: every step is w -> (1 - eta*lambda/n) w
    /// alone, the pure decay of claim 2.
    #[arg(long)]
    pub decay_only: bool,

    /// Skip the probes (norm budget decay/drift/noise, offset fraction,
    /// displacements, gradient signal, histograms). They never change the
    /// trajectory; off, they cost nothing.
    #[arg(long)]
    pub no_probes: bool,

    /// Measure the full-batch gradient of the data cost on the training set
    /// after every epoch (full_gradient in the metrics: its size, the L2
    /// term's, their cosine, the noise it predicts); about one more epoch
    /// of passes each time.
    #[arg(long)]
    pub full_gradient: bool,

    /// Stop before --epochs once every weight layer has settled: its offset
    /// fraction, smoothed over 3 epochs, within 1 +/- 0.05 for 5 epochs in a
    /// row (after at least 10 epochs). Needs the probes and lambda > 0.
    #[arg(long)]
    pub stop_when_settled: bool,

    /// Stop once the validation accuracy has not improved for N epochs
    /// (no-improvement-in-N; with --schedule halve, N epochs without
    /// improvement halve eta instead).
    #[arg(long, value_name = "N")]
    pub early_stop: Option<usize>,

    /// How eta changes: constant (network2's), or halve: halve it each
    /// time no-improvement-in-N fires (N from --early-stop, else 10), and
    /// stop when the next halving would bring it to eta/128 (the book's
    /// exercise).
    #[arg(long, value_enum, default_value_t = ScheduleArg::Constant)]
    pub schedule: ScheduleArg,

    /// Bins of the weight histograms, over +-4 times each layer's rms at epoch 0.
    #[arg(long, default_value_t = 100)]
    pub histogram_bins: usize,

    /// Save the trained network to FILE in network2.py's JSON format.
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,

    /// Start from a network saved by network2.py (or by --save) instead of a
    /// fresh initialization; its sizes replace --sizes.
    #[arg(long, value_name = "FILE")]
    pub load: Option<PathBuf>,

    /// After every epoch, write the whole state of the run (network,
    /// generator, metrics so far) to FILE, atomically.
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,

    /// Continue the run saved in FILE by --checkpoint. Give the same flags as
    /// the run that wrote it (--epochs counts from the start and may be
    /// larger); the result is bit-identical to a run never stopped.
    #[arg(long, value_name = "FILE")]
    pub resume: Option<PathBuf>,
}

impl TrainArgs {
    /// The run these flags describe. Without `--precision` it is f32 here;
    /// `commands::train` applies the rule ([`Precision::for_decay`]) once
    /// the data has told n.
    pub fn config(&self) -> Config {
        Config {
            sizes: self.sizes.clone(),
            cost: self.cost.into(),
            init: self.init.into(),
            eta: self.eta,
            lambda: self.lambda.unwrap_or(5.0),
            batch: self.batch,
            epochs: self.epochs,
            seed: self.seed,
            train_size: self.train_size,
            data: match &self.data {
                Some(dir) => DataSource::Directory(dir.clone()),
                None => DataSource::Bundled,
            },
            pool: self.pool,
            input_scale: self.input_scale,
            eval: self.eval.into(),
            monitor_training: self.monitor_training,
            precision: self.precision.map_or(Precision::F32, Precision::from),
            load: self.load.clone(),
            decay_only: self.decay_only,
            probes: !self.no_probes,
            histogram_bins: self.histogram_bins,
            full_gradient: if self.full_gradient {
                FullGradientAt::Every
            } else {
                FullGradientAt::Never
            },
            stop_when_settled: self.stop_when_settled,
            tail_average_from: None,
            rule: Rule::default(),
            early_stop: self.early_stop,
            hidden: match self.activation {
                ActivationArg::Sigmoid => Activation::Sigmoid,
                ActivationArg::Tanh => Activation::Tanh,
            },
            schedule: match self.schedule {
                ScheduleArg::Constant => Schedule::Constant,
                ScheduleArg::Halve => Schedule::Halve,
            },
            saturated: Saturated::Floor,
        }
    }
}

/// `--cost`: [`Cost`], as the flag spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CostArg {
    /// C_x = -sum_j [y_j ln a_j + (1 - y_j) ln(1 - a_j)] (network2's default).
    CrossEntropy,
    /// C_x = |a - y|^2 / 2.
    Quadratic,
    /// C_x = -ln a_y, with a softmax output layer (the book's chapter 3).
    LogLikelihood,
}

impl From<CostArg> for Cost {
    fn from(arg: CostArg) -> Cost {
        match arg {
            CostArg::CrossEntropy => Cost::CrossEntropy,
            CostArg::Quadratic => Cost::Quadratic,
            CostArg::LogLikelihood => Cost::LogLikelihood,
        }
    }
}

impl From<Cost> for CostArg {
    fn from(cost: Cost) -> CostArg {
        match cost {
            Cost::CrossEntropy => CostArg::CrossEntropy,
            Cost::Quadratic => CostArg::Quadratic,
            Cost::LogLikelihood => CostArg::LogLikelihood,
        }
    }
}

impl CostArg {
    /// The value as `--cost` takes it (`cross-entropy`).
    pub fn flag_value(self) -> String {
        self.to_possible_value()
            .map_or_else(String::new, |v| v.get_name().to_string())
    }
}

/// `--init`: [`Init`], as the flag spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InitArg {
    /// Every weight ~ N(0, 1): network2's `large_weight_initializer`, the
    /// "standard Gaussian" of the question.
    Large,
    /// Weights into a neuron with n_in inputs ~ N(0, 1/n_in): network2's
    /// `default_weight_initializer`.
    Default,
}

impl From<InitArg> for Init {
    fn from(arg: InitArg) -> Init {
        match arg {
            InitArg::Large => Init::Large,
            InitArg::Default => Init::Default,
        }
    }
}

/// `--eval`: [`EvalSet`], as the flag spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvalArg {
    /// The last 10,000 images of the train file.
    Validation,
    /// The t10k file.
    Test,
}

impl From<EvalArg> for EvalSet {
    fn from(arg: EvalArg) -> EvalSet {
        match arg {
            EvalArg::Validation => EvalSet::Validation,
            EvalArg::Test => EvalSet::Test,
        }
    }
}

/// `--optimizer`: the [`Optimizer`](crate::train::Optimizer) a run steps by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OptimizerArg {
    /// network2's SGD.
    Sgd,
    /// The book's momentum-based gradient descent.
    Momentum,
    /// SGD with decoupled weight decay.
    Sgdw,
    /// Adam, the penalty in the gradient.
    Adam,
    /// Adam with decoupled weight decay.
    Adamw,
}

/// `--activation`: the hidden neurons' [`Activation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ActivationArg {
    /// sigma(z) = 1 / (1 + e^-z).
    Sigmoid,
    /// tanh(z).
    Tanh,
}

/// `--schedule`: how eta changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScheduleArg {
    /// eta as given, every epoch.
    Constant,
    /// Halved at each no-improvement-in-N, down to eta/128.
    Halve,
}

/// `--regularization`: [`Regularization`], as the flag spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RegularizationArg {
    /// (lambda/2n) sum w^2.
    L2,
    /// (lambda/n) sum |w|.
    L1,
}

impl From<RegularizationArg> for Regularization {
    fn from(arg: RegularizationArg) -> Regularization {
        match arg {
            RegularizationArg::L2 => Regularization::L2,
            RegularizationArg::L1 => Regularization::L1,
        }
    }
}

/// `--precision`: [`Precision`], as the flag spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PrecisionArg {
    /// Single precision (the default).
    F32,
    /// Double precision, as numpy trains network2.
    F64,
}

impl From<PrecisionArg> for Precision {
    fn from(arg: PrecisionArg) -> Precision {
        match arg {
            PrecisionArg::F32 => Precision::F32,
            PrecisionArg::F64 => Precision::F64,
        }
    }
}

#[derive(Debug, Args)]
pub struct OptimumArgs {
    /// The starting network, in network2.py's JSON format (e.g. from
    /// `train --save`); its cost (cross-entropy or quadratic) is C_x.
    #[arg(long, value_name = "FILE")]
    pub load: PathBuf,

    /// Regularization parameter lambda of J = C_0 + (lambda/2n) sum |w|^2.
    #[arg(long = "lambda", value_name = "L")]
    pub lambda: f64,

    /// J over the first N training examples only (n = N; default all
    /// 50,000), the examples `train --train-size N` trains on.
    #[arg(long, value_name = "N")]
    pub train_size: Option<usize>,

    /// Read the four MNIST-named IDX files (gzip or raw) from DIR instead of
    /// the bundled MNIST. The images are pooled to the network's first
    /// layer (784, 196 or 49 inputs: pool 1, 2 or 4).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,

    /// Stop once |grad J| (weights and biases) is at most G.
    #[arg(long, value_name = "G", default_value_t = crate::optimum::Settings::default().gradient_tolerance)]
    pub tolerance: f64,

    /// Stop after K iterations of L-BFGS at most (each about one
    /// full-batch forward and backward pass).
    #[arg(long, value_name = "K", default_value_t = crate::optimum::Settings::default().max_iterations)]
    pub max_iterations: usize,

    /// L-BFGS's memory: the number of past steps its curvature estimate uses.
    #[arg(long, value_name = "M", default_value_t = crate::optimum::Settings::default().memory)]
    pub memory: usize,

    /// Write the network reached to FILE in network2.py's JSON format.
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,

    /// Write every iteration's J, |grad J| and layer rms to FILE (CSV).
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,

    /// Print one JSON object instead of tables: "cost" is J (the data
    /// term C_0 alone is "data_cost"), "grad_norm" |grad J|, per layer
    /// "rms", "norm", "cosine" = cos(w, -grad C_0) and "data_term" =
    /// -w . grad C_0, and "identity" the two sides |w|^2 and (n/lambda)
    /// (-w . grad C_0).
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command that writes a directory has a default one: `claims`
    /// alone is the README's `claims --out report`, `book` alone `--out book`.
    #[test]
    fn the_output_directories_have_defaults() {
        let out = |line: &[&str]| match Cli::try_parse_from(line).unwrap().command {
            Command::Claims(args) => args.out,
            Command::Book(args) => args.out,
            _ => unreachable!(),
        };
        assert_eq!(out(&["decaylab", "claims"]), PathBuf::from("report"));
        assert_eq!(out(&["decaylab", "claims", "-o", "x"]), PathBuf::from("x"));
        assert_eq!(out(&["decaylab", "book", "--all"]), PathBuf::from("book"));
    }
}
