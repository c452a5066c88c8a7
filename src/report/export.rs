//! The study's outputs, one exporter per format behind one interface, and
//! one writer that writes every file atomically. (Each run's own
//! `runs/NAME.jsonl` and `.csv` are written by the run itself as it
//! finishes, so that an interrupted study keeps its finished runs.)

use std::path::{Path, PathBuf};

use super::Document;
use super::json::ClaimsFile;
use crate::error::{Error, Result};
use crate::metrics;
use crate::output::write_atomic;
use crate::study::RunResult;

/// A file to write: its path inside the output directory, and its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

impl OutputFile {
    fn new(path: impl Into<PathBuf>, text: String) -> OutputFile {
        OutputFile {
            path: path.into(),
            bytes: text.into_bytes(),
        }
    }
}

/// What every exporter reads: the report's document, `claims.json`'s
/// content and the runs.
pub struct Study<'a> {
    pub document: &'a Document,
    pub claims: &'a ClaimsFile<'a>,
    pub runs: &'a [RunResult],
}

/// One output format.
/// The files the exporters write at the top of a study's directory, and
/// the folder of the figures.
pub const REPORT_HTML: &str = "report.html";
pub const REPORT_MD: &str = "report.md";
pub const CLAIMS_JSON: &str = "claims.json";
pub const RUNS_CSV: &str = "runs.csv";
pub const PLOTS: &str = "plots";
/// All of them.
pub const TOP_FILES: [&str; 4] = [CLAIMS_JSON, REPORT_HTML, REPORT_MD, RUNS_CSV];

pub trait Exporter {
    fn files(&self, study: &Study) -> Vec<OutputFile>;
}

/// `report.html`: the whole report in one self-contained page.
pub struct Html;
/// `report.md` and its figures, `plots/NAME.svg`.
pub struct Markdown;
/// `claims.json`: the verdicts, their evidence, the settled table and fits.
pub struct ClaimsJson;
/// `runs.csv`: every run's per-epoch rows in one long table.
pub struct RunsCsv;

impl Exporter for Html {
    fn files(&self, study: &Study) -> Vec<OutputFile> {
        vec![OutputFile::new(
            REPORT_HTML,
            super::html::render(study.document),
        )]
    }
}

impl Exporter for Markdown {
    fn files(&self, study: &Study) -> Vec<OutputFile> {
        let (text, figures) = super::markdown::render(study.document);
        let mut files = vec![OutputFile::new(REPORT_MD, text)];
        files.extend(
            figures
                .into_iter()
                .map(|(name, svg)| OutputFile::new(Path::new(PLOTS).join(name), svg)),
        );
        files
    }
}

impl Exporter for ClaimsJson {
    fn files(&self, study: &Study) -> Vec<OutputFile> {
        vec![OutputFile::new(
            CLAIMS_JSON,
            super::json::render(study.claims),
        )]
    }
}

/// The columns runs.csv puts before each run's metrics.
const RUN_COLUMNS: [&str; 12] = [
    "run",
    "purpose",
    "seed",
    "sizes",
    "init",
    "eta",
    "lambda",
    "m",
    "n",
    "pool",
    "input_scale",
    "precision",
];

impl Exporter for RunsCsv {
    fn files(&self, study: &Study) -> Vec<OutputFile> {
        vec![OutputFile::new(RUNS_CSV, runs_csv(study.runs))]
    }
}

/// Every run's rows under one header: the run's name and configuration,
/// then the union of the runs' metric columns (empty where a run has none).
pub fn runs_csv(runs: &[RunResult]) -> String {
    let tables: Vec<(Vec<String>, Vec<Vec<String>>)> = runs
        .iter()
        .map(|r| metrics::csv_table(&r.records))
        .collect();
    let mut columns: Vec<String> = Vec::new();
    for (header, _) in &tables {
        for name in header {
            if !columns.contains(name) {
                columns.push(name.clone());
            }
        }
    }
    let header: Vec<&str> = RUN_COLUMNS
        .iter()
        .copied()
        .chain(columns.iter().map(String::as_str))
        .collect();
    let mut table = Vec::new();
    for (run, (header, rows)) in runs.iter().zip(&tables) {
        let config = &run.spec.config;
        let sizes: Vec<String> = config.sizes.iter().map(|s| s.to_string()).collect();
        let fixed = [
            run.spec.name.clone(),
            run.spec.purpose.kind().to_string(),
            run.spec.seed.to_string(),
            sizes.join(" "),
            format!("{:?}", config.init).to_lowercase(),
            config.eta.to_string(),
            config.lambda.to_string(),
            config.batch.to_string(),
            config
                .train_size
                .unwrap_or(crate::data::TRAINING_SIZE)
                .to_string(),
            config.pool.to_string(),
            config.input_scale.to_string(),
            match config.precision {
                crate::run::Precision::F32 => "f32",
                crate::run::Precision::F64 => "f64",
            }
            .to_string(),
        ];
        let at: Vec<Option<usize>> = columns
            .iter()
            .map(|c| header.iter().position(|h| h == c))
            .collect();
        for row in rows {
            let mut cells = fixed.to_vec();
            cells.extend(
                at.iter()
                    .map(|i| i.map_or(String::new(), |i| row[i].clone())),
            );
            table.push(cells);
        }
    }
    metrics::write_table(&header, &table)
}

/// Write every exporter's files into `dir`, each atomically.
pub fn write_all(dir: &Path, exporters: &[&dyn Exporter], study: &Study) -> Result<()> {
    for exporter in exporters {
        for file in exporter.files(study) {
            let path = dir.join(&file.path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|cause| Error::Write {
                    path: parent.to_path_buf(),
                    cause,
                })?;
            }
            write_atomic(&path, &file.bytes)?;
        }
    }
    Ok(())
}

/// Every format the claims study writes.
pub const ALL: [&dyn Exporter; 4] = [&ClaimsJson, &Html, &Markdown, &RunsCsv];
