//! `decaylab book` end to end, through the binary: bad usage is refused
//! with exit status 2, and `--seed` gives other runs (exit status 0).

mod common;

use common::{assert_refused, decaylab, path_str, stderr, stdout};

#[test]
fn an_unknown_name_is_refused_with_the_names_there_are() {
    let out = decaylab(&["book", "overfit"]);
    assert_refused(&out, &["overfit", "weight_initialization_30", "more_data"]);
}

#[test]
fn a_seed_outside_32_bits_is_refused() {
    for seed in ["-1", "4294967296", "twelve"] {
        let out = decaylab(&["book", "overfitting", "--seed", seed]);
        assert_refused(
            &out,
            &["--seed", seed, "expected an integer from 0 to 4294967295"],
        );
    }
}

#[test]
fn a_name_or_all_but_not_both() {
    assert_refused(&decaylab(&["book"]), &["<NAME>"]);
    assert_refused(&decaylab(&["book", "more_data", "--all"]), &["--all"]);
}

#[test]
fn another_seed_gives_other_runs_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let out = decaylab(&[
        "book",
        "overfitting",
        "--seed",
        "1",
        "--out",
        path_str(dir.path()),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("| overfitting | evaluation_accuracy | 400 |"));
    for file in [
        "overfitting.json",
        "overfitting.svg",
        "comparison.md",
        "book.md",
    ] {
        assert!(dir.path().join(file).exists(), "no {file}");
    }
    let text = std::fs::read_to_string(dir.path().join("overfitting.json")).unwrap();
    let written: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(written["seed"], 1);
    // Other initial weights and shuffles: the counts of the published run
    // (seed 12345678) are not reproduced.
    let accuracy = &written["comparison"][1];
    assert_eq!(accuracy["list"], "evaluation_accuracy");
    assert!(accuracy["agreeing"].as_u64().unwrap() < 400, "{accuracy}");
    assert_eq!(written["runs"][0]["records"].as_array().unwrap().len(), 401);
}
