//! One function per figure of the report, each from the study's results.

use super::plots::{
    self, BLUE, CYAN, Chart, GREEN, Marker, ORANGE, PALETTE, PURPLE, RED, Reference, Series,
};
use crate::metrics::EpochRecord;
use crate::net::{Init, Layer};
use crate::probes::Histogram;
use crate::run::settle::Settling;
use crate::study::claims::Thresholds;
use crate::study::equilibrium::{Predictor, SettledEntry, SizeFit, find_fit};
use crate::study::measures::{self, TAIL_OFF};
use crate::study::noise_law::NoiseLaw;
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

/// "large init" or "default init", as the figures name them.
pub fn init_name(init: Init) -> &'static str {
    match init {
        Init::Large => "large init",
        Init::Default => "default init",
    }
}

/// Validation accuracy per epoch of the four base kinds, bands over seeds,
/// and reference curves (name, accuracies per epoch from 1) if given, over
/// the study's epochs only.
pub fn accuracy(results: &Results, reference: &[(String, Vec<f64>)]) -> String {
    let mut series = Vec::new();
    let mut epochs = 0;
    for (init, l2, name, color) in BASE_KINDS {
        let runs = results.base(init, l2);
        epochs = runs
            .iter()
            .map(|r| r.len().saturating_sub(1))
            .fold(epochs, usize::max);
        let (line, band) = mean_with_band(&runs, |r| 100.0 * r.eval_accuracy);
        series.push(
            Series::line(name, line.into_iter().skip(1).collect(), color)
                .with_band(band.into_iter().skip(1).collect()),
        );
    }
    for (i, (name, accuracies)) in reference.iter().enumerate() {
        let points = accuracies
            .iter()
            .take(epochs)
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
        title: "Validation accuracy".into(),
        x_label: "epoch".into(),
        y_label: "accuracy (%)".into(),
        series,
        ..Chart::default()
    })
}

/// log rms per layer of the base runs of `init` + L2, with pure decay
/// exp(-eta*lambda*t/m) from the start and the reference sizes.
pub fn rms_per_layer(results: &Results, init: Init) -> String {
    let runs = results.base(init, true);
    let sizes = results.base_sizes();
    let layers = sizes.len().saturating_sub(1);
    let mut series = Vec::new();
    for l in 0..layers {
        let (line, band) = mean_with_band(&runs, |r| r.weights.layers[l].rms);
        series.push(
            Series::line(
                format!("w^{} (n_in = {})", l + 1, sizes[l]),
                line,
                PALETTE[l],
            )
            .with_band(band),
        );
    }
    let (all, _) = mean_with_band(&runs, |r| r.weights.all.rms);
    let start = all.first().map_or(1.0, |p| p.1);
    let epochs = all.len();
    series.push(Series::line("all weights", all, PURPLE));
    let rate = plan::ETA * plan::LAMBDA / plan::BATCH as f64;
    let decay_line = (0..epochs)
        .map(|e| (e as f64, start * (-rate * e as f64).exp()))
        .collect();
    let n_w = crate::net::weight_count(&sizes).unwrap_or(0);
    let refs = theory::ReferenceSizes::for_weight_count(n_w);
    let mut references = vec![Reference::curve(
        "pure decay exp(-eta lambda t/m)",
        decay_line,
    )];
    for (l, &n_in) in sizes.iter().take(layers).enumerate() {
        let r = theory::inv_sqrt_n_in(n_in);
        references.push(Reference::horizontal(
            r,
            format!("1/sqrt(n_in) of w^{} = {r:.3}", l + 1),
        ));
    }
    references.extend([
        Reference::horizontal(
            refs.inv_sqrt_n_w,
            format!("1/sqrt(n_w) = {:.4}", refs.inv_sqrt_n_w),
        ),
        Reference::horizontal(refs.inv_n_w, format!("1/n_w = {:.1e}", refs.inv_n_w)),
    ]);
    plots::render(&Chart {
        title: format!("Weight rms per layer, {} + L2", init_name(init)),
        x_label: "epoch".into(),
        y_label: "rms".into(),
        log_y: true,
        series,
        references,
        ..Chart::default()
    })
}

