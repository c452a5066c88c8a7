//! The update rules beyond network2's, in the book's notation. Each step
//! has the batch's summed gradient G = sum_x dC_x/dw of its m_t examples;
//! eta is the learning rate, lambda the regularization parameter and n the
//! number of training examples. Biases are never decayed or penalized, in
//! every rule (network2's convention; PyTorch's optimizers decay them
//! unless they are put in a parameter group of their own).
//!
//! - SGD with L2 (network2):  w <- w - (eta*lambda/n) w - (eta/m_t) G.
//!   The fused kernel of [`super::sgd`] does this one.
//! - SGD with L1 (the book's eq. for L1):
//!   w <- w - (eta*lambda/n) sgn(w) - (eta/m_t) G,   with sgn(0) = 0: a
//!   weight at exactly 0 is not moved by the penalty.
//! - Momentum-based gradient descent, as the book writes it, with the
//!   penalty in the cost C = C_0 + penalty, so that the decay enters the
//!   velocity:
//!   v <- mu v - eta grad C,   grad C = (1/m_t) G + (lambda/n) w (L2) or
//!   (lambda/n) sgn(w) (L1);   w <- w + v.
//! - SGDW, SGD with decoupled weight decay D (Loshchilov & Hutter):
//!   w <- w - eta D w - (eta/m_t) G: network2's rule with lambda/n = D; the
//!   same fused kernel, with the decay eta*D.
//! - Adam with the penalty in the gradient (`torch.optim.Adam` with
//!   `weight_decay` = lambda/n for L2), step t from 1:
//!   g = (1/m_t) G + (lambda/n) w,   m <- beta1 m + (1 - beta1) g,
//!   v <- beta2 v + (1 - beta2) g*g,
//!   w <- w - (eta / (1 - beta1^t)) m / (sqrt(v) / sqrt(1 - beta2^t) + eps).
//! - AdamW (`torch.optim.AdamW` with `lr` = eta and `weight_decay` = D):
//!   w <- w - eta D w, then Adam's step with g = (1/m_t) G.
//!
//! network2's lambda/n is PyTorch's `weight_decay` for SGD, Adam and
//! AdamW alike; PyTorch's loss is the batch's mean, so its gradient is
//! (1/m_t) G as here.

use serde::{Deserialize, Serialize};

use crate::kernels::{self, Real};

/// The penalty a rule adds to the cost, C = C_0 + penalty, for the rules
/// that take it through the gradient (SGD, momentum, Adam).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Regularization {
    /// (lambda/2n) sum w^2, whose gradient is (lambda/n) w.
    #[default]
    L2,
    /// (lambda/n) sum |w|, whose gradient is (lambda/n) sgn(w).
    L1,
}

/// How a step moves the weights, given the batch's gradient.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Optimizer {
    /// Plain SGD, network2's.
    #[default]
    Sgd,
    /// The book's momentum-based gradient descent.
    Momentum {
        /// The momentum coefficient mu, 0 <= mu < 1.
        mu: f64,
    },
    /// SGD with decoupled weight decay.
    Sgdw {
        /// D: each step takes eta*D of every weight.
        weight_decay: f64,
    },
    /// Adam, the penalty in the gradient.
    Adam {
        /// The first moment's decay, beta1.
        beta1: f64,
        /// The second moment's decay, beta2.
        beta2: f64,
        /// eps, added to the root of the second moment.
        eps: f64,
    },
    /// Adam with decoupled weight decay.
    #[serde(rename = "adamw")]
    AdamW {
        /// As Adam's.
        beta1: f64,
        /// As Adam's.
        beta2: f64,
        /// As Adam's.
        eps: f64,
        /// D: each step takes eta*D of every weight.
        weight_decay: f64,
    },
}

/// torch.optim.Adam's and AdamW's defaults.
pub const ADAM_BETA1: f64 = 0.9;
/// See [`ADAM_BETA1`].
pub const ADAM_BETA2: f64 = 0.999;
/// See [`ADAM_BETA1`].
pub const ADAM_EPS: f64 = 1e-8;

/// An update rule: the optimizer and the penalty it takes through the
/// gradient (the decoupled rules, SGDW and AdamW, take none: their decay
/// is their weight decay).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Rule {
    /// How a step moves the weights.
    pub optimizer: Optimizer,
    /// The penalty taken through the gradient (not used by SGDW and AdamW).
    pub regularization: Regularization,
}

