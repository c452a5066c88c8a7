//! The kernels in plain Rust, shaped so that the compiler turns them into
//! vector code: fixed-size arrays of partial sums, one per vector lane.
//! Everything is `#[inline(always)]` so that it is compiled anew inside each
//! `#[target_feature]` wrapper of `kernels::x86`.
//!
//! Bits do not depend on the instruction set: each output is computed by the
//! same operations in the same order whichever wrapper runs it, and whether
//! its row falls in a full block or in the remainder.

mod activation;

pub use activation::{add_bias_and_sigmoid, add_bias_and_softmax, add_bias_and_tanh, exp};

use super::{LANES, Measurements, Pixel, Rate, Real, StepShape, padded};

/// Z = A W^T over the rows of W^T in `inputs`. See
/// `kernels::forward_product`.
///
/// Z goes in tiles of R rows x Q chunks (R = 10 in f32 and 5 in f64, so
/// that R x 2 chunks of sums fill 20 of AVX-512's 32 vector registers, a
/// chunk of f64 taking two; Q = 2, or 1 for an odd last chunk): the tile's
/// sums stay in registers while the rows of W^T in `inputs` stream past,
/// each row's Q chunks loaded once for the R rows and each `a[b][i]`
/// broadcast once for the Q chunks. Every `z[b][j]` is sum_i `a[b][i]`
/// `W^T[i][j]` added in order of i, whatever tile it is in.
#[inline(always)]
pub fn forward_product<T: Real>(z: &mut [T], a: &[T], wt: &[T], shape: StepShape, inputs: &[u32]) {
    if std::mem::size_of::<T>() == 4 {
        forward_tiles::<T, 10>(z, a, wt, shape, inputs)
    } else {
        forward_tiles::<T, 5>(z, a, wt, shape, inputs)
    }
}

/// `forward_product` in tiles of R rows; the rows left over go in tiles of
/// 2 (a single last row is computed twice, alike).
#[inline(always)]
fn forward_tiles<T: Real, const R: usize>(
    z: &mut [T],
    a: &[T],
    wt: &[T],
    shape: StepShape,
    inputs: &[u32],
) {
    let StepShape { m, n_out, n_in } = shape;
    let chunks = padded(n_out) / LANES;
    assert_eq!(z.len(), m * padded(n_out));
    assert_eq!(a.len(), m * padded(n_in));
    assert_eq!(wt.len(), n_in * padded(n_out));
    let mut first_chunk = 0;
    while first_chunk < chunks {
        let pair = chunks - first_chunk >= 2;
        let mut first_row = 0;
        while first_row < m {
            let left = m - first_row;
            let rows = if left >= R { R } else { left.min(2) };
            let tile = Tile {
                first_row,
                rows,
                first_chunk,
                shape,
                inputs,
            };
            match (rows == R, pair) {
                (true, true) => tile.forward::<T, R, 2>(z, a, wt),
                (true, false) => tile.forward::<T, R, 1>(z, a, wt),
                (false, true) => tile.forward::<T, 2, 2>(z, a, wt),
                (false, false) => tile.forward::<T, 2, 1>(z, a, wt),
            }
            first_row += rows;
        }
        first_chunk += if pair { 2 } else { 1 };
    }
}

/// Where a tile of `forward_product` sits: its first row of Z, how many
/// rows it computes, its first chunk of columns, the layer's shape, and
/// the inputs (rows of W^T) that take part.
struct Tile<'a> {
    first_row: usize,
    rows: usize,
    first_chunk: usize,
    shape: StepShape,
    inputs: &'a [u32],
}