/// The norm budget per epoch of one large+L2 run: decay, drift, noise.
pub fn budget(records: &[EpochRecord]) -> String {
    let term = |f: fn(&crate::probes::BudgetTerms) -> f64| -> Vec<(f64, f64)> {
        records
            .iter()
            .skip(1)
            .filter_map(|r| Some((r.epoch as f64, f(&r.dynamics.as_ref()?.budget.all))))
            .collect()
    };
    plots::render(&Chart {
        title: "Norm budget: change of |w|^2 per epoch by cause".into(),
        x_label: "epoch".into(),
        y_label: "change of |w|^2".into(),
        series: vec![
            Series::line("decay (a^2-1)|w|^2", term(|b| b.decay), RED),
            Series::line("drift -2ab<w,g>", term(|b| b.drift), BLUE),
            Series::line("noise b^2|g|^2", term(|b| b.noise), GREEN),
            Series::line(
                "sum (= the measured change)",
                term(|b| b.decay + b.drift + b.noise),
                PURPLE,
            )
            .dashed(),
        ],
        references: vec![Reference::horizontal(0.0, "0")],
        ..Chart::default()
    })
}

/// Offset fraction per epoch of the base runs of `init` + L2, per layer
/// and for all weights, mean over seeds with their range, with the
/// thresholds. Values beyond the range -0.5..2 are marked on its edge.
pub fn offset_fraction(results: &Results, init: Init) -> String {
    let runs = results.base(init, true);
    let layers = runs.first().map_or(0, |r| r[0].weights.layers.len());
    let curve = |layer: Option<usize>| {
        let (line, band) = mean_with_band(&runs, |r| {
            measures::offset_fraction(r, layer).unwrap_or(f64::NAN)
        });
        (
            line.into_iter().skip(1).collect(),
            band.into_iter().skip(1).collect(),
        )
    };
    let mut series = Vec::new();
    for (l, &color) in PALETTE.iter().enumerate().take(layers) {
        let (line, band) = curve(Some(l));
        series.push(Series::line(format!("w^{}", l + 1), line, color).with_band(band));
    }
    let (line, _) = curve(None);
    series.push(Series::line("all weights", line, PURPLE));
    plots::render(&Chart {
        title: format!("Offset fraction f, {} + L2", init_name(init)),
        x_label: "epoch".into(),
        y_label: "f".into(),
        series,
        references: vec![
            Reference::horizontal(
                Thresholds::default().decay_dominated,
                format!(
                    "decay-dominated below {}",
                    Thresholds::default().decay_dominated
                ),
            ),
            Reference::horizontal(TAIL_OFF, format!("tail-off {TAIL_OFF}")),
            Reference::horizontal(1.0, "balanced 1"),
        ],
        y_range: Some((-0.5, 2.0)),
        ..Chart::default()
    })
}

/// Hidden-layer saturation per epoch of the base kinds.
pub fn saturation(results: &Results) -> String {
    let mut series = Vec::new();
    // All four kinds: default init without L2 is claim 4's baseline.
    for (init, l2, name, color) in BASE_KINDS {
        let runs = results.base(init, l2);
        let (line, band) = mean_with_band(&runs, |r| {
            100.0 * r.saturation.first().copied().unwrap_or(0.0)
        });
        series.push(Series::line(name, line, color).with_band(band));
    }
    plots::render(&Chart {
        title: "Saturated hidden neurons (sigma'(z) < 0.01)".into(),
        x_label: "epoch".into(),
        y_label: "saturated pairs (%)".into(),
        series,
        ..Chart::default()
    })
}

/// Two histograms closer than this in total variation (half the L1
/// distance of their shares of the weights, below and above the bins
/// counted) would hide one another: the later is left out and named in
/// the caption.
pub const HISTOGRAM_SAME: f64 = 0.05;

