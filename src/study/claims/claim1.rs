//! Claim 1: the first epochs are dominated by weight decay.

use serde::Serialize;

use super::*;
use crate::metrics::EpochRecord;

/// The cut-offs of |f| that K is counted for; the verdict's is
/// `DECAY_DOMINATED` (0.1), and 0.05 and 0.2 are its half and twice.
pub const CUTOFFS: [f64; 4] = [0.02, 0.05, 0.1, 0.2];

/// An epoch's change of the weights counts as sideways (the gradient
/// turning them rather than the decay shrinking them) when |cos(change, -w)|
/// is below this, and the gradient moved them further than the decay did.
pub const SIDEWAYS_COSINE: f64 = 0.5;

/// K at one cut-off, and the verdict the claim would get with it.
#[derive(Debug, Clone, Serialize)]
pub struct CutoffRow {
    pub cutoff: f64,
    /// Fewest leading epochs with |f| below the cut-off over the seeds: all
    /// weights, then per layer.
    pub k_all_weights: usize,
    pub k_per_layer: Vec<usize>,
    pub verdict: Verdict,
}

/// The verdict from the fewest and most K over seeds, with `first_epochs`
/// leading decay-dominated epochs asked for.
fn verdict_of(k_min: usize, k_max: usize, first_epochs: usize) -> Verdict {
    if k_min >= first_epochs {
        Verdict::Holds
    } else if k_max >= 1 {
        Verdict::Partly
    } else {
        Verdict::Fails
    }
}

/// Per layer, over the seeds' first epochs: how far the gradient moved the
/// weights against the decay, and where the change pointed.
#[derive(Debug, Clone, Serialize)]
pub struct EpochOneMoves {
    pub layer: String,
    /// |sum_t b g_t| / |sum_t c w_t| in epoch 1.
    pub gradient_over_decay_displacement: Option<f64>,
    /// cos(w_1 - w_0, -w_0): 1 if the epoch only shrank the weights.
    pub change_cosine: Option<f64>,
    pub f_1_default_init: Option<f64>,
}

/// One lambda of the sweep.
#[derive(Debug, Clone, Serialize)]
pub struct SweepK {
    pub lambda: f64,
    #[serde(rename = "K")]
    pub k: usize,
    pub f_1: Option<f64>,
}

/// Everything claim 1 is decided on.
#[derive(Debug, Clone, Serialize)]
pub struct Claim1Evidence {
    pub threshold_offset_fraction: f64,
    pub threshold_epochs: usize,
    #[serde(rename = "K_all_weights_per_seed")]
    pub k_all_weights_per_seed: Vec<usize>,
    #[serde(rename = "K_per_layer_per_seed")]
    pub k_per_layer_per_seed: Vec<Vec<usize>>,
    pub f_epoch1_mean: Option<f64>,
    pub f_epoch1_per_layer: Vec<Option<f64>>,
    pub saturation_epoch1_large: Option<f64>,
    pub saturation_epoch1_default: Option<f64>,
    pub gradient_signal_hidden_epoch1_large: Option<f64>,
    pub gradient_signal_hidden_epoch1_default: Option<f64>,
    pub lambda_sweep: Vec<SweepK>,
    #[serde(rename = "smallest_lambda_with_K_at_least_1")]
    pub smallest_lambda_with_k_at_least_1: Option<f64>,
    pub by_cutoff: Vec<CutoffRow>,
    pub epoch_1_moves: Vec<EpochOneMoves>,
    /// Weights of the first layer and of all layers, for the caveat.
    pub first_layer_weights: usize,
    pub weights: usize,
}

impl Claim1Evidence {
    fn k_range(&self) -> (usize, usize) {
        let k = &self.k_all_weights_per_seed;
        (
            k.iter().copied().min().unwrap_or(0),
            k.iter().copied().max().unwrap_or(0),
        )
    }
}

/// The verdict: holds if every seed had at least `FIRST_EPOCHS` leading
/// decay-dominated epochs, partly if some seed had one, fails otherwise.
pub fn decide(e: &Claim1Evidence) -> Verdict {
    let (k_min, k_max) = e.k_range();
    verdict_of(k_min, k_max, e.threshold_epochs)
}

