//! Mini-batch stochastic gradient descent with L2 regularization, as
//! network2.py does it, and the other update rules of [`super::rule`].

use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::backprop::{Backprop, KernelWeights};
use super::rule::{self, Rule, StepConstants};
use crate::data::Dataset;
use crate::kernels::{self, Measurements, Rate, Real, StepShape};
use crate::net::Network;

/// The constants of the update rule, in the book's names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hyper {
    /// Learning rate eta.
    pub eta: f64,
    /// Regularization parameter lambda.
    pub lambda: f64,
    /// Number of training examples n.
    pub n: usize,
}

impl Hyper {
    /// eta*lambda/n: the fraction of every weight that one step's decay removes.
    pub fn decay_per_step(&self) -> f64 {
        self.eta * self.lambda / self.n as f64
    }
}

/// What the update shows to whoever watches it (the probes). Every method
/// has an empty default, so training without probes runs the same code with
/// the calls compiled away.
pub trait StepObserver<T> {
    /// Whether the update measures its layers for this observer.
    const MEASURES: bool = false;
    /// A step starts, with the decay fraction c = eta*lambda/n and the
    /// gradient factor eta/m_t as the update applies them (rounded to T).
    fn step_started(&mut self, _c: T, _step: T, _m_t: usize) {}
    /// Where the update of weight layer l records what it measures: each
    /// row's (|w_j|^2, <w_j, g_j>, |g_j|^2) before the step, g_j its summed
    /// gradient, and, if the observer gives sums this step, the weights
    /// before and after it (see [`Measurements`]). Asked only if `MEASURES`.
    fn measurements(&mut self, _l: usize) -> Measurements<'_, T> {
        unreachable!("asked only of observers that measure")
    }
    /// Layer l's update is done and its measurements are in place.
    fn layer_measured(&mut self, _l: usize) {}
    /// A rule that does not step by the fused kernel (all but network2's
    /// and SGDW) stepped weight layer l; `split` says how. Called only if
    /// `MEASURES`, between `step_started` and `step_finished`.
    fn rule_layer_stepped(&mut self, _l: usize, _split: RuleSplit<'_, T>) {}
    /// Every layer of the step is updated.
    fn step_finished(&mut self) {}
}

/// One weight layer's step by a rule other than the fused ones, as the
/// probes see it. Every slice is in the kernels' layout (W^T, rows padded
/// with zeros that stay zero).
pub struct RuleSplit<'a, T> {
    /// The weights before the step.
    pub before: &'a [T],
    /// The weights after it.
    pub after: &'a [T],
    /// Delta_decay: the part of the step's move that the penalty or the
    /// decay made ([`rule::decay_moves`]); the rest, after - before -
    /// Delta_decay, is the gradient's part.
    pub decay_move: &'a [T],
    /// The batch's summed gradient G = sum_x dC_x/dw.
    pub gradient: &'a [T],
}

/// Nobody watching.
pub struct Unobserved;
impl<T> StepObserver<T> for Unobserved {}

/// Where the gradient of a step comes from.
#[derive(Clone, Copy)]
enum Gradient<'a, T> {
    /// The batch's forward and backward passes.
    Backprop(&'a Backprop<T>),
    /// The gradient term switched off (decay-only runs).
    Zero,
}

/// What a rule other than network2's keeps between steps: per layer, in
/// the kernels' layout for the weights, momentum's velocity or Adam's first
/// moment (`first`) and Adam's second moment (`second`), the same for the
/// biases, the steps taken (Adam's t), and room for a batch's gradient.
/// When the probes watch, also the penalty's own part of `first`
/// (`decay_first`, see [`rule::decay_moves`]) and room for a layer's
/// weights before the step and its decay move.
struct RuleState<T> {
    first: Vec<Vec<T>>,
    second: Vec<Vec<T>>,
    first_b: Vec<Vec<T>>,
    second_b: Vec<Vec<T>>,
    decay_first: Vec<Vec<T>>,
    steps: u64,
    gradient: Vec<T>,
    before: Vec<T>,
    decay_move: Vec<T>,
}

