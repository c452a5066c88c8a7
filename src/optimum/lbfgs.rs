//! L-BFGS with a strong-Wolfe line search (Nocedal & Wright, "Numerical
//! Optimization", 2nd ed., algorithms 7.4, 3.5 and 3.6), on f64 vectors.
//!
//! Written here rather than taken from a crate (argmin) because the whole
//! method is ~200 lines, it keeps every iterate in plain `Vec<f64>` (the
//! caller watches the layer sizes iteration by iteration through a
//! closure), and its one tolerance-dependent choice, the line search's
//! acceptance near the floor of f64 rounding, is set for this objective
//! (see [`ROUNDING`]). It is tested on a quadratic and on Rosenbrock's
//! function, whose minima are known.
//!
//! Each iteration moves x by alpha d, d = -H g the two-loop recursion's
//! product of the inverse-Hessian estimate with the gradient g, H built
//! from the last `memory` pairs s = x_(k+1) - x_k, y = g_(k+1) - g_k and
//! scaled by gamma = s.y / y.y; alpha satisfies the strong Wolfe conditions
//!
//!   f(x + alpha d) <= f(x) + C1 alpha g.d,     |g(x + alpha d).d| <= C2 |g.d|.

use std::collections::VecDeque;

/// Armijo constant of the sufficient-decrease condition.
const C1: f64 = 1e-4;
/// Curvature constant (0.9, the usual choice for quasi-Newton methods).
const C2: f64 = 0.9;
/// Near a minimum the decrease C1 alpha g.d can be smaller than the
/// rounding of f itself (a mean over up to 50,000 examples: a few ulps,
/// ~1e-15 relative, as measured). Values that differ by less than
/// ROUNDING |f(x)| are then taken as equal: a step is also accepted when
/// f has not risen by more than that and the slope obeys Hager and
/// Zhang's approximate Wolfe condition, g(x + alpha d).d <= (2 C1 - 1) g.d
/// ("CG_DESCENT", 2005), and the bracket is narrowed by the slopes alone.
const ROUNDING: f64 = 1e-12;
/// Function evaluations one line search may take.
const LINE_SEARCH_EVALUATIONS: usize = 30;

/// When to stop.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Stop once |grad f| <= this.
    pub gradient_tolerance: f64,
    /// Stop after this many iterations (line searches) at most.
    pub max_iterations: usize,
    /// The number of (s, y) pairs kept.
    pub memory: usize,
}

/// Why the minimizer stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stop {
    /// |grad f| reached the tolerance.
    Converged,
    /// The iterations ran out first.
    IterationLimit,
    /// No step along d decreased f any more (the gradient is then about as
    /// small as the rounding of f lets a line search see).
    LineSearch,
}

/// One iterate, as the watcher sees it.
pub struct Iterate<'a> {
    /// The iteration (0 = the start).
    pub iteration: usize,
    /// Function evaluations so far.
    pub evaluations: usize,
    /// x.
    pub x: &'a [f64],
    /// f(x).
    pub value: f64,
    /// |grad f(x)|.
    pub gradient_norm: f64,
}

/// Where the minimizer stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    /// x.
    pub x: Vec<f64>,
    /// f(x).
    pub value: f64,
    /// grad f(x).
    pub gradient: Vec<f64>,
    /// Iterations done.
    pub iterations: usize,
    /// Function (and gradient) evaluations done.
    pub evaluations: usize,
    /// Why it stopped.
    pub stop: Stop,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

/// x + alpha d.
fn along(x: &[f64], alpha: f64, d: &[f64]) -> Vec<f64> {
    x.iter().zip(d).map(|(x, d)| x + alpha * d).collect()
}

/// A point of the line search: alpha, f and its slope f' = g.d there, and
/// the gradient.
struct Point {
    alpha: f64,
    value: f64,
    slope: f64,
    gradient: Vec<f64>,
}

