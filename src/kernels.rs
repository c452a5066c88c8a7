//! The few dense operations a training step needs, on row-major matrices.
//!
//! Shapes are written `rows x cols`; a matrix is a contiguous slice whose row
//! `i` is `data[i*cols .. (i+1)*cols]`. Every reduction runs in a fixed order
//! (a fixed number of partial sums, combined in a fixed order), so results do
//! not depend on the number of threads or on where the data sits in memory.
//! None of these functions allocates.

use std::fmt::Debug;
use std::ops::{AddAssign, MulAssign, SubAssign};

/// A floating-point type the network can be trained in: `f32` or `f64`.
pub trait Real:
    num_traits::Float + AddAssign + SubAssign + MulAssign + Default + Debug + Send + Sync + 'static
{
    /// "f32" or "f64", as the `--precision` flag spells it.
    const NAME: &'static str;
    fn from_f64(x: f64) -> Self;
    fn as_f64(self) -> f64;
}

impl Real for f32 {
    const NAME: &'static str = "f32";
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    fn as_f64(self) -> f64 {
        self as f64
    }
}

impl Real for f64 {
    const NAME: &'static str = "f64";
    fn from_f64(x: f64) -> Self {
        x
    }
    fn as_f64(self) -> f64 {
        self
    }
}

/// Number of partial sums a dot product keeps: enough independent chains for
/// the compiler to map them onto one SIMD register and keep it busy.
const LANES: usize = 16;

/// <a, b> = sum_k a_k b_k, with `LANES` partial sums added in a fixed order.
pub fn dot<T: Real>(a: &[T], b: &[T]) -> T {
    assert_eq!(a.len(), b.len());
    let mut partial = [T::zero(); LANES];
    let (a_body, a_tail) = a.split_at(a.len() - a.len() % LANES);
    let (b_body, b_tail) = b.split_at(a_body.len());
    for (a_chunk, b_chunk) in a_body.chunks_exact(LANES).zip(b_body.chunks_exact(LANES)) {
        for lane in 0..LANES {
            partial[lane] += a_chunk[lane] * b_chunk[lane];
        }
    }
    for (lane, (&x, &y)) in a_tail.iter().zip(b_tail).enumerate() {
        partial[lane] += x * y;
    }
    partial.iter().fold(T::zero(), |sum, &p| sum + p)
}

/// y <- y + alpha x
pub fn axpy<T: Real>(alpha: T, x: &[T], y: &mut [T]) {
    assert_eq!(x.len(), y.len());
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// C (m x n) = A (m x k) B^T, where B is (n x k).
///
/// Forward pass: Z = A_prev W^T, each entry a dot product of two rows.
pub fn matmul_a_bt<T: Real>(c: &mut [T], a: &[T], b: &[T], m: usize, k: usize, n: usize) {
    assert_eq!(c.len(), m * n);
    assert_eq!(a.len(), m * k);
    assert_eq!(b.len(), n * k);
    for (c_row, a_row) in c.chunks_exact_mut(n).zip(a.chunks_exact(k)) {
        for (c_ij, b_row) in c_row.iter_mut().zip(b.chunks_exact(k)) {
            *c_ij = dot(a_row, b_row);
        }
    }
}

/// C (m x n) = A (m x k) B, where B is (k x n).
///
/// Backward pass: Delta_prev = Delta W, each row a sum of rows of W.
pub fn matmul_a_b<T: Real>(c: &mut [T], a: &[T], b: &[T], m: usize, k: usize, n: usize) {
    assert_eq!(c.len(), m * n);
    assert_eq!(a.len(), m * k);
    assert_eq!(b.len(), k * n);
    for (c_row, a_row) in c.chunks_exact_mut(n).zip(a.chunks_exact(k)) {
        c_row.fill(T::zero());
        for (&a_ij, b_row) in a_row.iter().zip(b.chunks_exact(n)) {
            axpy(a_ij, b_row, c_row);
        }
    }
}

/// C (n x k) = A^T B, where A is (m x n) and B is (m x k).
///
/// Backward pass: the summed weight gradient G = Delta^T A_prev, row j of G
/// being sum_i Delta[i][j] A_prev[i].
pub fn matmul_at_b<T: Real>(c: &mut [T], a: &[T], b: &[T], m: usize, n: usize, k: usize) {
    assert_eq!(c.len(), n * k);
    assert_eq!(a.len(), m * n);
    assert_eq!(b.len(), m * k);
    c.fill(T::zero());
    for (a_row, b_row) in a.chunks_exact(n).zip(b.chunks_exact(k)) {
        for (&a_ij, c_row) in a_row.iter().zip(c.chunks_exact_mut(k)) {
            axpy(a_ij, b_row, c_row);
        }
    }
}

/// sum over rows: s (n) = sum_i A[i] for A (m x n). The bias gradient.
pub fn column_sums<T: Real>(s: &mut [T], a: &[T]) {
    let n = s.len();
    assert_eq!(a.len() % n.max(1), 0);
    s.fill(T::zero());
    for row in a.chunks_exact(n) {
        axpy(T::one(), row, s);
    }
}

/// The logistic function sigma(z) = 1 / (1 + e^-z).
pub fn sigmoid<T: Real>(z: T) -> T {
    T::one() / (T::one() + (-z).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook triple loop, to check the kernels against.
    fn naive(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                for p in 0..k {
                    c[i * n + j] += a[i * k + p] * b[p * n + j];
                }
            }
        }
        c
    }

    fn transpose(a: &[f64], rows: usize, cols: usize) -> Vec<f64> {
        let mut t = vec![0.0; rows * cols];
        for i in 0..rows {
            for j in 0..cols {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        t
    }

    fn filled(len: usize, seed: u64) -> Vec<f64> {
        (0..len)
            .map(|i| (((i as u64 + 1) * (seed * 2 + 7919)) % 97) as f64 / 13.0 - 3.5)
            .collect()
    }

    fn assert_close(x: &[f64], y: &[f64]) {
        assert_eq!(x.len(), y.len());
        for (a, b) in x.iter().zip(y) {
            assert!((a - b).abs() <= 1e-12 * (1.0 + b.abs()), "{a} vs {b}");
        }
    }

    #[test]
    fn products_match_the_triple_loop() {
        // Odd sizes exercise the tails of the dot product.
        let (m, k, n) = (5, 37, 3);
        let a = filled(m * k, 1);
        let b = filled(k * n, 2);
        let expected = naive(&a, &b, m, k, n);

        let mut c = vec![0.0; m * n];
        matmul_a_b(&mut c, &a, &b, m, k, n);
        assert_close(&c, &expected);

        let bt = transpose(&b, k, n);
        matmul_a_bt(&mut c, &a, &bt, m, k, n);
        assert_close(&c, &expected);

        let at = transpose(&a, m, k);
        let mut c = vec![0.0; m * n];
        matmul_at_b(&mut c, &at, &b, k, m, n);
        assert_close(&c, &expected);
    }

    #[test]
    fn column_sums_add_rows() {
        let a = [1.0, 2.0, 3.0, 10.0, 20.0, 30.0];
        let mut s = [0.0; 3];
        column_sums(&mut s, &a);
        assert_eq!(s, [11.0, 22.0, 33.0]);
    }

    #[test]
    fn sigmoid_values() {
        assert_eq!(sigmoid(0.0f64), 0.5);
        assert!((sigmoid(2.0f64) - 0.8807970779778823).abs() < 1e-15);
        assert_eq!(sigmoid(-1000.0f64), 0.0);
        assert_eq!(sigmoid(1000.0f32), 1.0);
    }
}
