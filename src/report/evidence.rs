//! Each claim's evidence in the report: tables built from its typed
//! evidence (rows named with their units, layers in columns) and its figures.

use super::cells::{percent, percent_whole, short, sig, table_of};
use super::figures::{self, init_name};
use super::{Document, Figure, Inputs, text};
use crate::net::{Init, Layer};
use crate::study::Results;
use crate::study::claims::claim1::Claim1Evidence;
use crate::study::claims::claim2::{Claim2Evidence, GapRow};
use crate::study::claims::claim3::{Claim3Evidence, LayerEquilibrium};
use crate::study::claims::claim4::Claim4Evidence;
use crate::study::equilibrium::SettledEntry;

/// The weight layers' names: "w1", "w2", ...
fn layer_names(layers: usize) -> Vec<String> {
    (0..layers).map(|l| Layer::Weights(l).to_string()).collect()
}

/// A header: `first`, then "all weights" and the layers.
fn layer_header(first: &str, layers: usize) -> Vec<String> {
    let mut header = vec![first.to_string(), "all weights".into()];
    header.extend(layer_names(layers));
    header
}

pub fn claim1(doc: &mut Document, e: &Claim1Evidence, results: &Results) {
    let layers = e.f_epoch1_per_layer.len();
    let per_seed = |k: &dyn Fn(usize) -> usize| {
        (0..e.k_all_weights_per_seed.len())
            .map(k)
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut k_row = vec![
        "K (leading decay-dominated epochs), per seed".into(),
        per_seed(&|s| e.k_all_weights_per_seed[s]),
    ];
    k_row.extend((0..layers).map(|l| per_seed(&|s| e.k_per_layer_per_seed[l][s])));
    let mut f_row = vec![
        "offset fraction f_1 in epoch 1 (mean over seeds)".into(),
        sig(e.f_epoch1_mean),
    ];
    f_row.extend(e.f_epoch1_per_layer.iter().map(|f| sig(*f)));
    let moves =
        |name: &str,
         value: &dyn Fn(&crate::study::claims::claim1::EpochOneMoves) -> Option<f64>| {
            let mut row = vec![name.to_string(), "".into()];
            row.extend(e.epoch_1_moves.iter().map(|m| sig(value(m))));
            row
        };
    let rows = vec![
        k_row,
        f_row,
        moves("f_1 with default init", &|m| m.f_1_default_init),
        moves("gradient / decay displacement in epoch 1", &|m| {
            m.gradient_over_decay_displacement
        }),
        moves("cos(w_1 - w_0, -w_0): 1 if epoch 1 only shrank w", &|m| {
            m.change_cosine
        }),
    ];
    doc.paragraph("Large init + L2, the base runs:");
    table_of(doc, layer_header("quantity", layers), rows);
    doc.table(
        &["epoch 1, hidden layer", "large init", "default init"],
        vec![
            vec![
                "saturated (example, neuron) pairs".into(),
                percent(e.saturation_epoch1_large),
                percent(e.saturation_epoch1_default),
            ],
            vec![
                "mean over steps of the layer's |(1/m) sum dC_x/dw| (a vector norm)".into(),
                sig(e.gradient_signal_hidden_epoch1_large),
                sig(e.gradient_signal_hidden_epoch1_default),
            ],
        ],
    );
    let mut header = vec!["cut-off for |f|".to_string(), "K, all weights".into()];
    header.extend(layer_names(layers).iter().map(|l| format!("K, {l}")));
    header.push("verdict".into());
    let rows = e
        .by_cutoff
        .iter()
        .map(|r| {
            let mut row = vec![format!("{}", r.cutoff), r.k_all_weights.to_string()];
            row.extend(r.k_per_layer.iter().map(|k| k.to_string()));
            row.push(r.verdict.as_str().into());
            row
        })
        .collect();
    doc.paragraph("K (fewest over seeds) at other cut-offs, and the verdict each would give:");
    table_of(doc, header, rows);
    doc.paragraph("K by lambda (large init, first seed):");
    doc.table(
        &["lambda", "K", "f_1"],
        e.lambda_sweep
            .iter()
            .map(|r| vec![format!("{}", r.lambda), r.k.to_string(), sig(r.f_1)])
            .collect(),
    );
    let pair = |init: Init, what: &str| {
        let runs = results.base(init, true);
        let records = runs.first().copied()?;
        let name = format!("offset-fraction-{}", init_name(init).replace(' ', "-"));
        Some(Figure {
            name,
            svg: figures::offset_fraction(results, init),
            caption: format!(
                "Offset fraction per epoch, {} + L2, mean over seeds with their range; above 2 or below -0.5 a value is marked on the edge. {what} ({} epochs).",
                init_name(init),
                records.len() - 1
            ),
        })
    };
    let row: Vec<Figure> = [
        pair(Init::Large, "Below 0.1 an epoch is decay-dominated"),
        pair(Init::Default, "The same from N(0, 1/n_in)"),
    ]
    .into_iter()
    .flatten()
    .collect();
    doc.figures(row);
    if let Some(run) = results.base(Init::Large, true).first() {
        doc.figures(vec![
            Figure {
                name: "norm-budget".into(),
                svg: figures::budget(run),
                caption: "Norm budget of all weights per epoch, first seed of large init + L2: the decay's pull on |w|^2 against the gradient's drift and noise.".into(),
            },
            Figure {
                name: "saturation".into(),
                svg: figures::saturation(results),
                caption: "Saturated hidden neurons on the validation set, mean over seeds with their range.".into(),
            },
        ]);
    }
}

pub fn claim2(doc: &mut Document, e: &Claim2Evidence, results: &Results) {
    let mut rows = vec![
        vec![
            "rho* = (1 - eta*lambda/n)^S, base run".into(),
            sig(e.rho_star),
        ],
        vec![
            "exp(-eta*lambda/m)".into(),
            sig(e.exp_minus_eta_lambda_over_m),
        ],
        vec!["steps per epoch S".into(), e.base_steps.to_string()],
        vec![
            "decay-only runs: worst relative error of the measured shrink".into(),
            format!(
                "{:.1e} (tolerance {:.0e})",
                e.pure_decay_worst_relative_error, e.pure_decay_tolerance
            ),
        ],
        vec![
            "training: mean |rho / rho* - 1| over decay-dominated epochs".into(),
            format!(
                "{} (tolerance {})",
                percent(e.training_mean_relative_deviation),
                percent(Some(e.training_tolerance))
            ),
        ],
        vec![
            format!(
                "smallest eta*lambda/n at which exp(-eta*lambda/m) is more than {} per epoch from rho* (S = {}; the gap grows as S (eta*lambda/n)^2 / 2)",
                percent_whole(e.training_tolerance),
                e.base_steps
            ),
            e.gap_exceeds_tolerance_from.map_or_else(
                || {
                    let c = |row: Option<&GapRow>| {
                        row.map_or("-".into(), |r| short(r.eta_lambda_over_n))
                    };
                    format!(
                        "never in {} to {}",
                        c(e.gap_table.first()),
                        c(e.gap_table.last())
                    )
                },
                |c| format!("{c:e}"),
            ),
        ],
    ];
    for (l, rho) in e.training_mean_rho_per_layer.iter().enumerate() {
        rows.push(vec![
            format!("training: mean rho of w{} in those epochs", l + 1),
            sig(*rho),
        ]);
    }
    doc.table(&["quantity", "value"], rows);
    doc.paragraph(format!(
        "(1 - eta*lambda/n)^S against exp(-eta*lambda/m) for S = {} steps per epoch:",
        e.base_steps
    ));
    doc.table(
        &[
            "eta*lambda/n",
            "decay-rate ratio ln(rho*) / (-eta*lambda/m)",
            "relative gap per epoch rho*/exp(-eta*lambda/m) - 1",
        ],
        e.gap_table
            .iter()
            .map(|r| {
                vec![
                    format!("{:e}", r.eta_lambda_over_n),
                    format!("{:.6}", r.rate_ratio),
                    format!("{:.3e}", r.relative_gap_per_epoch),
                ]
            })
            .collect(),
    );
    doc.paragraph("Decay-only runs ([49, 10, 10], n = 1000, m = 10, f64): shrink per epoch");
    doc.table(
        &[
            "eta*lambda/n",
            "measured",
            "(1 - eta*lambda/n)^S",
            "exp(-eta*lambda/m)",
            "worst relative error",
        ],
        e.spot_checks
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
            .collect(),
    );
    let rms = |init: Init| Figure {
        name: format!("rms-per-layer-{}", init_name(init).replace(' ', "-")),
        svg: figures::rms_per_layer(results, init),
        caption: format!(
            "Weight rms per layer, {} + L2 (log scale), mean over seeds with their range, against pure decay from the start and the reference sizes.",
            init_name(init)
        ),
    };
    doc.figures(vec![rms(Init::Large), rms(Init::Default)]);
    doc.figure(
        "shrink-gap",
        figures::shrink_gap(e.base_steps),
        "Where exp(-eta*lambda/m) stops standing in for (1 - eta*lambda/n)^S.",
    );
}

/// Claim 3's evidence: the settled state per layer, the fits, and every
/// run of the grid.
pub fn claim3(doc: &mut Document, evidence: &Claim3Evidence, inputs: &Inputs) {
    let layers: Vec<&LayerEquilibrium> = evidence.layers.iter().collect();
    let mut header = vec!["base runs (large init, L2)".to_string()];
    header.extend(layers.iter().map(|l| l.layer.to_string()));
    let row = |name: &str, cell: &dyn Fn(&LayerEquilibrium) -> String| {
        let mut row = vec![name.to_string()];
        row.extend(layers.iter().map(|l| cell(l)));
        row
    };
    let mut rows = vec![
        row("seeds settled", &|l| {
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
            format!("{:.1}", l.hypotheses.each()[i].size_over_reference)
        }));
    }
    rows.extend([
        row("share of the decay given back by drift", &|l| {
            percent(l.drift_share)
        }),
        row("share given back by noise", &|l| percent(l.noise_share)),
        row("noise per epoch, measured (|w|^2 units)", &|l| {
            sig(l.noise_measured)
        }),
        row("noise per epoch, predicted", &|l| sig(l.noise_predicted)),
        row("cos(w, -grad C_0)", &|l| sig(l.optimum_cosine)),
        row("|grad C_0| / |(lambda/n) w|", &|l| sig(l.gradient_ratio)),
        row("tail-off epoch (f >= 0.5)", &|l| {
            l.tail_off_epoch.map_or("-".into(), |e| format!("{e:.1}"))
        }),
        row("rms at the tail-off", &|l| sig(l.tail_off_size)),
    ]);
    table_of(doc, header, rows);
    doc.figures(vec![
        Figure {
            name: "settled-size-vs-n-in".into(),
            svg: figures::settled_scaling(
                inputs.settled,
                &evidence.grid_fits,
                inputs.results.base_sizes().get(1).copied().unwrap_or(30),
            ),
            caption: "The first layer's settled size against n_in (log-log), every run of the scaling grid, each brought to the base width by the joint fit's width exponent (size x (30/width)^a): by initialization, the runs that did not settle apart (left out of the fits), the fit's line, and the slopes the hypotheses predict at fixed width (1/sqrt(n_w) and 1/sqrt(n_in): -1/2; 1/n_w: -1), drawn through the large-init points to compare slopes only: the levels of 1/n_w and 1/sqrt(n_w) are far below the data (see the table above).".into(),
        },
        Figure {
            name: "settled-size-vs-lambda".into(),
            svg: figures::settled_against_lambda(
                inputs.settled,
                &evidence.sweep_fits,
                &inputs.results.base_sizes(),
            ),
            caption: "The first layer's settled size against lambda (log-log), runs of the base network with large init, with the joint fit over eta and lambda at the base eta.".into(),
        },
    ]);
    fits_table(doc, evidence);
    doc.paragraph("The lambda sweep (large init, first seed), for \"lambda not too large\":");
    doc.table(
        &[
            "lambda",
            "settled size of w1",
            "final accuracy",
            "collapsed",
        ],
        evidence
            .lambda_sweep
            .iter()
            .map(|r| {
                vec![
                    format!("{}", r.lambda),
                    sig(r.settled_size_w1),
                    percent(Some(r.final_accuracy)),
                    if r.collapsed { "yes" } else { "no" }.into(),
                ]
            })
            .collect(),
    );
    settled_runs_table(doc, inputs.settled);
}

