//! Deciding the four claims from measured records, one module per claim.
//! Every function reads numbers out of `EpochRecord`s and compares them
//! with the thresholds below; the explanations are built from the same
//! numbers. What the claims share is here: the thresholds, the verdict,
//! and the measures read off a run (K, the tail-off).

pub mod claim1;
pub mod claim2;
pub mod claim3;
pub mod claim4;
pub(crate) mod synthetic;

pub(crate) use crate::study::summary::mean;
pub use claim1::claim1;
pub use claim2::{claim2, shrink_gap};
pub use claim3::{Claim3Evidence, claim3};
pub use claim4::claim4;

use serde::{Deserialize, Serialize};

use crate::metrics::EpochRecord;
use crate::theory;

/// |f_e| below this: the epoch is dominated by weight decay (claim 1): the
/// gradient's net effect on |w|^2, either way, is under a tenth of the
/// decay's. (A strongly negative f means the gradient shrinks the weights
/// faster than the decay: not decay-dominated.)
pub const DECAY_DOMINATED: f64 = 0.1;
/// f_e at or above this: the decay has tailed off (claim 3).
pub const TAIL_OFF: f64 = 0.5;
/// Claim 1 holds when at least this many leading epochs are decay-dominated.
pub const FIRST_EPOCHS: usize = 2;
/// Claim 2a: decay-only shrink within this relative error of (1 - eta*lambda/n)^S.
pub const PURE_DECAY_TOLERANCE: f64 = 1e-6;
/// Claim 2b: in training, rho_e within this relative error of rho* on the
/// decay-dominated epochs; also where exp(-eta*lambda/m) stops being a good
/// stand-in for rho* (claim 2's "<<").
pub const SHRINK_TOLERANCE: f64 = 0.01;
/// Claim 3: a size "around" a reference is within this factor of it.
pub const SIZE_FACTOR: f64 = 3.0;
/// Claim 3: final accuracy below this means training collapsed.
pub const COLLAPSED_ACCURACY: f64 = 0.90;
/// Claim 4: "within one point" of accuracy.
pub const ONE_POINT: f64 = 0.01;
/// Claim 4: a layer's std "at" 1/sqrt(n_in) is within this factor of it.
pub const INIT_FACTOR: f64 = 2.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Holds,
    Partly,
    Fails,
    Inconclusive,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::Partly => "partly",
            Verdict::Fails => "fails",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// A claim decided.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimResult {
    pub id: u8,
    pub title: String,
    /// The claim as the user stated it.
    pub statement: String,
    pub verdict: Verdict,
    /// Which weights the verdict is about.
    pub about: String,
    /// The numbers and thresholds that decided it.
    pub evidence: Evidence,
    /// One or two sentences that answer the claim with its key number.
    pub answer: String,
    pub explanation: String,
    /// What the measurements say is going on (claims 3 and 4).
    pub going_on: Option<String>,
    pub caveats: Vec<String>,
    /// The verdict again with each threshold at half and at twice its value.
    pub sensitivity: Vec<Sensitivity>,
}

/// A claim's evidence, typed; `claims.json` holds its fields.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Evidence {
    Claim1(Box<claim1::Claim1Evidence>),
    Claim2(Box<claim2::Claim2Evidence>),
    Claim3(Box<claim3::Claim3Evidence>),
    Claim4(Box<claim4::Claim4Evidence>),
    /// Not decided: what was missing.
    Missing {
        missing: String,
    },
}

/// A threshold of a verdict, and the verdict at half and at twice it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// The threshold's name in the code, as the report prints it.
    pub threshold: String,
    pub value: f64,
    pub verdict_at_half: Verdict,
    pub verdict_at_twice: Verdict,
}

impl Sensitivity {
    /// `threshold` = `value`, with `decide` giving the verdict at another value.
    pub fn of(threshold: &str, value: f64, decide: impl Fn(f64) -> Verdict) -> Sensitivity {
        Sensitivity {
            threshold: threshold.into(),
            value,
            verdict_at_half: decide(value / 2.0),
            verdict_at_twice: decide(value * 2.0),
        }
    }
}

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

