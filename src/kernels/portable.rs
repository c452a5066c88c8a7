//! The kernels in plain Rust, shaped so that the compiler turns them into
//! vector code: fixed-size arrays of partial sums, one per vector lane.
//! Everything is `#[inline(always)]` so that it is compiled anew inside each
//! `#[target_feature]` wrapper of `kernels::x86`.
//!
//! Bits do not depend on the instruction set: each output is computed by the
//! same operations in the same order whichever wrapper runs it, and whether
//! its row falls in a full block or in the remainder.

use super::{Measurements, Rate, Real, StepShape};

/// Partial sums per dot product (or per column of a weighted sum of rows):
/// 16 lanes, one AVX-512 register of f32, two of f64 or AVX2.
const LANES: usize = 16;

/// Rows of A handled together by `matmul_a_bt`, sharing each load of B.
const ROW_BLOCK: usize = 5;

/// The dot product from its partial sums and the leftover tail: the tail
/// goes into the first lanes, then the lanes are summed.
#[inline(always)]
fn finish_dot<T: Real>(mut acc: [T; LANES], x_tail: &[T], y_tail: &[T]) -> T {
    for (l, (&x, &y)) in x_tail.iter().zip(y_tail).enumerate() {
        acc[l] = x.mul_add(y, acc[l]);
    }
    sum_lanes(acc)
}

/// The sum of partial sums, added pairwise, halving (lane l + LANES/2 into
/// lane l) until one is left.
#[inline(always)]
fn sum_lanes<T: Real>(mut acc: [T; LANES]) -> T {
    let mut width = LANES;
    while width > 1 {
        width /= 2;
        for l in 0..width {
            let upper = acc[l + width];
            acc[l] += upper;
        }
    }
    acc[0]
}

/// C (m x n) = A (m x k) B^T, B (n x k). See `kernels::matmul_a_bt`.
///
/// Neurons go in groups of 4 in f32 and 2 in f64: a block's 5 x 4 (or
/// 5 x 2) partial-sum chunks then fill 20 of AVX-512's 32 vector registers,
/// with room left for the loads.
#[inline(always)]
pub fn matmul_a_bt<T: Real>(c: &mut [T], a: &[T], b: &[T], m: usize, k: usize, n: usize) {
    if std::mem::size_of::<T>() == 4 {
        matmul_a_bt_grouped::<T, 4>(c, a, b, m, k, n)
    } else {
        matmul_a_bt_grouped::<T, 2>(c, a, b, m, k, n)
    }
}

/// `matmul_a_bt` with the rows of B (the neurons) in groups of `NEURONS`.
///
/// The group is the outer loop: its rows of B are read from memory once and
/// stay in the L1 cache while every row of A passes by, in blocks of up to
/// `ROW_BLOCK` rows. A block keeps ROW_BLOCK x NEURONS dot products going at
/// once, each chunk of A loaded once for all the group and each chunk of B
/// once for all the block's rows. A short last block repeats its last row,
/// and a short last group its last neuron (those sums are dropped): every
/// block runs the same code, and every entry is computed alike.
#[inline(always)]
fn matmul_a_bt_grouped<T: Real, const NEURONS: usize>(
    c: &mut [T],
    a: &[T],
    b: &[T],
    m: usize,
    k: usize,
    n: usize,
) {
    assert_eq!(c.len(), m * n);
    assert_eq!(a.len(), m * k);
    assert_eq!(b.len(), n * k);
    for first_neuron in (0..n).step_by(NEURONS) {
        for first_row in (0..m).step_by(ROW_BLOCK) {
            let block = Block {
                first_row,
                first_neuron,
                m,
                k,
                n,
            };
            block.dot_products::<T, ROW_BLOCK, NEURONS>(c, a, b);
        }
    }
}

/// Where a block of `matmul_a_bt` sits: its first row of A and C, its first
/// neuron (row of B, column of C), and the shapes m, k and n.
struct Block {
    first_row: usize,
    first_neuron: usize,
    m: usize,
    k: usize,
    n: usize,
}