impl Tile<'_> {
    /// Rows first_row.. (at most R of them, `rows` written) and chunks
    /// first_chunk..first_chunk + Q of Z. Rows past the last are the last
    /// one again, computed and not written.
    #[inline(always)]
    fn forward<T: Real, const R: usize, const Q: usize>(&self, z: &mut [T], a: &[T], wt: &[T]) {
        let StepShape { m, n_out, n_in } = self.shape;
        let (a_stride, chunks) = (padded(n_in), padded(n_out) / LANES);
        let a_rows: [&[T]; R] =
            std::array::from_fn(|r| &a[(self.first_row + r).min(m - 1) * a_stride..][..n_in]);
        let wt_chunks = &wt.as_chunks::<LANES>().0[..n_in * chunks];
        let mut sums = [[[T::zero(); LANES]; Q]; R];
        for &i in self.inputs {
            let i = i as usize;
            // One bounds check here stands for the R below.
            assert!(i < n_in, "inputs must be below n_in");
            let w: &[[T; LANES]; Q] = wt_chunks[i * chunks + self.first_chunk..][..Q]
                .try_into()
                .expect("Q chunks");
            // Index loops over the small constants R and Q: the compiler
            // unrolls them whole and keeps every sum in a register.
            #[allow(clippy::needless_range_loop)]
            for r in 0..R {
                let x = a_rows[r][i];
                for q in 0..Q {
                    for l in 0..LANES {
                        sums[r][q][l] = x.mul_add(w[q][l], sums[r][q][l]);
                    }
                }
            }
        }
        // Whole chunks only: writing part of one would keep the sums in
        // memory instead of registers.
        let (z_chunks, _) = z.as_chunks_mut::<LANES>();
        for (r, sums_r) in sums.iter().enumerate().take(self.rows) {
            let at = (self.first_row + r) * chunks + self.first_chunk;
            z_chunks[at..at + Q].copy_from_slice(sums_r);
        }
    }
}

/// The update rule on a weight layer, fused with its gradient. See
/// `kernels::gradient_step`.
///
/// W^T goes in strips of Q = 2 chunks of columns (1 for an odd last one),
/// each strip in blocks of I rows: the block's gradient
/// `g[i][j]` = sum_b `a[b][i]` `d[b][j]` builds up in registers while the m
/// examples stream past (each chunk of D loaded once for the block's rows,
/// each `a[b][i]` broadcast once for its chunks), then the same registers
/// update W^T's block. A block none of whose rows is in `inputs` keeps
/// g = 0 without the arithmetic (from `SKIPPING_EXAMPLES` examples up).
/// Every `g[i][j]` is added in order of b, and every measured product in
/// order of i, however the work is blocked.
#[inline(always)]
pub fn gradient_step<T: Real>(
    wt: &mut [T],
    a: &[T],
    d: &[T],
    shape: StepShape,
    rate: Rate<T>,
    measurements: Option<Measurements<T>>,
    inputs: &[u32],
) {
    let StepShape { m, n_out, n_in } = shape;
    assert_eq!(wt.len(), n_in * padded(n_out));
    assert_eq!(a.len(), m * padded(n_in));
    assert_eq!(d.len(), m * padded(n_out));
    match measurements {
        Some(Measurements {
            weight_sums,
            products,
        }) => {
            assert_eq!(products.len(), n_out);
            match weight_sums {
                Some(weight_sums) => {
                    assert_eq!(weight_sums.len(), wt.len());
                    let mut buffers = StepBuffers::<T, true, true> {
                        wt,
                        weight_sums,
                        products,
                    };
                    buffers.strips(a, d, shape, rate, inputs)
                }
                None => {
                    let mut buffers = StepBuffers::<T, true, false> {
                        wt,
                        weight_sums: &mut [],
                        products,
                    };
                    buffers.strips(a, d, shape, rate, inputs)
                }
            }
        }
        None => {
            let mut buffers = StepBuffers::<T, false, false> {
                wt,
                weight_sums: &mut [],
                products: &mut [],
            };
            buffers.strips(a, d, shape, rate, inputs)
        }
    }
}

/// The slices a step writes: W^T, if MEASURED the neurons' products, and
/// if SUMMED the weight sums (otherwise empty and never touched).
struct StepBuffers<'a, T, const MEASURED: bool, const SUMMED: bool> {
    wt: &'a mut [T],
    weight_sums: &'a mut [T],
    products: &'a mut [[T; 3]],
}

/// Batches of at least this many examples skip the gradient of blocks of
/// rows without input.
const SKIPPING_EXAMPLES: usize = 4;

/// Where a block of `gradient_step` sits (its first row and chunk of
/// W^T), and whether any of its rows has an input that is not zero.
struct Block {
    first_row: usize,
    first_chunk: usize,
    has_input: bool,
}

/// A strip's partial sums of each neuron's (|w|^2, <w, g>, |g|^2), one
/// lane per neuron.
type ProductLanes<T, const Q: usize> = [[[T; LANES]; Q]; 3];

