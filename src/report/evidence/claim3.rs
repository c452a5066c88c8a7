//! Claim 3's evidence: the settled state per layer, the fits, and every run of the grid.

use crate::net::Layer;
use crate::report::cells::{percent, short, sig, table_of};
use crate::report::figures::{self};
use crate::report::text;
use crate::report::{Document, Figure, Inputs};
use crate::study::claims::Decided;
use crate::study::claims::claim3::{
    AverageTest, Claim3, Claim3Evidence, LayerEquilibrium, NoiseTest,
};
use crate::study::equilibrium::SettledEntry;
use crate::study::noise_law::NoiseLaw;
use crate::study::tail_average::AveragedLayer;

/// Claim 3's evidence: the settled state per layer, the fits, and every
/// run of the grid.
pub fn section(doc: &mut Document, decided: &Decided<Claim3>, inputs: &Inputs) {
    let evidence = &decided.evidence;
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
        "size / $(1/sqrt(n_w))$",
        "size / $(1/sqrt(n_in))$",
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
        row("noise per epoch, measured ($|w|^2$ units)", &|l| {
            sig(l.noise_measured)
        }),
        row("noise per epoch, predicted", &|l| sig(l.noise_predicted)),
        row("$cos(w, -nabla C_0)$, last epoch's network", &|l| {
            sig(l.optimum_cosine)
        }),
        row("$|nabla C_0| / |(lambda/n) w|$, same", &|l| {
            sig(l.gradient_ratio)
        }),
        row("tail-off epoch (f >= 0.5)", &|l| {
            l.tail_off_epoch.map_or("-".into(), |e| format!("{e:.1}"))
        }),
        row("rms at the tail-off", &|l| sig(l.tail_off_size)),
    ]);
    table_of(doc, header, rows);
    doc.paragraph(format!(
        "The cosine and the gradient ratio are of one network, the last epoch's: both are 1 at the L2 optimum, but a network that SGD is still moving also carries its step noise, so they are not used to decide what sets the size. The noise law below decides it, by following the size as the step noise $eta/m$ goes to 0{}.",
        if evidence.stationarity.is_empty() {
            ""
        } else {
            "; the tail averages after it take the noise out of the two snapshots"
        }
    ));
    doc.figures(vec![
        Figure {
            name: "settled-size-vs-n-in".into(),
            svg: figures::settled_scaling(
                inputs.settled,
                &evidence.grid_fits,
                inputs.results.base_sizes().get(1).copied().unwrap_or(30),
            ),
            caption: "The first layer's settled size against n_in (log-log), every run of the scaling grid, each brought to the base width by the joint fit's width exponent (size x (30/width)^a): by initialization, the runs that did not settle apart (left out of the fits), the fit's line, and the slopes the hypotheses predict at fixed width ($1/sqrt(n_w)$ and $1/sqrt(n_in)$: -1/2; $1/n_w$: -1), drawn from the fit's value at the smallest n_in to compare slopes only (how far each ends from the data at n_in 784 is what tells them apart): the levels of $1/n_w$ and $1/sqrt(n_w)$ are far below the data (see the table above).".into(),
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
    noise_tables(doc, evidence, &decided.decision.findings.noise);
    average_table(doc, evidence, &decided.decision.findings.averages, inputs);
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

/// The optimum's |w*|^2, with the other starts' beside it.
fn optimum_cell(law: &NoiseLaw) -> String {
    match law.optimum_other_starts_sq.as_slice() {
        [] => sig(law.optimum_sq),
        others => format!(
            "{} (second start: {})",
            sig(law.optimum_sq),
            others
                .iter()
                .map(|&o| sig(Some(o)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The noise law: per lambda and layer, the line of |w|^2 against eta/m
/// beside the optimum and what it decides; then every (eta, m) point.
fn noise_tables(doc: &mut Document, evidence: &Claim3Evidence, tests: &[NoiseTest]) {
    if evidence.noise_laws.is_empty() {
        doc.paragraph(
            "The noise law's branches (what sets the size) are not in --quick; the full study runs them.",
        );
        return;
    }
    let base = evidence.base_eta_over_m;
    let rows = evidence
        .noise_laws
        .iter()
        .filter_map(|law| {
            let test = tests
                .iter()
                .find(|t| t.layer == law.layer && t.lambda == law.lambda)?;
            Some(vec![
                law.lambda.to_string(),
                law.layer.to_string(),
                {
                    let i = law.intercept();
                    format!(
                        "{} ({} to {}){}",
                        sig(Some(i.value)),
                        sig(Some(i.low)),
                        sig(Some(i.high)),
                        if i.curved { ", parabola" } else { "" }
                    )
                },
                optimum_cell(law),
                match (law.optimum_grad_norm, law.optimum_size_change) {
                    (Some(g), Some(c)) => format!("{} / {}", sig(Some(g)), percent(Some(c))),
                    (Some(g), None) => sig(Some(g)),
                    _ => "-".into(),
                },
                test.intercept_over_optimum
                    .map_or("-".into(), |r| format!("{r:.3}")),
                sig(Some(law.at(base))),
                percent(Some(test.intercept_share)),
                format!(
                    "{} ({} to {})",
                    sig(Some(law.slope)),
                    sig(Some(law.slope_low)),
                    sig(Some(law.slope_high))
                ),
                percent(law.equal_ratio_gap),
                text::set_by_words(test.set_by).into(),
            ])
        })
        .collect();
    let second = if (evidence.noise_laws.iter()).any(|l| !l.optimum_other_starts_sq.is_empty()) {
        "; at the first lambda also from the second seed's, the second start"
    } else {
        ""
    };
    doc.paragraph(format!(
        "What sets the size (the noise law): $|w|^2$ of each layer against $eta/m$ over the branches, a line fitted through every seed's size (a parabola where the line's curvature is significant; 95% intervals), its value as $eta/m -> 0$ beside the L2 optimum's $|w^*|^2$ (L-BFGS from the first seed's settled network{second}), and at the base $eta/m$ = {base}:"
    ));
    doc.table(
        &[
            "lambda",
            "layer",
            "$|w|^2$ as $eta/m -> 0$",
            "optimum $|w^*|^2$",
            "its |grad J| / rms change over the last tenth of L-BFGS",
            "ratio",
            "$|w|^2$ at the base $eta/m$",
            "share of it at $eta/m -> 0$",
            "slope $d|w|^2/d(eta/m)$",
            "equal $eta/m$, largest gap",
            "what sets the size",
        ],
        rows,
    );
    doc.figures(vec![Figure {
        name: "noise-law".into(),
        svg: figures::noise_law(&evidence.noise_laws),
        caption: "Each weight layer's $|w|^2$ over the L2 optimum's $|w^*|^2$ against $eta/m$, at every lambda of the branches: the branches' means over their seeds (dots) and the fit through every seed's size (a line, or a parabola where the line's curvature is significant), drawn down to $eta/m$ = 0 (dashed). A line that reaches 1 says the optimum sets the size and the noise moves it; one that reaches 0, that the size lives on the noise.".into(),
    }]);
    let rows = evidence
        .noise_laws
        .iter()
        .filter(|law| law.layer != Layer::All)
        .flat_map(|law| {
            law.points.iter().map(move |p| {
                vec![
                    law.lambda.to_string(),
                    law.layer.to_string(),
                    p.eta.to_string(),
                    p.m.to_string(),
                    short(p.ratio()),
                    sig(Some(p.size_sq)),
                    sig(p.seed_spread),
                    p.seeds.to_string(),
                    percent(Some(p.drift)),
                ]
            })
        })
        .collect();
    doc.paragraph("Every branch, averaged over its seeds; \"still moving\" is the mean $|w|^2$ of the averaged stretch's second half over its first, minus 1 (0 when the size stood still; not the norm budget's drift):");
    doc.table(
        &[
            "lambda",
            "layer",
            "eta",
            "m",
            "$eta/m$",
            "$|w|^2$",
            "spread over seeds",
            "seeds",
            "still moving",
        ],
        rows,
    );
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
                .map(|(name, e)| format!("${name}^{:.2}$ ({:.2} to {:.2})", e.value, e.low, e.high))
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
                f.collapsed.to_string(),
            ]
        })
        .collect();
    doc.paragraph("Power-law fits of the settled size, with 95% intervals. In the grid, n_in is changed by pooling, which changes the input norm with it, so a grid fit against input_norm does not tell the norm from the count; claim 4's fan-in runs vary them apart:");
    doc.table(
        &[
            "layer",
            "against",
            "size goes as",
            "$R^2$",
            "configurations",
            "left out (not settled)",
            "left out (collapsed)",
        ],
        rows,
    );
}

/// The tail averages: per lambda and layer, the snapshot against the
/// average at the smallest eta/m, and the exponent of the ratio's excess.
fn average_table(
    doc: &mut Document,
    evidence: &Claim3Evidence,
    tests: &[AverageTest],
    inputs: &Inputs,
) {
    if evidence.stationarity.is_empty() {
        return;
    }
    doc.paragraph("The tail averages (the first seed's branches): each branch's mean network over the epochs whose size is measured (Polyak's average, one network per epoch), beside its last network, at the smallest $eta/m$; b is the exponent of the averages' $|nabla C_0| / |(lambda/n) w| - 1$ against $eta/m$ over every branch (95% interval): above 0, the averages come nearer stationary as the noise falls.");
    let rows = (evidence.stationarity.iter())
        .map(|s| {
            let toward = tests
                .iter()
                .find(|t| t.layer == s.layer && t.lambda == s.lambda)
                .and_then(|t| t.toward_stationary);
            vec![
                s.lambda.to_string(),
                s.layer.to_string(),
                short(s.smallest_ratio),
                format!(
                    "{:.1} / {:.1}",
                    s.last_gradient_ratio, s.average_gradient_ratio
                ),
                format!("{:.2} / {:.2}", s.last_cosine, s.average_cosine),
                s.exponent.map_or("-".into(), |b| {
                    format!("{:.2} ({:.2} to {:.2})", b.estimate, b.low, b.high)
                }),
                match toward {
                    Some(true) => "yes",
                    Some(false) => "no",
                    None => "-",
                }
                .into(),
            ]
        })
        .collect();
    doc.table(
        &[
            "lambda",
            "layer",
            "$eta/m$",
            "$|nabla C_0| / |(lambda/n) w|$, last / average",
            "$cos(w, -nabla C_0)$, last / average",
            "b",
            "nearer stationary as $eta/m$ falls",
        ],
        rows,
    );
    let averaged = &inputs.results.averaged;
    let range = |value: &dyn Fn(&AveragedLayer) -> f64| {
        let values = averaged.iter().flat_map(|b| b.layers.iter().map(value));
        values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        })
    };
    let (average_lo, average_hi) = range(&|l| l.average_distance);
    let (last_lo, last_hi) = range(&|l| l.last_distance);
    if !averaged.is_empty() {
        doc.paragraph(format!(
            "The averages are not at the point L-BFGS reached from the same start: each layer's average is {:.0}% to {:.0}% of that layer's norm at the optimum away from it, the last networks {:.0}% to {:.0}% (every branch: averaging does not bring them nearer that point; the distances, and every branch's ratio and cosine behind b, are in `claims.json`'s `tail_average`). The sizes agree (the noise law above); the points do not. Whether J has many minima of one size or flat valleys that L-BFGS and SGD move along apart, this study does not decide.",
            100.0 * average_lo,
            100.0 * average_hi,
            100.0 * last_lo,
            100.0 * last_hi,
        ));
    }
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
