//! The report's content, from the study's results and verdicts.

use serde_json::Value;

use super::figures;
use super::{Block, Document};
use crate::net::Init;
use crate::study::claims::claim3::{Claim3Evidence, LayerEquilibrium};
use crate::study::claims::{self, ClaimResult, Evidence};
use crate::study::equilibrium::SettledEntry;
use crate::study::{Mode, Results};

/// Per-epoch accuracies of reference curves (e.g. from network2 scripts).
pub type Reference = Vec<(String, Vec<f64>)>;

fn number(v: &Value) -> String {
    match v {
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            if n.is_i64() || n.is_u64() {
                n.to_string()
            } else if x != 0.0 && (x.abs() < 1e-3 || x.abs() >= 1e5) {
                format!("{x:.3e}")
            } else {
                format!("{x:.4}")
            }
        }
        Value::Null => "n/a".into(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(number).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(_) => serde_json::to_string(v).unwrap_or_default(),
        other => other.to_string().trim_matches('"').to_string(),
    }
}

/// Rows of the evidence's entries that read well in a table: numbers,
/// flags, strings and short lists of numbers.
fn evidence_rows(evidence: &Value) -> Vec<Vec<String>> {
    let Some(map) = evidence.as_object() else {
        return Vec::new();
    };
    map.iter()
        .filter(|(_, v)| match v {
            Value::Array(items) => items.len() <= 8 && items.iter().all(|i| !i.is_object()),
            Value::Object(_) => false,
            _ => true,
        })
        .map(|(k, v)| vec![k.replace('_', " "), number(v)])
        .collect()
}

