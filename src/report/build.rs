//! The report's content, from the study's typed results: the answers
//! first, then one section per claim (verdict, explanation, evidence tables
//! with units, figures), the question's comments, a glossary and the runs.

use super::cells::sig;
use super::{Answer, Block, CHAPTER_3, Document, Inputs, glossary, text};
use super::{beyond, book_examples, evidence};
use crate::study::claims::ClaimResult;
use crate::study::comments::{Comments, DECAY_UNCHANGED};
use crate::study::{Mode, Results, plan};

pub fn claim_anchor(id: u8) -> String {
    format!("claim-{id}")
}

pub fn document(inputs: &Inputs) -> Document {
    let mut doc = Document {
        title: "Weight decay in network2's SGD, measured".into(),
        blocks: Vec::new(),
    };
    if let Some(notice) = quick_notice(&inputs.results.plan) {
        doc.blocks.push(Block::Notice(notice));
    }
    doc.paragraph(format!(
        "Four claims about a sigmoid network trained on MNIST by SGD with L2 regularization, $w -> (1 - eta*lambda/n) w - (eta/m) sum_x partial C_x/partial w$, from weights drawn from the standard Gaussian (the problem in the book's [chapter 3]({CHAPTER_3}#weight_initialization) that connects [regularization]({CHAPTER_3}#regularization) with weight initialization), each decided by measurement. The claims come from a student's question about this problem, which adds comments of its own: they are measured in [their own section](#comments)."
    ));
    let words: Vec<text::ClaimText> = inputs.claims.iter().map(text::of).collect();
    doc.blocks.push(Block::Answers(
        inputs
            .claims
            .iter()
            .zip(&words)
            .map(|(c, words)| {
                let c = c.header();
                Answer {
                    anchor: claim_anchor(c.id),
                    title: format!("{}. {}", c.id, c.title),
                    verdict: c.verdict.as_str().into(),
                    text: words.answer.clone(),
                }
            })
            .collect(),
    ));
    let going_on: Vec<(&ClaimResult, &Vec<String>)> = (inputs.claims.iter())
        .zip(&words)
        .filter(|(_, words)| !words.going_on.is_empty())
        .map(|(c, words)| (c, &words.going_on))
        .collect();
    if !going_on.is_empty() {
        doc.blocks.push(Block::Heading {
            level: 2,
            text: "What is going on".into(),
            anchor: Some(text::GOING_ON_ANCHOR.into()),
        });
        for (claim, paragraphs) in going_on {
            let header = claim.header();
            doc.heading(3, format!("Claim {}: {}", header.id, header.title));
            for paragraph in paragraphs {
                doc.paragraph(paragraph.clone());
            }
        }
    }
    doc.blocks.push(Block::Contents);
    setup(&mut doc, inputs);
    for (claim, words) in inputs.claims.iter().zip(&words) {
        claim_section(&mut doc, claim, words, inputs);
    }
    if !inputs.book_examples.is_empty() {
        book_examples::section(&mut doc, inputs.book_examples);
    }
    beyond::section(&mut doc, inputs.setups, inputs.results);
    comments(&mut doc, inputs.comments);
    let terms = glossary::terms();
    doc.section("glossary", "Glossary");
    doc.blocks.push(Block::Glossary(terms.clone()));
    runs_section(&mut doc, inputs.results);
    glossary::link_first_uses(&mut doc, &terms);
    doc
}

