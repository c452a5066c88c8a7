//! Claim 3 in words: the settled sizes against the size laws, the fits,
//! and what the measurements say is going on.

use super::ClaimText;
use crate::net::Layer;
use crate::report::cells::short;
use crate::study::claims::Decided;
use crate::study::claims::claim3::{
    Claim3, Claim3Evidence, Claim3Findings, NoiseMoves, NoiseTest, SizeLaw, SizeSetBy,
};
use crate::study::equilibrium::{Predictor, SizeFit, find_fit};
use crate::study::measures::TAIL_OFF;
use crate::study::noise_law::NoiseLaw;
use crate::study::plan::{BRANCH_AVERAGE, BRANCH_BURN_IN};

/// A law as the text names it.
fn law_name(law: SizeLaw) -> &'static str {
    match law {
        SizeLaw::WeightCount => "$1/n_w$",
        SizeLaw::SqrtWeightCount => "$1/sqrt(n_w)$",
        SizeLaw::SqrtFanIn => "$1/sqrt(n_in)$",
    }
}

fn exponent_text(fit: &SizeFit, predictor: Predictor) -> String {
    match fit.exponent(predictor) {
        Some(e) => format!(
            "${predictor}^{:.2}$ (95% {:.2} to {:.2})",
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
        format!(
            ", which is not how {} would vary with width and n_in",
            named.join(" or ")
        )
    }
}

/// The answer in words first (where the weights stop and what the noise
/// law found sets it), then one number (the first layer's settled size
/// against the claim's and the book's) and the book's law in a clause.
fn answer(e: &Claim3Evidence, found: &Claim3Findings) -> String {
    let Some(first) = e.layers.first() else {
        return "No base runs.".into();
    };
    let h = &first.hypotheses;
    let mut text = in_words(h.inv_n_w.size_over_reference, found);
    text.push_str(&format!(
        " The first layer's weights settle at rms {:.3}: {:.0} times the claim's $1/n_w$ and {:.0} times the book's $1/sqrt(n_w)$.",
        first.size, h.inv_n_w.size_over_reference, h.inv_sqrt_n_w.size_over_reference
    ));
    if let (Some(b), Some(base), Some(near)) = (
        e.architecture.n_w_exponent,
        e.architecture.base_prefactor(),
        found.prefactor_near_one,
    ) {
        let book_form = found.form_laws.contains(&SizeLaw::SqrtWeightCount);
        text.push_str(&format!(
            " Against $n_w$ the rms of all weights goes as $n_w^{:.2}$: {} ($rms sqrt(n_w)$ is {base:.0}, 1 for the book).",
            b.value,
            book_law_words(book_form, near)
        ));
    }
    text
}

/// How much of the book's 1/sqrt(n_w) holds for all weights: its exponent
/// of n_w (`book_form`) and its size, a prefactor near 1 (`near`).
fn book_law_words(book_form: bool, near: bool) -> &'static str {
    match (book_form, near) {
        (true, true) => "the book's law, exponent and size",
        (true, false) => "the book's exponent, not its size",
        (false, true) => "the book's size at the base network, not its exponent",
        (false, false) => "neither the book's exponent nor its size",
    }
}

/// The numbers behind the answer, after the verdict's box: how the first
/// layer's size scales over the grid, and the all-weights law as form and
/// prefactor with its interval.
fn answer_details(e: &Claim3Evidence, found: &Claim3Findings) -> Option<String> {
    let mut text = String::new();
    if let Some(joint) = joint_fit(e) {
        let value = |p| joint.exponent(p).map_or(f64::NAN, |e| e.value);
        text.push_str(&format!(
            "Across the scaling grid the first layer's size goes as $width^{:.2} n_in^{:.2}${}.",
            value(Predictor::Width),
            value(Predictor::NIn),
            excluded_laws(found)
        ));
    }
    text.push_str(&architecture_text(e, found));
    let text = text.trim().to_string();
    (!text.is_empty()).then_some(text)
}

