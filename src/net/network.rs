//! A feedforward network of sigmoid neurons: sizes [n_0, n_1, ..., n_L],
//! weights w^l (n_l x n_(l-1), row-major: row j holds the weights into
//! neuron j) and biases b^l (n_l), for l = 1..L. Layer index `l` in the code
//! counts weight layers from 0, so `weights[0]` is w^1.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use super::{Activation, Cost};
use crate::kernels::Real;

/// How the weights are drawn (biases are N(0, 1) in both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Init {
    /// Every weight ~ N(0, 1): network2's `large_weight_initializer`, the
    /// "standard Gaussian" of the question.
    Large,
    /// Weights into a neuron with n_in inputs ~ N(0, 1/n_in): network2's
    /// `default_weight_initializer`.
    Default,
}

/// network2's `Network`: layer sizes, weights and biases, and the cost it
/// is trained on, in precision T (f32 or f64).
#[derive(Debug, Clone, PartialEq)]
pub struct Network<T> {
    sizes: Vec<usize>,
    /// `weights[l]`: n_(l+1) x n_l, row-major.
    pub weights: Vec<Vec<T>>,
    /// `biases[l]`: n_(l+1).
    pub biases: Vec<Vec<T>>,
    /// The cost C_x the network is trained on.
    pub cost: Cost,
    /// The hidden layers' activation function (sigmoid unless set by
    /// [`Network::with_hidden`]).
    pub hidden: Activation,
}

/// Parts of a network that do not fit together (see [`Network::from_parts`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    /// Fewer than two layers, or an empty one.
    #[error("sizes {0:?}; expected at least two layers, none empty")]
    Sizes(Vec<usize>),
    #[error("{weights} weight and {biases} bias layers for sizes {sizes:?}; expected {} of each", sizes.len() - 1)]
    /// Not one weight and one bias layer per layer after the first.
    LayerCount {
        /// Weight layers given.
        weights: usize,
        /// Bias layers given.
        biases: usize,
        /// The layer sizes given.
        sizes: Vec<usize>,
    },
    #[error("weights[{layer}]: {n_out} x {n_in} weights do not fit in memory")]
    /// A weight layer too large to allocate.
    TooLarge {
        /// The weight layer, from 0.
        layer: usize,
        /// Its rows: the neurons it feeds.
        n_out: usize,
        /// Its columns: the neurons feeding it.
        n_in: usize,
    },
    #[error("weights[{layer}] has {found} entries; expected {n_out} x {n_in}")]
    /// A weight layer of the wrong length.
    Weights {
        /// The weight layer, from 0.
        layer: usize,
        /// Entries given.
        found: usize,
        /// Its rows: the neurons it feeds.
        n_out: usize,
        /// Its columns: the neurons feeding it.
        n_in: usize,
    },
    #[error("biases[{layer}] has {found} entries; expected {n_out}")]
    /// A bias layer of the wrong length.
    Biases {
        /// The bias layer, from 0 (the first hidden layer's).
        layer: usize,
        /// Entries given.
        found: usize,
        /// The neurons of its layer.
        n_out: usize,
    },
}

impl<T: Real> Network<T> {
    /// A freshly initialized network. Draws, like network2, all biases first
    /// (layer by layer), then all weights (layer by layer, row by row), each
    /// a standard normal in f64 scaled for `init` and rounded to T, so that
    /// f32 and f64 runs of one seed start from the same network.
    pub fn new<R: Rng>(sizes: &[usize], init: Init, cost: Cost, rng: &mut R) -> Network<T> {
        assert!(sizes.len() >= 2 && sizes.iter().all(|&n| n > 0));
        let mut normal = |scale: f64, count: usize| -> Vec<T> {
            (0..count)
                .map(|_| {
                    let x: f64 = StandardNormal.sample(rng);
                    T::from_f64(scale * x)
                })
                .collect()
        };
        let biases = sizes[1..].iter().map(|&n| normal(1.0, n)).collect();
        let weights = sizes
            .windows(2)
            .map(|pair| {
                let (n_in, n_out) = (pair[0], pair[1]);
                let scale = match init {
                    Init::Large => 1.0,
                    Init::Default => 1.0 / (n_in as f64).sqrt(),
                };
                normal(scale, n_out * n_in)
            })
            .collect();
        Network {
            sizes: sizes.to_vec(),
            weights,
            biases,
            cost,
            hidden: Activation::Sigmoid,
        }
    }

