//! The `decaylab` command: parse the command line, run, map errors to exit
//! codes (0 success, 2 bad usage or input, 1 anything else).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = decaylab::cli::Cli::parse();
    decaylab::output::remove_temporaries_on_interrupt();
    match decaylab::commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("decaylab: error: {err:#}");
            let code = err
                .downcast_ref::<decaylab::Error>()
                .map_or(1, decaylab::Error::exit_code);
            ExitCode::from(code)
        }
    }
}
