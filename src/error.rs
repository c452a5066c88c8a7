//! Errors, typed where they start, turned into a message and an exit code in
//! one place (`main.rs`).
//!
//! Exit codes: 0 success, 2 bad usage or bad input, 1 any
//! other failure. Every variant here is a problem with what the user gave us
//! (a file, a flag, hyperparameters that diverge, an output path), so all of
//! them map to 2; a failure that is not the user's is an `anyhow` error in
//! `main.rs` and maps to 1.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input file is unreadable, malformed or inconsistent.
    #[error("{path}: {message}")]
    BadFile { path: PathBuf, message: String },

    /// A command-line flag has a value that cannot work.
    #[error("{flag}: {message}")]
    BadFlag { flag: &'static str, message: String },

    /// A weight, an activation or the cost became NaN or infinite.
    #[error(
        "training diverged in epoch {epoch}: {what} became {value}; \
         try a smaller --eta (it was {eta})"
    )]
    Diverged {
        epoch: usize,
        what: String,
        value: f64,
        eta: f64,
    },

    /// An output could not be written.
    #[error("{path}: cannot write: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Error {
    pub fn bad_file(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::BadFile {
            path: path.into(),
            message: message.into(),
        }
    }

    pub fn bad_flag(flag: &'static str, message: impl Into<String>) -> Self {
        Error::BadFlag {
            flag,
            message: message.into(),
        }
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        2
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
