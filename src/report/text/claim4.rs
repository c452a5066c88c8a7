//! Claim 4 in words: accuracy against the other starts, saturation, and
//! each layer's settled std against 1/sqrt(n_in).

use super::{ClaimText, value_of};
use crate::study::claims::claim4::{
    Claim4, Claim4Evidence, Claim4Findings, Comparator, ScaleSetBy,
};
use crate::study::claims::{Decided, Sensitivity, Threshold};
use crate::study::plan;
use crate::theory;

/// A comparator as the text names it.
pub fn comparator_name(c: Comparator) -> &'static str {
    match c {
        Comparator::DefaultNoL2 => "default init, no L2 (the claim's $N(0, 1/n_in)$)",
        Comparator::DefaultL2 => "default init with L2",
        Comparator::LargeNoL2 => "large init, no L2",
    }
}

/// The answer in two sentences: the early epochs' accuracy against N(0,
/// 1/n_in)'s, and the saturation at the end against its.
fn answer(e: &Claim4Evidence, found: &Claim4Findings) -> String {
    let default = &e.comparisons.default_no_l2;
    let (Some(large_1), Some(default_1)) = (
        e.large_l2_early_accuracy.first(),
        default.early_accuracy.first(),
    ) else {
        return "The runs have no epoch 1.".into();
    };
    let early = format!(
        "{} the fast start of $N(0, 1/n_in)$ initialization: at epoch 1 large init with L2 reaches {:.2}% validation accuracy against {:.2}% for {}",
        if found.early_speed_emulated {
            "L2 gives large init"
        } else {
            "L2 does not give large init"
        },
        100.0 * large_1,
        100.0 * default_1,
        comparator_name(default.comparator)
    );
    let saturation = format!(
        "It {} saturated than that run at epoch {}: {:.0}% of the hidden layer's (example, neuron) pairs are saturated against {:.0}% ({:.0}% at the large start).",
        if found.saturation_emulated {
            "ends no more"
        } else {
            "ends more"
        },
        e.common_epochs,
        100.0 * e.large_l2_final_saturation,
        100.0 * default.final_saturation,
        100.0 * e.large_l2_start_saturation
    );
    format!("{early}. {saturation}")
}

/// What the settled scales say: whether L2 erases the start, and whether it
/// brings the weights to N(0, 1/n_in)'s scale; `concluding` words it as the
/// explanation's conclusion ("So L2 ...").
fn scales(found: &Claim4Findings, concluding: bool) -> String {
    let so = if concluding { "So " } else { "" };
    match (found.start_erased, found.at_init_scale) {
        (true, false) => format!(
            "{so}L2 erases the starting scale (both starts settle at the same std, within the factor), but {}does not bring the weights down to $N(0, 1/n_in)$'s scale",
            if concluding { "" } else { "it " }
        ),
        (true, true) => format!(
            "{so}L2 erases the starting scale and brings every layer to $N(0, 1/n_in)$'s scale"
        ),
        (false, true) => "Every layer ends near $N(0, 1/n_in)$'s scale, though the two starts do not settle at the same std".into(),
        (false, false) => "The two starts do not settle at the same std, and neither is at $N(0, 1/n_in)$'s scale".into(),
    }
}

