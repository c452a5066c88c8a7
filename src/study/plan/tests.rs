//! Tests of `study::plan`.

use super::*;
use approx::{abs_diff_eq, assert_abs_diff_eq};

/// The plan's decay-only runs, in plan order.
fn decay_only(plan: &Plan) -> impl Iterator<Item = &RunSpec> {
    plan.runs
        .iter()
        .filter(|r| matches!(r.purpose, Purpose::DecayOnly { .. }))
}

#[test]
fn pooled_input_scales_keep_the_unpooled_images_norm() {
    let mnist = crate::data::Mnist::load(&crate::data::DataSource::Bundled).unwrap();
    let norm = |pool: usize, scale: f64| {
        let training = mnist.pooled(pool).training;
        training.slice(0..TRAINING_SIZE).scaled(scale).rms_norm()
    };
    let base = norm(1, 1.0);
    for &(pool, scale) in INPUT_SCALES.iter().filter(|(pool, _)| *pool > 1) {
        let ratio = norm(pool, scale) / base;
        assert!((ratio - 1.0).abs() < 1e-3, "pool {pool}: {ratio}");
    }
    // At n_in 784, |x| is scaled by c itself.
    assert_abs_diff_eq!(norm(1, 2.0) / base, 2.0, epsilon = 1e-6);
}

#[test]
fn full_plan_has_the_specified_runs() {
    let plan = Plan::new(Mode::Full, 3, 1).unwrap();
    let count = |f: &dyn Fn(&Purpose) -> bool| plan.runs.iter().filter(|r| f(&r.purpose)).count();
    assert_eq!(count(&|p| matches!(p, Purpose::Base { .. })), 12);
    // Every sweep point on every seed.
    assert_eq!(count(&|p| matches!(p, Purpose::LambdaSweep { .. })), 12);
    assert_eq!(count(&|p| matches!(p, Purpose::EtaSweep { .. })), 12);
    assert_eq!(count(&|p| matches!(p, Purpose::FixedProduct { .. })), 9);
    assert_eq!(count(&|p| matches!(p, Purpose::Scaling { .. })), 33);
    assert_eq!(count(&|p| matches!(p, Purpose::DecayOnly { .. })), 7);
    assert_eq!(count(&|p| matches!(p, Purpose::NoiseParent { .. })), 6);
    assert_eq!(count(&|p| matches!(p, Purpose::Branch { .. })), 63);
    assert_eq!(count(&|p| matches!(p, Purpose::InputScale { .. })), 12);
    // Six setups beyond the book's, four base roles on every seed and one
    // decay-only run each.
    assert_eq!(
        count(&|p| matches!(p, Purpose::Setup { .. })),
        6 * (4 * 3 + 1)
    );
    // The branches: three m and at least three eta, and at least two
    // eta/m reached with two (eta, m) each.
    let distinct = |values: Vec<f64>| {
        let mut v = values;
        v.sort_by(f64::total_cmp);
        v.dedup();
        v.len()
    };
    assert!(distinct(BRANCHES.iter().map(|b| b.1 as f64).collect()) >= 3);
    assert!(distinct(BRANCHES.iter().map(|b| b.0).collect()) >= 3);
    let ratios: Vec<f64> = BRANCHES.iter().map(|(eta, m)| eta / *m as f64).collect();
    let shared = distinct(ratios.clone());
    assert!(ratios.len() - shared >= 2, "{ratios:?}");
    assert_eq!(plan.seeds, [1, 2, 3]);
    // Every fixed-product pair has the base run's eta*lambda.
    for &(eta, lambda) in &plan.fixed_products {
        assert_abs_diff_eq!(eta * lambda, ETA * LAMBDA, epsilon = 1e-12);
    }
    // The n_w families: within 4% of their first member.
    let n_w = |(width, pool): (usize, usize)| width * (784 / (pool * pool) + 10);
    for family in [[(10, 1), (39, 2), (135, 4)], [(30, 1), (116, 2), (404, 4)]] {
        for member in family {
            let ratio = n_w(member) as f64 / n_w(family[0]) as f64;
            assert!(
                abs_diff_eq!(ratio, 1.0, epsilon = 0.04),
                "{member:?}: {ratio}"
            );
        }
    }
    // Names are unique, and every configuration is valid.
    let mut names: Vec<&str> = plan.runs.iter().map(|r| r.name.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), plan.runs.len());
    for run in &plan.runs {
        run.config.validate().unwrap();
    }
    // f64 for the sweeps whose c = eta*lambda/n is below 1e-5 (lambda
    // 0.05 and 0.5, eta 0.025 and 0.05), f32 for every other training run.
    let f64_runs: Vec<&str> = plan
        .runs
        .iter()
        .filter(|r| !r.config.decay_only && r.config.precision == Precision::F64)
        .map(|r| r.name.as_str())
        .collect();
    let slow = ["lambda-0.05", "lambda-0.5", "eta-0.025", "eta-0.05"];
    let every_seed: Vec<String> = (1..=3)
        .flat_map(|seed| slow.iter().map(move |name| format!("{name}-s{seed}")))
        .collect();
    assert_eq!(f64_runs, every_seed);
    // The sweep runs whose relaxation is too slow to settle in the cap
    // train a short while only.
    let short: Vec<&str> = plan
        .runs
        .iter()
        .filter(|r| r.config.epochs == UNSETTLED_EPOCHS)
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(short, f64_runs);
    // Decay-only runs sweep eta*lambda/n from 1e-6 to 0.5.
    for run in decay_only(&plan) {
        let Purpose::DecayOnly { c } = run.purpose else {
            unreachable!()
        };
        let n = run.config.train_size.unwrap() as f64;
        assert_abs_diff_eq!(
            run.config.eta * run.config.lambda / n,
            c,
            epsilon = 1e-12 * c
        );
    }
}

