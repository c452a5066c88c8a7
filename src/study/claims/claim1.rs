//! Claim 1: the first epochs are dominated by weight decay.

use serde::Serialize;

use super::{Claim, Decision, Measured, Missing, Threshold, Thresholds, Verdict};
use crate::metrics::EpochRecord;
use crate::net::{Init, Layer};
use crate::study::measures::{leading_below, leading_epochs_below, offset_fraction};
use crate::study::summary::mean;

/// The cut-offs of |f| that K is counted for in the evidence's table; the
/// verdict's is the `DecayDominated` threshold (0.1), and 0.05 and 0.2 are
/// its half and twice.
pub const CUTOFFS: [f64; 4] = [0.02, 0.05, 0.1, 0.2];

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

/// Whether the decay dominates one weight layer in the first epochs, in
/// the two senses "dominated" can have: what happens to the layer's size
/// (the norm budget's f, radial) and how far the weights move (the
/// displacements, in every direction).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerDominance {
    /// The weight layer.
    pub layer: Layer,
    /// Fewest leading epochs over the seeds whose |f| for this layer is
    /// below the `DecayDominated` threshold.
    pub k_min: usize,
    /// `k_min` is at least `FirstEpochs`: the layer's |w|^2 changes in the
    /// first epochs as the decay alone would change it.
    pub size_decay_dominated: bool,
    /// In epoch 1 the decay moved the layer's weights further than the
    /// gradient did (None where not measured).
    pub motion_decay_dominated: Option<bool>,
}

/// Holds if the decay dominates every layer in both senses; partly if it
/// dominates the size of some layer in epoch 1 at least; fails otherwise.
fn verdict_of(layers: &[LayerDominance]) -> Verdict {
    let dominated =
        |l: &LayerDominance| l.size_decay_dominated && l.motion_decay_dominated == Some(true);
    if !layers.is_empty() && layers.iter().all(dominated) {
        Verdict::Holds
    } else if layers.iter().any(|l| l.k_min >= 1) {
        Verdict::Partly
    } else {
        Verdict::Fails
    }
}

/// Each layer's dominance, from its K per seed at some cut-off and its
/// epoch-1 moves, with `first_epochs` leading epochs asked for.
fn dominance(
    k_per_layer: &[Vec<usize>],
    moves: &[EpochOneMoves],
    first_epochs: usize,
) -> Vec<LayerDominance> {
    k_per_layer
        .iter()
        .enumerate()
        .map(|(l, k)| {
            let k_min = k.iter().copied().min().unwrap_or(0);
            LayerDominance {
                layer: Layer::Weights(l),
                k_min,
                size_decay_dominated: k_min >= first_epochs,
                motion_decay_dominated: moves
                    .get(l)
                    .and_then(|m| m.gradient_over_decay_displacement)
                    .map(|ratio| ratio < 1.0),
            }
        })
        .collect()
}

/// Per layer, over the seeds' first epochs: how far the gradient moved the
/// weights against the decay, and where the change pointed.
#[derive(Debug, Clone, Serialize)]
pub struct EpochOneMoves {
    /// The weight layer.
    pub layer: Layer,
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
    /// Per seed, the offset fraction of all weights in epochs 1, 2, ...:
    /// what K is counted on at any cut-off.
    #[serde(skip)]
    pub offset_fractions: Vec<Vec<Option<f64>>>,
    /// The same per weight layer: `[layer][seed][epoch - 1]`.
    #[serde(skip)]
    pub offset_fractions_per_layer: Vec<Vec<Vec<Option<f64>>>>,
}

/// What claim 1's decision found.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim1Findings {
    /// Per weight layer, whether the decay dominates it: what the verdict
    /// is decided on.
    pub layers: Vec<LayerDominance>,
    /// Fewest and most leading decay-dominated epochs over the seeds (all
    /// weights together, a description), at the `DecayDominated` threshold.
    pub k_min: usize,
    /// See `k_min`.
    pub k_max: usize,
    /// The output layer's f_1 (mean over seeds) is not below the
    /// `DecayDominated` threshold: the output layer is not decay-dominated.
    pub output_layer_not_decay_dominated: bool,
    /// Per layer of `epoch_1_moves`: whether epoch 1 moved the weights
    /// sideways (|cos(change, -w)| below the `SidewaysCosine` threshold
    /// while the gradient moved them further than the decay); None where
    /// not measured.
    pub moves_sideways: Vec<Option<bool>>,
}