/// How the study ran: hyperparameters, stopping rule, runs and time.
fn setup(doc: &mut Document, inputs: &Inputs) {
    let (results, plan) = (inputs.results, &inputs.results.plan);
    doc.section("setup", "How the study ran");
    doc.paragraph(format!(
        "Base hyperparameters: sizes {:?}, cross-entropy, eta {}, lambda {}, m {}, n = {} training examples, seeds {}. Every run with L2 whose {} relaxation times $m/(eta*lambda)$ fit in {} epochs stops once each of its layers has settled or at {} epochs; the others train {} epochs and are listed as not settled; runs without L2 train {} epochs. {} runs: {} trained in {:.0} s on {} job(s), {} read back from an earlier invocation.",
        results.base_sizes(),
        plan::ETA,
        plan::LAMBDA,
        plan::BATCH,
        plan.train_size,
        list(&plan.seeds),
        plan::SETTLE_RELAXATIONS,
        plan.epoch_cap,
        plan.epoch_cap,
        plan::UNSETTLED_EPOCHS,
        plan.no_l2_epochs,
        results.runs.len(),
        results.runs.iter().filter(|r| !r.reused).count(),
        inputs.seconds,
        inputs.jobs,
        results.runs.iter().filter(|r| r.reused).count(),
    ));
    if !plan.noise_lambdas.is_empty() {
        doc.paragraph(format!(
            "The noise law's branches start from the settled default-init runs at lambda {} and train {} relaxation times (at least {} epochs), then {} more over which their size is averaged (at least {} epochs), without probes.",
            list(&plan.noise_lambdas),
            plan::BRANCH_BURN_IN,
            plan::BRANCH_MIN_BURN_IN,
            plan::BRANCH_AVERAGE,
            plan::BRANCH_MIN_AVERAGE,
        ));
    }
}

