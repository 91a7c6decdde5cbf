//! Names (see the module doc of [`super`] for the rules): one check for
//! every kind of name, and duplicates compared with whitespace collapsed.

use super::*;

/// Why `s` cannot be a name, or `None` if it can. Names become CSV cells,
/// plot labels, terminal text and (the scenario's) a folder name, so every
/// name must be non-empty, hold no control character or bidirectional
/// override, not start or end with whitespace, and not start with `=`, `+`,
/// `-` or `@` (a spreadsheet opening the CSV would run it as a formula); then
/// at most `max` bytes of the characters `allowed` accepts.
pub(super) fn name_problem(s: &str, max: usize, allowed: impl Fn(char) -> bool, chars: &str) -> Option<String> {
    if s.trim().is_empty() {
        return Some("a name must not be empty".into());
    }
    if s.chars().any(diagnostic::is_unsafe_char) {
        return Some("a name must not contain control characters or bidirectional overrides".into());
    }
    if s.starts_with(['=', '+', '-', '@']) {
        return Some(
            "a name must not start with '=', '+', '-' or '@' (a spreadsheet would read it as a formula)".into(),
        );
    }
    if s.trim() != s {
        return Some("a name must not start or end with a space".into());
    }
    if s.len() > max || !s.chars().all(allowed) {
        return Some(format!("expected a name of {chars}, at most {max} characters"));
    }
    None
}

/// The characters of a pool, route or specialty name.
pub(super) fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || " _-&/()".contains(c)
}

/// Why `s` cannot be a pool, route or specialty name.
pub(super) fn item_name_problem(s: &str) -> Option<String> {
    name_problem(s, 60, is_name_char, "letters, digits, spaces and _-&/()")
}

/// A pool, route or specialty name: printable, no commas or quotes, so CSV and plots stay clean.
pub(super) fn read_name(cx: &mut Ctx<'_>, t: Tbl<'_, '_>) -> Option<String> {
    let (s, span) = t.str_req(cx, "name", "a name such as \"medicine\"")?;
    if let Some(why) = item_name_problem(s) {
        cx.err(span, t.field("name"), format!("{why}, found \"{s}\""));
        return None;
    }
    Some(s.to_string())
}

/// Each `[[key]]` table's name, if valid (a bad one is reported by
/// read_name), even when other fields of the table are bad: so duplicates and
/// references to it are checked in the same pass as those fields.
pub(super) fn valid_names<'a>(cx: &Ctx<'_>, root: Tbl<'a, '_>, key: &str) -> Vec<Option<&'a str>> {
    root.tables(&mut Ctx { sources: cx.sources, diags: Vec::new() }, key)
        .into_iter()
        .map(|(v, _)| match table_of(v)?.get("name")?.get_ref() {
            toml::de::DeValue::String(s) if item_name_problem(s).is_none() => Some(s.as_ref()),
            _ => None,
        })
        .collect()
}

/// Reports names that differ only in whitespace (`"general  medicine"` and
/// `"general medicine"`) as duplicates: their CSV rows could not be told apart.
pub(super) fn check_unique_names(cx: &mut Ctx<'_>, root: Tbl<'_, '_>, key: &str, names: &[Option<&str>]) {
    let tables = root.tables(&mut Ctx { sources: cx.sources, diags: Vec::new() }, key);
    let folded: Vec<Option<String>> =
        names.iter().map(|n| n.map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))).collect();
    for (i, n) in names.iter().enumerate() {
        let Some(n) = n else { continue };
        let Some(first) = folded[..i].iter().position(|f| f.is_some() && *f == folded[i]) else { continue };
        let span = tables
            .get(i)
            .and_then(|(v, _)| match v.get_ref() {
                toml::de::DeValue::Table(t) => t.get("name").map(|v| v.span()),
                _ => None,
            })
            .unwrap_or(0..0);
        let same = if names[first] == Some(n) {
            format!("the same as {key}[{}]", first + 1)
        } else {
            format!("the same as {key}[{}] \"{}\" apart from spaces", first + 1, names[first].unwrap_or_default())
        };
        cx.err(
            span,
            format!("{key}[{}].name", i + 1),
            format!("duplicate name \"{n}\" ({same}); names must be unique"),
        );
    }
}
