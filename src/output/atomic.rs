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
//! target, then creates the hidden sibling folder `.NAME.partial-PID-TAG` and
//! holds an exclusive advisory lock (`flock`) on it for as long as the process
//! lives. The output files are written there, flushed to disk (`fsync` of
//! every file and of the folder) and published:
//!
//! - on Linux, by one `renameat2(RENAME_EXCHANGE)`: the new folder and the old
//!   one swap names atomically, so the target always holds a complete set of
//!   results (the old, then the new); the old results, now under the partial
//!   name, are then removed;
//! - elsewhere, or where the filesystem cannot exchange, by renaming the old
//!   folder aside to `.NAME.old-PID-TAG` and the new one into place. A crash
//!   between the two renames leaves the old results in `.NAME.old-PID-TAG`; the
//!   next run into the same target puts them back before doing anything else.
//!
//! **Leftovers.** Staging folders are named `.NAME.partial-PID-TAG` (TAG 8
//! hex digits, different for every run) and, on the two-rename path,
//! `.NAME.old-PID-TAG`; each one's marker carries the line `staging` and its
//! own name. Only a folder with exactly such a name, whose marker names it,
//! and whose lock no live process holds, is touched: an old folder is restored
//! to the target if the target is missing, and otherwise leftovers' regular
//! files are removed, then the folder (a sub-folder in it stops that). A copy
//! of a results folder, a backup such as `.NAME.old-20250101` or a folder that
//! merely looks similar is never touched. Restoring comes before the target
//! check, removal after it: a refused run removes nothing. A second run into
//! a target that a live run is writing is refused with a message
//! ([`OutputDirError::Busy`]); neither run is harmed.
//!
//! **During the run.** The target is checked again just before publishing,
//! and the folder swapped out is checked once more after the swap: a file a
//! user put into the target while bedflow ran (or a folder made at its path)
//! stops publication, the user's folder is put back as it was, and the run
//! ends with [`OutputDirError::Refused`]. A target that did not exist is taken
//! with `RENAME_NOREPLACE`, so a folder made there meanwhile is never
//! replaced. The swapped-out old results are removed file by file (bedflow
//! writes only regular files), never with a recursive delete.
//!
//! **Failpoints.** In debug builds and in the test build (feature
//! `failpoints`), `BEDFLOW_FAILPOINT=<step>` makes the process print
//! `bedflow: failpoint <step>` to stderr and pause at that step until the file
//! named by `BEDFLOW_FAILPOINT_RESUME` exists (at most a minute), so tests can
//! kill it there or change files around it. Release builds of the tool ignore
//! it.

use super::fsops::{Rename, nonce, rename2, sync_dir, sync_tree, try_lock_dir};
pub use super::marker::MARKER;
#[cfg(test)]
use super::marker::marker_listing;
use super::marker::{
    MARKER_HEADER, STAGING, append_staging, file_sha256, is_staging_named, not_ours, remove_ours, restore_marker,
};
use std::fs::File;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