fn fits_table(doc: &mut Document, evidence: &Claim3Evidence) {
    let rows = evidence
        .grid_fits
        .iter()
        .chain(&evidence.sweep_fits)
        .map(|f| {
            let exponents: Vec<String> = f
                .exponents
                .iter()
                .map(|(name, e)| format!("{name}^{:.2} ({:.2} to {:.2})", e.value, e.low, e.high))
                .collect();
            vec![
                f.layer.to_string(),
                f.predictors
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join(" + "),
                exponents.join(", "),
                format!("{:.3}", f.r_squared),
                f.points.to_string(),
                f.unsettled.to_string(),
            ]
        })
        .collect();
    doc.paragraph("Power-law fits of the settled size, with 95% intervals:");
    doc.table(
        &[
            "layer",
            "against",
            "size goes as",
            "R^2",
            "configurations",
            "left out (not settled)",
        ],
        rows,
    );
}

fn settled_runs_table(doc: &mut Document, settled: &[SettledEntry]) {
    let rows = settled
        .iter()
        .filter(|e| e.layer == Layer::FIRST)
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
    doc.paragraph("Every run's first layer (every layer is in claims.json's settled table):");
    doc.table(
        &[
            "run",
            "width",
            "n_in",
            "eta",
            "lambda",
            "settled",
            "settled epoch",
            "size (rms)",
            "size x input norm",
        ],
        rows,
    );
}

