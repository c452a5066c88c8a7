//! `decaylab claims --quick` end to end: files, verdicts, resumption.

mod common;

fn claims(out: &std::path::Path, extra: &[&str]) -> std::process::Output {
    common::command(&["claims", "--quick", "--seeds", "1", "--jobs", "2", "--out"])
        .arg(out)
        .args(extra)
        .output()
        .expect("the binary runs")
}

#[test]
fn quick_study_writes_the_report_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    // A reference curve as network2-based scripts write them: accuracies as
    // counts out of 10,000.
    let reference = dir.path().join("network2.json");
    std::fs::write(
        &reference,
        r#"{"network2 large": [[1.0, 0.9], [8500, 9100], [], []]}"#,
    )
    .unwrap();
    let first = claims(&out, &["--reference", reference.to_str().unwrap()]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(stdout.contains("report.html"), "{stdout}");

    let json = claims_json(&out);
    check_claims_json(&json);
    check_report(&out);
    check_runs_csv(&out);
    // A malformed reference file is refused before anything runs.
    std::fs::write(&reference, r#"{"x": [[1.0], ["many"]]}"#).unwrap();
    let refused = claims(&out, &["--reference", reference.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("network2.json"));

    let list = json["claims"].as_array().unwrap();
    a_study_file_of_the_same_study_reports_the_same(&out, &json);
    again_with_the_book_reads_every_run_back(&out, list);
    a_damaged_run_is_trained_again(&out);
    far_more_jobs_than_runs_are_capped(&out, list);
    a_linked_lock_is_refused_not_written_through_and_stale_temporaries_go(&out);
    another_plans_run_is_not_overwritten(&out);
}

/// The full study's shard 3 of 1000 holds base-large-nol2-s1, which the
/// quick study trained for fewer epochs: refused before training, the
/// quick run's files untouched.
fn another_plans_run_is_not_overwritten(out: &std::path::Path) {
    let metrics = out.join("runs/base-large-nol2-s1.jsonl");
    let before = std::fs::read(&metrics).unwrap();
    let refused = common::command(&["claims", "--shard", "3/1000", "--out"])
        .arg(out)
        .output()
        .unwrap();
    common::assert_refused(
        &refused,
        &[
            "base-large-nol2-s1",
            "another plan",
            "epochs: 30 there, 60 here",
        ],
    );
    assert_eq!(std::fs::read(&metrics).unwrap(), before);
}

/// A run's lock file replaced by a symbolic link to someone's file (or a
/// dangling one): the study stops with exit 2 naming the lock, and neither
/// the link's target nor a file at a dangling link's target is written.
fn a_linked_lock_is_refused_not_written_through_and_stale_temporaries_go(out: &std::path::Path) {
    let lock = out.join("runs/base-large-l2-s1.lock");
    let precious = out.join("precious.txt");
    std::fs::write(&precious, "keep").unwrap();
    let dangling_target = out.join("created-through-a-link");
    for target in [&precious, &dangling_target] {
        std::fs::remove_file(&lock).unwrap();
        std::os::unix::fs::symlink(target, &lock).unwrap();
        let refused = claims(out, &[]);
        common::assert_refused(&refused, &["base-large-l2-s1.lock", "symbolic link"]);
    }
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "keep");
    assert!(!dangling_target.exists());
    std::fs::remove_file(&lock).unwrap();
    // Temporary files a killed writer left (a PID above Linux's largest, an
    // hour ago) are removed by the next invocation.
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let stale = [
        out.join("plots/.accuracy.svg.tmp-4194999-00000000000000aa"),
        out.join("runs/.base-large-l2-s1.csv.tmp-4194999-00000000000000bb"),
    ];
    for path in &stale {
        let file = std::fs::File::create(path).unwrap();
        file.set_modified(hour_ago).unwrap();
    }
    assert!(claims(out, &[]).status.success());
    for path in &stale {
        assert!(!path.exists(), "{}", path.display());
    }
}

fn claims_json(out: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(out.join("claims.json")).unwrap()).unwrap()
}

