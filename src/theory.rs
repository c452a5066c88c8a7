//! Closed forms the measurements are compared with, in the book's symbols.

/// S = ceil(n/m): steps per epoch.
pub fn steps_per_epoch(n: usize, m: usize) -> usize {
    n.div_ceil(m)
}

/// rho* = (1 - eta*lambda/n)^S: the exact factor by which the decay alone
/// shrinks every weight in one epoch of S steps.
pub fn exact_shrink(eta: f64, lambda: f64, n: usize, m: usize) -> f64 {
    let c = eta * lambda / n as f64;
    // (1 - c)^S = exp(S ln(1 - c)), with ln_1p keeping c ~ 1e-6 exact.
    (steps_per_epoch(n, m) as f64 * (-c).ln_1p()).exp()
}

/// exp(-eta*lambda/m): the limit of rho* for n -> infinity at fixed m.
pub fn asymptotic_shrink(eta: f64, lambda: f64, m: usize) -> f64 {
    (-eta * lambda / m as f64).exp()
}

/// m/(eta*lambda): the decay's relaxation time in epochs. The decay alone
/// shrinks the weights by exp(-eta*lambda/m) per epoch, so by 1/e in this
/// many epochs; a run needs a few of them to forget where it started.
pub fn relaxation_epochs(eta: f64, lambda: f64, m: usize) -> f64 {
    m as f64 / (eta * lambda)
}

/// How far exp(-eta*lambda/m) is from rho* for a decay fraction c =
/// eta*lambda/n per step and S steps per epoch (m = n/S):
///
///   ln rho* = S ln(1 - c),   ln exp(-cS) = -cS,
///   rate ratio   = ln rho* / (-cS) = -ln(1 - c)/c = 1 + c/2 + c^2/3 + ...,
///   relative gap = rho*/exp(-cS) - 1 = exp(S (ln(1 - c) + c)) - 1
///                ~ -S c^2/2 for S c^2 << 1,
///
/// so the two agree while S c^2 = (eta*lambda)^2/(n m) is small: "eta*lambda
/// << n" (with m fixed). Returns (rate ratio, relative gap per epoch).
pub fn shrink_gap(c: f64, steps: usize) -> (f64, f64) {
    let rate_ratio = -(-c).ln_1p() / c;
    let gap = (steps as f64 * ((-c).ln_1p() + c)).exp_m1();
    (rate_ratio, gap)
}

/// The sizes the question compares the weights with.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReferenceSizes {
    /// 1/sqrt(n_w), n_w the number of weights (the book's figure).
    pub inv_sqrt_n_w: f64,
    /// 1/n_w (the question as asked).
    pub inv_n_w: f64,
}

impl ReferenceSizes {
    /// The sizes for a network of n_w weights.
    pub fn for_weight_count(n_w: usize) -> ReferenceSizes {
        ReferenceSizes {
            inv_sqrt_n_w: 1.0 / (n_w as f64).sqrt(),
            inv_n_w: 1.0 / n_w as f64,
        }
    }
}

/// 1/sqrt(n_in): the standard deviation of the default initialization.
pub fn inv_sqrt_n_in(n_in: usize) -> f64 {
    1.0 / (n_in as f64).sqrt()
}

/// Momentum's decay alone (the gradient of C_0 switched off): with c =
/// eta*lambda/n the L2 penalty's share of a step, each step is
///
///   v <- mu v - c w,   w <- w + v = (1 - c) w + mu v,
///
/// a linear map of (w, v). From v = 0, after S steps w_S = r_S w_0; this is
/// r_S, the recurrence iterated in f64. Its larger eigenvalue, the root of
/// x^2 - (1 - c + mu) x + mu = 0, is about 1 - c/(1 - mu) for small c, so
/// once the velocity has built up the weights shrink by about
/// (1 - c/(1 - mu))^S ~ exp(-eta*lambda/(m (1 - mu))) per epoch: momentum
/// multiplies the decay's rate by 1/(1 - mu).
pub fn momentum_decay(c: f64, mu: f64, steps: usize) -> f64 {
    let (mut w, mut v) = (1.0, 0.0);
    for _ in 0..steps {
        v = mu * v - c * w;
        w += v;
    }
    w
}