impl Rule {
    /// network2's rule: SGD with L2.
    pub fn is_network2(&self) -> bool {
        *self == Rule::default()
    }

    /// Whether the rule keeps state between steps (a velocity, Adam's
    /// moments), which a checkpoint would have to hold.
    pub fn has_state(&self) -> bool {
        matches!(
            self.optimizer,
            Optimizer::Momentum { .. } | Optimizer::Adam { .. } | Optimizer::AdamW { .. }
        )
    }

    /// Whether a step is network2's fused one with another decay: SGD with
    /// L2 (decay eta*lambda/n) and SGDW (decay eta*D).
    pub(crate) fn fused_decay(&self, eta: f64, lambda: f64, n: usize) -> Option<f64> {
        match (self.optimizer, self.regularization) {
            (Optimizer::Sgd, Regularization::L2) => Some(eta * lambda / n as f64),
            (Optimizer::Sgdw { weight_decay }, _) => Some(eta * weight_decay),
            _ => None,
        }
    }
}

/// The constants of one step, formed in f64 and rounded to T once (as
/// `Sgd` forms eta*lambda/n and eta/m_t).
#[derive(Debug, Clone, Copy)]
pub(crate) struct StepConstants<T> {
    /// eta/m_t.
    pub step: T,
    /// 1/m_t: G's mean (Adam's g).
    pub inverse_m: T,
    /// eta*lambda/n: the penalty's factor in a step of SGD and momentum.
    pub c: T,
    /// lambda/n: the penalty's factor in Adam's g.
    pub penalty: T,
    /// eta*D: the decoupled decay of a step (AdamW).
    pub decoupled: T,
    /// mu (momentum), beta1, beta2, eps (Adam).
    pub mu: T,
    pub beta1: T,
    pub beta2: T,
    pub eps: T,
    /// Adam at step t: eta / (1 - beta1^t) and sqrt(1 - beta2^t).
    pub adam_step: T,
    pub adam_correction2_sqrt: T,
}

impl<T: Real> StepConstants<T> {
    /// The constants of step t (from 1) of `rule` on a batch of m_t
    /// examples out of n.
    pub fn new(rule: &Rule, eta: f64, lambda: f64, n: usize, m_t: usize, t: u64) -> Self {
        let (mu, beta1, beta2, eps, decay) = match rule.optimizer {
            Optimizer::Momentum { mu } => (mu, 0.0, 0.0, 0.0, 0.0),
            Optimizer::Adam { beta1, beta2, eps } => (0.0, beta1, beta2, eps, 0.0),
            Optimizer::AdamW {
                beta1,
                beta2,
                eps,
                weight_decay,
            } => (0.0, beta1, beta2, eps, weight_decay),
            Optimizer::Sgd | Optimizer::Sgdw { .. } => (0.0, 0.0, 0.0, 0.0, 0.0),
        };
        let t = t.min(i32::MAX as u64) as i32;
        let correction1 = 1.0 - beta1.powi(t);
        let f = T::from_f64;
        StepConstants {
            step: f(eta / m_t as f64),
            inverse_m: f(1.0 / m_t as f64),
            c: f(eta * lambda / n as f64),
            penalty: f(lambda / n as f64),
            decoupled: f(eta * decay),
            mu: f(mu),
            beta1: f(beta1),
            beta2: f(beta2),
            eps: f(eps),
            adam_step: f(if correction1 > 0.0 {
                eta / correction1
            } else {
                0.0
            }),
            adam_correction2_sqrt: f((1.0 - beta2.powi(t)).sqrt()),
        }
    }
}

/// sgn(w): -1, 0 or 1.
#[inline(always)]
fn sgn<T: Real>(w: T) -> T {
    if w > T::zero() {
        T::one()
    } else if w < T::zero() {
        -T::one()
    } else {
        T::zero()
    }
}

/// The penalty's gradient per unit of its factor: w (L2) or sgn(w) (L1).
#[inline(always)]
fn penalty_direction<T: Real>(regularization: Regularization, w: T) -> T {
    match regularization {
        Regularization::L2 => w,
        Regularization::L1 => sgn(w),
    }
}

