//! IDX files of unsigned bytes (the MNIST format), any number of dimensions.
//!
//! Layout: two zero bytes, a type code (0x08 = unsigned byte), the number of
//! dimensions d, then d big-endian u32 sizes, then the payload in row-major
//! order. Files may be gzip-compressed (recognised by their magic 1f 8b).

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// An IDX array of unsigned bytes: its dimensions and its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxArray {
    /// The sizes of its dimensions, outermost first (count, rows, columns).
    pub dims: Vec<usize>,
    /// The bytes, row-major.
    pub data: Vec<u8>,
}

const TYPE_UNSIGNED_BYTE: u8 = 0x08;

/// The first two bytes of every gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The largest IDX file decaylab reads: 1 GiB (MNIST's largest is 47 MB).
pub const MAX_IDX_BYTES: usize = 1 << 30;

/// Decompress `bytes` if they are a gzip stream; return them unchanged otherwise.
/// `path` names the source in error messages.
///
/// The stream is read header first: the dimensions it declares fix how
/// many bytes may follow, and a header that declares more than
/// `MAX_IDX_BYTES` is refused before its payload is decompressed (a small
/// file that would unpack to gigabytes). One byte more than declared is
/// read, so that `parse` reports trailing data.
pub fn gunzip_if_needed(bytes: Vec<u8>, path: &Path) -> Result<Vec<u8>> {
    if !bytes.starts_with(&GZIP_MAGIC) {
        return Ok(bytes);
    }
    let corrupt = |e: std::io::Error| {
        Error::bad_file(
            path,
            format!("corrupt or truncated gzip data ({e}); expected a complete gzip stream"),
        )
    };
    let mut decoder = flate2::read::GzDecoder::new(bytes.as_slice());
    let mut out = Vec::new();
    // The 4-byte magic, then 4 bytes per dimension (fewer if the stream is
    // shorter: `parse` names what is missing).
    (&mut decoder)
        .take(4)
        .read_to_end(&mut out)
        .map_err(corrupt)?;
    if out.len() < 4 || out[0] != 0 || out[1] != 0 {
        return Ok(out);
    }
    let rank = out[3] as u64;
    (&mut decoder)
        .take(4 * rank)
        .read_to_end(&mut out)
        .map_err(corrupt)?;
    let payload = out[4..]
        .chunks_exact(4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .try_fold(1usize, |acc, d| acc.checked_mul(d))
        .filter(|&p| p <= MAX_IDX_BYTES - out.len());
    let Some(payload) = payload else {
        return Err(Error::bad_file(
            path,
            format!(
                "the header declares more than {} bytes of data; expected at most {MAX_IDX_BYTES}",
                MAX_IDX_BYTES
            ),
        ));
    };
    (&mut decoder)
        .take(payload as u64 + 1)
        .read_to_end(&mut out)
        .map_err(corrupt)?;
    Ok(out)
}

/// Parse an uncompressed IDX file. `path` names the source in error messages.
pub fn parse(bytes: &[u8], path: &Path) -> Result<IdxArray> {
    let bad = |message: String| Error::bad_file(path, message);
    if bytes.len() < 4 {
        return Err(bad(format!(
            "file is {} bytes long; an IDX file has a 4-byte header at least",
            bytes.len()
        )));
    }
    if bytes[0] != 0 || bytes[1] != 0 {
        return Err(bad(format!(
            "magic number starts with {:#04x} {:#04x}; an IDX file starts with two zero bytes",
            bytes[0], bytes[1]
        )));
    }
    if bytes[2] != TYPE_UNSIGNED_BYTE {
        return Err(bad(format!(
            "IDX type code is {:#04x}; expected 0x08 (unsigned byte)",
            bytes[2]
        )));
    }
    let rank = bytes[3] as usize;
    let header_len = 4 + 4 * rank;
    if bytes.len() < header_len {
        return Err(bad(format!(
            "header declares {rank} dimensions ({header_len} bytes) but the file is {} bytes long",
            bytes.len()
        )));
    }
    let dims: Vec<usize> = bytes[4..header_len]
        .chunks_exact(4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .collect();
    let expected = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| bad(format!("dimensions {dims:?} overflow")))?;
    let payload = &bytes[header_len..];
    if payload.len() != expected {
        return Err(bad(format!(
            "dimensions {dims:?} need {expected} bytes of data but the file holds {}",
            payload.len()
        )));
    }
    Ok(IdxArray {
        dims,
        data: payload.to_vec(),
    })
}

/// Encode an array as an (uncompressed) IDX file: the inverse of [`parse`].
pub fn encode(array: &IdxArray) -> Vec<u8> {
    let mut out = vec![0, 0, TYPE_UNSIGNED_BYTE, array.dims.len() as u8];
    for &d in &array.dims {
        out.extend_from_slice(&(d as u32).to_be_bytes());
    }
    out.extend_from_slice(&array.data);
    out
}

/// Read an IDX file from disk, gzip-compressed or raw.
pub fn read(path: &Path) -> Result<IdxArray> {
    let limit = crate::input::whole_file_limit();
    let bytes = crate::input::read_bounded(path, "an IDX file", limit)?;
    let raw = gunzip_if_needed(bytes, path)?;
    parse(&raw, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn here() -> &'static Path {
        Path::new("test.idx")
    }

    #[test]
    fn parses_a_three_dimensional_file() {
        let array = IdxArray {
            dims: vec![2, 3, 2],
            data: (0..12).collect(),
        };
        let parsed = parse(&encode(&array), here()).unwrap();
        assert_eq!(parsed, array);
    }

    #[test]
    fn parses_labels_and_gzip() {
        use std::io::Write;
        let array = IdxArray {
            dims: vec![5],
            data: vec![7, 2, 1, 0, 4],
        };
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&encode(&array)).unwrap();
        let raw = gunzip_if_needed(gz.finish().unwrap(), here()).unwrap();
        assert_eq!(parse(&raw, here()).unwrap(), array);
    }

    #[test]
    fn rejects_wrong_magic_type_and_length() {
        let good = encode(&IdxArray {
            dims: vec![2, 2],
            data: vec![1, 2, 3, 4],
        });
        let mut magic = good.clone();
        magic[0] = 1;
        assert!(
            parse(&magic, here())
                .unwrap_err()
                .to_string()
                .contains("two zero bytes")
        );
        let mut kind = good.clone();
        kind[2] = 0x0D; // float
        assert!(
            parse(&kind, here())
                .unwrap_err()
                .to_string()
                .contains("0x08")
        );
        let short = &good[..good.len() - 1];
        let message = parse(short, here()).unwrap_err().to_string();
        assert!(
            message.contains("need 4 bytes") && message.contains("holds 3"),
            "{message}"
        );
        assert!(parse(&good[..5], here()).is_err());
    }

    #[test]
    fn rejects_truncated_gzip() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&[0u8; 1000]).unwrap();
        let mut bytes = gz.finish().unwrap();
        bytes.truncate(bytes.len() / 2);
        let message = gunzip_if_needed(bytes, here()).unwrap_err().to_string();
        assert!(message.contains("gzip"), "{message}");
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse(&bytes, here());
            let _ = gunzip_if_needed(bytes, here());
        }
    }

    #[test]
    fn a_gzip_bomb_is_refused_from_its_header() {
        // A header declaring 60,000 x 100,000 x 1,000 bytes, then little data.
        let mut raw = vec![0, 0, TYPE_UNSIGNED_BYTE, 3];
        for d in [60_000u32, 100_000, 1_000] {
            raw.extend(d.to_be_bytes());
        }
        raw.extend([0u8; 1000]);
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut encoder, &raw).unwrap();
        let gz = encoder.finish().unwrap();
        let err = gunzip_if_needed(gz, here()).unwrap_err();
        assert!(err.to_string().contains("declares more than"), "{err}");
        // A gzip stream with more data than its header declares keeps one
        // byte too many, which parse reports.
        let mut raw = encode(&IdxArray {
            dims: vec![2],
            data: vec![1, 2],
        });
        raw.extend([9, 9, 9]);
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut encoder, &raw).unwrap();
        let out = gunzip_if_needed(encoder.finish().unwrap(), here()).unwrap();
        assert_eq!(out.len(), 4 + 4 + 2 + 1);
        assert!(parse(&out, here()).is_err());
    }
}
