//! Claim 3 in words: the settled sizes against the size laws, the fits,
//! and what the measurements say is going on.

use super::ClaimText;
use crate::net::Layer;
use crate::study::claims::Decided;
use crate::study::claims::claim3::{Claim3, Claim3Evidence, Claim3Findings, SizeLaw};
use crate::study::equilibrium::{Predictor, SizeFit, find_fit};
use crate::study::measures::TAIL_OFF;

/// A law as the text names it.
fn law_name(law: SizeLaw) -> &'static str {
    match law {
        SizeLaw::WeightCount => "1/n_w",
        SizeLaw::SqrtWeightCount => "1/sqrt(n_w)",
        SizeLaw::SqrtFanIn => "1/sqrt(n_in)",
    }
}

fn exponent_text(fit: &SizeFit, predictor: Predictor) -> String {
    match fit.exponent(predictor) {
        Some(e) => format!(
            "{predictor}^{:.2} (95% {:.2} to {:.2})",
            e.value, e.low, e.high
        ),
        None => format!("{predictor}: not fitted"),
    }
}

/// The first layer's joint fit against width and n_in.
fn joint_fit(e: &Claim3Evidence) -> Option<&SizeFit> {
    find_fit(
        &e.grid_fits,
        Layer::FIRST,
        &[Predictor::Width, Predictor::NIn],
    )
}

/// "not as A (exponents ...) or B (...)", for the laws the fit excludes.
fn excluded_laws(found: &Claim3Findings) -> String {
    let named: Vec<String> = found
        .laws_excluded
        .iter()
        .filter(|l| **l != SizeLaw::SqrtFanIn)
        .map(|&l| {
            let (w, n) = l.exponents();
            let fraction = |x: f64| {
                if x == -0.5 {
                    "-1/2".into()
                } else {
                    format!("{x}")
                }
            };
            match l {
                SizeLaw::WeightCount => format!("{} (exponents {}, {})", law_name(l), w, n),
                _ => format!("{} ({}, {})", law_name(l), fraction(w), fraction(n)),
            }
        })
        .collect();
    if named.is_empty() {
        String::new()
    } else {
        format!(", not as {}", named.join(" or "))
    }
}

/// The answer in two sentences: the first layer's settled size against the
/// claim's and the book's sizes, and how it scales.
fn answer(e: &Claim3Evidence, found: &Claim3Findings) -> String {
    let Some(first) = e.layers.first() else {
        return "No base runs.".into();
    };
    let h = &first.hypotheses;
    let mut text = format!(
        "The first layer's weights settle at rms {:.3}: {:.0} times the claim's 1/n_w and {:.0} times the book's 1/sqrt(n_w).",
        first.size, h.inv_n_w.size_over_reference, h.inv_sqrt_n_w.size_over_reference
    );
    if let Some(joint) = joint_fit(e) {
        let value = |p| joint.exponent(p).map_or(f64::NAN, |e| e.value);
        text.push_str(&format!(
            " Across the scaling grid the size goes as width^{:.2} n_in^{:.2}{}.",
            value(Predictor::Width),
            value(Predictor::NIn),
            excluded_laws(found)
        ));
    }
    text
}

