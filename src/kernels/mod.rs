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
    /// A small integer (a pixel value or a sum of a few), exactly.
    fn from_u16(x: u16) -> Self;
    /// p / white correctly rounded to this type, for white <= 4080 (a
    /// pooled white pixel); `inverse` is 1/white in f64.
    fn pixel_ratio(p: u16, white: u16, inverse: f64) -> Self;
}

impl Real for f32 {
    const NAME: &'static str = "f32";
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    fn as_f64(self) -> f64 {
        self as f64
    }
    fn from_u16(x: u16) -> Self {
        x as f32
    }
    /// In f64, p * (1/white) is within 2^-52 (relative) of p/white, while
    /// p/white, a fraction with denominator <= 4080, is at least 2^-37 away
    /// from any point halfway between two f32 values: rounding the f64
    /// product to f32 gives the correctly rounded quotient, without a
    /// division.
    fn pixel_ratio(p: u16, _white: u16, inverse: f64) -> Self {
        (p as f64 * inverse) as f32
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
    fn from_u16(x: u16) -> Self {
        x as f64
    }
    fn pixel_ratio(p: u16, white: u16, _inverse: f64) -> Self {
        p as f64 / white as f64
    }
}

mod portable;

/// Run `portable::$kernel` compiled for the best instruction set this CPU
/// has. The portable code is written so that every instruction set gives the
/// same bits: no fused multiply-add (Rust never contracts `a*b + c`), and the
/// same partial sums added in the same order.
macro_rules! dispatch {
    ($kernel:ident, $($arg:expr),*) => {{
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                // SAFETY: the CPU supports AVX-512F, AVX2 and FMA, the
                // features the wrapper is compiled for, checked just above.
                return unsafe { x86::avx512::$kernel($($arg),*) };
            }
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                // SAFETY: the CPU supports AVX2 and FMA, checked just above.
                return unsafe { x86::avx2::$kernel($($arg),*) };
            }
        }
        portable::$kernel($($arg),*)
    }};
}

/// The portable kernels compiled with wider vector instructions enabled.
#[cfg(target_arch = "x86_64")]
mod x86 {
    macro_rules! with_features {
        ($name:ident, $features:literal) => {
            pub mod $name {
                use super::super::{Real, portable};

                #[target_feature(enable = $features)]
                pub fn matmul_a_bt<T: Real>(
                    c: &mut [T],
                    a: &[T],
                    b: &[T],
                    m: usize,
                    k: usize,
                    n: usize,
                ) {
                    portable::matmul_a_bt(c, a, b, m, k, n)
                }

                #[target_feature(enable = $features)]
                pub fn weighted_row_sums<T: Real>(
                    g: &mut [T],
                    a: &[T],
                    coefficients: &[T],
                    first: usize,
                ) {
                    portable::weighted_row_sums(g, a, coefficients, first)
                }

                #[target_feature(enable = $features)]
                pub fn decay_and_step<T: Real>(w: &mut [T], g: &[T], c: T, step: T) {
                    portable::decay_and_step(w, g, c, step)
                }

                #[target_feature(enable = $features)]
                pub fn scale_pixels<T: Real, P: Copy + Into<u16>>(
                    out: &mut [T],
                    pixels: &[P],
                    white: u16,
                ) {
                    portable::scale_pixels(out, pixels, white)
                }

                #[target_feature(enable = $features)]
                pub fn decay_and_step_measured<T: Real>(
                    w: &mut [T],
                    g: &[T],
                    c: T,
                    step: T,
                    s: &mut [T],
                ) -> (T, T, T) {
                    portable::decay_and_step_measured(w, g, c, step, s)
                }
            }
        };
    }
    with_features!(avx512, "avx512f,avx2,fma");
    with_features!(avx2, "avx2,fma");
}

/// C (m x n) = A (m x k) B^T, where B is (n x k): each entry the dot product
/// of a row of A and a row of B.
///
/// Forward pass: Z = A_prev W^T.
pub fn matmul_a_bt<T: Real>(c: &mut [T], a: &[T], b: &[T], m: usize, k: usize, n: usize) {
    dispatch!(matmul_a_bt, c, a, b, m, k, n)
}

