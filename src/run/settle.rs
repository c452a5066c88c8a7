//! When a layer's weights have settled: the state the decay and the
//! gradient balance in, whichever side the layer came from.
//!
//! A layer is **settled** from the first epoch after which its offset
//! fraction f (smoothed over `SMOOTHING_WINDOW` epochs) stays within
//! `SETTLED_BAND` of 1, provided that lasts at least `SETTLED_EPOCHS`
//! epochs. The test is two-sided: a layer that shrinks (f < 1) and one that
//! grows (f > 1) settle alike. Its **settled size** is the mean rms of its
//! weights over the settled epochs, and their standard deviation the
//! spread. A layer without decay (lambda = 0) has no f and never settles.

use serde::{Deserialize, Serialize};

use crate::metrics::EpochRecord;

/// |f - 1| at most this, on the smoothed f: the decay and the gradient
/// balance to within 5% of the decay's shrinkage.
pub const SETTLED_BAND: f64 = 0.05;
/// f is smoothed by its mean over this many epochs, the epoch itself and
/// those before it.
pub const SMOOTHING_WINDOW: usize = 3;
/// Epochs in a row within the band for a layer to count as settled.
pub const SETTLED_EPOCHS: usize = 5;
/// A run that stops once settled trains at least this many epochs.
pub const MIN_EPOCHS: usize = 10;

/// The smoothed offset fraction of every epoch: the mean of f over epochs
/// e - W + 1 ..= e (W = `SMOOTHING_WINDOW`), None where one of them has no f
/// (epoch 0 never has one).
pub fn smoothed(f: &[Option<f64>]) -> Vec<Option<f64>> {
    (0..f.len())
        .map(|e| {
            let window = f.get((e + 1).checked_sub(SMOOTHING_WINDOW)?..=e)?;
            let sum = window.iter().copied().sum::<Option<f64>>()?;
            Some(sum / SMOOTHING_WINDOW as f64)
        })
        .collect()
}

/// The epoch a series of offset fractions (index = epoch) settled at: the
/// first epoch of the last stretch whose smoothed f is within the band, if
/// that stretch runs to the last epoch and is `SETTLED_EPOCHS` long.
pub fn settled_epoch(f: &[Option<f64>]) -> Option<usize> {
    let in_band: Vec<bool> = smoothed(f)
        .iter()
        .map(|s| s.is_some_and(|s| (s - 1.0).abs() <= SETTLED_BAND))
        .collect();
    let stretch = in_band.iter().rev().take_while(|&&b| b).count();
    (stretch >= SETTLED_EPOCHS).then(|| f.len() - stretch)
}

/// How a layer (or all weights) ended a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Settling {
    /// Whether it settled before the run ended.
    pub settled: bool,
    /// The first settled epoch (None if not settled).
    pub settled_epoch: Option<usize>,
    /// The settled size: mean rms over the settled epochs; the last rms if
    /// the layer did not settle.
    pub size: f64,
    /// Standard deviation of the rms over the settled epochs (None if not
    /// settled).
    pub spread: Option<f64>,
    /// Epochs the run trained.
    pub epochs: usize,
}

impl Settling {
    /// The settling of a series of offset fractions and rms values, both
    /// indexed by epoch from 0.
    pub fn of(f: &[Option<f64>], rms: &[f64]) -> Settling {
        assert_eq!(f.len(), rms.len());
        let epochs = rms.len().saturating_sub(1);
        match settled_epoch(f) {
            Some(start) => {
                let settled = &rms[start..];
                let mean = settled.iter().sum::<f64>() / settled.len() as f64;
                let variance =
                    settled.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / settled.len() as f64;
                Settling {
                    settled: true,
                    settled_epoch: Some(start),
                    size: mean,
                    spread: Some(variance.sqrt()),
                    epochs,
                }
            }
            None => Settling {
                settled: false,
                settled_epoch: None,
                size: rms.last().copied().unwrap_or(f64::NAN),
                spread: None,
                epochs,
            },
        }
    }

    /// The settling of weight layer `layer` (None: all weights) in `records`.
    pub fn of_records(records: &[EpochRecord], layer: Option<usize>) -> Settling {
        let rms: Vec<f64> = records
            .iter()
            .map(|r| match layer {
                None => r.weights.all.rms,
                Some(l) => r.weights.layers[l].rms,
            })
            .collect();
        Settling::of(&offset_fractions(records, layer), &rms)
    }

    /// The settling of the first layer's weights from its live inputs
    /// ([`crate::probes::LiveInputs`]): settled when the first layer is,
    /// over the same epochs, its size the mean of their rms. None if some
    /// record lacks them (records written before they were measured).
    pub fn of_live_inputs(records: &[EpochRecord]) -> Option<Settling> {
        let rms: Option<Vec<f64>> = records
            .iter()
            .map(|r| r.live_inputs.map(|live| live.rms))
            .collect();
        Some(Settling::of(&offset_fractions(records, Some(0)), &rms?))
    }
}

