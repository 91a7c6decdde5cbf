//! Problems found in a scenario file, each pinned to a file, line, column and field.

use std::fmt;
use std::ops::Range;

/// One problem in a scenario: where it is and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Dotted path of the field, e.g. `pool[1].beds` (1-based indices, as a
    /// planner counts `[[pool]]` blocks).
    pub field: String,
    pub message: String,
    /// The offending source line, for the snippet.
    pub source_line: String,
}

impl Diagnostic {
    pub fn new(file: &str, text: &str, span: Range<usize>, field: String, message: String) -> Self {
        let at = span.start.min(text.len());
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let line = text[..at].matches('\n').count() + 1;
        let column = text[line_start..at].chars().count() + 1;
        let line_end = text[line_start..].find('\n').map_or(text.len(), |i| line_start + i);
        let source_line = text[line_start..line_end].trim_end_matches('\r').to_string();
        Diagnostic { file: file.to_string(), line, column, field, message, source_line }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        writeln!(f, "{}", self.message)?;
        // Non-printable characters (binary garbage) would garble the terminal.
        let shown: String =
            self.source_line.chars().take(160).map(|c| if c.is_control() && c != '\t' { '?' } else { c }).collect();
        let gutter = self.line.to_string().len();
        writeln!(f, "{:gutter$} |", "")?;
        writeln!(f, "{} | {}", self.line, shown)?;
        let caret_pad: String =
            shown.chars().take(self.column.saturating_sub(1)).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
        write!(f, "{:gutter$} | {}^", "", caret_pad)
    }
}

/// Every problem found in a scenario, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    pub file: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.diagnostics.len();
        writeln!(f, "error: scenario {} has {} problem{}:", self.file, n, if n == 1 { "" } else { "s" })?;
        for d in &self.diagnostics {
            writeln!(f)?;
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}
