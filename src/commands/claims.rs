//! `decaylab claims --out DIR`: the claims study, its verdicts and report.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::error::Category;

use super::console::{Console, say};
use super::failure::{Failure, Outcome};
use super::files;
use super::study_file;
use crate::cli::ClaimsArgs;
use crate::data::Mnist;
use crate::error::{Error, Result};
use crate::net::Init;
use crate::report::json::ClaimsFile;
use crate::report::{self, Reference, export};
use crate::study::claims::{self, ClaimResult, Measured, Thresholds};
use crate::study::shard::{Shard, ShardError};
use crate::study::{Mode, Plan, Results, RunSpec, equilibrium, runner};
use crate::study::{book_examples, comments, optima, tail_average};

/// More seeds than this would take weeks on any machine this study is for.
const MAX_SEEDS: usize = 1000;

/// The study, stage by stage: the flags checked, the runs trained (or read
/// back), then, unless this is one shard of it, the claims decided and the
/// report written.
pub fn claims(args: &ClaimsArgs) -> Outcome {
    if args.print_config {
        return print_config(args);
    }
    let Flags {
        jobs,
        reference,
        shard,
        plan,
    } = Flags::of(args)?;
    // The runs this invocation trains (or reads back): a shard's share, or
    // all of them.
    let to_run: Vec<RunSpec> = match &shard {
        Some(shard) => shard_of(shard, &plan),
        None => plan.runs.clone(),
    };
    // More threads than runs, or than a few per core, only wait on each other.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let jobs = jobs.min(to_run.len().max(1)).min(8 * cores);
    files::prepare_output_dir("--out", &args.out, &outputs(args, &to_run, &shard))?;
    // What writers killed mid-write left in the study's directories.
    for dir in [
        args.out.clone(),
        args.out.join("runs"),
        args.out.join("plots"),
    ] {
        crate::output::remove_stale_temporaries(&dir);
    }
    let mut console = Console::new();

    let share = match &shard {
        Some(shard) => format!(
            "shard {}/{}, {} of the {} runs",
            shard.index,
            shard.count,
            to_run.len(),
            plan.runs.len()
        ),
        None => format!("{} runs", plan.runs.len()),
    };
    say!(
        console,
        "claims study ({}): {share} on {jobs} job(s); finished runs already in {} are reused",
        match plan.mode {
            Mode::Quick => "quick",
            Mode::Full => "full",
            Mode::Deep => "deep",
        },
        args.out.display()
    );
    let optimum_specs = optima::specs(&plan);
    if shard.is_none() && !optimum_specs.is_empty() {
        let starts: Vec<String> = (optimum_specs.iter())
            .map(|o| format!("{} (seed {})", o.lambda, o.start.seed))
            .collect();
        say!(
            console,
            "and the L2 optimum at lambda {} ({} L-BFGS iterations each, from that seed's settled network), beside the branches",
            starts.join(", "),
            optima::OPTIMUM_ITERATIONS
        );
    }
    let start = Instant::now();
    let runs_dir = args.out.join("runs");
    runner::check_same_plan(&to_run, &runs_dir)?;
    let mnist = Mnist::bundled()?;
    let bar = progress_bar(&to_run);
    let _log = (!std::io::stderr().is_terminal()).then(|| ProgressLog::start(&bar));
    if let Some(shard) = &shard {
        let done = runner::run_all(&to_run, &mnist, &runs_dir, jobs, &bar)?;
        bar.finish_and_clear();
        let reused = done.iter().filter(|r| r.reused).count();
        say!(
            console,
            "shard {}/{}: {} of the {} runs finished in {} ({} trained, {reused} read back); once every shard has, `decaylab claims --out {}{} --report-only` writes the report",
            shard.index,
            shard.count,
            to_run.len(),
            plan.runs.len(),
            runs_dir.display(),
            to_run.len() - reused,
            args.out.display(),
            plan_flags(args)
        );
        return Ok(console.finish()?);
    }
    // The optima need the settled networks of the first wave only (the
    // first seed's, and the second's at the base lambda): they are found
    // beside the branches.
    let find_optima = || optima::find_all(&optimum_specs, &mnist, &runs_dir, jobs);
    let (runs, optima) = if args.report_only {
        (finished_runs(&plan, &runs_dir)?, find_optima()?)
    } else {
        runner::run_all_with(&plan.runs, &mnist, &runs_dir, jobs, &bar, find_optima)?
    };
    bar.finish_and_clear();
    let seconds = start.elapsed().as_secs_f64();
    let averaged = tail_average::averaged_branches(&runs, &optima, &runs_dir)?;
    let results = Results {
        plan,
        runs,
        optima,
        averaged,
    };
    let claims = decide_and_write(args, &mut console, &results, &reference, seconds, jobs)?;
    summary(&mut console, &claims, &results, seconds, &args.out);
    // The book's runs (--book) are trained or read back with the report.
    say!(
        console,
        "{:.0} s in all, {}the claims and the report included",
        start.elapsed().as_secs_f64(),
        if args.book {
            "the book's 2 weight-initialization runs (--book), "
        } else {
            ""
        }
    );
    Ok(console.finish()?)
}

