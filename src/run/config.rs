//! One value describes a training run: what the command line asks for, what a
//! study plans, what a checkpoint stores and what a report prints.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::data::{DataSource, Dataset, Mnist};
use crate::error::{Error, Result, Setting};
use crate::net::{Activation, Cost, Init, Saturated};
use crate::train::{Hyper, Optimizer, Regularization, Rule};

use super::Precision;
use super::schedule::Schedule;

/// Which set the per-epoch accuracy and cost are measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EvalSet {
    /// The last 10,000 images of the train file.
    Validation,
    /// The t10k file.
    Test,
}

/// When a run measures the full-batch gradient of the data cost on its
/// training set (see `probes::gradient`; it costs about one epoch's forward
/// and backward passes each time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FullGradientAt {
    /// Not at all.
    #[default]
    Never,
    /// After the last epoch (the study's runs).
    End,
    /// After every epoch (`train --full-gradient`).
    Every,
}

/// Everything that defines a run: the network, the hyperparameters, the
/// data, the seed and what is measured. The same config gives the same bits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// Layer sizes [n_0, ..., n_L]; n_0 must equal the number of pixels.
    pub sizes: Vec<usize>,
    /// The cost C_x trained on.
    pub cost: Cost,
    /// How the weights are drawn.
    pub init: Init,
    /// Learning rate eta.
    pub eta: f64,
    /// Regularization parameter lambda (the decay per step is eta*lambda/n).
    pub lambda: f64,
    /// Mini-batch size m.
    pub batch: usize,
    /// Epochs to train, counted from the start of the run.
    pub epochs: usize,
    /// Seeds the initialization and every epoch's shuffle.
    pub seed: u64,
    /// n: train on the first n training examples (all 50,000 when None).
    pub train_size: Option<usize>,
    /// The bundled MNIST or a directory of IDX files.
    pub data: DataSource,
    /// Average-pool the images over pool x pool squares (1 = none).
    pub pool: usize,
    /// c of x -> c x: every input (after pooling) multiplied by c, to vary
    /// the inputs' norm |x| apart from their number n_in (1 = none).
    #[serde(default = "unscaled", skip_serializing_if = "is_unscaled")]
    pub input_scale: f64,
    /// The set scored each epoch.
    pub eval: EvalSet,
    /// Also score the training set every epoch (network2's monitor_training_*).
    pub monitor_training: bool,
    /// f32 or f64.
    pub precision: Precision,
    /// Start from this network2 JSON file instead of a fresh initialization.
    pub load: Option<PathBuf>,
    /// Switch the gradient term off: w <- w - (eta*lambda/n) w only (claim 2a).
    pub decay_only: bool,
    /// Measure the norm budget, displacements, gradient signal and
    /// histograms every epoch (they never change the trajectory).
    pub probes: bool,
    /// Bins of the weight histograms.
    pub histogram_bins: usize,
    /// When to measure the full-batch gradient (`EpochRecord::full_gradient`).
    pub full_gradient: FullGradientAt,
    /// Stop before `epochs` once every weight layer has settled (its offset
    /// fraction near 1 for several epochs: see [`super::settle`]).
    pub stop_when_settled: bool,
    /// Also keep the tail average of the network (Polyak's average, sampled
    /// once per epoch): the mean of the weights and biases at the ends of
    /// epochs from this one to the last, measured after the last epoch
    /// (`EpochRecord::tail_average`). Written only when set, so that the
    /// configurations of runs without it read as before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tail_average_from: Option<usize>,
    /// The update rule: network2's SGD with L2 unless set (written only
    /// then, so that the configurations of network2's rule read as before
    /// it existed).
    #[serde(default, skip_serializing_if = "Rule::is_network2")]
    pub rule: Rule,
    /// Stop once the validation accuracy has not improved for this many
    /// epochs (no-improvement-in-N; see [`super::schedule`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub early_stop: Option<usize>,
    /// How eta changes: constant (network2's), or halved at each
    /// no-improvement-in-N (N = `early_stop`, else 10) down to eta/128.
    #[serde(default, skip_serializing_if = "Schedule::is_constant")]
    pub schedule: Schedule,
    /// The hidden layers' activation (network2's sigmoid unless set).
    #[serde(default, skip_serializing_if = "Activation::is_sigmoid")]
    pub hidden: Activation,
    /// How the measured cross-entropy charges a saturated output (the book
    /// mode scores as network2 does).
    #[serde(default)]
    pub saturated: Saturated,
}

