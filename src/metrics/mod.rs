//! The per-epoch record of a run and its writers: JSON lines (everything)
//! and CSV (one flat row per epoch, histograms left out).

#[cfg(test)]
pub(crate) mod synthetic;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::output::Appender;
use crate::probes::{EpochDynamics, FullGradient, Histogram, LiveInputs, WeightStats};

/// Everything measured at the end of one epoch (epoch 0: before training).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// The epoch, from 1; 0 is the network before training.
    pub epoch: usize,
    /// Fraction of the evaluation set classified correctly.
    pub eval_accuracy: f64,
    /// network2's total_cost on the evaluation set: data term + (lambda/2N) sum w^2.
    pub eval_cost: f64,
    /// The data term alone, (1/N) sum_x C_x.
    pub eval_data_cost: f64,
    /// Accuracy on the training set (null unless monitored).
    #[serde(default)]
    pub train_accuracy: Option<f64>,
    /// total_cost on the training set (null unless monitored).
    #[serde(default)]
    pub train_cost: Option<f64>,
    /// rms, mean, std and largest |w| of all weights and of each layer.
    pub weights: WeightStats,
    /// The first layer's weights from the inputs that are not blank in
    /// every training image (null in records written before it was
    /// measured).
    #[serde(default)]
    pub live_inputs: Option<LiveInputs>,
    /// rho_e = rms_e / rms_(e-1) of all weights (null for epoch 0, and when
    /// rms_(e-1) = 0).
    pub shrink_ratio: Option<f64>,
    /// rho_e per layer (null as above).
    pub shrink_ratio_layers: Vec<Option<f64>>,
    /// rho*: the decay's own shrink per epoch, (1 - eta*lambda/n)^S for
    /// network2's rule (the other rules' laws: `run::measure::decay_law`);
    /// null for the rules whose decay is not a factor (L1, Adam with the
    /// penalty in its gradient).
    pub predicted_shrink: Option<f64>,
    /// Its limit for small steps: exp(-eta*lambda/m) for network2's rule;
    /// null as above.
    pub predicted_shrink_asymptotic: Option<f64>,
    /// Norm budget, offset fraction, displacements, gradient signal of the
    /// epoch's steps (with probes on; null at epoch 0, which has no steps).
    #[serde(default)]
    pub dynamics: Option<EpochDynamics>,
    /// Per hidden layer: fraction of (example, neuron) pairs of the
    /// evaluation set with sigma'(z) < 0.01.
    pub saturation: Vec<f64>,
    /// Per weight layer i, over the evaluation set: the rms length of the
    /// layer's input vector |a^(i)| (i = 0: the image).
    pub input_norm: Vec<f64>,
    /// Per weight layer: the rms of the pre-activations z = w a + b over the
    /// evaluation set and the layer's neurons.
    pub preactivation_rms: Vec<f64>,
    /// Per weight layer: the same of the weighted inputs w a alone.
    pub weighted_input_rms: Vec<f64>,
    /// Per weight layer, the full-batch gradient on the training set
    /// (null unless asked for: at the end of the study's runs, every epoch
    /// with `train --full-gradient`).
    pub full_gradient: Option<Vec<FullGradient>>,
    /// eta of the epoch's steps (in runs whose eta changes: `--schedule`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learning_rate: Option<f64>,
    /// lambda of the epoch's steps (in runs whose lambda was changed while
    /// they trained: the playground).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda: Option<f64>,
    /// What the schedule or early stopping did after this epoch (in runs
    /// that have them, where they fired).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_event: Option<ScheduleEvent>,
    /// The tail average of the run's network (in the last record of a run
    /// that keeps one: see `Config::tail_average_from`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tail_average: Option<TailAverage>,
    /// Weight histograms, bins fixed for the run (with probes on; null
    /// without).
    #[serde(default)]
    pub histograms: Option<Histograms>,
    /// Wall-clock seconds of this epoch's SGD steps (0 for epoch 0).
    pub seconds: f64,
}

/// What a run's schedule (`run::schedule`) did at the end of an epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScheduleEvent {
    /// eta was halved for the epochs that follow.
    Halved,
    /// The run stopped here: no improvement in N epochs (or eta down to
    /// 1/128 of its start).
    Stopped,
}

/// Polyak's average of a run's network, sampled once per epoch: the mean
/// of the weights and biases at the ends of epochs `from_epoch` to the
/// last, w_bar = (1/E) sum_e w_e, and the full-batch gradient of the data
/// cost at w_bar. Where SGD fluctuates around a minimizer w* of
/// J = C_0 + (lambda/2n) sum |w|^2, the average is nearer w* than any one
/// epoch's network, and cos(w_bar, -grad C_0) nearer 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TailAverage {
    /// The first epoch averaged.
    pub from_epoch: usize,
    /// E, the number of epochs averaged.
    pub epochs: usize,
    /// Per weight layer: the rms of w_bar's weights.
    pub rms: Vec<f64>,
    /// Per weight layer: the full-batch gradient at w_bar.
    pub full_gradient: Vec<FullGradient>,
}