/// What is going on, two paragraphs: why the early epochs differ (the
/// saturation at the start, and how slowly the decay acts) and the scales
/// L2 ends at; then what sets the first layer's size, from the fan-in runs.
fn going_on(e: &Claim4Evidence, found: &Claim4Findings) -> Vec<String> {
    let default = &e.comparisons.default_no_l2;
    let large_no_l2 = &e.comparisons.large_no_l2;
    let shrink = theory::asymptotic_shrink(plan::ETA, plan::LAMBDA, plan::BATCH);
    let tau = theory::relaxation_epochs(plan::ETA, plan::LAMBDA, plan::BATCH);
    let mut text = format!(
        "$N(0, 1/n_in)$ starts the hidden layer unsaturated ({:.0}% of the (validation image, hidden neuron) pairs before training, against {:.0}% at the large start). L2 shrinks the weights by $exp(-eta*lambda/m)$ = {shrink:.3} per epoch, by 1/e in {tau:.0} epochs, and over the first {} epochs large init learns {} with L2 than without it (epoch 1: {:.2}% against {:.2}%). ",
        100.0 * default.start_saturation,
        100.0 * e.large_l2_start_saturation,
        e.large_l2_early_accuracy.len(),
        if found.l2_speeds_early {
            "faster"
        } else {
            "no faster"
        },
        100.0
            * e.large_l2_early_accuracy
                .first()
                .copied()
                .unwrap_or(f64::NAN),
        100.0
            * large_no_l2
                .early_accuracy
                .first()
                .copied()
                .unwrap_or(f64::NAN),
    );
    text.push_str(&scales(found, false));
    if found.start_erased && !found.at_init_scale {
        text.push_str(": it emulates the good start's result, not its scale");
    }
    text.push('.');
    let mut paragraphs = vec![text];
    if let (Some(law), Some(set_by)) = (&e.input_scale, found.first_layer_set_by) {
        let (a, b) = (law.live.input_norm.value, law.live.n_in.value);
        paragraphs.push(match set_by {
            ScaleSetBy::InputNorm => format!(
                "The first layer's settled size is set by its inputs' norm, not by their number: scaling the inputs moves it as $|x|^{a:.2}$, and at a fixed $|x|$ it goes as $n_in^{b:.2}$. So L2 sizes the first layer to its inputs' norm, where $N(0, 1/n_in)$ sizes it to their number."
            ),
            ScaleSetBy::FanIn => format!(
                "The first layer's settled size is set by its number of inputs, as $N(0, 1/n_in)$'s is{}: at a fixed $|x|$ it goes as $n_in^{b:.2}$ (within {} of $N(0, 1/n_in)$'s $n_in^-0.5$), and scaling the inputs moves it as $|x|^{a:.2}$ only. (Claim 3's grid, which pools the images and so changes their norm with n_in, cannot tell these apart.)",
                if found.at_init_scale { "" } else { ", though not at its size" },
                e.exponent_tolerance
            ),
            ScaleSetBy::Neither => format!(
                "Neither the inputs' norm alone nor their number alone sets the first layer's settled size: it goes as $|x|^{a:.2} n_in^{b:.2}$, where a size set by the norm would go as $|x|^-1$ and one set by the fan-in as $n_in^-0.5$."
            ),
        });
    }
    paragraphs
}

