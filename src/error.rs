//! Errors, typed where they start. The library names what went wrong in
//! its own terms (a file, a setting of the run, a divergence); the command
//! line turns an error into a message naming its flags and an exit code.
//!
//! Every variant but `Differs` and `Internal` is a problem with what the
//! caller gave (a file, a setting, hyperparameters that diverge, an output
//! path): [`Error::is_bad_input`].

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

    /// A setting of the run has a value that cannot work.
    #[error("{setting}: {message}")]
    BadSetting {
        /// The setting refused.
        setting: Setting,
        /// The value found and what was expected.
        message: String,
    },

    /// A weight, an activation or the cost became NaN or infinite.
    #[error("{0}; try a smaller learning rate eta (it was {eta})", eta = .0.eta)]
    Diverged(Divergence),

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

/// The settings of a run that its checks refuse by name (see
/// `run::Config`); each prints as the words the library uses for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// The layer sizes [n_0, ..., n_L].
    Sizes,
    /// The learning rate eta.
    Eta,
    /// The regularization parameter lambda.
    Lambda,
    /// The mini-batch size m.
    Batch,
    /// The number of epochs.
    Epochs,
    /// The number n of training examples.
    TrainSize,
    /// The bins of the weight histograms.
    HistogramBins,
    /// Stopping once every layer has settled.
    StopWhenSettled,
    /// The side of the pooling squares.
    Pool,
    /// The factor c of x -> c x.
    InputScale,
    /// The set scored every epoch.
    Eval,
    /// The directory of IDX files the images come from.
    Data,
    /// The update rule.
    Optimizer,
    /// Momentum's coefficient mu.
    Momentum,
    /// The decoupled weight decay D.
    WeightDecay,
    /// Adam's beta1.
    Beta1,
    /// Adam's beta2.
    Beta2,
    /// Adam's eps.
    AdamEps,
    /// The penalty taken through the gradient (L2 or L1).
    Regularization,
    /// The epochs without improvement before early stopping.
    EarlyStop,
}

impl std::fmt::Display for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Setting::Sizes => "layer sizes",
            Setting::Eta => "learning rate eta",
            Setting::Lambda => "regularization parameter lambda",
            Setting::Batch => "mini-batch size m",
            Setting::Epochs => "epochs",
            Setting::TrainSize => "training-set size n",
            Setting::HistogramBins => "histogram bins",
            Setting::StopWhenSettled => "stop when settled",
            Setting::Pool => "pooling",
            Setting::InputScale => "input scale",
            Setting::Eval => "evaluation set",
            Setting::Data => "data directory",
            Setting::Optimizer => "update rule",
            Setting::Momentum => "momentum coefficient mu",
            Setting::WeightDecay => "weight decay",
            Setting::Beta1 => "Adam's beta1",
            Setting::Beta2 => "Adam's beta2",
            Setting::AdamEps => "Adam's eps",
            Setting::Regularization => "regularization",
            Setting::EarlyStop => "early stopping",
        })
    }
}

/// Where a run diverged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("training diverged in epoch {epoch}: {what} became {value}")]
pub struct Divergence {
    /// The epoch (from 1) in which it happened.
    pub epoch: usize,
    /// What became non-finite: a layer's weights, the cost, ...
    pub what: String,
    /// The value it became (NaN or an infinity).
    pub value: f64,
    /// The learning rate of the run.
    pub eta: f64,
}

impl Error {
    /// [`Error::BadFile`] of `path`, saying `message`.
    pub fn bad_file(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::BadFile {
            path: path.into(),
            message: message.into(),
        }
    }

    /// [`Error::BadSetting`] of `setting`, saying `message`.
    pub fn bad_setting(setting: Setting, message: impl Into<String>) -> Self {
        Error::BadSetting {
            setting,
            message: message.into(),
        }
    }

    /// Whether what the caller gave is at fault (a file, a setting,
    /// hyperparameters that diverge, an output path), rather than this
    /// program or the machine.
    pub fn is_bad_input(&self) -> bool {
        match self {
            Error::Internal(_) | Error::Differs(_) => false,
            Error::BadFile { .. }
            | Error::BadSetting { .. }
            | Error::Diverged(_)
            | Error::Write { .. } => true,
        }
    }
}

/// A result whose error is an [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_files_and_settings_are_the_callers_the_rest_not() {
        assert!(Error::bad_setting(Setting::Eta, "x").is_bad_input());
        assert!(Error::bad_file("f", "x").is_bad_input());
        assert!(!Error::Internal("threads".into()).is_bad_input());
        assert!(!Error::Differs("a list".into()).is_bad_input());
    }

    #[test]
    fn a_refused_setting_and_a_divergence_name_the_setting_in_words() {
        let error = Error::bad_setting(Setting::Epochs, "0; expected at least 1 epoch");
        assert_eq!(error.to_string(), "epochs: 0; expected at least 1 epoch");
        let error = Error::Diverged(Divergence {
            epoch: 2,
            what: "the evaluation cost".into(),
            value: f64::INFINITY,
            eta: 90.0,
        });
        assert_eq!(
            error.to_string(),
            "training diverged in epoch 2: the evaluation cost became inf; \
             try a smaller learning rate eta (it was 90)"
        );
    }

    #[test]
    fn a_write_error_states_its_cause_once() {
        let error = Error::Write {
            path: "out".into(),
            cause: std::io::Error::from(std::io::ErrorKind::IsADirectory),
        };
        assert_eq!(error.to_string(), "out: cannot write: is a directory");
    }
}
