//! Forward and backward passes over a whole mini-batch, as matrix products.
//!
//! A batch of m_t examples is a matrix with one example per row. With
//! A^0 = X (m_t x n_0) the inputs, for l = 1..L:
//!
//!   forward    Z^l = A^(l-1) (w^l)^T + 1 (b^l)^T        (m_t x n_l)
//!              A^l = sigma(Z^l)
//!   backward   Delta^L     = cost's output error of A^L and the targets Y
//!              Delta^(l-1) = (Delta^l w^l) .* sigma'(Z^(l-1)),  sigma' = A (1 - A)
//!              g_b^l = column sums of Delta^l = sum_x dC_x/db^l  (n_l)
//!   gradient   G^l = (Delta^l)^T A^(l-1) = sum_x dC_x/dw^l     (n_l x n_(l-1))
//!
//! G^l is as large as the weights, so it is never stored: the update forms
//! it block by block in registers and applies it at once
//! ([`Backprop::step_weights`]), so each weight is read and written once per
//! step.
//!
//! All buffers are allocated once, for the largest batch; a step allocates
//! nothing.

use crate::kernels::{self, Measurements, Rate, Real, StepShape};
use crate::net::Network;

pub struct Backprop<T> {
    sizes: Vec<usize>,
    /// Largest number of rows (examples) a batch may have.
    capacity: usize,
    /// activations[l] = A^l, up to capacity x n_l; activations[0] is the input.
    activations: Vec<Vec<T>>,
    /// Examples in the batch of the last forward pass.
    rows: usize,
    /// deltas[l] = Delta^(l+1), up to capacity x n_(l+1).
    deltas: Vec<Vec<T>>,
    /// grad_b[l] = g_b^(l+1) = sum over the batch of dC_x/db, n_(l+1).
    pub grad_b: Vec<Vec<T>>,
}

impl<T: Real> Backprop<T> {
    pub fn new(sizes: &[usize], capacity: usize) -> Backprop<T> {
        Backprop {
            sizes: sizes.to_vec(),
            capacity,
            activations: sizes
                .iter()
                .map(|&n| vec![T::zero(); capacity * n])
                .collect(),
            rows: 0,
            deltas: sizes[1..]
                .iter()
                .map(|&n| vec![T::zero(); capacity * n])
                .collect(),
            grad_b: sizes[1..].iter().map(|&n| vec![T::zero(); n]).collect(),
        }
    }

    /// The input rows X (rows x n_0), to be filled before [`Backprop::forward`].
    pub fn input_mut(&mut self, rows: usize) -> &mut [T] {
        assert!(rows <= self.capacity);
        &mut self.activations[0][..rows * self.sizes[0]]
    }

    /// A^l for the first `rows` examples (rows x n_l); l = L is the output.
    pub fn activations(&self, l: usize, rows: usize) -> &[T] {
        &self.activations[l][..rows * self.sizes[l]]
    }

    /// Forward pass: A^l = sigma(A^(l-1) (w^l)^T + b^l) for l = 1..L.
    pub fn forward(&mut self, net: &Network<T>, rows: usize) {
        assert!(rows <= self.capacity);
        self.rows = rows;
        for l in 0..net.layers() {
            let (n_out, n_in) = net.shape(l);
            let (before, after) = self.activations.split_at_mut(l + 1);
            let a_prev = &before[l][..rows * n_in];
            let a = &mut after[0][..rows * n_out];
            kernels::matmul_a_bt(a, a_prev, &net.weights[l], rows, n_in, n_out);
            kernels::add_bias_and_sigmoid(a, &net.biases[l]);
        }
    }

    /// Backward pass after [`Backprop::forward`]: the errors Delta^l of every
    /// layer, and in `grad_b` the bias gradients summed over the batch, whose
    /// examples are labelled `labels`.
    pub fn backward(&mut self, net: &Network<T>, labels: &[u8]) {
        let rows = labels.len();
        assert_eq!(rows, self.rows, "one label per example of the forward pass");
        let last = net.layers() - 1;

        // Delta^L = output error, targets y = one-hot(label).
        let n_out = self.sizes[last + 1];
        let output = &self.activations[last + 1][..rows * n_out];
        let delta = &mut self.deltas[last][..rows * n_out];
        for ((d_row, a_row), &label) in delta
            .chunks_exact_mut(n_out)
            .zip(output.chunks_exact(n_out))
            .zip(labels)
        {
            for (j, (d, &a)) in d_row.iter_mut().zip(a_row).enumerate() {
                let y = if j == label as usize {
                    T::one()
                } else {
                    T::zero()
                };
                *d = net.cost.output_delta(a, y);
            }
        }

        for l in (0..=last).rev() {
            let (n_out, n_in) = net.shape(l);
            let delta = &self.deltas[l][..rows * n_out];
            let a_prev = &self.activations[l][..rows * n_in];
            kernels::column_sums(&mut self.grad_b[l], delta);
            if l > 0 {
                // Delta_prev = (Delta w) .* A_prev (1 - A_prev)
                let (lower, upper) = self.deltas.split_at_mut(l);
                let delta = &upper[0][..rows * n_out];
                let delta_prev = &mut lower[l - 1][..rows * n_in];
                kernels::matmul_a_b(delta_prev, delta, &net.weights[l], rows, n_out, n_in);
                for (d, &a) in delta_prev.iter_mut().zip(a_prev) {
                    *d *= a * (T::one() - a);
                }
            }
        }
    }

