//! Runs a plan's trainings on J threads, each run on one, resumably: a run
//! whose files are already in the output directory with the same
//! configuration is read back instead of trained again. Several processes
//! may share the directory (the tasks of a job array on a shared file
//! system): each run is claimed by a lock before it is looked at, so a run
//! being trained elsewhere is waited for and read back, not trained twice.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fs::{File, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use indicatif::ProgressBar;
use rayon::prelude::*;

use super::plan::{RunSpec, relative_cost};
use crate::data::Mnist;
use crate::error::{Error, Result};
use crate::input;
use crate::kernels::Real;
use crate::metrics::{self, EpochRecord};
use crate::net::network2_json;
use crate::output::write_atomic;
use crate::run::{self, Config, FullGradientAt, Observer, Precision};

/// A finished run: its plan entry and its records, epoch 0 first.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub spec: RunSpec,
    pub records: Vec<EpochRecord>,
    /// Read back from an earlier invocation's files rather than trained now.
    pub reused: bool,
    /// Trained again because the files of a finished run with this
    /// configuration were damaged (incomplete, unreadable, of another version).
    pub redone: bool,
}

/// What the output directory holds of a run.
enum Found {
    /// The whole run, with this configuration.
    Whole(Vec<EpochRecord>),
    /// A run marked finished with this configuration, whose metrics are
    /// damaged.
    Damaged,
    /// Nothing, or a run of another configuration.
    Nothing,
}

/// Where a run's files go: `runs/NAME.jsonl`, `runs/NAME.csv`, the last
/// network `runs/NAME.net.json` of a run that keeps it (and its tail
/// average `runs/NAME.average.json` if it has one), and
/// `runs/NAME.config.json`, written last, which marks the run as finished;
/// `runs/NAME.lock` is the claim of the process training it.
/// A run's stored configuration is a few hundred bytes; a file larger
/// than this is not one.
const CONFIG_LIMIT: u64 = 1 << 20;

pub struct RunFiles {
    pub metrics: PathBuf,
    pub csv: PathBuf,
    pub network: PathBuf,
    pub average: PathBuf,
    pub config: PathBuf,
    pub lock: PathBuf,
}

impl RunFiles {
    pub fn new(runs_dir: &Path, name: &str) -> RunFiles {
        RunFiles {
            metrics: runs_dir.join(format!("{name}.jsonl")),
            csv: runs_dir.join(format!("{name}.csv")),
            network: runs_dir.join(format!("{name}.net.json")),
            average: runs_dir.join(format!("{name}.average.json")),
            config: runs_dir.join(format!("{name}.config.json")),
            lock: runs_dir.join(format!("{name}.lock")),
        }
    }

    /// Whether the network of a finished run of `spec`'s configuration is
    /// here: its configuration file, written last, and its network. Cheaper
    /// than `finished`, which reads the metrics too: what a branch needs of
    /// its parent.
    fn network_of(&self, spec: &RunSpec) -> bool {
        self.stored_config().as_ref() == Some(&spec.config) && self.network.is_file()
    }

    /// The configuration stored beside the run, if one can be read.
    pub fn stored_config(&self) -> Option<Config> {
        let bytes = input::read_bounded(&self.config, "a run's configuration", CONFIG_LIMIT);
        bytes
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
    }

    /// The records of a finished run of `spec`'s configuration (with its
    /// last network if it keeps it), if there is one.
    fn finished(&self, spec: &RunSpec) -> Found {
        let config = &spec.config;
        if self.stored_config().as_ref() != Some(config) {
            return Found::Nothing;
        }
        let average_kept = config.tail_average_from.is_none() || self.average.is_file();
        let network_kept = !spec.saves_network || (self.network.is_file() && average_kept);
        match self.stored_records() {
            Some(records) if network_kept && complete(&records, config) => Found::Whole(records),
            _ => Found::Damaged,
        }
    }
}

impl RunFiles {
    /// The records stored for the run, if every line can be read.
    pub fn stored_records(&self) -> Option<Vec<EpochRecord>> {
        let limit = input::whole_file_limit();
        let text = input::read_text_bounded(&self.metrics, "a run's records", limit).ok()?;
        text.lines()
            .map(|line| serde_json::from_str(line).ok())
            .collect()
    }

