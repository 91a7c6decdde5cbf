//! A small reader over TOML's spanned parse tree that records every problem
//! instead of stopping at the first (serde stops at the first error, and a
//! planner fixing a scenario wants the whole list at once).

use super::diagnostic::Diagnostic;
use chrono::NaiveDate;
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

pub(super) type Val<'i> = Spanned<DeValue<'i>>;

/// One text the scenario was read from (a file, a parent it extends, or a
/// `--set` override). Spans in the merged tree are offsets into the texts laid
/// end to end, each starting at `start`, so every value still knows its file.
#[derive(Debug, Clone)]
pub struct Source {
    /// Name in diagnostics: the file's path, or `--set PATH=VALUE` for an override.
    pub file: String,
    /// The full text read.
    pub text: String,
    /// Offset of this text's first byte in the texts laid end to end.
    pub start: usize,
    /// For a `--set` override: the dotted path it sets.
    pub sets: Option<String>,
}

/// Collects diagnostics, mapping spans back to their source.
pub(super) struct Ctx<'s> {
    pub sources: &'s [Source],
    pub diags: Vec<Diagnostic>,
}

impl<'s> Ctx<'s> {
    pub(super) fn err(&mut self, span: Range<usize>, field: impl Into<String>, msg: impl Into<String>) {
        let d = locate(self.sources, span, field.into(), msg.into());
        self.diags.push(d);
    }
}

/// The diagnostic for a global span. An empty span at 0 (something missing
/// everywhere) is reported at the top of the file the user named.
pub(super) fn locate(sources: &[Source], span: Range<usize>, field: String, msg: String) -> Diagnostic {
    let named = sources.iter().rposition(|s| s.sets.is_none()).unwrap_or(0);
    let src = if span == (0..0) {
        &sources[named]
    } else {
        sources.iter().rev().find(|s| s.start <= span.start).unwrap_or(&sources[0])
    };
    let local = span.start - src.start.min(span.start);
    Diagnostic::new(&src.file, &src.text, local..local, field, msg)
}

/// A TOML table being read, with its dotted path for messages.
#[derive(Clone, Copy)]
pub(super) struct Tbl<'a, 'i> {
    pub map: &'a DeTable<'i>,
    pub span: (usize, usize),
    pub path: &'a str,
}

/// Numeric rules, each with the words used when a value breaks it.
#[derive(Clone, Copy, Debug)]
pub(super) enum Rule {
    Finite,
    Positive,
    NonNegative,
    Probability,
}

impl Rule {
    fn holds(self, v: f64) -> bool {
        v.is_finite()
            && match self {
                Rule::Finite => true,
                Rule::Positive => v > 0.0,
                Rule::NonNegative => v >= 0.0,
                Rule::Probability => (0.0..=1.0).contains(&v),
            }
    }
    fn expected(self) -> &'static str {
        match self {
            Rule::Finite => "a finite number",
            Rule::Positive => "a finite number > 0",
            Rule::NonNegative => "a finite number >= 0",
            Rule::Probability => "a probability between 0 and 1",
        }
    }
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date/time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

pub(super) fn span_of(v: &Val<'_>) -> Range<usize> {
    v.span()
}

impl<'a, 'i> Tbl<'a, 'i> {
    /// Where `key`'s value is, or the table itself if the key is missing:
    /// the span an error about that key points at.
    pub(super) fn key_span(&self, key: &str) -> Range<usize> {
        self.get(key).map(span_of).unwrap_or(self.span())
    }

    /// The required dates `from` and `to`, with `to` not before `from`
    /// (an error at `to` otherwise); `None` after any error.
    pub(super) fn date_range(&self, cx: &mut Ctx<'_>) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
        let (from, to) = (self.date_req(cx, "from"), self.date_req(cx, "to"));
        let (f, e) = (from?, to?);
        if e < f {
            cx.err(self.key_span("to"), self.field("to"), format!("`to` ({e}) is before `from` ({f})"));
            return None;
        }
        Some((f, e))
    }