    /// The update rule on weight layer l + 1 after [`Backprop::backward`],
    /// fused with its gradient G^(l+1) = (Delta^(l+1))^T A^l, which is
    /// never stored: w <- w - rate.decay w - rate.step G, see
    /// [`kernels::gradient_step`].
    pub fn step_weights(
        &self,
        l: usize,
        w: &mut [T],
        rate: Rate<T>,
        measurements: Option<Measurements<T>>,
    ) {
        let (k, n) = (self.sizes[l], self.sizes[l + 1]);
        let m = self.rows;
        kernels::gradient_step(
            w,
            &self.activations[l][..m * k],
            &self.deltas[l][..m * n],
            StepShape { m, n, k },
            rate,
            measurements,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{Cost, Init};
    use rand::{RngExt, SeedableRng};

    /// G^(l+1) = sum_x dC_x/dw^(l+1), read off the fused update: from w = 0
    /// with no decay and a step of -1, w - 0 w - (-1) g = g exactly.
    fn weight_gradient(bp: &Backprop<f64>, l: usize) -> Vec<f64> {
        let mut g = vec![0.0; bp.sizes[l] * bp.sizes[l + 1]];
        let rate = Rate {
            decay: 0.0,
            step: -1.0,
        };
        bp.step_weights(l, &mut g, rate, None);
        g
    }

    /// sum_x C_x over a batch, by a forward pass.
    fn batch_cost(net: &Network<f64>, x: &[f64], labels: &[u8]) -> f64 {
        let mut bp = Backprop::new(net.sizes(), labels.len());
        bp.input_mut(labels.len()).copy_from_slice(x);
        bp.forward(net, labels.len());
        let n_out = *net.sizes().last().unwrap();
        bp.activations(net.layers(), labels.len())
            .chunks_exact(n_out)
            .zip(labels)
            .map(|(a, &y)| net.cost.example_cost(a, y as usize))
            .sum()
    }

    /// Backprop's gradient against central finite differences, every weight
    /// and bias, in f64.
    fn check_gradient(sizes: &[usize], cost: Cost) {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let net: Network<f64> = Network::new(sizes, Init::Default, cost, &mut rng);
        let rows = 4;
        let x: Vec<f64> = (0..rows * sizes[0]).map(|_| rng.random::<f64>()).collect();
        let classes = *sizes.last().unwrap() as u8;
        let labels: Vec<u8> = (0..rows as u8).map(|i| i % classes).collect();

        let mut bp = Backprop::new(sizes, rows);
        bp.input_mut(rows).copy_from_slice(&x);
        bp.forward(&net, rows);
        bp.backward(&net, &labels);

        let h = 1e-6;
        let mut worst: f64 = 0.0;
        for l in 0..net.layers() {
            for (is_weight, len) in [(true, net.weights[l].len()), (false, net.biases[l].len())] {
                for i in 0..len {
                    let perturbed = |delta: f64| {
                        let mut p = net.clone();
                        let param = if is_weight {
                            &mut p.weights[l][i]
                        } else {
                            &mut p.biases[l][i]
                        };
                        *param += delta;
                        batch_cost(&p, &x, &labels)
                    };
                    let numeric = (perturbed(h) - perturbed(-h)) / (2.0 * h);
                    let analytic = if is_weight {
                        weight_gradient(&bp, l)[i]
                    } else {
                        bp.grad_b[l][i]
                    };
                    let error =
                        (numeric - analytic).abs() / (1e-8 + numeric.abs() + analytic.abs());
                    worst = worst.max(error);
                }
            }
        }
        assert!(
            worst < 1e-6,
            "{sizes:?} {cost:?}: worst relative error {worst:e}"
        );
    }

    #[test]
    fn gradient_matches_finite_differences_three_layers() {
        check_gradient(&[5, 4, 3], Cost::CrossEntropy);
        check_gradient(&[5, 4, 3], Cost::Quadratic);
    }

    #[test]
    fn gradient_matches_finite_differences_four_layers() {
        check_gradient(&[6, 5, 4, 3], Cost::CrossEntropy);
        check_gradient(&[6, 5, 4, 3], Cost::Quadratic);
    }
}
