//! Tests of `study::runner`.

use super::*;

#[test]
fn a_configuration_difference_names_the_fields_both_ways() {
    let there = serde_json::json!({"epochs": 30, "eta": 0.1, "a": 1, "b": 2, "c": 3});
    let here = serde_json::json!({"epochs": 60, "eta": 0.1, "a": 9, "b": 8, "c": 7});
    assert_eq!(
        difference(&there, &here),
        "epochs: 30 there, 60 here; a: 1 there, 9 here; b: 2 there, 8 here; 1 more"
    );
    let only_here = serde_json::json!({"epochs": 30, "pool": 2});
    assert_eq!(
        difference(&there, &only_here),
        "eta: 0.1 there, absent here; a: 1 there, absent here; b: 2 there, absent here; 2 more"
    );
}
use crate::metrics::synthetic::synthetic_run;

/// A finished synthetic run of 5 epochs of a two-layer network.
/// Synthetic records made whole as a run with probes writes them: the
/// angles of every epoch after 0, every layer's histogram in each.
fn probed(mut records: Vec<EpochRecord>) -> Vec<EpochRecord> {
    let histogram = crate::probes::Histogram::of(&[0.5f64, -0.5], 1.0, 4);
    for (e, r) in records.iter_mut().enumerate() {
        if e > 0 {
            r.dynamics.as_mut().unwrap().angle = vec![None; 2];
        }
        r.histograms = Some(crate::metrics::Histograms {
            all: histogram.clone(),
            layers: vec![histogram.clone(); 2],
        });
    }
    records
}

fn finished_run() -> (Vec<EpochRecord>, Config) {
    let records = probed(synthetic_run(&[1.0; 6], &[0.5; 6], &[0.9; 6], 0.95));
    let config = Config {
        epochs: 5,
        ..Config::default()
    };
    (records, config)
}

#[test]
fn only_whole_runs_of_the_configuration_are_read_back() {
    let (records, config) = finished_run();
    assert!(complete(&records, &config));
    // Truncated, empty, out of order.
    assert!(!complete(&records[..4], &config));
    assert!(!complete(&[], &config));
    let mut shuffled = records.clone();
    shuffled.swap(2, 3);
    assert!(!complete(&shuffled, &config));
    // Measurements that did not parse (another version's records).
    let mut unmeasured = records.clone();
    unmeasured[3].dynamics = None;
    assert!(!complete(&unmeasured, &config));
    // Histograms missing, without layers, or without bins.
    let mut missing = records.clone();
    missing[2].histograms = None;
    assert!(!complete(&missing, &config));
    let mut hollow = records.clone();
    hollow[2].histograms.as_mut().unwrap().layers.clear();
    assert!(!complete(&hollow, &config));
    let mut binless = records.clone();
    binless[4].histograms.as_mut().unwrap().layers[1]
        .counts
        .clear();
    assert!(!complete(&binless, &config));
    // The full gradient asked for at the end but missing.
    let wants_gradient = Config {
        full_gradient: FullGradientAt::End,
        ..config.clone()
    };
    assert!(!complete(&records, &wants_gradient));
    // Stopped early without having settled (f = 0.5 throughout).
    let settling = Config {
        epochs: 8,
        stop_when_settled: true,
        ..config.clone()
    };
    assert!(!complete(&records, &settling));
    // Stopped early, settled (f = 1 throughout): complete; past its last
    // epoch: not.
    let settled = probed(synthetic_run(&[1.0; 12], &[1.0; 12], &[0.9; 12], 0.95));
    let settling = Config {
        epochs: 15,
        ..settling
    };
    assert!(crate::run::settle::every_layer_settled(&settled));
    assert!(complete(&settled, &settling));
    let shorter = Config {
        epochs: 10,
        ..settling
    };
    assert!(!complete(&settled, &shorter));
    // A record of another shape: weights or input norms of one layer.
    for cut in [0, 1] {
        let mut other_shape = records.clone();
        if cut == 0 {
            other_shape[2].weights.layers.pop();
        } else {
            other_shape[2].input_norm.pop();
        }
        assert!(!complete(&other_shape, &config), "cut {cut}");
    }
}

/// A base run of `config`, named "run".
fn spec_of(config: &Config) -> RunSpec {
    RunSpec {
        config: config.clone(),
        ..tiny_spec("run", 1)
    }
}