impl<T: Real, const MEASURED: bool, const SUMMED: bool> StepBuffers<'_, T, MEASURED, SUMMED> {
    /// Every strip of W^T, in blocks of I rows: I x 2 chunks of gradient,
    /// with I = 4 (8 registers of f32, 16 of f64), or 2 in a measured step
    /// in f64, whose 3 x 2 chunks of products need 12 more.
    #[inline(always)]
    fn strips(&mut self, a: &[T], d: &[T], shape: StepShape, rate: Rate<T>, inputs: &[u32]) {
        if MEASURED && std::mem::size_of::<T>() == 8 {
            self.strips_of::<2>(a, d, shape, rate, inputs)
        } else {
            self.strips_of::<4>(a, d, shape, rate, inputs)
        }
    }

    /// `strips` in blocks of I rows.
    #[inline(always)]
    fn strips_of<const I: usize>(
        &mut self,
        a: &[T],
        d: &[T],
        shape: StepShape,
        rate: Rate<T>,
        inputs: &[u32],
    ) {
        let chunks = padded(shape.n_out) / LANES;
        let mut first_chunk = 0;
        while first_chunk + 2 <= chunks {
            self.strip::<I, 2>(first_chunk, a, d, shape, rate, inputs);
            first_chunk += 2;
        }
        if first_chunk < chunks {
            self.strip::<I, 1>(first_chunk, a, d, shape, rate, inputs);
        }
    }

    /// Chunks first_chunk..first_chunk + Q of every row of W^T: blocks of
    /// I rows, then the n_in mod I rows left one at a time.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn strip<const I: usize, const Q: usize>(
        &mut self,
        first_chunk: usize,
        a: &[T],
        d: &[T],
        shape: StepShape,
        rate: Rate<T>,
        inputs: &[u32],
    ) {
        let mut products = [[[T::zero(); LANES]; Q]; 3];
        let mut i = 0;
        // inputs[next_input] is the first input not below i.
        let mut next_input = 0;
        // With few examples a block's gradient costs less than looking up
        // whether it can be skipped (measured: m = 1 ran 12% slower).
        let skipping = shape.m >= SKIPPING_EXAMPLES;
        let mut has_input = |rows: std::ops::Range<usize>| {
            if !skipping {
                return true;
            }
            while next_input < inputs.len() && (inputs[next_input] as usize) < rows.start {
                next_input += 1;
            }
            next_input < inputs.len() && (inputs[next_input] as usize) < rows.end
        };
        while i + I <= shape.n_in {
            let block = Block {
                first_row: i,
                first_chunk,
                has_input: has_input(i..i + I),
            };
            products = self.block::<I, Q>(block, a, d, shape, rate, products);
            i += I;
        }
        while i < shape.n_in {
            let block = Block {
                first_row: i,
                first_chunk,
                has_input: has_input(i..i + 1),
            };
            products = self.block::<1, Q>(block, a, d, shape, rate, products);
            i += 1;
        }
        if MEASURED {
            let neurons = &mut self.products[first_chunk * LANES..];
            write_products(neurons, products);
        }
    }

    /// Rows first_row..first_row + I, chunks first_chunk..first_chunk + Q
    /// of W^T: form the block's gradient (zero, without arithmetic, if
    /// none of its rows has an input), measure, step.
    #[inline(always)]
    fn block<const I: usize, const Q: usize>(
        &mut self,
        Block {
            first_row,
            first_chunk,
            has_input,
        }: Block,
        a: &[T],
        d: &[T],
        shape: StepShape,
        rate: Rate<T>,
        mut products: ProductLanes<T, Q>,
    ) -> ProductLanes<T, Q> {
        let StepShape { m, n_out, n_in } = shape;
        let (a_stride, chunks) = (padded(n_in), padded(n_out) / LANES);
        // g[r][q] = sum_b a[b][first_row + r] D[b][chunk first_chunk + q]
        let mut g = [[[T::zero(); LANES]; Q]; I];
        let d_rows = d.as_chunks::<LANES>().0.chunks_exact(chunks);
        let examples = if has_input { m } else { 0 };
        for (a_row, d_row) in a.chunks_exact(a_stride).zip(d_rows).take(examples) {
            let x: &[T; I] = a_row[first_row..first_row + I].try_into().expect("I rows");
            let delta: &[[T; LANES]; Q] = d_row[first_chunk..first_chunk + Q]
                .try_into()
                .expect("Q chunks");
            // Index loops over the small constants I and Q: the compiler
            // unrolls them whole and keeps every partial sum in a register.
            #[allow(clippy::needless_range_loop)]
            for r in 0..I {
                for q in 0..Q {
                    for l in 0..LANES {
                        g[r][q][l] = x[r].mul_add(delta[q][l], g[r][q][l]);
                    }
                }
            }
        }
        for (r, g_r) in g.iter().enumerate() {
            let at = (first_row + r) * chunks + first_chunk;
            let w_chunks = &mut self.wt.as_chunks_mut::<LANES>().0[at..at + Q];
            if MEASURED {
                for (q, (w_q, g_q)) in w_chunks.iter().zip(g_r).enumerate() {
                    measure_chunk(&mut products, q, w_q, g_q);
                }
            }
            if SUMMED {
                let s_chunks = &mut self.weight_sums.as_chunks_mut::<LANES>().0[at..at + Q];
                for ((w_q, g_q), s_q) in w_chunks.iter_mut().zip(g_r).zip(s_chunks) {
                    step_and_sum_chunk(rate, w_q, g_q, s_q);
                }
            } else {
                for (w_q, g_q) in w_chunks.iter_mut().zip(g_r) {
                    for l in 0..LANES {
                        w_q[l] = rate.apply(w_q[l], g_q[l]);
                    }
                }
            }
        }
        products
    }
}

