//! Bad files: data directories and networks that are not what they should
//! be get exit code 2 and a message naming the file and the problem, before
//! anything is trained or written. (Flags and outputs are in
//! reliability.rs.)

mod common;

use common::data::{gz, idx, train_on, write_data_dir};
use common::{assert_refused, decaylab, path_str as s, stderr};

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
    // A network whose first layer does not fit the images: the file is
    // named, not a --sizes the user did not give.
    let path = dir.path().join("tiny.json");
    std::fs::write(
        &path,
        r#"{"sizes": [3, 2], "weights": [[[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]], "biases": [[[0.0], [0.0]]], "cost": "CrossEntropyCost"}"#,
    )
    .unwrap();
    let out = decaylab(&["train", "--load", s(&path), "--epochs", "1"]);
    assert_refused(&out, &["tiny.json", "the network's first layer 3"]);
    assert!(!stderr(&out).contains("--sizes"), "{}", stderr(&out));
    // Inputs that never end, or are not files, are refused unread.
    for input in ["/dev/zero", s(dir.path())] {
        let out = decaylab(&["train", "--load", input, "--epochs", "1"]);
        assert_refused(&out, &[input, "not a regular file"]);
        let out = decaylab(&[
            "claims",
            "--quick",
            "--reference",
            input,
            "--out",
            s(&dir.path().join("r")),
        ]);
        assert_refused(&out, &[input, "not a regular file"]);
    }
}

#[test]
fn a_checkpoint_resumes_on_its_data_however_spelled_and_not_on_replaced_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("idx");
    std::fs::create_dir(&data).unwrap();
    write_data_dir(&data);
    let checkpoint = dir.path().join("run.ckpt");
    let run = |data: &str, epochs: &str, resume: bool| {
        let mut args = vec![
            "train",
            "--data",
            data,
            "--sizes",
            "16,4,10",
            "--train-size",
            "50",
            "--epochs",
            epochs,
            "--checkpoint",
            s(&checkpoint),
        ];
        if resume {
            args.extend(["--resume", s(&checkpoint)]);
        }
        decaylab(&args)
    };
    let out = run(s(&data), "1", false);
    assert!(out.status.success(), "{}", stderr(&out));
    // The same directory written another way resumes.
    let spelled = format!("{}/./../idx", s(&data));
    let out = run(&spelled, "2", true);
    assert!(out.status.success(), "{}", stderr(&out));
    // Files replaced with other contents do not.
    let labels: Vec<u8> = (0..10_050u32).map(|i| ((i + 1) % 10) as u8).collect();
    std::fs::write(
        data.join("train-labels-idx1-ubyte.gz"),
        gz(&idx(&[10_050], &labels)),
    )
    .unwrap();
    let out = run(s(&data), "3", true);
    assert_refused(&out, &["run.ckpt", "SHA-256", "were the files replaced"]);
}

#[test]
fn a_path_that_is_not_utf8_is_refused_where_a_run_stores_it() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    // A network file and a data directory whose names are not UTF-8 (bytes
    // of Latin-1), which a checkpoint could not store.
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9");
    let net = dir.path().join(name).with_extension("json");
    let out = decaylab(&[
        "train",
        "--sizes",
        "784,2,10",
        "--epochs",
        "1",
        "--save",
        s(&dir.path().join("n.json")),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::copy(dir.path().join("n.json"), &net).unwrap();
    let data = dir.path().join(name);
    std::fs::create_dir(&data).unwrap();
    write_data_dir(&data);
    let checkpoint = dir.path().join("run.ckpt");
    for (flag, path) in [("--load", &net), ("--data", &data)] {
        let out = common::command(&["train", "--epochs", "1", "--checkpoint", s(&checkpoint)])
            .arg(flag)
            .arg(path)
            .output()
            .unwrap();
        assert_refused(&out, &[flag, "not UTF-8"]);
    }
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