#[test]
fn finished_files_are_read_back_whole_damaged_or_not_at_all() {
    let (records, config) = finished_run();
    let spec = spec_of(&config);
    let dir = tempfile::tempdir().unwrap();
    let files = RunFiles::new(dir.path(), "run");
    assert!(matches!(files.finished(&spec), Found::Nothing));
    write_atomic(&files.config, &serde_json::to_vec(&config).unwrap()).unwrap();
    metrics::write_json_lines(&files.metrics, &records).unwrap();
    assert!(matches!(files.finished(&spec), Found::Whole(r) if r == records));
    // A run that keeps its network is damaged without it.
    let keeping = RunSpec {
        saves_network: true,
        ..spec.clone()
    };
    assert!(matches!(files.finished(&keeping), Found::Damaged));
    // Another configuration's files are not this run's.
    let other = Config {
        seed: config.seed + 1,
        ..config.clone()
    };
    assert!(matches!(files.finished(&spec_of(&other)), Found::Nothing));
    // Cut short: damaged.
    metrics::write_json_lines(&files.metrics, &records[..3]).unwrap();
    assert!(matches!(files.finished(&spec), Found::Damaged));
}

#[test]
fn the_progress_bar_counts_trained_epochs() {
    let bar = ProgressBar::hidden();
    let mut progress = Progress(&bar);
    for record in finished_run().0.iter() {
        progress.epoch_measured(record).unwrap();
    }
    assert_eq!(bar.position(), 5);
}

