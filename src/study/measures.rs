//! The measures the claims read off a run's records: the offset fraction f
//! and the rms per epoch, K (the leading decay-dominated epochs) and the
//! tail-off (where f first reaches 1/2).

use serde::{Deserialize, Serialize};

use crate::metrics::EpochRecord;

/// f_e at or above this: the decay has tailed off (a description of
/// claim 3, not a threshold of its verdict).
pub const TAIL_OFF: f64 = 0.5;

/// Offset fraction of epoch `e` for all weights (`layer` None) or one layer.
pub fn offset_fraction(record: &EpochRecord, layer: Option<usize>) -> Option<f64> {
    let d = record.dynamics.as_ref()?;
    match layer {
        None => d.offset_fraction,
        Some(l) => d.offset_fraction_layers.get(l).copied().flatten(),
    }
}

/// rms of all weights or of one layer.
pub fn rms(record: &EpochRecord, layer: Option<usize>) -> f64 {
    match layer {
        None => record.weights.all.rms,
        Some(l) => record.weights.layers[l].rms,
    }
}

/// K at `cutoff`: the number of leading epochs (from epoch 1) with
/// |f_e| < `cutoff` (claim 1's decay-dominated epochs at its threshold).
pub fn leading_epochs_below(records: &[EpochRecord], layer: Option<usize>, cutoff: f64) -> usize {
    leading_below(
        records.iter().skip(1).map(|r| offset_fraction(r, layer)),
        cutoff,
    )
}

/// The number of leading values of `f` with |f| < `cutoff`.
pub fn leading_below(f: impl IntoIterator<Item = Option<f64>>, cutoff: f64) -> usize {
    f.into_iter()
        .take_while(|f| f.is_some_and(|f| f.abs() < cutoff))
        .count()
}

/// |rho_e / rho* - 1| of all weights in the epochs 1..=k that measured
/// their shrink ratio rho_e: how far training's shrink is from the decay's
/// own (claim 2, on its decay-dominated epochs).
pub fn shrink_deviations(records: &[EpochRecord], k: usize) -> Vec<f64> {
    records
        .iter()
        .skip(1)
        .take(k)
        .filter_map(|r| Some((r.shrink_ratio? / r.predicted_shrink? - 1.0).abs()))
        .collect()
}

/// Where the decay tails off: the first epoch T with f_T >= 0.5, as a
/// fractional epoch (linear in f between T-1 and T), and the rms there
/// (interpolated in log rms). Epoch 0 has no f: if f_1 >= 0.5 already, the
/// crossing is given as epoch 1, not interpolated.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TailOff {
    /// The first whole epoch with f >= 0.5.
    pub epoch: usize,
    /// The crossing, interpolated.
    pub at: f64,
    /// The rms at the crossing.
    pub size: f64,
}

/// The tail-off of all weights (`layer` None) or one layer; None if f never
/// reaches 1/2.
pub fn tail_off(records: &[EpochRecord], layer: Option<usize>) -> Option<TailOff> {
    let mut previous_f: f64 = f64::NAN;
    for (e, record) in records.iter().enumerate().skip(1) {
        let f = offset_fraction(record, layer)?;
        if f >= TAIL_OFF {
            // f_{T-1} < 0.5 <= f_T, so 0 < t <= 1; without f_{T-1} (T = 1,
            // or a NaN of a run that diverged) the crossing is at T.
            let t = if previous_f.is_nan() {
                1.0
            } else {
                (TAIL_OFF - previous_f) / (f - previous_f)
            };
            let (before, after) = (rms(&records[e - 1], layer), rms(record, layer));
            let size = (before.ln() + t * (after.ln() - before.ln())).exp();
            return Some(TailOff {
                epoch: e,
                at: (e - 1) as f64 + t,
                size,
            });
        }
        previous_f = f;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::synthetic::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn tail_off_is_interpolated() {
        let rms = [1.0, 0.8, 0.6, 0.4, 0.3];
        let run = synthetic_run(&rms, &[0.0, 0.2, 0.4, 0.6, 0.8], &[0.9; 5], RHO);
        let t = tail_off(&run, None).unwrap();
        assert_eq!(t.epoch, 3);
        assert_abs_diff_eq!(t.at, 2.5, epsilon = 1e-12);
        assert_abs_diff_eq!(t.size, (0.6f64 * 0.4).sqrt(), epsilon = 1e-12);
        assert!(tail_off(&pure_decay(5), None).is_none());
        // Above 1/2 from epoch 1: no f_0 to interpolate from.
        let at_once = synthetic_run(&rms, &[0.0, 5.0, 1.0, 1.0, 1.0], &[0.9; 5], RHO);
        let t = tail_off(&at_once, None).unwrap();
        assert_eq!((t.epoch, t.at), (1, 1.0));
        assert_abs_diff_eq!(t.size, 0.8, epsilon = 1e-15);
        let diverged = synthetic_run(&rms, &[0.0, 0.2, f64::NAN, 0.6, 0.8], &[0.9; 5], RHO);
        let t = tail_off(&diverged, None).unwrap();
        assert_eq!((t.epoch, t.at), (3, 3.0));
        assert_abs_diff_eq!(t.size, 0.4, epsilon = 1e-15);
    }

    #[test]
    fn epochs_below_a_cutoff_stop_at_the_first_at_or_above_it() {
        let f = [0.0, 0.05, -0.05, 0.1, 0.05];
        let run = synthetic_run(&[1.0; 5], &f, &[0.9; 5], RHO);
        assert_eq!(leading_epochs_below(&run, None, 0.1), 2);
        assert_eq!(leading_epochs_below(&run, Some(1), 0.2), 4);
        assert_eq!(leading_below([Some(0.0), None, Some(0.0)], 0.1), 1);
    }
}
