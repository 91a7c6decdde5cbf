//! The `.bedflow` marker: how bedflow knows a folder is its own. It lists
//! every file bedflow wrote there with its SHA-256 (as `sha256sum` prints
//! them) and, for staging folders, the line `staging NAME` naming the folder
//! itself (see [`super::atomic`] for how both are used).

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

/// The marker file in every folder bedflow writes.
pub const MARKER: &str = ".bedflow";

/// First line of [`MARKER`].
pub(super) const MARKER_HEADER: &str = "bedflow output folder";

/// A marker line naming the staging folder (`.NAME.partial-PID-TAG` or
/// `.NAME.old-PID-TAG`) a folder was made or set aside as: proof that a
/// leftover under that name is bedflow's own.
pub(super) const STAGING: &str = "staging";

/// What a folder's marker says.
pub(super) enum Marker {
    /// No `.bedflow` file.
    Missing,
    /// A `.bedflow` file bedflow did not write (empty, garbled, edited).
    Invalid,
    /// The files bedflow wrote there: (SHA-256 hex, name).
    Lists(Vec<(String, String)>),
}

/// Reads `dir`'s marker.
pub(super) fn marker(dir: &Path) -> Marker {
    let path = dir.join(MARKER);
    let Ok(meta) = std::fs::symlink_metadata(&path) else { return Marker::Missing };
    if !meta.is_file() || meta.len() > 1 << 20 {
        return Marker::Invalid;
    }
    let Ok(text) = std::fs::read_to_string(&path) else { return Marker::Invalid };
    let mut lines = text.lines();
    if !lines.next().is_some_and(|l| l.starts_with(MARKER_HEADER)) {
        return Marker::Invalid;
    }
    let mut files = Vec::new();
    for line in lines.filter(|l| !l.is_empty() && !l.starts_with(STAGING)) {
        match line.split_once("  ") {
            Some((hash, name)) if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
                files.push((hash.to_ascii_lowercase(), name.to_string()));
            }
            _ => return Marker::Invalid,
        }
    }
    Marker::Lists(files)
}

/// The files a bedflow marker lists, or `None` if `dir` has no valid marker.
#[cfg(test)]
pub(super) fn marker_listing(dir: &Path) -> Option<Vec<(String, String)>> {
    match marker(dir) {
        Marker::Lists(files) => Some(files),
        _ => None,
    }
}

/// SHA-256 of a file, in hex.
pub(super) fn file_sha256(path: &Path) -> io::Result<String> {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    let mut f = File::open(path)?;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = io::Read::read(&mut f, &mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Why an existing `dir` may not be replaced, or `None` if it is empty or
/// bedflow made it and it holds only what bedflow wrote, unchanged.
pub(super) fn not_ours(dir: &Path, target: &Path) -> io::Result<Option<String>> {
    let elsewhere = format!("choose a new folder (e.g. --out {}), or move this one", target.join("results").display());
    let mut entries = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        entries.push((e.file_name().to_string_lossy().into_owned(), e.file_type()?.is_file()));
    }
    if entries.is_empty() {
        return Ok(None);
    }
    let listed = match marker(dir) {
        Marker::Missing => {
            return Ok(Some(format!(
                "the folder exists and bedflow did not make it (it has no {MARKER} file). If an older bedflow wrote it \
                 (before results folders were marked), delete or rename it once; otherwise {elsewhere}"
            )));
        }
        Marker::Invalid => {
            return Ok(Some(format!(
                "its {MARKER} file is not one bedflow wrote (empty, damaged or edited), so bedflow cannot tell \
                 which files are its own; {elsewhere}"
            )));
        }
        Marker::Lists(files) => files,
    };
    let (mut foreign, mut changed) = (Vec::new(), Vec::new());
    for (name, is_file) in entries {
        if name == MARKER {
            continue;
        }
        match listed.iter().find(|(_, n)| *n == name) {
            Some((hash, _)) if is_file => {
                if file_sha256(&dir.join(&name))? != *hash {
                    changed.push(name);
                }
            }
            _ => foreign.push(name),
        }
    }
    let names = |v: &mut Vec<String>| {
        v.sort();
        let more = if v.len() > 3 { format!(" and {} more", v.len() - 3) } else { String::new() };
        let shown: Vec<String> = v.iter().take(3).map(|n| format!("\"{}\"", n.escape_debug())).collect();
        shown.join(", ") + &more
    };
    let open_in_office = foreign.iter().any(|n| n.starts_with("~$") || n.starts_with(".~lock."));
    let mut why = Vec::new();
    if !foreign.is_empty() {
        why.push(format!("it holds {}, which bedflow did not write there", names(&mut foreign)));
    }
    if !changed.is_empty() {
        why.push(format!("{} changed since bedflow wrote it (edited?)", names(&mut changed)));
    }
    if why.is_empty() {
        return Ok(None);
    }
    let hint = if open_in_office { " (a spreadsheet has one of its files open: close it and try again)" } else { "" };
    Ok(Some(format!("{}{hint}; so that nothing of yours is lost, {elsewhere}", why.join(", and "))))
}

/// Whether `dir` is a staging folder bedflow made under exactly this name:
/// a real folder (not a link) whose marker carries the line `staging NAME`.
/// A copy of a results folder, or a user's folder that merely looks similar,
/// never carries its own name there, so it is never taken for a leftover.
pub(super) fn is_staging_named(dir: &Path) -> bool {
    let Some(name) = dir.file_name().map(|n| n.to_string_lossy().into_owned()) else { return false };
    std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir())
        && matches!(marker(dir), Marker::Lists(_))
        && std::fs::read_to_string(dir.join(MARKER)).is_ok_and(|t| t.lines().any(|l| l == format!("{STAGING} {name}")))
}

