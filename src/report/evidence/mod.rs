//! Each claim's evidence in the report, one file per claim: tables built
//! from its typed evidence (rows named with their units, layers in
//! columns) and its figures.

pub mod claim1;
pub mod claim2;
pub mod claim3;
pub mod claim4;

use crate::net::Layer;

/// The weight layers' names: "w1", "w2", ...
pub(super) fn layer_names(layers: usize) -> Vec<String> {
    (0..layers).map(|l| Layer::Weights(l).to_string()).collect()
}

/// A header: `first`, then "all weights" and the layers.
pub(super) fn layer_header(first: &str, layers: usize) -> Vec<String> {
    let mut header = vec![first.to_string(), "all weights".into()];
    header.extend(layer_names(layers));
    header
}