/// A stateful rule's state between steps as a checkpoint keeps it: the
/// first and second moments (momentum's velocity is the first) of every
/// layer's weights, in the kernels' layout, and of its biases, widened to
/// f64 (exactly: an f32 widens without loss), and the steps taken.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RuleMoments {
    /// Per layer, the weights' first moment (momentum's velocity).
    pub first: Vec<Vec<f64>>,
    /// Per layer, the weights' second moment (Adam's).
    pub second: Vec<Vec<f64>>,
    /// Per layer, the biases' first moment.
    pub first_b: Vec<Vec<f64>>,
    /// Per layer, the biases' second moment.
    pub second_b: Vec<Vec<f64>>,
    /// Per layer, the penalty's part of the weights' first moment, kept
    /// for the probes' split (zero if no probe watched; absent from older
    /// checkpoints, which start it at zero).
    #[serde(default)]
    pub decay_first: Vec<Vec<f64>>,
    /// Steps taken (Adam's bias correction counts them).
    pub steps: u64,
}

impl<T: Real> RuleState<T> {
    /// Zero state for `net`'s layers.
    fn new(net: &Network<T>) -> RuleState<T> {
        let weights = KernelWeights::of(net);
        let zeros = |layers: &[Vec<T>]| -> Vec<Vec<T>> {
            layers.iter().map(|v| vec![T::zero(); v.len()]).collect()
        };
        RuleState {
            first: zeros(&weights.layers),
            second: zeros(&weights.layers),
            first_b: zeros(&net.biases),
            second_b: zeros(&net.biases),
            decay_first: zeros(&weights.layers),
            steps: 0,
            gradient: Vec::new(),
            before: Vec::new(),
            decay_move: Vec::new(),
        }
    }
}

/// One step of a rule other than network2's (and SGDW's) on every layer:
/// the batch's summed gradient G gathered from the fused update (from
/// w = 0 with no decay and a step of -1, w - 0 w - (-1) G = G exactly),
/// then the rule's step ([`rule::step_weights`]). An observer that
/// measures sees each layer's move split into the penalty's and the
/// gradient's parts ([`RuleSplit`]).
fn rule_update<T: Real, O: StepObserver<T>>(
    weights: &mut KernelWeights<T>,
    biases: &mut [Vec<T>],
    gradient: Gradient<T>,
    (hyper, rule): (&Hyper, &Rule),
    m_t: usize,
    state: &mut RuleState<T>,
    observer: &mut O,
) {
    state.steps += 1;
    let k = StepConstants::new(rule, hyper.eta, hyper.lambda, hyper.n, m_t, state.steps);
    observer.step_started(k.c, k.step, m_t);
    let gather = Rate {
        decay: T::zero(),
        step: -T::one(),
    };
    for (l, b) in biases.iter_mut().enumerate() {
        let wt = &mut weights.layers[l];
        state.gradient.clear();
        state.gradient.resize(wt.len(), T::zero());
        let zero_b;
        let grad_b = match gradient {
            Gradient::Backprop(backprop) => {
                backprop.step_weights(l, &mut state.gradient, gather, None);
                &backprop.grad_b[l]
            }
            Gradient::Zero => {
                zero_b = vec![T::zero(); b.len()];
                &zero_b
            }
        };
        if O::MEASURES {
            state.before.clone_from(wt);
        }
        let (first, second) = (&mut state.first[l], &mut state.second[l]);
        rule::step_weights(rule, &k, wt, &state.gradient, first, second);
        if O::MEASURES {
            state.decay_move.resize(wt.len(), T::zero());
            let decay_first = &mut state.decay_first[l];
            let (before, decay_move) = (&state.before, &mut state.decay_move);
            rule::decay_moves(rule, &k, before, second, decay_first, decay_move);
            let split = RuleSplit {
                before,
                after: wt,
                decay_move,
                gradient: &state.gradient,
            };
            observer.rule_layer_stepped(l, split);
        }
        let (first_b, second_b) = (&mut state.first_b[l], &mut state.second_b[l]);
        rule::step_biases(rule, &k, b, grad_b, first_b, second_b);
    }
    observer.step_finished();
}

