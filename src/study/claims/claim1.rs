//! Claim 1: the first epochs are dominated by weight decay.

use serde_json::{Value, json};

use super::*;
use crate::metrics::EpochRecord;

/// Claim 1. `base`: the large+L2 base runs (one per seed); `default_runs`:
/// default+L2 base runs; `sweep`: (lambda, records) of large-init runs,
/// lambda 5 included.
pub fn claim1(
    base: &[&[EpochRecord]],
    default_runs: &[&[EpochRecord]],
    sweep: &[(f64, &[EpochRecord])],
) -> ClaimResult {
    let statement = "Supposing lambda is not too small, the first epochs of training will be dominated almost entirely by weight decay.";
    let title = "The first epochs are dominated by weight decay";
    if base.is_empty() || base.iter().any(|r| r.len() < 2 || r[1].dynamics.is_none()) {
        return inconclusive(1, title, statement, "no large-init run with probes");
    }
    let layers = base[0][0].weights.layers.len();
    let k_all: Vec<usize> = base
        .iter()
        .map(|r| decay_dominated_epochs(r, None))
        .collect();
    let k_layers: Vec<Vec<usize>> = (0..layers)
        .map(|l| {
            base.iter()
                .map(|r| decay_dominated_epochs(r, Some(l)))
                .collect()
        })
        .collect();
    let k_min = *k_all.iter().min().unwrap();
    let k_max = *k_all.iter().max().unwrap();
    let verdict = if k_min >= FIRST_EPOCHS {
        Verdict::Holds
    } else if k_max >= 1 {
        Verdict::Partly
    } else {
        Verdict::Fails
    };
    let f1: Vec<f64> = base
        .iter()
        .filter_map(|r| offset_fraction(&r[1], None))
        .collect();
    let f1_layers: Vec<Option<f64>> = (0..layers)
        .map(|l| {
            mean(
                &base
                    .iter()
                    .filter_map(|r| offset_fraction(&r[1], Some(l)))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let saturation_large = mean(
        &base
            .iter()
            .map(|r| r[1].saturation.first().copied().unwrap_or(0.0))
            .collect::<Vec<_>>(),
    );
    let saturation_default = mean(
        &default_runs
            .iter()
            .filter(|r| r.len() > 1)
            .map(|r| r[1].saturation.first().copied().unwrap_or(0.0))
            .collect::<Vec<_>>(),
    );
    let signal = |runs: &[&[EpochRecord]]| {
        mean(
            &runs
                .iter()
                .filter_map(|r| {
                    r.get(1)?
                        .dynamics
                        .as_ref()?
                        .gradient_signal
                        .first()
                        .copied()
                })
                .collect::<Vec<_>>(),
        )
    };
    let (signal_large, signal_default) = (signal(base), signal(default_runs));
    let sweep_k: Vec<Value> = sweep
        .iter()
        .map(|(lambda, r)| json!({"lambda": lambda, "K": decay_dominated_epochs(r, None), "f_1": r.get(1).and_then(|x| offset_fraction(x, None))}))
        .collect();
    let smallest_lambda = sweep
        .iter()
        .filter(|(_, r)| decay_dominated_epochs(r, None) >= 1)
        .map(|(l, _)| *l)
        .fold(None, |m: Option<f64>, l| Some(m.map_or(l, |m| m.min(l))));

    let f1_mean = mean(&f1).unwrap_or(f64::NAN);
    let mut explanation = format!(
        "With large initialization, lambda {} and the base hyperparameters, {} (offset fraction f_1 = {:.3}, mean over {} seeds), and the first {} epochs (fewest over seeds; most: {}) had |f| < {DECAY_DOMINATED}. ",
        crate::study::plan::LAMBDA,
        if f1_mean >= 0.0 {
            format!(
                "the gradient undid {:.1}% of the decay's shrinkage in epoch 1",
                100.0 * f1_mean
            )
        } else {
            format!(
                "the gradient added {:.1}% to the decay's shrinkage in epoch 1",
                -100.0 * f1_mean
            )
        },
        f1_mean,
        base.len(),
        k_min,
        k_max,
    );
    for (l, f) in f1_layers.iter().enumerate() {
        if let Some(f) = f {
            explanation.push_str(&format!(
                "Layer {}: f_1 = {:.3}, {} leading decay-dominated epochs. ",
                layer_name(l, layers),
                f,
                k_layers[l].iter().min().unwrap()
            ));
        }
    }
    if let (Some(sl), Some(sd)) = (saturation_large, saturation_default) {
        explanation.push_str(&format!(
            "In epoch 1, {:.0}% of the (example, hidden neuron) pairs were saturated (sigma'(z) < 0.01) with large initialization against {:.0}% with N(0, 1/n_in). ",
            100.0 * sl,
            100.0 * sd
        ));
    }
    if let (Some(gl), Some(gd)) = (signal_large, signal_default) {
        explanation.push_str(&format!(
            "The mean-gradient size |(1/m) sum dC_x/dw| of the hidden layer averaged {gl:.3} (large) against {gd:.3} (default). "
        ));
    }
    match smallest_lambda {
        Some(l) => explanation.push_str(&format!("In the lambda sweep the smallest lambda with at least one decay-dominated epoch was {l}.")),
        None => explanation.push_str("No lambda of the sweep gave a decay-dominated first epoch."),
    }
    let mut caveats = vec![format!(
        "The verdict is about all weights together; they are almost all in the first layer ({} of {}).",
        base[0][0].weights.layers[0].count, base[0][0].weights.all.count
    )];
    if let Some(Some(f_out)) = f1_layers.last()
        && *f_out >= DECAY_DOMINATED
    {
        caveats.push(format!(
            "The output layer is not decay-dominated: f_1 = {f_out:.2} (> 1 means its weights grew)."
        ));
    }
    ClaimResult {
        id: 1,
        title: title.into(),
        statement: statement.into(),
        verdict,
        about: "all weights (per layer in the evidence)".into(),
        evidence: json!({
            "threshold_offset_fraction": DECAY_DOMINATED,
            "threshold_epochs": FIRST_EPOCHS,
            "K_all_weights_per_seed": k_all,
            "K_per_layer_per_seed": k_layers,
            "f_epoch1_mean": mean(&f1),
            "f_epoch1_per_layer": f1_layers,
            "saturation_epoch1_large": saturation_large,
            "saturation_epoch1_default": saturation_default,
            "gradient_signal_hidden_epoch1_large": signal_large,
            "gradient_signal_hidden_epoch1_default": signal_default,
            "lambda_sweep": sweep_k,
            "smallest_lambda_with_K_at_least_1": smallest_lambda,
        }),
        explanation,
        caveats,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::claims::synthetic::*;

    #[test]
    fn claim1_follows_the_offset_fractions() {
        let decay = pure_decay(10);
        let flat = never_decays(10);
        let result = claim1(&[&decay, &decay], &[&flat], &[(5.0, &decay)]);
        assert_eq!(result.verdict, Verdict::Holds);
        assert_eq!(result.evidence["K_all_weights_per_seed"], json!([10, 10]));
        let result = claim1(&[&flat, &flat], &[&flat], &[(5.0, &flat)]);
        assert_eq!(result.verdict, Verdict::Fails);
        // One decay-dominated epoch, then balance: only partly.
        let mut f = vec![1.0; 11];
        f[1] = 0.05;
        let one = synthetic_run(&[1.0; 11], &f, &[0.9; 11], RHO);
        assert_eq!(claim1(&[&one], &[&flat], &[]).verdict, Verdict::Partly);
        // A gradient that shrinks the weights faster than the decay is not decay.
        let mut f = vec![-2.0; 11];
        f[0] = 0.0;
        let shrinking = synthetic_run(&[1.0; 11], &f, &[0.9; 11], RHO);
        assert_eq!(decay_dominated_epochs(&shrinking, None), 0);
    }
}
