use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = bedflow::cli::Cli::parse();
    match bedflow::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", bedflow::cli::for_terminal(&e.to_string()));
            ExitCode::from(e.exit_code())
        }
    }
}