/// K and the verdict at every cut-off of `CUTOFFS`.
fn cutoff_rows(base: &[&[EpochRecord]], layers: usize) -> Vec<CutoffRow> {
    CUTOFFS
        .iter()
        .map(|&cutoff| {
            let k: Vec<usize> = base
                .iter()
                .map(|r| leading_epochs_below(r, None, cutoff))
                .collect();
            let (lo, hi) = (*k.iter().min().unwrap(), *k.iter().max().unwrap());
            CutoffRow {
                cutoff,
                k_all_weights: lo,
                k_per_layer: (0..layers)
                    .map(|l| {
                        base.iter()
                            .map(|r| leading_epochs_below(r, Some(l), cutoff))
                            .min()
                            .unwrap_or(0)
                    })
                    .collect(),
                verdict: verdict_of(lo, hi, FIRST_EPOCHS),
            }
        })
        .collect()
}

/// Per layer, the epoch-1 moves of the large-init runs and default init's f_1.
fn epoch_one_moves(
    base: &[&[EpochRecord]],
    default_runs: &[&[EpochRecord]],
    layers: usize,
) -> Vec<EpochOneMoves> {
    (0..layers)
        .map(|l| {
            let dynamics = |r: &&[EpochRecord]| r.get(1)?.dynamics.clone();
            let ratio = mean(
                &base
                    .iter()
                    .filter_map(|r| {
                        let d = dynamics(r)?.displacement.layers.get(l).copied()?;
                        (d.decay > 0.0).then(|| d.gradient / d.decay)
                    })
                    .collect::<Vec<_>>(),
            );
            let cosine = mean(
                &base
                    .iter()
                    .filter_map(|r| dynamics(r)?.change_cosine.get(l).copied().flatten())
                    .collect::<Vec<_>>(),
            );
            let f_default = mean(
                &default_runs
                    .iter()
                    .filter_map(|r| offset_fraction(r.get(1)?, Some(l)))
                    .collect::<Vec<_>>(),
            );
            EpochOneMoves {
                layer: format!("w{}", l + 1),
                gradient_over_decay_displacement: ratio,
                change_cosine: cosine,
                f_1_default_init: f_default,
            }
        })
        .collect()
}

