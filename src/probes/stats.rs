//! Summary statistics of the weights, per layer and for all layers together
//! (biases are not weights here: the decay does not touch them).

use serde::{Deserialize, Serialize};

use crate::kernels::Real;
use crate::net::Network;

/// Statistics of a set of weights, computed in f64.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// How many weights.
    pub count: usize,
    /// sqrt(sum w^2 / count): the "size" of a typical weight.
    pub rms: f64,
    /// sum w / count.
    pub mean: f64,
    /// Population standard deviation, sqrt(rms^2 - mean^2).
    pub std: f64,
    /// The largest |w|.
    pub max_abs: f64,
}

/// Totals from which a [`Summary`] follows; they add across layers.
///
/// `sum` and `sum_sq` are of w / `scale`: `scale` is 1 unless w^2 (or the
/// sum) overflows f64 although every w is finite (|w| above about 1e154);
/// then it is the largest |w|, so that sum (w/scale)^2 <= count stays
/// finite and rms = scale sqrt(sum_sq / count) is the true, finite value.
/// With scale 1 every operation is the plain one, bit for bit.
#[derive(Debug, Clone, Copy)]
struct Sums {
    count: usize,
    sum: f64,
    sum_sq: f64,
    max_abs: f64,
    scale: f64,
}

impl Default for Sums {
    fn default() -> Sums {
        Sums {
            count: 0,
            sum: 0.0,
            sum_sq: 0.0,
            max_abs: 0.0,
            scale: 1.0,
        }
    }
}

impl Sums {
    fn of<T: Real>(weights: &[T]) -> Sums {
        Sums::of_values(weights.iter().map(|w| w.as_f64()))
    }

    /// Of `values`, gone through once, and once more if they overflow.
    fn of_values(values: impl Iterator<Item = f64> + Clone) -> Sums {
        let scaled = |scale: f64| {
            values.clone().fold(
                Sums {
                    scale,
                    ..Sums::default()
                },
                |s, w| {
                    let x = w / scale;
                    Sums {
                        count: s.count + 1,
                        sum: s.sum + x,
                        sum_sq: s.sum_sq + x * x,
                        max_abs: s.max_abs.max(w.abs()),
                        scale,
                    }
                },
            )
        };
        let plain = scaled(1.0);
        let overflowed = !(plain.sum.is_finite() && plain.sum_sq.is_finite());
        if overflowed && plain.max_abs.is_finite() && plain.max_abs > 0.0 {
            scaled(plain.max_abs)
        } else {
            plain
        }
    }

    /// These totals in units of `scale` (>= self.scale).
    fn rescaled(self, scale: f64) -> Sums {
        if scale == self.scale {
            return self;
        }
        let ratio = self.scale / scale;
        Sums {
            sum: self.sum * ratio,
            sum_sq: self.sum_sq * ratio * ratio,
            scale,
            ..self
        }
    }

    fn add(self, other: Sums) -> Sums {
        let scale = self.scale.max(other.scale);
        let (a, b) = (self.rescaled(scale), other.rescaled(scale));
        Sums {
            count: a.count + b.count,
            sum: a.sum + b.sum,
            sum_sq: a.sum_sq + b.sum_sq,
            max_abs: a.max_abs.max(b.max_abs),
            scale,
        }
    }

    fn summary(self) -> Summary {
        let count = self.count.max(1) as f64;
        let mean = self.sum / count;
        let mean_sq = self.sum_sq / count;
        Summary {
            count: self.count,
            rms: self.scale * mean_sq.sqrt(),
            mean: self.scale * mean,
            std: self.scale * (mean_sq - mean * mean).max(0.0).sqrt(),
            max_abs: self.max_abs,
        }
    }
}

/// sqrt(sum v^2 / count) of `values`, finite wherever every value is (see
/// [`Sums`]).
pub fn rms<T: Real>(values: &[T]) -> f64 {
    Sums::of(values).summary().rms
}

/// The weights of a network, summarized: all of them, and layer by layer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WeightStats {
    /// All weights together.
    #[serde(flatten)]
    pub all: Summary,
    /// `layers[l]` summarizes w^(l+1), the weights into layer l+1.
    pub layers: Vec<Summary>,
}

impl WeightStats {
    /// The statistics of `net`'s weights.
    pub fn of<T: Real>(net: &Network<T>) -> WeightStats {
        let sums: Vec<Sums> = net.weights.iter().map(|w| Sums::of(w)).collect();
        let all = sums.iter().fold(Sums::default(), |a, &s| a.add(s));
        WeightStats {
            all: all.summary(),
            layers: sums.into_iter().map(Sums::summary).collect(),
        }
    }
}

