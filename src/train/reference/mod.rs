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

mod tests;
