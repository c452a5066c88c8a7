//! Claim 3 in words: the settled sizes against the size laws, the fits,
//! and what the measurements say is going on.

mod going_on;
mod verdict;

pub use going_on::set_by_words;

use going_on::going_on;
use verdict::{answer, answer_details, settled_text};

use super::{ClaimText, value_of};
use crate::study::claims::claim3::Claim3;
use crate::study::claims::{Decided, Sensitivity, Threshold};
use crate::study::measures::TAIL_OFF;

/// The rule of claim 3's verdict, with its threshold's value.
pub(super) fn rule(sensitivity: &[Sensitivity]) -> String {
    let factor = value_of(sensitivity, Threshold::SizeFactor);
    format!(
        "Holds if every weight layer's size (where it settled, else where it stopped) is within a factor {factor} of $1/n_w$ and the scaling grid's exponents are consistent with $1/n_w$'s; partly if some layer meets one of the two; fails otherwise; inconclusive if no weight layer of the base runs settled."
    )
}

/// Claim 3's words.
pub fn text(d: &Decided<Claim3>) -> ClaimText {
    let (e, found) = (&d.evidence, &d.decision.findings);
    let going_on = going_on(e, found);
    let mut caveats = vec![
        "The question states the size as $1/n_w$; the problem of the book's chapter 3 that the four claims come from (\"connecting regularization and the improved method of weight initialization\") puts it at $1/sqrt(n_w)$. Both are tested, each as a form (its exponent of n_w) and as a size.".to_string(),
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
        rule: rule(&d.sensitivity),
        details: answer_details(e, found),
        going_on,
        caveats,
    }
}
