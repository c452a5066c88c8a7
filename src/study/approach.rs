//! The size a run approaches, extrapolated past its last epoch.
//!
//! A run that stops once it has settled stops as soon as its offset
//! fraction f has stayed within the band for a few epochs: at the edge of
//! the band, still on its way. Its mean rms over the settled epochs then
//! lies on the side it came from: below the equilibrium for a layer that
//! grows into it, above for one that shrinks into it (1-3% at the base
//! setting). Near equilibrium the rms relaxes exponentially,
//!
//! ```text
//! rms(e) = s_inf + A exp(-r e)        (e in epochs, r per epoch)
//! ```
//!
//! so fitting that form to the last epochs and reading s_inf removes the
//! bias whichever side the run came from. For each r of a grid the fit is
//! linear in (s_inf, A) and solved exactly; the r with the least squared
//! residual wins. An r on the grid's edge means the data show no
//! relaxation to extrapolate (a straight or flat stretch): no estimate.

use serde::Serialize;

/// The epochs the form is fitted to: the last ones, as many as this (all
/// from epoch 1 in a shorter run). About one relaxation time at the base
/// setting (20 epochs) and then some.
pub const APPROACH_EPOCHS: usize = 25;
/// The grid of rates r: RATE_STEP to RATE_STEPS * RATE_STEP per epoch
/// (0.002 to 1: relaxations of 1 to 500 epochs).
const RATE_STEP: f64 = 0.002;
const RATE_STEPS: usize = 500;

/// The fitted approach of one series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Approach {
    /// s_inf: the size the series approaches.
    pub size: f64,
    /// r, per epoch.
    pub rate: f64,
    /// A: the distance still to go at epoch 0 (negative when approaching
    /// from below).
    pub amplitude: f64,
    /// The epochs fitted.
    pub epochs: usize,
}

/// s_inf and A of rms(e) = s_inf + A exp(-r e) over `points` (epoch, rms)
/// at rate `r`, and the squared residual; None if exp(-r e) does not vary.
fn fit_at(points: &[(f64, f64)], r: f64) -> Option<(f64, f64, f64)> {
    let n = points.len() as f64;
    let x: Vec<f64> = points.iter().map(|&(e, _)| (-r * e).exp()).collect();
    let (sx, sy) = (
        x.iter().sum::<f64>(),
        points.iter().map(|p| p.1).sum::<f64>(),
    );
    let sxx: f64 = x.iter().map(|a| a * a).sum();
    let sxy: f64 = x.iter().zip(points).map(|(a, p)| a * p.1).sum();
    let det = n * sxx - sx * sx;
    if det <= 1e-12 * n * sxx {
        return None;
    }
    let amplitude = (n * sxy - sx * sy) / det;
    let size = (sy - amplitude * sx) / n;
    let residual = x
        .iter()
        .zip(points)
        .map(|(a, p)| (size + amplitude * a - p.1).powi(2))
        .sum();
    Some((size, amplitude, residual))
}

/// The approach of `rms` (indexed by epoch from 0) over its last
/// `APPROACH_EPOCHS` epochs; None if fewer than 4 epochs follow epoch 0,
/// or the best rate is on the grid's edge.
pub fn approach(rms: &[f64]) -> Option<Approach> {
    let last = rms.len().checked_sub(1)?;
    let first = last.saturating_sub(APPROACH_EPOCHS - 1).max(1);
    let points: Vec<(f64, f64)> = (first..=last).map(|e| (e as f64, rms[e])).collect();
    if points.len() < 4 || points.iter().any(|p| !p.1.is_finite()) {
        return None;
    }
    let mut best: Option<(usize, f64, f64, f64)> = None;
    for step in 1..=RATE_STEPS {
        let r = step as f64 * RATE_STEP;
        if let Some((size, amplitude, residual)) = fit_at(&points, r)
            && best.is_none_or(|b| residual < b.3)
        {
            best = Some((step, size, amplitude, residual));
        }
    }
    let (step, size, amplitude, _) = best?;
    (1 < step && step < RATE_STEPS).then_some(Approach {
        size,
        rate: step as f64 * RATE_STEP,
        amplitude,
        epochs: points.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    /// rms(e) = size + amplitude exp(-rate e), epochs 0..=epochs.
    fn relaxing(size: f64, amplitude: f64, rate: f64, epochs: usize) -> Vec<f64> {
        (0..=epochs)
            .map(|e| size + amplitude * (-rate * e as f64).exp())
            .collect()
    }

    #[test]
    fn approaches_from_above_and_below_give_the_same_size() {
        // The base setting's first layer: 0.21 approached at 0.1 per epoch,
        // from a large start above and a small one below; stopped early,
        // 2-3% short of it.
        for (amplitude, epochs) in [(0.5, 40), (-0.3, 35)] {
            let rms = relaxing(0.21, amplitude, 0.1, epochs);
            let a = approach(&rms).expect("a relaxation");
            assert_abs_diff_eq!(a.size, 0.21, epsilon = 1e-4);
            assert_abs_diff_eq!(a.rate, 0.1, epsilon = RATE_STEP);
            assert_eq!(a.epochs, APPROACH_EPOCHS);
            assert_eq!(a.amplitude.signum(), amplitude.signum());
            // The last epochs' mean lies on the side the run came from.
            let tail: f64 = rms[epochs - 4..].iter().sum::<f64>() / 5.0;
            assert!((tail - 0.21).signum() == amplitude.signum());
            assert!((tail - 0.21).abs() > 1e-3);
        }
    }

    #[test]
    fn a_short_run_is_fitted_from_epoch_one_and_noise_is_tolerated() {
        // 12 epochs (lambda 50 settles that fast), rate 0.5, with a
        // deterministic wobble of 0.1% of the size.
        let mut rms = relaxing(2.0, -1.0, 0.5, 12);
        for (e, r) in rms.iter_mut().enumerate() {
            *r *= 1.0 + 0.001 * ((e * 7 % 5) as f64 - 2.0) / 2.0;
        }
        let a = approach(&rms).expect("a relaxation");
        assert_eq!(a.epochs, 12);
        assert_abs_diff_eq!(a.size, 2.0, epsilon = 0.01);
    }

    #[test]
    fn no_estimate_without_a_relaxation_to_see() {
        // A straight stretch: the best rate is the grid's smallest.
        let line: Vec<f64> = (0..=30).map(|e| 1.0 + 0.01 * e as f64).collect();
        assert_eq!(approach(&line), None);
        // A flat one: exp(-r e) explains nothing, no rate wins.
        assert_eq!(approach(&[0.5; 30]), None);
        // Too short, or not finite.
        assert_eq!(approach(&relaxing(1.0, 1.0, 0.2, 3)), None);
        let mut broken = relaxing(1.0, 1.0, 0.2, 30);
        broken[20] = f64::NAN;
        assert_eq!(approach(&broken), None);
    }
}
