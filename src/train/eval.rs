//! Scoring a network on a set of examples, as network2's `accuracy` and
//! `total_cost` do, plus what the same forward pass shows for free: how
//! saturated the hidden neurons are.

use rayon::prelude::*;

use super::backprop::{Backprop, KernelWeights};
use crate::data::Dataset;
use crate::kernels::{Real, padded};
use crate::net::{Network, Saturated};

/// Examples per forward pass; each chunk is scored on its own and the chunk
/// totals are added in chunk order, so the result does not depend on threads.
const CHUNK: usize = 500;

/// A hidden neuron counts as saturated on an example when sigma'(z) < 0.01
/// (sigma' peaks at 0.25, at z = 0; 0.01 is reached at |z| = 4.6); a tanh
/// neuron when tanh'(z) = 1 - a^2 < 0.01 (it peaks at 1; |z| = 3.0).
pub const SATURATION_THRESHOLD: f64 = 0.01;

/// A network scored on a data set, as network2's `accuracy` and
/// `total_cost` score it, with what the probes read off the same pass.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Examples whose largest output is the label's (first maximum on ties, as numpy's argmax).
    pub correct: usize,
    /// N, the examples scored.
    pub count: usize,
    /// (1/N) sum_x C_x: the data term of the cost.
    pub data_cost: f64,
    /// network2's `total_cost`: data_cost + (lambda / 2N) sum w^2, N the size of this set.
    pub total_cost: f64,
    /// Per hidden layer: fraction of (example, neuron) pairs with sigma'(z) < 0.01.
    pub saturation: Vec<f64>,
    /// Per weight layer l: sqrt of the mean over the examples of |a^l|^2,
    /// the rms length of the layer's input vector (a^0 = the image).
    pub input_norm: Vec<f64>,
    /// Per weight layer l: the rms over the examples and the layer's
    /// neurons of z = w a + b, its pre-activations.
    pub preactivation_rms: Vec<f64>,
    /// The same of the weighted inputs w a alone.
    pub weighted_input_rms: Vec<f64>,
}

impl Evaluation {
    /// correct / count.
    pub fn accuracy(&self) -> f64 {
        self.correct as f64 / self.count as f64
    }
}

/// Totals of one chunk.
struct Tally {
    correct: usize,
    cost: f64,
    saturated: Vec<usize>,
    /// Per weight layer: sum over examples of |a^l|^2, and over examples
    /// and neurons of z^2 and of (w a)^2.
    input_sq: Vec<f64>,
    preactivation_sq: Vec<f64>,
    weighted_input_sq: Vec<f64>,
}

/// Score `net` on `data`; `lambda` enters only the regularization term of the total cost.
pub fn evaluate<T: Real>(net: &Network<T>, data: &Dataset, lambda: f64) -> Evaluation {
    evaluate_scored(net, data, lambda, Saturated::Floor)
}