/// The evidence of claim 1. `base`: the large+L2 base runs (one per
/// seed); `default_runs`: default+L2 base runs; `sweep`: (lambda, records)
/// of large-init runs, lambda 5 included. None without a large-init run
/// with probes.
pub fn evidence(
    base: &[&[EpochRecord]],
    default_runs: &[&[EpochRecord]],
    sweep: &[(f64, &[EpochRecord])],
) -> Option<Claim1Evidence> {
    if base.is_empty() || base.iter().any(|r| r.len() < 2 || r[1].dynamics.is_none()) {
        return None;
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
    let cutoffs = cutoff_rows(base, layers);
    let epoch_one = epoch_one_moves(base, default_runs, layers);
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
    let sweep_k: Vec<SweepK> = sweep
        .iter()
        .map(|(lambda, r)| SweepK {
            lambda: *lambda,
            k: decay_dominated_epochs(r, None),
            f_1: r.get(1).and_then(|x| offset_fraction(x, None)),
        })
        .collect();
    let smallest_lambda = sweep
        .iter()
        .filter(|(_, r)| decay_dominated_epochs(r, None) >= 1)
        .map(|(l, _)| *l)
        .fold(None, |m: Option<f64>, l| Some(m.map_or(l, |m| m.min(l))));

    Some(Claim1Evidence {
        threshold_offset_fraction: DECAY_DOMINATED,
        threshold_epochs: FIRST_EPOCHS,
        k_all_weights_per_seed: k_all,
        k_per_layer_per_seed: k_layers,
        f_epoch1_mean: mean(&f1),
        f_epoch1_per_layer: f1_layers,
        saturation_epoch1_large: saturation_large,
        saturation_epoch1_default: saturation_default,
        gradient_signal_hidden_epoch1_large: signal_large,
        gradient_signal_hidden_epoch1_default: signal_default,
        lambda_sweep: sweep_k,
        smallest_lambda_with_k_at_least_1: smallest_lambda,
        by_cutoff: cutoffs,
        epoch_1_moves: epoch_one,
        first_layer_weights: base[0][0].weights.layers[0].count,
        weights: base[0][0].weights.all.count,
    })
}

/// The answer in one sentence: K and f in epoch 1.
pub fn answer(e: &Claim1Evidence) -> String {
    let (k_min, k_max) = e.k_range();
    let f1 = e.f_epoch1_mean.unwrap_or(f64::NAN);
    format!(
        "From a large start, {} decay-dominated (|f| < {DECAY_DOMINATED}){}: in epoch 1 the gradient {} the decay's shrinkage of |w|^2 (f_1 = {f1:.3}).",
        match k_min {
            0 => "no leading epoch was".to_string(),
            1 => "the first epoch was".to_string(),
            k => format!("the first {k} epochs were"),
        },
        if k_max > k_min {
            format!(" (up to {k_max} epochs, by seed)")
        } else {
            String::new()
        },
        if f1 >= 0.0 {
            format!("undid {:.1}% of", 100.0 * f1)
        } else {
            format!("added {:.1}% to", -100.0 * f1)
        },
    )
}

/// The explanation, from the evidence alone.
pub fn explain(e: &Claim1Evidence) -> String {
    let (k_min, k_max) = e.k_range();
    let layers = e.f_epoch1_per_layer.len();
    let f1_mean = e.f_epoch1_mean.unwrap_or(f64::NAN);
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
        e.k_all_weights_per_seed.len(),
        k_min,
        k_max,
    );
    for (l, f) in e.f_epoch1_per_layer.iter().enumerate() {
        if let Some(f) = f {
            explanation.push_str(&format!(
                "Layer {}: f_1 = {:.3}, {} leading decay-dominated epochs. ",
                layer_name(l, layers),
                f,
                e.k_per_layer_per_seed[l].iter().min().unwrap()
            ));
        }
    }
    if let (Some(sl), Some(sd)) = (e.saturation_epoch1_large, e.saturation_epoch1_default) {
        explanation.push_str(&format!(
            "In epoch 1, {:.0}% of the (example, hidden neuron) pairs were saturated (sigma'(z) < 0.01) with large initialization against {:.0}% with N(0, 1/n_in). ",
            100.0 * sl,
            100.0 * sd
        ));
    }
    if let (Some(gl), Some(gd)) = (
        e.gradient_signal_hidden_epoch1_large,
        e.gradient_signal_hidden_epoch1_default,
    ) {
        explanation.push_str(&format!(
            "The mean-gradient size |(1/m) sum dC_x/dw| of the hidden layer averaged {gl:.3} (large) against {gd:.3} (default). "
        ));
    }
    let verdicts_at: Vec<String> = e
        .by_cutoff
        .iter()
        .map(|c| format!("{} at {}", c.verdict.as_str(), c.cutoff))
        .collect();
    explanation.push_str(&format!(
        "The verdict's cut-off is |f| < {DECAY_DOMINATED}; by cut-off the verdict is {}. ",
        verdicts_at.join(", ")
    ));
    for moves in &e.epoch_1_moves {
        if let (Some(ratio), Some(cosine)) =
            (moves.gradient_over_decay_displacement, moves.change_cosine)
        {
            explanation.push_str(&format!(
                "In epoch 1 the gradient moved layer {}'s weights {ratio:.1} times as far as the decay did, and the epoch's change pointed at cos {cosine:.2} to -w{}. ",
                moves.layer,
                if cosine.abs() < SIDEWAYS_COSINE && ratio > 1.0 {
                    " (the decay sets the size, the gradient the direction)"
                } else {
                    ""
                }
            ));
        }
        if let Some(f) = moves.f_1_default_init {
            explanation.push_str(&format!(
                "With default initialization, layer {}'s f_1 = {f:.2}. ",
                moves.layer
            ));
        }
    }
    match e.smallest_lambda_with_k_at_least_1 {
        Some(l) => explanation.push_str(&format!("In the lambda sweep the smallest lambda with at least one decay-dominated epoch was {l}.")),
        None => explanation.push_str("No lambda of the sweep gave a decay-dominated first epoch."),
    }
    explanation
}

