//! `decaylab claims --quick` end to end: files, verdicts, resumption.

use std::process::Command;

fn claims(out: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_decaylab"))
        .args(["claims", "--quick", "--seeds", "1", "--jobs", "2", "--out"])
        .arg(out)
        .output()
        .expect("the binary runs")
}

#[test]
fn quick_study_writes_the_report_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let first = claims(&out);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(stdout.contains("report.html"), "{stdout}");

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("claims.json")).unwrap()).unwrap();
    let list = json["claims"].as_array().unwrap();
    assert_eq!(list.len(), 4);
    for (i, claim) in list.iter().enumerate() {
        assert_eq!(claim["id"], i + 1);
        let verdict = claim["verdict"].as_str().unwrap();
        assert!(["holds", "partly", "fails", "inconclusive"].contains(&verdict));
        assert!(claim["evidence"].is_object());
    }
    // The pure-decay check is exact whatever the mode.
    assert_eq!(
        list[1]["evidence"]["pure_decay_worst_relative_error"]
            .as_f64()
            .map(|e| e <= 1e-6),
        Some(true)
    );

    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.matches("<svg").count() >= 9);
    assert!(html.contains("QUICK MODE"));
    assert!(
        !html.contains("http://")
            || html.matches("http://").count() == html.matches("http://www.w3.org").count()
    );
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("plots/accuracy.svg"));
    assert!(out.join("plots/accuracy.svg").exists());
    assert!(out.join("runs/base-large-l2-s1.jsonl").exists());
    assert!(out.join("runs/base-large-l2-s1.csv").exists());

    // Again: every run is read back, and the verdicts are the same.
    let marker = out.join("runs/base-large-l2-s1.jsonl");
    let before = std::fs::metadata(&marker).unwrap().modified().unwrap();
    let second = claims(&out);
    assert!(second.status.success());
    assert_eq!(
        std::fs::metadata(&marker).unwrap().modified().unwrap(),
        before
    );
    let again: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("claims.json")).unwrap()).unwrap();
    for (a, b) in list.iter().zip(again["claims"].as_array().unwrap()) {
        assert_eq!(a["verdict"], b["verdict"]);
        assert_eq!(a["evidence"], b["evidence"]);
    }
}
