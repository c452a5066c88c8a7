//! The epoch probe's budget terms, displacements, gradient signal and
//! angle on a network small enough to train by hand: every quantity is
//! recomputed here from its definition, one step at a time in f64.

use approx::assert_relative_eq;
use decaylab::data::Dataset;
use decaylab::net::{Cost, Network};
use decaylab::probes::{BudgetTerms, EpochDynamics, EpochProbe};
use decaylab::train::{EpochOrder, Hyper, Sgd, Unobserved};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// Five 2-pixel images (x = pixel / 255) with labels 0 and 1.
const PIXELS: [u8; 10] = [255, 51, 0, 204, 102, 153, 255, 255, 51, 0];
const LABELS: [u8; 5] = [0, 1, 0, 1, 0];
const W0: [f64; 4] = [0.8, -0.5, 0.3, 0.6];
const B0: [f64; 2] = [0.1, -0.2];
const ETA: f64 = 2.0;
const LAMBDA: f64 = 1.0;
const SEED: u64 = 5;

fn data() -> Dataset {
    Dataset::from_bytes(2, 1, PIXELS.to_vec(), LABELS.to_vec())
}

/// A [2, 2] cross-entropy network: a_j = sigma(w_j . x + b_j), w row-major.
fn net() -> Network<f64> {
    Network::from_parts(
        vec![2, 2],
        vec![W0.to_vec()],
        vec![B0.to_vec()],
        Cost::CrossEntropy,
    )
    .unwrap()
}

/// eta, lambda and the n = 5 examples of `data`.
fn hyper() -> Hyper {
    Hyper {
        eta: ETA,
        lambda: LAMBDA,
        n: LABELS.len(),
    }
}

/// Epochs shuffled by the generator seeded `SEED`.
fn shuffled() -> EpochOrder {
    EpochOrder::Shuffled(ChaCha8Rng::seed_from_u64(SEED))
}

fn norm_sq(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum()
}

/// What the probe must report for one epoch, recomputed from scratch.
struct Expected {
    decay: f64,
    drift: f64,
    noise: f64,
    decay_move: f64,
    gradient_move: f64,
    gradient_signal: f64,
    w_before: Vec<f64>,
    w_after: Vec<f64>,
}

/// One epoch of the update w <- (1 - c) w - b g, b = eta / m_t, by hand,
/// from (w, bias), over the examples in `order` cut into batches of `batch`.
fn by_hand(w: &mut [f64], bias: &mut [f64; 2], order: &[usize], batch: usize) -> Expected {
    let sigma = |z: f64| 1.0 / (1.0 + (-z).exp());
    let x = |e: usize| {
        [
            PIXELS[2 * e] as f64 / 255.0,
            PIXELS[2 * e + 1] as f64 / 255.0,
        ]
    };
    let c = ETA * LAMBDA / LABELS.len() as f64;
    let w_before = w.to_vec();
    let (mut decay, mut drift, mut noise, mut signal) = (0.0, 0.0, 0.0, 0.0);
    let mut steps_total = [0.0; 4];
    let mut weight_total = [0.0; 4];
    let mut steps = 0;
    for examples in order.chunks(batch) {
        let m_t = examples.len() as f64;
        let b = ETA / m_t;
        let (mut g, mut g_b) = ([0.0; 4], [0.0; 2]);
        for &e in examples {
            let x = x(e);
            for j in 0..2 {
                let a = sigma(w[2 * j] * x[0] + w[2 * j + 1] * x[1] + bias[j]);
                let y = if LABELS[e] as usize == j { 1.0 } else { 0.0 };
                g[2 * j] += (a - y) * x[0];
                g[2 * j + 1] += (a - y) * x[1];
                g_b[j] += a - y;
            }
        }
        let wg: f64 = w.iter().zip(&g).map(|(w, g)| w * g).sum();
        decay += ((1.0 - c) * (1.0 - c) - 1.0) * norm_sq(w);
        drift += -2.0 * (1.0 - c) * b * wg;
        noise += b * b * norm_sq(&g);
        signal += norm_sq(&g).sqrt() / m_t;
        for i in 0..4 {
            weight_total[i] += w[i];
            steps_total[i] += b * g[i];
            w[i] = (1.0 - c) * w[i] - b * g[i];
        }
        for j in 0..2 {
            bias[j] -= b * g_b[j];
        }
        steps += 1;
    }
    Expected {
        decay,
        drift,
        noise,
        decay_move: c * norm_sq(&weight_total).sqrt(),
        gradient_move: norm_sq(&steps_total).sqrt(),
        gradient_signal: signal / steps as f64,
        w_before,
        w_after: w.to_vec(),
    }
}

