//! Claim 4: how the decay relates to N(0, 1/n_in) initialization.

use serde::Serialize;

use super::*;
use crate::metrics::EpochRecord;
use crate::run::settle::Settling;
use crate::study::summary::SeedCurve;

/// The first epoch from which `a` stays within `tolerance` below `b`.
pub fn catch_up_within(a: &[f64], b: &[f64], tolerance: f64) -> Option<usize> {
    let n = a.len().min(b.len());
    (0..n).find(|&e| (e..n).all(|k| a[k] >= b[k] - tolerance))
}

/// Claim 4: a layer's settled std "the same" as another's: within this factor.
pub const SAME_SCALE: f64 = 1.1;

/// The base runs of the four kinds, one per seed.
pub struct BaseRuns<'a> {
    pub large_l2: Vec<&'a [EpochRecord]>,
    pub default_l2: Vec<&'a [EpochRecord]>,
    pub large_no_l2: Vec<&'a [EpochRecord]>,
    pub default_no_l2: Vec<&'a [EpochRecord]>,
}

/// How large+L2 compares with one other kind of base run.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub comparator: &'static str,
    /// Validation accuracy at the last epoch both have (mean over seeds).
    pub final_accuracy: f64,
    pub final_saturation: f64,
    /// The first epoch from which large+L2 stays within one point below
    /// it (or above it) to the end of their common epochs.
    pub within_one_point_from: Option<usize>,
    /// The same with "one point" at half and at twice its value.
    pub within_half_a_point_from: Option<usize>,
    pub within_two_points_from: Option<usize>,
}

