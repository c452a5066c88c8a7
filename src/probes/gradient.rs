//! The full-batch gradient of the data cost at a network's weights, and
//! what it says about the state the weights settled in.
//!
//! With C = C_0 + (lambda/2n) sum w^2 (C_0 the data term over the n
//! training examples), the L2-regularized optimum has grad C = 0, i.e.
//! grad C_0 = -(lambda/n) w: the weights point along -grad C_0 (cosine 1)
//! and the two gradients have the same size. A settled state that is not
//! the optimum is a balance of the decay against the gradient's drift and
//! noise; the noise part can be predicted from the per-example gradients.
//!
//! Per weight layer, with d_x = dC_x/dw the gradient of example x:
//!   grad C_0 = (1/n) sum_x d_x,     sigma^2 = (1/n) sum_x |d_x|^2 - |grad C_0|^2
//! and, a batch of m_t examples drawn without replacement from the n,
//!   E|sum_(x in batch) d_x|^2 = m_t^2 |grad C_0|^2 + m_t (n - m_t)/(n - 1) sigma^2,
//! so the budget's noise term sum_t (eta/m_t)^2 |g_t|^2 over one epoch has
//! expectation
//!   sum_t eta^2 (|grad C_0|^2 + (n - m_t)/(m_t (n - 1)) sigma^2)
//! at fixed weights. d_x of weight layer l is the outer product of
//! Delta^(l+1)_x and a^l_x, so |d_x|^2 = |Delta^(l+1)_x|^2 |a^l_x|^2.

use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::kernels::{self, Rate, Real};
use crate::net::Network;
use crate::train::backprop::{Backprop, KernelWeights};

/// Examples per forward and backward pass.
const CHUNK: usize = 500;

/// What the full-batch gradient says about one weight layer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FullGradient {
    /// |grad C_0| = |(1/n) sum_x dC_x/dw| over the training set.
    pub data_gradient: f64,
    /// |(lambda/n) w|: the size of the L2 term's gradient.
    pub decay_gradient: f64,
    /// cos(w, -grad C_0): 1 when the weights sit at the L2-regularized
    /// optimum (null if either vector is zero).
    pub cosine: Option<f64>,
    /// The noise term of the norm budget that one epoch of SGD at these
    /// weights would have on average (squared weight units), to set beside
    /// the measured `budget.noise`.
    pub predicted_noise: f64,
    /// Its part from the spread of the per-example gradients (the rest is
    /// the mean gradient's own size).
    pub predicted_noise_from_spread: f64,
}

/// The mean gradient of the data cost over `data` per weight layer (row-major
/// like `net.weights`), and per layer sum_x |dC_x/dw|^2.
pub fn data_gradient<T: Real>(net: &Network<T>, data: &Dataset) -> (Vec<Vec<f64>>, Vec<f64>) {
    let layers = net.layers();
    let weights = KernelWeights::of(net);
    let mut sum: Vec<Vec<f64>> = net.weights.iter().map(|w| vec![0.0; w.len()]).collect();
    let mut example_sq = vec![0.0; layers];
    let mut backprop = Backprop::new(net, CHUNK.min(data.len()));
    // The update with no decay and a step of -1 on zero weights leaves the
    // batch's summed gradient G: w <- 0 - 0 w + G.
    let gather = Rate {
        decay: T::zero(),
        step: -T::one(),
    };
    let mut labels = Vec::with_capacity(CHUNK);
    let mut summed = Vec::new();
    let examples: Vec<usize> = (0..data.len()).collect();
    for chunk in examples.chunks(CHUNK) {
        labels.clear();
        labels.extend(chunk.iter().map(|&e| data.labels()[e]));
        backprop.forward_images(&weights, &net.biases, data, chunk);
        backprop.backward(&weights, net.cost, &labels);
        for l in 0..layers {
            let (n_out, n_in) = net.shape(l);
            let mut g = vec![T::zero(); weights.layers[l].len()];
            backprop.step_weights(l, &mut g, gather, None);
            summed.resize(n_out * n_in, T::zero());
            kernels::from_kernel_layout(&g, n_out, n_in, &mut summed);
            for (s, &g) in sum[l].iter_mut().zip(&summed) {
                *s += g.as_f64();
            }
            let deltas = backprop.delta_rows(l, chunk.len());
            for (delta, a) in deltas.zip(backprop.activation_rows(l, chunk.len())) {
                let sq = |v: &[T]| v.iter().map(|x| x.as_f64() * x.as_f64()).sum::<f64>();
                example_sq[l] += sq(delta) * sq(a);
            }
        }
    }
    let n = data.len() as f64;
    sum.iter_mut().flatten().for_each(|s| *s /= n);
    (sum, example_sq)
}

