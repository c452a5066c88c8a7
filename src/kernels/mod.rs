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

    // What `exp` needs of the type (see `portable::exp`).
    /// ln 2 = LN_2_PARTS[0] + LN_2_PARTS[1], the first part rounded to this
    /// type, the second the rest (to well beyond this type's precision).
    const LN_2_PARTS: [f64; 2];
    /// The x where e^x is computed: 2^round(x / ln 2) stays a normal number.
    const EXP_RANGE: [f64; 2];
    /// Terms of the Taylor series of e^r that reach this type's precision
    /// for |r| <= ln 2 / 2: the first term left out is below half an ulp.
    const EXP_TERMS: usize;
    /// The nearest integer, ties to even.
    fn round_ties_even(self) -> Self;
    /// 2^k for an integral k with 2^k a normal number of this type.
    fn exp2_integer(k: Self) -> Self;
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

    const LN_2_PARTS: [f64; 2] = [0.693_147_182_464_599_6, -1.904_654_299_957_768e-9];
    const EXP_RANGE: [f64; 2] = [-87.0, 88.0];
    // 0.3466^8 / 8! = 5.0e-9 < 2^-24 / 2 = 3.0e-8
    const EXP_TERMS: usize = 8;
    fn round_ties_even(self) -> Self {
        f32::round_ties_even(self)
    }
    fn exp2_integer(k: Self) -> Self {
        // k + 1.5 * 2^23 holds k in its low mantissa bits (|k| < 2^22):
        // integer arithmetic on the bits, with no float-to-int conversion
        // (which does not vectorize).
        const MAGIC: f32 = 12_582_912.0;
        let k_bits = (k + MAGIC).to_bits().wrapping_sub(MAGIC.to_bits());
        f32::from_bits(k_bits.wrapping_add(127) << 23)
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

    const LN_2_PARTS: [f64; 2] = [std::f64::consts::LN_2, 2.319_046_813_846_299_6e-17];
    const EXP_RANGE: [f64; 2] = [-708.0, 709.0];
    // 0.3466^14 / 14! = 4.1e-18 < 2^-53 / 2 = 5.6e-17
    const EXP_TERMS: usize = 14;
    fn round_ties_even(self) -> Self {
        f64::round_ties_even(self)
    }
    fn exp2_integer(k: Self) -> Self {
        // As for f32, with 1.5 * 2^52.
        const MAGIC: f64 = 6_755_399_441_055_744.0;
        let k_bits = (k + MAGIC).to_bits().wrapping_sub(MAGIC.to_bits());
        f64::from_bits(k_bits.wrapping_add(1023) << 52)
    }
}

mod portable;

/// Run `portable::$kernel` compiled for the best instruction set this CPU
/// has. The portable code is written so that every instruction set gives the
/// same bits: fused multiply-adds only where written (`mul_add`, exact
/// everywhere; Rust never contracts `a*b + c` on its own), and the same
/// partial sums added in the same order.
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
                use super::super::{Measurements, Rate, Real, StepShape, portable};

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
                pub fn gradient_step<T: Real>(
                    w: &mut [T],
                    a: &[T],
                    d: &[T],
                    shape: StepShape,
                    rate: Rate<T>,
                    measurements: Option<Measurements<T>>,
                ) {
                    portable::gradient_step(w, a, d, shape, rate, measurements)
                }

                #[target_feature(enable = $features)]
                pub fn matmul_a_b<T: Real>(
                    c: &mut [T],
                    a: &[T],
                    b: &[T],
                    m: usize,
                    k: usize,
                    n: usize,
                ) {
                    portable::matmul_a_b(c, a, b, m, k, n)
                }

                #[target_feature(enable = $features)]
                pub fn column_sums<T: Real>(s: &mut [T], a: &[T]) {
                    portable::column_sums(s, a)
                }

                #[target_feature(enable = $features)]
                pub fn add_bias_and_sigmoid<T: Real>(z: &mut [T], biases: &[T]) {
                    portable::add_bias_and_sigmoid(z, biases)
                }

                #[target_feature(enable = $features)]
                pub fn scale_pixels<T: Real, P: Copy + Into<u16>>(
                    out: &mut [T],
                    pixels: &[P],
                    white: u16,
                ) {
                    portable::scale_pixels(out, pixels, white)
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

/// The shapes of one layer's step: m examples, n = n_out rows of W, k = n_in
/// columns.
#[derive(Clone, Copy, Debug)]
pub struct StepShape {
    pub m: usize,
    pub n: usize,
    pub k: usize,
}

/// The update's two factors: w <- w - decay w - step g.
#[derive(Clone, Copy, Debug)]
pub struct Rate<T> {
    pub decay: T,
    pub step: T,
}

impl<T: Real> Rate<T> {
    /// w - decay w - step g, as fma(-step, g, fma(-decay, w, w)): the decay
    /// w - decay*w rounded once (never through 1 - decay, which in f32
    /// would round a decay of c ~ 1e-5 by ~0.3%), then the gradient's part.
    #[inline(always)]
    pub fn apply(self, w: T, g: T) -> T {
        (-self.step).mul_add(g, (-self.decay).mul_add(w, w))
    }
}

/// What the measured update records: `products[j]` = (|w_j|^2, <w_j, g_j>,
/// |g_j|^2) before the step, and, if `weight_sums` (n x k) is given, the
/// weights before and after the step added to it: s += w + w'.
///
/// Two steps' weights in one pass over the sums: asked for every other step,
/// the sums collect the weights before every step while being read and
/// written half as often.
pub struct Measurements<'a, T> {
    pub weight_sums: Option<&'a mut [T]>,
    pub products: &'a mut [[T; 3]],
}

