//! Divergence, interruption, killed runs, foreign checkpoints and a closed
//! stdout: nothing half-written, nothing lost, and a resumed run gives the
//! same bits.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{assert_refused, decaylab, path_str as s, stderr};

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
