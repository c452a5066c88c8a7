//! The architecture's law as form and prefactor. The book's "1/sqrt(n_w)"
//! is read as rms(all weights) = A n_w^b: the **form** is the exponent b
//! (fitted over the scaling grid, against -1 for the claim's 1/n_w and -1/2
//! for the book's 1/sqrt(n_w)), the **prefactor** is A = rms sqrt(n_w)
//! (1 for the book's size itself), measured at each lambda on the base
//! network.

use serde::Serialize;

use super::equilibrium::{Exponent, Predictor, SettledEntry, SizeFit, find_fit};
use super::plan;
use crate::net::Layer;

/// rms sqrt(n_w) of the base network at one lambda.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prefactor {
    pub lambda: f64,
    /// The mean over the settled runs of the base network at the base eta.
    pub value: f64,
    pub runs: usize,
}

/// The all-weights rms against n_w: form and prefactor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Architecture {
    /// b of rms = A n_w^b over the scaling grid (seeds averaged), with its
    /// 95% interval; None without the fit.
    pub n_w_exponent: Option<Exponent>,
    /// A = rms sqrt(n_w) of the base network, by increasing lambda.
    pub prefactor: Vec<Prefactor>,
    /// rms sqrt(n_w) over the grid's settled runs (large init, base eta and
    /// lambda): lowest and highest.
    pub grid_prefactor_min: Option<f64>,
    pub grid_prefactor_max: Option<f64>,
}

impl Architecture {
    /// The prefactor at the base lambda.
    pub fn base_prefactor(&self) -> Option<f64> {
        self.prefactor
            .iter()
            .find(|p| p.lambda == plan::LAMBDA)
            .map(|p| p.value)
    }
}

/// rms sqrt(n_w) of a settled entry.
fn prefactor_of(e: &SettledEntry) -> f64 {
    e.size * (e.n_w as f64).sqrt()
}

/// The architecture's law from the settled table (its settled runs that did
/// not collapse), its fits, and the names of the grid's runs.
pub fn architecture(settled: &[SettledEntry], fits: &[SizeFit], grid: &[&str]) -> Architecture {
    let all_settled = || {
        settled
            .iter()
            .filter(|e| e.layer == Layer::All && e.settled && !e.collapsed)
    };
    let base = all_settled().filter(|e| {
        e.width == plan::WIDTH && e.n_in == plan::INPUTS && e.eta == plan::ETA && e.lambda > 0.0
    });
    let mut prefactor: Vec<Prefactor> = Vec::new();
    for e in base {
        match prefactor.iter_mut().find(|p| p.lambda == e.lambda) {
            Some(p) => {
                // A running mean over the runs of this lambda.
                p.runs += 1;
                p.value += (prefactor_of(e) - p.value) / p.runs as f64;
            }
            None => prefactor.push(Prefactor {
                lambda: e.lambda,
                value: prefactor_of(e),
                runs: 1,
            }),
        }
    }
    prefactor.sort_by(|a, b| a.lambda.total_cmp(&b.lambda));
    let on_grid: Vec<f64> = all_settled()
        .filter(|e| grid.contains(&e.run.as_str()))
        .map(prefactor_of)
        .collect();
    Architecture {
        n_w_exponent: find_fit(fits, Layer::All, &[Predictor::WeightCount])
            .and_then(|f| f.exponent(Predictor::WeightCount)),
        prefactor,
        grid_prefactor_min: on_grid.iter().copied().reduce(f64::min),
        grid_prefactor_max: on_grid.iter().copied().reduce(f64::max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::Init;
    use approx::assert_relative_eq;

    /// A settled all-weights entry of `run` at (width, n_in, lambda) whose
    /// rms is `prefactor / sqrt(n_w)`.
    fn entry(run: &str, width: usize, n_in: usize, lambda: f64, prefactor: f64) -> SettledEntry {
        let n_w = width * (n_in + 10);
        let size = prefactor / (n_w as f64).sqrt();
        SettledEntry {
            run: run.into(),
            layer: Layer::All,
            init: Init::Large,
            width,
            n_in,
            n_w,
            eta: plan::ETA,
            lambda,
            seed: 1,
            settled: true,
            settled_epoch: Some(20),
            size,
            size_extrapolated: None,
            size_live_inputs: None,
            blank_inputs: None,
            spread: Some(0.0),
            epochs: 30,
            input_norm: None,
            size_times_input_norm: None,
            final_accuracy: 0.95,
            collapsed: false,
        }
    }

    #[test]
    fn the_prefactor_is_rms_sqrt_n_w_per_lambda_of_the_base_network() {
        let base = (plan::WIDTH, plan::INPUTS);
        let mut unsettled = entry("u", base.0, base.1, 5.0, 1000.0);
        unsettled.settled = false;
        let mut collapsed = entry("x", base.0, base.1, 500.0, 10.0);
        collapsed.collapsed = true;
        let table = [
            entry("a", base.0, base.1, 5.0, 50.0),
            // 56, not 54: (54 - 50) % 2 rounds to about 2 and would pass
            // for the mean's (54 - 50) / 2.
            entry("b", base.0, base.1, 5.0, 56.0),
            entry("c", base.0, base.1, 50.0, 30.0),
            // Not the base network, not settled or collapsed: left out.
            entry("grid", 100, 196, 5.0, 70.0),
            unsettled,
            collapsed,
        ];
        let a = architecture(&table, &[], &["a", "grid"]);
        assert_eq!(a.prefactor.len(), 2);
        assert_eq!((a.prefactor[0].lambda, a.prefactor[0].runs), (5.0, 2));
        assert_relative_eq!(a.prefactor[0].value, 53.0, max_relative = 1e-12);
        assert_relative_eq!(a.base_prefactor().unwrap(), 53.0, max_relative = 1e-12);
        assert_relative_eq!(a.prefactor[1].value, 30.0, max_relative = 1e-12);
        // Over the grid's runs only.
        assert_relative_eq!(a.grid_prefactor_min.unwrap(), 50.0, max_relative = 1e-12);
        assert_relative_eq!(a.grid_prefactor_max.unwrap(), 70.0, max_relative = 1e-12);
        assert_eq!(a.n_w_exponent, None, "no fit, no exponent");
    }
}
