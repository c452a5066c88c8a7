//! Synthetic runs for the tests (the claims', the schedule's): records
//! whose rms, offset fraction and accuracy per epoch are given.

use crate::metrics::EpochRecord;
use crate::probes::{
    Budget, BudgetTerms, Displacement, Displacements, EpochDynamics, LiveInputs, Summary,
    WeightStats,
};

/// A run of two layers whose rms, offset fraction (same for all weights
/// and each layer) and accuracy per epoch are given; epoch 0 first.
pub fn synthetic_run(rms: &[f64], f: &[f64], accuracy: &[f64], predicted: f64) -> Vec<EpochRecord> {
    (0..rms.len())
        .map(|e| {
            let summary = Summary {
                count: 100,
                rms: rms[e],
                mean: 0.0,
                std: rms[e],
                max_abs: 3.0 * rms[e],
            };
            let dynamics = (e > 0).then(|| {
                // decay = -1, drift + noise = f.
                let terms = BudgetTerms {
                    decay: -1.0,
                    drift: f[e],
                    noise: 0.0,
                    residual: 0.0,
                    residual_relative: 0.0,
                };
                let moved = Displacement {
                    decay: 1.0,
                    gradient: f[e].abs(),
                };
                EpochDynamics {
                    budget: Budget {
                        all: terms,
                        layers: vec![terms; 2],
                    },
                    offset_fraction: terms.offset_fraction(),
                    offset_fraction_layers: vec![terms.offset_fraction(); 2],
                    // The gradient moves the weights |f| times as far as
                    // the decay: along w, as the budget's f says.
                    displacement: Displacements {
                        all: moved,
                        layers: vec![moved; 2],
                    },
                    gradient_signal: vec![0.1, 0.1],
                    ..EpochDynamics::default()
                }
            });
            EpochRecord {
                epoch: e,
                eval_accuracy: accuracy[e],
                eval_cost: 1.0,
                eval_data_cost: 1.0,
                train_accuracy: None,
                train_cost: None,
                weights: WeightStats {
                    all: summary.clone(),
                    layers: vec![summary.clone(), summary],
                },
                live_inputs: Some(LiveInputs {
                    blank: 0,
                    rms: rms[e],
                }),
                shrink_ratio: (e > 0).then(|| rms[e] / rms[e - 1]),
                shrink_ratio_layers: vec![(e > 0).then(|| rms[e] / rms[e - 1]); 2],
                predicted_shrink: Some(predicted),
                predicted_shrink_asymptotic: Some(predicted),
                dynamics,
                saturation: vec![0.5],
                input_norm: vec![10.0, 3.0],
                preactivation_rms: vec![2.0, 2.0],
                weighted_input_rms: vec![2.0, 2.0],
                full_gradient: None,
                learning_rate: None,
                lambda: None,
                schedule_event: None,
                tail_average: None,
                histograms: None,
                seconds: 0.0,
            }
        })
        .collect()
}

pub const RHO: f64 = 0.95;

/// Pure exponential decay: rms_e = rho^e, f = 0 every epoch.
pub fn pure_decay(epochs: usize) -> Vec<EpochRecord> {
    let rms: Vec<f64> = (0..=epochs).map(|e| RHO.powi(e as i32)).collect();
    synthetic_run(&rms, &vec![0.0; epochs + 1], &vec![0.9; epochs + 1], RHO)
}

/// Weights that never decay: the gradient undoes all of it, f = 1.
pub fn never_decays(epochs: usize) -> Vec<EpochRecord> {
    synthetic_run(
        &vec![1.0; epochs + 1],
        &vec![1.0; epochs + 1],
        &vec![0.9; epochs + 1],
        RHO,
    )
}
