//! The `bedflow` command: parses the arguments, runs [`bedflow::cli::run`], prints
//! any error with control characters escaped, and exits 0, 1 or 2 (see the README).

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

/// Writes to stderr, ignoring a closed pipe (`bedflow ... 2>&1 | head`).
fn say(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

fn main() -> ExitCode {
    // A closed pipe ends bedflow quietly, as it does any Unix tool, instead
    // of a panic from println!/eprintln! on EPIPE.
    #[cfg(target_os = "linux")]
    // SAFETY: restoring the default action of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match bedflow::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap echoes the offending argument: escape it like every message.
            let text = bedflow::cli::for_terminal(e.render().to_string().trim_end());
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    let _ = writeln!(std::io::stdout(), "{text}");
                    ExitCode::SUCCESS
                }
                _ => {
                    say(&text);
                    ExitCode::from(2)
                }
            };
        }
    };
    match bedflow::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            say(&bedflow::cli::for_terminal(&e.to_string()));
            ExitCode::from(e.exit_code())
        }
    }
}
