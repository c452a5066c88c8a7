//! The update rule in plain scalar code, one example at a time, as the book
//! writes it and as network2.py computes it: the fast version
//! ([`super::sgd`], [`super::backprop`], the kernels) is checked against
//! this over whole epochs.
//!
//! Notation (network2.py, "Neural Networks and Deep Learning", ch. 2-3):
//! layer sizes [n_0, n_1, ..., n_L]; for l = 1..L the weights w^l
//! (n_l x n_(l-1), `net.weights[l - 1]`, row-major: row j holds the weights
//! into neuron j) and the biases b^l (n_l, `net.biases[l - 1]`); an input x
//! (n_0) with one-hot target y (n_L); n training examples, cut into
//! mini-batches of m (batch t holds m_t of them, the last one maybe fewer);
//! learning rate eta, regularization parameter lambda.
//!
//!   a^0 = x,   z^l = w^l a^(l-1) + b^l,   a^l = sigma(z^l)
//!   delta^L = a^L - y                           (cross-entropy)
//!           = (a^L - y) * sigma'(z^L)           (quadratic)
//!   delta^l = ((w^(l+1))^T delta^(l+1)) * sigma'(z^l),   sigma'(z^l) = a^l (1 - a^l)
//!   dC_x/db^l = delta^l,   dC_x/dw^l = delta^l (a^(l-1))^T
//!   w^l <- (1 - eta*lambda/n) w^l - (eta/m_t) sum_x dC_x/dw^l
//!   b^l <- b^l - (eta/m_t) sum_x dC_x/db^l
//!
//! (`*` between vectors is the elementwise product.)
//!
//! Rounding. Exact arithmetic would not care how these are rounded; this
//! code rounds as the kernels do, so that the tests can ask for the same
//! bits rather than for a tolerance:
//! - every a*b + c of a sum (w^l a^(l-1), (w^(l+1))^T delta^(l+1), the
//!   batch's sum of delta^l (a^(l-1))^T) is rounded once (`mul_add`), its
//!   terms added in order (of k, of j, of the examples in the batch);
//! - the decay is w - c w with c = eta*lambda/n, rounded once, never
//!   (1 - c) w (which in f32 would round c ~ 1e-5 by ~0.3%, see SPEC.md);
//!   then the gradient's part, w - (eta/m_t) g, rounded once;
//! - sigma is the kernels' own ([`kernels::add_bias_and_sigmoid`]): std's
//!   exp may differ from theirs in the last place;
//! - the factors eta*lambda/n and eta/m_t are formed in f64 and rounded to
//!   T, as `Sgd` does.
//!
//! Only the tests use it.
#![cfg(test)]

use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::data::Dataset;
use crate::kernels::{self, Real};
use crate::net::{Activation, Cost, Network};
use crate::train::rule::{Optimizer, Regularization, Rule};

/// sigma(z) = 1 / (1 + e^-z), by the kernels' sigmoid on one number
/// (padded to a chunk, bias 0: z + 0 = z).
fn sigma<T: Real>(z: T) -> T {
    let mut row = [T::zero(); kernels::LANES];
    row[0] = z;
    kernels::add_bias_and_sigmoid(&mut row, &[T::zero()]);
    row[0]
}

/// tanh(z) = 2 sigma(2z) - 1, by the kernels' tanh on one number (as
/// `sigma`).
fn tanh<T: Real>(z: T) -> T {
    let mut row = [T::zero(); kernels::LANES];
    row[0] = z;
    kernels::add_bias_and_tanh(&mut row, &[T::zero()]);
    row[0]
}

/// x (n_0): the pixels of training example `e`, scaled to [0, 1] as
/// training scales them (p / 255, or a pooled sum / its white).
fn input<T: Real>(training: &Dataset, e: usize) -> Vec<T> {
    let n_0 = training.inputs();
    let mut row = vec![T::zero(); kernels::padded(n_0)];
    training.write_inputs(&[e], &mut row);
    row.truncate(n_0);
    row
}

/// y (n_L): the one-hot target of `label` (network2's `vectorized_result`).
fn target<T: Real>(label: u8, n_l: usize) -> Vec<T> {
    (0..n_l)
        .map(|j| {
            if j == label as usize {
                T::one()
            } else {
                T::zero()
            }
        })
        .collect()
}