/// One step of the update rule, for a batch of m_t examples:
///
///   w <- w - (eta*lambda/n) w - (eta/m_t) sum_x dC_x/dw
///   b <- b                    - (eta/m_t) sum_x dC_x/db     (biases are not decayed)
///
/// The weight gradient is formed and used in the same pass
/// ([`kernels::gradient_step`]); an observer that measures gets each row's
/// products before the step. `reference.rs` holds the plain version of the
/// same rule, one example at a time in the book's notation, which the tests
/// hold this one to, bit for bit.
///
/// `decay` is eta*lambda/n, or eta*D for SGDW (the same step with its
/// decoupled decay).
fn update<T: Real, O: StepObserver<T>>(
    weights: &mut KernelWeights<T>,
    biases: &mut [Vec<T>],
    gradient: Gradient<T>,
    (decay, eta): (f64, f64),
    m_t: usize,
    observer: &mut O,
) {
    let rate = Rate {
        decay: T::from_f64(decay),
        step: T::from_f64(eta / m_t as f64),
    };
    observer.step_started(rate.decay, rate.step, m_t);
    for (l, b) in biases.iter_mut().enumerate() {
        let (n_out, n_in) = weights.shape(l);
        let wt = &mut weights.layers[l];
        let measurements = O::MEASURES.then(|| observer.measurements(l));
        match gradient {
            Gradient::Backprop(backprop) => backprop.step_weights(l, wt, rate, measurements),
            // An empty batch: a zero gradient, the decay alone.
            Gradient::Zero => {
                let shape = StepShape { m: 0, n_out, n_in };
                kernels::gradient_step(wt, &[], &[], shape, rate, measurements, &[])
            }
        }
        if O::MEASURES {
            observer.layer_measured(l);
        }
        if let Gradient::Backprop(backprop) = gradient {
            for (b_j, &g) in b.iter_mut().zip(&backprop.grad_b[l]) {
                *b_j -= rate.step * g;
            }
        }
    }
    observer.step_finished();
}

/// Rearranges the previous epoch's order of the training examples into the
/// next one's (network2's in-place `random.shuffle`, in the book's runs).
pub trait Rearrange: Send {
    /// Rearrange `order`, the previous epoch's order (before the first
    /// epoch: the starting order given), into this epoch's order.
    fn next_epoch(&mut self, order: &mut [usize]);
}

/// Where each epoch's order of the training examples comes from.
// One value per run, moved once: the generator's size does not matter.
#[allow(clippy::large_enum_variant)]
pub enum EpochOrder {
    /// Every epoch shuffles the examples from their original order with
    /// this generator, so that the run's state between epochs is the
    /// network and the generator alone. ChaCha8 is a fixed, documented
    /// algorithm: a seed means the same run on every machine and version.
    Shuffled(ChaCha8Rng),
    /// Every epoch rearranges the previous epoch's order by `next`,
    /// starting from `first` (a permutation of 0..n).
    Rearranged {
        /// Rearranges one epoch's order into the next one's.
        next: Box<dyn Rearrange>,
        /// The order of the n examples before the first epoch.
        first: Vec<usize>,
    },
}

