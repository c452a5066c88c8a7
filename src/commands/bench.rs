//! `decaylab bench`: seconds per full training epoch, median of several
//! after a warm-up, on the bundled MNIST.

use std::time::Instant;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::console::{Console, say};
use super::failure::{Failure, Outcome};
use crate::cli::BenchArgs;
use crate::kernels::Real;
use crate::net::{Cost, Init, Network};
use crate::probes::EpochProbe;
use crate::run::{Config, Precision};
use crate::train::{EpochOrder, Hyper, Sgd, Unobserved};

/// What `bench --json` prints: one object with these fields.
#[derive(Debug, Serialize)]
struct BenchResult {
    seconds_per_epoch: f64,
    examples_per_second: f64,
    /// Counted floating-point operations of forward, backward and update, per second, in 1e9.
    gflops: f64,
    sizes: Vec<usize>,
    batch: usize,
    precision: &'static str,
    probes: bool,
    epochs_measured: usize,
    /// Every measured epoch, in order.
    seconds: Vec<f64>,
    threads: usize,
}

/// Time the epochs the flags describe; a refused setting is named by its flag.
pub fn bench(args: &BenchArgs) -> Outcome {
    // The benchmark trains like any run: describe it as one, and let the
    // run's own checks judge the flags (sizes against the pooled images,
    // batch, epochs).
    // The pooling follows from the first size: 784, 196 or 49 pixels.
    let pool = match args.sizes.first() {
        Some(784) => 1,
        Some(196) => 2,
        Some(49) => 4,
        first => {
            return Err(Failure::flag(
                "--sizes",
                format!(
                    "first layer {}; expected 784, 196 or 49 (the images pooled 1, 2 or 4 times)",
                    first.map_or("missing".to_string(), |n| n.to_string())
                ),
            ));
        }
    };
    let config = Config {
        sizes: args.sizes.clone(),
        batch: args.batch,
        epochs: args.epochs,
        precision: args.precision.into(),
        pool,
        ..Config::default()
    };
    let mnist = config.load_mnist().map_err(Failure::naming_flags)?;
    let data = config.select_data(&mnist).map_err(Failure::naming_flags)?;
    let training = data.training;
    let result = match config.precision {
        Precision::F32 => measure::<f32>(args, &training),
        Precision::F64 => measure::<f64>(args, &training),
    };
    let mut console = Console::new();
    if args.json {
        say!(
            console,
            "{}",
            serde_json::to_string(&result).expect("serializes")
        );
    } else {
        say!(
            console,
            "{:?}, m {}, {}{}: {:.4} s per epoch (median of {}), {:.0} examples/s, {:.1} GFLOP/s, {} thread(s)",
            result.sizes,
            result.batch,
            result.precision,
            if result.probes { ", probes on" } else { "" },
            result.seconds_per_epoch,
            result.epochs_measured,
            result.examples_per_second,
            result.gflops,
            result.threads,
        );
    }
    Ok(console.finish()?)
}

fn measure<T: Real>(args: &BenchArgs, training: &crate::data::Dataset) -> BenchResult {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let net: Network<T> = Network::new(&args.sizes, Init::Default, Cost::CrossEntropy, &mut rng);
    let mut probe = EpochProbe::new(&net);
    let hyper = Hyper {
        eta: 0.1,
        lambda: 5.0,
        n: training.len(),
    };
    let mut sgd = Sgd::new(net, hyper, args.batch, EpochOrder::Shuffled(rng));
    let mut seconds = Vec::new();
    for epoch in 0..=args.epochs {
        let start = Instant::now();
        if args.probes {
            let before = sgd.net.weights.clone();
            probe.start_epoch();
            sgd.epoch(training, &mut probe, &mut |_| {});
            std::hint::black_box(probe.finish(&before, &sgd.net));
        } else {
            sgd.epoch(training, &mut Unobserved, &mut |_| {});
        }
        // Epoch 0 warms caches and the branch predictors up; it is not counted.
        if epoch > 0 {
            seconds.push(start.elapsed().as_secs_f64());
        }
    }
    let mut sorted = seconds.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    let n = training.len() as f64;
    BenchResult {
        seconds_per_epoch: median,
        examples_per_second: n / median,
        gflops: flops_per_epoch(&args.sizes, training.len(), args.batch) / median / 1e9,
        sizes: args.sizes.clone(),
        batch: args.batch,
        precision: T::NAME,
        probes: args.probes,
        epochs_measured: seconds.len(),
        seconds,
        threads: 1,
    }
}

/// FLOPs of one epoch: per example and weight layer, 2 n_in n_out for the
/// forward product, 2 n_in n_out for the weight gradient and (from the
/// second layer on) 2 n_in n_out for the backpropagated error; per step and
/// weight, 4 for the update w - c w - b g.
fn flops_per_epoch(sizes: &[usize], n: usize, m: usize) -> f64 {
    let mut per_example = 0.0;
    for (l, pair) in sizes.windows(2).enumerate() {
        let weights = (pair[0] * pair[1]) as f64;
        per_example += if l == 0 { 4.0 } else { 6.0 } * weights;
    }
    let weights = crate::net::weight_count(sizes).unwrap_or(usize::MAX);
    per_example * n as f64 + 4.0 * weights as f64 * n.div_ceil(m) as f64
}
