//! MNIST: the four IDX files, bundled in the binary or read from a directory,
//! checked, and split as "Neural Networks and Deep Learning" splits them:
//! training = the first 50,000 images of the train file, validation = its
//! last 10,000, test = the t10k file.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Dataset;
use super::idx::{self, IdxArray};
use crate::error::{Error, Result, Setting};

/// Where the images come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DataSource {
    /// The MNIST files compiled into the binary (see `data/mnist/README.md`).
    Bundled,
    /// A directory holding IDX files with the standard MNIST names, gzip or
    /// raw (Fashion-MNIST uses the same names and format).
    Directory(PathBuf),
}

/// The standard file names, without the optional `.gz`.
const TRAIN_IMAGES: &str = "train-images-idx3-ubyte";
const TRAIN_LABELS: &str = "train-labels-idx1-ubyte";
const TEST_IMAGES: &str = "t10k-images-idx3-ubyte";
const TEST_LABELS: &str = "t10k-labels-idx1-ubyte";

/// Size of the validation set cut from the end of the train file.
pub const VALIDATION_SIZE: usize = 10_000;
/// n of the bundled MNIST: the train file's 60,000 images less the
/// validation set.
pub const TRAINING_SIZE: usize = 50_000;
/// Pixels that are 0 in every one of the training images: weights from
/// them get no gradient and only decay (see `probes::LiveInputs`).
pub const BLANK_PIXELS: usize = 67;

/// The bundled files, gzip-compressed, with the SHA-256 of their contents.
const BUNDLED: [(&str, &[u8]); 4] = [
    (
        TRAIN_IMAGES,
        include_bytes!("../../data/mnist/train-images-idx3-ubyte.gz"),
    ),
    (
        TRAIN_LABELS,
        include_bytes!("../../data/mnist/train-labels-idx1-ubyte.gz"),
    ),
    (
        TEST_IMAGES,
        include_bytes!("../../data/mnist/t10k-images-idx3-ubyte.gz"),
    ),
    (
        TEST_LABELS,
        include_bytes!("../../data/mnist/t10k-labels-idx1-ubyte.gz"),
    ),
];
const BUNDLED_SHA256SUMS: &str = include_str!("../../data/mnist/SHA256SUMS");

/// Nielsen's three sets.
#[derive(Debug, Clone)]
pub struct Mnist {
    /// The first 50,000 of MNIST's training images.
    pub training: Dataset,
    /// Its last 10,000 training images.
    pub validation: Dataset,
    /// Its 10,000 test images.
    pub test: Dataset,
    /// Of a directory's files: the SHA-256 of their contents (the four
    /// arrays' dimensions and bytes, decompressed, in the order train
    /// images, train labels, test images, test labels), which tells a run
    /// whether the files it resumes on are those it started on. None for
    /// the bundled files, which the binary fixes.
    pub sha256: Option<String>,
}

impl Mnist {
    /// The sets from the bundled files or from a directory of IDX files.
    pub fn load(source: &DataSource) -> Result<Mnist> {
        match source {
            DataSource::Bundled => Mnist::bundled(),
            DataSource::Directory(dir) => Mnist::from_dir(dir),
        }
    }

    /// The MNIST files bundled in the binary, each checked against its SHA-256.
    pub fn bundled() -> Result<Mnist> {
        let [train_images, train_labels, test_images, test_labels] = BUNDLED.map(|(name, gz)| {
            let path = PathBuf::from(format!("<bundled>/{name}.gz"));
            let raw = idx::gunzip_if_needed(gz.to_vec(), &path)?;
            verify_sha256(&raw, name, &path)?;
            Ok((idx::parse(&raw, &path)?, path))
        });
        Mnist::from_files(train_images?, train_labels?, test_images?, test_labels?)
    }

    /// IDX files with the standard names in `dir`, each either gzip
    /// (`NAME.gz`) or raw (`NAME`).
    pub fn from_dir(dir: &Path) -> Result<Mnist> {
        if let Err(e) = std::fs::read_dir(dir) {
            return Err(Error::bad_setting(
                Setting::Data,
                format!(
                    "{}: cannot read the directory ({e}); expected a directory holding the four MNIST-named IDX files",
                    dir.display()
                ),
            ));
        }
        let read = |name: &str| -> Result<(IdxArray, PathBuf)> {
            let gz = dir.join(format!("{name}.gz"));
            let raw = dir.join(name);
            let path = if gz.exists() { gz } else { raw };
            if !path.exists() {
                return Err(Error::bad_file(
                    dir,
                    format!(
                        "missing {name}.gz (or {name}); expected the four MNIST-named IDX files"
                    ),
                ));
            }
            Ok((idx::read(&path)?, path))
        };
        let files = [
            read(TRAIN_IMAGES)?,
            read(TRAIN_LABELS)?,
            read(TEST_IMAGES)?,
            read(TEST_LABELS)?,
        ];
        let mut hasher = Sha256::new();
        for (array, _) in &files {
            for dim in &array.dims {
                hasher.update((*dim as u64).to_le_bytes());
            }
            hasher.update(&array.data);
        }
        let sha256 = hex(&hasher.finalize());
        let [train_images, train_labels, test_images, test_labels] = files;
        let mnist = Mnist::from_files(train_images, train_labels, test_images, test_labels)?;
        Ok(Mnist {
            sha256: Some(sha256),
            ..mnist
        })
    }

