//! What each subcommand does, between the parsed command line and the library.

mod bench;
mod book;
mod claims;
mod console;
mod failure;
mod files;
mod inspect;
mod optimum;
mod serve;
mod study_file;
mod train;

pub use failure::{Failure, Outcome};

use crate::cli::{Cli, Command};

/// Run the subcommand `cli` names.
pub fn run(cli: Cli) -> Outcome {
    match cli.command {
        Command::Train(args) => train::train(&args),
        Command::Bench(args) => bench::bench(&args),
        Command::Inspect(args) => inspect::inspect(&args),
        Command::Claims(args) => claims::claims(&args),
        Command::Book(args) => book::book(&args),
        Command::Optimum(args) => optimum::optimum(&args),
        Command::Serve(args) => serve::serve(&args),
    }
}
