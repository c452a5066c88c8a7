//! The probes' measurements against what they must equal.

use approx::{assert_abs_diff_eq, assert_relative_eq, relative_eq};
use decaylab::data::Dataset;
use decaylab::kernels::Real;
use decaylab::metrics::EpochRecord;
use decaylab::net::Init;
use decaylab::run::{self, Config, Outcome, RunData, Silent};
use decaylab::theory;
use decaylab::train::rule::{ADAM_BETA1, ADAM_BETA2, ADAM_EPS};
use decaylab::train::{Optimizer, Regularization, Rule};

/// 8x8 images with pseudo-random pixels and labels: enough structure for
/// gradients that are neither zero nor huge.
fn synthetic(count: usize, seed: u64) -> Dataset {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as u32
    };
    let labels: Vec<u8> = (0..count).map(|_| (next() % 10) as u8).collect();
    let pixels: Vec<u8> = labels
        .iter()
        .flat_map(|&l| (0..64).map(move |p| if p % 10 == l as usize { 200 } else { 0 }))
        .zip(std::iter::repeat_with(&mut next))
        .map(|(signal, noise): (u8, u32)| signal.saturating_add((noise % 60) as u8))
        .collect();
    Dataset::from_bytes(8, 8, pixels, labels)
}

fn config(epochs: usize) -> Config {
    Config {
        sizes: vec![64, 16, 12, 10],
        init: Init::Large,
        eta: 0.5,
        lambda: 5.0,
        // 303 examples in batches of 10: a short last batch of 3.
        batch: 10,
        epochs,
        seed: 11,
        ..Config::default()
    }
}

fn data() -> RunData {
    RunData {
        training: synthetic(303, 1),
        evaluation: synthetic(100, 2),
    }
}

fn run<T: Real>(config: &Config) -> Outcome<T> {
    run::run::<T>(config, &data(), &mut Silent).unwrap()
}

fn dynamics(record: &EpochRecord) -> &decaylab::probes::EpochDynamics {
    record.dynamics.as_ref().expect("probes are on")
}

fn check_budget_closes<T: Real>(tolerance: f64) {
    let outcome = run::<T>(&config(4));
    for record in &outcome.records[1..] {
        let d = dynamics(record);
        assert!(d.budget.all.decay < 0.0);
        assert!(d.budget.all.noise > 0.0);
        assert!(
            d.budget.all.residual_relative <= tolerance,
            "{} epoch {}: residual {:e}",
            T::NAME,
            record.epoch,
            d.budget.all.residual_relative
        );
        for layer in &d.budget.layers {
            assert!(layer.residual_relative <= tolerance, "{layer:?}");
        }
        // The totals are the sums of the layers.
        let decay: f64 = d.budget.layers.iter().map(|l| l.decay).sum();
        assert_abs_diff_eq!(decay, d.budget.all.decay, epsilon = 1e-12 * decay.abs());
    }
}

#[test]
fn budget_closes_in_f64() {
    check_budget_closes::<f64>(1e-9);
}

#[test]
fn budget_closes_in_f32() {
    check_budget_closes::<f32>(1e-4);
}

/// The rules that step outside the fused kernel, each with an eta it
/// trains at: their budgets come from the split of each step's move.
fn split_rules() -> Vec<(Rule, f64)> {
    let rule = |optimizer, regularization| Rule {
        optimizer,
        regularization,
    };
    let adam = (ADAM_BETA1, ADAM_BETA2, ADAM_EPS);
    vec![
        (rule(Optimizer::Sgd, Regularization::L1), 0.5),
        (
            rule(Optimizer::Momentum { mu: 0.9 }, Regularization::L2),
            0.05,
        ),
        (
            rule(Optimizer::Momentum { mu: 0.5 }, Regularization::L1),
            0.2,
        ),
        (
            rule(
                Optimizer::Adam {
                    beta1: adam.0,
                    beta2: adam.1,
                    eps: adam.2,
                },
                Regularization::L2,
            ),
            0.005,
        ),
        (
            rule(
                Optimizer::AdamW {
                    beta1: adam.0,
                    beta2: adam.1,
                    eps: adam.2,
                    weight_decay: 0.01,
                },
                Regularization::L2,
            ),
            0.005,
        ),
    ]
}

