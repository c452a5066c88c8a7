//! The hidden neurons' activation function: network2's sigmoid, or tanh
//! (the book's chapter 3). The output layer is never tanh: its outputs are
//! read as probabilities by the costs (sigmoid for the cross-entropy and
//! quadratic costs, softmax for the log-likelihood), so the book's remark
//! about rescaling tanh's outputs from (-1, 1) to (0, 1) does not arise.
//!
//!   sigmoid  a = sigma(z) = 1 / (1 + e^-z),   da/dz = a (1 - a)
//!   tanh     a = tanh(z) = 2 sigma(2z) - 1,    da/dz = 1 - a^2

use serde::{Deserialize, Serialize};

use crate::kernels::Real;

/// The activation function of the hidden layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// sigma(z), network2's.
    #[default]
    Sigmoid,
    /// tanh(z).
    Tanh,
}

impl Activation {
    /// da/dz from the activation a itself: a (1 - a) or 1 - a^2.
    #[inline(always)]
    pub fn derivative<T: Real>(self, a: T) -> T {
        match self {
            Activation::Sigmoid => a * (T::one() - a),
            Activation::Tanh => T::one() - a * a,
        }
    }

    /// network2's sigmoid (written only otherwise).
    pub fn is_sigmoid(&self) -> bool {
        *self == Activation::Sigmoid
    }
}
