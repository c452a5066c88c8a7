//! The book's own weight-initialization runs, measured as the study
//! measures its own: one column per run, one row per claim's measure.

use super::Document;
use super::cells::{percent, sig, table_of};
use super::figures::init_name;
use crate::study::book_examples::BookExample;

/// The book's own examples: each claim's measure per run, runs in columns.
pub fn section(doc: &mut Document, examples: &[BookExample]) {
    doc.section("book", "The book's own examples");
    doc.paragraph(format!(
        "The problem asks to check the claims on the examples of the book's [weight initialization]({}#weight_initialization) section: [784, 30, 10], eta 0.1, lambda 5, m 10, 30 epochs, $N(0, 1/n_in)$ and then $N(0, 1)$ on the same network, trained as network2.py trains them (`decaylab book weight_initialization_30` reproduces their published accuracies exactly), here with the probes on. They stop after 30 epochs, before some layers settle.",
        super::CHAPTER_3
    ));
    let mut header = vec!["measure".to_string()];
    header.extend(
        examples
            .iter()
            .map(|e| format!("{} ({})", e.run, init_name(e.init))),
    );
    let row = |name: &str, cell: &dyn Fn(&BookExample) -> String| {
        let mut row = vec![name.to_string()];
        row.extend(examples.iter().map(cell));
        row
    };
    let layers = examples.first().map_or(0, |e| e.final_rms_per_layer.len());
    let mut rows = vec![
        row("claim 1: K, leading decay-dominated epochs", &|e| {
            e.k.to_string()
        }),
        row("claim 1: offset fraction f_1 in epoch 1", &|e| sig(e.f_1)),
        row("claim 2: mean |rho / rho* - 1| over those epochs", &|e| {
            percent(e.shrink_deviation)
        }),
        row("claim 3: tail-off epoch (f >= 0.5)", &|e| {
            e.tail_off_epoch.map_or("-".into(), |t| t.to_string())
        }),
    ];
    for l in 0..layers {
        rows.push(row(
            &format!("claim 3: w{} settled at epoch", l + 1),
            &|e| {
                e.settled_epoch_per_layer[l]
                    .map_or(format!("not by {}", e.epochs), |s| s.to_string())
            },
        ));
        rows.push(row(&format!("claim 3: w{} rms at the end", l + 1), &|e| {
            sig(Some(e.final_rms_per_layer[l]))
        }));
        rows.push(row(
            &format!("claims 3, 4: w{} rms / $(1/sqrt(n_in))$", l + 1),
            &|e| {
                format!(
                    "{:.1}",
                    e.final_rms_per_layer[l] / e.inv_sqrt_n_in_per_layer[l]
                )
            },
        ));
    }
    rows.extend([
        row("claim 3: w1 rms / (1/n_w)", &|e| {
            format!(
                "{:.0}",
                e.final_rms_per_layer.first().copied().unwrap_or(f64::NAN) / e.inv_n_w
            )
        }),
        row("claim 3: w1 rms / $(1/sqrt(n_w))$", &|e| {
            format!(
                "{:.1}",
                e.final_rms_per_layer.first().copied().unwrap_or(f64::NAN) / e.inv_sqrt_n_w
            )
        }),
        row("claim 4: validation accuracy at the end", &|e| {
            percent(Some(e.final_accuracy))
        }),
    ]);
    table_of(doc, header, rows);
}
