//! The floating-point type a run is trained in, and the rule that picks f64
//! where f32 cannot apply the decay.
//!
//! One step's decay in f32 is w' = fl(w - c w), c = eta*lambda/n, rounded
//! once (see `kernels::Rate::apply`). The decay c|w| is k = c|w|/ulp(w)
//! units in the last place of w, and |w|/ulp(w) lies in [2^23, 2^24), so
//! k lies in [2^23 c, 2^24 c); rounding to the nearest f32 misses by up to
//! half an ulp, up to 1/(2k) <= 2^-24/c of the step's decay for one weight.
//! The misses of different weights partly cancel. Measured on decay-only
//! epochs (one epoch of 50,000 examples, [784, 30, 10], default
//! initialization), the share of the predicted decay that f32 removes:
//!
//! | c | all weights | layers |
//! | --- | --- | --- |
//! | 1e-8 | 0 (k < 0.17: w' = w) | 0, 0 |
//! | 1e-7 | 0.965 | 0.960, 0.978 |
//! | 1e-6 | 1.0010 | 1.0008, 1.0016 |
//! | 1e-5 | 0.99999 | 0.99999, 0.99999 |
//!
//! and on the study's small decay-only network ([49, 10, 10], layers of 490
//! and 100 weights, six seeds) off by up to 0.16% at c = 5e-6 and 0.06% at
//! 1e-5. In ordinary training the decay is rounded the same way before the
//! gradient's part is added, so the same share of it is lost. Hence the
//! rule: f64 where 0 < c < [`F32_SMALLEST_DECAY`]. (In f64, with 29 more
//! bits, the same miss is 2^-53/c <= 1.2e-8 of the decay at c = 1e-8.)

use serde::{Deserialize, Serialize};

/// The floating-point type the network is trained in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// Single precision (the default where it holds the decay: see
    /// [`Precision::for_decay`]).
    F32,
    /// Double precision, as numpy trains network2.
    F64,
}

/// The smallest decay fraction per step, c = eta*lambda/n (dimensionless),
/// that f32 applies within 0.1% of nominal: see the module's table. The
/// study's base runs sit on it (0.1 * 5 / 50,000 = 1e-5, exactly this f64)
/// and stay in f32.
pub const F32_SMALLEST_DECAY: f64 = 1e-5;

impl Precision {
    /// The precision of a run whose steps each take the fraction c =
    /// eta*lambda/n off every weight, when none is asked for: f32, unless
    /// f32 would round part of the decay away (0 < c < 1e-5,
    /// [`F32_SMALLEST_DECAY`]), then f64.
    pub fn for_decay(c: f64) -> Precision {
        if Precision::f32_loses_decay(c) {
            Precision::F64
        } else {
            Precision::F32
        }
    }

    /// Whether f32 loses more than 0.1% of a decay of c per step
    /// (0 < c < [`F32_SMALLEST_DECAY`]).
    pub fn f32_loses_decay(c: f64) -> bool {
        c > 0.0 && c < F32_SMALLEST_DECAY
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Dataset;
    use crate::kernels::Real;
    use crate::net::{Cost, Init, Network};
    use crate::train::{EpochOrder, Hyper, Sgd, Unobserved};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// The study's n, and its m.
    const N: usize = 50_000;
    const M: usize = 10;

    /// One epoch of decay-only steps (S = n/m = 5,000) at decay fraction c
    /// on [784, 30, 10] in T: per weight layer, and then for all weights,
    /// the share of the predicted decay removed, (1 - rho) / (1 - rho*)
    /// with rho = rms_1/rms_0 and rho* = (1 - c)^S (both in f64).
    fn decay_removed<T: Real>(c: f64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let net: Network<T> =
            Network::new(&[784, 30, 10], Init::Default, Cost::CrossEntropy, &mut rng);
        let eta = 0.1;
        let hyper = Hyper {
            eta,
            lambda: c * N as f64 / eta,
            n: N,
        };
        // Decay-only steps read no example: one pixel each is enough.
        let data = Dataset::from_bytes(1, 1, vec![0; N], vec![0; N]);
        let mut sgd = Sgd::new(net.clone(), hyper, M, EpochOrder::Shuffled(rng)).decay_only();
        sgd.epoch(&data, &mut Unobserved, &mut |_| {});
        let predicted = 1.0 - (1.0 - c).powi((N / M) as i32);
        let squares = |w: &[T]| w.iter().map(|x| x.as_f64() * x.as_f64()).sum::<f64>();
        let removed = |before: f64, after: f64| (1.0 - (after / before).sqrt()) / predicted;
        let mut shares: Vec<f64> = net
            .weights
            .iter()
            .zip(&sgd.net.weights)
            .map(|(w0, w1)| removed(squares(w0), squares(w1)))
            .collect();
        let total = |net: &Network<T>| net.weights.iter().map(|w| squares(w)).sum::<f64>();
        shares.push(removed(total(&net), total(&sgd.net)));
        shares
    }

    /// An epoch at c in the precision the rule picks removes the predicted
    /// decay within 0.1%, in every layer and in all weights.
    fn assert_decay_within_a_thousandth(c: f64) {
        let shares = match Precision::for_decay(c) {
            Precision::F32 => decay_removed::<f32>(c),
            Precision::F64 => decay_removed::<f64>(c),
        };
        for share in shares {
            assert!((share - 1.0).abs() < 1e-3, "c {c}: {share}");
        }
    }

    #[test]
    fn the_rule_takes_f64_below_the_smallest_f32_decay() {
        assert_eq!(Precision::for_decay(0.0), Precision::F32);
        assert_eq!(Precision::for_decay(1e-8), Precision::F64);
        assert_eq!(
            Precision::for_decay(F32_SMALLEST_DECAY.next_down()),
            Precision::F64
        );
        assert_eq!(Precision::for_decay(F32_SMALLEST_DECAY), Precision::F32);
        assert_eq!(Precision::for_decay(0.5), Precision::F32);
        // The study's base runs: eta 0.1, lambda 5, n 50,000.
        let base = Hyper {
            eta: 0.1,
            lambda: 5.0,
            n: N,
        };
        assert_eq!(Precision::for_decay(base.decay_per_step()), Precision::F32);
    }

    #[test]
    fn f32_rounds_a_decay_of_1e_8_away() {
        // Why the rule exists: k = c|w|/ulp(w) < 2^24 * 1e-8 = 0.17 ulp,
        // so every step rounds w - c w back to w.
        for share in decay_removed::<f32>(1e-8) {
            assert_eq!(share, 0.0);
        }
    }

    #[test]
    fn the_decay_is_within_a_thousandth_at_1e_8_and_1e_7() {
        assert_decay_within_a_thousandth(1e-8);
        assert_decay_within_a_thousandth(1e-7);
    }

    #[test]
    fn the_decay_is_within_a_thousandth_on_both_sides_of_the_boundary() {
        // Just below: f64; on it: f32; and further up, f32.
        assert_decay_within_a_thousandth(F32_SMALLEST_DECAY.next_down());
        assert_eq!(Precision::for_decay(F32_SMALLEST_DECAY), Precision::F32);
        assert_decay_within_a_thousandth(F32_SMALLEST_DECAY);
        assert_decay_within_a_thousandth(1e-4);
    }
}
