//! The playground's runs: each trains on a thread of its own, as `decaylab
//! train` would with the same flags, and streams its records to the page
//! that started it. A page can pause, stop and retune (eta, lambda) its
//! run between epochs; a run whose page has gone stops.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::mpsc as stream;

use super::settings::Settings;
use crate::data::mnist::Mnist;
use crate::error::Result;
use crate::kernels::Real;
use crate::metrics::{EpochRecord, json_line};
use crate::net::network2_json;
use crate::run::{self, Config, Observer, Precision, RunData, Steer};
use crate::study::claims::Thresholds;
use crate::study::claims::live::{self, LiveClaims};

/// Runs kept after they end, for their downloads (the oldest ended run
/// goes first).
const KEPT_RUNS: usize = 16;

/// How often a paused run looks whether its page is still there.
const PAUSED_POLL: Duration = Duration::from_millis(200);

/// What a run tells its page, in order: `Start`, an `Epoch` and its
/// `Claims` per epoch (epoch 0 first), then `Done` or `Failed`.
#[derive(Debug, Clone)]
pub enum Event {
    /// The run's id, settings and equivalent command (JSON).
    Start(String),
    /// The epoch's record, exactly the line `train --metrics` writes.
    Epoch(String),
    /// Claims 1 and 2 decided on the records so far (JSON).
    Claims(String),
    /// How the run ended (JSON).
    Done(String),
    /// Why the run could not go on.
    Failed(String),
}

/// What a page asks of its run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Control {
    Pause,
    Resume,
    Stop,
    Retune { eta: f64, lambda: f64 },
}

/// Where a run is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Training,
    Paused,
    /// All epochs done.
    Finished,
    /// Stopped by its page.
    Stopped,
    /// Its page went away.
    Abandoned,
    /// It diverged or failed: the message.
    Failed(String),
}

impl Phase {
    fn is_active(&self) -> bool {
        matches!(self, Phase::Training | Phase::Paused)
    }
}

/// One run, as the server keeps it.
pub struct Run {
    /// The run's number, from 1.
    pub id: u64,
    /// The page that started it.
    pub page: String,
    /// Its settings.
    pub settings: Settings,
    controls: Mutex<mpsc::Sender<Control>>,
    state: Mutex<RunState>,
}

/// What a run has done so far.
#[derive(Default)]
struct RunState {
    phase: Option<Phase>,
    records: Vec<EpochRecord>,
    /// The trained network as network2 JSON, once the run has ended.
    network: Option<String>,
}

impl Run {
    fn state(&self) -> MutexGuard<'_, RunState> {
        // A poisoned lock is a panic on the run's thread, which the thread
        // reports as its failure; its records are still whole.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Where the run is.
    pub fn phase(&self) -> Phase {
        self.state().phase.clone().unwrap_or(Phase::Training)
    }

    /// The records so far as `train --metrics` writes them.
    pub fn json_lines(&self) -> String {
        crate::metrics::to_json_lines(&self.state().records)
    }

    /// The records so far as `train --metrics-csv` writes them.
    pub fn csv(&self) -> String {
        crate::metrics::to_csv(&self.state().records)
    }

    /// The network as network2 JSON, once the run has ended.
    pub fn network(&self) -> Option<String> {
        self.state().network.clone()
    }

    /// Pass `control` to the run; false if it has ended.
    pub fn control(&self, control: Control) -> bool {
        let sender = self.controls.lock().unwrap_or_else(|e| e.into_inner());
        self.phase().is_active() && sender.send(control).is_ok()
    }
}

/// Why a run was not started.
#[derive(Debug, Clone, PartialEq)]
pub enum Refused {
    /// The settings, as `train` refuses them: its message.
    Settings(String),
    /// This page already has a run going.
    PageBusy(u64),
    /// Every training slot is taken.
    Full(usize),
}

/// Every run of the server, and what they train on.
pub struct Runs {
    mnist: Mnist,
    /// The most runs training at once (the cores).
    slots: usize,
    next_id: AtomicU64,
    runs: Mutex<Vec<Arc<Run>>>,
}

impl Runs {
    /// No runs yet; they will train on `mnist`, at most `slots` at once.
    pub fn new(mnist: Mnist, slots: usize) -> Runs {
        Runs {
            mnist,
            slots,
            next_id: AtomicU64::new(1),
            runs: Mutex::new(Vec::new()),
        }
    }

    fn list(&self) -> MutexGuard<'_, Vec<Arc<Run>>> {
        self.runs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The run numbered `id`, if it is kept.
    pub fn get(&self, id: u64) -> Option<Arc<Run>> {
        self.list().iter().find(|r| r.id == id).cloned()
    }

