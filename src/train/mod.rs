//! Training: the forward and backward passes over a mini-batch
//! (`backprop`), the SGD step with L2 regularization (`sgd`, with a plain
//! scalar version of the same rule beside it for the tests), and scoring a
//! network on a set of examples (`eval`). What a whole run does with these,
//! epoch after epoch, is in [`crate::run`].

pub mod backprop;
pub mod eval;
mod reference;
pub mod rule;
pub mod sgd;

pub use eval::{Evaluation, evaluate, evaluate_scored};
pub use rule::{Optimizer, Regularization, Rule};
pub use sgd::{
    EpochOrder, Hyper, Rearrange, RuleMoments, RuleSplit, Sgd, StepObserver, Unobserved,
};
