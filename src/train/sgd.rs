//! Mini-batch stochastic gradient descent with L2 regularization, as
//! network2.py does it.

use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::backprop::{Backprop, KernelWeights};
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
    /// Every layer of the step is updated.
    fn step_finished(&mut self) {}
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
fn update<T: Real, O: StepObserver<T>>(
    weights: &mut KernelWeights<T>,
    biases: &mut [Vec<T>],
    gradient: Gradient<T>,
    hyper: &Hyper,
    m_t: usize,
    observer: &mut O,
) {
    let rate = Rate {
        decay: T::from_f64(hyper.decay_per_step()),
        step: T::from_f64(hyper.eta / m_t as f64),
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

/// Where each epoch's order of the training examples comes from, when not
/// from the run's own generator (see [`Sgd::ordered_by`]).
pub trait EpochOrder: Send {
    /// Rearrange `order`, the previous epoch's order (before the first
    /// epoch: the starting order given), into this epoch's order.
    fn next_epoch(&mut self, order: &mut [usize]);
}

/// The state of a training run between steps.
pub struct Sgd<T> {
    /// The network being trained.
    pub net: Network<T>,
    /// eta, lambda and n.
    pub hyper: Hyper,
    /// Mini-batch size m.
    batch: usize,
    /// The one generator of the run: it drew the initial weights, then
    /// shuffles every epoch. ChaCha8 is a fixed, documented algorithm, so a
    /// seed means the same run on every machine and every version.
    pub rng: ChaCha8Rng,
    backprop: Backprop<T>,
    /// The order of the training examples in the current epoch.
    order: Vec<usize>,
    /// If set, each epoch's order comes from here instead of `rng`.
    epoch_order: Option<Box<dyn EpochOrder>>,
    /// Labels of the current batch.
    labels: Vec<u8>,
    /// Switch the gradient term off (claim 2a of the study): w <- w - (eta*lambda/n) w.
    decay_only: bool,
}

impl<T: Real> Sgd<T> {
    /// A run of `net` on `training` (n = its length) with mini-batches of
    /// `batch` examples, shuffled by `rng`.
    pub fn new(
        net: Network<T>,
        training: &Dataset,
        eta: f64,
        lambda: f64,
        batch: usize,
        rng: ChaCha8Rng,
    ) -> Sgd<T> {
        let n = training.len();
        Sgd {
            decay_only: false,
            backprop: Backprop::new(net.sizes(), batch),
            net,
            hyper: Hyper { eta, lambda, n },
            batch,
            rng,
            order: (0..n).collect(),
            epoch_order: None,
            labels: Vec::with_capacity(batch),
        }
    }

    /// Switch the gradient term off: every step only decays the weights.
    pub fn decay_only(mut self) -> Sgd<T> {
        self.decay_only = true;
        self
    }

    /// Order every epoch by `epoch_order`, starting from `start` (a
    /// permutation of 0..n): each epoch rearranges the previous epoch's
    /// order, as network2's in-place `random.shuffle` does. `rng` then
    /// draws nothing.
    pub fn ordered_by(mut self, epoch_order: Box<dyn EpochOrder>, start: Vec<usize>) -> Sgd<T> {
        assert_eq!(
            start.len(),
            self.hyper.n,
            "a starting order of the n examples"
        );
        self.order = start;
        self.epoch_order = Some(epoch_order);
        self
    }

    /// The order of the training examples in the last epoch.
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// S = ceil(n/m), the number of steps in an epoch.
    pub fn steps_per_epoch(&self) -> usize {
        self.hyper.n.div_ceil(self.batch)
    }

    /// One epoch: shuffle the training set, cut it into consecutive batches of
    /// m (the last one holds the n mod m left over, if any), and apply the
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
            Some(epoch_order) => epoch_order.next_epoch(&mut self.order),
            None => {
                // Every epoch shuffles the examples from their original
                // order, so the run's state between epochs is the network
                // and the generator alone.
                for (i, slot) in self.order.iter_mut().enumerate() {
                    *slot = i;
                }
                self.order.shuffle(&mut self.rng);
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
            update(&mut weights, biases, gradient, &self.hyper, m_t, observer);
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
        let mut sgd = Sgd::new(
            net,
            &data,
            eta,
            lambda,
            2,
            rand_chacha::ChaCha8Rng::seed_from_u64(0),
        );
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
    impl EpochOrder for Reversal {
        fn next_epoch(&mut self, order: &mut [usize]) {
            order.reverse();
        }
    }

    #[test]
    fn a_given_epoch_order_rearranges_the_previous_one() {
        let data = Dataset::from_bytes(1, 1, vec![0, 64, 128, 255], vec![0; 4]);
        let rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut sgd = Sgd::new(one_weight_net(0.1, 0.0), &data, 0.1, 0.0, 2, rng)
            .ordered_by(Box::new(Reversal), vec![2, 0, 3, 1]);
        sgd.epoch(&data, &mut Unobserved, &mut |_| {});
        assert_eq!(sgd.order(), [1, 3, 0, 2]);
        sgd.epoch(&data, &mut Unobserved, &mut |_| {});
        assert_eq!(sgd.order(), [2, 0, 3, 1]);
    }

    #[test]
    fn progress_hears_every_256_steps_and_the_end() {
        // 600 examples in batches of 1: 600 steps.
        let data = Dataset::from_bytes(1, 1, vec![128; 600], vec![0; 600]);
        let rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut sgd = Sgd::new(one_weight_net(0.1, 0.0), &data, 0.1, 0.0, 1, rng);
        let mut heard = Vec::new();
        sgd.epoch(&data, &mut Unobserved, &mut |steps| heard.push(steps));
        assert_eq!(heard, vec![256, 512, 600]);
    }
}
