//! The section "Beyond the book's setup": the four claims on each setup
//! beyond network2's (chapter 3's other techniques and today's weight
//! decay), decided by the same code (`study::claims::setups`), one row per
//! setup.

use super::cells::sig;
use super::{Block, Document, Figure, figures};
use crate::net::{Activation, Cost, Init};
use crate::study::Results;
use crate::study::claims::setups::SetupClaims;
use crate::study::claims::{ClaimResult, Verdict};
use crate::study::plan::{self, Setup, setup};
use crate::train::{Optimizer, Regularization};

/// The section's anchor.
pub const ANCHOR: &str = "beyond";

/// The anchor of a setup's figures.
fn setup_anchor(setup: &Setup) -> String {
    format!("{ANCHOR}-{}", setup.name)
}

/// The section, if the study ran setups beyond the book's: the table, then
/// each setup's figures, drawn from its runs by the base setup's figure
/// code.
pub fn section(doc: &mut Document, setups: &[SetupClaims], results: &Results) {
    if setups.is_empty() {
        return;
    }
    doc.section(ANCHOR, "Beyond the book's setup");
    doc.paragraph(format!(
        "The same claims for other update rules, costs and neurons (chapter 3's other techniques, and today's weight decay), one setup a row. Each setup trains [784, 30, 10] on the same data and seeds, in runs of its own in the base runs' roles: large and default initialization, with and without its penalty or decay, for {} epochs, and a run of its decay alone. Each claim is decided on them by the code and the thresholds that decide it for network2's rule. The biases are never decayed, in any rule.",
        results.plan.setup_epochs
    ));
    let mut about = String::from(
        "$D$ is a decoupled rule's weight decay: each step takes $eta D$ of every weight.",
    );
    if setups.iter().map(|s| &s.setup).eq(setup::built_in().iter()) {
        about.push_str(" Each setup's $eta$ is one at which it trains this network: momentum's 0.01 makes $eta/(1 - mu)$ the base run's 0.1, and 0.001 is PyTorch's default for Adam and AdamW.");
    }
    doc.paragraph(about);
    doc.paragraph("Claim 2 asks for a decay by a fixed factor per epoch. Each rule's own law takes the place of $exp(-eta*lambda/m)$: for momentum, the factor its recurrence gives from rest (it tends to $exp(-eta*lambda/(m (1 - mu)))$ once the velocity has built up); for SGDW and AdamW, $(1 - eta D)^S$. The decay of L1 and of Adam with its penalty in the gradient is no factor: L1 takes $eta*lambda/n$ off $|w|$ every step, and Adam divides the penalty's gradient by its own size, so that its decay alone takes about $eta$ off $|w|$ every step, whatever lambda is. Claim 2 is not decided for them. Claim 3 needs the scaling grid and the noise law's branches, which are run for network2's rule only: it is not decided for any setup here.");
    doc.paragraph(format!(
        "In the table, a verdict means what it means in its claim's section ([claim 1](#claim-1), [claim 2](#claim-2), [claim 4](#claim-4)): claim 1 holds only where every layer, the output layer too, is decay-dominated in its first epochs, and claim 4's two tests, a start as fast as $N(0, 1/n_in)$'s and a saturation no higher, are named beside its verdict. K is claim 1's count of leading decay-dominated epochs per layer (w1, w2, ...), the fewest over the seeds. Claim 2's number is the shrink of the weights in the first epoch of the decay-only run, which has n = {} examples in mini-batches of {} ($S$ = {} steps an epoch, not the {} of training), beside its rule's law, computed apart from the training code (the recurrences of theory.rs, in f64). The accuracy is the large-init runs' with the penalty or decay after the last epoch, mean over seeds. Each setup's name links to its figures.",
        plan::DECAY_ONLY_N,
        plan::BATCH,
        plan::DECAY_ONLY_N / plan::BATCH,
        results.base_steps()
    ));
    doc.table(
        &[
            "setup",
            "changes",
            "claim 1 (K)",
            "claim 2: decay-only epoch (law)",
            "claim 4",
            "accuracy",
        ],
        setups.iter().map(row).collect(),
    );
    for setup in setups {
        figures_of(doc, &setup.setup, results);
    }
}

