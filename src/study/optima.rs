//! The L2 optimum at each of the noise law's lambdas: the minimizer of
//! J = C_0 + (lambda/2n) sum_l |w^l|^2 reached by L-BFGS from the first
//! seed's settled network at that lambda (`optimum`), and at the base
//! lambda a second time from the second seed's, kept in
//! `runs/optimum-lambdaL-sS.json` (its figures) and
//! `runs/optimum-lambdaL-sS.net.json` (its network), and read back when
//! the same optimum is asked for again.
//!
//! The noise law compares it with where SGD settles as eta/m -> 0: if the
//! optimum sets the size and the noise only moves it, the two agree.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::plan::{Plan, RunSpec};
use super::runner::RunFiles;
use crate::data::Mnist;
use crate::error::{Error, Result};
use crate::net::{Layer, Network, network2_json};
use crate::optimum::{self, Settings};
use crate::output::write_atomic;

/// L-BFGS iterations per optimum. Chosen by measurement: from a settled
/// [784, 30, 10] at lambda 5 and n = 50,000, w1's rms is within 0.4% of
/// where 400 iterations leave it after 125, w2's within 0.6%, while J
/// still falls along directions that barely change the sizes (2,000
/// iterations move w2's rms by 0.5% more). Each iteration is about one
/// full-batch pass, 0.38 s of one core.
pub const OPTIMUM_ITERATIONS: usize = 120;

/// One optimum to find.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptimumSpec {
    /// `optimum-lambdaL-sS`, S the start's seed: its file's name.
    pub name: String,
    pub lambda: f64,
    /// The run whose last network it starts from.
    pub start: RunSpec,
    pub max_iterations: usize,
    /// L-BFGS's memory.
    pub memory: usize,
}

impl OptimumSpec {
    /// The optimum at the lambda of `start` (a run that keeps its network).
    pub fn from_run(start: &RunSpec) -> OptimumSpec {
        let lambda = start.config.lambda;
        OptimumSpec {
            name: format!("optimum-lambda{lambda}-s{}", start.seed),
            lambda,
            start: start.clone(),
            max_iterations: OPTIMUM_ITERATIONS,
            memory: Settings::default().memory,
        }
    }
}

/// The optima of `plan`: at each noise lambda, from the first seed's
/// parent; and at the first noise lambda (the base lambda), also from the
/// second seed's, to show how much where L-BFGS stops depends on its start.
pub fn specs(plan: &Plan) -> Vec<OptimumSpec> {
    let first_seed = plan
        .noise_lambdas
        .iter()
        .map(|&lambda| (lambda, plan.seeds[0]));
    let second_start = plan.noise_lambdas.first().zip(plan.seeds.get(1));
    let second_start = second_start.map(|(&lambda, &seed)| (lambda, seed));
    first_seed
        .chain(second_start)
        .filter_map(|(lambda, seed)| plan.noise_parent(lambda, seed))
        .map(OptimumSpec::from_run)
        .collect()
}

/// One weight layer (or all weights) at the optimum reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptimumLayer {
    pub layer: Layer,
    /// |w^l|^2.
    pub norm_sq: f64,
    /// |w^l|^2 at the start (the settled SGD network).
    pub start_norm_sq: f64,
    /// cos(w^l, -dC_0/dw^l): 1 at a stationary point.
    pub cosine: Option<f64>,
    /// The relative change of the layer's rms over the last tenth of the
    /// iterations: how far from still the size is (None for all weights).
    pub size_change: Option<f64>,
}

/// An optimum found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptimumResult {
    pub spec: OptimumSpec,
    pub iterations: usize,
    /// |grad J| at the start and at the end.
    pub start_grad_norm: f64,
    pub grad_norm: f64,
    /// Every weight layer, then all weights.
    pub layers: Vec<OptimumLayer>,
}

impl OptimumResult {
    /// The seed of the run it started from.
    pub fn start_seed(&self) -> u64 {
        self.spec.start.seed
    }

    /// The figures of `layer`.
    pub fn layer(&self, layer: Layer) -> Option<&OptimumLayer> {
        self.layers.iter().find(|l| l.layer == layer)
    }
}