/// The settled sizes against the hypotheses, layer by layer, and the fit.
fn settled_text(e: &Claim3Evidence, found: &Claim3Findings) -> String {
    let Some(first) = e.layers.first() else {
        return "No base runs.".into();
    };
    let h = &first.hypotheses;
    let mut text = format!(
        "The first layer's weights settle at rms {:.3} ({} of {} seeds settled, at epoch {}): {:.0} times the claim's 1/n_w = {:.1e}, {:.0} times the book's 1/sqrt(n_w) = {:.4}, and {:.1} times 1/sqrt(n_in) = {:.4} (n_w = {}, n_in = {}). ",
        first.size,
        first.settled_seeds,
        first.seeds,
        first
            .settled_epoch
            .map_or("-".into(), |e| format!("{e:.0}")),
        h.inv_n_w.size_over_reference,
        h.inv_n_w.reference_size,
        h.inv_sqrt_n_w.size_over_reference,
        h.inv_sqrt_n_w.reference_size,
        h.inv_sqrt_n_in.size_over_reference,
        h.inv_sqrt_n_in.reference_size,
        e.n_w,
        first.n_in,
    );
    for layer in e.layers.iter().skip(1).filter(|l| l.layer != Layer::All) {
        let h = &layer.hypotheses.inv_sqrt_n_in;
        text.push_str(&format!(
            "Layer {} settles at {:.3} ({:.1} times 1/sqrt(n_in) = {:.3}). ",
            layer.layer, layer.size, h.size_over_reference, h.reference_size
        ));
    }
    if let Some(joint) = joint_fit(e) {
        text.push_str(&format!(
            "Across the scaling grid ({} configurations, seeds averaged), the first layer's settled size goes as {} and {}: ",
            joint.points,
            exponent_text(joint, Predictor::Width),
            exponent_text(joint, Predictor::NIn),
        ));
        let names = |laws: &[SizeLaw]| -> Vec<&str> { laws.iter().map(|&l| law_name(l)).collect() };
        let (fit_with, fit_against) = (names(&found.laws_consistent), names(&found.laws_excluded));
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
fn going_on(e: &Claim3Evidence, found: &Claim3Findings) -> String {
    let mut text = String::new();
    let Some(first) = e.layers.first() else {
        return text;
    };
    if let Some(scale) = e
        .scale_of_inputs
        .first()
        .filter(|_| found.scale_of_inputs_compared)
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
    if let Some(joint) = find_fit(
        &e.sweep_fits,
        Layer::FIRST,
        &[Predictor::Eta, Predictor::Lambda],
    ) {
        text.push_str(&format!(
            "The first layer's settled size depends on the regularization as {} and {} (joint fit over the lambda, eta and fixed eta*lambda runs). ",
            exponent_text(joint, Predictor::Lambda),
            exponent_text(joint, Predictor::Eta),
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
    if let (Some(c), Some(r), Some(at_optimum)) = (
        first.optimum_cosine,
        first.gradient_ratio,
        found.first_layer_at_optimum,
    ) {
        text.push_str(&format!(
            "The settled weights are {}the L2-regularized optimum: cos(w, -grad C_0) = {c:.2} (1 at the optimum) and |grad C_0| = {r:.1} |(lambda/n) w| (1 at the optimum).",
            if at_optimum { "near " } else { "not " }
        ));
    }
    text
}

/// Claim 3's words.
pub fn text(d: &Decided<Claim3>) -> ClaimText {
    let (e, found) = (&d.evidence, &d.decision.findings);
    let going_on = going_on(e, found);
    let mut caveats = vec![
        format!(
            "Sizes are the rms of a layer's weights, averaged over the epochs after it settled (offset fraction within 1 +/- {} when smoothed); the tail-off (first f >= {TAIL_OFF}) depends on the starting size and is given as a description only.",
            e.settled_band
        ),
        format!(
            "A size \"around\" a reference is within a factor {} of it; the hypotheses' exponents are judged on the joint fit of the first layer's settled size against width and n_in.",
            e.size_factor
        ),
    ];
    if !found.collapsed_lambdas.is_empty() {
        let lambdas: Vec<String> = found.collapsed_lambdas.iter().map(f64::to_string).collect();
        caveats.push(format!(
            "\"lambda not too large\": training collapsed (validation accuracy below {:.0}%) at lambda {}.",
            100.0 * e.collapsed_accuracy,
            lambdas.join(", ")
        ));
    }
    ClaimText {
        about: "each weight layer's settled size".into(),
        answer: answer(e, found),
        explanation: if e.layers.is_empty() {
            settled_text(e, found)
        } else {
            format!("{}What is going on? {going_on}", settled_text(e, found))
        },
        going_on: Some(going_on),
        caveats,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::claims::claim3::Claim3Findings;

    fn findings(consistent: &[SizeLaw], excluded: &[SizeLaw]) -> Claim3Findings {
        Claim3Findings {
            layers: Vec::new(),
            laws_consistent: consistent.to_vec(),
            laws_excluded: excluded.to_vec(),
            first_layer_at_optimum: None,
            scale_of_inputs_compared: false,
            collapsed_lambdas: Vec::new(),
        }
    }

    #[test]
    fn the_answer_names_only_the_laws_the_fit_excludes() {
        use SizeLaw::*;
        let both = findings(&[SqrtFanIn], &[WeightCount, SqrtWeightCount]);
        assert_eq!(
            excluded_laws(&both),
            ", not as 1/n_w (exponents -1, -1) or 1/sqrt(n_w) (-1/2, -1/2)"
        );
        let one = findings(&[SqrtWeightCount, SqrtFanIn], &[WeightCount]);
        assert_eq!(excluded_laws(&one), ", not as 1/n_w (exponents -1, -1)");
        assert_eq!(
            excluded_laws(&findings(&[WeightCount, SqrtWeightCount, SqrtFanIn], &[])),
            ""
        );
    }
}
