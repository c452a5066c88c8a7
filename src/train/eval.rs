//! Scoring a network on a set of examples, as network2's `accuracy` and
//! `total_cost` do, plus what the same forward pass shows for free: how
//! saturated the hidden neurons are.

use rayon::prelude::*;

use super::backprop::{Backprop, KernelWeights};
use crate::data::Dataset;
use crate::kernels::Real;
use crate::net::Network;

/// Examples per forward pass; each chunk is scored on its own and the chunk
/// totals are added in chunk order, so the result does not depend on threads.
const CHUNK: usize = 500;

/// A hidden neuron counts as saturated on an example when sigma'(z) < 0.01
/// (sigma' peaks at 0.25, at z = 0; 0.01 is reached at |z| = 4.6).
pub const SATURATION_THRESHOLD: f64 = 0.01;

#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Examples whose largest output is the label's (first maximum on ties, as numpy's argmax).
    pub correct: usize,
    pub count: usize,
    /// (1/N) sum_x C_x: the data term of the cost.
    pub data_cost: f64,
    /// network2's `total_cost`: data_cost + (lambda / 2N) sum w^2, N the size of this set.
    pub total_cost: f64,
    /// Per hidden layer: fraction of (example, neuron) pairs with sigma'(z) < 0.01.
    pub saturation: Vec<f64>,
}

impl Evaluation {
    pub fn accuracy(&self) -> f64 {
        self.correct as f64 / self.count as f64
    }
}

/// Totals of one chunk.
struct Tally {
    correct: usize,
    cost: f64,
    saturated: Vec<usize>,
}

/// Score `net` on `data`; `lambda` enters only the regularization term of the total cost.
pub fn evaluate<T: Real>(net: &Network<T>, data: &Dataset, lambda: f64) -> Evaluation {
    let hidden = net.layers() - 1;
    let examples: Vec<usize> = (0..data.len()).collect();
    let weights = KernelWeights::of(net);
    let tallies: Vec<Tally> = examples
        .par_chunks(CHUNK)
        .map(|chunk| {
            let rows = chunk.len();
            let mut bp = Backprop::new(net.sizes(), rows);
            bp.forward_images(&weights, &net.biases, data, chunk);
            let mut tally = Tally {
                correct: 0,
                cost: 0.0,
                saturated: vec![0; hidden],
            };
            for (a, &e) in bp.activation_rows(net.layers(), rows).zip(chunk) {
                let label = data.labels()[e] as usize;
                tally.correct += usize::from(argmax(a) == label);
                tally.cost += net.cost.example_cost(a, label);
            }
            for (l, saturated) in tally.saturated.iter_mut().enumerate() {
                *saturated = bp
                    .activation_rows(l + 1, rows)
                    .flatten()
                    .filter(|&&a| (a * (T::one() - a)).as_f64() < SATURATION_THRESHOLD)
                    .count();
            }
            tally
        })
        .collect();

    let count = data.len();
    let correct = tallies.iter().map(|t| t.correct).sum();
    let data_cost = tallies.iter().map(|t| t.cost).sum::<f64>() / count as f64;
    let sum_sq: f64 = net
        .weights
        .iter()
        .flatten()
        .map(|w| w.as_f64() * w.as_f64())
        .sum();
    let saturation = (0..hidden)
        .map(|l| {
            let pairs = count * net.sizes()[l + 1];
            tallies.iter().map(|t| t.saturated[l]).sum::<usize>() as f64 / pairs as f64
        })
        .collect();
    Evaluation {
        correct,
        count,
        data_cost,
        total_cost: data_cost + 0.5 * lambda / count as f64 * sum_sq,
        saturation,
    }
}

/// Index of the first largest value.
fn argmax<T: Real>(a: &[T]) -> usize {
    let mut best = 0;
    for (j, &x) in a.iter().enumerate() {
        if x > a[best] {
            best = j;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::Cost;

    /// A hand-built net [2, 2, 2]: hidden neuron 0 sees z = 10 x_0 (saturated
    /// whenever x_0 = 1), hidden neuron 1 sees z = 0 (never saturated).
    fn hand_net() -> Network<f64> {
        Network::from_parts(
            vec![2, 2, 2],
            vec![vec![10.0, 0.0, 0.0, 0.0], vec![1.0, 0.0, -1.0, 0.0]],
            vec![vec![0.0, 0.0], vec![0.0, 0.0]],
            Cost::CrossEntropy,
        )
        .unwrap()
    }

    #[test]
    fn saturation_accuracy_and_cost_by_hand() {
        let net = hand_net();
        // x = (1, 0) label 0 and x = (0, 0) label 1.
        let data = Dataset::from_bytes(2, 1, vec![255, 0, 0, 0], vec![0, 1]);
        let eval = evaluate(&net, &data, 2.0);
        // Saturated pairs: only (example 0, neuron 0), 1 of 4.
        assert_eq!(eval.saturation, vec![0.25]);
        // Example 0: hidden a = (s(10), 0.5), outputs (s(s(10)), s(-s(10))): correct.
        // Example 1: hidden a = (0.5, 0.5), outputs (s(0.5), s(-0.5)): label 1 is wrong.
        assert_eq!(eval.correct, 1);
        let s = |z: f64| 1.0 / (1.0 + (-z).exp());
        let h = s(10.0);
        let expected =
            (-(s(h).ln()) - (1.0 - s(-h)).ln() - (1.0 - s(0.5)).ln() - s(-0.5).ln()) / 2.0;
        assert!((eval.data_cost - expected).abs() < 1e-12);
        // network2's L2 term: (lambda / 2N) sum w^2 = (2 / 4) * (100 + 1 + 1).
        assert!((eval.total_cost - expected - 51.0).abs() < 1e-12);
    }

    #[test]
    fn argmax_takes_the_first_maximum() {
        assert_eq!(argmax(&[0.1, 0.7, 0.7]), 1);
    }
}
