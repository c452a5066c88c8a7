//! Claim 3's "what is going on": what the noise law says sets each
//! layer's settled size, decided from its line of |w|^2 against eta/m
//! (`study::noise_law`) and the L2 optimum.

use serde::Serialize;

use crate::net::Layer;
use crate::study::claims::Thresholds;
use crate::study::noise_law::NoiseLaw;

/// What the noise law says sets a layer's settled size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SizeSetBy {
    /// As eta/m -> 0 the size goes to the L2 optimum's (within the
    /// `OptimumMatch`): the optimum sets it, the noise moves it.
    Optimum,
    /// As eta/m -> 0 less than the `BalanceShare` of the size is left: the
    /// noise holds it up against the decay.
    Noise,
    /// Neither picture fits (or the optimum was not found).
    Neither,
}

/// Which way the noise moves the size: the sign of the slope in eta/m,
/// where its 95% interval excludes 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoiseMoves {
    Up,
    Down,
    /// The interval contains 0.
    Undetected,
}

/// The noise law's test of one layer at one lambda.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NoiseTest {
    pub layer: Layer,
    pub lambda: f64,
    pub set_by: SizeSetBy,
    pub moves: NoiseMoves,
    /// The intercept over the optimum's |w*|^2 (None without an optimum).
    pub intercept_over_optimum: Option<f64>,
    /// The intercept's share of |w|^2 at the base eta/m.
    pub intercept_share: f64,
    /// The intercept is the parabola's: the line's curvature is
    /// significant (see `NoiseLaw::intercept`).
    pub curved: bool,
    /// Branches of equal eta/m settle within the `EqualRatioTolerance`
    /// (None without such branches).
    pub eta_over_m_alone: Option<bool>,
}

/// Decide what sets the size of `law`'s layer at its lambda, from its
/// intercept (the parabola's where the line is curved, the line's
/// otherwise) against the optimum and against the size at the base eta/m.
pub fn noise_test(law: &NoiseLaw, base_eta_over_m: f64, t: &Thresholds) -> NoiseTest {
    let at_base = law.at(base_eta_over_m);
    let intercept = law.intercept();
    let intercept_over_optimum = law.optimum_sq.map(|o| intercept.value / o);
    let set_by = if intercept_over_optimum.is_some_and(|r| (r - 1.0).abs() <= t.optimum_match) {
        SizeSetBy::Optimum
    } else if intercept.high < t.balance_share * at_base {
        SizeSetBy::Noise
    } else {
        SizeSetBy::Neither
    };
    let moves = if law.slope_low > 0.0 {
        NoiseMoves::Up
    } else if law.slope_high < 0.0 {
        NoiseMoves::Down
    } else {
        NoiseMoves::Undetected
    };
    NoiseTest {
        layer: law.layer,
        lambda: law.lambda,
        set_by,
        moves,
        intercept_over_optimum,
        intercept_share: intercept.value / at_base,
        curved: intercept.curved,
        eta_over_m_alone: law
            .equal_ratio_gap
            .map(|gap| gap <= t.equal_ratio_tolerance),
    }
}
