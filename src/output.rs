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
    // A file replaced keeps its permission bits (a private 0600 file stays
    // private); a new one gets the umask's.
    let mode = std::fs::symlink_metadata(path)
        .ok()
        .filter(|meta| meta.is_file())
        .map(|meta| meta.permissions());
    let tmp = temporary_path(path);
    in_flight().push(tmp.clone());
    let result = (|| {
        let mut file = create_new(&tmp)?;
        if let Some(mode) = mode {
            file.set_permissions(mode)?;
        }
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

/// A file that grows line by line: started whole (as [`write_atomic`]
/// writes, so it never mixes with what was there), then kept open and
/// appended to. Each append costs its own bytes, not the file's, so a run's
/// writing is linear in its epochs.
///
/// Each line goes out in one `write_all`; a write that fails (a full disk)
/// is cut back off, so the file holds whole lines whatever happens but a
/// power loss, and a reader that stops at its last newline never sees half
/// a line.
pub struct Appender {
    path: PathBuf,
    file: std::fs::File,
    /// The file's length: where the next line starts.
    len: u64,
    /// Where the last line starts, to replace it.
    last_start: u64,
}

impl Appender {
    /// Replace `path` with `bytes` atomically and keep it open to append to.
    pub fn start(path: &Path, bytes: &[u8]) -> Result<Appender> {
        write_atomic(path, bytes)?;
        let file = open_existing_for_append(path).map_err(|cause| Error::Write {
            path: path.to_path_buf(),
            cause,
        })?;
        Ok(Appender {
            path: path.to_path_buf(),
            file,
            len: bytes.len() as u64,
            last_start: last_line_start(bytes) as u64,
        })
    }

    /// Append `bytes` (whole lines) in one write; on failure the file is cut
    /// back to what it held.
    pub fn append(&mut self, bytes: &[u8]) -> Result<()> {
        use std::io::Write;
        let written = self.file.write_all(bytes);
        if let Err(cause) = written {
            let _ = self.file.set_len(self.len);
            return Err(Error::Write {
                path: self.path.clone(),
                cause,
            });
        }
        self.last_start = self.len + last_line_start(bytes) as u64;
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// Replace the file's last line with `bytes`.
    pub fn replace_last(&mut self, bytes: &[u8]) -> Result<()> {
        let cut = self.file.set_len(self.last_start);
        if let Err(cause) = cut {
            return Err(Error::Write {
                path: self.path.clone(),
                cause,
            });
        }
        self.len = self.last_start;
        self.append(bytes)
    }

    /// Flush what was appended to the disk.
    pub fn sync(&self) -> Result<()> {
        self.file.sync_data().map_err(|cause| Error::Write {
            path: self.path.clone(),
            cause,
        })
    }
}

/// Where the last line of `bytes` (lines, each ended by a newline) starts.
fn last_line_start(bytes: &[u8]) -> usize {
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    body.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)
}

/// `path`, just written by this process, opened to append to: without
/// following a link put there since, and only if it is a regular file.
fn open_existing_for_append(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::File::options()
        .append(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other(
            "was replaced by something else than a regular file while written",
        ));
    }
    Ok(file)
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
    let probe = temporary_path(path);
    create_new(&probe)?;
    let _ = std::fs::remove_file(&probe);
    check_replaceable_file(path)
}

/// What [`check_writable`] checks of the file at `path` itself, without
/// creating anything: for more files of a directory already probed.
pub fn check_replaceable_file(path: &Path) -> std::io::Result<()> {
    refuse_non_regular(path)?;
    check_replaceable(path)
}

/// Linux's inode flags (`linux/fs.h`; the libc crate does not carry them):
/// a file that is immutable or append-only cannot be renamed over.
const FS_IMMUTABLE_FL: libc::c_long = 0x10;
const FS_APPEND_FL: libc::c_long = 0x20;

/// An error if a rename onto the existing regular file at `path` would be
/// refused although a new file can be created beside it: the file is
/// another user's in a sticky directory (such as /tmp), or it is immutable
/// or append-only (`chattr +i`, `+a`). Nothing there: nothing to refuse.
fn check_replaceable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    if !meta.is_file() {
        return Ok(());
    }
    let dir = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => dir,
        None => Path::new("."),
    };
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if let Ok(dir_meta) = std::fs::metadata(dir) {
        let sticky = dir_meta.mode() & 0o1000 != 0;
        if sticky && me != 0 && meta.uid() != me && dir_meta.uid() != me {
            return Err(std::io::Error::other(format!(
                "exists and belongs to user {} in a sticky directory, where only its owner can replace it; expected a file of yours or a new name",
                meta.uid()
            )));
        }
    }
    let Ok(file) = std::fs::File::options()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
    else {
        return Ok(());
    };
    let mut flags: libc::c_long = 0;
    // SAFETY: FS_IOC_GETFLAGS writes one long through the pointer, which
    // points at `flags`; the descriptor is open for as long as the call.
    let got = unsafe {
        libc::ioctl(
            std::os::fd::AsRawFd::as_raw_fd(&file),
            libc::FS_IOC_GETFLAGS,
            &mut flags,
        )
    };
    // A file system without inode flags has none to refuse.
    if got == 0 && flags & (FS_IMMUTABLE_FL | FS_APPEND_FL) != 0 {
        return Err(std::io::Error::other(
            "exists and is immutable or append-only (chattr), so it cannot be replaced; expected a file that can be",
        ));
    }
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
    fn a_replaced_file_keeps_its_permission_bits() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("private.json");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        for private in [0o600, 0o640, 0o400] {
            std::fs::write(&path, b"old").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(private)).unwrap();
            write_atomic(&path, b"new").unwrap();
            assert_eq!(mode(&path), private);
            assert_eq!(std::fs::read(&path).unwrap(), b"new");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
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
    fn an_appended_file_grows_by_whole_lines_and_its_last_can_be_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.jsonl");
        std::fs::write(&path, b"old contents\n").unwrap();
        let mut log = Appender::start(&path, b"a\nb\n").unwrap();
        log.replace_last(b"b amended\n").unwrap();
        log.append(b"1\n").unwrap();
        log.append(b"2\n3\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"a\nb amended\n1\n2\n3\n");
        log.replace_last(b"3 amended\n").unwrap();
        log.append(b"4\n").unwrap();
        log.sync().unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"a\nb amended\n1\n2\n3 amended\n4\n"
        );
    }

    #[test]
    fn unwritable_directory_is_an_error_naming_the_file() {
        let err = write_atomic(Path::new("/nonexistent-dir/x.json"), b"x").unwrap_err();
        assert!(err.to_string().contains("/nonexistent-dir/x.json"), "{err}");
    }
}
