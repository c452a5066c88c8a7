//! Claim 2's evidence: the pure decay against (1 - eta*lambda/n)^S, training's shrink, and exp(-eta*lambda/m) against rho*.

use crate::net::Init;
use crate::report::cells::{percent, percent_whole, short, sig};
use crate::report::figures::{self, init_name};
use crate::report::{Document, Figure};
use crate::study::Results;
use crate::study::claims::claim2::{Claim2Evidence, GapRow};

pub fn section(doc: &mut Document, e: &Claim2Evidence, results: &Results) {
    let mut rows = vec![
        vec![
            "rho* = $(1 - eta*lambda/n)^S$, base run".into(),
            sig(e.rho_star),
        ],
        vec![
            "$exp(-eta*lambda/m)$".into(),
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
                "smallest $eta*lambda/n$ at which $exp(-eta*lambda/m)$ is more than {} per epoch from rho* (S = {}; the gap grows as $S (eta*lambda/n)^2 / 2$)",
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
        "$(1 - eta*lambda/n)^S$ against $exp(-eta*lambda/m)$ for S = {} steps per epoch:",
        e.base_steps
    ));
    doc.table(
        &[
            "$eta*lambda/n$",
            "decay-rate ratio ln(rho*) / $(-eta*lambda/m)$",
            "relative gap per epoch $rho^*/exp(-eta*lambda/m) - 1$",
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
            "$eta*lambda/n$",
            "measured",
            "$(1 - eta*lambda/n)^S$",
            "$exp(-eta*lambda/m)$",
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
        "Where $exp(-eta*lambda/m)$ stops standing in for $(1 - eta*lambda/n)^S$.",
    );
}
