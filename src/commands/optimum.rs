//! `decaylab optimum --load NET --lambda L`: the L2 optimum reached from a
//! saved network, layer by layer, as a table or one JSON object.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use super::console::{Console, say};
use super::failure::{Failure, Outcome};
use super::files::{check_distinct, check_output_file};
use crate::cli::OptimumArgs;
use crate::data::{DataSource, Dataset, Mnist};
use crate::error::Error;
use crate::net::{Layer, Network, network2_json};
use crate::optimum::{self, Identity, LayerFigures, Optimum, Report, Settings, Stop};

/// What `--json` prints: the figures at the optimum (the names the study
/// reads), then how it was reached and the figures at the start.
#[derive(Serialize)]
struct Printed<'a> {
    lambda: f64,
    n: usize,
    /// J at the optimum.
    cost: f64,
    /// C_0 at the optimum.
    data_cost: f64,
    grad_norm: f64,
    layers: Vec<PrintedLayer<'a>>,
    total_norm: f64,
    identity: Identity,
    stop: Stop,
    iterations: usize,
    evaluations: usize,
    tolerance: f64,
    memory: usize,
    /// The iterations over which `size_change` is measured.
    size_change_window: usize,
    seconds: f64,
    start: &'a Report,
}

#[derive(Serialize)]
struct PrintedLayer<'a> {
    #[serde(flatten)]
    figures: &'a LayerFigures,
    /// rms of the layer at the start.
    start_rms: f64,
    /// |rms_K - rms_(K-k)| / rms_K over the last k = size_change_window
    /// iterations.
    size_change: f64,
}

