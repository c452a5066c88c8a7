//! Bad input, divergence and interruption: exit code 2, a message naming the
//! file or flag, nothing half-written, nothing lost.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

use common::{assert_refused, decaylab, path_str as s, stderr};

fn gz(raw: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(raw).unwrap();
    encoder.finish().unwrap()
}

fn idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut raw = vec![0, 0, 8, dims.len() as u8];
    for d in dims {
        raw.extend_from_slice(&d.to_be_bytes());
    }
    raw.extend_from_slice(data);
    raw
}

/// A valid data directory: 10,050 training and 100 test images of 4x4.
fn write_data_dir(dir: &Path) {
    for (prefix, count) in [("train", 10_050u32), ("t10k", 100)] {
        let labels: Vec<u8> = (0..count).map(|i| (i % 10) as u8).collect();
        let images = vec![128u8; count as usize * 16];
        std::fs::write(
            dir.join(format!("{prefix}-images-idx3-ubyte.gz")),
            gz(&idx(&[count, 4, 4], &images)),
        )
        .unwrap();
        std::fs::write(
            dir.join(format!("{prefix}-labels-idx1-ubyte.gz")),
            gz(&idx(&[count], &labels)),
        )
        .unwrap();
    }
}

fn train_on(dir: &Path) -> Output {
    decaylab(&[
        "train",
        "--data",
        s(dir),
        "--sizes",
        "16,4,10",
        "--epochs",
        "1",
    ])
}

#[test]
fn bad_idx_files_name_the_file_and_the_problem() {
    let labels_name = "train-labels-idx1-ubyte.gz";
    let images_name = "train-images-idx3-ubyte.gz";
    let cases: Vec<(&str, Vec<u8>, Vec<&str>)> = vec![
        (
            images_name,
            gz(&[1, 2, 8, 3, 0, 0, 0, 1]),
            vec!["two zero bytes"],
        ),
        (
            images_name,
            gz(&idx(&[10_050, 4, 4], &[0; 10])[..8]
                .iter()
                .copied()
                .chain([0x0D])
                .collect::<Vec<_>>()),
            vec![images_name],
        ),
        (
            images_name,
            gz(&{
                let mut v = idx(&[10_050, 4, 4], &vec![0; 10_050 * 16]);
                v[2] = 0x0D;
                v
            }),
            vec!["0x08"],
        ),
        (
            images_name,
            gz(&idx(&[10_050, 4, 4], &[0; 100])),
            vec!["need", "holds 100"],
        ),
        (
            images_name,
            gz(&idx(&[10_050, 4, 4], &vec![0; 10_050 * 16]))[..500].to_vec(),
            vec!["gzip"],
        ),
        (
            labels_name,
            gz(&idx(&[10_049], &vec![0; 10_049])),
            vec!["labels", "one label per image"],
        ),
        (
            labels_name,
            gz(&idx(&[10_050], &vec![12; 10_050])),
            vec!["label 12", "0-9"],
        ),
    ];
    for (name, bytes, needles) in cases {
        let dir = tempfile::tempdir().unwrap();
        write_data_dir(dir.path());
        std::fs::write(dir.path().join(name), bytes).unwrap();
        let out = train_on(dir.path());
        let mut all = needles.clone();
        all.push(name);
        assert_refused(&out, &all);
    }
    // A missing file.
    let dir = tempfile::tempdir().unwrap();
    write_data_dir(dir.path());
    std::fs::remove_file(dir.path().join("t10k-labels-idx1-ubyte.gz")).unwrap();
    assert_refused(&train_on(dir.path()), &["missing t10k-labels-idx1-ubyte"]);
    // Images of the wrong size for --sizes.
    let dir = tempfile::tempdir().unwrap();
    write_data_dir(dir.path());
    let out = decaylab(&[
        "train",
        "--data",
        s(dir.path()),
        "--sizes",
        "784,4,10",
        "--epochs",
        "1",
    ]);
    assert_refused(&out, &["--sizes", "4x4 = 16"]);
    // A pool that does not divide the sides (4 divides 28, not 4x4... 3 never).
    let out = decaylab(&[
        "train",
        "--data",
        s(dir.path()),
        "--pool",
        "4",
        "--sizes",
        "1,4,10",
        "--epochs",
        "1",
    ]);
    assert!(out.status.success(), "4 divides 4: {}", stderr(&out));
}