/// The activations of every layer for input x: a^0 = x and, for l = 1..L,
///
///   a^l = sigma(z^l),   z^l = w^l a^(l-1) + b^l      (n_l)
///
/// so `feedforward(net, x)[L]` = a^L is network2's `feedforward(x)`; backprop
/// needs the others too. z^l_j = (sum_k w^l_jk a^(l-1)_k) + b^l_j. Hidden
/// tanh neurons take tanh(z) for sigma(z); with the log-likelihood cost
/// the output layer is a softmax:
///
///   a^L_j = e^(z^L_j - z_max) / sum_k e^(z^L_k - z_max),   z_max = max_k z^L_k.
pub(crate) fn feedforward<T: Real>(net: &Network<T>, x: &[T]) -> Vec<Vec<T>> {
    assert_eq!(x.len(), net.sizes()[0]);
    let mut activations = vec![x.to_vec()];
    for (l, (w, b)) in net.weights.iter().zip(&net.biases).enumerate() {
        let a_prev = activations.last().expect("a^0 at least");
        // w^l: n_l rows of n_(l-1).
        let z: Vec<T> = w
            .chunks_exact(a_prev.len())
            .zip(b)
            .map(|(w_j, &b_j)| {
                let w_j_a = w_j
                    .iter()
                    .zip(a_prev)
                    .fold(T::zero(), |sum, (&w_jk, &a_k)| w_jk.mul_add(a_k, sum));
                w_j_a + b_j
            })
            .collect();
        let output = l + 1 == net.layers();
        let a = match (output, net.hidden) {
            (true, _) if net.cost.softmax_output() => softmax(&z),
            (false, Activation::Tanh) => z.into_iter().map(tanh).collect(),
            _ => z.into_iter().map(sigma).collect(),
        };
        activations.push(a);
    }
    activations
}

/// softmax(z)_j = e^(z_j - z_max) / sum_k e^(z_k - z_max), the sum in order
/// of k, e^x the kernels' own.
fn softmax<T: Real>(z: &[T]) -> Vec<T> {
    let largest = z.iter().copied().fold(T::neg_infinity(), T::max);
    let e: Vec<T> = z.iter().map(|&z_j| kernels::exp(z_j - largest)).collect();
    let sum = e.iter().fold(T::zero(), |sum, &e_k| sum + e_k);
    e.iter().map(|&e_j| e_j / sum).collect()
}

/// The gradient of one example's cost C_x, as [`backprop`] finds it:
///
///   dC_x/db^l = delta^l                      (n_l)
///   dC_x/dw^l = delta^l (a^(l-1))^T          (n_l x n_(l-1))
///
/// dC_x/dw^l is an outer product and is kept as its two factors:
/// [`update_mini_batch`] adds each entry delta^l_j a^(l-1)_k into the
/// batch's sum with one rounding.
pub(crate) struct ExampleGradient<T> {
    /// `delta[l - 1]` = delta^l = dC_x/db^l, for l = 1..L.
    pub delta: Vec<Vec<T>>,
    /// `activations[l]` = a^l, for l = 0..L (a^0 = x).
    pub activations: Vec<Vec<T>>,
}

/// network2's `backprop(x, y)`: the gradient of C_x for input x and one-hot
/// target y (of `label`), by one forward pass ([`feedforward`]) and one
/// backward pass:
///
///   delta^L = a^L - y                                      (cross-entropy)
///   delta^L = (a^L - y) * sigma'(z^L)                      (quadratic)
///   delta^l = ((w^(l+1))^T delta^(l+1)) * sigma'(z^l)      (l = L-1..1)
///
/// with sigma'(z^l) = a^l (1 - a^l), as network2's `sigmoid_prime`
/// computes it from sigma(z^l). ((a - y) sigma'(z) is evaluated as
/// ((a - y) a) (1 - a), and ((w^(l+1))^T delta^(l+1))_k as
/// sum_j w^(l+1)_jk delta^(l+1)_j in order of j, as the kernels do.)
pub(crate) fn backprop<T: Real>(net: &Network<T>, x: &[T], label: u8) -> ExampleGradient<T> {
    let sizes = net.sizes();
    let big_l = net.layers();
    let activations = feedforward(net, x);
    let y = target::<T>(label, sizes[big_l]);

    // delta^L (n_L).
    let a_out = &activations[big_l];
    let delta_out: Vec<T> = a_out
        .iter()
        .zip(&y)
        .map(|(&a, &y)| match net.cost {
            // With the softmax output, as with the sigmoid's cross-entropy.
            Cost::CrossEntropy | Cost::LogLikelihood => a - y,
            Cost::Quadratic => (a - y) * a * (T::one() - a),
        })
        .collect();

    // delta^l from delta^(l+1), l = L-1 down to 1; `deltas` is built from
    // the top, then turned round.
    let mut deltas = vec![delta_out];
    for l in (1..big_l).rev() {
        let w_next = &net.weights[l]; // w^(l+1): n_(l+1) x n_l
        let delta_next = deltas.last().expect("delta^L at least"); // n_(l+1)
        let a = &activations[l]; // a^l: n_l
        let delta: Vec<T> = (0..sizes[l])
            .map(|k| {
                let w_t_delta = delta_next
                    .iter()
                    .enumerate()
                    .fold(T::zero(), |sum, (j, &d_j)| {
                        d_j.mul_add(w_next[j * sizes[l] + k], sum)
                    });
                // sigma'(z) = a (1 - a); tanh'(z) = 1 - a^2.
                let sigma_prime = match net.hidden {
                    Activation::Sigmoid => a[k] * (T::one() - a[k]),
                    Activation::Tanh => T::one() - a[k] * a[k],
                };
                w_t_delta * sigma_prime
            })
            .collect();
        deltas.push(delta);
    }
    deltas.reverse();
    ExampleGradient {
        delta: deltas,
        activations,
    }
}

