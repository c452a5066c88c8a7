//! The network: weights, biases, initializations, costs, and network2's JSON
//! file format.

mod activation;
mod cost;
mod layer;
mod network;
pub mod network2_json;

pub use activation::Activation;
pub use cost::{Cost, Saturated, numpy_sum};
pub use layer::Layer;
pub use network::{Init, Network, ShapeError};

/// n_w: the number of weights of a network with layer sizes `sizes`
/// (biases not counted), or None if it does not fit in a `usize`.
pub fn weight_count(sizes: &[usize]) -> Option<usize> {
    sizes.windows(2).try_fold(0usize, |sum, pair| {
        sum.checked_add(pair[0].checked_mul(pair[1])?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_count_sums_the_layers_and_refuses_overflow() {
        assert_eq!(weight_count(&[784, 30, 10]), Some(784 * 30 + 30 * 10));
        assert_eq!(weight_count(&[5]), Some(0));
        assert_eq!(weight_count(&[usize::MAX / 2 + 1, 2]), None);
        assert_eq!(weight_count(&[usize::MAX, 1, 1]), None);
    }
}
