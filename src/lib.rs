//! decaylab: trains sigmoid networks on MNIST exactly as network2.py does
//! ("Neural Networks and Deep Learning", ch. 3) and measures how L2 weight
//! decay shapes the weights, epoch by epoch.
//!
//! The modules follow the data's path:
//! `data` (IDX files, MNIST) -> `net` (weights, costs, files) -> `train`
//! (backprop, SGD, evaluation) -> `probes` (what is measured) -> `metrics`
//! (per-epoch records and their files). `cli` and `commands` are the
//! command-line front end.

pub mod cli;
pub mod commands;
pub mod data;
pub mod error;
pub mod kernels;
pub mod metrics;
pub mod net;
pub mod output;
pub mod probes;
pub mod report;
pub mod study;
pub mod theory;
pub mod train;

pub use error::{Error, Result};
