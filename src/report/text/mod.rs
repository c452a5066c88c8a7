//! The claims in words: each claim's answer, explanation, "what is going
//! on" and caveats, written from its evidence and its decision's findings
//! alone (one file per claim), and the thresholds' names in words.

mod claim1;
mod claim2;
mod claim3;
mod claim4;

pub use claim3::set_by_words;
pub use claim4::comparator_name;

use crate::study::claims::{ClaimResult, Outcome, Sensitivity, Threshold};

/// The anchor of the report's "What is going on" section, which a claim's
/// explanation may link to.
pub const GOING_ON_ANCHOR: &str = "going-on";

/// A claim's words.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimText {
    /// Which weights the verdict is about.
    pub about: String,
    /// One or two sentences that answer the claim with its key number.
    pub answer: String,
    /// The numbers and thresholds that decided it (the verdict's box).
    pub explanation: String,
    /// The rule that decides the verdict, each threshold in words with its
    /// value, shown in the verdict's box (empty where not decided).
    pub rule: String,
    /// More numbers around the verdict, shown after its box.
    pub details: Option<String>,
    /// What the measurements say is going on (claims 3 and 4), a
    /// paragraph each, the first in plain words.
    pub going_on: Vec<String>,
    /// What the verdict does not say.
    pub caveats: Vec<String>,
}

/// The words of an outcome: `text` of a decided claim, or what was missing.
fn of_outcome<C: crate::study::claims::Claim>(
    outcome: &Outcome<C>,
    text: fn(&crate::study::claims::Decided<C>) -> ClaimText,
) -> ClaimText {
    match outcome {
        Ok(decided) => text(decided),
        Err(missing) => ClaimText {
            about: String::new(),
            answer: format!("Not decided: {}.", missing.0),
            explanation: format!("Not decided: {}.", missing.0),
            rule: String::new(),
            details: None,
            going_on: Vec::new(),
            caveats: Vec::new(),
        },
    }
}

/// The words of one claim's result.
pub fn of(claim: &ClaimResult) -> ClaimText {
    match claim {
        ClaimResult::Claim1(o) => of_outcome(o, claim1::text),
        ClaimResult::Claim2(o) => of_outcome(o, claim2::text),
        ClaimResult::Claim3(o) => of_outcome(o, claim3::text),
        ClaimResult::Claim4(o) => of_outcome(o, claim4::text),
    }
}

/// The value `threshold` had when a claim was decided, from the claim's
/// sensitivity rows (NaN if the claim does not use it, which its rule's
/// tests catch).
fn value_of(sensitivity: &[Sensitivity], threshold: Threshold) -> f64 {
    (sensitivity.iter())
        .find(|s| s.threshold == threshold)
        .map_or(f64::NAN, |s| s.value)
}

/// A threshold in words, as the sensitivity tables name it.
pub fn threshold_words(threshold: Threshold) -> &'static str {
    match threshold {
        Threshold::DecayDominated => "|f| below which an epoch is decay-dominated",
        Threshold::FirstEpochs => "leading decay-dominated epochs needed to hold",
        Threshold::SidewaysCosine => "|cos(change, -w)| below which a change is sideways",
        Threshold::PureDecayTolerance => "relative error allowed to pure decay",
        Threshold::ShrinkTolerance => "relative error allowed to training's shrink",
        Threshold::SizeFactor => "factor within which a size is \"around\" a reference",
        Threshold::CollapsedAccuracy => "accuracy below which training collapsed",
        Threshold::OptimumMatch => {
            "relative gap within which the $eta/m -> 0$ size is the optimum's"
        }
        Threshold::BalanceShare => "share of the size below which it lives on the noise",
        Threshold::EqualRatioTolerance => {
            "relative gap within which branches of equal $eta/m$ agree"
        }
        Threshold::OnePoint => "accuracy gap counted as \"within one point\"",
        Threshold::EarlyEpochs => "epochs counted as early (from epoch 1)",
        Threshold::SaturationGap => "saturation gap counted as \"no higher\"",
        Threshold::InitFactor => "factor within which a std is \"at\" $1/sqrt(n_in)$",
        Threshold::SameScale => "factor within which two settled stds are \"the same\"",
        Threshold::ExponentTolerance => "difference within which a fitted exponent is a law's",
    }
}

/// A layer's name in sentences: "$w^1$ (hidden layer 1)", "$w^2$ (output layer)".
pub(crate) fn layer_name(l: usize, layers: usize) -> String {
    if l + 1 == layers {
        format!("$w^{}$ (output layer)", l + 1)
    } else {
        format!("$w^{}$ (hidden layer {})", l + 1, l + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::claims::{Claim, Claim1, Claim2, Claim3, Claim4, Verdict};

    /// Sensitivity rows of `thresholds`, each at a value no other has
    /// (0.0125, 0.0250, ...: counts at 13, 14, ...).
    fn rows(thresholds: &[Threshold]) -> Vec<Sensitivity> {
        (thresholds.iter().enumerate())
            .map(|(i, &threshold)| Sensitivity {
                threshold,
                value: match threshold {
                    Threshold::FirstEpochs | Threshold::EarlyEpochs => 13.0 + i as f64,
                    _ => 0.0125 * (i + 1) as f64,
                },
                verdict_at_half: Verdict::Partly,
                verdict_at_twice: Verdict::Partly,
                findings_change_at_half: false,
                findings_change_at_twice: false,
            })
            .collect()
    }

    /// Each claim's rule states the values its verdict is decided at: it
    /// changes with each threshold that decides the verdict, and names no
    /// threshold the claim does not have.
    #[test]
    fn every_rule_states_the_values_it_decides_at() {
        // (the claim's thresholds, its rule, those that decide its verdict)
        type Rule = fn(&[Sensitivity]) -> String;
        let rules: [(&[Threshold], Rule, &[Threshold]); 4] = [
            (
                Claim1::THRESHOLDS,
                claim1::rule,
                &[Threshold::DecayDominated, Threshold::FirstEpochs],
            ),
            (
                Claim2::THRESHOLDS,
                claim2::rule,
                &[Threshold::PureDecayTolerance, Threshold::ShrinkTolerance],
            ),
            (Claim3::THRESHOLDS, claim3::rule, &[Threshold::SizeFactor]),
            (
                Claim4::THRESHOLDS,
                claim4::rule,
                &[
                    Threshold::OnePoint,
                    Threshold::EarlyEpochs,
                    Threshold::SaturationGap,
                    Threshold::ExponentTolerance,
                ],
            ),
        ];
        for (thresholds, rule, deciding) in rules {
            let sensitivity = rows(thresholds);
            let words = rule(&sensitivity);
            assert!(!words.contains("NaN"), "{words}");
            assert!(words.starts_with("Holds if"), "{words}");
            for &threshold in deciding {
                let mut moved = sensitivity.clone();
                let row = moved.iter_mut().find(|s| s.threshold == threshold).unwrap();
                row.value *= 2.0;
                assert_ne!(rule(&moved), words, "{threshold:?} is not in: {words}");
            }
        }
    }
}