pub fn document(
    results: &Results,
    claims: &[ClaimResult],
    settled: &[SettledEntry],
    reference: &Reference,
    seconds: f64,
    jobs: usize,
) -> Document {
    let plan = &results.plan;
    let mut doc = Document {
        title: "decaylab: weight decay in network2's SGD, measured".into(),
        blocks: Vec::new(),
    };
    doc.paragraph(format!(
        "Four claims about a sigmoid network trained on MNIST by SGD with L2 regularization, w -> (1 - eta*lambda/n) w - (eta/m) sum_x dC_x/dw, from weights drawn from the standard Gaussian, each decided by measurement. Base hyperparameters: sizes [784, 30, 10], cross-entropy, eta {}, lambda {}, m {}, n = {} training examples, seeds {:?}. Every run with L2 stops once each of its layers has settled (offset fraction, smoothed over {} epochs, within 1 +/- {} for {} epochs, after at least {}) or at {} epochs; runs without L2 train {} epochs. {} runs: {} trained in {:.0} s on {} job(s), {} read back from an earlier invocation.",
        crate::study::plan::ETA,
        crate::study::plan::LAMBDA,
        crate::study::plan::BATCH,
        plan.train_size,
        plan.seeds,
        crate::run::settle::SMOOTHING_WINDOW,
        crate::run::settle::SETTLED_BAND,
        crate::run::settle::SETTLED_EPOCHS,
        crate::run::settle::MIN_EPOCHS,
        plan.epoch_cap,
        plan.no_l2_epochs,
        results.runs.len(),
        results.runs.iter().filter(|r| !r.reused).count(),
        seconds,
        jobs,
        results.runs.iter().filter(|r| r.reused).count(),
    ));
    if plan.mode == Mode::Quick {
        doc.paragraph(format!(
            "QUICK MODE: one seed, lambdas {:?}, etas {:?}, (eta, lambda) {:?}, scaling grid (width, pool) {:?} large and {:?} default. The numbers show the shape of the answer, with no spread over seeds and few points for the fits; run without --quick for the full study.",
            plan.lambdas, plan.etas, plan.fixed_products, plan.grid_large, plan.grid_default
        ));
    }
    doc.heading(1, "Verdicts");
    doc.table(
        &["claim", "verdict", "about"],
        claims
            .iter()
            .map(|c| {
                vec![
                    format!("{}. {}", c.id, c.title),
                    c.verdict.as_str().into(),
                    c.about.clone(),
                ]
            })
            .collect(),
    );

    let large = results.base(Init::Large, true);
    let first_large = large.first().copied();
    for claim in claims {
        doc.heading(1, format!("Claim {}: {}", claim.id, claim.title));
        doc.paragraph(format!("The claim: \"{}\"", claim.statement));
        doc.blocks.push(Block::Verdict {
            verdict: claim.verdict.as_str().into(),
            text: claim.explanation.clone(),
        });
        if !claim.caveats.is_empty() {
            doc.paragraph("Caveats:");
            doc.list(claim.caveats.clone());
        }
        let evidence = serde_json::to_value(&claim.evidence).expect("evidence serializes");
        doc.table(&["evidence", "value"], evidence_rows(&evidence));
        if !claim.sensitivity.is_empty() {
            doc.paragraph("The verdict at other thresholds:");
            doc.table(
                &[
                    "threshold",
                    "value",
                    "verdict at half",
                    "verdict",
                    "verdict at twice",
                ],
                claim
                    .sensitivity
                    .iter()
                    .map(|t| {
                        vec![
                            t.threshold.clone(),
                            format!("{}", t.value),
                            t.verdict_at_half.as_str().into(),
                            claim.verdict.as_str().into(),
                            t.verdict_at_twice.as_str().into(),
                        ]
                    })
                    .collect(),
            );
        }
        match claim.id {
            1 => {
                if let Some(run) = first_large {
                    doc.figure("offset-fraction", figures::offset_fraction(run), "Offset fraction per epoch, first seed of large init + L2. Below 0.1 the epoch is decay-dominated (claim 1); the first epoch at or above 0.5 is the tail-off (claim 3).");
                    doc.figure("norm-budget", figures::budget(run), "Norm budget of all weights per epoch: the decay's pull on |w|^2 against the gradient's drift and noise.");
                }
                doc.figure(
                    "saturation",
                    figures::saturation(results),
                    "Saturated hidden neurons on the validation set.",
                );
                let rows = match &claim.evidence {
                    Evidence::Claim1(e) => e
                        .lambda_sweep
                        .iter()
                        .map(|r| {
                            vec![
                                format!("{}", r.lambda),
                                r.k.to_string(),
                                r.f_1.map_or("-".into(), |f| format!("{f:.4}")),
                            ]
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                doc.paragraph(
                    "Decay-dominated leading epochs K by lambda (large init, first seed):",
                );
                doc.table(
                    &[
                        "lambda",
                        "K (leading epochs with |f| < 0.1)",
                        "f in epoch 1",
                    ],
                    rows,
                );
            }
            2 => {
                doc.figure("rms-per-layer", figures::rms_per_layer(results), "Weight rms per layer (log scale), mean over seeds with min-max band, against pure decay exp(-eta*lambda*t/m) and the reference sizes.");
                doc.figure(
                    "shrink-gap",
                    figures::shrink_gap(results.base_steps()),
                    "Where exp(-eta*lambda/m) stops standing in for (1 - eta*lambda/n)^S.",
                );
                let Evidence::Claim2(e) = &claim.evidence else {
                    continue;
                };
                let rows = e
                    .gap_table
                    .iter()
                    .map(|r| {
                        vec![
                            format!("{:e}", r.eta_lambda_over_n),
                            format!("{:.6}", r.rate_ratio),
                            format!("{:.3e}", r.relative_gap_per_epoch),
                        ]
                    })
                    .collect();
                doc.paragraph(format!(
                    "(1 - eta*lambda/n)^S against exp(-eta*lambda/m) for S = {} steps per epoch:",
                    results.base_steps()
                ));
                doc.table(
                    &["eta*lambda/n", "decay-rate ratio", "relative gap per epoch"],
                    rows,
                );
                let rows = e
                    .spot_checks
                    .iter()
                    .map(|r| {
                        vec![
                            format!("{:e}", r.eta_lambda_over_n),
                            sig(r.measured_shrink),
                            sig(r.exact),
                            sig(r.asymptotic),
                            format!("{:.1e}", r.max_relative_error),
                        ]
                    })
                    .collect();
                doc.paragraph("Decay-only runs ([49, 10, 10], n = 1000, m = 10, f64):");
                doc.table(
                    &[
                        "eta*lambda/n",
                        "measured shrink",
                        "(1 - eta*lambda/n)^S",
                        "exp(-eta*lambda/m)",
                        "worst relative error",
                    ],
                    rows,
                );
            }
            3 => {
                if let Evidence::Claim3(e) = &claim.evidence {
                    claim3_section(&mut doc, e, settled);
                }
            }
            4 => {
                doc.figure(
                    "accuracy",
                    figures::accuracy(results, reference),
                    "Validation accuracy of the base runs.",
                );
                if let Some(run) = first_large {
                    let last = run.len() - 1;
                    let tail = claims::tail_off(run, None).map(|t| t.epoch);
                    let mut epochs = vec![0, 1, 5.min(last)];
                    epochs.extend(tail);
                    epochs.push(last);
                    epochs.sort_unstable();
                    epochs.dedup();
                    let n_in = results.base_sizes()[0];
                    doc.figure("histograms", figures::histograms(run, &epochs, n_in), format!("First-layer weight histograms of large init + L2 at epochs {epochs:?} (T = tail-off) against the N(0, 1/n_in) density."));
                }
            }
            _ => {}
        }
    }
    comments(&mut doc, results);
    doc.heading(1, "Runs");
    doc.paragraph("Each run's metrics are in runs/NAME.jsonl (one JSON line per epoch) and runs/NAME.csv; runs/NAME.config.json is its configuration.");
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
                    last.map_or("".into(), |x| format!("{:.4}", x.weights.all.rms)),
                ]
            })
            .collect(),
    );
    doc
}

