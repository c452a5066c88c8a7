//! Claim 2 in words: the pure decay's factor, exp(-eta*lambda/m) beside
//! it, and training's shrink in its decay-dominated epochs.

use super::{ClaimText, value_of};
use crate::report::cells::short;
use crate::study::claims::claim2::{Claim2, Claim2Evidence, Claim2Findings, SpotCheck};
use crate::study::claims::{Decided, Sensitivity, Threshold};

/// The answer in two sentences: the pure decay's factor, and how close
/// exp(-eta*lambda/m) and training come to it.
fn answer(e: &Claim2Evidence, found: &Claim2Findings) -> String {
    let error = e.pure_decay_worst_relative_error;
    let mut text = if found.pure_decay_exact {
        format!(
            "With the gradient off, the weights shrink by $(1 - eta*lambda/n)^S$ per epoch (S = n/m steps), to a relative {error:.0e} at worst."
        )
    } else {
        format!(
            "With the gradient off, the measured shrink per epoch is up to a relative {error:.1e} from $(1 - eta*lambda/n)^S$ (S = n/m steps)."
        )
    };
    if let (Some(rho), Some(exp)) = (e.rho_star, e.exp_minus_eta_lambda_over_m) {
        text.push_str(&format!(
            " For the base run that is {rho:.6}, and $exp(-eta*lambda/m)$ = {exp:.6} is {:.1e} from it",
            (rho / exp - 1.0).abs()
        ));
        match e.training_mean_relative_deviation {
            Some(d) => text.push_str(&format!(
                "; in the decay-dominated epochs of training the measured shrink was on average {:.2}% from it.",
                100.0 * d
            )),
            None => text.push('.'),
        }
    }
    text
}

/// A decay-only run's eta*lambda/n as the text prints it.
fn decay_fraction(run: Option<&SpotCheck>) -> String {
    run.map_or("-".into(), |r| short(r.eta_lambda_over_n))
}

/// The explanation, from the evidence alone.
fn explain(e: &Claim2Evidence) -> String {
    let base_steps = e.base_steps;
    let mut explanation = format!(
        "With the gradient switched off, the measured shrink per epoch matched $(1 - eta*lambda/n)^S$ to {:.1e} (relative, worst of {} runs from $eta*lambda/n$ = {} to {}; threshold {:.0e}). ",
        e.pure_decay_worst_relative_error,
        e.spot_checks.len(),
        decay_fraction(e.spot_checks.first()),
        decay_fraction(e.spot_checks.last()),
        e.pure_decay_tolerance
    );
    if let (Some(a), Some(b)) = (e.rho_star, e.exp_minus_eta_lambda_over_m) {
        explanation.push_str(&format!(
            "For the base run (S = {base_steps} steps) rho* = {a:.6} and $exp(-eta*lambda/m)$ = {b:.6}, {:.1e} apart. ",
            (a / b - 1.0).abs()
        ));
    }
    match e.gap_exceeds_tolerance_from {
        Some(c) => explanation.push_str(&format!(
            "At the base run's S = {base_steps} steps, the two differ by more than {:.0}% per epoch once $eta*lambda/n$ reaches {c:e}: that is where \"$eta*lambda << n$\" stops holding (the decay-only runs below have other S, so their gaps at the same $eta*lambda/n$ differ). ",
            100.0 * e.training_tolerance
        )),
        None => explanation.push_str(&format!(
            "The two stay within {:.0}% per epoch over the whole range. ",
            100.0 * e.training_tolerance
        )),
    }
    match e.training_mean_relative_deviation {
        Some(d) => explanation.push_str(&format!(
            "In real training, over the decay-dominated epochs, the shrink ratio of all weights differed from rho* by {:.2}% on average (threshold {:.0}%).",
            100.0 * d,
            100.0 * e.training_tolerance
        )),
        None => explanation.push_str("Real training had no decay-dominated epoch to compare."),
    }
    explanation
}

/// The rule of claim 2's verdict, with its thresholds' values.
pub(super) fn rule(sensitivity: &[Sensitivity]) -> String {
    let pure = value_of(sensitivity, Threshold::PureDecayTolerance);
    let shrink = value_of(sensitivity, Threshold::ShrinkTolerance);
    format!(
        "Holds if, with the gradient off, every epoch's shrink matches $(1 - eta*lambda/n)^S$ to a relative {pure:.0e}, and in training, over the decay-dominated epochs, all weights' shrink is within {}% of it on average; partly if only the first; fails if the first does not hold.",
        100.0 * shrink
    )
}

/// Claim 2's words.
pub fn text(d: &Decided<Claim2>) -> ClaimText {
    let (e, found) = (&d.evidence, &d.decision.findings);
    let mut caveats = Vec::new();
    if found.output_layer_grows
        && let Some(Some(rho)) = e.training_mean_rho_per_layer.last()
    {
        caveats.push(format!(
            "The output layer's weights did not shrink in those epochs (mean rho = {rho:.3}): the factor describes the decay term, not every layer."
        ));
    }
    ClaimText {
        about: "the decay term alone (a); all weights in training (b)".into(),
        answer: answer(e, found),
        explanation: explain(e),
        rule: rule(&d.sensitivity),
        details: None,
        going_on: Vec::new(),
        caveats,
    }
}
