//! The claims in words: each claim's answer, explanation, "what is going
//! on" and caveats, written from its evidence and its decision's findings
//! alone (one file per claim), and the thresholds' names in words.

mod claim1;
mod claim2;
mod claim3;

pub use claim3::set_by_words;
mod claim4;

pub use claim4::comparator_name;

use crate::study::claims::{ClaimResult, Outcome, Threshold};

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
    /// More numbers around the verdict, shown after its box.
    pub details: Option<String>,
    /// What the measurements say is going on (claims 3 and 4).
    pub going_on: Option<String>,
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
            details: None,
            going_on: None,
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