    /// This network with hidden neurons of `hidden`.
    pub fn with_hidden(mut self, hidden: Activation) -> Network<T> {
        self.hidden = hidden;
        self
    }

    /// A network from its parts; `Err` says which part does not fit `sizes`.
    pub fn from_parts(
        sizes: Vec<usize>,
        weights: Vec<Vec<T>>,
        biases: Vec<Vec<T>>,
        cost: Cost,
    ) -> Result<Network<T>, ShapeError> {
        if sizes.len() < 2 || sizes.contains(&0) {
            return Err(ShapeError::Sizes(sizes));
        }
        let layers = sizes.len() - 1;
        if weights.len() != layers || biases.len() != layers {
            return Err(ShapeError::LayerCount {
                weights: weights.len(),
                biases: biases.len(),
                sizes,
            });
        }
        for l in 0..layers {
            let (n_in, n_out) = (sizes[l], sizes[l + 1]);
            let expected = n_out.checked_mul(n_in).ok_or(ShapeError::TooLarge {
                layer: l,
                n_out,
                n_in,
            })?;
            if weights[l].len() != expected {
                return Err(ShapeError::Weights {
                    layer: l,
                    found: weights[l].len(),
                    n_out,
                    n_in,
                });
            }
            if biases[l].len() != n_out {
                return Err(ShapeError::Biases {
                    layer: l,
                    found: biases[l].len(),
                    n_out,
                });
            }
        }
        Ok(Network {
            sizes,
            weights,
            biases,
            cost,
            hidden: Activation::Sigmoid,
        })
    }

    /// n_0, n_1, ..., n_L: the number of neurons of each layer, input first.
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// L, the number of weight layers.
    pub fn layers(&self) -> usize {
        self.sizes.len() - 1
    }

    /// (n_out, n_in) of weight layer `l`.
    pub fn shape(&self, l: usize) -> (usize, usize) {
        (self.sizes[l + 1], self.sizes[l])
    }

    /// n_w, the number of weights (biases not counted).
    pub fn weight_count(&self) -> usize {
        self.weights.iter().map(Vec::len).sum()
    }

    /// The same network in another precision.
    pub fn convert<U: Real>(&self) -> Network<U> {
        let cast = |v: &Vec<T>| v.iter().map(|x| U::from_f64(x.as_f64())).collect();
        Network {
            sizes: self.sizes.clone(),
            weights: self.weights.iter().map(cast).collect(),
            biases: self.biases.iter().map(cast).collect(),
            cost: self.cost,
            hidden: self.hidden,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn initializations_have_the_right_spread() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let large: Network<f64> =
            Network::new(&[400, 50, 10], Init::Large, Cost::Quadratic, &mut rng);
        let default: Network<f64> =
            Network::new(&[400, 50, 10], Init::Default, Cost::Quadratic, &mut rng);
        let std = |v: &[f64]| (v.iter().map(|x| x * x).sum::<f64>() / v.len() as f64).sqrt();
        // 20,000 draws: the sample std is within 2% of the true one.
        assert_abs_diff_eq!(std(&large.weights[0]), 1.0, epsilon = 0.02);
        assert_abs_diff_eq!(std(&default.weights[0]), 1.0 / 20.0, epsilon = 0.02 / 20.0);
        assert_eq!(default.weight_count(), 400 * 50 + 50 * 10);
        assert_eq!(default.shape(1), (10, 50));
    }

    #[test]
    fn from_parts_names_the_misfit() {
        let err = Network::<f32>::from_parts(
            vec![2, 3],
            vec![vec![0.0; 5]],
            vec![vec![0.0; 3]],
            Cost::Quadratic,
        )
        .unwrap_err();
        assert_eq!(
            err,
            ShapeError::Weights {
                layer: 0,
                found: 5,
                n_out: 3,
                n_in: 2
            }
        );
        assert_eq!(err.to_string(), "weights[0] has 5 entries; expected 3 x 2");
    }
}
