//! Book mode's figures and index: for each of the book's files, our curves
//! drawn wide and pale with the published ones dashed over them (where they
//! agree, the dashes run along the middle of the band), in the report's
//! plot style.

use super::plots::{self, Chart, PALETTE, Series};
use crate::book::published::{self, Kind, NamedList};
use crate::book::{Script, ScriptResult, scripts::MORE_DATA_SIZES};

/// The list's name after the run's label: `evaluation_accuracy`, ...
fn measure(list: &NamedList) -> &str {
    list.name.rsplit('/').next().unwrap_or(&list.name)
}

/// The run's label before the list's name ("" for a file of one run).
fn run_label(list: &NamedList) -> &str {
    list.name.rsplit_once('/').map_or("", |(label, _)| label)
}

/// The size of the set a list scores: 10,000 for evaluation lists, the
/// run's n for training lists.
fn scored_set(result: &ScriptResult, list: &NamedList) -> f64 {
    if measure(list).starts_with("training") {
        let run = result
            .runs
            .iter()
            .find(|r| r.label == run_label(list))
            .unwrap_or(&result.runs[0]);
        run.config.train_size.unwrap_or(crate::data::TRAINING_SIZE) as f64
    } else {
        10_000.0
    }
}

/// The points of a list: (epoch, value) or, for `more_data`, (N, value);
/// accuracies as percentages of the set scored.
fn points(result: &ScriptResult, list: &NamedList) -> Vec<(f64, f64)> {
    let scale = match list.kind {
        Kind::Count => 100.0 / scored_set(result, list),
        Kind::Cost | Kind::Percent => 1.0,
    };
    list.entries
        .iter()
        .enumerate()
        .map(|(i, &y)| {
            let x = if result.script == Script::MoreData {
                MORE_DATA_SIZES[i] as f64
            } else {
                (i + 1) as f64
            };
            (x, y * scale)
        })
        .collect()
}

/// One chart per measure (accuracy or cost, on the evaluation or the
/// training set), each run's curve beside the published one.
fn charts(result: &ScriptResult) -> Vec<Chart> {
    let ours = published::lists(result.script, &result.results);
    let theirs = published::lists(result.script, &published::json(result.script));
    let mut measures: Vec<&str> = theirs.iter().map(measure).collect();
    measures.dedup();
    measures
        .into_iter()
        .map(|name| {
            let mut series = Vec::new();
            let lists = theirs.iter().filter(|l| measure(l) == name);
            for (i, published_list) in lists.enumerate() {
                let color = PALETTE[i % PALETTE.len()];
                let label = match run_label(published_list) {
                    "" => String::new(),
                    label => format!("{label}, "),
                };
                if let Some(our_list) = ours.iter().find(|l| l.name == published_list.name) {
                    let line = points(result, our_list);
                    series.push(Series::line(format!("{label}decaylab"), line, color).wide());
                }
                let line = points(result, published_list);
                series.push(Series::line(format!("{label}published"), line, color).dashed());
            }
            let (x_label, y_label) = match result.script {
                Script::MoreData => ("training images N", "validation accuracy (%)"),
                _ if name.ends_with("accuracy") => ("epoch", "accuracy (% of the set)"),
                _ => ("epoch", "total_cost"),
            };
            Chart {
                title: format!("{}: {name}", result.script.name()),
                x_label: x_label.to_string(),
                y_label: y_label.to_string(),
                log_x: result.script == Script::MoreData,
                log_y: name.ends_with("cost"),
                series,
                ..Chart::default()
            }
        })
        .collect()
}

/// The height an SVG of `plots::render` declares.
fn height_of(svg: &str) -> usize {
    svg.split("height=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next()?.parse().ok())
        .unwrap_or(0)
}

/// Charts side by side in a book figure: one, so that the figure is one
/// chart wide and stays readable on a phone (two side by side were twice
/// as wide, each shown at half the size).
const COLUMNS: usize = 1;

/// The figure of one file: its charts, one above the other, in one SVG.
pub fn figure(result: &ScriptResult) -> String {
    let charts: Vec<String> = charts(result).iter().map(plots::render).collect();
    if let [chart] = charts.as_slice() {
        return chart.clone();
    }
    let columns = COLUMNS;
    let chart_width = plots::WIDTH as usize;
    let row_heights: Vec<usize> = charts
        .chunks(columns)
        .map(|row| row.iter().map(|c| height_of(c)).max().unwrap_or(0))
        .collect();
    let (width, height) = (chart_width * columns, row_heights.iter().sum::<usize>());
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n"
    );
    for (i, chart) in charts.iter().enumerate() {
        let x = chart_width * (i % columns);
        let y: usize = row_heights[..i / columns].iter().sum();
        // Each chart is an SVG document of its own, nested at its place.
        let inner = chart.replacen("<svg ", &format!("<svg x=\"{x}\" y=\"{y}\" "), 1);
        svg.push_str(&inner);
        svg.push('\n');
    }
    svg.push_str("</svg>\n");
    svg
}

/// `book.md`: the comparison table, then every file's figure.
pub fn index(scripts: &[Script], heading: &str, table: &str) -> String {
    let mut text = format!(
        "# The book's chapter-3 results reproduced\n\n{heading}. Each figure draws decaylab's \
         curves as wide pale bands and the published ones dashed over them.\n\n{table}\n"
    );
    for script in scripts {
        let name = script.name();
        text.push_str(&format!("## {name}\n\n![{name}]({name}.svg)\n\n"));
    }
    text
}
