//! The L2 optimum: the minimizer of the full-batch regularized objective
//!
//!   J(w, b) = C_0 + (lambda/2n) sum_l |w^l|^2       (biases not decayed)
//!
//! reached from a given network by L-BFGS, and what it shows layer by
//! layer. SGD with L2, w -> (1 - eta*lambda/n) w - (eta/m) sum_x dC_x/dw,
//! has its fixed point in expectation where grad J = 0; whether the sizes
//! SGD settles at are the optimum's is what this measures.
//!
//! At a stationary point of J, dC_0/dw^l = -(lambda/n) w^l for every layer
//! l, so w^l points along -dC_0/dw^l (cosine 1) and
//!
//!   |w^l|^2 = (n/lambda) (-w^l . dC_0/dw^l),
//!
//! the stationarity identity whose two sides the [`Report`] gives, per
//! layer and summed over the layers.

pub mod lbfgs;
pub mod objective;

use serde::Serialize;

use crate::data::Dataset;
use crate::net::Network;
pub use lbfgs::Stop;
pub use objective::{Layout, Objective};

/// How far to minimize.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Stop once |grad J| (weights and biases together) is at most this.
    pub gradient_tolerance: f64,
    /// Iterations of L-BFGS at most (one line search each, usually one
    /// full-batch pass).
    pub max_iterations: usize,
    /// L-BFGS's memory: the (s, y) pairs kept.
    pub memory: usize,
}

impl Default for Settings {
    /// The defaults of `decaylab optimum`, chosen by measurement (see
    /// BENCHMARKS.md): from a settled [784, 30, 10] at n = 50,000 and
    /// lambda = 5, L-BFGS brings |grad J| from ~5e-2 to ~1e-3 in 600
    /// iterations (about 3.5 minutes of one core) and the layers' rms to
    /// within ~3e-3 of the stationary point 2000 iterations reach
    /// (|grad J| ~7e-6). A memory of 100 pairs gave a lower J and |grad J|
    /// than 20 (5e-4 after 2000 iterations), for a negligible cost (the
    /// two-loop recursion is 4 x 100 multiply-adds per parameter, a
    /// full-batch pass ~10^5). The tolerance 1e-6 is met on small problems
    /// (a few hundred examples), not there within the default iterations.
    fn default() -> Settings {
        Settings {
            gradient_tolerance: 1e-6,
            max_iterations: 600,
            memory: 100,
        }
    }
}

/// What one weight layer w^l shows against grad C_0.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerFigures {
    /// "w1", "w2", ...: w^l in the book's numbering.
    pub layer: String,
    /// sqrt(|w^l|^2 / count): the rms weight.
    pub rms: f64,
    /// |w^l|.
    pub norm: f64,
    /// cos(w^l, -dC_0/dw^l): 1 at a stationary point (null if either is 0).
    pub cosine: Option<f64>,
    /// -w^l . dC_0/dw^l.
    pub data_term: f64,
    /// |w^l|^2, the identity's left side for this layer.
    pub norm_sq: f64,
    /// (n/lambda) (-w^l . dC_0/dw^l), its right side.
    pub n_over_lambda_data_term: f64,
    /// |dJ/dw^l| = |dC_0/dw^l + (lambda/n) w^l|.
    pub grad_norm: f64,
    /// |dJ/db^l| = |dC_0/db^l|.
    pub bias_grad_norm: f64,
}

/// The two sides of the stationarity identity over all the weights.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Identity {
    /// sum_l |w^l|^2.
    pub norm_sq: f64,
    /// (n/lambda) sum_l (-w^l . dC_0/dw^l).
    pub n_over_lambda_data_term: f64,
}

/// J, its gradient and the layers' figures at one network.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// lambda.
    pub lambda: f64,
    /// n, the training examples.
    pub n: usize,
    /// J = C_0 + (lambda/2n) sum |w|^2.
    pub cost: f64,
    /// C_0 alone.
    pub data_cost: f64,
    /// |grad J| over weights and biases.
    pub grad_norm: f64,
    /// Per weight layer.
    pub layers: Vec<LayerFigures>,
    /// sqrt(sum_l |w^l|^2).
    pub total_norm: f64,
    /// The identity's two sides over all the weights.
    pub identity: Identity,
}

