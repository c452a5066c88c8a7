//! The question's own comments, measured: is the mean gradient (1/m) sum
//! dC_x/dw near 0 in the first epochs, and does saturation explain it? Does
//! the decay term vanish later, or is it balanced by the gradient?

use crate::metrics::EpochRecord;
use crate::study::claims::claim1::Claim1Evidence;
use crate::study::measures::offset_fraction;

/// The decay's share of |w|^2 removed per epoch counts as unchanged between
/// epoch 1 and the last epoch while the two are within this relative
/// difference of each other.
pub const DECAY_UNCHANGED: f64 = 0.2;

/// Epoch 1's mean gradient and saturation, large start against N(0, 1/n_in).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SmallGradient {
    /// |(1/m) sum dC_x/dw| of the hidden layer in epoch 1, large init.
    pub gradient_large: f64,
    /// The same with default init.
    pub gradient_default: f64,
    /// The share of (example, hidden neuron) pairs saturated, large init.
    pub saturation_large: f64,
    /// The same with default init.
    pub saturation_default: f64,
    /// The large start's gradient is the smaller.
    pub smaller: bool,
    /// ... and its saturation the larger: saturation goes with the small
    /// gradient, as the comment says.
    pub saturation_goes_with_it: bool,
}

/// The decay term in epoch 1 and at the end of a large-init run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecayBalanced {
    /// The share of |w|^2 the decay removed in epoch 1.
    pub removed_first: f64,
    /// The share it removed in the last epoch.
    pub removed_last: f64,
    /// The last epoch.
    pub last_epoch: usize,
    /// The offset fraction there: the share of the decay's shrinkage the
    /// gradient gave back.
    pub f_last: f64,
    /// The two shares are within `DECAY_UNCHANGED` of each other.
    pub decay_unchanged: bool,
}

/// The comments' measurements (None where a run or a probe is missing).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Comments {
    /// Is the gradient small in the first epochs, and why?
    pub small_gradient: Option<SmallGradient>,
    /// Does the decay vanish later?
    pub decay_balanced: Option<DecayBalanced>,
}

/// The share of |w|^2 the decay removed in epoch `e`: -decay_e / |w_{e-1}|^2.
fn removed(records: &[EpochRecord], e: usize) -> Option<f64> {
    let previous = &records.get(e.checked_sub(1)?)?.weights.all;
    let norm_sq = previous.rms.powi(2) * previous.count as f64;
    Some(-records.get(e)?.dynamics.as_ref()?.budget.all.decay / norm_sq)
}

/// The comments from claim 1's epoch-1 means and the first large-init run
/// with L2 (`large`).
pub fn of(claim1: Option<&Claim1Evidence>, large: Option<&[EpochRecord]>) -> Comments {
    let small_gradient = claim1.and_then(|e| {
        let (gl, gd) = (
            e.gradient_signal_hidden_epoch1_large?,
            e.gradient_signal_hidden_epoch1_default?,
        );
        let (sl, sd) = (e.saturation_epoch1_large?, e.saturation_epoch1_default?);
        Some(SmallGradient {
            gradient_large: gl,
            gradient_default: gd,
            saturation_large: sl,
            saturation_default: sd,
            smaller: gl < gd,
            saturation_goes_with_it: gl < gd && sl > sd,
        })
    });
    let decay_balanced = large.and_then(|run| {
        let last = run.len().checked_sub(1)?;
        let (first, end) = (removed(run, 1)?, removed(run, last)?);
        Some(DecayBalanced {
            removed_first: first,
            removed_last: end,
            last_epoch: last,
            f_last: offset_fraction(&run[last], None)?,
            decay_unchanged: (end / first - 1.0).abs() < DECAY_UNCHANGED,
        })
    });
    Comments {
        small_gradient,
        decay_balanced,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::synthetic::*;

    #[test]
    fn the_decay_is_unchanged_within_its_threshold() {
        // Synthetic decay -1 per epoch on |w|^2 = rms^2 * 100.
        let run = synthetic_run(&[0.1, 0.1, 0.1, 0.1], &[0.0, 0.5, 0.9, 1.0], &[0.9; 4], RHO);
        let c = of(None, Some(&run));
        let d = c.decay_balanced.unwrap();
        assert_eq!((d.last_epoch, d.f_last), (3, 1.0));
        approx::assert_relative_eq!(d.removed_first, 1.0);
        assert!(d.decay_unchanged);
        // The weights at the end 1.2 times larger: |w|^2 1.44 times, the
        // share removed 1/1.44 of the first: changed.
        let mut grown = run.clone();
        grown[2].weights.all.rms = 0.12;
        assert!(
            !of(None, Some(&grown))
                .decay_balanced
                .unwrap()
                .decay_unchanged
        );
        assert_eq!(of(None, Some(&run[..1])).decay_balanced, None);
        assert_eq!(of(None, None), Comments::default());
    }

    #[test]
    fn a_small_gradient_goes_with_saturation_only_when_both_hold() {
        let run = synthetic_run(&[0.1; 3], &[0.0, 0.05, 0.05], &[0.9; 3], RHO);
        let t = crate::study::claims::Thresholds::default();
        let mut e = crate::study::claims::claim1::evidence(&[&run], &[&run], &[], &t).unwrap();
        let mut with = |gl: f64, gd: f64, sl: f64, sd: f64| {
            e.gradient_signal_hidden_epoch1_large = Some(gl);
            e.gradient_signal_hidden_epoch1_default = Some(gd);
            e.saturation_epoch1_large = Some(sl);
            e.saturation_epoch1_default = Some(sd);
            let g = of(Some(&e), None).small_gradient.unwrap();
            (g.smaller, g.saturation_goes_with_it)
        };
        assert_eq!(with(0.1, 0.3, 0.6, 0.1), (true, true));
        // Equal gradients: not smaller; equal saturation: not "more".
        assert_eq!(with(0.3, 0.3, 0.6, 0.1), (false, false));
        assert_eq!(with(0.1, 0.3, 0.1, 0.1), (true, false));
        assert_eq!(with(0.4, 0.3, 0.6, 0.1), (false, false));
        assert_eq!(with(0.1, 0.3, 0.05, 0.1), (true, false));
        e.saturation_epoch1_default = None;
        assert_eq!(of(Some(&e), None).small_gradient, None);
    }

    #[test]
    fn the_decay_is_unchanged_inside_its_threshold_only() {
        // The last epoch removes 1/1.2 of what the first removed: the
        // relative difference is 1/6, inside 0.2; 1/1.3 is 0.23 off.
        // rms 0.2: the first epoch removes 1/4 of |w|^2 = 4, so that a
        // ratio of the two shares differs from their product.
        let mut run = synthetic_run(&[0.2; 4], &[0.0, 0.5, 0.9, 1.0], &[0.9; 4], RHO);
        run[2].weights.all.rms = 0.2 * 1.2f64.sqrt();
        assert!(of(None, Some(&run)).decay_balanced.unwrap().decay_unchanged);
        run[2].weights.all.rms = 0.2 * 1.3f64.sqrt();
        let d = of(None, Some(&run)).decay_balanced.unwrap();
        approx::assert_relative_eq!(
            d.removed_last / d.removed_first,
            1.0 / 1.3,
            max_relative = 1e-12
        );
        assert!(!d.decay_unchanged);
    }
}
