//! `decaylab book NAME | --all`: the book's chapter-3 scripts reproduced,
//! each file compared with the published one, written with its figure.

use std::path::Path;
use std::time::Instant;

use super::console::{Console, say};
use super::failure::Outcome;
use crate::book::{self, BOOK_SEED, ListComparison, Script, ScriptResult, published};
use crate::cli::BookArgs;
use crate::error::{Error, Result};
use crate::output::write_atomic;
use crate::report;

/// Run the scripts `args` names and write their files and comparisons.
pub fn book(args: &BookArgs) -> Outcome {
    let scripts: Vec<Script> = match args.name {
        Some(script) => vec![script],
        None => Script::ALL.to_vec(),
    };
    std::fs::create_dir_all(&args.out).map_err(|cause| Error::Write {
        path: args.out.clone(),
        cause,
    })?;
    let seed = args.seed.unwrap_or(BOOK_SEED);
    let mut console = Console::new();
    let runs: usize = scripts
        .iter()
        .map(|&s| book::scripts::plan(s, seed).len())
        .sum();
    say!(
        console,
        "book: {} file(s), {runs} runs on {} thread(s), seed {seed}",
        scripts.len(),
        rayon::current_num_threads()
    );
    let start = Instant::now();
    let results = book::run_scripts(&scripts, seed)?;
    let seconds = start.elapsed().as_secs_f64();
    for result in &results {
        write_script(&args.out, result)?;
    }
    let comparisons: Vec<ListComparison> = results
        .iter()
        .flat_map(|r| r.comparison.iter().cloned())
        .collect();
    let table = published::table(&comparisons);
    let heading = if args.seed.is_some() {
        format!("Seed {seed}, against the published files of seed {BOOK_SEED}")
    } else {
        format!("Seed {BOOK_SEED}, as the scripts")
    };
    write_atomic(
        &args.out.join("comparison.md"),
        format!("# The book's chapter-3 results reproduced\n\n{heading}.\n\n{table}").as_bytes(),
    )?;
    write_atomic(
        &args.out.join("book.md"),
        report::book::index(&results, &heading, &table).as_bytes(),
    )?;
    say!(console, "{table}");
    let differing: Vec<&ListComparison> = comparisons
        .iter()
        .filter(|c| c.decides && !c.agrees())
        .collect();
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

/// DIR/NAME.json and DIR/NAME.svg of one script.
fn write_script(dir: &Path, result: &ScriptResult) -> Result<()> {
    let name = result.script.name();
    let json = serde_json::to_string(&result.to_json()).expect("results serialize");
    write_atomic(&dir.join(format!("{name}.json")), json.as_bytes())?;
    let svg = report::book::figure(result);
    write_atomic(&dir.join(format!("{name}.svg")), svg.as_bytes())
}
