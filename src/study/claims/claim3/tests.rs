//! Tests of claim 3: its evidence from synthetic runs and its verdicts.

use super::*;
use crate::metrics::synthetic::synthetic_run;
use crate::probes::FullGradient;
use crate::study::equilibrium::Exponent;
use approx::assert_abs_diff_eq;

fn decide(e: &Claim3Evidence) -> Verdict {
    Claim3::decide(e, &Thresholds::default()).verdict
}

fn findings(e: &Claim3Evidence) -> Claim3Findings {
    Claim3::decide(e, &Thresholds::default()).findings
}

/// Evidence of one weight layer whose settled size is `size` for
/// n_w = 10,000 and n_in = 100, with a joint grid fit of the given
/// exponents (+-0.05).
fn evidence_with(size: f64, width_exponent: f64, n_in_exponent: f64) -> Claim3Evidence {
    let run = synthetic_run(&[1.0; 31], &[1.0; 31], &[0.9; 31], 0.95);
    evidence_of(&run, Some(20), size, width_exponent, n_in_exponent)
}

/// `evidence_with` of a given base run, settled from `settled_epoch`.
fn evidence_of(
    run: &[EpochRecord],
    settled_epoch: Option<usize>,
    size: f64,
    width_exponent: f64,
    n_in_exponent: f64,
) -> Claim3Evidence {
    let fit = SizeFit {
        layer: Layer::FIRST,
        response: "size",
        predictors: vec![Predictor::Width, Predictor::NIn],
        exponents: [
            (Predictor::Width, width_exponent),
            (Predictor::NIn, n_in_exponent),
        ]
        .into_iter()
        .map(|(n, v)| {
            (
                n,
                Exponent {
                    value: v,
                    low: v - 0.05,
                    high: v + 0.05,
                },
            )
        })
        .collect(),
        intercept: 0.0,
        r_squared: 1.0,
        method: "test",
        points: 5,
        unsettled: 0,
        collapsed: 0,
        residuals: Vec::new(),
    };
    let entry = settled_entry("base-large-l2-s1", Layer::FIRST, size, settled_epoch);
    let runs = Claim3Runs {
        base: vec![NamedRun {
            name: "base-large-l2-s1",
            records: run,
        }],
        sizes: vec![100, 100],
        grid: vec!["base-large-l2-s1"],
        sweep: Vec::new(),
    };
    // Another layer's joint fit, first: only w1's own may be used.
    let decoy = SizeFit {
        layer: Layer::Weights(1),
        exponents: fit
            .exponents
            .keys()
            .map(|&n| {
                let e = Exponent {
                    value: 5.0,
                    low: 4.9,
                    high: 5.1,
                };
                (n, e)
            })
            .collect(),
        ..fit.clone()
    };
    let fits = [decoy, fit];
    let mut e = evidence(&runs, &[entry], &fits, &[], &Thresholds::default());
    e.n_w = 10_000;
    e
}

/// One settled-table entry of a [100, 100] run with n_w = 10,000.
fn settled_entry(run: &str, layer: Layer, size: f64, settled_epoch: Option<usize>) -> SettledEntry {
    SettledEntry {
        run: run.into(),
        layer,
        init: Init::Large,
        width: 100,
        n_in: 100,
        n_w: 10_000,
        eta: 0.1,
        lambda: 5.0,
        seed: 1,
        settled: settled_epoch.is_some(),
        settled_epoch,
        size,
        size_extrapolated: None,
        size_live_inputs: None,
        blank_inputs: None,
        spread: settled_epoch.map(|_| 0.0),
        epochs: 30,
        input_norm: Some(1.0),
        size_times_input_norm: Some(size),
        final_accuracy: 0.95,
        collapsed: false,
    }
}

