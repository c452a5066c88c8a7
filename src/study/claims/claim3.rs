//! Claim 3: the decay tails off when the weights reach about 1/n_w (the
//! book: 1/sqrt(n_w)). Decided per layer from the settled size (see
//! `run::settle`), which does not depend on where the weights started; the
//! tail-off (first f >= 0.5) stays as a description only.
//!
//! The evidence (`Claim3Evidence`) is computed first, the verdict decided
//! from it, and the text written from it, in three functions.

use serde::Serialize;

use super::*;
use crate::metrics::EpochRecord;
use crate::study::equilibrium::{SettledEntry, SizeFit, layer_label};

/// A size hypothesis: its reference size and the exponents it predicts
/// for the settled size against width and n_in (n_w ~ width * n_in).
struct Hypothesis {
    name: &'static str,
    reference: fn(n_w: usize, n_in: usize) -> f64,
    width_exponent: f64,
    n_in_exponent: f64,
}

const HYPOTHESES: [Hypothesis; 3] = [
    Hypothesis {
        name: "1/n_w",
        reference: |n_w, _| 1.0 / n_w as f64,
        width_exponent: -1.0,
        n_in_exponent: -1.0,
    },
    Hypothesis {
        name: "1/sqrt(n_w)",
        reference: |n_w, _| 1.0 / (n_w as f64).sqrt(),
        width_exponent: -0.5,
        n_in_exponent: -0.5,
    },
    Hypothesis {
        name: "1/sqrt(n_in)",
        reference: |_, n_in| 1.0 / (n_in as f64).sqrt(),
        width_exponent: 0.0,
        n_in_exponent: -0.5,
    },
];

/// One hypothesis against one layer of the base runs.
#[derive(Debug, Clone, Serialize)]
pub struct HypothesisCheck {
    pub hypothesis: &'static str,
    pub reference_size: f64,
    /// The settled size over the reference.
    pub size_over_reference: f64,
    /// Within `SIZE_FACTOR` of it, either way.
    pub size_within_factor: bool,
    pub predicted_width_exponent: f64,
    pub predicted_n_in_exponent: f64,
    /// Both predicted exponents inside the joint fit's 95% intervals (None
    /// without that fit).
    pub exponents_consistent: Option<bool>,
}

/// What the base runs' settled state says about one layer.
#[derive(Debug, Clone, Serialize)]
pub struct LayerEquilibrium {
    pub layer: String,
    pub n_in: usize,
    /// Seeds whose layer settled, of all seeds.
    pub settled_seeds: usize,
    pub seeds: usize,
    /// The settled size, averaged over the settled seeds (the last rms of
    /// the others if none settled).
    pub size: f64,
    /// The settled epoch, averaged over the settled seeds.
    pub settled_epoch: Option<f64>,
    pub hypotheses: Vec<HypothesisCheck>,
    /// Over the settled epochs: the shares of the decay's shrinkage of
    /// |w|^2 that the drift and the noise give back (they add to ~1).
    pub drift_share: Option<f64>,
    pub noise_share: Option<f64>,
    /// The noise term per settled epoch, measured, and as the full-batch
    /// gradient at the end predicts it.
    pub noise_measured: Option<f64>,
    pub noise_predicted: Option<f64>,
    /// cos(w, -grad C_0) at the end: 1 at the L2-regularized optimum.
    pub optimum_cosine: Option<f64>,
    /// |grad C_0| / |(lambda/n) w| at the end: 1 at the optimum.
    pub gradient_ratio: Option<f64>,
    /// Tail-off (first f >= 0.5), as a description: epoch and rms there.
    pub tail_off_epoch: Option<f64>,
    pub tail_off_size: Option<f64>,
}

/// rms(w) * input_norm of a layer over the configurations of the grid.
#[derive(Debug, Clone, Serialize)]
pub struct ScaleOfInputs {
    pub layer: String,
    pub min: f64,
    pub max: f64,
    pub configurations: usize,
    /// "LOW to HIGH": the n_in of those runs.
    pub n_in_range: String,
    pub n_in_min: usize,
    pub n_in_max: usize,
    /// The range of the settled sizes themselves over those runs.
    pub size_min: f64,
    pub size_max: f64,
}

