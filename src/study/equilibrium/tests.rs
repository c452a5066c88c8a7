//! Tests of `study::equilibrium`.

use super::*;
use approx::{abs_diff_eq, assert_abs_diff_eq};

/// An entry of configuration `config`, seed `seed`.
fn entry(config: &str, seed: u64, width: usize, n_in: usize, size: f64) -> SettledEntry {
    SettledEntry {
        run: format!("{config}-s{seed}"),
        layer: Layer::FIRST,
        init: Init::Large,
        width,
        n_in,
        n_w: width * (n_in + 10),
        eta: 0.1,
        lambda: 5.0,
        seed,
        settled: true,
        settled_epoch: Some(40),
        size,
        size_extrapolated: None,
        size_live_inputs: None,
        blank_inputs: None,
        spread: Some(0.0),
        epochs: 50,
        input_norm: Some(9.0),
        size_times_input_norm: Some(9.0 * size),
        final_accuracy: 0.95,
        collapsed: false,
    }
}

#[test]
fn the_first_layers_live_inputs_settle_over_its_epochs() {
    use crate::metrics::synthetic::synthetic_run;
    use crate::probes::LiveInputs;
    let f: Vec<f64> = (0..=30).map(|e| 1.0 - (-(e as f64) / 4.0).exp()).collect();
    let rms: Vec<f64> = (0..=30).map(|e| 1.0 + e as f64).collect();
    let mut records = synthetic_run(&rms, &f, &[0.96; 31], 0.95);
    for (e, r) in records.iter_mut().enumerate() {
        r.live_inputs = Some(LiveInputs {
            blank: 3,
            rms: 2.0 * rms[e],
        });
    }
    let plan = plan::Plan::new(plan::Mode::Quick, 1, 1).expect("a plan");
    let run = |records: Vec<crate::metrics::EpochRecord>| RunResult {
        spec: plan.runs[0].clone(),
        records,
        reused: false,
        redone: false,
    };
    let table = settled_table(&[run(records.clone())]);
    let [w1, w2, all] = &table[..] else {
        panic!("three entries: {table:?}")
    };
    assert!(w1.settled);
    assert_abs_diff_eq!(w1.size_live_inputs.unwrap(), 2.0 * w1.size, epsilon = 1e-12);
    assert_eq!(w1.blank_inputs, Some(3));
    for other in [w2, all] {
        assert_eq!((other.size_live_inputs, other.blank_inputs), (None, None));
    }
    // The live size is over the first layer's settled epochs.
    let live = Settling::of_live_inputs(&records).unwrap();
    assert_eq!(live.settled_epoch, w1.settled_epoch);
    // One record without them (written before they were measured): none.
    records[5].live_inputs = None;
    assert_eq!(Settling::of_live_inputs(&records), None);
    assert_eq!(settled_table(&[run(records)])[0].size_live_inputs, None);
}

#[test]
fn known_exponents_are_recovered_from_one_point_per_configuration() {
    // size = 6 n_in^-0.5 width^0.1, three seeds per configuration whose
    // sizes wobble by a factor exp(+-0.01) around it.
    let mut entries = Vec::new();
    for (c, (width, n_in)) in [
        (10, 784),
        (39, 196),
        (135, 49),
        (30, 784),
        (116, 196),
        (30, 49),
    ]
    .into_iter()
    .enumerate()
    {
        let size = 6.0 * (n_in as f64).powf(-0.5) * (width as f64).powf(0.1);
        let wobble = 0.002 * (c as f64 - 2.5);
        for (seed, d) in [(1, -0.01), (2, 0.0), (3, 0.01)] {
            entries.push(entry(
                &format!("c{c}"),
                seed,
                width,
                n_in,
                size * (d + wobble).exp(),
            ));
        }
    }
    let refs: Vec<&SettledEntry> = entries.iter().collect();
    let fit = fit_layer(Layer::FIRST, &refs, &[Predictor::Width, Predictor::NIn]).unwrap();
    assert_eq!(fit.points, 6, "one point per configuration, not per seed");
    let n_in = fit.exponents[&Predictor::NIn];
    let width = fit.exponents[&Predictor::Width];
    assert!(abs_diff_eq!(n_in.value, -0.5, epsilon = 0.01), "{n_in:?}");
    assert!(n_in.low < -0.5 && -0.5 < n_in.high);
    assert!(abs_diff_eq!(width.value, 0.1, epsilon = 0.02), "{width:?}");
    assert_abs_diff_eq!(fit.intercept, 6f64.ln(), epsilon = 0.1);
    assert_eq!(fit.residuals.len(), 6);
    // The seeds' spread does not narrow the interval: 18 runs as 18
    // points would give a smaller one.
    let per_run: Vec<SettledEntry> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| SettledEntry {
            run: format!("r{i}-s1"),
            ..e.clone()
        })
        .collect();
    let refs: Vec<&SettledEntry> = per_run.iter().collect();
    let naive = fit_layer(Layer::FIRST, &refs, &[Predictor::Width, Predictor::NIn]).unwrap();
    assert_eq!(naive.points, 18);
    let width_of =
        |f: &SizeFit| f.exponents[&Predictor::NIn].high - f.exponents[&Predictor::NIn].low;
    assert!(width_of(&naive) < width_of(&fit));
}