#[test]
fn the_verdict_follows_the_size_and_the_exponents_of_1_over_n_w() {
    // 1/n_w = 1e-4; the factor is 3.
    assert_eq!(decide(&evidence_with(2e-4, -1.0, -1.0)), Verdict::Holds);
    assert_eq!(decide(&evidence_with(2.9e-4, -1.0, -1.0)), Verdict::Holds);
    assert_eq!(decide(&evidence_with(3.1e-4, -1.0, -1.0)), Verdict::Partly);
    // A factor either way: half of 1/n_w is around it, a third less is not.
    assert_eq!(decide(&evidence_with(0.5e-4, -1.0, -1.0)), Verdict::Holds);
    assert_eq!(decide(&evidence_with(0.3e-4, -1.0, -1.0)), Verdict::Partly);
    assert_eq!(decide(&evidence_with(2e-4, 0.0, -0.5)), Verdict::Partly);
    assert_eq!(decide(&evidence_with(0.2, 0.0, -0.5)), Verdict::Fails);
}

#[test]
fn the_budget_and_the_full_gradient_of_the_settled_epochs() {
    // Epochs 1..=30: decay -1, drift 0.8, noise 0.2 in every layer;
    // settled from epoch 20, so 11 settled epochs.
    let mut run = synthetic_run(&[1.0; 31], &[0.8; 31], &[0.9; 31], 0.95);
    for r in run.iter_mut().skip(1) {
        let b = &mut r.dynamics.as_mut().unwrap().budget;
        for t in b.layers.iter_mut().chain([&mut b.all]) {
            t.noise = 0.2;
        }
    }
    let gradient = |decay_gradient: f64| FullGradient {
        data_gradient: 0.3,
        decay_gradient,
        cosine: Some(0.8),
        predicted_noise: 0.25,
        predicted_noise_from_spread: 0.2,
    };
    run[30].full_gradient = Some(vec![gradient(0.6), gradient(0.0)]);
    let e = evidence_of(&run, Some(20), 0.1, 0.0, -0.5);
    let w1 = &e.layers[0];
    assert_abs_diff_eq!(w1.drift_share.unwrap(), 0.8, epsilon = 1e-12);
    assert_abs_diff_eq!(w1.noise_share.unwrap(), 0.2, epsilon = 1e-12);
    assert_abs_diff_eq!(w1.noise_measured.unwrap(), 0.2, epsilon = 1e-12);
    assert_eq!(w1.noise_predicted, Some(0.25));
    assert_eq!(w1.optimum_cosine, Some(0.8));
    assert_eq!(w1.gradient_ratio, Some(0.5));
    // No decay gradient, no ratio.
    let run_w2 = {
        let mut r = run.clone();
        r[30].full_gradient = Some(vec![gradient(0.0), gradient(0.6)]);
        r
    };
    let e2 = evidence_of(&run_w2, Some(20), 0.1, 0.0, -0.5);
    assert_eq!(e2.layers[0].gradient_ratio, None);
    // No settled epochs: nothing measured.
    let unsettled = evidence_of(&run, None, 0.1, 0.0, -0.5);
    let w1 = &unsettled.layers[0];
    assert_eq!((w1.drift_share, w1.noise_measured), (None, None));
    // No decay (decay 0): no shares.
    let mut no_decay = run.clone();
    for r in no_decay.iter_mut().skip(1) {
        let b = &mut r.dynamics.as_mut().unwrap().budget;
        for t in b.layers.iter_mut().chain([&mut b.all]) {
            t.decay = 0.0;
        }
    }
    let e = evidence_of(&no_decay, Some(20), 0.1, 0.0, -0.5);
    assert_eq!(e.layers[0].drift_share, None);
}

