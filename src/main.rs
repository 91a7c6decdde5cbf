use clap::Parser;
use std::process::ExitCode;

/// Escapes control characters (terminal escape sequences, bidi overrides)
/// that a scenario, a path or a part file could carry into an error message,
/// keeping line breaks: a message must never drive the user's terminal.
fn for_terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}');
        if (c.is_control() && c != '\n' && c != '\t') || bidi {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

fn main() -> ExitCode {
    let cli = bedflow::cli::Cli::parse();
    match bedflow::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", for_terminal(&e.to_string()));
            ExitCode::from(e.exit_code())
        }
    }
}