/// network2's `update_mini_batch(mini_batch, eta, lmbda, n)`: one step of
/// the update rule for the m_t = `mini_batch.len()` training examples
/// `mini_batch`, with n = `n` training examples in all:
///
///   w^l <- w^l - (eta*lambda/n) w^l - (eta/m_t) sum_x dC_x/dw^l
///   b^l <- b^l                      - (eta/m_t) sum_x dC_x/db^l
///
/// the sums over the examples x of the batch, in its order. With
/// `decay_only` the gradient terms are switched off (`Sgd::decay_only`):
/// w^l <- w^l - (eta*lambda/n) w^l, b^l unchanged.
pub(crate) fn update_mini_batch<T: Real>(
    net: &mut Network<T>,
    training: &Dataset,
    mini_batch: &[usize],
    eta: f64,
    lambda: f64,
    n: usize,
    decay_only: bool,
) {
    let m_t = mini_batch.len();
    let c = T::from_f64(eta * lambda / n as f64);
    let step = T::from_f64(eta / m_t as f64);
    let (nabla_w, nabla_b) = batch_gradient(net, training, mini_batch, decay_only);
    for l in 0..net.layers() {
        for (w, &g) in net.weights[l].iter_mut().zip(&nabla_w[l]) {
            let decayed = (-c).mul_add(*w, *w); // w - c w
            *w = (-step).mul_add(g, decayed); // ... - (eta/m_t) g
        }
        if !decay_only {
            for (b, &g) in net.biases[l].iter_mut().zip(&nabla_b[l]) {
                *b -= step * g;
            }
        }
    }
}

/// The batch's summed gradients (nabla_w, nabla_b): `nabla_w[l - 1]` =
/// sum_x dC_x/dw^l (n_l x n_(l-1)), `nabla_b[l - 1]` = sum_x dC_x/db^l
/// (n_l), the sums over the examples x of `mini_batch` in its order; zero
/// with `decay_only`.
fn batch_gradient<T: Real>(
    net: &Network<T>,
    training: &Dataset,
    mini_batch: &[usize],
    decay_only: bool,
) -> (Vec<Vec<T>>, Vec<Vec<T>>) {
    let zeros_like = |layers: &[Vec<T>]| -> Vec<Vec<T>> {
        layers.iter().map(|v| vec![T::zero(); v.len()]).collect()
    };
    let mut nabla_w = zeros_like(&net.weights);
    let mut nabla_b = zeros_like(&net.biases);
    if !decay_only {
        for &e in mini_batch {
            let x = input(training, e);
            let g = backprop(net, &x, training.labels()[e]);
            for l in 0..net.layers() {
                let (delta, a_prev) = (&g.delta[l], &g.activations[l]);
                for (nabla_b_j, &delta_j) in nabla_b[l].iter_mut().zip(delta) {
                    *nabla_b_j += delta_j;
                }
                // (dC_x/dw^l)_jk = delta^l_j a^(l-1)_k
                let rows = nabla_w[l].chunks_exact_mut(a_prev.len());
                for (nabla_w_j, &delta_j) in rows.zip(delta) {
                    for (nabla_w_jk, &a_k) in nabla_w_j.iter_mut().zip(a_prev) {
                        *nabla_w_jk = delta_j.mul_add(a_k, *nabla_w_jk);
                    }
                }
            }
        }
    }
    (nabla_w, nabla_b)
}

/// What a rule keeps between steps, in the network's own layout: `v`
/// (momentum's velocity, Adam's first moment m) and `s` (Adam's second
/// moment v) for every weight and bias, and the steps taken, t.
pub(crate) struct RuleMemory<T> {
    v_w: Vec<Vec<T>>,
    v_b: Vec<Vec<T>>,
    s_w: Vec<Vec<T>>,
    s_b: Vec<Vec<T>>,
    t: u64,
}