/// The explanation from the evidence, key number first.
fn explain(e: &Claim4Evidence, found: &Claim4Findings) -> String {
    let percents = |values: &[f64]| {
        let each: Vec<String> = values
            .iter()
            .map(|v| format!("{:.2}%", 100.0 * v))
            .collect();
        each.join(", ")
    };
    let mut text = format!(
        "Validation accuracy at epochs 1 to {}: {} with large init and L2, {} with {}, {} with {}; ",
        e.large_l2_early_accuracy.len(),
        percents(&e.large_l2_early_accuracy),
        percents(&e.comparisons.default_no_l2.early_accuracy),
        comparator_name(Comparator::DefaultNoL2),
        percents(&e.comparisons.large_no_l2.early_accuracy),
        comparator_name(Comparator::LargeNoL2),
    );
    text.push_str(if found.early_speed_emulated {
        "within one point of $N(0, 1/n_in)$'s at every one of them. "
    } else {
        "more than one point behind $N(0, 1/n_in)$'s at one of them at least. "
    });
    text.push_str(&format!(
        "At epoch {} (the last all four kinds of base run have), large init with L2 reaches {:.2}% validation accuracy against ",
        e.common_epochs,
        100.0 * e.large_l2_final_accuracy
    ));
    let parts: Vec<String> = e
        .comparisons
        .each()
        .iter()
        .map(|c| {
            format!(
                "{:.2}% for {}{}",
                100.0 * c.final_accuracy,
                comparator_name(c.comparator),
                match c.within_one_point_from {
                    Some(epoch) => format!(" (within one point from epoch {epoch})"),
                    None => " (never within one point to the end)".into(),
                }
            )
        })
        .collect();
    text.push_str(&parts.join(", "));
    text.push_str(&format!(
        ". Hidden saturation then: {:.0}% with large+L2, ",
        100.0 * e.large_l2_final_saturation
    ));
    let saturations: Vec<String> = e
        .comparisons
        .each()
        .iter()
        .map(|c| {
            format!(
                "{:.0}% with {}",
                100.0 * c.final_saturation,
                comparator_name(c.comparator)
            )
        })
        .collect();
    text.push_str(&saturations.join(", "));
    text.push_str(". ");
    text.push_str("The sizes here are standard deviations, the spread of a layer's weights about their mean (what $N(0, 1/n_in)$ sets); claim 3's rms also counts their mean. ");
    for l in &e.layers {
        text.push_str(&format!(
            "Layer {}: large+L2 settles at std {:.4}, {:.2} times where default+L2 settles ({:.4}{}) and {:.1} times $1/sqrt(n_in)$ = {:.4}. ",
            l.layer,
            l.settled_std_large_l2,
            l.large_over_default,
            l.settled_std_default_l2,
            match l.extrapolated_large_over_default {
                Some(ratio) => format!(
                    "; {ratio:.3} times with the rms each run approaches, extrapolated past its stop"
                ),
                None => String::new(),
            },
            l.large_over_inv_sqrt_n_in,
            l.inv_sqrt_n_in
        ));
    }
    text.push_str(&scales(found, true));
    text.push('.');
    text
}

/// The rule of claim 4's verdict, with its thresholds' values.
pub(super) fn rule(sensitivity: &[Sensitivity]) -> String {
    let point = 100.0 * value_of(sensitivity, Threshold::OnePoint);
    let early = value_of(sensitivity, Threshold::EarlyEpochs);
    let gap = 100.0 * value_of(sensitivity, Threshold::SaturationGap);
    let tolerance = value_of(sensitivity, Threshold::ExponentTolerance);
    format!(
        "Holds if large init with L2 is at most {point} point(s) behind $N(0, 1/n_in)$ without L2 in validation accuracy at each of epochs 1 to {early}, and its hidden layer at the last epoch every base run has is at most {gap} points more saturated (all averaged over the seeds); partly if one of the two holds, or neither but the first layer's settled size follows the fan-in as $N(0, 1/n_in)$'s does (both exponents within {tolerance} of that law's); fails otherwise."
    )
}

/// Claim 4's words.
pub fn text(d: &Decided<Claim4>) -> ClaimText {
    let (e, found) = (&d.evidence, &d.decision.findings);
    ClaimText {
        about: "accuracy and saturation of the whole network; each layer's settled std".into(),
        answer: answer(e, found),
        explanation: explain(e, found),
        rule: rule(&d.sensitivity),
        details: None,
        going_on: going_on(e, found),
        caveats: vec![
            "Accuracy is compared on the validation set, averaged over seeds, over the epochs every kind of run has (runs without L2 stop at their own epoch count).".into(),
            format!(
                "\"Within one point\" is {:.0} percentage point; the early epochs are epochs 1 to {}; \"no more saturated\" is at most {:.0} points above; a std \"at\" $1/sqrt(n_in)$ is within a factor {}; \"the same\" settled std within a factor {}.",
                100.0 * e.one_point,
                e.early_epochs,
                100.0 * e.saturation_gap,
                e.init_factor,
                e.same_scale
            ),
            "The verdict is on what $N(0, 1/n_in)$ changes, the early epochs' speed and the saturation; the accuracy at the end and the settled stds are described beside it.".into(),
        ],
    }
}
