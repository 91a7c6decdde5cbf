//! Scenario inheritance and overrides.
//!
//! A scenario may say `extends = "winter-2026-27.toml"` (relative to its own
//! folder) and give only what changes. The parent is read first and the child
//! laid over it: tables merge key by key; arrays of named tables (`[[pool]]`,
//! `[[admissions]]`, `[[specialty]]`) merge element by element on `name`, so
//! `[[pool]] name = "medicine" beds = 415` changes one pool's beds and a new
//! name adds a pool; any other value, including other arrays (`[[seasonality]]`,
//! `[[theatre_list]]`...), is replaced whole. Chains may be up to
//! [`MAX_DEPTH`] files deep. Every value keeps its own file's span, so errors
//! still name the right file and line.
//!
//! `--set path=value` overrides (used by `bedflow sweep`) are applied last, to
//! the merged tree: `pool.medicine.beds` means the `beds` of the `[[pool]]`
//! named `medicine`; `ed.attendances_per_day` a plain table's key.

use super::diagnostic::{Diagnostic, ScenarioError};
use super::reader::{Ctx, Source};
use super::{LoadError, limits};
use std::ops::DerefMut;
use std::path::{Path, PathBuf};
use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

/// The longest `extends` chain.
pub const MAX_DEPTH: usize = 8;

/// Arrays of tables merged element by element on their `name`.
const NAMED_ARRAYS: [&str; 3] = ["pool", "admissions", "specialty"];

fn read_text(path: &Path) -> Result<String, LoadError> {
    let shown = path.display().to_string();
    let read_err = |source| LoadError::Read { path: shown.clone(), source };
    let size = std::fs::metadata(path).map_err(read_err)?.len();
    if size > limits::MAX_FILE_BYTES {
        return Err(LoadError::TooLarge { path: shown, size, limit: limits::MAX_FILE_BYTES });
    }
    let bytes = std::fs::read(path).map_err(read_err)?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
        let d = Diagnostic::new(&shown, &lossy, at..at, String::new(), "the file is not UTF-8 text".into());
        LoadError::Invalid(ScenarioError { file: shown.clone(), diagnostics: vec![d] })
    })
}

/// Reads `path` and every scenario it extends, ancestor first.
pub fn read_chain(path: &Path) -> Result<Vec<Source>, LoadError> {
    let mut chain: Vec<Source> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut current = path.to_path_buf();
    loop {
        let text = read_text(&current)?;
        seen.push(current.canonicalize().unwrap_or_else(|_| current.clone()));
        let file = current.display().to_string();
        // Only the `extends` key is looked at here; a syntax error is reported by the full parse.
        let parent = match DeTable::parse(&text) {
            Ok(t) => t.get_ref().get("extends").map(|v| (v.span(), v.get_ref().as_str().map(str::to_string))),
            Err(_) => None,
        };
        chain.push(Source { file: file.clone(), text, start: 0, sets: None });
        let Some((span, target)) = parent else { break };
        let fail = |msg: String| {
            let d = Diagnostic::new(
                &file,
                chain.last().map_or("", |s| s.text.as_str()),
                span.clone(),
                "extends".into(),
                msg,
            );
            LoadError::Invalid(ScenarioError { file: file.clone(), diagnostics: vec![d] })
        };
        let Some(target) = target else {
            return Err(fail("expected the path of the scenario to extend, e.g. \"winter-2026-27.toml\"".into()));
        };
        let next = current.parent().unwrap_or(Path::new(".")).join(&target);
        if !next.exists() {
            return Err(fail(format!("cannot find the scenario to extend: {}", next.display())));
        }
        if seen.contains(&next.canonicalize().unwrap_or_else(|_| next.clone())) {
            return Err(fail(format!("{} is already in this extends chain (a loop)", next.display())));
        }
        if chain.len() >= MAX_DEPTH {
            return Err(fail(format!("extends chains may be at most {MAX_DEPTH} files deep")));
        }
        current = next;
    }
    chain.reverse();
    Ok(chain)
}

/// Gives each source its offset in the texts laid end to end.
pub fn lay_end_to_end(chain: &mut [Source]) {
    let mut start = 0;
    for s in chain.iter_mut() {
        s.start = start;
        start += s.text.len() + 1;
    }
}

fn shift_span<T>(v: Spanned<T>, by: usize) -> Spanned<T> {
    let span = v.span();
    Spanned::new(span.start + by..span.end + by, v.into_inner())
}