impl<T: Real> RuleMemory<T> {
    pub(crate) fn new(net: &Network<T>) -> RuleMemory<T> {
        let zeros_like = |layers: &[Vec<T>]| -> Vec<Vec<T>> {
            layers.iter().map(|v| vec![T::zero(); v.len()]).collect()
        };
        RuleMemory {
            v_w: zeros_like(&net.weights),
            v_b: zeros_like(&net.biases),
            s_w: zeros_like(&net.weights),
            s_b: zeros_like(&net.biases),
            t: 0,
        }
    }
}

/// One step of a rule of `rule.rs` other than network2's, written out one
/// value at a time (see that module for the formulas; the roundings are
/// the same, one per `mul_add`):
///
///   L1:       w <- w - (eta*lambda/n) sgn(w) - (eta/m_t) G
///   momentum: v <- mu v - ((eta/m_t) G + (eta*lambda/n) p(w)),  w <- w + v
///   SGDW:     w <- w - eta D w - (eta/m_t) G
///   Adam:     g = G/m_t + (lambda/n) p(w);  AdamW: w <- w - eta D w, g = G/m_t;
///             m <- beta1 m + (1 - beta1) g,  s <- beta2 s + (1 - beta2) g g,
///             w <- w - (eta/(1 - beta1^t)) m / (sqrt(s)/sqrt(1 - beta2^t) + eps)
///
/// p(w) = w (L2) or sgn(w) (L1); biases take the same steps with G their
/// own gradient and neither penalty nor decay.
#[allow(clippy::too_many_arguments)]
pub(crate) fn rule_update_mini_batch<T: Real>(
    net: &mut Network<T>,
    training: &Dataset,
    mini_batch: &[usize],
    (eta, lambda, n): (f64, f64, usize),
    rule: &Rule,
    memory: &mut RuleMemory<T>,
    decay_only: bool,
) {
    let m_t = mini_batch.len();
    memory.t += 1;
    let t = memory.t as i32;
    let (nabla_w, nabla_b) = batch_gradient(net, training, mini_batch, decay_only);
    let f = T::from_f64;
    let step = f(eta / m_t as f64);
    let inverse_m = f(1.0 / m_t as f64);
    let c = f(eta * lambda / n as f64);
    let penalty = f(lambda / n as f64);
    let p = |w: T| -> T {
        match rule.regularization {
            Regularization::L2 => w,
            Regularization::L1 if w > T::zero() => T::one(),
            Regularization::L1 if w < T::zero() => -T::one(),
            Regularization::L1 => T::zero(),
        }
    };
    let adam = |w: &mut T, g: T, m: &mut T, s: &mut T, beta1: f64, beta2: f64, eps: f64| {
        let (b1, b2) = (f(beta1), f(beta2));
        *m = b1.mul_add(*m, (T::one() - b1) * g);
        *s = b2.mul_add(*s, (T::one() - b2) * g * g);
        let denominator = s.sqrt() / f((1.0 - beta2.powi(t)).sqrt()) + f(eps);
        *w -= f(eta / (1.0 - beta1.powi(t))) * *m / denominator;
    };
    for l in 0..net.layers() {
        let weights = net.weights[l].iter_mut().zip(&nabla_w[l]);
        let weights = weights.zip(memory.v_w[l].iter_mut().zip(memory.s_w[l].iter_mut()));
        for ((w, &g), (v, s)) in weights {
            match rule.optimizer {
                Optimizer::Sgd => *w = (-step).mul_add(g, (-c).mul_add(p(*w), *w)),
                Optimizer::Momentum { mu } => {
                    *v = f(mu).mul_add(*v, -c.mul_add(p(*w), step * g));
                    *w += *v;
                }
                Optimizer::Sgdw { weight_decay } => {
                    let decay = f(eta * weight_decay);
                    *w = (-step).mul_add(g, (-decay).mul_add(*w, *w));
                }
                Optimizer::Adam { beta1, beta2, eps } => {
                    let g = penalty.mul_add(p(*w), inverse_m * g);
                    adam(w, g, v, s, beta1, beta2, eps);
                }
                Optimizer::AdamW {
                    beta1,
                    beta2,
                    eps,
                    weight_decay,
                } => {
                    *w = (-f(eta * weight_decay)).mul_add(*w, *w);
                    adam(w, inverse_m * g, v, s, beta1, beta2, eps);
                }
            }
        }
        let biases = net.biases[l].iter_mut().zip(&nabla_b[l]);
        let biases = biases.zip(memory.v_b[l].iter_mut().zip(memory.s_b[l].iter_mut()));
        for ((b, &g), (v, s)) in biases {
            match rule.optimizer {
                Optimizer::Sgd | Optimizer::Sgdw { .. } => *b -= step * g,
                Optimizer::Momentum { mu } => {
                    *v = f(mu).mul_add(*v, -(step * g));
                    *b += *v;
                }
                Optimizer::Adam { beta1, beta2, eps }
                | Optimizer::AdamW {
                    beta1, beta2, eps, ..
                } => adam(b, inverse_m * g, v, s, beta1, beta2, eps),
            }
        }
    }
}