/// A strip's products, lane by lane, into `neurons` (as many as there are).
/// Not inlined: the strip hands over a copy, and its own `products`,
/// indexed by constants only, can live in registers.
#[inline(never)]
fn write_products<T: Real, const Q: usize>(neurons: &mut [[T; 3]], products: ProductLanes<T, Q>) {
    let [ww, wg, gg] = products.each_ref().map(|p| p.as_flattened());
    for (j, neuron) in neurons.iter_mut().take(Q * LANES).enumerate() {
        *neuron = [ww[j], wg[j], gg[j]];
    }
}

/// One chunk of a row: the step, and the weights before and after it added
/// to their sums. (A function of its own, so that the compiler knows `w`
/// and `s` do not overlap and keeps the loop in vector registers.)
#[inline(always)]
fn step_and_sum_chunk<T: Real>(
    rate: Rate<T>,
    w: &mut [T; LANES],
    g: &[T; LANES],
    s: &mut [T; LANES],
) {
    for l in 0..LANES {
        let after = rate.apply(w[l], g[l]);
        s[l] += w[l] + after;
        w[l] = after;
    }
}

/// One chunk (number q of its strip) of a row of W^T, before its step:
/// each neuron's products, one more term.
#[inline(always)]
fn measure_chunk<T: Real, const Q: usize>(
    [ww, wg, gg]: &mut ProductLanes<T, Q>,
    q: usize,
    w: &[T; LANES],
    g: &[T; LANES],
) {
    for l in 0..LANES {
        ww[q][l] = w[l].mul_add(w[l], ww[q][l]);
        wg[q][l] = w[l].mul_add(g[l], wg[q][l]);
        gg[q][l] = g[l].mul_add(g[l], gg[q][l]);
    }
}

/// C = D w. See `kernels::backward_product`.
///
/// W^T is first copied into `w` as w itself (n_out rows of padded(n_in),
/// padding zero), so that each row of C is a weighted sum of rows of w, built chunk
/// by chunk in registers: `c[b][i]` = sum_j `d[b][j]` `w[j][i]` added in order
/// of j. (Dot products of rows of D and W^T would each need a horizontal
/// sum at the end, which cost more than the copy.)
#[inline(always)]
pub fn backward_product<T: Real>(c: &mut [T], d: &[T], wt: &[T], shape: StepShape, w: &mut [T]) {
    let StepShape { m, n_out, n_in } = shape;
    let (out_stride, in_stride) = (padded(n_out), padded(n_in));
    assert_eq!(c.len(), m * in_stride);
    assert_eq!(d.len(), m * out_stride);
    assert_eq!(wt.len(), n_in * out_stride);
    let w = &mut w[..n_out * in_stride];
    super::write_rows(wt, n_out, n_in, w, in_stride);
    for w_row in w.chunks_exact_mut(in_stride) {
        w_row[n_in..].fill(T::zero());
    }
    let (c_chunks, _) = c.as_chunks_mut::<LANES>();
    let (w_chunks, _) = w.as_chunks::<LANES>();
    let chunks = in_stride / LANES;
    for (c_row, d_row) in c_chunks
        .chunks_exact_mut(chunks)
        .zip(d.chunks_exact(out_stride))
    {
        for (q, c_q) in c_row.iter_mut().enumerate() {
            let mut acc = [T::zero(); LANES];
            for (&d_j, w_row) in d_row[..n_out].iter().zip(w_chunks.chunks_exact(chunks)) {
                let w_q = &w_row[q];
                for l in 0..LANES {
                    acc[l] = d_j.mul_add(w_q[l], acc[l]);
                }
            }
            *c_q = acc;
        }
    }
}