/// [`evaluate`], a saturated output's cross-entropy charged as `saturated` says.
pub fn evaluate_scored<T: Real>(
    net: &Network<T>,
    data: &Dataset,
    lambda: f64,
    saturated: Saturated,
) -> Evaluation {
    let layers = net.layers();
    let hidden = layers - 1;
    let examples: Vec<usize> = (0..data.len()).collect();
    let weights = KernelWeights::of(net);
    let tallies: Vec<Tally> = examples
        .par_chunks(CHUNK)
        .map(|chunk| {
            let rows = chunk.len();
            let mut bp = Backprop::new(net, rows);
            let mut tally = Tally {
                correct: 0,
                cost: 0.0,
                saturated: vec![0; hidden],
                input_sq: vec![0.0; layers],
                preactivation_sq: vec![0.0; layers],
                weighted_input_sq: vec![0.0; layers],
            };
            let mut weighted_input = |l: usize, wa: &[T]| {
                let (b, n_out) = (&net.biases[l], net.sizes()[l + 1]);
                for row in wa.chunks_exact(padded(n_out)) {
                    for (&x, &b_j) in row[..n_out].iter().zip(b) {
                        let (x, z) = (x.as_f64(), (x + b_j).as_f64());
                        tally.weighted_input_sq[l] += x * x;
                        tally.preactivation_sq[l] += z * z;
                    }
                }
            };
            bp.forward_images_watched(&weights, &net.biases, data, chunk, &mut weighted_input);
            for (l, sum) in tally.input_sq.iter_mut().enumerate() {
                *sum = bp.activation_rows(l, rows).map(sum_of_squares).sum();
            }
            for (a, &e) in bp.activation_rows(net.layers(), rows).zip(chunk) {
                let label = data.labels()[e] as usize;
                tally.correct += usize::from(argmax(a) == label);
                tally.cost += net.cost.example_cost_scored(a, label, saturated);
            }
            for (l, saturated) in tally.saturated.iter_mut().enumerate() {
                *saturated = bp
                    .activation_rows(l + 1, rows)
                    .flatten()
                    .filter(|&&a| net.hidden.derivative(a).as_f64() < SATURATION_THRESHOLD)
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
    // sqrt(total / count) of a per-layer sum over the chunks, in chunk order.
    let rms_of = |sum: fn(&Tally) -> &Vec<f64>, per_example: &dyn Fn(usize) -> usize| {
        (0..layers)
            .map(|l| {
                let total: f64 = tallies.iter().map(|t| sum(t)[l]).sum();
                (total / (count * per_example(l)) as f64).sqrt()
            })
            .collect()
    };
    let outputs = |l: usize| net.sizes()[l + 1];
    Evaluation {
        correct,
        count,
        data_cost,
        total_cost: data_cost + 0.5 * lambda / count as f64 * sum_sq,
        saturation,
        input_norm: rms_of(|t| &t.input_sq, &|_| 1),
        preactivation_rms: rms_of(|t| &t.preactivation_sq, &outputs),
        weighted_input_rms: rms_of(|t| &t.weighted_input_sq, &outputs),
    }
}

/// sum x^2 of a row, in 16 interleaved partial sums so that the compiler
/// can keep them in one vector register (a single chain of additions
/// would wait on each one in turn: the image rows made this the cost of
/// the whole evaluation).
fn sum_of_squares<T: Real>(x: &[T]) -> f64 {
    let mut partial = [T::zero(); 16];
    let chunks = x.chunks_exact(16);
    let tail = chunks.remainder();
    for chunk in chunks {
        for (p, &v) in partial.iter_mut().zip(chunk) {
            *p += v * v;
        }
    }
    let tail: f64 = tail.iter().map(|v| v.as_f64() * v.as_f64()).sum();
    partial.iter().map(|p| p.as_f64()).sum::<f64>() + tail
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
    use approx::{assert_abs_diff_eq, assert_relative_eq};

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
        assert_abs_diff_eq!(eval.data_cost, expected, epsilon = 1e-12);
        // network2's L2 term: (lambda / 2N) sum w^2 = (2 / 4) * (100 + 1 + 1).
        assert_abs_diff_eq!(eval.total_cost - expected, 51.0, epsilon = 1e-12);
    }

    /// Every field of `evaluate` against plain loops over the examples, on
    /// a net [3, 5, 2] (every layer a different size, the hidden one the
    /// widest, so that a row read with another layer's width is cut short)
    /// whose hidden layer is partly saturated, with 2 of 7 examples right:
    /// the activations from `reference::feedforward`, the rest in f64 here.
    #[test]
    fn every_field_against_plain_loops() {
        use crate::net::Init;
        use rand::SeedableRng;
        let sizes = [3, 5, 2];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut net: Network<f64> = Network::new(&sizes, Init::Large, Cost::Quadratic, &mut rng);
        // Large weights into the hidden layer: some |z| past 4.6.
        net.weights[0].iter_mut().for_each(|w| *w *= 4.0);
        let count: usize = 7;
        let pixels: Vec<u8> = (0..(count * sizes[0]) as u32)
            .map(|i| ((i * 89 + 7) % 256) as u8)
            .collect();
        let x = |e: usize| -> Vec<f64> {
            (0..sizes[0])
                .map(|i| f64::from(pixels[e * sizes[0] + i]) / 255.0)
                .collect()
        };
        let activations: Vec<Vec<Vec<f64>>> = (0..count)
            .map(|e| super::super::reference::feedforward(&net, &x(e)))
            .collect();
        // The first two labelled as the net predicts, the others not.
        let labels: Vec<u8> = activations
            .iter()
            .enumerate()
            .map(|(e, a)| ((argmax(&a[2]) + usize::from(e >= 2)) % 2) as u8)
            .collect();
        let data = Dataset::from_bytes(sizes[0], 1, pixels.clone(), labels.clone());
        let lambda = 3.0;
        let eval = evaluate(&net, &data, lambda);

        assert_eq!((eval.correct, eval.count), (2, count));
        assert_eq!(eval.accuracy(), 2.0 / 7.0);
        let data_cost = activations
            .iter()
            .zip(&labels)
            .map(|(a, &label)| net.cost.example_cost(&a[2], label as usize))
            .sum::<f64>()
            / count as f64;
        assert_relative_eq!(eval.data_cost, data_cost, max_relative = 1e-12);
        let sum_sq: f64 = net.weights.iter().flatten().map(|w| w * w).sum();
        assert_relative_eq!(
            eval.total_cost,
            data_cost + lambda / (2.0 * count as f64) * sum_sq,
            max_relative = 1e-12
        );
        let saturated = activations
            .iter()
            .flat_map(|a| &a[1])
            .filter(|&&a| a * (1.0 - a) < SATURATION_THRESHOLD)
            .count();
        let pairs = count * sizes[1];
        assert!(saturated > 0 && saturated < pairs);
        assert_eq!(eval.saturation, vec![saturated as f64 / pairs as f64]);
        for l in 0..2 {
            let (n_out, n_in) = (sizes[l + 1], sizes[l]);
            let (mut in_sq, mut wa_sq, mut z_sq) = (0.0, 0.0, 0.0);
            for a in &activations {
                in_sq += a[l].iter().map(|v| v * v).sum::<f64>();
                for j in 0..n_out {
                    let w_j = &net.weights[l][j * n_in..][..n_in];
                    let wa: f64 = w_j.iter().zip(&a[l]).map(|(w, v)| w * v).sum();
                    wa_sq += wa * wa;
                    z_sq += (wa + net.biases[l][j]).powi(2);
                }
            }
            let rms = |sum: f64, per_example: usize| (sum / (count * per_example) as f64).sqrt();
            assert_relative_eq!(eval.input_norm[l], rms(in_sq, 1), max_relative = 1e-12);
            assert_relative_eq!(
                eval.weighted_input_rms[l],
                rms(wa_sq, n_out),
                max_relative = 1e-12
            );
            assert_relative_eq!(
                eval.preactivation_rms[l],
                rms(z_sq, n_out),
                max_relative = 1e-12
            );
        }
    }

    #[test]
    fn sum_of_squares_of_whole_chunks_and_a_tail() {
        // 16 + 16 + 3 values: two chunks of partial sums and a tail.
        let x: Vec<f64> = (0..35).map(|i| f64::from(i) - 10.5).collect();
        let want: f64 = x.iter().map(|v| v * v).sum();
        assert_relative_eq!(sum_of_squares(&x), want, max_relative = 1e-14);
        assert_eq!(sum_of_squares(&[3.0f32, 4.0]), 25.0);
    }

    #[test]
    fn saturation_is_strictly_below_the_threshold() {
        // A [1, 2, 1] net whose hidden neurons see z = 0 x + b: at this b
        // the kernels' sigma gives a with a (1 - a) = 0.01 exactly in f64,
        // which is not saturated; one step of b lower it is.
        let b = -4.584863339122355;
        let below = f64::next_down(b);
        let sigma = |z: f64| {
            let mut row = [0.0; crate::kernels::LANES];
            row[0] = z;
            crate::kernels::add_bias_and_sigmoid(&mut row, &[0.0]);
            row[0]
        };
        let slope = |z: f64| sigma(z) * (1.0 - sigma(z));
        assert_eq!(slope(b), SATURATION_THRESHOLD);
        assert!(slope(below) < SATURATION_THRESHOLD);
        let net = Network::from_parts(
            vec![1, 2, 1],
            vec![vec![0.0, 0.0], vec![1.0, 1.0]],
            vec![vec![b, below], vec![0.0]],
            Cost::CrossEntropy,
        )
        .unwrap();
        let data = Dataset::from_bytes(1, 1, vec![200, 0], vec![0, 0]);
        assert_eq!(evaluate(&net, &data, 0.0).saturation, vec![0.5]);
    }

    #[test]
    fn argmax_takes_the_first_maximum() {
        assert_eq!(argmax(&[0.1, 0.7, 0.7]), 1);
        assert_eq!(argmax(&[0.1, 0.2, 0.9]), 2);
        assert_eq!(argmax(&[0.9f32, 0.2]), 0);
    }

    #[test]
    fn input_norms_and_preactivations_by_hand() {
        // [2, 2, 2] with biases, on x = (1, 0.2) and x = (0, 0.6).
        let w1 = [2.0, -1.0, 0.5, 3.0];
        let b1 = [0.5, -1.0];
        let w2 = [1.0, -2.0, 0.0, 4.0];
        let b2 = [0.25, 0.0];
        let net = Network::from_parts(
            vec![2, 2, 2],
            vec![w1.to_vec(), w2.to_vec()],
            vec![b1.to_vec(), b2.to_vec()],
            Cost::CrossEntropy,
        )
        .unwrap();
        let data = Dataset::from_bytes(2, 1, vec![255, 51, 0, 153], vec![0, 1]);
        let eval = evaluate(&net, &data, 0.0);
        let s = |z: f64| 1.0 / (1.0 + (-z).exp());
        let xs = [[1.0, 0.2], [0.0, 0.6]];
        let (mut in_sq, mut wa_sq, mut z_sq) = ([0.0; 2], [0.0; 2], [0.0; 2]);
        for x in xs {
            let wa1 = [w1[0] * x[0] + w1[1] * x[1], w1[2] * x[0] + w1[3] * x[1]];
            let a1 = [s(wa1[0] + b1[0]), s(wa1[1] + b1[1])];
            let wa2 = [w2[0] * a1[0] + w2[1] * a1[1], w2[2] * a1[0] + w2[3] * a1[1]];
            in_sq[0] += x[0] * x[0] + x[1] * x[1];
            in_sq[1] += a1[0] * a1[0] + a1[1] * a1[1];
            for j in 0..2 {
                wa_sq[0] += wa1[j] * wa1[j];
                z_sq[0] += (wa1[j] + b1[j]).powi(2);
                wa_sq[1] += wa2[j] * wa2[j];
                z_sq[1] += (wa2[j] + b2[j]).powi(2);
            }
        }
        for l in 0..2 {
            // Over 2 examples; z and w a over 2 examples x 2 neurons.
            assert_relative_eq!(
                eval.input_norm[l],
                (in_sq[l] / 2.0).sqrt(),
                max_relative = 1e-12
            );
            assert_relative_eq!(
                eval.weighted_input_rms[l],
                (wa_sq[l] / 4.0).sqrt(),
                max_relative = 1e-12
            );
            assert_relative_eq!(
                eval.preactivation_rms[l],
                (z_sq[l] / 4.0).sqrt(),
                max_relative = 1e-12
            );
        }
        assert!(eval.preactivation_rms[0] != eval.weighted_input_rms[0]);
    }
}
