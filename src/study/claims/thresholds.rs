//! The named thresholds the claims are decided with: one source for each,
//! and the rule that gives its value at half and at twice for the
//! sensitivity tables.

use serde::{Deserialize, Serialize};

/// A threshold of a decision, by name. `claims.json` writes the names as
/// the constants below; the report says them in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Threshold {
    /// |f_e| below it: the epoch is dominated by weight decay (claim 1).
    DecayDominated,
    /// Claim 1 holds with at least this many leading decay-dominated epochs.
    FirstEpochs,
    /// An epoch's change is sideways when |cos(change, -w)| is below it
    /// (claim 1).
    SidewaysCosine,
    /// Decay-only shrink within this relative error of (1 - eta*lambda/n)^S
    /// (claim 2a).
    PureDecayTolerance,
    /// Training's shrink within this relative error of rho* (claim 2b).
    ShrinkTolerance,
    /// A size "around" a reference is within this factor of it (claim 3).
    SizeFactor,
    /// Final accuracy below it: training collapsed (claim 3).
    CollapsedAccuracy,
    /// The noise law's intercept (|w|^2 as eta/m -> 0) within this relative
    /// difference of the L2 optimum's |w*|^2: the optimum sets the size
    /// (claim 3).
    OptimumMatch,
    /// The intercept below this share of |w|^2 at the base eta/m (its 95%
    /// interval's top): the size lives on the noise, a balance of decay
    /// against noise (claim 3).
    BalanceShare,
    /// Branches with the same eta/m and other eta and m settle within this
    /// relative difference: eta/m alone sets the noise's effect (claim 3).
    EqualRatioTolerance,
    /// "Within one point" of accuracy (claim 4).
    OnePoint,
    /// The epochs counted as early, from epoch 1, where N(0, 1/n_in)'s
    /// start learns fastest (claim 4).
    EarlyEpochs,
    /// Saturation "no higher" than another run's within this many
    /// percentage points, as a fraction (claim 4).
    SaturationGap,
    /// A layer's std "at" 1/sqrt(n_in) is within this factor of it (claim 4).
    InitFactor,
    /// Two settled stds "the same" within this factor (claim 4).
    SameScale,
    /// A fitted exponent "is" a picture's predicted one within this
    /// absolute difference (claim 4's fan-in against input norm).
    ExponentTolerance,
}

/// How a threshold is taken at half and at twice its value.
#[cfg(test)]
impl Threshold {
    /// Every threshold (for the tests that go through them all).
    pub const ALL: [Threshold; 16] = [
        Threshold::DecayDominated,
        Threshold::FirstEpochs,
        Threshold::SidewaysCosine,
        Threshold::PureDecayTolerance,
        Threshold::ShrinkTolerance,
        Threshold::SizeFactor,
        Threshold::CollapsedAccuracy,
        Threshold::OptimumMatch,
        Threshold::BalanceShare,
        Threshold::EqualRatioTolerance,
        Threshold::OnePoint,
        Threshold::EarlyEpochs,
        Threshold::SaturationGap,
        Threshold::InitFactor,
        Threshold::SameScale,
        Threshold::ExponentTolerance,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scaling {
    /// The value itself halved and doubled.
    Value,
    /// A count: halved and doubled, rounded down.
    Count,
    /// A factor near 1: its excess over 1 halved and doubled (1.1 gives
    /// 1.05 and 1.2).
    ExcessOverOne,
}

/// Every threshold's value. `Thresholds::default()` holds the study's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// See [`Threshold::DecayDominated`].
    pub decay_dominated: f64,
    /// See [`Threshold::FirstEpochs`].
    pub first_epochs: usize,
    /// See [`Threshold::SidewaysCosine`].
    pub sideways_cosine: f64,
    /// See [`Threshold::PureDecayTolerance`].
    pub pure_decay_tolerance: f64,
    /// See [`Threshold::ShrinkTolerance`].
    pub shrink_tolerance: f64,
    /// See [`Threshold::SizeFactor`].
    pub size_factor: f64,
    /// See [`Threshold::CollapsedAccuracy`].
    pub collapsed_accuracy: f64,
    /// See [`Threshold::OptimumMatch`].
    pub optimum_match: f64,
    /// See [`Threshold::BalanceShare`].
    pub balance_share: f64,
    /// See [`Threshold::EqualRatioTolerance`].
    pub equal_ratio_tolerance: f64,
    /// See [`Threshold::OnePoint`].
    pub one_point: f64,
    /// See [`Threshold::EarlyEpochs`].
    pub early_epochs: usize,
    /// See [`Threshold::SaturationGap`].
    pub saturation_gap: f64,
    /// See [`Threshold::InitFactor`].
    pub init_factor: f64,
    /// See [`Threshold::SameScale`].
    pub same_scale: f64,
    /// See [`Threshold::ExponentTolerance`].
    pub exponent_tolerance: f64,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            decay_dominated: 0.1,
            first_epochs: 2,
            sideways_cosine: 0.5,
            pure_decay_tolerance: 1e-6,
            shrink_tolerance: 0.01,
            size_factor: 3.0,
            collapsed_accuracy: crate::study::equilibrium::COLLAPSED_ACCURACY,
            optimum_match: 0.05,
            balance_share: 0.2,
            equal_ratio_tolerance: 0.02,
            one_point: 0.01,
            early_epochs: 3,
            saturation_gap: 0.05,
            init_factor: 2.0,
            same_scale: 1.1,
            exponent_tolerance: 0.15,
        }
    }
}

