//! The playground's runs: each trains on a thread of its own, as `decaylab
//! train` would with the same flags, and streams its records to the page
//! that started it. A page can pause, stop and retune (eta, lambda) its
//! run between epochs; a run whose page has gone stops.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::mpsc as stream;
use tokio::sync::mpsc::error::TrySendError;

use super::settings::{Optimizer, Settings};
use crate::data::mnist::Mnist;
use crate::error::Result;
use crate::kernels::Real;
use crate::metrics::{EpochRecord, json_line};
use crate::net::network2_json;
use crate::run::{self, Config, Observer, Precision, RunData, Steer};
use crate::study::claims::Thresholds;
use crate::study::claims::live::{self, LiveClaims};

/// Runs kept after they end, for their downloads, in all (the oldest
/// ended run goes first) and per page.
const KEPT_RUNS: usize = 64;
const KEPT_RUNS_PER_PAGE: usize = 4;

/// How often a paused or held-back run looks whether its page is still
/// there and what it asks.
const POLL: Duration = Duration::from_millis(20);

/// The longest a run stays paused: then it stops, freeing its slot.
const PAUSE_LIMIT: Duration = Duration::from_secs(600);

/// The longest a run waits for a page that does not read its records:
/// then the page is taken as gone.
const STALL_LIMIT: Duration = Duration::from_secs(60);

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
    /// The secret the page that started it was given: controls and
    /// downloads must show it.
    pub token: String,
    /// Its settings.
    pub settings: Settings,
    /// eta and lambda of its epochs now (the config's, until retuned;
    /// lambda is 0 with the decoupled rules, whose decay is their own).
    tuned: Mutex<(f64, f64)>,
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

    /// eta and lambda of its epochs now.
    pub fn tuned(&self) -> (f64, f64) {
        *self.tuned.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Pass `control` to the run; false if it has ended.
    pub fn control(&self, control: Control) -> bool {
        let sender = self.controls.lock().unwrap_or_else(|e| e.into_inner());
        let sent = self.phase().is_active() && sender.send(control).is_ok();
        if let (true, Control::Retune { eta, lambda }) = (sent, control) {
            *self.tuned.lock().unwrap_or_else(|e| e.into_inner()) = (eta, lambda);
        }
        sent
    }
}

/// Why a run was not started.
#[derive(Debug, Clone, PartialEq)]
pub enum Refused {
    /// The settings, as `train` refuses them: its message.
    Settings(String),
    /// This page already has a run going (its id, once it has one).
    PageBusy(Option<u64>),
    /// Every training slot is taken.
    Full(usize),
}

/// Every run of the server, and what they train on.
pub struct Runs {
    /// MNIST by pooling: as bundled (1), and pooled as runs asked for it.
    pooled: Mutex<Vec<(usize, Arc<Mnist>)>>,
    /// The most runs training at once (the cores).
    slots: usize,
    next_id: AtomicU64,
    registry: Mutex<Registry>,
}

/// The runs kept, and the pages whose runs are being prepared (each holds
/// a slot already).
#[derive(Default)]
struct Registry {
    runs: Vec<Arc<Run>>,
    starting: Vec<String>,
}

impl Registry {
    fn active(&self) -> usize {
        self.runs.iter().filter(|r| r.phase().is_active()).count() + self.starting.len()
    }

    /// Keep `run`, letting the oldest ended runs go: its page's beyond
    /// `KEPT_RUNS_PER_PAGE`, everyone's beyond `KEPT_RUNS`.
    fn keep(&mut self, run: Arc<Run>) {
        let ended_of = |runs: &[Arc<Run>], page: Option<&str>| {
            runs.iter()
                .filter(|r| !r.phase().is_active() && page.is_none_or(|p| r.page == p))
                .map(|r| r.id)
                .collect::<Vec<_>>()
        };
        let own = ended_of(&self.runs, Some(&run.page));
        let surplus = (own.len() + 1).saturating_sub(KEPT_RUNS_PER_PAGE);
        self.runs
            .retain(|r| !own[..surplus.min(own.len())].contains(&r.id));
        let all = ended_of(&self.runs, None);
        let surplus = (self.runs.len() + 1).saturating_sub(KEPT_RUNS);
        self.runs
            .retain(|r| !all[..surplus.min(all.len())].contains(&r.id));
        self.runs.push(run);
    }
}

impl Runs {
    /// No runs yet; they will train on `mnist` (as bundled, unpooled), at
    /// most `slots` at once.
    pub fn new(mnist: Mnist, slots: usize) -> Runs {
        Runs {
            pooled: Mutex::new(vec![(1, Arc::new(mnist))]),
            slots,
            next_id: AtomicU64::new(1),
            registry: Mutex::new(Registry::default()),
        }
    }

