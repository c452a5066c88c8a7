//! `decaylab optimum` end to end, through the binary.

mod common;

use std::path::{Path, PathBuf};

use common::{assert_refused, decaylab, path_str, stderr, stdout};

/// A [49, 5, 10] network trained one epoch on 300 pooled examples, saved
/// in `dir`.
fn tiny_network(dir: &Path) -> PathBuf {
    let file = dir.join("tiny.json");
    let out = decaylab(&[
        "train",
        "--sizes",
        "49,5,10",
        "--pool",
        "4",
        "--train-size",
        "300",
        "--epochs",
        "1",
        "--no-probes",
        "--save",
        path_str(&file),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    file
}

/// `decaylab optimum` from `net` at lambda 5 over its 300 examples, with
/// `more` flags.
fn optimum_at_lambda_5(net: &Path, more: &[&str]) -> std::process::Output {
    let mut args = vec![
        "optimum",
        "--load",
        path_str(net),
        "--lambda",
        "5",
        "--train-size",
        "300",
    ];
    args.extend_from_slice(more);
    decaylab(&args)
}

#[test]
fn json_names_the_fields_and_the_identity_holds() {
    let dir = tempfile::tempdir().unwrap();
    let net = tiny_network(dir.path());
    let saved = dir.path().join("optimum.json");
    let history = dir.path().join("history.csv");
    let tolerance = 1e-8;
    let out = optimum_at_lambda_5(
        &net,
        &[
            "--tolerance",
            "1e-8",
            "--save",
            path_str(&saved),
            "--history",
            path_str(&history),
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    for key in [
        "lambda",
        "n",
        "cost",
        "grad_norm",
        "layers",
        "total_norm",
        "identity",
    ] {
        assert!(json.get(key).is_some(), "no {key} in {json}");
    }
    assert_eq!(json["lambda"], 5.0);
    assert_eq!(json["n"], 300);
    assert_eq!(json["stop"], "converged");
    let grad_norm = json["grad_norm"].as_f64().unwrap();
    assert!(grad_norm <= tolerance, "|grad J| = {grad_norm:e}");
    let layers = json["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 2);
    let mut norm_sq = 0.0;
    for (l, layer) in layers.iter().enumerate() {
        assert_eq!(layer["layer"], format!("w{}", l + 1));
        for key in ["rms", "norm", "cosine", "data_term"] {
            assert!(layer[key].is_f64(), "no {key} in {layer}");
        }
        norm_sq += layer["norm"].as_f64().unwrap().powi(2);
    }
    // The two sides of |w|^2 = (n/lambda)(-w . grad C_0) differ by at most
    // (n/lambda) |w| |grad J|.
    let identity = &json["identity"];
    let left = identity["norm_sq"].as_f64().unwrap();
    let right = identity["n_over_lambda_data_term"].as_f64().unwrap();
    let total_norm = json["total_norm"].as_f64().unwrap();
    assert!((left - norm_sq).abs() <= 1e-12 * left);
    assert!((left - right).abs() <= 300.0 / 5.0 * total_norm * grad_norm);
    // The network written is network2 JSON of the same sizes, and the
    // history has a line per iteration after its header.
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(written["sizes"], serde_json::json!([49, 5, 10]));
    let lines = std::fs::read_to_string(&history).unwrap();
    let iterations = json["iterations"].as_u64().unwrap() as usize;
    assert_eq!(lines.lines().count(), iterations + 2);
    assert!(lines.starts_with("iteration,evaluations,cost,grad_norm,rms_w1,rms_w2\n"));
}

#[test]
fn the_table_says_what_was_reached() {
    let dir = tempfile::tempdir().unwrap();
    let net = tiny_network(dir.path());
    let out = optimum_at_lambda_5(&net, &["--max-iterations", "3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("stopped at the iteration limit"), "{text}");
    assert!(text.contains("after 3 iterations"), "{text}");
    assert!(text.contains("w2 "), "{text}");
}

#[test]
fn bad_flags_and_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let net = tiny_network(dir.path());
    let net = path_str(&net);
    let base = |extra: &[&'static str]| {
        let mut args = vec!["optimum", "--load", net, "--train-size", "300"];
        args.extend_from_slice(extra);
        decaylab(&args)
    };
    assert_refused(&base(&["--lambda", "0"]), &["--lambda", "above 0"]);
    assert_refused(
        &base(&["--lambda", "5", "--tolerance", "-1"]),
        &["--tolerance"],
    );
    assert_refused(&base(&["--lambda", "5", "--memory", "0"]), &["--memory"]);
    assert_refused(
        &base(&["--lambda", "5", "--train-size", "0"]),
        &["--train-size"],
    );
    assert_refused(&base(&["--lambda", "5", "--bogus"]), &["--bogus"]);
    let missing = dir.path().join("missing.json");
    let out = decaylab(&["optimum", "--load", path_str(&missing), "--lambda", "5"]);
    assert_refused(&out, &["missing.json"]);
    let nowhere = dir.path().join("no/such/dir/out.json");
    let out = decaylab(&[
        "optimum",
        "--load",
        net,
        "--lambda",
        "5",
        "--save",
        path_str(&nowhere),
    ]);
    assert_refused(&out, &["--save"]);
}