/// The columns of A with a nonzero entry. See `kernels::nonzero_columns`.
#[inline(always)]
pub fn nonzero_columns<T: Real>(a: &[T], m: usize, n_in: usize, columns: &mut [u32]) -> usize {
    nonzero_columns_by(a, m, n_in, columns, write_nonzero_lanes)
}

/// `nonzero_columns`, with `write_lanes` writing out each chunk's nonzero
/// columns (as `write_nonzero_lanes` does).
///
/// Column by column (a chunk of them at a time), the sum of the entries'
/// sizes |`a[b][i]`| over the rows: plain vector additions, and zero exactly
/// when every entry is (a sum of sizes cannot cancel; NaN stays NaN). A
/// size is +0 or has a bit set: never -0.
#[inline(always)]
pub fn nonzero_columns_by<T: Real>(
    a: &[T],
    m: usize,
    n_in: usize,
    columns: &mut [u32],
    write_lanes: impl Fn(&[T; LANES], u32, usize, &mut [u32]) -> usize,
) -> usize {
    let stride = padded(n_in);
    assert_eq!(a.len(), m * stride);
    assert!(columns.len() >= n_in);
    let chunks = stride / LANES;
    let mut count = 0;
    // Eight chunks at a time: eight independent chains of additions. A last
    // group of fewer repeats its last chunk (summed, not used).
    for first in (0..chunks).step_by(8) {
        let mut sizes = [[T::zero(); LANES]; 8];
        for row in a.chunks_exact(stride) {
            for (g, sizes_g) in sizes.iter_mut().enumerate() {
                let c = (first + g).min(chunks - 1);
                let chunk: &[T; LANES] = row[c * LANES..][..LANES].try_into().expect("a chunk");
                for l in 0..LANES {
                    sizes_g[l] += chunk[l].abs();
                }
            }
        }
        for (g, sizes_g) in sizes.iter().enumerate().take(chunks - first) {
            let first_column = (first + g) * LANES;
            let lanes = LANES.min(n_in - first_column);
            count += write_lanes(sizes_g, first_column as u32, lanes, &mut columns[count..]);
        }
    }
    count
}

/// The columns where some image has a nonzero pixel. See
/// `kernels::nonzero_pixels`.
#[inline(always)]
pub fn nonzero_pixels<P: Pixel>(
    pixels: &[P],
    n_in: usize,
    images: &[usize],
    columns: &mut [u32],
) -> usize {
    nonzero_pixels_by(pixels, n_in, images, columns, write_nonzero_lanes::<f32>)
}

/// `nonzero_pixels`, with `write_lanes` writing out each chunk's nonzero
/// columns (as `write_nonzero_lanes` does).
///
/// 64 columns at a time (then 16, the last chunk maybe partial), the
/// pixels of the images OR-ed together (zero exactly where every image's
/// is), then as f32 (exact) chunk by chunk.
#[inline(always)]
pub fn nonzero_pixels_by<P: Pixel>(
    pixels: &[P],
    n_in: usize,
    images: &[usize],
    columns: &mut [u32],
    write_lanes: impl Fn(&[f32; LANES], u32, usize, &mut [u32]) -> usize,
) -> usize {
    const GROUP: usize = 4 * LANES;
    assert!(columns.len() >= n_in);
    let image = |e: usize| &pixels[e * n_in..][..n_in];
    let mut count = 0;
    let mut write = |any: &[P; LANES], first_column: usize| {
        let sizes = any.map(|p| f32::from(p.into()));
        let lanes = LANES.min(n_in - first_column);
        count += write_lanes(&sizes, first_column as u32, lanes, &mut columns[count..]);
    };
    let whole_groups = n_in / GROUP;
    for first in (0..whole_groups).map(|g| g * GROUP) {
        let mut any = [P::default(); GROUP];
        for &e in images {
            let group: &[P; GROUP] = image(e)[first..][..GROUP].try_into().expect("a group");
            for l in 0..GROUP {
                any[l] = any[l] | group[l];
            }
        }
        for (c, chunk) in any.as_chunks::<LANES>().0.iter().enumerate() {
            write(chunk, first + c * LANES);
        }
    }
    for first in (whole_groups * GROUP..n_in).step_by(LANES) {
        let width = LANES.min(n_in - first);
        let mut any = [P::default(); LANES];
        for &e in images {
            for (any, &p) in any.iter_mut().zip(&image(e)[first..first + width]) {
                *any = *any | p;
            }
        }
        write(&any, first);
    }
    count
}

