//! Problems found in a scenario file, each pinned to a file, line, column and field.
//!
//! Everything shown comes from the scenario (file names, field names, values
//! quoted in messages, the source line), so it is rendered through
//! [`escape`]: a control character or a bidirectional override in a scenario
//! cannot move the cursor, set the terminal title or reorder what a planner
//! reads. Only one source line is ever quoted, cut at [`MAX_SHOWN_CHARS`].

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

/// The most characters of a source line shown under a diagnostic.
pub(super) const MAX_SHOWN_CHARS: usize = 160;

/// The most characters of a field path or message shown (a message may quote
/// a value from the scenario, which could be megabytes long).
pub(super) const MAX_MESSAGE_CHARS: usize = 1000;

/// [`escape`]d, and cut to `max` characters with a marker.
fn shown(s: &str, max: usize) -> Cow<'_, str> {
    let e = escape(s);
    if e.chars().count() <= max {
        return e;
    }
    let cut: String = e.chars().take(max).collect();
    Cow::Owned(cut + " [...]")
}

/// True for characters that must not reach a terminal raw: C0 (including
/// ESC, CR and LF), DEL, C1, the bidirectional marks, embeddings, overrides
/// and isolates (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) and
/// the Unicode line and paragraph separators.
pub(super) fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}')
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// `s` with every [`is_unsafe_char`] written as a Rust-style escape
/// (`\u{1b}`), so it prints as visible text on one line.
pub(super) fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

fn push_escaped(out: &mut String, c: char) {
    if is_unsafe_char(c) {
        out.push_str(&format!("\\u{{{:x}}}", c as u32));
    } else {
        out.push(c);
    }
}

/// One problem in a scenario: where it is and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// File the problem is in: the scenario or a file of its `extends` chain.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Dotted path of the field, e.g. `pool[1].beds` (1-based indices, as a
    /// planner counts `[[pool]]` blocks).
    pub field: String,
    /// What is wrong and what was expected, in a planner's words.
    pub message: String,
    /// The offending source line, for the snippet.
    pub source_line: String,
}

impl Diagnostic {
    /// A problem at byte range `span` of `text` (the contents of `file`); line, column and source line are worked out
    /// from `text`.
    pub fn new(file: &str, text: &str, span: Range<usize>, field: String, message: String) -> Self {
        let mut at = span.start.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        // Lines end at "\n", "\r\n" or a lone "\r", so a file with old Mac
        // line ends still shows one line, not several.
        let before = &text.as_bytes()[..at];
        let mut line = 1;
        let mut line_start = 0;
        for (i, &b) in before.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && text.as_bytes().get(i + 1) != Some(&b'\n')) {
                line += 1;
                line_start = i + 1;
            }
        }
        let column = text[line_start..at].chars().count() + 1;
        let line_end = text[at..].find(['\r', '\n']).map_or(text.len(), |i| at + i);
        let source_line = text[line_start..line_end].to_string();
        Diagnostic { file: file.to_string(), line, column, field, message, source_line }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", escape(&self.file), self.line, self.column)?;
        if !self.field.is_empty() {
            write!(f, "{}: ", shown(&self.field, MAX_MESSAGE_CHARS))?;
        }
        writeln!(f, "{}", shown(&self.message, MAX_MESSAGE_CHARS))?;
        // Escapes (binary garbage, ESC sequences) are shown as text; the caret
        // is padded to where the column's character landed after escaping.
        let mut shown = String::new();
        let mut caret_pad = String::new();
        for (i, c) in self.source_line.chars().take(MAX_SHOWN_CHARS).enumerate() {
            let before = shown.chars().count();
            if c == '\t' {
                shown.push('\t');
            } else {
                push_escaped(&mut shown, c);
            }
            if i + 1 < self.column {
                let width = shown.chars().count() - before;
                caret_pad.extend(std::iter::repeat_n(if c == '\t' { '\t' } else { ' ' }, width));
            }
        }
        let gutter = self.line.to_string().len();
        writeln!(f, "{:gutter$} |", "")?;
        writeln!(f, "{} | {}", self.line, shown)?;
        write!(f, "{:gutter$} | {}^", "", caret_pad)
    }
}

/// Every problem found in a scenario, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The scenario file given on the command line.
    pub file: String,
    /// Every problem, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl ScenarioError {
    /// The problems as shown, headed "error: `what` FILE has N problems"
    /// (`what` is "scenario" or "census").
    pub fn render(&self, what: &str) -> String {
        let n = self.diagnostics.len();
        let mut out =
            format!("error: {what} {} has {} problem{}:\n", escape(&self.file), n, if n == 1 { "" } else { "s" });
        for d in &self.diagnostics {
            out.push_str(&format!("\n{d}\n"));
        }
        out
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render("scenario"))
    }
}

impl std::error::Error for ScenarioError {}