/// The question's own comments, answered from the base runs.
fn comments(doc: &mut Document, results: &Results) {
    doc.heading(1, "The question's comments, measured");
    let large = results.base(Init::Large, true);
    let default = results.base(Init::Default, true);
    let epoch1 = |runs: &[&[crate::metrics::EpochRecord]],
                  f: &dyn Fn(&crate::metrics::EpochRecord) -> Option<f64>| {
        let values: Vec<f64> = runs.iter().filter_map(|r| f(r.get(1)?)).collect();
        (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
    };
    let signal =
        |r: &crate::metrics::EpochRecord| r.dynamics.as_ref()?.gradient_signal.first().copied();
    let sat = |r: &crate::metrics::EpochRecord| r.saturation.first().copied();
    doc.heading(
        2,
        "Is (1/m) sum dC_x/dw near 0 in the first epochs, and does saturation explain it?",
    );
    if let (Some(gl), Some(gd), Some(sl), Some(sd)) = (
        epoch1(&large, &signal),
        epoch1(&default, &signal),
        epoch1(&large, &sat),
        epoch1(&default, &sat),
    ) {
        let smaller = gl < gd;
        doc.paragraph(format!(
            "In epoch 1 the hidden layer's mean gradient |(1/m) sum dC_x/dw| averaged {gl:.4} with large initialization and {gd:.4} with N(0, 1/n_in): {}. {:.0}% of the (example, hidden neuron) pairs were saturated with large initialization against {:.0}% with N(0, 1/n_in). {}",
            if smaller { format!("{:.1} times smaller", gd / gl) } else { format!("not smaller but {:.1} times larger", gl / gd) },
            100.0 * sl,
            100.0 * sd,
            if smaller && sl > sd {
                "More saturation goes with a smaller gradient, as the comment says; the gradient is small, not zero, and its effect on |w| is what the offset fraction measures."
            } else {
                "The data do not show saturation shrinking the gradient here."
            }
        ));
    }
    doc.heading(
        2,
        "Does the decay term vanish later, or is it balanced by the gradient?",
    );
    if let Some(run) = large.first() {
        let relative_decay = |r: &crate::metrics::EpochRecord,
                              previous: &crate::metrics::EpochRecord| {
            let norm2 = previous.weights.all.rms.powi(2) * previous.weights.all.count as f64;
            r.dynamics.as_ref().map(|d| -d.budget.all.decay / norm2)
        };
        let last = run.len() - 1;
        if let (Some(first), Some(end), Some(f_end)) = (
            relative_decay(&run[1], &run[0]),
            relative_decay(&run[last], &run[last - 1]),
            claims::offset_fraction(&run[last], None),
        ) {
            doc.paragraph(format!(
                "In epoch 1 the decay removed {:.2}% of |w|^2; in epoch {last} it removed {:.2}%: as a fraction of the weights the decay term {}. What changes is the gradient: in epoch {last} it undid {:.0}% of the decay's shrinkage (offset fraction {f_end:.2}). The decay does not vanish; it is balanced.",
                100.0 * first,
                100.0 * end,
                if (end / first - 1.0).abs() < 0.2 { "stays the same" } else { "changes" },
                100.0 * f_end
            ));
        }
    }
}

/// A number to four significant digits, or "-".
fn sig(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.4}"),
        _ => "-".into(),
    }
}