fn rule_config(rule: Rule, eta: f64, epochs: usize) -> Config {
    let decoupled = matches!(
        rule.optimizer,
        Optimizer::AdamW { .. } | Optimizer::Sgdw { .. }
    );
    Config {
        rule,
        eta,
        lambda: if decoupled { 0.0 } else { 5.0 },
        ..config(epochs)
    }
}

fn check_every_rules_budget_closes<T: Real>(tolerance: f64) {
    for (rule, eta) in split_rules() {
        let config = rule_config(rule, eta, 3);
        let outcome = run::<T>(&config);
        for record in &outcome.records[1..] {
            let d = dynamics(record);
            let what = format!("{} {rule:?} epoch {}", T::NAME, record.epoch);
            assert!(d.budget.all.decay < 0.0, "{what}: {:?}", d.budget.all);
            assert!(d.budget.all.noise > 0.0, "{what}: {:?}", d.budget.all);
            for terms in d.budget.layers.iter().chain([&d.budget.all]) {
                assert!(terms.residual_relative <= tolerance, "{what}: {terms:?}");
            }
            assert!(d.displacement.all.decay > 0.0 && d.displacement.all.gradient > 0.0);
        }
        let unprobed = run::<T>(&Config {
            probes: false,
            ..config
        });
        assert_eq!(outcome.net, unprobed.net, "{rule:?}: the probes moved it");
    }
}

#[test]
fn every_rules_budget_closes_and_the_probes_leave_it_alone_in_f64() {
    check_every_rules_budget_closes::<f64>(1e-12);
}

#[test]
fn every_rules_budget_closes_and_the_probes_leave_it_alone_in_f32() {
    check_every_rules_budget_closes::<f32>(1e-6);
}

/// With the gradient off, each rule's whole move is its decay's: the split
/// leaves nothing to the gradient, and the decay term is |w|^2's change.
#[test]
fn with_the_gradient_off_every_rules_budget_is_its_decay() {
    for (rule, eta) in split_rules() {
        let config = Config {
            decay_only: true,
            ..rule_config(rule, eta, 2)
        };
        let outcome = run::<f64>(&config);
        for record in &outcome.records[1..] {
            let terms = dynamics(record).budget.all;
            assert!(terms.decay < 0.0, "{rule:?}: {terms:?}");
            let gradients = terms.drift.abs() + terms.noise;
            assert!(gradients <= 1e-12 * -terms.decay, "{rule:?}: {terms:?}");
            assert!(terms.residual_relative <= 1e-12, "{rule:?}: {terms:?}");
        }
    }
}

/// Each rule's records carry its own decay law, and a decay-only run
/// shrinks by it to 1e-9, momentum's from rest included. L1 and Adam with
/// L2 have no factor law: null.
#[test]
fn decay_only_runs_of_every_rule_shrink_by_their_own_law() {
    let n = data().training.len();
    let momentum = Rule {
        optimizer: Optimizer::Momentum { mu: 0.5 },
        regularization: Regularization::L2,
    };
    let sgdw = Rule {
        optimizer: Optimizer::Sgdw { weight_decay: 0.01 },
        regularization: Regularization::L2,
    };
    let mut factors = 0;
    for (rule, eta) in split_rules()
        .into_iter()
        .chain([(momentum, 0.05), (sgdw, 0.5)])
    {
        let config = Config {
            decay_only: true,
            ..rule_config(rule, eta, 3)
        };
        let outcome = run::<f64>(&config);
        let laws_factor = matches!(
            (rule.optimizer, rule.regularization),
            (
                Optimizer::Momentum { .. } | Optimizer::AdamW { .. } | Optimizer::Sgdw { .. },
                Regularization::L2
            )
        );
        for record in &outcome.records[1..] {
            let law = run::decay_law(&rule, (eta, config.lambda), n, config.batch, record.epoch);
            assert_eq!(law.is_some(), laws_factor, "{rule:?}");
            assert_eq!(record.predicted_shrink, law.map(|l| l.0), "{rule:?}");
            if let Some(predicted) = record.predicted_shrink {
                factors += 1;
                let rho = record.shrink_ratio.unwrap();
                assert_relative_eq!(rho, predicted, max_relative = 1e-9);
                // Not network2's law at this eta and lambda.
                let plain = theory::exact_shrink(eta, config.lambda, n, config.batch);
                assert!(
                    config.lambda == 0.0 || (rho - plain).abs() > 1e-3,
                    "{rule:?}"
                );
            }
        }
    }
    assert_eq!(
        factors,
        4 * 3,
        "momentum twice, adamw and sgdw, 3 epochs each"
    );
}

