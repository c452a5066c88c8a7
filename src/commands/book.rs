//! `decaylab book NAME | --all`: the book's chapter-3 scripts reproduced,
//! each file compared with the published one, written with its figure.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::console::{Console, say};
use super::failure::{Failure, Outcome};
use super::files;
use crate::book::{self, BOOK_SEED, ListComparison, Script, ScriptResult, published};
use crate::cli::BookArgs;
use crate::error::{Error, Result};
use crate::output::write_atomic;
use crate::report;

/// The table of every list against the published one, and the page of
/// every script's results.
const COMPARISON: &str = "comparison.md";
const INDEX: &str = "book.md";

/// Run the scripts `args` names and write their files and comparisons.
pub fn book(args: &BookArgs) -> Outcome {
    let scripts: Vec<Script> = match args.name {
        Some(script) => vec![script],
        None => Script::ALL.to_vec(),
    };
    let mut outputs: Vec<PathBuf> = [COMPARISON, INDEX]
        .iter()
        .map(|name| args.out.join(name))
        .collect();
    for script in &scripts {
        let [json, svg] = script_files(&args.out, *script);
        outputs.extend([json, svg]);
    }
    files::prepare_output_dir("--out", &args.out, &outputs)?;
    let seed = args.seed.unwrap_or(BOOK_SEED);
    let jobs = match args.jobs {
        Some(0) => return Err(Failure::flag("--jobs", "0; expected at least 1 job")),
        Some(j) => j,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| Error::Internal(format!("a pool of {jobs} threads: {e}")))?;
    let mut console = Console::new();
    let runs: usize = scripts
        .iter()
        .map(|&s| book::scripts::plan(s, seed).len())
        .sum();
    say!(
        console,
        "book: {} file(s), {runs} runs on {jobs} job(s), seed {seed}",
        scripts.len(),
    );
    let start = Instant::now();
    let results = pool.install(|| book::run_scripts(&scripts, seed))?;
    let seconds = start.elapsed().as_secs_f64();
    for result in &results {
        write_script(&args.out, result)?;
    }
    let comparisons: Vec<ListComparison> = results
        .iter()
        .flat_map(|r| r.comparison.iter().cloned())
        .collect();
    // The combined files list every script whose results are in the
    // directory, this run's and earlier ones' of the same seed.
    let earlier = earlier_results(&args.out, seed, &scripts);
    for (script, why) in &earlier.left_out {
        say!(
            console,
            "{}: left out of {COMPARISON} and {INDEX}: {why}",
            script_files(&args.out, *script)[0].display()
        );
    }
    let mut listed: Vec<(Script, Vec<ListComparison>)> = results
        .iter()
        .map(|r| (r.script, r.comparison.clone()))
        .chain(earlier.found)
        .collect();
    listed.sort_by_key(|(script, _)| Script::ALL.iter().position(|s| s == script));
    let all_scripts: Vec<Script> = listed.iter().map(|(script, _)| *script).collect();
    let all_comparisons: Vec<ListComparison> =
        listed.into_iter().flat_map(|(_, lists)| lists).collect();
    let table = published::table(&all_comparisons);
    let heading = if args.seed.is_some() {
        format!("Seed {seed}, against the published files of seed {BOOK_SEED}")
    } else {
        format!("Seed {BOOK_SEED}, as the scripts")
    };
    write_atomic(
        &args.out.join(COMPARISON),
        format!("# The book's chapter-3 results reproduced\n\n{heading}.\n\n{table}").as_bytes(),
    )?;
    write_atomic(
        &args.out.join(INDEX),
        report::book::index(&all_scripts, &heading, &table).as_bytes(),
    )?;
    say!(console, "{table}");
    let differing: Vec<&ListComparison> = comparisons
        .iter()
        .filter(|c| c.decides && !c.agrees())
        .collect();
    say!(console, "{}", summary(&comparisons, args.seed.is_some()));
    say!(
        console,
        "{seconds:.1} s; written to {} (NAME.json, NAME.svg, comparison.md, book.md)",
        args.out.display()
    );
    console.finish()?;
    if args.seed.is_none() && !differing.is_empty() {
        let lists: Vec<String> = differing
            .iter()
            .map(|c| format!("{} {}", c.script, c.list))
            .collect();
        let differs = Error::Differs(format!(
            "{} list(s) differ from the published files: {}",
            differing.len(),
            lists.join(", ")
        ));
        return Err(differs.into());
    }
    Ok(())
}