/// A setup's offset fraction (claim 1) and accuracy (claim 4) figures.
fn figures_of(doc: &mut Document, setup: &Setup, results: &Results) {
    let view = results.setup_view(&setup.name);
    doc.blocks.push(Block::Heading {
        level: 2,
        text: format!("Setup {}: {}", setup.name, changes(setup)),
        anchor: Some(setup_anchor(setup)),
    });
    doc.figures(vec![
        Figure {
            name: format!("{}-offset-fraction", setup_anchor(setup)),
            svg: figures::offset_fraction(&view, Init::Large),
            caption: format!(
                "Offset fraction f of the {} setup's large-init runs with its penalty or decay (\"+ L2\" in the title), from its norm budget, mean over seeds with their range: claim 1 reads its first epochs.",
                setup.name
            ),
        },
        Figure {
            name: format!("{}-accuracy", setup_anchor(setup)),
            svg: figures::accuracy(&view, &[]),
            caption: format!(
                "Validation accuracy of the {} setup's four base runs (\"L2\": its penalty or decay): claim 4 compares them.",
                setup.name
            ),
        },
    ]);
}

fn row(setup: &SetupClaims) -> Vec<String> {
    let verdict = |claim: &ClaimResult| match claim.header().verdict {
        Verdict::Inconclusive => "not decided".to_string(),
        v => v.as_str().to_string(),
    };
    let claim1 = match crate::study::claims::claim1(&setup.claims) {
        Some(d) => {
            let k: Vec<String> = d
                .decision
                .findings
                .layers
                .iter()
                .map(|l| l.k_min.to_string())
                .collect();
            format!("{}; K = {}", verdict(&setup.claims[0]), k.join(", "))
        }
        None => verdict(&setup.claims[0]),
    };
    let m = &setup.measured;
    let shrink = sig(m.decay_only_shrink);
    let claim2 = match m.decay_law {
        Some(law) => format!(
            "{}; {shrink} ({})",
            verdict(&setup.claims[1]),
            sig(Some(law))
        ),
        None => format!("not decided (no factor law); {shrink}"),
    };
    let claim4 = match crate::study::claims::claim4(&setup.claims) {
        Some(d) => {
            let yes_no = |b: bool| if b { "yes" } else { "no" };
            let f = &d.decision.findings;
            format!(
                "{}: fast start {}, saturation {}",
                verdict(&setup.claims[3]),
                yes_no(f.early_speed_emulated),
                yes_no(f.saturation_emulated)
            )
        }
        None => verdict(&setup.claims[3]),
    };
    vec![
        format!("[{}](#{})", setup.setup.name, setup_anchor(&setup.setup)),
        changes(&setup.setup),
        claim1,
        claim2,
        claim4,
        m.final_accuracy
            .map_or(String::new(), |a| format!("{:.2}%", 100.0 * a)),
    ]
}

/// What the setup changes from network2's, in words and formulas.
fn changes(setup: &Setup) -> String {
    let mut parts = Vec::new();
    match setup.optimizer {
        Optimizer::Sgd => {}
        Optimizer::Momentum { mu } => parts.push(format!("momentum $mu = {mu}$")),
        Optimizer::Sgdw { weight_decay } => parts.push(format!("SGDW, $D = {weight_decay}$")),
        Optimizer::Adam { .. } => parts.push("Adam, the penalty in its gradient".to_string()),
        Optimizer::AdamW { weight_decay, .. } => parts.push(format!("AdamW, $D = {weight_decay}$")),
    }
    if setup.regularization == Regularization::L1 {
        parts.push("L1".to_string());
    }
    match setup.cost {
        Cost::CrossEntropy => {}
        Cost::Quadratic => parts.push("quadratic cost".to_string()),
        Cost::LogLikelihood => parts.push("softmax, log-likelihood".to_string()),
    }
    if setup.activation == Activation::Tanh {
        parts.push("tanh hidden neurons".to_string());
    }
    parts.push(format!("$eta = {}$", setup.eta));
    if setup.lambda > 0.0 {
        parts.push(format!("$lambda = {}$", setup.lambda));
    }
    parts.join(", ")
}