/// K: the number of leading epochs (from epoch 1) with |f_e| < 0.1.
pub fn decay_dominated_epochs(records: &[EpochRecord], layer: Option<usize>) -> usize {
    leading_epochs_below(records, layer, DECAY_DOMINATED)
}

/// The number of leading epochs (from epoch 1) with |f_e| < `cutoff`.
pub fn leading_epochs_below(records: &[EpochRecord], layer: Option<usize>, cutoff: f64) -> usize {
    records
        .iter()
        .skip(1)
        .take_while(|r| offset_fraction(r, layer).is_some_and(|f| f.abs() < cutoff))
        .count()
}

/// Where the decay tails off: the first epoch T with f_T >= 0.5, as a
/// fractional epoch (linear in f between T-1 and T, f_0 taken as 0), and the
/// rms there (interpolated in log rms).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TailOff {
    /// The first whole epoch with f >= 0.5.
    pub epoch: usize,
    /// The crossing, interpolated.
    pub at: f64,
    pub size: f64,
}

pub fn tail_off(records: &[EpochRecord], layer: Option<usize>) -> Option<TailOff> {
    let mut previous_f: f64 = 0.0;
    for (e, record) in records.iter().enumerate().skip(1) {
        let f = offset_fraction(record, layer)?;
        if f >= TAIL_OFF {
            // f_{T-1} < 0.5 <= f_T, so 0 < t <= 1; a NaN f_{T-1} (a run
            // that diverged) puts the crossing at T.
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

pub(crate) fn layer_name(l: usize, layers: usize) -> String {
    if l + 1 == layers {
        format!("w^{} (output layer)", l + 1)
    } else {
        format!("w^{} (hidden layer {})", l + 1, l + 1)
    }
}

pub(crate) fn inconclusive(id: u8, title: &str, statement: &str, why: &str) -> ClaimResult {
    ClaimResult {
        id,
        title: title.into(),
        statement: statement.into(),
        verdict: Verdict::Inconclusive,
        about: String::new(),
        evidence: Evidence::Missing {
            missing: why.into(),
        },
        answer: format!("Not decided: {why}."),
        explanation: format!("Not decided: {why}."),
        going_on: None,
        caveats: Vec::new(),
        sensitivity: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use synthetic::*;

    #[test]
    fn tail_off_is_interpolated() {
        let rms = [1.0, 0.8, 0.6, 0.4, 0.3];
        let run = synthetic_run(&rms, &[0.0, 0.2, 0.4, 0.6, 0.8], &[0.9; 5], RHO);
        let t = tail_off(&run, None).unwrap();
        assert_eq!(t.epoch, 3);
        assert_abs_diff_eq!(t.at, 2.5, epsilon = 1e-12);
        assert_abs_diff_eq!(t.size, (0.6f64 * 0.4).sqrt(), epsilon = 1e-12);
        assert!(tail_off(&pure_decay(5), None).is_none());
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
        assert_eq!(decay_dominated_epochs(&run, None), 2);
    }

    #[test]
    fn sensitivity_decides_at_half_and_at_twice_the_threshold() {
        // Holds below 0.3: at 0.25 (half of 0.5) it holds, at 1.0 not.
        let s = Sensitivity::of("CUTOFF", 0.5, |t| {
            if t < 0.3 {
                Verdict::Holds
            } else {
                Verdict::Fails
            }
        });
        assert_eq!(s.threshold, "CUTOFF");
        assert_eq!(s.value, 0.5);
        assert_eq!(s.verdict_at_half, Verdict::Holds);
        assert_eq!(s.verdict_at_twice, Verdict::Fails);
        let above = Sensitivity::of("CUTOFF", 0.5, |t| {
            if t > 0.9 {
                Verdict::Holds
            } else {
                Verdict::Fails
            }
        });
        assert_eq!(above.verdict_at_twice, Verdict::Holds);
    }
}
