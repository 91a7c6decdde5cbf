//! Scenario inheritance and overrides.
//!
//! A scenario may say `extends = "winter-2026-27.toml"` (relative to its own
//! folder) and give only what changes. The parent is read first and the child
//! laid over it: tables merge key by key; arrays of named tables (`[[pool]]`,
//! `[[admissions]]`, `[[specialty]]`, `[[escalation_ward]]`, `[[pathway]]`) merge element by element on `name`, so
//! `[[pool]] name = "medicine" beds = 415` changes one pool's beds and a new
//! name adds a pool; any other value, including other arrays (`[[seasonality]]`,
//! `[[theatre_list]]`...), is replaced whole. A table that names another kind
//! than the one it lies over (a different `dist` of a distribution, or a
//! different `[discharge] mode`) replaces it whole too: the base's other keys
//! belong to the other kind. Chains may be up to
//! [`MAX_DEPTH`] files deep. Every value keeps its own file's span, so errors
//! still name the right file and line.
//!
//! Only regular files whose names end in `.toml` are read (the top-level
//! scenario, which may also come from a part file's `scenario_path`, and every
//! `extends` target alike), at most [`limits::MAX_FILE_BYTES`] + 1 bytes of
//! them: `-`, `/dev/stdin`, `/dev/zero`, FIFOs, sockets and folders are refused
//! by their metadata, which is read without opening them, so nothing blocks;
//! the opened file is checked again. A symbolic link must lead to a `.toml`
//! file too. An `extends` path may be absolute: forbidding that would protect
//! nothing, as a relative `../../x.toml` reaches the same files; what protects
//! other files is that only `.toml` scenario files are opened (a TOML file
//! with no scenario key is refused unquoted) and that an error quotes at most
//! the one line of the problem. A problem with an `extends` target is
//! reported at the `extends` value in the file that names it.
//!
//! On Linux the file is opened with `O_NONBLOCK`, so even a regular file
//! swapped for a FIFO between the metadata check and the open cannot block
//! (the opened file is checked again and refused); elsewhere that narrow race
//! remains.
//!
//! `--set path=value` overrides (used by `bedflow sweep`) are applied last, to
//! the merged tree: `pool.medicine.beds` means the `beds` of the `[[pool]]`
//! named `medicine`; `ed.attendances_per_day` a plain table's key.

use super::diagnostic::{Diagnostic, ScenarioError, escape};
use super::reader::{Ctx, Source};
use super::{LoadError, limits};
use std::ops::DerefMut;
use std::path::{Path, PathBuf};
use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

/// The longest `extends` chain.
pub(super) const MAX_DEPTH: usize = 8;

/// Arrays of tables merged element by element on their `name`.
const NAMED_ARRAYS: [&str; 5] = ["pool", "admissions", "specialty", "escalation_ward", "pathway"];

/// Why a file cannot be read as a scenario. None of these carry any of the
/// file's content.
#[derive(Debug)]
pub(super) enum Unreadable {
    /// The name (or, through a symbolic link, the file it points to) does not end in `.toml`.
    NotToml,
    /// `-`: standard input is not a file.
    Stdin,
    /// A folder, device, pipe or socket; the words say which.
    NotRegular(&'static str),
    Io(std::io::Error),
    /// Larger than [`limits::MAX_FILE_BYTES`]; at least this many bytes.
    TooLarge(u64),
    /// Valid TOML with top-level keys, none of them a scenario's (a
    /// credentials or tool file): nothing of it is quoted.
    NotScenario,
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreadable::NotToml => {
                write!(
                    f,
                    "a scenario must be a file whose name ends in .toml, as must the file a link leads to; nothing was read from it"
                )
            }
            Unreadable::Stdin => write!(f, "scenarios are read from .toml files, not from standard input"),
            Unreadable::NotRegular(what) => write!(f, "it is {what}, not a regular .toml file"),
            Unreadable::Io(e) => write!(f, "{e}"),
            Unreadable::NotScenario => write!(
                f,
                "it is not a bedflow scenario: none of its top-level keys is one of {} (its content is not shown)",
                super::ROOT_KEYS
                    .iter()
                    .filter(|k| **k != "extends")
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Unreadable::TooLarge(size) => {
                write!(f, "it is {size} bytes or more; the limit is {} bytes", limits::MAX_FILE_BYTES)
            }
        }
    }
}

fn kind_of(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a pipe (FIFO)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() { "a folder" } else { "not a regular file" }
}

fn ends_in_toml(p: &Path) -> bool {
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml")) && p.file_stem().is_some_and(|s| !s.is_empty())
}