/// Ten 2x2 images, one of each digit, as all three sets.
fn tiny_mnist() -> Mnist {
    let tiny = || {
        crate::data::Dataset::from_bytes(
            2,
            2,
            (0..40).map(|i| i * 6).collect(),
            vec![0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        )
    };
    Mnist {
        training: tiny(),
        validation: tiny(),
        test: tiny(),
        sha256: None,
    }
}

/// Two epochs of a [4 / pool^2, 3, 10] network on `tiny_mnist`.
fn tiny_spec(name: &str, pool: usize) -> RunSpec {
    RunSpec {
        name: name.into(),
        purpose: crate::study::plan::Purpose::Base {
            init: crate::net::Init::Default,
            l2: true,
        },
        seed: 1,
        config: Config {
            sizes: vec![4 / (pool * pool), 3, 10],
            pool,
            epochs: 2,
            batch: 2,
            ..Config::default()
        },
        parent: None,
        saves_network: false,
    }
}

/// A run keeping a tail average measures it in its last record, saves it
/// beside its last network, and is trained again if it is missing.
#[test]
fn a_tail_average_is_measured_kept_and_needed_to_read_back() {
    let mnist = tiny_mnist();
    let spec = RunSpec {
        config: Config {
            epochs: 4,
            tail_average_from: Some(2),
            full_gradient: crate::run::FullGradientAt::End,
            ..tiny_spec("averaged", 1).config
        },
        saves_network: true,
        ..tiny_spec("averaged", 1)
    };
    let dir = tempfile::tempdir().unwrap();
    let done = run_all(
        std::slice::from_ref(&spec),
        &mnist,
        dir.path(),
        1,
        &ProgressBar::hidden(),
    )
    .unwrap();
    let records = &done[0].records;
    assert!(records[..4].iter().all(|r| r.tail_average.is_none()));
    let average = records[4]
        .tail_average
        .as_ref()
        .expect("the last record has it");
    assert_eq!((average.from_epoch, average.epochs), (2, 3));
    assert_eq!(average.full_gradient.len(), 2);
    // Its rms is of the saved average's weights, which lie between the
    // averaged epochs' (the mean of three networks is not the last one).
    let files = RunFiles::new(dir.path(), "averaged");
    let saved: crate::net::Network<f32> = network2_json::load(&files.average).unwrap();
    let last: crate::net::Network<f32> = network2_json::load(&files.network).unwrap();
    assert_ne!(saved.weights, last.weights);
    for (l, w) in saved.weights.iter().enumerate() {
        assert!((crate::probes::rms(w) - average.rms[l]).abs() < 1e-6);
    }
    assert!(read_finished(&spec, dir.path()).is_some());
    std::fs::remove_file(&files.average).unwrap();
    assert!(
        read_finished(&spec, dir.path()).is_none(),
        "read back without its average"
    );
}

/// A branch starts from its parent's last network, trained first in an
/// earlier wave (or here, if no process has); its own files name the
/// parent's network relative to the runs' directory.
#[test]
fn a_branch_starts_where_its_parent_ended() {
    let mnist = tiny_mnist();
    let parent = RunSpec {
        saves_network: true,
        ..tiny_spec("parent", 1)
    };
    let branch = RunSpec {
        config: Config {
            eta: 0.2,
            load: Some("parent.net.json".into()),
            ..parent.config.clone()
        },
        parent: Some(Box::new(parent.clone())),
        saves_network: false,
        ..tiny_spec("branch", 1)
    };
    for specs in [vec![branch.clone()], vec![branch.clone(), parent.clone()]] {
        let dir = tempfile::tempdir().unwrap();
        let bar = ProgressBar::hidden();
        let done = run_all(&specs, &mnist, dir.path(), 2, &bar).unwrap();
        let parent_run = read_finished(&parent, dir.path()).expect("the parent is finished");
        let ended = &parent_run.records.last().unwrap().weights;
        let started = &done[0].records[0].weights;
        assert_eq!(
            started, ended,
            "the branch did not start where the parent ended"
        );
        let stored: Config =
            serde_json::from_slice(&std::fs::read(dir.path().join("branch.config.json")).unwrap())
                .unwrap();
        assert_eq!(stored.load, Some("parent.net.json".into()));
    }
}

#[test]
fn runs_come_back_in_plan_order_and_are_read_back_the_second_time() {
    let mnist = tiny_mnist();
    let specs = [tiny_spec("a", 2), tiny_spec("b", 1), tiny_spec("c", 2)];
    let dir = tempfile::tempdir().unwrap();
    let bar = ProgressBar::hidden();
    let first = run_all(&specs, &mnist, dir.path(), 2, &bar).unwrap();
    let names: Vec<&str> = first.iter().map(|r| r.spec.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c"]);
    assert!(first.iter().all(|r| !r.reused && r.records.len() == 3));
    // Timing aside, the same configuration gives the same bits.
    let untimed = |r: &RunResult| -> Vec<EpochRecord> {
        r.records
            .iter()
            .map(|e| EpochRecord {
                seconds: 0.0,
                ..e.clone()
            })
            .collect()
    };
    assert!(
        untimed(&first[0]) == untimed(&first[2]),
        "same run, other bits"
    );
    assert_eq!(first[0].records[0].input_norm.len(), 2);
    assert_eq!(bar.position(), 6);
    // What --report-only reads: a finished run, and none of a run not made.
    let read = read_finished(&specs[1], dir.path()).expect("b is finished");
    assert!(read.reused && !read.redone && read.records == first[1].records);
    assert!(read_finished(&tiny_spec("d", 1), dir.path()).is_none());
    let again = run_all(&specs, &mnist, dir.path(), 1, &bar).unwrap();
    assert!(again.iter().all(|r| r.reused));
    for (a, b) in first.iter().zip(&again) {
        assert!(
            a.records == b.records,
            "{} read back otherwise",
            a.spec.name
        );
    }
}

/// A run claimed by another process is waited for, then read back from
/// the files that process wrote, not trained a second time.
#[test]
fn a_run_claimed_elsewhere_is_waited_for_and_read_back() {
    let mnist = tiny_mnist();
    let spec = tiny_spec("tiny", 1);
    let config = spec.config.clone();
    let dir = tempfile::tempdir().unwrap();
    let files = RunFiles::new(dir.path(), "tiny");
    // Another process (here, this thread) holds the claim.
    let other = File::create(&files.lock).unwrap();
    other.lock().unwrap();

    let (done, finished) = std::sync::mpsc::channel();
    let runs_dir = dir.path().to_path_buf();
    let waiting = std::thread::spawn(move || {
        let result = run_one(&spec, &mnist, &runs_dir, &ProgressBar::hidden());
        done.send(result.map(|r| (r.reused, r.records.len())))
            .unwrap();
    });
    let wait = std::time::Duration::from_millis(300);
    assert!(
        finished.recv_timeout(wait).is_err(),
        "ran while the run was claimed"
    );

    // The other process writes a finished run of 2 epochs and lets go.
    let (mut records, _) = finished_run();
    records.truncate(3);
    for r in records.iter_mut() {
        r.weights.layers.truncate(2);
    }
    metrics::write_json_lines(&files.metrics, &records).unwrap();
    write_atomic(&files.config, &serde_json::to_vec(&config).unwrap()).unwrap();
    other.unlock().unwrap();

    let (reused, epochs) = finished.recv().unwrap().unwrap();
    waiting.join().unwrap();
    assert!(reused, "trained again instead of reading back");
    assert_eq!(epochs, 3);
    // The lock file names its last holder: this machine, this process.
    let holder = std::fs::read_to_string(&files.lock).unwrap();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map_or("unknown host".into(), |h| h.trim().to_string());
    assert!(!host.is_empty());
    assert_eq!(
        holder,
        format!("host {host}, process {}", std::process::id())
    );
}