#[test]
fn seeds_start_at_the_base_and_must_fit() {
    assert_eq!(Plan::new(Mode::Full, 2, 4).unwrap().seeds, [4, 5]);
    assert_eq!(Plan::new(Mode::Quick, 3, 7).unwrap().seeds, [7]);
    assert!(Plan::new(Mode::Full, 2, u64::MAX).is_none());
    assert!(Plan::new(Mode::Full, 1, u64::MAX).is_some());
}

/// A training run of `plan` (neither decay-only nor a branch): the base
/// batch, the full gradient at the end, and its epochs by whether it has
/// L2 and can settle within the cap.
fn a_training_run_as_planned(plan: &Plan, run: &RunSpec) {
    let c = &run.config;
    let l2 = c.lambda > 0.0;
    assert_eq!(c.batch, BATCH, "{}", run.name);
    assert_eq!(c.full_gradient, FullGradientAt::End, "{}", run.name);
    assert!(!c.decay_only, "{}", run.name);
    // Runs with L2 stop once settled, at the cap at the latest;
    // those that cannot settle within it train a short while.
    assert_eq!(c.stop_when_settled, l2, "{}", run.name);
    let epochs = if !l2 {
        plan.no_l2_epochs
    } else if can_settle(c.eta, c.lambda, c.batch, plan.epoch_cap) {
        plan.epoch_cap
    } else {
        UNSETTLED_EPOCHS
    };
    assert_eq!(c.epochs, epochs, "{}", run.name);
}

/// A setup's run: the setup's rule, cost and neurons, and its role's
/// initialization, length, decay and probes.
fn a_setup_run_as_planned(plan: &Plan, run: &RunSpec, setup: &str, role: SetupRole) {
    let c = &run.config;
    let setup = plan.setups.iter().find(|s| s.name == setup).unwrap();
    let trains_with = match role {
        SetupRole::Base { l2: false, .. } => setup.without_decay(),
        _ => setup.clone(),
    };
    assert_eq!((c.rule, c.lambda), (trains_with.rule(), trains_with.lambda));
    assert_eq!(c.cost, setup.cost);
    assert_eq!(
        (c.eta, c.hidden, c.batch),
        (setup.eta, setup.activation, BATCH)
    );
    assert!(!c.stop_when_settled, "{}", run.name);
    match role {
        SetupRole::Base { init, l2: with_l2 } => {
            assert_eq!(
                (c.init, c.sizes.as_slice()),
                (init, [784, WIDTH, 10].as_slice())
            );
            assert_eq!(c.epochs, plan.setup_epochs);
            let decays = c.decay_per_step(plan.train_size) > 0.0;
            assert_eq!(decays, with_l2, "{}", run.name);
            assert_eq!(c.probes, with_l2, "{}", run.name);
        }
        SetupRole::DecayOnly { c: per_step } => {
            assert!(c.decay_only && c.precision == Precision::F64);
            assert_eq!(per_step, c.decay_per_step(DECAY_ONLY_N));
            assert!(per_step > 0.0, "{}", run.name);
        }
    }
}