/// The offset fraction f of weight layer `layer` (None: all weights) of
/// every record, None where a record has none.
fn offset_fractions(records: &[EpochRecord], layer: Option<usize>) -> Vec<Option<f64>> {
    records
        .iter()
        .map(|r| {
            let d = r.dynamics.as_ref()?;
            match layer {
                None => d.offset_fraction,
                Some(l) => d.offset_fraction_layers.get(l).copied().flatten(),
            }
        })
        .collect()
}

/// Whether a run may stop: at least `MIN_EPOCHS` trained and every weight
/// layer settled.
pub fn every_layer_settled(records: &[EpochRecord]) -> bool {
    let Some(first) = records.first() else {
        return false;
    };
    records.len() > MIN_EPOCHS
        && (0..first.weights.layers.len()).all(|l| Settling::of_records(records, Some(l)).settled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    /// f of epochs 1.. (epoch 0 has none), and rms from 1 for every epoch.
    fn series(f: impl IntoIterator<Item = f64>) -> (Vec<Option<f64>>, Vec<f64>) {
        let f: Vec<Option<f64>> = std::iter::once(None)
            .chain(f.into_iter().map(Some))
            .collect();
        let rms = (0..f.len()).map(|e| 1.0 + e as f64).collect();
        (f, rms)
    }

    #[test]
    fn smoothing_averages_the_window_and_needs_every_value() {
        let (f, _) = series([0.3, 0.6, 0.9, 1.2]);
        let s = smoothed(&f);
        assert_eq!(s[..3], [None, None, None]);
        assert_abs_diff_eq!(s[3].unwrap(), 0.6, epsilon = 1e-15);
        assert_abs_diff_eq!(s[4].unwrap(), 0.9, epsilon = 1e-15);
    }

    #[test]
    fn a_shrinking_layer_settles_when_f_reaches_one() {
        // f rises from 0 towards 1 (decay first, then balance).
        let (f, rms) = series((1..=40).map(|e| 1.0 - (-(e as f64) / 5.0).exp()));
        let s = Settling::of(&f, &rms);
        assert!(s.settled);
        let start = s.settled_epoch.unwrap();
        // The first epoch whose 3-epoch mean of f is >= 0.95.
        let expected = (3..=40)
            .find(|&e| {
                (e - 2..=e)
                    .map(|k| 1.0 - (-(k as f64) / 5.0).exp())
                    .sum::<f64>()
                    / 3.0
                    >= 1.0 - SETTLED_BAND
            })
            .unwrap();
        assert_eq!(start, expected);
        // Size: the mean rms over epochs start..=40 (rms = 1 + epoch).
        let mean = (start..=40).map(|e| 1.0 + e as f64).sum::<f64>() / (41 - start) as f64;
        assert_abs_diff_eq!(s.size, mean, epsilon = 1e-12);
        assert!(s.spread.is_some_and(|s| s > 0.0));
        assert_eq!(s.epochs, 40);
    }

    #[test]
    fn a_growing_layer_settles_too() {
        let (f, rms) = series((1..=30).map(|e| 1.0 + 3.0 * (-(e as f64) / 4.0).exp()));
        let s = Settling::of(&f, &rms);
        assert!(s.settled, "{s:?}");
        assert!(s.settled_epoch.unwrap() > 10);
    }

    #[test]
    fn noise_within_the_band_is_settled_and_an_excursion_restarts_the_count() {
        let noisy: Vec<f64> = (0..20)
            .map(|e| if e % 2 == 0 { 1.04 } else { 0.97 })
            .collect();
        let (f, rms) = series(noisy.clone());
        assert_eq!(settled_epoch(&f), Some(3));
        assert!(Settling::of(&f, &rms).settled);
        // One epoch far out moves the settled epoch past its window.
        let mut excursion = noisy;
        excursion[9] = 2.0; // epoch 10
        let (f, _) = series(excursion);
        assert_eq!(settled_epoch(&f), Some(13));
    }

    #[test]
    fn a_layer_that_never_settles_reports_its_last_size() {
        let (f, rms) = series((1..=30).map(|e| e as f64 / 100.0));
        let s = Settling::of(&f, &rms);
        assert!(!s.settled);
        assert_eq!(s.settled_epoch, None);
        assert_eq!(s.size, 31.0);
        // f = 1 from epoch 25: the smoothed f is in the band from epoch 27,
        // 4 epochs (one short of SETTLED_EPOCHS); from epoch 24, it is 5.
        let (f, _) = series((1..=30).map(|e| if e >= 25 { 1.0 } else { 0.0 }));
        assert_eq!(settled_epoch(&f), None);
        let (f, _) = series((1..=30).map(|e| if e >= 24 { 1.0 } else { 0.0 }));
        assert_eq!(settled_epoch(&f), Some(26));
        // No decay (lambda = 0): no f, never settled.
        let f = vec![None; 31];
        assert!(!Settling::of(&f, &rms).settled);
    }
}
