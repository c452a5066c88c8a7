//! The fast update rules against their plain references, over whole epochs.

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
    let rms =
        (reference.iter().map(|x| x.as_f64().powi(2)).sum::<f64>() / reference.len() as f64).sqrt();
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
    let start: Network<T> = Network::new(&[784, 30, 10], Init::Large, Cost::CrossEntropy, &mut rng);
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
    let net: Network<f64> = Network::new(&[784, 30, 10], Init::Large, Cost::CrossEntropy, &mut rng);
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