#[test]
fn every_run_is_configured_as_its_purpose_says() {
    let plan = Plan::new(Mode::Full, 2, 7).unwrap();
    for run in &plan.runs {
        let c = &run.config;
        assert_eq!(c.seed, run.seed, "{}", run.name);
        let l2 = c.lambda > 0.0;
        let setup_decay_only = matches!(
            run.purpose,
            Purpose::Setup {
                role: SetupRole::DecayOnly { .. },
                ..
            }
        );
        if !matches!(run.purpose, Purpose::DecayOnly { .. }) && !setup_decay_only {
            assert_eq!(c.train_size, Some(plan.train_size), "{}", run.name);
            let decay = c.decay_per_step(plan.train_size);
            assert_eq!(c.precision, Precision::for_decay(decay), "{}", run.name);
        }
        if !matches!(
            run.purpose,
            Purpose::DecayOnly { .. } | Purpose::Branch { .. } | Purpose::Setup { .. }
        ) {
            a_training_run_as_planned(&plan, run);
        }
        match run.purpose {
            Purpose::Base { init, l2: with_l2 } => {
                assert_eq!((c.init, l2, c.pool), (init, with_l2, 1));
                assert_eq!(c.sizes, [784, WIDTH, 10]);
            }
            Purpose::LambdaSweep { lambda } => {
                assert_eq!((c.eta, c.lambda), (ETA, lambda));
            }
            Purpose::EtaSweep { eta } => {
                assert_eq!((c.eta, c.lambda), (eta, LAMBDA));
            }
            Purpose::FixedProduct { eta, lambda } => {
                assert_eq!((c.eta, c.lambda), (eta, lambda));
            }
            Purpose::DecayOnly { .. } => {
                assert_eq!((c.sizes.as_slice(), c.pool), ([49, 10, 10].as_slice(), 4));
                assert_eq!(
                    (c.train_size, c.epochs),
                    (Some(DECAY_ONLY_N), DECAY_ONLY_EPOCHS)
                );
                assert!(c.decay_only && !c.stop_when_settled);
                assert_eq!(c.full_gradient, FullGradientAt::Never);
                assert_eq!(c.precision, Precision::F64);
            }
            Purpose::Scaling { width, pool, init } => {
                assert_eq!(c.sizes, [784 / (pool * pool), width, 10]);
                assert_eq!((c.pool, c.init), (pool, init));
            }
            Purpose::InputScale { pool, scale } => {
                assert_eq!(c.sizes, [784 / (pool * pool), WIDTH, 10]);
                assert_eq!((c.pool, c.input_scale), (pool, scale));
                assert_eq!((c.eta, c.lambda, c.init), (ETA, LAMBDA, Init::Default));
            }
            Purpose::NoiseParent { lambda } => {
                assert_eq!((c.eta, c.lambda, c.init), (ETA, lambda, Init::Default));
                assert!(run.saves_network, "{}", run.name);
            }
            Purpose::Setup { ref setup, role } => a_setup_run_as_planned(&plan, run, setup, role),
            Purpose::Branch { lambda, eta, m } => {
                assert_eq!((c.eta, c.lambda, c.batch), (eta, lambda, m));
                let parent = run.parent.as_ref().expect("a branch has a parent");
                assert!(parent.saves_network && parent.seed == run.seed);
                assert_eq!(parent.config.lambda, lambda);
                // The parent as the plan has it, and its network.
                assert!(plan.runs.iter().any(|r| **parent == *r));
                let file = format!("{}.net.json", parent.name);
                assert_eq!(c.load.as_deref(), Some(std::path::Path::new(&file)));
                // Burn-in and averaging, in relaxation times m/(eta*lambda).
                let tau = m as f64 / (eta * lambda);
                let (burn_in, total) = branch_epochs(eta, lambda, m);
                assert_eq!(c.epochs, total);
                assert!(burn_in as f64 >= BRANCH_BURN_IN * tau);
                assert!((total - burn_in) as f64 >= BRANCH_AVERAGE * tau);
                assert!(burn_in >= BRANCH_MIN_BURN_IN);
                assert!(total - burn_in >= BRANCH_MIN_AVERAGE);
                assert!(!c.probes && !c.stop_when_settled);
                // The first seed's branches keep their last network and
                // its tail average over the epochs whose size is averaged.
                let beside_optimum = run.seed == plan.seeds[0];
                assert_eq!(run.saves_network, beside_optimum, "{}", run.name);
                assert_eq!(c.tail_average_from, beside_optimum.then_some(burn_in + 1));
                let gradient = if beside_optimum {
                    FullGradientAt::End
                } else {
                    FullGradientAt::Never
                };
                assert_eq!(c.full_gradient, gradient);
            }
        }
        if !matches!(run.purpose, Purpose::Branch { .. }) {
            assert!(run.parent.is_none() && run.config.load.is_none());
            assert_eq!(run.config.tail_average_from, None);
        }
    }
    // The branches: every seed, lambda and (eta, m); at lambda 5 from the
    // base default-init run.
    let branches = plan
        .runs
        .iter()
        .filter(|r| matches!(r.purpose, Purpose::Branch { .. }));
    assert_eq!(branches.count(), 2 * NOISE_LAMBDAS.len() * BRANCHES.len());
    let base_parent = plan.noise_parent(LAMBDA, 7).unwrap();
    assert_eq!(
        base_parent.purpose,
        Purpose::Base {
            init: Init::Default,
            l2: true
        }
    );
    assert!(base_parent.saves_network);
    // The parents, and the first seed's branches.
    let keeping = plan.runs.iter().filter(|r| r.saves_network).count();
    assert_eq!(
        keeping,
        2 * NOISE_LAMBDAS.len() + NOISE_LAMBDAS.len() * BRANCHES.len()
    );
    assert_eq!(decay_only(&plan).count(), DECAY_FRACTIONS.len());
}

