//! Averages over values and over the seeds of a configuration: the one
//! place the study and its report take means.

use crate::metrics::EpochRecord;

/// The mean of `values`; None if there are none.
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The sample standard deviation of `values` (n - 1 in the denominator);
/// None for fewer than two.
pub fn sample_std(values: &[f64]) -> Option<f64> {
    let mean = mean(values)?;
    let count = values.len();
    (count >= 2).then(|| {
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (count - 1) as f64).sqrt()
    })
}

/// A quantity per epoch over several runs (one per seed): the mean and the
/// range, over the epochs every run has.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SeedCurve {
    pub mean: Vec<f64>,
    pub low: Vec<f64>,
    pub high: Vec<f64>,
}

impl SeedCurve {
    pub fn of(runs: &[&[EpochRecord]], value: impl Fn(&EpochRecord) -> f64) -> SeedCurve {
        let epochs = runs.iter().map(|r| r.len()).min().unwrap_or(0);
        let mut curve = SeedCurve::default();
        for e in 0..epochs {
            let values: Vec<f64> = runs.iter().map(|r| value(&r[e])).collect();
            curve.mean.push(mean(&values).expect("at least one run"));
            curve
                .low
                .push(values.iter().copied().fold(f64::INFINITY, f64::min));
            curve
                .high
                .push(values.iter().copied().fold(f64::NEG_INFINITY, f64::max));
        }
        curve
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::synthetic::synthetic_run;

    #[test]
    fn the_curve_spans_the_epochs_every_run_has() {
        let a = synthetic_run(&[1.0, 2.0, 3.0], &[0.0; 3], &[0.5, 0.6, 0.7], 1.0);
        let b = synthetic_run(&[3.0, 4.0], &[0.0; 2], &[0.7, 0.8], 1.0);
        let curve = SeedCurve::of(&[&a, &b], |r| r.weights.all.rms);
        assert_eq!(curve.mean, [2.0, 3.0]);
        assert_eq!(curve.low, [1.0, 2.0]);
        assert_eq!(curve.high, [3.0, 4.0]);
        assert_eq!(mean(&[]), None);
        assert_eq!(mean(&[1.0, 2.0]), Some(1.5));
    }

    #[test]
    fn the_sample_std_divides_by_n_minus_1() {
        assert_eq!(sample_std(&[]), None);
        assert_eq!(sample_std(&[3.0]), None);
        // Squares 4 + 0 + 4 over 3 - 1: sqrt(4) = 2.
        assert_eq!(sample_std(&[1.0, 3.0, 5.0]), Some(2.0));
    }
}