/// The total variation distance between two histograms of the same bins.
fn total_variation(a: &Histogram, b: &Histogram) -> f64 {
    let shares = |h: &Histogram| -> Vec<f64> {
        let total = (h.counts.iter().sum::<u64>() + h.below + h.above).max(1) as f64;
        std::iter::once(h.below)
            .chain(h.counts.iter().copied())
            .chain(std::iter::once(h.above))
            .map(|c| c as f64 / total)
            .collect()
    };
    let (a, b) = (shares(a), shares(b));
    0.5 * a.iter().zip(&b).map(|(x, y)| (x - y).abs()).sum::<f64>()
}

/// The epochs [`histogram_epochs`] picks whose first-layer histogram is
/// within [`HISTOGRAM_SAME`] of an earlier one's: (left out, the one kept).
pub fn hidden_histograms(records: &[EpochRecord], epochs: &[(usize, &str)]) -> Vec<(usize, usize)> {
    let first_layer = |e: usize| records.get(e)?.histograms.as_ref()?.layers.first();
    let mut kept: Vec<usize> = Vec::new();
    let mut hidden = Vec::new();
    for &(e, _) in epochs {
        let Some(h) = first_layer(e) else { continue };
        let close = kept.iter().copied().find(|&k| {
            first_layer(k).is_some_and(|hk| {
                hk.counts.len() == h.counts.len() && total_variation(hk, h) < HISTOGRAM_SAME
            })
        });
        match close {
            Some(k) => hidden.push((e, k)),
            None => kept.push(e),
        }
    }
    hidden
}

/// The epochs the histogram figure draws for a run: 0, 1, 5, the tail-off
/// and the first layer's settled epoch if the run has them, and the last.
pub fn histogram_epochs(records: &[EpochRecord]) -> Vec<(usize, &'static str)> {
    let last = records.len().saturating_sub(1);
    let mut epochs = vec![(0, "start"), (1.min(last), ""), (5.min(last), "")];
    if let Some(t) = measures::tail_off(records, Some(0)) {
        epochs.push((t.epoch, "tail-off"));
    }
    if let Some(s) = Settling::of_records(records, Some(0)).settled_epoch {
        epochs.push((s, "settled"));
    }
    epochs.push((last, "last"));
    epochs.sort_by_key(|e| (e.0, e.1.is_empty()));
    epochs.dedup_by_key(|e| e.0);
    epochs.retain(|&(e, _)| records.get(e).is_some_and(|r| r.histograms.is_some()));
    epochs
}

/// Histograms of the first layer's weights at `epochs` (from
/// `histogram_epochs`) against the N(0, 1/n_in) density; empty bins are
/// gaps, not zeros.
pub fn histograms(records: &[EpochRecord], epochs: &[(usize, &str)], n_in: usize) -> String {
    let mut series = Vec::new();
    let mut range = 4.0;
    for (i, &(e, what)) in epochs.iter().enumerate() {
        let Some(h) = records
            .get(e)
            .and_then(|r| r.histograms.as_ref())
            .map(|h| &h.layers[0])
        else {
            continue;
        };
        range = h.range;
        let total = (h.counts.iter().sum::<u64>() + h.below + h.above) as f64;
        let width = 2.0 * h.range / h.counts.len() as f64;
        let points = h
            .counts
            .iter()
            .enumerate()
            .map(|(b, &c)| {
                let density = if c == 0 {
                    f64::NAN
                } else {
                    c as f64 / (total * width)
                };
                (h.edge(b) + width / 2.0, density)
            })
            .collect();
        let name = match what {
            "" => format!("epoch {e}"),
            what => format!("epoch {e} ({what})"),
        };
        series.push(Series::line(name, points, PALETTE[i % PALETTE.len()]));
    }
    const LOWEST_DENSITY: f64 = 1e-3;
    let sigma = theory::inv_sqrt_n_in(n_in);
    let density = (0..=400)
        .map(|i| {
            let x = -range + 2.0 * range * i as f64 / 400.0;
            let p =
                (-0.5 * (x / sigma).powi(2)).exp() / (sigma * (2.0 * std::f64::consts::PI).sqrt());
            (x, p)
        })
        .filter(|p| p.1 >= LOWEST_DENSITY)
        .collect();
    plots::render(&Chart {
        title: "First-layer weights: histograms (large init + L2)".into(),
        x_label: "weight".into(),
        y_label: "density".into(),
        log_y: true,
        y_range: Some((LOWEST_DENSITY, 20.0)),
        series,
        references: vec![Reference::curve(format!("N(0, 1/{n_in})"), density)],
        ..Chart::default()
    })
}