/// The lambda sweep, for "lambda not too large".
#[derive(Debug, Clone, Serialize)]
pub struct SweepRow {
    pub lambda: f64,
    pub settled_size_w1: Option<f64>,
    pub final_accuracy: f64,
    pub collapsed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Claim3Evidence {
    pub size_factor: f64,
    pub settled_band: f64,
    pub collapsed_accuracy: f64,
    pub n_w: usize,
    pub layers: Vec<LayerEquilibrium>,
    /// The fits the verdict and the text use (also in `claims.json`'s `fits`).
    pub grid_fits: Vec<SizeFit>,
    pub sweep_fits: Vec<SizeFit>,
    pub scale_of_inputs: Vec<ScaleOfInputs>,
    pub lambda_sweep: Vec<SweepRow>,
}

/// The records' per-layer quantity `value` over the settled epochs, summed.
fn settled_sum(
    records: &[EpochRecord],
    start: usize,
    value: impl Fn(&EpochRecord) -> Option<f64>,
) -> Option<f64> {
    records[start..].iter().map(value).sum()
}

fn layer_equilibrium(
    base: &[&[EpochRecord]],
    settled: &[SettledEntry],
    base_runs: &[String],
    layer: Option<usize>,
    n_w: usize,
    grid_joint: Option<&SizeFit>,
) -> LayerEquilibrium {
    let label = layer_label(layer);
    let entries: Vec<&SettledEntry> = settled
        .iter()
        .filter(|e| e.layer == label && base_runs.contains(&e.run))
        .collect();
    let settled_entries: Vec<&&SettledEntry> = entries.iter().filter(|e| e.settled).collect();
    let size = mean(&settled_entries.iter().map(|e| e.size).collect::<Vec<_>>())
        .or_else(|| mean(&entries.iter().map(|e| e.size).collect::<Vec<_>>()))
        .unwrap_or(f64::NAN);
    let n_in = entries.first().map_or(0, |e| e.n_in);
    let hypotheses = HYPOTHESES
        .iter()
        .map(|h| {
            let reference = (h.reference)(n_w, n_in);
            let ratio = size / reference;
            HypothesisCheck {
                hypothesis: h.name,
                reference_size: reference,
                size_over_reference: ratio,
                size_within_factor: (1.0 / SIZE_FACTOR..=SIZE_FACTOR).contains(&ratio),
                predicted_width_exponent: h.width_exponent,
                predicted_n_in_exponent: h.n_in_exponent,
                exponents_consistent: grid_joint.map(|f| {
                    let inside = |name: &str, value: f64| {
                        f.exponents
                            .get(name)
                            .is_some_and(|e| e.low <= value && value <= e.high)
                    };
                    inside("width", h.width_exponent) && inside("n_in", h.n_in_exponent)
                }),
            }
        })
        .collect();
    // The budget over each settled run's settled epochs, and its end state.
    let terms = |r: &EpochRecord| {
        let d = r.dynamics.as_ref()?;
        let t = match layer {
            Some(l) => d.budget.layers.get(l)?,
            None => &d.budget.all,
        };
        Some((t.decay, t.drift, t.noise))
    };
    let (mut decay, mut drift, mut noise, mut epochs) = (0.0, 0.0, 0.0, 0usize);
    let (mut predicted, mut cosines, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for (records, entry) in base.iter().zip(&entries) {
        let Some(start) = entry.settled_epoch else {
            continue;
        };
        decay += settled_sum(records, start, |r| terms(r).map(|t| t.0)).unwrap_or(0.0);
        drift += settled_sum(records, start, |r| terms(r).map(|t| t.1)).unwrap_or(0.0);
        noise += settled_sum(records, start, |r| terms(r).map(|t| t.2)).unwrap_or(0.0);
        epochs += records.len() - start;
        let end = layer.and_then(|l| records.last()?.full_gradient.as_ref()?.get(l).copied());
        if let Some(g) = end {
            predicted.push(g.predicted_noise);
            cosines.extend(g.cosine);
            if g.decay_gradient > 0.0 {
                ratios.push(g.data_gradient / g.decay_gradient);
            }
        }
    }
    let share = |x: f64| (decay < 0.0).then(|| x / -decay);
    let tails: Vec<TailOff> = base.iter().filter_map(|r| tail_off(r, layer)).collect();
    LayerEquilibrium {
        layer: label,
        n_in,
        settled_seeds: settled_entries.len(),
        seeds: entries.len(),
        size,
        settled_epoch: mean(
            &settled_entries
                .iter()
                .filter_map(|e| e.settled_epoch.map(|s| s as f64))
                .collect::<Vec<_>>(),
        ),
        hypotheses,
        drift_share: share(drift),
        noise_share: share(noise),
        noise_measured: (epochs > 0).then(|| noise / epochs as f64),
        noise_predicted: mean(&predicted),
        optimum_cosine: mean(&cosines),
        gradient_ratio: mean(&ratios),
        tail_off_epoch: mean(&tails.iter().map(|t| t.at).collect::<Vec<_>>()),
        tail_off_size: mean(&tails.iter().map(|t| t.size).collect::<Vec<_>>()),
    }
}

/// Everything claim 3 is decided on. `base`: the large+L2 base runs and
/// `base_runs` their names, in the same order; `grid`: the names of the
/// grid's runs (large init, base eta and lambda); `sweep`: (lambda,
/// records, name) of the large-init lambda sweep, lambda 5 included.
pub fn evidence(
    base: &[&[EpochRecord]],
    base_runs: &[String],
    sizes: &[usize],
    settled: &[SettledEntry],
    fits: &[SizeFit],
    grid: &[String],
    sweep: &[(f64, &[EpochRecord], String)],
) -> Claim3Evidence {
    let n_w = crate::net::weight_count(sizes).unwrap_or(0);
    let layers = sizes.len().saturating_sub(1);
    let is = |f: &SizeFit, predictors: &[&str]| f.predictors == predictors;
    let grid_fits: Vec<SizeFit> = fits
        .iter()
        .filter(|f| ["width", "n_in", "input_norm"].contains(&f.predictors[0]))
        .cloned()
        .collect();
    let sweep_fits: Vec<SizeFit> = fits
        .iter()
        .filter(|f| ["lambda", "eta"].contains(&f.predictors[0]))
        .cloned()
        .collect();
    let layer_results = (0..layers)
        .map(Some)
        .chain([None])
        .map(|layer| {
            let label = layer_label(layer);
            let joint = grid_fits
                .iter()
                .find(|f| f.layer == label && is(f, &["width", "n_in"]));
            layer_equilibrium(base, settled, base_runs, layer, n_w, joint)
        })
        .collect();
    let scale_of_inputs = (0..layers)
        .filter_map(|l| {
            let label = layer_label(Some(l));
            let runs: Vec<&SettledEntry> = settled
                .iter()
                .filter(|e| e.layer == label && e.settled && grid.contains(&e.run))
                .collect();
            let values: Vec<f64> = runs
                .iter()
                .filter_map(|e| e.size_times_input_norm)
                .collect();
            let n_in = runs.iter().map(|e| e.n_in);
            let (n_in_min, n_in_max) = (n_in.clone().min().unwrap_or(0), n_in.max().unwrap_or(0));
            let sizes = runs.iter().map(|e| e.size);
            let size_min = sizes.clone().fold(f64::INFINITY, f64::min);
            let size_max = sizes.fold(f64::NEG_INFINITY, f64::max);
            (!values.is_empty()).then(|| ScaleOfInputs {
                size_min,
                size_max,
                n_in_range: format!("{n_in_min} to {n_in_max}"),
                n_in_min,
                n_in_max,
                layer: label,
                min: values.iter().copied().fold(f64::INFINITY, f64::min),
                max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                configurations: values.len(),
            })
        })
        .collect();
    let lambda_sweep = sweep
        .iter()
        .map(|(lambda, records, name)| {
            let last = records.last().map_or(0.0, |r| r.eval_accuracy);
            SweepRow {
                lambda: *lambda,
                settled_size_w1: settled
                    .iter()
                    .find(|e| &e.run == name && e.layer == "w1" && e.settled)
                    .map(|e| e.size),
                final_accuracy: last,
                collapsed: last < COLLAPSED_ACCURACY,
            }
        })
        .collect();
    Claim3Evidence {
        size_factor: SIZE_FACTOR,
        settled_band: crate::run::settle::SETTLED_BAND,
        collapsed_accuracy: COLLAPSED_ACCURACY,
        n_w,
        layers: layer_results,
        grid_fits,
        sweep_fits,
        scale_of_inputs,
        lambda_sweep,
    }
}

/// The verdict on the claim's 1/n_w: per weight layer, whether the settled
/// size is within the factor of 1/n_w and whether the grid's exponents are
/// those 1/n_w predicts; holds if both hold for every layer, partly if
/// either holds for some layer, fails otherwise.
pub fn decide(evidence: &Claim3Evidence) -> Verdict {
    decide_at(evidence, evidence.size_factor)
}

/// [`decide`] with "around" meaning within `size_factor`.
pub fn decide_at(evidence: &Claim3Evidence, size_factor: f64) -> Verdict {
    let layers: Vec<&LayerEquilibrium> = evidence
        .layers
        .iter()
        .filter(|l| l.layer != "all")
        .collect();
    if layers.is_empty() || layers.iter().all(|l| l.settled_seeds == 0) {
        return Verdict::Inconclusive;
    }
    let claim = |l: &LayerEquilibrium| {
        let h = &l.hypotheses[0];
        let around = (1.0 / size_factor..=size_factor).contains(&h.size_over_reference);
        (around, h.exponents_consistent == Some(true))
    };
    if layers.iter().all(|l| claim(l) == (true, true)) {
        Verdict::Holds
    } else if layers.iter().any(|l| claim(l).0 || claim(l).1) {
        Verdict::Partly
    } else {
        Verdict::Fails
    }
}

fn find<'a>(fits: &'a [SizeFit], layer: &str, predictors: &[&str]) -> Option<&'a SizeFit> {
    fits.iter()
        .find(|f| f.layer == layer && f.predictors == predictors)
}

