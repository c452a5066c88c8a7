//! The flags that name output files, checked before any work: each can
//! take a file, and no two name the same one.

use std::path::{Path, PathBuf};

use super::failure::{Failure, Outcome};
use crate::output;

/// Check, before any work, that `path` (given by `flag`) can take an output
/// file: it names a file, not a directory, in a directory that exists and
/// lets us create files. The check creates and removes a temporary file
/// there.
pub fn check_output_file(flag: &'static str, path: &Path) -> Outcome {
    let bad = |message: String| Failure::flag(flag, format!("{}: {message}", path.display()));
    let text = path.as_os_str().to_string_lossy();
    if text.ends_with('/') || path.is_dir() || path.file_name().is_none() {
        return Err(bad("names a directory; expected the path of a file".into()));
    }
    let dir = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => dir,
        None => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(bad(format!("directory {} does not exist", dir.display())));
    }
    output::check_writable(path)
        .map_err(|e| bad(format!("cannot create a file in {}: {e}", dir.display())))
}

/// Check, before any work, that `dir` (given by `flag`) is a directory,
/// making it (and the folders of `files`) where it is missing, and that
/// each of `files` (paths inside it) can be created there and, where it
/// exists, replaced. What cannot is named now, not after hours of training.
pub fn prepare_output_dir(flag: &'static str, dir: &Path, files: &[PathBuf]) -> Outcome {
    if dir.exists() && !dir.is_dir() {
        return Err(Failure::flag(
            flag,
            format!(
                "{}: is a file; expected a directory (or a path where one can be made)",
                dir.display()
            ),
        ));
    }
    // Each folder is made and probed with a temporary file once; its other
    // files are only checked where they exist.
    let mut probed: Vec<&Path> = Vec::new();
    for path in files {
        let folder = path.parent().unwrap_or(dir);
        let checked = if probed.contains(&folder) {
            output::check_replaceable_file(path)
        } else {
            std::fs::create_dir_all(folder).map_err(|e| {
                Failure::flag(
                    flag,
                    format!("cannot make directory {}: {e}", folder.display()),
                )
            })?;
            probed.push(folder);
            output::check_writable(path)
        };
        checked.map_err(|e| {
            Failure::flag(flag, format!("{}: cannot be written: {e}", path.display()))
        })?;
    }
    Ok(())
}

/// Refuse a path (given by `flag`) that is not UTF-8 where the run stores
/// it in its JSON files (its configuration, a checkpoint): JSON holds text,
/// and a path that is not would be stored changed.
pub fn check_utf8(flag: &'static str, path: &Path) -> Outcome {
    match path.to_str() {
        Some(_) => Ok(()),
        None => Err(Failure::flag(
            flag,
            format!(
                "{}: the path is not UTF-8; expected one that is (a run stores it in its JSON files: rename or link it)",
                path.display()
            ),
        )),
    }
}

/// The path a file would have once its directory is resolved (symbolic
/// links and `..` followed), to tell whether two flags name one file.
fn resolved(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    let dir = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => dir,
        None => Path::new("."),
    };
    match (dir.canonicalize(), path.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => path.to_path_buf(),
    }
}

/// Refuse two flags that name the same file, where writing one would
/// destroy the other. `files` holds (flag, path) pairs; `allowed` the
/// pairs of flags that may share a file (e.g. `--resume` and
/// `--checkpoint`: a run continues its own checkpoint).
pub fn check_distinct(files: &[(&'static str, &Path)], allowed: &[(&str, &str)]) -> Outcome {
    for (i, &(flag_a, a)) in files.iter().enumerate() {
        for &(flag_b, b) in &files[i + 1..] {
            let may_share = allowed
                .iter()
                .any(|&(x, y)| (x, y) == (flag_a, flag_b) || (y, x) == (flag_a, flag_b));
            if !may_share && resolved(a) == resolved(b) {
                return Err(Failure::flag(
                    flag_b,
                    format!(
                        "{} is also given to {flag_a}; expected a file of its own (one would overwrite the other)",
                        b.display()
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_files_are_checked_before_any_work() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("net.json");
        check_output_file("--save", &file).unwrap();
        // The check leaves nothing behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        for bad in [
            dir.path().to_path_buf(),
            dir.path().join("new/"),
            dir.path().join("missing/net.json"),
            PathBuf::from("."),
        ] {
            let err = check_output_file("--save", &bad).unwrap_err();
            assert!(err.to_string().starts_with("--save: "), "{err}");
        }
    }

    #[test]
    fn two_flags_naming_one_file_are_refused_unless_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.json");
        let same = dir.path().join("sub/../a.json");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let b = dir.path().join("b.json");
        check_distinct(&[("--metrics", &a), ("--save", &b)], &[]).unwrap();
        let err = check_distinct(&[("--metrics", &a), ("--save", &same)], &[]).unwrap_err();
        assert!(err.to_string().contains("--metrics"), "{err}");
        check_distinct(
            &[("--resume", &a), ("--checkpoint", &same)],
            &[("--resume", "--checkpoint")],
        )
        .unwrap();
    }
}