/// Momentum with mu = 0 is network2's step, rounded otherwise: its split
/// budget is the fused kernel's, term by term.
#[test]
fn momentum_without_momentum_splits_as_network2s_rule() {
    let momentum = Rule {
        optimizer: Optimizer::Momentum { mu: 0.0 },
        regularization: Regularization::L2,
    };
    let split = run::<f64>(&rule_config(momentum, 0.5, 3));
    let fused = run::<f64>(&config(3));
    for (a, b) in split.records[1..].iter().zip(&fused.records[1..]) {
        let (a, b) = (dynamics(a), dynamics(b));
        for (x, y) in a.budget.layers.iter().zip(&b.budget.layers) {
            assert_relative_eq!(x.decay, y.decay, max_relative = 1e-9);
            assert_relative_eq!(x.drift, y.drift, max_relative = 1e-9);
            assert_relative_eq!(x.noise, y.noise, max_relative = 1e-9);
        }
        let (x, y) = (a.displacement.all, b.displacement.all);
        assert_relative_eq!(x.decay, y.decay, max_relative = 1e-9);
        assert_relative_eq!(x.gradient, y.gradient, max_relative = 1e-9);
        assert_eq!(a.gradient_signal.len(), b.gradient_signal.len());
        for (x, y) in a.gradient_signal.iter().zip(&b.gradient_signal) {
            assert_relative_eq!(x, y, max_relative = 1e-9);
        }
    }
}

fn check_decay_only_shrink<T: Real>(tolerance: f64) {
    let config = Config {
        decay_only: true,
        ..config(3)
    };
    let n = data().training.len();
    let expected = theory::exact_shrink(config.eta, config.lambda, n, config.batch);
    // 303 is not a multiple of 10: S = 31 steps, the last one of 3 examples,
    // and every step decays by the same eta*lambda/n.
    assert_eq!(theory::steps_per_epoch(n, config.batch), 31);
    let outcome = run::<T>(&config);
    for record in &outcome.records[1..] {
        let rho = record.shrink_ratio.unwrap();
        assert!(
            relative_eq!(rho, expected, max_relative = tolerance),
            "{}: rho {rho} vs (1 - eta*lambda/n)^S = {expected}",
            T::NAME
        );
        for rho_layer in record.shrink_ratio_layers.iter().map(|r| r.unwrap()) {
            assert_relative_eq!(rho_layer, expected, max_relative = tolerance);
        }
        let d = dynamics(record);
        assert_eq!((d.budget.all.drift, d.budget.all.noise), (0.0, 0.0));
        // No gradient step moved the weights: what is left of w_e - w_(e-1)
        // after the decay's move is rounding.
        assert!(d.displacement.all.gradient <= 1e-4 * d.displacement.all.decay);
        assert_eq!(d.offset_fraction, Some(0.0));
    }
    // The decay per epoch is far from exp(-eta*lambda/m) here: eta*lambda/n
    // is not small.
    assert!((expected - outcome.records[1].predicted_shrink_asymptotic.unwrap()).abs() > 1e-3);
}

#[test]
fn decay_only_shrinks_by_the_exact_factor_in_f64() {
    check_decay_only_shrink::<f64>(1e-12);
}

#[test]
fn decay_only_shrinks_by_the_exact_factor_in_f32() {
    check_decay_only_shrink::<f32>(1e-6);
}

fn check_probes_leave_the_trajectory_alone<T: Real>() {
    let with = run::<T>(&config(3));
    let without = run::<T>(&Config {
        probes: false,
        ..config(3)
    });
    assert_eq!(
        with.net,
        without.net,
        "{}: probes changed the weights",
        T::NAME
    );
    assert!(
        without
            .records
            .iter()
            .all(|r| r.dynamics.is_none() && r.histograms.is_none())
    );
    // Epoch 0 has no steps: no dynamics, but its histograms.
    assert!(with.records[0].dynamics.is_none());
    assert!(
        with.records
            .iter()
            .skip(1)
            .all(|r| r.dynamics.is_some() && r.histograms.is_some())
    );
    assert!(with.records[0].histograms.is_some());
}

