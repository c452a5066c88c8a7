//! What the end-to-end tests share: running the binary and reading what it
//! said. Each test file uses a part of it.
#![allow(dead_code)]

pub mod data;
pub mod http;

use std::path::Path;
use std::process::{Command, Output};

/// The binary with `args`, run to its end. `RUST_BACKTRACE=1` is set, as a
/// user might have it: it must not change what the user sees.
pub fn decaylab(args: &[&str]) -> Output {
    command(args).output().expect("the binary runs")
}

/// The binary with `args` on `threads` worker threads.
pub fn decaylab_threads(args: &[&str], threads: usize) -> Output {
    command(args)
        .env("RAYON_NUM_THREADS", threads.to_string())
        .output()
        .expect("the binary runs")
}

/// The command that runs the binary with `args`, to adjust before running.
pub fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_decaylab"));
    command.args(args).env("RUST_BACKTRACE", "1");
    command
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `chattr FLAG PATH` (e.g. "+i" to make a file immutable); false where the
/// file system or the user cannot.
pub fn chattr(flag: &str, path: &Path) -> bool {
    Command::new("chattr")
        .arg(flag)
        .arg(path)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Exit code 2, no panic, and a message holding every one of `needles`.
pub fn assert_refused(out: &Output, needles: &[&str]) {
    let message = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{message}");
    assert!(
        !message.contains("panicked") && !message.contains("RUST_BACKTRACE"),
        "{message}"
    );
    for needle in needles {
        assert!(message.contains(needle), "no {needle:?} in: {message}");
    }
}

/// A small run on the bundled MNIST: 1,000 examples, 2 epochs.
pub fn small_run<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "train",
        "--train-size",
        "1000",
        "--epochs",
        "2",
        "--sizes",
        "784,20,10",
    ];
    args.extend_from_slice(extra);
    args
}

/// The records a JSON-lines file holds, epoch 0 first.
pub fn read_records(path: &Path) -> Vec<decaylab::metrics::EpochRecord> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