/// Adds `staging NAME` to a results folder's marker (which is not itself
/// listed, so the folder stays bedflow's).
/// Returns the marker's previous text (`None`: there was none) so that a
/// refused publication can put it back. The marker is replaced, never edited
/// in place, so a hard-linked copy of the folder keeps its own.
pub(super) fn append_staging(dir: &Path, name: &str) -> io::Result<Option<String>> {
    let path = dir.join(MARKER);
    let old = match std::fs::read_to_string(&path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    // An empty folder being replaced has no marker yet.
    let base = old.clone().unwrap_or_else(|| format!("{MARKER_HEADER}\n"));
    replace_marker(dir, &format!("{base}{STAGING} {name}\n"))?;
    Ok(old)
}

/// Writes `dir`'s marker as `text` (or removes it for `None`) by a new file
/// renamed over the old one.
pub(super) fn replace_marker(dir: &Path, text: &str) -> io::Result<()> {
    let tmp = dir.join(format!("{MARKER}.new-{}", std::process::id()));
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, dir.join(MARKER))
}

/// Puts back a marker as [`append_staging`] found it.
pub(super) fn restore_marker(dir: &Path, old: Option<String>) -> io::Result<()> {
    match old {
        Some(text) => replace_marker(dir, &text),
        None => std::fs::remove_file(dir.join(MARKER)),
    }
}

/// Every file name bedflow writes into an output folder: what a dead run's
/// unfinished staging folder (whose marker lists nothing yet) may hold.
const OUTPUT_NAMES: &[&str] = &[
    "summary.csv",
    "daily.csv",
    "replications.csv",
    ".replications.spill",
    "run.json",
    "finance.xlsx",
    "report.html",
    "target.txt",
    "comparison.csv",
    "comparison_by_month.csv",
    "comparison.html",
    "comparison.xlsx",
    "sweep.csv",
];

/// Plots are `NAME.png` and `NAME.svg`, named by their own modules.
const PLOT_NAMES: &[&str] = {
    use super::plots::*;
    &[
        winter::NAME,
        bank_holidays::NAME,
        ed::NAME,
        ed_crowding::NAME,
        electives::NAME,
        escalation::NAME,
        outliers::NAME,
        compare::COMPARISON,
        compare::SWEEP,
    ]
};

fn is_output_name(name: &str) -> bool {
    OUTPUT_NAMES.contains(&name)
        // `compare`'s workbook per costed scenario, `finance-NAME.xlsx`.
        || name.strip_prefix("finance-").and_then(|n| n.strip_suffix(".xlsx")).is_some_and(|n| {
            // Only names a scenario can have: ASCII letters, digits, '.', '_', '-'.
            !n.is_empty() && !n.starts_with('.') && n.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        })
        || name
            .strip_suffix(".png")
            .or_else(|| name.strip_suffix(".svg"))
            .is_some_and(|stem| PLOT_NAMES.contains(&stem))
}

/// Removes what bedflow wrote in one of its own staging folders, and
/// nothing else: files the marker lists whose checksum still matches, or,
/// while the marker lists nothing yet (an unfinished run), files with the
/// names bedflow writes; the marker last (so an interrupted removal leaves a
/// folder still recognised), then the folder if that emptied it. Returns the
/// names it had to leave (a file someone else put there).
pub(super) fn remove_ours(dir: &Path) -> io::Result<Vec<String>> {
    let listed = match marker(dir) {
        Marker::Lists(files) => files,
        _ => Vec::new(),
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut kept = Vec::new();
    for e in entries {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name == MARKER {
            continue;
        }
        let path = e.path();
        let regular = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
        let ours = regular
            && match listed.iter().find(|(_, n)| *n == name) {
                Some((hash, _)) => file_sha256(&path).is_ok_and(|h| h == *hash),
                None => listed.is_empty() && (is_output_name(&name) || name.starts_with(&format!("{MARKER}.new-"))),
            };
        if ours {
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        } else {
            kept.push(name);
        }
    }
    if kept.is_empty() {
        match std::fs::remove_file(dir.join(MARKER)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        match std::fs::remove_dir(dir) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                // Something arrived meanwhile: leave it, and say where.
                kept.push(String::from("(files added during the removal)"));
            }
            _ => {}
        }
    }
    Ok(kept)
}