/// Minimize J from `args.load` and print (or save) what the optimum shows.
pub fn optimum(args: &OptimumArgs) -> Outcome {
    let settings = settings(args)?;
    let mut files: Vec<(&'static str, &Path)> = vec![("--load", &args.load)];
    for (flag, path) in [("--save", &args.save), ("--history", &args.history)] {
        if let Some(path) = path {
            check_output_file(flag, path)?;
            files.push((flag, path));
        }
    }
    check_distinct(&files, &[("--load", "--save")])?;
    let start: Network<f64> = network2_json::load(&args.load)?;
    if start.hidden != crate::net::Activation::Sigmoid {
        return Err(Failure::from(crate::error::Error::bad_file(
            &args.load,
            "a network of tanh hidden neurons; expected sigmoid ones (network2's), the only ones the optimum is computed for",
        )));
    }
    let training = training_set(args, &start)?;
    let clock = Instant::now();
    let terminal = std::io::stderr().is_terminal();
    let result = optimum::optimize(&start, &training, args.lambda, settings, |step| {
        if terminal && step.iteration % 50 == 0 {
            // Progress only: a stderr that cannot be written loses it.
            let _ = writeln!(
                std::io::stderr(),
                "iteration {:>5}  J {:.12}  |grad J| {:.3e}",
                step.iteration,
                step.cost,
                step.grad_norm
            );
        }
    });
    let seconds = clock.elapsed().as_secs_f64();
    if let Some(path) = &args.save {
        network2_json::save(&result.network, path)?;
    }
    if let Some(path) = &args.history {
        crate::output::write_atomic(path, history_csv(&result).as_bytes())?;
    }
    let (change, window) = result.size_change();
    let end = &result.end;
    let printed = Printed {
        lambda: end.lambda,
        n: end.n,
        cost: end.cost,
        data_cost: end.data_cost,
        grad_norm: end.grad_norm,
        layers: end
            .layers
            .iter()
            .zip(&result.start.layers)
            .zip(change)
            .map(|((figures, start), size_change)| PrintedLayer {
                figures,
                start_rms: start.rms,
                size_change,
            })
            .collect(),
        total_norm: end.total_norm,
        identity: end.identity,
        stop: result.stop,
        iterations: result.iterations,
        evaluations: result.evaluations,
        tolerance: settings.gradient_tolerance,
        memory: settings.memory,
        size_change_window: window,
        seconds,
        start: &result.start,
    };
    let mut console = Console::new();
    if args.json {
        let text = serde_json::to_string_pretty(&printed).expect("serializes");
        say!(console, "{text}");
    } else {
        print_tables(&mut console, args, &start, &printed);
        if let Some(path) = &args.save {
            say!(
                console,
                "saved the network (network2 JSON): {}",
                path.display()
            );
        }
    }
    Ok(console.finish()?)
}

/// The minimizer's settings from the flags, each checked.
fn settings(args: &OptimumArgs) -> Outcome<Settings> {
    if !(args.lambda.is_finite() && args.lambda > 0.0) {
        return Err(Failure::flag(
            "--lambda",
            format!(
                "{}; expected a number above 0 (the identity's right side is (n/lambda) times the data term)",
                args.lambda
            ),
        ));
    }
    if !(args.tolerance.is_finite() && args.tolerance >= 0.0) {
        return Err(Failure::flag(
            "--tolerance",
            format!("{}; expected a number >= 0", args.tolerance),
        ));
    }
    if args.memory == 0 {
        return Err(Failure::flag("--memory", "0; expected at least 1 step"));
    }
    Ok(Settings {
        gradient_tolerance: args.tolerance,
        max_iterations: args.max_iterations,
        memory: args.memory,
    })
}

/// The first n training images, pooled to `net`'s first layer, after
/// checking that the network fits them.
fn training_set(args: &OptimumArgs, net: &Network<f64>) -> Outcome<Dataset> {
    let bad = |message: String| Failure::from(Error::bad_file(&args.load, message));
    let finite = |v: &Vec<f64>| v.iter().all(|x| x.is_finite());
    if !(net.weights.iter().all(finite) && net.biases.iter().all(finite)) {
        return Err(bad("holds a weight or bias that is NaN or infinite".into()));
    }
    let source = match &args.data {
        Some(dir) => DataSource::Directory(dir.clone()),
        None => DataSource::Bundled,
    };
    let mnist = Mnist::load(&source)?;
    let (w, h) = mnist.training.shape();
    let inputs = net.sizes()[0];
    let pool = [1, 2, 4]
        .into_iter()
        .find(|&p| w % p == 0 && h % p == 0 && (w / p) * (h / p) == inputs)
        .ok_or_else(|| {
            bad(format!(
                "first layer {inputs}; the images are {w}x{h}, so expected {} (or {} / {} for pool 2 / 4)",
                w * h,
                (w / 2) * (h / 2),
                (w / 4) * (h / 4)
            ))
        })?;
    let training = mnist.training.pooled(pool);
    let available = training.len();
    let n = args.train_size.unwrap_or(available);
    if n == 0 || n > available {
        return Err(Failure::flag(
            "--train-size",
            format!("{n}; expected 1 to the training set's {available} examples"),
        ));
    }
    let training = training.slice(0..n);
    let classes = training
        .labels()
        .iter()
        .max()
        .map_or(0, |&l| l as usize + 1);
    let outputs = *net.sizes().last().expect("at least two layers");
    if outputs < classes {
        return Err(bad(format!(
            "last layer {outputs}; the labels run from 0 to {}, so expected at least {classes} outputs",
            classes - 1
        )));
    }
    Ok(training)
}

/// One line per iteration: iteration, evaluations, J, |grad J|, then each
/// weight layer's rms.
fn history_csv(result: &Optimum) -> String {
    let layers = result.end.layers.len();
    let mut header: Vec<String> = ["iteration", "evaluations", "cost", "grad_norm"]
        .map(String::from)
        .to_vec();
    header.extend((0..layers).map(|l| format!("rms_{}", Layer::Weights(l))));
    let rows: Vec<Vec<String>> = result
        .history
        .iter()
        .map(|step| {
            let mut row = vec![
                step.iteration.to_string(),
                step.evaluations.to_string(),
                step.cost.to_string(),
                step.grad_norm.to_string(),
            ];
            row.extend(step.rms.iter().map(f64::to_string));
            row
        })
        .collect();
    crate::metrics::write_table(&header, &rows)
}

fn print_tables(console: &mut Console, args: &OptimumArgs, start: &Network<f64>, p: &Printed) {
    say!(
        console,
        "L2 optimum of J = C_0 + (lambda/2n) sum |w|^2 from {}: sizes {:?}, {}, lambda {}, n {}",
        args.load.display(),
        start.sizes(),
        start.cost.network2_name(),
        p.lambda,
        p.n
    );
    let stopped = match p.stop {
        Stop::Converged => format!("converged (|grad J| <= {:e})", p.tolerance),
        Stop::IterationLimit => format!(
            "stopped at the iteration limit (tolerance {:e})",
            p.tolerance
        ),
        Stop::LineSearch => "stopped: no step decreased J within f64 rounding".to_string(),
    };
    say!(
        console,
        "L-BFGS (memory {}): {stopped} after {} iterations, {} full-batch passes, {:.1} s",
        p.memory,
        p.iterations,
        p.evaluations,
        p.seconds
    );
    say!(console, "{:<10} {:>16} {:>16}", "", "start", "optimum");
    say!(
        console,
        "{:<10} {:>16.10} {:>16.10}",
        "J",
        p.start.cost,
        p.cost
    );
    say!(
        console,
        "{:<10} {:>16.10} {:>16.10}",
        "C_0",
        p.start.data_cost,
        p.data_cost
    );
    say!(
        console,
        "{:<10} {:>16.4e} {:>16.4e}",
        "|grad J|",
        p.start.grad_norm,
        p.grad_norm
    );
    say!(
        console,
        "{:<6} {:>10} {:>10} {:>10} {:>12} {:>10} {:>14} {:>14} {:>11}",
        "layer",
        "start rms",
        "rms",
        "norm",
        "cosine",
        "|dJ/dw|",
        "|w|^2",
        "(n/l)(-w.dC0)",
        "rms change"
    );
    for layer in &p.layers {
        let f = layer.figures;
        let cosine = f.cosine.map_or("-".to_string(), |c| format!("{c:.9}"));
        say!(
            console,
            "{:<6} {:>10.6} {:>10.6} {:>10.4} {:>12} {:>10.3e} {:>14.6} {:>14.6} {:>11.2e}",
            f.layer,
            layer.start_rms,
            f.rms,
            f.norm,
            cosine,
            f.grad_norm,
            f.norm_sq,
            f.n_over_lambda_data_term,
            layer.size_change
        );
    }
    let identity = &p.identity;
    say!(
        console,
        "all weights: |w| {:.6}; identity |w|^2 = {:.6} vs (n/lambda)(-w . grad C_0) = {:.6} (relative gap {:.2e})",
        p.total_norm,
        identity.norm_sq,
        identity.n_over_lambda_data_term,
        (identity.norm_sq - identity.n_over_lambda_data_term).abs() / identity.norm_sq
    );
    say!(
        console,
        "rms change: relative change of each layer's rms over the last {} iterations",
        p.size_change_window
    );
}