    pub(super) fn field(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_string() } else { format!("{}.{}", self.path, key) }
    }

    pub(super) fn span(&self) -> Range<usize> {
        self.span.0..self.span.1
    }

    pub(super) fn get(&self, key: &str) -> Option<&'a Val<'i>> {
        self.map.get(key)
    }

    pub(super) fn has(&self, key: &str) -> bool {
        self.map.get(key).is_some()
    }

    /// Reports every key not in `allowed`.
    pub(super) fn check_keys(&self, cx: &mut Ctx<'_>, allowed: &[&str]) {
        for (k, _) in self.map.iter() {
            if !allowed.contains(&k.get_ref().as_ref()) {
                let list = allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ");
                cx.err(
                    k.span(),
                    self.field(k.get_ref()),
                    format!("unknown field `{}`; expected one of {list}", k.get_ref()),
                );
            }
        }
    }

    /// Reports a missing required key at the table itself.
    pub(super) fn missing(&self, cx: &mut Ctx<'_>, key: &str, what: &str) {
        let where_ = if self.path.is_empty() { "the file".to_string() } else { format!("[{}]", self.path) };
        cx.err(self.span(), self.field(key), format!("missing field `{key}` in {where_}: expected {what}"));
    }

    /// A number (integers accepted) obeying `rule`. `None` if absent or bad (bad is reported).
    pub(super) fn f64(&self, cx: &mut Ctx<'_>, key: &str, rule: Rule) -> Option<f64> {
        let v = self.get(key)?;
        number(cx, v, &self.field(key), rule)
    }

    pub(super) fn f64_req(&self, cx: &mut Ctx<'_>, key: &str, rule: Rule) -> Option<f64> {
        if !self.has(key) {
            self.missing(cx, key, rule.expected());
            return None;
        }
        self.f64(cx, key, rule)
    }

    /// An integer in `min..=max`.
    pub(super) fn int(&self, cx: &mut Ctx<'_>, key: &str, min: i64, max: i64, what: &str) -> Option<i64> {
        let v = self.get(key)?;
        integer(cx, v, &self.field(key), min, max, what)
    }

    pub(super) fn int_req(&self, cx: &mut Ctx<'_>, key: &str, min: i64, max: i64, what: &str) -> Option<i64> {
        if !self.has(key) {
            self.missing(cx, key, what);
            return None;
        }
        self.int(cx, key, min, max, what)
    }

    /// A boolean, `default` when absent.
    pub(super) fn bool_or(&self, cx: &mut Ctx<'_>, key: &str, default: bool) -> Option<bool> {
        let Some(v) = self.get(key) else { return Some(default) };
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                cx.err(v.span(), self.field(key), format!("expected true or false, found {}", type_name(other)));
                None
            }
        }
    }

    pub(super) fn str(&self, cx: &mut Ctx<'_>, key: &str) -> Option<(&'a str, Range<usize>)> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::String(s) => Some((s.as_ref(), v.span())),
            other => {
                cx.err(v.span(), self.field(key), format!("expected a string, found {}", type_name(other)));
                None
            }
        }
    }

    pub(super) fn str_req(&self, cx: &mut Ctx<'_>, key: &str, what: &str) -> Option<(&'a str, Range<usize>)> {
        if !self.has(key) {
            self.missing(cx, key, what);
            return None;
        }
        self.str(cx, key)
    }

    /// One of a fixed set of words.
    pub(super) fn choice(&self, cx: &mut Ctx<'_>, key: &str, options: &[&str]) -> Option<(&'a str, Range<usize>)> {
        let (s, span) = self.str(cx, key)?;
        if options.contains(&s) {
            Some((s, span))
        } else {
            let list = options.iter().map(|o| format!("\"{o}\"")).collect::<Vec<_>>().join(", ");
            cx.err(span, self.field(key), format!("expected one of {list}, found \"{s}\""));
            None
        }
    }

    /// A date: a quoted ISO date "2026-11-01" (an unquoted TOML date is accepted too).
    pub(super) fn date(&self, cx: &mut Ctx<'_>, key: &str) -> Option<NaiveDate> {
        let v = self.get(key)?;
        date(cx, v, &self.field(key))
    }

    pub(super) fn date_req(&self, cx: &mut Ctx<'_>, key: &str) -> Option<NaiveDate> {
        if !self.has(key) {
            self.missing(cx, key, "a date such as \"2026-11-01\"");
            return None;
        }
        self.date(cx, key)
    }

    /// An array, with each element and its field path.
    pub(super) fn array(&self, cx: &mut Ctx<'_>, key: &str) -> Option<(&'a [Val<'i>], Range<usize>)> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::Array(a) => Some((&a[..], v.span())),
            other => {
                cx.err(v.span(), self.field(key), format!("expected an array, found {}", type_name(other)));
                None
            }
        }
    }

    /// A required array: reported as missing when absent.
    pub(super) fn array_req(&self, cx: &mut Ctx<'_>, key: &str, what: &str) -> Option<(&'a [Val<'i>], Range<usize>)> {
        if !self.has(key) {
            self.missing(cx, key, what);
            return None;
        }
        self.array(cx, key)
    }

    /// A sub-table (`[ed]` or an inline `{ ... }`).
    pub(super) fn table(&self, cx: &mut Ctx<'_>, key: &str, path: &'a str) -> Option<Tbl<'a, 'i>> {
        let v = self.get(key)?;
        as_table(cx, v, path)
    }

    /// An array of tables (`[[pool]]`), each with its path `key[n]` (1-based).
    pub(super) fn tables(&self, cx: &mut Ctx<'_>, key: &str) -> Vec<(&'a Val<'i>, String)> {
        let Some(v) = self.get(key) else { return Vec::new() };
        match v.get_ref() {
            DeValue::Array(a) => a.iter().enumerate().map(|(i, t)| (t, format!("{key}[{}]", i + 1))).collect(),
            other => {
                cx.err(
                    v.span(),
                    self.field(key),
                    format!("expected an array of tables ([[{key}]]), found {}", type_name(other)),
                );
                Vec::new()
            }
        }
    }
}

