//! Results appear in their final folder only when complete, and bedflow only
//! ever replaces a folder it made.
//!
//! **Ownership.** Every folder bedflow writes holds a small marker file,
//! [`MARKER`], listing the files bedflow put there with the SHA-256 of each
//! (as `sha256sum` prints them). An existing `--out` folder is replaced only
//! if it is empty, or if it has that marker and holds nothing but the files
//! the marker lists, each unchanged since bedflow wrote it (regular files, no
//! sub-folders, no symbolic links). Anything else (a folder of board papers,
//! the scenario's own folder, a regular file, a symbolic link, a bedflow folder
//! a planner has since added a note to or edited a CSV in) is refused before
//! any simulation starts ([`OutputDirError::Refused`], exit 2), and left
//! exactly as it was.
//!
//! **Staging.** [`Staging::prepare`] runs before the simulation: it checks the
//! target, then creates the hidden sibling folder `.NAME.partial-PID` and
//! holds an exclusive advisory lock (`flock`) on it for as long as the process
//! lives. The output files are written there, flushed to disk (`fsync` of
//! every file and of the folder) and published:
//!
//! - on Linux, by one `renameat2(RENAME_EXCHANGE)`: the new folder and the old
//!   one swap names atomically, so the target always holds a complete set of
//!   results (the old, then the new); the old results, now under the partial
//!   name, are then removed;
//! - elsewhere, or where the filesystem cannot exchange, by renaming the old
//!   folder aside to `.NAME.old-PID` and the new one into place. A crash
//!   between the two renames leaves the old results in `.NAME.old-PID`; the
//!   next run into the same target puts them back before doing anything else.
//!
//! **Leftovers.** Only folders named exactly `.NAME.partial-<digits>` or
//! `.NAME.old-<digits>` that hold a bedflow marker, and whose lock no live
//! process holds, are touched: partial folders are removed, an old folder is
//! restored to the target if the target is missing (and removed otherwise).
//! Anything else that merely looks similar (`.NAME.partial-mine`) is left
//! alone. A second run into a target that a live run is writing is refused
//! with a message ([`OutputDirError::Busy`]); neither run is harmed.
//!
//! **Failpoints.** In debug builds and in the test build (feature
//! `failpoints`), `BEDFLOW_FAILPOINT=<step>` makes the process print
//! `bedflow: failpoint <step>` to stderr and pause for a minute at that step,
//! so tests can kill it there. Release builds of the tool ignore it.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

/// The marker file in every folder bedflow writes.
pub const MARKER: &str = ".bedflow";

/// First line of [`MARKER`].
const MARKER_HEADER: &str = "bedflow output folder";

/// Why an output folder cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum OutputDirError {
    /// The target is not a folder bedflow made (exit 2): nothing was touched.
    #[error("refusing to write results to {path}: {why}")]
    Refused { path: String, why: String },
    /// Another live bedflow process is writing the same target (exit 2).
    #[error(
        "refusing to write results to {path}: another bedflow run (process {pid}) is writing it now; wait for it to finish or choose another --out"
    )]
    Busy { path: String, pid: String },
    /// The folder could not be created or written (exit 1).
    #[error("cannot write results to {path}: {source}")]
    Io { path: String, source: io::Error },
}

/// A hidden folder where one run writes its results before they are published.
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    tmp: PathBuf,
    /// The open partial folder, holding the exclusive lock.
    _lock: File,
    published: bool,
}

