//! `decaylab inspect NET.json`: the weights of a saved network, layer by
//! layer, beside the sizes the question compares them with.

use serde::Serialize;

use super::console::{Console, say};
use super::failure::Outcome;
use crate::cli::InspectArgs;
use crate::net::{Network, network2_json};
use crate::probes::{self, Summary, WeightStats};
use crate::theory::{self, ReferenceSizes};

#[derive(Serialize)]
struct Inspection {
    sizes: Vec<usize>,
    cost: &'static str,
    /// n_w, the number of weights.
    weights: usize,
    all: Summary,
    layers: Vec<LayerInspection>,
    reference: ReferenceSizes,
}

#[derive(Serialize)]
struct LayerInspection {
    n_in: usize,
    n_out: usize,
    #[serde(flatten)]
    stats: Summary,
    /// 1/sqrt(n_in): the std of N(0, 1/n_in) initialization for this layer.
    inv_sqrt_n_in: f64,
    bias_rms: f64,
}

/// Print the layers of the network `args.net` names.
pub fn inspect(args: &InspectArgs) -> Outcome {
    let net: Network<f64> = network2_json::load(&args.net)?;
    let stats = WeightStats::of(&net);
    let inspection = Inspection {
        sizes: net.sizes().to_vec(),
        cost: net.cost.network2_name(),
        weights: net.weight_count(),
        all: stats.all.clone(),
        layers: stats
            .layers
            .iter()
            .enumerate()
            .map(|(l, s)| {
                let (n_out, n_in) = net.shape(l);
                let biases = &net.biases[l];
                LayerInspection {
                    n_in,
                    n_out,
                    stats: s.clone(),
                    inv_sqrt_n_in: theory::inv_sqrt_n_in(n_in),
                    bias_rms: probes::rms(biases),
                }
            })
            .collect(),
        reference: ReferenceSizes::for_weight_count(net.weight_count()),
    };
    let mut console = Console::new();
    if args.json {
        say!(
            console,
            "{}",
            serde_json::to_string_pretty(&inspection).expect("serializes")
        );
        return Ok(console.finish()?);
    }
    say!(
        console,
        "{}: sizes {:?}, {}, n_w = {} weights",
        args.net.display(),
        inspection.sizes,
        inspection.cost,
        inspection.weights
    );
    say!(
        console,
        "{:<10} {:>8} {:>10} {:>10} {:>10} {:>10} {:>12} {:>10}",
        "layer",
        "n_in",
        "rms",
        "mean",
        "std",
        "max |w|",
        "1/sqrt(n_in)",
        "bias rms"
    );
    for (l, layer) in inspection.layers.iter().enumerate() {
        say!(
            console,
            "{:<10} {:>8} {:>10.5} {:>10.5} {:>10.5} {:>10.5} {:>12.5} {:>10.5}",
            format!("w^{}", l + 1),
            layer.n_in,
            layer.stats.rms,
            layer.stats.mean,
            layer.stats.std,
            layer.stats.max_abs,
            layer.inv_sqrt_n_in,
            layer.bias_rms
        );
    }
    let all = &inspection.all;
    say!(
        console,
        "{:<10} {:>8} {:>10.5} {:>10.5} {:>10.5} {:>10.5}",
        "all",
        "",
        all.rms,
        all.mean,
        all.std,
        all.max_abs
    );
    say!(
        console,
        "reference sizes: 1/sqrt(n_w) = {:.5}, 1/n_w = {:.3e}",
        inspection.reference.inv_sqrt_n_w,
        inspection.reference.inv_n_w
    );
    Ok(console.finish()?)
}
