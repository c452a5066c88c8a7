//! Writing files so that a reader never sees half of one: write a temporary
//! file beside the target, flush it to disk, then rename it over the target
//! (a rename within one directory is atomic on POSIX file systems).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// The temporary files being written right now, to remove if the process
/// is interrupted before it renames them into place.
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn in_flight() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    IN_FLIGHT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// On SIGINT, SIGTERM or SIGHUP: remove the temporary files being written
/// and exit with 130. Every file finished before stays as it was (it was
/// renamed into place whole); nothing half-written is left behind.
pub fn remove_temporaries_on_interrupt() {
    // Without a handler (one already set), an interrupt ends the process
    // as it would anyway; only the clean-up is lost.
    let _ = ctrlc::set_handler(|| {
        for path in in_flight().iter() {
            let _ = std::fs::remove_file(path);
        }
        std::process::exit(130);
    });
}

/// Replace `path` with `bytes` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let write_err = |cause| Error::Write {
        path: path.to_path_buf(),
        cause,
    };
    let tmp = temporary_path(path);
    in_flight().push(tmp.clone());
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    in_flight().retain(|p| p != &tmp);
    result.map_err(write_err)
}

/// `dir/.name.tmp-PID-RANDOM`: hidden, in the same directory (so the rename
/// stays on one file system), and distinct per write: the random part keeps
/// apart two machines whose processes share a PID and a shared `dir`.
fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tag: u64 = rand::random();
    path.with_file_name(format!(".{name}.tmp-{}-{tag:016x}", std::process::id()))
}

/// Check, before any work, that `path` (given by `flag`) can take an output
/// file: it names a file, not a directory, in a directory that exists and
/// lets us create files. The check creates and removes a temporary file
/// there.
pub fn check_output_file(flag: &'static str, path: &Path) -> Result<()> {
    let bad = |message: String| Error::bad_flag(flag, format!("{}: {message}", path.display()));
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
    let probe = temporary_path(path);
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(bad(format!(
            "cannot create a file in {}: {e}",
            dir.display()
        ))),
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
pub fn check_distinct(files: &[(&'static str, &Path)], allowed: &[(&str, &str)]) -> Result<()> {
    for (i, &(flag_a, a)) in files.iter().enumerate() {
        for &(flag_b, b) in &files[i + 1..] {
            let may_share = allowed
                .iter()
                .any(|&(x, y)| (x, y) == (flag_a, flag_b) || (y, x) == (flag_a, flag_b));
            if !may_share && resolved(a) == resolved(b) {
                return Err(Error::bad_flag(
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

/// Where the commands print for the user (stdout). Printing never ends a
/// run: once stdout is closed (a broken pipe, e.g. `| head`) the lines are
/// dropped and the run goes on to write its files; any other write error
/// (a full disk behind `> file`) stops the printing too, and `finish`
/// reports it after the files are safe.
#[derive(Debug, Default)]
pub struct Console {
    /// Printing stopped: stdout is closed or failed.
    stopped: bool,
    failure: Option<std::io::Error>,
}

impl Console {
    /// A console printing to stdout.
    pub fn new() -> Console {
        Console::default()
    }

    /// Print one line (see `say!`).
    pub fn line(&mut self, text: std::fmt::Arguments) {
        if self.stopped {
            return;
        }
        let mut stdout = std::io::stdout().lock();
        if let Err(e) = writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
            self.stopped = true;
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                self.failure = Some(e);
            }
        }
    }

    /// The end of the output: an error if stdout failed other than by
    /// being closed.
    pub fn finish(self) -> Result<()> {
        match self.failure {
            Some(cause) => Err(Error::Write {
                path: PathBuf::from("standard output"),
                cause,
            }),
            None => Ok(()),
        }
    }
}

/// `say!(console, "format", args...)`: print a line on a [`Console`].
macro_rules! say {
    ($console:expr, $($arg:tt)*) => {
        $console.line(format_args!($($arg)*))
    };
}
pub(crate) use say;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_contents_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn unwritable_directory_is_an_error_naming_the_file() {
        let err = write_atomic(Path::new("/nonexistent-dir/x.json"), b"x").unwrap_err();
        assert!(err.to_string().contains("/nonexistent-dir/x.json"), "{err}");
    }

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