/// The state of a training run between steps.
pub struct Sgd<T> {
    /// The network being trained.
    pub net: Network<T>,
    /// eta, lambda and n.
    pub hyper: Hyper,
    /// Mini-batch size m.
    batch: usize,
    /// The generator that shuffles every epoch, or what rearranges the
    /// previous epoch's order.
    epoch_order: Order,
    backprop: Backprop<T>,
    /// The order of the training examples in the current epoch.
    order: Vec<usize>,
    /// Labels of the current batch.
    labels: Vec<u8>,
    /// Switch the gradient term off (claim 2a of the study): w <- w - (eta*lambda/n) w.
    decay_only: bool,
    /// The update rule (network2's unless `with_rule` says otherwise).
    rule: Rule,
    /// Its state between steps (None for network2's rule and SGDW).
    state: Option<RuleState<T>>,
}

/// [`EpochOrder`] without the starting order, which `Sgd::order` holds.
#[allow(clippy::large_enum_variant)]
enum Order {
    Shuffled(ChaCha8Rng),
    Rearranged(Box<dyn Rearrange>),
}

impl<T: Real> Sgd<T> {
    /// A run of `net` with the constants `hyper` (n, the number of
    /// training examples, among them) in mini-batches of `batch` examples,
    /// each epoch ordered as `epoch_order` says.
    pub fn new(net: Network<T>, hyper: Hyper, batch: usize, epoch_order: EpochOrder) -> Sgd<T> {
        let n = hyper.n;
        let (epoch_order, order) = match epoch_order {
            EpochOrder::Shuffled(rng) => (Order::Shuffled(rng), (0..n).collect()),
            EpochOrder::Rearranged { next, first } => {
                assert_eq!(first.len(), n, "a starting order of the n examples");
                (Order::Rearranged(next), first)
            }
        };
        Sgd {
            decay_only: false,
            rule: Rule::default(),
            state: None,
            backprop: Backprop::new(&net, batch),
            net,
            hyper,
            batch,
            epoch_order,
            order,
            labels: Vec::with_capacity(batch),
        }
    }

    /// Switch the gradient term off: every step only decays the weights.
    pub fn decay_only(mut self) -> Sgd<T> {
        self.decay_only = true;
        self
    }

    /// Step by `rule` instead of network2's SGD with L2.
    pub fn with_rule(mut self, rule: Rule) -> Sgd<T> {
        self.rule = rule;
        let fused = rule.fused_decay(self.hyper.eta, self.hyper.lambda, self.hyper.n);
        self.state = fused.is_none().then(|| RuleState::new(&self.net));
        self
    }

    /// The rule's state between steps (None for the rules that keep none:
    /// network2's and SGDW).
    pub fn rule_moments(&self) -> Option<RuleMoments> {
        let widen = |layers: &[Vec<T>]| -> Vec<Vec<f64>> {
            layers
                .iter()
                .map(|v| v.iter().map(|x| x.as_f64()).collect())
                .collect()
        };
        self.state.as_ref().map(|s| RuleMoments {
            first: widen(&s.first),
            second: widen(&s.second),
            first_b: widen(&s.first_b),
            second_b: widen(&s.second_b),
            decay_first: widen(&s.decay_first),
            steps: s.steps,
        })
    }

    /// Continue from `moments` (a checkpoint's) instead of a fresh state;
    /// an error saying what does not fit if they are not this run's rule's
    /// and layers'.
    pub fn restore_rule_moments(&mut self, moments: &RuleMoments) -> Result<(), String> {
        let Some(state) = &mut self.state else {
            return Err("the rule keeps no state between steps".to_string());
        };
        let narrow = |into: &mut Vec<Vec<T>>, from: &[Vec<f64>], what: &str| {
            let fits =
                into.len() == from.len() && into.iter().zip(from).all(|(a, b)| a.len() == b.len());
            if !fits {
                return Err(format!("its {what} do not fit the network's layers"));
            }
            for (a, b) in into.iter_mut().zip(from) {
                for (x, &y) in a.iter_mut().zip(b) {
                    *x = T::from_f64(y);
                }
            }
            Ok(())
        };
        narrow(&mut state.first, &moments.first, "first moments")?;
        narrow(&mut state.second, &moments.second, "second moments")?;
        narrow(
            &mut state.first_b,
            &moments.first_b,
            "biases' first moments",
        )?;
        narrow(
            &mut state.second_b,
            &moments.second_b,
            "biases' second moments",
        )?;
        if !moments.decay_first.is_empty() {
            narrow(
                &mut state.decay_first,
                &moments.decay_first,
                "penalty's first moments",
            )?;
        }
        state.steps = moments.steps;
        Ok(())
    }