/// One layer's weight scale after training.
#[derive(Debug, Clone, Serialize)]
pub struct LayerScale {
    pub layer: String,
    pub inv_sqrt_n_in: f64,
    /// std of the layer's weights, over its settled epochs (the last epoch
    /// where not settled), mean over seeds: large+L2 and default+L2.
    pub settled_std_large_l2: f64,
    pub settled_std_default_l2: f64,
    pub large_over_default: f64,
    pub large_over_inv_sqrt_n_in: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Claim4Evidence {
    pub one_point: f64,
    pub init_factor: f64,
    pub same_scale: f64,
    /// The last epoch all four kinds have.
    pub common_epochs: usize,
    pub large_l2_final_accuracy: f64,
    pub large_l2_final_saturation: f64,
    pub comparisons: Vec<Comparison>,
    pub layers: Vec<LayerScale>,
}

/// The mean over seeds of each run's weight std of layer `l`, over its
/// settled epochs (or at its last epoch if it did not settle).
fn settled_std(runs: &[&[EpochRecord]], l: usize) -> f64 {
    let per_run: Vec<f64> = runs
        .iter()
        .map(|r| {
            let start = Settling::of_records(r, Some(l))
                .settled_epoch
                .unwrap_or(r.len() - 1);
            mean(
                &r[start..]
                    .iter()
                    .map(|e| e.weights.layers[l].std)
                    .collect::<Vec<_>>(),
            )
            .unwrap_or(f64::NAN)
        })
        .collect();
    mean(&per_run).unwrap_or(f64::NAN)
}

/// Everything claim 4 is decided on; None without all four kinds of run.
pub fn evidence(runs: &BaseRuns, sizes: &[usize]) -> Option<Claim4Evidence> {
    let kinds = [
        &runs.large_l2,
        &runs.default_l2,
        &runs.large_no_l2,
        &runs.default_no_l2,
    ];
    if kinds.iter().any(|k| k.is_empty()) {
        return None;
    }
    let accuracy = |runs: &[&[EpochRecord]]| SeedCurve::of(runs, |r| r.eval_accuracy).mean;
    let saturation = |runs: &[&[EpochRecord]]| {
        SeedCurve::of(runs, |r| r.saturation.first().copied().unwrap_or(0.0)).mean
    };
    let common = kinds
        .iter()
        .flat_map(|k| k.iter().map(|r| r.len()))
        .min()?
        .checked_sub(1)?;
    let large_accuracy = accuracy(&runs.large_l2);
    let comparisons = [
        (
            "default init, no L2 (the claim's N(0, 1/n_in))",
            &runs.default_no_l2,
        ),
        ("default init with L2", &runs.default_l2),
        ("large init, no L2", &runs.large_no_l2),
    ]
    .into_iter()
    .map(|(comparator, other)| {
        let acc = accuracy(other);
        let within =
            |tolerance| catch_up_within(&large_accuracy[..=common], &acc[..=common], tolerance);
        Comparison {
            comparator,
            final_accuracy: acc[common],
            final_saturation: saturation(other)[common],
            within_one_point_from: within(ONE_POINT),
            within_half_a_point_from: within(ONE_POINT / 2.0),
            within_two_points_from: within(ONE_POINT * 2.0),
        }
    })
    .collect();
    let layers = (0..sizes.len() - 1)
        .map(|l| {
            let inv_sqrt_n_in = theory::inv_sqrt_n_in(sizes[l]);
            let large = settled_std(&runs.large_l2, l);
            let default = settled_std(&runs.default_l2, l);
            LayerScale {
                layer: format!("w{}", l + 1),
                inv_sqrt_n_in,
                settled_std_large_l2: large,
                settled_std_default_l2: default,
                large_over_default: large / default,
                large_over_inv_sqrt_n_in: large / inv_sqrt_n_in,
            }
        })
        .collect();
    Some(Claim4Evidence {
        one_point: ONE_POINT,
        init_factor: INIT_FACTOR,
        same_scale: SAME_SCALE,
        common_epochs: common,
        large_l2_final_accuracy: large_accuracy[common],
        large_l2_final_saturation: saturation(&runs.large_l2)[common],
        comparisons,
        layers,
    })
}

/// Holds if large+L2 comes within one point of the claim's comparator
/// (default init without L2) and every layer's settled std is within
/// `INIT_FACTOR` of 1/sqrt(n_in); partly if it comes within one point, or
/// if every layer settles at default+L2's std (within `SAME_SCALE`: L2
/// erases the start, though not down to N(0, 1/n_in)); fails otherwise.
pub fn decide(e: &Claim4Evidence) -> Verdict {
    decide_at(e, Points::One, e.init_factor, e.same_scale)
}

/// Which "within a point" [`decide_at`] uses.
#[derive(Clone, Copy)]
pub enum Points {
    Half,
    One,
    Two,
}

/// Whether every layer of large+L2 settles where default+L2 does (within
/// `same_scale`: the start erased), and whether every layer ends within
/// `init_factor` of 1/sqrt(n_in).
fn scales(e: &Claim4Evidence, init_factor: f64, same_scale: f64) -> (bool, bool) {
    let within = |ratio: f64, factor: f64| (1.0 / factor..=factor).contains(&ratio);
    (
        e.layers
            .iter()
            .all(|l| within(l.large_over_default, same_scale)),
        e.layers
            .iter()
            .all(|l| within(l.large_over_inv_sqrt_n_in, init_factor)),
    )
}

/// [`decide`] at other thresholds.
pub fn decide_at(e: &Claim4Evidence, points: Points, init_factor: f64, same_scale: f64) -> Verdict {
    let c = &e.comparisons[0];
    let catches_up = match points {
        Points::Half => c.within_half_a_point_from,
        Points::One => c.within_one_point_from,
        Points::Two => c.within_two_points_from,
    }
    .is_some();
    let (start_erased, at_init_scale) = scales(e, init_factor, same_scale);
    if catches_up && at_init_scale {
        Verdict::Holds
    } else if catches_up || start_erased {
        Verdict::Partly
    } else {
        Verdict::Fails
    }
}

/// The answer in two sentences: accuracy against the default start, and
/// the first layer's settled std against 1/sqrt(n_in).
pub fn answer(e: &Claim4Evidence) -> String {
    let mut text = format!(
        "At epoch {}, large init with L2 reaches {:.2}% validation accuracy",
        e.common_epochs,
        100.0 * e.large_l2_final_accuracy
    );
    if let Some(c) = e.comparisons.first() {
        text.push_str(&format!(
            " against {:.2}% for {}",
            100.0 * c.final_accuracy,
            c.comparator
        ));
    }
    text.push('.');
    if let Some(l) = e.layers.first() {
        text.push_str(&format!(
            " Its first layer settles at std {:.3}, {:.2} times where the default start settles and {:.1} times N(0, 1/n_in)'s {:.3}.",
            l.settled_std_large_l2, l.large_over_default, l.large_over_inv_sqrt_n_in, l.inv_sqrt_n_in
        ));
    }
    text
}

/// What the settled scales say: L2 erases the start, and whether it brings
/// the weights to N(0, 1/n_in)'s scale.
pub fn going_on(e: &Claim4Evidence) -> String {
    match scales(e, e.init_factor, e.same_scale) {
        (true, false) => "L2 erases the starting scale (both starts settle at the same std, within the factor), but it does not bring the weights down to N(0, 1/n_in)'s scale: it emulates the good start's result, not its scale.",
        (true, true) => "L2 erases the starting scale and brings every layer to N(0, 1/n_in)'s scale.",
        (false, true) => "Every layer ends near N(0, 1/n_in)'s scale, though the two starts do not settle at the same std.",
        (false, false) => "The two starts do not settle at the same std, and neither is at N(0, 1/n_in)'s scale.",
    }
    .to_string()
}

/// The explanation from the evidence, key number first.
pub fn explain(e: &Claim4Evidence) -> String {
    let mut text = format!(
        "At epoch {} (the last all four kinds of base run have), large init with L2 reaches {:.2}% validation accuracy against ",
        e.common_epochs,
        100.0 * e.large_l2_final_accuracy
    );
    let parts: Vec<String> = e
        .comparisons
        .iter()
        .map(|c| {
            format!(
                "{:.2}% for {}{}",
                100.0 * c.final_accuracy,
                c.comparator,
                match c.within_one_point_from {
                    Some(epoch) => format!(" (within one point from epoch {epoch})"),
                    None => " (never within one point to the end)".into(),
                }
            )
        })
        .collect();
    text.push_str(&parts.join(", "));
    text.push_str(&format!(
        ". Hidden saturation then: {:.0}% with large+L2, ",
        100.0 * e.large_l2_final_saturation
    ));
    let saturations: Vec<String> = e
        .comparisons
        .iter()
        .map(|c| format!("{:.0}% with {}", 100.0 * c.final_saturation, c.comparator))
        .collect();
    text.push_str(&saturations.join(", "));
    text.push_str(". ");
    for l in &e.layers {
        text.push_str(&format!(
            "Layer {}: large+L2 settles at std {:.4}, {:.2} times where default+L2 settles ({:.4}) and {:.1} times 1/sqrt(n_in) = {:.4}. ",
            l.layer,
            l.settled_std_large_l2,
            l.large_over_default,
            l.settled_std_default_l2,
            l.large_over_inv_sqrt_n_in,
            l.inv_sqrt_n_in
        ));
    }
    text.push_str(match scales(e, e.init_factor, e.same_scale) {
        (true, false) => "So L2 erases the starting scale (both starts settle at the same std, within the factor), but does not bring the weights down to N(0, 1/n_in)'s scale.",
        (true, true) => "So L2 erases the starting scale and brings every layer to N(0, 1/n_in)'s scale.",
        (false, true) => "Every layer ends near N(0, 1/n_in)'s scale, though the two starts do not settle at the same std.",
        (false, false) => "The two starts do not settle at the same std, and neither is at N(0, 1/n_in)'s scale.",
    });
    text
}

/// Claim 4, decided from the evidence.
pub fn claim4(runs: &BaseRuns, sizes: &[usize]) -> ClaimResult {
    let statement = "How does this relate to weight initialization using N(0, 1/n_in), where n_in is the number of inputs to a neuron (no regularization)? Perhaps L2 cuts the weights and in doing so emulates the effects of N(0, 1/n_in) initialization.";
    let title = "L2 from a large start emulates N(0, 1/n_in) initialization";
    let Some(e) = evidence(runs, sizes) else {
        return inconclusive(4, title, statement, "base runs missing");
    };
    let explanation = explain(&e);
    ClaimResult {
        id: 4,
        title: title.into(),
        statement: statement.into(),
        verdict: decide(&e),
        about: "accuracy and saturation of the whole network; each layer's settled std".into(),
        evidence: Evidence::Claim4(Box::new(e.clone())),
        answer: answer(&e),
        explanation,
        going_on: Some(going_on(&e)),
        sensitivity: vec![
            Sensitivity {
                threshold: "ONE_POINT".into(),
                value: ONE_POINT,
                verdict_at_half: decide_at(&e, Points::Half, INIT_FACTOR, SAME_SCALE),
                verdict_at_twice: decide_at(&e, Points::Two, INIT_FACTOR, SAME_SCALE),
            },
            Sensitivity::of("INIT_FACTOR", INIT_FACTOR, |f| {
                decide_at(&e, Points::One, f, SAME_SCALE)
            }),
            // Half of a factor 1.1 is a factor 1.05 (half the excess over 1).
            Sensitivity {
                threshold: "SAME_SCALE".into(),
                value: SAME_SCALE,
                verdict_at_half: decide_at(&e, Points::One, INIT_FACTOR, 1.0 + (SAME_SCALE - 1.0) / 2.0),
                verdict_at_twice: decide_at(&e, Points::One, INIT_FACTOR, 1.0 + (SAME_SCALE - 1.0) * 2.0),
            },
        ],
        caveats: vec![
            "Accuracy is compared on the validation set, averaged over seeds, over the epochs every kind of run has (runs without L2 stop at their own epoch count).".into(),
            format!("\"Within one point\" is {:.0} percentage point; a std \"at\" 1/sqrt(n_in) is within a factor {}; \"the same\" settled std within a factor {}.", 100.0 * e.one_point, e.init_factor, e.same_scale),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::claims::synthetic::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn claim4_compares_catch_up_and_scale() {
        let sizes = [784, 30, 10];
        let acc_default = [0.1, 0.90, 0.93, 0.95, 0.96, 0.96];
        let acc_large = [0.1, 0.80, 0.88, 0.93, 0.955, 0.96];
        let acc_no_l2 = [0.1, 0.80, 0.85, 0.88, 0.90, 0.91];
        let f = [1.0; 6];
        // std = rms in the synthetic runs.
        let default = synthetic_run(&[0.036; 6], &f, &acc_default, RHO);
        let large = synthetic_run(&[1.0; 6], &f, &acc_large, RHO);
        let no_l2 = synthetic_run(&[1.0; 6], &f, &acc_no_l2, RHO);
        let runs = |large: &[EpochRecord]| {
            let runs = BaseRuns {
                large_l2: vec![large],
                default_l2: vec![&default],
                large_no_l2: vec![&no_l2],
                default_no_l2: vec![&default],
            };
            (
                evidence(&runs, &sizes).unwrap(),
                claim4(&runs, &sizes).verdict,
            )
        };
        let (e, verdict) = runs(&large);
        // Within one point of default from epoch 4 on (epoch 3: 0.93 vs 0.95).
        assert_eq!(e.comparisons[0].within_one_point_from, Some(4));
        assert_eq!(e.comparisons[2].within_one_point_from, Some(0));
        // Catches up, but std 1 is 28 times 1/sqrt(784).
        assert_abs_diff_eq!(e.layers[0].large_over_inv_sqrt_n_in, 28.0, epsilon = 1e-9);
        assert_eq!(verdict, Verdict::Partly);
        // Every layer near its 1/sqrt(n_in): 1/sqrt(784) = 0.036, 1/sqrt(30) = 0.18.
        let mut small = synthetic_run(&[0.04; 6], &f, &acc_large, RHO);
        small.iter_mut().for_each(|r| r.weights.layers[1].std = 0.2);
        assert_eq!(runs(&small).1, Verdict::Holds);
        // The first layer alone at its scale is not enough.
        let first_only = synthetic_run(&[0.04; 6], &f, &acc_large, RHO);
        assert_eq!(runs(&first_only).1, Verdict::Partly);
        assert_eq!(runs(&no_l2).1, Verdict::Fails);
        // Never catching up, but settling where default+L2 settles: partly.
        let slow_but_same = synthetic_run(&[0.036; 6], &f, &acc_no_l2, RHO);
        let (e, verdict) = runs(&slow_but_same);
        assert_eq!(e.comparisons[0].within_one_point_from, None);
        assert_eq!(verdict, Verdict::Partly);
    }

    #[test]
    fn half_and_twice_a_point_and_a_settled_std_below_the_default_one() {
        let sizes = [784, 30, 10];
        let f = [1.0; 6];
        let default = synthetic_run(&[0.036; 6], &f, &[0.1, 0.9, 0.93, 0.95, 0.96, 0.96], RHO);
        // Below default by 0.1, 0.03, 0.015, 0.007 and 0.002 from epoch 1.
        let large = synthetic_run(&[1.0; 6], &f, &[0.1, 0.8, 0.9, 0.935, 0.953, 0.958], RHO);
        let with_large = |large: &[EpochRecord]| {
            let runs = BaseRuns {
                large_l2: vec![large],
                default_l2: vec![&default],
                large_no_l2: vec![large],
                default_no_l2: vec![&default],
            };
            evidence(&runs, &sizes).unwrap()
        };
        let e = with_large(&large);
        let c = &e.comparisons[0];
        assert_eq!(
            (
                c.within_half_a_point_from,
                c.within_one_point_from,
                c.within_two_points_from
            ),
            (Some(5), Some(4), Some(3))
        );
        // Never catching up, settled at 0.95 times default+L2's std: within
        // SAME_SCALE below it, so the start is erased.
        let slow = synthetic_run(&[0.036 * 0.95; 6], &f, &[0.1; 6], RHO);
        let e = with_large(&slow);
        assert_abs_diff_eq!(e.layers[0].large_over_default, 0.95, epsilon = 1e-12);
        assert_eq!(e.comparisons[0].within_two_points_from, None);
        assert_eq!(decide(&e), Verdict::Partly);
    }
}