/// Claim 3's answer in plain words, from the noise law's decisions over the
/// weight layers and lambdas (`found.noise`); `over_inv_n_w` is the first
/// layer's settled size over 1/n_w.
fn in_words(over_inv_n_w: f64, found: &Claim3Findings) -> String {
    let place = if over_inv_n_w >= 1.0 {
        "The weights stop long before they are as small as $1/n_w$"
    } else {
        "The weights shrink below $1/n_w$"
    };
    let tests: Vec<&NoiseTest> = found
        .noise
        .iter()
        .filter(|n| n.layer != Layer::All)
        .collect();
    let count = |set_by: SizeSetBy| tests.iter().filter(|n| n.set_by == set_by).count();
    let (optimum, noise, total) = (
        count(SizeSetBy::Optimum),
        count(SizeSetBy::Noise),
        tests.len(),
    );
    // The first layer at the first lambda tested (the base one): how much of
    // its |w|^2 the noise adds or takes off.
    let first = tests.iter().find(|n| n.layer == Layer::FIRST);
    let noise_part = first.map_or(String::new(), |n| match n.moves {
        NoiseMoves::Up => format!(
            "; SGD's noise only moves them off it (in the first layer at lambda {} it adds {:.0}% of $|w|^2$)",
            n.lambda,
            100.0 * (1.0 - n.intercept_share)
        ),
        NoiseMoves::Down => format!(
            "; SGD's noise only moves them off it (in the first layer at lambda {} it lowers $|w|^2$ by {:.0}%)",
            n.lambda,
            100.0 * (n.intercept_share - 1.0)
        ),
        NoiseMoves::Undetected => "; SGD's noise moves them off it by no measurable amount".into(),
    });
    let optimum_words = "at the L2-regularized optimum, the minimum of $C_0 + (lambda/2n) sum |w|^2$, where the data cost's pull balances the decay";
    let others = match (total - optimum, noise) {
        (1, 0) => "the other fits neither picture".to_string(),
        (_, 0) => "the others fit neither picture".to_string(),
        (k, noise) => format!("{noise} of the other {k} live on SGD's noise"),
    };
    if total == 0 {
        format!("{place}; what sets where they stop was not tested (no branches in this study).")
    } else if optimum == total {
        format!("{place}. They stop {optimum_words}{noise_part}.")
    } else if 2 * optimum > total {
        format!(
            "{place}. In {optimum} of the {total} layers and lambdas tested they stop {optimum_words} ({others}){noise_part}."
        )
    } else if noise == total {
        format!(
            "{place}. They stop where the decay balances SGD's noise, not at the L2-regularized optimum."
        )
    } else {
        format!(
            "{place}; what sets where they stop is not decided: the L2 optimum fits {optimum}, SGD's noise {noise} of the {total} layers and lambdas tested."
        )
    }
}