    fn registry(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// MNIST pooled over `pool` x `pool` squares, made once from the
    /// bundled images.
    fn mnist(&self, pool: usize) -> Arc<Mnist> {
        let mut pooled = self.pooled.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, mnist)) = pooled.iter().find(|(p, _)| *p == pool) {
            return mnist.clone();
        }
        let mnist = Arc::new(pooled[0].1.pooled(pool));
        pooled.push((pool, mnist.clone()));
        mnist
    }

    /// The run numbered `id`, if it is kept.
    pub fn get(&self, id: u64) -> Option<Arc<Run>> {
        self.registry().runs.iter().find(|r| r.id == id).cloned()
    }

    /// Start a run of `settings` for `page`; its events come through the
    /// receiver.
    pub fn start(
        self: &Arc<Runs>,
        settings: Settings,
        page: &str,
    ) -> std::result::Result<(Arc<Run>, stream::Receiver<Event>), Refused> {
        {
            // A slot is taken before the run is prepared (its data drawn),
            // so that refused requests cost nothing.
            let mut registry = self.registry();
            if let Some(busy) = registry
                .runs
                .iter()
                .find(|r| r.page == page && r.phase().is_active())
            {
                return Err(Refused::PageBusy(Some(busy.id)));
            }
            if registry.starting.iter().any(|p| p == page) {
                return Err(Refused::PageBusy(None));
            }
            if registry.active() >= self.slots {
                return Err(Refused::Full(self.slots));
            }
            registry.starting.push(page.to_string());
        }
        let prepared = super::prepare(&settings, &self.mnist(settings.pool()));
        let mut registry = self.registry();
        registry.starting.retain(|p| p != page);
        let (config, data, notes) = prepared.map_err(Refused::Settings)?;
        let (control_tx, control_rx) = mpsc::channel();
        let token: u128 = rand::random();
        let run = Arc::new(Run {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            page: page.to_string(),
            token: format!("{token:032x}"),
            settings,
            tuned: Mutex::new((config.eta, config.lambda)),
            controls: Mutex::new(control_tx),
            state: Mutex::new(RunState::default()),
        });
        registry.keep(run.clone());
        drop(registry);
        // A few epochs in flight: a page slower than the training holds
        // the training back rather than letting the records pile up.
        let (events, receiver) = stream::channel(8);
        let start = StartInfo {
            id: run.id,
            token: run.token.clone(),
            claims_decided: run.settings.optimizer == Optimizer::Sgd,
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
    /// The secret its controls and downloads must show.
    token: String,
    /// Whether claims 1 and 2 are decided live: for network2's rule only,
    /// whose decay law the records' rho* is.
    claims_decided: bool,
    /// The `decaylab train` command that gives the same bits.
    command: String,
    precision: Precision,
    /// What `train` would print before its first epoch (the precision's
    /// reason).
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
        pending: VecDeque::new(),
        thresholds: Thresholds::default(),
        decides_claims: run.settings.optimizer == Optimizer::Sgd,
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
    /// Controls taken while waiting for the page to read, for `steer`.
    pending: VecDeque<Control>,
    thresholds: Thresholds,
    /// Whether claims 1 and 2 are decided (network2's rule).
    decides_claims: bool,
    /// The page has gone (its stream is closed).
    gone: bool,
    /// The page asked the run to stop.
    stop_asked: bool,
}

impl Live<'_> {
    /// Send `event`, waiting while the page reads the earlier ones; a page
    /// that reads nothing for `STALL_LIMIT` is taken as gone, and a stop
    /// asked for meanwhile ends the wait.
    fn send(&mut self, event: Event) {
        let mut event = event;
        let started = Instant::now();
        loop {
            match self.events.try_send(event) {
                Ok(()) => return,
                Err(TrySendError::Closed(_)) => {
                    self.gone = true;
                    return;
                }
                Err(TrySendError::Full(back)) => event = back,
            }
            while let Ok(control) = self.controls.try_recv() {
                self.pending.push_back(control);
            }
            if self.pending.contains(&Control::Stop) {
                self.stop_asked = true;
                return;
            }
            if started.elapsed() > STALL_LIMIT {
                self.gone = true;
                return;
            }
            std::thread::sleep(POLL);
        }
    }

    /// The next control: one taken while sending first, then the page's.
    fn next_control(&mut self, wait: bool) -> Option<Control> {
        if let Some(control) = self.pending.pop_front() {
            return Some(control);
        }
        if wait {
            self.controls.recv_timeout(POLL).ok()
        } else {
            self.controls.try_recv().ok()
        }
    }

    fn set_phase(&self, phase: Phase) {
        self.run.state().phase = Some(phase);
    }
}

impl Observer for Live<'_> {
    fn epoch_measured(&mut self, record: &EpochRecord) -> Result<()> {
        let claims: Option<LiveClaims> = {
            let mut state = self.run.state();
            state.records.push(record.clone());
            self.decides_claims
                .then(|| live::decide(&state.records, &self.thresholds))
        };
        let line = json_line(record);
        self.send(Event::Epoch(line.trim_end().to_string()));
        if let Some(claims) = claims {
            self.send(Event::Claims(
                serde_json::to_string(&claims).unwrap_or_default(),
            ));
        }
        Ok(())
    }

    fn steer(&mut self, _epoch: usize) -> Steer {
        let mut steer = Steer::Go;
        let mut paused_since: Option<Instant> = None;
        loop {
            if self.gone || self.events.is_closed() {
                self.gone = true;
                return Steer::Stop;
            }
            if self.stop_asked || paused_since.is_some_and(|t| t.elapsed() > PAUSE_LIMIT) {
                self.stop_asked = true;
                return Steer::Stop;
            }
            match self.next_control(paused_since.is_some()) {
                None if paused_since.is_some() => continue,
                None => {
                    self.set_phase(Phase::Training);
                    return steer;
                }
                Some(Control::Stop) => self.stop_asked = true,
                Some(Control::Pause) => {
                    paused_since.get_or_insert_with(Instant::now);
                    self.set_phase(Phase::Paused);
                }
                Some(Control::Resume) => paused_since = None,
                Some(Control::Retune { eta, lambda }) => steer = Steer::Retune { eta, lambda },
            }
        }
    }
}
