//! Claim 3's "what is going on": what the tests of the settled size found,
//! in words.

use super::verdict::{Tally, exponent_text};
use crate::net::Layer;
use crate::report::cells::short;
use crate::report::text::layer_name;
use crate::study::claims::claim3::{
    Claim3Evidence, Claim3Findings, LayerEquilibrium, NoiseMoves, NoiseTest, SizeSetBy,
};
use crate::study::equilibrium::{Predictor, find_fit};
use crate::study::noise_law::NoiseLaw;
use crate::study::plan::{BRANCH_AVERAGE, BRANCH_BURN_IN};

/// What sets the settled size, a paragraph each: in plain words (from the
/// tests' decisions, no number), the branches' test, the tail averages'
/// test, and what the size depends on (the regularization, the budget at
/// equilibrium, the scale of the inputs).
pub(super) fn going_on(e: &Claim3Evidence, found: &Claim3Findings) -> Vec<String> {
    let Some(first) = e.layers.first() else {
        return Vec::new();
    };
    let mut paragraphs = vec![plain_words(found)];
    paragraphs.extend(noise_text(e, found));
    paragraphs.push(average_text(e, found));
    paragraphs.push(depends_on_text(e, found, first));
    paragraphs.retain(|p| !p.is_empty());
    paragraphs
}

/// The picture the tests support, in plain words: which one most weight
/// layers and lambdas fit (the noise law's decisions), how the noise moves
/// the size (the first layer at the first lambda), and whether the tail
/// averages come nearer stationary. Empty without branches.
fn plain_words(found: &Claim3Findings) -> String {
    let Tally {
        tests,
        optimum,
        noise,
        total,
    } = Tally::of(found);
    if total == 0 {
        return String::new();
    }
    let pulls = "Weight decay pulls every weight toward zero by the same fraction at each step; the gradient of the cost on the data pushes the weights that help the fit back out.";
    let most = |count: usize| {
        if count == total {
            ""
        } else {
            " in most layers and lambdas, not all"
        }
    };
    if 2 * optimum > total {
        // How the noise moves each layer the optimum picture fits, at the
        // first lambda tested.
        let first_lambda = tests[0].lambda;
        let at_first: Vec<&&NoiseTest> = (tests.iter())
            .filter(|n| n.lambda == first_lambda)
            .collect();
        let each: Vec<String> = (at_first.iter())
            .filter(|n| n.set_by == SizeSetBy::Optimum && n.moves != NoiseMoves::Undetected)
            .map(|n| {
                let name = match n.layer {
                    Layer::Weights(l) => layer_name(l, at_first.len()),
                    Layer::All => "all weights".into(),
                };
                let how = if n.moves == NoiseMoves::Up {
                    "larger"
                } else {
                    "smaller"
                };
                format!("{name} {how}")
            })
            .collect();
        let moves = if each.is_empty() {
            String::new()
        } else {
            format!(
                " At lambda {first_lambda} the wandering leaves {} than that size, the more so the larger the step's noise $eta/m$.",
                each.join(" and ")
            )
        };
        let averaged = if !found.averages.is_empty()
            && found
                .averages
                .iter()
                .all(|a| a.toward_stationary == Some(true))
        {
            " Averaged over epochs, the weights come nearer a point where the two pulls cancel as the noise falls (not the very point the optimizer found: the sizes agree, the points do not)."
        } else {
            ""
        };
        format!(
            "{pulls} Where the two cancel is a minimum of the regularized cost $J = C_0 + (lambda/2n) sum |w|^2$, the L2 optimum, and the tests below find the weights settle at its size{}. SGD's steps are noisy, so the weights keep wandering rather than sit still.{moves}{averaged}",
            most(optimum)
        )
    } else if 2 * noise > total {
        format!(
            "{pulls} The tests below find that the weights stop where the decay balances the noise of SGD's steps{}: with less noise (a smaller $eta/m$) they would keep little of their size.",
            most(noise)
        )
    } else {
        format!(
            "{pulls} The tests below do not decide where the two settle: neither the minimum of the regularized cost (the L2 optimum) nor a balance of the decay against SGD's noise fits most layers and lambdas."
        )
    }
}

