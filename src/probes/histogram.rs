//! Histograms of the weights with bins fixed for a whole run, so that
//! epochs can be compared bin by bin.

use serde::{Deserialize, Serialize};

use crate::kernels::Real;

/// Counts of values in `bins` equal bins spanning [-range, range]; values
/// beyond fall in `below` or `above`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// The bins span [-range, range].
    pub range: f64,
    /// The bins' edges, from -range to range: bin i spans `edges[i]` to
    /// `edges[i + 1]` (one more edge than bins).
    #[serde(default)]
    pub edges: Vec<f64>,
    /// Values in each bin.
    pub counts: Vec<u64>,
    /// Values below -range.
    pub below: u64,
    /// Values above range.
    pub above: u64,
}

impl Histogram {
    /// Histogram of `values` over [-range, range] in `bins` bins.
    pub fn of<T: Real>(values: &[T], range: f64, bins: usize) -> Histogram {
        let mut h = Histogram {
            range,
            edges: (0..=bins).map(|i| lower_edge(range, bins, i)).collect(),
            counts: vec![0; bins],
            below: 0,
            above: 0,
        };
        h.add(values);
        h
    }

    fn add<T: Real>(&mut self, values: &[T]) {
        let bins = self.counts.len();
        let width = 2.0 * self.range / bins as f64;
        for &v in values {
            let v = v.as_f64();
            if v < -self.range {
                self.below += 1;
            } else if v > self.range {
                self.above += 1;
            } else {
                let bin = ((v + self.range) / width) as usize;
                self.counts[bin.min(bins - 1)] += 1;
            }
        }
    }

    /// Lower edge of bin `i`.
    pub fn edge(&self, i: usize) -> f64 {
        lower_edge(self.range, self.counts.len(), i)
    }
}

/// The lower edge of bin `i` of `bins` equal bins over [-range, range]
/// (bin `bins` is past the end: its lower edge is range).
fn lower_edge(range: f64, bins: usize, i: usize) -> f64 {
    -range + 2.0 * range * i as f64 / bins as f64
}

/// The range a run's histograms use for a layer: four times the rms of its
/// weights at epoch 0 (so N(0, s^2) weights fill the bins out to 4 s).
pub fn range_for(rms_at_start: f64) -> f64 {
    if rms_at_start > 0.0 {
        4.0 * rms_at_start
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_hand() {
        let h = Histogram::of(&[-3.0f64, -1.0, -0.5, 0.0, 0.49, 0.5, 1.0, 2.5], 1.0, 4);
        // Bins [-1,-0.5) [-0.5,0) [0,0.5) [0.5,1]: the top edge belongs to the last bin.
        assert_eq!(h.counts, vec![1, 1, 2, 2]);
        assert_eq!((h.below, h.above), (1, 1));
        assert_eq!(h.edge(1), -0.5);
    }

    #[test]
    fn edges_and_range_by_hand() {
        // [-2, 2] in 8 bins of 0.5; both ends belong to the end bins.
        let h = Histogram::of(&[-2.0f64, 1.9, 2.0], 2.0, 8);
        assert_eq!(h.counts, vec![1, 0, 0, 0, 0, 0, 0, 2]);
        assert_eq!(h.edge(0), -2.0);
        assert_eq!(h.edge(3), -0.5);
        assert_eq!(h.edge(8), 2.0);
        // Four times the rms; a zero rms (all weights zero) falls back to 1.
        assert_eq!(range_for(0.5), 2.0);
        assert_eq!(range_for(0.0), 1.0);
    }

    #[test]
    fn bins_of_a_range_below_one() {
        // [-0.5, 0.5] in 4 bins of 0.25: the width is 2 range / bins, which
        // a range of 1 or 2 (the tests above) cannot tell from 2 / range / bins.
        let h = Histogram::of(&[-0.3f64, -0.1, 0.05, 0.3, 0.3], 0.5, 4);
        assert_eq!(h.counts, vec![1, 1, 1, 2]);
        assert_eq!((h.below, h.above), (0, 0));
        assert_eq!(h.edge(1), -0.25);
        assert_eq!(h.edge(3), 0.25);
        // The edges the histogram carries are those of edge().
        assert_eq!(h.edges, vec![-0.5, -0.25, 0.0, 0.25, 0.5]);
    }
}
