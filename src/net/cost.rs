//! The two costs of network2.py, per example x with one-hot target y:
//!
//!   cross-entropy  C_x = -sum_j [ y_j ln a_j + (1 - y_j) ln(1 - a_j) ]
//!                  output error delta^L = a - y
//!   quadratic      C_x = (1/2) |a - y|^2
//!                  output error delta^L = (a - y) sigma'(z^L)

use serde::{Deserialize, Serialize};

use crate::kernels::Real;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Cost {
    CrossEntropy,
    Quadratic,
}

impl Cost {
    /// The class name network2.py stores in its JSON files.
    pub fn network2_name(self) -> &'static str {
        match self {
            Cost::CrossEntropy => "CrossEntropyCost",
            Cost::Quadratic => "QuadraticCost",
        }
    }

    pub fn from_network2_name(name: &str) -> Option<Cost> {
        match name {
            "CrossEntropyCost" => Some(Cost::CrossEntropy),
            "QuadraticCost" => Some(Cost::Quadratic),
            _ => None,
        }
    }

    /// The output error delta^L_j for one output neuron, from its activation
    /// a_j = sigma(z_j) and target y_j (sigma'(z) = a (1 - a)).
    pub fn output_delta<T: Real>(self, a: T, y: T) -> T {
        match self {
            Cost::CrossEntropy => a - y,
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
                }
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_entropy_and_quadratic_values() {
        let a = [0.2f64, 0.7, 0.1];
        let ce = Cost::CrossEntropy.example_cost(&a, 1);
        let expected = -(0.8f64.ln() + 0.7f64.ln() + 0.9f64.ln());
        assert!((ce - expected).abs() < 1e-15);
        let q = Cost::Quadratic.example_cost(&a, 1);
        assert!((q - 0.5 * (0.04 + 0.09 + 0.01)).abs() < 1e-15);
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
