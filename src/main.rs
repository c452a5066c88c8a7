//! The `decaylab` command: parse the command line, run, map errors to exit
//! codes (0 success, 2 bad usage or input, 1 anything else).

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = decaylab::cli::Cli::parse();
    decaylab::output::remove_temporaries_on_interrupt();
    match decaylab::commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            // Not eprintln!, which panics when stderr cannot be written (a
            // full device): the exit code must say what happened anyway.
            let _ = writeln!(std::io::stderr(), "decaylab: error: {failure}");
            ExitCode::from(failure.exit_code())
        }
    }
}
