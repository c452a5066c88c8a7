//! The norm budget of the weights over an epoch.
//!
//! One step w' = a w - b g, with a = 1 - c, c = eta*lambda/n, b = eta/m_t and
//! g = sum_x dC_x/dw the batch's summed gradient, changes the squared norm by
//!
//!   |w'|^2 - |w|^2 = (a^2 - 1)|w|^2  -  2ab <w, g>  +  b^2 |g|^2
//!                    decay              drift          noise
//!
//! exactly. Summed over an epoch's steps, per layer and over all layers, the
//! three terms say who moved the norm: the decay pulls it down; the drift
//! (the gradient's pull along w) and the noise (the gradient's own size)
//! push it up or down. Their sum must equal |w_e|^2 - |w_(e-1)|^2 up to
//! rounding; the difference is reported as the residual.
//!
//! The per-step sums are taken in T, one running sum per neuron over its
//! n_in weights (so as precise as a sum of a few hundred terms allows), and
//! accumulated across neurons, layers and steps in f64.
//!
//! The other rules (L1, momentum, Adam, AdamW) split each step's move
//! Delta = w' - w into the part the penalty or the decay made,
//! Delta_decay ([`crate::train::RuleSplit`]), and the gradient's part
//! Delta_grad = Delta - Delta_decay. Then, exactly,
//!
//!   |w'|^2 - |w|^2 = (2<w, Delta_decay> + |Delta_decay|^2)
//!                  + 2<w + Delta_decay, Delta_grad>  +  |Delta_grad|^2
//!                    decay, drift, noise,
//!
//! which is the split above when Delta_decay = -c w and Delta_grad = -b g.
//! These sums are taken per weight in f64.

use serde::{Deserialize, Serialize};

use crate::kernels::{self, Measurements, Real};
use crate::net::Network;
use crate::train::{RuleSplit, StepObserver};

/// The three terms of the budget, summed over an epoch, in squared weight units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct BudgetTerms {
    /// sum_t (a^2 - 1)|w_t|^2: the decay's change of |w|^2 (<= 0); for the
    /// split rules sum_t (2<w_t, d_t> + |d_t|^2), d_t = Delta_decay (it can
    /// be > 0: L1 overshooting 0, momentum's velocity pointing outward).
    pub decay: f64,
    /// sum_t -2ab<w_t, g_t>: the gradient's pull along the weights; for
    /// the split rules sum_t 2<w_t + d_t, e_t>, e_t = Delta_grad.
    pub drift: f64,
    /// sum_t b^2 |g_t|^2 (split rules: sum_t |e_t|^2): the gradient step's
    /// own contribution (>= 0).
    pub noise: f64,
    /// decay + drift + noise - (|w_e|^2 - |w_(e-1)|^2): rounding, ideally 0.
    pub residual: f64,
    /// |residual| / (|decay| + |drift| + |noise|).
    pub residual_relative: f64,
}

impl BudgetTerms {
    fn close(decay: f64, drift: f64, noise: f64, actual_change: f64) -> BudgetTerms {
        let residual = decay + drift + noise - actual_change;
        let scale = decay.abs() + drift.abs() + noise.abs();
        BudgetTerms {
            decay,
            drift,
            noise,
            residual,
            residual_relative: if scale > 0.0 {
                residual.abs() / scale
            } else {
                0.0
            },
        }
    }

    /// Offset fraction f = (drift + noise) / (-decay): the share of the
    /// decay's shrinkage that the gradient undid. Near 0: decay dominates;
    /// near 1: equilibrium. None without decay (lambda = 0).
    pub fn offset_fraction(&self) -> Option<f64> {
        (self.decay < 0.0).then(|| (self.drift + self.noise) / -self.decay)
    }
}

/// Budget terms of all weights together and per layer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    /// Of all weights together.
    #[serde(flatten)]
    pub all: BudgetTerms,
    /// Of each weight layer, first layer first.
    pub layers: Vec<BudgetTerms>,
}

