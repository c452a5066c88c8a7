//! The search for the arguments of the book's `_full` files, which the
//! repository does not record: `overfitting.py`'s protocol on all 50,000
//! images with other learning rates, initializations and evaluation sets,
//! one epoch each, against the published first entries, printed as a
//! Markdown table. Minutes long:
//!
//!     cargo run --release --example book_full_search

use decaylab::book::{self, BOOK_SEED, FullSetting, FullStart, Script, published};
use decaylab::run::EvalSet;

fn main() -> decaylab::Result<()> {
    let mnist = book::scripts::book_mnist()?;
    let mut settings = Vec::new();
    for eta in [0.1, 0.25, 0.5, 1.0] {
        for start in [
            FullStart::DefaultDiscardedThenLarge,
            FullStart::Default,
            FullStart::LargeFirst,
        ] {
            settings.push(FullSetting {
                eta,
                epochs: 1,
                eval: EvalSet::Test,
                start,
            });
        }
    }
    settings.push(FullSetting {
        epochs: 1,
        eval: EvalSet::Validation,
        ..FullSetting::CLOSEST
    });
    println!(
        "| file | eta | start | evaluated on | epoch 1: |count differences| (eval, train) | cost differences, relative (eval, train) |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    for (script, lambda) in [
        (Script::OverfittingFull, 0.0),
        (Script::RegularizedFull, 5.0),
    ] {
        let theirs = published::lists(script, &published::json(script));
        for setting in &settings {
            let run = book::scripts::full(script, lambda, *setting, BOOK_SEED);
            let result = run.execute(&mnist)?;
            let ours = published::lists(script, &book::scripts::results_json(script, &[result]));
            let first = |name: &str, lists: &[published::NamedList]| {
                lists
                    .iter()
                    .find(|l| l.name == name)
                    .expect("a list of the file")
                    .entries[0]
            };
            let count = |name| (first(name, &ours) - first(name, &theirs)).abs();
            let cost = |name| {
                let published = first(name, &theirs);
                ((first(name, &ours) - published) / published).abs()
            };
            println!(
                "| {} | {} | {:?} | {:?} | {}, {} | {:.1e}, {:.1e} |",
                script.name(),
                setting.eta,
                setting.start,
                setting.eval,
                count("evaluation_accuracy"),
                count("training_accuracy"),
                cost("evaluation_cost"),
                cost("training_cost"),
            );
        }
    }
    Ok(())
}
