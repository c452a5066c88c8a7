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

/// Replace `path` with `bytes` atomically. A symbolic link at `path` is
/// replaced, not written through; a path that is something else than a
/// file (a device, a FIFO, a socket, a directory) is refused.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let write_err = |cause| Error::Write {
        path: path.to_path_buf(),
        cause,
    };
    refuse_non_regular(path).map_err(write_err)?;
    let tmp = temporary_path(path);
    in_flight().push(tmp.clone());
    let result = (|| {
        let mut file = create_new(&tmp)?;
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

/// The longest file name the file systems decaylab writes to take, in
/// bytes (NAME_MAX of Linux's).
const NAME_MAX: usize = 255;
/// What marks a temporary file's name: `.NAME` + this + `PID-RANDOM`.
const TEMPORARY_MARK: &str = ".tmp-";

/// `dir/.name.tmp-PID-RANDOM`: hidden, in the same directory (so the rename
/// stays on one file system), and distinct per write: the random part keeps
/// apart two machines whose processes share a PID and a shared `dir`. The
/// name is cut short where the whole would be longer than a file name can
/// be, so that any name that fits can be written.
fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tag: u64 = rand::random();
    let suffix = format!("{TEMPORARY_MARK}{}-{tag:016x}", std::process::id());
    let mut keep = NAME_MAX.saturating_sub(1 + suffix.len()).min(name.len());
    while !name.is_char_boundary(keep) {
        keep -= 1;
    }
    path.with_file_name(format!(".{}{suffix}", &name[..keep]))
}

/// A temporary file left by a process that died before renaming it is
/// removed once it is this old and its process is gone from this machine.
/// (The age keeps a file being written by another machine of a cluster,
/// whose process this one cannot see, for the seconds a write takes.)
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(600);

/// The process id in a temporary file's name, if it is one.
fn temporary_pid(name: &str) -> Option<u32> {
    let (_, tail) = name.strip_prefix('.')?.rsplit_once(TEMPORARY_MARK)?;
    let (pid, tag) = tail.split_once('-')?;
    (tag.len() == 16 && tag.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| pid.parse().ok())
        .flatten()
}

/// Remove the temporary files in `dir` that processes which no longer run
/// left behind (killed while writing). Best effort: what cannot be read or
/// removed is left.
pub fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = temporary_pid(&name.to_string_lossy()) else {
            continue;
        };
        let alive = Path::new("/proc").join(pid.to_string()).exists();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age >= STALE_AFTER);
        if !alive && old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A new file at `path`, never an existing one: with O_EXCL, which does
/// not follow a symbolic link either.
fn create_new(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::options()
        .write(true)
        .create_new(true)
        .open(path)
}

/// An error if `path` exists and is neither a regular file nor a symbolic
/// link (which a rename replaces): outputs replace files, never devices,
/// FIFOs or sockets.
fn refuse_non_regular(path: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if !meta.is_file() && !meta.file_type().is_symlink() => {
            Err(std::io::Error::other(
                "exists and is not a regular file (a device, a FIFO, a socket or a directory); expected a file to replace",
            ))
        }
        _ => Ok(()),
    }
}

/// Create and remove the temporary file that writing `path` would start
/// with, and check what is at `path` can be replaced: whether
/// [`write_atomic`] can write there, found before any work.
pub fn check_writable(path: &Path) -> std::io::Result<()> {
    refuse_non_regular(path)?;
    let probe = temporary_path(path);
    create_new(&probe)?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Open (or create) the lock file at `path` for reading and writing,
/// without following a symbolic link (O_NOFOLLOW: a link planted there
/// would otherwise have its target created or overwritten), and only if
/// it is a regular file.
pub fn open_lock(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        // O_NONBLOCK: a FIFO put there must not hang the open.
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) {
                std::io::Error::other(
                    "is a symbolic link; expected the regular lock file decaylab creates (remove the link)",
                )
            } else {
                e
            }
        })?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other(
            "is not a regular file; expected the lock file decaylab creates",
        ));
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::FileTypeExt;

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
    fn a_link_is_replaced_not_written_through_and_a_fifo_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let precious = dir.path().join("precious.txt");
        std::fs::write(&precious, b"keep").unwrap();
        let link = dir.path().join("out.json");
        std::os::unix::fs::symlink(&precious, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert_eq!(std::fs::read(&precious).unwrap(), b"keep");
        assert!(std::fs::symlink_metadata(&link).unwrap().is_file());
        // A FIFO (or a device) is refused, before and at the write.
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        assert!(check_writable(&fifo).is_err());
        let err = write_atomic(&fifo, b"x").unwrap_err().to_string();
        assert!(err.contains("not a regular file"), "{err}");
        assert!(
            std::fs::symlink_metadata(&fifo)
                .unwrap()
                .file_type()
                .is_fifo()
        );
    }

    #[test]
    fn a_lock_is_never_opened_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let precious = dir.path().join("precious.txt");
        std::fs::write(&precious, b"keep").unwrap();
        let lock = dir.path().join("run.lock");
        std::os::unix::fs::symlink(&precious, &lock).unwrap();
        let err = open_lock(&lock).unwrap_err().to_string();
        assert!(err.contains("symbolic link"), "{err}");
        // A dangling link does not create its target.
        let dangling = dir.path().join("other.lock");
        let target = dir.path().join("created-through-the-link");
        std::os::unix::fs::symlink(&target, &dangling).unwrap();
        assert!(open_lock(&dangling).is_err());
        assert!(!target.exists());
        assert_eq!(std::fs::read(&precious).unwrap(), b"keep");
        // A regular lock file opens, and is created where none is.
        let fresh = dir.path().join("fresh.lock");
        open_lock(&fresh).unwrap();
        open_lock(&fresh).unwrap();
    }

    #[test]
    fn a_name_as_long_as_a_name_can_be_saves() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x".repeat(NAME_MAX - 5) + ".json");
        write_atomic(&path, b"long").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"long");
        // Multi-byte names are cut between characters.
        let name = "é".repeat(127);
        assert!(name.len() <= NAME_MAX);
        write_atomic(&dir.path().join(&name), b"e").unwrap();
    }

    #[test]
    fn stale_temporaries_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let long_ago = std::time::SystemTime::now() - 2 * STALE_AFTER;
        // A PID above Linux's largest (2^22) never runs.
        let dead = format!(".plot.svg{TEMPORARY_MARK}4194999-{:016x}", 7);
        let alive = format!(".plot.svg{TEMPORARY_MARK}{}-{:016x}", std::process::id(), 8);
        let fresh = format!(".runs.csv{TEMPORARY_MARK}4194999-{:016x}", 9);
        for (name, old) in [
            (&dead, true),
            (&alive, true),
            (&fresh, false),
            (&"keep.svg".to_string(), true),
        ] {
            let file = std::fs::File::create(dir.path().join(name)).unwrap();
            if old {
                file.set_modified(long_ago).unwrap();
            }
        }
        remove_stale_temporaries(dir.path());
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let mut expected = vec![alive, fresh, "keep.svg".to_string()];
        expected.sort();
        assert_eq!(left, expected);
        assert_eq!(temporary_pid(&dead), Some(4194999));
        assert_eq!(temporary_pid("keep.svg"), None);
        assert_eq!(temporary_pid(".a.tmp-12-short"), None);
    }

    #[test]
    fn unwritable_directory_is_an_error_naming_the_file() {
        let err = write_atomic(Path::new("/nonexistent-dir/x.json"), b"x").unwrap_err();
        assert!(err.to_string().contains("/nonexistent-dir/x.json"), "{err}");
    }
}