#[test]
fn cost_is_epochs_of_the_base_network_on_the_whole_training_set() {
    let plan = Plan::new(Mode::Quick, 1, 1).unwrap();
    let base = &plan.runs[0].config;
    assert_abs_diff_eq!(relative_cost(base), base.epochs as f64, epsilon = 1e-12);
    let decay_only = decay_only(&plan).next().unwrap();
    // [49, 10, 10]: 590 weights, 1,000 examples, 2 epochs, at 2% of the work.
    let expected = 0.02 * 590.0 * 1_000.0 / (23_820.0 * 50_000.0) * 2.0;
    assert_abs_diff_eq!(relative_cost(&decay_only.config), expected, epsilon = 1e-15);
}

#[test]
fn a_purposes_kind_is_its_json_tag() {
    let plan = Plan::new(Mode::Full, 1, 1).expect("a plan");
    for spec in &plan.runs {
        let json = serde_json::to_value(&spec.purpose).unwrap();
        assert_eq!(json["kind"], spec.purpose.kind(), "{}", spec.name);
    }
}

/// The deep study: the full study's runs, every sweep point on every seed
/// as there, each sweep run long enough for five relaxation times (so
/// every one can settle), and branches averaged over three relaxation
/// times.
#[test]
fn the_deep_plan_sweeps_long_enough_to_settle() {
    let full = Plan::new(Mode::Full, 3, 1).unwrap();
    let deep = Plan::new(Mode::Deep, 3, 1).unwrap();
    let sweeps = |plan: &Plan| -> Vec<RunSpec> {
        (plan.runs.iter())
            .filter(|r| {
                matches!(
                    r.purpose,
                    Purpose::LambdaSweep { .. }
                        | Purpose::EtaSweep { .. }
                        | Purpose::FixedProduct { .. }
                )
            })
            .cloned()
            .collect()
    };
    let (full_sweeps, deep_sweeps) = (sweeps(&full), sweeps(&deep));
    let names = |runs: &[RunSpec]| -> Vec<String> { runs.iter().map(|r| r.name.clone()).collect() };
    assert_eq!(names(&deep_sweeps), names(&full_sweeps));
    for plan_sweeps in [&full_sweeps, &deep_sweeps] {
        for run in plan_sweeps.iter() {
            let seeds: Vec<u64> = (plan_sweeps.iter())
                .filter(|r| r.purpose == run.purpose)
                .map(|r| r.seed)
                .collect();
            assert_eq!(seeds, [1, 2, 3], "{:?}", run.purpose);
        }
    }
    for run in &deep_sweeps {
        let c = &run.config;
        let tau = theory::relaxation_epochs(c.eta, c.lambda, c.batch);
        assert!(
            c.epochs as f64 >= SETTLE_RELAXATIONS * tau,
            "{}: {} epochs",
            run.name,
            c.epochs
        );
        assert!(c.epochs >= full.epoch_cap);
    }
    // lambda 0.05 at eta 0.1: tau = 2,000 epochs; the full study gives it 20.
    let slow = |plan: &Plan| {
        (plan.runs.iter())
            .find(|r| r.purpose == Purpose::LambdaSweep { lambda: 0.05 })
            .map(|r| r.config.epochs)
    };
    assert_eq!(
        (slow(&full), slow(&deep)),
        (Some(UNSETTLED_EPOCHS), Some(10_000))
    );
    for run in deep.runs.iter() {
        if let Purpose::Branch { lambda, eta, m } = run.purpose {
            let tau = theory::relaxation_epochs(eta, lambda, m);
            let (burn_in, total) = deep_branch_epochs(eta, lambda, m);
            assert_eq!(run.config.epochs, total);
            assert_eq!(burn_in, branch_epochs(eta, lambda, m).0);
            assert!((total - burn_in) as f64 >= DEEP_BRANCH_AVERAGE * tau);
        }
    }
    // Everything else as in the full study.
    let others = |plan: &Plan| -> Vec<String> {
        (plan.runs.iter())
            .filter(|r| !matches!(r.purpose, Purpose::Branch { .. }))
            .filter(|r| !sweeps(plan).iter().any(|s| s.name == r.name))
            .map(|r| r.name.clone())
            .collect()
    };
    assert_eq!(others(&full), others(&deep));
}
