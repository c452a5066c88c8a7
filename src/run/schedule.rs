//! Early stopping and the learning-rate schedule of the book's chapter 3
//! (its exercises on "no-improvement-in-n"), decided from the records
//! alone, so that a resumed run decides as one never stopped.
//!
//! - **No improvement in N**: the run stops once the best validation
//!   accuracy of the current stretch (from the start, or from the last
//!   change of eta) is N epochs old.
//! - **Halve**: where no improvement in N would stop the run, eta is halved
//!   instead and a new stretch starts; the run stops at the `HALVINGS`-th
//!   (7th), which would bring eta to 1/128 of its start.

use serde::{Deserialize, Serialize};

use crate::metrics::EpochRecord;
pub use crate::metrics::ScheduleEvent;

/// How eta changes during a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Schedule {
    /// eta stays as given (network2's).
    #[default]
    Constant,
    /// eta halves each time no improvement in N epochs is seen.
    Halve,
}

impl Schedule {
    /// Whether this is network2's constant eta (written only otherwise).
    pub fn is_constant(&self) -> bool {
        *self == Schedule::Constant
    }
}

/// The book's exercise stops once eta is 1/128 of its start: 7 halvings.
pub const HALVINGS: u32 = 7;

/// The epochs of no improvement the schedule waits for when `--early-stop`
/// does not say (the book's exercise: no-improvement-in-10).
pub const SCHEDULE_PATIENCE: usize = 10;

/// What to do after the last of `records`: nothing, halve eta, or stop.
/// `patience` is N of no-improvement-in-N; `halve` whether eta halves
/// (until `HALVINGS`) rather than the run stopping.
pub fn decide(records: &[EpochRecord], patience: usize, halve: bool) -> Option<ScheduleEvent> {
    // The current stretch starts at the last halving (the epoch after it).
    let start = records
        .iter()
        .rposition(|r| r.schedule_event == Some(ScheduleEvent::Halved))
        .map_or(0, |i| i + 1);
    let stretch = &records[start..];
    let best = stretch
        .iter()
        .enumerate()
        .fold(None, |best: Option<(usize, f64)>, (i, r)| match best {
            Some((_, a)) if a >= r.eval_accuracy => best,
            _ => Some((i, r.eval_accuracy)),
        })?;
    let since_best = stretch.len() - 1 - best.0;
    if since_best < patience {
        return None;
    }
    let halvings = records
        .iter()
        .filter(|r| r.schedule_event == Some(ScheduleEvent::Halved))
        .count() as u32;
    // The seventh halving would bring eta to 1/128 of its start: the run
    // stops there instead.
    if halve && halvings + 1 < HALVINGS {
        Some(ScheduleEvent::Halved)
    } else {
        Some(ScheduleEvent::Stopped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::synthetic::synthetic_run;

    /// Records whose accuracies are `accuracy`, epoch 0 first.
    fn run(accuracy: &[f64]) -> Vec<EpochRecord> {
        let ones = vec![1.0; accuracy.len()];
        synthetic_run(&ones, &ones, accuracy, 0.95)
    }

    #[test]
    fn no_improvement_in_n_stops_n_epochs_after_the_best() {
        let records = run(&[0.1, 0.5, 0.6, 0.59, 0.6, 0.58]);
        // Best 0.6 at epoch 2 (a tie later is no improvement).
        assert_eq!(decide(&records[..5], 3, false), None);
        assert_eq!(decide(&records, 3, false), Some(ScheduleEvent::Stopped));
        assert_eq!(decide(&records, 4, false), None);
    }

    /// `run` with eta halved after the epochs `halved_at`.
    fn run_with(accuracy: &[f64], halved_at: &[usize]) -> Vec<EpochRecord> {
        let mut records = run(accuracy);
        for &e in halved_at {
            records[e].schedule_event = Some(ScheduleEvent::Halved);
        }
        records
    }

    #[test]
    fn halving_starts_a_new_stretch_and_the_seventh_stops() {
        use ScheduleEvent::*;
        let accuracy = [0.1, 0.5, 0.4, 0.4, 0.3, 0.3, 0.3];
        assert_eq!(
            decide(&run_with(&accuracy[..4], &[]), 2, true),
            Some(Halved)
        );
        // Halved after epoch 3: the stretch from epoch 4 has its best at 4,
        // below the earlier 0.5 (a new stretch is not held to the old best).
        assert_eq!(decide(&run_with(&accuracy[..6], &[3]), 2, true), None);
        assert_eq!(decide(&run_with(&accuracy, &[3]), 2, true), Some(Halved));
        // Six halvings done: the seventh would reach eta/128, so it stops.
        let flat = [0.3; 10];
        assert_eq!(
            decide(&run_with(&flat, &[1, 2, 3, 4, 5]), 2, true),
            Some(Halved)
        );
        assert_eq!(
            decide(&run_with(&flat, &[1, 2, 3, 4, 5, 6]), 2, true),
            Some(Stopped)
        );
    }
}
