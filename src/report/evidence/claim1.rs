//! Claim 1's evidence: K per seed and layer, the cut-offs, epoch 1's moves, the lambda sweep and the offset-fraction figures.

use super::{layer_header, layer_names};
use crate::net::Init;
use crate::report::cells::{percent, sig, table_of};
use crate::report::figures::{self, init_name};
use crate::report::{Document, Figure};
use crate::study::claims::claim1::Claim1Evidence;
use crate::study::{Results, plan};
use crate::theory;

pub fn section(doc: &mut Document, e: &Claim1Evidence, results: &Results) {
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
                "mean over steps of the layer's $|(1/m) sum partial C_x/partial w|$ (a vector norm)".into(),
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
    k_by_lambda(doc, e);
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
        pair(Init::Default, "The same from $N(0, 1/n_in)$"),
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
                caption: "Norm budget of all weights per epoch, first seed of large init + L2: the decay's pull on $|w|^2$ against the gradient's drift and noise.".into(),
            },
            Figure {
                name: "saturation".into(),
                svg: figures::saturation(results),
                caption: "Saturated hidden neurons on the validation set, mean over seeds with their range.".into(),
            },
        ]);
    }
}

/// K and f_1 along the lambda sweep, beside each lambda's relaxation time.
fn k_by_lambda(doc: &mut Document, e: &Claim1Evidence) {
    doc.paragraph(format!(
        "K by lambda (large init, first seed, eta {} and m {}), beside the decay's relaxation time $m/(eta*lambda)$ at each lambda (both fall as lambda grows; no run here tests whether one causes the other):",
        plan::ETA,
        plan::BATCH
    ));
    doc.table(
        &["lambda", "relaxation time (epochs)", "K", "$f_1$"],
        e.lambda_sweep
            .iter()
            .map(|r| {
                let tau = theory::relaxation_epochs(plan::ETA, r.lambda, plan::BATCH);
                vec![
                    format!("{}", r.lambda),
                    sig(Some(tau)),
                    r.k.to_string(),
                    sig(r.f_1),
                ]
            })
            .collect(),
    );
}
