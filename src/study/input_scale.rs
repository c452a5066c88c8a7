//! Fan-in against input scale: what sets the size the first layer settles
//! at.
//!
//! Pooling the images to change n_in also changes their norm |x| (the rms
//! length of an input vector), so over the scaling grid the two cannot be
//! told apart. The fan-in runs (`plan::INPUT_SCALES`) separate them: at
//! n_in 784 the inputs are scaled (x -> c x, |x| changes alone), and pooled
//! images are rescaled to the unpooled |x| (n_in changes alone). The first
//! layer's settled rms is fitted as
//!
//! ```text
//! rms(w^1) = A |x|^a n_in^b
//! ```
//!
//! by least squares on the logs, one point per configuration (its seeds'
//! log sizes averaged), |x| as measured on the evaluation set. Two
//! pictures predict the exponents:
//!
//! - **input norm**: the layer settles at a fixed scale of its weighted
//!   inputs w . x, so rms ~ 1/|x|: a = -1, b = 0;
//! - **fan-in**: it settles at a multiple of N(0, 1/n_in)'s scale, so rms ~
//!   1/sqrt(n_in) whatever |x|: a = 0, b = -1/2.
//!
//! The size fitted is that of the weights from the **live** inputs (see
//! `probes::LiveInputs`): the always-blank pixels' weights only decay, and
//! there are 67 of 784 of them but 8 of 196 and none of 49, which would
//! lend the fit a fan-in trend of its own. The fit over every input's
//! weights is kept beside it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::equilibrium::{Exponent, SettledEntry, configuration};
use super::fit;
use crate::net::Layer;

/// One configuration of the fan-in runs: means over its seeds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScalePoint {
    /// The runs' name without the seed.
    pub configuration: String,
    pub n_in: usize,
    /// The rms input norm |x| over the evaluation set.
    pub input_norm: f64,
    /// The first layer's settled rms over the weights from live inputs.
    pub size_live: f64,
    /// The same over every input's weights (blank ones included).
    pub size_all: f64,
    /// Inputs blank in every training image.
    pub blank_inputs: usize,
    /// size_live * |x|: the rms of a weighted input w_j . x if the weights
    /// and the input were unaligned; the same at every point under the
    /// input-norm picture.
    pub size_times_input_norm: f64,
    /// size_live * sqrt(n_in): the same at every point under the fan-in
    /// picture.
    pub size_times_sqrt_n_in: f64,
    pub seeds: usize,
}

/// The exponents a (of |x|) and b (of n_in) of one fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ScaleFit {
    pub input_norm: Exponent,
    pub n_in: Exponent,
    /// rms of the fit's residuals in log size: how well a power law in
    /// |x| and n_in describes the points at all.
    pub residual_rms: f64,
}

/// The fan-in experiment's result (`claims.json`'s `input_scale`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputScaleLaw {
    /// The fit of the live inputs' weights: what the picture is decided on.
    pub live: ScaleFit,
    /// The fit of every input's weights.
    pub all_inputs: ScaleFit,
    /// By increasing n_in, then |x|.
    pub points: Vec<ScalePoint>,
    /// Configurations left out: some seed did not settle or collapsed.
    pub left_out: usize,
}

/// The fan-in law from the first layer's entries of the `settled` table
/// whose runs are in `members`; None if fewer than four configurations
/// settled (three parameters need a fourth point to have an interval), or
/// if their records lack the live inputs' sizes.
pub fn input_scale_law(settled: &[SettledEntry], members: &[&str]) -> Option<InputScaleLaw> {
    let mut groups: BTreeMap<&str, Vec<&SettledEntry>> = BTreeMap::new();
    for e in settled
        .iter()
        .filter(|e| e.layer == Layer::FIRST && members.contains(&e.run.as_str()))
    {
        groups.entry(configuration(&e.run)).or_default().push(e);
    }
    let usable = |g: &[&SettledEntry]| g.iter().all(|e| e.settled && !e.collapsed);
    let left_out = groups.values().filter(|g| !usable(g)).count();
    let mut points = Vec::new();
    for (name, group) in groups.iter().filter(|(_, g)| usable(g)) {
        let k = group.len() as f64;
        // Geometric means over the seeds (the fit is in logs).
        let log_mean = |value: &dyn Fn(&SettledEntry) -> Option<f64>| -> Option<f64> {
            let logs: Option<Vec<f64>> = group.iter().map(|e| value(e).map(f64::ln)).collect();
            Some((logs?.iter().sum::<f64>() / k).exp())
        };
        let size_live = log_mean(&|e| e.size_live_inputs)?;
        let input_norm = log_mean(&|e| e.input_norm)?;
        let n_in = group[0].n_in;
        points.push(ScalePoint {
            configuration: name.to_string(),
            n_in,
            input_norm,
            size_live,
            size_all: log_mean(&|e| Some(e.size))?,
            blank_inputs: group[0].blank_inputs?,
            size_times_input_norm: size_live * input_norm,
            size_times_sqrt_n_in: size_live * (n_in as f64).sqrt(),
            seeds: group.len(),
        });
    }
    points.sort_by(|p, q| {
        p.n_in
            .cmp(&q.n_in)
            .then(p.input_norm.total_cmp(&q.input_norm))
    });
    Some(InputScaleLaw {
        live: scale_fit(&points, |p| p.size_live)?,
        all_inputs: scale_fit(&points, |p| p.size_all)?,
        points,
        left_out,
    })
}

