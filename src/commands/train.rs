//! `decaylab train`: one run, reported epoch by epoch on the terminal and in
//! a metrics file.

use std::io::IsTerminal;
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};

use super::console::{Console, say};
use super::failure::{Failure, Outcome};
use super::files;
use crate::cli::{CostArg, TrainArgs};
use crate::data::DataSource;
use crate::error::{Error, Result, Setting};
use crate::kernels::Real;
use crate::metrics::{CsvLog, EpochRecord, JsonLinesLog, ScheduleEvent};
use crate::net::{Network, network2_json};
use crate::run::{
    self, Checkpoint, Config, EvalSet, F32_SMALLEST_DECAY, Observer, Persistence, Precision,
    RunData, checkpoint,
};
use crate::train::Regularization;

/// Train as the flags say; a refused setting is named by its flag.
pub fn train(args: &TrainArgs) -> Outcome {
    let mut config = configure(args)?;
    let outputs = [
        ("--metrics", &args.metrics),
        ("--metrics-csv", &args.metrics_csv),
        ("--save", &args.save),
        ("--checkpoint", &args.checkpoint),
    ];
    let checkpoint_log = args.checkpoint.as_deref().map(checkpoint::records_path);
    let mut files: Vec<(&'static str, &Path)> = Vec::new();
    for (flag, path) in outputs {
        if let Some(path) = path {
            files::check_output_file(flag, path)?;
            files.push((flag, path));
        }
    }
    if let Some(log) = &checkpoint_log {
        files::check_output_file("--checkpoint", log)?;
        files.push(("--checkpoint", log));
    }
    for (flag, path) in [("--load", &args.load), ("--resume", &args.resume)] {
        if let Some(path) = path {
            files.push((flag, path));
        }
    }
    // A run may continue its own checkpoint (--resume X --checkpoint X), and
    // save over the network it started from (--load X --save X, at the end).
    files::check_distinct(
        &files,
        &[("--resume", "--checkpoint"), ("--load", "--save")],
    )?;
    let mnist = config.load_mnist().map_err(Failure::naming_flags)?;
    let data = config
        .select_data(&mnist)
        .map_err(|e| match (&config.load, e) {
            // The sizes came from the --load file, not from --sizes.
            (
                Some(path),
                Error::BadSetting {
                    setting: Setting::Sizes,
                    message,
                },
            ) => Failure::from(Error::bad_file(path, format!("the network's {message}"))),
            (_, e) => Failure::naming_flags(e),
        })?;
    let precision_note = choose_precision(&mut config, &data, args.precision.is_some());
    let note: Vec<String> = precision_note.into_iter().collect();
    match config.precision {
        Precision::F32 => train_in::<f32>(&config, &data, mnist.sha256, args, note),
        Precision::F64 => train_in::<f64>(&config, &data, mnist.sha256, args, note),
    }
}

/// The run's config as the flags say, checked; a refused setting is named
/// by its flag. The playground builds its runs through this too.
pub(super) fn configure(args: &TrainArgs) -> Outcome<Config> {
    for (flag, path) in [("--load", &args.load), ("--data", &args.data)] {
        if let Some(path) = path {
            files::check_utf8(flag, path)?;
        }
    }
    let mut config = args.config();
    apply_rule(args, &mut config)?;
    // Stored as the same path however it is written (`idx/good` and
    // `./idx/good`), so that a checkpoint compares directories, not
    // spellings. A path that cannot be resolved is left for the reading to
    // name.
    if let DataSource::Directory(dir) = &mut config.data
        && let Ok(canonical) = dir.canonicalize()
    {
        *dir = canonical;
    }
    if let Some(load) = &mut config.load
        && let Ok(canonical) = load.canonicalize()
    {
        *load = canonical;
    }
    if let Some(path) = &config.load {
        // network2's `load` takes sizes and cost from the file; so do we.
        let net: Network<f64> = network2_json::load(path)?;
        config.sizes = net.sizes().to_vec();
        config.cost = net.cost;
        config.hidden = net.hidden;
    }
    config.validate().map_err(Failure::naming_flags)?;
    Ok(config)
}

/// The update rule the flags ask for, set in `config` with the lambda it
/// implies. A flag of another rule's constants is refused.
fn apply_rule(args: &TrainArgs, config: &mut Config) -> Outcome<()> {
    use crate::cli::OptimizerArg;
    use crate::train::rule::{ADAM_BETA1, ADAM_BETA2, ADAM_EPS};
    use crate::train::{Optimizer, Rule};
    use clap::ValueEnum;
    let named = args
        .optimizer
        .to_possible_value()
        .map(|v| v.get_name().to_string());
    let named = named.unwrap_or_default();
    let refuse = |flag: &'static str, rules: &str| {
        Failure::flag(
            flag,
            format!("given with --optimizer {named}; expected it only with --optimizer {rules}"),
        )
    };
    let adam = matches!(args.optimizer, OptimizerArg::Adam | OptimizerArg::Adamw);
    let decoupled = matches!(args.optimizer, OptimizerArg::Sgdw | OptimizerArg::Adamw);
    if args.momentum.is_some() && args.optimizer != OptimizerArg::Momentum {
        return Err(refuse("--momentum", "momentum"));
    }
    if args.weight_decay.is_some() && !decoupled {
        return Err(refuse("--weight-decay", "sgdw or adamw"));
    }
    for (flag, value) in [
        ("--beta1", args.beta1),
        ("--beta2", args.beta2),
        ("--adam-eps", args.adam_eps),
    ] {
        if value.is_some() && !adam {
            return Err(refuse(flag, "adam or adamw"));
        }
    }
    // network2's lambda/n at lambda 5 (n known once the data is: 50,000
    // unless --train-size says otherwise).
    let n = args.train_size.unwrap_or(crate::data::mnist::TRAINING_SIZE);
    let weight_decay = args.weight_decay.unwrap_or(5.0 / n as f64);
    let (beta1, beta2, eps) = (
        args.beta1.unwrap_or(ADAM_BETA1),
        args.beta2.unwrap_or(ADAM_BETA2),
        args.adam_eps.unwrap_or(ADAM_EPS),
    );
    let optimizer = match args.optimizer {
        OptimizerArg::Sgd => Optimizer::Sgd,
        OptimizerArg::Momentum => Optimizer::Momentum {
            mu: args.momentum.unwrap_or(0.9),
        },
        OptimizerArg::Sgdw => Optimizer::Sgdw { weight_decay },
        OptimizerArg::Adam => Optimizer::Adam { beta1, beta2, eps },
        OptimizerArg::Adamw => Optimizer::AdamW {
            beta1,
            beta2,
            eps,
            weight_decay,
        },
    };
    config.rule = Rule {
        optimizer,
        regularization: args.regularization.into(),
    };
    if decoupled && args.lambda.is_none() {
        config.lambda = 0.0;
    }
    Ok(())
}

