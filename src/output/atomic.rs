//! Results appear in their final folder only when complete.
//!
//! Files are written into a hidden sibling folder `.NAME.partial-PID`, then
//! the folder is renamed into place (a rename within one filesystem is
//! atomic). An earlier run's folder is first renamed aside and removed only
//! after the new one is in place. A run that fails or is killed leaves at most
//! a hidden `.partial` folder, never a folder that looks complete.

use std::io;
use std::path::{Path, PathBuf};

fn sibling(dir: &Path, tag: &str) -> io::Result<PathBuf> {
    let name =
        dir.file_name().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "output path has no folder name"))?;
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Ok(parent.join(format!(".{}.{tag}-{}", name.to_string_lossy(), std::process::id())))
}

/// Removes leftovers of earlier runs into `dir` that were killed (their
/// `.NAME.partial-PID` or `.NAME.old-PID` folders). Two runs writing the same
/// output folder at once are not supported.
fn remove_leftovers(dir: &Path) -> io::Result<()> {
    let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else { return Ok(()) };
    let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
    let Ok(entries) = std::fs::read_dir(parent) else { return Ok(()) };
    let name = name.to_string_lossy();
    for e in entries.flatten() {
        let f = e.file_name().to_string_lossy().into_owned();
        let stale = [format!(".{name}.partial-"), format!(".{name}.old-")].iter().any(|p| f.starts_with(p.as_str()));
        if stale && e.path().is_dir() {
            std::fs::remove_dir_all(e.path())?;
        }
    }
    Ok(())
}

/// Runs `fill` on a fresh temporary folder, then moves it to `dir`.
pub fn publish(dir: &Path, fill: impl FnOnce(&Path) -> io::Result<()>) -> io::Result<()> {
    let tmp = sibling(dir, "partial")?;
    if let Some(parent) = tmp.parent() {
        std::fs::create_dir_all(parent)?;
    }
    remove_leftovers(dir)?;
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    std::fs::create_dir(&tmp)?;
    let result = fill(&tmp).and_then(|()| {
        if dir.exists() {
            let old = sibling(dir, "old")?;
            std::fs::rename(dir, &old)?;
            std::fs::rename(&tmp, dir)?;
            std::fs::remove_dir_all(&old)
        } else {
            std::fs::rename(&tmp, dir)
        }
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
