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

/// Create and remove the temporary file that writing `path` would start
/// with: whether [`write_atomic`] can write there, found before any work.
pub fn check_writable(path: &Path) -> std::io::Result<()> {
    let probe = temporary_path(path);
    std::fs::File::create(&probe)?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

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
}
