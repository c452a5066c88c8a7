//! Forward and backward passes over a whole mini-batch, as matrix products.
//!
//! Layers are numbered one way throughout this module. The layers of
//! neurons are 0..L, layer l having n_l = `sizes[l]` of them: A^0 = X is
//! the input, A^L the output. Weight layer l (0-based, l = 0..L-1: the
//! index of `Network::weights`, [`KernelWeights::layers`], `deltas`,
//! `grad_b` and every `l` below) maps the activations A^l to A^(l+1): it is
//! w^(l+1) and b^(l+1) in the book's 1-based notation, of shape n_out x
//! n_in = n_(l+1) x n_l, and the errors of its outputs are Delta^(l+1).
//!
//! A batch of m_t examples is a matrix with one example per row. For each
//! weight layer l:
//!
//!   forward    Z^(l+1) = A^l (w^(l+1))^T + 1 (b^(l+1))^T       (m_t x n_(l+1))
//!              A^(l+1) = sigma(Z^(l+1))
//!   backward   Delta^L = cost's output error of A^L and the targets Y
//!              Delta^l = (Delta^(l+1) w^(l+1)) .* sigma'(Z^l)   (l >= 1)
//!                        with sigma'(Z^l) = A^l (1 - A^l)
//!              g_b^(l+1) = column sums of Delta^(l+1) = sum_x dC_x/db^(l+1)   (n_(l+1))
//!   gradient   G^(l+1) = (Delta^(l+1))^T A^l = sum_x dC_x/dw^(l+1)      (n_(l+1) x n_l)
//!
//! The weights are taken in the kernels' layout ([`KernelWeights`]: each
//! w^(l+1) as its transpose), and every row of A^l and Delta^l is padded to
//! a whole number of vector lanes ([`kernels::padded`]).
//!
//! G^(l+1) is as large as the weights, so it is never stored: the update
//! forms it block by block in registers and applies it at once
//! ([`Backprop::step_weights`]), so each weight is read and written once
//! per step.
//!
//! All buffers are allocated once, for the largest batch; a step allocates
//! nothing.

use crate::data::Dataset;
use crate::kernels::{self, Measurements, Rate, Real, StepShape, padded};
use crate::net::{Activation, Cost, Network};

/// A network's weights as the kernels take them: the w^(l+1) (n_(l+1) x
/// n_l) of each weight layer l as its transpose, n_l rows of n_(l+1)
/// weights, each row padded with zeros to `padded(n_(l+1))` (see
/// [`kernels::LANES`]). Training keeps its weights so during an epoch;
/// `Network` holds them row-major, as network2.py does.
#[derive(Debug, Clone)]
pub struct KernelWeights<T> {
    sizes: Vec<usize>,
    /// `layers[l]` = (w^(l+1))^T, n_l x padded(n_(l+1)).
    pub layers: Vec<Vec<T>>,
}

impl<T: Real> KernelWeights<T> {
    /// `net`'s weights, transposed and padded.
    pub fn of(net: &Network<T>) -> KernelWeights<T> {
        KernelWeights {
            sizes: net.sizes().to_vec(),
            layers: (0..net.layers())
                .map(|l| {
                    let (n_out, n_in) = net.shape(l);
                    kernels::to_kernel_layout(&net.weights[l], n_out, n_in)
                })
                .collect(),
        }
    }

    /// (n_out, n_in) = (n_(l+1), n_l): the shape of weight layer l, w^(l+1),
    /// as `Network::shape` gives it.
    pub fn shape(&self, l: usize) -> (usize, usize) {
        (self.sizes[l + 1], self.sizes[l])
    }

    /// Write these weights into `net`, row-major.
    pub fn write_to(&self, net: &mut Network<T>) {
        assert_eq!(net.sizes(), self.sizes.as_slice());
        for (l, wt) in self.layers.iter().enumerate() {
            let (n_out, n_in) = net.shape(l);
            kernels::from_kernel_layout(wt, n_out, n_in, &mut net.weights[l]);
        }
    }
}

