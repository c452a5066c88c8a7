//! The modules' dependencies run one way, as `lib.rs`'s map lists them: no
//! module of `src/` names a module listed after it.

use std::path::Path;

/// Top-level modules in the order of `lib.rs`'s map; a module may use
/// those before it (and those on the same rank).
const LAYERS: &[&[&str]] = &[
    &["error", "output", "input"],
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

/// The sibling modules a file of `folder` names: `super::NAME` (from a
/// file beside them), `self::NAME` or `NAME::` (from the folder's mod.rs,
/// which only declares them), `crate::FOLDER::NAME`, and names inside
/// `super::{...}` groups. `siblings` are the folder's module names.
fn sibling_uses(text: &str, folder: &[String], siblings: &[String], own: &str) -> Vec<String> {
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut prefixes = vec!["super::".to_string()];
    prefixes.push(format!("crate::{}::", folder.join("::")));
    let mut found = Vec::new();
    for prefix in &prefixes {
        let mut rest = code.as_str();
        while let Some(i) = rest.find(prefix.as_str()) {
            let after = &rest[i + prefix.len()..];
            let names: Vec<String> = if let Some(group) = after.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                group[..end]
                    .split(',')
                    .map(|n| n.trim().split("::").next().unwrap_or("").trim().to_string())
                    .collect()
            } else {
                vec![
                    after
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect(),
                ]
            };
            for name in names {
                if siblings.contains(&name) && name != own && !found.contains(&name) {
                    found.push(name);
                }
            }
            rest = after;
        }
    }
    found
}

/// A cycle among the sibling modules of `graph` (module -> modules it
/// uses), as the path around it.
fn find_cycle(graph: &[(String, Vec<String>)]) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &[(String, Vec<String>)],
        path: &mut Vec<String>,
        done: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|p| p == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.iter().any(|d| d == node) {
            return None;
        }
        path.push(node.to_string());
        let uses = graph
            .iter()
            .find(|(n, _)| n == node)
            .map(|(_, u)| u.clone());
        for next in uses.unwrap_or_default() {
            if let Some(cycle) = visit(&next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.push(node.to_string());
        None
    }
    let mut done = Vec::new();
    graph
        .iter()
        .find_map(|(node, _)| visit(node, graph, &mut Vec::new(), &mut done))
}

/// The use graph among the files (and subfolders) of `dir`, the folder
/// `folder` of the crate; mod.rs, the folder's interface, is left out.
fn folder_graph(dir: &Path, folder: &[String]) -> Vec<(String, Vec<String>)> {
    // One module per file stem or folder name (claim3.rs and claim3/ are
    // one module).
    let mut modules: std::collections::BTreeMap<String, std::path::PathBuf> = Default::default();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let is_module = path.is_dir() || path.extension().is_some_and(|e| e == "rs");
        if is_module && name != "mod" {
            let folder = dir.join(&name);
            modules.insert(name, folder);
        }
    }
    let modules: Vec<(String, std::path::PathBuf)> = modules.into_iter().collect();
    let siblings: Vec<String> = modules.iter().map(|(n, _)| n.clone()).collect();
    modules
        .iter()
        .map(|(name, path)| {
            // A module's code: its file, or its folder's files, or both.
            let mut files = Vec::new();
            let file = dir.join(format!("{name}.rs"));
            if file.is_file() {
                files.push(file);
            }
            if path.is_dir() {
                rust_files(path, &mut files);
            }
            let mut uses = Vec::new();
            for file in files {
                let text = std::fs::read_to_string(&file).unwrap();
                // super:: from inside a subfolder's files is that folder's.
                let nested = file.parent() != Some(dir)
                    && !(file.file_name().unwrap() == "mod.rs"
                        && file.parent() == Some(path.as_path()));
                let text = if nested { String::new() } else { text };
                for used in sibling_uses(&text, folder, &siblings, name) {
                    if !uses.contains(&used) {
                        uses.push(used);
                    }
                }
            }
            (name.clone(), uses)
        })
        .collect()
}

#[test]
fn no_folder_has_a_cycle_among_its_modules() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut folders = vec![(src.clone(), Vec::<String>::new())];
    let mut cycles = Vec::new();
    while let Some((dir, folder)) = folders.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                let mut sub = folder.clone();
                sub.push(path.file_name().unwrap().to_str().unwrap().to_string());
                folders.push((path, sub));
            }
        }
        if folder.is_empty() {
            continue;
        }
        if let Some(cycle) = find_cycle(&folder_graph(&dir, &folder)) {
            cycles.push(format!("src/{}: {}", folder.join("/"), cycle.join(" -> ")));
        }
    }
    assert!(cycles.is_empty(), "{}", cycles.join("\n"));
}

#[test]
fn the_cycle_check_sees_a_planted_cycle() {
    let folder = ["report".to_string()];
    let siblings: Vec<String> = ["build", "evidence", "plots"].map(String::from).to_vec();
    let build = "use super::evidence::{self, sig};\nuse super::{Block, plots};";
    let evidence = "use crate::report::build::Inputs; // super::plots in a comment";
    assert_eq!(
        sibling_uses(build, &folder, &siblings, "build"),
        ["evidence", "plots"]
    );
    assert_eq!(
        sibling_uses(evidence, &folder, &siblings, "evidence"),
        ["build"]
    );
    let graph = vec![
        (
            "build".to_string(),
            vec!["evidence".to_string(), "plots".to_string()],
        ),
        ("evidence".to_string(), vec!["build".to_string()]),
        ("plots".to_string(), vec![]),
    ];
    assert_eq!(find_cycle(&graph).unwrap(), ["build", "evidence", "build"]);
    assert_eq!(find_cycle(&graph[2..]), None);
}