#[test]
fn each_hypothesis_is_checked_against_its_own_exponents_and_size() {
    let e = evidence_with(2e-4, -1.0, -1.0);
    let h = &e.layers[0].hypotheses;
    let predicted: Vec<(f64, f64)> = h
        .each()
        .iter()
        .map(|h| (h.predicted_width_exponent, h.predicted_n_in_exponent))
        .collect();
    assert_eq!(predicted[..2], [(-1.0, -1.0), (-0.5, -0.5)]);
    assert_eq!(h.inv_n_w.exponents_consistent, Some(true));
    assert_eq!(h.inv_sqrt_n_w.exponents_consistent, Some(false));
    // Within a factor SIZE_FACTOR either way: 2 is, 1/2 is, 1/4 is not.
    assert!(h.inv_n_w.size_within_factor);
    let half = evidence_with(0.05, 0.0, -0.5);
    assert_abs_diff_eq!(
        half.layers[0].hypotheses.inv_sqrt_n_in.size_over_reference,
        0.5,
        epsilon = 1e-12
    );
    assert!(half.layers[0].hypotheses.inv_sqrt_n_in.size_within_factor);
    let quarter = evidence_with(0.025, 0.0, -0.5);
    assert!(
        !quarter.layers[0]
            .hypotheses
            .inv_sqrt_n_in
            .size_within_factor
    );
}

#[test]
fn the_evidence_names_the_hypotheses_the_fit_supports() {
    let e = evidence_with(0.2, 0.0, -0.5);
    let layer = &e.layers[0];
    assert_eq!(layer.settled_seeds, 1);
    let found = findings(&e);
    assert_eq!(found.laws_consistent, [SizeLaw::SqrtFanIn]);
    assert_eq!(
        found.laws_excluded,
        [SizeLaw::WeightCount, SizeLaw::SqrtWeightCount]
    );
    // 0.2 against 1/sqrt(100) = 0.1.
    assert_abs_diff_eq!(
        layer.hypotheses.inv_sqrt_n_in.size_over_reference,
        2.0,
        epsilon = 1e-12
    );
    // The synthetic budget: decay -1, drift 1 (f = 1), no noise.
    assert_abs_diff_eq!(layer.drift_share.unwrap(), 1.0, epsilon = 1e-12);
    assert_eq!(layer.noise_share, Some(0.0));
    // One run of the grid says nothing about how size follows the input.
    assert!(!findings(&e).scale_of_inputs_compared);
}

#[test]
fn no_settled_base_run_is_inconclusive() {
    let mut e = evidence_with(0.2, 0.0, -0.5);
    e.layers.iter_mut().for_each(|l| l.settled_seeds = 0);
    assert_eq!(decide(&e), Verdict::Inconclusive);
}

#[test]
fn the_lambda_sweep_reads_w1s_settled_size_and_marks_collapse_below_the_threshold() {
    let run = |accuracy: f64| synthetic_run(&[1.0; 5], &[1.0; 5], &[accuracy; 5], 0.95);
    let collapsed_accuracy = Thresholds::default().collapsed_accuracy;
    let (kept, at, collapsed) = (run(0.95), run(collapsed_accuracy), run(0.5));
    let sweep = [
        (1.0, &kept[..], "lambda-1"),
        (10.0, &at[..], "lambda-10"),
        (50.0, &collapsed[..], "lambda-50"),
    ]
    .into_iter()
    .map(|(lambda, records, name)| SweepRun {
        lambda,
        run: NamedRun { name, records },
    })
    .collect();
    // Another layer's entry first, and an unsettled w1 for lambda 10.
    let settled = [
        settled_entry("lambda-1", Layer::Weights(1), 9.0, Some(2)),
        settled_entry("lambda-1", Layer::FIRST, 0.3, Some(2)),
        settled_entry("lambda-10", Layer::FIRST, 0.2, None),
    ];
    let runs = Claim3Runs {
        base: Vec::new(),
        sizes: vec![100, 100],
        grid: Vec::new(),
        sweep,
    };
    let e = evidence(&runs, &settled, &[], &[], &Thresholds::default());
    let rows: Vec<(Option<f64>, bool)> = e
        .lambda_sweep
        .iter()
        .map(|r| (r.settled_size_w1, r.collapsed))
        .collect();
    assert_eq!(rows, [(Some(0.3), false), (None, false), (None, true)]);
    assert_eq!(findings(&e).collapsed_lambdas, [50.0]);
}