    fn from_files(
        train_images: (IdxArray, PathBuf),
        train_labels: (IdxArray, PathBuf),
        test_images: (IdxArray, PathBuf),
        test_labels: (IdxArray, PathBuf),
    ) -> Result<Mnist> {
        let test_path = test_images.1.clone();
        let train_path = train_images.1.clone();
        let train = labelled_images(train_images, train_labels)?;
        let test = labelled_images(test_images, test_labels)?;
        if test.shape() != train.shape() {
            let ((tw, th), (w, h)) = (test.shape(), train.shape());
            return Err(Error::bad_file(
                &test_path,
                format!(
                    "images of {th} rows and {tw} columns; expected those of {}: {h} rows and {w} columns",
                    train_path.display()
                ),
            ));
        }
        if train.len() <= VALIDATION_SIZE {
            return Err(Error::bad_setting(
                Setting::Data,
                format!(
                    "the train file holds {} images; the split needs more than {VALIDATION_SIZE} \
                     (training = all but the last {VALIDATION_SIZE}, validation = the last {VALIDATION_SIZE})",
                    train.len()
                ),
            ));
        }
        let cut = train.len() - VALIDATION_SIZE;
        Ok(Mnist {
            training: train.slice(0..cut),
            validation: train.slice(cut..train.len()),
            test,
            sha256: None,
        })
    }

    /// The same three sets, average-pooled (see [`Dataset::pooled`]).
    pub fn pooled(&self, pool: usize) -> Mnist {
        Mnist {
            training: self.training.pooled(pool),
            validation: self.validation.pooled(pool),
            test: self.test.pooled(pool),
            sha256: self.sha256.clone(),
        }
    }
}

/// Check a decompressed bundled file against `data/mnist/SHA256SUMS`.
fn verify_sha256(raw: &[u8], name: &str, path: &Path) -> Result<()> {
    let expected = BUNDLED_SHA256SUMS
        .lines()
        .filter_map(|line| line.split_once("  "))
        .find(|(_, file)| *file == name)
        .map(|(sum, _)| sum)
        .ok_or_else(|| Error::bad_file(path, "no checksum listed in SHA256SUMS"))?;
    let found = hex(&Sha256::digest(raw));
    if found != expected {
        return Err(Error::bad_file(
            path,
            format!("SHA-256 of the decompressed file is {found}; expected {expected}"),
        ));
    }
    Ok(())
}

/// Bytes as lower-case hexadecimal.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Pair an images file (n x rows x cols) with a labels file (n, values 0-9).
fn labelled_images(
    (images, images_path): (IdxArray, PathBuf),
    (labels, labels_path): (IdxArray, PathBuf),
) -> Result<Dataset> {
    let &[count, height, width] = images.dims.as_slice() else {
        return Err(Error::bad_file(
            &images_path,
            format!(
                "dimensions {:?}; an images file has 3 (count, rows, columns)",
                images.dims
            ),
        ));
    };
    if height == 0 || width == 0 {
        return Err(Error::bad_file(
            &images_path,
            format!("images of {height} rows and {width} columns; expected at least 1x1"),
        ));
    }
    if labels.dims.len() != 1 {
        return Err(Error::bad_file(
            &labels_path,
            format!("dimensions {:?}; a labels file has 1 (count)", labels.dims),
        ));
    }
    if labels.dims[0] != count {
        return Err(Error::bad_file(
            &labels_path,
            format!(
                "holds {} labels but {} holds {count} images; expected one label per image",
                labels.dims[0],
                images_path.display()
            ),
        ));
    }
    if let Some(i) = labels.data.iter().position(|&l| l > 9) {
        return Err(Error::bad_file(
            &labels_path,
            format!(
                "label {} at index {i}; expected a digit 0-9",
                labels.data[i]
            ),
        ));
    }
    Ok(Dataset::from_bytes(width, height, images.data, labels.data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_mnist_has_nielsens_split() {
        let mnist = Mnist::bundled().unwrap();
        assert_eq!(mnist.training.len(), TRAINING_SIZE);
        assert_eq!(mnist.validation.len(), 10_000);
        assert_eq!(mnist.test.len(), 10_000);
        assert_eq!(mnist.training.inputs(), 784);
        // Label counts of the test file, from data/mnist/README.md.
        let mut counts = [0usize; 10];
        for &l in mnist.test.labels() {
            counts[l as usize] += 1;
        }
        assert_eq!(
            counts,
            [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
        );
        // The first training label of MNIST is a 5, the last validation label an 8.
        assert_eq!(mnist.training.labels()[0], 5);
        assert_eq!(*mnist.validation.labels().last().unwrap(), 8);
        // The always-blank pixels; pooled 2x2, 8 of 196 squares are blank.
        let live = |set: &crate::data::Dataset| {
            let every: Vec<usize> = (0..set.len()).collect();
            set.nonzero_inputs(&every, &mut vec![0; set.inputs()])
        };
        assert_eq!(784 - live(&mnist.training), BLANK_PIXELS);
        assert_eq!(196 - live(&mnist.training.pooled(2)), 8);
    }

    #[test]
    fn checksum_mismatch_is_reported() {
        let err = verify_sha256(b"not mnist", TEST_LABELS, Path::new("x")).unwrap_err();
        assert!(err.to_string().contains("expected ff7bcfd4"), "{err}");
    }
}