    /// Store a finished run: its records (JSON lines and CSV), then its
    /// configuration, written last because it marks the run finished.
    pub fn store(&self, records: &[EpochRecord], config: &Config) -> Result<()> {
        metrics::write_json_lines(&self.metrics, records)?;
        metrics::write_csv(&self.csv, records)?;
        let config = serde_json::to_vec_pretty(config).expect("a config serializes");
        write_atomic(&self.config, &config)
    }
}

/// Whether `records` are the whole of a finished run of `config`: epochs 0
/// to the end in order, one weight layer per layer of the sizes, the
/// probes' measurements in every record after epoch 0 if the run has probes (a record of
/// another version, whose measurements no longer parse, has none), the
/// full gradient at the end if asked for, and an end where the run would
/// stop: its last epoch, or every layer settled.
fn complete(records: &[EpochRecord], config: &Config) -> bool {
    let layers = config.sizes.len() - 1;
    let Some(last) = records.last() else {
        return false;
    };
    let in_order = records.iter().enumerate().all(|(e, r)| r.epoch == e);
    // The report reads every layer's histogram of a run with probes: one
    // per layer, each with bins (a record whose histograms are there but
    // empty is as damaged as one cut short).
    let histograms_shaped = |r: &EpochRecord| match &r.histograms {
        Some(h) => {
            let bins = |h: &crate::probes::Histogram| {
                !h.counts.is_empty() && h.edges.len() == h.counts.len() + 1
            };
            h.layers.len() == layers && bins(&h.all) && h.layers.iter().all(bins)
        }
        None => !(config.probes && config.histogram_bins > 0),
    };
    let shaped = records.iter().all(|r| {
        r.weights.layers.len() == layers && r.input_norm.len() == layers && histograms_shaped(r)
    });
    let measured = !config.probes
        || records
            .iter()
            .skip(1)
            .all(|r| r.dynamics.as_ref().is_some_and(|d| d.angle.len() == layers));
    let gradient = config.full_gradient == FullGradientAt::Never || last.full_gradient.is_some();
    let ended = match last.epoch.cmp(&config.epochs) {
        Ordering::Equal => true,
        Ordering::Less => {
            config.stop_when_settled && crate::run::settle::every_layer_settled(records)
        }
        Ordering::Greater => false,
    };
    in_order && shaped && measured && gradient && ended
}

/// A process's exclusive claim on one run: an advisory lock (flock) on
/// `runs/NAME.lock`, held while the run is looked for, trained and written.
/// The operating system drops the lock when the process ends, however it
/// ends, so a killed task leaves no claim behind; the file itself stays and
/// names the last holder. Linux's NFS client takes such locks on the
/// server, so they hold across the machines of a cluster.
struct Claim {
    /// None where the file system has no locks: the shard split alone then
    /// keeps processes apart.
    _file: Option<File>,
}

impl Claim {
    /// Claim the run whose lock file is `path`, waiting while another
    /// process holds it.
    fn take(path: &Path, name: &str, bar: &ProgressBar) -> Result<Claim> {
        let file = crate::output::open_lock(path).map_err(|cause| Error::Write {
            path: path.to_path_buf(),
            cause,
        })?;
        let locked = match file.try_lock() {
            Ok(()) => Ok(()),
            Err(TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(path).unwrap_or_default();
                // Not bar.println, which prints nothing when the bar is hidden
                // (stderr not a terminal, as in a batch job).
                bar.suspend(|| {
                    warn(format_args!(
                        "run {name} is being trained by another process ({}); waiting for it",
                        holder.trim()
                    ))
                });
                file.lock()
            }
            Err(TryLockError::Error(cause)) => Err(cause),
        };
        if let Err(cause) = locked {
            bar.suspend(|| {
                warn(format_args!(
                    "warning: cannot lock {} ({cause}); going on without a claim",
                    path.display()
                ))
            });
            return Ok(Claim { _file: None });
        }
        // Name the holder for whoever waits next; the claim is the lock, not
        // these bytes, so a failure to write them changes nothing.
        let _ = file.set_len(0).and_then(|()| {
            write!(
                &file,
                "host {}, process {}",
                host_name(),
                std::process::id()
            )
        });
        Ok(Claim { _file: Some(file) })
    }
}

/// A line on stderr, dropped if stderr cannot be written (eprintln! would
/// panic, and a warning is not worth failing a run for).
fn warn(line: std::fmt::Arguments) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// This machine's name, as the kernel holds it (Linux); "unknown host"
/// elsewhere. Only shown to a user waiting for a claim.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_string())
        .unwrap_or_else(|_| "unknown host".into())
}