/// The all-weights law as form and prefactor: "The all-weights rms goes as
/// n_w^b (...): the exponent of ...; its prefactor ...".
fn architecture_text(e: &Claim3Evidence, found: &Claim3Findings) -> String {
    let a = &e.architecture;
    let mut text = String::new();
    if let Some(b) = a.n_w_exponent {
        let form = match found.form_laws.as_slice() {
            [] => "neither $1/n_w$'s exponent nor $1/sqrt(n_w)$'s".to_string(),
            laws => format!(
                "the exponent of {}",
                laws.iter()
                    .map(|&l| law_name(l))
                    .collect::<Vec<_>>()
                    .join(" and of ")
            ),
        };
        text.push_str(&format!(
            " Taken against n_w alone, the rms of all the weights goes as $n_w^{:.2}$ (95% {:.2} to {:.2}) across the scaling grid: {form}",
            b.value, b.low, b.high
        ));
        if let (Some(lo), Some(hi)) = (a.grid_prefactor_min, a.grid_prefactor_max) {
            text.push_str(&format!(
                ", with $rms sqrt(n_w)$ between {lo:.0} and {hi:.0} over the grid's runs"
            ));
        }
        text.push('.');
    }
    if let (Some(base), Some(near)) = (a.base_prefactor(), found.prefactor_near_one) {
        let by_lambda: Vec<String> = a
            .prefactor
            .iter()
            .map(|p| format!("{:.0} at lambda {}", p.value, p.lambda))
            .collect();
        let book_form = found.form_laws.contains(&SizeLaw::SqrtWeightCount);
        text.push_str(&format!(
            " Its prefactor $rms sqrt(n_w)$, 1 for the book's $1/sqrt(n_w)$, is {base:.0} at the base lambda ({}): {}.",
            by_lambda.join(", "),
            book_law_words(book_form, near)
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
        "The first layer's weights settle at rms {:.3} ({} of {} seeds settled, at epoch {}): {:.0} times the claim's $1/n_w$ = {:.1e}, {:.0} times the book's $1/sqrt(n_w)$ = {:.4}, and {:.1} times $1/sqrt(n_in)$ = {:.4} (n_w = {}, n_in = {}). ",
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
            "Layer {} settles at {:.3} ({:.1} times $1/sqrt(n_in)$ = {:.3}). ",
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
        // These are the first layer's exponents in width and n_in; the
        // book's law is about all weights against n_w, which the answer
        // weighs as form and prefactor.
        if let Some(b) = e.architecture.n_w_exponent {
            text.push_str(&format!(
                "(Against $n_w$ alone the rms of all weights goes as $n_w^{:.2}$, 95% {:.2} to {:.2}: the answer above weighs that form and its prefactor.) ",
                b.value, b.low, b.high
            ));
        }
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
            "Over {} settled runs of the grid, whose n_in spans {}, the first layer's settled size ranges over a factor {:.1} ({:.3} to {:.3}), and its product with the rms length of the layer's input over a factor {:.1} ({:.2} to {:.2}). The grid changes n_in by pooling the images, which changes their norm with it; the fan-in runs of claim 4 vary the two apart, and say which of them sets the first layer's size. ",
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
            "The first layer's settled size depends on the regularization as {} and {} (joint fit over the lambda, eta and fixed $eta*lambda$ runs). ",
            exponent_text(joint, Predictor::Lambda),
            exponent_text(joint, Predictor::Eta),
        ));
    }
    if let (Some(drift), Some(noise)) = (first.drift_share, first.noise_share) {
        text.push_str(&format!(
            "At equilibrium the decay's shrinkage of $|w|^2$ is given back by the gradient's drift ({:.0}%) and noise ({:.0}%)",
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
    text.push_str(&noise_text(e, found));
    text.push_str(&average_text(e, found));
    text
}

/// What the tail averages of the branches say, in words: the first
/// layer's snapshot against its average at the smallest eta/m of the base
/// lambda, then how many layers and lambdas come nearer stationary as the
/// noise falls.
fn average_text(e: &Claim3Evidence, found: &Claim3Findings) -> String {
    let Some(first) = e.stationarity.first() else {
        return String::new();
    };
    let tested: Vec<bool> = (found.averages.iter())
        .filter_map(|a| a.toward_stationary)
        .collect();
    let toward = tested.iter().filter(|&&t| t).count();
    let exponents: Vec<f64> = (e.stationarity.iter())
        .filter_map(|s| s.exponent.map(|b| b.estimate))
        .collect();
    let (lo, hi) = (
        exponents.iter().copied().fold(f64::INFINITY, f64::min),
        exponents.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    let mut text = format!(
        " One network's gradient ratio and cosine carry SGD's step noise; averaging the network over epochs takes much of it out. In the tail average of each of the first seed's branches (its networks at the ends of the epochs whose size is measured, averaged), at the smallest noise, $eta/m$ = {}, and lambda {}, the first layer's $|nabla C_0|$ is {:.1} times $|(lambda/n) w|$ (that branch's last network: {:.1}) and $cos(w, -nabla C_0)$ is {:.2} (last network: {:.2}); both are 1 where the gradient of the unregularized cost balances the decay.",
        short(first.smallest_ratio),
        first.lambda,
        first.average_gradient_ratio,
        first.last_gradient_ratio,
        first.average_cosine,
        first.last_cosine,
    );
    if tested.is_empty() {
        return text;
    }
    let share = if toward == tested.len() {
        "In every one of".to_string()
    } else {
        format!("In {toward} of")
    };
    text.push_str(&format!(
        " {share} the {} layers and lambdas, the averages' ratio comes nearer 1 as $eta/m$ falls (its excess over 1 goes as $(eta/m)^b$, b from {lo:.1} to {hi:.1}, 95% interval above 0{}): ",
        tested.len(),
        if toward == tested.len() { "" } else { " where counted" },
    ));
    text.push_str(if toward == tested.len() {
        "what SGD fluctuating around a stationary point of J shows (not the very point L-BFGS reached from the same start: see claim 3's evidence)."
    } else if toward == 0 {
        "the averages do not come nearer a stationary point of J as the noise falls."
    } else {
        "the others do not come nearer a stationary point of J as the noise falls."
    });
    text
}

/// What the noise law found, in words: the base lambda layer by layer,
/// then the other lambdas in one sentence.
fn noise_text(e: &Claim3Evidence, found: &Claim3Findings) -> String {
    let Some(base_lambda) = found.noise.first().map(|n| n.lambda) else {
        return String::new();
    };
    let lambdas: Vec<String> = lambdas_of(found).iter().map(f64::to_string).collect();
    let ratios = e
        .noise_laws
        .first()
        .map(|law| {
            let r: Vec<f64> = law.points.iter().map(|p| p.ratio()).collect();
            let lo = r.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = r.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (lo, hi)
        })
        .unwrap_or((f64::NAN, f64::NAN));
    let mut text = format!(
        "What sets the size was tested directly: settled networks at lambda {} were trained on at $eta/m$ from {} to {} (eta and m varied apart; {BRANCH_BURN_IN} relaxation times $m/(eta*lambda)$ to forget the start, then $|w|^2$ averaged over {BRANCH_AVERAGE} more), and $|w|^2$ against $eta/m$ fitted by a line (by a parabola where the line's curvature is significant). ",
        lambdas.join(", "),
        ratios.0,
        ratios.1,
    );
    for test in found.noise.iter().filter(|n| n.lambda == base_lambda) {
        let Some(law) = e
            .noise_laws
            .iter()
            .find(|l| l.layer == test.layer && l.lambda == test.lambda)
        else {
            continue;
        };
        text.push_str(&layer_noise_sentence(e, law, test));
    }
    let others: Vec<String> = found
        .noise
        .iter()
        .filter(|n| n.lambda != base_lambda && n.layer != Layer::All)
        .map(|n| {
            format!(
                "{} at lambda {}: {}{}",
                n.layer,
                n.lambda,
                set_by_words(n.set_by),
                n.intercept_over_optimum.map_or(String::new(), |r| format!(
                    " (intercept {r:.3} of the optimum)"
                ))
            )
        })
        .collect();
    if !others.is_empty() {
        text.push_str(&format!("At the other lambdas: {}. ", others.join("; ")));
    }
    text.push_str(&noise_summary(e, found));
    let weight_layers = || found.noise.iter().filter(|n| n.layer != Layer::All);
    let alone: Vec<bool> = weight_layers().filter_map(|n| n.eta_over_m_alone).collect();
    if !alone.is_empty() {
        let gap = e
            .noise_laws
            .iter()
            .filter(|l| l.layer != Layer::All)
            .filter_map(|l| l.equal_ratio_gap)
            .fold(0.0, f64::max);
        text.push_str(&format!(
            "Branches with the same $eta/m$ and other eta and m settle within {:.1}% of each other at most: $eta/m$ alone sets the noise's effect for {} of {} weight layers and lambdas.",
            100.0 * gap,
            alone.iter().filter(|&&a| a).count(),
            alone.len()
        ));
    }
    text
}

/// Over every weight layer and lambda: how much of the optimum's size the
/// intercepts keep, how many the noise picture fits, and how still the
/// averaged stretches were.
fn noise_summary(e: &Claim3Evidence, found: &Claim3Findings) -> String {
    let ratios: Vec<f64> = found
        .noise
        .iter()
        .filter(|n| n.layer != Layer::All)
        .filter_map(|n| n.intercept_over_optimum)
        .collect();
    if ratios.is_empty() {
        return String::new();
    }
    let (lo, hi) = ratios
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &r| {
            (lo.min(r), hi.max(r))
        });
    let noise = found
        .noise
        .iter()
        .filter(|n| n.layer != Layer::All && n.set_by == SizeSetBy::Noise)
        .count();
    let drift = e
        .noise_laws
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.drift))
        .fold(0.0, f64::max);
    format!(
        "Over the {} weight layers and lambdas, $|w|^2$ at $eta/m -> 0$ is {lo:.2} to {hi:.2} times the optimum's; the noise picture fits {noise} of them. Neither end is exact: the averaged stretches still moved by up to {:+.1}% from their first half to their second (a size still growing is measured low), and the optimum is where L-BFGS stands after a fixed number of iterations (its $|nabla J|$ and last changes are in the table below). ",
        ratios.len(),
        100.0 * drift,
    )
}

/// The noise law's lambdas, in order.
fn lambdas_of(found: &Claim3Findings) -> Vec<f64> {
    let mut lambdas: Vec<f64> = Vec::new();
    for n in &found.noise {
        if !lambdas.contains(&n.lambda) {
            lambdas.push(n.lambda);
        }
    }
    lambdas
}

/// A decision of the noise law in a few words.
pub fn set_by_words(set_by: SizeSetBy) -> &'static str {
    match set_by {
        SizeSetBy::Optimum => "the optimum sets the size",
        SizeSetBy::Noise => "the size lives on the noise",
        SizeSetBy::Neither => "neither picture fits",
    }
}

