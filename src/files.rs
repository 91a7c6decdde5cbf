//! Opening an input file that must be a regular file (a scenario, a part).

use std::fs::{File, FileType, OpenOptions};
use std::io;
use std::path::Path;

/// Opens `path` for reading, non-blocking on Linux, and returns the open
/// file if it is a regular file, or its type otherwise (`Ok(Err(..))`).
/// Callers look at the path's type first, without opening it; the
/// non-blocking open means a path swapped for a FIFO since then returns at
/// once (and is refused here, on the opened file) instead of waiting for a
/// writer. Reads of a regular file are unaffected.
pub(crate) fn open_regular(path: &Path) -> io::Result<Result<File, FileType>> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path)?;
    let kind = file.metadata()?.file_type();
    Ok(if kind.is_file() { Ok(file) } else { Err(kind) })
}
