//! What each subcommand does, between the parsed command line and the library.

mod bench;
mod book;
mod claims;
mod inspect;
mod optimum;
mod train;

use crate::cli::{Cli, Command};

/// Run the subcommand `cli` names.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Train(args) => train::train(&args)?,
        Command::Bench(args) => bench::bench(&args)?,
        Command::Inspect(args) => inspect::inspect(&args)?,
        Command::Claims(args) => claims::claims(&args)?,
        Command::Book(args) => book::book(&args)?,
        Command::Optimum(args) => optimum::optimum(&args)?,
    }
    Ok(())
}