/// Minimize f from `x0`; `f(x)` returns f(x) and grad f(x). `watch` sees
/// the start and every iterate.
pub fn minimize(
    mut f: impl FnMut(&[f64]) -> (f64, Vec<f64>),
    x0: Vec<f64>,
    settings: Settings,
    mut watch: impl FnMut(&Iterate),
) -> Minimum {
    let mut x = x0;
    let (mut value, mut gradient) = f(&x);
    let mut evaluations = 1;
    let mut pairs: VecDeque<(Vec<f64>, Vec<f64>, f64)> = VecDeque::new();
    let mut iteration = 0;
    let stop = loop {
        let gradient_norm = dot(&gradient, &gradient).sqrt();
        watch(&Iterate {
            iteration,
            evaluations,
            x: &x,
            value,
            gradient_norm,
        });
        if gradient_norm <= settings.gradient_tolerance {
            break Stop::Converged;
        }
        if iteration == settings.max_iterations {
            break Stop::IterationLimit;
        }
        let mut evaluate = |y: &[f64]| {
            evaluations += 1;
            f(y)
        };
        let Some((next, d)) = step(&mut evaluate, &x, value, &gradient, &mut pairs) else {
            break Stop::LineSearch;
        };
        let x_next = along(&x, next.alpha, &d);
        let s: Vec<f64> = x_next.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = next
            .gradient
            .iter()
            .zip(&gradient)
            .map(|(a, b)| a - b)
            .collect();
        let sy = dot(&s, &y);
        // Keep only pairs of positive curvature (the strong Wolfe
        // conditions ensure it but for rounding), so H stays positive.
        if sy > 1e-12 * dot(&s, &s).sqrt() * dot(&y, &y).sqrt() {
            if pairs.len() == settings.memory {
                pairs.pop_front();
            }
            pairs.push_back((s, y, 1.0 / sy));
        }
        (x, value, gradient) = (x_next, next.value, next.gradient);
        iteration += 1;
    };
    Minimum {
        x,
        value,
        gradient,
        iterations: iteration,
        evaluations,
        stop,
    }
}

/// The next step from x: the point found along d = -H g and d, or `None`
/// if no step decreased f. If the line search fails with a curvature
/// estimate (which may be stale), the pairs are dropped and steepest
/// descent is tried.
fn step(
    f: &mut impl FnMut(&[f64]) -> (f64, Vec<f64>),
    x: &[f64],
    value: f64,
    gradient: &[f64],
    pairs: &mut VecDeque<(Vec<f64>, Vec<f64>, f64)>,
) -> Option<(Point, Vec<f64>)> {
    loop {
        let d = direction(gradient, pairs);
        // The first step has no curvature estimate: move by 1 in length.
        let first = if pairs.is_empty() {
            (1.0 / dot(&d, &d).sqrt()).min(1.0)
        } else {
            1.0
        };
        let start = Point {
            alpha: 0.0,
            value,
            slope: dot(gradient, &d),
            gradient: gradient.to_vec(),
        };
        let mut line = |alpha: f64| {
            let (value, gradient) = f(&along(x, alpha, &d));
            Point {
                alpha,
                value,
                slope: dot(&gradient, &d),
                gradient,
            }
        };
        match line_search(&mut line, &start, first) {
            Some(next) => return Some((next, d)),
            None if !pairs.is_empty() => pairs.clear(),
            None => return None,
        }
    }
}

/// d = -H g by the two-loop recursion over the pairs (s, y, rho = 1/s.y),
/// oldest first; H_0 = gamma I with gamma = s.y / y.y of the newest pair.
fn direction(gradient: &[f64], pairs: &VecDeque<(Vec<f64>, Vec<f64>, f64)>) -> Vec<f64> {
    let mut q = gradient.to_vec();
    let mut alphas = Vec::with_capacity(pairs.len());
    for (s, y, rho) in pairs.iter().rev() {
        let a = rho * dot(s, &q);
        q.iter_mut().zip(y).for_each(|(q, y)| *q -= a * y);
        alphas.push(a);
    }
    if let Some((_, y, rho)) = pairs.back() {
        let gamma = 1.0 / (rho * dot(y, y));
        q.iter_mut().for_each(|q| *q *= gamma);
    }
    for ((s, y, rho), a) in pairs.iter().zip(alphas.iter().rev()) {
        let b = rho * dot(y, &q);
        q.iter_mut().zip(s).for_each(|(q, s)| *q += (a - b) * s);
    }
    q.iter_mut().for_each(|q| *q = -*q);
    q
}

