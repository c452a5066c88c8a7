//! The two costs of network2.py, and the book's log-likelihood with a
//! softmax output layer (chapter 3), per example x with one-hot target y:
//!
//!   cross-entropy   C_x = -sum_j [ y_j ln a_j + (1 - y_j) ln(1 - a_j) ]
//!                   output error delta^L = a - y
//!   quadratic       C_x = (1/2) |a - y|^2
//!                   output error delta^L = (a - y) sigma'(z^L)
//!   log-likelihood  C_x = -ln a_y,   a_j = e^(z_j) / sum_k e^(z_k) (softmax)
//!                   output error delta^L = a - y
//!
//! With the log-likelihood sum_j delta^L_j = sum_j a_j - 1 = 0 for every
//! example: the last layer's weights into the output neurons from one input
//! get gradients that sum to 0, so their mean over the output neurons only
//! decays.

use serde::{Deserialize, Serialize};

use crate::kernels::Real;

/// How the cross-entropy charges an output whose log is infinite (an
/// output of exactly 0 or 1, a saturated neuron).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Saturated {
    /// -ln of the type's smallest positive value, so that one saturated
    /// neuron cannot swamp the average.
    #[default]
    Floor,
    /// As network2's `np.nan_to_num(-y ln a - (1 - y) ln(1 - a))`: a term
    /// 0 * inf = NaN counts 0, an infinite one f64::MAX; the 10 terms
    /// summed in numpy's order (see [`numpy_sum`]).
    NanToNum,
}

/// The cost C_x of one example, as network2's cost classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cost {
    /// C_x = -sum_j [y_j ln a_j + (1 - y_j) ln(1 - a_j)] (network2's default).
    CrossEntropy,
    /// C_x = |a - y|^2 / 2.
    Quadratic,
    /// C_x = -ln a_y with a softmax output layer (the book's chapter 3;
    /// network2.py has no such cost).
    LogLikelihood,
}

impl Cost {
    /// The class name network2.py stores in its JSON files.
    pub fn network2_name(self) -> &'static str {
        match self {
            Cost::CrossEntropy => "CrossEntropyCost",
            Cost::Quadratic => "QuadraticCost",
            // network2.py has no such class: a file of it loads here only.
            Cost::LogLikelihood => "LogLikelihoodCost",
        }
    }

    /// Whether the output layer is a softmax (the log-likelihood's); the
    /// others' is sigmoid, as every hidden layer's.
    pub fn softmax_output(self) -> bool {
        self == Cost::LogLikelihood
    }

    /// The cost of a class name network2.py stores, if it is one of the two.
    pub fn from_network2_name(name: &str) -> Option<Cost> {
        match name {
            "CrossEntropyCost" => Some(Cost::CrossEntropy),
            "QuadraticCost" => Some(Cost::Quadratic),
            "LogLikelihoodCost" => Some(Cost::LogLikelihood),
            _ => None,
        }
    }

    /// The output error delta^L_j for one output neuron, from its activation
    /// a_j (sigma(z_j), or the softmax's) and target y_j (sigma'(z) = a (1 - a)).
    pub fn output_delta<T: Real>(self, a: T, y: T) -> T {
        match self {
            Cost::CrossEntropy | Cost::LogLikelihood => a - y,
            Cost::Quadratic => (a - y) * a * (T::one() - a),
        }
    }

    /// C_x in f64 for the output activations `a` of one example labelled `label`.
    ///
    /// Cross-entropy is evaluated from a alone like network2 does, but where a
    /// rounds to exactly 0 or 1 (a saturated neuron; in f32 from |z| > 17)
    /// the log would be infinite: network2 maps that to a huge finite number
    /// with nan_to_num; here it is charged -ln of the smallest positive
    /// value of the type instead, so one saturated neuron cannot swamp the
    /// average.
    pub fn example_cost<T: Real>(self, a: &[T], label: usize) -> f64 {
        self.example_cost_scored(a, label, Saturated::Floor)
    }

    /// C_x as [`Cost::example_cost`], a saturated output charged as
    /// `saturated` says (the quadratic cost has no logs and ignores it).
    pub fn example_cost_scored<T: Real>(self, a: &[T], label: usize, saturated: Saturated) -> f64 {
        if let (Cost::CrossEntropy, Saturated::NanToNum) = (self, saturated) {
            let terms: Vec<f64> = a
                .iter()
                .enumerate()
                .map(|(j, &aj)| {
                    let (a, y) = (aj.as_f64(), if j == label { 1.0 } else { 0.0 });
                    let term = -y * a.ln() - (1.0 - y) * (1.0 - a).ln();
                    if term.is_nan() {
                        0.0
                    } else if term.is_infinite() {
                        f64::MAX.copysign(term)
                    } else {
                        term
                    }
                })
                .collect();
            return numpy_sum(&terms);
        }
        let tiny = T::min_positive_value().as_f64();
        a.iter()
            .enumerate()
            .map(|(j, &aj)| {
                let a = aj.as_f64();
                let y = if j == label { 1.0 } else { 0.0 };
                match self {
                    Cost::CrossEntropy => {
                        let p = if j == label { a } else { 1.0 - a };
                        -p.max(tiny).ln()
                    }
                    Cost::Quadratic => 0.5 * (a - y) * (a - y),
                    Cost::LogLikelihood if j == label => -a.max(tiny).ln(),
                    Cost::LogLikelihood => 0.0,
                }
            })
            .sum()
    }
}