fn exponent_text(fit: &SizeFit, name: &str) -> String {
    match fit.exponents.get(name) {
        Some(e) => format!("{name}^{:.2} (95% {:.2} to {:.2})", e.value, e.low, e.high),
        None => format!("{name}: not fitted"),
    }
}

/// The answer in two sentences: the first layer's settled size against the
/// claim's and the book's sizes, and how it scales.
pub fn answer(evidence: &Claim3Evidence) -> String {
    let Some(first) = evidence.layers.first() else {
        return "No base runs.".into();
    };
    let h = &first.hypotheses;
    let mut text = format!(
        "The first layer's weights settle at rms {:.3}: {:.0} times the claim's 1/n_w and {:.0} times the book's 1/sqrt(n_w).",
        first.size, h[0].size_over_reference, h[1].size_over_reference
    );
    if let Some(joint) = find(&evidence.grid_fits, "w1", &["width", "n_in"]) {
        let e = |name| joint.exponents.get(name).map_or(f64::NAN, |e| e.value);
        text.push_str(&format!(
            " Across the scaling grid the size goes as width^{:.2} n_in^{:.2}, not as 1/n_w (exponents -1, -1) or 1/sqrt(n_w) (-1/2, -1/2).",
            e("width"),
            e("n_in")
        ));
    }
    text
}