/// [`FullGradient`] of every weight layer of `net` on the n training
/// examples `training`, for SGD with `eta`, `lambda` and batches of `batch`.
pub fn full_gradient<T: Real>(
    net: &Network<T>,
    training: &Dataset,
    eta: f64,
    lambda: f64,
    batch: usize,
) -> Vec<FullGradient> {
    let n = training.len();
    let (mean, example_sq) = data_gradient(net, training);
    // The batch sizes of an epoch: S - 1 of m and a last one of what is left.
    let steps = n.div_ceil(batch);
    let last = n - (steps - 1) * batch;
    let spread_factor = |m_t: usize| {
        if n > 1 {
            (n - m_t) as f64 / (m_t as f64 * (n - 1) as f64)
        } else {
            0.0
        }
    };
    let spread_steps = (steps - 1) as f64 * spread_factor(batch) + spread_factor(last);
    mean.iter()
        .zip(&net.weights)
        .zip(&example_sq)
        .map(|((g, w), &sq)| {
            let g_sq: f64 = g.iter().map(|x| x * x).sum();
            let w_sq: f64 = w.iter().map(|x| x.as_f64() * x.as_f64()).sum();
            let w_dot_g: f64 = w.iter().zip(g).map(|(w, g)| w.as_f64() * g).sum();
            let spread = (sq / n as f64 - g_sq).max(0.0);
            let from_spread = eta * eta * spread_steps * spread;
            FullGradient {
                data_gradient: g_sq.sqrt(),
                decay_gradient: lambda / n as f64 * w_sq.sqrt(),
                cosine: (g_sq > 0.0 && w_sq > 0.0).then(|| -w_dot_g / (g_sq * w_sq).sqrt()),
                predicted_noise: eta * eta * steps as f64 * g_sq + from_spread,
                predicted_noise_from_spread: from_spread,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{Cost, Init};
    use crate::train::evaluate;
    use approx::{abs_diff_eq, assert_relative_eq};
    use rand::SeedableRng;

    /// Eight 3x2-pixel examples with labels 0..3.
    fn data() -> Dataset {
        let pixels: Vec<u8> = (0..48u32).map(|i| ((i * 97 + 13) % 256) as u8).collect();
        let labels = vec![0, 1, 2, 0, 1, 2, 2, 1];
        Dataset::from_bytes(3, 2, pixels, labels)
    }

    fn net(cost: Cost) -> Network<f64> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        Network::new(&[6, 4, 3], Init::Large, cost, &mut rng)
    }

    /// d C_0 / d w by central differences of the data cost over `data`.
    fn finite_difference(net: &Network<f64>, data: &Dataset, l: usize, i: usize) -> f64 {
        let h = 1e-6;
        let cost_at = |delta: f64| {
            let mut shifted = net.clone();
            shifted.weights[l][i] += delta;
            evaluate(&shifted, data, 0.0).data_cost
        };
        (cost_at(h) - cost_at(-h)) / (2.0 * h)
    }

    #[test]
    fn the_mean_gradient_matches_finite_differences() {
        let data = data();
        for cost in [Cost::CrossEntropy, Cost::Quadratic] {
            let net = net(cost);
            let (mean, _) = data_gradient(&net, &data);
            for (l, layer) in mean.iter().enumerate() {
                for (i, &g) in layer.iter().enumerate() {
                    let fd = finite_difference(&net, &data, l, i);
                    assert!(
                        abs_diff_eq!(g, fd, epsilon = 1e-8),
                        "{cost:?} layer {l} weight {i}: {g} vs {fd}"
                    );
                }
            }
        }
    }

    #[test]
    fn per_example_squares_match_single_example_gradients() {
        let data = data();
        let net = net(Cost::CrossEntropy);
        let (_, example_sq) = data_gradient(&net, &data);
        let mut expected = vec![0.0; net.layers()];
        for x in 0..data.len() {
            let (one, _) = data_gradient(&net, &data.slice(x..x + 1));
            for (l, g) in one.iter().enumerate() {
                expected[l] += g.iter().map(|v| v * v).sum::<f64>();
            }
        }
        for l in 0..net.layers() {
            assert_relative_eq!(example_sq[l], expected[l], max_relative = 1e-12);
        }
    }

    #[test]
    fn the_summary_follows_from_the_gradient() {
        let data = data();
        let net = net(Cost::CrossEntropy);
        let (eta, lambda, batch) = (0.5, 2.0, 3);
        let (mean, example_sq) = data_gradient(&net, &data);
        let summary = full_gradient(&net, &data, eta, lambda, batch);
        // n = 8, m = 3: batches of 3, 3 and 2.
        for l in 0..net.layers() {
            let g_sq: f64 = mean[l].iter().map(|v| v * v).sum();
            let w_sq: f64 = net.weights[l].iter().map(|v| v * v).sum();
            let dot: f64 = net.weights[l]
                .iter()
                .zip(&mean[l])
                .map(|(w, g)| w * g)
                .sum();
            let s = &summary[l];
            assert_relative_eq!(s.data_gradient, g_sq.sqrt(), max_relative = 1e-12);
            assert_relative_eq!(
                s.decay_gradient,
                2.0 / 8.0 * w_sq.sqrt(),
                max_relative = 1e-12
            );
            assert_relative_eq!(
                s.cosine.unwrap(),
                -dot / (g_sq * w_sq).sqrt(),
                max_relative = 1e-12
            );
            let spread = example_sq[l] / 8.0 - g_sq;
            let factor = 2.0 * (5.0 / (3.0 * 7.0)) + 6.0 / (2.0 * 7.0);
            assert_relative_eq!(
                s.predicted_noise_from_spread,
                0.25 * factor * spread,
                max_relative = 1e-12
            );
            assert_relative_eq!(
                s.predicted_noise,
                0.25 * 3.0 * g_sq + 0.25 * factor * spread,
                max_relative = 1e-12
            );
        }
    }

    #[test]
    fn one_example_has_no_spread() {
        // n = 1: the one batch is the whole set, so the noise is the mean
        // gradient's own size and nothing comes from a spread ((n - m_t) /
        // (n - 1) would be 0 / 0).
        let data = data().slice(0..1);
        let net = net(Cost::CrossEntropy);
        let (mean, _) = data_gradient(&net, &data);
        let eta = 0.5;
        for (s, g) in full_gradient(&net, &data, eta, 2.0, 1).iter().zip(&mean) {
            let g_sq: f64 = g.iter().map(|v| v * v).sum();
            assert!(g_sq > 0.0);
            assert_eq!(s.predicted_noise_from_spread, 0.0);
            assert_relative_eq!(s.predicted_noise, eta * eta * g_sq, max_relative = 1e-12);
        }
    }

    #[test]
    fn no_cosine_for_a_zero_gradient_or_zero_weights() {
        // Blank images: the first layer's gradient (Delta^1 times a^0 = 0)
        // is zero, its weights are not. The second layer's weights are
        // zero, its gradient (Delta^2 times a^1 = sigma(b^1)) is not.
        let data = Dataset::from_bytes(3, 2, vec![0; 8 * 6], vec![0, 1, 2, 0, 1, 2, 2, 1]);
        let mut net = net(Cost::CrossEntropy);
        net.weights[1].fill(0.0);
        let summary = full_gradient(&net, &data, 0.5, 2.0, 3);
        assert_eq!(summary[0].data_gradient, 0.0);
        assert!(summary[0].decay_gradient > 0.0);
        assert_eq!(summary[0].cosine, None);
        assert!(summary[1].data_gradient > 0.0);
        assert_eq!(summary[1].decay_gradient, 0.0);
        assert_eq!(summary[1].cosine, None);
    }
}