#[test]
fn bad_network_files_name_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("{\"sizes\": [784, 30, 10]}", "missing field"),
        ("not json", "not a network2 network file"),
        (
            r#"{"sizes": [784, 2], "weights": [[[1.0]]], "biases": [[[0.0], [0.0]]], "cost": "CrossEntropyCost"}"#,
            "weights[0][0] has 1 entries; expected 784",
        ),
        (
            r#"{"sizes": [2, 1], "weights": [[[1.0, 2.0]]], "biases": [[[0.0]]], "cost": "Softmax"}"#,
            "cost \"Softmax\"",
        ),
        (
            r#"{"sizes": [2, 1], "weights": [[[1.0, 1e999]]], "biases": [[[0.0]]], "cost": "QuadraticCost"}"#,
            "net.json",
        ),
        // Sizes whose product overflows: refused, not loaded with n_w = 0.
        (
            r#"{"sizes": [9223372036854775808, 2], "weights": [[]], "biases": [[[0.0], [0.0]]], "cost": "QuadraticCost"}"#,
            "net.json",
        ),
        (
            r#"{"sizes": [4294967296, 4294967296, 2], "weights": [[], []], "biases": [[], [[0.0], [0.0]]], "cost": "QuadraticCost"}"#,
            "net.json",
        ),
    ];
    for (text, needle) in cases {
        let path = dir.path().join("net.json");
        std::fs::write(&path, text).unwrap();
        assert_refused(
            &decaylab(&["train", "--load", s(&path), "--epochs", "1"]),
            &[needle, "net.json"],
        );
        assert_refused(&decaylab(&["inspect", s(&path)]), &["net.json"]);
    }
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
fn divergence_stops_with_the_epoch_and_layer_and_keeps_the_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let metrics = dir.path().join("m.jsonl");
    let out = decaylab(&[
        "train",
        "--train-size",
        "500",
        "--epochs",
        "3",
        "--eta",
        "1e38",
        "--lambda",
        "0",
        "--metrics",
        s(&metrics),
    ]);
    assert_refused(&out, &["diverged in epoch 1", "layer", "smaller --eta"]);
    // Epoch 0 was measured before the divergence, and its line is whole.
    let text = std::fs::read_to_string(&metrics).unwrap();
    assert_eq!(text.lines().count(), 1);
    let line: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(line["epoch"], 0);
}

