//! Claim 4 in words: accuracy against the other starts, saturation, and
//! each layer's settled std against 1/sqrt(n_in).

use super::ClaimText;
use crate::study::claims::Decided;
use crate::study::claims::claim4::{
    Claim4, Claim4Evidence, Claim4Findings, Comparator, ScaleSetBy,
};

/// A comparator as the text names it.
pub fn comparator_name(c: Comparator) -> &'static str {
    match c {
        Comparator::DefaultNoL2 => "default init, no L2 (the claim's N(0, 1/n_in))",
        Comparator::DefaultL2 => "default init with L2",
        Comparator::LargeNoL2 => "large init, no L2",
    }
}

/// The answer in two sentences: accuracy against the default start, and
/// the first layer's settled std against 1/sqrt(n_in).
fn answer(e: &Claim4Evidence) -> String {
    let c = &e.comparisons.default_no_l2;
    let mut text = format!(
        "At epoch {}, large init with L2 reaches {:.2}% validation accuracy against {:.2}% for {}.",
        e.common_epochs,
        100.0 * e.large_l2_final_accuracy,
        100.0 * c.final_accuracy,
        comparator_name(c.comparator)
    );
    if let Some(l) = e.layers.first() {
        text.push_str(&format!(
            " Its first layer settles at std {:.3}, {:.2} times where the default start settles and {:.1} times N(0, 1/n_in)'s {:.3}.",
            l.settled_std_large_l2,
            l.large_over_default,
            l.large_over_inv_sqrt_n_in,
            l.inv_sqrt_n_in
        ));
    }
    text
}

/// What the settled scales say: whether L2 erases the start, and whether it
/// brings the weights to N(0, 1/n_in)'s scale; `concluding` words it as the
/// explanation's conclusion ("So L2 ...").
fn scales(found: &Claim4Findings, concluding: bool) -> String {
    let so = if concluding { "So " } else { "" };
    match (found.start_erased, found.at_init_scale) {
        (true, false) => format!(
            "{so}L2 erases the starting scale (both starts settle at the same std, within the factor), but {}does not bring the weights down to N(0, 1/n_in)'s scale",
            if concluding { "" } else { "it " }
        ),
        (true, true) => format!(
            "{so}L2 erases the starting scale and brings every layer to N(0, 1/n_in)'s scale"
        ),
        (false, true) => "Every layer ends near N(0, 1/n_in)'s scale, though the two starts do not settle at the same std".into(),
        (false, false) => "The two starts do not settle at the same std, and neither is at N(0, 1/n_in)'s scale".into(),
    }
}

/// What is going on: the scales, and what that means for the claim; then
/// what sets the first layer's size, from the fan-in runs.
fn going_on(e: &Claim4Evidence, found: &Claim4Findings) -> String {
    let mut text = scales(found, false);
    if found.start_erased && !found.at_init_scale {
        text.push_str(": it emulates the good start's result, not its scale");
    }
    text.push('.');
    if let (Some(law), Some(set_by)) = (&e.input_scale, found.first_layer_set_by) {
        let (a, b) = (law.live.input_norm.value, law.live.n_in.value);
        text.push(' ');
        text.push_str(&match set_by {
            ScaleSetBy::InputNorm => format!(
                "The first layer's settled size is set by its inputs' norm, not by their number: scaling the inputs moves it as |x|^{a:.2}, and at a fixed |x| it goes as n_in^{b:.2}. So L2 sizes the first layer to its inputs' norm, where N(0, 1/n_in) sizes it to their number."
            ),
            ScaleSetBy::FanIn => format!(
                "The first layer's settled size is set by its number of inputs, as N(0, 1/n_in)'s is: at a fixed |x| it goes as n_in^{b:.2}, and scaling the inputs moves it as |x|^{a:.2} only."
            ),
            ScaleSetBy::Neither => format!(
                "Neither the inputs' norm alone nor their number alone sets the first layer's settled size: it goes as |x|^{a:.2} n_in^{b:.2}, where a size set by the norm would go as |x|^-1 and one set by the fan-in as n_in^-0.5."
            ),
        });
    }
    text
}

/// The explanation from the evidence, key number first.
fn explain(e: &Claim4Evidence, found: &Claim4Findings) -> String {
    let mut text = format!(
        "At epoch {} (the last all four kinds of base run have), large init with L2 reaches {:.2}% validation accuracy against ",
        e.common_epochs,
        100.0 * e.large_l2_final_accuracy
    );
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
    for l in &e.layers {
        text.push_str(&format!(
            "Layer {}: large+L2 settles at std {:.4}, {:.2} times where default+L2 settles ({:.4}) and {:.1} times 1/sqrt(n_in) = {:.4}. ",
            l.layer,
            l.settled_std_large_l2,
            l.large_over_default,
            l.settled_std_default_l2,
            l.large_over_inv_sqrt_n_in,
            l.inv_sqrt_n_in
        ));
    }
    text.push_str(&scales(found, true));
    text.push('.');
    text
}

/// Claim 4's words.
pub fn text(d: &Decided<Claim4>) -> ClaimText {
    let (e, found) = (&d.evidence, &d.decision.findings);
    ClaimText {
        about: "accuracy and saturation of the whole network; each layer's settled std".into(),
        answer: answer(e),
        explanation: explain(e, found),
        going_on: Some(going_on(e, found)),
        caveats: vec![
            "Accuracy is compared on the validation set, averaged over seeds, over the epochs every kind of run has (runs without L2 stop at their own epoch count).".into(),
            format!(
                "\"Within one point\" is {:.0} percentage point; a std \"at\" 1/sqrt(n_in) is within a factor {}; \"the same\" settled std within a factor {}.",
                100.0 * e.one_point,
                e.init_factor,
                e.same_scale
            ),
        ],
    }
}