/// Counts epochs on the study's progress bar.
struct Progress<'a>(&'a ProgressBar);

impl Observer for Progress<'_> {
    fn epoch_measured(&mut self, record: &EpochRecord) -> Result<()> {
        if record.epoch > 0 {
            self.0.inc(1);
        }
        Ok(())
    }
}

/// Run every spec (or read back its finished files) on `jobs` threads: the
/// runs that start afresh first, then those that start from another run's
/// network. The results come back in plan order and do not depend on `jobs`.
pub fn run_all(
    runs: &[RunSpec],
    mnist: &Mnist,
    runs_dir: &Path,
    jobs: usize,
    bar: &ProgressBar,
) -> Result<Vec<RunResult>> {
    run_all_with(runs, mnist, runs_dir, jobs, bar, || Ok(())).map(|(results, ())| results)
}

/// [`run_all`], with `alongside` run at the same time as the second wave
/// (work that needs only the first wave's runs, e.g. the optima from their
/// networks), so that no core waits for the other.
pub fn run_all_with<T: Send>(
    runs: &[RunSpec],
    mnist: &Mnist,
    runs_dir: &Path,
    jobs: usize,
    bar: &ProgressBar,
    alongside: impl FnOnce() -> Result<T> + Send,
) -> Result<(Vec<RunResult>, T)> {
    let (fresh, branches): (Vec<usize>, Vec<usize>) =
        (0..runs.len()).partition(|&i| runs[i].parent.is_none());
    let wave = |indices: &[usize]| -> Result<Vec<(usize, RunResult)>> {
        let specs: Vec<RunSpec> = indices.iter().map(|&i| runs[i].clone()).collect();
        let done = run_wave(&specs, mnist, runs_dir, jobs, bar)?;
        Ok(indices.iter().copied().zip(done).collect())
    };
    let mut results = wave(&fresh)?;
    let (second, beside) = rayon::join(|| wave(&branches), alongside);
    results.extend(second?);
    results.sort_by_key(|(i, _)| *i);
    Ok((results.into_iter().map(|(_, r)| r).collect(), beside?))
}

/// Run every spec of one wave on `jobs` threads, longest first; the results
/// in the order of `runs`.
fn run_wave(
    runs: &[RunSpec],
    mnist: &Mnist,
    runs_dir: &Path,
    jobs: usize,
    bar: &ProgressBar,
) -> Result<Vec<RunResult>> {
    std::fs::create_dir_all(runs_dir).map_err(|cause| Error::Write {
        path: runs_dir.to_path_buf(),
        cause,
    })?;
    // The data of each pool size the runs use (pool 1 is `mnist` itself).
    let pooled: BTreeMap<usize, Mnist> = runs
        .iter()
        .map(|r| r.config.pool)
        .filter(|&pool| pool > 1)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|pool| (pool, mnist.pooled(pool)))
        .collect();
    let data_of = |pool: usize| if pool == 1 { mnist } else { &pooled[&pool] };
    // Longest runs first, so that the last ones to finish are short.
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by(|&a, &b| {
        relative_cost(&runs[b].config).total_cmp(&relative_cost(&runs[a].config))
    });

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| Error::Internal(format!("cannot start {jobs} threads: {e}")))?;
    let mut results: Vec<(usize, RunResult)> = pool.install(|| {
        order
            .par_iter()
            .with_max_len(1)
            .map(|&i| {
                let spec = &runs[i];
                let result = run_one(spec, data_of(spec.config.pool), runs_dir, bar)?;
                Ok((i, result))
            })
            .collect::<Result<Vec<_>>>()
    })?;
    results.sort_by_key(|(i, _)| *i);
    Ok(results.into_iter().map(|(_, r)| r).collect())
}

/// An error naming the first of `runs` whose name `runs_dir` already holds
/// for another configuration (a stored configuration that differs, beside
/// its metrics): another plan wrote the directory (`--quick` against the
/// full study, other seeds, another version), and training this one would
/// overwrite its run. Checked before anything is trained.
pub fn check_same_plan(runs: &[RunSpec], runs_dir: &Path) -> Result<()> {
    for spec in runs {
        let files = RunFiles::new(runs_dir, &spec.name);
        let read = input::read_bounded(&files.config, "a run's configuration", CONFIG_LIMIT);
        let Ok(bytes) = read else {
            continue;
        };
        let stored: serde_json::Value = match serde_json::from_slice(&bytes) {
            Ok(value) => value,
            // Damaged: nothing finished to keep; the run is trained again.
            Err(_) => continue,
        };
        let planned = serde_json::to_value(&spec.config).map_err(|e| {
            Error::Internal(format!("the configuration of {} as JSON: {e}", spec.name))
        })?;
        if stored != planned && files.metrics.is_file() {
            return Err(Error::bad_file(
                &files.config,
                format!(
                    "run {} was written by another plan ({}); expected this study's configuration: give another --out, or repeat that study's flags (--quick, --seeds, --seed-base), or remove runs/{}.* to train it again",
                    spec.name,
                    difference(&stored, &planned),
                    spec.name
                ),
            ));
        }
    }
    Ok(())
}

