//! The activations in plain Rust, as `portable`'s other kernels: the bias
//! added, then sigma, tanh or softmax elementwise, by one `exp`.

use crate::kernels::{Real, padded};

/// Z + 1 b^T, then tanh elementwise. See `kernels::add_bias_and_tanh`.
#[inline(always)]
pub fn add_bias_and_tanh<T: Real>(z: &mut [T], biases: &[T]) {
    assert!(z.len().is_multiple_of(padded(biases.len())));
    for row in z.chunks_exact_mut(padded(biases.len())) {
        for (z_j, &b_j) in row.iter_mut().zip(biases) {
            *z_j += b_j;
        }
    }
    let two = T::one() + T::one();
    for z_j in z.iter_mut() {
        // tanh(z) = 2 sigma(2z) - 1 = 2 / (1 + e^(-2z)) - 1.
        *z_j = two / (T::one() + exp(-two * *z_j)) - T::one();
    }
}

/// Z + 1 b^T, then softmax row by row. See `kernels::add_bias_and_softmax`.
#[inline(always)]
pub fn add_bias_and_softmax<T: Real>(z: &mut [T], biases: &[T]) {
    let n_out = biases.len();
    assert!(z.len().is_multiple_of(padded(n_out)));
    for row in z.chunks_exact_mut(padded(n_out)) {
        let (outputs, padding) = row.split_at_mut(n_out);
        for (z_j, &b_j) in outputs.iter_mut().zip(biases) {
            *z_j += b_j;
        }
        let largest = outputs.iter().copied().fold(T::neg_infinity(), T::max);
        let mut sum = T::zero();
        for z_j in outputs.iter_mut() {
            *z_j = exp(*z_j - largest);
            sum += *z_j;
        }
        for a_j in outputs.iter_mut() {
            *a_j = *a_j / sum;
        }
        padding.fill(T::zero());
    }
}

/// Z + 1 b^T, then sigma elementwise. See `kernels::add_bias_and_sigmoid`.
#[inline(always)]
pub fn add_bias_and_sigmoid<T: Real>(z: &mut [T], biases: &[T]) {
    assert!(z.len().is_multiple_of(padded(biases.len())));
    for row in z.chunks_exact_mut(padded(biases.len())) {
        for (z_j, &b_j) in row.iter_mut().zip(biases) {
            *z_j += b_j;
        }
    }
    // One pass over the whole matrix, padding included (sigma(0) there,
    // never read): rows are short (10 or 30), and full vectors are what
    // makes this fast.
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