impl Block {
    /// C[first_row + r][first_neuron + q] for r < R, q < Q (as far as C
    /// reaches): R x Q dot products of length k, each with LANES partial
    /// sums in registers.
    #[inline(always)]
    fn dot_products<T: Real, const R: usize, const Q: usize>(&self, c: &mut [T], a: &[T], b: &[T]) {
        let Block {
            first_row,
            first_neuron,
            m,
            k,
            n,
        } = *self;
        let a_rows: [&[T]; R] = std::array::from_fn(|r| &a[(first_row + r).min(m - 1) * k..][..k]);
        let b_rows: [&[T]; Q] =
            std::array::from_fn(|q| &b[(first_neuron + q).min(n - 1) * k..][..k]);
        let a_chunks = a_rows.map(|row| row.as_chunks::<LANES>().0);
        let b_chunks = b_rows.map(|row| row.as_chunks::<LANES>().0);
        let chunks = k / LANES;
        let mut acc = [[[T::zero(); LANES]; Q]; R];
        for s in 0..chunks {
            // Index loops over the small constant R and Q: the compiler
            // unrolls them whole and keeps every partial sum in a register.
            #[allow(clippy::needless_range_loop)]
            for r in 0..R {
                let x = &a_chunks[r][s];
                for q in 0..Q {
                    let y = &b_chunks[q][s];
                    for l in 0..LANES {
                        acc[r][q][l] = x[l].mul_add(y[l], acc[r][q][l]);
                    }
                }
            }
        }
        let body = chunks * LANES;
        let neurons = (n - first_neuron).min(Q);
        let rows = (m - first_row).min(R);
        for (r, (acc_r, a_r)) in acc.into_iter().zip(a_rows).enumerate().take(rows) {
            let c_row = &mut c[(first_row + r) * n + first_neuron..][..neurons];
            for (c_rq, (acc_rq, b_q)) in c_row.iter_mut().zip(acc_r.into_iter().zip(b_rows)) {
                *c_rq = finish_dot(acc_rq, &a_r[body..], &b_q[body..]);
            }
        }
    }
}

/// The update rule on a weight layer, fused with its gradient. See
/// `kernels::gradient_step`.
///
/// Rows of W go in groups of up to `group_rows`, columns in blocks of
/// C x LANES: the block's gradient sum_i D[i][j] A[i][cols] builds up in
/// registers while the m rows of A stream past (each chunk of A loaded once
/// for all the group's rows), then the same registers update W's block. The
/// measurements, if asked for, are taken in the same pass. Every g[j][p] is
/// sum_i D[i][j] A[i][p] added in order of i, and every measured product
/// adds its chunks in order of p, however the work is blocked.
#[inline(always)]
pub fn gradient_step<T: Real>(
    w: &mut [T],
    a: &[T],
    d: &[T],
    shape: StepShape,
    rate: Rate<T>,
    measurements: Option<Measurements<T>>,
) {
    let StepShape { m, n, k } = shape;
    assert_eq!(w.len(), n * k);
    assert_eq!(a.len(), m * k);
    assert_eq!(d.len(), m * n);
    match measurements {
        Some(Measurements {
            weight_sums,
            products,
        }) => {
            assert_eq!(products.len(), n);
            // No sums to add to this step: an empty slice, never touched.
            let weight_sums = weight_sums.unwrap_or_default();
            assert!(weight_sums.is_empty() || weight_sums.len() == n * k);
            gradient_step_rows::<T, true>(w, a, d, shape, rate, weight_sums, products)
        }
        None => gradient_step_rows::<T, false>(w, a, d, shape, rate, &mut [], &mut []),
    }
}

/// Rows of W updated together by `gradient_step`: 5 (5 x 4 chunks of
/// gradient in 20 vector registers), fewer in a measured step, whose
/// product partial sums (3 chunks per row, twice the registers in f64) need
/// registers too.
#[inline(always)]
fn group_rows<T, const MEASURED: bool>() -> usize {
    match (MEASURED, std::mem::size_of::<T>()) {
        (false, _) => 5,
        (true, 4) => 4,
        (true, _) => 2,
    }
}