/// The first layer's weights from its **live** inputs: those that are not 0
/// in every training image. MNIST has 67 pixels that are (the corners and
/// edges); their weights get no gradient and only decay, towards 0, so they
/// pull the first layer's rms down by a share that depends on how many
/// inputs are blank: a size law over inputs of another count (pooled
/// images have fewer blank ones) compares the live weights' rms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LiveInputs {
    /// Inputs that are 0 in every training image.
    pub blank: usize,
    /// sqrt(sum w^2 / count) over the weights w_jk from the other inputs k.
    pub rms: f64,
}

impl LiveInputs {
    /// Of the first layer's weights `w1` (n_1 x n_0 row-major, n_0 =
    /// `n_in`) and the live inputs `live` (column indices, increasing).
    pub fn of<T: Real>(w1: &[T], n_in: usize, live: &[u32]) -> LiveInputs {
        let live_weights = w1
            .chunks_exact(n_in)
            .flat_map(|row| live.iter().map(move |&k| row[k as usize].as_f64()));
        LiveInputs {
            blank: n_in - live.len(),
            rms: Sums::of_values(live_weights).summary().rms,
        }
    }
}

/// The angle in radians between two weight vectors u and v of one layer,
/// as 2 atan2(|u/|u| - v/|v||, |u/|u| + v/|v||), which stays accurate for
/// the small angles of one epoch (acos of the cosine would lose them near
/// 1). None if either vector is zero or not finite.
pub fn angle<T: Real>(u: &[T], v: &[T]) -> Option<f64> {
    assert_eq!(u.len(), v.len());
    let norm = |x: &[T]| {
        x.iter()
            .map(|w| w.as_f64() * w.as_f64())
            .sum::<f64>()
            .sqrt()
    };
    let (nu, nv) = (norm(u), norm(v));
    if !(nu > 0.0 && nv > 0.0 && nu.is_finite() && nv.is_finite()) {
        return None;
    }
    let (mut diff, mut sum) = (0.0, 0.0);
    for (&a, &b) in u.iter().zip(v) {
        let (a, b) = (a.as_f64() / nu, b.as_f64() / nv);
        diff += (a - b) * (a - b);
        sum += (a + b) * (a + b);
    }
    Some(2.0 * diff.sqrt().atan2(sum.sqrt()))
}