/// The line that says how this run's lists compare with the published
/// ones: those that decide the verdict, and whether all agree.
fn summary(comparisons: &[ListComparison], other_seed: bool) -> String {
    let deciding: Vec<&ListComparison> = comparisons.iter().filter(|c| c.decides).collect();
    let agreeing = deciding.iter().filter(|c| c.agrees()).count();
    let others = comparisons.len() - deciding.len();
    let unchecked = if others > 0 {
        format!(" ({others} more shown, not compared entry for entry: see the table's notes)")
    } else {
        String::new()
    };
    let verdict = match (other_seed, agreeing == deciding.len()) {
        (true, _) => "another seed, not expected to match".to_string(),
        (false, true) => "PASS".to_string(),
        (false, false) => format!("FAIL: {} differ", deciding.len() - agreeing),
    };
    format!(
        "{verdict}: {agreeing} of {} lists equal the published ones entry for entry{unchecked}",
        deciding.len()
    )
}

/// The results of scripts not run now that an earlier `book` left in a
/// directory.
struct Earlier {
    /// Each script's lists against the published ones, compared again from
    /// the results its NAME.json holds.
    found: Vec<(Script, Vec<ListComparison>)>,
    /// The NAME.json files that could not be used, and why.
    left_out: Vec<(Script, String)>,
}

/// The results in `dir` of every script but `run_now`, of seed `seed`.
fn earlier_results(dir: &Path, seed: u32, run_now: &[Script]) -> Earlier {
    let mut earlier = Earlier {
        found: Vec::new(),
        left_out: Vec::new(),
    };
    for script in Script::ALL.into_iter().filter(|s| !run_now.contains(s)) {
        let [path, _] = script_files(dir, script);
        if !path.is_file() {
            continue;
        }
        let limit = crate::input::whole_file_limit();
        let read: std::result::Result<serde_json::Value, String> =
            crate::input::read_bounded(&path, "a book script's results", limit)
                .map_err(|e| e.to_string())
                .and_then(|bytes| serde_json::from_slice(&bytes).map_err(|e| e.to_string()));
        match read {
            Ok(file) if file["seed"] == seed && !file["results"].is_null() => {
                let lists = published::compare(script, &file["results"]);
                earlier.found.push((script, lists));
            }
            Ok(file) if file["seed"] != seed => earlier
                .left_out
                .push((script, format!("seed {}, not {seed}", file["seed"]))),
            Ok(_) => earlier
                .left_out
                .push((script, "holds no results".to_string())),
            Err(e) => earlier.left_out.push((script, format!("unreadable ({e})"))),
        }
    }
    earlier
}

/// DIR/NAME.json and DIR/NAME.svg of one script.
fn write_script(dir: &Path, result: &ScriptResult) -> Result<()> {
    let [json_path, svg_path] = script_files(dir, result.script);
    let json = serde_json::to_string(&result.to_json()).expect("results serialize");
    write_atomic(&json_path, json.as_bytes())?;
    let svg = report::book::figure(result);
    write_atomic(&svg_path, svg.as_bytes())
}

/// The files a script's results go to in `dir`: `NAME.json`, `NAME.svg`.
fn script_files(dir: &Path, script: Script) -> [PathBuf; 2] {
    let name = script.name();
    [
        dir.join(format!("{name}.json")),
        dir.join(format!("{name}.svg")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::published::Kind;

    fn list(agreeing: usize, decides: bool) -> ListComparison {
        ListComparison {
            script: "overfitting",
            list: "evaluation_accuracy".to_string(),
            kind: Kind::Count,
            entries: 30,
            agreeing,
            largest_difference: 0.0,
            first_departure: None,
            decides,
            note: None,
        }
    }

    #[test]
    fn the_summary_says_pass_or_fail_and_counts_the_lists() {
        let lists = [list(30, true), list(30, true), list(3, false)];
        assert_eq!(
            summary(&lists, false),
            "PASS: 2 of 2 lists equal the published ones entry for entry \
             (1 more shown, not compared entry for entry: see the table's notes)"
        );
        let lists = [list(30, true), list(29, true)];
        assert_eq!(
            summary(&lists, false),
            "FAIL: 1 differ: 1 of 2 lists equal the published ones entry for entry"
        );
        assert_eq!(
            summary(&lists, true),
            "another seed, not expected to match: 1 of 2 lists equal the published ones entry for entry"
        );
    }
}