/// One step of `rule` on a layer's weights `w`, given the batch's summed
/// gradient `g` (same layout), and the rule's state for these weights:
/// `first` (momentum's velocity v, Adam's m) and `second` (Adam's v).
/// Every value is updated on its own ([`kernels::update_values`]), so any
/// layout serves, zero padding included (a weight and gradient of 0 with
/// zero state stay 0). SGD with L2 and SGDW are the fused kernel's, not
/// this.
///
/// Each line rounds as written: a*b + c with one rounding where it says
/// `mul_add`. `reference.rs` does the same arithmetic one weight at a time
/// in the network's own layout, and the tests hold the two to the bit.
pub(crate) fn step_weights<T: Real>(
    rule: &Rule,
    k: &StepConstants<T>,
    w: &mut [T],
    g: &[T],
    first: &mut [T],
    second: &mut [T],
) {
    let reg = rule.regularization;
    let k = *k;
    match rule.optimizer {
        // w <- w - (eta*lambda/n) sgn(w) - (eta/m_t) G (L1; L2 is fused).
        Optimizer::Sgd => kernels::update_values(w, g, first, second, |w, g, _, _| {
            let penalized = (-k.c).mul_add(penalty_direction(reg, *w), *w);
            *w = (-k.step).mul_add(g, penalized);
        }),
        // eta grad C = (eta/m_t) G + (eta*lambda/n) p(w);
        // v <- mu v - eta grad C;  w <- w + v.
        Optimizer::Momentum { .. } => kernels::update_values(w, g, first, second, |w, g, v, _| {
            let eta_grad = k.c.mul_add(penalty_direction(reg, *w), k.step * g);
            *v = k.mu.mul_add(*v, -eta_grad);
            *w += *v;
        }),
        // g = G/m_t + (lambda/n) p(w), then Adam's step.
        Optimizer::Adam { .. } => kernels::update_values(w, g, first, second, |w, g, m, v| {
            let grad = k
                .penalty
                .mul_add(penalty_direction(reg, *w), k.inverse_m * g);
            adam_step(&k, w, grad, m, v);
        }),
        // w <- w - eta D w, then Adam's step with g = G/m_t.
        Optimizer::AdamW { .. } => kernels::update_values(w, g, first, second, |w, g, m, v| {
            *w = (-k.decoupled).mul_add(*w, *w);
            adam_step(&k, w, k.inverse_m * g, m, v);
        }),
        Optimizer::Sgdw { .. } => unreachable!("SGDW steps by the fused kernel"),
    }
}

/// Delta_decay, the part of a step's move of each weight that the
/// penalty (or the decoupled decay) made, for the probes' norm budget
/// (the README's "The norm budget of every rule"). A step moves w by
/// Delta = Delta_decay + Delta_grad, each part linear in what it comes
/// from:
///
/// - SGD with L1: Delta_decay = -(eta*lambda/n) sgn(w).
/// - Momentum: the velocity is a sum of past pushes, so it splits into
///   the penalty's part v_d and the gradient's: v_d <- mu v_d - (eta*lambda/n) p(w),
///   Delta_decay = v_d (`decay_first` holds v_d).
/// - Adam: its first moment splits the same way, m_d <- beta1 m_d +
///   (1 - beta1)(lambda/n) p(w), and both parts share the step's
///   per-weight scale eta_t / (sqrt(v_t)/sqrt(1 - beta2^t) + eps) (v_t
///   after the step, `second`): Delta_decay = -that scale * m_d.
/// - AdamW: Delta_decay = -eta*D w.
///
/// `before` holds the weights before the step; `decay_move` gets
/// Delta_decay. p(w) is w for L2, sgn(w) for L1.
pub(crate) fn decay_moves<T: Real>(
    rule: &Rule,
    k: &StepConstants<T>,
    before: &[T],
    second: &mut [T],
    decay_first: &mut [T],
    decay_move: &mut [T],
) {
    let reg = rule.regularization;
    let k = *k;
    match rule.optimizer {
        Optimizer::Sgd => {
            kernels::update_values(decay_move, before, decay_first, second, |d, w, _, _| {
                *d = -(k.c * penalty_direction(reg, w));
            })
        }
        Optimizer::Momentum { .. } => {
            kernels::update_values(decay_move, before, decay_first, second, |d, w, v_d, _| {
                *v_d = k.mu.mul_add(*v_d, -(k.c * penalty_direction(reg, w)));
                *d = *v_d;
            })
        }
        Optimizer::Adam { .. } => {
            kernels::update_values(decay_move, before, decay_first, second, |d, w, m_d, v| {
                let push = (T::one() - k.beta1) * (k.penalty * penalty_direction(reg, w));
                *m_d = k.beta1.mul_add(*m_d, push);
                let denominator = v.sqrt() / k.adam_correction2_sqrt + k.eps;
                *d = -(k.adam_step * *m_d / denominator);
            })
        }
        Optimizer::AdamW { .. } => {
            kernels::update_values(decay_move, before, decay_first, second, |d, w, _, _| {
                *d = -(k.decoupled * w);
            })
        }
        Optimizer::Sgdw { .. } => unreachable!("SGDW steps by the fused kernel"),
    }
}