/// The runs that did not settle, as rings: left out of `fits`; None if
/// there are none.
fn unsettled_series(points: Vec<(f64, f64)>, fits: &str) -> Option<Series> {
    (!points.is_empty()).then(|| {
        Series::line(
            format!("not settled: last size, left out of the {fits}"),
            points,
            RED,
        )
        .markers(Marker::Ring)
    })
}

/// Whether an entry is one of the scaling grid's runs (base eta and lambda).
fn in_grid(e: &SettledEntry) -> bool {
    e.lambda == plan::LAMBDA && e.eta == plan::ETA
}

/// A fitted power law through points: (x, exp(intercept + sum b_i ln p_i)).
fn fit_line(
    fit: &SizeFit,
    xs: [f64; 2],
    at: impl Fn(f64) -> Vec<(Predictor, f64)>,
) -> Vec<(f64, f64)> {
    xs.iter()
        .map(|&x| {
            let log_size = at(x).iter().fold(fit.intercept, |acc, &(p, value)| {
                acc + fit.exponent(p).map_or(0.0, |e| e.value) * value.ln()
            });
            (x, log_size.exp())
        })
        .collect()
}

/// The first layer's settled size against n_in, log-log, for every run of
/// the grid. With several widths, each size is brought to the base width
/// by the joint fit's width exponent a (size x (30 / width)^a), so that
/// every run lies on one line if the fit holds. Settled runs by
/// initialization, the runs that did not settle (left out of the fits)
/// apart; the fit's line and the slopes the hypotheses predict.
pub fn settled_scaling(settled: &[SettledEntry], fits: &[SizeFit], base_width: usize) -> String {
    let first: Vec<&SettledEntry> = settled
        .iter()
        .filter(|e| e.layer == Layer::FIRST && in_grid(e))
        .collect();
    let mut widths: Vec<usize> = first.iter().map(|e| e.width).collect();
    widths.sort_unstable();
    widths.dedup();
    let joint = find_fit(fits, Layer::FIRST, &[Predictor::Width, Predictor::NIn])
        .filter(|_| widths.len() > 1);
    let alone = find_fit(fits, Layer::FIRST, &[Predictor::NIn]);
    let width_exponent = joint
        .and_then(|f| f.exponent(Predictor::Width))
        .map_or(0.0, |e| e.value);
    let at_base_width =
        |e: &SettledEntry| e.size * (base_width as f64 / e.width as f64).powf(width_exponent);
    let points = |keep: &dyn Fn(&SettledEntry) -> bool| -> Vec<(f64, f64)> {
        first
            .iter()
            .filter(|e| keep(e))
            .map(|e| (e.n_in as f64, at_base_width(e)))
            .collect()
    };
    let large = points(&|e| e.settled && e.init == Init::Large);
    let mut series = vec![
        Series::line("large init, settled", large.clone(), BLUE).markers(Marker::Dot),
        Series::line(
            "default init, settled",
            points(&|e| e.settled && e.init == Init::Default),
            ORANGE,
        )
        .markers(Marker::Square),
    ];
    series.extend(unsettled_series(points(&|e| !e.settled), "fits"));
    let (lo, hi) = large.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), p| {
        (lo.min(p.0), hi.max(p.0))
    });
    let mut references = Vec::new();
    if let (Some(fit), true) = (joint.or(alone), lo < hi) {
        let line = fit_line(fit, [lo, hi], |n_in| {
            vec![
                (Predictor::Width, base_width as f64),
                (Predictor::NIn, n_in),
            ]
        });
        let b = fit.exponent(Predictor::NIn).map_or(f64::NAN, |e| e.value);
        // The hypotheses' slopes start where the fit does, at the smallest
        // n_in, and fan out from it: how far each misses the data at the
        // largest n_in is what tells the slopes apart (drawn through the
        // data's middle, every slope would look about as good).
        let start = line.first().map_or(f64::NAN, |p: &(f64, f64)| p.1);
        references.push(Reference::curve(format!("fit: n_in^{b:.2}"), line));
        for (slope, name) in [
            (-0.5, "slope -1/2: 1/sqrt(n_in), 1/sqrt(n_w)"),
            (-1.0, "slope -1: 1/n_w"),
        ] {
            let line = [lo, hi]
                .iter()
                .map(|&v| (v, start * (v / lo).powf(slope)))
                .collect();
            references.push(Reference::curve(name, line));
        }
    }
    plots::render(&Chart {
        title: "First layer's settled size against n_in".into(),
        x_label: "n_in".into(),
        y_label: if widths.len() > 1 {
            format!("rms of w^1 at width {base_width}")
        } else {
            "settled rms of w^1".into()
        },
        log_x: true,
        log_y: true,
        series,
        references,
        ..Chart::default()
    })
}