/// How far each term of the update moved the weights over the epoch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Displacement {
    /// |sum_t c w_t| (split rules: |sum_t Delta_decay|): the length of the
    /// decay's total move.
    pub decay: f64,
    /// |sum_t b g_t| (split rules: |sum_t Delta_grad|): the length of the
    /// gradient steps' total move.
    pub gradient: f64,
}

/// Displacements of all weights together and per layer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Displacements {
    /// Of all weights together.
    #[serde(flatten)]
    pub all: Displacement,
    /// Of each weight layer, first layer first.
    pub layers: Vec<Displacement>,
}

/// What the probes measured over one epoch's steps (epoch 0 has none).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EpochDynamics {
    /// The epoch's change of |w|^2, term by term.
    pub budget: Budget,
    /// budget.offset_fraction() of all weights (null with no decay).
    pub offset_fraction: Option<f64>,
    /// The same per layer.
    pub offset_fraction_layers: Vec<Option<f64>>,
    /// How far the decay and the gradient steps each moved the weights.
    pub displacement: Displacements,
    /// Per layer: the mean over the epoch's steps of |(1/m_t) sum_x dC_x/dw|.
    pub gradient_signal: Vec<f64>,
    /// Per layer: the angle in radians between the weights at the end of
    /// this epoch and of the previous one (null at epoch 0, or when either
    /// is zero).
    pub angle: Vec<Option<f64>>,
    /// Per layer: cos(w_e - w_(e-1), -w_(e-1)), how much of the epoch's
    /// change of the weights points straight at the origin, as the decay
    /// alone would (1) or sideways (0); null at epoch 0.
    pub change_cosine: Vec<Option<f64>>,
}

/// Watches every step of an epoch and keeps the sums the budget needs.
pub struct EpochProbe<T> {
    /// Per layer: each row's (|w_j|^2, <w_j, g_j>, |g_j|^2) in this step,
    /// as the update measured them.
    row_products: Vec<Vec<[T; 3]>>,
    /// The current step's c = eta*lambda/n (the same every step), a^2 - 1,
    /// b = eta/m_t and m_t, as the update applied them.
    c: f64,
    a2_minus_1: f64,
    b: f64,
    m_t: f64,
    /// This step's |w|^2, <w, g>, |g|^2 per layer.
    step_sums: Vec<[f64; 3]>,
    /// This epoch's decay, drift, noise per layer.
    epoch_terms: Vec<[f64; 3]>,
    /// Per layer: sum over the epoch's steps of |g_t| / m_t.
    gradient_signal_sum: Vec<f64>,
    steps: usize,
    /// Per layer: sum over the epoch's steps of w_t (before each step),
    /// gathered two steps at a time (see `measurements`), in the kernels'
    /// layout (W^T, rows padded).
    weight_sums: Vec<Vec<T>>,
    /// Whether the steps came split by a rule other than the fused ones
    /// (`rule_layer_stepped`) rather than measured by the fused kernel.
    split_steps: bool,
    /// Per layer, for split steps: sum over the epoch's steps of
    /// Delta_decay, in the kernels' layout.
    decay_moves: Vec<Vec<f64>>,
}

impl<T: Real> EpochProbe<T> {
    /// A probe for an epoch of `net`'s training, nothing measured yet.
    pub fn new(net: &Network<T>) -> EpochProbe<T> {
        let layers = net.layers();
        EpochProbe {
            row_products: (0..layers)
                .map(|l| vec![[T::zero(); 3]; net.shape(l).0])
                .collect(),
            a2_minus_1: 0.0,
            b: 0.0,
            c: 0.0,
            m_t: 1.0,
            step_sums: vec![[0.0; 3]; layers],
            epoch_terms: vec![[0.0; 3]; layers],
            gradient_signal_sum: vec![0.0; layers],
            steps: 0,
            weight_sums: (0..layers)
                .map(|l| {
                    let (n_out, n_in) = net.shape(l);
                    vec![T::zero(); n_in * kernels::padded(n_out)]
                })
                .collect(),
            split_steps: false,
            decay_moves: Vec::new(),
        }
    }