pub fn claim4(doc: &mut Document, e: &Claim4Evidence, inputs: &Inputs) {
    let results = inputs.results;
    let within = |epoch: Option<usize>| epoch.map_or("never".into(), |e| format!("epoch {e}"));
    let mut rows = vec![vec![
        "large init + L2".into(),
        percent(Some(e.large_l2_final_accuracy)),
        percent(Some(e.large_l2_final_saturation)),
        "".into(),
        "".into(),
        "".into(),
    ]];
    rows.extend(e.comparisons.each().iter().map(|c| {
        vec![
            text::comparator_name(c.comparator).to_string(),
            percent(Some(c.final_accuracy)),
            percent(Some(c.final_saturation)),
            within(c.within_half_a_point_from),
            within(c.within_one_point_from),
            within(c.within_two_points_from),
        ]
    }));
    doc.paragraph(format!(
        "At epoch {} (mean over seeds); \"within X points from\": the first epoch from which large init + L2 is never more than X points behind that run (being ahead counts as within):",
        e.common_epochs
    ));
    doc.table(
        &[
            "base runs",
            "validation accuracy",
            "saturation",
            "within 0.5 points from",
            "within 1 point from",
            "within 2 points from",
        ],
        rows,
    );
    let mut header = vec!["settled std".to_string()];
    header.extend(e.layers.iter().map(|l| l.layer.to_string()));
    let row = |name: &str, value: &dyn Fn(&crate::study::claims::claim4::LayerScale) -> f64| {
        let mut row = vec![name.to_string()];
        row.extend(e.layers.iter().map(|l| sig(Some(value(l)))));
        row
    };
    let rows = vec![
        row("large init + L2", &|l| l.settled_std_large_l2),
        row("default init + L2", &|l| l.settled_std_default_l2),
        row("large / default", &|l| l.large_over_default),
        row("1/sqrt(n_in)", &|l| l.inv_sqrt_n_in),
        row("large / (1/sqrt(n_in))", &|l| l.large_over_inv_sqrt_n_in),
    ];
    table_of(doc, header, rows);
    doc.figure(
        "accuracy",
        figures::accuracy(results, inputs.reference),
        "Validation accuracy of the base runs, mean over seeds with their range.",
    );
    if let Some(run) = results.base(Init::Large, true).first() {
        let epochs = figures::histogram_epochs(run);
        let named: Vec<String> = epochs
            .iter()
            .map(|(e, what)| match *what {
                "" => e.to_string(),
                what => format!("{e} ({what})"),
            })
            .collect();
        let n_in = results.base_sizes()[0];
        doc.figure(
            "histograms",
            figures::histograms(run, &epochs, n_in),
            format!(
                "First-layer weight histograms of the first seed of large init + L2 at epochs {} against the N(0, 1/n_in) density; empty bins are left out.",
                named.join(", ")
            ),
        );
    }
}