/// One layer's noise law at the base lambda.
fn layer_noise_sentence(e: &Claim3Evidence, law: &NoiseLaw, test: &NoiseTest) -> String {
    let base_ratio = e.base_eta_over_m;
    let optimum = match (law.optimum_sq, test.intercept_over_optimum) {
        (Some(o), Some(r)) => format!(", {r:.3} times the L2 optimum's {o:.1}"),
        _ => ", the L2 optimum not found".into(),
    };
    let moves = match test.moves {
        NoiseMoves::Up => format!(
            "at the base $eta/m$ = {base_ratio} the noise's part is {:.0}% of $|w|^2$",
            100.0 * (1.0 - test.intercept_share)
        ),
        NoiseMoves::Down => format!(
            "at the base $eta/m$ = {base_ratio} SGD's step noise has lowered $|w|^2$ by {:.0}% of what is left there (this is the effect of $eta/m$ on the size, not the budget's noise term, which is always positive)",
            100.0 * (test.intercept_share - 1.0)
        ),
        NoiseMoves::Undetected => "no effect of the noise is detected".into(),
    };
    let decided = match test.set_by {
        SizeSetBy::Optimum => format!(
            "the optimum sets the size (within {:.0}%)",
            100.0 * e.optimum_match
        ),
        SizeSetBy::Noise => format!(
            "the size lives on the noise (less than {:.0}% of it is left as $eta/m -> 0$)",
            100.0 * e.balance_share
        ),
        SizeSetBy::Neither => format!(
            "neither picture fits: the size does not go to the optimum's within {:.0}%, nor below {:.0}% of itself",
            100.0 * e.optimum_match,
            100.0 * e.balance_share
        ),
    };
    let intercept = law.intercept();
    let fit = if intercept.curved {
        "; from a parabola, the line's curvature being significant"
    } else {
        ""
    };
    format!(
        "{} at lambda {}: as $eta/m -> 0$, $|w|^2 -> {:.1}$ (95% {:.1} to {:.1}{fit}){optimum}; {moves} (the line's slope {:.0}). So {decided}. ",
        law.layer, law.lambda, intercept.value, intercept.low, intercept.high, law.slope,
    )
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
        // The box stays short: what is going on is worded once, at the top
        // of the report (`going_on`), and linked from here.
        explanation: if e.layers.is_empty() {
            settled_text(e, found)
        } else {
            format!(
                "{}What is going on, in words and numbers: [at the top of the report](#{}).",
                settled_text(e, found),
                super::GOING_ON_ANCHOR
            )
        },
        details: answer_details(e, found),
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
            noise: Vec::new(),
            form_laws: Vec::new(),
            prefactor_near_one: None,
            scale_of_inputs_compared: false,
            collapsed_lambdas: Vec::new(),
            averages: Vec::new(),
        }
    }

    /// The tail averages' words say what was measured at the smallest
    /// eta/m and how many layers and lambdas came nearer stationary.
    #[test]
    fn the_averages_words_follow_their_tests() {
        use crate::study::claims::Thresholds;
        use crate::study::claims::claim3::{AverageTest, Claim3Runs, evidence};
        use crate::study::tail_average::Stationarity;
        let runs = Claim3Runs {
            base: Vec::new(),
            sizes: vec![784, 30, 10],
            grid: Vec::new(),
            sweep: Vec::new(),
        };
        let mut e = evidence(&runs, &[], &[], &[], &Thresholds::default());
        assert_eq!(average_text(&e, &findings(&[], &[])), "");
        let exponent = crate::study::fit::Coefficient {
            estimate: 1.2,
            standard_error: 0.1,
            low: 1.0,
            high: 1.4,
        };
        e.stationarity = vec![Stationarity {
            layer: Layer::FIRST,
            lambda: 5.0,
            smallest_ratio: 0.005,
            last_gradient_ratio: 22.6,
            average_gradient_ratio: 2.1,
            last_cosine: 0.04,
            average_cosine: 0.39,
            exponent: Some(exponent),
        }];
        let mut found = findings(&[], &[]);
        let test = |toward| AverageTest {
            layer: Layer::FIRST,
            lambda: 5.0,
            toward_stationary: Some(toward),
        };
        found.averages = vec![test(true), test(true)];
        let words = average_text(&e, &found);
        assert!(
            words.contains("is 2.1 times") && words.contains("(that branch's last network: 22.6)"),
            "{words}"
        );
        assert!(
            words.contains("cos(w, -nabla C_0)$ is 0.39 (last network: 0.04)"),
            "{words}"
        );
        assert!(words.contains("In every one of the 2 layers"), "{words}");
        assert!(
            words.contains("around a stationary point of J shows (not the very point"),
            "{words}"
        );
        found.averages = vec![test(false), test(false)];
        let words = average_text(&e, &found);
        assert!(words.contains("In 0 of the 2"), "{words}");
        assert!(
            words.ends_with("do not come nearer a stationary point of J as the noise falls."),
            "{words}"
        );
    }

    #[test]
    fn the_answer_names_only_the_laws_the_fit_excludes() {
        use SizeLaw::*;
        let both = findings(&[SqrtFanIn], &[WeightCount, SqrtWeightCount]);
        assert_eq!(
            excluded_laws(&both),
            ", which is not how $1/n_w$ (exponents -1, -1) or $1/sqrt(n_w)$ (-1/2, -1/2) would vary with width and n_in"
        );
        let one = findings(&[SqrtWeightCount, SqrtFanIn], &[WeightCount]);
        assert_eq!(
            excluded_laws(&one),
            ", which is not how $1/n_w$ (exponents -1, -1) would vary with width and n_in"
        );
        assert_eq!(
            excluded_laws(&findings(&[WeightCount, SqrtWeightCount, SqrtFanIn], &[])),
            ""
        );
    }

    /// A noise-law decision for `layer` at `lambda`.
    fn test(layer: Layer, lambda: f64, set_by: SizeSetBy, moves: NoiseMoves) -> NoiseTest {
        NoiseTest {
            layer,
            lambda,
            set_by,
            moves,
            intercept_over_optimum: Some(0.97),
            intercept_share: 0.85,
            curved: false,
            eta_over_m_alone: None,
        }
    }

    #[test]
    fn the_plain_words_follow_the_noise_laws_decisions() {
        use NoiseMoves::*;
        use SizeSetBy::*;
        let mut found = findings(&[], &[]);
        let w2 = Layer::Weights(1);
        let words = |found: &Claim3Findings| in_words(5000.0, found);
        assert!(words(&found).contains("not tested"));
        // Every layer at the optimum, the noise adding 15% to the first.
        found.noise = vec![
            test(Layer::FIRST, 5.0, Optimum, Up),
            test(w2, 5.0, Optimum, Down),
            // All weights together do not count.
            test(Layer::All, 5.0, Noise, Up),
        ];
        let all_optimum = words(&found);
        assert!(
            all_optimum.contains("at the L2-regularized optimum"),
            "{all_optimum}"
        );
        assert!(
            all_optimum.contains("at lambda 5 it adds 15%"),
            "{all_optimum}"
        );
        assert!(!all_optimum.contains(" of the "), "{all_optimum}");
        // Most at the optimum: counted, the others named.
        found.noise.push(test(Layer::FIRST, 15.0, Neither, Up));
        let most = words(&found);
        assert!(
            most.contains("In 2 of the 3 layers and lambdas tested they stop at the L2"),
            "{most}"
        );
        assert!(most.contains("(the other fits neither picture)"), "{most}");
        found.noise.push(test(w2, 15.0, Noise, Up));
        found.noise.push(test(w2, 50.0, Optimum, Up));
        assert!(words(&found).contains("(1 of the other 2 live on SGD's noise)"));
        // All on the noise; then a split that decides nothing.
        found.noise = vec![test(Layer::FIRST, 5.0, Noise, Up), test(w2, 5.0, Noise, Up)];
        assert!(words(&found).contains("balances SGD's noise, not at the L2-regularized optimum"));
        found.noise[1].set_by = Optimum;
        assert!(
            words(&found).contains("not decided: the L2 optimum fits 1, SGD's noise 1 of the 2")
        );
        // Below 1/n_w the words say so.
        assert!(in_words(0.5, &found).starts_with("The weights shrink below"));
    }
}
