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
pub(super) fn not_ours(dir: &Path) -> io::Result<Option<String>> {
    let elsewhere = format!("choose a new folder (e.g. --out {}), or move this one", dir.join("results").display());
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
pub(super) fn append_staging(dir: &Path, name: &str) -> io::Result<()> {
    let path = dir.join(MARKER);
    // An empty folder being replaced has no marker yet.
    let header = if std::fs::symlink_metadata(&path).is_err() { format!("{MARKER_HEADER}\n") } else { String::new() };
    let mut f = std::fs::OpenOptions::new().append(true).create(true).open(&path)?;
    f.write_all(format!("{header}{STAGING} {name}\n").as_bytes())?;
    f.sync_all()
}
