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
    let args = [
        "book",
        "overfitting",
        "--seed",
        "1",
        "--out",
        path_str(dir.path()),
    ];
    let out = decaylab(&args);
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

    // The combined files list every script whose results are in the
    // directory, not only the last one run: here `regularized.json` (its
    // results those of the run above, which have the same structure); a
    // file of another seed, or damaged, is named and left out.
    let file = |name: &str| dir.path().join(name);
    std::fs::copy(file("overfitting.json"), file("regularized.json")).unwrap();
    std::fs::write(file("more_data.json"), r#"{"seed": 2, "results": {}}"#).unwrap();
    std::fs::write(file("multiple_eta.json"), "{").unwrap();
    let out = decaylab(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(
        said.contains("more_data.json: left out") && said.contains("seed 2, not 1"),
        "{said}"
    );
    assert!(
        said.contains("multiple_eta.json: left out") && said.contains("unreadable"),
        "{said}"
    );
    let comparison = std::fs::read_to_string(file("comparison.md")).unwrap();
    for name in [
        "| overfitting | evaluation_accuracy |",
        "| regularized | evaluation_accuracy |",
    ] {
        assert!(comparison.contains(name), "no {name} in {comparison}");
    }
    assert!(!comparison.contains("more_data"), "{comparison}");
    let index = std::fs::read_to_string(file("book.md")).unwrap();
    assert!(
        index.find("## overfitting") < index.find("## regularized"),
        "{index}"
    );
}

#[test]
fn outputs_that_cannot_be_written_are_refused_before_training() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_dir = dir.path().join("file");
    std::fs::write(&not_a_dir, "x").unwrap();
    let out = decaylab(&["book", "overfitting", "--out", path_str(&not_a_dir)]);
    assert_refused(&out, &["--out", "is a file; expected a directory"]);
    // An immutable file where a result goes (where the file system and the
    // user can make one) is found before the first epoch.
    let out_dir = dir.path().join("bk");
    std::fs::create_dir(&out_dir).unwrap();
    let locked = out_dir.join("comparison.md");
    std::fs::write(&locked, "earlier").unwrap();
    let chattr = |flag: &str| common::chattr(flag, &locked);
    if !chattr("+i") {
        eprintln!("chattr +i is not possible here: the immutable case is not tried");
        return;
    }
    let start = std::time::Instant::now();
    let out = decaylab(&["book", "overfitting", "--out", path_str(&out_dir)]);
    let seconds = start.elapsed().as_secs_f64();
    assert!(chattr("-i"));
    assert_refused(&out, &["--out", "comparison.md", "immutable"]);
    assert!(!out_dir.join("overfitting.json").exists());
    eprintln!("refused after {seconds:.2} s");
}