/// An epoch's weight histograms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histograms {
    /// Of every weight of the network.
    pub all: Histogram,
    /// Of each weight layer's, first layer first.
    pub layers: Vec<Histogram>,
}

/// All records as JSON lines, one per epoch.
pub fn to_json_lines(records: &[EpochRecord]) -> String {
    records.iter().map(json_line).collect()
}

/// One record as a line of JSON, newline included.
pub fn json_line(record: &EpochRecord) -> String {
    let mut line = serde_json::to_string(record).expect("a record serializes");
    line.push('\n');
    line
}

/// A run's records as JSON lines, written while it runs: the first record
/// starts the file (replacing what was there), each later one is appended,
/// so an epoch costs its own line, not the whole file again.
pub struct JsonLinesLog {
    path: PathBuf,
    file: Option<Appender>,
}

impl JsonLinesLog {
    /// A log to be written at `path` (nothing is written yet).
    pub fn new(path: &Path) -> JsonLinesLog {
        JsonLinesLog {
            path: path.to_path_buf(),
            file: None,
        }
    }

    /// Add the next epoch's record.
    pub fn push(&mut self, record: &EpochRecord) -> Result<()> {
        let line = json_line(record);
        match &mut self.file {
            Some(file) => file.append(line.as_bytes()),
            None => {
                self.file = Some(Appender::start(&self.path, line.as_bytes())?);
                Ok(())
            }
        }
    }
}

/// A run's records as CSV (see [`csv_table`]), written while it runs: a
/// record whose columns are all in the header adds its row; one that brings
/// new columns (epoch 1 brings the dynamics epoch 0 lacks) has the whole
/// table written again. The file is always what [`to_csv`] makes of the
/// records so far.
pub struct CsvLog {
    path: PathBuf,
    header: Vec<String>,
    file: Option<Appender>,
}

impl CsvLog {
    /// A table to be written at `path` (nothing is written yet).
    pub fn new(path: &Path) -> CsvLog {
        CsvLog {
            path: path.to_path_buf(),
            header: Vec::new(),
            file: None,
        }
    }

    /// Write `records`, of which only the last is new since the last call.
    pub fn push(&mut self, records: &[EpochRecord]) -> Result<()> {
        let Some(last) = records.last() else {
            return Ok(());
        };
        let cells = record_cells(last);
        match &mut self.file {
            Some(file) if cells.iter().all(|(name, _)| self.header.contains(name)) => {
                let row = row_in_order(&self.header, &cells);
                file.append(csv_rows(&[row]).as_bytes())
            }
            _ => {
                let (header, rows) = csv_table(records);
                let text = write_table(&header, &rows);
                self.file = Some(Appender::start(&self.path, text.as_bytes())?);
                self.header = header;
                Ok(())
            }
        }
    }
}

/// Write all records as JSON lines to `path`, replacing it atomically, so
/// that a reader (or a crash) never sees a half-written line.
pub fn write_json_lines(path: &Path, records: &[EpochRecord]) -> Result<()> {
    crate::output::write_atomic(path, to_json_lines(records).as_bytes())
}

/// All records as a table: a header of dotted names as in the JSON lines,
/// a weight layer's entries named by the layer (`weights.w1.rms`,
/// `dynamics.budget.decay`, `dynamics.offset_fraction_w2`: see
/// [`item_name`]), one row per epoch; the histograms are left out. Absent
/// values are empty cells.
pub fn csv_table(records: &[EpochRecord]) -> (Vec<String>, Vec<Vec<String>>) {
    let rows: Vec<Vec<(String, String)>> = records.iter().map(record_cells).collect();
    // The header is the union of all rows' columns, the fullest row's order
    // first (epoch 0 lacks the dynamics of later epochs).
    let mut by_size: Vec<&Vec<(String, String)>> = rows.iter().collect();
    by_size.sort_by_key(|row| std::cmp::Reverse(row.len()));
    let mut header: Vec<String> = Vec::new();
    for row in by_size {
        for (name, _) in row {
            if !header.contains(name) {
                header.push(name.clone());
            }
        }
    }
    let rows = rows.iter().map(|row| row_in_order(&header, row)).collect();
    (header, rows)
}

/// A record's CSV cells as (column, text), histograms left out.
fn record_cells(record: &EpochRecord) -> Vec<(String, String)> {
    let mut cells = Vec::new();
    let mut value = serde_json::to_value(record).expect("a record serializes");
    if let Some(o) = value.as_object_mut() {
        o.remove("histograms");
        // Epoch 0's null dynamics leave their columns empty.
        if o.get("dynamics").is_some_and(|d| d.is_null()) {
            o.remove("dynamics");
        }
    }
    flatten("", &value, &mut cells);
    cells
}