/// The rule as `train`'s first line names it ("" for network2's), with
/// its constants.
fn rule_words(rule: &crate::train::Rule) -> String {
    use crate::train::Optimizer;
    let optimizer = match rule.optimizer {
        Optimizer::Sgd => "sgd".to_string(),
        Optimizer::Momentum { mu } => format!("momentum mu {mu}"),
        Optimizer::Sgdw { weight_decay } => format!("sgdw weight decay {weight_decay:e}"),
        Optimizer::Adam { beta1, beta2, eps } => {
            format!("adam beta1 {beta1} beta2 {beta2} eps {eps:e}")
        }
        Optimizer::AdamW {
            beta1,
            beta2,
            eps,
            weight_decay,
        } => format!("adamw beta1 {beta1} beta2 {beta2} eps {eps:e} weight decay {weight_decay:e}"),
    };
    match (rule.is_network2(), rule.regularization) {
        (true, _) => String::new(),
        (false, Regularization::L2) => format!("{optimizer}, "),
        (false, Regularization::L1) => format!("{optimizer} with l1, "),
    }
}

/// Without `--precision` (`asked` false), the precision the rule picks for
/// the run's decay fraction c = eta*lambda/n ([`Precision::for_decay`]).
/// Returns the line that says why the run is f64, or, for f32 asked where
/// f32 loses part of the decay, the warning.
pub(super) fn choose_precision(config: &mut Config, data: &RunData, asked: bool) -> Option<String> {
    let c = config.decay_per_step(data.training.len());
    if !asked {
        config.precision = Precision::for_decay(c);
    }
    let why = format!(
        "the decay per step c = {c:.2e} (eta*lambda/n for network2's rule) is below {F32_SMALLEST_DECAY:e}, where f32 rounds each step's decay w - c w to the nearest f32 and loses part of it (at 1e-7 about 4%, at 1e-8 all)"
    );
    match (config.precision, Precision::f32_loses_decay(c)) {
        (_, false) => None,
        (Precision::F64, true) if !asked => Some(format!(
            "precision f64: {why}; --precision f32 to train in f32 anyway"
        )),
        (Precision::F64, true) => None,
        (Precision::F32, true) => Some(format!(
            "warning: precision f32 as asked, but {why}; without --precision the run would be f64"
        )),
    }
}