fn percent(value: Option<f64>) -> String {
    value.map_or("-".into(), |v| format!("{:.0}%", 100.0 * v))
}

/// Claim 3's evidence: the settled state per layer, the hypotheses, the
/// fits, and every run of the grid.
fn claim3_section(doc: &mut Document, evidence: &Claim3Evidence, settled: &[SettledEntry]) {
    let layers: Vec<&LayerEquilibrium> = evidence.layers.iter().collect();
    let mut header = vec!["base runs (large init, L2)".to_string()];
    header.extend(layers.iter().map(|l| l.layer.clone()));
    let row = |name: &str, cell: &dyn Fn(&LayerEquilibrium) -> String| {
        let mut row = vec![name.to_string()];
        row.extend(layers.iter().map(|l| cell(l)));
        row
    };
    let mut rows = vec![
        row("settled seeds", &|l| {
            format!("{} of {}", l.settled_seeds, l.seeds)
        }),
        row("settled epoch (mean)", &|l| {
            l.settled_epoch.map_or("-".into(), |e| format!("{e:.0}"))
        }),
        row("settled size (rms)", &|l| sig(Some(l.size))),
    ];
    for (i, name) in [
        "size / (1/n_w)",
        "size / (1/sqrt(n_w))",
        "size / (1/sqrt(n_in))",
    ]
    .iter()
    .enumerate()
    {
        rows.push(row(name, &|l| {
            format!("{:.1}", l.hypotheses[i].size_over_reference)
        }));
    }
    rows.extend([
        row("drift share of the decay", &|l| percent(l.drift_share)),
        row("noise share of the decay", &|l| percent(l.noise_share)),
        row("noise per epoch, measured", &|l| sig(l.noise_measured)),
        row("noise per epoch, predicted", &|l| sig(l.noise_predicted)),
        row("cos(w, -grad C_0)", &|l| sig(l.optimum_cosine)),
        row("|grad C_0| / |(lambda/n) w|", &|l| sig(l.gradient_ratio)),
        row("tail-off epoch (f >= 0.5)", &|l| {
            l.tail_off_epoch.map_or("-".into(), |e| format!("{e:.1}"))
        }),
        row("rms at tail-off", &|l| sig(l.tail_off_size)),
    ]);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    doc.table(&header, rows);
    doc.figure(
        "settled-size-vs-n-in",
        figures::settled_scaling(settled, &evidence.grid_fits),
        "First layer's settled size against its inputs per neuron (log-log): large-init and default-init runs that settled, and runs that did not, with the fit and the slope -1/2 of 1/sqrt(n_in).",
    );
    let fit_rows = evidence
        .grid_fits
        .iter()
        .chain(&evidence.sweep_fits)
        .map(|f| {
            let exponents: Vec<String> = f
                .exponents
                .iter()
                .map(|(name, e)| format!("{name}: {:.2} ({:.2} to {:.2})", e.value, e.low, e.high))
                .collect();
            vec![
                f.layer.clone(),
                f.predictors.join(" + "),
                exponents.join("; "),
                format!("{:.3}", f.r_squared),
                f.points.to_string(),
                f.unsettled.to_string(),
            ]
        })
        .collect();
    doc.paragraph(format!(
        "Fits of log(settled size): {}.",
        crate::study::equilibrium::FIT_METHOD
    ));
    doc.table(
        &[
            "layer",
            "against",
            "exponents (95% interval)",
            "R^2",
            "configurations",
            "left out (not settled)",
        ],
        fit_rows,
    );
    let run_rows = settled
        .iter()
        .filter(|e| e.layer == "w1")
        .map(|e| {
            vec![
                e.run.clone(),
                e.width.to_string(),
                e.n_in.to_string(),
                e.eta.to_string(),
                e.lambda.to_string(),
                if e.settled { "yes".into() } else { "no".into() },
                e.settled_epoch.map_or("-".into(), |s| s.to_string()),
                sig(Some(e.size)),
                sig(e.size_times_input_norm),
            ]
        })
        .collect();
    doc.paragraph(
        "Every run's first layer (the whole table, every layer, is `settled` in claims.json):",
    );
    doc.table(
        &[
            "run",
            "width",
            "n_in",
            "eta",
            "lambda",
            "settled",
            "settled epoch",
            "size",
            "size x input norm",
        ],
        run_rows,
    );
}
