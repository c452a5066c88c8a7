//! `decaylab serve`: the playground. A page (served from the binary: no
//! CDN, no request elsewhere) trains a network live on the server, one run
//! per page and at most one per core, and draws every epoch's record as it
//! comes: accuracy, per-layer weight size against the pure-decay envelope
//! and 1/sqrt(n_in), the offset fraction f, the norm budget, the first
//! layer's weights against N(0, 1/n_in), claims 1 and 2 decided live.
//!
//! HTTP and the stream of records (server-sent events) are axum's on
//! tokio's runtime; the training runs on threads of its own (`runs`).

mod page;
mod routes;
mod runs;
mod settings;

use std::net::SocketAddr;
use std::sync::Arc;

use super::console::{Console, say};
use super::failure::{Failure, Outcome};
use super::train::{choose_precision, configure};
use crate::cli::{ServeArgs, train_args};
use crate::data::mnist::Mnist;
use crate::run::{Config, RunData};
use runs::Runs;
use settings::Settings;

/// Serve the playground until interrupted.
pub fn serve(args: &ServeArgs) -> Outcome {
    // Unpooled; runs with pooled inputs pool it once (`Runs::mnist`).
    let mnist = Config::default().load_mnist()?;
    let slots = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runs = Arc::new(Runs::new(mnist, slots));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| {
            Failure::Library(crate::error::Error::Internal(format!(
                "the server's runtime: {e}"
            )))
        })?;
    runtime.block_on(async {
        let address = SocketAddr::new(args.host, args.port);
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|e| Failure::flag("--port", format!("{}: cannot listen there: {e}", args.port)))?;
        let bound = listener
            .local_addr()
            .map_err(|e| Failure::Library(crate::error::Error::Internal(e.to_string())))?;
        let url = format!("http://{bound}/");
        let mut console = Console::new();
        say!(console, "the playground is at {url} (Ctrl-C to stop)");
        if !args.host.is_loopback() {
            say!(
                console,
                "listening on {}: anyone who can reach this machine there can train networks on it ({slots} at once)",
                args.host
            );
        }
        if args.open
            && let Err(e) = open::that_detached(&url)
        {
            say!(console, "could not open a browser ({e}); open {url} by hand");
        }
        axum::serve(listener, routes::router(runs))
            .await
            .map_err(|e| Failure::Library(crate::error::Error::Internal(format!("the server stopped: {e}"))))?;
        Ok(console.finish()?)
    })
}

/// The config, data and notes of the run `settings` asks for, as `decaylab
/// train` would make them from the same flags (the precision included),
/// on `mnist` pooled as `settings` ask. A refusal names the query's
/// parameter.
fn prepare(settings: &Settings, mnist: &Mnist) -> Result<(Config, RunData, Vec<String>), String> {
    let mut config = configured(settings)?;
    let data = config
        .select_data(mnist)
        .map_err(|e| in_parameters(Failure::naming_flags(e)))?;
    let precision_note = choose_precision(&mut config, &data, false);
    let notes = precision_note.into_iter().collect();
    Ok((config, data, notes))
}

/// Whether `train` takes the settings; if not, why, naming the parameter.
/// (The checks of `prepare` without drawing the data.)
fn check(settings: &Settings) -> Result<(), String> {
    let config = configured(settings)?;
    config
        .check_decay(settings.n)
        .map_err(|e| in_parameters(Failure::naming_flags(e)))
}

fn configured(settings: &Settings) -> Result<Config, String> {
    let args = train_args(&settings.train_flags()).map_err(|e| e.to_string())?;
    configure(&args).map_err(in_parameters)
}

/// `train`'s refusal in the words of the query: its flags (`--batch:
/// ...`) as the parameters that set them (`m: ...`).
fn in_parameters(failure: Failure) -> String {
    const NAMES: [(&str, &str); 10] = [
        ("--sizes", "sizes"),
        ("--pool", "sizes"),
        ("--init", "init"),
        ("--eta", "eta"),
        ("--lambda", "lambda"),
        ("--weight-decay", "lambda (as the decay D = lambda/n)"),
        ("--batch", "m"),
        ("--train-size", "n"),
        ("--epochs", "epochs"),
        ("--seed", "seed"),
    ];
    match &failure {
        Failure::Flag { flag, message } => match NAMES.iter().find(|(f, _)| f == flag) {
            Some((_, parameter)) => format!("{parameter}: {message}"),
            None => failure.to_string(),
        },
        _ => failure.to_string(),
    }
}