/// Claim 1: "Supposing $lambda$ is not too small, the first epochs of
/// training will be dominated almost entirely by weight decay."
#[derive(Debug, Clone)]
pub struct Claim1;

impl Claim for Claim1 {
    type Evidence = Claim1Evidence;
    type Findings = Claim1Findings;
    const ID: u8 = 1;
    const TITLE: &'static str = "The first epochs are dominated by weight decay";
    const STATEMENT: &'static str = "Supposing $lambda$ is not too small, the first epochs of training will be dominated almost entirely by weight decay.";
    const THRESHOLDS: &'static [Threshold] = &[
        Threshold::DecayDominated,
        Threshold::FirstEpochs,
        Threshold::SidewaysCosine,
    ];

    fn evidence(m: &Measured, t: &Thresholds) -> Result<Claim1Evidence, Missing> {
        let r = m.results;
        evidence(
            &r.base(Init::Large, true),
            &r.base(Init::Default, true),
            &r.lambda_sweep(),
            t,
        )
        .ok_or(Missing("no large-init run with probes"))
    }

    /// Per weight layer: holds if, in every seed, each layer's first
    /// `FirstEpochs` epochs had |f| below `DecayDominated` (its size
    /// changes as the decay alone would change it) and in epoch 1 the
    /// decay moved it further than the gradient; partly if some layer's
    /// size is decay-dominated in epoch 1 at least; fails otherwise.
    fn decide(e: &Claim1Evidence, t: &Thresholds) -> Decision<Claim1Findings> {
        let leading = |f: &Vec<Option<f64>>| leading_below(f.iter().copied(), t.decay_dominated);
        let k: Vec<usize> = e.offset_fractions.iter().map(leading).collect();
        let k_per_layer: Vec<Vec<usize>> = e
            .offset_fractions_per_layer
            .iter()
            .map(|seeds| seeds.iter().map(leading).collect())
            .collect();
        let layers = dominance(&k_per_layer, &e.epoch_1_moves, t.first_epochs);
        let (k_min, k_max) = (
            k.iter().copied().min().unwrap_or(0),
            k.iter().copied().max().unwrap_or(0),
        );
        let output_layer_not_decay_dominated = e
            .f_epoch1_per_layer
            .last()
            .copied()
            .flatten()
            .is_some_and(|f| f >= t.decay_dominated);
        let moves_sideways = e
            .epoch_1_moves
            .iter()
            .map(|m| {
                let (ratio, cosine) = (m.gradient_over_decay_displacement?, m.change_cosine?);
                Some(cosine.abs() < t.sideways_cosine && ratio > 1.0)
            })
            .collect();
        Decision {
            verdict: verdict_of(&layers),
            findings: Claim1Findings {
                layers,
                k_min,
                k_max,
                output_layer_not_decay_dominated,
                moves_sideways,
            },
        }
    }
}

/// K and the verdict at every cut-off of `CUTOFFS`, with `first_epochs`
/// leading decay-dominated epochs asked for and the epoch-1 `moves`.
fn cutoff_rows(
    base: &[&[EpochRecord]],
    layers: usize,
    moves: &[EpochOneMoves],
    first_epochs: usize,
) -> Vec<CutoffRow> {
    CUTOFFS
        .iter()
        .map(|&cutoff| {
            let k_all = base
                .iter()
                .map(|r| leading_epochs_below(r, None, cutoff))
                .min()
                .unwrap_or(0);
            let k_layers: Vec<Vec<usize>> = (0..layers)
                .map(|l| {
                    base.iter()
                        .map(|r| leading_epochs_below(r, Some(l), cutoff))
                        .collect()
                })
                .collect();
            let dominance = dominance(&k_layers, moves, first_epochs);
            CutoffRow {
                cutoff,
                k_all_weights: k_all,
                k_per_layer: dominance.iter().map(|l| l.k_min).collect(),
                verdict: verdict_of(&dominance),
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
                layer: Layer::Weights(l),
                gradient_over_decay_displacement: ratio,
                change_cosine: cosine,
                f_1_default_init: f_default,
            }
        })
        .collect()
}

