//! The modules' dependencies run one way, as `lib.rs`'s map lists them: no
//! module of `src/` names a module listed after it.

use std::path::Path;

/// Top-level modules in the order of `lib.rs`'s map; a module may use
/// those before it (and those on the same rank).
const LAYERS: &[&[&str]] = &[
    &["error", "output"],
    &["kernels"],
    &["data"],
    &["net"],
    &["theory"],
    &["train"],
    &["probes"],
    &["optimum"],
    &["metrics"],
    &["run"],
    &["book"],
    &["study"],
    &["report"],
    &["cli", "commands"],
];

fn rank(module: &str) -> Option<usize> {
    // `crate::Error` and `crate::Result` are `error`'s, re-exported.
    let module = match module {
        "Error" | "Result" => "error",
        other => other,
    };
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// Every `crate::NAME` in the code of `text` (comments left out), with the
/// line it is on.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let mut rest = line.split("//").next().unwrap_or("");
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            found.push((number + 1, name));
            rest = after;
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_uses_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut violations = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_str()
            .unwrap()
            .trim_end_matches(".rs");
        let Some(own) = rank(top) else {
            assert!(
                ["lib", "main"].contains(&top),
                "{} is not in the map",
                relative.display()
            );
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for (line, used) in crate_paths(&text) {
            let used_rank = rank(&used).unwrap_or_else(|| {
                panic!(
                    "{}:{line}: crate::{used} is not in the map",
                    relative.display()
                )
            });
            if used_rank > own {
                violations.push(format!("{}:{line}: {top} uses {used}", relative.display()));
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn the_check_sees_a_violation() {
    let paths = crate_paths(
        "use crate::study::Plan; let x = crate::kernels::padded(3);\n/// see [`crate::report`]",
    );
    let names: Vec<&str> = paths.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["study", "kernels"]);
    assert!(rank("study") > rank("train"));
}