/// Write first + l for each of the first `lanes` lanes l whose size is
/// not zero, in increasing order, to the start of `columns` (at least
/// `lanes` long); return how many.
#[inline(always)]
pub fn write_nonzero_lanes<T: Real>(
    sizes: &[T; LANES],
    first: u32,
    lanes: usize,
    columns: &mut [u32],
) -> usize {
    let mut count = 0;
    for (l, &size) in sizes.iter().enumerate().take(lanes) {
        // Written always, counted if nonzero: no branch to mispredict.
        columns[count] = first + l as u32;
        count += usize::from(size != T::zero());
    }
    count
}

/// step on every value. See `kernels::update_values`.
#[inline(always)]
pub fn update_values<T: Real, F: Fn(&mut T, T, &mut T, &mut T)>(
    w: &mut [T],
    g: &[T],
    first: &mut [T],
    second: &mut [T],
    step: F,
) {
    assert!(g.len() == w.len() && first.len() == w.len() && second.len() == w.len());
    let values = w
        .iter_mut()
        .zip(g)
        .zip(first.iter_mut().zip(second.iter_mut()));
    for ((w, &g), (a, b)) in values {
        step(w, g, a, b);
    }
}

/// The sums of one layer's split step. See `kernels::split_step_sums`.
#[inline(always)]
pub fn split_step_sums<T: Real>(
    before: &[T],
    after: &[T],
    decay: &[T],
    gradient: &[T],
    moves: &mut [f64],
) -> [f64; 4] {
    const LANES: usize = 8;
    let len = moves.len();
    assert!(before.len() == len && after.len() == len && decay.len() == len);
    assert!(gradient.len() == len);
    // Partial sums by lane: decay, drift, noise, |G|^2.
    let (mut sd, mut sr, mut sn, mut sg) =
        ([0.0f64; LANES], [0.0; LANES], [0.0; LANES], [0.0; LANES]);
    let whole = len - len % LANES;
    for start in (0..whole).step_by(LANES) {
        let (w, w_next) = (&before[start..start + LANES], &after[start..start + LANES]);
        let (d, g) = (
            &decay[start..start + LANES],
            &gradient[start..start + LANES],
        );
        let moved = &mut moves[start..start + LANES];
        for lane in 0..LANES {
            let (w, d, g) = (w[lane].as_f64(), d[lane].as_f64(), g[lane].as_f64());
            let e = w_next[lane].as_f64() - w - d;
            sd[lane] += (2.0 * w + d) * d;
            sr[lane] += 2.0 * (w + d) * e;
            sn[lane] += e * e;
            sg[lane] += g * g;
            moved[lane] += d;
        }
    }
    for k in whole..len {
        let (w, d, g) = (before[k].as_f64(), decay[k].as_f64(), gradient[k].as_f64());
        let e = after[k].as_f64() - w - d;
        sd[0] += (2.0 * w + d) * d;
        sr[0] += 2.0 * (w + d) * e;
        sn[0] += e * e;
        sg[0] += g * g;
        moves[k] += d;
    }
    [sd, sr, sn, sg].map(|sums| sums.iter().sum())
}

/// s = sum of the rows of A. See `kernels::column_sums`.
#[inline(always)]
pub fn column_sums<T: Real>(s: &mut [T], a: &[T]) {
    let width = s.len();
    s.fill(T::zero());
    for row in a.chunks_exact(width) {
        for (s_j, &a_j) in s.iter_mut().zip(row) {
            *s_j += a_j;
        }
    }
}

/// `out[p]` = `pixels[p]` / white. See `kernels::scale_pixels`.
#[inline(always)]
pub fn scale_pixels<T: Real, P: Copy + Into<u16>>(out: &mut [T], pixels: &[P], white: u16) {
    assert_eq!(out.len(), pixels.len());
    let inverse = 1.0 / white as f64;
    for (x, &p) in out.iter_mut().zip(pixels) {
        *x = T::pixel_ratio(p.into(), white, inverse);
    }
}