/// Whether `p` decreases f enough from `start` (Armijo, or the approximate
/// condition near the rounding floor, see [`ROUNDING`]).
fn decreases(start: &Point, p: &Point) -> bool {
    let armijo = p.value <= start.value + C1 * p.alpha * start.slope;
    let approximate = p.value <= start.value + ROUNDING * start.value.abs()
        && p.slope <= (2.0 * C1 - 1.0) * start.slope;
    armijo || approximate
}

/// Whether f at `p` is above f at `q` by more than rounding.
fn above(start: &Point, p: &Point, q: &Point) -> bool {
    p.value > q.value + ROUNDING * start.value.abs()
}

/// Whether the slope at `p` is flat enough (the strong curvature condition).
fn flat(start: &Point, p: &Point) -> bool {
    p.slope.abs() <= -C2 * start.slope
}

/// A step satisfying the conditions, bracketed by doubling from `first`
/// (algorithm 3.5) then narrowed by [`zoom`]; `None` if d is not a descent
/// direction or no step was found within the evaluations allowed.
fn line_search(line: &mut impl FnMut(f64) -> Point, start: &Point, first: f64) -> Option<Point> {
    if start.slope >= 0.0 || !start.slope.is_finite() {
        return None;
    }
    let mut previous = Point {
        alpha: 0.0,
        value: start.value,
        slope: start.slope,
        gradient: Vec::new(),
    };
    let mut alpha = first;
    for evaluation in 0..LINE_SEARCH_EVALUATIONS {
        let p = line(alpha);
        if !p.value.is_finite() {
            // Too far (an overflow): come back.
            alpha = 0.5 * (previous.alpha + alpha);
            continue;
        }
        if !decreases(start, &p) || (evaluation > 0 && above(start, &p, &previous)) {
            return zoom(
                line,
                start,
                previous,
                p,
                LINE_SEARCH_EVALUATIONS - evaluation,
            );
        }
        if flat(start, &p) {
            return Some(p);
        }
        if p.slope >= 0.0 {
            return zoom(
                line,
                start,
                p,
                previous,
                LINE_SEARCH_EVALUATIONS - evaluation,
            );
        }
        previous = p;
        alpha *= 2.0;
    }
    None
}

/// Algorithm 3.6: `low` decreases f and has the lowest value found, the
/// step wanted lies between `low` and `high`; the trial step is the
/// minimizer of the cubic through both points' values and slopes, kept at
/// least a tenth of the interval from either end.
fn zoom(
    line: &mut impl FnMut(f64) -> Point,
    start: &Point,
    mut low: Point,
    mut high: Point,
    evaluations: usize,
) -> Option<Point> {
    for _ in 0..evaluations {
        let alpha = cubic_minimizer(&low, &high);
        let p = line(alpha);
        if !decreases(start, &p) || above(start, &p, &low) {
            high = p;
        } else {
            if flat(start, &p) {
                return Some(p);
            }
            if p.slope * (high.alpha - low.alpha) >= 0.0 {
                high = low;
            }
            low = p;
        }
        if (high.alpha - low.alpha).abs() <= 1e-16 * low.alpha.abs().max(high.alpha.abs()) {
            break;
        }
    }
    // The interval has shrunk to nothing: take the lowest point if it moved.
    (low.alpha > 0.0 && !low.gradient.is_empty()).then_some(low)
}

