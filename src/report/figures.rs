//! One function per figure of the report, each from the study's results.

use super::plots::{self, BLUE, Chart, GREEN, GREY, ORANGE, PALETTE, PURPLE, RED, Series};
use crate::metrics::EpochRecord;
use crate::net::Init;
use crate::study::claims::{self, DECAY_DOMINATED, TAIL_OFF};
use crate::study::equilibrium::{SettledEntry, SizeFit};
use crate::study::summary::SeedCurve;
use crate::study::{Results, plan};
use crate::theory;

/// A curve's points (x, y) and its band (x, low, high).
type Curve = (Vec<(f64, f64)>, Vec<(f64, f64, f64)>);

/// Mean line and min-max band over runs of `value` per epoch.
fn mean_with_band(runs: &[&[EpochRecord]], value: impl Fn(&EpochRecord) -> f64) -> Curve {
    let curve = SeedCurve::of(runs, value);
    let epochs = (0..curve.mean.len()).map(|e| e as f64);
    let line = epochs.clone().zip(curve.mean.iter().copied()).collect();
    let band = epochs
        .zip(curve.low.iter().zip(&curve.high))
        .map(|(e, (&lo, &hi))| (e, lo, hi))
        .collect();
    (line, band)
}

const BASE_KINDS: [(Init, bool, &str, plots::RGBColor); 4] = [
    (Init::Large, true, "large N(0,1) + L2", BLUE),
    (Init::Default, true, "default N(0,1/n_in) + L2", ORANGE),
    (Init::Large, false, "large N(0,1), no L2", RED),
    (Init::Default, false, "default N(0,1/n_in), no L2", GREEN),
];

/// Validation accuracy per epoch of the four base kinds, bands over seeds,
/// and reference curves (name, accuracies per epoch from 1) if given.
pub fn accuracy(results: &Results, reference: &[(String, Vec<f64>)]) -> String {
    let mut series = Vec::new();
    for (init, l2, name, color) in BASE_KINDS {
        let runs = results.base(init, l2);
        let (line, band) = mean_with_band(&runs, |r| 100.0 * r.eval_accuracy);
        series.push(
            Series::line(name, line.into_iter().skip(1).collect(), color)
                .with_band(band.into_iter().skip(1).collect()),
        );
    }
    for (i, (name, accuracies)) in reference.iter().enumerate() {
        let points = accuracies
            .iter()
            .enumerate()
            .map(|(e, &a)| ((e + 1) as f64, 100.0 * a))
            .collect();
        series.push(
            Series::line(
                format!("reference: {name}"),
                points,
                PALETTE[(4 + i) % PALETTE.len()],
            )
            .dashed(),
        );
    }
    plots::render(&Chart {
        title: "Validation accuracy (mean over seeds, band = min to max)".into(),
        legend: Some(plots::SeriesLabelPosition::LowerRight),
        x_label: "epoch".into(),
        y_label: "accuracy (%)".into(),
        series,
        ..Chart::default()
    })
}

/// log rms per layer of large+L2 with exp(-eta*lambda*t/m) and reference sizes.
pub fn rms_per_layer(results: &Results) -> String {
    let runs = results.base(Init::Large, true);
    let sizes = results.base_sizes();
    let layers = sizes.len() - 1;
    let mut series = Vec::new();
    for l in 0..layers {
        let (line, band) = mean_with_band(&runs, |r| r.weights.layers[l].rms);
        series.push(
            Series::line(
                format!("rms of w^{} (n_in = {})", l + 1, sizes[l]),
                line,
                PALETTE[l],
            )
            .with_band(band),
        );
    }
    let (all, _) = mean_with_band(&runs, |r| r.weights.all.rms);
    let start = all.first().map_or(1.0, |p| p.1);
    let epochs = all.len();
    series.push(Series::line("rms of all weights", all, GREY));
    let rate = plan::ETA * plan::LAMBDA / plan::BATCH as f64;
    let decay_line = (0..epochs)
        .map(|e| (e as f64, start * (-rate * e as f64).exp()))
        .collect();
    series
        .push(Series::line("pure decay: rms_0 exp(-eta*lambda*t/m)", decay_line, PURPLE).dashed());
    let n_w = crate::net::weight_count(&sizes).unwrap_or(0);
    let refs = theory::ReferenceSizes::for_weight_count(n_w);
    plots::render(&Chart {
        title: "Weight size per layer, large init + L2 (log scale)".into(),
        legend: Some(plots::SeriesLabelPosition::MiddleRight),
        x_label: "epoch".into(),
        y_label: "rms of the weights".into(),
        log_y: true,
        series,
        hlines: vec![
            (
                theory::inv_sqrt_n_in(sizes[0]),
                format!("1/sqrt(n_in) = {:.4}", theory::inv_sqrt_n_in(sizes[0])),
                GREEN,
            ),
            (
                refs.inv_sqrt_n_w,
                format!("1/sqrt(n_w) = {:.4}", refs.inv_sqrt_n_w),
                ORANGE,
            ),
            (refs.inv_n_w, format!("1/n_w = {:.1e}", refs.inv_n_w), RED),
        ],
        ..Chart::default()
    })
}

