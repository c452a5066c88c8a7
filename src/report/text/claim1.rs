//! Claim 1 in words: K and f in epoch 1, per layer, and how the gradient
//! moved the weights.

use super::{ClaimText, value_of};
use crate::study::claims::claim1::{Claim1Evidence, Claim1Findings};
use crate::study::claims::{Decided, Sensitivity, Threshold, claim1::Claim1};
use crate::study::plan;

/// "undid X% of" or "added X% to" the decay's shrinkage, for f_1.
fn undid_or_added(f1: f64) -> String {
    if f1 >= 0.0 {
        format!("undid {:.1}% of", 100.0 * f1)
    } else {
        format!("added {:.1}% to", -100.0 * f1)
    }
}

/// "the first epoch" or "its first K epochs".
fn first_epochs(k: usize) -> String {
    match k {
        1 => "its first epoch".into(),
        k => format!("its first {k} epochs"),
    }
}

/// The answer, one sentence per weight layer: whether the decay dominates
/// its size, and its motion.
fn answer(e: &Claim1Evidence, found: &Claim1Findings) -> String {
    let layers = found.layers.len();
    let cutoff = e.threshold_offset_fraction;
    let sentences: Vec<String> = found
        .layers
        .iter()
        .enumerate()
        .map(|(l, d)| {
            let name = super::layer_name(l, layers);
            let f1 = e.f_epoch1_per_layer.get(l).copied().flatten();
            let f1 = f1.unwrap_or(f64::NAN);
            let size = if d.k_min >= 1 {
                format!(
                    "The decay dominates the size of {name} in {} ($|f| < {cutoff}$; $f_1 = {f1:.3}$)",
                    first_epochs(d.k_min)
                )
            } else if f1 > 1.0 {
                format!(
                    "The decay does not dominate the size of {name}: in epoch 1 the gradient grew it ($f_1 = {f1:.2} > 1$)"
                )
            } else {
                format!(
                    "The decay does not dominate the size of {name}: in epoch 1 the gradient {} the decay's shrinkage ($f_1 = {f1:.2}$)",
                    undid_or_added(f1),
                )
            };
            let moves = e.epoch_1_moves.get(l);
            let ratio = moves.and_then(|m| m.gradient_over_decay_displacement);
            let motion = match (d.motion_decay_dominated, ratio) {
                (Some(true), Some(ratio)) => format!(
                    ", and the gradient moved it only {ratio:.2} times as far as the decay in epoch 1"
                ),
                (Some(false), Some(ratio)) => format!(
                    "{} {ratio:.1} times as far as the decay in epoch 1{}",
                    if d.k_min >= 1 {
                        ", but the gradient moved it"
                    } else {
                        ", and moved it"
                    },
                    match moves.and_then(|m| m.change_cosine) {
                        Some(c) => format!(" (the change at cos {c:.2} to $-w$)"),
                        None => String::new(),
                    }
                ),
                _ => String::new(),
            };
            format!("{size}{motion}.")
        })
        .collect();
    sentences.join(" ")
}

/// The explanation, from the evidence and the findings alone.
fn explain(e: &Claim1Evidence, found: &Claim1Findings) -> String {
    let (k_min, k_max) = (found.k_min, found.k_max);
    let layers = e.f_epoch1_per_layer.len();
    let f1_mean = e.f_epoch1_mean.unwrap_or(f64::NAN);
    let cutoff = e.threshold_offset_fraction;
    let mut explanation = format!(
        "With large initialization, lambda {} and the base hyperparameters, the gradient {} the decay's shrinkage in epoch 1 (offset fraction $f_1 = {:.3}$, mean over {} seeds), and the first {} epochs (fewest over seeds; most: {}) had $|f| < {cutoff}$. ",
        plan::LAMBDA,
        undid_or_added(f1_mean),
        f1_mean,
        e.k_all_weights_per_seed.len(),
        k_min,
        k_max,
    );
    for (l, f) in e.f_epoch1_per_layer.iter().enumerate() {
        if let Some(f) = f {
            explanation.push_str(&format!(
                "Layer {}: $f_1 = {:.3}$, {} leading decay-dominated epochs. ",
                super::layer_name(l, layers),
                f,
                e.k_per_layer_per_seed[l].iter().min().unwrap_or(&0)
            ));
        }
    }
    let verdicts_at: Vec<String> = e
        .by_cutoff
        .iter()
        .map(|c| format!("{} at {}", c.verdict.as_str(), c.cutoff))
        .collect();
    explanation.push_str(&format!(
        "The verdict's cut-off is $|f| < {cutoff}$; by cut-off the verdict is {}. ",
        verdicts_at.join(", ")
    ));
    for (moves, sideways) in e.epoch_1_moves.iter().zip(&found.moves_sideways) {
        if let (Some(ratio), Some(cosine)) =
            (moves.gradient_over_decay_displacement, moves.change_cosine)
        {
            explanation.push_str(&format!(
                "In epoch 1 the gradient moved layer {}'s weights {ratio:.1} times as far as the decay did, and the epoch's change pointed at cos {cosine:.2} to $-w${}. ",
                moves.layer,
                if *sideways == Some(true) {
                    " (the decay sets the size, the gradient the direction)"
                } else {
                    ""
                }
            ));
        }
    }
    explanation
}