/// `gradient_step`, measured or not; unmeasured, `weight_sums` and
/// `products` are empty and never touched, and measured, `weight_sums` is
/// empty on the steps that do not add to it.
#[inline(always)]
fn gradient_step_rows<T: Real, const MEASURED: bool>(
    w: &mut [T],
    a: &[T],
    d: &[T],
    shape: StepShape,
    rate: Rate<T>,
    weight_sums: &mut [T],
    products: &mut [[T; 3]],
) {
    let mut buffers = RowBuffers::<T, MEASURED> {
        w,
        weight_sums,
        products,
    };
    let mut first = 0;
    while first < shape.n {
        let rows = (shape.n - first).min(group_rows::<T, MEASURED>());
        let group = RowGroup { first, shape, rate };
        match rows {
            5 => group.step::<5, MEASURED>(&mut buffers, a, d),
            4 => group.step::<4, MEASURED>(&mut buffers, a, d),
            3 => group.step::<3, MEASURED>(&mut buffers, a, d),
            2 => group.step::<2, MEASURED>(&mut buffers, a, d),
            _ => group.step::<1, MEASURED>(&mut buffers, a, d),
        }
        first += rows;
    }
}

/// The slices a step writes: W, and if MEASURED the weight sums and the
/// rows' products.
struct RowBuffers<'a, T, const MEASURED: bool> {
    w: &'a mut [T],
    weight_sums: &'a mut [T],
    products: &'a mut [[T; 3]],
}

/// Rows first..first + J of a layer's step, see `gradient_step`.
struct RowGroup<T> {
    first: usize,
    shape: StepShape,
    rate: Rate<T>,
}

/// Partial sums of one row's (|w|^2, <w, g>, |g|^2), LANES of each.
type ProductLanes<T> = [[T; LANES]; 3];

impl<T: Real> RowGroup<T> {
    /// Rows first..first + J: whole blocks of 4 chunks of columns in f32 (J
    /// x 4 chunks of gradient fill up to 20 vector registers), 2 in f64 and
    /// in a measured step (whose product sums need registers too), then
    /// single chunks, then the last k mod LANES columns one by one.
    #[inline(always)]
    fn step<const J: usize, const MEASURED: bool>(
        &self,
        buffers: &mut RowBuffers<T, MEASURED>,
        a: &[T],
        d: &[T],
    ) {
        let chunks = self.shape.k / LANES;
        let mut lanes = [[[T::zero(); LANES]; 3]; J];
        let mut chunk = 0;
        if std::mem::size_of::<T>() == 4 && !MEASURED {
            while chunk + 4 <= chunks {
                self.columns::<J, 4, MEASURED>(chunk * LANES, buffers, a, d, &mut lanes);
                chunk += 4;
            }
        } else {
            while chunk + 2 <= chunks {
                self.columns::<J, 2, MEASURED>(chunk * LANES, buffers, a, d, &mut lanes);
                chunk += 2;
            }
        }
        while chunk < chunks {
            self.columns::<J, 1, MEASURED>(chunk * LANES, buffers, a, d, &mut lanes);
            chunk += 1;
        }
        self.last_columns::<J, MEASURED>(chunks * LANES, buffers, a, d, &mut lanes);
        if MEASURED {
            for (r, row_lanes) in lanes.into_iter().enumerate() {
                buffers.products[self.first + r] = row_lanes.map(sum_lanes);
            }
        }
    }

    /// Columns start..start + C x LANES of rows first..first + J.
    #[inline(always)]
    fn columns<const J: usize, const C: usize, const MEASURED: bool>(
        &self,
        start: usize,
        buffers: &mut RowBuffers<T, MEASURED>,
        a: &[T],
        d: &[T],
        lanes: &mut [ProductLanes<T>; J],
    ) {
        let StepShape { m, n, k } = self.shape;
        let first = self.first;
        // The block's rows of W are read after the gradient is formed:
        // ask for them now, so that they arrive while it is.
        for r in 0..J {
            let at = (first + r) * k + start;
            super::prefetch(&buffers.w[at..at + C * LANES]);
        }
        // g[r][q] = sum_i D[i][first + r] A[i][chunk q of the block]
        let mut g = [[[T::zero(); LANES]; C]; J];
        for i in 0..m {
            let x: &[[T; LANES]; C] = a[i * k + start..][..C * LANES]
                .as_chunks::<LANES>()
                .0
                .try_into()
                .expect("C chunks");
            let d_row: &[T; J] = d[i * n + first..][..J].try_into().expect("J rows");
            // Index loops over the small constants J and C: the compiler
            // unrolls them whole and keeps every partial sum in a register.
            #[allow(clippy::needless_range_loop)]
            for r in 0..J {
                for q in 0..C {
                    for l in 0..LANES {
                        g[r][q][l] = d_row[r].mul_add(x[q][l], g[r][q][l]);
                    }
                }
            }
        }
        for (r, (g_r, lanes_r)) in g.iter().zip(lanes.iter_mut()).enumerate() {
            let at = (first + r) * k + start;
            let (w_chunks, _) = buffers.w[at..][..C * LANES].as_chunks_mut::<LANES>();
            if MEASURED {
                for (w_q, g_q) in w_chunks.iter().zip(g_r) {
                    measure_chunk(lanes_r, w_q, g_q);
                }
            }
            if MEASURED && !buffers.weight_sums.is_empty() {
                let (s_chunks, _) = buffers.weight_sums[at..][..C * LANES].as_chunks_mut::<LANES>();
                for ((w_q, g_q), s_q) in w_chunks.iter_mut().zip(g_r).zip(s_chunks) {
                    step_and_sum_chunk(self.rate, w_q, g_q, s_q);
                }
            } else {
                for (w_q, g_q) in w_chunks.iter_mut().zip(g_r) {
                    for l in 0..LANES {
                        w_q[l] = self.rate.apply(w_q[l], g_q[l]);
                    }
                }
            }
        }
    }

