//! What decaylab measures about a network as it trains (SPEC section 2).

pub mod stats;

pub use stats::{Summary, WeightStats};