/// Every optimum of `specs`, read back from `runs_dir` or found now, in
/// turn: each splits its full-batch passes over `jobs` threads. The start
/// runs must be finished.
pub fn find_all(
    specs: &[OptimumSpec],
    mnist: &Mnist,
    runs_dir: &Path,
    jobs: usize,
) -> Result<Vec<OptimumResult>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| Error::Internal(format!("cannot start {jobs} threads: {e}")))?;
    pool.install(|| {
        specs
            .iter()
            .map(|spec| find(spec, mnist, runs_dir))
            .collect()
    })
}

fn find(spec: &OptimumSpec, mnist: &Mnist, runs_dir: &Path) -> Result<OptimumResult> {
    let path = figures_path(runs_dir, spec);
    let network_path = network_path(runs_dir, spec);
    let limit = crate::input::whole_file_limit();
    let stored: Option<OptimumResult> = crate::input::read_bounded(&path, "an optimum", limit)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok());
    if let Some(stored) = stored.filter(|s| s.spec == *spec)
        && network_path.is_file()
    {
        return Ok(stored);
    }
    let start_file = RunFiles::new(runs_dir, &spec.start.name).network;
    let start: Network<f64> = network2_json::load(&start_file)?;
    let data = spec.start.config.select_data(mnist)?;
    let settings = Settings {
        max_iterations: spec.max_iterations,
        memory: spec.memory,
        ..Settings::default()
    };
    let found = optimum::optimize(&start, &data.training, spec.lambda, settings, |_| {});
    let (changes, _) = found.size_change();
    let mut layers: Vec<OptimumLayer> = found
        .end
        .layers
        .iter()
        .zip(&found.start.layers)
        .zip(&changes)
        .enumerate()
        .map(|(l, ((end, start), &change))| OptimumLayer {
            layer: Layer::Weights(l),
            norm_sq: end.norm_sq,
            start_norm_sq: start.norm_sq,
            cosine: end.cosine,
            size_change: Some(change),
        })
        .collect();
    layers.push(OptimumLayer {
        layer: Layer::All,
        norm_sq: found.end.identity.norm_sq,
        start_norm_sq: found.start.identity.norm_sq,
        cosine: None,
        size_change: None,
    });
    let result = OptimumResult {
        spec: spec.clone(),
        iterations: found.iterations,
        start_grad_norm: found.start.grad_norm,
        grad_norm: found.end.grad_norm,
        layers,
    };
    let json = serde_json::to_vec_pretty(&result)
        .map_err(|e| Error::Internal(format!("an optimum does not serialize: {e}")))?;
    // The network first: the figures, written last, mark the optimum found.
    network2_json::save(&found.network, &network_path)?;
    write_atomic(&path, &json)?;
    Ok(result)
}

/// Where the figures of the optimum of `spec` are kept.
fn figures_path(runs_dir: &Path, spec: &OptimumSpec) -> std::path::PathBuf {
    runs_dir.join(format!("{}.json", spec.name))
}

/// Where the network of the optimum of `spec` is kept.
pub fn network_path(runs_dir: &Path, spec: &OptimumSpec) -> std::path::PathBuf {
    runs_dir.join(format!("{}.net.json", spec.name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::plan::Mode;

    /// The first seed's parent at every noise lambda, then the second
    /// seed's at the first: each named by its lambda and start seed.
    #[test]
    fn the_optima_start_from_the_first_seed_and_once_from_the_second() {
        let names = |seeds: usize| -> Vec<(String, u64)> {
            let plan = Plan::new(Mode::Full, seeds, 4).unwrap();
            (specs(&plan).into_iter())
                .map(|o| (o.name, o.start.seed))
                .collect()
        };
        let named = |name: &str, seed: u64| (name.to_string(), seed);
        assert_eq!(
            names(3),
            [
                named("optimum-lambda5-s4", 4),
                named("optimum-lambda15-s4", 4),
                named("optimum-lambda50-s4", 4),
                named("optimum-lambda5-s5", 5),
            ]
        );
        assert_eq!(names(1).len(), 3, "one seed, one start");
        assert!(specs(&Plan::new(Mode::Quick, 3, 1).unwrap()).is_empty());
    }
}