/// `cells` in the order of `header`, an empty text where a column has none.
fn row_in_order(header: &[String], cells: &[(String, String)]) -> Vec<String> {
    header
        .iter()
        .map(|name| {
            cells
                .iter()
                .find(|(n, _)| n == name)
                .map_or(String::new(), |(_, v)| v.clone())
        })
        .collect()
}

/// All records as CSV (see `csv_table`).
pub fn to_csv(records: &[EpochRecord]) -> String {
    let (header, rows) = csv_table(records);
    write_table(&header, &rows)
}

/// `header` and `rows` as CSV text, each field quoted where it needs to be.
pub fn write_table<S: AsRef<[u8]>>(header: &[S], rows: &[Vec<String>]) -> String {
    let header = header.iter().map(|h| h.as_ref().to_vec());
    let rows = rows
        .iter()
        .map(|row| row.iter().map(|f| f.as_bytes().to_vec()));
    csv_text(std::iter::once(header.collect()).chain(rows.map(|r| r.collect())))
}

/// `rows` as CSV lines, no header.
fn csv_rows(rows: &[Vec<String>]) -> String {
    csv_text(
        rows.iter()
            .map(|row| row.iter().map(|f| f.as_bytes().to_vec()).collect()),
    )
}

/// Lines of CSV, each field quoted where it needs to be.
fn csv_text(lines: impl Iterator<Item = Vec<Vec<u8>>>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing into memory cannot fail but on a record of another length,
    // and every row here has the header's.
    for line in lines {
        writer
            .write_record(&line)
            .expect("every row as long as the header");
    }
    let bytes = writer.into_inner().expect("writing into memory");
    String::from_utf8(bytes).expect("fields are UTF-8")
}

/// Write all records as CSV to `path`, atomically.
pub fn write_csv(path: &Path, records: &[EpochRecord]) -> Result<()> {
    crate::output::write_atomic(path, to_csv(records).as_bytes())
}

/// Leaves of a JSON value as (dotted.`name[i]`, text) pairs.
/// The records' arrays that hold one entry per weight layer without
/// saying so in their name.
const PER_WEIGHT_LAYER: [&str; 7] = [
    "gradient_signal",
    "angle",
    "change_cosine",
    "input_norm",
    "preactivation_rms",
    "weighted_input_rms",
    "full_gradient",
];

/// The column name of entry `i` of the array at `path`: a weight layer's
/// by the layer's name, as the report and `train` write it (w1, w2, ...):
/// `weights.layers[0]` is `weights.w1`, `offset_fraction_layers[0]` is
/// `offset_fraction_w1`, `input_norm[0]` is `input_norm_w1`; any other
/// array's by its index (`saturation[0]`, per hidden layer).
fn item_name(path: &str, i: usize) -> String {
    let layer = format!("w{}", i + 1);
    let (parent, key) = match path.rsplit_once('.') {
        Some((parent, key)) => (Some(parent), key),
        None => (None, path),
    };
    let named = if key == "layers" {
        layer
    } else if let Some(stem) = key.strip_suffix("_layers") {
        format!("{stem}_{layer}")
    } else if PER_WEIGHT_LAYER.contains(&key) {
        format!("{key}_{layer}")
    } else {
        return format!("{path}[{i}]");
    };
    match parent {
        Some(parent) => format!("{parent}.{named}"),
        None => named,
    }
}

fn flatten(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&name, v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&item_name(prefix, i), v, out);
            }
        }
        Value::Null => out.push((prefix.to_string(), String::new())),
        Value::Number(n) => out.push((prefix.to_string(), n.to_string())),
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_flattens_nested_names() {
        let value = serde_json::json!({
            "epoch": 1,
            "weights": {"rms": 0.5, "layers": [{"rms": 0.25}]},
            "f": null,
            "shrink_ratio_layers": [0.9, 1.1],
            "input_norm": [9.0],
            "saturation": [0.5],
            "dynamics": {"budget": {"layers": [{"noise": 2.0}]}}
        });
        let mut cells = Vec::new();
        flatten("", &value, &mut cells);
        let names: Vec<&str> = cells.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "epoch",
                "weights.rms",
                "weights.w1.rms",
                "f",
                "shrink_ratio_w1",
                "shrink_ratio_w2",
                "input_norm_w1",
                "saturation[0]",
                "dynamics.budget.w1.noise"
            ]
        );
        assert_eq!(cells[2].1, "0.25");
        assert_eq!(cells[3].1, "");
    }

    #[test]
    fn csv_fields_are_quoted_where_they_need_to_be() {
        let rows = vec![
            vec!["1".to_string(), "a,b".into(), "say \"x\"".into()],
            vec!["2".to_string(), "".into(), "plain".into()],
        ];
        assert_eq!(
            write_table(&["n", "text", "quote"], &rows),
            "n,text,quote\n1,\"a,b\",\"say \"\"x\"\"\"\n2,,plain\n"
        );
    }
}
