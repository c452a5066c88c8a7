//! The full-batch L2-regularized objective of a network and its gradient,
//! in f64:
//!
//!   J(w, b) = C_0(w, b) + (lambda / 2n) sum_l |w^l|^2,
//!   C_0 = (1/n) sum_x C_x   (the network's cost, cross-entropy in network2)
//!
//! over the n training examples x, biases not decayed. Its gradient is
//!
//!   dJ/dw^l = dC_0/dw^l + (lambda/n) w^l,     dJ/db^l = dC_0/db^l,
//!
//! with dC_0/dw and dC_0/db the means over the examples of backprop's
//! dC_x/dw and dC_x/db. J is dimensionless (nats per example for the
//! cross-entropy); w, b in the units of z = w a + b.
//!
//! The parameters are one flat vector (see [`Layout`]), so that a generic
//! minimizer can move them.

use std::ops::Range;

use rayon::prelude::*;

use crate::data::Dataset;
use crate::kernels::{self, Rate};
use crate::net::{Cost, Network};
use crate::train::backprop::{Backprop, KernelWeights};

/// Examples per forward and backward pass. Each chunk is summed on its own
/// and the chunk sums are added in chunk order, so the result has the same
/// bits whatever the number of threads.
const CHUNK: usize = 500;

/// Where each layer's weights and biases sit in the flat parameter vector:
/// weight layer l (0-based; w^(l+1) in the book) contributes its n_(l+1) x
/// n_l weights, row-major as `Network` holds them, then its n_(l+1) biases,
/// layer after layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    sizes: Vec<usize>,
    /// Offset of each layer's weights; the last entry is the total length.
    starts: Vec<usize>,
}

impl Layout {
    /// The layout of a network of `sizes` (n_0, ..., n_L).
    pub fn new(sizes: &[usize]) -> Layout {
        let mut starts = vec![0];
        for pair in sizes.windows(2) {
            let (n_in, n_out) = (pair[0], pair[1]);
            starts.push(starts.last().expect("non-empty") + n_out * n_in + n_out);
        }
        Layout {
            sizes: sizes.to_vec(),
            starts,
        }
    }

    /// L, the number of weight layers.
    pub fn layers(&self) -> usize {
        self.sizes.len() - 1
    }

    /// The number of parameters (weights and biases).
    pub fn len(&self) -> usize {
        *self.starts.last().expect("non-empty")
    }

    /// Never: a network has at least one weight.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The places of weight layer l's weights.
    pub fn weights(&self, l: usize) -> Range<usize> {
        let (n_out, n_in) = (self.sizes[l + 1], self.sizes[l]);
        self.starts[l]..self.starts[l] + n_out * n_in
    }

    /// The places of weight layer l's biases.
    pub fn biases(&self, l: usize) -> Range<usize> {
        self.weights(l).end..self.starts[l + 1]
    }

    /// `net`'s weights and biases as one vector.
    pub fn flatten(&self, net: &Network<f64>) -> Vec<f64> {
        assert_eq!(net.sizes(), self.sizes.as_slice());
        let mut x = Vec::with_capacity(self.len());
        for (w, b) in net.weights.iter().zip(&net.biases) {
            x.extend_from_slice(w);
            x.extend_from_slice(b);
        }
        x
    }

    /// The network whose weights and biases are `x`, trained on `cost`.
    pub fn network(&self, x: &[f64], cost: Cost) -> Network<f64> {
        assert_eq!(x.len(), self.len());
        let weights = (0..self.layers()).map(|l| x[self.weights(l)].to_vec());
        let biases = (0..self.layers()).map(|l| x[self.biases(l)].to_vec());
        Network::from_parts(
            self.sizes.clone(),
            weights.collect(),
            biases.collect(),
            cost,
        )
        .expect("the layout fits its sizes")
    }
}

/// J and C_0 at one point, with their gradients.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// J = C_0 + (lambda/2n) sum |w|^2.
    pub value: f64,
    /// C_0, the mean cost over the n examples.
    pub data_cost: f64,
    /// grad J, laid out as the parameters.
    pub gradient: Vec<f64>,
    /// grad C_0, laid out as the parameters.
    pub data_gradient: Vec<f64>,
}