#[test]
fn unwritable_outputs_are_refused_before_training() {
    let out = decaylab(&["train", "--metrics", "/nonexistent-dir/m.jsonl"]);
    assert_refused(&out, &["--metrics", "/nonexistent-dir"]);
    let out = decaylab(&["train", "--save", "/nonexistent-dir/n.json"]);
    assert_refused(&out, &["--save"]);
    let file = tempfile::NamedTempFile::new().unwrap();
    let out = decaylab(&["claims", "--quick", "--out", s(&file.path().join("sub"))]);
    assert_refused(&out, &["cannot write"]);
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
            assert!(!common::stdout(&out).contains("epoch   1"), "{flag} {path}");
        }
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
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
fn resuming_with_fewer_epochs_than_the_checkpoint_holds_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let checkpoint = dir.path().join("run.ckpt");
    let run = [
        "train",
        "--train-size",
        "200",
        "--checkpoint",
        s(&checkpoint),
    ];
    let out = decaylab(&[&run[..], &["--epochs", "3"]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let args = [&run[..], &["--epochs", "2", "--resume", s(&checkpoint)]].concat();
    assert_refused(&decaylab(&args), &["--epochs", "2", "holds 3 epochs"]);
}

#[test]
fn a_run_whose_weights_underflow_to_zero_resumes_from_its_checkpoint() {
    // Decay only, c = eta*lambda/n = 0.5 per step: the weights reach 0 in
    // the first epoch, and every later shrink ratio is 0/0.
    let dir = tempfile::tempdir().unwrap();
    let checkpoint = dir.path().join("run.ckpt");
    let metrics = dir.path().join("m.jsonl");
    let run = [
        "train",
        "--decay-only",
        "--train-size",
        "1000",
        "--eta",
        "1",
        "--lambda",
        "500",
        "--checkpoint",
        s(&checkpoint),
        "--metrics",
        s(&metrics),
    ];
    let out = decaylab(&[&run[..], &["--epochs", "2"]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let args = [&run[..], &["--epochs", "3", "--resume", s(&checkpoint)]].concat();
    let out = decaylab(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&metrics).unwrap();
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(last["epoch"], 3);
    assert_eq!(last["weights"]["rms"], 0.0);
    // Undefined ratios are null, the same way for all weights and per layer.
    assert!(last["shrink_ratio"].is_null());
    assert!(
        last["shrink_ratio_layers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r.is_null())
    );
}

#[test]
fn a_run_killed_at_any_moment_resumes_to_the_same_bits() {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference.json");
    let run = [
        "train",
        "--train-size",
        "3000",
        "--epochs",
        "6",
        "--seed",
        "3",
        "--init",
        "large",
    ];
    let mut args = run.to_vec();
    args.extend(["--save", s(&reference)]);
    let out = decaylab(&args);
    assert!(out.status.success(), "{}", stderr(&out));

    let checkpoint = dir.path().join("run.ckpt");
    let result = dir.path().join("result.json");
    let mut kills = 0;
    // Kill after growing delays: early ones land while the data loads or
    // before the first checkpoint, later ones within epochs and writes; the
    // delays grow until one run is left to finish.
    for attempt in 0..100u64 {
        let mut args = run.to_vec();
        args.extend(["--checkpoint", s(&checkpoint), "--save", s(&result)]);
        if checkpoint.exists() {
            args.extend(["--resume", s(&checkpoint)]);
        }
        let mut child = common::command(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(100 + 60 * attempt));
        match child.try_wait().unwrap() {
            Some(status) => {
                assert!(status.success(), "attempt {attempt} failed");
                break;
            }
            None => {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                kills += 1;
            }
        }
    }
    assert!(
        kills >= 2,
        "the run finished before it could be killed twice"
    );
    assert_eq!(
        std::fs::read(&reference).unwrap(),
        std::fs::read(&result).unwrap(),
        "a run resumed after {kills} SIGKILLs differs from the uninterrupted run"
    );
}

#[test]
fn a_checkpoint_of_another_run_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let checkpoint = dir.path().join("run.ckpt");
    let out = decaylab(&[
        "train",
        "--train-size",
        "500",
        "--epochs",
        "1",
        "--checkpoint",
        s(&checkpoint),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = decaylab(&[
        "train",
        "--train-size",
        "500",
        "--epochs",
        "2",
        "--lambda",
        "1",
        "--resume",
        s(&checkpoint),
    ]);
    assert_refused(&out, &["run.ckpt", "lambda"]);
    std::fs::write(&checkpoint, "{").unwrap();
    assert_refused(
        &decaylab(&["train", "--resume", s(&checkpoint)]),
        &["not a decaylab checkpoint"],
    );
}

#[test]
fn a_closed_or_full_stdout_never_costs_the_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let net = dir.path().join("net.json");
    let run = [
        "train",
        "--train-size",
        "500",
        "--epochs",
        "3",
        "--save",
        s(&net),
    ];
    // A closed pipe (as `| head -0`): the run goes on quietly and saves.
    let mut child = common::command(&run)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert!(net.exists());
    // inspect into a closed pipe.
    let mut child = common::command(&["inspect", s(&net)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A full stdout: the network is saved, then exit 2 naming the cause.
    std::fs::remove_file(&net).unwrap();
    let full = std::fs::File::create("/dev/full").unwrap();
    let out = common::command(&run).stdout(full).output().unwrap();
    assert_refused(&out, &["standard output", "No space left"]);
    assert!(net.exists());
}

#[test]
fn a_settling_cap_below_the_minimum_is_refused() {
    let out = decaylab(&["train", "--stop-when-settled", "--epochs", "5"]);
    assert_refused(&out, &["--epochs", "5", "at least 10 epochs"]);
    let out = decaylab(&["train", "--stop-when-settled", "--no-probes"]);
    assert_refused(&out, &["--stop-when-settled", "--no-probes"]);
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
fn data_of_inconsistent_shape_is_refused_before_its_payload_is_read() {
    // t10k images of 2x8 beside train images of 4x4.
    let dir = tempfile::tempdir().unwrap();
    write_data_dir(dir.path());
    let test_images = dir.path().join("t10k-images-idx3-ubyte.gz");
    std::fs::write(&test_images, gz(&idx(&[100, 2, 8], &[0u8; 1600]))).unwrap();
    assert_refused(
        &train_on(dir.path()),
        &[
            "t10k-images",
            "2 rows and 8 columns",
            "4 rows and 4 columns",
        ],
    );
    // Images of 0x0, with --pool 2.
    let dir = tempfile::tempdir().unwrap();
    write_data_dir(dir.path());
    for prefix in ["train", "t10k"] {
        let count = if prefix == "train" { 10_050 } else { 100 };
        let path = dir.path().join(format!("{prefix}-images-idx3-ubyte.gz"));
        std::fs::write(&path, gz(&idx(&[count, 0, 0], &[]))).unwrap();
    }
    let out = decaylab(&[
        "train",
        "--data",
        s(dir.path()),
        "--pool",
        "2",
        "--sizes",
        "0,4,10",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    // A small gzip file whose header declares gigabytes.
    let dir = tempfile::tempdir().unwrap();
    write_data_dir(dir.path());
    let bomb = dir.path().join("train-images-idx3-ubyte.gz");
    std::fs::write(&bomb, gz(&idx(&[60_000, 100_000, 1_000], &[0u8; 100]))).unwrap();
    assert_refused(
        &train_on(dir.path()),
        &["train-images", "declares more than"],
    );
}

#[test]
fn an_interrupt_leaves_no_temporary_files_and_keeps_what_was_finished() {
    let dir = tempfile::tempdir().unwrap();
    let checkpoint = dir.path().join("run.ckpt");
    let metrics = dir.path().join("m.jsonl");
    let args = [
        "train",
        "--train-size",
        "2000",
        "--epochs",
        "1000",
        "--checkpoint",
        s(&checkpoint),
        "--metrics",
        s(&metrics),
    ];
    let mut child = common::command(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Interrupt once a few epochs are done (each rewrites both files).
    let start = std::time::Instant::now();
    while !(checkpoint.exists()
        && std::fs::read_to_string(&metrics).is_ok_and(|t| t.lines().count() >= 3))
    {
        assert!(start.elapsed() < Duration::from_secs(60), "no epochs");
        std::thread::sleep(Duration::from_millis(20));
    }
    let interrupt = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupt.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
    // The finished epochs stay: the checkpoint reads back and resumes.
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&checkpoint).unwrap()).unwrap();
    let epochs = saved["epoch"].as_u64().unwrap().to_string();
    let resume = [
        "train",
        "--train-size",
        "2000",
        "--epochs",
        &epochs,
        "--resume",
        s(&checkpoint),
    ];
    let out = decaylab(&resume);
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
