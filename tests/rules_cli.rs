//! `decaylab train`'s update rules from the command line: their flags,
//! and their checkpoints.

mod common;

use common::{decaylab, path_str, read_records, small_run, stderr};

/// The update rules' flags: another rule's constant, a decoupled rule with
/// lambda or L1, and a constant out of range exit 2 naming the flag; each
/// rule trains, the probes switched off where they do not measure it, and
/// says which rule it is.
#[test]
fn update_rules_train_and_refuse_what_makes_no_sense() {
    let refused: [(&[&str], &str); 8] = [
        (&["--momentum", "0.5"], "--momentum"),
        (
            &["--optimizer", "adam", "--weight-decay", "0.1"],
            "--weight-decay",
        ),
        (&["--optimizer", "momentum", "--beta1", "0.8"], "--beta1"),
        (&["--optimizer", "sgdw", "--lambda", "5"], "--lambda"),
        (
            &["--optimizer", "adamw", "--regularization", "l1"],
            "--regularization",
        ),
        (
            &["--optimizer", "momentum", "--momentum", "1"],
            "--momentum",
        ),
        (&["--optimizer", "adam", "--beta2", "-0.1"], "--beta2"),
        (&["--optimizer", "adamw", "--adam-eps", "0"], "--adam-eps"),
    ];
    for (flags, flag) in refused {
        let out = decaylab(&small_run(flags));
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(flag), "{flags:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"));
    }
    let dir = tempfile::tempdir().unwrap();
    for (flags, says) in [
        (
            &["--optimizer", "momentum", "--momentum", "0.5"][..],
            "momentum mu 0.5",
        ),
        (
            &["--regularization", "l1", "--lambda", "0.5"][..],
            "sgd with l1",
        ),
        (&["--optimizer", "sgdw"][..], "sgdw weight decay 5e-3"),
        (&["--cost", "log-likelihood"][..], "log-likelihood cost"),
        (&["--activation", "tanh"][..], "tanh hidden neurons"),
        (
            &["--optimizer", "adamw", "--eta", "0.01"][..],
            "adamw beta1 0.9",
        ),
    ] {
        let metrics = dir.path().join("m.jsonl");
        let mut args = small_run(flags);
        args.extend(["--metrics", path_str(&metrics)]);
        let out = decaylab(&args);
        assert_eq!(out.status.code(), Some(0), "{flags:?}: {}", stderr(&out));
        let text = String::from_utf8_lossy(&out.stdout).to_string() + &stderr(&out);
        assert!(text.contains(says), "{flags:?}: {text}");
        let records = read_records(&metrics);
        assert_eq!(records.len(), 3);
        // Every rule's norm budget is measured.
        let budget = &records[2].dynamics.as_ref().expect("probes on").budget;
        assert!(budget.all.decay < 0.0, "{flags:?}: {budget:?}");
        assert!(
            records[2].eval_accuracy > 0.5,
            "{flags:?}: {}",
            records[2].eval_accuracy
        );
    }
}

/// A rule that keeps state between steps (momentum's velocity, Adam's
/// moments) checkpoints it: stopped after 2 epochs and resumed to 4, a run
/// ends with the bits of the run that went straight to 4, records and
/// network alike. A checkpoint without the state is refused.
#[test]
fn a_stateful_rule_resumes_from_its_checkpoint_to_the_same_bits() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name);
    let untimed = |path: &std::path::Path| -> Vec<serde_json::Value> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v.as_object_mut().unwrap().remove("seconds");
                v
            })
            .collect()
    };
    for rule in [
        &["--optimizer", "momentum"][..],
        &["--optimizer", "adam", "--eta", "0.01"][..],
    ] {
        let run = |epochs: &str, extra: &[&str]| {
            let out = decaylab(&resumable_run(epochs, &[rule, extra].concat()));
            assert!(out.status.success(), "{rule:?} {extra:?}: {}", stderr(&out));
        };
        let (straight, resumed) = (file("straight.jsonl"), file("resumed.jsonl"));
        let (net_straight, net_resumed, checkpoint) =
            (file("a.json"), file("b.json"), file("run.ckpt"));
        run(
            "4",
            &[
                "--metrics",
                path_str(&straight),
                "--save",
                path_str(&net_straight),
            ],
        );
        run("2", &["--checkpoint", path_str(&checkpoint)]);
        let state = std::fs::read_to_string(&checkpoint).unwrap();
        assert!(
            state.contains("\"rule_moments\""),
            "{rule:?}: no state kept"
        );
        run(
            "4",
            &[
                "--resume",
                path_str(&checkpoint),
                "--checkpoint",
                path_str(&checkpoint),
                "--metrics",
                path_str(&resumed),
                "--save",
                path_str(&net_resumed),
            ],
        );
        assert_eq!(untimed(&resumed), untimed(&straight), "{rule:?}");
        assert_eq!(
            std::fs::read_to_string(&net_resumed).unwrap(),
            std::fs::read_to_string(&net_straight).unwrap(),
            "{rule:?}"
        );
    }
    // The state taken out of the adam checkpoint: refused, named.
    let checkpoint = file("run.ckpt");
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&checkpoint).unwrap()).unwrap();
    value.as_object_mut().unwrap().remove("rule_moments");
    std::fs::write(&checkpoint, value.to_string()).unwrap();
    let out = decaylab(&resumable_run(
        "6",
        &[
            "--optimizer",
            "adam",
            "--eta",
            "0.01",
            "--resume",
            path_str(&checkpoint),
        ],
    ));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no state of the update rule"),
        "{}",
        stderr(&out)
    );
}

/// `train` of a small network on 500 examples for `epochs`, with `extra`.
fn resumable_run<'a>(epochs: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "train",
        "--train-size",
        "500",
        "--sizes",
        "784,10,10",
        "--epochs",
        epochs,
    ];
    args.extend_from_slice(extra);
    args
}