/// The minimizer of the cubic interpolating f and f' at a and b (N&W eq.
/// 3.59), safeguarded into the middle 80% of [a, b].
fn cubic_minimizer(a: &Point, b: &Point) -> f64 {
    let (lo, hi) = (a.alpha.min(b.alpha), a.alpha.max(b.alpha));
    let margin = 0.1 * (hi - lo);
    let d1 = a.slope + b.slope - 3.0 * (a.value - b.value) / (a.alpha - b.alpha);
    let root = d1 * d1 - a.slope * b.slope;
    let alpha = if root >= 0.0 {
        let d2 = (b.alpha - a.alpha).signum() * root.sqrt();
        b.alpha - (b.alpha - a.alpha) * (b.slope + d2 - d1) / (b.slope - a.slope + 2.0 * d2)
    } else {
        f64::NAN
    };
    if alpha.is_finite() {
        alpha.clamp(lo + margin, hi - margin)
    } else {
        0.5 * (lo + hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(gradient_tolerance: f64) -> Settings {
        Settings {
            gradient_tolerance,
            max_iterations: 1000,
            memory: 10,
        }
    }

    /// Rosenbrock's function in 2 dimensions: minimum 0 at (1, 1).
    fn rosenbrock(x: &[f64]) -> (f64, Vec<f64>) {
        let (a, b) = (x[0], x[1]);
        let value = (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2);
        let gradient = vec![
            -2.0 * (1.0 - a) - 400.0 * a * (b - a * a),
            200.0 * (b - a * a),
        ];
        (value, gradient)
    }

    #[test]
    fn finds_rosenbrocks_minimum() {
        let minimum = minimize(rosenbrock, vec![-1.2, 1.0], settings(1e-10), |_| {});
        assert_eq!(minimum.stop, Stop::Converged);
        assert!((minimum.x[0] - 1.0).abs() < 1e-9, "{:?}", minimum.x);
        assert!((minimum.x[1] - 1.0).abs() < 1e-9, "{:?}", minimum.x);
        assert!(
            minimum.iterations < 100,
            "{} iterations",
            minimum.iterations
        );
    }

    /// An ill-conditioned quadratic f = (1/2) sum_i c_i (x_i - i)^2, with
    /// curvatures c_i from 1e-4 to 1: minimum at x_i = i.
    #[test]
    fn finds_an_ill_conditioned_quadratics_minimum() {
        let dims = 50;
        let curvature = |i: usize| 10f64.powf(-4.0 * i as f64 / (dims - 1) as f64);
        let quadratic = |x: &[f64]| {
            let value = x
                .iter()
                .enumerate()
                .map(|(i, x)| 0.5 * curvature(i) * (x - i as f64).powi(2))
                .sum();
            let gradient = x
                .iter()
                .enumerate()
                .map(|(i, x)| curvature(i) * (x - i as f64))
                .collect();
            (value, gradient)
        };
        let mut seen = Vec::new();
        let minimum = minimize(quadratic, vec![0.0; dims], settings(1e-9), |it| {
            seen.push((it.iteration, it.value));
        });
        assert_eq!(minimum.stop, Stop::Converged);
        for (i, x) in minimum.x.iter().enumerate() {
            // |x_i - i| <= |g_i| / c_i <= 1e-9 / 1e-4.
            assert!((x - i as f64).abs() < 1e-5, "x_{i} = {x}");
        }
        // The watcher saw the start and every iterate, f never rising.
        assert_eq!(seen.len(), minimum.iterations + 1);
        assert!(seen.windows(2).all(|w| w[1].1 <= w[0].1));
    }

    #[test]
    fn stops_at_the_iteration_limit() {
        let limited = Settings {
            max_iterations: 3,
            ..settings(1e-12)
        };
        let minimum = minimize(rosenbrock, vec![-1.2, 1.0], limited, |_| {});
        assert_eq!(minimum.stop, Stop::IterationLimit);
        assert_eq!(minimum.iterations, 3);
    }

    #[test]
    fn a_start_at_the_minimum_has_converged() {
        let minimum = minimize(rosenbrock, vec![1.0, 1.0], settings(1e-12), |_| {});
        assert_eq!(minimum.stop, Stop::Converged);
        assert_eq!((minimum.iterations, minimum.evaluations), (0, 1));
    }

    #[test]
    fn the_cubic_step_is_exact_on_a_cubic() {
        // f(t) = (t - 1)^3 - 3 (t - 1) has its local minimum at t = 2.
        let point = |alpha: f64| Point {
            alpha,
            value: (alpha - 1.0).powi(3) - 3.0 * (alpha - 1.0),
            slope: 3.0 * (alpha - 1.0).powi(2) - 3.0,
            gradient: Vec::new(),
        };
        let t = cubic_minimizer(&point(1.5), &point(3.0));
        assert!((t - 2.0).abs() < 1e-12, "{t}");
    }
}