fn unscaled() -> f64 {
    1.0
}

/// Configurations of unscaled inputs are written without `input_scale`,
/// as before it existed.
fn is_unscaled(c: &f64) -> bool {
    *c == 1.0
}

impl Default for Config {
    /// The base run: [784, 30, 10], cross-entropy, network2's default
    /// initialization, eta 0.1, lambda 5.0, m 10, 30 epochs, probes on.
    fn default() -> Config {
        Config {
            sizes: vec![784, 30, 10],
            cost: Cost::CrossEntropy,
            init: Init::Default,
            eta: 0.1,
            lambda: 5.0,
            batch: 10,
            epochs: 30,
            seed: 1,
            train_size: None,
            data: DataSource::Bundled,
            pool: 1,
            input_scale: 1.0,
            eval: EvalSet::Validation,
            monitor_training: false,
            precision: Precision::F32,
            load: None,
            decay_only: false,
            probes: true,
            histogram_bins: 100,
            full_gradient: FullGradientAt::Never,
            stop_when_settled: false,
            tail_average_from: None,
            rule: Rule::default(),
            early_stop: None,
            schedule: Schedule::Constant,
            hidden: Activation::Sigmoid,
            saturated: Saturated::Floor,
        }
    }
}

/// The sets a run trains on and is scored on.
#[derive(Debug, Clone)]
pub struct RunData {
    /// The n training examples.
    pub training: Dataset,
    /// The set `eval_accuracy` and `eval_cost` are measured on.
    pub evaluation: Dataset,
}

/// More bins than this would make every metrics line megabytes long.
pub const MAX_HISTOGRAM_BINS: usize = 100_000;

/// Copies of the weights a run holds at once: the network, the kernels'
/// layout, the weights before the epoch, the probes' sums, the
/// checkpoint's f64 copy (counted as two), and the saved network's text.
const WEIGHT_COPIES: u64 = 8;

impl Config {
    /// Refuse sizes whose weights overflow, or do not fit in the machine's
    /// memory, before anything is allocated.
    fn check_memory(&self) -> Result<()> {
        let n_w = crate::net::weight_count(&self.sizes).ok_or_else(|| {
            Error::bad_setting(
                Setting::Sizes,
                format!("{:?}: the number of weights overflows 64 bits", self.sizes),
            )
        })?;
        let bytes_per_weight = match self.precision {
            Precision::F32 => 4,
            Precision::F64 => 8,
        };
        let weights = (n_w as u64).saturating_mul(bytes_per_weight * WEIGHT_COPIES);
        // The records kept in memory, one per epoch: about a kilobyte of
        // numbers per layer, and the histograms' counts.
        let layers = self.sizes.len() as u64;
        let histograms = if self.probes {
            (self.histogram_bins as u64).saturating_mul(8 * layers)
        } else {
            0
        };
        let records = (self.epochs as u64)
            .saturating_add(1)
            .saturating_mul(histograms.saturating_add(1024 * layers));
        let Some(have) = crate::input::machine_memory() else {
            return Ok(());
        };
        let gib = |bytes: u64| bytes as f64 / (1u64 << 30) as f64;
        let too_much = |setting: Setting, what: String, bytes: u64| {
            Error::bad_setting(
                setting,
                format!(
                    "{what} need about {:.1} GiB, more than this machine's {:.1} GiB",
                    gib(bytes),
                    gib(have)
                ),
            )
        };
        if records > have {
            let what = format!("{}: the records of that many epochs", self.epochs);
            return Err(too_much(Setting::Epochs, what, records));
        }
        if weights > have {
            let what = format!("{:?}: {n_w} weights", self.sizes);
            return Err(too_much(Setting::Sizes, what, weights));
        }
        Ok(())
    }