#[test]
fn a_configuration_with_an_unsettled_run_is_left_out_and_counted() {
    let mut entries: Vec<SettledEntry> = [(10, 784), (39, 196), (135, 49), (30, 784)]
        .into_iter()
        .enumerate()
        .map(|(c, (w, n))| entry(&format!("c{c}"), 1, w, n, (n as f64).powf(-0.5)))
        .collect();
    entries[1].settled = false;
    let refs: Vec<&SettledEntry> = entries.iter().collect();
    let fit = fit_layer(Layer::FIRST, &refs, &[Predictor::NIn]).unwrap();
    assert_eq!((fit.points, fit.unsettled), (3, 1));
    assert_abs_diff_eq!(fit.exponents[&Predictor::NIn].value, -0.5, epsilon = 1e-9);
    // An exact power law leaves no residual.
    let names: Vec<&str> = fit
        .residuals
        .iter()
        .map(|r| r.configuration.as_str())
        .collect();
    assert_eq!(names, ["c0", "c2", "c3"]);
    for r in &fit.residuals {
        assert_abs_diff_eq!(r.residual, 0.0, epsilon = 1e-12);
    }
}

#[test]
fn a_configuration_with_a_collapsed_run_is_left_out_and_counted_apart() {
    let mut entries: Vec<SettledEntry> = [(10, 784), (39, 196), (135, 49), (30, 784)]
        .into_iter()
        .enumerate()
        .map(|(c, (w, n))| entry(&format!("c{c}"), 1, w, n, (n as f64).powf(-0.5)))
        .collect();
    // Settled, but at a size far off the law: it would pull the fit.
    entries[2].collapsed = true;
    entries[2].size = 10.0;
    let refs: Vec<&SettledEntry> = entries.iter().collect();
    let fit = fit_layer(Layer::FIRST, &refs, &[Predictor::NIn]).unwrap();
    assert_eq!((fit.points, fit.unsettled, fit.collapsed), (3, 0, 1));
    assert_abs_diff_eq!(fit.exponents[&Predictor::NIn].value, -0.5, epsilon = 1e-9);
}

#[test]
fn a_configuration_without_a_positive_predictor_is_left_out() {
    // size = 2 / input norm, one configuration's input norm 0 (no log).
    let entries: Vec<SettledEntry> = [3.0, 0.0, 9.0, 27.0]
        .into_iter()
        .enumerate()
        .map(|(c, norm)| SettledEntry {
            input_norm: Some(norm),
            ..entry(&format!("c{c}"), 1, 30, 784, 2.0 / norm.max(1.0))
        })
        .collect();
    let refs: Vec<&SettledEntry> = entries.iter().collect();
    let fit = fit_layer(Layer::FIRST, &refs, &[Predictor::InputNorm]).unwrap();
    assert_eq!((fit.points, fit.unsettled), (3, 1));
    assert_abs_diff_eq!(
        fit.exponents[&Predictor::InputNorm].value,
        -1.0,
        epsilon = 1e-9
    );
    // A residual is the measured log size less the fitted one.
    let mut off = entries.clone();
    off[3].size *= 2f64.exp();
    let refs: Vec<&SettledEntry> = off.iter().collect();
    let fit = fit_layer(Layer::FIRST, &refs, &[Predictor::InputNorm]).unwrap();
    let sum: f64 = fit.residuals.iter().map(|r| r.residual).sum();
    assert_abs_diff_eq!(sum, 0.0, epsilon = 1e-9);
    assert!(fit.residuals[2].residual > 0.0, "{:?}", fit.residuals);
}

#[test]
fn configurations_are_names_without_the_seed() {
    assert_eq!(
        configuration("scale-large-w39-in196-s12"),
        "scale-large-w39-in196"
    );
    assert_eq!(configuration("base-large-l2-s1"), "base-large-l2");
}