/// The first layer's settled size against lambda, log-log, for the runs
/// that vary eta and lambda (large init, base sizes): by whether eta is
/// the base eta, the runs that did not settle apart, and the joint fit's
/// line at the base eta.
pub fn settled_against_lambda(
    settled: &[SettledEntry],
    fits: &[SizeFit],
    sizes: &[usize],
) -> String {
    let runs: Vec<&SettledEntry> = settled
        .iter()
        .filter(|e| {
            e.layer == Layer::FIRST
                && e.lambda > 0.0
                && e.init == Init::Large
                && sizes.first() == Some(&e.n_in)
                && sizes.get(1) == Some(&e.width)
        })
        .collect();
    let points = |keep: &dyn Fn(&SettledEntry) -> bool| -> Vec<(f64, f64)> {
        runs.iter()
            .filter(|e| keep(e))
            .map(|e| (e.lambda, e.size))
            .collect()
    };
    let mut series = vec![
        Series::line(
            format!("eta {}, settled", plan::ETA),
            points(&|e| e.settled && e.eta == plan::ETA),
            BLUE,
        )
        .markers(Marker::Dot),
        Series::line(
            "other eta, settled",
            points(&|e| e.settled && e.eta != plan::ETA),
            CYAN,
        )
        .markers(Marker::Cross),
    ];
    series.extend(unsettled_series(points(&|e| !e.settled), "fit"));
    let (lo, hi) = runs.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), e| {
        (lo.min(e.lambda), hi.max(e.lambda))
    });
    // The joint fit over eta and lambda, drawn at the base eta; else lambda alone.
    let joint = find_fit(fits, Layer::FIRST, &[Predictor::Eta, Predictor::Lambda]);
    let alone = find_fit(fits, Layer::FIRST, &[Predictor::Lambda]);
    let mut references = Vec::new();
    if let (Some(fit), true) = (joint.or(alone), lo < hi) {
        let line = fit_line(fit, [lo, hi], |lambda| {
            vec![(Predictor::Eta, plan::ETA), (Predictor::Lambda, lambda)]
        });
        let b = fit
            .exponent(Predictor::Lambda)
            .map_or(f64::NAN, |e| e.value);
        let label = match joint {
            Some(_) => format!("fit at eta {}: lambda^{b:.2}", plan::ETA),
            None => format!("fit: lambda^{b:.2}"),
        };
        references.push(Reference::curve(label, line));
    }
    plots::render(&Chart {
        title: "First layer's settled size against lambda".into(),
        x_label: "lambda".into(),
        y_label: "settled rms of w^1".into(),
        log_x: true,
        log_y: true,
        series,
        references,
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
        .map(|&c| (c, theory::shrink_gap(c, steps).0 - 1.0))
        .collect();
    let gap = cs
        .iter()
        .map(|&c| (c, -theory::shrink_gap(c, steps).1))
        .collect();
    plots::render(&Chart {
        title: format!("(1 - eta lambda/n)^S against exp(-eta lambda/m), S = {steps}"),
        x_label: "eta lambda/n".into(),
        y_label: "relative difference".into(),
        log_x: true,
        log_y: true,
        series: vec![
            Series::line("per epoch: 1 - rho*/exp(-eta lambda/m)", gap, RED),
            Series::line("decay rate: ln rho* / (-eta lambda/m) - 1", ratio, BLUE),
        ],
        references: vec![Reference::horizontal(
            Thresholds::default().shrink_tolerance,
            format!("tolerance {}", Thresholds::default().shrink_tolerance),
        )],
        ..Chart::default()
    })
}

/// The noise law: each weight layer's |w|^2 over the L2 optimum's |w*|^2
/// against eta/m, at every lambda of the branches: the branches' means
/// (dots) and the decided fits (line, or parabola where the line is
/// curved) down to eta/m = 0 (dashed). Where the lines
/// reach 1, the optimum sets the size; where they reach 0, the noise does.
pub fn noise_law(laws: &[NoiseLaw]) -> String {
    let mut series = Vec::new();
    let weight_laws = laws
        .iter()
        .filter(|l| l.layer != Layer::All && l.optimum_sq.is_some());
    for (law, &color) in weight_laws.zip(PALETTE.iter().cycle()) {
        let optimum = law.optimum_sq.unwrap_or(f64::NAN);
        let name = format!("{} at lambda {}", law.layer, law.lambda);
        let points: Vec<(f64, f64)> = law
            .points
            .iter()
            .map(|p| (p.ratio(), p.size_sq / optimum))
            .collect();
        let top = points.iter().map(|p| p.0).fold(0.0, f64::max);
        series.push(Series::line(name.clone(), points, color).markers(Marker::Dot));
        // The decided fit (the parabola where the line is curved).
        let fitted: Vec<(f64, f64)> = (0..=20)
            .map(|k| top * k as f64 / 20.0)
            .map(|r| (r, law.at(r) / optimum))
            .collect();
        series.push(Series::line(format!("{name}, fit"), fitted, color).dashed());
    }
    plots::render(&Chart {
        title: "What sets the size: |w|^2 against eta/m, over the L2 optimum's".into(),
        x_label: "eta/m".into(),
        y_label: "|w|^2 / |w*|^2".into(),
        series,
        references: vec![Reference::horizontal(1.0, "the L2 optimum")],
        ..Chart::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Histograms;
    use crate::metrics::synthetic::synthetic_run;

    #[test]
    fn a_histogram_within_the_tolerance_of_an_earlier_one_is_left_out() {
        let mut run = synthetic_run(&[1.0; 4], &[0.5; 4], &[0.9; 4], 0.95);
        // Epochs 0 and 1 far apart; 2 and 3 the same but for one weight
        // in 100 (a total variation of 0.01).
        let spread: Vec<f64> = (0..100).map(|i| -2.0 + 0.04 * i as f64).collect();
        let narrow: Vec<f64> = (0..100).map(|i| -0.5 + 0.01 * i as f64).collect();
        let mut nearly = narrow.clone();
        nearly[0] = 1.9;
        for (record, values) in run.iter_mut().zip([&spread, &narrow, &narrow, &nearly]) {
            let h = Histogram::of(values, 2.0, 40);
            record.histograms = Some(Histograms {
                all: h.clone(),
                layers: vec![h],
            });
        }
        let epochs = [(0, "start"), (1, ""), (2, "settled"), (3, "last")];
        assert_eq!(hidden_histograms(&run, &epochs), [(2, 1), (3, 1)]);
        let first = |e: usize| &run[e].histograms.as_ref().unwrap().layers[0];
        assert!((total_variation(first(2), first(3)) - 0.01).abs() < 1e-12);
        assert_eq!(total_variation(first(1), first(1)), 0.0);
    }
}
