//! Claim 3's verdict in words: the answer, the settled sizes against the
//! size laws and the fits, as the verdict's box and the details after it.

use crate::net::Layer;
use crate::study::claims::claim3::{
    Claim3Evidence, Claim3Findings, NoiseMoves, NoiseTest, SizeLaw, SizeSetBy,
};
use crate::study::equilibrium::{Predictor, SizeFit, find_fit};

/// A law as the text names it.
fn law_name(law: SizeLaw) -> &'static str {
    match law {
        SizeLaw::WeightCount => "$1/n_w$",
        SizeLaw::SqrtWeightCount => "$1/sqrt(n_w)$",
        SizeLaw::SqrtFanIn => "$1/sqrt(n_in)$",
    }
}

pub(super) fn exponent_text(fit: &SizeFit, predictor: Predictor) -> String {
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
pub(super) fn answer(e: &Claim3Evidence, found: &Claim3Findings) -> String {
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
pub(super) fn answer_details(e: &Claim3Evidence, found: &Claim3Findings) -> Option<String> {
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

/// The noise law's decisions over the weight layers and lambdas (all
/// weights together left out), and how many each picture fits.
pub(super) struct Tally<'a> {
    pub tests: Vec<&'a NoiseTest>,
    pub optimum: usize,
    pub noise: usize,
    pub total: usize,
}

impl<'a> Tally<'a> {
    pub fn of(found: &'a Claim3Findings) -> Tally<'a> {
        let tests: Vec<&NoiseTest> = (found.noise.iter())
            .filter(|n| n.layer != Layer::All)
            .collect();
        let count = |set_by: SizeSetBy| tests.iter().filter(|n| n.set_by == set_by).count();
        Tally {
            optimum: count(SizeSetBy::Optimum),
            noise: count(SizeSetBy::Noise),
            total: tests.len(),
            tests,
        }
    }
}

/// Claim 3's answer in plain words, from the noise law's decisions over the
/// weight layers and lambdas (`found.noise`); `over_inv_n_w` is the first
/// layer's settled size over 1/n_w.
pub(super) fn in_words(over_inv_n_w: f64, found: &Claim3Findings) -> String {
    let place = if over_inv_n_w >= 1.0 {
        "The weights stop long before they are as small as $1/n_w$"
    } else {
        "The weights shrink below $1/n_w$"
    };
    let Tally {
        tests,
        optimum,
        noise,
        total,
    } = Tally::of(found);
    // The first layer at the first lambda tested (the base one): how much of
    // its |w|^2 the noise adds or takes off.
    let first = tests.iter().find(|n| n.layer == Layer::FIRST);
    let noise_part = first.map_or(String::new(), |n| match n.moves {
        NoiseMoves::Up => format!(
            "; SGD's noise only moves their size off it (in the first layer at lambda {} it adds {:.0}% of $|w|^2$)",
            n.lambda,
            100.0 * (1.0 - n.intercept_share)
        ),
        NoiseMoves::Down => format!(
            "; SGD's noise only moves their size off it (in the first layer at lambda {} it lowers $|w|^2$ by {:.0}%)",
            n.lambda,
            100.0 * (n.intercept_share - 1.0)
        ),
        NoiseMoves::Undetected => "; SGD's noise moves their size off it by no measurable amount".into(),
    });
    let optimum_words = "at the size of the L2-regularized optimum, the minimum of $C_0 + (lambda/2n) sum |w|^2$, where the data cost's pull balances the decay";
    let others = match (total - optimum, noise) {
        (1, 0) => "the other fits neither picture".to_string(),
        (_, 0) => "the others fit neither picture".to_string(),
        (k, noise) => format!("{noise} of the other {k} live on SGD's noise"),
    };
    if total == 0 {
        format!("{place}; what sets where they stop was not tested (no branches in this study).")
    } else if optimum == total {
        format!("{place}. They settle {optimum_words}{noise_part}.")
    } else if 2 * optimum > total {
        format!(
            "{place}. In {optimum} of the {total} layers and lambdas tested they settle {optimum_words} ({others}){noise_part}."
        )
    } else if noise == total {
        format!(
            "{place}. They stop where the decay balances SGD's noise: with less noise they would keep little of their size."
        )
    } else if 2 * noise > total {
        format!(
            "{place}. In {noise} of the {total} layers and lambdas tested they stop where the decay balances SGD's noise: with less noise they would keep little of their size."
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
pub(super) fn settled_text(e: &Claim3Evidence, found: &Claim3Findings) -> String {
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::study::claims::claim3::Claim3Findings;

    pub fn findings(consistent: &[SizeLaw], excluded: &[SizeLaw]) -> Claim3Findings {
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
    pub fn test(layer: Layer, lambda: f64, set_by: SizeSetBy, moves: NoiseMoves) -> NoiseTest {
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
            all_optimum.contains("at the size of the L2-regularized optimum"),
            "{all_optimum}"
        );
        assert!(
            all_optimum.contains("at lambda 5 it adds 15%"),
            "{all_optimum}"
        );
        assert!(
            !all_optimum.contains("layers and lambdas tested"),
            "{all_optimum}"
        );
        // Most at the optimum: counted, the others named.
        found.noise.push(test(Layer::FIRST, 15.0, Neither, Up));
        let most = words(&found);
        assert!(
            most.contains(
                "In 2 of the 3 layers and lambdas tested they settle at the size of the L2"
            ),
            "{most}"
        );
        assert!(most.contains("(the other fits neither picture)"), "{most}");
        found.noise.push(test(w2, 15.0, Noise, Up));
        found.noise.push(test(w2, 50.0, Optimum, Up));
        assert!(words(&found).contains("(1 of the other 2 live on SGD's noise)"));
        // All on the noise; then a split that decides nothing.
        found.noise = vec![test(Layer::FIRST, 5.0, Noise, Up), test(w2, 5.0, Noise, Up)];
        assert!(words(&found).contains("balances SGD's noise: with less noise"));
        found.noise.push(test(Layer::FIRST, 15.0, Noise, Up));
        found.noise.push(test(w2, 15.0, Neither, Up));
        assert!(words(&found).contains("In 3 of the 4 layers and lambdas tested they stop where"));
        found.noise.truncate(2);
        found.noise[1].set_by = Optimum;
        assert!(
            words(&found).contains("not decided: the L2 optimum fits 1, SGD's noise 1 of the 2")
        );
        // Below 1/n_w the words say so.
        assert!(in_words(0.5, &found).starts_with("The weights shrink below"));
    }
}
