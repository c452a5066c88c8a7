//! The network: weights, biases, initializations, costs, and network2's JSON
//! file format.

mod cost;
mod network;
pub mod network2_json;

pub use cost::Cost;
pub use network::{Init, Network};
