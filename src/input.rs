//! Reading input files whole, bounded: what is not a regular file (a
//! device such as /dev/zero, a FIFO) or is larger than its reader could
//! ever need is refused before a byte is read, instead of being read until
//! memory runs out.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// The machine's memory in bytes (MemTotal of /proc/meminfo), if known.
pub fn machine_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// The largest file read whole where nothing smaller bounds it (a network,
/// a checkpoint, data, a run's records): half the machine's memory, since
/// what is read is then parsed into at least as much again.
pub fn whole_file_limit() -> u64 {
    // Read once: a study reads hundreds of files.
    static LIMIT: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(|| machine_memory().map_or(u64::MAX, |bytes| bytes / 2))
}

/// The bytes of the regular file at `path` (a link is followed), `what` it
/// holds named in the error; refused unread if it is not a regular file
/// or holds more than `limit` bytes.
pub fn read_bounded(path: &Path, what: &str, limit: u64) -> Result<Vec<u8>> {
    let bad = |message: String| Error::bad_file(path, message);
    let cannot = |e: std::io::Error| bad(format!("cannot read: {e}"));
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        return Err(bad(format!(
            "is not a regular file (a directory, a device, a FIFO or a socket); expected {what}"
        )));
    }
    if meta.len() > limit {
        return Err(bad(format!(
            "is {} bytes; expected {what}, at most {limit} bytes",
            meta.len()
        )));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // A file that grows while it is read is cut at the limit, and refused.
    let file = std::fs::File::open(path).map_err(cannot)?;
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > limit {
        return Err(bad(format!(
            "grew past {limit} bytes while read; expected {what}"
        )));
    }
    Ok(bytes)
}

/// [`read_bounded`] as text: refused if it is not UTF-8.
pub fn read_text_bounded(path: &Path, what: &str, limit: u64) -> Result<String> {
    let bytes = read_bounded(path, what, limit)?;
    String::from_utf8(bytes)
        .map_err(|e| Error::bad_file(path, format!("not UTF-8 text ({e}); expected {what}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_fifos_and_files_over_the_limit_are_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("net.json");
        std::fs::write(&file, b"0123456789").unwrap();
        assert_eq!(read_bounded(&file, "a network", 10).unwrap(), b"0123456789");
        let err = read_bounded(&file, "a network", 9).unwrap_err().to_string();
        assert!(
            err.contains("10 bytes") && err.contains("at most 9"),
            "{err}"
        );
        for path in [Path::new("/dev/zero"), dir.path()] {
            let err = read_bounded(path, "a network", u64::MAX)
                .unwrap_err()
                .to_string();
            assert!(err.contains("not a regular file"), "{err}");
        }
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        let err = read_bounded(&fifo, "a network", u64::MAX)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a regular file"), "{err}");
        std::fs::write(&file, [0xff, 0xfe]).unwrap();
        let err = read_text_bounded(&file, "a network", 10)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not UTF-8"), "{err}");
    }
}