/// The files of `out` this invocation may write: each run's it trains (or
/// reads back), and, unless it is a shard, the report's (the figures that
/// are there now: the next report's have the same names).
fn outputs(args: &ClaimsArgs, to_run: &[RunSpec], shard: &Option<Shard>) -> Vec<PathBuf> {
    let runs_dir = args.out.join("runs");
    let mut files: Vec<PathBuf> = to_run
        .iter()
        .flat_map(|spec| {
            let run = runner::RunFiles::new(&runs_dir, &spec.name);
            [run.metrics, run.csv, run.network, run.average, run.config]
        })
        .collect();
    if shard.is_none() {
        files.extend(export::TOP_FILES.iter().map(|name| args.out.join(name)));
        let plots = args.out.join(export::PLOTS);
        let figures = std::fs::read_dir(&plots).into_iter().flatten().flatten();
        files.extend(figures.map(|entry| entry.path()));
    }
    files
}

/// The flags that choose the plan, as a command repeats them (" --quick
/// --seed-base 1", " --seeds 3 --seed-base 1"): following a printed hint
/// then cannot start another plan in the same directory.
fn plan_flags(args: &ClaimsArgs) -> String {
    if args.quick {
        format!(" --quick --seed-base {}", args.seed_base)
    } else if args.deep {
        format!(
            " --deep --seeds {} --seed-base {}",
            args.seeds, args.seed_base
        )
    } else {
        format!(" --seeds {} --seed-base {}", args.seeds, args.seed_base)
    }
}

/// What the flags ask for, checked before anything is trained or written.
struct Flags {
    /// Threads asked for (or one per core).
    jobs: usize,
    reference: Reference,
    shard: Option<Shard>,
    plan: Plan,
}