#[test]
fn probes_leave_the_trajectory_alone() {
    check_probes_leave_the_trajectory_alone::<f32>();
    check_probes_leave_the_trajectory_alone::<f64>();
}

#[test]
fn displacements_and_histograms_are_consistent() {
    let outcome = run::<f64>(&config(2));
    for record in &outcome.records {
        let histograms = record.histograms.as_ref().unwrap();
        let total =
            |h: &decaylab::probes::Histogram| h.counts.iter().sum::<u64>() + h.below + h.above;
        assert_eq!(total(&histograms.all) as usize, record.weights.all.count);
        for (h, stats) in histograms.layers.iter().zip(&record.weights.layers) {
            assert_eq!(total(h) as usize, stats.count);
        }
    }
    let d = dynamics(&outcome.records[1]);
    assert!(d.displacement.all.decay > 0.0 && d.displacement.all.gradient > 0.0);
    let signal = &d.gradient_signal;
    assert_eq!(signal.len(), 3);
    assert!(signal.iter().all(|&s| s > 0.0 && s.is_finite()));
}

#[test]
fn f32_and_f64_trajectories_agree_over_100_steps() {
    // 1,000 examples in batches of 10: one epoch is 100 steps. Both
    // precisions start from the same draws (made in f64, rounded to f32).
    let data = RunData {
        training: synthetic(1000, 3),
        evaluation: synthetic(100, 4),
    };
    let config = Config {
        epochs: 1,
        ..config(1)
    };
    let single = run::run::<f32>(&config, &data, &mut Silent).unwrap().net;
    let double = run::run::<f64>(&config, &data, &mut Silent).unwrap().net;
    let mut worst: f64 = 0.0;
    for (w32, w64) in single
        .weights
        .iter()
        .flatten()
        .zip(double.weights.iter().flatten())
    {
        worst = worst.max((*w32 as f64 - w64).abs() / (1.0 + w64.abs()));
    }
    eprintln!("worst relative difference after 100 steps: {worst:e}");
    // f32 carries 24 bits; 100 steps of rounding stay far inside 1e-4.
    assert!(
        worst < 1e-4,
        "f32 and f64 weights differ by {worst:e} after 100 steps"
    );
    assert!(worst > 0.0, "the two precisions cannot agree exactly");
}

/// Steers a run once, before epoch `at`.
struct SteerAt {
    at: usize,
    steer: run::Steer,
}

impl run::Observer for SteerAt {
    fn steer(&mut self, epoch: usize) -> run::Steer {
        if epoch == self.at {
            self.steer
        } else {
            run::Steer::Go
        }
    }
}

#[test]
fn a_retuned_run_decays_by_the_new_law_from_the_epoch_it_was_retuned() {
    let config = Config {
        decay_only: true,
        ..config(5)
    };
    let n = data().training.len();
    let mut observer = SteerAt {
        at: 3,
        steer: run::Steer::Retune {
            eta: 0.25,
            lambda: 20.0,
        },
    };
    let outcome = run::run::<f64>(&config, &data(), &mut observer).unwrap();
    assert_eq!(outcome.records.len(), 6);
    for record in &outcome.records[1..] {
        let (eta, lambda) = if record.epoch < 3 {
            assert_eq!((record.learning_rate, record.lambda), (None, None));
            (config.eta, config.lambda)
        } else {
            assert_eq!(
                (record.learning_rate, record.lambda),
                (Some(0.25), Some(20.0))
            );
            (0.25, 20.0)
        };
        let expected = theory::exact_shrink(eta, lambda, n, config.batch);
        assert_relative_eq!(record.predicted_shrink.unwrap(), expected);
        assert_relative_eq!(record.shrink_ratio.unwrap(), expected, max_relative = 1e-12);
    }
}

#[test]
fn a_stopped_run_ends_before_the_epoch_it_was_stopped_at() {
    let mut observer = SteerAt {
        at: 3,
        steer: run::Steer::Stop,
    };
    let stopped = run::run::<f64>(&config(5), &data(), &mut observer).unwrap();
    let whole = run::<f64>(&config(2));
    assert_eq!(stopped.records.len(), 3, "epochs 0, 1 and 2");
    assert_eq!(stopped.net.weights, whole.net.weights);
}
