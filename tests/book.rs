//! Book mode reproduces the book's published results: the first epochs of
//! `overfitting` and of `weight_initialization_30`'s default run, entry by
//! entry, and another seed changes them.

use approx::relative_eq;
use decaylab::book::{self, BOOK_SEED, Script, published};

/// The first `epochs` epochs of the runs of `script` that `keep` selects,
/// against the same entries of the published file: (list, ours, published).
fn first_epochs(
    script: Script,
    seed: u32,
    epochs: usize,
    keep: impl Fn(&book::BookRun) -> bool,
) -> Vec<(String, Vec<f64>, Vec<f64>)> {
    let mnist = book::scripts::book_mnist().unwrap();
    let runs: Vec<book::BookRunResult> = book::scripts::plan(script, seed)
        .into_iter()
        .filter(|run| keep(run))
        .map(|mut run| {
            run.config.epochs = epochs;
            run.execute(&mnist).unwrap()
        })
        .collect();
    let ours = published::lists(script, &book::scripts::results_json(script, &runs));
    let theirs = published::lists(script, &published::json(script));
    ours.into_iter()
        .map(|list| {
            let published = theirs.iter().find(|l| l.name == list.name).unwrap();
            let prefix = published.entries[..epochs].to_vec();
            (list.name, list.entries, prefix)
        })
        .collect()
}

/// Counts equal, costs within 1e-12 relative.
fn assert_reproduced(lists: &[(String, Vec<f64>, Vec<f64>)]) {
    for (name, ours, published) in lists {
        assert_eq!(ours.len(), published.len(), "{name}");
        for (epoch, (a, b)) in ours.iter().zip(published).enumerate() {
            if name.ends_with("cost") {
                assert!(
                    relative_eq!(*a, *b, max_relative = 1e-12),
                    "{name}, epoch {}: {a} against the published {b}",
                    epoch + 1
                );
            } else {
                assert_eq!(a, b, "{name}, epoch {}", epoch + 1);
            }
        }
    }
}

#[test]
fn overfitting_reproduces_its_first_epochs() {
    let lists = first_epochs(Script::Overfitting, BOOK_SEED, 5, |_| true);
    assert_eq!(lists.len(), 4);
    assert_reproduced(&lists);
}

#[test]
fn weight_initialization_reproduces_its_first_epochs() {
    let lists = first_epochs(Script::WeightInitialization30, BOOK_SEED, 3, |run| {
        run.label == "default_weight_initialization"
    });
    assert_eq!(lists.len(), 1);
    assert_reproduced(&lists);
}