/// Four claims with their verdicts, evidence and sensitivity; the settled
/// table and the fits with their fields.
fn check_claims_json(json: &serde_json::Value) {
    let list = json["claims"].as_array().unwrap();
    assert_eq!(list.len(), 4);
    // Six setups beyond the book's, each with the four claims; claim 3
    // is not decided for them (its runs are network2's only).
    let setups = json["beyond_the_book"].as_array().unwrap();
    assert_eq!(setups.len(), 6);
    for setup in setups {
        let claims = setup["claims"].as_array().unwrap();
        assert_eq!(claims.len(), 4, "{setup}");
        assert_eq!(claims[2]["verdict"], "inconclusive");
        assert!(claims[2]["evidence"]["missing"].is_string());
        assert!(
            claims[0]["evidence"]["K_all_weights_per_seed"].is_array(),
            "{setup}"
        );
    }
    for (i, claim) in list.iter().enumerate() {
        assert_eq!(claim["id"], i + 1);
        let verdict = claim["verdict"].as_str().unwrap();
        assert!(["holds", "partly", "fails", "inconclusive"].contains(&verdict));
        assert!(claim["evidence"].is_object());
    }
    // The settled table: one entry per run (decay-only runs aside) and
    // layer, with the names the issue fixed; the fits name their method.
    let settled = json["settled"].as_array().unwrap();
    assert!(!settled.is_empty());
    for key in [
        "run",
        "layer",
        "init",
        "width",
        "n_in",
        "n_w",
        "eta",
        "lambda",
        "seed",
        "settled",
        "settled_epoch",
        "size",
        "spread",
        "epochs",
    ] {
        assert!(settled[0].get(key).is_some(), "settled has no {key}");
    }
    let base_layers: Vec<&str> = settled
        .iter()
        .filter(|e| e["run"] == "base-large-l2-s1")
        .map(|e| e["layer"].as_str().unwrap())
        .collect();
    assert_eq!(base_layers, ["w1", "w2", "all"]);
    for fit in json["fits"].as_array().unwrap() {
        for key in [
            "layer",
            "response",
            "predictors",
            "exponents",
            "method",
            "points",
        ] {
            assert!(fit.get(key).is_some(), "a fit has no {key}");
        }
    }
    for claim in list {
        assert!(claim["sensitivity"].is_array());
    }
    // The pure-decay check is exact whatever the mode.
    assert_eq!(
        list[1]["evidence"]["pure_decay_worst_relative_error"]
            .as_f64()
            .map(|e| e <= 1e-6),
        Some(true)
    );
}

/// report.html and report.md: the reference curve, every figure, the
/// anchors, nothing fetched.
fn check_report(out: &std::path::Path) {
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("reference: network2 large"));
    assert!(html.matches("<svg").count() >= 8);
    for figure in [
        "accuracy",
        "offset-fraction-large-init",
        "offset-fraction-default-init",
        "rms-per-layer-large-init",
        "settled-size-vs-n-in",
        "settled-size-vs-lambda",
        "histograms",
    ] {
        assert!(out.join(format!("plots/{figure}.svg")).exists(), "{figure}");
    }
    // A quick report says so before anything else.
    let notice = html
        .find("<p class=\"notice\">Quick mode")
        .expect("the quick notice");
    assert!(notice < html.find("href=\"#claim-1\"").unwrap());
    // Self-contained: nothing is fetched (links to the book are only links).
    for fetch in ["<script", "<link", "<img", "src=", "url("] {
        assert!(!html.contains(fetch), "{fetch}");
    }
    for anchor in [
        "claim-1", "claim-2", "claim-3", "claim-4", "glossary", "runs",
    ] {
        assert!(html.contains(&format!("id=\"{anchor}\"")), "{anchor}");
        assert!(html.contains(&format!("href=\"#{anchor}\"")), "{anchor}");
    }
}

/// runs.csv: one header, then every epoch record of every run.
fn check_runs_csv(out: &std::path::Path) {
    let csv = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert_eq!(&header[..3], ["run", "purpose", "seed"]);
    assert!(header.contains(&"epoch") && header.contains(&"dynamics.budget.decay"));
    let records: usize = list_runs(out)
        .iter()
        .map(|jsonl| std::fs::read_to_string(jsonl).unwrap().lines().count())
        .sum();
    assert_eq!(csv.lines().count(), 1 + records);
    assert!(csv.lines().all(|l| l.split(',').count() == header.len()));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("plots/accuracy.svg"));
    assert!(out.join("plots/accuracy.svg").exists());
    assert!(out.join("runs/base-large-l2-s1.jsonl").exists());
    assert!(out.join("runs/base-large-l2-s1.csv").exists());
}