/// One step of the update rule on weight layer l, fused with its gradient:
///
///   g_j = sum_x dC_x/dw_j = sum_i D[i][j] A[i]      (never stored)
///   w_j <- w_j - decay w_j - step g_j                (rate.decay = eta*lambda/n, rate.step = eta/m_t)
///
/// for every row j of W (n x k), where A (m x k) holds the batch's
/// activations a^(l-1), one example per row, and D (m x n) its errors
/// delta^l. Each weight is read and written once. With `measurements`, the
/// probes' ingredients are taken from the same pass (see [`Measurements`]);
/// the new weights are the same bits either way. With m = 0 the gradient is
/// zero and the step is the decay alone.
pub fn gradient_step<T: Real>(
    w: &mut [T],
    a: &[T],
    d: &[T],
    shape: StepShape,
    rate: Rate<T>,
    measurements: Option<Measurements<T>>,
) {
    dispatch!(gradient_step, w, a, d, shape, rate, measurements)
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

/// C (m x n) = A (m x k) B, where B is (k x n).
///
/// Backward pass: Delta_prev = Delta W, each row a sum of rows of W (small:
/// k is the width of the next layer).
pub fn matmul_a_b<T: Real>(c: &mut [T], a: &[T], b: &[T], m: usize, k: usize, n: usize) {
    dispatch!(matmul_a_b, c, a, b, m, k, n)
}

/// sum over rows: s (n) = sum_i A[i] for A (m x n). The bias gradient.
pub fn column_sums<T: Real>(s: &mut [T], a: &[T]) {
    dispatch!(column_sums, s, a)
}

/// A = sigma(Z + 1 b^T) in place, row by row (Z m x n, b n): the
/// activations from the weighted inputs, with the logistic function
/// sigma(z) = 1 / (1 + e^-z).
///
/// e^-z is computed in plain arithmetic that vectorizes (within an ulp of
/// the exact value, the same bits on every instruction set). Where sigma(z)
/// would fall below the type's smallest normal number (z < -87 in f32, -708
/// in f64) it is 0, so that no slow subnormal number enters the backward
/// pass.
pub fn add_bias_and_sigmoid<T: Real>(z: &mut [T], biases: &[T]) {
    dispatch!(add_bias_and_sigmoid, z, biases)
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
    fn backward_product_matches_the_triple_loop_for_every_width() {
        // Narrower than a chunk, one chunk, and a last chunk that overlaps.
        for n in [3, 16, 30, 40] {
            let (m, k) = (4, 10);
            let a = filled(m * k, 3);
            let b = filled(k * n, 4);
            let mut c = vec![f64::NAN; m * n];
            matmul_a_b(&mut c, &a, &b, m, k, n);
            assert_close(&c, &naive(&a, &b, m, k, n));
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

        // The fused update from W = 0, with no decay and a step of -1,
        // leaves W = G = D^T A' (row j: sum_i D[i][j] A'[i]). With A' = A^T
        // (k x m) and D = B (k x n), G = B^T A^T = C^T.
        let at = transpose(&a, m, k);
        let mut g = vec![0.0; n * m];
        let unit_step = Rate {
            decay: 0.0,
            step: -1.0,
        };
        gradient_step(
            &mut g,
            &at,
            &b,
            StepShape { m: k, n, k: m },
            unit_step,
            None,
        );
        assert_close(&g, &transpose(&expected, m, n));
    }

    #[test]
    fn gradient_step_covers_every_block_and_tail() {
        // n = 7 rows: groups of 5 and 2 (4 and 3, 2 and 2 and 2 and 1 when
        // measured, which the instruction-set test covers); k = 150 columns: blocks of
        // 4 (f32) or 2 (f64) chunks of 16, single chunks, and 6 last columns.
        let (m, n, k) = (3, 7, 150);
        let a = filled(m * k, 11);
        let d = filled(m * n, 12);
        let mut expected = vec![0.0; n * k];
        for j in 0..n {
            for p in 0..k {
                for i in 0..m {
                    expected[j * k + p] += d[i * n + j] * a[i * k + p];
                }
            }
        }
        let unit_step = Rate {
            decay: 0.0,
            step: -1.0,
        };
        let mut g = vec![0.0; n * k];
        gradient_step(&mut g, &a, &d, StepShape { m, n, k }, unit_step, None);
        assert_close(&g, &expected);
        let to_f32 = |x: &[f64]| x.iter().map(|&v| v as f32).collect::<Vec<f32>>();
        let mut g32 = vec![0.0f32; n * k];
        let rate32 = Rate {
            decay: 0.0f32,
            step: -1.0,
        };
        let shape = StepShape { m, n, k };
        gradient_step(&mut g32, &to_f32(&a), &to_f32(&d), shape, rate32, None);
        for (x, y) in g32.iter().zip(&expected) {
            assert!((*x as f64 - y).abs() < 1e-5 * (1.0 + y.abs()), "{x} vs {y}");
        }
    }

    #[test]
    fn an_empty_batch_only_decays() {
        let w0 = filled(40, 13);
        let mut w = w0.clone();
        let rate = Rate {
            decay: 0.25,
            step: 0.5,
        };
        gradient_step(
            &mut w,
            &[],
            &[],
            StepShape { m: 0, n: 2, k: 20 },
            rate,
            None,
        );
        for (x, x0) in w.iter().zip(&w0) {
            assert_eq!(*x, x0 - 0.25 * x0);
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
        let (m, n, k) = (3, 5, 37);
        let to_f32 = |x: &[f64]| x.iter().map(|&v| v as f32).collect::<Vec<f32>>();
        let w0 = to_f32(&filled(n * k, 5));
        let a = to_f32(&filled(m * k, 6));
        let d = to_f32(&filled(m * n, 7));
        let shape = StepShape { m, n, k };
        let rate = Rate {
            decay: 1e-5f32,
            step: 0.01,
        };
        let mut plain = w0.clone();
        gradient_step(&mut plain, &a, &d, shape, rate, None);
        let mut measured = w0.clone();
        let mut weight_sums = vec![1.0f32; n * k];
        let mut products = vec![[0.0f32; 3]; n];
        let measurements = Measurements {
            weight_sums: Some(&mut weight_sums),
            products: &mut products,
        };
        gradient_step(&mut measured, &a, &d, shape, rate, Some(measurements));
        assert_eq!(plain, measured);
        // The weights before and after the step, added to the sums.
        for ((&s, &before), &after) in weight_sums.iter().zip(&w0).zip(&measured) {
            assert_eq!(s, 1.0 + (before + after));
        }
        // Without sums: the same weights and products.
        let mut unsummed = w0.clone();
        let mut products_alone = vec![[0.0f32; 3]; n];
        let measurements = Measurements {
            weight_sums: None,
            products: &mut products_alone,
        };
        gradient_step(&mut unsummed, &a, &d, shape, rate, Some(measurements));
        assert_eq!((&unsummed, &products_alone), (&plain, &products));
        for j in 0..n {
            let w_j = &w0[j * k..(j + 1) * k];
            let g_j: Vec<f64> = (0..k)
                .map(|p| {
                    (0..m)
                        .map(|i| d[i * n + j] as f64 * a[i * k + p] as f64)
                        .sum()
                })
                .collect();
            let ww: f64 = w_j.iter().map(|&x| x as f64 * x as f64).sum();
            let wg: f64 = w_j.iter().zip(&g_j).map(|(&x, &y)| x as f64 * y).sum();
            let gg: f64 = g_j.iter().map(|&y| y * y).sum();
            // f32 sums: within a few ulps of the sum of the terms' sizes.
            let wg_scale: f64 = w_j
                .iter()
                .zip(&g_j)
                .map(|(&x, &y)| (x as f64 * y).abs())
                .sum();
            for (got, want, scale) in [(0, ww, ww), (1, wg, wg_scale), (2, gg, gg)]
                .map(|(x, want, scale)| (products[j][x], want, scale))
            {
                assert!(
                    (got as f64 - want).abs() < 1e-5 * scale,
                    "row {j}: {got} vs {want}"
                );
            }
        }
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
        let shape = StepShape { m, n, k };
        let rate = Rate {
            decay: 1e-5,
            step: 0.01,
        };
        let run = |fast: bool| {
            let mut w = b.clone();
            let mut weight_sums = vec![0.0f32; n * k];
            let mut products = vec![[0.0f32; 3]; n];
            let measurements = Some(Measurements {
                weight_sums: Some(&mut weight_sums),
                products: &mut products,
            });
            if fast {
                gradient_step(&mut w, &a, &d, shape, rate, measurements);
            } else {
                portable::gradient_step(&mut w, &a, &d, shape, rate, measurements);
            }
            (w, weight_sums, products)
        };
        assert_eq!(run(true), run(false));
        let z: Vec<f32> = filled(m * n, 10).iter().map(|&x| x as f32 * 5.0).collect();
        let (mut fast, mut plain) = (z.clone(), z);
        add_bias_and_sigmoid(&mut fast, &d[..n]);
        portable::add_bias_and_sigmoid(&mut plain, &d[..n]);
        assert_eq!(fast, plain);
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
        // One example with activations a = (0.6, 0) and error delta = 1, so
        // g = (0.6, 0); w = (2, -1), c = eta*lambda/n = 0.03, step = eta/m_t
        // = 0.1: w' = 2 - 0.03*2 - 0.1*0.6 = 1.88 and -1 + 0.03 = -0.97.
        let mut w = [2.0f64, -1.0];
        let rate = Rate {
            decay: 0.03,
            step: 0.1,
        };
        let shape = StepShape { m: 1, n: 1, k: 2 };
        gradient_step(&mut w, &[0.6, 0.0], &[1.0], shape, rate, None);
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

    /// Distance in units in the last place, for finite numbers of one sign.
    fn ulps_f64(x: f64, y: f64) -> u64 {
        x.to_bits().abs_diff(y.to_bits())
    }

    #[test]
    fn exp_is_within_an_ulp_of_the_exact_value() {
        // Against libm's exp in f64 (itself within an ulp): at most 2 ulps
        // apart. In f32, against e^x in f64 rounded: at most 1 ulp.
        let mut worst = (0, 0);
        for i in -700_000..=700_000 {
            let x = i as f64 * 1e-3 + 0.000_123;
            worst.0 = worst.0.max(ulps_f64(portable::exp(x), x.exp()));
            if x.abs() < 87.0 {
                let x32 = x as f32;
                let exact = (x32 as f64).exp() as f32;
                worst.1 = worst
                    .1
                    .max(portable::exp(x32).to_bits().abs_diff(exact.to_bits()));
            }
        }
        assert!(worst.0 <= 2 && worst.1 <= 1, "worst ulps {worst:?}");
    }

    #[test]
    fn sigmoid_values_and_limits() {
        let z = [0.0, 2.0, -1000.0, 1000.0, -700.0, f64::NAN];
        let mut a = z;
        add_bias_and_sigmoid(&mut a, &[0.0]);
        assert_eq!(a[0], 0.5);
        assert!((a[1] - 0.8807970779778823).abs() < 1e-16);
        assert_eq!(a[2], 0.0);
        assert_eq!(a[3], 1.0);
        assert!((a[4] / (-700.0f64).exp() - 1.0).abs() < 1e-14);
        assert!(a[5].is_nan());
        let mut a32 = [0.0f32, -90.0, -80.0, 1000.0];
        add_bias_and_sigmoid(&mut a32, &[1.0, 1.0]);
        assert_eq!(a32[0], 1.0 / (1.0 + (-1.0f32).exp()));
        // sigma(-89) is below f32's smallest normal number: 0, not subnormal.
        assert_eq!(a32[1], 0.0);
        assert!(a32[2] > 0.0 && a32[2].is_normal());
        assert_eq!(a32[3], 1.0);
    }
}