/// Momentum's decay alone in epoch e (from 1) of S steps, for a run at
/// constant c that started at rest (v = 0): |w_(eS) / w_((e-1)S)|, the
/// recurrence of [`momentum_decay`] iterated in f64. It tends to r^S, r
/// the larger root of x^2 - (1 - c + mu) x + mu = 0, as the smaller
/// root's share (about mu^((e-1)S)) dies out. The state (w, v) is kept at
/// unit length and its length's log carried apart, so that no epoch
/// underflows; the absolute value, as the weights' rms ratio is (when the
/// roots are complex, w changes sign).
pub fn momentum_decay_in_epoch(c: f64, mu: f64, steps: usize, epoch: usize) -> f64 {
    // (w, v) at unit length, and ln of the length taken off so far.
    let (mut w, mut v, mut log_scale) = (1.0f64, 0.0f64, 0.0f64);
    let mut at_epoch_start = (w, log_scale);
    for step in 0..epoch.max(1) * steps {
        if step == (epoch.max(1) - 1) * steps {
            at_epoch_start = (w, log_scale);
        }
        v = mu * v - c * w;
        w += v;
        let length = w.hypot(v);
        if length > 0.0 {
            (w, v) = (w / length, v / length);
            log_scale += length.ln();
        }
    }
    let (w_start, log_start) = at_epoch_start;
    (w / w_start).abs() * (log_scale - log_start).exp()
}

/// exp(-eta*lambda/(m (1 - mu))): momentum's decay per epoch once its
/// velocity has built up, for n -> infinity at fixed m (see
/// [`momentum_decay`]).
pub fn momentum_asymptotic_decay(eta: f64, lambda: f64, m: usize, mu: f64) -> f64 {
    (-eta * lambda / (m as f64 * (1.0 - mu))).exp()
}

/// L1's decay alone: each step takes c = eta*lambda/n off |w|, so an epoch
/// of S steps takes S c (= eta*lambda/m when m divides n) off it, until
/// |w| < c: then a step overshoots 0 and |w| stays below c. |w| after S
/// steps from |w_0| > S c.
pub fn l1_decay(w0: f64, c: f64, steps: usize) -> f64 {
    w0.abs() - steps as f64 * c
}

/// SGDW's and AdamW's decay alone, with weight decay D: each step takes
/// eta*D of every weight (Adam's own step is 0 without a gradient), so an
/// epoch of S steps shrinks the weights by (1 - eta*D)^S.
pub fn decoupled_decay(eta: f64, weight_decay: f64, steps: usize) -> f64 {
    (1.0 - eta * weight_decay).powi(steps as i32)
}