    /// n_w, the number of weights (biases not counted); `usize::MAX` for
    /// sizes whose count overflows, which `validate` refuses.
    pub fn weight_count(&self) -> usize {
        crate::net::weight_count(&self.sizes).unwrap_or(usize::MAX)
    }

    /// The update rule's constants for a run on `data`: eta, lambda and
    /// n, the number of its training examples.
    pub fn hyper(&self, data: &RunData) -> Hyper {
        Hyper {
            eta: self.eta,
            lambda: self.lambda,
            n: data.training.len(),
        }
    }

    /// Check the values that make sense on their own.
    pub fn validate(&self) -> Result<()> {
        if self.sizes.len() < 2 || self.sizes.contains(&0) {
            return Err(Error::bad_setting(
                Setting::Sizes,
                format!(
                    "{:?}; expected at least two layer sizes, each at least 1 (e.g. 784,30,10)",
                    self.sizes
                ),
            ));
        }
        if !(self.eta > 0.0 && self.eta.is_finite()) {
            return Err(Error::bad_setting(
                Setting::Eta,
                format!("{}; expected a learning rate > 0", self.eta),
            ));
        }
        if !(self.lambda >= 0.0 && self.lambda.is_finite()) {
            return Err(Error::bad_setting(
                Setting::Lambda,
                format!("{}; expected a regularization parameter >= 0", self.lambda),
            ));
        }
        if self.batch == 0 {
            return Err(Error::bad_setting(
                Setting::Batch,
                "0; expected a mini-batch size >= 1",
            ));
        }
        if self.epochs == 0 {
            return Err(Error::bad_setting(
                Setting::Epochs,
                "0; expected at least 1 epoch",
            ));
        }
        if self.train_size == Some(0) {
            return Err(Error::bad_setting(
                Setting::TrainSize,
                "0; expected at least 1 example",
            ));
        }
        if !(1..=MAX_HISTOGRAM_BINS).contains(&self.histogram_bins) {
            return Err(Error::bad_setting(
                Setting::HistogramBins,
                format!(
                    "{}; expected 1 to {MAX_HISTOGRAM_BINS} bins",
                    self.histogram_bins
                ),
            ));
        }
        self.check_memory()?;
        if self.stop_when_settled && self.epochs <= super::settle::MIN_EPOCHS {
            return Err(Error::bad_setting(
                Setting::Epochs,
                format!(
                    "{} with stopping when settled; a run stops when settled only after at least {} epochs, so expected a cap above {}",
                    self.epochs,
                    super::settle::MIN_EPOCHS,
                    super::settle::MIN_EPOCHS
                ),
            ));
        }
        if self.stop_when_settled && !self.probes {
            return Err(Error::bad_setting(
                Setting::StopWhenSettled,
                "the settling is measured by the probes, which are off; expected the probes on",
            ));
        }
        if !(self.input_scale.is_finite() && self.input_scale > 0.0) {
            return Err(Error::bad_setting(
                Setting::InputScale,
                format!("{}; expected a finite factor above 0", self.input_scale),
            ));
        }
        self.validate_rule()?;
        if self.early_stop == Some(0) {
            return Err(Error::bad_setting(
                Setting::EarlyStop,
                "0; expected at least 1 epoch without improvement",
            ));
        }
        if ![1, 2, 4].contains(&self.pool) {
            return Err(Error::bad_setting(
                Setting::Pool,
                format!(
                    "{}; expected 1, 2 or 4 (28x28 -> 28, 14 or 7 pixels a side)",
                    self.pool
                ),
            ));
        }
        Ok(())
    }