/// The evidence of claim 1. `base`: the large+L2 base runs (one per
/// seed); `default_runs`: default+L2 base runs; `sweep`: (lambda, records)
/// of large-init runs, lambda 5 included; K counted at the thresholds `t`.
/// None without a large-init run with probes.
pub fn evidence(
    base: &[&[EpochRecord]],
    default_runs: &[&[EpochRecord]],
    sweep: &[(f64, &[EpochRecord])],
    t: &Thresholds,
) -> Option<Claim1Evidence> {
    if base.is_empty() || base.iter().any(|r| r.len() < 2 || r[1].dynamics.is_none()) {
        return None;
    }
    let layers = base[0][0].weights.layers.len();
    let decay_dominated =
        |r: &[EpochRecord], layer| leading_epochs_below(r, layer, t.decay_dominated);
    let k_all: Vec<usize> = base.iter().map(|r| decay_dominated(r, None)).collect();
    let k_layers: Vec<Vec<usize>> = (0..layers)
        .map(|l| base.iter().map(|r| decay_dominated(r, Some(l))).collect())
        .collect();
    let epoch_one = epoch_one_moves(base, default_runs, layers);
    let cutoffs = cutoff_rows(base, layers, &epoch_one, t.first_epochs);
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
    // The hidden layer's saturation in epoch 1, over the runs that
    // measured it.
    let saturation = |runs: &[&[EpochRecord]]| {
        mean(
            &runs
                .iter()
                .filter_map(|r| r.get(1)?.saturation.first().copied())
                .collect::<Vec<_>>(),
        )
    };
    let (saturation_large, saturation_default) = (saturation(base), saturation(default_runs));
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
            k: decay_dominated(r, None),
            f_1: r.get(1).and_then(|x| offset_fraction(x, None)),
        })
        .collect();
    let smallest_lambda = sweep
        .iter()
        .filter(|(_, r)| decay_dominated(r, None) >= 1)
        .map(|(l, _)| *l)
        .fold(None, |m: Option<f64>, l| Some(m.map_or(l, |m| m.min(l))));

    Some(Claim1Evidence {
        threshold_offset_fraction: t.decay_dominated,
        threshold_epochs: t.first_epochs,
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
        offset_fractions: base
            .iter()
            .map(|r| r.iter().skip(1).map(|e| offset_fraction(e, None)).collect())
            .collect(),
        offset_fractions_per_layer: (0..layers)
            .map(|l| {
                base.iter()
                    .map(|r| {
                        r.iter()
                            .skip(1)
                            .map(|e| offset_fraction(e, Some(l)))
                            .collect()
                    })
                    .collect()
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::synthetic::*;
    use crate::probes::Displacement;
    use crate::study::claims::{Decided, decided};

    /// Claim 1 decided on these runs at the study's thresholds.
    fn claim1(
        base: &[&[EpochRecord]],
        default_runs: &[&[EpochRecord]],
        sweep: &[(f64, &[EpochRecord])],
    ) -> Decided<Claim1> {
        let t = Thresholds::default();
        decided::<Claim1>(super::evidence(base, default_runs, sweep, &t).unwrap(), &t)
    }

    fn evidence(
        base: &[&[EpochRecord]],
        default_runs: &[&[EpochRecord]],
        sweep: &[(f64, &[EpochRecord])],
    ) -> Option<Claim1Evidence> {
        super::evidence(base, default_runs, sweep, &Thresholds::default())
    }

    #[test]
    fn claim1_follows_the_offset_fractions() {
        let decay = pure_decay(10);
        let flat = never_decays(10);
        let result = claim1(&[&decay, &decay], &[&flat], &[(5.0, &decay)]);
        assert_eq!(result.decision.verdict, Verdict::Holds);
        let e = evidence(&[&decay, &decay], &[&flat], &[(5.0, &decay)]).unwrap();
        assert_eq!(e.k_all_weights_per_seed, [10, 10]);
        let result = claim1(&[&flat, &flat], &[&flat], &[(5.0, &flat)]);
        assert_eq!(result.decision.verdict, Verdict::Fails);
        // One decay-dominated epoch, then balance: only partly.
        let mut f = vec![1.0; 11];
        f[1] = 0.05;
        let one = synthetic_run(&[1.0; 11], &f, &[0.9; 11], RHO);
        assert_eq!(
            claim1(&[&one], &[&flat], &[]).decision.verdict,
            Verdict::Partly
        );
        // A gradient that shrinks the weights faster than the decay is not decay.
        let mut f = vec![-2.0; 11];
        f[0] = 0.0;
        let shrinking = synthetic_run(&[1.0; 11], &f, &[0.9; 11], RHO);
        assert_eq!(leading_epochs_below(&shrinking, None, 0.1), 0);
    }

    #[test]
    fn the_verdict_is_decided_per_layer_on_size_and_motion() {
        // f = 0.05 in every epoch and layer: every layer's size is
        // decay-dominated; the gradient moves each 0.05 times as far.
        let mut f = vec![0.05; 8];
        f[0] = 0.0;
        let both = synthetic_run(&[1.0; 8], &f, &[0.9; 8], RHO);
        let found = claim1(&[&both], &[&both], &[]).decision;
        assert_eq!(found.verdict, Verdict::Holds);
        assert!(found.findings.layers.iter().all(|l| l.k_min == 7
            && l.size_decay_dominated
            && l.motion_decay_dominated == Some(true)));
        // The first layer moved 2.9 times as far by the gradient as by the
        // decay (sideways: its f stays small): partly.
        let mut sideways = both.clone();
        sideways[1].dynamics.as_mut().unwrap().displacement.layers[0].gradient = 2.9;
        let d = claim1(&[&sideways], &[&sideways], &[]).decision;
        assert_eq!(d.findings.layers[0].motion_decay_dominated, Some(false));
        assert!(d.findings.layers[0].size_decay_dominated);
        assert_eq!(d.verdict, Verdict::Partly);
        // The output layer's f is 4 from epoch 1 (its weights grow): its
        // size is not decay-dominated, the first layer's still is: partly.
        let mut output_grows = both.clone();
        for r in output_grows.iter_mut().skip(1) {
            r.dynamics.as_mut().unwrap().offset_fraction_layers[1] = Some(4.0);
        }
        let d = claim1(&[&output_grows], &[&output_grows], &[]).decision;
        let k: Vec<usize> = d.findings.layers.iter().map(|l| l.k_min).collect();
        assert_eq!(k, [7, 0]);
        assert_eq!(d.verdict, Verdict::Partly);
        // No layer decay-dominated even in epoch 1: fails, whatever all
        // weights together say.
        for r in output_grows.iter_mut().skip(1) {
            r.dynamics.as_mut().unwrap().offset_fraction_layers[0] = Some(0.5);
        }
        let d = claim1(&[&output_grows], &[&output_grows], &[]).decision;
        assert_eq!(d.findings.k_min, 7);
        assert_eq!(d.verdict, Verdict::Fails);
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
        assert_eq!(result.decision.verdict, Verdict::Holds);
        // The sensitivity table: half the cut-off (0.05) fails, twice holds;
        // one leading epoch asked for holds, four hold too (K = 7).
        let rows: Vec<(Threshold, Verdict, Verdict)> = result
            .sensitivity
            .iter()
            .map(|s| (s.threshold, s.verdict_at_half, s.verdict_at_twice))
            .collect();
        assert_eq!(
            rows,
            [
                (Threshold::DecayDominated, Fails, Holds),
                (Threshold::FirstEpochs, Holds, Holds),
                (Threshold::SidewaysCosine, Holds, Holds)
            ]
        );
    }

    #[test]
    fn the_findings_name_the_output_layer_and_sideways_moves() {
        let mut f = vec![0.05; 6];
        f[0] = 0.0;
        let mut run = synthetic_run(&[1.0; 6], &f, &[0.9; 6], RHO);
        // The output layer's f_1 at the cut-off exactly: not decay-dominated.
        run[1].dynamics.as_mut().unwrap().offset_fraction_layers[1] = Some(0.1);
        let d = run[1].dynamics.as_mut().unwrap();
        d.displacement.layers = vec![
            Displacement {
                decay: 1.0,
                gradient: 2.9,
            },
            Displacement {
                decay: 1.0,
                gradient: 0.5,
            },
        ];
        d.change_cosine = vec![Some(0.49), Some(0.1)];
        let found = claim1(&[&run], &[&run], &[]).decision.findings;
        assert_eq!(found.k_min, 5);
        assert!(found.output_layer_not_decay_dominated);
        // w1: far and across; w2: moved less by the gradient than the decay.
        assert_eq!(found.moves_sideways, [Some(true), Some(false)]);
        run[1].dynamics.as_mut().unwrap().change_cosine = vec![Some(0.5), None];
        let found = claim1(&[&run], &[&run], &[]).decision.findings;
        assert_eq!(found.moves_sideways, [Some(false), None]);
        // w2 moved exactly as far by the gradient as by the decay, across:
        // not further, so not sideways.
        let d = run[1].dynamics.as_mut().unwrap();
        d.displacement.layers[1].gradient = 1.0;
        d.change_cosine = vec![Some(0.1), Some(0.1)];
        let found = claim1(&[&run], &[&run], &[]).decision.findings;
        assert_eq!(found.moves_sideways, [Some(true), Some(false)]);
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
