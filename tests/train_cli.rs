//! `decaylab train` end to end, through the binary.

mod common;

use std::io::Write;
use std::path::Path;

use common::{decaylab, decaylab_threads, path_str, read_records, small_run, stderr};

#[test]
fn same_seed_same_bits_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut saved = Vec::new();
    for (i, threads) in [1, 2, 1].into_iter().enumerate() {
        let file = dir.path().join(format!("net{i}.json"));
        let seed = if i == 2 { "8" } else { "7" };
        let out = decaylab_threads(
            &small_run(&["--seed", seed, "--save", path_str(&file)]),
            threads,
        );
        assert!(out.status.success(), "{}", stderr(&out));
        saved.push(std::fs::read(&file).unwrap());
    }
    assert_eq!(
        saved[0], saved[1],
        "one seed, two thread counts, different weights"
    );
    assert_ne!(saved[0], saved[2], "two seeds gave the same weights");
}

#[test]
fn metrics_lines_start_at_epoch_zero_and_name_the_fields() {
    let dir = tempfile::tempdir().unwrap();
    let metrics = dir.path().join("m.jsonl");
    let out = decaylab(&small_run(&[
        "--metrics",
        path_str(&metrics),
        "--precision",
        "f64",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&metrics).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    for (epoch, line) in lines.iter().enumerate() {
        assert_eq!(line["epoch"], epoch);
        let accuracy = line["eval_accuracy"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&accuracy));
        assert!(line["eval_cost"].as_f64().unwrap() > 0.0);
        assert!(line["weights"]["rms"].as_f64().unwrap() > 0.0);
        assert_eq!(line["weights"]["layers"].as_array().unwrap().len(), 2);
        assert!(line["weights"]["layers"][0]["rms"].as_f64().unwrap() > 0.0);
        assert!(line["seconds"].as_f64().is_some());
    }
    // Two epochs of training beat chance on 10,000 validation images.
    assert!(lines[2]["eval_accuracy"].as_f64().unwrap() > 0.5);
}

#[test]
fn csv_has_a_row_per_epoch_and_inspect_reads_a_saved_network() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("m.csv");
    let net = dir.path().join("net.json");
    let out = decaylab(&small_run(&[
        "--metrics-csv",
        path_str(&csv),
        "--save",
        path_str(&net),
        "--init",
        "large",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    for column in [
        "epoch",
        "eval_accuracy",
        "weights.rms",
        "weights.w2.rms",
        "shrink_ratio",
        "dynamics.budget.decay",
        "dynamics.budget.w1.noise",
        "dynamics.offset_fraction_w2",
        "input_norm_w1",
        "dynamics.offset_fraction",
        "dynamics.displacement.gradient",
        "saturation[0]",
    ] {
        assert!(header.contains(&column), "no column {column} in {header:?}");
    }
    assert!(!header.iter().any(|h| h.starts_with("histograms")));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.split(',').count() == header.len()));

    let out = decaylab(&["inspect", path_str(&net), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let inspection: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(inspection["weights"], 784 * 20 + 20 * 10);
    assert_eq!(inspection["layers"][0]["inv_sqrt_n_in"], 1.0 / 28.0);
    assert!(inspection["layers"][1]["rms"].as_f64().unwrap() > 0.0);
}

#[test]
fn a_saved_network_loads_and_keeps_training() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.json");
    let second = dir.path().join("second.json");
    let metrics = dir.path().join("m.jsonl");
    let first_metrics = dir.path().join("m0.jsonl");
    let out = decaylab(&small_run(&[
        "--save",
        path_str(&first),
        "--cost",
        "quadratic",
        "--metrics",
        path_str(&first_metrics),
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = decaylab(&[
        "train",
        "--train-size",
        "1000",
        "--epochs",
        "1",
        "--load",
        path_str(&first),
        "--save",
        path_str(&second),
        "--metrics",
        path_str(&metrics),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&second).unwrap()).unwrap();
    assert_eq!(saved["sizes"], serde_json::json!([784, 20, 10]));
    assert_eq!(saved["cost"], "QuadraticCost");
    // Epoch 0 of the second run scores the loaded network exactly as the
    // first run scored it after its last epoch.
    let line = |path: &Path, which: usize| -> serde_json::Value {
        let text = std::fs::read_to_string(path).unwrap();
        serde_json::from_str(text.lines().nth(which).unwrap()).unwrap()
    };
    let (before, after) = (line(&first_metrics, 2), line(&metrics, 0));
    assert_eq!(before["eval_accuracy"], after["eval_accuracy"]);
    assert_eq!(before["eval_cost"], after["eval_cost"]);
}

/// Write an IDX file of unsigned bytes, gzip-compressed.
fn write_idx_gz(path: &Path, dims: &[u32], data: &[u8]) {
    let mut raw = vec![0, 0, 8, dims.len() as u8];
    for d in dims {
        raw.extend_from_slice(&d.to_be_bytes());
    }
    raw.extend_from_slice(data);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&raw).unwrap();
    std::fs::write(path, gz.finish().unwrap()).unwrap();
}

/// A made-up data set in MNIST's file layout: 4x4 images whose label is the
/// row (0-3) that is lit.
fn write_toy_idx_dir(dir: &Path, train_count: u32) {
    for (prefix, count) in [("train", train_count), ("t10k", 500)] {
        let labels: Vec<u8> = (0..count).map(|i| (i % 4) as u8).collect();
        let images: Vec<u8> = labels
            .iter()
            .flat_map(|&l| (0..16).map(move |p| if p / 4 == l as u32 { 255 } else { 0 }))
            .collect();
        write_idx_gz(
            &dir.join(format!("{prefix}-images-idx3-ubyte.gz")),
            &[count, 4, 4],
            &images,
        );
        write_idx_gz(
            &dir.join(format!("{prefix}-labels-idx1-ubyte.gz")),
            &[count],
            &labels,
        );
    }
}

#[test]
fn data_dir_of_idx_files_trains_and_pools() {
    let dir = tempfile::tempdir().unwrap();
    write_toy_idx_dir(dir.path(), 10_400);
    let metrics = dir.path().join("m.jsonl");
    let out = decaylab(&[
        "train",
        "--data",
        path_str(dir.path()),
        "--sizes",
        "16,8,10",
        "--epochs",
        "3",
        "--eta",
        "1.0",
        "--lambda",
        "0.1",
        "--metrics",
        path_str(&metrics),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let last = std::fs::read_to_string(&metrics)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .to_string();
    let last: serde_json::Value = serde_json::from_str(&last).unwrap();
    assert_eq!(
        last["eval_accuracy"], 1.0,
        "four lit rows are easy to tell apart"
    );

    // Pool 2: 4x4 -> 2x2 = 4 inputs; --sizes must say so.
    let out = decaylab(&[
        "train",
        "--data",
        path_str(dir.path()),
        "--pool",
        "2",
        "--sizes",
        "4,3,10",
        "--epochs",
        "1",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = decaylab(&[
        "train",
        "--data",
        path_str(dir.path()),
        "--pool",
        "2",
        "--sizes",
        "16,3,10",
        "--epochs",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--sizes") && stderr(&out).contains("must be 4"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_flags_exit_2_naming_the_flag() {
    let cases: [(&[&str], &str); 6] = [
        (&["--eta", "0"], "--eta"),
        (&["--lambda", "-1"], "--lambda"),
        (&["--batch", "0"], "--batch"),
        (&["--epochs", "0"], "--epochs"),
        (&["--sizes", "784,0,10"], "--sizes"),
        (&["--pool", "3"], "--pool"),
    ];
    for (flags, flag) in cases {
        let mut args = vec!["train"];
        args.extend_from_slice(flags);
        let out = decaylab(&args);
        assert_eq!(out.status.code(), Some(2), "{flags:?}");
        assert!(stderr(&out).contains(flag), "{flags:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"));
    }
    let out = decaylab(&["train", "--train-size", "60000"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--train-size"));
    let out = decaylab(&["train", "--train-size", "5", "--batch", "10"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--batch"));
}

/// The first layer's input norm at epoch 0 of a small run with `extra` flags.
fn input_norm_at_start(extra: &[&str]) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let metrics = dir.path().join("m.jsonl");
    let mut args = vec!["train", "--train-size", "1000", "--epochs", "1"];
    args.extend(["--metrics", path_str(&metrics)]);
    if !extra.contains(&"--sizes") {
        args.extend(["--sizes", "784,20,10"]);
    }
    args.extend_from_slice(extra);
    let out = decaylab(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&metrics).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    first["input_norm"][0]
        .as_f64()
        .expect("the first layer's input norm")
}

#[test]
fn input_scale_multiplies_the_inputs_and_nothing_else() {
    let plain = input_norm_at_start(&["--precision", "f64"]);
    let doubled = input_norm_at_start(&["--precision", "f64", "--input-scale", "2"]);
    approx::assert_relative_eq!(doubled, 2.0 * plain, max_relative = 1e-12);
    // Pooling 2 x 2 and scaling by 2 keeps the norm near the unpooled one.
    let pooled = input_norm_at_start(&["--pool", "2", "--sizes", "196,20,10"]);
    let rescaled =
        input_norm_at_start(&["--pool", "2", "--sizes", "196,20,10", "--input-scale", "2"]);
    approx::assert_relative_eq!(rescaled, 2.0 * pooled, max_relative = 1e-6);
    assert!(
        (rescaled / plain - 1.0).abs() < 0.2,
        "{rescaled} against {plain}"
    );
    for bad in ["0", "-1", "nan", "inf"] {
        let out = decaylab(&small_run(&["--input-scale", bad]));
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
        assert!(stderr(&out).contains("--input-scale"), "{}", stderr(&out));
    }
}

#[test]
fn a_decay_f32_cannot_apply_is_trained_in_f64_unless_f32_is_asked() {
    // c = eta*lambda/n = 0.1 * 0.0001 / 1,000 = 1e-8: f32 rounds each
    // step's decay w - c w back to w.
    let dir = tempfile::tempdir().unwrap();
    let metrics = dir.path().join("m.jsonl");
    let decay = ["--decay-only", "--lambda", "0.0001", "--metrics"];
    let mut args = small_run(&decay);
    args.push(path_str(&metrics));
    let out = decaylab(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.starts_with("precision f64: the decay per step c = 1.00e-8 (eta*lambda/n for network2's rule) is below 1e-5"),
        "{said}"
    );
    assert!(precision_said(&said).ends_with("f64"), "{said}");
    // In f64 the epochs remove the predicted decay, 1 - rho*, within 0.1%.
    for line in std::fs::read_to_string(&metrics).unwrap().lines().skip(1) {
        let line: serde_json::Value = serde_json::from_str(line).unwrap();
        let removed = 1.0 - line["shrink_ratio"].as_f64().unwrap();
        let predicted = 1.0 - line["predicted_shrink"].as_f64().unwrap();
        assert!((removed / predicted - 1.0).abs() < 1e-3, "{line}");
    }

    let out = decaylab(&small_run(&[
        "--decay-only",
        "--lambda",
        "0.0001",
        "--precision",
        "f32",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.starts_with("warning: precision f32 as asked"),
        "{said}"
    );
    assert!(precision_said(&said).ends_with("f32"), "{said}");

    // The base run's c = 1e-5 is f32, without a word.
    let out = decaylab(&small_run(&["--decay-only", "--lambda", "0.1"]));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.starts_with("training ") && precision_said(&said).ends_with("f32"),
        "{said}"
    );
}

/// The last line of what `train` says before its table of epochs: the
/// description of the run, which ends with its precision.
fn precision_said(said: &str) -> &str {
    said.lines()
        .take_while(|l| !l.starts_with("epoch"))
        .last()
        .unwrap_or("")
}

#[test]
fn files_grown_epoch_by_epoch_are_the_whole_tables_and_resume() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name);
    let (metrics, csv, checkpoint) = (file("m.jsonl"), file("m.csv"), file("run.ckpt"));
    let files = [
        "--metrics",
        path_str(&metrics),
        "--metrics-csv",
        path_str(&csv),
        "--checkpoint",
        path_str(&checkpoint),
    ];
    let train = |epochs: &str, extra: &[&str]| {
        let run = [
            "train",
            "--sizes",
            "784,5,10",
            "--train-size",
            "200",
            "--epochs",
            epochs,
        ];
        decaylab(&[&run[..], extra].concat())
    };
    let run = |epochs: &str, extra: &[&str]| {
        let out = train(epochs, &[&files[..], extra].concat());
        assert!(out.status.success(), "{}", stderr(&out));
    };
    // Old contents are replaced, not appended to.
    std::fs::write(&metrics, "old\n").unwrap();
    std::fs::write(&csv, "old\n").unwrap();
    run("3", &[]);
    let records = read_records(&metrics);
    assert_eq!(records.len(), 4);
    // The CSV grown row by row (its header widened at epoch 1) is the
    // table of all records; the checkpoint's log holds the same records.
    let table = decaylab::metrics::to_csv(&records);
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), table);
    let log = decaylab::run::checkpoint::records_path(&checkpoint);
    assert_eq!(log.file_name().unwrap(), "run.ckpt.records.jsonl");
    assert_eq!(read_records(&log), records);

    // A record more in the log than the state holds (killed between the
    // two writes) is left; the run resumes and both files start again whole.
    let mut text = std::fs::read_to_string(&log).unwrap();
    let last = text.lines().last().unwrap().to_string();
    text.push_str(&last.replace("\"epoch\":3", "\"epoch\":4"));
    text.push('\n');
    std::fs::write(&log, text).unwrap();
    run("5", &["--resume", path_str(&checkpoint)]);
    let resumed = read_records(&metrics);
    let epochs: Vec<usize> = resumed.iter().map(|r| r.epoch).collect();
    assert_eq!(epochs, [0, 1, 2, 3, 4, 5]);
    assert_eq!(resumed[..4], records[..]);
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        decaylab::metrics::to_csv(&resumed)
    );
    assert_eq!(read_records(&log), resumed);

    // A log that lacks the state's epochs is named.
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&log, lines[..3].join("\n") + "\n").unwrap();
    let out = train("6", &["--resume", path_str(&checkpoint)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(
        message.contains("run.ckpt.records.jsonl") && message.contains("epoch 5"),
        "{message}"
    );
}

/// No-improvement-in-N stops the run and the halving schedule halves eta,
/// each where the metrics say; a run resumed from a checkpoint halves and
/// stops where one never stopped does, with the same bits.
#[test]
fn early_stopping_and_the_halving_schedule_fire_where_the_metrics_say() {
    use decaylab::metrics::ScheduleEvent;
    let dir = tempfile::tempdir().unwrap();
    let metrics = dir.path().join("stop.jsonl");
    let base = [
        "--train-size",
        "1000",
        "--sizes",
        "784,20,10",
        "--no-probes",
    ];
    let mut args = vec![
        "train",
        "--epochs",
        "80",
        "--early-stop",
        "2",
        "--metrics",
        path_str(&metrics),
    ];
    args.extend(base);
    let out = decaylab(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let records = read_records(&metrics);
    let last = records.last().unwrap();
    assert!(records.len() < 81, "no early stop in 80 epochs");
    assert_eq!(last.schedule_event, Some(ScheduleEvent::Stopped));
    assert!(
        records[..records.len() - 1]
            .iter()
            .all(|r| r.schedule_event.is_none())
    );
    let best = records.iter().map(|r| r.eval_accuracy).fold(0.0, f64::max);
    let n = records.len();
    assert!(records[n - 3..].iter().all(|r| r.eval_accuracy <= best));
    assert!(
        records[n - 2..]
            .iter()
            .all(|r| r.eval_accuracy <= records[n - 3].eval_accuracy)
    );

    let halve = ["--schedule", "halve", "--early-stop", "2", "--eta", "0.5"];
    let (whole, resumed) = (
        dir.path().join("whole.json"),
        dir.path().join("resumed.json"),
    );
    let metrics = dir.path().join("halve.jsonl");
    let mut args = vec![
        "train",
        "--epochs",
        "40",
        "--save",
        path_str(&whole),
        "--metrics",
        path_str(&metrics),
    ];
    args.extend(base);
    args.extend(halve);
    let out = decaylab(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let records = read_records(&metrics);
    let halved: Vec<usize> = (records.iter())
        .filter(|r| r.schedule_event == Some(ScheduleEvent::Halved))
        .map(|r| r.epoch)
        .collect();
    assert!(halved.len() >= 2, "halved after epochs {halved:?}");
    for pair in records[1..].windows(2) {
        let (eta, next) = (
            pair[0].learning_rate.unwrap(),
            pair[1].learning_rate.unwrap(),
        );
        let expected = if pair[0].schedule_event == Some(ScheduleEvent::Halved) {
            eta / 2.0
        } else {
            eta
        };
        assert_eq!(next, expected, "epoch {}", pair[1].epoch);
    }
    // Stopped at the first halving's epoch + 3, resumed past it.
    let checkpoint = dir.path().join("run.ckpt");
    let stop_at = (halved[0] + 3).to_string();
    let mut args = vec![
        "train",
        "--epochs",
        &stop_at,
        "--checkpoint",
        path_str(&checkpoint),
    ];
    args.extend(base);
    args.extend(halve);
    assert_eq!(decaylab(&args).status.code(), Some(0));
    let mut args = vec![
        "train",
        "--epochs",
        "40",
        "--resume",
        path_str(&checkpoint),
        "--checkpoint",
        path_str(&checkpoint),
        "--save",
        path_str(&resumed),
    ];
    args.extend(base);
    args.extend(halve);
    let out = decaylab(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(&whole).unwrap(),
        std::fs::read(&resumed).unwrap()
    );
    let out = decaylab(&small_run(&["--early-stop", "0"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--early-stop"), "{}", stderr(&out));
}