/// J over a training set for a fixed lambda and cost.
pub struct Objective<'a> {
    layout: Layout,
    cost: Cost,
    data: &'a Dataset,
    lambda: f64,
}

impl<'a> Objective<'a> {
    /// J of networks of `sizes` trained on `cost`, over `data` (n =
    /// `data.len()` examples) with regularization `lambda`.
    pub fn new(sizes: &[usize], cost: Cost, data: &'a Dataset, lambda: f64) -> Objective<'a> {
        assert!(!data.is_empty(), "n >= 1");
        Objective {
            layout: Layout::new(sizes),
            cost,
            data,
            lambda,
        }
    }

    /// The parameter layout.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// n, the number of training examples.
    pub fn n(&self) -> usize {
        self.data.len()
    }

    /// lambda/n, the decay's coefficient in grad J.
    fn decay(&self) -> f64 {
        self.lambda / self.n() as f64
    }

    /// J, C_0 and their gradients at the parameters `x`.
    pub fn evaluate(&self, x: &[f64]) -> Evaluation {
        let (data_cost, data_gradient) = self.data_terms(x);
        let decay = self.decay();
        let mut gradient = data_gradient.clone();
        let mut sum_sq = 0.0;
        for l in 0..self.layout.layers() {
            let range = self.layout.weights(l);
            for (g, &w) in gradient[range.clone()].iter_mut().zip(&x[range]) {
                *g += decay * w;
                sum_sq += w * w;
            }
        }
        Evaluation {
            value: data_cost + 0.5 * decay * sum_sq,
            data_cost,
            gradient,
            data_gradient,
        }
    }

    /// C_0 and grad C_0 at `x`: one forward and backward pass over every
    /// example, CHUNK at a time.
    pub fn data_terms(&self, x: &[f64]) -> (f64, Vec<f64>) {
        let net = self.layout.network(x, self.cost);
        let weights = KernelWeights::of(&net);
        let examples: Vec<usize> = (0..self.n()).collect();
        let capacity = CHUNK.min(self.n());
        let sums: Vec<(f64, Vec<f64>)> = examples
            .par_chunks(CHUNK)
            .map_init(
                || Backprop::new(&net, capacity),
                |backprop, chunk| self.chunk_sums(&net, &weights, backprop, chunk),
            )
            .collect();
        let mut cost = 0.0;
        let mut gradient = vec![0.0; self.layout.len()];
        for (chunk_cost, chunk_gradient) in &sums {
            cost += chunk_cost;
            for (g, c) in gradient.iter_mut().zip(chunk_gradient) {
                *g += c;
            }
        }
        let n = self.n() as f64;
        gradient.iter_mut().for_each(|g| *g /= n);
        (cost / n, gradient)
    }

    /// sum_x C_x and sum_x grad C_x over the examples `chunk`.
    fn chunk_sums(
        &self,
        net: &Network<f64>,
        weights: &KernelWeights<f64>,
        backprop: &mut Backprop<f64>,
        chunk: &[usize],
    ) -> (f64, Vec<f64>) {
        let labels: Vec<u8> = chunk.iter().map(|&e| self.data.labels()[e]).collect();
        backprop.forward_images(weights, &net.biases, self.data, chunk);
        let cost: f64 = backprop
            .activation_rows(net.layers(), chunk.len())
            .zip(&labels)
            .map(|(a, &label)| self.cost.example_cost(a, label as usize))
            .sum();
        backprop.backward(weights, self.cost, &labels);
        // The update with no decay and a step of -1 on zero weights leaves
        // the chunk's summed gradient G: w <- 0 - 0 w + G.
        let gather = Rate {
            decay: 0.0,
            step: -1.0,
        };
        let mut gradient = vec![0.0; self.layout.len()];
        for l in 0..net.layers() {
            let (n_out, n_in) = net.shape(l);
            let mut g = vec![0.0; weights.layers[l].len()];
            backprop.step_weights(l, &mut g, gather, None);
            kernels::from_kernel_layout(&g, n_out, n_in, &mut gradient[self.layout.weights(l)]);
            gradient[self.layout.biases(l)].copy_from_slice(&backprop.grad_b[l][..n_out]);
        }
        (cost, gradient)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::Init;
    use rand::SeedableRng;

    /// Twelve 3x2-pixel examples with labels 0..3.
    pub(crate) fn data() -> Dataset {
        let pixels: Vec<u8> = (0..72u32).map(|i| ((i * 97 + 13) % 256) as u8).collect();
        let labels = vec![0, 1, 2, 0, 1, 2, 2, 1, 0, 0, 1, 2];
        Dataset::from_bytes(3, 2, pixels, labels)
    }

    fn net(cost: Cost) -> Network<f64> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        Network::new(&[6, 4, 3], Init::Large, cost, &mut rng)
    }

    #[test]
    fn the_layout_round_trips() {
        let net = net(Cost::CrossEntropy);
        let layout = Layout::new(net.sizes());
        assert_eq!(layout.len(), 6 * 4 + 4 + 4 * 3 + 3);
        assert_eq!(layout.biases(0), 24..28);
        assert_eq!(layout.weights(1), 28..40);
        let x = layout.flatten(&net);
        assert_eq!(layout.network(&x, Cost::CrossEntropy), net);
    }

    #[test]
    fn the_gradient_matches_central_differences() {
        let data = data();
        for cost in [Cost::CrossEntropy, Cost::Quadratic] {
            let net = net(cost);
            let objective = Objective::new(net.sizes(), cost, &data, 3.0);
            let x = objective.layout().flatten(&net);
            let at = objective.evaluate(&x);
            let h = 1e-6;
            for i in 0..x.len() {
                let shifted = |delta: f64| {
                    let mut y = x.clone();
                    y[i] += delta;
                    objective.evaluate(&y).value
                };
                let numeric = (shifted(h) - shifted(-h)) / (2.0 * h);
                let error = (numeric - at.gradient[i]).abs();
                assert!(
                    error < 1e-8 * (1.0 + numeric.abs()),
                    "{cost:?} parameter {i}: {} vs {numeric}",
                    at.gradient[i]
                );
            }
        }
    }

    #[test]
    fn the_value_is_the_data_cost_plus_the_decay_term() {
        let data = data();
        let net = net(Cost::CrossEntropy);
        let objective = Objective::new(net.sizes(), net.cost, &data, 3.0);
        let at = objective.evaluate(&objective.layout().flatten(&net));
        let eval = crate::train::evaluate(&net, &data, 3.0);
        assert!((at.data_cost - eval.data_cost).abs() < 1e-13);
        assert!((at.value - eval.total_cost).abs() < 1e-13);
    }

    #[test]
    fn chunks_add_up_to_the_whole() {
        // 1,200 examples: three chunks, the last one short.
        let pixels: Vec<u8> = (0..7200u32).map(|i| ((i * 31 + 5) % 256) as u8).collect();
        let labels: Vec<u8> = (0..1200u32).map(|i| (i % 3) as u8).collect();
        let data = Dataset::from_bytes(3, 2, pixels, labels);
        let net = net(Cost::CrossEntropy);
        let objective = Objective::new(net.sizes(), net.cost, &data, 1.0);
        let x = objective.layout().flatten(&net);
        let (cost, gradient) = objective.data_terms(&x);
        let mut total = 0.0;
        let mut sum = vec![0.0; x.len()];
        for part in [0..400, 400..800, 800..1200] {
            let slice = data.slice(part);
            let (c, g) = Objective::new(net.sizes(), net.cost, &slice, 1.0).data_terms(&x);
            total += c / 3.0;
            sum.iter_mut().zip(g).for_each(|(s, g)| *s += g / 3.0);
        }
        assert!((cost - total).abs() < 1e-13);
        for (a, b) in gradient.iter().zip(sum) {
            assert!((a - b).abs() < 1e-13);
        }
    }
}