/// The explanation, key number first, and "what is going on", from the
/// evidence alone.
pub fn explain(evidence: &Claim3Evidence) -> String {
    format!("{}{}", settled_text(evidence), going_on(evidence))
}

/// The settled sizes against the hypotheses, layer by layer, and the fit.
fn settled_text(evidence: &Claim3Evidence) -> String {
    let mut text = String::new();
    let Some(first) = evidence.layers.first() else {
        return "No base runs.".into();
    };
    let h = &first.hypotheses;
    text.push_str(&format!(
        "The first layer's weights settle at rms {:.3} ({} of {} seeds settled, at epoch {}): {:.0} times the claim's 1/n_w = {:.1e}, {:.0} times the book's 1/sqrt(n_w) = {:.4}, and {:.1} times 1/sqrt(n_in) = {:.4} (n_w = {}, n_in = {}). ",
        first.size,
        first.settled_seeds,
        first.seeds,
        first.settled_epoch.map_or("-".into(), |e| format!("{e:.0}")),
        h[0].size_over_reference,
        h[0].reference_size,
        h[1].size_over_reference,
        h[1].reference_size,
        h[2].size_over_reference,
        h[2].reference_size,
        evidence.n_w,
        first.n_in,
    ));
    for layer in evidence.layers.iter().skip(1).filter(|l| l.layer != "all") {
        text.push_str(&format!(
            "Layer {} settles at {:.3} ({:.1} times 1/sqrt(n_in) = {:.3}). ",
            layer.layer,
            layer.size,
            layer.hypotheses[2].size_over_reference,
            layer.hypotheses[2].reference_size
        ));
    }
    if let Some(joint) = find(&evidence.grid_fits, "w1", &["width", "n_in"]) {
        text.push_str(&format!(
            "Across the scaling grid ({} configurations, seeds averaged), the first layer's settled size goes as {} and {}: ",
            joint.points,
            exponent_text(joint, "width"),
            exponent_text(joint, "n_in"),
        ));
        let named = |consistent: bool| -> Vec<&str> {
            first
                .hypotheses
                .iter()
                .filter(|h| h.exponents_consistent == Some(consistent))
                .map(|h| h.hypothesis)
                .collect()
        };
        let (fit_with, fit_against) = (named(true), named(false));
        text.push_str(&match (fit_with.is_empty(), fit_against.is_empty()) {
            (true, _) => format!(
                "none of {} predicts these exponents. ",
                fit_against.join(", ")
            ),
            (false, true) => format!("{} all fit them. ", fit_with.join(", ")),
            (false, false) => format!(
                "{} {} them, {}. ",
                fit_with.join(" and "),
                if fit_with.len() == 1 { "fits" } else { "fit" },
                match fit_against.as_slice() {
                    [one] => format!("{one} does not"),
                    many => format!("neither {} does", many.join(" nor ")),
                }
            ),
        });
    }
    text
}

