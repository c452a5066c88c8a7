//! Claim 4's evidence: accuracy and saturation against the other starts, and each layer's settled std.

use crate::net::Init;
use crate::report::cells::{percent, sig, table_of};
use crate::report::figures::{self};
use crate::report::{Document, Inputs, text};
use crate::study::claims::claim4::{Claim4Evidence, FAN_IN_EXPONENTS, INPUT_NORM_EXPONENTS};
use crate::study::input_scale::InputScaleLaw;

pub fn section(doc: &mut Document, e: &Claim4Evidence, inputs: &Inputs) {
    let results = inputs.results;
    early_and_saturation(doc, e);
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
        row("large / default, rms extrapolated past the stop", &|l| {
            l.extrapolated_large_over_default.unwrap_or(f64::NAN)
        }),
        row("$1/sqrt(n_in)$", &|l| l.inv_sqrt_n_in),
        row("large / $(1/sqrt(n_in))$", &|l| l.large_over_inv_sqrt_n_in),
    ];
    table_of(doc, header, rows);
    match &e.input_scale {
        Some(law) => input_scale(doc, law, e.exponent_tolerance),
        None => doc.paragraph(
            "Fan-in against input scale: not measured (the full study runs it; quick mode has the base run only).",
        ),
    }
    doc.figure(
        "accuracy",
        figures::accuracy(results, inputs.reference),
        "Validation accuracy of the base runs, mean over seeds with their range.",
    );
    if let Some(run) = results.base(Init::Large, true).first() {
        let candidates = figures::histogram_epochs(run);
        let hidden = figures::hidden_histograms(run, &candidates);
        let epochs: Vec<(usize, &str)> = candidates
            .into_iter()
            .filter(|(e, _)| !hidden.iter().any(|(h, _)| h == e))
            .collect();
        let left_out: Vec<String> = hidden
            .iter()
            .map(|(e, k)| {
                format!(
                    "epoch {e} (within {} of epoch {k})",
                    figures::HISTOGRAM_SAME
                )
            })
            .collect();
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
                "First-layer weight histograms of the first seed of large init + L2 at epochs {} against the $N(0, 1/n_in)$ density; empty bins are left out{}.",
                named.join(", "),
                if left_out.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", and so are histograms that would hide under an earlier one (total variation distance below it): {}",
                        left_out.join(", ")
                    )
                }
            ),
        );
    }
}

/// The fan-in runs: the first layer's settled size at each (n_in, |x|),
/// and the exponents fitted to it beside each picture's.
fn input_scale(doc: &mut Document, law: &InputScaleLaw, tolerance: f64) {
    doc.paragraph(
        "Fan-in against input scale: the first layer's settled rms, default init with L2, at n_in 784 with every input scaled ($x -> c x$) and on pooled images rescaled to the unpooled $|x|$ (the rms input norm). \"live\": the weights from inputs that are not 0 in every training image; the blank inputs' weights only decay.",
    );
    let rows = law
        .points
        .iter()
        .map(|p| {
            vec![
                p.configuration.clone(),
                p.n_in.to_string(),
                sig(Some(p.input_norm)),
                p.blank_inputs.to_string(),
                sig(Some(p.size_live)),
                sig(Some(p.size_all)),
                sig(Some(p.size_times_input_norm)),
                sig(Some(p.size_times_sqrt_n_in)),
                p.seeds.to_string(),
            ]
        })
        .collect();
    doc.table(
        &[
            "runs",
            "n_in",
            "|x|",
            "blank inputs",
            "rms (live)",
            "rms (all inputs)",
            "rms (live) × |x|",
            "rms (live) × sqrt(n_in)",
            "seeds",
        ],
        rows,
    );
    let exponents = |fit: &crate::study::input_scale::ScaleFit| {
        format!(
            "a = {:.2} (95% {:.2} to {:.2}), b = {:.2} (95% {:.2} to {:.2}), residuals {:.1}% rms",
            fit.input_norm.value,
            fit.input_norm.low,
            fit.input_norm.high,
            fit.n_in.value,
            fit.n_in.low,
            fit.n_in.high,
            100.0 * fit.residual_rms
        )
    };
    doc.paragraph(format!(
        "rms = A |x|^a n_in^b, one point per row: live weights {}; all inputs' weights {}. A size set by the input norm has (a, b) = ({}, {}), one set by the fan-in ({}, {}); each exponent is counted as a picture's within {tolerance}.{}",
        exponents(&law.live),
        exponents(&law.all_inputs),
        INPUT_NORM_EXPONENTS.0,
        INPUT_NORM_EXPONENTS.1,
        FAN_IN_EXPONENTS.0,
        FAN_IN_EXPONENTS.1,
        match law.left_out {
            0 => String::new(),
            k => format!(" {k} configuration(s) left out: some seed did not settle or collapsed."),
        }
    ));
}

/// What N(0, 1/n_in) changes: the accuracy of the early epochs, and the
/// saturation at the start and at the end, of every kind of base run.
fn early_and_saturation(doc: &mut Document, e: &Claim4Evidence) {
    let early = e.large_l2_early_accuracy.len();
    doc.paragraph(format!(
        "What $N(0, 1/n_in)$ changes: validation accuracy in the first {early} epochs, and the saturation of the hidden layer at the start and at epoch {} (mean over seeds).",
        e.common_epochs
    ));
    let row = |name: &str, accuracy: &[f64], start: f64, end: f64| {
        let mut row = vec![name.to_string()];
        row.extend(accuracy.iter().map(|&a| percent(Some(a))));
        row.push(percent(Some(start)));
        row.push(percent(Some(end)));
        row
    };
    let mut rows = vec![row(
        "large init + L2",
        &e.large_l2_early_accuracy,
        e.large_l2_start_saturation,
        e.large_l2_final_saturation,
    )];
    rows.extend(e.comparisons.each().iter().map(|c| {
        row(
            text::comparator_name(c.comparator),
            &c.early_accuracy,
            c.start_saturation,
            c.final_saturation,
        )
    }));
    let mut header = vec!["base runs".to_string()];
    header.extend((1..=early).map(|k| format!("epoch {k}")));
    header.push("saturation at the start".into());
    header.push(format!("saturation at epoch {}", e.common_epochs));
    table_of(doc, header, rows);
}