impl Threshold {
    fn scaling(self) -> Scaling {
        match self {
            Threshold::FirstEpochs | Threshold::EarlyEpochs => Scaling::Count,
            Threshold::SameScale => Scaling::ExcessOverOne,
            _ => Scaling::Value,
        }
    }
}

impl Thresholds {
    /// The value of `threshold`.
    pub fn get(&self, threshold: Threshold) -> f64 {
        match threshold {
            Threshold::DecayDominated => self.decay_dominated,
            Threshold::FirstEpochs => self.first_epochs as f64,
            Threshold::SidewaysCosine => self.sideways_cosine,
            Threshold::PureDecayTolerance => self.pure_decay_tolerance,
            Threshold::ShrinkTolerance => self.shrink_tolerance,
            Threshold::SizeFactor => self.size_factor,
            Threshold::CollapsedAccuracy => self.collapsed_accuracy,
            Threshold::OptimumMatch => self.optimum_match,
            Threshold::BalanceShare => self.balance_share,
            Threshold::EqualRatioTolerance => self.equal_ratio_tolerance,
            Threshold::OnePoint => self.one_point,
            Threshold::EarlyEpochs => self.early_epochs as f64,
            Threshold::SaturationGap => self.saturation_gap,
            Threshold::InitFactor => self.init_factor,
            Threshold::SameScale => self.same_scale,
            Threshold::ExponentTolerance => self.exponent_tolerance,
        }
    }

    /// These thresholds with `threshold` set to `value`.
    pub fn with(mut self, threshold: Threshold, value: f64) -> Thresholds {
        let slot = match threshold {
            Threshold::DecayDominated => &mut self.decay_dominated,
            Threshold::FirstEpochs => {
                self.first_epochs = value as usize;
                return self;
            }
            Threshold::SidewaysCosine => &mut self.sideways_cosine,
            Threshold::PureDecayTolerance => &mut self.pure_decay_tolerance,
            Threshold::ShrinkTolerance => &mut self.shrink_tolerance,
            Threshold::SizeFactor => &mut self.size_factor,
            Threshold::CollapsedAccuracy => &mut self.collapsed_accuracy,
            Threshold::OptimumMatch => &mut self.optimum_match,
            Threshold::BalanceShare => &mut self.balance_share,
            Threshold::EqualRatioTolerance => &mut self.equal_ratio_tolerance,
            Threshold::OnePoint => &mut self.one_point,
            Threshold::EarlyEpochs => {
                self.early_epochs = value as usize;
                return self;
            }
            Threshold::SaturationGap => &mut self.saturation_gap,
            Threshold::InitFactor => &mut self.init_factor,
            Threshold::SameScale => &mut self.same_scale,
            Threshold::ExponentTolerance => &mut self.exponent_tolerance,
        };
        *slot = value;
        self
    }

    /// These thresholds with `threshold` at `by` (1/2 or 2) times its value,
    /// as its kind scales: a count rounded down, a factor near 1 by its
    /// excess over 1.
    pub fn scaled(self, threshold: Threshold, by: f64) -> Thresholds {
        let value = self.get(threshold);
        let scaled = match threshold.scaling() {
            Scaling::Value => value * by,
            Scaling::Count => (value * by).floor(),
            Scaling::ExcessOverOne => 1.0 + (value - 1.0) * by,
        };
        self.with(threshold, scaled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_scale_by_their_kind() {
        let t = Thresholds::default();
        assert_eq!(
            t.scaled(Threshold::DecayDominated, 0.5).decay_dominated,
            0.05
        );
        assert_eq!(t.scaled(Threshold::SizeFactor, 2.0).size_factor, 6.0);
        assert_eq!(t.scaled(Threshold::FirstEpochs, 0.5).first_epochs, 1);
        assert_eq!(t.scaled(Threshold::FirstEpochs, 2.0).first_epochs, 4);
        approx::assert_relative_eq!(t.scaled(Threshold::SameScale, 0.5).same_scale, 1.05);
        approx::assert_relative_eq!(t.scaled(Threshold::SameScale, 2.0).same_scale, 1.2);
        // Only the named one changes.
        let other = t.scaled(Threshold::OnePoint, 2.0);
        assert_eq!(other.with(Threshold::OnePoint, t.one_point), t);
    }

    #[test]
    fn every_threshold_is_read_and_written_by_its_name() {
        for threshold in Threshold::ALL {
            let t = Thresholds::default().with(threshold, 7.0);
            assert_eq!(t.get(threshold), 7.0, "{threshold:?}");
            assert_ne!(Thresholds::default().get(threshold), 7.0);
        }
        let json = serde_json::to_string(&Threshold::PureDecayTolerance).unwrap();
        assert_eq!(json, "\"PURE_DECAY_TOLERANCE\"");
    }
}
