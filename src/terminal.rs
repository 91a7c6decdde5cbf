//! Text for the user's terminal: escapes what a scenario, a path or a part
//! file could carry into a message (control characters, terminal escape
//! sequences, bidirectional overrides), so a message never drives the
//! terminal or hides part of itself. One place for every message writer.

use std::path::Path;

/// Escapes control characters (terminal escape sequences, bidi overrides)
/// that a scenario, a path or a part file could carry into an error message,
/// keeping line breaks: a message must never drive the user's terminal.
pub fn for_terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let bidi = matches!(
            c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{2028}' | '\u{2029}'
        );
        if (c.is_control() && c != '\n' && c != '\t') || bidi {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// A path for a one-line message: line feeds and tabs written as `\n` and
/// `\t`, everything else as [`for_terminal`] does.
pub fn path(p: &Path) -> String {
    for_terminal(&p.display().to_string().replace('\n', "\\n").replace('\t', "\\t"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi_but_keeps_text() {
        assert_eq!(for_terminal("ward\u{1b}[31m"), "ward\\u{1b}[31m");
        assert_eq!(for_terminal("a\u{202E}b"), "a\\u{202e}b");
        assert_eq!(for_terminal("line\nnext\tTab é"), "line\nnext\tTab é");
        assert_eq!(path(Path::new("out\nput\u{202E}")), "out\\nput\\u{202e}");
    }
}
