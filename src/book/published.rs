//! The book's published result files (bundled from `data/book/`, with
//! their notice), cut into named lists, and the comparison of a script's
//! results with them, list by list.

use serde::Serialize;
use serde_json::Value;

use super::scripts::{MULTIPLE_ETAS, Script};

/// The notice that goes with the files (MIT License, M. Nielsen).
pub const NOTICE: &str = include_str!("../../data/book/README.md");

/// The published file of `script`, as the book's repository holds it.
pub fn text(script: Script) -> &'static str {
    match script {
        Script::WeightInitialization30 => {
            include_str!("../../data/book/weight_initialization_30.json")
        }
        Script::WeightInitialization100 => {
            include_str!("../../data/book/weight_initialization_100.json")
        }
        Script::Overfitting => include_str!("../../data/book/overfitting.json"),
        Script::Regularized => include_str!("../../data/book/regularized.json"),
        Script::OverfittingFull => include_str!("../../data/book/overfitting_full.json"),
        Script::RegularizedFull => include_str!("../../data/book/regularized_full.json"),
        Script::MultipleEta => include_str!("../../data/book/multiple_eta.json"),
        Script::MoreData => include_str!("../../data/book/more_data.json"),
    }
}

/// The published file of `script`, parsed.
pub fn json(script: Script) -> Value {
    serde_json::from_str(text(script)).expect("the bundled files are JSON")
}

/// What a list holds, which says when two entries agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Counts of correct answers: equal.
    Count,
    /// `total_cost`: within [`COST_TOLERANCE`], relative.
    Cost,
    /// Accuracies in percent (`more_data`): equal.
    Percent,
}

/// Two costs agree when |ours - published| <= this * |published|: the
/// order of the sums (numpy's BLAS against these kernels) moves a cost by
/// about 1e-14 relative per epoch's worth of rounding, and a trajectory
/// that departs moves it by far more.
pub const COST_TOLERANCE: f64 = 1e-10;

/// One list of a result file: its name (the run's label, a slash, the
/// list's name in network2's `SGD`) and its entries.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedList {
    /// The run's label, a slash, the list's name.
    pub name: String,
    /// What the entries are (costs, counts, percentages).
    pub kind: Kind,
    /// One entry per epoch (or per training-set size).
    pub entries: Vec<f64>,
}

const SGD_LISTS: [(&str, Kind); 4] = [
    ("evaluation_cost", Kind::Cost),
    ("evaluation_accuracy", Kind::Count),
    ("training_cost", Kind::Cost),
    ("training_accuracy", Kind::Count),
];

/// The non-empty lists of `[evaluation_cost, evaluation_accuracy,
/// training_cost, training_accuracy]`, named `prefix/list`.
fn sgd_lists(value: &Value, prefix: &str) -> Vec<NamedList> {
    SGD_LISTS
        .iter()
        .enumerate()
        .filter_map(|(i, &(name, kind))| {
            let entries = numbers(&value[i]);
            (!entries.is_empty()).then(|| NamedList {
                name: if prefix.is_empty() {
                    name.to_string()
                } else {
                    format!("{prefix}/{name}")
                },
                kind,
                entries,
            })
        })
        .collect()
}

/// The numbers of a JSON array (none if it is not one).
fn numbers(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

/// The lists of a result file of `script` (published or ours: the same
/// structure).
pub fn lists(script: Script, value: &Value) -> Vec<NamedList> {
    match script {
        Script::WeightInitialization30 | Script::WeightInitialization100 => [
            "default_weight_initialization",
            "large_weight_initialization",
        ]
        .iter()
        .flat_map(|key| sgd_lists(&value[key], key))
        .collect(),
        Script::MultipleEta => MULTIPLE_ETAS
            .iter()
            .enumerate()
            .flat_map(|(i, eta)| sgd_lists(&value[i], &format!("eta {eta}")))
            .collect(),
        Script::MoreData => vec![NamedList {
            name: "validation accuracy (%) per N".to_string(),
            kind: Kind::Percent,
            entries: numbers(value),
        }],
        _ => sgd_lists(value, ""),
    }
}

/// How one list of ours compares with the published one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListComparison {
    /// The script's file name, without `.json`.
    pub script: &'static str,
    /// The list's name, as in [`NamedList`].
    pub list: String,
    /// What its entries are.
    pub kind: Kind,
    /// Entries of the published list.
    pub entries: usize,
    /// Entries of ours that agree with the published one at the same epoch.
    pub agreeing: usize,
    /// The largest |ours - published| (counts, percent), or the largest
    /// |ours - published| / |published| (costs).
    pub largest_difference: f64,
    /// The first entry (from 1: an epoch, or an N's place) that disagrees.
    pub first_departure: Option<usize>,
    /// Whether the list takes part in the verdict (the exit status).
    pub decides: bool,
    /// Why it does not, or what its departure means.
    pub note: Option<String>,
}

impl ListComparison {
    /// Whether every published entry is matched.
    pub fn agrees(&self) -> bool {
        self.agreeing == self.entries
    }
}

/// The eta = 2.5 list of `multiple_eta`, whose curve oscillates.
const OSCILLATING: &str = "eta 2.5/training_cost";