/// What the size depends on: the regularization (the joint fit of the
/// sweeps), the budget at equilibrium (the base runs' first layer), and
/// the scale of the inputs over the grid.
fn depends_on_text(e: &Claim3Evidence, found: &Claim3Findings, first: &LayerEquilibrium) -> String {
    let mut text = String::new();
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
    if let Some(scale) = e
        .scale_of_inputs
        .first()
        .filter(|_| found.scale_of_inputs_compared)
    {
        text.push_str(&format!(
            "Over {} settled runs of the grid, whose n_in spans {}, the first layer's settled size ranges over a factor {:.1} ({:.3} to {:.3}), and its product with the rms length of the layer's input over a factor {:.1} ({:.2} to {:.2}). The grid changes n_in by pooling the images, which changes their norm with it; the fan-in runs of claim 4 vary the two apart, and say which of them sets the first layer's size.",
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
    text.trim_end().to_string()
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
        "One network's gradient ratio and cosine carry SGD's step noise; averaging the network over epochs takes much of it out. In the tail average of each of the first seed's branches (its networks at the ends of the epochs whose size is measured, averaged), at the smallest noise, $eta/m$ = {}, and lambda {}, the first layer's $|nabla C_0|$ is {:.1} times $|(lambda/n) w|$ (that branch's last network: {:.1}) and $cos(w, -nabla C_0)$ is {:.2} (last network: {:.2}); both are 1 where the gradient of the unregularized cost balances the decay.",
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

/// What the noise law found, in words, two paragraphs: the test and the
/// base lambda layer by layer; then the other lambdas, how far the
/// intercepts and the optimum are from exact, and whether eta/m alone
/// matters.
fn noise_text(e: &Claim3Evidence, found: &Claim3Findings) -> Vec<String> {
    let Some(base_lambda) = found.noise.first().map(|n| n.lambda) else {
        return Vec::new();
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
    let mut more = String::new();
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
        more.push_str(&format!("At the other lambdas: {}. ", others.join("; ")));
    }
    more.push_str(&noise_summary(e, found));
    more.push_str(&second_start_text(e));
    let weight_layers = || found.noise.iter().filter(|n| n.layer != Layer::All);
    let alone: Vec<bool> = weight_layers().filter_map(|n| n.eta_over_m_alone).collect();
    if !alone.is_empty() {
        let gap = e
            .noise_laws
            .iter()
            .filter(|l| l.layer != Layer::All)
            .filter_map(|l| l.equal_ratio_gap)
            .fold(0.0, f64::max);
        more.push_str(&format!(
            "Branches with the same $eta/m$ and other eta and m settle within {:.1}% of each other at most: $eta/m$ alone sets the noise's effect for {} of {} weight layers and lambdas.",
            100.0 * gap,
            alone.iter().filter(|&&a| a).count(),
            alone.len()
        ));
    }
    vec![text.trim_end().to_string(), more.trim_end().to_string()]
}

/// How much the optimum's size depends on where L-BFGS starts: each
/// weight layer's |w*|^2 from the other seeds' settled networks against
/// the first seed's, beside the match the optimum picture is allowed.
fn second_start_text(e: &Claim3Evidence) -> String {
    let apart: Vec<String> = (e.noise_laws.iter())
        .filter(|l| l.layer != Layer::All)
        .filter_map(|l| {
            let first = l.optimum_sq?;
            let gap = (l.optimum_other_starts_sq.iter())
                .map(|&other| (other / first - 1.0).abs())
                .reduce(f64::max)?;
            Some(format!(
                "{} at lambda {}: {:.1}%",
                l.layer,
                l.lambda,
                100.0 * gap
            ))
        })
        .collect();
    if apart.is_empty() {
        return String::new();
    }
    format!(
        "Started from the second seed's settled network instead, L-BFGS stops at an optimum whose $|w^*|^2$ differs from the first start's by {} (the optimum picture allows {:.0}%). ",
        apart.join(", "),
        100.0 * e.optimum_match
    )
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
    // How much the optimum's rms still changed over L-BFGS's last tenth of
    // iterations, at most over the weight layers.
    let still = (e.noise_laws.iter())
        .filter(|l| l.layer != Layer::All)
        .filter_map(|l| l.optimum_size_change)
        .map(f64::abs)
        .reduce(f64::max);
    let optimum_end = match still {
        Some(c) => format!(
            " (its rms still changed by up to {:.2}% over the last tenth of them; $|nabla J|$ is in the table below)",
            100.0 * c
        ),
        None => " (its $|nabla J|$ is in the table below)".into(),
    };
    format!(
        "Over the {} weight layers and lambdas, $|w|^2$ at $eta/m -> 0$ is {lo:.2} to {hi:.2} times the optimum's{}; the noise picture fits {noise} of them. Neither end is exact: the averaged stretches still moved by up to {:+.1}% from their first half to their second (a size still growing is measured low), and the optimum is where L-BFGS stands after a fixed number of iterations{optimum_end}. ",
        ratios.len(),
        if hi < 1.0 {
            ", below it in every one: a gap whose cause this study does not decide"
        } else {
            ""
        },
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
    let (fit, slope) = match law.curved_parabola() {
        Some(p) => (
            "; from a parabola, the line's curvature being significant",
            format!("the parabola's slope at $eta/m$ = 0: {:.0}", p.slope),
        ),
        None => ("", format!("the line's slope {:.0}", law.slope)),
    };
    format!(
        "{} at lambda {}: as $eta/m -> 0$, $|w|^2 -> {:.1}$ (95% {:.1} to {:.1}{fit}){optimum}; {moves} ({slope}). So {decided}. ",
        match law.layer {
            Layer::All => "All weights together".to_string(),
            layer => layer.to_string(),
        },
        law.lambda,
        intercept.value,
        intercept.low,
        intercept.high,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::text::claim3::verdict::tests::{findings, test};
    use crate::study::claims::Thresholds;
    use crate::study::claims::claim3::{Claim3Runs, evidence};

    /// The evidence of no runs at all, for the tests to fill in.
    fn no_evidence() -> Claim3Evidence {
        let runs = Claim3Runs {
            base: Vec::new(),
            sizes: vec![784, 30, 10],
            grid: Vec::new(),
            sweep: Vec::new(),
        };
        evidence(&runs, &[], &[], &[], &Thresholds::default())
    }

    /// eta/m and how many layers and lambdas came nearer stationary.
    #[test]
    fn the_averages_words_follow_their_tests() {
        use crate::study::claims::claim3::AverageTest;
        use crate::study::tail_average::Stationarity;
        let mut e = no_evidence();
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

    /// The plain words name the picture most layers and lambdas fit, how
    /// the noise moves each layer at the first lambda, and the tail
    /// averages only where every one came nearer stationary.
    #[test]
    fn the_plain_words_follow_the_tests_decisions() {
        use crate::study::claims::claim3::AverageTest;
        use NoiseMoves::*;
        use SizeSetBy::*;
        let w2 = Layer::Weights(1);
        let mut found = findings(&[], &[]);
        assert_eq!(plain_words(&found), "", "no branches, no words");
        found.noise = vec![
            test(Layer::FIRST, 5.0, Optimum, Up),
            test(w2, 5.0, Optimum, Down),
            test(Layer::FIRST, 15.0, Neither, Up),
            // All weights together do not count.
            test(Layer::All, 5.0, Noise, Undetected),
        ];
        let words = plain_words(&found);
        let has =
            |words: &str, part: &str| assert!(words.contains(part), "{part:?} not in: {words}");
        has(
            &words,
            "the weights settle at its size in most layers and lambdas, not all.",
        );
        has(
            &words,
            "At lambda 5 the wandering leaves $w^1$ (hidden layer 1) larger and $w^2$ (output layer) smaller than that size",
        );
        assert!(!words.contains("Averaged"), "{words}");
        assert!(!words.contains('%'), "no measured number: {words}");
        // Only the layers the optimum picture fits, and whose move is seen.
        found.noise[1].moves = Undetected;
        let words = plain_words(&found);
        has(
            &words,
            "leaves $w^1$ (hidden layer 1) larger than that size",
        );
        found.noise[0].set_by = Neither;
        found.noise[2].set_by = Optimum;
        assert!(!plain_words(&found).contains("wandering leaves"));
        found.noise = found.noise[..2].to_vec();
        found.noise[0].set_by = Optimum;
        found.averages = vec![AverageTest {
            layer: Layer::FIRST,
            lambda: 5.0,
            toward_stationary: Some(true),
        }];
        let words = plain_words(&found);
        has(&words, "find the weights settle at its size. ");
        assert!(
            words.ends_with("the sizes agree, the points do not)."),
            "{words}"
        );
        found.averages[0].toward_stationary = Some(false);
        assert!(!plain_words(&found).contains("Averaged"));
        found.noise = vec![test(Layer::FIRST, 5.0, Noise, Up), test(w2, 5.0, Noise, Up)];
        has(
            &plain_words(&found),
            "balances the noise of SGD's steps: with less noise",
        );
        // Most on the noise, one on neither.
        found.noise.push(test(Layer::FIRST, 15.0, Noise, Up));
        found.noise.push(test(w2, 15.0, Neither, Up));
        has(
            &plain_words(&found),
            "SGD's steps in most layers and lambdas, not all: with less noise",
        );
        found.noise = found.noise[..2].to_vec();
        found.noise[1].set_by = Optimum;
        has(&plain_words(&found), "do not decide where the two settle");
    }

    /// The second start's gap is each weight layer's largest relative
    /// difference from the first start's |w*|^2; none without one.
    #[test]
    fn the_second_start_is_set_beside_the_first() {
        let mut e = no_evidence();
        assert_eq!(second_start_text(&e), "");
        let law = |layer, first: f64, others: Vec<f64>| NoiseLaw {
            layer,
            lambda: 5.0,
            optimum_sq: Some(first),
            optimum_other_starts_sq: others,
            optimum_grad_norm: None,
            optimum_size_change: None,
            intercept_sq: first,
            intercept_low: first,
            intercept_high: first,
            slope: 0.0,
            slope_low: 0.0,
            slope_high: 0.0,
            equal_ratio_gap: None,
            parabola: None,
            points: Vec::new(),
        };
        e.noise_laws = vec![
            law(Layer::FIRST, 1000.0, vec![1030.0]),
            law(Layer::Weights(1), 2000.0, vec![1990.0]),
            law(Layer::All, 3000.0, vec![3020.0]),
        ];
        let words = second_start_text(&e);
        assert!(
            words.contains(
                "by w1 at lambda 5: 3.0%, w2 at lambda 5: 0.5% (the optimum picture allows 5%)"
            ),
            "{words}"
        );
        assert!(!words.contains("all at lambda"), "{words}");
    }
}
