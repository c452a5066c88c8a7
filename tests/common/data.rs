//! Data directories the end-to-end tests write: MNIST-named IDX files,
//! gzipped.

use std::io::Write;
use std::path::Path;
use std::process::Output;

use super::{decaylab, path_str as s};

pub fn gz(raw: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(raw).unwrap();
    encoder.finish().unwrap()
}

pub fn idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut raw = vec![0, 0, 8, dims.len() as u8];
    for d in dims {
        raw.extend_from_slice(&d.to_be_bytes());
    }
    raw.extend_from_slice(data);
    raw
}

/// A valid data directory: 10,050 training and 100 test images of 4x4.
pub fn write_data_dir(dir: &Path) {
    for (prefix, count) in [("train", 10_050u32), ("t10k", 100)] {
        let labels: Vec<u8> = (0..count).map(|i| (i % 10) as u8).collect();
        let images = vec![128u8; count as usize * 16];
        std::fs::write(
            dir.join(format!("{prefix}-images-idx3-ubyte.gz")),
            gz(&idx(&[count, 4, 4], &images)),
        )
        .unwrap();
        std::fs::write(
            dir.join(format!("{prefix}-labels-idx1-ubyte.gz")),
            gz(&idx(&[count], &labels)),
        )
        .unwrap();
    }
}

pub fn train_on(dir: &Path) -> Output {
    decaylab(&[
        "train",
        "--data",
        s(dir),
        "--sizes",
        "16,4,10",
        "--epochs",
        "1",
    ])
}
