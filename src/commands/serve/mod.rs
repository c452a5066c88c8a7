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
/// train` would make them from the same flags (the precision included).
fn prepare(settings: &Settings, mnist: &Mnist) -> Outcome<(Config, RunData, Vec<String>)> {
    let flags = settings.train_flags();
    let args = train_args(&flags).map_err(|e| Failure::flag("settings", e.to_string()))?;
    let (mut config, rule_note) = configure(&args)?;
    let data = config.select_data(mnist).map_err(Failure::naming_flags)?;
    let precision_note = choose_precision(&mut config, &data, false);
    let notes = [rule_note, precision_note].into_iter().flatten().collect();
    Ok((config, data, notes))
}