/// sum x as numpy's `np.sum` adds a contiguous f64 array (pairwise
/// summation): fewer than 8 values one after the other; up to 128 in 8
/// running sums s_k = x_k + x_(k+8) + ..., combined as ((s_0 + s_1) +
/// (s_2 + s_3)) + ((s_4 + s_5) + (s_6 + s_7)), the last len mod 8 values
/// added after; more split in two halves (the first a multiple of 8 long).
pub fn numpy_sum(x: &[f64]) -> f64 {
    let n = x.len();
    if n < 8 {
        x.iter().fold(0.0, |sum, &v| sum + v)
    } else if n <= 128 {
        let mut s = [0.0; 8];
        s.copy_from_slice(&x[..8]);
        let whole = n - n % 8;
        for block in x[8..whole].chunks_exact(8) {
            for (s_k, &v) in s.iter_mut().zip(block) {
                *s_k += v;
            }
        }
        let sum = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
        x[whole..].iter().fold(sum, |sum, &v| sum + v)
    } else {
        let half = n / 2;
        let half = half - half % 8;
        numpy_sum(&x[..half]) + numpy_sum(&x[half..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn numpy_sum_adds_in_numpys_order() {
        // Values of np.sum computed once with numpy 2, where the order of
        // the additions shows: [1e16, 1, 1, ..., 1] (10 values; one after
        // the other gives 1e16) and the column 1/3, 1/4, ..., 1/12 (one
        // after the other gives 1.603210678210678).
        let mut x = vec![1.0; 10];
        x[0] = 1e16;
        assert_eq!(numpy_sum(&x), 1.0000000000000008e16);
        let column: Vec<f64> = (3..13).map(|i| 1.0 / f64::from(i)).collect();
        assert_eq!(numpy_sum(&column), 1.6032106782106779);
        let long: Vec<f64> = (0..300).map(f64::from).collect();
        assert_eq!(numpy_sum(&long), 44850.0);
    }

    #[test]
    fn nan_to_num_charges_saturated_outputs_as_network2() {
        let ce = Cost::CrossEntropy;
        // The label's output exactly 1: 1 * ln 1 - 0 * ln 0 = NaN -> 0.
        assert_eq!(
            ce.example_cost_scored(&[1.0f64, 0.0], 0, Saturated::NanToNum),
            0.0
        );
        // A wrong output exactly 1: -ln(0) = inf -> f64::MAX.
        assert_eq!(
            ce.example_cost_scored(&[1.0f64, 0.5], 1, Saturated::NanToNum),
            f64::MAX
        );
        let a = [0.2f64, 0.7, 0.1];
        assert!(
            (ce.example_cost_scored(&a, 1, Saturated::NanToNum) - ce.example_cost(&a, 1)).abs()
                < 1e-15
        );
    }

    #[test]
    fn cross_entropy_and_quadratic_values() {
        let a = [0.2f64, 0.7, 0.1];
        let ce = Cost::CrossEntropy.example_cost(&a, 1);
        let expected = -(0.8f64.ln() + 0.7f64.ln() + 0.9f64.ln());
        assert_abs_diff_eq!(ce, expected, epsilon = 1e-15);
        let q = Cost::Quadratic.example_cost(&a, 1);
        assert_abs_diff_eq!(q, 0.5 * (0.04 + 0.09 + 0.01), epsilon = 1e-15);
        // A saturated wrong output is finite.
        assert!(
            Cost::CrossEntropy
                .example_cost(&[1.0f32, 0.0], 1)
                .is_finite()
        );
    }

    #[test]
    fn names_round_trip() {
        for cost in [Cost::CrossEntropy, Cost::Quadratic] {
            assert_eq!(Cost::from_network2_name(cost.network2_name()), Some(cost));
        }
        assert_eq!(Cost::from_network2_name("LogLikelihood"), None);
    }
}
