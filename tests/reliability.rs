//! Bad input: exit code 2, a message naming the flag or output and what
//! was expected, refused before anything is trained or written. (Bad data
//! and network files are in bad_files.rs; divergence, interruption and
//! resumption in faults.rs.)

mod common;

use std::process::Output;

use common::data::{gz, idx, write_data_dir};
use common::{assert_refused, decaylab, path_str as s, stderr};

#[test]
fn shard_settings_that_cannot_apply_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("study");
    let claims = |flags: &[&str], env: &[(&str, &str)]| {
        let mut command =
            common::command(&[&["claims", "--quick", "--out", s(&out_dir)], flags].concat());
        for var in [
            "SLURM_ARRAY_TASK_ID",
            "SLURM_ARRAY_TASK_MIN",
            "SLURM_ARRAY_TASK_STEP",
            "SLURM_ARRAY_TASK_COUNT",
            "JOB_COMPLETION_INDEX",
        ] {
            command.env_remove(var);
        }
        command.envs(env.iter().copied()).output().unwrap()
    };
    let stepped = [
        ("SLURM_ARRAY_TASK_MIN", "0"),
        ("SLURM_ARRAY_TASK_STEP", "2"),
        ("SLURM_ARRAY_TASK_COUNT", "3"),
    ];
    /// The flags, the scheduler's variables, what the refusal says.
    type Case<'a> = (&'a [&'a str], Vec<(&'a str, &'a str)>, &'a [&'a str]);
    let cases: [Case; 5] = [
        (&["--shard-count", "3"], vec![], &["--shard"]),
        (
            &["--shard", "2/3", "--shard-count", "3"],
            vec![],
            &["--shard-count", "I/N names the number of shards"],
        ),
        (
            &["--shard", "auto", "--shard-count", "3"],
            [&stepped[..], &[("SLURM_ARRAY_TASK_ID", "2")]].concat(),
            &["--shard-count", "SLURM_ARRAY_TASK_COUNT"],
        ),
        // --array=0-4:2 has ids 0, 2, 4: 5 is none of them.
        (
            &["--shard", "auto"],
            [&stepped[..], &[("SLURM_ARRAY_TASK_ID", "5")]].concat(),
            &["--shard", "evenly spaced"],
        ),
        (
            &["--shard", "auto"],
            vec![
                ("SLURM_ARRAY_TASK_ID", "1"),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
            ],
            &["--shard", "SLURM_ARRAY_TASK_MIN"],
        ),
    ];
    for (flags, env, needles) in cases {
        assert_refused(&claims(flags, &env), needles);
    }
    assert!(!out_dir.exists(), "a refused shard made its directory");
}

#[test]
fn huge_finite_weights_have_finite_statistics() {
    let dir = tempfile::tempdir().unwrap();
    let net = dir.path().join("huge.json");
    std::fs::write(
        &net,
        r#"{"sizes": [2, 1], "weights": [[[1e200, -3e200]]], "biases": [[[2e300]]], "cost": "QuadraticCost"}"#,
    )
    .unwrap();
    let out = decaylab(&["inspect", s(&net), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let inspection: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rms = inspection["layers"][0]["rms"].as_f64().unwrap();
    assert!((rms / 1e200 - 5f64.sqrt()).abs() < 1e-12, "{rms}");
    assert_eq!(inspection["layers"][0]["bias_rms"].as_f64(), Some(2e300));
    assert!(
        inspection["all"]["rms"]
            .as_f64()
            .is_some_and(f64::is_finite)
    );
}

#[test]
fn bench_names_the_first_sizes_it_takes() {
    let out = decaylab(&["bench", "--sizes", "50,5,10"]);
    assert_refused(&out, &["--sizes", "first layer 50", "784, 196 or 49"]);
}

#[test]
fn nonsense_flags_are_refused() {
    let cases: [(&[&str], &[&str]); 5] = [
        (&["train", "--sizes", ""], &["--sizes"]),
        (&["train", "--eta", "-0.5"], &["--eta", "-0.5"]),
        (
            &[
                "train",
                "--eta",
                "1000",
                "--train-size",
                "100",
                "--batch",
                "10",
            ],
            &["--lambda", "eta*lambda/n"],
        ),
        (
            &["claims", "--out", "/tmp/never-written", "--seeds", "0"],
            &["--seeds"],
        ),
        (&["train", "--histogram-bins", "0"], &["--histogram-bins"]),
    ];
    for (args, needles) in cases {
        assert_refused(&decaylab(args), needles);
    }
}

#[test]
fn unwritable_outputs_are_refused_before_training() {
    let out = decaylab(&["train", "--metrics", "/nonexistent-dir/m.jsonl"]);
    assert_refused(&out, &["--metrics", "/nonexistent-dir"]);
    let out = decaylab(&["train", "--save", "/nonexistent-dir/n.json"]);
    assert_refused(&out, &["--save"]);
    let file = tempfile::NamedTempFile::new().unwrap();
    let out = decaylab(&["claims", "--quick", "--out", s(&file.path().join("sub"))]);
    assert_refused(&out, &["--out", "cannot make directory"]);
    let out = decaylab(&["claims", "--quick", "--out", s(file.path())]);
    assert_refused(&out, &["--out", "is a file; expected a directory"]);
    // Directories, paths ending in '/', and places where no file can be
    // created are refused before the first epoch, for every output flag.
    let dir = tempfile::tempdir().unwrap();
    let new_dir = format!("{}/new/", s(dir.path()));
    for flag in ["--save", "--metrics", "--metrics-csv", "--checkpoint"] {
        for (path, needle) in [
            (s(dir.path()), "names a directory"),
            (new_dir.as_str(), "names a directory"),
            (".", "names a directory"),
            ("/proc/decaylab-out.json", "cannot create a file"),
        ] {
            let out = decaylab(&["train", "--epochs", "1", flag, path]);
            assert_refused(&out, &[flag, needle]);
            assert!(!printed_epochs(&out), "{flag} {path}");
        }
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_replaced_file_keeps_its_mode_and_one_that_cannot_be_replaced_is_refused_first() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let private = dir.path().join("private.json");
    std::fs::write(&private, "{}").unwrap();
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
    let tiny = [
        "train",
        "--sizes",
        "784,2,10",
        "--train-size",
        "100",
        "--epochs",
        "1",
    ];
    for flag in ["--save", "--metrics", "--metrics-csv", "--checkpoint"] {
        let out = decaylab(&[&tiny[..], &[flag, s(&private)]].concat());
        assert!(out.status.success(), "{}", stderr(&out));
        let mode = std::fs::metadata(&private).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{flag}");
    }
    // An immutable file (where the file system and the user can make one)
    // is refused before the first epoch, not after training.
    let chattr = |flag: &str| common::chattr(flag, &private);
    if !chattr("+i") {
        eprintln!("chattr +i is not possible here: the immutable case is not tried");
        return;
    }
    let outcomes: Vec<Output> = ["--save", "--metrics", "--metrics-csv", "--checkpoint"]
        .iter()
        .map(|flag| decaylab(&[&tiny[..], &[flag, s(&private)]].concat()))
        .collect();
    assert!(chattr("-i"));
    for (out, flag) in outcomes
        .iter()
        .zip(["--save", "--metrics", "--metrics-csv", "--checkpoint"])
    {
        assert_refused(out, &[flag, "immutable"]);
        assert!(!printed_epochs(out), "{flag}");
    }
}

#[test]
fn outputs_that_are_not_files_are_refused_before_training() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.unwrap().success());
    for flag in ["--save", "--metrics", "--metrics-csv", "--checkpoint"] {
        let out = decaylab(&["train", "--epochs", "1", flag, s(&fifo)]);
        assert_refused(&out, &[flag, "not a regular file"]);
        assert!(!printed_epochs(&out), "{flag}");
    }
    use std::os::unix::fs::FileTypeExt;
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo());
}

#[test]
fn an_unwritable_stderr_changes_no_exit_code() {
    // A bad flag's message cannot be printed: still exit 2, never a panic.
    let full = || {
        std::fs::File::options()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let out = common::command(&["train", "--train-size", "0"])
        .stderr(full())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn one_file_for_two_flags_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let x = dir.path().join("x");
    let net = dir.path().join("net.json");
    let out = decaylab(&[
        "train",
        "--train-size",
        "100",
        "--epochs",
        "1",
        "--save",
        s(&net),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let before = std::fs::read(&net).unwrap();
    let same_net = format!("{}/./net.json", s(dir.path()));
    for (a, pa, b, pb) in [
        ("--load", s(&net), "--checkpoint", same_net.as_str()),
        ("--metrics", s(&x), "--checkpoint", s(&x)),
        ("--metrics", s(&x), "--save", s(&x)),
        ("--metrics", s(&x), "--metrics-csv", s(&x)),
        ("--save", s(&x), "--checkpoint", s(&x)),
    ] {
        let out = decaylab(&[
            "train",
            "--train-size",
            "100",
            "--epochs",
            "1",
            a,
            pa,
            b,
            pb,
        ]);
        assert_refused(&out, &[a, b, "a file of its own"]);
    }
    assert_eq!(
        std::fs::read(&net).unwrap(),
        before,
        "the input network is intact"
    );
    assert!(!x.exists());
}

#[test]
fn a_settling_cap_below_the_minimum_is_refused() {
    let out = decaylab(&["train", "--stop-when-settled", "--epochs", "5"]);
    assert_refused(&out, &["--epochs", "5", "at least 10 epochs"]);
    let out = decaylab(&["train", "--stop-when-settled", "--no-probes"]);
    assert_refused(&out, &["--stop-when-settled", "probes, which are off"]);
}

#[test]
fn sizes_and_counts_that_cannot_fit_are_refused_before_allocating() {
    for (args, needles) in [
        (
            vec!["--epochs", "4611686018427387904"],
            vec!["--epochs", "GiB"],
        ),
        (
            vec!["--histogram-bins", "18446744073709551615"],
            vec!["--histogram-bins", "expected 1 to"],
        ),
        (
            vec!["--sizes", "784,4611686018427387904,10"],
            vec!["--sizes", "overflows"],
        ),
        (vec!["--sizes", "784,100000000,10"], vec!["--sizes", "GiB"]),
        (
            vec!["--sizes", "9223372036854775808,2"],
            vec!["--sizes", "overflows"],
        ),
    ] {
        let out = decaylab(&[&["train"][..], &args].concat());
        assert_refused(&out, &needles);
    }
}

#[test]
fn an_output_layer_narrower_than_the_labels_is_refused() {
    for sizes in ["784,30,5", "784,1", "784,30,9"] {
        let out = decaylab(&[
            "train",
            "--epochs",
            "1",
            "--train-size",
            "100",
            "--sizes",
            sizes,
        ]);
        assert_refused(&out, &["--sizes", "at least 10 neurons"]);
    }
    // Wider is allowed (network2 does not forbid it).
    let out = decaylab(&[
        "train",
        "--epochs",
        "1",
        "--train-size",
        "100",
        "--sizes",
        "784,30,20",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn messages_name_the_real_cause() {
    // A --data directory that is not there is not "missing train-images".
    let out = decaylab(&[
        "train",
        "--data",
        "/nonexistent-decaylab-dir",
        "--epochs",
        "1",
    ]);
    assert_refused(
        &out,
        &[
            "--data",
            "/nonexistent-decaylab-dir",
            "cannot read the directory",
        ],
    );
    // Weights that overflow f32 in a network file are the file's problem,
    // not a learning rate's.
    let dir = tempfile::tempdir().unwrap();
    let net = dir.path().join("net.json");
    let row = |v: &str| format!("[{}]", vec![v; 784].join(", "));
    let mut rows = vec![row("0.0"); 10];
    rows[3] = row("1e39");
    let biases = ["[0.0]"; 10].join(", ");
    let text = format!(
        r#"{{"sizes": [784, 10], "weights": [[{}]], "biases": [[{biases}]], "cost": "CrossEntropyCost"}}"#,
        rows.join(", ")
    );
    std::fs::write(&net, text).unwrap();
    let out = decaylab(&[
        "train",
        "--load",
        s(&net),
        "--epochs",
        "1",
        "--train-size",
        "100",
    ]);
    assert_refused(&out, &["net.json", "layer 1", "f32"]);
    assert!(!stderr(&out).contains("--eta"), "{}", stderr(&out));
    // An empty test set is not "training diverged".
    let dir = tempfile::tempdir().unwrap();
    write_data_dir(dir.path());
    std::fs::write(
        dir.path().join("t10k-images-idx3-ubyte.gz"),
        gz(&idx(&[0, 4, 4], &[])),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("t10k-labels-idx1-ubyte.gz"),
        gz(&idx(&[0], &[])),
    )
    .unwrap();
    let out = decaylab(&[
        "train",
        "--data",
        s(dir.path()),
        "--sizes",
        "16,4,10",
        "--epochs",
        "1",
        "--eval",
        "test",
    ]);
    assert_refused(&out, &["--eval", "no images"]);
    assert!(!stderr(&out).contains("diverged"), "{}", stderr(&out));
}

/// Whether `train` printed its table of epochs (its header starts a line
/// with "epoch").
fn printed_epochs(out: &std::process::Output) -> bool {
    common::stdout(out).lines().any(|l| l.starts_with("epoch"))
}