/// cos(v - u, -u): the cosine between the change from u to v and the
/// direction back to the origin. None if u or the change is zero.
pub fn change_cosine<T: Real>(u: &[T], v: &[T]) -> Option<f64> {
    assert_eq!(u.len(), v.len());
    let (mut dot, mut change_sq, mut u_sq) = (0.0, 0.0, 0.0);
    for (&a, &b) in u.iter().zip(v) {
        let (a, b) = (a.as_f64(), b.as_f64());
        dot += (b - a) * -a;
        change_sq += (b - a) * (b - a);
        u_sq += a * a;
    }
    (change_sq > 0.0 && u_sq > 0.0).then(|| dot / (change_sq * u_sq).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_inputs_rms_leaves_out_the_blank_columns() {
        // Two neurons, three inputs; input 1 is blank.
        let w1 = [3.0f64, 100.0, 4.0, 0.0, -7.0, 0.0];
        let live = LiveInputs::of(&w1, 3, &[0, 2]);
        assert_eq!(live.blank, 1);
        // (9 + 16 + 0 + 0) / 4 weights.
        assert_eq!(live.rms, 2.5);
        let none_blank = LiveInputs::of(&w1, 3, &[0, 1, 2]);
        assert_eq!(none_blank.blank, 0);
        assert_eq!(none_blank.rms, Sums::of(&w1).summary().rms);
    }
    use crate::net::Cost;
    use approx::{abs_diff_eq, assert_abs_diff_eq};

    #[test]
    fn huge_finite_weights_give_finite_statistics() {
        let huge = [1e200f64, -1e200, 3e200, 0.0];
        let sums = Sums::of(&huge);
        assert!(sums.scale > 1.0);
        let summary = sums.summary();
        assert_abs_diff_eq!(summary.rms / 1e200, (11.0f64 / 4.0).sqrt(), epsilon = 1e-12);
        assert_abs_diff_eq!(summary.mean / 1e200, 0.75, epsilon = 1e-12);
        assert!(summary.std.is_finite() && summary.std > 0.0);
        // Near the largest f64, and added to a layer of ordinary weights.
        let largest = [f64::MAX, f64::MAX];
        let all = Sums::of(&largest).add(Sums::of(&[1.0f64, -1.0])).summary();
        assert_eq!(all.count, 4);
        assert_abs_diff_eq!(all.rms / f64::MAX, 0.5f64.sqrt(), epsilon = 1e-12);
        assert!(all.mean.is_finite());
        let live = LiveInputs::of(&huge, 2, &[0, 1]);
        assert_abs_diff_eq!(live.rms / 1e200, (11.0f64 / 4.0).sqrt(), epsilon = 1e-12);
        // Ordinary weights keep the plain arithmetic.
        let plain = [0.5f64, -0.25, 2.0];
        assert_eq!(Sums::of(&plain).scale, 1.0);
        let rms = ((0.25f64 + 0.0625 + 4.0) / 3.0).sqrt();
        assert_eq!(Sums::of(&plain).summary().rms, rms);
    }

    #[test]
    fn statistics_by_hand() {
        let net = Network::from_parts(
            vec![2, 2, 1],
            vec![vec![1.0, -1.0, 3.0, -3.0], vec![2.0, 2.0]],
            vec![vec![100.0, 100.0], vec![100.0]],
            Cost::Quadratic,
        )
        .unwrap();
        let stats = WeightStats::of(&net);
        assert_eq!(stats.layers[0].rms, 5.0f64.sqrt());
        assert_eq!(stats.layers[0].mean, 0.0);
        assert_eq!(stats.layers[0].max_abs, 3.0);
        assert_eq!(stats.layers[1].std, 0.0);
        assert_eq!(stats.all.count, 6);
        assert_abs_diff_eq!(stats.all.rms, (28.0f64 / 6.0).sqrt(), epsilon = 1e-15);
        assert_abs_diff_eq!(stats.all.mean, 4.0 / 6.0, epsilon = 1e-15);
    }

    #[test]
    fn angle_by_hand() {
        use std::f64::consts::FRAC_PI_2;
        let close = |a: Option<f64>, b: f64| abs_diff_eq!(a.unwrap(), b, epsilon = 1e-15);
        assert!(close(angle(&[1.0f64, 0.0], &[0.0, 3.0]), FRAC_PI_2));
        assert!(close(angle(&[1.0f64, 1.0], &[2.0, 2.0]), 0.0));
        assert!(close(
            angle(&[1.0f64, 0.0], &[-1.0, 0.0]),
            std::f64::consts::PI
        ));
        // A small angle: (1, 0) against (1, 1e-9), atan(1e-9) = 1e-9 to 1e-27.
        assert_abs_diff_eq!(
            angle(&[1.0f64, 0.0], &[1.0, 1e-9]).unwrap(),
            1e-9,
            epsilon = 1e-22
        );
        // 30 degrees, in f32.
        let (c, s) = (3f32.sqrt() / 2.0, 0.5f32);
        assert_abs_diff_eq!(
            angle(&[1.0f32, 0.0], &[c, s]).unwrap(),
            std::f64::consts::PI / 6.0,
            epsilon = 1e-7
        );
        assert_eq!(angle(&[0.0f64, 0.0], &[1.0, 0.0]), None);
    }

    #[test]
    fn change_cosine_by_hand() {
        // Pure shrinking points at the origin; a sideways move is at 90 degrees.
        assert_abs_diff_eq!(
            change_cosine(&[2.0f64, 0.0], &[1.0, 0.0]).unwrap(),
            1.0,
            epsilon = 1e-15
        );
        assert_abs_diff_eq!(
            change_cosine(&[2.0f64, 0.0], &[2.0, 1.0]).unwrap(),
            0.0,
            epsilon = 1e-15
        );
        assert_abs_diff_eq!(
            change_cosine(&[2.0f64, 0.0], &[3.0, 0.0]).unwrap(),
            -1.0,
            epsilon = 1e-15
        );
        // (1, 0) -> (0, 1): change (-1, 1), -u = (-1, 0): cos 45 degrees.
        let c = change_cosine(&[1.0f64, 0.0], &[0.0, 1.0]).unwrap();
        assert_abs_diff_eq!(c, std::f64::consts::FRAC_1_SQRT_2, epsilon = 1e-15);
        assert_eq!(change_cosine(&[1.0f64], &[1.0]), None);
    }

    #[test]
    fn no_change_cosine_from_the_origin() {
        // u = 0: no direction back to the origin, though the change is not zero.
        assert_eq!(change_cosine(&[0.0f64, 0.0], &[1.0, 2.0]), None);
    }

    #[test]
    fn std_of_weights_with_a_mean() {
        // 1 and 2: mean 1.5, mean square 2.5, std sqrt(2.5 - 2.25) = 0.5.
        let net = Network::from_parts(
            vec![1, 2],
            vec![vec![1.0, 2.0]],
            vec![vec![0.0, 0.0]],
            Cost::Quadratic,
        )
        .unwrap();
        let stats = WeightStats::of(&net);
        assert_eq!(stats.all.mean, 1.5);
        assert_eq!(stats.all.rms, 2.5f64.sqrt());
        assert_eq!(stats.all.std, 0.5);
        assert_eq!(stats.all.max_abs, 2.0);
    }

    #[test]
    fn no_angle_to_a_zero_or_infinite_vector() {
        assert_eq!(angle(&[1.0f64, 0.0], &[0.0, 0.0]), None);
        assert_eq!(angle(&[f64::INFINITY, 0.0], &[1.0, 0.0]), None);
        assert_eq!(angle(&[1.0f64, 0.0], &[f64::INFINITY, 0.0]), None);
        assert_eq!(angle(&[f64::NAN, 0.0], &[1.0, 0.0]), None);
    }
}
