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
use crate::metrics::{CsvLog, EpochRecord, JsonLinesLog};
use crate::net::{Network, network2_json};
use crate::run::{
    self, Checkpoint, Config, EvalSet, F32_SMALLEST_DECAY, Observer, Persistence, Precision,
    RunData, checkpoint,
};

/// Train as the flags say; a refused setting is named by its flag.
pub fn train(args: &TrainArgs) -> Outcome {
    for (flag, path) in [("--load", &args.load), ("--data", &args.data)] {
        if let Some(path) = path {
            files::check_utf8(flag, path)?;
        }
    }
    let mut config = args.config();
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
    }
    config.validate().map_err(Failure::naming_flags)?;
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
    let note = choose_precision(&mut config, &data, args.precision.is_some());
    match config.precision {
        Precision::F32 => train_in::<f32>(&config, &data, mnist.sha256, args, note),
        Precision::F64 => train_in::<f64>(&config, &data, mnist.sha256, args, note),
    }
}

/// Without `--precision` (`asked` false), the precision the rule picks for
/// the run's decay fraction c = eta*lambda/n ([`Precision::for_decay`]).
/// Returns the line that says why the run is f64, or, for f32 asked where
/// f32 loses part of the decay, the warning.
fn choose_precision(config: &mut Config, data: &RunData, asked: bool) -> Option<String> {
    let c = config.hyper(data).decay_per_step();
    if !asked {
        config.precision = Precision::for_decay(c);
    }
    let why = format!(
        "eta*lambda/n = {c:.2e} is below {F32_SMALLEST_DECAY:e}, where f32 rounds each step's decay w - c w to the nearest f32 and loses part of it (at 1e-7 about 4%, at 1e-8 all)"
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
    precision_note: Option<String>,
) -> Outcome {
    let mut reporter = Reporter::new(config, args.metrics.as_deref(), args.metrics_csv.as_deref());
    let console = &mut reporter.console;
    if let Some(note) = precision_note {
        say!(console, "{note}");
    }
    say!(
        console,
        "training {:?} ({} weights), {} init, {} cost, eta {}, lambda {}, m {}, n {}, {} epochs, seed {}, {}",
        config.sizes,
        config.weight_count(),
        match config.init {
            crate::net::Init::Large => "large N(0,1)",
            crate::net::Init::Default => "default N(0,1/n_in)",
        },
        CostArg::from(config.cost).flag_value(),
        config.eta,
        config.lambda,
        config.batch,
        data.training.len(),
        config.epochs,
        config.seed,
        T::NAME,
    );
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
        let layers: Vec<String> = record
            .weights
            .layers
            .iter()
            .enumerate()
            .map(|(i, l)| format!("w{} {:.4}", i + 1, l.rms))
            .collect();
        let offset = match record.dynamics.as_ref().and_then(|d| d.offset_fraction) {
            Some(f) if record.epoch > 0 => format!("  offset f {f:.3}"),
            _ => String::new(),
        };
        say!(
            self.console,
            "epoch {:>3}/{}  {} accuracy {:6.2}%  cost {:.4}  weights rms {:.4} ({}){offset}  {:.2} s",
            record.epoch,
            self.epochs,
            self.eval_name,
            100.0 * record.eval_accuracy,
            record.eval_cost,
            record.weights.all.rms,
            layers.join(", "),
            record.seconds,
        );
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