impl Report {
    /// The figures of the parameters `x` from their evaluation `at`.
    pub fn of(objective: &Objective, x: &[f64], at: &objective::Evaluation, lambda: f64) -> Report {
        let layout = objective.layout();
        let n = objective.n();
        let n_over_lambda = n as f64 / lambda;
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(a, b)| a * b).sum::<f64>();
        let layers: Vec<LayerFigures> = (0..layout.layers())
            .map(|l| {
                let (weights, biases) = (layout.weights(l), layout.biases(l));
                let w = &x[weights.clone()];
                let g = &at.data_gradient[weights.clone()];
                let (norm_sq, g_sq) = (dot(w, w), dot(g, g));
                let data_term = -dot(w, g);
                let grad = &at.gradient[weights];
                let bias_grad = &at.gradient[biases];
                LayerFigures {
                    layer: format!("w{}", l + 1),
                    rms: (norm_sq / w.len() as f64).sqrt(),
                    norm: norm_sq.sqrt(),
                    cosine: (norm_sq > 0.0 && g_sq > 0.0)
                        .then(|| data_term / (norm_sq * g_sq).sqrt()),
                    data_term,
                    norm_sq,
                    n_over_lambda_data_term: n_over_lambda * data_term,
                    grad_norm: dot(grad, grad).sqrt(),
                    bias_grad_norm: dot(bias_grad, bias_grad).sqrt(),
                }
            })
            .collect();
        let norm_sq: f64 = layers.iter().map(|l| l.norm_sq).sum();
        Report {
            lambda,
            n,
            cost: at.value,
            data_cost: at.data_cost,
            grad_norm: dot(&at.gradient, &at.gradient).sqrt(),
            total_norm: norm_sq.sqrt(),
            identity: Identity {
                norm_sq,
                n_over_lambda_data_term: layers.iter().map(|l| l.n_over_lambda_data_term).sum(),
            },
            layers,
        }
    }
}

/// One iteration of the minimizer, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// The iteration (0 = the start).
    pub iteration: usize,
    /// Full-batch evaluations so far.
    pub evaluations: usize,
    /// J.
    pub cost: f64,
    /// |grad J|.
    pub grad_norm: f64,
    /// The rms of each weight layer.
    pub rms: Vec<f64>,
}

/// The result of [`optimize`].
#[derive(Debug, Clone)]
pub struct Optimum {
    /// The network reached.
    pub network: Network<f64>,
    /// The figures at the start.
    pub start: Report,
    /// The figures at the network reached.
    pub end: Report,
    /// Why the minimizer stopped.
    pub stop: Stop,
    /// Iterations done.
    pub iterations: usize,
    /// Full-batch evaluations done.
    pub evaluations: usize,
    /// Every iteration's J, |grad J| and layer sizes.
    pub history: Vec<Step>,
}

impl Optimum {
    /// The relative change of each layer's rms over the last tenth of the
    /// iterations: |rms_K - rms_(K-k)| / rms_K with K the last iteration
    /// and k = ceil(K/10), and that k (0, and changes of 0, if no iteration
    /// was done).
    pub fn size_change(&self) -> (Vec<f64>, usize) {
        let last = self.history.len() - 1;
        let window = last.div_ceil(10);
        let (end, before) = (&self.history[last].rms, &self.history[last - window].rms);
        let change = end
            .iter()
            .zip(before)
            .map(|(e, b)| if *e > 0.0 { (e - b).abs() / e } else { 0.0 })
            .collect();
        (change, window)
    }
}