fn train_in<T: Real>(
    config: &Config,
    data: &RunData,
    data_sha256: Option<String>,
    args: &TrainArgs,
    notes: Vec<String>,
) -> Outcome {
    let mut reporter = Reporter::new(config, args.metrics.as_deref(), args.metrics_csv.as_deref());
    let console = &mut reporter.console;
    for note in notes {
        say!(console, "{note}");
    }
    let about = format!(
        "training {:?} ({} weights), {}{} init, {} cost, {}eta {}, lambda {}, m {}, n {}, {} epochs, seed {}, {}",
        config.sizes,
        config.weight_count(),
        match config.hidden {
            crate::net::Activation::Sigmoid => "",
            crate::net::Activation::Tanh => "tanh hidden neurons, ",
        },
        match config.init {
            crate::net::Init::Large => "large N(0,1)",
            crate::net::Init::Default => "default N(0,1/n_in)",
        },
        CostArg::from(config.cost).flag_value(),
        rule_words(&config.rule),
        config.eta,
        config.lambda,
        config.batch,
        data.training.len(),
        config.epochs,
        config.seed,
        T::NAME,
    );
    for line in wrapped(&about, 80) {
        say!(console, "{line}");
    }
    let resume = match &args.resume {
        Some(path) => {
            let checkpoint = Checkpoint::load(path)?;
            if checkpoint.epoch > config.epochs {
                return Err(Failure::flag(
                    "--epochs",
                    format!(
                        "{}; the checkpoint {} already holds {} epochs (--epochs counts from the start of the run; expected at least {})",
                        config.epochs,
                        path.display(),
                        checkpoint.epoch,
                        checkpoint.epoch
                    ),
                ));
            }
            say!(
                reporter.console,
                "resuming {} after epoch {}",
                path.display(),
                checkpoint.epoch
            );
            Some((checkpoint, path.as_path()))
        }
        None => None,
    };
    let persistence = Persistence {
        checkpoint: args.checkpoint.as_deref(),
        resume,
        data_sha256,
    };
    let outcome = run::run_with::<T>(config, data, &mut reporter, persistence);
    reporter.finish();
    let outcome = outcome.map_err(Failure::naming_flags)?;
    let console = &mut reporter.console;
    let trained = outcome.records.len() - 1;
    if trained < config.epochs {
        say!(
            console,
            "stopped after epoch {trained} of {}: every layer has settled",
            config.epochs
        );
    }
    for path in [&args.metrics, &args.metrics_csv].into_iter().flatten() {
        say!(console, "metrics: {}", path.display());
    }
    if let Some(path) = &args.save {
        network2_json::save(&outcome.net, path)?;
        say!(
            console,
            "saved the network (network2 JSON): {}",
            path.display()
        );
    }
    Ok(reporter.console.finish()?)
}

/// `text`'s items (separated by ", ") in lines of at most `width`
/// characters where they fit, the lines after the first indented.
fn wrapped(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for item in text.split(", ") {
        if line.is_empty() {
            line = item.to_string();
        } else if line.chars().count() + 2 + item.chars().count() < width {
            line.push_str(", ");
            line.push_str(item);
        } else {
            line.push(',');
            lines.push(std::mem::replace(&mut line, format!("  {item}")));
        }
    }
    lines.push(line);
    lines
}

/// `train`'s table of epochs: a header, then a row per epoch, within 80
/// columns for up to 4 weight layers and 999 epochs.
struct EpochTable {
    epochs: usize,
    eval_name: &'static str,
    layers: usize,
}

impl EpochTable {
    /// Width of the epoch column: "e/E".
    fn epoch_width(&self) -> usize {
        2 * self.epochs.to_string().len() + 1
    }

    fn header(&self) -> String {
        let mut line = format!(
            "{:<w$}  {:>10}  {:>8}",
            "epoch",
            self.eval_name,
            "cost",
            w = self.epoch_width()
        );
        for l in 1..=self.layers {
            line.push_str(&format!("  {:>6}", format!("rms w{l}")));
        }
        line.push_str("  offset f    time");
        line
    }

