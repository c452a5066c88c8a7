//! The `decaylab` command: parse the command line, run, map errors to exit
//! codes (0 success, 2 bad usage or input, 1 anything else).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = decaylab::cli::Cli::parse();
    decaylab::output::remove_temporaries_on_interrupt();
    match decaylab::commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("decaylab: error: {failure}");
            ExitCode::from(failure.exit_code())
        }
    }
}
