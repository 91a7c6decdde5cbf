use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = bedflow::cli::Cli::parse();
    match bedflow::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(e.exit_code())
        }
    }
}