/// `--print-config --quick` writes the quick study's file; `--config` of
/// it reads every run back and decides the same; a file without setups
/// drops the section "Beyond the book's setup" and nothing else; a bad
/// file is refused naming itself and the key, before anything is written.
fn a_study_file_of_the_same_study_reports_the_same(
    out: &std::path::Path,
    json: &serde_json::Value,
) {
    let printed = common::decaylab(&["claims", "--print-config", "--quick"]);
    assert!(printed.status.success(), "{}", common::stderr(&printed));
    let file = out.parent().unwrap().join("study.toml");
    std::fs::write(&file, &printed.stdout).unwrap();
    let with_file = || {
        common::command(&["claims", "--jobs", "2", "--report-only", "--config"])
            .arg(&file)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap()
    };
    let same = with_file();
    assert!(same.status.success(), "{}", common::stderr(&same));
    let again = claims_json(out);
    for key in ["claims", "settled", "fits", "beyond_the_book"] {
        assert_eq!(json[key], again[key], "{key}");
    }
    let text = String::from_utf8_lossy(&printed.stdout).to_string();
    let head = &text[..text.find("\n[[setup]]").unwrap() + 1];
    std::fs::write(&file, head).unwrap();
    let without = with_file();
    assert!(without.status.success(), "{}", common::stderr(&without));
    let bare = claims_json(out);
    assert_eq!(bare["claims"].to_string(), json["claims"].to_string());
    assert_eq!(bare["beyond_the_book"].as_array().unwrap().len(), 0);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("id=\"beyond\""));
    // Setups that cannot train are refused naming the setup.
    for (setup, names) in [
        (
            "optimizer = { kind = \"momentum\", mu = 1.0 }\nlambda = 5",
            "mu",
        ),
        (
            "optimizer = { kind = \"adamw\", beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.01 }\nlambda = 5",
            "lambda",
        ),
        (
            "optimizer = { kind = \"sgd\", weight_decay = 0.01 }\nlambda = 5",
            "weight_decay",
        ),
    ] {
        std::fs::write(
            &file,
            format!("{head}[[setup]]\nname = \"x\"\neta = 0.1\n{setup}\n"),
        )
        .unwrap();
        common::assert_refused(&with_file(), &["study.toml", "setup", names]);
    }
    std::fs::write(&file, format!("{head}colour = 2\n")).unwrap();
    let report = out.join("report.html");
    let before = std::fs::metadata(&report).unwrap().modified().unwrap();
    let refused = with_file();
    let line = format!("line {}", head.lines().count() + 1);
    common::assert_refused(&refused, &["study.toml", "colour", &line]);
    assert_eq!(
        std::fs::metadata(&report).unwrap().modified().unwrap(),
        before
    );
    // Back to the built-in report for the checks that follow.
    assert!(claims(out, &["--report-only"]).status.success());
}

/// Again, with the book's examples: every run is read back, and the
/// verdicts are the same.
fn again_with_the_book_reads_every_run_back(out: &std::path::Path, list: &[serde_json::Value]) {
    let marker = out.join("runs/base-large-l2-s1.jsonl");
    let before = std::fs::metadata(&marker).unwrap().modified().unwrap();
    // --report-only trains nothing, the book's runs neither.
    let refused = claims(out, &["--book", "--report-only"]);
    common::assert_refused(&refused, &["--book", "not finished"]);
    let second = claims(out, &["--book"]);
    assert!(second.status.success());
    // Now they are finished: read back, not trained again.
    let stored = out.join("runs/book-large_weight_initialization.jsonl");
    let trained = std::fs::metadata(&stored).unwrap().modified().unwrap();
    let third = claims(out, &["--book", "--report-only"]);
    assert!(third.status.success(), "{}", common::stderr(&third));
    assert_eq!(
        std::fs::metadata(&stored).unwrap().modified().unwrap(),
        trained
    );
    assert_eq!(
        std::fs::metadata(&marker).unwrap().modified().unwrap(),
        before
    );
    let again = claims_json(out);
    for (a, b) in list.iter().zip(again["claims"].as_array().unwrap()) {
        assert_eq!(a["verdict"], b["verdict"]);
        assert_eq!(a["evidence"], b["evidence"]);
    }
    // The book's large-init run starts decay-dominated, its default-init run
    // does not (the weights grow from N(0, 1/n_in)).
    let book = again["book_examples"].as_array().unwrap();
    assert_eq!(book.len(), 2);
    assert_eq!(book[0]["init"], "default");
    assert_eq!(book[1]["init"], "large");
    assert!(book[1]["K"].as_u64().unwrap() >= 2 && book[0]["K"] == 0);
    assert!(
        std::fs::read_to_string(out.join("report.html"))
            .unwrap()
            .contains("id=\"book\"")
    );
}

