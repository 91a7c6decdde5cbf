//! File-system steps publication needs and std lacks: folder locks, `fsync`
//! of folders, `renameat2` (exchange, no-replace), unique tags.

use super::atomic::exchange_disabled;
use std::fs::File;
use std::io;
use std::path::Path;

/// Tries to take the exclusive lock of a folder: `Some(file)` holding it, or
/// `None` if a live process holds it.
pub(super) fn try_lock_dir(dir: &Path) -> io::Result<Option<File>> {
    let f = File::open(dir)?;
    match f.try_lock() {
        Ok(()) => Ok(Some(f)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Flushes every file in `dir`, then the folder itself.
pub(super) fn sync_tree(dir: &Path) -> io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        if e.file_type()?.is_file() {
            File::open(e.path())?.sync_all()?;
        }
    }
    sync_dir(dir)
}

pub(super) fn sync_dir(dir: &Path) -> io::Result<()> {
    // Some platforms cannot open or sync a folder; the rename is still atomic there.
    match File::open(dir).and_then(|f| f.sync_all()) {
        Ok(()) => Ok(()),
        Err(e) if matches!(e.kind(), io::ErrorKind::PermissionDenied | io::ErrorKind::InvalidInput) => Ok(()),
        Err(e) if e.raw_os_error() == Some(22) => Ok(()),
        Err(e) => Err(e),
    }
}

/// How a rename may treat an existing destination.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Rename {
    /// Swap the two paths atomically.
    Exchange,
    /// Fail (`AlreadyExists`) if the destination exists.
    NoReplace,
}

/// `renameat2` with `how`; `Ok(false)` where the OS or filesystem cannot.
#[cfg(target_os = "linux")]
pub(super) fn rename2(a: &Path, b: &Path, how: Rename) -> io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    if exchange_disabled() {
        return Ok(false);
    }
    let to_c =
        |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e));
    let (ca, cb) = (to_c(a)?, to_c(b)?);
    let flags = if how == Rename::Exchange { libc::RENAME_EXCHANGE } else { libc::RENAME_NOREPLACE };
    // SAFETY: both strings are valid NUL-terminated paths that outlive the call.
    let rc = unsafe { libc::renameat2(libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), flags) };
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
pub(super) fn rename2(_a: &Path, _b: &Path, _how: Rename) -> io::Result<bool> {
    let _ = exchange_disabled();
    Ok(false)
}

/// A short random-looking tag, so staging names are unique to one run.
pub(super) fn nonce() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let mix = (u64::from(nanos) ^ u64::from(std::process::id()).rotate_left(17)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    format!("{:08x}", (mix >> 32) as u32)
}