    /// Start a run of `settings` for `page`; its events come through the
    /// receiver.
    pub fn start(
        self: &Arc<Runs>,
        settings: Settings,
        page: &str,
    ) -> std::result::Result<(Arc<Run>, stream::Receiver<Event>), Refused> {
        let (config, data, notes) = super::prepare(&settings, &self.mnist)
            .map_err(|failure| Refused::Settings(failure.to_string()))?;
        let mut runs = self.list();
        if let Some(busy) = runs
            .iter()
            .find(|r| r.page == page && r.phase().is_active())
        {
            return Err(Refused::PageBusy(busy.id));
        }
        if runs.iter().filter(|r| r.phase().is_active()).count() >= self.slots {
            return Err(Refused::Full(self.slots));
        }
        let (control_tx, control_rx) = mpsc::channel();
        let run = Arc::new(Run {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            page: page.to_string(),
            settings,
            controls: Mutex::new(control_tx),
            state: Mutex::new(RunState::default()),
        });
        while runs.len() >= KEPT_RUNS {
            match runs.iter().position(|r| !r.phase().is_active()) {
                Some(oldest_ended) => {
                    runs.remove(oldest_ended);
                }
                None => break,
            }
        }
        runs.push(run.clone());
        drop(runs);
        // A few epochs in flight: a page slower than the training holds
        // the training back rather than letting the records pile up.
        let (events, receiver) = stream::channel(8);
        let start = StartInfo {
            id: run.id,
            command: format!("decaylab train {}", run.settings.train_flags().join(" ")),
            precision: config.precision,
            notes,
            sizes: config.sizes.clone(),
            n: data.training.len(),
            steps_per_epoch: data.training.len().div_ceil(config.batch),
        };
        let thread_run = run.clone();
        std::thread::spawn(move || train(&thread_run, &config, &data, &start, events, control_rx));
        Ok((run, receiver))
    }
}

/// The first event's content.
#[derive(Serialize)]
struct StartInfo {
    id: u64,
    /// The `decaylab train` command that gives the same bits.
    command: String,
    precision: Precision,
    /// What `train` would print before its first epoch (the precision's
    /// reason, the probes switched off for a rule).
    notes: Vec<String>,
    sizes: Vec<usize>,
    n: usize,
    steps_per_epoch: usize,
}

/// Train `run` to its end, sending its events; its last state is kept.
fn train(
    run: &Run,
    config: &Config,
    data: &RunData,
    start: &StartInfo,
    events: stream::Sender<Event>,
    controls: mpsc::Receiver<Control>,
) {
    let start = serde_json::to_string(start).unwrap_or_default();
    let mut live = Live {
        run,
        events,
        controls,
        thresholds: Thresholds::default(),
        gone: false,
        stop_asked: false,
    };
    live.send(Event::Start(start));
    let outcome =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match config.precision {
            Precision::F32 => trained::<f32>(config, data, &mut live),
            Precision::F64 => trained::<f64>(config, data, &mut live),
        }));
    let (phase, network) = match outcome {
        Ok(Ok(network)) if live.gone => (Phase::Abandoned, Some(network)),
        Ok(Ok(network)) if live.stop_asked => (Phase::Stopped, Some(network)),
        Ok(Ok(network)) => (Phase::Finished, Some(network)),
        Ok(Err(error)) => (Phase::Failed(error.to_string()), None),
        Err(_) => (
            Phase::Failed("the training thread failed".to_string()),
            None,
        ),
    };
    {
        let mut state = run.state();
        state.phase = Some(phase.clone());
        state.network = network;
    }
    let event = match &phase {
        Phase::Failed(message) => Event::Failed(message.clone()),
        phase => Event::Done(
            serde_json::json!({ "phase": phase, "epochs": run.state().records.len().saturating_sub(1) })
                .to_string(),
        ),
    };
    live.send(event);
}

/// The trained network of `config`'s run as network2 JSON.
fn trained<T: Real>(config: &Config, data: &RunData, live: &mut Live) -> Result<String> {
    let outcome = run::run::<T>(config, data, live)?;
    Ok(network2_json::to_json(&outcome.net))
}

/// The observer of a playground run: sends each record to the page and
/// takes the page's controls between epochs.
struct Live<'a> {
    run: &'a Run,
    events: stream::Sender<Event>,
    controls: mpsc::Receiver<Control>,
    thresholds: Thresholds,
    /// The page has gone (its stream is closed).
    gone: bool,
    /// The page asked the run to stop.
    stop_asked: bool,
}

impl Live<'_> {
    fn send(&mut self, event: Event) {
        if self.events.blocking_send(event).is_err() {
            self.gone = true;
        }
    }

    fn set_phase(&self, phase: Phase) {
        self.run.state().phase = Some(phase);
    }
}

impl Observer for Live<'_> {
    fn epoch_measured(&mut self, record: &EpochRecord) -> Result<()> {
        let claims: LiveClaims = {
            let mut state = self.run.state();
            state.records.push(record.clone());
            live::decide(&state.records, &self.thresholds)
        };
        let line = json_line(record);
        self.send(Event::Epoch(line.trim_end().to_string()));
        self.send(Event::Claims(
            serde_json::to_string(&claims).unwrap_or_default(),
        ));
        Ok(())
    }

    fn steer(&mut self, _epoch: usize) -> Steer {
        let mut steer = Steer::Go;
        let mut paused = false;
        loop {
            if self.gone || self.events.is_closed() {
                self.gone = true;
                return Steer::Stop;
            }
            let control = if paused {
                match self.controls.recv_timeout(PAUSED_POLL) {
                    Ok(control) => Some(control),
                    Err(mpsc::RecvTimeoutError::Timeout) => continue,
                    Err(mpsc::RecvTimeoutError::Disconnected) => return Steer::Stop,
                }
            } else {
                self.controls.try_recv().ok()
            };
            match control {
                None => {
                    self.set_phase(Phase::Training);
                    return steer;
                }
                Some(Control::Stop) => {
                    self.stop_asked = true;
                    return Steer::Stop;
                }
                Some(Control::Pause) => {
                    paused = true;
                    self.set_phase(Phase::Paused);
                }
                Some(Control::Resume) => {
                    paused = false;
                }
                Some(Control::Retune { eta, lambda }) => steer = Steer::Retune { eta, lambda },
            }
        }
    }
}