    /// The generator that shuffles every epoch (none when the epochs are
    /// rearranged by the caller's [`Rearrange`]).
    pub fn rng(&self) -> Option<&ChaCha8Rng> {
        match &self.epoch_order {
            Order::Shuffled(rng) => Some(rng),
            Order::Rearranged(_) => None,
        }
    }

    /// The order of the training examples in the last epoch.
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// S = ceil(n/m), the number of steps in an epoch.
    pub fn steps_per_epoch(&self) -> usize {
        self.hyper.n.div_ceil(self.batch)
    }

    /// One epoch: order the training set as the epoch order says, cut it
    /// into consecutive batches of m (the last one holds the n mod m left over, if any), and apply the
    /// update once per batch. `progress` hears the number of steps done now
    /// and then; `observer` sees every step.
    pub fn epoch(
        &mut self,
        training: &Dataset,
        observer: &mut impl StepObserver<T>,
        progress: &mut dyn FnMut(usize),
    ) {
        assert_eq!(training.len(), self.hyper.n);
        match &mut self.epoch_order {
            Order::Rearranged(next) => next.next_epoch(&mut self.order),
            Order::Shuffled(rng) => {
                // Every epoch shuffles the examples from their original
                // order, so the run's state between epochs is the network
                // and the generator alone.
                for (i, slot) in self.order.iter_mut().enumerate() {
                    *slot = i;
                }
                self.order.shuffle(rng);
            }
        }
        // The weights in the kernels' layout for the epoch; `net` gets them
        // back at its end.
        let mut weights = KernelWeights::of(&self.net);
        let mut steps = 0;
        let batches = self.order.chunks(self.batch);
        let next_batches = self.order.chunks(self.batch).skip(1);
        for (batch, next) in batches.zip(next_batches.map(Some).chain([None])) {
            let m_t = batch.len();
            if let (Some(next), false) = (next, self.decay_only) {
                training.prefetch(next);
            }
            let gradient = if self.decay_only {
                Gradient::Zero
            } else {
                self.labels.clear();
                self.labels
                    .extend(batch.iter().map(|&e| training.labels()[e]));
                let biases = &self.net.biases;
                self.backprop
                    .forward_images(&weights, biases, training, batch);
                self.backprop
                    .backward(&weights, self.net.cost, &self.labels);
                Gradient::Backprop(&self.backprop)
            };
            let biases = &mut self.net.biases;
            let hyper = &self.hyper;
            match &mut self.state {
                None => {
                    let decay = (self.rule)
                        .fused_decay(hyper.eta, hyper.lambda, hyper.n)
                        .expect("a rule without state is fused");
                    update(
                        &mut weights,
                        biases,
                        gradient,
                        (decay, hyper.eta),
                        m_t,
                        observer,
                    );
                }
                Some(state) => rule_update(
                    &mut weights,
                    biases,
                    gradient,
                    (hyper, &self.rule),
                    m_t,
                    state,
                    observer,
                ),
            }
            steps += 1;
            if steps % 256 == 0 {
                progress(steps);
            }
        }
        weights.write_to(&mut self.net);
        progress(steps);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::Cost;
    use approx::{abs_diff_eq, assert_abs_diff_eq};
    use rand::SeedableRng;

    /// The smallest network, [1, 1]: a = sigma(w x + b), cross-entropy, so
    /// dC_x/dw = (a - y) x and dC_x/db = a - y.
    fn one_weight_net(w: f64, b: f64) -> Network<f64> {
        Network::from_parts(vec![1, 1], vec![vec![w]], vec![vec![b]], Cost::CrossEntropy).unwrap()
    }

    #[test]
    fn update_step_matches_a_hand_computation() {
        // Three examples x = 1.0, 0.2, 0.6 (stored as 255, 51, 153); labels
        // 0, 0, 0 (so y = 1 for the single output). m = 2: one batch of 2 and
        // a short last batch of 1.
        let data = Dataset::from_bytes(1, 1, vec![255, 51, 153], vec![0, 0, 0]);
        let (eta, lambda) = (0.5, 3.0);
        let net = one_weight_net(0.8, -0.3);
        let hyper = Hyper { eta, lambda, n: 3 };
        let rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        let mut sgd = Sgd::new(net, hyper, 2, EpochOrder::Shuffled(rng));
        sgd.epoch(&data, &mut Unobserved, &mut |_| {});

        // Recompute the epoch by hand with the order the generator chose.
        let mut order: Vec<usize> = (0..3).collect();
        order.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(0));
        let x = [1.0, 0.2, 0.6];
        let sigma = |z: f64| 1.0 / (1.0 + (-z).exp());
        let (mut w, mut b) = (0.8, -0.3);
        for batch in order.chunks(2) {
            let m_t = batch.len() as f64;
            let (mut gw, mut gb) = (0.0, 0.0);
            for &e in batch {
                let a = sigma(w * x[e] + b);
                gw += (a - 1.0) * x[e];
                gb += a - 1.0;
            }
            w = (1.0 - eta * lambda / 3.0) * w - eta / m_t * gw;
            b -= eta / m_t * gb;
        }
        assert!(
            abs_diff_eq!(sgd.net.weights[0][0], w, epsilon = 1e-15),
            "{} vs {w}",
            sgd.net.weights[0][0]
        );
        assert_abs_diff_eq!(sgd.net.biases[0][0], b, epsilon = 1e-15);
        // The decay is eta*lambda/n = 0.5: visible, so a wrong n or m_t would show.
        assert_eq!(sgd.steps_per_epoch(), 2);
    }

