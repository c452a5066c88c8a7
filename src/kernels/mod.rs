//! The few dense operations a training step needs, on row-major matrices.
//!
//! Shapes are written `rows x cols`; a matrix is a contiguous slice whose row
//! `i` is `data[i*stride ..]`, its rows padded to whole chunks of vector
//! lanes (`stride = padded(cols)`, see [`LANES`]; the pixel and bias
//! kernels take plain rows). Every reduction runs in a fixed order
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
    /// `x` rounded to this type.
    fn from_f64(x: f64) -> Self;
    /// This value, exactly, as an f64.
    fn as_f64(self) -> f64;
    /// A small integer (a pixel value or a sum of a few), exactly.
    fn from_u16(x: u16) -> Self;
    /// p / white correctly rounded to this type, for white <= 4080 (a
    /// pooled white pixel); `inverse` is 1/white in f64.
    ///
    /// Without a division: q = p * (1/white), then one correction by the
    /// exact remainder r = p - q white (one fused multiply-add), q +
    /// r/white. That this rounds correctly for every pixel value is checked
    /// by `pixel_ratios_are_correctly_rounded` (all p <= white for white =
    /// 255, 1020 and 4080, in f32 and f64).
    fn pixel_ratio(p: u16, white: u16, inverse: f64) -> Self {
        let (p, white, inverse) = (
            Self::from_u16(p),
            Self::from_u16(white),
            Self::from_f64(inverse),
        );
        let q = p * inverse;
        let r = (-q).mul_add(white, p);
        r.mul_add(inverse, q)
    }

    // What `exp` needs of the type (see `portable::exp`).
    /// ln 2 = `LN_2_PARTS[0]` + `LN_2_PARTS[1]`, the first part rounded to this
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
                && std::arch::is_x86_feature_detected!("popcnt")
                && std::arch::is_x86_feature_detected!("fma")
            {
                // SAFETY: the CPU supports AVX-512F, AVX2, POPCNT and FMA,
                // the features the wrapper is compiled for, checked just above.
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
        ($name:ident, $features:literal, $write_nonzero_lanes:expr) => {
            pub mod $name {
                use super::super::{Measurements, Pixel, Rate, Real, StepShape, portable};

                #[target_feature(enable = $features)]
                pub fn forward_product<T: Real>(
                    z: &mut [T],
                    a: &[T],
                    wt: &[T],
                    shape: StepShape,
                    inputs: &[u32],
                ) {
                    portable::forward_product(z, a, wt, shape, inputs)
                }

                #[target_feature(enable = $features)]
                pub fn gradient_step<T: Real>(
                    wt: &mut [T],
                    a: &[T],
                    d: &[T],
                    shape: StepShape,
                    rate: Rate<T>,
                    measurements: Option<Measurements<T>>,
                    inputs: &[u32],
                ) {
                    portable::gradient_step(wt, a, d, shape, rate, measurements, inputs)
                }

                #[target_feature(enable = $features)]
                pub fn nonzero_columns<T: Real>(
                    a: &[T],
                    m: usize,
                    n_in: usize,
                    columns: &mut [u32],
                ) -> usize {
                    portable::nonzero_columns_by(a, m, n_in, columns, $write_nonzero_lanes)
                }

                #[target_feature(enable = $features)]
                pub fn nonzero_pixels<P: Pixel>(
                    pixels: &[P],
                    n_in: usize,
                    images: &[usize],
                    columns: &mut [u32],
                ) -> usize {
                    portable::nonzero_pixels_by(pixels, n_in, images, columns, $write_nonzero_lanes)
                }

                #[target_feature(enable = $features)]
                pub fn backward_product<T: Real>(
                    c: &mut [T],
                    d: &[T],
                    wt: &[T],
                    shape: StepShape,
                    w: &mut [T],
                ) {
                    portable::backward_product(c, d, wt, shape, w)
                }

                #[target_feature(enable = $features)]
                pub fn column_sums<T: Real>(s: &mut [T], a: &[T]) {
                    portable::column_sums(s, a)
                }

                #[target_feature(enable = $features)]
                pub fn update_values<T: Real, F: Fn(&mut T, T, &mut T, &mut T)>(
                    w: &mut [T],
                    g: &[T],
                    first: &mut [T],
                    second: &mut [T],
                    step: F,
                ) {
                    portable::update_values(w, g, first, second, step)
                }

                #[target_feature(enable = $features)]
                pub fn split_step_sums<T: Real>(
                    before: &[T],
                    after: &[T],
                    decay: &[T],
                    gradient: &[T],
                    moves: &mut [f64],
                ) -> [f64; 4] {
                    portable::split_step_sums(before, after, decay, gradient, moves)
                }

                #[target_feature(enable = $features)]
                pub fn add_bias_and_sigmoid<T: Real>(z: &mut [T], biases: &[T]) {
                    portable::add_bias_and_sigmoid(z, biases)
                }

                #[target_feature(enable = $features)]
                pub fn add_bias_and_softmax<T: Real>(z: &mut [T], biases: &[T]) {
                    portable::add_bias_and_softmax(z, biases)
                }

                #[target_feature(enable = $features)]
                pub fn add_bias_and_tanh<T: Real>(z: &mut [T], biases: &[T]) {
                    portable::add_bias_and_tanh(z, biases)
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
    // (The closure is inside `avx512::nonzero_columns` and has its features.)
    with_features!(
        avx512,
        "avx512f,avx2,fma,popcnt",
        |sizes, first, lanes, columns| {
            super::compress_nonzero_lanes(sizes, first, lanes, columns)
        }
    );
    with_features!(avx2, "avx2,fma", portable::write_nonzero_lanes);

    /// `portable::write_nonzero_lanes` in a few instructions: one test
    /// per register for the lanes with a bit set (a size is +0 or has
    /// one), and AVX-512's compressing store, which writes the chosen
    /// lanes of first + l, packed, to the start of `columns`.
    #[inline]
    #[target_feature(enable = "avx512f,popcnt")]
    fn compress_nonzero_lanes<T: super::Real>(
        sizes: &[T; super::LANES],
        first: u32,
        lanes: usize,
        columns: &mut [u32],
    ) -> usize {
        use std::arch::x86_64::*;
        const { assert!(super::LANES == 16) };
        assert!(lanes <= super::LANES && lanes <= columns.len());
        // SAFETY: `sizes` is 16 f32 (one register) or 16 f64 (two),
        // read as their bits.
        let nonzero: u16 = unsafe {
            let at = sizes.as_ptr().cast::<__m512i>();
            if std::mem::size_of::<T>() == 4 {
                let bits = _mm512_loadu_si512(at);
                _mm512_test_epi32_mask(bits, bits)
            } else {
                assert_eq!(std::mem::size_of::<T>(), 8);
                let (low, high) = (_mm512_loadu_si512(at), _mm512_loadu_si512(at.add(1)));
                let low = _mm512_test_epi64_mask(low, low);
                let high = _mm512_test_epi64_mask(high, high);
                u16::from(low) | u16::from(high) << 8
            }
        };
        let mask = nonzero & (u32::MAX >> (32 - lanes)) as u16;
        let lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        let columns_of_lanes = _mm512_add_epi32(_mm512_set1_epi32(first as i32), lane);
        // SAFETY: the store writes popcount(mask) <= lanes u32s from
        // `columns`' start, which has room for `lanes`.
        unsafe {
            _mm512_mask_compressstoreu_epi32(columns.as_mut_ptr().cast(), mask, columns_of_lanes)
        };
        mask.count_ones() as usize
    }
}

/// Vector lanes in a chunk: 16, one AVX-512 register of f32, two of f64.
///
/// The kernels work on rows padded to whole chunks: a row of `len` numbers
/// is stored in `padded(len)` places, the last ones padding. A weight layer
/// w (n_out x n_in: n_out outputs, the rows of w, and n_in inputs, its
/// columns) is kept as its transpose W^T, n_in rows of n_out weights and
/// padding zeros (see [`to_kernel_layout`]); the activations A that enter
/// the layer are m rows of n_in numbers, and the errors D of its outputs m
/// rows of n_out, for the m examples of a batch. Padding of W^T and of D is
/// zero, which keeps padding of W^T zero through every step; padding of A
/// is never read.
pub const LANES: usize = 16;

/// `len` rounded up to a whole number of chunks: the length of a padded
/// row.
pub fn padded(len: usize) -> usize {
    len.next_multiple_of(LANES)
}

/// w (n_out x n_in, row-major, as `Network` holds it) in the kernels'
/// layout: W^T, n_in rows of `padded(n_out)`, padding zero.
pub fn to_kernel_layout<T: Real>(w: &[T], n_out: usize, n_in: usize) -> Vec<T> {
    assert_eq!(w.len(), n_out * n_in);
    let stride = padded(n_out);
    let mut wt = vec![T::zero(); n_in * stride];
    for (j, w_row) in w.chunks_exact(n_in).enumerate() {
        for (i, &w_ji) in w_row.iter().enumerate() {
            wt[i * stride + j] = w_ji;
        }
    }
    wt
}

/// The inverse of [`to_kernel_layout`]: W^T (n_in rows of `padded(n_out)`)
/// back to w (n_out x n_in, row-major), written into `w`.
pub fn from_kernel_layout<T: Real>(wt: &[T], n_out: usize, n_in: usize, w: &mut [T]) {
    assert_eq!(w.len(), n_out * n_in);
    write_rows(wt, n_out, n_in, w, n_in);
}

/// W^T (n_in rows of `padded(n_out)`) written into `w` as the n_out rows of
/// w, each `stride` (>= n_in) places apart; places n_in.. of a row are left
/// as they are.
fn write_rows<T: Real>(wt: &[T], n_out: usize, n_in: usize, w: &mut [T], stride: usize) {
    let wt_stride = padded(n_out);
    assert_eq!(wt.len(), n_in * wt_stride);
    assert!(stride >= n_in && w.len() >= n_out * stride);
    for (i, wt_row) in wt.chunks_exact(wt_stride).enumerate() {
        for (j, &w_ji) in wt_row[..n_out].iter().enumerate() {
            w[j * stride + i] = w_ji;
        }
    }
}

/// The columns i < n_in of A (m rows of `padded(n_in)`) with a nonzero
/// entry in some row, in increasing order, written to the start of
/// `columns` (at least n_in long); returns how many. These are the
/// `inputs` of [`forward_product`] and [`gradient_step`]: an input that is
/// zero in every example of a batch adds nothing to the layer's products
/// and has a zero gradient, so the kernels skip its row of W^T. (Most of an
/// MNIST image is blank: at m = 10 about half of the 784 pixels are zero in
/// all ten images.) NaN counts as nonzero.
pub fn nonzero_columns<T: Real>(a: &[T], m: usize, n_in: usize, columns: &mut [u32]) -> usize {
    dispatch!(nonzero_columns, a, m, n_in, columns)
}

/// A stored pixel: a byte (0 to 255) or a sum of pooled bytes.
pub trait Pixel: Copy + Default + Into<u16> + std::ops::BitOr<Output = Self> {}
impl Pixel for u8 {}
impl Pixel for u16 {}

/// [`nonzero_columns`] of a batch of images of n_in pixels each, found
/// from their stored pixels: the columns i < n_in where some image e of
/// `images` has a pixel `pixels[e * n_in + i]` that is not zero, which are
/// the columns where its scaled input p / white is not zero. (It reads a
/// quarter of the bytes of the scaled inputs, and ORs them instead of
/// adding.)
pub fn nonzero_pixels<P: Pixel>(
    pixels: &[P],
    n_in: usize,
    images: &[usize],
    columns: &mut [u32],
) -> usize {
    dispatch!(nonzero_pixels, pixels, n_in, images, columns)
}

/// Z (m x n_out, rows padded) = A W^T: the forward product of weight layer
/// l, `z[b][j]` = sum_i `a[b][i]` `w[j][i]` for the m examples of a batch,
/// A (m x n_in, rows padded) their activations A^l that enter the layer,
/// W^T in the kernels' layout. (Layers are numbered as in
/// `train::backprop`: weight layer l, 0-based, maps A^l to A^(l+1) and is
/// w^(l+1) in the book's 1-based notation.)
/// The sum runs over the rows i listed in `inputs` (increasing), which must
/// include every i where some `a[b][i]` is not zero (see
/// [`nonzero_columns`]): the terms left out are zeros. Each `z[b][j]` adds
/// its terms in order of i; padding of Z comes out zero.
pub fn forward_product<T: Real>(z: &mut [T], a: &[T], wt: &[T], shape: StepShape, inputs: &[u32]) {
    dispatch!(forward_product, z, a, wt, shape, inputs)
}

/// The shapes of one layer's step.
#[derive(Clone, Copy, Debug)]
pub struct StepShape {
    /// Examples in the batch (rows of A and D).
    pub m: usize,
    /// Outputs of the layer, its neurons: rows of w, columns of W^T.
    pub n_out: usize,
    /// Inputs of the layer: columns of w, rows of W^T.
    pub n_in: usize,
}

/// The update's two factors: w <- w - decay w - step g.
#[derive(Clone, Copy, Debug)]
pub struct Rate<T> {
    /// eta*lambda/n: the fraction of w taken off by the L2 term.
    pub decay: T,
    /// eta/m: the factor of the mini-batch's summed gradient.
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
/// |g_j|^2) before the step, for each neuron j (row of w, column of W^T),
/// and, if `weight_sums` (in the kernels' layout, like W^T) is given, the
/// weights before and after the step added to it: s += w + w'.
///
/// Two steps' weights in one pass over the sums: asked for every other step,
/// the sums collect the weights before every step while being read and
/// written half as often.
pub struct Measurements<'a, T> {
    /// Where the weights before and after the step are added, if asked.
    pub weight_sums: Option<&'a mut [T]>,
    /// (|w_j|^2, <w_j, g_j>, |g_j|^2) per neuron j, written by the step.
    pub products: &'a mut [[T; 3]],
}

/// One step of the update rule on weight layer l (w^(l+1) in the book),
/// fused with its gradient:
///
///   `g[i][j]` = sum_x dC_x/dw_ji = sum_b `a[b][i]` `d[b][j]`      (never stored)
///   w_ji <- w_ji - decay w_ji - step `g[i][j]`                (rate.decay = eta*lambda/n, rate.step = eta/m_t)
///
/// for every weight of W^T (in the kernels' layout), where A (m x n_in,
/// rows padded) holds the batch's activations A^l, one example per row, and
/// D (m x n_out, rows padded with zeros) its errors Delta^(l+1) (numbered
/// as in [`forward_product`]). Each g adds its terms in order of b.
/// `inputs` (increasing) must include every i where some `a[b][i]` is not
/// zero (see [`nonzero_columns`]): the rows of W^T go in blocks of a few,
/// and a block none of whose rows is in `inputs` has g = 0 exactly, taken
/// without the arithmetic. Each weight is read and written once. With
/// `measurements`, the probes' ingredients are taken from the same pass
/// (see [`Measurements`]), each product added in order of i; the new
/// weights are the same bits either way. With m = 0 the gradient is zero
/// and the step is the decay alone.
pub fn gradient_step<T: Real>(
    wt: &mut [T],
    a: &[T],
    d: &[T],
    shape: StepShape,
    rate: Rate<T>,
    measurements: Option<Measurements<T>>,
    inputs: &[u32],
) {
    dispatch!(gradient_step, wt, a, d, shape, rate, measurements, inputs)
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

/// C (m x n_in, rows padded) = D w: the backward product of a layer,
/// `c[b][i]` = sum_j `d[b][j]` `w[j][i]` added in order of j, for D (m x
/// n_out, rows padded with zeros) the errors of a batch and W^T in the
/// kernels' layout. `w` is room for at least n_out rows of `padded(n_in)`,
/// where w is copied from W^T first. C is written whole, its padding zero.
/// (Small: n_out is the width of the layer's outputs, 10 or 30.)
pub fn backward_product<T: Real>(c: &mut [T], d: &[T], wt: &[T], shape: StepShape, w: &mut [T]) {
    dispatch!(backward_product, c, d, wt, shape, w)
}

/// sum over rows: s = sum_b `A[b]` for A (m rows of `s.len()`). The bias
/// gradient, from the rows of D.
pub fn column_sums<T: Real>(s: &mut [T], a: &[T]) {
    dispatch!(column_sums, s, a)
}

/// `step(w_i, g_i, first_i, second_i)` for every i of four slices of one
/// length: a value, its gradient and two values of state (the update rules
/// other than network2's, `train::rule`). Compiled for the best
/// instruction set with `step` inlined, so that its `mul_add`s are single
/// instructions rather than calls (`step` must be a closure, small enough
/// to inline).
pub fn update_values<T: Real, F: Fn(&mut T, T, &mut T, &mut T)>(
    w: &mut [T],
    g: &[T],
    first: &mut [T],
    second: &mut [T],
    step: F,
) {
    dispatch!(update_values, w, g, first, second, step)
}

/// The probes' sums of one layer's step split into the penalty's part d
/// (`decay`) and the gradient's e = w' - w - d, over weights w (`before`),
/// w' (`after`) and the batch's summed gradient G: [sum (2w + d) d,
/// sum 2 (w + d) e, sum e^2, sum G^2], in f64, and each d added to
/// `moves`. The sums run in 8 interleaved partial sums, added at the end:
/// a fixed order, the same bits on every instruction set.
pub fn split_step_sums<T: Real>(
    before: &[T],
    after: &[T],
    decay: &[T],
    gradient: &[T],
    moves: &mut [f64],
) -> [f64; 4] {
    dispatch!(split_step_sums, before, after, decay, gradient, moves)
}

/// A = sigma(Z + 1 b^T) in place, row by row (Z m x n_out with rows padded,
/// b n_out): the activations from the weighted inputs, with the logistic function
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

/// A = tanh(Z + 1 b^T) in place (Z m x n_out with rows padded, b n_out):
/// hidden activations of tanh neurons, tanh(z) = 2 sigma(2z) - 1 with
/// sigma as in [`add_bias_and_sigmoid`] (so within a few ulps of 1 in
/// absolute terms, not relative ones near z = 0).
pub fn add_bias_and_tanh<T: Real>(z: &mut [T], biases: &[T]) {
    dispatch!(add_bias_and_tanh, z, biases)
}

/// e^x as the kernels compute it (see [`add_bias_and_sigmoid`]), for one
/// number: what the scalar reference of the tests uses.
pub fn exp<T: Real>(x: T) -> T {
    portable::exp(x)
}

/// A = softmax(Z + 1 b^T) in place, row by row (Z m x n_out with rows
/// padded, b n_out): the output layer of the log-likelihood cost,
///
///   a_j = e^(z_j - z_max) / sum_k e^(z_k - z_max),
///
/// z_max the row's largest z (so no e^z overflows), e^x as in
/// [`add_bias_and_sigmoid`], the sum over k in order; the padding is 0.
/// (Small: 10 outputs a row.)
pub fn add_bias_and_softmax<T: Real>(z: &mut [T], biases: &[T]) {
    dispatch!(add_bias_and_softmax, z, biases)
}

#[cfg(test)]
mod tests;