/// The norm budget per epoch of the first large+L2 run: decay, drift, noise.
pub fn budget(records: &[EpochRecord]) -> String {
    let term = |f: fn(&crate::probes::BudgetTerms) -> f64| -> Vec<(f64, f64)> {
        records
            .iter()
            .skip(1)
            .filter_map(|r| Some((r.epoch as f64, f(&r.dynamics.as_ref()?.budget.all))))
            .collect()
    };
    plots::render(&Chart {
        title: "Norm budget per epoch: change of |w|^2 by cause (large init + L2)".into(),
        legend: Some(plots::SeriesLabelPosition::LowerRight),
        x_label: "epoch".into(),
        y_label: "contribution to |w_e|^2 - |w_(e-1)|^2".into(),
        series: vec![
            Series::line("decay (a^2-1)|w|^2", term(|b| b.decay), RED),
            Series::line("drift -2ab<w,g>", term(|b| b.drift), BLUE),
            Series::line("noise b^2|g|^2", term(|b| b.noise), GREEN),
            Series::line(
                "sum (= actual change)",
                term(|b| b.decay + b.drift + b.noise),
                GREY,
            )
            .dashed(),
        ],
        hlines: vec![(0.0, "0".into(), GREY)],
        ..Chart::default()
    })
}

/// Offset fraction per epoch, all weights and per layer, with thresholds.
pub fn offset_fraction(records: &[EpochRecord]) -> String {
    let layers = records[0].weights.layers.len();
    let curve = |layer: Option<usize>| -> Vec<(f64, f64)> {
        records
            .iter()
            .skip(1)
            .filter_map(|r| Some((r.epoch as f64, claims::offset_fraction(r, layer)?)))
            .collect()
    };
    let mut series = vec![Series::line("all weights", curve(None), GREY)];
    for (l, &color) in PALETTE.iter().enumerate().take(layers) {
        series.push(Series::line(format!("w^{}", l + 1), curve(Some(l)), color));
    }
    plots::render(&Chart {
        title: "Offset fraction f = (drift + noise) / (-decay) (large init + L2)".into(),
        x_label: "epoch".into(),
        y_label: "f (0: decay dominates, 1: balanced)".into(),
        series,
        hlines: vec![
            (
                DECAY_DOMINATED,
                format!("decay-dominated: |f| < {DECAY_DOMINATED}"),
                GREEN,
            ),
            (TAIL_OFF, format!("tail-off at {TAIL_OFF}"), ORANGE),
            (
                1.0 - crate::run::settle::SETTLED_BAND,
                format!(
                    "settled band from {}",
                    1.0 - crate::run::settle::SETTLED_BAND
                ),
                RED,
            ),
        ],
        y_range: Some((-0.5, 2.0)),
        ..Chart::default()
    })
}

/// Hidden-layer saturation per epoch of the base kinds.
pub fn saturation(results: &Results) -> String {
    let mut series = Vec::new();
    for (init, l2, name, color) in BASE_KINDS.into_iter().take(3) {
        let runs = results.base(init, l2);
        let (line, band) = mean_with_band(&runs, |r| {
            100.0 * r.saturation.first().copied().unwrap_or(0.0)
        });
        series.push(Series::line(name, line, color).with_band(band));
    }
    plots::render(&Chart {
        title: "Saturated hidden neurons: share of (example, neuron) pairs with sigma'(z) < 0.01"
            .into(),
        x_label: "epoch".into(),
        y_label: "saturated pairs (%)".into(),
        series,
        ..Chart::default()
    })
}

/// Histograms of the first layer's weights at chosen epochs against the
/// N(0, 1/n_in) density.
pub fn histograms(records: &[EpochRecord], epochs: &[usize], n_in: usize) -> String {
    let mut series = Vec::new();
    for (i, &e) in epochs.iter().enumerate() {
        let Some(h) = records
            .get(e)
            .and_then(|r| r.histograms.as_ref())
            .map(|h| &h.layers[0])
        else {
            continue;
        };
        let total = (h.counts.iter().sum::<u64>() + h.below + h.above) as f64;
        let width = 2.0 * h.range / h.counts.len() as f64;
        let points = h
            .counts
            .iter()
            .enumerate()
            .map(|(b, &c)| (h.edge(b) + width / 2.0, c as f64 / (total * width)))
            .collect();
        series.push(Series::line(
            format!("epoch {e}"),
            points,
            PALETTE[i % PALETTE.len()],
        ));
    }
    let sigma = theory::inv_sqrt_n_in(n_in);
    let range = records[0]
        .histograms
        .as_ref()
        .map_or(4.0, |h| h.layers[0].range);
    let density = (0..=400)
        .map(|i| {
            let x = -range + 2.0 * range * i as f64 / 400.0;
            (
                x,
                (-0.5 * (x / sigma).powi(2)).exp() / (sigma * (2.0 * std::f64::consts::PI).sqrt()),
            )
        })
        .collect();
    series.push(
        Series::line(
            format!("N(0, 1/n_in) density, n_in = {n_in}"),
            density,
            GREY,
        )
        .dashed(),
    );
    plots::render(&Chart {
        title: "First-layer weights (large init + L2): histograms vs N(0, 1/n_in) (log density)"
            .into(),
        x_label: "weight".into(),
        y_label: "density (per unit weight)".into(),
        log_y: true,
        y_range: Some((1e-3, 20.0)),
        series,
        ..Chart::default()
    })
}