/// What sets the settled size: the scale of the inputs, the regularization,
/// the budget at equilibrium, and whether it is the L2 optimum.
pub fn going_on(evidence: &Claim3Evidence) -> String {
    let mut text = String::from("What is going on? ");
    let Some(first) = evidence.layers.first() else {
        return String::new();
    };
    if let Some(scale) = evidence
        .scale_of_inputs
        .first()
        .filter(|s| s.configurations >= 3 && s.n_in_min < s.n_in_max)
    {
        text.push_str(&format!(
            "Over {} settled runs of the grid, whose n_in spans {}, the first layer's settled size ranges over a factor {:.1} ({:.3} to {:.3}), and its product with the rms length of the layer's input over a factor {:.1} ({:.2} to {:.2}). ",
            scale.configurations,
            scale.n_in_range,
            scale.size_max / scale.size_min,
            scale.size_min,
            scale.size_max,
            scale.max / scale.min,
            scale.min,
            scale.max
        ));
    }
    if let Some(joint) = find(&evidence.sweep_fits, "w1", &["eta", "lambda"]) {
        text.push_str(&format!(
            "The first layer's settled size depends on the regularization as {} and {} (joint fit over the lambda, eta and fixed eta*lambda runs). ",
            exponent_text(joint, "lambda"),
            exponent_text(joint, "eta"),
        ));
    }
    if let (Some(drift), Some(noise)) = (first.drift_share, first.noise_share) {
        text.push_str(&format!(
            "At equilibrium the decay's shrinkage of |w|^2 is given back by the gradient's drift ({:.0}%) and noise ({:.0}%)",
            100.0 * drift,
            100.0 * noise
        ));
        if let (Some(m), Some(p)) = (first.noise_measured, first.noise_predicted) {
            text.push_str(&format!(
                "; the noise, {m:.1} per epoch, is what the spread of the per-example gradients predicts ({p:.1})"
            ));
        }
        text.push_str(". ");
    }
    if let (Some(c), Some(r)) = (first.optimum_cosine, first.gradient_ratio) {
        let optimum = c > 0.9 && (0.5..=2.0).contains(&r);
        text.push_str(&format!(
            "The settled weights are {}the L2-regularized optimum: cos(w, -grad C_0) = {c:.2} (1 at the optimum) and |grad C_0| = {r:.1} |(lambda/n) w| (1 at the optimum).",
            if optimum { "near " } else { "not " }
        ));
    }
    text
}

/// Claim 3, decided from the evidence.
pub fn claim3(evidence: &Claim3Evidence) -> ClaimResult {
    let statement = "Supposing lambda is not too large, the weight decay will tail off when the weights are down to a size around 1/n_w, where n_w is the total number of weights in the network.";
    let title = "Decay tails off when the weights reach about 1/n_w";
    let too_large: Vec<String> = evidence
        .lambda_sweep
        .iter()
        .filter(|r| r.collapsed)
        .map(|r| r.lambda.to_string())
        .collect();
    let mut caveats = vec![
        format!(
            "Sizes are the rms of a layer's weights, averaged over the epochs after it settled (offset fraction within 1 +/- {} when smoothed); the tail-off (first f >= {TAIL_OFF}) depends on the starting size and is given as a description only.",
            evidence.settled_band
        ),
        format!(
            "A size \"around\" a reference is within a factor {} of it; the hypotheses' exponents are judged on the joint fit of the first layer's settled size against width and n_in.",
            evidence.size_factor
        ),
    ];
    if !too_large.is_empty() {
        caveats.push(format!(
            "\"lambda not too large\": training collapsed (validation accuracy below {:.0}%) at lambda {}.",
            100.0 * evidence.collapsed_accuracy,
            too_large.join(", ")
        ));
    }
    ClaimResult {
        id: 3,
        title: title.into(),
        statement: statement.into(),
        verdict: decide(evidence),
        about: "each weight layer's settled size".into(),
        evidence: Evidence::Claim3(Box::new(evidence.clone())),
        answer: answer(evidence),
        explanation: explain(evidence),
        going_on: Some(
            going_on(evidence)
                .trim_start_matches("What is going on? ")
                .to_string(),
        ),
        caveats,
        sensitivity: vec![Sensitivity::of("SIZE_FACTOR", SIZE_FACTOR, |f| {
            decide_at(evidence, f)
        })],
    }
}

#[cfg(test)]
mod tests;