/// A quick study's limits, said before anything else (None for the full
/// study).
fn quick_notice(plan: &plan::Plan) -> Option<String> {
    if plan.mode != Mode::Quick {
        return None;
    }
    let pairs = |grid: &[(usize, usize)]| {
        grid.iter()
            .map(|(w, p)| format!("width {w} pool {p}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Some(format!(
        "Quick mode: one seed; lambdas {}; etas {}; scaling grid {} (large init) and {} (default init). The numbers show the shape of the answer, with no spread over seeds and few points for the fits; run without --quick for the full study.",
        list(&plan.lambdas),
        list(&plan.etas),
        pairs(&plan.grid_large),
        pairs(&plan.grid_default)
    ))
}

/// Values joined by ", ".
fn list<T: std::fmt::Display>(values: &[T]) -> String {
    values
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn claim_section(
    doc: &mut Document,
    claim: &ClaimResult,
    words: &text::ClaimText,
    inputs: &Inputs,
) {
    let header = claim.header();
    doc.section(
        &claim_anchor(header.id),
        format!("Claim {}: {}", header.id, header.title),
    );
    doc.paragraph(format!("The claim: \"{}\"", header.statement));
    doc.blocks.push(Block::Verdict {
        verdict: header.verdict.as_str().into(),
        text: words.explanation.clone(),
        rule: words.rule.clone(),
    });
    if let Some(details) = &words.details {
        doc.paragraph(details.clone());
    }
    if !words.caveats.is_empty() {
        doc.paragraph("Caveats:");
        doc.list(words.caveats.clone());
    }
    match claim {
        ClaimResult::Claim1(o) => o
            .as_ref()
            .as_ref()
            .map(|d| evidence::claim1::section(doc, &d.evidence, inputs.results)),
        ClaimResult::Claim2(o) => o
            .as_ref()
            .as_ref()
            .map(|d| evidence::claim2::section(doc, &d.evidence, inputs.results)),
        ClaimResult::Claim3(o) => o
            .as_ref()
            .as_ref()
            .map(|d| evidence::claim3::section(doc, d, inputs)),
        ClaimResult::Claim4(o) => o
            .as_ref()
            .as_ref()
            .map(|d| evidence::claim4::section(doc, &d.evidence, inputs)),
    }
    .unwrap_or_else(|missing| doc.paragraph(format!("Missing: {}.", missing.0)));
    if !header.sensitivity.is_empty() {
        doc.paragraph("The verdict with each threshold at half and at twice its value, and whether any finding of the decision changes there:");
        doc.table(
            &[
                "threshold",
                "value",
                "at half",
                "at the value",
                "at twice",
                "findings change (half, twice)",
            ],
            header
                .sensitivity
                .iter()
                .map(|t| {
                    vec![
                        text::threshold_words(t.threshold).to_string(),
                        format!("{}", t.value),
                        t.verdict_at_half.as_str().into(),
                        header.verdict.as_str().into(),
                        t.verdict_at_twice.as_str().into(),
                        format!(
                            "{}, {}",
                            yes_no(t.findings_change_at_half),
                            yes_no(t.findings_change_at_twice)
                        ),
                    ]
                })
                .collect(),
        );
    }
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

/// The question's own comments, answered from their measurements.
fn comments(doc: &mut Document, comments: &Comments) {
    doc.section("comments", "The question's comments, measured");
    doc.heading(
        2,
        "Is (1/m) sum dC_x/dw near 0 in the first epochs, and does saturation explain it?",
    );
    if let Some(g) = &comments.small_gradient {
        let (gl, gd) = (g.gradient_large, g.gradient_default);
        doc.paragraph(format!(
            "In epoch 1 the hidden layer's mean gradient $|(1/m) sum partial C_x/partial w|$ averaged {gl:.4} with large initialization and {gd:.4} with $N(0, 1/n_in)$: {}. {:.0}% of the (example, hidden neuron) pairs were saturated with large initialization against {:.0}% with $N(0, 1/n_in)$. {}",
            if g.smaller {
                format!("{:.1} times smaller", gd / gl)
            } else {
                format!("not smaller but {:.1} times larger", gl / gd)
            },
            100.0 * g.saturation_large,
            100.0 * g.saturation_default,
            if g.saturation_goes_with_it {
                "More saturation goes with a smaller gradient, in the direction the comment says, by the factor above; the gradient is small, not zero, and its effect on |w| is what the offset fraction measures."
            } else {
                "The data do not show saturation shrinking the gradient here."
            }
        ));
    }
    doc.heading(
        2,
        "Does the decay term vanish later, or is it balanced by the gradient?",
    );
    if let Some(d) = &comments.decay_balanced {
        let last = d.last_epoch;
        doc.paragraph(format!(
            "In epoch 1 the decay removed {:.2}% of $|w|^2$; in epoch {last} it removed {:.2}%: as a fraction of the weights the decay term {}. What changes is the gradient: in epoch {last} it gave back {:.0}% of the decay's shrinkage (offset fraction {:.2}). The decay does not vanish; it is balanced.",
            100.0 * d.removed_first,
            100.0 * d.removed_last,
            if d.decay_unchanged {
                format!(
                    "stays the same within {:.0}% (relative)",
                    100.0 * DECAY_UNCHANGED
                )
            } else {
                format!(
                    "changes by more than {:.0}% (relative)",
                    100.0 * DECAY_UNCHANGED
                )
            },
            100.0 * d.f_last,
            d.f_last
        ));
    }
}

fn runs_section(doc: &mut Document, results: &Results) {
    doc.section("runs", "Runs");
    doc.paragraph("runs.csv holds every run's per-epoch rows in one table, with the run's name and configuration as columns. Each run's metrics are also in runs/NAME.jsonl (one JSON line per epoch) and runs/NAME.csv; runs/NAME.config.json is its configuration.");
    let redone = results.redone();
    if !redone.is_empty() {
        doc.paragraph(format!(
            "Trained again in this invocation because their files from an earlier one were damaged (incomplete, unreadable or of another version): {}.",
            redone.join(", ")
        ));
    }
    doc.table(
        &["run", "epochs", "final accuracy", "final rms"],
        results
            .runs
            .iter()
            .map(|r| {
                let last = r.records.last();
                vec![
                    r.spec.name.clone(),
                    (r.records.len() - 1).to_string(),
                    last.map_or("".into(), |x| format!("{:.2}%", 100.0 * x.eval_accuracy)),
                    last.map_or("".into(), |x| sig(Some(x.weights.all.rms))),
                ]
            })
            .collect(),
    );
}