/// Claim 3's evidence with one scale-of-inputs row over `configurations`
/// runs of n_in from `n_in_min` to 100.
fn findings_with(configurations: usize, n_in_min: usize) -> Claim3Findings {
    let mut e = evidence_with(0.2, 0.0, -0.5);
    e.scale_of_inputs = vec![ScaleOfInputs {
        layer: Layer::FIRST,
        min: 1.0,
        max: 2.0,
        configurations,
        n_in_range: format!("{n_in_min} to 100"),
        n_in_min,
        n_in_max: 100,
        size_min: 0.1,
        size_max: 0.4,
    }];
    findings(&e)
}

/// A noise law of w1 at lambda 5: the line intercept + slope eta/m with
/// the given intervals, the optimum's |w*|^2, and an equal-ratio gap.
fn law(intercept: (f64, f64, f64), slope: (f64, f64, f64), optimum: Option<f64>) -> NoiseLaw {
    NoiseLaw {
        layer: Layer::FIRST,
        lambda: 5.0,
        optimum_sq: optimum,
        optimum_other_starts_sq: Vec::new(),
        optimum_grad_norm: None,
        optimum_size_change: None,
        intercept_sq: intercept.0,
        intercept_low: intercept.1,
        intercept_high: intercept.2,
        slope: slope.0,
        slope_low: slope.1,
        slope_high: slope.2,
        equal_ratio_gap: Some(0.01),
        parabola: None,
        points: Vec::new(),
    }
}

#[test]
fn the_noise_laws_boundaries_are_strict() {
    // Exact in binary: a quarter of |w|^2 at the base, 0 + 2,000 x 0.5.
    let t = Thresholds::default().with(Threshold::BalanceShare, 0.25);
    let test = |l: &NoiseLaw| noise_test(l, 0.5, &t);
    let at_the_share = law((0.0, -10.0, 250.0), (2000.0, 1000.0, 3000.0), None);
    assert_eq!(test(&at_the_share).set_by, SizeSetBy::Neither);
    let below = law((0.0, -10.0, 249.9), (2000.0, 1000.0, 3000.0), None);
    assert_eq!(test(&below).set_by, SizeSetBy::Noise);
    // A slope interval that ends at 0 holds 0: no direction.
    let from_zero = law((1000.0, 990.0, 1010.0), (10.0, 0.0, 20.0), None);
    assert_eq!(test(&from_zero).moves, NoiseMoves::Undetected);
    let to_zero = law((1000.0, 990.0, 1010.0), (-10.0, -20.0, 0.0), None);
    assert_eq!(test(&to_zero).moves, NoiseMoves::Undetected);
}

