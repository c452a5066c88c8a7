//! The kernels in plain Rust, shaped so that the compiler turns them into
//! vector code: fixed-size arrays of partial sums, one per vector lane.
//! Everything is `#[inline(always)]` so that it is compiled anew inside each
//! `#[target_feature]` wrapper of `kernels::x86`.
//!
//! Bits do not depend on the instruction set: each output is computed by the
//! same operations in the same order whichever wrapper runs it, and whether
//! its row falls in a full block or in the remainder.

use super::Real;

/// Partial sums per dot product: 32 lanes (two AVX-512 registers of f32),
/// so that four rows at once keep eight independent chains of additions.
const LANES: usize = 16;

/// Rows of A handled together by `matmul_a_bt`, sharing each load of B.
const ROW_BLOCK: usize = 4;

/// Add lane by lane: acc[l] += x[l] * y[l].
#[inline(always)]
fn multiply_add<T: Real, const L: usize>(acc: &mut [T; L], x: &[T], y: &[T]) {
    let x: &[T; L] = x.try_into().expect("a full chunk");
    let y: &[T; L] = y.try_into().expect("a full chunk");
    for l in 0..L {
        acc[l] = x[l].mul_add(y[l], acc[l]);
    }
}

/// The dot product from its partial sums and the leftover tail: the tail
/// goes into the first lanes, then the lanes are added pairwise, halving
/// (lane l + L/2 into lane l) until one is left.
#[inline(always)]
fn finish_dot<T: Real, const L: usize>(mut acc: [T; L], x_tail: &[T], y_tail: &[T]) -> T {
    for (l, (&x, &y)) in x_tail.iter().zip(y_tail).enumerate() {
        acc[l] = x.mul_add(y, acc[l]);
    }
    let mut width = L;
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
#[inline(always)]
pub fn matmul_a_bt<T: Real>(c: &mut [T], a: &[T], b: &[T], m: usize, k: usize, n: usize) {
    assert_eq!(c.len(), m * n);
    assert_eq!(a.len(), m * k);
    assert_eq!(b.len(), n * k);
    let body = k - k % LANES;
    // Blocks of four rows: each chunk of a row of B is loaded once for all
    // four, and the four partial sums are separate variables so that the
    // compiler keeps them in vector registers. The last block repeats its
    // last row where m is not a multiple of four (those sums are dropped):
    // four independent chains always, and every entry computed alike.
    for first in (0..m).step_by(ROW_BLOCK) {
        let rows: [usize; ROW_BLOCK] = std::array::from_fn(|r| (first + r).min(m - 1));
        let row = |r: usize| &a[rows[r] * k..(rows[r] + 1) * k];
        let (a0, a1, a2, a3) = (row(0), row(1), row(2), row(3));
        // Two rows of B (two output neurons) at a time: eight chains, and
        // each chunk of A loaded once for both; an odd last one repeats.
        for j in (0..n).step_by(2) {
            let (j0, j1) = (j, (j + 1).min(n - 1));
            let (b0, b1) = (&b[j0 * k..(j0 + 1) * k], &b[j1 * k..(j1 + 1) * k]);
            let zero = [T::zero(); LANES];
            let mut acc = [[zero; 2]; ROW_BLOCK];
            for start in (0..body).step_by(LANES) {
                let (c0, c1) = (&b0[start..start + LANES], &b1[start..start + LANES]);
                for (acc_r, a_r) in acc.iter_mut().zip([a0, a1, a2, a3]) {
                    let a_chunk = &a_r[start..start + LANES];
                    multiply_add(&mut acc_r[0], a_chunk, c0);
                    multiply_add(&mut acc_r[1], a_chunk, c1);
                }
            }
            for (r, (acc_r, a_r)) in acc
                .into_iter()
                .zip([a0, a1, a2, a3])
                .enumerate()
                .take(m - first)
            {
                c[(first + r) * n + j0] = finish_dot(acc_r[0], &a_r[body..], &b0[body..]);
                c[(first + r) * n + j1] = finish_dot(acc_r[1], &a_r[body..], &b1[body..]);
            }
        }
    }
}

/// g (k) = sum_i D[i][column] A[i]. See `kernels::weighted_row_sum`.
#[inline(always)]
pub fn weighted_row_sum<T: Real>(g: &mut [T], a: &[T], coefficients: &[T], column: usize) {
    let k = g.len();
    let m = a.len() / k;
    assert_eq!(a.len(), m * k);
    let d = coefficients.len() / m.max(1);
    assert_eq!(coefficients.len(), m * d);
    assert!(column < d);
    let coefficient = |i: usize| coefficients[i * d + column];
    // Four chunks of LANES columns at a time, each with its own partial
    // sums in registers while the m rows of A stream past; every g[p] is
    // sum_i D[i][column] A[i][p] added in order of i, however it is blocked.
    let block = 4 * LANES;
    let blocked = k - k % block;
    let chunk = |i: usize, start: usize| -> &[T; LANES] {
        a[i * k + start..i * k + start + LANES]
            .try_into()
            .expect("a full chunk")
    };
    for start in (0..blocked).step_by(block) {
        let mut acc0 = [T::zero(); LANES];
        let mut acc1 = acc0;
        let mut acc2 = acc0;
        let mut acc3 = acc0;
        for i in 0..m {
            let d_i = coefficient(i);
            let (a0, a1, a2, a3) = (
                chunk(i, start),
                chunk(i, start + LANES),
                chunk(i, start + 2 * LANES),
                chunk(i, start + 3 * LANES),
            );
            for l in 0..LANES {
                acc0[l] = d_i.mul_add(a0[l], acc0[l]);
                acc1[l] = d_i.mul_add(a1[l], acc1[l]);
                acc2[l] = d_i.mul_add(a2[l], acc2[l]);
                acc3[l] = d_i.mul_add(a3[l], acc3[l]);
            }
        }
        for (q, acc) in [acc0, acc1, acc2, acc3].iter().enumerate() {
            g[start + q * LANES..start + (q + 1) * LANES].copy_from_slice(acc);
        }
    }
    let body = k - k % LANES;
    for start in (blocked..body).step_by(LANES) {
        let mut acc = [T::zero(); LANES];
        for i in 0..m {
            let d_i = coefficient(i);
            let a_chunk = chunk(i, start);
            for l in 0..LANES {
                acc[l] = d_i.mul_add(a_chunk[l], acc[l]);
            }
        }
        g[start..start + LANES].copy_from_slice(&acc);
    }
    for (p, g_p) in g.iter_mut().enumerate().skip(body) {
        let mut sum = T::zero();
        for i in 0..m {
            sum = coefficient(i).mul_add(a[i * k + p], sum);
        }
        *g_p = sum;
    }
}

/// w <- w - c w - step g. See `kernels::decay_and_step`.
#[inline(always)]
pub fn decay_and_step<T: Real>(w: &mut [T], g: &[T], c: T, step: T) {
    assert_eq!(w.len(), g.len());
    for (w, &g) in w.iter_mut().zip(g) {
        *w = *w - c * *w - step * g;
    }
}

/// The update rule on one row, measured: w <- w - c w - step g as in
/// [`decay_and_step`] (the same bits), and at the same time s <- s + w (the
/// weights before the step) and the row's (<w, w>, <w, g>, <g, g>) before
/// the step. See `kernels::decay_and_step_measured`.
#[inline(always)]
pub fn decay_and_step_measured<T: Real>(
    w: &mut [T],
    g: &[T],
    c: T,
    step: T,
    s: &mut [T],
) -> (T, T, T) {
    assert_eq!(w.len(), g.len());
    assert_eq!(w.len(), s.len());
    let body = w.len() - w.len() % LANES;
    let mut ww = [T::zero(); LANES];
    let mut wg = ww;
    let mut gg = ww;
    for start in (0..body).step_by(LANES) {
        let w: &mut [T; LANES] = (&mut w[start..start + LANES])
            .try_into()
            .expect("a full chunk");
        let g: &[T; LANES] = g[start..start + LANES].try_into().expect("a full chunk");
        let s: &mut [T; LANES] = (&mut s[start..start + LANES])
            .try_into()
            .expect("a full chunk");
        for l in 0..LANES {
            let (w_l, g_l) = (w[l], g[l]);
            ww[l] += w_l * w_l;
            wg[l] += w_l * g_l;
            gg[l] += g_l * g_l;
            s[l] += w_l;
            w[l] = w_l - c * w_l - step * g_l;
        }
    }
    let (w_tail, g_tail) = (&w[body..], &g[body..]);
    let products = (
        finish_dot(ww, w_tail, w_tail),
        finish_dot(wg, w_tail, g_tail),
        finish_dot(gg, g_tail, g_tail),
    );
    for (s, &w) in s[body..].iter_mut().zip(&w[body..]) {
        *s += w;
    }
    decay_and_step(&mut w[body..], &g[body..], c, step);
    products
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