    /// Refuse a rule's constants out of their range, and what the rule
    /// cannot do: L1 or lambda with a decoupled rule, whose decay is its
    /// weight decay.
    fn validate_rule(&self) -> Result<()> {
        let unit = |setting: Setting, value: f64, what: &str| -> Result<()> {
            if (0.0..1.0).contains(&value) {
                Ok(())
            } else {
                Err(Error::bad_setting(
                    setting,
                    format!("{value}; expected {what} in [0, 1)"),
                ))
            }
        };
        let decay = |value: f64| -> Result<()> {
            if value >= 0.0 && value.is_finite() {
                Ok(())
            } else {
                Err(Error::bad_setting(
                    Setting::WeightDecay,
                    format!("{value}; expected a finite weight decay >= 0"),
                ))
            }
        };
        let adam = |beta1: f64, beta2: f64, eps: f64| -> Result<()> {
            unit(Setting::Beta1, beta1, "a first-moment decay")?;
            unit(Setting::Beta2, beta2, "a second-moment decay")?;
            if eps > 0.0 && eps.is_finite() {
                Ok(())
            } else {
                Err(Error::bad_setting(
                    Setting::AdamEps,
                    format!("{eps}; expected a finite eps > 0"),
                ))
            }
        };
        match self.rule.optimizer {
            Optimizer::Sgd => {}
            Optimizer::Momentum { mu } => unit(Setting::Momentum, mu, "a momentum coefficient")?,
            Optimizer::Sgdw { weight_decay } => decay(weight_decay)?,
            Optimizer::Adam { beta1, beta2, eps } => adam(beta1, beta2, eps)?,
            Optimizer::AdamW {
                beta1,
                beta2,
                eps,
                weight_decay,
            } => {
                adam(beta1, beta2, eps)?;
                decay(weight_decay)?
            }
        }
        let decoupled = matches!(
            self.rule.optimizer,
            Optimizer::Sgdw { .. } | Optimizer::AdamW { .. }
        );
        if decoupled && self.rule.regularization == Regularization::L1 {
            return Err(Error::bad_setting(
                Setting::Regularization,
                "l1 with a decoupled rule (sgdw, adamw), whose decay is its weight decay; expected l2 (the default), or the rule sgd, momentum or adam",
            ));
        }
        if decoupled && self.lambda != 0.0 {
            return Err(Error::bad_setting(
                Setting::Lambda,
                format!(
                    "{} with a decoupled rule (sgdw, adamw), whose decay is its weight decay; expected 0 (its weight decay D sets its decay)",
                    self.lambda
                ),
            ));
        }
        Ok(())
    }

    /// The fraction of a weight one step's decay takes, on n training
    /// examples; what decides whether f32 can hold it. eta*D for the
    /// decoupled rules; eta*lambda/n for SGD (with L1: of a weight of size
    /// 1); eta*lambda/(n (1 - mu)) for momentum, once its velocity has
    /// built up; for Adam with a penalty, eta, as its decay alone takes
    /// about eta off |w| every step whatever lambda is
    /// (`theory::adam_l2_decay`), of a weight of size 1.
    pub fn decay_per_step(&self, n: usize) -> f64 {
        let c = self.eta * self.lambda / n as f64;
        match self.rule.optimizer {
            Optimizer::Sgdw { weight_decay } | Optimizer::AdamW { weight_decay, .. } => {
                self.eta * weight_decay
            }
            Optimizer::Momentum { mu } => c / (1.0 - mu),
            Optimizer::Adam { .. } if self.lambda > 0.0 => self.eta,
            Optimizer::Adam { .. } | Optimizer::Sgd => c,
        }
    }