/// The buffers of the forward and backward passes over one mini-batch:
/// activations, errors and the bias gradients, sized once for batches of up
/// to `capacity` examples.
pub struct Backprop<T> {
    sizes: Vec<usize>,
    /// Largest number of rows (examples) a batch may have.
    capacity: usize,
    /// `activations[l]` = A^l, the input of weight layer l (l = L: the
    /// output), up to capacity rows of padded(n_l); `activations[0]` is X.
    /// Padding is never read.
    activations: Vec<Vec<T>>,
    /// Examples in the batch of the last forward pass.
    rows: usize,
    /// `deltas[l]` = Delta^(l+1), the errors of weight layer l's outputs,
    /// up to capacity rows of padded(n_(l+1)). Padding stays zero: the
    /// kernels read whole rows of it.
    deltas: Vec<Vec<T>>,
    /// `grad_b[l]` = g_b^(l+1) = sum over the batch of dC_x/db^(l+1), the
    /// bias gradient of weight layer l (the first n_(l+1) entries;
    /// padded(n_(l+1)) long).
    pub grad_b: Vec<Vec<T>>,
    /// Room for the w of one weight layer l >= 1, row-major with rows
    /// padded, for the backward product (layer 0's is never needed).
    weights_rows: Vec<T>,
    /// `inputs[l][..input_counts[l]]`: the inputs i of weight layer l (the
    /// columns of A^l) that are not zero in every example of the batch (see
    /// `kernels::nonzero_columns`); the kernels skip the others.
    inputs: Vec<Vec<u32>>,
    input_counts: Vec<usize>,
    /// The output layer is a softmax (the log-likelihood cost's), not a
    /// sigmoid.
    softmax_output: bool,
    /// The hidden layers' activation.
    hidden: Activation,
}

impl<T: Real> Backprop<T> {
    /// Buffers for networks shaped as `net` (its sizes, its cost, which
    /// sets the output layer's activation, and its hidden activation) and
    /// batches of up to `capacity` examples.
    pub fn new(net: &Network<T>, capacity: usize) -> Backprop<T> {
        let sizes = net.sizes();
        Backprop {
            softmax_output: net.cost.softmax_output(),
            hidden: net.hidden,
            sizes: sizes.to_vec(),
            capacity,
            activations: sizes
                .iter()
                .map(|&n_l| vec![T::zero(); capacity * padded(n_l)])
                .collect(),
            rows: 0,
            deltas: sizes[1..]
                .iter()
                .map(|&n_out| vec![T::zero(); capacity * padded(n_out)])
                .collect(),
            grad_b: sizes[1..]
                .iter()
                .map(|&n_out| vec![T::zero(); padded(n_out)])
                .collect(),
            inputs: sizes[..sizes.len() - 1]
                .iter()
                .map(|&n_in| vec![0; n_in])
                .collect(),
            input_counts: vec![0; sizes.len() - 1],
            weights_rows: vec![
                T::zero();
                (1..sizes.len() - 1)
                    .map(|l| sizes[l + 1] * padded(sizes[l]))
                    .max()
                    .unwrap_or(0)
            ],
        }
    }

    /// The shapes of weight layer l for the current batch.
    fn shape(&self, l: usize) -> StepShape {
        StepShape {
            m: self.rows,
            n_out: self.sizes[l + 1],
            n_in: self.sizes[l],
        }
    }

    /// The input rows X (rows of padded(n_0)), to be filled before
    /// [`Backprop::forward`].
    pub fn input_mut(&mut self, rows: usize) -> &mut [T] {
        assert!(rows <= self.capacity);
        &mut self.activations[0][..rows * padded(self.sizes[0])]
    }

    /// The rows of A^l (n_l values each) of the first `rows` examples: the
    /// input of weight layer l, or for l = L the output.
    pub fn activation_rows(&self, l: usize, rows: usize) -> impl Iterator<Item = &[T]> {
        let n_l = self.sizes[l];
        self.activations[l]
            .chunks_exact(padded(n_l))
            .take(rows)
            .map(move |row| &row[..n_l])
    }

    /// The rows of Delta^(l+1) (n_(l+1) values each) of the first `rows`
    /// examples after [`Backprop::backward`]: row x is dC_x/db^(l+1), and
    /// dC_x/dw^(l+1) is its outer product with row x of A^l.
    pub fn delta_rows(&self, l: usize, rows: usize) -> impl Iterator<Item = &[T]> {
        let n_out = self.sizes[l + 1];
        self.deltas[l]
            .chunks_exact(padded(n_out))
            .take(rows)
            .map(move |row| &row[..n_out])
    }

    /// Forward pass: A^(l+1) = sigma(A^l (w^(l+1))^T + b^(l+1)) for each
    /// weight layer l = 0..L-1.
    pub fn forward(&mut self, weights: &KernelWeights<T>, biases: &[Vec<T>], rows: usize) {
        assert!(rows <= self.capacity);
        let n_in = self.sizes[0];
        let x = &self.activations[0][..rows * padded(n_in)];
        let input_columns = kernels::nonzero_columns(x, rows, n_in, &mut self.inputs[0]);
        self.forward_given_input_columns(weights, biases, rows, input_columns, &mut |_, _| {});
    }