    /// Forget the previous epoch.
    pub fn start_epoch(&mut self) {
        self.epoch_terms.iter_mut().for_each(|t| *t = [0.0; 3]);
        self.gradient_signal_sum.iter_mut().for_each(|s| *s = 0.0);
        self.steps = 0;
        self.weight_sums.iter_mut().for_each(|s| s.fill(T::zero()));
        self.decay_moves.iter_mut().for_each(|s| s.fill(0.0));
    }

    /// The epoch's dynamics, given the weights before it (`before`) and the
    /// network after it.
    pub fn finish(&self, before: &[Vec<T>], after: &Network<T>) -> EpochDynamics {
        let mut budget_layers = Vec::new();
        let mut displacement_layers = Vec::new();
        let mut totals = [0.0; 4];
        let mut moves_sq = [0.0; 2];
        for (l, (w0, w1)) in before.iter().zip(&after.weights).enumerate() {
            let (n_out, n_in) = after.shape(l);
            let decay_moves = self.decay_moves_of(l, n_out, n_in, w1);
            let [decay, drift, noise] = self.epoch_terms[l];
            let change: f64 = w0
                .iter()
                .zip(w1)
                .map(|(&x, &y)| y.as_f64() * y.as_f64() - x.as_f64() * x.as_f64())
                .sum();
            budget_layers.push(BudgetTerms::close(decay, drift, noise, change));
            for (total, term) in totals.iter_mut().zip([decay, drift, noise, change]) {
                *total += term;
            }
            // The gradient's move is what is left of w_e - w_(e-1) after
            // the decay's.
            let (mut decay_sq, mut gradient_sq) = (0.0, 0.0);
            for ((&x0, &x1), &decay_move) in w0.iter().zip(w1).zip(&decay_moves) {
                let gradient_move = x1.as_f64() - x0.as_f64() - decay_move;
                decay_sq += decay_move * decay_move;
                gradient_sq += gradient_move * gradient_move;
            }
            moves_sq[0] += decay_sq;
            moves_sq[1] += gradient_sq;
            displacement_layers.push(Displacement {
                decay: decay_sq.sqrt(),
                gradient: gradient_sq.sqrt(),
            });
        }
        let steps = self.steps.max(1) as f64;
        let budget = Budget {
            all: BudgetTerms::close(totals[0], totals[1], totals[2], totals[3]),
            layers: budget_layers,
        };
        EpochDynamics {
            offset_fraction: budget.all.offset_fraction(),
            offset_fraction_layers: budget
                .layers
                .iter()
                .map(BudgetTerms::offset_fraction)
                .collect(),
            budget,
            displacement: Displacements {
                all: Displacement {
                    decay: moves_sq[0].sqrt(),
                    gradient: moves_sq[1].sqrt(),
                },
                layers: displacement_layers,
            },
            gradient_signal: self.gradient_signal_sum.iter().map(|s| s / steps).collect(),
            angle: before
                .iter()
                .zip(&after.weights)
                .map(|(w0, w1)| super::stats::angle(w0, w1))
                .collect(),
            change_cosine: before
                .iter()
                .zip(&after.weights)
                .map(|(w0, w1)| super::stats::change_cosine(w0, w1))
                .collect(),
        }
    }
}