/// Pauses at a named step of publication when `BEDFLOW_FAILPOINT` names it
/// (debug and test builds only), so tests can kill the process there.
fn failpoint(step: &str) {
    #[cfg(any(debug_assertions, feature = "failpoints"))]
    if std::env::var("BEDFLOW_FAILPOINT").is_ok_and(|v| v.split(',').any(|s| s == step)) {
        eprintln!("bedflow: failpoint {step}");
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
    #[cfg(not(any(debug_assertions, feature = "failpoints")))]
    let _ = step;
}

/// Whether the failpoint `no-exchange` forces the portable two-rename path.
fn exchange_disabled() -> bool {
    #[cfg(any(debug_assertions, feature = "failpoints"))]
    if std::env::var("BEDFLOW_FAILPOINT").is_ok_and(|v| v.split(',').any(|s| s == "no-exchange")) {
        return true;
    }
    false
}

fn shown(p: &Path) -> String {
    p.display().to_string()
}

/// Tries to take the exclusive lock of a folder: `Some(file)` holding it, or
/// `None` if a live process holds it.
fn try_lock_dir(dir: &Path) -> io::Result<Option<File>> {
    let f = File::open(dir)?;
    match f.try_lock() {
        Ok(()) => Ok(Some(f)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// What a folder's marker says.
enum Marker {
    /// No `.bedflow` file.
    Missing,
    /// A `.bedflow` file bedflow did not write (empty, garbled, edited).
    Invalid,
    /// The files bedflow wrote there: (SHA-256 hex, name).
    Lists(Vec<(String, String)>),
}

/// Reads `dir`'s marker.
fn marker(dir: &Path) -> Marker {
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
    for line in lines.filter(|l| !l.is_empty()) {
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
fn marker_listing(dir: &Path) -> Option<Vec<(String, String)>> {
    match marker(dir) {
        Marker::Lists(files) => Some(files),
        _ => None,
    }
}

/// SHA-256 of a file, in hex.
fn file_sha256(path: &Path) -> io::Result<String> {
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
fn not_ours(dir: &Path) -> io::Result<Option<String>> {
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

/// The kind of leftover a sibling's name makes it, with its process id.
fn leftover_kind<'a>(file: &'a str, name: &str) -> Option<(&'static str, &'a str)> {
    for kind in ["partial", "old"] {
        let prefix = format!(".{name}.{kind}-");
        if let Some(pid) = file.strip_prefix(prefix.as_str())
            && !pid.is_empty()
            && pid.len() <= 10
            && pid.bytes().all(|b| b.is_ascii_digit())
        {
            return Some((kind, pid));
        }
    }
    None
}

/// Flushes every file in `dir`, then the folder itself.
fn sync_tree(dir: &Path) -> io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        if e.file_type()?.is_file() {
            File::open(e.path())?.sync_all()?;
        }
    }
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    // Some platforms cannot open or sync a folder; the rename is still atomic there.
    match File::open(dir).and_then(|f| f.sync_all()) {
        Ok(()) => Ok(()),
        Err(e) if matches!(e.kind(), io::ErrorKind::PermissionDenied | io::ErrorKind::InvalidInput) => Ok(()),
        Err(e) if e.raw_os_error() == Some(22) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Swaps two paths atomically; `Ok(false)` where the OS or filesystem cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    if exchange_disabled() {
        return Ok(false);
    }
    let to_c =
        |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e));
    let (ca, cb) = (to_c(a)?, to_c(b)?);
    // SAFETY: both strings are valid NUL-terminated paths that outlive the call.
    let rc =
        unsafe { libc::renameat2(libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE) };
    if rc == 0 {
        return Ok(true);
    }
    let err = io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP) => Ok(false),
        _ => Err(err),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<bool> {
    let _ = exchange_disabled();
    Ok(false)
}

impl Staging {
    /// Checks that `target` may be written and creates the locked partial
    /// folder beside it. Call before simulating, so a refusal costs nothing.
    pub fn prepare(target: &Path) -> Result<Staging, OutputDirError> {
        let path = shown(target);
        let refuse = |why: String| OutputDirError::Refused { path: path.clone(), why };
        let io = |source| OutputDirError::Io { path: path.clone(), source };
        let name = match target.components().next_back() {
            Some(Component::Normal(n)) => n.to_string_lossy().into_owned(),
            _ => return Err(refuse("name the results folder itself (not `.`, `..` or `/`)".into())),
        };
        let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
        match std::fs::symlink_metadata(&parent) {
            Ok(m) if !m.is_dir() => return Err(refuse(format!("{} is not a folder", shown(&parent)))),
            Ok(_) => {}
            Err(_) => std::fs::create_dir_all(&parent).map_err(io)?,
        }

        // Our own partial folder, locked, before looking at anyone else's:
        // of two runs starting together, at least one sees the other.
        let tmp = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if std::fs::symlink_metadata(&tmp).is_ok() {
            // A leftover of an earlier process with our id (ids are reused).
            match try_lock_dir(&tmp) {
                Ok(Some(_)) if marker_listing(&tmp).is_some() => std::fs::remove_dir_all(&tmp).map_err(io)?,
                _ => {
                    return Err(refuse(format!(
                        "{} is in the way and is not a stale bedflow folder; move it",
                        shown(&tmp)
                    )));
                }
            }
        }
        std::fs::create_dir(&tmp).map_err(io)?;
        let staging = Staging {
            target: target.to_path_buf(),
            tmp: tmp.clone(),
            _lock: File::open(&tmp).map_err(io)?,
            published: false,
        };
        staging._lock.try_lock().map_err(|e| io(io::Error::other(e.to_string())))?;
        staging.write_marker(&[]).map_err(io)?;

        staging.tidy_leftovers(&parent, &name)?;

        match std::fs::symlink_metadata(target) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(e)),
            Ok(m) if m.file_type().is_symlink() => {
                return Err(refuse("it is a symbolic link; give the folder's real path".into()));
            }
            Ok(m) if !m.is_dir() => {
                return Err(refuse("it is a file, not a folder; bedflow will not replace it".into()));
            }
            Ok(_) => {
                if let Some(why) = not_ours(target).map_err(io)? {
                    return Err(refuse(why));
                }
            }
        }
        Ok(staging)
    }

    /// Removes dead runs' partial folders, restores old results a crash left
    /// aside, and refuses if a live run is writing the same target.
    fn tidy_leftovers(&self, parent: &Path, name: &str) -> Result<(), OutputDirError> {
        let path = shown(&self.target);
        let io = |source| OutputDirError::Io { path: path.clone(), source };
        let Ok(entries) = std::fs::read_dir(parent) else { return Ok(()) };
        let mut found: Vec<(String, &'static str, String)> = Vec::new();
        for e in entries.flatten() {
            let file = e.file_name().to_string_lossy().into_owned();
            if let Some((kind, pid)) = leftover_kind(&file, name) {
                found.push((file.clone(), kind, pid.to_string()));
            }
        }
        // A live run into the same target first: then nothing is touched.
        for (file, kind, pid) in &found {
            let p = parent.join(file);
            if *kind == "partial"
                && p != self.tmp
                && marker_listing(&p).is_some()
                && try_lock_dir(&p).map_err(io)?.is_none()
            {
                return Err(OutputDirError::Busy { path, pid: pid.clone() });
            }
        }
        // Then old folders: restoring the previous results matters most.
        found.sort_by_key(|(f, kind, _)| (*kind != "old", f.clone()));
        for (file, kind, _) in found {
            let p = parent.join(&file);
            if p == self.tmp {
                continue;
            }
            let is_dir = std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir());
            if !is_dir || marker_listing(&p).is_none() {
                continue;
            }
            let Some(_held) = try_lock_dir(&p).map_err(io)? else { continue };
            let target_exists = std::fs::symlink_metadata(&self.target).is_ok();
            if kind == "old" && !target_exists {
                std::fs::rename(&p, &self.target).map_err(io)?;
                eprintln!(
                    "bedflow: restored the previous results of {} (an earlier run was interrupted while publishing)",
                    shown(&self.target)
                );
            } else {
                std::fs::remove_dir_all(&p).map_err(io)?;
            }
        }
        Ok(())
    }

    /// The folder to write output files into (it exists from `prepare` on).
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// The folder the results will appear in.
    pub fn target(&self) -> &Path {
        &self.target
    }

    fn write_marker(&self, files: &[(String, String)]) -> io::Result<()> {
        let mut text = format!(
            "{MARKER_HEADER} (bedflow {}). bedflow replaces this folder only while it holds nothing but the files listed below, unchanged (SHA-256, as sha256sum prints them).\n",
            env!("CARGO_PKG_VERSION")
        );
        for (hash, name) in files {
            text.push_str(&format!("{hash}  {name}\n"));
        }
        let mut f = File::create(self.tmp.join(MARKER))?;
        f.write_all(text.as_bytes())
    }

    /// Runs `fill` on the partial folder, then publishes it as the target.
    /// On failure the partial folder is removed and any earlier results stay.
    pub fn publish(self, fill: impl FnOnce(&Path) -> io::Result<()>) -> Result<(), super::OutputError> {
        let path = shown(&self.target);
        self.publish_inner(fill).map_err(|source| super::OutputError { path, source })
    }

    fn publish_inner(mut self, fill: impl FnOnce(&Path) -> io::Result<()>) -> io::Result<()> {
        fill(&self.tmp)?;
        let mut names: Vec<String> = Vec::new();
        for e in std::fs::read_dir(&self.tmp)? {
            let name = e?.file_name().to_string_lossy().into_owned();
            if name != MARKER {
                names.push(name);
            }
        }
        names.sort();
        let files =
            names.into_iter().map(|n| Ok((file_sha256(&self.tmp.join(&n))?, n))).collect::<io::Result<Vec<_>>>()?;
        self.write_marker(&files)?;
        sync_tree(&self.tmp)?;
        let parent = self.tmp.parent().unwrap_or(Path::new(".")).to_path_buf();
        failpoint("before-publish");
        if std::fs::symlink_metadata(&self.target).is_ok() {
            if exchange(&self.tmp, &self.target)? {
                // The target now holds the new results; the partial name the old ones.
                self.published = true;
                sync_dir(&parent)?;
                failpoint("after-exchange");
                match std::fs::remove_dir_all(&self.tmp) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
            } else {
                let old = parent.join(format!(
                    ".{}.old-{}",
                    self.target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                    std::process::id()
                ));
                std::fs::rename(&self.target, &old)?;
                failpoint("after-set-aside");
                std::fs::rename(&self.tmp, &self.target)?;
                self.published = true;
                sync_dir(&parent)?;
                failpoint("after-rename");
                // Another run may already have tidied it away.
                match std::fs::remove_dir_all(&old) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
            }
        } else {
            std::fs::rename(&self.tmp, &self.target)?;
            self.published = true;
        }
        sync_dir(&parent)?;
        Ok(())
    }
}

impl Drop for Staging {
    /// A run that fails before publishing leaves nothing behind.
    fn drop(&mut self) {
        if !self.published {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn publish(dir: &Path, fill: impl FnOnce(&Path) -> io::Result<()>) -> Result<(), String> {
        let s = Staging::prepare(dir).map_err(|e| e.to_string())?;
        s.publish(fill).map_err(|e| e.to_string())
    }

    #[test]
    fn replaces_only_when_complete() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("results");
        publish(&dir, |t| std::fs::write(t.join("a.csv"), "1")).unwrap();
        let failed = publish(&dir, |t| {
            std::fs::write(t.join("a.csv"), "2")?;
            Err(io::Error::other("boom"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(dir.join("a.csv")).unwrap(), "1");
        publish(&dir, |t| std::fs::write(t.join("a.csv"), "3")).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("a.csv")).unwrap(), "3");
        let leftovers: Vec<_> = std::fs::read_dir(root.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only the results folder remains");
        let listing = marker_listing(&dir).unwrap();
        assert_eq!(listing.len(), 1);
        assert_eq!(listing[0].1, "a.csv");
        assert_eq!(listing[0].0, file_sha256(&dir.join("a.csv")).unwrap());
    }

    #[test]
    fn refuses_folders_it_did_not_make() {
        let root = tempfile::tempdir().unwrap();
        let docs = root.path().join("mydocs");
        std::fs::create_dir_all(docs.join("sub")).unwrap();
        std::fs::write(docs.join("thesis.docx"), "t").unwrap();
        let e = Staging::prepare(&docs).unwrap_err();
        assert!(matches!(e, OutputDirError::Refused { .. }), "{e}");
        assert_eq!(std::fs::read_to_string(docs.join("thesis.docx")).unwrap(), "t");
        // Nothing of bedflow's is left beside it.
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
    }

    #[test]
    fn refuses_a_bedflow_folder_with_a_user_file_added() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("results");
        publish(&dir, |t| std::fs::write(t.join("a.csv"), "1")).unwrap();
        std::fs::write(dir.join("notes.txt"), "mine").unwrap();
        let e = Staging::prepare(&dir).unwrap_err().to_string();
        assert!(e.contains("notes.txt"), "{e}");
        assert_eq!(std::fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine");
    }

    #[test]
    fn refuses_files_and_links() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("scenario.toml");
        std::fs::write(&file, "x").unwrap();
        assert!(matches!(Staging::prepare(&file), Err(OutputDirError::Refused { .. })));
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
        let real = root.path().join("real");
        publish(&real, |t| std::fs::write(t.join("a.csv"), "1")).unwrap();
        let link = root.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert!(matches!(Staging::prepare(&link), Err(OutputDirError::Refused { .. })));
        assert!(matches!(Staging::prepare(Path::new(".")), Err(OutputDirError::Refused { .. })));
    }

    #[test]
    fn leaves_look_alikes_and_removes_only_dead_leftovers() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("results");
        let mine = [".results.old-backup", ".results.partial-mine", ".results.partial-123"];
        for m in mine {
            std::fs::create_dir(root.path().join(m)).unwrap();
            std::fs::write(root.path().join(m).join("keep"), "k").unwrap();
        }
        // A dead run's partial folder, with bedflow's marker.
        let dead = root.path().join(".results.partial-999999999");
        std::fs::create_dir(&dead).unwrap();
        std::fs::write(dead.join(MARKER), format!("{MARKER_HEADER}\n")).unwrap();
        publish(&dir, |t| std::fs::write(t.join("a.csv"), "1")).unwrap();
        assert!(!dead.exists());
        for m in mine {
            assert!(root.path().join(m).join("keep").exists(), "{m} was touched");
        }
    }

    #[test]
    fn a_live_run_into_the_same_target_is_not_disturbed() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("results");
        let live = root.path().join(".results.partial-42");
        std::fs::create_dir(&live).unwrap();
        std::fs::write(live.join(MARKER), format!("{MARKER_HEADER}\n")).unwrap();
        let lock = File::open(&live).unwrap();
        lock.lock().unwrap();
        let e = Staging::prepare(&dir).unwrap_err();
        assert!(matches!(e, OutputDirError::Busy { .. }), "{e}");
        assert!(live.join(MARKER).exists());
        drop(lock);
        publish(&dir, |t| std::fs::write(t.join("a.csv"), "1")).unwrap();
        assert!(!live.exists(), "a dead run's partial folder is removed");
    }

    #[test]
    fn old_results_left_aside_by_a_crash_are_restored() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("results");
        publish(&dir, |t| std::fs::write(t.join("a.csv"), "1")).unwrap();
        // As if killed between the two renames of the portable path.
        let old = root.path().join(".results.old-999999999");
        std::fs::rename(&dir, &old).unwrap();
        let s = Staging::prepare(&dir).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("a.csv")).unwrap(), "1", "restored before the run");
        drop(s);
        assert!(!old.exists());
    }
}