    /// [`Backprop::forward`] on the images `examples` of `data`: X is
    /// written by `Dataset::write_inputs`, and its nonzero columns are
    /// found from the stored pixels (`Dataset::nonzero_inputs`, cheaper
    /// than from X).
    pub fn forward_images(
        &mut self,
        weights: &KernelWeights<T>,
        biases: &[Vec<T>],
        data: &Dataset,
        examples: &[usize],
    ) {
        self.forward_images_watched(weights, biases, data, examples, &mut |_, _| {});
    }

    /// [`Backprop::forward_images`], showing `weighted_input(l, wa)` each
    /// weight layer l's weighted inputs W a before the bias is added: `wa`
    /// holds the batch's rows of padded(n_out) values (w^(l+1) a^l of one
    /// example in the first n_out of each row).
    pub fn forward_images_watched(
        &mut self,
        weights: &KernelWeights<T>,
        biases: &[Vec<T>],
        data: &Dataset,
        examples: &[usize],
        weighted_input: &mut impl FnMut(usize, &[T]),
    ) {
        let rows = examples.len();
        data.write_inputs(examples, self.input_mut(rows));
        let input_columns = data.nonzero_inputs(examples, &mut self.inputs[0]);
        self.forward_given_input_columns(weights, biases, rows, input_columns, weighted_input);
    }

    /// [`Backprop::forward`], with the columns of X that have a nonzero
    /// entry (all of them, increasing) already in the first
    /// `input_columns` places of `inputs[0]`, showing `weighted_input` each
    /// layer's W a (see [`Backprop::forward_images_watched`]).
    fn forward_given_input_columns(
        &mut self,
        weights: &KernelWeights<T>,
        biases: &[Vec<T>],
        rows: usize,
        input_columns: usize,
        weighted_input: &mut impl FnMut(usize, &[T]),
    ) {
        assert!(rows <= self.capacity);
        assert_eq!(weights.sizes, self.sizes);
        self.rows = rows;
        self.input_counts[0] = input_columns;
        for (l, (wt, b)) in weights.layers.iter().zip(biases).enumerate() {
            let shape = self.shape(l);
            let (before, after) = self.activations.split_at_mut(l + 1);
            let a_prev = &before[l][..rows * padded(shape.n_in)];
            let a = &mut after[0][..rows * padded(shape.n_out)];
            let inputs = &mut self.inputs[l];
            if l > 0 {
                self.input_counts[l] = kernels::nonzero_columns(a_prev, rows, shape.n_in, inputs);
            }
            kernels::forward_product(a, a_prev, wt, shape, &inputs[..self.input_counts[l]]);
            weighted_input(l, a);
            let output = l + 1 == weights.layers.len();
            match (output, self.softmax_output, self.hidden) {
                (true, true, _) => kernels::add_bias_and_softmax(a, b),
                (false, _, Activation::Tanh) => kernels::add_bias_and_tanh(a, b),
                _ => kernels::add_bias_and_sigmoid(a, b),
            }
        }
    }

    /// Backward pass after [`Backprop::forward`]: the errors Delta^(l+1) of
    /// every weight layer l, and in `grad_b` the bias gradients summed over
    /// the batch, whose examples are labelled `labels`.
    pub fn backward(&mut self, weights: &KernelWeights<T>, cost: Cost, labels: &[u8]) {
        let rows = labels.len();
        assert_eq!(rows, self.rows, "one label per example of the forward pass");
        // The last weight layer, L - 1.
        let last = self.sizes.len() - 2;

        // Delta^L = output error, targets y = one-hot(label).
        let n_out = self.sizes[last + 1];
        let outputs = self.activations[last + 1].chunks_exact(padded(n_out));
        let deltas = self.deltas[last].chunks_exact_mut(padded(n_out));
        for ((d_row, a_row), &label) in deltas.zip(outputs).zip(labels) {
            for (j, (d, &a)) in d_row[..n_out].iter_mut().zip(a_row).enumerate() {
                let y = if j == label as usize {
                    T::one()
                } else {
                    T::zero()
                };
                *d = cost.output_delta(a, y);
            }
        }

        for l in (0..=last).rev() {
            let shape = self.shape(l);
            let (out_stride, in_stride) = (padded(shape.n_out), padded(shape.n_in));
            let delta = &self.deltas[l][..rows * out_stride];
            kernels::column_sums(&mut self.grad_b[l], delta);
            if l > 0 {
                // Delta^l = (Delta^(l+1) w^(l+1)) .* sigma'(Z^l), with
                // sigma'(z) = a (1 - a) (sigmoid) or 1 - a^2 (tanh).
                let (lower, upper) = self.deltas.split_at_mut(l);
                let delta = &upper[0][..rows * out_stride];
                let delta_prev = &mut lower[l - 1][..rows * in_stride];
                let w = &mut self.weights_rows;
                kernels::backward_product(delta_prev, delta, &weights.layers[l], shape, w);
                let a_prev = &self.activations[l][..rows * in_stride];
                for (d_row, a_row) in delta_prev
                    .chunks_exact_mut(in_stride)
                    .zip(a_prev.chunks_exact(in_stride))
                {
                    for (d, &a) in d_row[..shape.n_in].iter_mut().zip(a_row) {
                        *d *= self.hidden.derivative(a);
                    }
                }
            }
        }
    }