fn shift_value(v: Spanned<DeValue<'_>>, by: usize) -> Spanned<DeValue<'_>> {
    let span = v.span();
    let inner = match v.into_inner() {
        DeValue::Table(t) => DeValue::Table(shift_table(t, by)),
        DeValue::Array(a) => {
            let mut out = DeArray::new();
            for x in a {
                out.push(shift_value(x, by));
            }
            DeValue::Array(out)
        }
        other => other,
    };
    Spanned::new(span.start + by..span.end + by, inner)
}

fn shift_table(t: DeTable<'_>, by: usize) -> DeTable<'_> {
    let mut out = DeTable::new();
    for (k, v) in t {
        out.insert(shift_span(k, by), shift_value(v, by));
    }
    out
}

fn name_of<'a>(v: &'a Spanned<DeValue<'_>>) -> Option<&'a str> {
    v.get_ref().as_table()?.get("name")?.get_ref().as_str()
}

/// Lays `over` onto `base` (see the module comment for the rules).
fn merge<'i>(base: &mut DeTable<'i>, over: DeTable<'i>, top: bool) {
    for (k, v) in over {
        let key: &str = k.get_ref();
        let named = top && NAMED_ARRAYS.contains(&key);
        match (base.get_mut(key).map(|b| b.get_mut()), v.get_ref()) {
            (Some(DeValue::Table(b)), DeValue::Table(_)) => {
                if let DeValue::Table(o) = v.into_inner() {
                    merge(b, o, false);
                }
            }
            (Some(DeValue::Array(b)), DeValue::Array(_)) if named => {
                if let DeValue::Array(o) = v.into_inner() {
                    for item in o {
                        let existing = name_of(&item).and_then(|n| b.iter().position(|x| name_of(x) == Some(n)));
                        match existing {
                            Some(i) => {
                                if let (DeValue::Table(bt), DeValue::Table(ot)) =
                                    (b.deref_mut()[i].get_mut(), item.into_inner())
                                {
                                    merge(bt, ot, false);
                                }
                            }
                            None => b.push(item),
                        }
                    }
                }
            }
            _ => {
                base.insert(k, v);
            }
        }
    }
}

/// Sets the value at a dotted path (`pool.medicine.beds`), reporting a path
/// that leads nowhere at the override's own span.
fn set<'i>(cx: &mut Ctx<'_>, root: &mut DeTable<'i>, path: &str, value: Spanned<DeValue<'i>>) {
    let parts: Vec<&str> = path.split('.').collect();
    let span = value.span();
    let mut table = root;
    let mut i = 0;
    while i + 1 < parts.len() {
        let key = parts[i];
        let Some(next) = table.get_mut(key) else {
            cx.err(span, path, format!("no `{key}` in the scenario to set"));
            return;
        };
        match next.get_mut() {
            DeValue::Table(t) => {
                table = t;
                i += 1;
            }
            DeValue::Array(items) if i + 2 < parts.len() => {
                let name = parts[i + 1];
                let found = items.iter_mut().find(|x| name_of(x) == Some(name));
                match found.map(|x| x.get_mut()) {
                    Some(DeValue::Table(t)) => {
                        table = t;
                        i += 2;
                    }
                    _ => {
                        cx.err(span, path, format!("no [[{key}]] named \"{name}\" in the scenario"));
                        return;
                    }
                }
            }
            _ => {
                cx.err(span, path, format!("`{key}` is not a table, so `{path}` cannot be set"));
                return;
            }
        }
    }
    let Some(last) = parts.get(i) else { return };
    if i + 1 != parts.len() {
        cx.err(span, path, "the path names a table, not a value");
        return;
    }
    table.insert(Spanned::new(span.clone(), std::borrow::Cow::Owned(last.to_string())), value);
}

/// Parses every source and merges them into one tree; `None` after a syntax error.
pub fn merge_all<'s>(cx: &mut Ctx<'s>) -> Option<DeTable<'s>> {
    let sources: &'s [Source] = cx.sources;
    let mut merged: Option<DeTable<'s>> = None;
    let mut ok = true;
    for src in sources {
        let parsed = match DeTable::parse(&src.text) {
            Ok(t) => shift_table(t.into_inner(), src.start),
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                cx.err(
                    span.start + src.start..span.end + src.start,
                    "",
                    format!("TOML syntax error: {}", e.message().trim()),
                );
                ok = false;
                continue;
            }
        };
        match (&src.sets, merged.as_mut()) {
            (Some(path), Some(root)) => {
                if let Some((_, v)) = parsed.into_iter().next() {
                    set(cx, root, path, v);
                }
            }
            (Some(_), None) => {}
            (None, Some(root)) => {
                let mut parsed = parsed;
                parsed.remove("extends");
                merge(root, parsed, true);
            }
            (None, None) => {
                // The first text cannot extend anything: read_chain resolved every
                // file's parent, so an `extends` here came from text without a folder.
                if let Some(v) = parsed.get("extends") {
                    cx.err(v.span(), "extends", "`extends` needs a scenario file, to find the parent beside it");
                    ok = false;
                }
                merged = Some(parsed)
            }
        }
    }
    let mut merged = merged?;
    merged.remove("extends");
    ok.then_some(merged)
}