impl<T: Real> EpochProbe<T> {
    /// Layer l's sum over the epoch's steps of Delta_decay, in the
    /// network's layout (n_out rows of n_in), given the layer's weights
    /// after the epoch.
    fn decay_moves_of(&self, l: usize, n_out: usize, n_in: usize, after: &[T]) -> Vec<f64> {
        let mut moves = vec![0.0; n_out * n_in];
        if self.split_steps {
            kernels::from_kernel_layout(&self.decay_moves[l], n_out, n_in, &mut moves);
            return moves;
        }
        // The fused rule: Delta_decay = -c w_t, so the sum is -c sum_t w_t.
        let mut sums = vec![T::zero(); n_out * n_in];
        kernels::from_kernel_layout(&self.weight_sums[l], n_out, n_in, &mut sums);
        // After an odd number of steps the sums hold the weights after the
        // last step too (see `measurements`): take them off.
        let holds_last = !self.steps.is_multiple_of(2);
        for ((moved, &s), &x1) in moves.iter_mut().zip(&sums).zip(after) {
            let sum_before_steps = if holds_last {
                s.as_f64() - x1.as_f64()
            } else {
                s.as_f64()
            };
            *moved = -self.c * sum_before_steps;
        }
        moves
    }
}

impl<T: Real> StepObserver<T> for EpochProbe<T> {
    fn step_started(&mut self, c: T, step: T, m_t: usize) {
        let c = c.as_f64();
        // a^2 - 1 = (1 - c)^2 - 1 = c (c - 2), without the cancellation.
        self.a2_minus_1 = c * (c - 2.0);
        self.c = c;
        self.b = step.as_f64();
        self.m_t = m_t as f64;
        self.step_sums.iter_mut().for_each(|s| *s = [0.0; 3]);
    }

    const MEASURES: bool = true;

    fn measurements(&mut self, l: usize) -> Measurements<'_, T> {
        Measurements {
            // Every other step adds its weights before and after (see
            // `Measurements`): the sums hold the weights before every step
            // so far, plus those after the last one if it was one of these.
            weight_sums: self
                .steps
                .is_multiple_of(2)
                .then(|| self.weight_sums[l].as_mut_slice()),
            products: &mut self.row_products[l],
        }
    }

    fn layer_measured(&mut self, l: usize) {
        let sums = &mut self.step_sums[l];
        for &[ww, wg, gg] in &self.row_products[l] {
            sums[0] += ww.as_f64();
            sums[1] += wg.as_f64();
            sums[2] += gg.as_f64();
        }
    }

    fn rule_layer_stepped(&mut self, l: usize, split: RuleSplit<'_, T>) {
        self.split_steps = true;
        // Kept only for split steps (allocated at the first), so that the
        // fused rule's probe is laid out as before: allocated up front,
        // they made its epochs 13% slower (BENCHMARKS.md).
        if self.decay_moves.len() <= l {
            self.decay_moves.resize(l + 1, Vec::new());
        }
        let moves = &mut self.decay_moves[l];
        moves.resize(split.decay_move.len(), 0.0);
        let [decay, drift, noise, gg] = kernels::split_step_sums(
            split.before,
            split.after,
            split.decay_move,
            split.gradient,
            moves,
        );
        let terms = &mut self.epoch_terms[l];
        terms[0] += decay;
        terms[1] += drift;
        terms[2] += noise;
        self.step_sums[l][2] = gg;
    }

    fn step_finished(&mut self) {
        if !self.split_steps {
            // The fused rule's terms, from the step's sums and constants.
            // a = 1 - c; -2ab = -2(1 - c) b.
            let (a2_minus_1, b) = (self.a2_minus_1, self.b);
            let minus_2ab = -2.0 * (1.0 - self.c) * b;
            for (terms, [ww, wg, gg]) in self.epoch_terms.iter_mut().zip(&self.step_sums) {
                terms[0] += a2_minus_1 * ww;
                terms[1] += minus_2ab * wg;
                terms[2] += b * b * gg;
            }
        }
        for (signal, [_, _, gg]) in self.gradient_signal_sum.iter_mut().zip(&self.step_sums) {
            *signal += gg.sqrt() / self.m_t;
        }
        self.steps += 1;
    }
}