/// log size = log A + a log|x| + b log n_in over `points`; None if they do
/// not determine it with an interval.
fn scale_fit(points: &[ScalePoint], size: fn(&ScalePoint) -> f64) -> Option<ScaleFit> {
    if points.len() < 4 {
        return None;
    }
    let rows: Vec<Vec<f64>> = points
        .iter()
        .map(|p| vec![p.input_norm.ln(), (p.n_in as f64).ln()])
        .collect();
    let y: Vec<f64> = points.iter().map(|p| size(p).ln()).collect();
    let f = fit::ols(&rows, &y)?;
    let exponent = |c: &fit::Coefficient| Exponent {
        value: c.estimate,
        low: c.low,
        high: c.high,
    };
    let residual_sq: f64 = rows
        .iter()
        .zip(&y)
        .map(|(x, y)| {
            let predicted = f.coefficients[0].estimate
                + x[0] * f.coefficients[1].estimate
                + x[1] * f.coefficients[2].estimate;
            (y - predicted).powi(2)
        })
        .sum();
    Some(ScaleFit {
        input_norm: exponent(&f.coefficients[1]),
        n_in: exponent(&f.coefficients[2]),
        residual_rms: (residual_sq / rows.len() as f64).sqrt(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::Init;
    use approx::assert_abs_diff_eq;

    /// A settled first-layer entry of `config` at `seed`.
    fn entry(config: &str, seed: u64, n_in: usize, norm: f64, live: f64) -> SettledEntry {
        SettledEntry {
            run: format!("{config}-s{seed}"),
            layer: Layer::FIRST,
            init: Init::Default,
            width: 30,
            n_in,
            n_w: 30 * (n_in + 10),
            eta: 0.1,
            lambda: 5.0,
            seed,
            settled: true,
            settled_epoch: Some(30),
            size: 0.95 * live,
            size_extrapolated: None,
            size_live_inputs: Some(live),
            blank_inputs: Some(if n_in == 784 { 67 } else { 0 }),
            spread: Some(0.001),
            epochs: 40,
            input_norm: Some(norm),
            size_times_input_norm: Some(norm * 0.95 * live),
            final_accuracy: 0.96,
            collapsed: false,
        }
    }

    /// The five configurations of the plan, three seeds each, whose live
    /// size is 2 |x|^a n_in^b, wobbling by exp(+-0.01) over the seeds.
    fn entries(a: f64, b: f64) -> Vec<SettledEntry> {
        let configurations = [
            ("input-in784-x0.5", 784, 4.7),
            ("base-default-l2", 784, 9.4),
            ("input-in784-x2", 784, 18.8),
            ("input-in196-x2.165", 196, 9.38),
            ("input-in49-x5.043", 49, 9.39),
        ];
        // Each configuration off the law by a little, so the fit has residuals.
        let off = [0.004, -0.003, 0.0, 0.002, -0.004];
        let mut entries = Vec::new();
        for ((name, n_in, norm), off) in configurations.into_iter().zip(off) {
            let size = 2.0 * f64::powf(norm, a) * (n_in as f64).powf(b) * f64::exp(off);
            for (seed, wobble) in [(1, -0.01), (2, 0.0), (3, 0.01)] {
                entries.push(entry(name, seed, n_in, norm, size * f64::exp(wobble)));
            }
        }
        entries
    }

    fn members(entries: &[SettledEntry]) -> Vec<&str> {
        entries.iter().map(|e| e.run.as_str()).collect()
    }

    #[test]
    fn the_exponents_of_norm_and_fan_in_are_recovered() {
        for (a, b) in [(-1.0, 0.0), (0.0, -0.5), (-0.4, -0.1)] {
            let entries = entries(a, b);
            let law = input_scale_law(&entries, &members(&entries)).expect("five points");
            let (norm, fan_in) = (law.live.input_norm, law.live.n_in);
            assert_abs_diff_eq!(norm.value, a, epsilon = 0.01);
            assert_abs_diff_eq!(fan_in.value, b, epsilon = 0.01);
            assert!(norm.low < a && a < norm.high, "{norm:?}");
            assert!(fan_in.low < b && b < fan_in.high, "{fan_in:?}");
            // Every-input sizes are 0.95 of the live ones: the same exponents.
            assert_abs_diff_eq!(law.all_inputs.n_in.value, fan_in.value, epsilon = 1e-9);
            assert_eq!(law.points.len(), 5);
            assert!(law.live.residual_rms > 0.0 && law.live.residual_rms < 0.004);
            // Sorted by n_in, then |x|; seeds averaged.
            assert_eq!(law.points[0].n_in, 49);
            assert_eq!(law.points[2].configuration, "input-in784-x0.5");
            assert_eq!(law.points[0].seeds, 3);
        }
    }

    #[test]
    fn a_configuration_with_an_unsettled_seed_is_left_out_and_non_members_ignored() {
        let mut entries = entries(-1.0, 0.0);
        entries[3].settled = false; // base-default-l2, seed 1
        let mut other = entry("scale-large-w30-in196", 1, 196, 4.3, 1.0);
        other.size_live_inputs = Some(100.0);
        let names: Vec<String> = entries.iter().map(|e| e.run.clone()).collect();
        entries.push(other);
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let law = input_scale_law(&entries, &names).expect("four points");
        assert_eq!((law.points.len(), law.left_out), (4, 1));
        assert_abs_diff_eq!(law.live.input_norm.value, -1.0, epsilon = 0.01);
        // Three points cannot give an interval.
        let mut three = entries.clone();
        three.retain(|e| !e.run.starts_with("input-in49"));
        assert_eq!(input_scale_law(&three, &names), None);
    }
}