/// One epoch of network2's `SGD`, with the shuffle `Sgd::epoch` makes (the
/// same calls on the same generator `rng`, so both see the same batches):
/// the n examples of `training` in a random order, cut into consecutive
/// mini-batches of m (the last one holds the n mod m left over, if any),
/// and [`update_mini_batch`] on each in turn.
pub(crate) fn epoch<T: Real>(
    net: &mut Network<T>,
    training: &Dataset,
    m: usize,
    eta: f64,
    lambda: f64,
    rng: &mut ChaCha8Rng,
    decay_only: bool,
) {
    let n = training.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    for mini_batch in order.chunks(m) {
        update_mini_batch(net, training, mini_batch, eta, lambda, n, decay_only);
    }
}

mod tests {
    use std::sync::OnceLock;

    use approx::assert_abs_diff_eq;
    use rand::{RngExt, SeedableRng};

    use super::*;
    use crate::data::Mnist;
    use crate::net::Init;
    use crate::train::backprop::{Backprop, KernelWeights};
    use crate::train::{EpochOrder, Hyper, Sgd, Unobserved};

    /// The first 1000 bundled MNIST training images.
    fn first_thousand() -> &'static Dataset {
        static SET: OnceLock<Dataset> = OnceLock::new();
        SET.get_or_init(|| {
            Mnist::bundled()
                .expect("bundled MNIST")
                .training
                .slice(0..1000)
        })
    }

    /// One training run to compare: a network drawn from `seed`, trained
    /// one epoch on `data`.
    struct Case<'a> {
        sizes: &'a [usize],
        init: Init,
        cost: Cost,
        hidden: Activation,
        data: &'a Dataset,
        eta: f64,
        lambda: f64,
        m: usize,
        decay_only: bool,
        seed: u64,
    }

    /// x and y are the same number, to the bit (-0 is not +0). (T to f64
    /// is exact.)
    fn same_bits<T: Real>(x: T, y: T) -> bool {
        x.as_f64().to_bits() == y.as_f64().to_bits()
    }

    /// The largest |fast - reference| over a layer's values, divided by
    /// their rms (the weights' scale), and how many values differ at all.
    fn difference<T: Real>(fast: &[T], reference: &[T]) -> (f64, usize) {
        let rms = (reference.iter().map(|x| x.as_f64().powi(2)).sum::<f64>()
            / reference.len() as f64)
            .sqrt();
        let mut worst: f64 = 0.0;
        let mut differing = 0;
        for (&f, &r) in fast.iter().zip(reference) {
            if !same_bits(f, r) {
                differing += 1;
                worst = worst.max((f.as_f64() - r.as_f64()).abs() / rms);
            }
        }
        (worst, differing)
    }

    /// One epoch by `Sgd::epoch` and by the reference [`epoch`] from the same
    /// network and generator: the same weights and biases, bit for bit, and
    /// the generators left in the same state.
    ///
    /// Bits, not a tolerance: both sides do the same roundings in the same
    /// order (see the module's doc), so any difference is a difference in
    /// what is computed. A failure reports the largest difference relative
    /// to the layer's rms, which tells rounding from error. Measured on
    /// these cases with the reference changed: rounding alone (unfused
    /// a*b + c and std's exp; (1 - c) w for w - c w; ((a - y) a)(1 - a)
    /// grouped otherwise) moved the weights by at most 1e-5 of their rms
    /// in f32 and 1e-14 in f64; an error (m for m_t, no decay, n = 50,000,
    /// the quadratic delta without sigma', decayed biases) by 5e-4 of it
    /// and more.
    fn same_epoch<T: Real>(case: &Case) {
        let mut rng = ChaCha8Rng::seed_from_u64(case.seed);
        let start: Network<T> =
            Network::new(case.sizes, case.init, case.cost, &mut rng).with_hidden(case.hidden);
        assert_eq!(case.data.inputs(), case.sizes[0]);
        let hyper = Hyper {
            eta: case.eta,
            lambda: case.lambda,
            n: case.data.len(),
        };
        let order = EpochOrder::Shuffled(rng.clone());
        let mut sgd = Sgd::new(start.clone(), hyper, case.m, order);
        if case.decay_only {
            sgd = sgd.decay_only();
        }
        sgd.epoch(case.data, &mut Unobserved, &mut |_| {});

        let mut reference = start.clone();
        let mut reference_rng = rng;
        epoch(
            &mut reference,
            case.data,
            case.m,
            case.eta,
            case.lambda,
            &mut reference_rng,
            case.decay_only,
        );

        assert_eq!(sgd.rng(), Some(&reference_rng), "the generators part ways");
        let name = format!("{} {:?} m = {}", T::NAME, case.sizes, case.m);
        same_networks(&sgd.net, &reference, &start, case.decay_only, &name);
    }

    /// `fast` and `slow` hold the same weights and biases, bit for bit, and
    /// both moved from `start` (the comparison is not of two untouched
    /// networks): biases too, unless `decay_only`. A failure names `name`
    /// and the largest difference relative to the layer's rms.
    fn same_networks<T: Real>(
        fast: &Network<T>,
        slow: &Network<T>,
        start: &Network<T>,
        decay_only: bool,
        name: &str,
    ) {
        for l in 0..start.layers() {
            for (what, fast, slow, before) in [
                ("w", &fast.weights[l], &slow.weights[l], &start.weights[l]),
                ("b", &fast.biases[l], &slow.biases[l], &start.biases[l]),
            ] {
                let (worst, differing) = difference(fast, slow);
                assert!(
                    differing == 0,
                    "{name}: {differing} of {} values of {what}^{} differ, \
                     the largest by {worst:e} of their rms",
                    fast.len(),
                    l + 1
                );
                let (moved, _) = difference(slow, before);
                let still = decay_only && what == "b";
                assert!(
                    still == (moved == 0.0),
                    "{name}: {what}^{} moved {moved:e}",
                    l + 1
                );
            }
        }
    }

    fn same_epoch_f32_and_f64(case: &Case) {
        same_epoch::<f32>(case);
        same_epoch::<f64>(case);
    }

    /// Two epochs of `rule` by `Sgd::with_rule` and by the reference
    /// [`rule_update_mini_batch`] from the same network and shuffles: the
    /// same weights and biases, bit for bit (the rule's state carried
    /// across the epochs), on [784, 30, 10] and 300 examples in batches
    /// of 7 (the last one short).
    fn same_rule_epochs<T: Real>(rule: Rule, eta: f64, lambda: f64, decay_only: bool) {
        let data = first_thousand().slice(0..300);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let start: Network<T> =
            Network::new(&[784, 30, 10], Init::Large, Cost::CrossEntropy, &mut rng);
        let n = data.len();
        let hyper = Hyper { eta, lambda, n };
        let mut sgd =
            Sgd::new(start.clone(), hyper, 7, EpochOrder::Shuffled(rng.clone())).with_rule(rule);
        if decay_only {
            sgd = sgd.decay_only();
        }
        let mut reference = start.clone();
        let mut memory = RuleMemory::new(&start);
        for _ in 0..2 {
            sgd.epoch(&data, &mut Unobserved, &mut |_| {});
            let mut order: Vec<usize> = (0..n).collect();
            order.shuffle(&mut rng);
            for batch in order.chunks(7) {
                rule_update_mini_batch(
                    &mut reference,
                    &data,
                    batch,
                    (eta, lambda, n),
                    &rule,
                    &mut memory,
                    decay_only,
                );
            }
        }
        let name = format!("{} {rule:?}", T::NAME);
        same_networks(&sgd.net, &reference, &start, decay_only, &name);
    }

    fn every_rule<T: Real>(decay_only: bool) {
        use crate::train::rule::{ADAM_BETA1, ADAM_BETA2, ADAM_EPS};
        let adam = Optimizer::Adam {
            beta1: ADAM_BETA1,
            beta2: ADAM_BETA2,
            eps: ADAM_EPS,
        };
        let adamw = Optimizer::AdamW {
            beta1: ADAM_BETA1,
            beta2: ADAM_BETA2,
            eps: ADAM_EPS,
            weight_decay: 0.05,
        };
        let momentum = Optimizer::Momentum { mu: 0.9 };
        let sgdw = Optimizer::Sgdw { weight_decay: 0.05 };
        for (optimizer, regularization, eta) in [
            (Optimizer::Sgd, Regularization::L1, 0.5),
            (momentum, Regularization::L2, 0.05),
            (momentum, Regularization::L1, 0.05),
            (sgdw, Regularization::L2, 0.5),
            (adam, Regularization::L2, 1e-3),
            (adam, Regularization::L1, 1e-3),
            (adamw, Regularization::L2, 1e-3),
        ] {
            let rule = Rule {
                optimizer,
                regularization,
            };
            same_rule_epochs::<T>(rule, eta, 5.0, decay_only);
        }
    }

    #[test]
    fn every_rule_steps_as_its_reference_f32() {
        every_rule::<f32>(false);
    }

    #[test]
    fn every_rule_steps_as_its_reference_f64() {
        every_rule::<f64>(false);
    }

    #[test]
    fn every_rules_decay_alone_steps_as_its_reference() {
        every_rule::<f64>(true);
    }

    // n = 1000 in every case, and c = eta*lambda/n large (1e-3 to 3e-3
    // per step: the epoch's decay 1 - (1 - c)^S takes 5% to 28% off every
    // weight), so a wrong n would show; no m below divides 1000, so every
    // epoch ends with a short batch, where m in place of m_t would show.

    #[test]
    fn cross_entropy_784_30_10_short_last_batch() {
        same_epoch_f32_and_f64(&Case {
            sizes: &[784, 30, 10],
            init: Init::Default,
            cost: Cost::CrossEntropy,
            hidden: Activation::Sigmoid,
            data: first_thousand(),
            eta: 0.5,
            lambda: 5.0,
            m: 30, // 33 batches of 30, then 10
            decay_only: false,
            seed: 1,
        });
    }

    #[test]
    fn cross_entropy_pooled_49_10_10_short_last_batches() {
        let pooled = first_thousand().pooled(4);
        // 142 of 7 then 6; 333 of 3 then 1 (batches too small to skip
        // blank inputs in the weight step).
        for m in [7, 3] {
            same_epoch_f32_and_f64(&Case {
                sizes: &[49, 10, 10],
                init: Init::Default,
                cost: Cost::CrossEntropy,
                hidden: Activation::Sigmoid,
                data: &pooled,
                eta: 1.0,
                lambda: 1.0,
                m,
                decay_only: false,
                seed: 2,
            });
        }
    }

    #[test]
    fn quadratic_large_init_two_hidden_layers() {
        // Large init saturates neurons: sigma' near 0 and exactly 0 outputs.
        same_epoch_f32_and_f64(&Case {
            sizes: &[784, 30, 20, 10],
            init: Init::Large,
            cost: Cost::Quadratic,
            hidden: Activation::Sigmoid,
            data: first_thousand(),
            eta: 3.0,
            lambda: 1.0,
            m: 64, // 15 batches of 64, then 40
            decay_only: false,
            seed: 3,
        });
    }

    #[test]
    fn tanh_hidden_neurons_784_30_20_10() {
        same_epoch_f32_and_f64(&Case {
            sizes: &[784, 30, 20, 10],
            init: Init::Default,
            cost: Cost::CrossEntropy,
            hidden: Activation::Tanh,
            data: first_thousand(),
            eta: 0.1,
            lambda: 5.0,
            m: 30,
            decay_only: false,
            seed: 3,
        });
    }

    #[test]
    fn log_likelihood_softmax_784_30_10() {
        same_epoch_f32_and_f64(&Case {
            sizes: &[784, 30, 10],
            init: Init::Default,
            cost: Cost::LogLikelihood,
            hidden: Activation::Sigmoid,
            data: first_thousand(),
            eta: 0.5,
            lambda: 5.0,
            m: 30,
            decay_only: false,
            seed: 2,
        });
    }

    /// With the softmax and the log-likelihood, sum_j delta^L_j = 0 for
    /// every example, so the gradient of the mean over the output neurons
    /// of the last layer's weights from each input, w_bar_k = (1/n_L)
    /// sum_j w^L_jk, is 0: an epoch of training only decays it, by (1 -
    /// eta*lambda/n)^S exactly (up to the rounding of the sums, 1e-6 of
    /// the layer's rms here). With the sigmoid's cross-entropy it moves as
    /// much as any weight: the test can tell the two apart.
    #[test]
    fn softmax_log_likelihood_only_decays_the_output_weights_mean() {
        let data = first_thousand();
        let (eta, lambda, m) = (0.5, 5.0, 30);
        let n = data.len();
        let steps = n.div_ceil(m);
        let decay = (1.0 - eta * lambda / n as f64).powi(steps as i32);
        let gap = |cost: Cost| -> f64 {
            let mut rng = ChaCha8Rng::seed_from_u64(4);
            let start: Network<f64> = Network::new(&[784, 30, 10], Init::Default, cost, &mut rng);
            let hyper = Hyper { eta, lambda, n };
            let mut sgd = Sgd::new(start.clone(), hyper, m, EpochOrder::Shuffled(rng));
            sgd.epoch(data, &mut Unobserved, &mut |_| {});
            let means = |net: &Network<f64>| -> Vec<f64> {
                let w = &net.weights[1]; // w^L: 10 x 30
                (0..30)
                    .map(|k| (0..10).map(|j| w[j * 30 + k]).sum::<f64>() / 10.0)
                    .collect()
            };
            let rms = (start.weights[1].iter().map(|w| w * w).sum::<f64>() / 300.0).sqrt();
            let (before, after) = (means(&start), means(&sgd.net));
            before
                .iter()
                .zip(&after)
                .map(|(b, a)| (a - decay * b).abs() / rms)
                .fold(0.0, f64::max)
        };
        let softmax = gap(Cost::LogLikelihood);
        let sigmoid = gap(Cost::CrossEntropy);
        assert!(
            softmax < 1e-6,
            "the softmax's means moved by {softmax:e} of the rms"
        );
        assert!(
            sigmoid > 1e-2,
            "the sigmoid's means moved by only {sigmoid:e} of the rms"
        );
    }

    #[test]
    fn decay_only() {
        same_epoch_f32_and_f64(&Case {
            sizes: &[784, 30, 10],
            init: Init::Large,
            cost: Cost::CrossEntropy,
            hidden: Activation::Sigmoid,
            data: first_thousand(),
            eta: 0.5,
            lambda: 5.0,
            m: 30,
            decay_only: true,
            seed: 4,
        });
    }

    /// The reference's forward pass against the kernels' on one batch:
    /// every layer's activations, bit for bit.
    fn same_activations<T: Real>(net: &Network<T>, data: &Dataset, examples: &[usize]) {
        let mut fast = Backprop::new(net, examples.len());
        fast.forward_images(&KernelWeights::of(net), &net.biases, data, examples);
        for (row, &e) in examples.iter().enumerate() {
            let reference = feedforward(net, &input(data, e));
            for (l, a) in reference.iter().enumerate() {
                let a_fast = fast.activation_rows(l, examples.len()).nth(row).unwrap();
                assert!(
                    a.iter().zip(a_fast).all(|(&x, &y)| same_bits(x, y)),
                    "{} example {e}, a^{l}",
                    T::NAME
                );
            }
        }
    }

    #[test]
    fn feedforward_matches_the_kernels_forward_pass() {
        let data = first_thousand();
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let net: Network<f64> =
            Network::new(&[784, 30, 10], Init::Large, Cost::CrossEntropy, &mut rng);
        let examples = [3, 999, 0, 500, 42, 7, 123, 321, 11, 600, 77];
        same_activations(&net, data, &examples);
        same_activations(&net.convert::<f32>(), data, &examples);
    }

    /// The rows `delta_rows` and `activation_rows` show, against the
    /// reference's one-example backprop, on a net whose hidden layer is
    /// wider than its input and its output ([3, 5, 2]): a row read with
    /// another layer's width would be cut short.
    #[test]
    fn delta_and_activation_rows_match_the_reference() {
        let sizes = [3, 5, 2];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let net: Network<f64> = Network::new(&sizes, Init::Large, Cost::Quadratic, &mut rng);
        let rows = 3;
        let x: Vec<f64> = (0..rows * sizes[0]).map(|_| rng.random::<f64>()).collect();
        let labels = [0u8, 1, 1];
        let mut bp = Backprop::new(&net, rows);
        let input = bp.input_mut(rows);
        let padded = crate::kernels::padded(sizes[0]);
        for (row, x_row) in input.chunks_exact_mut(padded).zip(x.chunks_exact(sizes[0])) {
            row[..sizes[0]].copy_from_slice(x_row);
        }
        let weights = KernelWeights::of(&net);
        bp.forward(&weights, &net.biases, rows);
        bp.backward(&weights, net.cost, &labels);
        let reference: Vec<_> = x
            .chunks_exact(sizes[0])
            .zip(labels)
            .map(|(x, label)| backprop(&net, x, label))
            .collect();
        for l in 0..net.layers() {
            let deltas: Vec<&[f64]> = bp.delta_rows(l, rows).collect();
            assert_eq!(deltas.len(), rows);
            let inputs: Vec<&[f64]> = bp.activation_rows(l, rows).collect();
            assert_eq!(inputs.len(), rows);
            for (b, example) in reference.iter().enumerate() {
                assert_eq!(deltas[b].len(), sizes[l + 1]);
                for (&got, &want) in deltas[b].iter().zip(&example.delta[l]) {
                    assert_abs_diff_eq!(got, want, epsilon = 1e-14);
                }
                assert_eq!(inputs[b].len(), sizes[l]);
                for (&got, &want) in inputs[b].iter().zip(&example.activations[l]) {
                    assert_abs_diff_eq!(got, want, epsilon = 1e-14);
                }
            }
        }
        // The output rows too.
        for (a, example) in bp.activation_rows(2, rows).zip(&reference) {
            assert_eq!(a.len(), 2);
            for (&got, &want) in a.iter().zip(&example.activations[2]) {
                assert_abs_diff_eq!(got, want, epsilon = 1e-14);
            }
        }
    }
}