pub(super) fn as_table<'a, 'i>(cx: &mut Ctx<'_>, v: &'a Val<'i>, path: &'a str) -> Option<Tbl<'a, 'i>> {
    match v.get_ref() {
        DeValue::Table(t) => Some(Tbl { map: t, span: (v.span().start, v.span().end), path }),
        other => {
            cx.err(v.span(), path, format!("expected a table, found {}", type_name(other)));
            None
        }
    }
}

pub(super) fn number(cx: &mut Ctx<'_>, v: &Val<'_>, field: &str, rule: Rule) -> Option<f64> {
    let x = match v.get_ref() {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok().map(|i| i as f64),
        DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
        other => {
            cx.err(v.span(), field, format!("expected {}, found {}", rule.expected(), type_name(other)));
            return None;
        }
    };
    match x {
        Some(x) if rule.holds(x) => Some(x),
        Some(x) => {
            cx.err(v.span(), field, format!("expected {}, found {x}", rule.expected()));
            None
        }
        None => {
            cx.err(v.span(), field, format!("expected {}, found a number out of range", rule.expected()));
            None
        }
    }
}

pub(super) fn integer(cx: &mut Ctx<'_>, v: &Val<'_>, field: &str, min: i64, max: i64, what: &str) -> Option<i64> {
    match v.get_ref() {
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(x) if (min..=max).contains(&x) => Some(x),
            Ok(x) => {
                cx.err(v.span(), field, format!("expected {what}, found {x}"));
                None
            }
            Err(_) => {
                cx.err(v.span(), field, format!("expected {what}, found a number out of range"));
                None
            }
        },
        DeValue::Float(f) => {
            cx.err(v.span(), field, format!("expected {what}, found {} (not a whole number)", f.as_str()));
            None
        }
        other => {
            cx.err(v.span(), field, format!("expected {what}, found {}", type_name(other)));
            None
        }
    }
}

pub(super) fn date(cx: &mut Ctx<'_>, v: &Val<'_>, field: &str) -> Option<NaiveDate> {
    let parsed = match v.get_ref() {
        DeValue::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().filter(|_| s.len() == 10),
        DeValue::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
            dt.date.and_then(|d| NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day)))
        }
        _ => None,
    };
    if parsed.is_none() {
        let found = match v.get_ref() {
            DeValue::String(s) => format!("\"{s}\""),
            other => type_name(other).to_string(),
        };
        cx.err(v.span(), field, format!("expected a date \"YYYY-MM-DD\" such as \"2026-11-01\", found {found}"));
    }
    parsed
}
