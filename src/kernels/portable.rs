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
        // Four rows of B (four output neurons) at a time: sixteen chains,
        // each chunk of A loaded once for four neurons and each chunk of B
        // once for four rows; a short last group repeats its last neuron.
        for j in (0..n).step_by(4) {
            let cols: [usize; 4] = std::array::from_fn(|q| (j + q).min(n - 1));
            let b_row = |q: usize| &b[cols[q] * k..(cols[q] + 1) * k];
            let (b0, b1, b2, b3) = (b_row(0), b_row(1), b_row(2), b_row(3));
            let zero = [T::zero(); LANES];
            let mut acc = [[zero; 4]; ROW_BLOCK];
            for start in (0..body).step_by(LANES) {
                let chunks = [
                    &b0[start..start + LANES],
                    &b1[start..start + LANES],
                    &b2[start..start + LANES],
                    &b3[start..start + LANES],
                ];
                for (acc_r, a_r) in acc.iter_mut().zip([a0, a1, a2, a3]) {
                    let a_chunk = &a_r[start..start + LANES];
                    for (acc_rq, b_chunk) in acc_r.iter_mut().zip(chunks) {
                        multiply_add(acc_rq, a_chunk, b_chunk);
                    }
                }
            }
            let b_rows = [b0, b1, b2, b3];
            for (r, (acc_r, a_r)) in acc
                .into_iter()
                .zip([a0, a1, a2, a3])
                .enumerate()
                .take(m - first)
            {
                for (q, (acc_rq, b_q)) in acc_r.into_iter().zip(b_rows).enumerate().take(n - j) {
                    c[(first + r) * n + cols[q]] = finish_dot(acc_rq, &a_r[body..], &b_q[body..]);
                }
            }
        }
    }
}

/// Two rows: g[0] = sum_i D[i][c0] A[i] and g[1] = sum_i D[i][c1] A[i],
/// c1 = min(first + 1, last column). See `kernels::weighted_row_sums`.
#[inline(always)]
pub fn weighted_row_sums<T: Real>(g: &mut [T], a: &[T], coefficients: &[T], first: usize) {
    let k = g.len() / 2;
    assert_eq!(g.len(), 2 * k);
    let m = a.len() / k.max(1);
    assert_eq!(a.len(), m * k);
    let d = coefficients.len() / m.max(1);
    assert_eq!(coefficients.len(), m * d);
    assert!(first < d);
    let (c0, c1) = (first, (first + 1).min(d - 1));
    let (g0, g1) = g.split_at_mut(k);
    // Four chunks of LANES columns of both rows at a time: eight partial
    // sums in registers while the m rows of A stream past, each chunk of A
    // loaded once for both rows. Every g[p] is sum_i D[i][c] A[i][p] added
    // in order of i, however it is blocked.
    let block = 4 * LANES;
    let blocked = k - k % block;
    let chunk = |i: usize, start: usize| -> &[T; LANES] {
        a[i * k + start..i * k + start + LANES]
            .try_into()
            .expect("a full chunk")
    };
    for start in (0..blocked).step_by(block) {
        let zero = [T::zero(); LANES];
        let (mut p0, mut p1, mut p2, mut p3) = (zero, zero, zero, zero);
        let (mut q0, mut q1, mut q2, mut q3) = (zero, zero, zero, zero);
        for i in 0..m {
            let (d0, d1) = (coefficients[i * d + c0], coefficients[i * d + c1]);
            let (a0, a1, a2, a3) = (
                chunk(i, start),
                chunk(i, start + LANES),
                chunk(i, start + 2 * LANES),
                chunk(i, start + 3 * LANES),
            );
            for l in 0..LANES {
                p0[l] = d0.mul_add(a0[l], p0[l]);
                p1[l] = d0.mul_add(a1[l], p1[l]);
                p2[l] = d0.mul_add(a2[l], p2[l]);
                p3[l] = d0.mul_add(a3[l], p3[l]);
                q0[l] = d1.mul_add(a0[l], q0[l]);
                q1[l] = d1.mul_add(a1[l], q1[l]);
                q2[l] = d1.mul_add(a2[l], q2[l]);
                q3[l] = d1.mul_add(a3[l], q3[l]);
            }
        }
        for (q, (p_acc, q_acc)) in [(p0, q0), (p1, q1), (p2, q2), (p3, q3)].iter().enumerate() {
            g0[start + q * LANES..start + (q + 1) * LANES].copy_from_slice(p_acc);
            g1[start + q * LANES..start + (q + 1) * LANES].copy_from_slice(q_acc);
        }
    }
    for p in blocked..k {
        let (mut s0, mut s1) = (T::zero(), T::zero());
        for i in 0..m {
            let x = a[i * k + p];
            s0 = coefficients[i * d + c0].mul_add(x, s0);
            s1 = coefficients[i * d + c1].mul_add(x, s1);
        }
        g0[p] = s0;
        g1[p] = s1;
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
            ww[l] = w_l.mul_add(w_l, ww[l]);
            wg[l] = w_l.mul_add(g_l, wg[l]);
            gg[l] = g_l.mul_add(g_l, gg[l]);
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