    /// Columns start..k (fewer than LANES) of rows first..first + J, one at
    /// a time; their products are added to the first lanes.
    #[inline(always)]
    fn last_columns<const J: usize, const MEASURED: bool>(
        &self,
        start: usize,
        buffers: &mut RowBuffers<T, MEASURED>,
        a: &[T],
        d: &[T],
        lanes: &mut [ProductLanes<T>; J],
    ) {
        let StepShape { m, n, k } = self.shape;
        let first = self.first;
        // The tail's products, column p in lane p - start: a separate array,
        // so that `lanes` is only ever indexed by constants and can live in
        // registers.
        let mut tails = [[[T::zero(); LANES]; 3]; J];
        for p in start..k {
            let mut g = [T::zero(); J];
            for i in 0..m {
                let x = a[i * k + p];
                for (r, g_r) in g.iter_mut().enumerate() {
                    *g_r = d[i * n + first + r].mul_add(x, *g_r);
                }
            }
            for (r, (&g_r, tails_r)) in g.iter().zip(tails.iter_mut()).enumerate() {
                let at = (first + r) * k + p;
                let w_rp = buffers.w[at];
                if MEASURED {
                    let [ww, wg, gg] = tails_r;
                    let l = p - start;
                    ww[l] = w_rp.mul_add(w_rp, ww[l]);
                    wg[l] = w_rp.mul_add(g_r, wg[l]);
                    gg[l] = g_r.mul_add(g_r, gg[l]);
                }
                let after = self.rate.apply(w_rp, g_r);
                if MEASURED && !buffers.weight_sums.is_empty() {
                    buffers.weight_sums[at] += w_rp + after;
                }
                buffers.w[at] = after;
            }
        }
        if MEASURED {
            for (lanes_r, tails_r) in lanes.iter_mut().zip(tails) {
                for (lane, tail) in lanes_r.iter_mut().zip(tails_r) {
                    for l in 0..LANES {
                        lane[l] += tail[l];
                    }
                }
            }
        }
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

/// One chunk of a row, before its step: the products' partial sums.
#[inline(always)]
fn measure_chunk<T: Real>([ww, wg, gg]: &mut ProductLanes<T>, w: &[T; LANES], g: &[T; LANES]) {
    for l in 0..LANES {
        ww[l] = w[l].mul_add(w[l], ww[l]);
        wg[l] = w[l].mul_add(g[l], wg[l]);
        gg[l] = g[l].mul_add(g[l], gg[l]);
    }
}

/// C (m x n) = A (m x k) B, B (k x n). See `kernels::matmul_a_b`.
///
/// Each row of C in chunks of LANES columns, its sum over the rows of B
/// built up in registers. Where n is not a multiple of LANES the last chunk
/// ends at n and overlaps the one before: the shared columns are computed
/// twice, alike, and written twice with the same value. Every entry is
/// sum_j A[i][j] B[j][p] added in order of j.
#[inline(always)]
pub fn matmul_a_b<T: Real>(c: &mut [T], a: &[T], b: &[T], m: usize, k: usize, n: usize) {
    assert_eq!(c.len(), m * n);
    assert_eq!(a.len(), m * k);
    assert_eq!(b.len(), k * n);
    for (c_row, a_row) in c.chunks_exact_mut(n).zip(a.chunks_exact(k)) {
        if n < LANES {
            c_row.fill(T::zero());
            for (&a_ij, b_row) in a_row.iter().zip(b.chunks_exact(n)) {
                for (c_p, &b_p) in c_row.iter_mut().zip(b_row) {
                    *c_p = a_ij.mul_add(b_p, *c_p);
                }
            }
            continue;
        }
        let mut start = 0;
        loop {
            let mut acc = [T::zero(); LANES];
            for (&a_ij, b_row) in a_row.iter().zip(b.chunks_exact(n)) {
                let b_chunk: &[T; LANES] = b_row[start..start + LANES].try_into().expect("a chunk");
                for l in 0..LANES {
                    acc[l] = a_ij.mul_add(b_chunk[l], acc[l]);
                }
            }
            c_row[start..start + LANES].copy_from_slice(&acc);
            if start + LANES == n {
                break;
            }
            start = (start + LANES).min(n - LANES);
        }
    }
}

/// s = sum of the rows of A. See `kernels::column_sums`.
#[inline(always)]
pub fn column_sums<T: Real>(s: &mut [T], a: &[T]) {
    let n = s.len();
    s.fill(T::zero());
    for row in a.chunks_exact(n) {
        for (s_j, &a_j) in s.iter_mut().zip(row) {
            *s_j += a_j;
        }
    }
}

/// Z + 1 b^T, then sigma elementwise. See `kernels::add_bias_and_sigmoid`.
#[inline(always)]
pub fn add_bias_and_sigmoid<T: Real>(z: &mut [T], biases: &[T]) {
    for row in z.chunks_exact_mut(biases.len()) {
        for (z_j, &b_j) in row.iter_mut().zip(biases) {
            *z_j += b_j;
        }
    }
    // One pass over the whole matrix: rows are short (10 or 30), and full
    // vectors are what makes this fast.
    for z_j in z.iter_mut() {
        *z_j = T::one() / (T::one() + exp(-*z_j));
    }
}

/// 1 / i!, the coefficients of the Taylor series of e^r.
const INVERSE_FACTORIALS: [f64; 14] = {
    let mut c = [1.0; 14];
    let mut i = 1;
    while i < 14 {
        c[i] = c[i - 1] / i as f64;
        i += 1;
    }
    c
};

/// e^x = 2^k e^r with k = round(x / ln 2) and r = x - k ln 2 in
/// [-ln 2 / 2, ln 2 / 2] (k ln 2 taken off in two parts, each with one
/// rounding), e^r by its Taylor series (Horner's rule), 2^k from its bits.
/// Outside `T::EXP_RANGE`, where 2^k would not be a normal number: +inf
/// above, 0 below. NaN stays NaN.
#[inline(always)]
pub fn exp<T: Real>(x: T) -> T {
    let [low, high] = T::EXP_RANGE.map(T::from_f64);
    let [ln_2_high, ln_2_low] = T::LN_2_PARTS.map(T::from_f64);
    // Comparisons with NaN are false: a NaN x goes through and stays NaN.
    let clamped = if x > high {
        high
    } else if x < low {
        low
    } else {
        x
    };
    let k = (clamped * T::from_f64(std::f64::consts::LOG2_E)).round_ties_even();
    let r = (-k).mul_add(ln_2_low, (-k).mul_add(ln_2_high, clamped));
    let mut taylor = T::from_f64(INVERSE_FACTORIALS[T::EXP_TERMS - 1]);
    for &c in INVERSE_FACTORIALS[..T::EXP_TERMS - 1].iter().rev() {
        taylor = taylor.mul_add(r, T::from_f64(c));
    }
    let e = taylor * T::exp2_integer(k);
    if x > high {
        T::infinity()
    } else if x < low {
        T::zero()
    } else {
        e
    }
}

/// out[p] = pixels[p] / white. See `kernels::scale_pixels`.
#[inline(always)]
pub fn scale_pixels<T: Real, P: Copy + Into<u16>>(out: &mut [T], pixels: &[P], white: u16) {
    assert_eq!(out.len(), pixels.len());
    let inverse = 1.0 / white as f64;
    for (x, &p) in out.iter_mut().zip(pixels) {
        *x = T::pixel_ratio(p.into(), white, inverse);
    }
}