/// The numbers around the verdict, shown after its box: saturation and the
/// gradient's size at the two starts, each layer's f_1 from the default
/// start, and the lambda sweep.
fn details(e: &Claim1Evidence) -> String {
    let mut explanation = String::new();
    if let (Some(sl), Some(sd)) = (e.saturation_epoch1_large, e.saturation_epoch1_default) {
        explanation.push_str(&format!(
            "After epoch 1, {:.0}% of the (validation image, hidden neuron) pairs were saturated ($sigma'(z) < 0.01$) with large initialization against {:.0}% with $N(0, 1/n_in)$. ",
            100.0 * sl,
            100.0 * sd
        ));
    }
    if let (Some(gl), Some(gd)) = (
        e.gradient_signal_hidden_epoch1_large,
        e.gradient_signal_hidden_epoch1_default,
    ) {
        explanation.push_str(&format!(
            "The mean-gradient size $|(1/m) sum partial C_x/partial w|$ of the hidden layer averaged {gl:.3} (large) against {gd:.3} (default). "
        ));
    }
    for moves in &e.epoch_1_moves {
        if let Some(f) = moves.f_1_default_init {
            explanation.push_str(&format!(
                "With default initialization, layer {}'s $f_1 = {f:.2}$. ",
                moves.layer
            ));
        }
    }
    match e.smallest_lambda_with_k_at_least_1 {
        Some(l) => explanation.push_str(&format!(
            "In the lambda sweep the smallest lambda with at least one decay-dominated epoch was {l}."
        )),
        None => explanation.push_str("No lambda of the sweep gave a decay-dominated first epoch."),
    }
    explanation
}

/// The rule of claim 1's verdict, per layer, with its thresholds' values.
pub(super) fn rule(sensitivity: &[Sensitivity]) -> String {
    let cut_off = value_of(sensitivity, Threshold::DecayDominated);
    let epochs = value_of(sensitivity, Threshold::FirstEpochs);
    format!(
        "Holds if every weight layer has at least {epochs} leading epochs with $|f| < {cut_off}$ in every seed, and, averaged over the seeds, in epoch 1 the decay moved it further than the gradient did; partly if some layer has at least 1 such epoch in every seed; fails otherwise."
    )
}

/// Claim 1's words.
pub fn text(d: &Decided<Claim1>) -> ClaimText {
    let (e, found) = (&d.evidence, &d.decision.findings);
    let mut caveats = vec![
        format!(
            "All weights together, almost all in the first layer ({} of {}), had {} leading decay-dominated epochs (fewest over seeds).",
            e.first_layer_weights, e.weights, found.k_min
        ),
        "|f| measures the radial part only, what the epoch did to $|w|^2$; the displacements measure how far the weights moved in every direction.".into(),
    ];
    if found.output_layer_not_decay_dominated
        && let Some(Some(f_out)) = e.f_epoch1_per_layer.last()
    {
        caveats.push(format!(
            "The output layer is not decay-dominated: $f_1 = {f_out:.2}$ (> 1 means its weights grew)."
        ));
    }
    ClaimText {
        about: "each weight layer: its size (|f|) and how far it moves".into(),
        answer: answer(e, found),
        explanation: explain(e, found),
        rule: rule(&d.sensitivity),
        details: Some(details(e)),
        going_on: Vec::new(),
        caveats,
    }
}