impl Flags {
    fn of(args: &ClaimsArgs) -> Outcome<Flags> {
        if !(1..=MAX_SEEDS).contains(&args.seeds) {
            return Err(Failure::flag(
                "--seeds",
                format!("{}; expected 1 to {MAX_SEEDS} seeds", args.seeds),
            ));
        }
        // --report-only reads a finished study: a directory that is not
        // there is a typo, not a study to start (nothing is created).
        if args.report_only && !args.out.is_dir() {
            return Err(Failure::flag(
                "--out",
                format!(
                    "{}: no such directory; --report-only writes the report of a study already run there",
                    args.out.display()
                ),
            ));
        }
        let jobs = match args.jobs {
            Some(0) => return Err(Failure::flag("--jobs", "0; expected at least 1 job")),
            Some(j) => j,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        let reference = match &args.reference {
            Some(path) => read_reference(path)?,
            None => Vec::new(),
        };
        let shard = match &args.shard {
            Some(text) => Some(
                Shard::parse(text, args.shard_count, |name| std::env::var(name).ok())
                    .map_err(|e| shard_failure(e, args.shard_count))?,
            ),
            None => None,
        };
        let plan = match &args.config {
            Some(path) => study_file::plan(path, MAX_SEEDS)?,
            None => plan_of(args, mode_of(args))?,
        };
        Ok(Flags {
            jobs,
            reference,
            shard,
            plan,
        })
    }
}

/// The claims decided on every run of the study, the book's examples run
/// if asked for, and the report, claims.json and runs.csv written to
/// `args.out`; returns the claims.
fn decide_and_write(
    args: &ClaimsArgs,
    console: &mut Console,
    results: &Results,
    reference: &Reference,
    seconds: f64,
    jobs: usize,
) -> Outcome<Vec<ClaimResult>> {
    let settled = results.settled();
    let fits = equilibrium::size_fits(&results.runs, &settled);
    let noise_laws = results.noise_laws();
    let measured = Measured {
        results,
        settled: &settled,
        fits: &fits,
        noise_laws: &noise_laws,
    };
    let claims = claims::decide_all(&measured, &Thresholds::default());
    let setups = claims::setups::decide_setups(results, &Thresholds::default());
    let book_examples = if args.book {
        say!(
            console,
            "the book's weight-initialization runs (network2's semantics)"
        );
        let runs_dir = args.out.join("runs");
        book_examples::book_examples(&runs_dir, !args.report_only)?.ok_or_else(|| {
            Failure::flag(
                "--book",
                format!(
                    "with --report-only, and the book's runs are not finished in {}; expected them there (claims --book without --report-only trains them)",
                    runs_dir.display()
                ),
            )
        })?
    } else {
        Vec::new()
    };

    let file = ClaimsFile {
        claims: &claims,
        settled: &settled,
        fits: &fits,
        noise_law: &noise_laws,
        architecture: claims::claim3(&claims).map(|d| &d.evidence.architecture),
        tail_average: &results.averaged,
        book_examples: &book_examples,
        beyond_the_book: &setups,
        mode: results.plan.mode,
        seeds: &results.plan.seeds,
        runs: results.runs.iter().map(|r| r.spec.name.as_str()).collect(),
        seconds,
        jobs,
    };
    let large = results.base(Init::Large, true);
    let comments = comments::of(
        claims::claim1(&claims).map(|d| &d.evidence),
        large.first().copied(),
    );
    let document = report::build::document(&report::Inputs {
        results,
        claims: &claims,
        comments: &comments,
        settled: &settled,
        reference,
        book_examples: &book_examples,
        setups: &setups,
        seconds,
        jobs,
    });
    let study = report::export::Study {
        document: &document,
        claims: &file,
        runs: &results.runs,
    };
    report::export::write_all(&args.out, &report::export::ALL, &study)?;
    Ok(claims)
}

/// A `--shard` that names no shard, as the flag's error.
/// (`count` is what --shard-count gave.)
fn shard_failure(error: ShardError, count: Option<usize>) -> Failure {
    let message = match error {
        // Kubernetes' index needs the number of shards, which --shard-count gives.
        ShardError::NoCount => {
            "auto: JOB_COMPLETION_INDEX is set but --shard-count is not; expected --shard-count N"
                .to_string()
        }
        ShardError::CountNotNeeded(why) => {
            let given = count.map_or(String::new(), |n| n.to_string());
            return Failure::flag("--shard-count", format!("{given}: {why}"));
        }
        other => other.to_string(),
    };
    Failure::flag("--shard", message)
}

/// Print the study file of the built-in study the flags describe (a
/// quick study has one seed, whatever --seeds says).
fn print_config(args: &ClaimsArgs) -> Outcome {
    let mode = mode_of(args);
    let seeds = if mode == Mode::Quick { 1 } else { args.seeds };
    study_file::print(mode, seeds, args.seed_base, MAX_SEEDS)
}

/// The mode the flags ask for.
fn mode_of(args: &ClaimsArgs) -> Mode {
    match (args.quick, args.deep) {
        (true, _) => Mode::Quick,
        (false, true) => Mode::Deep,
        (false, false) => Mode::Full,
    }
}

/// The study's plan for the flags, or an error naming --seed-base.
fn plan_of(args: &ClaimsArgs, mode: Mode) -> Outcome<Plan> {
    Plan::new(mode, args.seeds, args.seed_base).ok_or_else(|| {
        Failure::flag(
            "--seed-base",
            format!(
                "{} with {} seeds; expected seeds that fit in 64 bits (at most {} - {})",
                args.seed_base,
                args.seeds,
                u64::MAX,
                args.seeds - 1
            ),
        )
    })
}

/// The runs of the plan that `shard` holds, in plan order.
fn shard_of(shard: &Shard, plan: &Plan) -> Vec<RunSpec> {
    plan.runs
        .iter()
        .enumerate()
        .filter(|(k, _)| shard.holds(*k))
        .map(|(_, spec)| spec.clone())
        .collect()
}

/// Every run of the plan read back from `runs_dir`, or an error naming
/// those not finished (`--report-only`).
fn finished_runs(plan: &Plan, runs_dir: &Path) -> Outcome<Vec<runner::RunResult>> {
    let found: Vec<_> = plan
        .runs
        .iter()
        .map(|spec| runner::read_finished(spec, runs_dir).ok_or(spec.name.as_str()))
        .collect();
    let missing: Vec<&str> = found
        .iter()
        .filter_map(|r| r.as_ref().err().copied())
        .collect();
    if !missing.is_empty() {
        return Err(Failure::flag(
            "--report-only",
            format!(
                "{} of the {} runs are not finished in {}: {}; expected every run finished (run the missing shards, or claims without --report-only)",
                missing.len(),
                plan.runs.len(),
                runs_dir.display(),
                missing.join(", ")
            ),
        ));
    }
    Ok(found.into_iter().filter_map(|r| r.ok()).collect())
}

/// A bar over every epoch of `runs`, drawn only on a terminal.
fn progress_bar(runs: &[RunSpec]) -> ProgressBar {
    let total_epochs: u64 = runs.iter().map(|r| r.config.epochs as u64).sum();
    ProgressBar::with_draw_target(
        Some(total_epochs),
        if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        },
    )
    .with_style(
        ProgressStyle::with_template(
            "[{elapsed_precise}] [{bar:40}] {pos}/{len} epochs, {eta} left",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    )
}

/// How often the study says how far it is where no bar is drawn.
const PROGRESS_EVERY: Duration = Duration::from_secs(30);

/// Where stderr is not a terminal (a log file, a batch job's output), no
/// bar is drawn: a line every [`PROGRESS_EVERY`] says how far the study
/// is instead, until this is dropped.
struct ProgressLog {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ProgressLog {
    fn start(bar: &ProgressBar) -> ProgressLog {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let (bar, signal) = (bar.clone(), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            let (stopped, wake) = &*signal;
            let mut done = stopped.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                let waited = wake.wait_timeout(done, PROGRESS_EVERY);
                let (guard, _) = waited.unwrap_or_else(|e| e.into_inner());
                done = guard;
                if *done {
                    return;
                }
                let total = bar.length().unwrap_or(0).max(1);
                // Progress only: a stderr that cannot be written loses it.
                let _ = writeln!(
                    std::io::stderr(),
                    "[{:.0} s] {} of {total} epochs trained or read back ({:.0}%)",
                    bar.elapsed().as_secs_f64(),
                    bar.position(),
                    100.0 * bar.position() as f64 / total as f64
                );
            }
        });
        ProgressLog {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for ProgressLog {
    fn drop(&mut self) {
        let (stopped, wake) = &*self.stop;
        *stopped.lock().unwrap_or_else(|e| e.into_inner()) = true;
        wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The verdicts, the runs and where the outputs are, on stdout.
fn summary(
    console: &mut Console,
    claims: &[ClaimResult],
    results: &Results,
    seconds: f64,
    out: &Path,
) {
    for claim in claims {
        say!(
            console,
            "claim {}: {:<12} {}",
            claim.header().id,
            claim.header().verdict.as_str(),
            report::math::plain(claim.header().title)
        );
    }
    let reused = results.runs.iter().filter(|r| r.reused).count();
    say!(
        console,
        "{} study runs in {seconds:.0} s ({} trained, {reused} read back)",
        results.runs.len(),
        results.runs.len() - reused
    );
    let redone = results.redone();
    if !redone.is_empty() {
        say!(
            console,
            "{} run(s) trained again because their files in {} were damaged: {}",
            redone.len(),
            out.display(),
            redone.join(", ")
        );
    }
    say!(console, "report: {}", out.join("report.html").display());
    say!(
        console,
        "        {}, {} and {}",
        out.join("report.md").display(),
        out.join("claims.json").display(),
        out.join("runs.csv").display()
    );
}

/// What a `--reference` file holds.
const REFERENCE_FORMAT: &str = "an object {\"name\": [eval_costs, eval_accuracies, train_costs, \
     train_accuracies], ...}, accuracies as counts out of 10,000";

/// A `--reference` file is a few runs' lists of a few hundred numbers: one
/// larger than this is not one.
const REFERENCE_LIMIT: u64 = 16 << 20;
/// Curves a reference file may draw beside the study's (each its own
/// colour and legend line).
const MAX_REFERENCE_RUNS: usize = 8;
/// What network2 counts its evaluation accuracy out of: the 10,000
/// validation images.
const EVALUATION_IMAGES: f64 = 10_000.0;

/// A `--reference` file: network2's four monitor lists per run, as the
/// scripts based on it write them; the runs in the file's order.
struct ReferenceFile(Vec<(String, MonitorLists)>);

/// The four lists network2's `SGD` returns, in its order; the curves
/// drawn use the evaluation accuracies alone.
#[derive(Deserialize)]
#[serde(expecting = "a run's four lists")]
struct MonitorLists {
    _evaluation_cost: IgnoredAny,
    /// Correct answers out of 10,000, per epoch.
    evaluation_accuracy: Vec<f64>,
    _training_cost: IgnoredAny,
    _training_accuracy: IgnoredAny,
}

impl<'de> Deserialize<'de> for ReferenceFile {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// Reads the object's entries in order (a map type would sort them).
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = ReferenceFile;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of runs")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ReferenceFile, A::Error> {
                let mut runs = Vec::new();
                while let Some(run) = map.next_entry()? {
                    runs.push(run);
                }
                Ok(ReferenceFile(runs))
            }
        }
        deserializer.deserialize_map(Entries)
    }
}

/// The evaluation accuracies (fractions) of every run in the `--reference`
/// file `path`.
fn read_reference(path: &Path) -> Result<Reference> {
    let bad = |message: String| Error::bad_file(path, message);
    let text = crate::input::read_text_bounded(path, "network2's monitor lists", REFERENCE_LIMIT)?;
    let file: ReferenceFile = serde_json::from_str(&text).map_err(|e| match e.classify() {
        // Valid JSON, in another shape: serde says what it found, and where.
        Category::Data => bad(format!("{e}; expected {REFERENCE_FORMAT}")),
        _ => bad(format!("invalid JSON ({e}); expected {REFERENCE_FORMAT}")),
    })?;
    if file.0.len() > MAX_REFERENCE_RUNS {
        return Err(bad(format!(
            "{} runs; expected at most {MAX_REFERENCE_RUNS} (one curve each beside the study's)",
            file.0.len()
        )));
    }
    let mut reference = Vec::new();
    for (name, lists) in file.0 {
        let counts = lists.evaluation_accuracy;
        if let Some((i, count)) = counts
            .iter()
            .enumerate()
            .find(|(_, c)| !(0.0..=EVALUATION_IMAGES).contains(*c))
        {
            return Err(bad(format!(
                "run \"{name}\", epoch {}: evaluation accuracy {count}; expected a count from 0 to 10,000",
                i + 1
            )));
        }
        let accuracies = counts.iter().map(|count| count / EVALUATION_IMAGES);
        reference.push((name, accuracies.collect()));
    }
    Ok(reference)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_file_gives_its_accuracies_in_order_or_names_itself() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("network2.json");
        let text = r#"{"zeta": [[1.0], [8500, 9100], [], []], "alpha": [[], [9000], [], []]}"#;
        std::fs::write(&path, text).unwrap();
        let reference = read_reference(&path).unwrap();
        let expected = [("zeta", vec![0.85, 0.91]), ("alpha", vec![0.9])];
        assert_eq!(reference, expected.map(|(n, v)| (n.to_string(), v)));
        std::fs::write(&path, r#"{"x": [[1.0], ["many"], [], []]}"#).unwrap();
        let message = read_reference(&path).unwrap_err().to_string();
        assert!(
            message.starts_with(&format!("{}: ", path.display())),
            "{message}"
        );
        assert!(message.contains("\"many\"") && message.contains("counts out of 10,000"));
        for count in ["-5", "20000", "10000.5"] {
            let text = format!(r#"{{"x": [[], [9000, {count}], [], []]}}"#);
            std::fs::write(&path, text).unwrap();
            let message = read_reference(&path).unwrap_err().to_string();
            let says = format!("run \"x\", epoch 2: evaluation accuracy {count}");
            assert!(message.contains(&says), "{count}: {message}");
        }
        let runs: Vec<String> = (0..=MAX_REFERENCE_RUNS)
            .map(|i| format!(r#""r{i}": [[], [9000], [], []]"#))
            .collect();
        std::fs::write(&path, format!("{{{}}}", runs.join(","))).unwrap();
        let message = read_reference(&path).unwrap_err().to_string();
        assert!(message.contains("9 runs; expected at most 8"), "{message}");
    }
}