/// Why an output folder cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum OutputDirError {
    /// The target is not a folder bedflow made (exit 2): nothing was touched.
    #[error("refusing to write results to {path}: {why}")]
    Refused {
        /// The target folder, escaped for the terminal.
        path: String,
        /// The reason, in words (e.g. a file bedflow did not write), with what to do.
        why: String,
    },
    /// Another live bedflow process is writing the same target (exit 2).
    #[error(
        "refusing to write results to {path}: another bedflow run (process {pid}) is writing it now; wait for it to finish or choose another --out"
    )]
    Busy {
        /// The target folder, escaped for the terminal.
        path: String,
        /// Process id of the other run, from its partial folder's name.
        pid: String,
    },
    /// The folder could not be created or written (exit 1).
    #[error("cannot write results to {path}: {source}")]
    Io {
        /// The target folder, escaped for the terminal.
        path: String,
        /// The operating system's error.
        source: io::Error,
    },
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
/// (debug and test builds only), so tests can kill the process there, or
/// change the files around it and let it go on: it waits until the file named
/// by `BEDFLOW_FAILPOINT_RESUME` exists (at most a minute).
pub(super) fn failpoint(step: &str) {
    #[cfg(any(debug_assertions, feature = "failpoints"))]
    if std::env::var("BEDFLOW_FAILPOINT").is_ok_and(|v| v.split(',').any(|s| s == step)) {
        eprintln!("bedflow: failpoint {step}");
        let resume = std::env::var_os("BEDFLOW_FAILPOINT_RESUME").map(PathBuf::from);
        for _ in 0..3000 {
            if resume.as_ref().is_some_and(|r| r.exists()) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
    #[cfg(not(any(debug_assertions, feature = "failpoints")))]
    let _ = step;
}

/// Whether the failpoint `no-exchange` forces the portable two-rename path.
pub(super) fn exchange_disabled() -> bool {
    #[cfg(any(debug_assertions, feature = "failpoints"))]
    if std::env::var("BEDFLOW_FAILPOINT").is_ok_and(|v| v.split(',').any(|s| s == "no-exchange")) {
        return true;
    }
    false
}

/// A path for a one-line message: control characters (a line feed
/// included) escaped.
fn shown(p: &Path) -> String {
    crate::terminal::path(p)
}

/// The kind of leftover a sibling's name makes it (`partial` or `old`), with
/// its process id: exactly `.NAME.KIND-<pid>-<8 hex digits>`.
fn leftover_kind<'a>(file: &'a str, name: &str) -> Option<(&'static str, &'a str)> {
    for kind in ["partial", "old"] {
        let prefix = format!(".{name}.{kind}-");
        let Some(rest) = file.strip_prefix(prefix.as_str()) else { continue };
        let Some((pid, nonce)) = rest.split_once('-') else { continue };
        let digits =
            |s: &str, max: usize, ok: fn(&u8) -> bool| !s.is_empty() && s.len() <= max && s.bytes().all(|b| ok(&b));
        if digits(pid, 10, u8::is_ascii_digit) && nonce.len() == 8 && digits(nonce, 8, u8::is_ascii_hexdigit) {
            return Some((kind, pid));
        }
    }
    None
}

/// Removes what bedflow wrote in one of its own staging folders (see
/// [`remove_ours`]), never anything else. It never fails the run: results
/// are already safe when it is called, so a problem is only reported.
fn remove_staging(dir: &Path) {
    match remove_ours(dir) {
        Ok(kept) if kept.is_empty() => {}
        Ok(kept) => eprintln!(
            "bedflow: left {} in place: it holds {}, which bedflow did not write",
            shown(dir),
            kept.iter().map(|k| format!("\"{}\"", k.escape_debug())).collect::<Vec<_>>().join(", ")
        ),
        Err(e) => eprintln!("bedflow: could not remove {} (earlier results, no longer needed): {e}", shown(dir)),
    }
}

/// The same folder as the one `lock` holds open (not a link or another
/// folder swapped in at its path).
fn same_folder(path: &Path, lock: &File) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::symlink_metadata(path), lock.metadata()) {
            (Ok(a), Ok(b)) => a.is_dir() && a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = lock;
        std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
    }
}

/// Why the existing `target` may not be replaced (a link, a file, a folder
/// that is not bedflow's), or `None`.
fn refusal(target: &Path) -> io::Result<Option<String>> {
    match std::fs::symlink_metadata(target) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
        Ok(m) if m.file_type().is_symlink() => Ok(Some("it is a symbolic link; give the folder's real path".into())),
        Ok(m) if !m.is_dir() => Ok(Some("it is a file, not a folder; bedflow will not replace it".into())),
        Ok(_) => not_ours(target, target),
    }
}

impl Staging {
    /// Checks that `target` may be written and creates the locked partial
    /// folder beside it. Call before simulating, so a refusal costs nothing.
    pub fn prepare(target: &Path) -> Result<Staging, OutputDirError> {
        // `res/`, `res/.` and `./res` all mean `res` (and `link/` the link itself).
        let target: PathBuf = target.components().filter(|c| !matches!(c, Component::CurDir)).collect();
        let target = target.as_path();
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
        let tmp = parent.join(format!(".{name}.partial-{}-{}", std::process::id(), nonce()));
        // Owner-only, so no other user can put files into it or read it early.
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&tmp).map_err(io)?;
        let staging = Staging {
            target: target.to_path_buf(),
            tmp: tmp.clone(),
            _lock: File::open(&tmp).map_err(io)?,
            published: false,
        };
        staging._lock.try_lock().map_err(|e| io(io::Error::other(e.to_string())))?;
        staging.write_marker(&[]).map_err(io)?;