/// A damaged run file (truncated after its first line, config intact) is
/// trained again, and the report says so.
fn a_damaged_run_is_trained_again(out: &std::path::Path) {
    let damaged = out.join("runs/base-large-l2-s1.jsonl");
    let text = std::fs::read_to_string(&damaged).unwrap();
    std::fs::write(&damaged, text.lines().next().unwrap()).unwrap();
    // Records that parse but whose histograms have no layers: as damaged.
    let hollow = out.join("runs/base-default-l2-s1.jsonl");
    let emptied: String = std::fs::read_to_string(&hollow)
        .unwrap()
        .lines()
        .map(|line| {
            let mut record: serde_json::Value = serde_json::from_str(line).unwrap();
            record["histograms"]["layers"] = serde_json::json!([]);
            format!("{record}\n")
        })
        .collect();
    std::fs::write(&hollow, emptied).unwrap();
    let third = claims(out, &[]);
    assert!(
        third.status.success(),
        "{}",
        String::from_utf8_lossy(&third.stderr)
    );
    let stdout = String::from_utf8_lossy(&third.stdout);
    assert!(
        stdout.contains("trained again")
            && stdout.contains("base-large-l2-s1")
            && stdout.contains("base-default-l2-s1"),
        "{stdout}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Trained again in this invocation"));
}

/// Far more jobs than runs: capped at the runs (and 8 per core), and the
/// verdicts are unchanged.
fn far_more_jobs_than_runs_are_capped(out: &std::path::Path, list: &[serde_json::Value]) {
    let many = common::command(&["claims", "--quick", "--jobs", "100000", "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(many.status.success());
    let stdout = String::from_utf8_lossy(&many.stdout);
    let jobs: usize = stdout
        .split(" job(s)")
        .next()
        .and_then(|head| head.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!((1..=17).contains(&jobs), "{stdout}");
    let fixed = claims_json(out);
    for (a, b) in list.iter().zip(fixed["claims"].as_array().unwrap()) {
        assert_eq!(a["verdict"], b["verdict"]);
        assert_eq!(a["evidence"], b["evidence"]);
    }
}

#[test]
fn seeds_out_of_range_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never");
    let o = out.to_str().unwrap();
    for args in [
        vec![
            "claims",
            "--out",
            o,
            "--seed-base",
            "18446744073709551615",
            "--seeds",
            "2",
        ],
        vec!["claims", "--out", o, "--seeds", "0"],
        vec!["claims", "--out", o, "--seeds", "18446744073709551615"],
        vec!["claims", "--out", o, "--seed-base=-1"],
        vec!["claims", "--out", o, "--seed-base", "-1"],
    ] {
        let output = common::decaylab(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let message = common::stderr(&output);
        assert!(message.contains("--seed"), "{message}");
        assert!(!message.contains("panicked"), "{message}");
        // A negative seed is out of range, not an unknown flag.
        if args.contains(&"-1") || args.contains(&"--seed-base=-1") {
            assert!(message.contains("expected an integer from 0"), "{message}");
        }
    }
    assert!(!out.exists());
    // --report-only on a directory that is not there: refused, nothing created.
    let output = common::decaylab(&["claims", "--quick", "--out", o, "--report-only"]);
    common::assert_refused(&output, &["--out", "no such directory"]);
    assert!(!out.exists());
}

/// The runs' JSON lines files in `out/runs`.
fn list_runs(out: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(out.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect()
}

/// claims.json without its timing fields.
fn claims_without_timing(out: &std::path::Path) -> serde_json::Value {
    let mut value = claims_json(out);
    let map = value.as_object_mut().unwrap();
    map.remove("seconds");
    map.remove("jobs");
    value
}

#[test]
fn three_shards_then_the_report_give_the_unsharded_study() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    let sharded = dir.path().join("sharded");
    assert!(claims(&whole, &[]).status.success());

    // Before any shard has run, --report-only names what is missing: the
    // directory itself, then, once there is one, the runs.
    let early = claims(&sharded, &["--report-only"]);
    common::assert_refused(&early, &["no such directory"]);
    std::fs::create_dir(&sharded).unwrap();
    let early = claims(&sharded, &["--report-only"]);
    assert_eq!(early.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&early.stderr).contains("not finished"));
    for shard in ["1/3", "2/3", "3/3"] {
        let out = claims(&sharded, &["--shard", shard]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !sharded.join("report.html").exists(),
            "a shard wrote the report"
        );
    }
    assert!(claims(&sharded, &["--report-only"]).status.success());
    assert_eq!(
        claims_without_timing(&sharded),
        claims_without_timing(&whole)
    );

    for bad in ["4/3", "0/3", "two/3", "auto"] {
        let out = common::command(&["claims", "--quick", "--out"])
            .arg(&sharded)
            .args(["--shard", bad])
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env_remove("JOB_COMPLETION_INDEX")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("--shard"),
            "{bad}"
        );
    }
}
