//! Why a command stopped, as the user sees it: a flag named with what was
//! found and expected, or what the library refused; and the exit code
//! (2 for bad usage or input, 1 for the rest).

use crate::error::{Divergence, Error, Setting};

/// Everything that can stop a command.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// A flag has a value that cannot work.
    #[error("{flag}: {message}")]
    Flag {
        /// The flag, as typed (`--eta`).
        flag: &'static str,
        /// The value found and what was expected.
        message: String,
    },

    /// The training diverged with the learning rate `--eta` gave.
    #[error("{0}; try a smaller --eta (it was {eta})", eta = .0.eta)]
    Diverged(Divergence),

    /// What the library refused or failed at, in its own words.
    #[error(transparent)]
    Library(#[from] Error),
}

impl Failure {
    /// [`Failure::Flag`] of `flag`, saying `message`.
    pub fn flag(flag: &'static str, message: impl Into<String>) -> Failure {
        Failure::Flag {
            flag,
            message: message.into(),
        }
    }

    /// `error` from a run whose settings the flags of `train` (and `bench`)
    /// set: a refused setting is named by its flag, a divergence by
    /// `--eta`.
    pub fn naming_flags(error: Error) -> Failure {
        match error {
            Error::BadSetting { setting, message } => Failure::Flag {
                flag: flag_of(setting),
                message,
            },
            Error::Diverged(divergence) => Failure::Diverged(divergence),
            other => Failure::Library(other),
        }
    }

    /// The process exit code: 2 for what the user can fix, 1 for the rest.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Flag { .. } | Failure::Diverged(_) => 2,
            Failure::Library(error) if error.is_bad_input() => 2,
            Failure::Library(_) => 1,
        }
    }
}

/// The flag of `train` (and `bench`) that sets `setting`.
fn flag_of(setting: Setting) -> &'static str {
    match setting {
        Setting::Sizes => "--sizes",
        Setting::Eta => "--eta",
        Setting::Lambda => "--lambda",
        Setting::Batch => "--batch",
        Setting::Epochs => "--epochs",
        Setting::TrainSize => "--train-size",
        Setting::HistogramBins => "--histogram-bins",
        Setting::StopWhenSettled => "--stop-when-settled",
        Setting::Pool => "--pool",
        Setting::InputScale => "--input-scale",
        Setting::Eval => "--eval",
        Setting::Data => "--data",
        Setting::Optimizer => "--optimizer",
        Setting::Momentum => "--momentum",
        Setting::WeightDecay => "--weight-decay",
        Setting::Beta1 => "--beta1",
        Setting::Beta2 => "--beta2",
        Setting::AdamEps => "--adam-eps",
        Setting::Regularization => "--regularization",
        Setting::EarlyStop => "--early-stop",
    }
}

/// A command's result.
pub type Outcome<T = ()> = std::result::Result<T, Failure>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_user_can_fix_exits_2_the_rest_1() {
        assert_eq!(Failure::flag("--jobs", "0").exit_code(), 2);
        let setting = Error::bad_setting(Setting::Eta, "x");
        assert_eq!(Failure::naming_flags(setting).exit_code(), 2);
        assert_eq!(Failure::from(Error::bad_file("f", "x")).exit_code(), 2);
        assert_eq!(Failure::from(Error::Internal("t".into())).exit_code(), 1);
        assert_eq!(
            Failure::from(Error::Differs("a list".into())).exit_code(),
            1
        );
    }

    #[test]
    fn the_flag_replaces_the_settings_name() {
        let error = Error::bad_setting(Setting::Epochs, "0; expected at least 1 epoch");
        let failure = Failure::naming_flags(error);
        assert_eq!(
            failure.to_string(),
            "--epochs: 0; expected at least 1 epoch"
        );
        let divergence = Divergence {
            epoch: 1,
            what: "a weight of layer 1 (w^1)".into(),
            value: f64::NAN,
            eta: 90.0,
        };
        let failure = Failure::naming_flags(Error::Diverged(divergence));
        assert_eq!(
            failure.to_string(),
            "training diverged in epoch 1: a weight of layer 1 (w^1) became NaN; \
             try a smaller --eta (it was 90)"
        );
    }
}