    /// The update rule on weight layer l (W^T in the kernels' layout)
    /// after [`Backprop::backward`], fused with its gradient
    /// G^(l+1) = (Delta^(l+1))^T A^l, which is never stored:
    /// w <- w - rate.decay w - rate.step G, see [`kernels::gradient_step`].
    pub fn step_weights(
        &self,
        l: usize,
        wt: &mut [T],
        rate: Rate<T>,
        measurements: Option<Measurements<T>>,
    ) {
        let shape = self.shape(l);
        let m = self.rows;
        kernels::gradient_step(
            wt,
            &self.activations[l][..m * padded(shape.n_in)],
            &self.deltas[l][..m * padded(shape.n_out)],
            shape,
            rate,
            measurements,
            &self.inputs[l][..self.input_counts[l]],
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{Cost, Init};
    use rand::{RngExt, SeedableRng};

    /// G^(l+1) = sum_x dC_x/dw^(l+1) of weight layer l, read off the fused
    /// update: from w = 0 with no decay and a step of -1, w - 0 w - (-1) g
    /// = g exactly.
    fn weight_gradient(bp: &Backprop<f64>, l: usize) -> Vec<f64> {
        let (n_out, n_in) = (bp.sizes[l + 1], bp.sizes[l]);
        let mut gt = vec![0.0; n_in * padded(n_out)];
        let rate = Rate {
            decay: 0.0,
            step: -1.0,
        };
        bp.step_weights(l, &mut gt, rate, None);
        let mut g = vec![0.0; n_out * n_in];
        kernels::from_kernel_layout(&gt, n_out, n_in, &mut g);
        g
    }

    /// x (rows x n_0) as the input of `bp`.
    fn set_input(bp: &mut Backprop<f64>, x: &[f64], rows: usize) {
        let n_0 = bp.sizes[0];
        let input = bp.input_mut(rows);
        for (row, x_row) in input.chunks_exact_mut(padded(n_0)).zip(x.chunks_exact(n_0)) {
            row[..n_0].copy_from_slice(x_row);
        }
    }

    /// sum_x C_x over a batch, by a forward pass.
    fn batch_cost(net: &Network<f64>, x: &[f64], labels: &[u8]) -> f64 {
        let mut bp = Backprop::new(net, labels.len());
        set_input(&mut bp, x, labels.len());
        bp.forward(&KernelWeights::of(net), &net.biases, labels.len());
        bp.activation_rows(net.layers(), labels.len())
            .zip(labels)
            .map(|(a, &y)| net.cost.example_cost(a, y as usize))
            .sum()
    }

    /// Backprop's gradient against central finite differences, every weight
    /// and bias, in f64.
    fn check_gradient(sizes: &[usize], cost: Cost) {
        check_gradient_of(sizes, cost, Activation::Sigmoid)
    }

    /// `check_gradient` with hidden neurons of `hidden`.
    fn check_gradient_of(sizes: &[usize], cost: Cost, hidden: Activation) {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let net: Network<f64> =
            Network::new(sizes, Init::Default, cost, &mut rng).with_hidden(hidden);
        let rows = 4;
        let x: Vec<f64> = (0..rows * sizes[0]).map(|_| rng.random::<f64>()).collect();
        let classes = *sizes.last().unwrap() as u8;
        let labels: Vec<u8> = (0..rows as u8).map(|i| i % classes).collect();

        let mut bp = Backprop::new(&net, rows);
        set_input(&mut bp, &x, rows);
        let weights = KernelWeights::of(&net);
        bp.forward(&weights, &net.biases, rows);
        bp.backward(&weights, net.cost, &labels);

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
        check_gradient(&[5, 4, 3], Cost::LogLikelihood);
        check_gradient_of(&[5, 4, 3], Cost::CrossEntropy, Activation::Tanh);
    }

    #[test]
    fn gradient_matches_finite_differences_four_layers() {
        check_gradient(&[6, 5, 4, 3], Cost::CrossEntropy);
        check_gradient(&[6, 5, 4, 3], Cost::Quadratic);
        check_gradient(&[6, 5, 4, 3], Cost::LogLikelihood);
        check_gradient_of(&[6, 5, 4, 3], Cost::LogLikelihood, Activation::Tanh);
    }
}
