//! Errors, typed where they start, turned into a message and an exit code in
//! one place (`main.rs`).
//!
//! Exit codes: 0 success, 2 bad usage or bad input, 1 any other failure.
//! Every variant but `Differs` and `Internal` is a problem with what the
//! user gave us (a file, a flag, hyperparameters that diverge, an output
//! path) and maps to 2; `Differs`, `Internal` (and any error that is not an
//! `Error`) map to 1.

use std::path::PathBuf;

/// Everything that can stop a command, each naming what went wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input file is unreadable, malformed or inconsistent.
    #[error("{path}: {message}")]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What was found in it and what was expected.
        message: String,
    },

    /// A command-line flag has a value that cannot work.
    #[error("{flag}: {message}")]
    BadFlag {
        /// The flag, as typed (`--eta`).
        flag: &'static str,
        /// The value found and what was expected.
        message: String,
    },

    /// A weight, an activation or the cost became NaN or infinite.
    #[error(
        "training diverged in epoch {epoch}: {what} became {value}; \
         try a smaller --eta (it was {eta})"
    )]
    Diverged {
        /// The epoch (from 1) in which it happened.
        epoch: usize,
        /// What became non-finite: a layer's weights, the cost, ...
        what: String,
        /// The value it became (NaN or an infinity).
        value: f64,
        /// The learning rate of the run.
        eta: f64,
    },

    /// An output could not be written. (`cause` is part of the message and
    /// deliberately not the error's `source`, so that it is printed once.)
    #[error("{path}: cannot write: {cause}")]
    Write {
        /// The output.
        path: PathBuf,
        /// Why the system refused.
        cause: std::io::Error,
    },

    /// Results that should reproduce published ones do not (`book`).
    #[error("{0}")]
    Differs(String),

    /// Something that is not the user's doing failed (the threads could not
    /// start, ...).
    #[error("{0}")]
    Internal(String),
}

impl Error {
    /// [`Error::BadFile`] of `path`, saying `message`.
    pub fn bad_file(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::BadFile {
            path: path.into(),
            message: message.into(),
        }
    }

    /// [`Error::BadFlag`] of `flag`, saying `message`.
    pub fn bad_flag(flag: &'static str, message: impl Into<String>) -> Self {
        Error::BadFlag {
            flag,
            message: message.into(),
        }
    }

    /// The process exit code for this error: 2 for what the user can fix,
    /// 1 for the rest.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Internal(_) | Error::Differs(_) => 1,
            Error::BadFile { .. }
            | Error::BadFlag { .. }
            | Error::Diverged { .. }
            | Error::Write { .. } => 2,
        }
    }
}

/// A result whose error is an [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_user_can_fix_exits_2_the_rest_1() {
        assert_eq!(Error::bad_flag("--eta", "x").exit_code(), 2);
        assert_eq!(Error::bad_file("f", "x").exit_code(), 2);
        assert_eq!(Error::Internal("threads".into()).exit_code(), 1);
        assert_eq!(Error::Differs("a list".into()).exit_code(), 1);
    }

    #[test]
    fn a_write_error_states_its_cause_once() {
        let error = Error::Write {
            path: "out".into(),
            cause: std::io::Error::from(std::io::ErrorKind::IsADirectory),
        };
        let text = format!("{:#}", anyhow::Error::from(error));
        assert_eq!(text, "out: cannot write: is a directory");
    }
}
