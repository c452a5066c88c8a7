//! Where the commands print for the user: stdout, line by line.

use std::io::Write;
use std::path::PathBuf;

use crate::error::Error;

/// Where the commands print for the user (stdout). Printing never ends a
/// run: once stdout is closed (a broken pipe, e.g. `| head`) the lines are
/// dropped and the run goes on to write its files; any other write error
/// (a full disk behind `> file`) stops the printing too, and `finish`
/// reports it after the files are safe.
#[derive(Debug, Default)]
pub struct Console {
    /// Printing stopped: stdout is closed or failed.
    stopped: bool,
    failure: Option<std::io::Error>,
}

impl Console {
    /// A console printing to stdout.
    pub fn new() -> Console {
        Console::default()
    }

    /// Print one line (see `say!`).
    pub fn line(&mut self, text: std::fmt::Arguments) {
        if self.stopped {
            return;
        }
        let mut stdout = std::io::stdout().lock();
        if let Err(e) = writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
            self.stopped = true;
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                self.failure = Some(e);
            }
        }
    }

    /// The end of the output: an error if stdout failed other than by
    /// being closed.
    pub fn finish(self) -> Result<(), Error> {
        match self.failure {
            Some(cause) => Err(Error::Write {
                path: PathBuf::from("standard output"),
                cause,
            }),
            None => Ok(()),
        }
    }
}

/// `say!(console, "format", args...)`: print a line on a [`Console`].
macro_rules! say {
    ($console:expr, $($arg:tt)*) => {
        $console.line(format_args!($($arg)*))
    };
}
pub(crate) use say;