/// The fields in which two configurations (JSON objects) differ, as
/// "field: A there, B here", the first few.
fn difference(there: &serde_json::Value, here: &serde_json::Value) -> String {
    const SHOWN: usize = 3;
    let empty = serde_json::Map::new();
    let (a, b) = (
        there.as_object().unwrap_or(&empty),
        here.as_object().unwrap_or(&empty),
    );
    let mut keys: Vec<&String> = a.keys().collect();
    keys.extend(b.keys().filter(|k| !a.contains_key(*k)));
    let differing: Vec<String> = keys
        .into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| {
            let show = |v: Option<&serde_json::Value>| v.map_or("absent".into(), |v| v.to_string());
            format!("{k}: {} there, {} here", show(a.get(k)), show(b.get(k)))
        })
        .collect();
    let mut text = differing
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if differing.len() > SHOWN {
        text.push_str(&format!("; {} more", differing.len() - SHOWN));
    }
    text
}

/// The run of `spec` as its finished files in `runs_dir` hold it, or None
/// if they do not hold all of it.
pub fn read_finished(spec: &RunSpec, runs_dir: &Path) -> Option<RunResult> {
    match RunFiles::new(runs_dir, &spec.name).finished(spec) {
        Found::Whole(records) => Some(RunResult {
            spec: spec.clone(),
            records,
            reused: true,
            redone: false,
        }),
        _ => None,
    }
}

fn run_one(spec: &RunSpec, mnist: &Mnist, runs_dir: &Path, bar: &ProgressBar) -> Result<RunResult> {
    // The parent's network, trained here if no process has (a shard's
    // branch whose parent is another shard's and not yet finished).
    if let Some(parent) = &spec.parent
        && !RunFiles::new(runs_dir, &parent.name).network_of(parent)
    {
        run_one(parent, mnist, runs_dir, &ProgressBar::hidden())?;
    }
    let files = RunFiles::new(runs_dir, &spec.name);
    // Held to the end of this function: until the run's files are written.
    let _claim = Claim::take(&files.lock, &spec.name, bar)?;
    let redone = match files.finished(spec) {
        Found::Whole(records) => {
            bar.inc(spec.config.epochs as u64);
            return Ok(RunResult {
                spec: spec.clone(),
                records,
                reused: true,
                redone: false,
            });
        }
        Found::Damaged => true,
        Found::Nothing => false,
    };
    let data = spec.config.select_data(mnist)?;
    let mut progress = Progress(bar);
    // A parent's network is named relative to the runs' directory.
    let config = Config {
        load: spec.config.load.as_ref().map(|file| runs_dir.join(file)),
        ..spec.config.clone()
    };
    let records = match config.precision {
        Precision::F32 => keep(
            run::run::<f32>(&config, &data, &mut progress)?,
            spec,
            &files,
        )?,
        Precision::F64 => keep(
            run::run::<f64>(&config, &data, &mut progress)?,
            spec,
            &files,
        )?,
    };
    // A run stopped at equilibrium skips its remaining epochs.
    bar.inc((spec.config.epochs + 1 - records.len()) as u64);
    files.store(&records, &spec.config)?;
    Ok(RunResult {
        spec: spec.clone(),
        records,
        reused: false,
        redone,
    })
}

/// Save the networks of `outcome` that `spec` keeps (its last, and its tail
/// average if it has one); its records.
fn keep<T: Real>(
    outcome: run::Outcome<T>,
    spec: &RunSpec,
    files: &RunFiles,
) -> Result<Vec<EpochRecord>> {
    if spec.saves_network {
        network2_json::save(&outcome.net, &files.network)?;
        if let Some(average) = &outcome.average {
            network2_json::save(average, &files.average)?;
        }
    }
    Ok(outcome.records)
}

#[cfg(test)]
mod tests;