/// Claim 1, decided from its evidence.
pub fn claim1(
    base: &[&[EpochRecord]],
    default_runs: &[&[EpochRecord]],
    sweep: &[(f64, &[EpochRecord])],
) -> ClaimResult {
    let statement = "Supposing lambda is not too small, the first epochs of training will be dominated almost entirely by weight decay.";
    let title = "The first epochs are dominated by weight decay";
    let Some(e) = evidence(base, default_runs, sweep) else {
        return inconclusive(1, title, statement, "no large-init run with probes");
    };
    let mut caveats = vec![format!(
        "The verdict is about all weights together; they are almost all in the first layer ({} of {}).",
        e.first_layer_weights, e.weights
    )];
    if let Some(Some(f_out)) = e.f_epoch1_per_layer.last()
        && *f_out >= DECAY_DOMINATED
    {
        caveats.push(format!(
            "The output layer is not decay-dominated: f_1 = {f_out:.2} (> 1 means its weights grew)."
        ));
    }
    // Half and twice the cut-off are rows of `by_cutoff`.
    let at_cutoff = |cutoff: f64| {
        e.by_cutoff
            .iter()
            .find(|row| (row.cutoff - cutoff).abs() < 1e-12)
            .map_or(Verdict::Inconclusive, |row| row.verdict)
    };
    let (k_min, k_max) = e.k_range();
    ClaimResult {
        id: 1,
        title: title.into(),
        statement: statement.into(),
        verdict: decide(&e),
        about: "all weights (per layer in the evidence)".into(),
        evidence: Evidence::Claim1(Box::new(e.clone())),
        answer: answer(&e),
        explanation: explain(&e),
        going_on: None,
        caveats,
        sensitivity: vec![
            Sensitivity::of("DECAY_DOMINATED", DECAY_DOMINATED, at_cutoff),
            Sensitivity::of("FIRST_EPOCHS", FIRST_EPOCHS as f64, |n| {
                verdict_of(k_min, k_max, n as usize)
            }),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probes::Displacement;
    use crate::study::claims::synthetic::*;

    #[test]
    fn claim1_follows_the_offset_fractions() {
        let decay = pure_decay(10);
        let flat = never_decays(10);
        let result = claim1(&[&decay, &decay], &[&flat], &[(5.0, &decay)]);
        assert_eq!(result.verdict, Verdict::Holds);
        let e = evidence(&[&decay, &decay], &[&flat], &[(5.0, &decay)]).unwrap();
        assert_eq!(e.k_all_weights_per_seed, [10, 10]);
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

    #[test]
    fn the_verdict_is_given_at_every_cut_off() {
        // f = 0.07 in every epoch: decay-dominated at 0.1 and 0.2, not below.
        let records = synthetic_run(&[1.0; 8], &[0.07; 8], &[0.9; 8], RHO);
        let result = claim1(&[&records], &[&records], &[]);
        let e = evidence(&[&records], &[&records], &[]).unwrap();
        let verdicts: Vec<Verdict> = e.by_cutoff.iter().map(|r| r.verdict).collect();
        use Verdict::{Fails, Holds};
        assert_eq!(verdicts, [Fails, Fails, Holds, Holds]);
        let k: Vec<usize> = e.by_cutoff.iter().map(|r| r.k_all_weights).collect();
        assert_eq!(k, [0, 0, 7, 7]);
        assert_eq!(result.verdict, Verdict::Holds);
    }

    #[test]
    fn epoch_one_moves_compare_the_gradient_with_the_decay() {
        let mut moved = pure_decay(3);
        let d = moved[1].dynamics.as_mut().unwrap();
        d.displacement.layers = vec![
            Displacement {
                decay: 2.0,
                gradient: 0.5,
            },
            Displacement {
                decay: 0.0,
                gradient: 1.0,
            },
        ];
        d.change_cosine = vec![Some(0.9), None];
        let e = evidence(&[&moved], &[&moved], &[]).unwrap();
        let moves = &e.epoch_1_moves;
        assert_eq!(moves[0].gradient_over_decay_displacement, Some(0.25));
        assert_eq!(moves[0].change_cosine, Some(0.9));
        // No decay, no ratio.
        assert_eq!(moves[1].gradient_over_decay_displacement, None);
        assert_eq!(moves[1].change_cosine, None);
    }

    #[test]
    fn evidence_needs_a_measured_first_epoch_of_every_large_init_run() {
        let decay = pure_decay(3);
        assert!(evidence(&[], &[&decay], &[]).is_none());
        assert!(evidence(&[&decay, &decay[..1]], &[&decay], &[]).is_none());
        assert!(evidence(&[&decay[..2]], &[&decay], &[]).is_some());
        let mut unmeasured = decay.clone();
        unmeasured[1].dynamics = None;
        assert!(evidence(&[&decay, &unmeasured], &[&decay], &[]).is_none());
        // A default-init run without a first epoch is left out of its means.
        let e = evidence(&[&decay], &[&decay[..1]], &[]).unwrap();
        assert_eq!(e.saturation_epoch1_default, None);
        assert_eq!(e.saturation_epoch1_large, Some(0.5));
    }
}