    fn row(&self, record: &EpochRecord) -> String {
        let mut line = format!(
            "{:>w$}  {:>9.2}%  {:>8.4}",
            format!("{}/{}", record.epoch, self.epochs),
            100.0 * record.eval_accuracy,
            record.eval_cost,
            w = self.epoch_width().max(5)
        );
        for layer in &record.weights.layers {
            line.push_str(&format!("  {:>6.4}", layer.rms));
        }
        match record.dynamics.as_ref().and_then(|d| d.offset_fraction) {
            Some(f) if record.epoch > 0 => line.push_str(&format!("  {f:>8.3}")),
            _ => line.push_str(&" ".repeat(10)),
        }
        line.push_str(&format!("  {:>4.2} s", record.seconds));
        line
    }
}

/// Prints a line per epoch, draws a progress bar within an epoch when stderr
/// is a terminal, and keeps the metrics files up to date (each epoch adds
/// its line).
struct Reporter {
    epochs: usize,
    eval_name: &'static str,
    metrics: Option<JsonLinesLog>,
    csv: Option<CsvLog>,
    records: Vec<EpochRecord>,
    bar: Option<ProgressBar>,
    console: Console,
}

impl Reporter {
    fn new(config: &Config, metrics_path: Option<&Path>, csv_path: Option<&Path>) -> Reporter {
        Reporter {
            epochs: config.epochs,
            eval_name: match config.eval {
                EvalSet::Validation => "validation",
                EvalSet::Test => "test",
            },
            metrics: metrics_path.map(JsonLinesLog::new),
            csv: csv_path.map(CsvLog::new),
            records: Vec::new(),
            bar: None,
            console: Console::new(),
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Observer for Reporter {
    fn epoch_started(&mut self, epoch: usize, steps: usize) {
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(steps as u64).with_style(
                ProgressStyle::with_template(
                    "epoch {msg} [{bar:40}] {pos}/{len} steps, {eta} left",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            );
            bar.set_message(format!("{epoch}/{}", self.epochs));
            self.bar = Some(bar);
        }
    }

    fn steps_done(&mut self, steps: usize) {
        if let Some(bar) = &self.bar {
            bar.set_position(steps as u64);
        }
    }

    fn epoch_measured(&mut self, record: &EpochRecord) -> Result<()> {
        self.finish();
        let table = EpochTable {
            epochs: self.epochs,
            eval_name: self.eval_name,
            layers: record.weights.layers.len(),
        };
        if self.records.is_empty() {
            say!(self.console, "{}", table.header());
        }
        say!(self.console, "{}", table.row(record));
        match (record.schedule_event, record.learning_rate) {
            (Some(ScheduleEvent::Halved), Some(eta)) => {
                say!(
                    self.console,
                    "  no improvement: eta halved to {}",
                    eta / 2.0
                )
            }
            (Some(ScheduleEvent::Stopped), _) => say!(self.console, "  no improvement: stopped"),
            _ => {}
        }
        self.records.push(record.clone());
        if let Some(metrics) = &mut self.metrics {
            metrics.push(record)?;
        }
        if let Some(csv) = &mut self.csv {
            csv.push(&self.records)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::synthetic::synthetic_run;

    #[test]
    fn long_lines_wrap_between_items_within_the_width() {
        let text = "training [784, 30, 10] (23820 weights), default N(0,1/n_in) init, cross-entropy cost, eta 0.1, lambda 5, m 10, n 1000, 2 epochs, seed 0, f32";
        let lines = wrapped(text, 80);
        assert_eq!(
            lines,
            [
                "training [784, 30, 10] (23820 weights), default N(0,1/n_in) init,",
                "  cross-entropy cost, eta 0.1, lambda 5, m 10, n 1000, 2 epochs, seed 0, f32",
            ]
        );
        assert_eq!(lines.join(" ").replace(",   ", ", "), text);
    }

    #[test]
    fn the_epoch_table_fits_80_columns_up_to_4_layers_and_999_epochs() {
        let record = &synthetic_run(&[1.0, 0.5], &[0.0, 0.123], &[0.1, 0.9], 0.9)[1];
        let table = EpochTable {
            epochs: 999,
            eval_name: "validation",
            layers: 2,
        };
        assert_eq!(
            table.header(),
            "epoch    validation      cost  rms w1  rms w2  offset f    time"
        );
        assert_eq!(
            table.row(record),
            "  1/999      90.00%    1.0000  0.5000  0.5000     0.123  0.00 s"
        );
        let mut wide = record.clone();
        wide.weights.layers = vec![wide.weights.layers[0].clone(); 4];
        let table = EpochTable { layers: 4, ..table };
        assert!(table.header().len() <= 80, "{}", table.header());
        assert!(table.row(&wide).len() <= 80, "{}", table.row(&wide));
    }
}
