//! The kernels' tests, by topic: the products against their definitions
//! (the textbook loops, in f64), the fused step, every instruction-set
//! level this CPU has against the portable code bit for bit, and the
//! elementwise functions. This file holds what they share.
//!
//! Shapes as in [`StepShape`]: m examples, n_out outputs of the layer (rows
//! of w), n_in inputs (columns of w).

use super::*;

mod elementwise;
mod instruction_sets;
mod products;
mod step;

fn filled(len: usize, seed: u64) -> Vec<f64> {
    (0..len)
        .map(|i| (((i as u64 + 1) * (seed * 2 + 7919)) % 97) as f64 / 13.0 - 3.5)
        .collect()
}

/// Each value rounded to T.
fn cast<T: Real>(x: &[f64]) -> Vec<T> {
    x.iter().map(|&v| T::from_f64(v)).collect()
}

/// The bits of each value (as f64, which holds every f32 exactly): equal
/// only where the values are the same bits, -0 apart from +0.
fn bits<T: Real>(x: &[T]) -> Vec<u64> {
    x.iter().map(|&v| v.as_f64().to_bits()).collect()
}

/// `rows` rows of `len` values, each padded with zeros to `padded(len)`.
fn pad_rows<T: Real>(x: &[T], rows: usize, len: usize) -> Vec<T> {
    assert_eq!(x.len(), rows * len);
    let mut out = vec![T::zero(); rows * padded(len)];
    for (o, r) in out.chunks_exact_mut(padded(len)).zip(x.chunks_exact(len)) {
        o[..len].copy_from_slice(r);
    }
    out
}

/// The padding of rows of `len` padded values, which must all be zero.
fn padding<T: Real>(x: &[T], len: usize) -> Vec<T> {
    x.chunks_exact(padded(len))
        .flat_map(|r| r[len..].to_vec())
        .collect()
}

/// Every input 0..n_in, as the kernels' `inputs`.
fn all_inputs(n_in: usize) -> Vec<u32> {
    (0..n_in as u32).collect()
}

/// A batch of a layer: activations A (m x n_in), errors D (m x n_out) and
/// weights w (n_out x n_in), row-major and unpadded.
struct Layer {
    shape: StepShape,
    a: Vec<f64>,
    d: Vec<f64>,
    w: Vec<f64>,
}

impl Layer {
    fn new(m: usize, n_out: usize, n_in: usize, seed: u64) -> Layer {
        Layer {
            shape: StepShape { m, n_out, n_in },
            a: filled(m * n_in, seed),
            d: filled(m * n_out, seed + 1),
            w: filled(n_out * n_in, seed + 2)
                .iter()
                .map(|x| x * 0.1)
                .collect(),
        }
    }
    /// The same layer with inputs 0..5, 20..53 and every third one zero
    /// in every example.
    fn with_zero_inputs(mut self) -> Layer {
        let StepShape { n_in, .. } = self.shape;
        for row in self.a.chunks_exact_mut(n_in) {
            for (i, x) in row.iter_mut().enumerate() {
                if i < 5 || (20..53).contains(&i) || i % 3 == 0 {
                    *x = 0.0;
                }
            }
        }
        self
    }
    /// The inputs not zero in every example.
    fn nonzero_inputs(&self) -> Vec<u32> {
        let StepShape { m, n_in, .. } = self.shape;
        (0..n_in)
            .filter(|&i| (0..m).any(|b| self.a[b * n_in + i] != 0.0))
            .map(|i| i as u32)
            .collect()
    }
    /// A (rows padded), D (rows padded with zeros) and W^T (in the kernels'
    /// layout), rounded to T.
    fn in_kernel_layout<T: Real>(&self) -> (Vec<T>, Vec<T>, Vec<T>) {
        let StepShape { m, n_out, n_in } = self.shape;
        (
            pad_rows(&cast(&self.a), m, n_in),
            pad_rows(&cast(&self.d), m, n_out),
            to_kernel_layout(&cast(&self.w), n_out, n_in),
        )
    }
    /// `z[b][j]` = sum_i `a[b][i]` `w[j][i]`, by the textbook loop.
    fn z(&self, b: usize, j: usize) -> f64 {
        let n_in = self.shape.n_in;
        (0..n_in)
            .map(|i| self.a[b * n_in + i] * self.w[j * n_in + i])
            .sum()
    }
    /// `g[j][i]` = sum_b `d[b][j]` `a[b][i]`.
    fn g(&self, j: usize, i: usize) -> f64 {
        let StepShape { m, n_out, n_in } = self.shape;
        (0..m)
            .map(|b| self.d[b * n_out + j] * self.a[b * n_in + i])
            .sum()
    }
}

/// A gradient step's signature.
type StepKernel<T> = fn(&mut [T], &[T], &[T], StepShape, Rate<T>, Option<Measurements<T>>, &[u32]);

/// One measured step of `layer` in T, by `kernel` (the dispatched one or
/// one instruction set's) over `inputs`: the new W^T, the weight sums
/// (starting from 1) and the products (starting from NaN); with `sums`
/// false, no weight sums.
fn measured_step<T: Real>(
    layer: &Layer,
    sums: bool,
    kernel: StepKernel<T>,
    inputs: &[u32],
) -> (Vec<T>, Vec<T>, Vec<[T; 3]>) {
    let (a, d, mut wt) = layer.in_kernel_layout::<T>();
    let rate = Rate {
        decay: T::from_f64(1e-5),
        step: T::from_f64(0.01),
    };
    let mut weight_sums = vec![T::one(); if sums { wt.len() } else { 0 }];
    let mut products = vec![[T::nan(); 3]; layer.shape.n_out];
    let measurements = Measurements {
        weight_sums: sums.then_some(weight_sums.as_mut_slice()),
        products: &mut products,
    };
    kernel(
        &mut wt,
        &a,
        &d,
        layer.shape,
        rate,
        Some(measurements),
        inputs,
    );
    (wt, weight_sums, products)
}

/// The bits of a measured step's results.
fn step_bits<T: Real>((wt, sums, products): &(Vec<T>, Vec<T>, Vec<[T; 3]>)) -> [Vec<u64>; 3] {
    [bits(wt), bits(sums), bits(products.as_flattened())]
}