#[test]
fn the_noise_law_tells_the_optimum_from_the_noise_and_neither() {
    let t = Thresholds::default();
    let test = |l: &NoiseLaw| noise_test(l, 0.01, &t);
    // 900 at eta/m -> 0, 1,000 at the base: the optimum at 910 is within 5%.
    let optimum = test(&law((900.0, 880.0, 920.0), (1e4, 8e3, 1.2e4), Some(910.0)));
    assert_eq!(optimum.set_by, SizeSetBy::Optimum);
    assert_eq!(optimum.moves, NoiseMoves::Up);
    assert_abs_diff_eq!(optimum.intercept_share, 0.9, epsilon = 1e-12);
    assert_eq!(optimum.eta_over_m_alone, Some(true));
    // The same line, the optimum 10% away: neither.
    let far = test(&law((900.0, 880.0, 920.0), (1e4, 8e3, 1.2e4), Some(1000.0)));
    assert_eq!(far.set_by, SizeSetBy::Neither);
    // No optimum: neither, however the line looks.
    assert_eq!(
        test(&law((900.0, 880.0, 920.0), (1e4, 8e3, 1.2e4), None)).set_by,
        SizeSetBy::Neither
    );
    // Nearly all of the size from the noise: the intercept's top below 20%
    // of the size at the base eta/m (10 + 1e5 * 0.01 = 1,010).
    let noise = test(&law((10.0, -50.0, 150.0), (1e5, 9e4, 1.1e5), Some(900.0)));
    assert_eq!(noise.set_by, SizeSetBy::Noise);
    let not_quite = test(&law((10.0, -50.0, 210.0), (1e5, 9e4, 1.1e5), Some(900.0)));
    assert_eq!(not_quite.set_by, SizeSetBy::Neither);
    // The noise shrinking the size, and a slope whose interval holds 0.
    let down = test(&law(
        (1100.0, 1090.0, 1110.0),
        (-1e4, -1.2e4, -8e3),
        Some(1100.0),
    ));
    assert_eq!(
        (down.set_by, down.moves),
        (SizeSetBy::Optimum, NoiseMoves::Down)
    );
    let flat = test(&law(
        (1000.0, 990.0, 1010.0),
        (10.0, -5.0, 25.0),
        Some(1000.0),
    ));
    assert_eq!(flat.moves, NoiseMoves::Undetected);
    // Equal ratios 3% apart break the 2% tolerance.
    let mut apart = law((900.0, 880.0, 920.0), (1e4, 8e3, 1.2e4), Some(910.0));
    apart.equal_ratio_gap = Some(0.03);
    assert_eq!(test(&apart).eta_over_m_alone, Some(false));
}

#[test]
fn the_scale_of_inputs_is_told_over_three_runs_of_different_n_in() {
    let told =
        |configurations, n_in_min| findings_with(configurations, n_in_min).scale_of_inputs_compared;
    assert!(told(3, 10));
    assert!(!told(2, 10));
    assert!(!told(3, 100));
}

/// The tail averages come nearer stationary as eta/m falls where their
/// exponent's interval lies above 0; not where it reaches 0 or below; and
/// the test is not made without an exponent. The verdict does not change.
#[test]
fn the_averages_test_reads_the_exponents_interval() {
    let mut e = evidence_with(0.2, 0.0, -0.5);
    let verdict = decide(&e);
    let row = |lambda: f64, exponent: Option<(f64, f64)>| Stationarity {
        layer: Layer::FIRST,
        lambda,
        smallest_ratio: 0.005,
        last_gradient_ratio: 20.0,
        average_gradient_ratio: 2.0,
        last_cosine: 0.05,
        average_cosine: 0.4,
        exponent: exponent.map(|(low, high)| crate::study::fit::Coefficient {
            estimate: (low + high) / 2.0,
            standard_error: (high - low) / 4.0,
            low,
            high,
        }),
    };
    e.stationarity = vec![
        row(5.0, Some((0.1, 0.9))),
        row(15.0, Some((-0.1, 0.9))),
        row(50.0, None),
    ];
    let found: Vec<Option<bool>> = findings(&e)
        .averages
        .iter()
        .map(|a| a.toward_stationary)
        .collect();
    assert_eq!(found, [Some(true), Some(false), None]);
    assert_eq!(decide(&e), verdict);
}

/// A law's exponent of n_w is the one its reference size follows: 4 times
/// the weights give 4^x times the size (1/sqrt(n_in) has none).
#[test]
fn each_laws_n_w_exponent_is_its_reference_sizes() {
    for law in [
        SizeLaw::WeightCount,
        SizeLaw::SqrtWeightCount,
        SizeLaw::SqrtFanIn,
    ] {
        let ratio = law.reference(4 * 23_820, 784) / law.reference(23_820, 784);
        match law.n_w_exponent() {
            Some(x) => assert!((ratio - 4f64.powf(x)).abs() < 1e-12, "{law:?}: {ratio}"),
            None => assert_eq!(ratio, 1.0, "{law:?} does not change with n_w"),
        }
    }
}