    /// Refuse eta and lambda whose decay factor 1 - eta*lambda/n, on `n`
    /// training examples, is not above 0.
    pub fn check_decay(&self, n: usize) -> Result<()> {
        if let Optimizer::Sgdw { weight_decay } | Optimizer::AdamW { weight_decay, .. } =
            self.rule.optimizer
            && self.eta * weight_decay >= 1.0
        {
            return Err(Error::bad_setting(
                Setting::WeightDecay,
                format!(
                    "eta*D = {} * {weight_decay} = {}; the factor 1 - eta*D must stay above 0, \
                     or every step flips or erases the weights",
                    self.eta,
                    self.eta * weight_decay
                ),
            ));
        }
        let decay = self.eta * self.lambda / n as f64;
        if decay >= 1.0 {
            return Err(Error::bad_setting(
                Setting::Lambda,
                format!(
                    "eta*lambda/n = {} * {} / {n} = {decay}; the factor 1 - eta*lambda/n must stay \
                     above 0, or every step flips or erases the weights (choose a smaller eta or lambda)",
                    self.eta, self.lambda
                ),
            ));
        }
        Ok(())
    }

    /// Cut this run's training and evaluation sets out of `mnist` (pooled
    /// already), checking the values that depend on the data.
    pub fn select_data(&self, mnist: &Mnist) -> Result<RunData> {
        self.validate()?;
        let available = mnist.training.len();
        let n = self.train_size.unwrap_or(available);
        if n > available {
            return Err(Error::bad_setting(
                Setting::TrainSize,
                format!("{n}; the training set has {available} examples"),
            ));
        }
        if self.batch > n {
            return Err(Error::bad_setting(
                Setting::Batch,
                format!("{}; larger than the {n} training examples", self.batch),
            ));
        }
        self.check_decay(n)?;
        let inputs = mnist.training.inputs();
        if self.sizes[0] != inputs {
            let (w, h) = mnist.training.shape();
            return Err(Error::bad_setting(
                Setting::Sizes,
                format!(
                    "first layer {}; the images (pool {}) are {w}x{h} = {inputs} pixels, \
                     so the first size must be {inputs}",
                    self.sizes[0], self.pool
                ),
            ));
        }
        let evaluation = match self.eval {
            EvalSet::Validation => mnist.validation.clone().scaled(self.input_scale),
            EvalSet::Test => mnist.test.clone().scaled(self.input_scale),
        };
        if evaluation.is_empty() {
            return Err(Error::bad_setting(
                Setting::Eval,
                format!(
                    "{:?}: the set scored every epoch holds no images; expected at least one",
                    self.eval
                ),
            ));
        }
        // The output layer needs a neuron for every label the data holds.
        let classes = [&mnist.training, &evaluation]
            .iter()
            .flat_map(|d| d.labels().iter().copied())
            .max()
            .map_or(0, |label| label as usize + 1);
        let outputs = *self.sizes.last().expect("validated: at least two sizes");
        if outputs < classes {
            return Err(Error::bad_setting(
                Setting::Sizes,
                format!(
                    "last layer {outputs}; the labels run from 0 to {}, so the output layer needs at least {classes} neurons (e.g. {},...,{classes})",
                    classes - 1,
                    self.sizes[0]
                ),
            ));
        }
        Ok(RunData {
            training: mnist.training.slice(0..n).scaled(self.input_scale),
            evaluation,
        })
    }

    /// Load the images this run asks for, pooled as it asks.
    pub fn load_mnist(&self) -> Result<Mnist> {
        self.validate()?;
        let mnist = Mnist::load(&self.data)?;
        let (w, h) = mnist.training.shape();
        if !w.is_multiple_of(self.pool) || !h.is_multiple_of(self.pool) {
            return Err(Error::bad_setting(
                Setting::Pool,
                format!("{}; it must divide the image sides {w}x{h}", self.pool),
            ));
        }
        Ok(mnist.pooled(self.pool))
    }
}