/// The first layer's settled size against n_in, log-log: settled runs by
/// initialization, runs that did not settle apart, the joint fit's n_in
/// exponent through the settled points and the slope of 1/sqrt(n_in).
pub fn settled_scaling(settled: &[SettledEntry], fits: &[SizeFit]) -> String {
    let first: Vec<&SettledEntry> = settled.iter().filter(|e| e.layer == "w1").collect();
    let points = |keep: &dyn Fn(&SettledEntry) -> bool| -> Vec<(f64, f64)> {
        first
            .iter()
            .filter(|e| keep(e))
            .map(|e| (e.n_in as f64, e.size))
            .collect()
    };
    // The grid's runs: the base eta and lambda, every (width, n_in).
    let base = |e: &SettledEntry| e.lambda == plan::LAMBDA && e.eta == plan::ETA;
    let large = points(&|e| e.settled && e.init == Init::Large && base(e));
    let default = points(&|e| e.settled && e.init == Init::Default && base(e));
    let unsettled = points(&|e| !e.settled && base(e));
    let mut series = vec![
        Series::line("large init, settled", large.clone(), BLUE).markers(),
        Series::line("default init, settled", default, ORANGE).markers(),
    ];
    if !unsettled.is_empty() {
        series.push(Series::line("not settled (last size)", unsettled, GREY).markers());
    }
    let (lo, hi) = large.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), p| {
        (lo.min(p.0), hi.max(p.0))
    });
    let fit = fits
        .iter()
        .find(|f| f.layer == "w1" && f.predictors == ["n_in"]);
    if let (Some(fit), true) = (fit, lo < hi) {
        let b = fit.exponents["n_in"];
        let line = [lo, hi]
            .iter()
            .map(|&v| (v, (fit.intercept + b.value * v.ln()).exp()))
            .collect();
        series.push(Series::line(
            format!("fit: n_in^{:.2} ({:.2} to {:.2})", b.value, b.low, b.high),
            line,
            RED,
        ));
        let (mx, my) = large
            .iter()
            .fold((0.0, 0.0), |(sx, sy), p| (sx + p.0.ln(), sy + p.1.ln()));
        let (mx, my) = (mx / large.len() as f64, my / large.len() as f64);
        let line = [lo, hi]
            .iter()
            .map(|&v| (v, (my - 0.5 * (v.ln() - mx)).exp()))
            .collect();
        series.push(Series::line("slope -1/2 (1/sqrt(n_in))", line, PURPLE).dashed());
    }
    plots::render(&Chart {
        title: "First layer's settled size against n_in (log-log)".into(),
        x_label: "n_in (inputs per first-layer neuron)".into(),
        y_label: "settled rms of w^1".into(),
        log_x: true,
        log_y: true,
        series,
        ..Chart::default()
    })
}

/// rho* against exp(-eta*lambda/m) as eta*lambda/n grows: the rate ratio
/// and the per-epoch gap for S steps.
pub fn shrink_gap(steps: usize) -> String {
    let cs: Vec<f64> = (0..=60)
        .map(|i| 10f64.powf(-6.0 + i as f64 * (6.0 - std::f64::consts::LOG10_2) / 60.0))
        .collect();
    let ratio = cs
        .iter()
        .map(|&c| (c, claims::shrink_gap(c, steps).0 - 1.0))
        .collect();
    let gap = cs
        .iter()
        .map(|&c| (c, -claims::shrink_gap(c, steps).1))
        .collect();
    plots::render(&Chart {
        title: format!("How far (1 - eta*lambda/n)^S is from exp(-eta*lambda/m), S = {steps}"),
        x_label: "eta*lambda/n (decay per step)".into(),
        y_label: "relative difference (log)".into(),
        log_x: true,
        log_y: true,
        series: vec![
            Series::line("per-epoch factor: 1 - rho*/exp(-eta*lambda/m)", gap, RED),
            Series::line(
                "decay rate: ln(rho*)/ln(exp(-eta*lambda/m)) - 1",
                ratio,
                BLUE,
            ),
        ],
        hlines: vec![(claims::SHRINK_TOLERANCE, "1%".into(), GREY)],
        ..Chart::default()
    })
}
