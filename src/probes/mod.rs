//! What decaylab measures about a network as it trains:
//! weight statistics and histograms (`stats`, `histogram`), and the norm
//! budget, displacements and gradient signal of every epoch (`budget`),
//! which watches the update step through `train::StepObserver`. Saturation
//! comes from the evaluation's forward pass (`train::eval`).

pub mod budget;
pub mod gradient;
pub mod histogram;
pub mod stats;

pub use budget::{Budget, BudgetTerms, Displacement, Displacements, EpochDynamics, EpochProbe};
pub use gradient::FullGradient;
pub use histogram::Histogram;
pub use stats::{LiveInputs, Summary, WeightStats, rms};