/// Compare our `results` (in the structure of the published file) with the
/// published file of `script`, list by list.
pub fn compare(script: Script, results: &Value) -> Vec<ListComparison> {
    let ours = lists(script, results);
    lists(script, &json(script))
        .into_iter()
        .map(|published| {
            let mine = ours
                .iter()
                .find(|l| l.name == published.name)
                .map_or(&[][..], |l| l.entries.as_slice());
            let difference = |(a, b): (&f64, &f64)| match published.kind {
                Kind::Cost => (a - b).abs() / b.abs(),
                Kind::Count | Kind::Percent => (a - b).abs(),
            };
            let agree = |d: f64| match published.kind {
                Kind::Cost => d <= COST_TOLERANCE,
                Kind::Count | Kind::Percent => d == 0.0,
            };
            let differences: Vec<f64> = mine.iter().zip(&published.entries).map(difference).collect();
            let agreeing = differences.iter().filter(|&&d| agree(d)).count();
            let first_departure = (0..published.entries.len())
                .find(|&i| differences.get(i).is_none_or(|&d| !agree(d)))
                .map(|i| i + 1);
            let (decides, note) = if !script.arguments_recorded() {
                let agreement = match first_departure {
                    Some(1) => "departs from the first epoch".to_string(),
                    Some(epoch) => format!(
                        "agrees up to epoch {}, then departs as its rounding differences (about 1e-15 after epoch 1) grow",
                        epoch - 1
                    ),
                    None => "agrees throughout".to_string(),
                };
                let note = format!(
                    "the arguments are not recorded; with overfitting.py's own (eta 0.5, large init, test set) it {agreement}"
                );
                (false, Some(note))
            } else if published.name == OSCILLATING {
                let note = match first_departure {
                    Some(epoch) => format!(
                        "departs from epoch {epoch} on: the eta = 2.5 run oscillates, and its curve depends on the order in which sums are rounded"
                    ),
                    None => "the eta = 2.5 run oscillates; here it agrees throughout".to_string(),
                };
                (false, Some(note))
            } else {
                (true, None)
            };
            ListComparison {
                script: script.name(),
                list: published.name,
                kind: published.kind,
                entries: published.entries.len(),
                agreeing,
                largest_difference: differences.iter().copied().fold(0.0, f64::max),
                first_departure,
                decides,
                note,
            }
        })
        .collect()
}

/// The comparisons as a Markdown table.
pub fn table(comparisons: &[ListComparison]) -> String {
    let mut text = String::from(
        "| file | list | entries | agreeing | largest difference | first departure | note |\n\
         | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for c in comparisons {
        let difference = match c.kind {
            Kind::Cost => format!("{:.1e} (relative)", c.largest_difference),
            Kind::Count => format!("{}", c.largest_difference),
            Kind::Percent => format!("{:.2} points", c.largest_difference),
        };
        let departure = c.first_departure.map_or("-".to_string(), |e| e.to_string());
        let note = match (&c.note, c.decides) {
            (Some(note), false) => format!("not counted: {note}"),
            (Some(note), true) => note.clone(),
            (None, _) => String::new(),
        };
        text.push_str(&format!(
            "| {} | {} | {} | {} | {difference} | {departure} | {note} |\n",
            c.script, c.list, c.entries, c.agreeing
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn every_published_file_is_cut_into_its_lists() {
        let sizes = |script| -> Vec<(String, usize)> {
            lists(script, &json(script))
                .into_iter()
                .map(|l| (l.name, l.entries.len()))
                .collect()
        };
        assert_eq!(
            sizes(Script::WeightInitialization30),
            [
                (
                    "default_weight_initialization/evaluation_accuracy".to_string(),
                    30
                ),
                (
                    "large_weight_initialization/evaluation_accuracy".to_string(),
                    30
                )
            ]
        );
        assert_eq!(sizes(Script::Overfitting).len(), 4);
        assert!(sizes(Script::Regularized).iter().all(|(_, n)| *n == 400));
        assert_eq!(sizes(Script::MultipleEta)[2].0, OSCILLATING);
        assert_eq!(sizes(Script::MoreData)[0].1, 9);
        assert!(NOTICE.contains("MIT License"));
    }

    #[test]
    fn the_published_file_agrees_with_itself_and_a_change_shows() {
        let script = Script::Regularized;
        let published = json(script);
        assert!(
            compare(script, &published)
                .iter()
                .all(ListComparison::agrees)
        );
        let mut changed = published.clone();
        changed[1][2] = Value::from(changed[1][2].as_f64().unwrap() + 3.0);
        changed[0][5] = Value::from(changed[0][5].as_f64().unwrap() * (1.0 + 1e-6));
        let comparison = compare(script, &changed);
        assert_eq!(comparison[1].agreeing, 399);
        assert_eq!(comparison[1].first_departure, Some(3));
        assert_eq!(comparison[1].largest_difference, 3.0);
        assert_eq!(comparison[0].first_departure, Some(6));
        assert_abs_diff_eq!(comparison[0].largest_difference, 1e-6, epsilon = 1e-12);
    }
}