    /// Reverses the order every epoch.
    struct Reversal;
    impl Rearrange for Reversal {
        fn next_epoch(&mut self, order: &mut [usize]) {
            order.reverse();
        }
    }

    #[test]
    fn a_given_epoch_order_rearranges_the_previous_one() {
        let data = Dataset::from_bytes(1, 1, vec![0, 64, 128, 255], vec![0; 4]);
        let hyper = Hyper {
            eta: 0.1,
            lambda: 0.0,
            n: 4,
        };
        let order = EpochOrder::Rearranged {
            next: Box::new(Reversal),
            first: vec![2, 0, 3, 1],
        };
        let mut sgd = Sgd::new(one_weight_net(0.1, 0.0), hyper, 2, order);
        sgd.epoch(&data, &mut Unobserved, &mut |_| {});
        assert_eq!(sgd.order(), [1, 3, 0, 2]);
        sgd.epoch(&data, &mut Unobserved, &mut |_| {});
        assert_eq!(sgd.order(), [2, 0, 3, 1]);
    }

    #[test]
    fn progress_hears_every_256_steps_and_the_end() {
        // 600 examples in batches of 1: 600 steps.
        let data = Dataset::from_bytes(1, 1, vec![128; 600], vec![0; 600]);
        let hyper = Hyper {
            eta: 0.1,
            lambda: 0.0,
            n: 600,
        };
        let rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut sgd = Sgd::new(
            one_weight_net(0.1, 0.0),
            hyper,
            1,
            EpochOrder::Shuffled(rng),
        );
        let mut heard = Vec::new();
        sgd.epoch(&data, &mut Unobserved, &mut |steps| heard.push(steps));
        assert_eq!(heard, vec![256, 512, 600]);
    }
}