/// Adam's decay alone with the L2 penalty in its gradient
/// (`torch.optim.Adam` with `weight_decay` = lambda/n; the gradient of C_0
/// switched off): g = (lambda/n) w, and step t (from 1) is
///
///   m <- beta1 m + (1 - beta1) g,   v <- beta2 v + (1 - beta2) g^2,
///   w <- w - (eta/(1 - beta1^t)) m / (sqrt(v)/sqrt(1 - beta2^t) + eps).
///
/// Each weight moves on its own; this is w after `steps` steps from w0 with
/// zero moments, the recurrence iterated in f64. Multiplying g by k
/// multiplies m by k and sqrt(v) by k, so while eps << (lambda/n)|w| the
/// step does not depend on lambda: the first step is eta |g|/(|g| + eps),
/// eta sgn(w0) to within eps/|g|, and |w| falls by about eta per step,
/// eta*S per epoch, however strong the penalty, until it nears 0. (SGD's decay is a fraction
/// eta*lambda/n of w per step: proportional to lambda and to |w|.)
pub fn adam_l2_decay(
    w0: f64,
    lambda_over_n: f64,
    eta: f64,
    (beta1, beta2, eps): (f64, f64, f64),
    steps: usize,
) -> f64 {
    let (mut w, mut m, mut v) = (w0, 0.0, 0.0);
    for t in 1..=steps as i32 {
        let g = lambda_over_n * w;
        m = beta1 * m + (1.0 - beta1) * g;
        v = beta2 * v + (1.0 - beta2) * g * g;
        let step = eta / (1.0 - beta1.powi(t));
        w -= step * m / (v.sqrt() / (1.0 - beta2.powi(t)).sqrt() + eps);
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::{assert_abs_diff_eq, assert_relative_eq};

    #[test]
    fn shrink_factors() {
        // n = 3, m = 2: S = 2 steps, c = 0.5*3/3 = 0.5: (1 - 0.5)^2 = 0.25.
        assert_abs_diff_eq!(exact_shrink(0.5, 3.0, 3, 2), 0.25, epsilon = 1e-15);
        // The base run: eta 0.1, lambda 5, n 50,000, m 10.
        let exact = exact_shrink(0.1, 5.0, 50_000, 10);
        let limit = asymptotic_shrink(0.1, 5.0, 10);
        assert_abs_diff_eq!(exact, (1.0f64 - 1e-5).powi(5000), epsilon = 1e-12);
        assert_abs_diff_eq!(limit, (-0.05f64).exp(), epsilon = 1e-15);
        // eta*lambda << n: the two agree to about S c^2 / 2 = 2.5e-7.
        assert_relative_eq!(exact, limit, max_relative = 3e-7);
        // One relaxation time of decay alone shrinks by 1/e.
        let tau = relaxation_epochs(0.1, 5.0, 10);
        assert_abs_diff_eq!(tau, 20.0, epsilon = 1e-12);
        assert_abs_diff_eq!(limit.powf(tau), (-1.0f64).exp(), epsilon = 1e-12);
    }

    #[test]
    fn shrink_gap_grows_with_the_decay_per_step() {
        let (ratio, gap) = shrink_gap(1e-5, 5000);
        assert_abs_diff_eq!(ratio - 1.0, 5e-6, epsilon = 1e-9);
        // -S c^2 / 2 = -2.5e-7.
        assert_relative_eq!(gap, -2.5e-7, max_relative = 1e-4);
        assert!(shrink_gap(0.1, 5000).1 < -0.99);
    }

    #[test]
    fn momentum_multiplies_the_decays_rate_by_1_over_1_minus_mu() {
        // mu = 0 is plain decay: (1 - c)^S.
        assert_relative_eq!(
            momentum_decay(1e-3, 0.0, 50),
            (1.0f64 - 1e-3).powi(50),
            max_relative = 1e-14
        );
        // Once the velocity has built up, each step multiplies w by the
        // larger root of x^2 - (1 - c + mu) x + mu.
        let (c, mu): (f64, f64) = (1e-5, 0.9);
        let b = 1.0 - c + mu;
        let root = (b + (b * b - 4.0 * mu).sqrt()) / 2.0;
        let late = momentum_decay(c, mu, 2001) / momentum_decay(c, mu, 2000);
        assert_relative_eq!(late, root, max_relative = 1e-12);
        assert_relative_eq!(root, 1.0 - c / (1.0 - mu), max_relative = 1e-6);
        // An epoch of the base run with mu = 0.9, n -> infinity.
        let per_epoch = momentum_decay(1e-5, 0.9, 10_000) / momentum_decay(1e-5, 0.9, 5_000);
        assert_relative_eq!(
            per_epoch,
            momentum_asymptotic_decay(0.1, 5.0, 10, 0.9),
            max_relative = 1e-3
        );
    }

    #[test]
    fn l1_and_decoupled_decays() {
        assert_abs_diff_eq!(l1_decay(-0.5, 0.01, 20), 0.3, epsilon = 1e-15);
        assert_abs_diff_eq!(
            decoupled_decay(0.5, 0.1, 2),
            0.95f64 * 0.95,
            epsilon = 1e-15
        );
    }
}