/// Reads a scenario file's bytes without ever reading more than
/// [`limits::MAX_FILE_BYTES`] + 1 of them, and only from a regular file whose
/// name ends in `.toml`: `/dev/zero`, a FIFO, a folder or `/etc/shadow` is
/// refused before anything is read from it. The type is checked without
/// opening the file (so a FIFO cannot block), and again on the opened file.
fn read_bytes(path: &Path) -> Result<Vec<u8>, Unreadable> {
    use std::io::Read;
    if path.as_os_str() == "-" {
        return Err(Unreadable::Stdin);
    }
    if !ends_in_toml(path) {
        return Err(Unreadable::NotToml);
    }
    let meta = std::fs::metadata(path).map_err(Unreadable::Io)?;
    if !meta.is_file() {
        return Err(Unreadable::NotRegular(kind_of(meta.file_type())));
    }
    // A symbolic link named `x.toml` must not lead to a file of another kind.
    let real = path.canonicalize().map_err(Unreadable::Io)?;
    if !ends_in_toml(&real) {
        return Err(Unreadable::NotToml);
    }
    if meta.len() > limits::MAX_FILE_BYTES {
        return Err(Unreadable::TooLarge(meta.len()));
    }
    let file =
        crate::files::open_regular(&real).map_err(Unreadable::Io)?.map_err(|k| Unreadable::NotRegular(kind_of(k)))?;
    let len = file.metadata().map_err(Unreadable::Io)?.len();
    let mut bytes = Vec::with_capacity(len.min(limits::MAX_FILE_BYTES) as usize);
    file.take(limits::MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(Unreadable::Io)?;
    if bytes.len() as u64 > limits::MAX_FILE_BYTES {
        return Err(Unreadable::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Why reading one file of the chain failed.
enum ReadFail {
    Unreadable(Unreadable),
    /// Read, but not UTF-8 (reported at the first bad byte).
    Invalid(ScenarioError),
}

fn read_text(path: &Path) -> Result<String, ReadFail> {
    let bytes = read_bytes(path).map_err(ReadFail::Unreadable)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let shown = path.display().to_string();
        let at = e.utf8_error().valid_up_to();
        // Only the line holding the first bad byte is kept (Diagnostic::new).
        let lossy = String::from_utf8_lossy(e.as_bytes());
        let d = Diagnostic::new(&shown, &lossy, at..at, String::new(), "the file is not UTF-8 text".into());
        ReadFail::Invalid(ScenarioError { file: shown, diagnostics: vec![d] })
    })?;
    // A file that is TOML but clearly not a scenario would otherwise have each
    // of its keys quoted, line by line, as an unknown field.
    if let Ok(t) = DeTable::parse(&text) {
        let keys = t.get_ref();
        if !keys.is_empty() && !keys.iter().any(|(k, _)| super::ROOT_KEYS.contains(&k.get_ref().as_ref())) {
            return Err(ReadFail::Unreadable(Unreadable::NotScenario));
        }
    }
    Ok(text)
}

/// The error for the scenario named on the command line (or in a part file).
fn top_level_error(path: &Path, why: Unreadable) -> LoadError {
    let path = escape(&path.display().to_string()).into_owned();
    match why {
        Unreadable::Io(source) => LoadError::Read { path, source },
        Unreadable::TooLarge(size) => LoadError::TooLarge { path, size, limit: limits::MAX_FILE_BYTES },
        other => LoadError::Refused { path, reason: other.to_string() },
    }
}

/// Reads `path` and every scenario it extends, ancestor first.
///
/// Every file, the one named and each `extends` target, must be a regular
/// file whose name ends in `.toml` (see [`read_bytes`]). An `extends` path is
/// relative to the extending file's folder; an absolute path is allowed,
/// under the same rule. Absolute paths are not forbidden because a relative
/// `../../x.toml` reaches the same files: what protects other files is that
/// nothing but a `.toml` regular file is ever opened, and that no error
/// quotes more than the one line where a problem was found.
pub(super) fn read_chain(path: &Path) -> Result<Vec<Source>, LoadError> {
    let mut chain: Vec<Source> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut current = path.to_path_buf();
    let mut text = match read_text(&current) {
        Ok(t) => t,
        Err(ReadFail::Unreadable(why)) => return Err(top_level_error(&current, why)),
        Err(ReadFail::Invalid(e)) => return Err(LoadError::Invalid(e)),
    };
    loop {
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
        let shown = next.display();
        if seen.contains(&next.canonicalize().unwrap_or_else(|_| next.clone())) {
            return Err(fail(format!("{shown} is already in this extends chain (a loop)")));
        }
        if chain.len() >= MAX_DEPTH {
            return Err(fail(format!("extends chains may be at most {MAX_DEPTH} files deep")));
        }
        text = match read_text(&next) {
            Ok(t) => t,
            Err(ReadFail::Invalid(e)) => return Err(LoadError::Invalid(e)),
            Err(ReadFail::Unreadable(Unreadable::Io(e))) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(fail(format!("cannot find the scenario to extend: {shown}")));
            }
            Err(ReadFail::Unreadable(why)) => {
                return Err(fail(format!("cannot extend {shown}: {why}")));
            }
        };
        current = next;
    }
    chain.reverse();
    Ok(chain)
}

/// Gives each source its offset in the texts laid end to end.
pub(super) fn lay_end_to_end(chain: &mut [Source]) {
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

/// True if no named array of a child file (`[[pool]]`...) names an entry
/// twice; otherwise reports each repeat at its name.
fn unique_names_in_child(cx: &mut Ctx<'_>, child: &DeTable<'_>) -> bool {
    let mut ok = true;
    for key in NAMED_ARRAYS {
        let Some(DeValue::Array(items)) = child.get(key).map(|v| v.get_ref()) else { continue };
        for (i, item) in items.iter().enumerate() {
            let Some(n) = name_of(item) else { continue };
            if let Some(first) = items[..i].iter().position(|x| name_of(x) == Some(n)) {
                let span = item.get_ref().as_table().and_then(|t| t.get("name")).map_or(item.span(), |v| v.span());
                cx.err(
                    span,
                    format!("{key}[{}].name", i + 1),
                    format!(
                        "\"{n}\" is named twice in this file (also {key}[{}]); give each change to it in one entry",
                        first + 1
                    ),
                );
                ok = false;
            }
        }
    }
    ok
}

/// True when `over` names a different kind than `base` (its `dist`, as in
/// `{ dist = "fixed", value = 0 }` over a lognormal, or its `mode`, as in
/// `[discharge] mode = "on-ready"` over "profile"): then `over` replaces
/// the table whole, since the base's other keys belong to the other kind.
fn switches_kind(base: &DeTable<'_>, over: &DeTable<'_>) -> bool {
    ["dist", "mode"].iter().any(|k| {
        let text = |t: &DeTable<'_>| match t.get(*k).map(|v| v.get_ref()) {
            Some(DeValue::String(s)) => Some(s.to_string()),
            _ => None,
        };
        matches!((text(base), text(over)), (Some(a), Some(b)) if a != b)
    })
}

/// Lays `over` onto `base` (see the module comment for the rules).
fn merge<'i>(base: &mut DeTable<'i>, over: DeTable<'i>, top: bool) {
    for (k, v) in over {
        let key: &str = k.get_ref();
        let named = top && NAMED_ARRAYS.contains(&key);
        match (base.get_mut(key).map(|b| b.get_mut()), v.get_ref()) {
            (Some(DeValue::Table(b)), DeValue::Table(o)) if switches_kind(b, o) => {
                base.insert(k, v);
            }
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
                // Said when the name is not found (names are case-sensitive).
                let names: Vec<String> =
                    items.iter().filter_map(|x| name_of(x)).map(|n| format!("\"{}\"", n.escape_debug())).collect();
                let found = items.iter_mut().find(|x| name_of(x) == Some(name));
                match found.map(|x| x.get_mut()) {
                    Some(DeValue::Table(t)) => {
                        table = t;
                        i += 2;
                    }
                    _ => {
                        cx.err(
                            span,
                            path,
                            format!(
                                "no [[{key}]] named \"{name}\" in the scenario (names are case-sensitive); there are: {}",
                                names.join(", ")
                            ),
                        );
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
pub(super) fn merge_all<'s>(cx: &mut Ctx<'s>) -> Option<DeTable<'s>> {
    let sources: &'s [Source] = cx.sources;
    let mut merged: Option<DeTable<'s>> = None;
    let mut ok = true;
    for (i, src) in sources.iter().enumerate() {
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
                // Two entries of one name in one file would merge silently
                // into one (the last winning): refuse them, as a single file does.
                ok &= unique_names_in_child(cx, &parsed);
                merge(root, parsed, true);
            }
            // A parent failed to parse (reported above): its child has nothing to
            // lie on, and its `extends` was resolved, so say nothing more of it.
            (None, None) if i > 0 => {}
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