fn check(d: &EpochDynamics, e: &Expected) {
    let tol = 1e-11;
    for terms in [&d.budget.all, &d.budget.layers[0]] {
        assert_relative_eq!(terms.decay, e.decay, max_relative = tol);
        assert_relative_eq!(terms.drift, e.drift, max_relative = tol);
        assert_relative_eq!(terms.noise, e.noise, max_relative = tol);
        // The three terms account for the change of |w|^2 to rounding.
        let scale = e.decay.abs() + e.drift.abs() + e.noise.abs();
        assert!(terms.residual.abs() <= 1e-14 * scale, "{terms:?}");
        assert!(terms.residual_relative <= 1e-14, "{terms:?}");
    }
    let f = (e.drift + e.noise) / -e.decay;
    assert_relative_eq!(d.offset_fraction.unwrap(), f, max_relative = tol);
    assert_relative_eq!(d.offset_fraction_layers[0].unwrap(), f, max_relative = tol);
    for moved in [&d.displacement.all, &d.displacement.layers[0]] {
        assert_relative_eq!(moved.decay, e.decay_move, max_relative = tol);
        assert_relative_eq!(moved.gradient, e.gradient_move, max_relative = 1e-9);
    }
    assert_relative_eq!(d.gradient_signal[0], e.gradient_signal, max_relative = tol);
    let cos = e
        .w_before
        .iter()
        .zip(&e.w_after)
        .map(|(u, v)| u * v)
        .sum::<f64>()
        / (norm_sq(&e.w_before) * norm_sq(&e.w_after)).sqrt();
    assert_relative_eq!(d.angle[0].unwrap(), cos.acos(), max_relative = 1e-9);
}

/// Two epochs under one probe, of `batch`-example steps: the probe starts
/// afresh each epoch, and its report matches the hand computation.
fn check_two_epochs(batch: usize) {
    let data = data();
    let mut sgd = Sgd::new(net(), hyper(), batch, shuffled());
    let mut probe = EpochProbe::new(&sgd.net);
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let (mut w, mut bias) = (W0.to_vec(), B0);
    for _ in 0..2 {
        let mut order: Vec<usize> = (0..LABELS.len()).collect();
        order.shuffle(&mut rng);
        let expected = by_hand(&mut w, &mut bias, &order, batch);
        let before = sgd.net.weights.clone();
        probe.start_epoch();
        sgd.epoch(&data, &mut probe, &mut |_| {});
        check(&probe.finish(&before, &sgd.net), &expected);
    }
}

#[test]
fn an_odd_number_of_steps_by_hand() {
    // 5 examples in batches of 2: steps of 2, 2 and 1 examples.
    check_two_epochs(2);
}

#[test]
fn an_even_number_of_steps_by_hand() {
    // 5 examples in batches of 3: steps of 3 and 2 examples.
    check_two_epochs(3);
}

#[test]
fn the_residual_is_what_the_terms_miss_of_the_change() {
    // Told that the weights started at zero, the probe sees a change of
    // |w_e|^2 where its terms add up to |w_e|^2 - |w_0|^2: a residual of
    // -|w_0|^2, relative to |decay| + |drift| + |noise|.
    let data = data();
    let mut sgd = Sgd::new(net(), hyper(), 2, shuffled());
    let mut probe = EpochProbe::new(&sgd.net);
    probe.start_epoch();
    let before = sgd.net.weights.clone();
    sgd.epoch(&data, &mut probe, &mut |_| {});
    let honest = probe.finish(&before, &sgd.net).budget.all;
    let told_zero = probe.finish(&[vec![0.0; 4]], &sgd.net);
    let terms = told_zero.budget.all;
    assert_eq!(
        (terms.decay, terms.drift, terms.noise),
        (honest.decay, honest.drift, honest.noise)
    );
    let w0_sq = norm_sq(&W0);
    assert_relative_eq!(terms.residual, -w0_sq, max_relative = 1e-12);
    let scale = terms.decay.abs() + terms.drift.abs() + terms.noise.abs();
    assert_relative_eq!(terms.residual_relative, w0_sq / scale, max_relative = 1e-12);
    // No angle to a zero vector.
    assert_eq!(told_zero.angle, vec![None]);
}

#[test]
fn an_epoch_of_no_steps_reports_zeros() {
    let net = net();
    let mut probe = EpochProbe::new(&net);
    probe.start_epoch();
    let d = probe.finish(&net.weights, &net);
    assert_eq!(d.budget.all, BudgetTerms::default());
    assert_eq!(d.budget.layers, vec![BudgetTerms::default()]);
    assert_eq!(d.offset_fraction, None);
    assert_eq!(d.gradient_signal, vec![0.0]);
    assert_eq!(d.angle, vec![Some(0.0)]);
}

#[test]
fn offset_fraction_by_hand() {
    let terms = |decay, drift, noise| BudgetTerms {
        decay,
        drift,
        noise,
        ..BudgetTerms::default()
    };
    // (drift + noise) / -decay = (1 + 2) / 4.
    assert_eq!(terms(-4.0, 1.0, 2.0).offset_fraction(), Some(0.75));
    assert_eq!(terms(-4.0, -3.0, 1.0).offset_fraction(), Some(-0.5));
    // Without decay there is nothing to offset.
    assert_eq!(terms(0.0, 1.0, 2.0).offset_fraction(), None);
    assert_eq!(terms(1.0, 1.0, 2.0).offset_fraction(), None);
}

#[test]
fn the_probe_leaves_the_step_alone() {
    let data = data();
    let train = |observe: bool| {
        let mut sgd = Sgd::new(net(), hyper(), 2, shuffled());
        if observe {
            let mut probe = EpochProbe::new(&sgd.net);
            sgd.epoch(&data, &mut probe, &mut |_| {});
        } else {
            sgd.epoch(&data, &mut Unobserved, &mut |_| {});
        }
        sgd.net
    };
    assert_eq!(train(true), train(false));
}