/// Minimize J over `training` (n = its length) with `lambda` from `start`
/// by L-BFGS, as `settings` says; `progress` sees every iteration.
pub fn optimize(
    start: &Network<f64>,
    training: &Dataset,
    lambda: f64,
    settings: Settings,
    mut progress: impl FnMut(&Step),
) -> Optimum {
    let objective = Objective::new(start.sizes(), start.cost, training, lambda);
    let layout = objective.layout().clone();
    let x0 = layout.flatten(start);
    let at_start = objective.evaluate(&x0);
    let start_report = Report::of(&objective, &x0, &at_start, lambda);
    let mut history = Vec::new();
    let rms = |x: &[f64]| -> Vec<f64> {
        (0..layout.layers())
            .map(|l| {
                let w = &x[layout.weights(l)];
                (w.iter().map(|w| w * w).sum::<f64>() / w.len() as f64).sqrt()
            })
            .collect()
    };
    // The start's evaluation is reused for the minimizer's first call.
    let mut first = Some(at_start);
    let f = |x: &[f64]| {
        let at = match first.take() {
            Some(at) => at,
            None => objective.evaluate(x),
        };
        (at.value, at.gradient)
    };
    let minimum = lbfgs::minimize(
        f,
        x0,
        lbfgs::Settings {
            gradient_tolerance: settings.gradient_tolerance,
            max_iterations: settings.max_iterations,
            memory: settings.memory,
        },
        |it| {
            let step = Step {
                iteration: it.iteration,
                evaluations: it.evaluations,
                cost: it.value,
                grad_norm: it.gradient_norm,
                rms: rms(it.x),
            };
            progress(&step);
            history.push(step);
        },
    );
    let at_end = objective.evaluate(&minimum.x);
    Optimum {
        network: layout.network(&minimum.x, start.cost),
        start: start_report,
        end: Report::of(&objective, &minimum.x, &at_end, lambda),
        stop: minimum.stop,
        iterations: minimum.iterations,
        evaluations: minimum.evaluations + 1,
        history,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Mnist;
    use crate::net::{Cost, Init};
    use rand::SeedableRng;

    /// The first 300 training images pooled 4x4 (7x7 = 49 inputs).
    fn training() -> Dataset {
        Mnist::bundled().unwrap().training.pooled(4).slice(0..300)
    }

    fn start(seed: u64) -> Network<f64> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        Network::new(&[49, 5, 10], Init::Large, Cost::CrossEntropy, &mut rng)
    }

    fn settings(gradient_tolerance: f64) -> Settings {
        Settings {
            gradient_tolerance,
            max_iterations: 5000,
            memory: 20,
        }
    }

    #[test]
    fn reaches_the_tolerance_and_the_identity_holds() {
        let data = training();
        let (lambda, tolerance) = (5.0, 1e-8);
        let optimum = optimize(&start(1), &data, lambda, settings(tolerance), |_| {});
        assert_eq!(optimum.stop, Stop::Converged);
        let end = &optimum.end;
        assert!(end.grad_norm <= tolerance, "|grad J| = {:e}", end.grad_norm);
        assert!(end.cost < optimum.start.cost);
        assert_eq!(optimum.history.len(), optimum.iterations + 1);
        assert_eq!(optimum.history.last().unwrap().grad_norm, end.grad_norm);
        // (n/lambda) data_term = |w|^2 - (n/lambda) w . dJ/dw, so the two
        // sides differ by at most (n/lambda) |w| |dJ/dw|.
        let n_over_lambda = data.len() as f64 / lambda;
        for layer in &end.layers {
            let gap = (layer.norm_sq - layer.n_over_lambda_data_term).abs();
            assert!(gap <= n_over_lambda * layer.norm * layer.grad_norm * (1.0 + 1e-9));
            assert!(gap <= 1e-5 * layer.norm_sq, "{layer:?}");
            assert!(layer.cosine.unwrap() > 1.0 - 1e-9, "{layer:?}");
            assert!(layer.bias_grad_norm <= tolerance);
        }
        let identity = end.identity;
        assert!(
            (identity.norm_sq - identity.n_over_lambda_data_term).abs() <= 1e-5 * identity.norm_sq
        );
        assert!((end.total_norm.powi(2) - identity.norm_sq).abs() <= 1e-12 * identity.norm_sq);
        // The network returned is the one the figures describe.
        let w1 = &optimum.network.weights[0];
        let rms = (w1.iter().map(|w| w * w).sum::<f64>() / w1.len() as f64).sqrt();
        assert!((rms - end.layers[0].rms).abs() <= 1e-15 * rms);
    }

    #[test]
    fn nearby_starts_reach_the_same_sizes() {
        let data = training();
        let a = start(2);
        // The same network with every weight and bias moved by 1%.
        let mut b = a.clone();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let mut nudge = |v: &mut Vec<f64>| {
            for x in v.iter_mut() {
                *x *= 1.0 + 0.01 * (rand::RngExt::random::<f64>(&mut rng) - 0.5);
            }
        };
        b.weights.iter_mut().for_each(&mut nudge);
        b.biases.iter_mut().for_each(&mut nudge);
        let from_a = optimize(&a, &data, 5.0, settings(1e-9), |_| {});
        let from_b = optimize(&b, &data, 5.0, settings(1e-9), |_| {});
        assert_eq!(
            (from_a.stop, from_b.stop),
            (Stop::Converged, Stop::Converged)
        );
        for (la, lb) in from_a.end.layers.iter().zip(&from_b.end.layers) {
            assert!((la.rms - lb.rms).abs() <= 1e-6 * la.rms, "{la:?} vs {lb:?}");
        }
        assert!((from_a.end.cost - from_b.end.cost).abs() <= 1e-12);
    }

    #[test]
    fn the_same_bits_whatever_the_number_of_threads() {
        let data = training();
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| optimize(&start(3), &data, 5.0, settings(1e-6), |_| {}))
        };
        let (one, three) = (run(1), run(3));
        assert_eq!(one.network, three.network);
        assert_eq!(one.end, three.end);
    }

    #[test]
    fn the_size_change_is_over_the_last_tenth() {
        let data = training();
        let evaluate_only = Settings {
            max_iterations: 0,
            ..settings(0.0)
        };
        let mut optimum = optimize(&start(4), &data, 5.0, evaluate_only, |_| {});
        assert_eq!(
            (optimum.stop, optimum.iterations),
            (Stop::IterationLimit, 0)
        );
        assert_eq!(optimum.size_change(), (vec![0.0, 0.0], 0));
        // Replace the history by 21 iterations whose w1 rms is the iteration.
        optimum.history = (0..=20)
            .map(|i| Step {
                iteration: i,
                evaluations: i + 1,
                cost: 0.0,
                grad_norm: 0.0,
                rms: vec![i as f64, 1.0],
            })
            .collect();
        let (change, window) = optimum.size_change();
        assert_eq!(window, 2);
        assert_eq!(change, vec![2.0 / 20.0, 0.0]);
    }
}