        staging.refuse_if_busy(&parent, &name)?;
        staging.restore_old(&parent, &name)?;
        if let Some(why) = refusal(target).map_err(io)? {
            return Err(refuse(why));
        }
        staging.remove_dead(&parent, &name);
        Ok(staging)
    }

    /// This target's leftovers beside it: (path, kind, pid), exactly named.
    fn leftovers(&self, parent: &Path, name: &str) -> Vec<(PathBuf, &'static str, String)> {
        let Ok(entries) = std::fs::read_dir(parent) else { return Vec::new() };
        let mut found: Vec<_> = entries
            .flatten()
            .filter_map(|e| {
                let file = e.file_name().to_string_lossy().into_owned();
                let (kind, pid) = leftover_kind(&file, name)?;
                let pid = pid.to_string();
                Some((parent.join(&file), kind, pid))
            })
            .filter(|(p, _, _)| *p != self.tmp)
            .collect();
        found.sort();
        found
    }

    /// Refuses if a live run is writing the same target (its partial folder
    /// is locked); nothing is touched then.
    fn refuse_if_busy(&self, parent: &Path, name: &str) -> Result<(), OutputDirError> {
        let path = shown(&self.target);
        for (p, kind, pid) in self.leftovers(parent, name) {
            if kind == "partial" && is_staging_named(&p) {
                let held = try_lock_dir(&p).map_err(|source| OutputDirError::Io { path: path.clone(), source })?;
                if held.is_none() {
                    return Err(OutputDirError::Busy { path, pid });
                }
            }
        }
        Ok(())
    }

    /// Puts back the results a run killed between its two renames left aside
    /// (`.NAME.old-...`), if the target is missing.
    fn restore_old(&self, parent: &Path, name: &str) -> Result<(), OutputDirError> {
        let path = shown(&self.target);
        let io = |source| OutputDirError::Io { path: path.clone(), source };
        for (p, kind, _) in self.leftovers(parent, name) {
            if kind != "old" || std::fs::symlink_metadata(&self.target).is_ok() || !is_staging_named(&p) {
                continue;
            }
            // Only results still exactly as bedflow wrote them are put back.
            if !matches!(not_ours(&p, &self.target), Ok(None)) {
                continue;
            }
            let Some(_held) = try_lock_dir(&p).map_err(io)? else { continue };
            match rename2(&p, &self.target, Rename::NoReplace) {
                Ok(true) => {}
                Ok(false) => std::fs::rename(&p, &self.target).map_err(io)?,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io(e)),
            }
            eprintln!(
                "bedflow: restored the previous results of {} (an earlier run was interrupted while publishing)",
                shown(&self.target)
            );
        }
        Ok(())
    }

    /// Removes dead runs' staging folders of this target (exactly named, with
    /// their own name in their marker, and no live process holding them).
    /// Never fails: a leftover that cannot be removed is only reported.
    fn remove_dead(&self, parent: &Path, name: &str) {
        for (p, _, _) in self.leftovers(parent, name) {
            let Ok(Some(_held)) = try_lock_dir(&p) else { continue };
            if is_staging_named(&p) {
                remove_staging(&p);
            } else if std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir()) {
                // A run killed before it wrote its marker: an empty folder
                // (remove_dir removes nothing else).
                let _ = std::fs::remove_dir(&p);
            }
        }
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
        text.push_str(&format!(
            "{STAGING} {}\n",
            self.tmp.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
        ));
        let mut f = File::create(self.tmp.join(MARKER))?;
        f.write_all(text.as_bytes())
    }

    /// Runs `fill` on the partial folder, then publishes it as the target.
    /// On failure the partial folder is removed and any earlier results stay.
    /// If the target stopped being bedflow's during the run (a file added to
    /// it, or a folder made at its path), nothing is published and nothing of
    /// the user's is touched ([`OutputDirError::Refused`]).
    pub fn publish(self, fill: impl FnOnce(&Path) -> io::Result<()>) -> Result<(), OutputDirError> {
        let path = shown(&self.target);
        match self.publish_inner(fill) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(why)) => Err(OutputDirError::Refused { path, why }),
            Err(source) => Err(OutputDirError::Io { path, source }),
        }
    }

    fn publish_inner(mut self, fill: impl FnOnce(&Path) -> io::Result<()>) -> io::Result<Result<(), String>> {
        let moved =
            || io::Error::other("bedflow's staging folder was moved or replaced during the run; nothing was published");
        if !same_folder(&self.tmp, &self._lock) {
            return Err(moved());
        }
        fill(&self.tmp)?;
        if !same_folder(&self.tmp, &self._lock) {
            return Err(moved());
        }
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
        let changed =
            |why: String| format!("{why} (it changed while bedflow was running; the new results were not written)");
        failpoint("before-publish");
        // A target that did not exist is taken only if it still does not.
        if std::fs::symlink_metadata(&self.target).is_err() {
            match rename2(&self.tmp, &self.target, Rename::NoReplace) {
                Ok(true) => {
                    self.published = true;
                    sync_dir(&parent)?;
                    return Ok(Ok(()));
                }
                Ok(false) => {
                    if std::fs::symlink_metadata(&self.target).is_err() {
                        std::fs::rename(&self.tmp, &self.target)?;
                        self.published = true;
                        sync_dir(&parent)?;
                        return Ok(Ok(()));
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        // The target exists: it must still be bedflow's, unchanged, now.
        if let Some(why) = refusal(&self.target)? {
            return Ok(Err(changed(why)));
        }
        failpoint("before-exchange");
        let target_name = self.target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp_name = self.tmp.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        // After the swap the old results sit under the partial name: their
        // marker names it first, so a crash right after leaves a leftover the
        // next run recognises and removes.
        let old_marker = append_staging(&self.target, &tmp_name)?;
        if rename2(&self.tmp, &self.target, Rename::Exchange)? {
            // The target holds the new results, the partial name the old ones.
            // Checked again: a file added since the check above puts them back.
            failpoint("after-exchange");
            if let Some(why) = not_ours(&self.tmp, &self.target)? {
                rename2(&self.tmp, &self.target, Rename::Exchange)?;
                restore_marker(&self.target, old_marker)?;
                return Ok(Err(changed(why)));
            }
            self.published = true;
            sync_dir(&parent)?;
            failpoint("before-removal");
            remove_staging(&self.tmp);
        } else {
            let old = parent.join(format!(".{target_name}.old-{}-{}", std::process::id(), nonce()));
            // The set-aside folder names itself, so a later run can restore it.
            let _ = append_staging(
                &self.target,
                &old.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            )?;
            std::fs::rename(&self.target, &old)?;
            failpoint("after-set-aside");
            std::fs::rename(&self.tmp, &self.target)?;
            self.published = true;
            sync_dir(&parent)?;
            failpoint("after-rename");
            remove_staging(&old);
        }
        sync_dir(&parent)?;
        Ok(Ok(()))
    }
}

impl Drop for Staging {
    /// A run that fails before publishing leaves nothing behind.
    fn drop(&mut self) {
        // This run's own folder (private, checked to be the one it made):
        // everything in it is this run's, the marker last.
        if !self.published && same_folder(&self.tmp, &self._lock) {
            if let Ok(entries) = std::fs::read_dir(&self.tmp) {
                for e in entries.flatten() {
                    if e.file_name() != MARKER && e.file_type().is_ok_and(|t| t.is_file()) {
                        let _ = std::fs::remove_file(e.path());
                    }
                }
            }
            let _ = std::fs::remove_file(self.tmp.join(MARKER));
            let _ = std::fs::remove_dir(&self.tmp);
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
        // A dead run's partial folder, with bedflow's marker naming it.
        let dead = root.path().join(".results.partial-999999999-0000abcd");
        std::fs::create_dir(&dead).unwrap();
        std::fs::write(dead.join(MARKER), format!("{MARKER_HEADER}\n{STAGING} .results.partial-999999999-0000abcd\n"))
            .unwrap();
        // A copy of a results folder under a leftover-like name: not its own name inside.
        publish(&root.path().join("other"), |t| std::fs::write(t.join("a.csv"), "1")).unwrap();
        let copy = root.path().join(".results.old-999999998-0000abcd");
        std::fs::create_dir(&copy).unwrap();
        for f in [MARKER, "a.csv"] {
            std::fs::copy(root.path().join("other").join(f), copy.join(f)).unwrap();
        }
        publish(&dir, |t| std::fs::write(t.join("a.csv"), "1")).unwrap();
        assert!(!dead.exists());
        for m in mine {
            assert!(root.path().join(m).join("keep").exists(), "{m} was touched");
        }
        assert!(copy.join("a.csv").exists(), "a copied results folder is not a leftover");
    }

    #[test]
    fn a_live_run_into_the_same_target_is_not_disturbed() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("results");
        let live = root.path().join(".results.partial-42-0000abcd");
        std::fs::create_dir(&live).unwrap();
        std::fs::write(live.join(MARKER), format!("{MARKER_HEADER}\n{STAGING} .results.partial-42-0000abcd\n"))
            .unwrap();
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
        let old = root.path().join(".results.old-999999999-0000abcd");
        append_staging(&dir, ".results.old-999999999-0000abcd").unwrap();
        std::fs::rename(&dir, &old).unwrap();
        let s = Staging::prepare(&dir).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("a.csv")).unwrap(), "1", "restored before the run");
        drop(s);
        assert!(!old.exists());
    }
}