/// Adam's moments and step for one value with gradient `grad`:
/// m <- beta1 m + (1 - beta1) grad,  v <- beta2 v + (1 - beta2) grad^2,
/// w <- w - (eta/(1 - beta1^t)) m / (sqrt(v)/sqrt(1 - beta2^t) + eps).
#[inline(always)]
fn adam_step<T: Real>(k: &StepConstants<T>, w: &mut T, grad: T, m: &mut T, v: &mut T) {
    *m = k.beta1.mul_add(*m, (T::one() - k.beta1) * grad);
    *v = k.beta2.mul_add(*v, (T::one() - k.beta2) * grad * grad);
    let denominator = v.sqrt() / k.adam_correction2_sqrt + k.eps;
    *w -= k.adam_step * *m / denominator;
}

/// One step of `rule` on a layer's biases `b`, given their summed gradient
/// `g`: no penalty and no decay, so SGD's and SGDW's b <- b - (eta/m_t) g,
/// momentum's velocity, Adam's moments. (A layer's few biases: plain loops.)
pub(crate) fn step_biases<T: Real>(
    rule: &Rule,
    k: &StepConstants<T>,
    b: &mut [T],
    g: &[T],
    first: &mut [T],
    second: &mut [T],
) {
    let values = b
        .iter_mut()
        .zip(g)
        .zip(first.iter_mut().zip(second.iter_mut()));
    for ((b, &g), (m, v)) in values {
        match rule.optimizer {
            Optimizer::Sgd | Optimizer::Sgdw { .. } => *b -= k.step * g,
            Optimizer::Momentum { .. } => {
                *m = k.mu.mul_add(*m, -(k.step * g));
                *b += *m;
            }
            Optimizer::Adam { .. } | Optimizer::AdamW { .. } => {
                adam_step(k, b, k.inverse_m * g, m, v)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Dataset;
    use crate::net::{Cost, Init, Network};
    use crate::theory;
    use crate::train::{EpochOrder, Hyper, Sgd, Unobserved};
    use approx::{assert_abs_diff_eq, assert_relative_eq};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// n = 100 blank 2x2 images, batches of 7: S = 15 steps.
    const N: usize = 100;
    const M: usize = 7;
    const S: usize = 15;

    /// One decay-only epoch of `rule` in f64 from a [4, 3, 10] network
    /// drawn N(0, 1): (start, end).
    fn decay_alone(rule: Rule, eta: f64, lambda: f64) -> (Network<f64>, Network<f64>) {
        let data = Dataset::from_bytes(2, 2, vec![0; 4 * N], vec![0; N]);
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let start = Network::new(&[4, 3, 10], Init::Large, Cost::CrossEntropy, &mut rng);
        let hyper = Hyper { eta, lambda, n: N };
        let mut sgd = Sgd::new(start.clone(), hyper, M, EpochOrder::Shuffled(rng))
            .with_rule(rule)
            .decay_only();
        assert_eq!(sgd.steps_per_epoch(), S);
        sgd.epoch(&data, &mut Unobserved, &mut |_| {});
        (start, sgd.net)
    }

    fn weights(net: &Network<f64>) -> impl Iterator<Item = f64> + '_ {
        net.weights.iter().flatten().copied()
    }

    #[test]
    fn momentum_decays_alone_as_its_recurrence() {
        let (eta, lambda, mu) = (0.5, 5.0, 0.9);
        let rule = Rule {
            optimizer: Optimizer::Momentum { mu },
            regularization: Regularization::L2,
        };
        let (start, end) = decay_alone(rule, eta, lambda);
        let factor = theory::momentum_decay(eta * lambda / N as f64, mu, S);
        // Far from plain decay's (1 - c)^S: the test tells them apart.
        assert!((factor - (1.0 - eta * lambda / N as f64).powi(S as i32)).abs() > 0.1);
        for (w0, w) in weights(&start).zip(weights(&end)) {
            assert_relative_eq!(w, factor * w0, max_relative = 1e-6);
        }
        assert_eq!(start.biases, end.biases);
    }

    #[test]
    fn l1_takes_eta_lambda_over_n_off_every_weight_each_step_until_0() {
        let (eta, lambda) = (0.5, 1.0);
        let rule = Rule {
            optimizer: Optimizer::Sgd,
            regularization: Regularization::L1,
        };
        let c = eta * lambda / N as f64;
        let (start, end) = decay_alone(rule, eta, lambda);
        let (mut far, mut near) = (0, 0);
        for (w0, w) in weights(&start).zip(weights(&end)) {
            if w0.abs() > S as f64 * c {
                far += 1;
                assert_relative_eq!(w.abs(), theory::l1_decay(w0, c, S), max_relative = 1e-6);
                assert_eq!(w.signum(), w0.signum());
            } else {
                near += 1;
                assert!(w.abs() <= c * (1.0 + 1e-9), "{w0} -> {w}");
            }
        }
        assert!(far > 0 && near > 0, "{far} far from 0, {near} near it");
    }

    fn adam() -> Rule {
        Rule {
            optimizer: Optimizer::Adam {
                beta1: ADAM_BETA1,
                beta2: ADAM_BETA2,
                eps: ADAM_EPS,
            },
            regularization: Regularization::L2,
        }
    }

    #[test]
    fn adam_with_l2_decays_alone_as_its_recurrence() {
        let (eta, lambda) = (0.01, 5.0);
        let (start, end) = decay_alone(adam(), eta, lambda);
        let constants = (ADAM_BETA1, ADAM_BETA2, ADAM_EPS);
        for (w0, w) in weights(&start).zip(weights(&end)) {
            let law = theory::adam_l2_decay(w0, lambda / N as f64, eta, constants, S);
            assert_abs_diff_eq!(w, law, epsilon = 1e-6 * w0.abs().max(eta));
        }
        assert_eq!(start.biases, end.biases);
    }

    /// The law's point: Adam's normalization takes lambda out of its decay.
    /// Ten times the penalty moves every weight by the same amount, about
    /// eta per step, where SGD's decay would move it ten times as far.
    #[test]
    fn adam_with_l2_decays_alone_by_eta_per_step_whatever_lambda() {
        let eta = 0.001;
        let (start, weak) = decay_alone(adam(), eta, 1.0);
        let (_, strong) = decay_alone(adam(), eta, 10.0);
        let far = eta * S as f64;
        let mut counted = 0;
        for ((w0, a), b) in weights(&start).zip(weights(&weak)).zip(weights(&strong)) {
            if w0.abs() < 10.0 * far {
                continue;
            }
            counted += 1;
            // Only eps tells the two apart: it shortens a step by about
            // eps/((lambda/n)|w|) <= 1e-8/(0.01 * 0.15), under 1e-5 of it.
            assert_abs_diff_eq!(a, b, epsilon = 1e-5 * far);
            // Toward 0 by between half of eta and eta per step.
            let moved = w0.abs() - a.abs();
            assert!(
                moved > 0.5 * far && moved <= far * (1.0 + 1e-9),
                "{w0} -> {a}"
            );
        }
        assert!(counted > 20, "{counted} weights far from 0");
    }

    #[test]
    fn decoupled_rules_decay_alone_by_1_minus_eta_d_per_step() {
        let (eta, weight_decay) = (0.5, 0.02);
        for optimizer in [
            Optimizer::Sgdw { weight_decay },
            Optimizer::AdamW {
                beta1: ADAM_BETA1,
                beta2: ADAM_BETA2,
                eps: ADAM_EPS,
                weight_decay,
            },
        ] {
            let rule = Rule {
                optimizer,
                regularization: Regularization::L2,
            };
            let (start, end) = decay_alone(rule, eta, 0.0);
            let factor = theory::decoupled_decay(eta, weight_decay, S);
            for (w0, w) in weights(&start).zip(weights(&end)) {
                assert_relative_eq!(w, factor * w0, max_relative = 1e-6);
            }
            assert_eq!(start.biases, end.biases, "{optimizer:?}");
        }
    }

    /// Two steps of momentum and of Adam with a gradient on: the decay's
    /// part of each move, as `decay_moves` splits it, against the scalar
    /// recurrences of the penalty's own pushes (v_d, m_d) written out.
    #[test]
    fn the_decay_moves_with_a_gradient_follow_the_penaltys_own_pushes() {
        let (eta, lambda, n, m_t) = (0.1, 5.0, 50, 4);
        let pen = lambda / n as f64;
        let w0 = [0.5, -1.0, 2.0];
        let gradients = [[0.3, -0.2, 0.7], [-0.4, 0.1, 0.2]];
        let (mu, b1, b2, eps) = (0.9, ADAM_BETA1, ADAM_BETA2, ADAM_EPS);
        let momentum = Rule {
            optimizer: Optimizer::Momentum { mu },
            regularization: Regularization::L2,
        };
        for rule in [momentum, adam()] {
            let mut w = w0.to_vec();
            let (mut first, mut second, mut decay_first) =
                (vec![0.0; 3], vec![0.0; 3], vec![0.0; 3]);
            // The recurrences by hand: v_d (momentum) or m_d and v (Adam).
            let (mut v_d, mut m_d, mut v) = ([0.0; 3], [0.0; 3], [0.0; 3]);
            for (t, g) in gradients.iter().enumerate() {
                let t = t as i32 + 1;
                let k = StepConstants::<f64>::new(&rule, eta, lambda, n, m_t, t as u64);
                let before = w.clone();
                step_weights(&rule, &k, &mut w, g, &mut first, &mut second);
                let mut moves = vec![0.0; 3];
                decay_moves(
                    &rule,
                    &k,
                    &before,
                    &mut second,
                    &mut decay_first,
                    &mut moves,
                );
                for i in 0..3 {
                    let expected = match rule.optimizer {
                        Optimizer::Momentum { .. } => {
                            v_d[i] = mu * v_d[i] - eta * pen * before[i];
                            v_d[i]
                        }
                        _ => {
                            let grad = g[i] / m_t as f64 + pen * before[i];
                            m_d[i] = b1 * m_d[i] + (1.0 - b1) * pen * before[i];
                            v[i] = b2 * v[i] + (1.0 - b2) * grad * grad;
                            let scale = (1.0 - b2.powi(t)).sqrt();
                            -eta / (1.0 - b1.powi(t)) * m_d[i] / (v[i].sqrt() / scale + eps)
                        }
                    };
                    assert_relative_eq!(moves[i], expected, max_relative = 1e-12);
                    // The gradient moved the weight too: the split is not all decay.
                    assert!((w[i] - before[i] - moves[i]).abs() > 1e-3 * moves[i].abs());
                }
            }
        }
    }

    #[test]
    fn only_network2s_rule_and_sgdw_are_fused() {
        let rule = |optimizer, regularization| Rule {
            optimizer,
            regularization,
        };
        let l2 = Regularization::L2;
        assert_eq!(
            rule(Optimizer::Sgd, l2).fused_decay(0.1, 5.0, 50),
            Some(0.01)
        );
        let sgdw = Optimizer::Sgdw { weight_decay: 0.2 };
        assert_eq!(rule(sgdw, l2).fused_decay(0.1, 5.0, 50), Some(0.1 * 0.2));
        assert_eq!(
            rule(Optimizer::Sgd, Regularization::L1).fused_decay(0.1, 5.0, 50),
            None
        );
        assert_eq!(
            rule(Optimizer::Momentum { mu: 0.5 }, l2).fused_decay(0.1, 5.0, 50),
            None
        );
        assert!(Rule::default().is_network2() && !rule(sgdw, l2).is_network2());
    }
}