/// Two weighted sums of the rows of A (m x k), weighted by two columns of
/// D (m x d): g (2 x k) row 0 = sum_i D[i][first] A[i], row 1 = the same
/// for column first + 1 (or again `first` if it is the last column).
///
/// Backward pass: rows j and j+1 of the summed weight gradient,
/// sum_x dC_x/dw_j = sum_x delta_j(x) a_prev(x).
pub fn weighted_row_sums<T: Real>(g: &mut [T], a: &[T], coefficients: &[T], first: usize) {
    dispatch!(weighted_row_sums, g, a, coefficients, first)
}

/// out = pixels / white, elementwise, divided in T: stored pixel values
/// (bytes, or sums of pooled bytes) to inputs in [0, 1].
pub fn scale_pixels<T: Real, P: Copy + Into<u16>>(out: &mut [T], pixels: &[P], white: u16) {
    dispatch!(scale_pixels, out, pixels, white)
}

/// Ask the CPU to bring `data` into its caches ahead of use (a hint: no
/// effect on results). The training set is read in shuffled order, so the
/// hardware cannot guess which image comes next; the step prefetches the
/// next batch's images while it computes on the current one.
pub fn prefetch<P>(data: &[P]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        const LINE: usize = 64;
        let bytes = std::mem::size_of_val(data);
        let start = data.as_ptr() as *const i8;
        for offset in (0..bytes).step_by(LINE) {
            // SAFETY: `start + offset` stays inside `data` (offset < its
            // size in bytes); a prefetch reads nothing architecturally and
            // cannot fault; SSE, which provides it, is part of every x86_64 CPU.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(start.add(offset)) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = data;
}

/// w <- w - c w - step g, elementwise: the update rule on one row of weights.
pub fn decay_and_step<T: Real>(w: &mut [T], g: &[T], c: T, step: T) {
    dispatch!(decay_and_step, w, g, c, step)
}

/// The update rule on one row with the probes' measurements in the same
/// pass: w <- w - c w - step g (the same bits as [`decay_and_step`]),
/// s <- s + w (the weights before the step, summed over an epoch), and the
/// return value (|w|^2, <w, g>, |g|^2) before the step: the norm budget's
/// ingredients.
pub fn decay_and_step_measured<T: Real>(
    w: &mut [T],
    g: &[T],
    c: T,
    step: T,
    s: &mut [T],
) -> (T, T, T) {
    dispatch!(decay_and_step_measured, w, g, c, step, s)
}

/// C (m x n) = A (m x k) B, where B is (k x n).
///
/// Backward pass: Delta_prev = Delta W, each row a sum of rows of W (small:
/// k is the width of the next layer).
pub fn matmul_a_b<T: Real>(c: &mut [T], a: &[T], b: &[T], m: usize, k: usize, n: usize) {
    assert_eq!(c.len(), m * n);
    assert_eq!(a.len(), m * k);
    assert_eq!(b.len(), k * n);
    for (c_row, a_row) in c.chunks_exact_mut(n).zip(a.chunks_exact(k)) {
        c_row.fill(T::zero());
        for (&a_ij, b_row) in a_row.iter().zip(b.chunks_exact(n)) {
            for (c_j, &b_j) in c_row.iter_mut().zip(b_row) {
                *c_j += a_ij * b_j;
            }
        }
    }
}

/// sum over rows: s (n) = sum_i A[i] for A (m x n). The bias gradient.
pub fn column_sums<T: Real>(s: &mut [T], a: &[T]) {
    let n = s.len();
    s.fill(T::zero());
    for row in a.chunks_exact(n) {
        for (s_j, &a_j) in s.iter_mut().zip(row) {
            *s_j += a_j;
        }
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

        // Row j of C^T = sum_p B[p][j] A^T[p]: the rows of A^T weighted by
        // column j of B.
        let at = transpose(&a, m, k);
        let expected_t = transpose(&expected, m, n);
        for j in 0..n {
            let mut g = vec![0.0; 2 * m];
            weighted_row_sums(&mut g, &at, &b, j);
            assert_close(&g[..m], &expected_t[j * m..(j + 1) * m]);
            let next = (j + 1).min(n - 1);
            assert_close(&g[m..], &expected_t[next * m..(next + 1) * m]);
        }
    }

    #[test]
    fn a_row_gives_the_same_bits_in_a_block_and_alone() {
        let (m, k, n) = (6, 100, 3);
        let a: Vec<f32> = filled(m * k, 3).iter().map(|&x| x as f32).collect();
        let b: Vec<f32> = filled(n * k, 4).iter().map(|&x| x as f32).collect();
        let mut together = vec![0.0f32; m * n];
        matmul_a_bt(&mut together, &a, &b, m, k, n);
        for i in 0..m {
            let mut alone = vec![0.0f32; n];
            matmul_a_bt(&mut alone, &a[i * k..(i + 1) * k], &b, 1, k, n);
            assert_eq!(alone, together[i * n..(i + 1) * n], "row {i}");
        }
    }

    #[test]
    fn measured_update_gives_the_same_bits_and_the_products() {
        let k = 37;
        let w0: Vec<f32> = filled(k, 5).iter().map(|&x| x as f32).collect();
        let g: Vec<f32> = filled(k, 6).iter().map(|&x| x as f32).collect();
        let (c, step) = (1e-5f32, 0.01f32);
        let mut plain = w0.clone();
        decay_and_step(&mut plain, &g, c, step);
        let mut measured = w0.clone();
        let mut sums = vec![1.0f32; k];
        let (ww, wg, gg) = decay_and_step_measured(&mut measured, &g, c, step, &mut sums);
        assert_eq!(plain, measured);
        let exact = |x: &[f32], y: &[f32]| {
            x.iter()
                .zip(y)
                .map(|(&a, &b)| a as f64 * b as f64)
                .sum::<f64>()
        };
        for (got, want) in [
            (ww, exact(&w0, &w0)),
            (wg, exact(&w0, &g)),
            (gg, exact(&g, &g)),
        ] {
            assert!(
                (got as f64 - want).abs() < 1e-5 * want.abs().max(1.0),
                "{got} vs {want}"
            );
        }
        assert!(sums.iter().zip(&w0).all(|(&s, &w)| s == 1.0 + w));
    }

    #[test]
    fn every_instruction_set_gives_the_portable_bits() {
        // kernels:: runs the widest instruction set of this CPU; portable::
        // the plain code without target features.
        let (m, k, n) = (7, 789, 5);
        let a: Vec<f32> = filled(m * k, 7).iter().map(|&x| x as f32 * 0.1).collect();
        let b: Vec<f32> = filled(n * k, 8).iter().map(|&x| x as f32 * 0.1).collect();
        let (mut fast, mut plain) = (vec![0.0f32; m * n], vec![0.0f32; m * n]);
        matmul_a_bt(&mut fast, &a, &b, m, k, n);
        portable::matmul_a_bt(&mut plain, &a, &b, m, k, n);
        assert_eq!(fast, plain);
        let d: Vec<f32> = filled(m * n, 9).iter().map(|&x| x as f32).collect();
        let (mut fast, mut plain) = (vec![0.0f32; 2 * k], vec![0.0f32; 2 * k]);
        weighted_row_sums(&mut fast, &a, &d, 2);
        portable::weighted_row_sums(&mut plain, &a, &d, 2);
        assert_eq!(fast, plain);
        let (mut w_fast, mut w_plain) = (a[..k].to_vec(), a[..k].to_vec());
        let (mut s_fast, mut s_plain) = (vec![0.0f32; k], vec![0.0f32; k]);
        let p_fast = decay_and_step_measured(&mut w_fast, &b[..k], 1e-5, 0.01, &mut s_fast);
        let p_plain =
            portable::decay_and_step_measured(&mut w_plain, &b[..k], 1e-5, 0.01, &mut s_plain);
        assert_eq!((w_fast, s_fast, p_fast), (w_plain, s_plain, p_plain));
    }

    #[test]
    fn pixel_ratios_are_correctly_rounded() {
        for white in [255u16, 1020, 4080] {
            let inverse = 1.0 / white as f64;
            for p in 0..=white {
                assert_eq!(
                    f32::pixel_ratio(p, white, inverse),
                    p as f32 / white as f32,
                    "{p}/{white}"
                );
                assert_eq!(f64::pixel_ratio(p, white, inverse), p as f64 / white as f64);
            }
        }
    }

    #[test]
    fn update_rule_literal_numbers() {
        // w = 2, g = 0.6, c = eta*lambda/n = 0.03, step = eta/m_t = 0.1:
        // w' = 2 - 0.03*2 - 0.1*0.6 = 1.88.
        let mut w = [2.0f64, -1.0];
        decay_and_step(&mut w, &[0.6, 0.0], 0.03, 0.1);
        assert!((w[0] - 1.88).abs() < 1e-15);
        assert!((w[1] + 0.97).abs() < 1e-15);
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
